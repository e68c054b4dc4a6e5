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
    ForumTopic,
    InputMediaPhoto,
    Message,
    MessageReactionUpdated,
    ReactionTypeEmoji,
    TelegramObject,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.sandbox import SAMPLE_PNG, SandboxBotAPI

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


async def test_create_forum_topic_returns_forum_topic_and_posts_the_service_message(
    sandbox: SandboxBotAPI, bot: Bot
) -> None:
    topic = await bot.create_forum_topic(FORUM_ID, "Ticket #1", icon_color=0xFFD67E)
    assert isinstance(topic, ForumTopic)
    assert (topic.name, topic.icon_color, topic.icon_custom_emoji_id) == (
        "Ticket #1",
        0xFFD67E,
        None,
    )
    assert topic.api_kwargs == {}
    thread = topic.message_thread_id
    created = sandbox.messages_to(FORUM_ID, thread_id=thread)
    assert [m.method for m in created] == ["createForumTopic"]
    service = round_trip(Message, created[0].message, bot)
    assert service.message_id == thread
    assert service.is_topic_message and service.message_thread_id == thread
    assert service.forum_topic_created.name == "Ticket #1"

    default = await bot.create_forum_topic(
        FORUM_ID, "Ticket #2", icon_custom_emoji_id="5312536423581202898"
    )
    assert default.icon_color == 0x6FB9F0  # Telegram's first colour when none is given
    assert default.icon_custom_emoji_id == "5312536423581202898"  # a string, never a number
    assert default.message_thread_id != thread


