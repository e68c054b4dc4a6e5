"""Hostile and broken input: the bot stays up, answers sensibly, stores every message once."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models import Customer, Direction, Message, Ticket
from handlers.text import TELEGRAM_LIMIT, split_message
from tests.desk import Desk

pytestmark = pytest.mark.e2e


# --- splitting our own long texts --------------------------------------------------------


def test_long_texts_split_on_line_boundaries_under_the_limit() -> None:
    lines = [f"<b>#{i}</b> line {i} " + "word " * 30 for i in range(200)]
    text = "\n".join(lines)
    chunks = split_message(text)
    assert len(chunks) > 1
    assert all(len(c) <= TELEGRAM_LIMIT for c in chunks)
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
    chunks = split_message(text)
    assert all(len(c) <= TELEGRAM_LIMIT for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


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
