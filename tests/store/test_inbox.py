"""The durable inbox: batches stored once, own updates resumed, failing ones retried then set
aside, dead replicas' updates adopted once; old rows deleted by the daily housekeeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from crm import clock
from crm.models import InboundUpdate, JobLease
from crm.store import inbox, leases
from handlers.jobs import housekeeping

pytestmark = pytest.mark.usefixtures("store")


def _payload(update_id: int) -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": "hi"}}


async def _accept(replica: str | None, *update_ids: int) -> None:
    for update_id in update_ids:
        assert await inbox.accept(update_id=update_id, payload=_payload(update_id), replica=replica)


async def test_a_live_replicas_updates_are_left_to_it() -> None:
    await inbox.heartbeat(replica="a")
    await _accept("a", 1, 2)
    assert await inbox.adopt_orphans(replica="b") == []
    assert await inbox.adopt_orphans(replica="a") == []  # its own are its business
    assert set(await InboundUpdate.all().values_list("replica", flat=True)) == {"a"}


async def test_a_dead_replicas_unhandled_updates_are_adopted_by_exactly_one_replica() -> None:
    await inbox.heartbeat(replica="dead")
    await _accept("dead", 3, 1, 2, 4)
    await inbox.mark_processed(update_id=4)  # handled before the crash: not replayed
    clock.advance(inbox.REPLICA_TTL)
    try:
        await inbox.heartbeat(replica="b")
        await inbox.heartbeat(replica="c")
        b, c = await asyncio.gather(
            inbox.adopt_orphans(replica="b"), inbox.adopt_orphans(replica="c")
        )
    finally:
        clock.reset()
    got_b = [p.update_id for p in b]
    got_c = [p.update_id for p in c]
    assert sorted(got_b + got_c) == [1, 2, 3]  # every one, once
    assert got_b == sorted(got_b) and got_c == sorted(got_c)  # oldest first
    owners = dict(await InboundUpdate.filter(processed_at=None).values_list("update_id", "replica"))
    assert owners == {u: "b" for u in got_b} | {u: "c" for u in got_c}
    # Adopted rows name their adopter: a third replica leaves them while it is alive.
    assert await inbox.adopt_orphans(replica="d") == []


async def test_a_clean_stop_hands_over_at_once_and_ownerless_updates_are_replayed() -> None:
    await inbox.heartbeat(replica="a")
    await _accept("a", 1)
    await _accept(None, 2)  # stored by a version that did not record the replica
    await inbox.sign_off(replica="a")
    adopted = await inbox.adopt_orphans(replica="b")
    assert [p.update_id for p in adopted] == [1, 2]


async def test_housekeeping_deletes_long_handled_updates_and_long_expired_leases() -> None:
    await _accept("a", 1, 2, 3)
    await inbox.mark_processed(update_id=1)
    await inbox.mark_processed(update_id=2)
    until = clock.utcnow() + timedelta(hours=1)
    assert await leases.acquire_once(name="segmentation:2026-11-22", holder="a", until=until)
    clock.advance(timedelta(days=8))
    try:
        await inbox.mark_processed(update_id=3)  # handled just now, eight days late
        await _accept("a", 4)  # new and unhandled
        await inbox.heartbeat(replica="a")  # a lease that is current
        assert await housekeeping() == (1, 2)
        assert sorted(await InboundUpdate.all().values_list("update_id", flat=True)) == [3, 4]
        assert await JobLease.filter(name="segmentation:2026-11-22").count() == 0
        assert await JobLease.filter(name=inbox.replica_lease("a")).count() == 1
        assert await housekeeping() == (0, 0)
    finally:
        clock.reset()


async def test_a_batch_is_stored_once_and_only_its_new_updates_are_handed_out() -> None:
    fresh = await inbox.accept_batch(payloads=[_payload(2), _payload(1)], replica="a")
    assert [(p.update_id, p.attempts) for p in fresh] == [(1, 1), (2, 1)]
    # Telegram sends an unconfirmed batch again (and a batch may repeat an id).
    again = await inbox.accept_batch(
        payloads=[_payload(1), _payload(2), _payload(3), _payload(3)], replica="a"
    )
    assert [p.update_id for p in again] == [3]
    assert await InboundUpdate.all().count() == 3


async def test_a_restarted_replica_takes_up_its_own_unhandled_updates_at_once() -> None:
    await inbox.heartbeat(replica="a")  # its lease has not lapsed: no other replica would
    await inbox.accept_batch(payloads=[_payload(1), _payload(2), _payload(3)], replica="a")
    await inbox.mark_processed(update_id=2)
    assert await inbox.adopt_orphans(replica="b") == []
    taken, given_up = await inbox.take_own(replica="a", due_only=False)
    assert [(p.update_id, p.attempts) for p in taken] == [(1, 2), (3, 2)]  # the second try
    assert given_up == []
    # What is being handled in this process is not handed out twice.
    taken, _ = await inbox.take_own(replica="a", exclude={1}, due_only=False)
    assert [p.update_id for p in taken] == [3]


async def test_a_failing_update_is_retried_after_a_backoff_then_set_aside() -> None:
    await inbox.accept_batch(payloads=[_payload(1), _payload(2)], replica="a")
    assert not await inbox.record_failure(update_id=1, error="KeyError: 'question'")
    # Not due before its backoff; the healthy update 2 is not held up by it.
    taken, _ = await inbox.take_own(replica="a", exclude={2})
    assert taken == []
    try:
        for attempt in range(2, inbox.MAX_ATTEMPTS + 1):
            clock.advance(inbox.backoff(attempt - 1))
            taken, given_up = await inbox.take_own(replica="a", exclude={2})
            assert [(p.update_id, p.attempts) for p in taken] == [(1, attempt)]
            set_aside = await inbox.record_failure(update_id=1, error="KeyError: 'question'")
            assert set_aside == (attempt == inbox.MAX_ATTEMPTS)
        clock.advance(inbox.MAX_BACKOFF)
        assert await inbox.take_own(replica="a", exclude={2}) == ([], [])
    finally:
        clock.reset()
    count, rows = await inbox.set_aside()
    assert count == 1
    assert (rows[0].update_id, rows[0].attempts) == (1, inbox.MAX_ATTEMPTS)
    assert "question" in rows[0].error
    assert await inbox.pending_count() == 1  # update 2, still to be handled


async def test_a_failure_of_the_store_itself_does_not_use_up_a_try() -> None:
    await inbox.accept_batch(payloads=[_payload(1)], replica="a")
    for _ in range(inbox.MAX_ATTEMPTS + 2):
        taken, _ = await inbox.take_own(replica="a", due_only=False)
        assert [p.update_id for p in taken] == [1]
        assert not await inbox.record_failure(
            update_id=1, error="OperationalError: database is locked", counts=False
        )
    assert (await inbox.set_aside())[0] == 0


async def test_an_update_under_way_at_every_crash_is_set_aside_with_why() -> None:
    await inbox.accept_batch(payloads=[_payload(1)], replica="a")
    for _ in range(inbox.MAX_ATTEMPTS - 1):  # each restart takes it up again and dies
        taken, _ = await inbox.take_own(replica="a", due_only=False)
        assert len(taken) == 1
    taken, given_up = await inbox.take_own(replica="a", due_only=False)
    assert taken == []
    assert [g.update_id for g in given_up] == [1]
    assert "never finished" in given_up[0].error


async def test_housekeeping_deletes_updates_set_aside_a_month_ago() -> None:
    await inbox.accept_batch(payloads=[_payload(1), _payload(2)], replica="a")
    for _ in range(inbox.MAX_ATTEMPTS):
        await inbox.take_own(replica="a", due_only=False)
    assert (await inbox.set_aside())[0] == 2
    clock.advance(inbox.SET_ASIDE_KEEP + timedelta(days=1))
    try:
        await housekeeping()
    finally:
        clock.reset()
    assert await InboundUpdate.all().count() == 0
