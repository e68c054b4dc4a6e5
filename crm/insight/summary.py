"""The managers' daily summary: a day against the 7 days before, and the open tickets to look at."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.functions import Count

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.mood import scored_messages
from crm.insight.periods import Period
from crm.insight.queries import (
    BREACHED,
    MOOD,
    NO_MOOD,
    OPEN,
    pct,
    tickets_with_customers,
    within,
)
from crm.insight.satisfaction import satisfaction
from crm.insight.times import Spread, created_tickets, format_duration
from crm.models import Direction, Priority, SlaBreach, SlaKind, Ticket, TicketKind
from crm.sentiment import SentimentLabel

__all__ = ["BASELINE_DAYS", "AttentionTicket", "Summary", "SummaryLine", "Unit", "build_summary"]

BASELINE_DAYS = 7  # the summary compares a day with the 7 days before it
ATTENTION_LIMIT = 3


class Unit(StrEnum):
    """How a summary number is shown."""

    COUNT = "count"
    PERCENT = "percent"
    SECONDS = "seconds"


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One number of a day against the daily average of the days before."""

    key: str
    label: str
    unit: Unit
    value: float | None
    average: float | None

    @property
    def trend(self) -> str:
        """Return ▲ (above the average), ▼ (below) or ▶ (same as shown, or nothing to compare)."""
        if self.value is None or self.average is None:
            return "▶"
        if _shown(self.value, self.unit) == _shown(self.average, self.unit):
            return "▶"
        return "▲" if self.value > self.average else "▼"


def _shown(value: float, unit: Unit) -> object:
    # The arrow agrees with the printed numbers: "12 min ▶ (12 min)", never "12 min ▲".
    return format_duration(value) if unit is Unit.SECONDS else round(value, 1)


@dataclass(frozen=True, slots=True)
class AttentionTicket:
    """An open ticket the managers should look at, and why."""

    ticket_id: int
    customer_name: str
    subject: str
    priority: Priority
    breaches: tuple[SlaKind, ...]
    mood: float | None  # mean sentiment of the customer's scored messages
    age_seconds: float

    @property
    def reason(self) -> str:
        """Return why the ticket needs attention, in one line."""
        return self.reason_in(DEFAULT_LANGUAGE)

    def reason_in(self, lang: str) -> str:
        """Return why the ticket needs attention, in one line of a staff language."""

        def say(key: str, **values: object) -> str:
            return t(f"staff.attention.{key}", lang, **values)

        parts = []
        if self.breaches:
            missed = say("and").join(say(kind.value) for kind in self.breaches)
            parts.append(say("missed", targets=missed))
        if self.priority >= Priority.HIGH:
            priority = t(f"staff.priority.{self.priority.name.lower()}", lang)
            parts.append(say("priority", priority=priority))
        if self.mood is not None and self.mood < 0:
            parts.append(say("negative", mood=f"{self.mood:+.2f}"))
        parts.append(say("open_for", age=format_duration(self.age_seconds, lang)))
        text = say("join").join(parts)
        return text[0].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class Summary:
    """Yesterday's numbers against the days before, and the tickets to look at."""

    day: date
    zone: ZoneInfo
    lines: list[SummaryLine]
    attention: list[AttentionTicket]


@dataclass(frozen=True, slots=True)
class _Headline:
    opened: int
    resolved: int
    complaints: int
    csat: float | None
    first_response: float | None  # median, seconds
    negative: float | None  # share of scored customer messages, 0-100
    sla_breaches: int


_SUMMARY_LINES = (
    ("opened", "Tickets opened", Unit.COUNT),
    ("resolved", "Tickets resolved", Unit.COUNT),
    ("complaints", "Complaints", Unit.COUNT),
    ("csat", "CSAT", Unit.PERCENT),
    ("first_response", "First response (median)", Unit.SECONDS),
    ("negative", "Negative messages", Unit.PERCENT),
    ("sla_breaches", "SLA breaches", Unit.COUNT),
)


async def _headline(period: Period) -> _Headline:
    kinds = (
        await Ticket.filter(**within("created_at", period))
        .annotate(n=Count("id"))
        .group_by("kind")
        .values("kind", "n")
    )
    opened = {row["kind"]: row["n"] for row in kinds}
    labels = (
        await scored_messages(period)
        .annotate(n=Count("id"))
        .group_by("direction", "sentiment_label")
        .values("direction", "sentiment_label", "n")
    )
    moods = {
        row["sentiment_label"]: row["n"] for row in labels if row["direction"] is Direction.INBOUND
    }
    created = await created_tickets(period)
    return _Headline(
        opened=sum(opened.values()),
        resolved=await Ticket.filter(**within("resolved_at", period)).count(),
        complaints=opened.get(TicketKind.COMPLAINT, 0),
        csat=(await satisfaction(period=period)).csat_pct,
        first_response=Spread.of(created["first_response"]).median,
        negative=pct(moods.get(SentimentLabel.NEGATIVE, 0), sum(moods.values())),
        sla_breaches=await SlaBreach.filter(**within("detected_at", period)).count(),
    )


async def build_summary(*, day: date, zone: ZoneInfo, now: datetime) -> Summary:
    """Compare a local day with the 7 days before it; pick the open tickets to look at.

    Counts are compared with their per-day mean over the 7 days. CSAT, the median first
    response and the negative share are compared with their value over the 7 days pooled,
    so a quiet day with one bad rating does not swing the baseline.
    """
    that_day = Period.local_day(day, zone=zone)
    week_before = Period(
        start=Period.local_day(day - timedelta(days=BASELINE_DAYS), zone=zone).start,
        end=that_day.start,
    )
    numbers, baseline = await _headline(that_day), await _headline(week_before)
    lines = []
    for key, label, unit in _SUMMARY_LINES:
        average = getattr(baseline, key)
        if unit is Unit.COUNT:
            average /= BASELINE_DAYS
        lines.append(SummaryLine(key, label, unit, getattr(numbers, key), average))
    return Summary(day=day, zone=zone, lines=lines, attention=await _needing_attention(now=now))


async def _needing_attention(
    *, now: datetime, limit: int = ATTENTION_LIMIT
) -> list[AttentionTicket]:
    """Return open tickets by: SLA breached, priority, most negative customer, oldest."""
    rows = (
        await Ticket.filter(status__in=OPEN)
        .annotate(breached=BREACHED, mood=MOOD)
        .order_by("-breached", "-priority", "mood", "created_at", "id")
        .limit(limit)
        .values("id", "mood")
    )
    ids = [row["id"] for row in rows]
    tickets = await tickets_with_customers(ids)
    breaches: dict[int, list[SlaKind]] = defaultdict(list)
    for row in (
        await SlaBreach.filter(ticket_id__in=ids).order_by("kind").values("ticket_id", "kind")
    ):
        breaches[row["ticket_id"]].append(row["kind"])
    found = []
    for row in rows:
        ticket = tickets.get(row["id"])
        if ticket is None:  # deleted since the first query
            continue
        mood = float(row["mood"])
        found.append(
            AttentionTicket(
                ticket_id=ticket.id,
                customer_name=ticket.customer.display_name,
                subject=ticket.subject,
                priority=ticket.priority,
                breaches=tuple(breaches[ticket.id]),
                mood=None if mood >= NO_MOOD else round(mood, 4),
                age_seconds=(now - ticket.created_at).total_seconds(),
            )
        )
    return found
