"""Desk metrics for any period: satisfaction, NPS, ticket flow, response times, SLA, sentiment.

Counts and sums are aggregated in the database (GROUP BY through the ORM). Medians and
percentiles need the individual values, so only narrow columns come back, into pandas.

Results are identical on SQLite and PostgreSQL:

- local days are numbered in SQL by a CASE over the UTC instants of the zone's midnights,
  written as literals both stores compare correctly (see `_sql_instant`);
- timestamps that feed durations are read raw (text on SQLite, timestamptz on PostgreSQL)
  and parsed by pandas to the microsecond, not subtracted in SQL, where SQLite's julianday
  keeps only milliseconds;
- ratios are computed in Python from integer counts; mean sentiment is rounded to 4 places.

A period is half-open, [start, end). A duration statistic covers the tickets *created* in the
period, so a period's numbers do not move as older tickets get answered or resolved later,
and a slow ticket counts against the period that received it.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from tortoise.expressions import RawSQL
from tortoise.functions import Count, Sum

from crm import clock
from crm.errors import InvalidInput
from crm.i18n import DEFAULT_LANGUAGE, t
from crm.models import (
    OPEN_STATUSES,
    Direction,
    Message,
    NpsResponse,
    Priority,
    Rating,
    SlaBreach,
    SlaKind,
    StaffMember,
    Ticket,
    TicketKind,
)
from crm.sentiment import SentimentLabel

__all__ = [
    "AgentStats",
    "AttentionTicket",
    "DailySeries",
    "DayMood",
    "NegativeTicket",
    "Nps",
    "Period",
    "Reopens",
    "Report",
    "ResponseTimes",
    "Satisfaction",
    "SentimentStats",
    "Spread",
    "Summary",
    "SummaryLine",
    "TicketFlow",
    "Unit",
    "agent_stats",
    "build_report",
    "build_summary",
    "daily_series",
    "format_duration",
    "most_negative_open_tickets",
    "nps",
    "render_report",
    "render_summary",
    "reopens",
    "response_times",
    "satisfaction",
    "sentiment_stats",
    "sla_breach_counts",
    "ticket_flow",
]

SCORES = (1, 2, 3, 4, 5)
SATISFIED_MIN = 4  # CSAT counts 4 and 5 as satisfied
PROMOTER_MIN, DETRACTOR_MAX = 9, 6  # NPS: 9-10 promote, 0-6 detract
BASELINE_DAYS = 7  # the summary compares a day with the 7 days before it
ATTENTION_LIMIT = 3
AGENT_LINES = 25  # the report stays well inside Telegram's 4096 characters
# Rating tickets are answers to us, not requests: the desk resolves most of them itself at
# intake, which would pull resolution times towards zero.
_TIMED_KINDS = [kind for kind in TicketKind if kind is not TicketKind.RATING]
_OPEN = list(OPEN_STATUSES)
_NO_MOOD = 2.0  # sorts after every sentiment score, which lie in [-1, 1]


# --- periods and local days ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open span of time [start, end), held in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidInput(f"Period.{name} must be an aware datetime")
            object.__setattr__(self, name, value.astimezone(UTC))
        if self.end < self.start:
            raise InvalidInput("a period cannot end before it starts")

    @classmethod
    def last_days(cls, days: int, *, now: datetime, zone: ZoneInfo) -> Period:
        """Return the last `days` local days up to now: today so far and the whole days before.

        `last_days(1)` is today since local midnight; `last_days(30)` starts at local
        midnight 29 days ago. A manager asking for 30 days at 10:00 sees this morning too.
        """
        if days < 1:
            raise InvalidInput("a period needs at least one day")
        today = now.astimezone(zone).date()
        return cls(start=_local_midnight(today - timedelta(days=days - 1), zone), end=now)

    @classmethod
    def local_day(cls, day: date, *, zone: ZoneInfo) -> Period:
        """Return one whole local day (23 or 25 hours long on DST changes)."""
        return cls(
            start=_local_midnight(day, zone), end=_local_midnight(day + timedelta(days=1), zone)
        )

    def local_days(self, zone: ZoneInfo) -> list[date]:
        """Return every local date the period touches, in order."""
        if self.end <= self.start:
            return []
        first = self.start.astimezone(zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _within(field: str, period: Period) -> dict[str, datetime]:
    return {f"{field}__gte": period.start, f"{field}__lt": period.end}


def _sql_instant(at: datetime) -> str:
    # SQLite holds tortoise datetimes as this very text ("2026-03-02 16:00:00+00:00") and
    # compares strings, which order like the instants; PostgreSQL reads it as a timestamptz.
    return "'" + at.astimezone(UTC).isoformat(sep=" ") + "'"


def _day_bucket(column: str, days: Sequence[date], zone: ZoneInfo) -> RawSQL:
    """Number the local day (0 = days[0]) a timestamp falls on; rows must lie within days."""
    # A CASE of literals, not bound parameters: PostgreSQL only groups by an expression it
    # can see is the same in SELECT and GROUP BY, and two parameter lists are not.
    if len(days) <= 1:
        return RawSQL("0")
    whens = " ".join(
        f"WHEN {column} < {_sql_instant(_local_midnight(day, zone))} THEN {index}"
        for index, day in enumerate(days[1:])
    )
    return RawSQL(f"CASE {whens} ELSE {len(days) - 1} END")


def _raw(table: str, column: str) -> RawSQL:
    # The driver's value as is (text on SQLite): pandas parses a column of them in one go,
    # where the ORM would convert value by value.
    return RawSQL(f'"{table}"."{column}"')


def _to_instants(values: pd.Series) -> pd.Series:
    """Parse raw timestamps (text or datetimes; None: not yet) to UTC, to the microsecond."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


