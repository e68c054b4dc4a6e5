"""Durable inbox of webhook updates: stored first, marked when handled, replayed after a crash."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from crm import clock
from crm.models import InboundUpdate


async def accept(*, update_id: int, payload: dict[str, Any]) -> bool:
    """Store an update before acknowledging it; False when it was already stored (redelivery)."""
    try:
        await InboundUpdate.create(update_id=update_id, payload=payload, received_at=clock.utcnow())
    except IntegrityError:
        return False
    return True


async def mark_processed(*, update_id: int) -> None:
    """Record that an update's handlers ran."""
    await InboundUpdate.filter(update_id=update_id, processed_at=None).update(
        processed_at=clock.utcnow()
    )


async def unprocessed(*, limit: int = 10_000) -> list[dict[str, Any]]:
    """Return stored updates whose handling never finished, oldest first."""
    rows = (
        await InboundUpdate.filter(processed_at=None)
        .order_by("update_id")
        .limit(limit)
        .values_list("payload", flat=True)
    )
    return list(rows)


async def pending_count() -> int:
    """Return how many stored updates are not handled yet."""
    return await InboundUpdate.filter(processed_at=None).count()