async def test_forum_topic_errors(sandbox: SandboxBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^The chat is not a forum$"):
        await bot.create_forum_topic(PLAIN_ID, "x")
    sandbox.user(ALICE_ID, "Alice")
    with pytest.raises(BadRequest, match=r"^The chat is not a forum$"):
        await bot.create_forum_topic(ALICE_ID, "x")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.create_forum_topic(-1000, "x")
    sandbox.set_bot_member(FORUM_ID, "administrator", can_pin_messages=True)
    with pytest.raises(BadRequest, match=r"^Not enough rights to create a topic$"):
        await bot.create_forum_topic(FORUM_ID, "x")
    sandbox.set_bot_member(FORUM_ID, "member")
    with pytest.raises(BadRequest, match=r"^Not enough rights to create a topic$"):
        await bot.create_forum_topic(FORUM_ID, "x")
    sandbox.set_bot_member(FORUM_ID, "administrator", can_manage_topics=True)
    with pytest.raises(BadRequest, match=r"^Title must be non-empty$"):
        await bot.create_forum_topic(FORUM_ID, "  ")
    with pytest.raises(BadRequest, match=r"(?i)topic_id_invalid"):
        await bot.close_forum_topic(FORUM_ID, 999)
    assert sandbox.requests[-1].description == "Bad Request: TOPIC_ID_INVALID"  # as on the wire
    sandbox.set_bot_member(FORUM_ID, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.create_forum_topic(FORUM_ID, "x")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(FORUM_ID, "x")


async def test_edit_close_reopen_post_their_service_messages(
    sandbox: SandboxBotAPI, bot: Bot
) -> None:
    thread = (await bot.create_forum_topic(FORUM_ID, "Ticket")).message_thread_id
    assert await bot.edit_forum_topic(FORUM_ID, thread, name="Ticket: refund")
    assert await bot.edit_forum_topic(FORUM_ID, thread, icon_custom_emoji_id="777")
    assert await bot.edit_forum_topic(FORUM_ID, thread)  # nothing to change: True, no message
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.edit_forum_topic(FORUM_ID, thread, name="Ticket: refund")
    assert await bot.close_forum_topic(FORUM_ID, thread)
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.close_forum_topic(FORUM_ID, thread)
    assert sandbox.requests[-1].description == "Bad Request: TOPIC_NOT_MODIFIED"
    assert await bot.reopen_forum_topic(FORUM_ID, thread)
    assert sandbox.topic(FORUM_ID, thread)["name"] == "Ticket: refund"

    sent = sandbox.messages_to(FORUM_ID, thread_id=thread)
    assert [m.method for m in sent] == [
        "createForumTopic",
        "editForumTopic",
        "editForumTopic",
        "closeForumTopic",
        "reopenForumTopic",
    ]
    parsed = [round_trip(Message, m.message, bot) for m in sent]
    assert parsed[1].forum_topic_edited.name == "Ticket: refund"
    assert parsed[2].forum_topic_edited.icon_custom_emoji_id == "777"
    assert parsed[3].forum_topic_closed is not None
    assert parsed[4].forum_topic_reopened is not None
    assert all(p.reply_to_message.message_id == thread for p in parsed[1:])

    sandbox.set_bot_member(FORUM_ID, "administrator", can_pin_messages=True)
    other = sandbox.add_member  # a topic someone else made is not the bot's to close
    other(FORUM_ID, sandbox.user(BOB_ID, "Bob"), "administrator", can_manage_topics=True)
    sandbox._topics[FORUM_ID][thread]["creator_id"] = BOB_ID
    with pytest.raises(BadRequest, match=r"^Not enough rights to close or open the topic$"):
        await bot.close_forum_topic(FORUM_ID, thread)
    with pytest.raises(BadRequest, match=r"^Not enough rights to edit the topic$"):
        await bot.edit_forum_topic(FORUM_ID, thread, name="mine")


async def test_every_send_carries_the_thread(sandbox: SandboxBotAPI, bot: Bot) -> None:
    thread = (await bot.create_forum_topic(FORUM_ID, "Ticket")).message_thread_id
    other = (await bot.create_forum_topic(FORUM_ID, "Other")).message_thread_id
    first = await bot.send_message(FORUM_ID, "hello", message_thread_id=thread)
    sent = [
        first,
        await bot.send_photo(FORUM_ID, SAMPLE_PNG, message_thread_id=thread),
        await bot.send_document(FORUM_ID, b"x", filename="a.txt", message_thread_id=thread),
        await bot.send_voice(FORUM_ID, b"OggS", message_thread_id=thread),
        await bot.send_location(FORUM_ID, 1.0, 2.0, message_thread_id=thread),
        await bot.send_contact(FORUM_ID, "+100", "Al", message_thread_id=thread),
        *await bot.send_media_group(
            FORUM_ID,
            [InputMediaPhoto(SAMPLE_PNG), InputMediaPhoto(SAMPLE_PNG)],
            message_thread_id=thread,
        ),
        await bot.forward_message(FORUM_ID, FORUM_ID, first.message_id, message_thread_id=thread),
    ]
    assert all(m.message_thread_id == thread and m.is_topic_message for m in sent)
    assert all(m.reply_to_message.forum_topic_created.name == "Ticket" for m in sent)
    assert all(m.api_kwargs == {} for m in sent)
    copied = await bot.copy_message(FORUM_ID, FORUM_ID, first.message_id, message_thread_id=other)
    assert sandbox.messages_to(FORUM_ID, thread_id=other)[-1].message_id == copied.message_id
    assert await bot.send_chat_action(FORUM_ID, "typing", message_thread_id=thread)
    # the general topic: no thread fields
    general = await bot.send_message(FORUM_ID, "to all")
    assert general.message_thread_id is None and not general.is_topic_message
    assert len(sandbox.messages_to(FORUM_ID, thread_id=thread)) == 1 + len(sent)
    waited = await sandbox.wait_for_message(FORUM_ID, thread_id=other, contains="hello")
    assert waited.message_id == copied.message_id

    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(FORUM_ID, "x", message_thread_id=999)
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_chat_action(FORUM_ID, "typing", message_thread_id=999)


async def test_closed_topic_takes_messages_only_from_topic_managers(
    sandbox: SandboxBotAPI, bot: Bot
) -> None:
    thread = (await bot.create_forum_topic(FORUM_ID, "Ticket")).message_thread_id
    await bot.close_forum_topic(FORUM_ID, thread)
    assert (await bot.send_message(FORUM_ID, "admins may", message_thread_id=thread)).message_id
    sandbox.set_bot_member(FORUM_ID, "administrator", can_pin_messages=True)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(FORUM_ID, "x", message_thread_id=thread)
    assert sandbox.requests[-1].description == "Bad Request: TOPIC_CLOSED"
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_photo(FORUM_ID, SAMPLE_PNG, message_thread_id=thread)
    bob = sandbox.user(BOB_ID, "Bob")
    sandbox.add_member(FORUM_ID, bob)
    with pytest.raises(ValueError, match="closed"):
        sandbox.send_text(bob, "let me in", chat_id=FORUM_ID, thread_id=thread)


async def test_user_message_in_a_topic(sandbox: SandboxBotAPI, bot: Bot) -> None:
    thread = (await bot.create_forum_topic(FORUM_ID, "Ticket")).message_thread_id
    alice = sandbox.user(ALICE_ID, "Alice")
    sandbox.send_text(alice, "my order", chat_id=FORUM_ID, thread_id=thread)
    sandbox.send_text(alice, "in general", chat_id=FORUM_ID)
    with pytest.raises(ValueError, match="not a forum"):
        sandbox.send_text(alice, "x", chat_id=PLAIN_ID, thread_id=thread)
    updates = await bot.get_updates(timeout=0)
    topic_msg, general = (u.message for u in updates)
    assert topic_msg.api_kwargs == {}
    assert (topic_msg.message_thread_id, topic_msg.is_topic_message) == (thread, True)
    assert topic_msg.reply_to_message.message_id == thread
    assert topic_msg.reply_to_message.forum_topic_created.name == "Ticket"
    assert topic_msg.chat.is_forum
    assert general.message_thread_id is None and general.reply_to_message is None
    reply = await bot.send_message(
        FORUM_ID, "on it", message_thread_id=thread, reply_to_message_id=topic_msg.message_id
    )
    assert reply.reply_to_message.message_id == topic_msg.message_id


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
    thread = (await bot.create_forum_topic(FORUM_ID, "Ticket")).message_thread_id
    card = await bot.send_message(FORUM_ID, "Ticket card", message_thread_id=thread)
    assert await bot.pin_chat_message(FORUM_ID, card.message_id, disable_notification=True)
    assert sandbox.pinned_messages(FORUM_ID) == [card.message_id]
    service = sandbox.messages_to(FORUM_ID, thread_id=thread)[-1]
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