_BREACHED = RawSQL(
    'CASE WHEN EXISTS (SELECT 1 FROM "sla_breach" "b" WHERE "b"."ticket_id" = "ticket"."id") '
    "THEN 1 ELSE 0 END"
)
_MOOD = RawSQL(
    'COALESCE((SELECT AVG("m"."sentiment_score") FROM "message" "m" '
    'WHERE "m"."ticket_id" = "ticket"."id" '
    f'AND "m"."direction" = \'{Direction.INBOUND.value}\' '
    f'AND "m"."sentiment_score" IS NOT NULL), {_NO_MOOD})'
)


# --- satisfaction and NPS ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Ratings of the period: how many, their mean, CSAT and the 1-5 distribution."""

    count: int
    average: float | None
    csat_pct: float | None  # share of 4-5 ratings, 0-100
    distribution: dict[int, int]  # every score 1-5, zeros included

    @classmethod
    def from_counts(cls, counts: Mapping[int, int]) -> Satisfaction:
        """Summarise ratings given as {score: how many}."""
        distribution = {score: int(counts.get(score, 0)) for score in SCORES}
        count = sum(distribution.values())
        total = sum(score * n for score, n in distribution.items())
        satisfied = sum(n for score, n in distribution.items() if score >= SATISFIED_MIN)
        return cls(
            count=count,
            average=total / count if count else None,
            csat_pct=_pct(satisfied, count),
            distribution=distribution,
        )


