"""The sandbox's groups, forum supergroups, members and rights, driven by PTB's own Bot."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.sandbox import SandboxBotAPI

FORUM_ID = -1009001
PLAIN_ID = -1009002
ALICE_ID = 1001


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's timedelta attributes so RetryAfter does not emit a deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxBotAPI]:
    """Run a sandbox with two supergroups."""
    async with SandboxBotAPI() as sb:
        sb.group(FORUM_ID, "Desk", chat_type="supergroup")
        sb.group(PLAIN_ID, "Plain", chat_type="supergroup")
        yield sb


@pytest.fixture
async def bot(sandbox: SandboxBotAPI) -> AsyncIterator[Bot]:
    """Provide a bare, initialized PTB Bot pointed at the sandbox."""
    async with Bot(sandbox.token, base_url=sandbox.api_url) as ptb_bot:
        yield ptb_bot


async def test_group_limit_of_twenty_a_minute(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.set_rate_limits(global_per_second=1000, per_chat_per_second=1000)
    for i in range(20):
        await bot.send_message(PLAIN_ID, f"m{i}")
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(PLAIN_ID, "one too many")
    assert dtm.timedelta(seconds=50) < retry.value.retry_after <= dtm.timedelta(seconds=60)
    assert sandbox.rate_limited_calls == 1
    await bot.send_message(FORUM_ID, "another group is fine")
    sandbox.user(ALICE_ID, "Alice")
    for i in range(25):
        await bot.send_message(ALICE_ID, f"private {i}")  # private chats: no group limit
    sandbox.set_rate_limits(per_group_per_minute=2)
    await bot.send_message(FORUM_ID, "a")
    await bot.send_message(FORUM_ID, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(FORUM_ID, "c")
    sandbox.set_rate_limits()
    for i in range(25):
        await bot.send_message(PLAIN_ID, f"unlimited {i}")
