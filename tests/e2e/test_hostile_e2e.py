"""Hostile and broken input: the bot stays up, answers sensibly, stores every message once."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox import parse_html
from crm.models import Customer, Direction, Message, Ticket
from handlers.text import TELEGRAM_LIMIT, esc, split_message
from tests.harness import Desk

pytestmark = pytest.mark.e2e


# --- splitting our own long texts --------------------------------------------------------


def test_long_texts_split_on_line_boundaries_under_the_limit() -> None:
    lines = [f"<b>#{i}</b> line {i} " + "word " * 30 for i in range(200)]
    text = "\n".join(lines)
    chunks = split_message(text)
    assert len(chunks) > 1
    assert all(len(parse_html(c)[0]) <= TELEGRAM_LIMIT for c in chunks)
    assert "\n".join(chunks) == text  # nothing lost, nothing cut mid-line
    for chunk in chunks:
        assert chunk.count("<b>") == chunk.count("</b>")


def test_a_single_overlong_line_is_cut_between_words() -> None:
    text = "word " * 2000
    chunks = split_message(text.strip())
    assert all(len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert all(not c.startswith(" ") and not c.endswith("wor") for c in chunks)
    assert " ".join(chunks).split() == text.split()


@given(st.text(min_size=1, max_size=12_000))
@settings(max_examples=200, deadline=None)
def test_split_never_exceeds_the_limit_or_loses_words(text: str) -> None:
    chunks = split_message(text, html=False)
    assert all(len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


# Mostly what escaping lengthens, some line breaks and spaces to cut at, and astral emoji.
MARKUPISH = st.sampled_from("&&&<<>>  \nab😀")


def _shown(parts: list[str]) -> str:
    """Return what Telegram shows of HTML parts, each checked as Telegram would."""
    shown = []
    for part in parts:
        plain, _ = parse_html(part)  # raises on a cut tag or entity
        assert 0 < len(plain) <= TELEGRAM_LIMIT
        shown.append(plain)
    return "".join(shown)


def test_escaped_text_is_cut_by_what_telegram_counts_never_inside_an_entity() -> None:
    text = "&<>" * 1366 + "&"  # 4,099 characters, 17,763 once escaped
    parts = split_message(f"<b>#7</b> {esc(text)}")
    assert len(parts) == 2
    assert _shown(parts) == f"#7 {text}"  # every character, in order


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "b", "i", "code"]),
            st.text(MARKUPISH, min_size=200, max_size=4000),
        ),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=100, deadline=None)
def test_html_parts_parse_stay_under_the_limit_and_keep_every_word(
    pieces: list[tuple[str, str]],
) -> None:
    html_text = "".join(f"<{t}>{esc(x)}</{t}>" if t else esc(x) for t, x in pieces)
    shown = _shown(split_message(html_text))
    assert "".join(shown.split()) == "".join("".join(x for _, x in pieces).split())


# --- through the real bot ------------------------------------------------------------------


async def test_commands_with_the_bot_username_suffix_work(desk: Desk) -> None:
    reply = await desk.send_text(desk.customer(), "/help@crm_sandbox_bot")
    assert "/feedback" in reply.text


async def test_dice_and_other_unsupported_content_are_declined_politely(desk: Desk) -> None:
    alice = desk.customer()
    chat = {"id": alice.id, "type": "private", "first_name": "Alice"}
    desk.sandbox.post_update(
        {
            "message": {
                "message_id": 90,
                "date": 1,
                "chat": chat,
                "from": alice.to_dict(),
                "dice": {"emoji": "🎲", "value": 3},
            }
        }
    )
    reply = await desk.sandbox.wait_for_message(alice.id)
    assert "can't take this kind of message" in reply.text
    assert await Message.all().count() == 0


async def test_channel_posts_are_ignored_without_crashing(desk: Desk) -> None:
    desk.sandbox.post_update(
        {
            "channel_post": {
                "message_id": 5,
                "date": 1,
                "text": "news",
                "chat": {"id": -1001, "type": "channel", "title": "News"},
            }
        }
    )
    await desk.settle()
    reply = await desk.send_text(desk.customer(), "still alive?")
    assert "opened ticket" in reply.text


async def test_forget_me_erases_personal_data_after_confirmation(desk: Desk) -> None:
    alice = desk.sandbox.user(501, "Alice", last_name="Doe", username="alice")
    await desk.send_text(alice, "My address is 1 Main St, call +1 555 0100")
    ticket = await Ticket.get()
    question = await desk.send_text(alice, "/forget_me")
    assert "cannot be undone" in question.text
    yes, no = question.button_data()
    mallory = desk.customer(666, "Mallory")
    await desk.send_text(mallory, "hi")
    refused = await desk.press(mallory, question, yes)
    assert refused.show_alert and await Customer.filter(first_name="Alice").count() == 1

    await desk.press(alice, question, yes)
    await desk.settle()
    customer = await Customer.get(id=(await ticket.customer).id)
    assert (customer.telegram_id, customer.first_name, customer.username) == (None, "", None)
    texts = await Message.filter(ticket=ticket).values_list("text", flat=True)
    assert texts == [""]
    assert await Ticket.filter(id=ticket.id).count() == 1  # counts for reports stay


HOSTILE = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(
        [
            "'; DROP TABLE ticket; --",
            "<b>bold</b> <i>x",
            "*bold* _it_ [x](http://e.vil)",
            "\u202egnp.exe",
            "zero\u200bwidth",
            "emoji 😀🔥👍🏽",
            "NUL\x00byte",
            "/start@other_bot",
            "/" + "x" * 70,
            "&amp; &lt; <a href='x'>",
            "\n\n\n",
            "مرحبا بالعالم",
            "你好" * 100,
        ]
    ),
)


@given(texts=st.lists(HOSTILE, min_size=20, max_size=40))
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_hostile_updates_leave_the_bot_responsive_and_store_each_message_once(
    desk: Desk, texts: list[str]
) -> None:
    before = await Message.filter(direction=Direction.INBOUND).count()
    users = [desk.sandbox.user(800 + i, f"U{i}") for i in range(5)]
    sent = 0
    for index, text in enumerate(texts):
        body = text.strip() or "."
        if body.startswith("/"):
            body = "x" + body  # commands are not messages; keep the count exact
        desk.sandbox.send_text(users[index % len(users)], body)
        sent += 1
    await desk.settle(timeout=30)
    after = await Message.filter(direction=Direction.INBOUND).count()
    assert after - before == sent
    reply = await desk.send_text(desk.customer(999, "Probe"), "/help")
    assert "/feedback" in reply.text


async def test_a_message_of_only_nul_characters_still_reaches_a_ticket(desk: Desk) -> None:
    alice = desk.customer()
    desk.sandbox.send_text(alice, "\x00")
    desk.sandbox.send_text(alice, "a\x00b")
    await desk.settle()
    texts = (
        await Message.filter(direction=Direction.INBOUND)
        .order_by("id")
        .values_list("text", flat=True)
    )
    assert texts == ["\ufffd", "ab"]


async def test_commands_in_captions_and_forwarded_messages_are_kept(desk: Desk) -> None:
    alice = desk.customer()
    await desk.expect_reply(
        alice, lambda: desk.sandbox.send_photo(alice, caption="/complain broken")
    )
    bob = desk.sandbox.user(777, "Bob")
    await desk.expect_reply(
        alice, lambda: desk.sandbox.send_text(alice, "see this", forward_from=bob)
    )
    rows = await Message.all().order_by("id").values_list("text", "media_type")
    assert [(text, media and media.value) for text, media in rows] == [
        ("/complain broken", "photo"),
        ("see this", None),
    ]
    assert await Ticket.all().count() == 1


# --- long customer texts reach staff whole ---------------------------------------------------

LONG = "&<>" * 1365 + "&"  # 4,096 characters, Telegram's most; 17,750 once escaped


async def _agent_online(desk: Desk) -> object:
    await desk.send_text(desk.sandbox.user(9001, "Maya"), "/agent_add 7001 Anna")
    anna = desk.sandbox.user(7001, "Anna")
    await desk.send_text(anna, "/online")
    return anna


def _texts_since(desk: Desk, chat_id: int, start: int) -> str:
    return "".join(m.plain_text or "" for m in desk.sandbox.messages_to(chat_id)[start:])


async def test_a_longest_message_full_of_markup_characters_reaches_the_agent_whole(
    desk: Desk,
) -> None:
    anna = await _agent_online(desk)
    alice = desk.customer()
    # The first one opens the ticket: its card (subject and preview) carries it whole.
    card_at = len(desk.sandbox.messages_to(anna.id))
    await desk.send_text(alice, LONG)
    await desk.settle()
    ticket = await Ticket.get()
    assert ticket.subject.startswith("&<>&<>") and await ticket.assignee is not None
    card = _texts_since(desk, anna.id, card_at)
    assert card.startswith("New ticket for you") and LONG in card

    forward_at = len(desk.sandbox.messages_to(anna.id))
    ack = await desk.send_text(alice, LONG[::-1])
    assert f"#{ticket.id}" in ack.text
    await desk.settle()
    forwarded = _texts_since(desk, anna.id, forward_at)
    assert forwarded == f"💬 #{ticket.id} Alice Doe: {LONG[::-1]}"
    assert not [c for c in desk.sandbox.calls("sendMessage") if c.status != 200]


async def test_ticket_history_with_longest_messages_arrives_whole(desk: Desk) -> None:
    anna = await _agent_online(desk)
    alice = desk.customer()
    texts = [LONG, "<b>not bold</b> & " * 200, LONG[::-1]]
    for text in texts:
        await desk.send_text(alice, text)
    ticket = await Ticket.get()
    await desk.settle()
    start = len(desk.sandbox.messages_to(anna.id))
    await desk.send_text(anna, f"/ticket {ticket.id}")
    await desk.settle()
    parts = desk.sandbox.messages_to(anna.id)[start:]
    assert len(parts) >= 4 and all(m.parse_mode == "HTML" for m in parts)
    history = "".join(m.plain_text or "" for m in parts)
    assert f"Subject: {ticket.subject}" in history
    for text in texts:
        assert text.strip() in history
    assert not [c for c in desk.sandbox.calls("sendMessage") if c.status != 200]


async def test_the_queue_with_long_names_and_subjects_is_split_with_its_buttons_last(
    desk: Desk,
) -> None:
    await desk.send_text(desk.sandbox.user(9001, "Maya"), "/agent_add 7001 Anna")
    anna = desk.sandbox.user(7001, "Anna")  # offline: everything waits
    for i in range(20):
        name = "&<" * 32
        customer = desk.sandbox.user(900 + i, name, last_name=f"{i}" + "<>" * 31)
        await desk.send_text(customer, "&<>" * 30)
    start = len(desk.sandbox.messages_to(anna.id))
    await desk.send_text(anna, "/queue")
    await desk.settle()
    parts = desk.sandbox.messages_to(anna.id)[start:]
    assert len(parts) == 2
    assert parts[0].button_data() == [] and len(parts[1].button_data()) == 8
    shown = "".join(m.plain_text or "" for m in parts)
    assert all(f"#{t.id} " in shown for t in await Ticket.all())