@dataclass(frozen=True, slots=True)
class Nps:
    """Net promoter score of the answers given in a period."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    score: float | None  # % promoters - % detractors, one decimal; None without answers

    @classmethod
    def from_counts(cls, counts: Mapping[int, int]) -> Nps:
        """Summarise answers given as {score 0-10: how many}."""
        promoters = sum(n for score, n in counts.items() if score >= PROMOTER_MIN)
        detractors = sum(n for score, n in counts.items() if score <= DETRACTOR_MAX)
        responses = sum(counts.values())
        score = round(100.0 * (promoters - detractors) / responses, 1) if responses else None
        return cls(
            responses=responses,
            promoters=promoters,
            passives=responses - promoters - detractors,
            detractors=detractors,
            score=score,
        )


async def _rating_counts(period: Period) -> dict[int | None, Counter[int]]:
    """Return {agent id or None: {score: ratings}} for ratings given in the period."""
    rows = (
        await Rating.filter(**_within("created_at", period))
        .annotate(n=Count("id"))
        .group_by("agent_id", "score")
        .values("agent_id", "score", "n")
    )
    counts: dict[int | None, Counter[int]] = defaultdict(Counter)
    for row in rows:
        counts[row["agent_id"]][row["score"]] += row["n"]
    return counts


def _all_ratings(counts: Mapping[int | None, Counter[int]]) -> Counter[int]:
    return sum(counts.values(), Counter())


async def satisfaction(*, period: Period, agent_id: int | None = None) -> Satisfaction:
    """Return CSAT, mean and distribution of the ratings given in the period."""
    query = Rating.filter(**_within("created_at", period))
    if agent_id is not None:
        query = query.filter(agent_id=agent_id)
    rows = await query.annotate(n=Count("id")).group_by("score").values("score", "n")
    return Satisfaction.from_counts({row["score"]: row["n"] for row in rows})


async def nps(*, period: Period) -> Nps:
    """Return the NPS of the answers given in the period."""
    rows = (
        await NpsResponse.filter(score__isnull=False, **_within("answered_at", period))
        .annotate(n=Count("id"))
        .group_by("score")
        .values("score", "n")
    )
    return Nps.from_counts({row["score"]: row["n"] for row in rows})


# --- ticket flow and durations -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    """How long something took across tickets, in seconds (p90 interpolated linearly)."""

    count: int
    median: float | None
    p90: float | None
    longest: float | None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Spread:
        """Summarise durations; NaN entries (not happened yet) are left out."""
        values = pd.Series(list(seconds), dtype="float64").dropna()
        if values.empty:
            return cls(count=0, median=None, p90=None, longest=None)
        median, p90 = values.quantile([0.5, 0.9]).tolist()
        return cls(count=len(values), median=median, p90=p90, longest=float(values.max()))


@dataclass(frozen=True, slots=True)
class TicketFlow:
    """Tickets in and out of a period, and the backlog as it stands now."""

    opened: dict[TicketKind, int]  # every kind, zeros included
    resolved: dict[TicketKind, int]
    open_now: dict[TicketKind, int]  # the whole backlog, whenever opened
    opened_by_topic: dict[str, int]  # most first
    resolved_by_topic: dict[str, int]
    open_by_topic: dict[str, int]
    complaints_by_topic: dict[str, int]  # complaints opened in the period
    feedback_by_topic: dict[str, int]
    opened_still_open: int  # of the tickets opened in the period, still open now
    backlog_age: Spread  # age of every open ticket now

    @property
    def total_opened(self) -> int:
        """Return all tickets opened in the period."""
        return sum(self.opened.values())

    @property
    def total_resolved(self) -> int:
        """Return all tickets resolved in the period."""
        return sum(self.resolved.values())

    @property
    def total_open(self) -> int:
        """Return the size of the backlog now."""
        return sum(self.open_now.values())


async def _backlog_ages() -> pd.Series:
    """Return the age in seconds of every open ticket now."""
    rows = await (
        Ticket.filter(status__in=_OPEN).annotate(c=_raw("ticket", "created_at")).values("c")
    )
    created = _to_instants(pd.Series([row["c"] for row in rows], dtype=object))
    return (pd.Timestamp(clock.utcnow()) - created).dt.total_seconds()


def _by_kind(counts: Mapping[TicketKind, int]) -> dict[TicketKind, int]:
    return {kind: int(counts.get(kind, 0)) for kind in TicketKind}


def _by_topic(counts: Mapping[str, int]) -> dict[str, int]:
    ordered = sorted(((t, n) for t, n in counts.items() if n), key=lambda tn: (-tn[1], tn[0]))
    return dict(ordered)


async def ticket_flow(*, period: Period) -> TicketFlow:
    """Return tickets opened and resolved in the period by kind and topic, and the backlog."""
    opened_rows = (
        await Ticket.filter(**_within("created_at", period))
        .annotate(n=Count("id"))
        .group_by("kind", "topic", "status")
        .values("kind", "topic", "status", "n")
    )
    resolved_rows = (
        await Ticket.filter(**_within("resolved_at", period))
        .annotate(n=Count("id"))
        .group_by("kind", "topic")
        .values("kind", "topic", "n")
    )
    open_rows = (
        await Ticket.filter(status__in=_OPEN)
        .annotate(n=Count("id"))
        .group_by("kind", "topic")
        .values("kind", "topic", "n")
    )
    ages = await _backlog_ages()

    opened: Counter[TicketKind] = Counter()
    opened_topic: Counter[str] = Counter()
    complaints: Counter[str] = Counter()
    feedback: Counter[str] = Counter()
    still_open = 0
    for row in opened_rows:
        opened[row["kind"]] += row["n"]
        opened_topic[row["topic"]] += row["n"]
        if row["kind"] is TicketKind.COMPLAINT:
            complaints[row["topic"]] += row["n"]
        elif row["kind"] is TicketKind.FEEDBACK:
            feedback[row["topic"]] += row["n"]
        if row["status"] in OPEN_STATUSES:
            still_open += row["n"]
    resolved: Counter[TicketKind] = Counter()
    resolved_topic: Counter[str] = Counter()
    for row in resolved_rows:
        resolved[row["kind"]] += row["n"]
        resolved_topic[row["topic"]] += row["n"]
    open_now: Counter[TicketKind] = Counter()
    open_topic: Counter[str] = Counter()
    for row in open_rows:
        open_now[row["kind"]] += row["n"]
        open_topic[row["topic"]] += row["n"]
    return TicketFlow(
        opened=_by_kind(opened),
        resolved=_by_kind(resolved),
        open_now=_by_kind(open_now),
        opened_by_topic=_by_topic(opened_topic),
        resolved_by_topic=_by_topic(resolved_topic),
        open_by_topic=_by_topic(open_topic),
        complaints_by_topic=_by_topic(complaints),
        feedback_by_topic=_by_topic(feedback),
        opened_still_open=still_open,
        backlog_age=Spread.of(ages),
    )


@dataclass(frozen=True, slots=True)
class Reopens:
    """Of the tickets created in the period and resolved since, how many came back."""

    resolved: int  # resolved at least once (reopened ones included)
    reopened: int  # reopened at least once, by the customer writing again or by staff

    @property
    def reopen_pct(self) -> float | None:
        """Return the reopen rate, 0-100 (None without resolved tickets)."""
        return _pct(self.reopened, self.resolved)


async def reopens(*, period: Period) -> Reopens:
    """Return the reopen rate of the tickets created in the period (ratings left out)."""
    base = Ticket.filter(kind__in=_TIMED_KINDS, **_within("created_at", period))
    # A reopened ticket that is open again has no resolved_at, yet it was resolved once.
    reopened = await base.filter(reopened_count__gt=0).count()
    resolved_now = await base.filter(reopened_count=0, resolved_at__isnull=False).count()
    return Reopens(resolved=resolved_now + reopened, reopened=reopened)


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """First-response and resolution times of the tickets created in a period."""

    tickets: int  # created in the period, rating tickets left out
    first_response: Spread  # created_at -> first_response_at, of those answered so far
    resolution: Spread  # created_at -> resolved_at, of those resolved so far

    @classmethod
    def of(cls, created: pd.DataFrame) -> ResponseTimes:
        """Summarise a frame from `_created_tickets`."""
        return cls(
            tickets=len(created),
            first_response=Spread.of(created["first_response"]),
            resolution=Spread.of(created["resolution"]),
        )


async def _created_tickets(period: Period, *, agent_id: int | None = None) -> pd.DataFrame:
    """Return assignee and response/resolution seconds of the tickets created in the period."""
    query = Ticket.filter(kind__in=_TIMED_KINDS, **_within("created_at", period))
    if agent_id is not None:
        query = query.filter(assignee_id=agent_id)
    rows = await query.annotate(
        agent=_raw("ticket", "assignee_id"),
        created=_raw("ticket", "created_at"),
        answered=_raw("ticket", "first_response_at"),
        resolved=_raw("ticket", "resolved_at"),
    ).values("agent", "created", "answered", "resolved")
    raw = pd.DataFrame.from_records(rows, columns=["agent", "created", "answered", "resolved"])
    created = _to_instants(raw["created"])
    return pd.DataFrame(
        {
            "agent": pd.array(raw["agent"], dtype="Int64"),
            "first_response": (_to_instants(raw["answered"]) - created).dt.total_seconds(),
            "resolution": (_to_instants(raw["resolved"]) - created).dt.total_seconds(),
        }
    )


async def response_times(*, period: Period, agent_id: int | None = None) -> ResponseTimes:
    """Return median and p90 first-response and resolution times of the period's tickets."""
    return ResponseTimes.of(await _created_tickets(period, agent_id=agent_id))


