"""Durable inbox of updates: stored first, marked when handled, replayed after a crash.

Every update, whether Telegram pushed it (webhook) or the bot fetched it (getUpdates), is
stored here before Telegram is told it arrived: the webhook's 200, or the next getUpdates
offset. Handling starts from the stored row; the row is marked when the handlers ran.

Each stored update names the replica (bot deployment) that accepted it. The name is stable
across restarts, so a restarted replica takes up its own unhandled rows at once. A replica
proves it is alive by renewing a lease (``replica:<id>``); updates left unhandled by a
replica whose lease ran out are adopted by a living one, once: adoption is a conditional
UPDATE only one replica can win.

Every start of handling counts as an attempt. An update that cannot be parsed, that fails
every time, or that was under way at every crash is set aside after ``MAX_ATTEMPTS`` with
its last error, so it never blocks the ones behind it; ``set_aside()`` lists them. Failures
of the store itself do not use up tries: the update simply waits for the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm import clock
from crm.models import InboundUpdate
from crm.store import leases
from crm.store.sqlite_engine import lazy_commit

# A replica renews its lease well within this; one that stops renewing is taken for dead.
REPLICA_TTL = timedelta(seconds=45)
# Handled updates are kept this long, then deleted: Telegram redelivers an update for at
# most 24 hours, so the stored id outlives every redelivery it has to recognise.
HANDLED_KEEP = timedelta(days=7)
# Set-aside updates are kept longer, for an operator to look at.
SET_ASIDE_KEEP = timedelta(days=30)
# Tries before an update is set aside, the wait after the first failed one (doubling after
# each), and the longest wait.
MAX_ATTEMPTS = 4
BACKOFF_BASE = timedelta(seconds=1)
MAX_BACKOFF = timedelta(seconds=60)
ERROR_LIMIT = 2000  # characters of an error kept on the row


@dataclass(frozen=True, slots=True)
class Pending:
    """A stored update handed out for handling; ``attempts`` counts this try."""

    update_id: int
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class SetAside:
    """An update given up on, with why."""

    update_id: int
    attempts: int
    error: str
    set_aside_at: datetime | None = None


REPLACEMENT = "\ufffd"  # what a text of only NUL characters becomes


def replica_lease(replica: str) -> str:
    """Return the name of the lease that says a replica is alive."""
    return f"replica:{replica}"


def storable(payload: Any) -> Any:
    """Return an update's JSON without NUL characters, which PostgreSQL's JSON refuses.

    Message texts are stored without them too (``crm.desk.tickets.clean_text``). A text of
    nothing but NULs keeps one replacement character: emptied, a customer's message would
    read as no text at all and never reach a ticket.
    """
    if isinstance(payload, str):
        if "\x00" not in payload:
            return payload
        return payload.replace("\x00", "") or REPLACEMENT
    if isinstance(payload, dict):
        return {storable(k): storable(v) for k, v in payload.items()}
    if isinstance(payload, list):
        return [storable(v) for v in payload]
    return payload


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after a failed try before the next one."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


async def accept(
    *,
    update_id: int,
    payload: dict[str, Any],
    replica: str | None = None,
    user_id: int | None = None,
) -> bool:
    """Store an update before acknowledging it; False when it was already stored (redelivery).

    ``user_id`` is its sender: replicas count a person's recent updates here (flood control).

    The caller hands a fresh update straight to the bot, so storing it counts as its first try.
    """
    now = clock.utcnow()
    try:
        await InboundUpdate.create(
            update_id=update_id,
            payload=storable(payload),
            received_at=now,
            replica=replica,
            user_id=user_id,
            attempts=1,
            last_attempt_at=now,
        )
    except IntegrityError:
        return False
    return True


async def accept_batch(
    *,
    payloads: list[dict[str, Any]],
    replica: str,
    senders: Mapping[int, int | None] | None = None,
) -> list[Pending]:
    """Store a getUpdates batch in one transaction; return the updates not stored before.

    ``senders`` maps update ids to who sent them (see ``accept``).

    Only once this returns may the batch be confirmed to Telegram (the next offset).
    """
    senders = senders or {}
    by_id: dict[int, dict[str, Any]] = {}
    for payload in payloads:
        by_id.setdefault(payload["update_id"], storable(payload))
    now = clock.utcnow()
    try:
        async with in_transaction():
            known = set(
                await InboundUpdate.filter(update_id__in=list(by_id)).values_list(
                    "update_id", flat=True
                )
            )
            fresh = [(uid, p) for uid, p in by_id.items() if uid not in known]
            if fresh:
                await InboundUpdate.bulk_create(
                    [
                        InboundUpdate(
                            update_id=uid,
                            payload=p,
                            received_at=now,
                            replica=replica,
                            user_id=senders.get(uid),
                            attempts=1,
                            last_attempt_at=now,
                        )
                        for uid, p in fresh
                    ]
                )
    except IntegrityError:
        # Someone stored one of them at this very moment (two pollers on one token, which
        # Telegram itself refuses): store one by one, each of them exactly once.
        fresh = [
            (uid, p)
            for uid, p in by_id.items()
            if await accept(update_id=uid, payload=p, replica=replica, user_id=senders.get(uid))
        ]
    return [Pending(update_id=uid, payload=p, attempts=1) for uid, p in sorted(fresh)]


async def accept_unstorable(*, update_id: int, error: str, replica: str) -> bool:
    """Store a stand-in for an update the store refuses, set aside at once with why.

    Polling must go on past it, and Telegram would send it again forever otherwise.
    """
    now = clock.utcnow()
    try:
        await InboundUpdate.create(
            update_id=update_id,
            payload={"update_id": update_id},
            received_at=now,
            replica=replica,
            attempts=MAX_ATTEMPTS,
            last_attempt_at=now,
            last_error=f"the store refused it: {error}"[:ERROR_LIMIT],
            set_aside_at=now,
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
    await mark_processed_many(update_ids=[update_id])


async def mark_processed_many(*, update_ids: list[int]) -> None:
    """Record that these updates' handlers ran.

    The mark does not wait for the disk on SQLite: lost in a power cut, the update is
    handled again, and handling recognises what it already stored or sent.
    """
    if not update_ids:
        return
    with lazy_commit():
        await InboundUpdate.filter(update_id__in=update_ids, processed_at=None).update(
            processed_at=clock.utcnow()
        )


async def record_failure(*, update_id: int, error: str, counts: bool = True) -> bool:
    """Note why handling an update failed; set it aside when out of tries. True if set aside.

    ``counts=False`` (the store failed, not the update) gives the try back.
    """
    error = error[:ERROR_LIMIT] or "unknown error"
    row = await InboundUpdate.get_or_none(update_id=update_id, processed_at=None)
    if row is None:
        return False
    attempts = row.attempts if counts else max(row.attempts - 1, 0)
    set_aside = counts and attempts >= MAX_ATTEMPTS
    await InboundUpdate.filter(id=row.id).update(
        attempts=attempts,
        last_error=error,
        set_aside_at=clock.utcnow() if set_aside else None,
    )
    return set_aside


async def take_own(
    *, replica: str, exclude: set[int] | frozenset[int] = frozenset(), due_only: bool = True
) -> tuple[list[Pending], list[SetAside]]:
    """Claim this replica's unhandled updates for another try.

    Rows in ``exclude`` are being handled in this process right now. With ``due_only`` a
    failed row waits out its backoff; at start-up nothing of ours is under way, so every
    row is due. Rows out of tries are set aside instead and returned second.
    """
    return await _claim(
        InboundUpdate.filter(processed_at=None, set_aside_at=None, replica=replica),
        replica=replica,
        exclude=exclude,
        due_only=due_only,
    )


async def _claim(
    query: Any, *, replica: str, exclude: set[int] | frozenset[int], due_only: bool
) -> tuple[list[Pending], list[SetAside]]:
    now = clock.utcnow()
    rows = await query.order_by("update_id").values_list(
        "update_id", "attempts", "last_attempt_at", "last_error"
    )
    due: list[int] = []
    exhausted: list[tuple[int, int, str]] = []
    for update_id, attempts, last_attempt_at, last_error in rows:
        if update_id in exclude:
            continue
        if due_only and last_attempt_at is not None and now < last_attempt_at + backoff(attempts):
            continue
        if attempts >= MAX_ATTEMPTS:
            exhausted.append((update_id, attempts, last_error or _INTERRUPTED))
        else:
            due.append(update_id)
    given_up = await _set_aside_rows(exhausted, now=now)
    if not due:
        return [], given_up
    await InboundUpdate.filter(
        update_id__in=due, processed_at=None, set_aside_at=None, replica=replica
    ).update(attempts=F("attempts") + 1, last_attempt_at=now)
    return await _pending(update_ids=due, replica=replica), given_up


_INTERRUPTED = "handling never finished (the bot stopped or crashed while handling it)"


async def _set_aside_rows(rows: list[tuple[int, int, str]], *, now: datetime) -> list[SetAside]:
    given_up = []
    for update_id, attempts, error in rows:
        taken = await InboundUpdate.filter(
            update_id=update_id, processed_at=None, set_aside_at=None
        ).update(set_aside_at=now, last_error=error)
        if taken:
            given_up.append(
                SetAside(update_id=update_id, attempts=attempts, error=error, set_aside_at=now)
            )
    return given_up


async def _pending(*, update_ids: list[int], replica: str) -> list[Pending]:
    rows = await (
        InboundUpdate.filter(
            update_id__in=update_ids, processed_at=None, set_aside_at=None, replica=replica
        )
        .order_by("update_id")
        .values_list("update_id", "payload", "attempts")
    )
    return [Pending(update_id=u, payload=p, attempts=a) for u, p, a in rows]


async def forget_handled(
    *, older_than: timedelta = HANDLED_KEEP, set_aside_older_than: timedelta = SET_ASIDE_KEEP
) -> int:
    """Delete updates handled (or set aside) long enough ago; return how many."""
    now = clock.utcnow()
    handled = await InboundUpdate.filter(processed_at__lt=now - older_than).delete()
    given_up = await InboundUpdate.filter(
        processed_at=None, set_aside_at__lt=now - set_aside_older_than
    ).delete()
    return handled + given_up


async def pending_count() -> int:
    """Return how many stored updates are not handled yet (set-aside ones excluded)."""
    return await InboundUpdate.filter(processed_at=None, set_aside_at=None).count()


async def set_aside(*, limit: int = 20) -> tuple[int, list[SetAside]]:
    """Return how many updates are set aside and the newest of them."""
    query = InboundUpdate.filter(processed_at=None, set_aside_at__not_isnull=True)
    rows = await (
        query.order_by("-set_aside_at")
        .limit(limit)
        .values_list("update_id", "attempts", "last_error", "set_aside_at")
    )
    return await query.count(), [
        SetAside(update_id=u, attempts=a, error=e or "", set_aside_at=t) for u, a, e, t in rows
    ]


async def heartbeat(*, replica: str, ttl: timedelta = REPLICA_TTL) -> None:
    """Renew the lease that tells other replicas this one is alive."""
    await leases.acquire(name=replica_lease(replica), holder=replica, ttl=ttl)


async def sign_off(*, replica: str) -> None:
    """Give up the liveness lease (a clean stop, after every accepted update was handled)."""
    await leases.release(name=replica_lease(replica), holder=replica)


async def adopt_orphans(*, replica: str, limit: int = 1000) -> list[Pending]:
    """Take over unhandled updates of replicas that are gone; return them, oldest first."""
    owners = (
        await InboundUpdate.filter(processed_at=None, set_aside_at=None)
        .distinct()
        .values_list("replica", flat=True)
    )
    adopted: list[Pending] = []
    for owner in owners:
        if owner == replica:
            continue
        if owner is not None and await leases.holder_of(name=replica_lease(owner)) is not None:
            continue  # alive: it is handling them (or will, after its own restart)
        orphans = InboundUpdate.filter(processed_at=None, set_aside_at=None, replica=owner)
        ids = await orphans.order_by("update_id").limit(limit).values_list("update_id", flat=True)
        if not ids:
            continue
        # Another replica may adopt the same orphans at this moment: the row that still
        # names the dead owner goes to whoever updates it first.
        await InboundUpdate.filter(
            update_id__in=ids, processed_at=None, set_aside_at=None, replica=owner
        ).update(replica=replica)
        # Now ours: out-of-tries rows are set aside, the rest handed out as a try.
        taken, _ = await _claim(
            InboundUpdate.filter(update_id__in=ids, processed_at=None, replica=replica),
            replica=replica,
            exclude=frozenset(),
            due_only=False,
        )
        adopted += taken
    adopted.sort(key=lambda pending: pending.update_id)
    return adopted
