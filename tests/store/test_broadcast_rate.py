"""The campaign rate replicas share: never more than a slot allows, all of it when wanted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

import pytest

from crm.models import BroadcastSlot
from crm.store.rate_slots import (
    RateBudget,
    RedisSlotCounter,
    SlotCounter,
    StoreSlotCounter,
    shared_budget,
)
from tests.conftest import REDIS_URL
from tests.harness import eventually

RATE = 100  # messages per second: 20 per 200 ms slot
SLOT_MS = 200
START = 1_800_000_000.0  # a wall-clock time on a slot boundary


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self, at: float = START) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at

    def next_slot(self) -> None:
        """Move to the start of the next slot."""
        self.at += SLOT_MS / 1000


MakeCounter = Callable[[], SlotCounter]


@pytest.fixture
async def redis_counters(redis_prefix: str) -> AsyncIterator[MakeCounter]:
    """Make Redis counters with a client each, as separate replicas would have."""
    made: list[RedisSlotCounter] = []

    def make() -> SlotCounter:
        made.append(RedisSlotCounter.from_url(REDIS_URL, prefix=redis_prefix))
        return made[-1]

    yield make
    for counter in made:
        await counter.close()


def _budgets(make: MakeCounter, n: int, wall: Callable[[], float] = time.time) -> list[RateBudget]:
    return [RateBudget(counter=make(), rate=RATE, slot_ms=SLOT_MS, wall=wall) for _ in range(n)]


# -- the allowance ------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "slot_ms"), [(25, 200), (7, 250), (1, 200), (33, 500)])
def test_slot_allowances_add_up_to_the_rate_every_second(rate: int, slot_ms: int) -> None:
    budget = RateBudget(counter=StoreSlotCounter(), rate=rate, slot_ms=slot_ms)
    per_second = 1000 // slot_ms
    first = budget.slot_now()
    for start in range(first, first + 50, per_second):
        allowances = [budget.allowance(slot) for slot in range(start, start + per_second)]
        assert sum(allowances) == rate
        # Spread evenly: no slot gets more than its share rounded up.
        assert max(allowances) - min(allowances) <= 1


# -- replicas sharing one counter -----------------------------------------------------------


async def _never_more_than_a_slot_allows(make: MakeCounter) -> None:
    wall = Wall()
    budgets = _budgets(make, 3, wall)
    allowance = budgets[0].allowance(budgets[0].slot_now())
    assert allowance == 20
    for _ in range(3):  # three slots, each fought over by three replicas
        grants = await asyncio.gather(*(b.take(3) for b in budgets for _ in range(10)))
        # 90 wanted, 20 allowed: exactly the allowance, however the additions interleaved.
        assert sum(grants) == allowance, grants
        assert await budgets[0].take(1) == 0
        wall.next_slot()


async def test_replicas_sharing_the_store_get_exactly_a_slots_allowance(store: None) -> None:
    await _never_more_than_a_slot_allows(StoreSlotCounter)


@pytest.mark.redis
async def test_replicas_sharing_redis_get_exactly_a_slots_allowance(
    redis_counters: MakeCounter,
) -> None:
    await _never_more_than_a_slot_allows(redis_counters)


async def _leftover_is_not_carried_over(make: MakeCounter) -> None:
    wall = Wall()
    (budget,) = _budgets(make, 1, wall)
    assert await budget.take(5) == 5  # 15 of this slot's 20 left unused...
    wall.next_slot()
    assert await budget.take(50) == 20  # ...and not added to the next one
    # A partial grant: what was left when the addition landed, no more.
    wall.next_slot()
    assert await budget.take(15) == 15
    assert await budget.take(15) == 5
    assert await budget.take(15) == 0


async def test_a_slots_leftover_is_not_carried_over_in_the_store(store: None) -> None:
    await _leftover_is_not_carried_over(StoreSlotCounter)


@pytest.mark.redis
async def test_a_slots_leftover_is_not_carried_over_in_redis(redis_counters: MakeCounter) -> None:
    await _leftover_is_not_carried_over(redis_counters)


async def test_tokens_lapse_with_their_slot(store: None) -> None:
    wall = Wall()
    budget = RateBudget(counter=StoreSlotCounter(), rate=RATE, slot_ms=SLOT_MS, chunk=10, wall=wall)
    first = budget.slot_now()
    for _ in range(3):
        assert await budget.acquire()
    wall.next_slot()
    assert await budget.acquire()  # 7 tokens of the first slot were left: not used now
    used = dict(await BroadcastSlot.all().values_list("slot", "used"))
    assert used == {first: 10, first + 1: 10}


# -- real time ----------------------------------------------------------------------------


async def _replicas_together_keep_to_the_rate(make: MakeCounter) -> None:
    budgets = _budgets(make, 3)
    wanted = 120  # six slots' worth at 20 per slot
    granted = 0

    async def replica_worker(budget: RateBudget) -> None:
        nonlocal granted
        while granted < wanted:
            assert await budget.acquire()
            granted += 1

    started = time.monotonic()
    await asyncio.gather(*(replica_worker(b) for b in budgets for _ in range(3)))
    elapsed = time.monotonic() - started
    # 120 turns at 20 per slot span at least six slots: more than four slot lengths from
    # first to last. Three replicas pacing on their own would be done within two slots.
    assert elapsed > 4 * SLOT_MS / 1000, elapsed


async def test_three_replicas_on_one_store_keep_to_one_rate(store: None) -> None:
    await _replicas_together_keep_to_the_rate(StoreSlotCounter)


@pytest.mark.redis
async def test_three_replicas_on_one_redis_keep_to_one_rate(redis_counters: MakeCounter) -> None:
    await _replicas_together_keep_to_the_rate(redis_counters)


# -- failure and clean-up -------------------------------------------------------------------


async def test_an_unreachable_counter_pauses_sends_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on port 1: every addition fails as it would with Redis down.
    budget = RateBudget(counter=RedisSlotCounter.from_url("redis://127.0.0.1:1/0"), rate=RATE)
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="crm.store.rate_slots")
    turn = asyncio.create_task(budget.acquire(stop=stop))
    try:

        async def warned() -> bool:
            return any("campaign sends pause" in r.getMessage() for r in caplog.records)

        await eventually(warned, timeout=10)
        assert not turn.done()  # no turn without the counter: fail closed
        stop.set()
        assert await asyncio.wait_for(turn, 5) is False
    finally:
        turn.cancel()
        await budget.close()
    assert sum("campaign sends pause" in r.getMessage() for r in caplog.records) == 1


async def test_old_slots_are_swept_from_the_store(store: None) -> None:
    counter = StoreSlotCounter(keep_slots=10)
    await BroadcastSlot.bulk_create([BroadcastSlot(slot=s, used=1) for s in range(100, 120)])
    await counter.add(slot=125, count=1)
    assert sorted(await BroadcastSlot.all().values_list("slot", flat=True)) == [
        *range(115, 120),
        125,
    ]
    await counter.add(slot=200, count=1)  # swept a moment ago: not again on every call
    assert await BroadcastSlot.all().count() == 7


async def test_the_store_shares_the_rate_only_on_postgresql(store: None, db_url: str) -> None:
    budget = shared_budget(rate=25, redis_url=None)
    if db_url.startswith("postgres"):
        assert budget is not None and isinstance(budget.counter, StoreSlotCounter)
    else:
        assert budget is None  # SQLite: one machine paces itself, no round trips


async def test_redis_shares_the_rate_whatever_the_store() -> None:
    budget = shared_budget(rate=25, redis_url="redis://127.0.0.1:6379/15")
    try:
        assert budget is not None and isinstance(budget.counter, RedisSlotCounter)
    finally:
        if budget is not None:
            await budget.close()


def test_a_sender_claims_a_second_of_its_own_share_not_of_the_whole_rate() -> None:
    from types import SimpleNamespace

    from bot.outbound.campaign_sender import CampaignSender

    sender = CampaignSender(SimpleNamespace(bot_data=SimpleNamespace()), rate=30)
    assert sender.batch_size == 30
    # One of three replicas sharing 30/s sends its 30 rows in about 3 s: claim 10 next time.
    sender._fit_batch(wanted=30, got=30, seconds=3.0)
    assert sender.batch_size == 10
    sender._fit_batch(wanted=10, got=4, seconds=0.1)  # the campaign ran out: no lesson
    assert sender.batch_size == 10
    sender._fit_batch(wanted=10, got=10, seconds=0.25)  # the others stopped: back up, capped
    assert sender.batch_size == 30