async def sla_breach_counts(*, period: Period) -> dict[SlaKind, int]:
    """Return the SLA breaches detected in the period, per target."""
    rows = (
        await SlaBreach.filter(**_within("detected_at", period))
        .annotate(n=Count("id"))
        .group_by("kind")
        .values("kind", "n")
    )
    counts = {row["kind"]: row["n"] for row in rows}
    return {kind: int(counts.get(kind, 0)) for kind in SlaKind}


# --- sentiment ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayMood:
    """Scored customer messages of one local day."""

    day: date
    scored: int
    negative_pct: float | None
    mean_score: float | None


@dataclass(frozen=True, slots=True)
class SentimentStats:
    """Sentiment of the customers' scored messages in a period, overall and per local day."""

    scored: int
    negative: int
    negative_pct: float | None
    mean_score: float | None
    by_day: list[DayMood]  # every local day of the period, quiet days included


@dataclass(frozen=True, slots=True)
class NegativeTicket:
    """An open ticket whose customer sounds unhappy."""

    ticket_id: int
    customer_name: str
    subject: str
    mean_score: float
    scored_messages: int


def _mean(total: float | None, count: int) -> float | None:
    # Rounded: the two stores may add the same floats in a different order.
    return round(total / count, 4) if count and total is not None else None


