"""Net Promoter Score: ask at most once per 90 days after a resolved ticket; store the answer."""

from __future__ import annotations

from datetime import timedelta

from crm import clock
from crm.errors import InvalidInput, SurveyClosed
from crm.models import NpsResponse

ASK_EVERY = timedelta(days=90)
NPS_MIN, NPS_MAX = 0, 10


async def maybe_ask(*, customer_id: int, ticket_id: int | None) -> NpsResponse | None:
    """Record an NPS question for the customer unless they were asked in the last 90 days."""
    now = clock.utcnow()
    if await NpsResponse.filter(customer_id=customer_id, asked_at__gt=now - ASK_EVERY).exists():
        return None
    return await NpsResponse.create(customer_id=customer_id, ticket_id=ticket_id, asked_at=now)


async def answer(*, response_id: int, customer_telegram_id: int, score: int) -> NpsResponse:
    """Store the 0-10 answer once; raise SurveyClosed for a repeat or someone else's question."""
    if not NPS_MIN <= score <= NPS_MAX:
        raise InvalidInput(f"{score} is outside {NPS_MIN}-{NPS_MAX}")
    response = await NpsResponse.get_or_none(id=response_id).select_related("customer")
    if response is None or response.customer.telegram_id != customer_telegram_id:
        raise SurveyClosed("unknown")
    won = await NpsResponse.filter(id=response_id, answered_at=None).update(
        score=score, answered_at=clock.utcnow()
    )
    if not won:
        raise SurveyClosed("answered")
    await response.refresh_from_db()
    return response


def nps_value(scores: list[int]) -> float | None:
    """Return % promoters (9-10) minus % detractors (0-6), or None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100.0 * (promoters - detractors) / len(scores), 1)
