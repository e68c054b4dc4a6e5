"""What customers think: CSAT from the 1-5 ratings, and the net promoter score."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.functions import Count

from crm.insight.periods import Period
from crm.insight.queries import pct, within
from crm.models import NpsResponse, Rating

__all__ = ["Nps", "Satisfaction", "all_ratings", "nps", "rating_counts", "satisfaction"]

SCORES = (1, 2, 3, 4, 5)
SATISFIED_MIN = 4  # CSAT counts 4 and 5 as satisfied
PROMOTER_MIN, DETRACTOR_MAX = 9, 6  # NPS: 9-10 promote, 0-6 detract


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
            csat_pct=pct(satisfied, count),
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


async def rating_counts(period: Period) -> dict[int | None, Counter[int]]:
    """Return {agent id or None: {score: ratings}} for ratings given in the period."""
    rows = (
        await Rating.filter(**within("created_at", period))
        .annotate(n=Count("id"))
        .group_by("agent_id", "score")
        .values("agent_id", "score", "n")
    )
    counts: dict[int | None, Counter[int]] = defaultdict(Counter)
    for row in rows:
        counts[row["agent_id"]][row["score"]] += row["n"]
    return counts


def all_ratings(counts: Mapping[int | None, Counter[int]]) -> Counter[int]:
    """Return {score: ratings} over every agent of `rating_counts`."""
    return sum(counts.values(), Counter())


async def satisfaction(*, period: Period, agent_id: int | None = None) -> Satisfaction:
    """Return CSAT, mean and distribution of the ratings given in the period."""
    query = Rating.filter(**within("created_at", period))
    if agent_id is not None:
        query = query.filter(agent_id=agent_id)
    rows = await query.annotate(n=Count("id")).group_by("score").values("score", "n")
    return Satisfaction.from_counts({row["score"]: row["n"] for row in rows})


async def nps(*, period: Period) -> Nps:
    """Return the NPS of the answers given in the period."""
    rows = (
        await NpsResponse.filter(score__isnull=False, **within("answered_at", period))
        .annotate(n=Count("id"))
        .group_by("score")
        .values("score", "n")
    )
    return Nps.from_counts({row["score"]: row["n"] for row in rows})