def _scored(period: Period) -> Any:
    # Callers group by direction and keep the inbound rows rather than filter on direction:
    # a WHERE on direction lets SQLite prefer the (direction, sentiment_model) index to the
    # created_at one and read every inbound message ever stored. Only inbound messages are
    # scored anyway, so the grouping costs nothing.
    return Message.filter(sentiment_label__isnull=False, **_within("created_at", period))


async def sentiment_stats(*, period: Period, zone: ZoneInfo) -> SentimentStats:
    """Return how negative the customers' messages were in the period, overall and by day."""
    days = period.local_days(zone)
    rows = (
        await _scored(period)
        .annotate(
            bucket=_day_bucket('"message"."created_at"', days, zone),
            n=Count("id"),
            scores=Count("sentiment_score"),
            total=Sum("sentiment_score"),
        )
        .group_by("bucket", "direction", "sentiment_label")
        .values("bucket", "direction", "sentiment_label", "n", "scores", "total")
    )
    per_day = [[0, 0, 0, 0.0] for _ in days]  # scored, negative, with a score, score sum
    for row in rows:
        if row["direction"] is not Direction.INBOUND:
            continue
        cell = per_day[int(row["bucket"])]
        cell[0] += row["n"]
        if row["sentiment_label"] is SentimentLabel.NEGATIVE:
            cell[1] += row["n"]
        cell[2] += row["scores"]
        cell[3] += float(row["total"] or 0.0)
    by_day = [
        DayMood(day=day, scored=n, negative_pct=_pct(neg, n), mean_score=_mean(total, scores))
        for day, (n, neg, scores, total) in zip(days, per_day, strict=True)
    ]
    scored = sum(cell[0] for cell in per_day)
    negative = sum(cell[1] for cell in per_day)
    with_score = sum(cell[2] for cell in per_day)
    return SentimentStats(
        scored=scored,
        negative=negative,
        negative_pct=_pct(negative, scored),
        mean_score=_mean(sum(cell[3] for cell in per_day), with_score),
        by_day=by_day,
    )


async def most_negative_open_tickets(*, limit: int = 3) -> list[NegativeTicket]:
    """Return the open tickets whose customer messages score lowest on average."""
    # From the open tickets to their messages, not the other way round: the backlog is small
    # next to the message table, and each ticket's messages sit together in an index.
    rows = (
        await Ticket.filter(status__in=_OPEN)
        .annotate(mood=_MOOD)
        .order_by("mood", "id")
        .limit(limit)
        .values("id", "mood")
    )
    rows = [row for row in rows if row["mood"] < _NO_MOOD]  # unscored tickets sort last
    ids = [row["id"] for row in rows]
    counted = (
        await Message.filter(
            ticket_id__in=ids, direction=Direction.INBOUND, sentiment_score__isnull=False
        )
        .annotate(n=Count("id"))
        .group_by("ticket_id")
        .values("ticket_id", "n")
    )
    scored = {row["ticket_id"]: row["n"] for row in counted}
    tickets = await _tickets_with_customers(ids)
    rows = [row for row in rows if row["id"] in tickets and row["id"] in scored]
    return [
        NegativeTicket(
            ticket_id=row["id"],
            customer_name=tickets[row["id"]].customer.display_name,
            subject=tickets[row["id"]].subject,
            mean_score=round(float(row["mood"]), 4),
            scored_messages=scored[row["id"]],
        )
        for row in rows
    ]


async def _tickets_with_customers(ids: list[int]) -> dict[int, Ticket]:
    if not ids:
        return {}
    return {t.id: t for t in await Ticket.filter(id__in=ids).select_related("customer")}


# --- series for a chart ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DailySeries:
    """Per local day: tickets opened by kind, ratings and CSAT."""

    days: list[date]
    opened: dict[TicketKind, list[int]]  # every kind, one count per day
    ratings: list[int]
    csat_pct: list[float | None]  # None on days without ratings


