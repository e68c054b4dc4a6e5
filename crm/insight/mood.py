"""How the customers sound: sentiment of their scored messages, and the unhappiest open tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Sum

from crm.insight.periods import Period
from crm.insight.queries import (
    MOOD,
    NO_MOOD,
    OPEN,
    day_bucket,
    pct,
    tickets_with_customers,
    within,
)
from crm.models import Direction, Message, Ticket
from crm.sentiment import SentimentLabel

__all__ = [
    "DayMood",
    "NegativeTicket",
    "SentimentStats",
    "most_negative_open_tickets",
    "scored_messages",
    "sentiment_stats",
]


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


def scored_messages(period: Period) -> Any:
    """Return the query of the messages of the period with a sentiment label."""
    # Callers group by direction and keep the inbound rows rather than filter on direction:
    # a WHERE on direction lets SQLite prefer the (direction, sentiment_model) index to the
    # created_at one and read every inbound message ever stored. Only inbound messages are
    # scored anyway, so the grouping costs nothing.
    return Message.filter(sentiment_label__isnull=False, **within("created_at", period))


async def sentiment_stats(*, period: Period, zone: ZoneInfo) -> SentimentStats:
    """Return how negative the customers' messages were in the period, overall and by day."""
    days = period.local_days(zone)
    rows = (
        await scored_messages(period)
        .annotate(
            bucket=day_bucket('"message"."created_at"', days, zone),
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
        DayMood(day=day, scored=n, negative_pct=pct(neg, n), mean_score=_mean(total, scores))
        for day, (n, neg, scores, total) in zip(days, per_day, strict=True)
    ]
    scored = sum(cell[0] for cell in per_day)
    negative = sum(cell[1] for cell in per_day)
    with_score = sum(cell[2] for cell in per_day)
    return SentimentStats(
        scored=scored,
        negative=negative,
        negative_pct=pct(negative, scored),
        mean_score=_mean(sum(cell[3] for cell in per_day), with_score),
        by_day=by_day,
    )


async def most_negative_open_tickets(*, limit: int = 3) -> list[NegativeTicket]:
    """Return the open tickets whose customer messages score lowest on average."""
    # From the open tickets to their messages, not the other way round: the backlog is small
    # next to the message table, and each ticket's messages sit together in an index.
    rows = (
        await Ticket.filter(status__in=OPEN)
        .annotate(mood=MOOD)
        .order_by("mood", "id")
        .limit(limit)
        .values("id", "mood")
    )
    rows = [row for row in rows if row["mood"] < NO_MOOD]  # unscored tickets sort last
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
    tickets = await tickets_with_customers(ids)
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
