"""Durable inbox of webhook updates: stored first, marked when handled, replayed after a crash.

Each stored update names the replica (bot process) that accepted it. A replica proves it is
alive by renewing a lease (``replica:<id>``); updates left unhandled by a replica whose lease
ran out — it crashed or was killed after answering Telegram's 200 — are adopted by a living
replica and handled there, once: adoption is a conditional UPDATE only one replica can win.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from crm import clock, leases
from crm.models import InboundUpdate

# A replica renews its lease well within this; one that stops renewing is taken for dead.
REPLICA_TTL = timedelta(seconds=45)
# Handled updates are kept this long, then deleted: Telegram redelivers an update for at
# most 24 hours, so the stored id outlives every redelivery it has to recognise.
HANDLED_KEEP = timedelta(days=7)


def replica_lease(replica: str) -> str:
    """Return the name of the lease that says a replica is alive."""
    return f"replica:{replica}"


async def accept(
    *,
    update_id: int,
    payload: dict[str, Any],
    replica: str | None = None,
    user_id: int | None = None,
) -> bool:
    """Store an update before acknowledging it; False when it was already stored (redelivery)."""
    try:
        await InboundUpdate.create(
            update_id=update_id,
            payload=payload,
            received_at=clock.utcnow(),
            replica=replica,
            user_id=user_id,
        )
    except IntegrityError:
        return False
    return True


async def received_from(*, user_id: int, since: datetime, up_to: int | None = None) -> int:
    """Return how many updates from a person all replicas accepted since a time (up to an id)."""
    recent = InboundUpdate.filter(user_id=user_id, received_at__gt=since)
    if up_to is not None:
        # Updates already accepted but queued behind this one are not counted before it.
        recent = recent.filter(update_id__lte=up_to)
    return await recent.count()


async def mark_processed(*, update_id: int) -> None:
    """Record that an update's handlers ran."""
    await InboundUpdate.filter(update_id=update_id, processed_at=None).update(
        processed_at=clock.utcnow()
    )


async def forget_handled(*, older_than: timedelta = HANDLED_KEEP) -> int:
    """Delete updates handled longer ago than ``older_than``; return how many."""
    cutoff = clock.utcnow() - older_than
    return await InboundUpdate.filter(processed_at__lt=cutoff).delete()


async def pending_count() -> int:
    """Return how many stored updates are not handled yet."""
    return await InboundUpdate.filter(processed_at=None).count()


async def heartbeat(*, replica: str, ttl: timedelta = REPLICA_TTL) -> None:
    """Renew the lease that tells other replicas this one is alive."""
    await leases.acquire(name=replica_lease(replica), holder=replica, ttl=ttl)


async def sign_off(*, replica: str) -> None:
    """Give up the liveness lease (a clean stop, after every accepted update was handled)."""
    await leases.release(name=replica_lease(replica), holder=replica)


async def adopt_orphans(*, replica: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Take over unhandled updates of replicas that are gone; return them, oldest first."""
    owners = (
        await InboundUpdate.filter(processed_at=None).distinct().values_list("replica", flat=True)
    )
    adopted: list[dict[str, Any]] = []
    for owner in owners:
        if owner == replica:
            continue
        if owner is not None and await leases.holder_of(name=replica_lease(owner)) is not None:
            continue  # alive: it is handling them (or will, after its own restart replay)
        orphans = InboundUpdate.filter(processed_at=None, replica=owner)
        ids = await orphans.order_by("update_id").limit(limit).values_list("update_id", flat=True)
        if not ids:
            continue
        # Another replica may adopt the same orphans at this moment: the row that still
        # names the dead owner goes to whoever updates it first.
        await InboundUpdate.filter(update_id__in=ids, processed_at=None, replica=owner).update(
            replica=replica
        )
        adopted += await (
            InboundUpdate.filter(update_id__in=ids, processed_at=None, replica=replica)
            .order_by("update_id")
            .values_list("payload", flat=True)
        )
    adopted.sort(key=lambda payload: payload["update_id"])
    return adopted