async def daily_series(*, days: int, now: datetime, zone: ZoneInfo) -> DailySeries:
    """Return tickets opened by kind and CSAT for each of the last `days` local days."""
    period = Period.last_days(days, now=now, zone=zone)
    dates = period.local_days(zone)
    ticket_rows = (
        await Ticket.filter(**_within("created_at", period))
        .annotate(bucket=_day_bucket('"ticket"."created_at"', dates, zone), n=Count("id"))
        .group_by("bucket", "kind")
        .values("bucket", "kind", "n")
    )
    rating_rows = (
        await Rating.filter(**_within("created_at", period))
        .annotate(bucket=_day_bucket('"rating"."created_at"', dates, zone), n=Count("id"))
        .group_by("bucket", "score")
        .values("bucket", "score", "n")
    )
    opened = {kind: [0] * len(dates) for kind in TicketKind}
    for row in ticket_rows:
        opened[row["kind"]][int(row["bucket"])] += row["n"]
    scores: list[Counter[int]] = [Counter() for _ in dates]
    for row in rating_rows:
        scores[int(row["bucket"])][row["score"]] += row["n"]
    per_day = [Satisfaction.from_counts(counts) for counts in scores]
    return DailySeries(
        days=dates,
        opened=opened,
        ratings=[s.count for s in per_day],
        csat_pct=[s.csat_pct for s in per_day],
    )


# --- agents ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentStats:
    """One staff member's period."""

    staff_id: int
    name: str
    handled: int  # tickets resolved in the period with them as assignee
    first_response_median: float | None  # seconds, their tickets created in the period
    csat_pct: float | None
    ratings: int


async def agent_stats(*, period: Period) -> list[AgentStats]:
    """Return every active staff member's tickets handled, first response and CSAT."""
    return await _agent_stats(
        period, created=await _created_tickets(period), ratings=await _rating_counts(period)
    )


async def _agent_stats(
    period: Period, *, created: pd.DataFrame, ratings: Mapping[int | None, Counter[int]]
) -> list[AgentStats]:
    staff = await StaffMember.filter(active=True).order_by("id")
    handled_rows = (
        await Ticket.filter(assignee_id__isnull=False, **_within("resolved_at", period))
        .annotate(n=Count("id"))
        .group_by("assignee_id")
        .values("assignee_id", "n")
    )
    handled = {row["assignee_id"]: row["n"] for row in handled_rows}
    medians = (
        created.dropna(subset=["agent", "first_response"])
        .groupby("agent")["first_response"]
        .median()
    )
    stats = []
    for member in staff:
        rated = Satisfaction.from_counts(ratings.get(member.id, Counter()))
        median = medians.get(member.id)
        stats.append(
            AgentStats(
                staff_id=member.id,
                name=member.label,
                handled=int(handled.get(member.id, 0)),
                first_response_median=None if median is None else float(median),
                csat_pct=rated.csat_pct,
                ratings=rated.count,
            )
        )
    stats.sort(key=lambda s: (-s.handled, s.name.casefold(), s.staff_id))
    return stats


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """Every metric of one period, for the manager's /report."""

    period: Period
    zone: ZoneInfo
    satisfaction: Satisfaction
    nps: Nps
    flow: TicketFlow
    reopens: Reopens
    response_times: ResponseTimes
    sla_breaches: dict[SlaKind, int]
    sentiment: SentimentStats
    most_negative: list[NegativeTicket]
    agents: list[AgentStats]


async def build_report(*, period: Period, zone: ZoneInfo) -> Report:
    """Compute every metric of the period."""
    ratings = await _rating_counts(period)
    created = await _created_tickets(period)
    return Report(
        period=period,
        zone=zone,
        satisfaction=Satisfaction.from_counts(_all_ratings(ratings)),
        nps=await nps(period=period),
        flow=await ticket_flow(period=period),
        reopens=await reopens(period=period),
        response_times=ResponseTimes.of(created),
        sla_breaches=await sla_breach_counts(period=period),
        sentiment=await sentiment_stats(period=period, zone=zone),
        most_negative=await most_negative_open_tickets(),
        agents=await _agent_stats(period, created=created, ratings=ratings),
    )


