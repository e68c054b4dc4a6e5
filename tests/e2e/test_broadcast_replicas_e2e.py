"""Two campaign senders on one shared budget send at the configured rate, not twice it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.outbound.campaign_sender import CampaignSender
from bot.sandbox import SandboxBotAPI
from crm.marketing import campaigns
from crm.models import Campaign, CampaignStatus
from crm.store.rate_slots import RateBudget, RedisSlotCounter, StoreSlotCounter, shared_budget
from tests.conftest import REDIS_SKIP_REASON, REDIS_URL
from tests.factories import make_customer
from tests.harness import Desk, eventually, running_desk

pytestmark = pytest.mark.e2e
RATE = 20  # per second, both senders together: 4 per 200 ms slot
AUDIENCE = 40  # two seconds' worth at the shared rate, one if each sender had its own
FIRST_ID = 3000
# The outbound limiter (one per bot process) must not be what holds the pair back.
FAST_OUTBOUND = {"broadcast_rate": RATE, "send_rate": 0}


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_templates: dict[str, str]) -> str:
    """Return a fresh, migrated SQLite store (for tests whose point is not the store)."""
    shutil.copyfile(migrated_templates["sqlite"], tmp_path / "crm.db")
    return f"sqlite://{tmp_path / 'crm.db'}"


async def _send_with_two_senders(desk: Desk, budgets: list[RateBudget]) -> list[CampaignSender]:
    """Run a campaign with two senders, as two replicas would; return them when it is done."""
    for i in range(AUDIENCE):
        user = desk.sandbox.user(FIRST_ID + i, f"U{i}", language_code="en")
        await make_customer(user.first_name, telegram_id=user.id)
    senders = [CampaignSender(desk.application, rate=RATE, budget=b) for b in budgets]
    campaign = await campaigns.create_campaign(audience="all", text="Two replicas, one rate")
    await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
    for sender in senders:
        sender.start()
    try:

        async def done() -> bool:
            return (await Campaign.get(id=campaign.id)).status is CampaignStatus.DONE

        await eventually(done, timeout=20, interval=0.1)
    finally:
        for sender in senders:
            await sender.stop()
    return senders


def _busiest_second(sandbox: SandboxBotAPI) -> int:
    times = sorted(
        c.time
        for c in sandbox.requests
        if c.method == "sendMessage"
        and c.status == 200
        and FIRST_ID <= int(c.params.get("chat_id", 0)) < FIRST_ID + AUDIENCE
    )
    assert len(times) == AUDIENCE
    return max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))


def _assert_shared(desk: Desk, senders: list[CampaignSender]) -> None:
    # Any one second holds at most six 200 ms slots (24 turns); one more slot of slack for
    # network jitter. Each sender alone paces at 20/s, so the two unshared would send ~40.
    assert _busiest_second(desk.sandbox) <= RATE * 1.2 + 4
    assert all(len(s._sent_times) >= 5 for s in senders), [len(s._sent_times) for s in senders]


async def test_two_senders_on_one_postgresql_store_share_its_rate(
    sandbox: SandboxBotAPI, db_url: str
) -> None:
    if not db_url.startswith("postgres"):
        pytest.skip("an SQLite store has one process: it paces locally, nothing is shared")
    async with running_desk(sandbox, db_url, **FAST_OUTBOUND) as desk:
        # The bot's own sender shares the rate through the store; one more plays a replica.
        own: CampaignSender = desk.application.bot_data.campaign_sender
        assert isinstance(own.budget.counter, StoreSlotCounter)
        await own.stop()
        budgets = [shared_budget(rate=RATE, redis_url=None) for _ in range(2)]
        senders = await _send_with_two_senders(desk, budgets)
        _assert_shared(desk, senders)


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason=REDIS_SKIP_REASON)
async def test_two_senders_on_one_redis_share_its_rate(
    sandbox: SandboxBotAPI, sqlite_url: str, redis_prefix: str
) -> None:
    async with running_desk(sandbox, sqlite_url, redis_url=REDIS_URL, **FAST_OUTBOUND) as desk:
        own: CampaignSender = desk.application.bot_data.campaign_sender
        assert isinstance(own.budget.counter, RedisSlotCounter)  # Redis wins over SQLite
        await own.stop()
        # Their own key prefix, so that other runs on this Redis do not share the budget.
        budgets = [
            RateBudget(counter=RedisSlotCounter.from_url(REDIS_URL, prefix=redis_prefix), rate=RATE)
            for _ in range(2)
        ]
        senders = await _send_with_two_senders(desk, budgets)
        _assert_shared(desk, senders)


async def test_an_sqlite_desk_without_redis_paces_locally(
    sandbox: SandboxBotAPI, sqlite_url: str
) -> None:
    async with running_desk(sandbox, sqlite_url) as desk:
        assert desk.application.bot_data.campaign_sender.budget is None
