"""Job leases: one replica runs a job at a time; a dead holder is replaced; daily jobs once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from crm import clock, leases
from crm.models import JobLease

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

    from bot.settings import Settings
    from handlers import jobs

    runs: list[str] = []

    async def job(context) -> None:
        runs.append(context.bot_data.replica_id)

    settings = Settings(timezone=ZoneInfo("Asia/Shanghai"))
    replicas = [
        SimpleNamespace(bot_data=SimpleNamespace(replica_id=name, settings=settings))
        for name in ("one", "two")
    ]
    sla, daily = jobs.leased("sla", job), jobs.once_a_day("segmentation", job)
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