# --- the daily summary -------------------------------------------------------------------------


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
        await Ticket.filter(**_within("created_at", period))
        .annotate(n=Count("id"))
        .group_by("kind")
        .values("kind", "n")
    )
    opened = {row["kind"]: row["n"] for row in kinds}
    labels = (
        await _scored(period)
        .annotate(n=Count("id"))
        .group_by("direction", "sentiment_label")
        .values("direction", "sentiment_label", "n")
    )
    moods = {
        row["sentiment_label"]: row["n"] for row in labels if row["direction"] is Direction.INBOUND
    }
    created = await _created_tickets(period)
    return _Headline(
        opened=sum(opened.values()),
        resolved=await Ticket.filter(**_within("resolved_at", period)).count(),
        complaints=opened.get(TicketKind.COMPLAINT, 0),
        csat=(await satisfaction(period=period)).csat_pct,
        first_response=Spread.of(created["first_response"]).median,
        negative=_pct(moods.get(SentimentLabel.NEGATIVE, 0), sum(moods.values())),
        sla_breaches=await SlaBreach.filter(**_within("detected_at", period)).count(),
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
        await Ticket.filter(status__in=_OPEN)
        .annotate(breached=_BREACHED, mood=_MOOD)
        .order_by("-breached", "-priority", "mood", "created_at", "id")
        .limit(limit)
        .values("id", "mood")
    )
    ids = [row["id"] for row in rows]
    tickets = await _tickets_with_customers(ids)
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
                mood=None if mood >= _NO_MOOD else round(mood, 4),
                age_seconds=(now - ticket.created_at).total_seconds(),
            )
        )
    return found


# --- HTML for Telegram -------------------------------------------------------------------------


