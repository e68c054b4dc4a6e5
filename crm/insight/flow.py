"""Tickets in and out of a period by kind and topic, the backlog now, and how many came back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from tortoise.functions import Count

from crm import clock
from crm.insight.periods import Period
from crm.insight.queries import OPEN, TIMED_KINDS, pct, raw, to_instants, within
from crm.insight.times import Spread
from crm.models import OPEN_STATUSES, Ticket, TicketKind

__all__ = ["Reopens", "TicketFlow", "reopens", "ticket_flow"]


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
    rows = await Ticket.filter(status__in=OPEN).annotate(c=raw("ticket", "created_at")).values("c")
    created = to_instants(pd.Series([row["c"] for row in rows], dtype=object))
    return (pd.Timestamp(clock.utcnow()) - created).dt.total_seconds()


def _by_kind(counts: Mapping[TicketKind, int]) -> dict[TicketKind, int]:
    return {kind: int(counts.get(kind, 0)) for kind in TicketKind}


def _by_topic(counts: Mapping[str, int]) -> dict[str, int]:
    ordered = sorted(((t, n) for t, n in counts.items() if n), key=lambda tn: (-tn[1], tn[0]))
    return dict(ordered)


async def ticket_flow(*, period: Period) -> TicketFlow:
    """Return tickets opened and resolved in the period by kind and topic, and the backlog."""
    opened_rows = (
        await Ticket.filter(**within("created_at", period))
        .annotate(n=Count("id"))
        .group_by("kind", "topic", "status")
        .values("kind", "topic", "status", "n")
    )
    resolved_rows = (
        await Ticket.filter(**within("resolved_at", period))
        .annotate(n=Count("id"))
        .group_by("kind", "topic")
        .values("kind", "topic", "n")
    )
    open_rows = (
        await Ticket.filter(status__in=OPEN)
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
        return pct(self.reopened, self.resolved)


async def reopens(*, period: Period) -> Reopens:
    """Return the reopen rate of the tickets created in the period (ratings left out)."""
    base = Ticket.filter(kind__in=TIMED_KINDS, **within("created_at", period))
    # A reopened ticket that is open again has no resolved_at, yet it was resolved once.
    reopened = await base.filter(reopened_count__gt=0).count()
    resolved_now = await base.filter(reopened_count=0, resolved_at__isnull=False).count()
    return Reopens(resolved=resolved_now + reopened, reopened=reopened)
