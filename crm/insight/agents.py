"""Each staff member's period: tickets handled, median first response and CSAT."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from tortoise.functions import Count

from crm.insight.periods import Period
from crm.insight.queries import within
from crm.insight.satisfaction import Satisfaction, rating_counts
from crm.insight.times import created_tickets
from crm.models import StaffMember, Ticket

__all__ = ["AgentStats", "agent_stats", "agent_stats_from"]


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
    return await agent_stats_from(
        period, created=await created_tickets(period), ratings=await rating_counts(period)
    )


async def agent_stats_from(
    period: Period, *, created: pd.DataFrame, ratings: Mapping[int | None, Counter[int]]
) -> list[AgentStats]:
    """Return the agents' stats from the period's `created_tickets` and `rating_counts`."""
    staff = await StaffMember.filter(active=True).order_by("id")
    handled_rows = (
        await Ticket.filter(assignee_id__isnull=False, **within("resolved_at", period))
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
