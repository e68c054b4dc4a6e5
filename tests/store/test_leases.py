"""Job leases: one replica runs a job at a time; a dead holder is replaced; daily jobs once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest

from crm import clock
from crm.models import JobLease
from crm.store import leases

pytestmark = pytest.mark.usefixtures("store")
TTL = timedelta(seconds=45)


async def test_one_holder_at_a_time_and_the_holder_renews() -> None:
    assert await leases.acquire(name="sla", holder="a", ttl=TTL)
    assert not await leases.acquire(name="sla", holder="b", ttl=TTL)
    clock.advance(timedelta(seconds=30))
    try:
        assert await leases.acquire(name="sla", holder="a", ttl=TTL)  # renewed to +45 s
        clock.advance(timedelta(seconds=30))
        assert not await leases.acquire(name="sla", holder="b", ttl=TTL)  # still a's
        assert await leases.holder_of(name="sla") == "a"
    finally:
        clock.reset()


async def test_a_dead_holders_lease_is_taken_over_after_it_expires() -> None:
    assert await leases.acquire(name="sentiment", holder="dead", ttl=TTL)
    clock.advance(TTL + timedelta(seconds=1))
    try:
        assert await leases.holder_of(name="sentiment") is None
        assert await leases.acquire(name="sentiment", holder="alive", ttl=TTL)
        assert not await leases.acquire(name="sentiment", holder="dead", ttl=TTL)
    finally:
        clock.reset()


async def test_released_leases_are_free_at_once() -> None:
    assert await leases.acquire(name="sla", holder="a", ttl=TTL)
    assert await leases.release_all(names=["sla", "sentiment"], holder="a") == 1
    assert await leases.acquire(name="sla", holder="b", ttl=TTL)
    await leases.release_all(names=["sla"], holder="a")  # not a's any more: no effect
    assert await leases.holder_of(name="sla") == "b"


async def test_racing_replicas_get_exactly_one_lease() -> None:
    results = await asyncio.gather(
        *(leases.acquire(name="race", holder=f"r{i}", ttl=TTL) for i in range(8))
    )
    assert results.count(True) == 1
    assert await JobLease.filter(name="race").count() == 1


async def test_a_daily_lease_is_taken_once_per_period_even_after_the_holder_is_gone() -> None:
    until = clock.utcnow() + timedelta(hours=23)
    assert await leases.acquire_once(name="segmentation:2026-11-22", holder="a", until=until)
    assert not await leases.acquire_once(name="segmentation:2026-11-22", holder="b", until=until)
    assert await leases.acquire_once(name="segmentation:2026-11-23", holder="b", until=until)
    clock.advance(timedelta(days=40))
    try:
        assert await leases.forget_expired() == 2
    finally:
        clock.reset()


async def test_two_replicas_jobs_run_on_one_of_them() -> None:
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from bot import jobs
    from bot.settings import Settings

    runs: list[str] = []

    async def job(context) -> None:
        runs.append(context.bot_data.replica_id)

    settings = Settings(timezone=ZoneInfo("Asia/Shanghai"), segments_at=time(0, 0))
    replicas = [
        SimpleNamespace(bot_data=SimpleNamespace(replica_id=name, settings=settings))
        for name in ("one", "two")
    ]
    sla = jobs.leased("sla", job)
    daily = jobs.once_a_day("segmentation", job, at=lambda s: s.segments_at)
    for _ in range(3):
        for replica in replicas:
            await sla(replica)
            await daily(replica)
    assert runs == ["one"] * 4  # the SLA check thrice, the daily job once
    clock.advance(jobs.LEASED_JOBS["sla"] + timedelta(seconds=1))  # "one" died
    try:
        await sla(replicas[1])
    finally:
        clock.reset()
    assert runs[-1] == "two"


def _replica(name: str, **settings: object):
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from bot.settings import Settings

    config = Settings(timezone=ZoneInfo("Europe/Berlin"), segments_at=time(3, 0), **settings)
    return SimpleNamespace(bot_data=SimpleNamespace(replica_id=name, settings=config))


async def test_a_daily_job_waits_for_its_time_then_runs_once_that_day() -> None:
    from bot import jobs

    runs: list[str] = []

    async def job(context) -> None:
        runs.append(context.bot_data.replica_id)

    daily = jobs.once_a_day("segmentation", job, at=lambda s: s.segments_at)
    one, two = _replica("one"), _replica("two")
    clock.freeze(datetime(2026, 11, 22, 1, 59, tzinfo=UTC))  # 02:59 in Berlin
    try:
        await daily(one)
        assert runs == []
        clock.advance(timedelta(minutes=1))
        await daily(two)
        await daily(one)
        clock.advance(timedelta(hours=12))
        await daily(one)
        assert runs == ["two"]
        clock.freeze(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # down at 03:00: catches up
        await daily(one)
        assert runs == ["two", "one"]
    finally:
        clock.reset()


async def test_a_daily_run_cut_short_by_a_dead_replica_is_redone_by_another() -> None:
    from bot import jobs

    runs: list[str] = []
    started = asyncio.Event()

    async def job(context) -> None:
        runs.append(context.bot_data.replica_id)
        if context.bot_data.replica_id == "doomed":
            started.set()
            await asyncio.Event().wait()  # never finishes: killed mid-run

    daily = jobs.once_a_day("segmentation", job, at=lambda s: s.segments_at)
    doomed, heir = _replica("doomed"), _replica("heir")
    clock.freeze(datetime(2026, 11, 22, 4, 0, tzinfo=UTC))
    try:
        dying = asyncio.create_task(daily(doomed))
        await started.wait()
        await daily(heir)  # the doomed replica still holds today's run
        assert runs == ["doomed"]
        dying.cancel()  # the process dies: its run lease is no longer renewed...
        await asyncio.gather(dying, return_exceptions=True)
        await JobLease.filter(name__endswith=":run").update(  # ...nor released: as it was
            holder="doomed", expires_at=clock.utcnow() + jobs.DAILY_RUN_LEASE
        )
        await daily(heir)
        assert runs == ["doomed"]
        clock.advance(jobs.DAILY_RUN_LEASE + timedelta(seconds=1))
        await daily(heir)
        await daily(heir)
        assert runs == ["doomed", "heir"]
    finally:
        clock.reset()


async def test_a_summary_claim_abandoned_mid_send_is_taken_over_but_a_sent_one_never() -> None:
    from crm.insight import daily

    day = date(2026, 11, 22)
    assert await daily.claim(day=day)
    assert not await daily.claim(day=day)  # being sent
    clock.advance(daily.STALE_CLAIM + timedelta(seconds=1))  # the sender died
    try:
        assert await daily.claim(day=day)
        assert not await daily.claim(day=day)
        await daily.record_sent(day=day, recipients=2)
        clock.advance(timedelta(hours=3))
        assert not await daily.claim(day=day)
    finally:
        clock.reset()


async def test_start_or_extend_says_once_that_a_period_began_and_keeps_it_going() -> None:
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert await leases.start_or_extend(name="flood:1", holder="a", ttl=TTL)
    assert not await leases.start_or_extend(name="flood:1", holder="a", ttl=TTL)  # ours too
    for _ in range(4):  # extended by another replica every 30 s: never lapses
        clock.advance(timedelta(seconds=30))
        assert not await leases.start_or_extend(name="flood:1", holder="b", ttl=TTL)
    clock.advance(TTL)
    assert await leases.start_or_extend(name="flood:1", holder="b", ttl=TTL)  # a new period
    assert await leases.start_or_extend(name="flood:2", holder="b", ttl=TTL)  # its own
