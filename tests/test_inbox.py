"""The webhook inbox across replicas: a dead replica's unhandled updates are adopted once;
old handled updates and expired leases are deleted by the daily housekeeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from crm import clock, inbox, leases
from crm.models import InboundUpdate, JobLease
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
    got_b = [p["update_id"] for p in b]
    got_c = [p["update_id"] for p in c]
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
    assert [p["update_id"] for p in adopted] == [1, 2]


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
