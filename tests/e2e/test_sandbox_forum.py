"""The sandbox's forum supergroups, members and rights, driven by python-telegram-bot's own Bot.

Every object the sandbox answers or posts is read back with PTB's de_json and written out again
with to_dict: a field PTB does not know lands in api_kwargs, a field PTB requires and the sandbox
left out fails the parse, so the shapes are PTB's (the installed version is the reference).
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ChatMemberUpdated,
    Message,
    MessageReactionUpdated,
    ReactionTypeEmoji,
    TelegramObject,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.sandbox import SandboxBotAPI

FORUM_ID = -1009001
PLAIN_ID = -1009002
ALICE_ID = 1001
BOB_ID = 1002


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's timedelta attributes so RetryAfter does not emit a deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxBotAPI]:
    """Run a sandbox with a forum (the bot an admin that manages topics) and a plain group."""
    async with SandboxBotAPI() as sb:
        sb.group(FORUM_ID, "Desk", chat_type="supergroup", is_forum=True)
        sb.group(PLAIN_ID, "Plain", chat_type="supergroup")
        alice = sb.user(ALICE_ID, "Alice")
        sb.add_member(FORUM_ID, alice, "creator")
        sb.set_bot_member(FORUM_ID, "administrator", can_manage_topics=True, can_pin_messages=True)
        yield sb


@pytest.fixture
async def bot(sandbox: SandboxBotAPI) -> AsyncIterator[Bot]:
    """Provide a bare, initialized PTB Bot pointed at the sandbox."""
    async with Bot(sandbox.token, base_url=sandbox.api_url) as ptb_bot:
        yield ptb_bot


def lost(sent: Any, back: Any, path: str = "") -> list[str]:
    """Return where `back` (PTB's to_dict) differs from `sent`; empty lists may vanish (PTB drops
    them) and PTB's own False defaults (Message.group_chat_created...) may appear."""
    if isinstance(sent, dict) and isinstance(back, dict):
        missing = [f"{path}.{k}" for k in sent if k not in back and sent[k] != []]
        extra = [f"{path}.{k}+" for k in back if k not in sent and back[k] is not False]
        shared = (lost(sent[k], back[k], f"{path}.{k}") for k in sent if k in back)
        return missing + extra + [p for found in shared for p in found]
    if isinstance(sent, list) and isinstance(back, list) and len(sent) == len(back):
        return [
            p
            for i, (a, b) in enumerate(zip(sent, back, strict=True))
            for p in lost(a, b, f"{path}[{i}]")
        ]
    return [] if sent == back else [f"{path}: {sent!r} != {back!r}"]


def round_trip(cls: type[TelegramObject], data: dict[str, Any], bot: Bot) -> Any:
    """Parse `data` with PTB and check nothing was unknown and nothing is lost on the way back."""
    parsed = cls.de_json(dict(data), bot)
    assert parsed.api_kwargs == {}, parsed.api_kwargs
    assert lost(data, parsed.to_dict()) == []
    return parsed


@pytest.mark.parametrize(
    ("status", "rights", "cls"),
    [
        ("creator", {"custom_title": "Boss"}, ChatMemberOwner),
        (
            "administrator",
            {"can_manage_topics": True, "can_pin_messages": True},
            ChatMemberAdministrator,
        ),
        ("member", {}, ChatMemberMember),
        ("restricted", {"can_send_messages": True}, ChatMemberRestricted),
        ("left", {}, ChatMemberLeft),
        ("kicked", {}, ChatMemberBanned),
    ],
)
async def test_get_chat_member_shapes(
    sandbox: SandboxBotAPI, bot: Bot, status: str, rights: dict[str, Any], cls: type
) -> None:
    bob = sandbox.user(BOB_ID, "Bob")
    sandbox.add_member(FORUM_ID, bob, status, **rights)
    member = await bot.get_chat_member(FORUM_ID, BOB_ID)
    assert type(member) is cls
    raw = sandbox.requests[-1]
    assert raw.status == 200
    data = sandbox._member_of(FORUM_ID, BOB_ID)
    assert round_trip(ChatMember, data, bot) == member
    assert member.api_kwargs == {}
    if status == "kicked":
        assert member.until_date == dtm.datetime.fromtimestamp(0, dtm.UTC)