def format_duration(seconds: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a duration the way a person says it: 45 s, 12 min, 5.2 h, 3.1 d."""
    if seconds is None:
        return t("staff.unit.na", lang)
    if abs(seconds) < 90:
        return t("staff.unit.s", lang, n=f"{seconds:.0f}")
    if abs(seconds) < 90 * 60:
        return t("staff.unit.min", lang, n=f"{seconds / 60:.0f}")
    if abs(seconds) < 48 * 3600:
        return t("staff.unit.h", lang, n=f"{seconds / 3600:.1f}")
    return t("staff.unit.d", lang, n=f"{seconds / 86400:.1f}")


def _e(text: object) -> str:
    return html.escape(str(text), quote=False)


def _percent(value: float | None, lang: str) -> str:
    return t("staff.unit.na", lang) if value is None else f"{value:.1f}%"


def _counts(counts: Mapping[Any, int], lang: str, *, limit: int = 6) -> str:
    shown = [(key, n) for key, n in counts.items() if n]
    if not shown:
        return t("staff.report.none", lang)
    text = ", ".join(f"{_e(_name(key, lang))} {n:,}" for key, n in shown[:limit])
    rest = sum(n for _, n in shown[limit:])
    return text + (t("staff.report.others", lang, count=f"{rest:,}") if rest else "")


def _name(key: object, lang: str) -> object:
    """Return a ticket kind in the reader's language; other keys (topics) as they are."""
    return t(f"staff.kind.{key.value}", lang) if isinstance(key, TicketKind) else key


def _span(period: Period, zone: ZoneInfo) -> str:
    start = period.start.astimezone(zone)
    end = period.end.astimezone(zone)
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({_e(zone.key)})"


def render_report(report: Report, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the report as Telegram HTML in a staff language: short lines, user text escaped."""
    sat, score, flow, times = report.satisfaction, report.nps, report.flow, report.response_times
    mood = report.sentiment

    def say(key: str, **values: object) -> str:
        return t(f"staff.report.{key}", lang, **values)

    def duration(seconds: float | None) -> str:
        return format_duration(seconds, lang)

    na = t("staff.unit.na", lang)
    lines = [say("heading", span=_span(report.period, report.zone)), ""]
    lines.append(say("satisfaction"))
    average = na if sat.average is None else f"{sat.average:.2f}"
    lines.append(
        say("csat", csat=_percent(sat.csat_pct, lang), average=average, count=f"{sat.count:,}")
    )
    lines.append(" · ".join(f"{s}★ {n:,}" for s, n in sat.distribution.items()))
    if score.score is None:
        lines.append(say("nps_none"))
    else:
        lines.append(
            say(
                "nps",
                score=f"{score.score:+.1f}",
                promoters=f"{score.promoters:,}",
                passives=f"{score.passives:,}",
                detractors=f"{score.detractors:,}",
            )
        )
    lines += ["", say("tickets")]
    lines.append(say("opened", total=f"{flow.total_opened:,}", counts=_counts(flow.opened, lang)))
    lines.append(
        say("resolved", total=f"{flow.total_resolved:,}", counts=_counts(flow.resolved, lang))
    )
    lines.append(say("open_now", total=f"{flow.total_open:,}", counts=_counts(flow.open_now, lang)))
    back = report.reopens
    lines.append(
        say(
            "reopened",
            pct=_percent(back.reopen_pct, lang),
            reopened=f"{back.reopened:,}",
            resolved=f"{back.resolved:,}",
        )
    )
    age = flow.backlog_age
    if age.count:
        lines.append(
            say(
                "backlog",
                median=duration(age.median),
                p90=duration(age.p90),
                oldest=duration(age.longest),
            )
        )
    lines.append(say("topics", counts=_counts(flow.opened_by_topic, lang)))
    lines.append(say("complaints", counts=_counts(flow.complaints_by_topic, lang)))
    lines.append(say("feedback", counts=_counts(flow.feedback_by_topic, lang)))
    lines += ["", say("response_times")]
    for name, spread in (
        ("first_response", times.first_response),
        ("resolution", times.resolution),
    ):
        lines.append(
            say(
                "spread",
                name=say(name),
                median=duration(spread.median),
                p90=duration(spread.p90),
                count=f"{spread.count:,}",
            )
        )
    breaches = ", ".join(
        f"{say(f'sla.{kind.value}')} {n:,}" for kind, n in report.sla_breaches.items()
    )
    lines.append(say("sla", breaches=breaches))
    lines += ["", say("sentiment")]
    mean = na if mood.mean_score is None else f"{mood.mean_score:+.2f}"
    lines.append(
        say(
            "mood",
            scored=f"{mood.scored:,}",
            negative=_percent(mood.negative_pct, lang),
            mean=mean,
        )
    )
    if report.most_negative:
        lines.append(say("most_negative"))
        for ticket in report.most_negative:
            lines.append(
                say(
                    "negative_ticket",
                    ticket_id=ticket.ticket_id,
                    name=_e(ticket.customer_name),
                    subject=_e(ticket.subject),
                    mean=f"{ticket.mean_score:+.2f}",
                    messages=_messages(ticket.scored_messages, lang),
                )
            )
    lines += ["", say("agents")]
    if not report.agents:
        lines.append(say("no_staff"))
    for a in report.agents[:AGENT_LINES]:
        lines.append(
            say(
                "agent",
                name=_e(a.name),
                handled=f"{a.handled:,}",
                first=duration(a.first_response_median),
                csat=_percent(a.csat_pct, lang),
                ratings=f"{a.ratings:,}",
            )
        )
    if len(report.agents) > AGENT_LINES:
        lines.append(say("more", count=len(report.agents) - AGENT_LINES))
    return "\n".join(lines)


def _messages(n: int, lang: str) -> str:
    key = "staff.report.message" if n == 1 else "staff.report.messages"
    return t(key, lang, count=f"{n:,}")


def _value(value: float | None, unit: Unit, lang: str, *, average: bool = False) -> str:
    if value is None:
        return t("staff.unit.na", lang)
    if unit is Unit.PERCENT:
        return f"{value:.1f}%"
    if unit is Unit.SECONDS:
        return format_duration(value, lang)
    return f"{value:,.1f}" if average else f"{value:,.0f}"


def render_summary(summary: Summary, *, title: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the daily summary as Telegram HTML, each number with its trend arrow."""
    weekday = t(f"staff.weekday.{summary.day.weekday()}", lang)
    lines = [
        f"<b>{_e(title)}</b>",
        t(
            "staff.summary.against",
            lang,
            day=f"{weekday} {summary.day:%Y-%m-%d}",
            zone=_e(summary.zone.key),
            days=BASELINE_DAYS,
        ),
        "",
    ]
    for line in summary.lines:
        lines.append(
            t(
                "staff.summary.line",
                lang,
                label=t(f"staff.summary.{line.key}", lang),
                value=_value(line.value, line.unit, lang),
                trend=line.trend,
                average=_value(line.average, line.unit, lang, average=True),
            )
        )
    lines += ["", t("staff.summary.attention", lang)]
    if not summary.attention:
        lines.append(t("staff.summary.nothing_open", lang))
    for ticket in summary.attention:
        subject = f": {_e(ticket.subject)}" if ticket.subject else ""
        lines.append(f"#{ticket.ticket_id} {_e(ticket.customer_name)}{subject}")
        lines.append(f"   {_e(ticket.reason_in(lang))}")
    return "\n".join(lines)
