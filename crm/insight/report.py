"""The manager's /report: every metric family of one period, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from crm.insight.agents import AgentStats, agent_stats_from
from crm.insight.flow import Reopens, TicketFlow, reopens, ticket_flow
from crm.insight.mood import (
    NegativeTicket,
    SentimentStats,
    most_negative_open_tickets,
    sentiment_stats,
)
from crm.insight.periods import Period
from crm.insight.satisfaction import Nps, Satisfaction, all_ratings, nps, rating_counts
from crm.insight.times import ResponseTimes, created_tickets, sla_breach_counts
from crm.models import SlaKind

__all__ = ["Report", "build_report"]


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
    ratings = await rating_counts(period)
    created = await created_tickets(period)
    return Report(
        period=period,
        zone=zone,
        satisfaction=Satisfaction.from_counts(all_ratings(ratings)),
        nps=await nps(period=period),
        flow=await ticket_flow(period=period),
        reopens=await reopens(period=period),
        response_times=ResponseTimes.of(created),
        sla_breaches=await sla_breach_counts(period=period),
        sentiment=await sentiment_stats(period=period, zone=zone),
        most_negative=await most_negative_open_tickets(),
        agents=await agent_stats_from(period, created=created, ratings=ratings),
    )