async def test_get_chat_member_and_administrators(sandbox: SandboxBotAPI, bot: Bot) -> None:
    me = await bot.get_chat_member(FORUM_ID, sandbox.bot_id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_manage_topics
    assert not me.can_delete_messages
    sandbox.user(BOB_ID, "Bob")
    assert isinstance(await bot.get_chat_member(FORUM_ID, BOB_ID), ChatMemberLeft)
    with pytest.raises(BadRequest, match=r"^User not found$"):
        await bot.get_chat_member(FORUM_ID, 4242)
    assert isinstance(await bot.get_chat_member(PLAIN_ID, sandbox.bot_id), ChatMemberMember)

    sandbox.add_member(
        FORUM_ID, sandbox.user(BOB_ID, "Bob"), "administrator", can_delete_messages=True
    )
    admins = await bot.get_chat_administrators(FORUM_ID)
    assert {type(a) for a in admins} == {ChatMemberOwner, ChatMemberAdministrator}
    assert {a.user.id for a in admins} == {ALICE_ID, BOB_ID, sandbox.bot_id}
    with pytest.raises(BadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(ALICE_ID)


async def test_pin_and_unpin(sandbox: SandboxBotAPI, bot: Bot) -> None:
    card = await bot.send_message(FORUM_ID, "Ticket card")
    assert await bot.pin_chat_message(FORUM_ID, card.message_id, disable_notification=True)
    assert sandbox.pinned_messages(FORUM_ID) == [card.message_id]
    service = sandbox.messages_to(FORUM_ID)[-1]
    assert service.method == "pinChatMessage"
    parsed = round_trip(Message, service.message, bot)
    assert parsed.pinned_message.message_id == card.message_id
    assert await bot.unpin_chat_message(FORUM_ID)
    assert sandbox.pinned_messages(FORUM_ID) == []
    with pytest.raises(BadRequest, match=r"^Message to pin not found$"):
        await bot.pin_chat_message(FORUM_ID, 999)
    with pytest.raises(BadRequest, match=r"^Message to unpin not found$"):
        await bot.unpin_chat_message(FORUM_ID, 999)
    sandbox.set_bot_member(FORUM_ID, "administrator", can_manage_topics=True)
    with pytest.raises(
        BadRequest, match=r"^Not enough rights to manage pinned messages in the chat$"
    ):
        await bot.pin_chat_message(FORUM_ID, card.message_id)
    sandbox.user(BOB_ID, "Bob")
    private = await bot.send_message(BOB_ID, "pin me")
    assert await bot.pin_chat_message(BOB_ID, private.message_id)  # no rights in private chats


async def test_my_chat_member_update_and_default_delivery(sandbox: SandboxBotAPI, bot: Bot) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    sandbox.set_bot_member(FORUM_ID, "administrator", by=alice, can_manage_topics=False)
    sandbox.set_bot_member(FORUM_ID, "left", by=alice)
    updates = await bot.get_updates(timeout=0)  # default allowed_updates: delivered
    assert [u.my_chat_member is not None for u in updates] == [True, True]
    promoted, removed = (u.my_chat_member for u in updates)
    raw = sandbox.requests[-1]
    assert raw.method == "getUpdates"
    assert isinstance(promoted.old_chat_member, ChatMemberAdministrator)
    assert promoted.old_chat_member.can_manage_topics
    assert not promoted.new_chat_member.can_manage_topics
    assert isinstance(removed.new_chat_member, ChatMemberLeft)
    assert removed.from_user.id == ALICE_ID and removed.chat.id == FORUM_ID
    assert promoted.api_kwargs == {}
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(FORUM_ID, "still here?")

    sandbox.set_bot_member(FORUM_ID, "administrator", by=alice)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0, allowed_updates=["message"])
    assert sandbox.awaiting_bot == 0  # my_chat_member not asked for: not delivered


async def test_message_reaction_only_when_asked_for(sandbox: SandboxBotAPI, bot: Bot) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    card = await bot.send_message(FORUM_ID, "Ticket card")
    assert sandbox.react(alice, FORUM_ID, card.message_id, ["👍"]) is not None
    assert await bot.get_updates(timeout=0) == ()  # default allowed_updates leave it out
    sandbox.react(alice, FORUM_ID, card.message_id, ["🔥", "👍"])
    updates = await bot.get_updates(timeout=0, allowed_updates=["message_reaction"])
    assert len(updates) == 2
    second = updates[1].message_reaction
    assert isinstance(second, MessageReactionUpdated)
    assert second.old_reaction == (ReactionTypeEmoji("👍"),)
    assert second.new_reaction == (ReactionTypeEmoji("🔥"), ReactionTypeEmoji("👍"))
    assert second.user.id == ALICE_ID and second.message_id == card.message_id
    assert isinstance(second.date, dtm.datetime)
    assert updates[1].api_kwargs == {} and second.api_kwargs == {}
    data = Update.de_json(updates[1].to_dict(), bot).to_dict()
    assert data == updates[1].to_dict()

    sandbox.set_bot_member(FORUM_ID, "member")  # only administrators hear of reactions
    assert sandbox.react(alice, FORUM_ID, card.message_id, []) is None


def test_update_shapes_round_trip(sandbox: SandboxBotAPI) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    bot = Bot(sandbox.token)
    sandbox.set_bot_member(FORUM_ID, "administrator", by=alice, can_manage_topics=True)
    sandbox.send_text(alice, "react to me", chat_id=FORUM_ID)
    reaction = sandbox.react(alice, FORUM_ID, sandbox._last_message_id[FORUM_ID], ["👍"])
    assert reaction is not None
    updated = round_trip(MessageReactionUpdated, reaction, bot)
    assert updated.new_reaction == (ReactionTypeEmoji("👍"),)
    member_update = sandbox._updates[0]["my_chat_member"]
    assert isinstance(round_trip(ChatMemberUpdated, member_update, bot), ChatMemberUpdated)


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
