"""How long tickets take: first response and resolution, SLA breaches, and durations in words.

A duration statistic covers the tickets *created* in the period, so a period's numbers do not
move as older tickets get answered or resolved later, and a slow ticket counts against the
period that received it. Rating tickets are left out (see `TIMED_KINDS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from tortoise.functions import Count

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.periods import Period
from crm.insight.queries import TIMED_KINDS, raw, to_instants, within
from crm.models import SlaBreach, SlaKind, Ticket

__all__ = [
    "ResponseTimes",
    "Spread",
    "created_tickets",
    "format_duration",
    "response_times",
    "sla_breach_counts",
]


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
class ResponseTimes:
    """First-response and resolution times of the tickets created in a period."""

    tickets: int  # created in the period, rating tickets left out
    first_response: Spread  # created_at -> first_response_at, of those answered so far
    resolution: Spread  # created_at -> resolved_at, of those resolved so far

    @classmethod
    def of(cls, created: pd.DataFrame) -> ResponseTimes:
        """Summarise a frame from `created_tickets`."""
        return cls(
            tickets=len(created),
            first_response=Spread.of(created["first_response"]),
            resolution=Spread.of(created["resolution"]),
        )


async def created_tickets(period: Period, *, agent_id: int | None = None) -> pd.DataFrame:
    """Return assignee and response/resolution seconds of the tickets created in the period."""
    query = Ticket.filter(kind__in=TIMED_KINDS, **within("created_at", period))
    if agent_id is not None:
        query = query.filter(assignee_id=agent_id)
    rows = await query.annotate(
        agent=raw("ticket", "assignee_id"),
        created=raw("ticket", "created_at"),
        answered=raw("ticket", "first_response_at"),
        resolved=raw("ticket", "resolved_at"),
    ).values("agent", "created", "answered", "resolved")
    frame = pd.DataFrame.from_records(rows, columns=["agent", "created", "answered", "resolved"])
    created = to_instants(frame["created"])
    return pd.DataFrame(
        {
            "agent": pd.array(frame["agent"], dtype="Int64"),
            "first_response": (to_instants(frame["answered"]) - created).dt.total_seconds(),
            "resolution": (to_instants(frame["resolved"]) - created).dt.total_seconds(),
        }
    )


async def response_times(*, period: Period, agent_id: int | None = None) -> ResponseTimes:
    """Return median and p90 first-response and resolution times of the period's tickets."""
    return ResponseTimes.of(await created_tickets(period, agent_id=agent_id))


async def sla_breach_counts(*, period: Period) -> dict[SlaKind, int]:
    """Return the SLA breaches detected in the period, per target."""
    rows = (
        await SlaBreach.filter(**within("detected_at", period))
        .annotate(n=Count("id"))
        .group_by("kind")
        .values("kind", "n")
    )
    counts = {row["kind"]: row["n"] for row in rows}
    return {kind: int(counts.get(kind, 0)) for kind in SlaKind}


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
