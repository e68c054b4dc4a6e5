"""Per local day series for the managers' chart: tickets opened by kind, ratings and CSAT."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.functions import Count

from crm.insight.periods import Period
from crm.insight.queries import day_bucket, within
from crm.insight.satisfaction import Satisfaction
from crm.models import Rating, Ticket, TicketKind

__all__ = ["DailySeries", "daily_series"]


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
        await Ticket.filter(**within("created_at", period))
        .annotate(bucket=day_bucket('"ticket"."created_at"', dates, zone), n=Count("id"))
        .group_by("bucket", "kind")
        .values("bucket", "kind", "n")
    )
    rating_rows = (
        await Rating.filter(**within("created_at", period))
        .annotate(bucket=day_bucket('"rating"."created_at"', dates, zone), n=Count("id"))
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
