"""Customers in Telegram: the real bot, over HTTP, against the sandbox Bot API."""

from __future__ import annotations

import logging

import pytest

from crm.models import (
    Customer,
    Direction,
    MediaType,
    Message,
    Priority,
    Rating,
    Ticket,
    TicketKind,
    TicketStatus,
)
from tests.factories import make_customer
from tests.harness import Desk, eventually, running_desk

pytestmark = pytest.mark.e2e


async def test_start_registers_the_customer_and_greets_them(desk: Desk) -> None:
    alice = desk.sandbox.user(501, "Alice", last_name="Doe", username="alice", language_code="en")
    reply = await desk.send_text(alice, "/start")

    assert "Hello, Alice!" in reply.text
    assert "/complain" in reply.text and "/rate" in reply.text
    customer = await Customer.get(telegram_id=501)
    assert (customer.first_name, customer.last_name, customer.username) == ("Alice", "Doe", "alice")
    assert customer.language_code == "en"
    assert await Ticket.all().count() == 0


async def test_start_again_updates_the_profile_without_a_second_customer(desk: Desk) -> None:
    await desk.send_text(desk.customer(501, "Alice"), "/start")
    renamed = desk.sandbox.user(501, "Alicia", username="alicia", language_code="zh-hans")
    reply = await desk.send_text(renamed, "/start")
    assert "您好" in reply.text
    customer = await Customer.get(telegram_id=501)
    assert (customer.first_name, customer.username, customer.language_code) == (
        "Alicia",
        "alicia",
        "zh-hans",
    )
    assert await Customer.all().count() == 1


async def test_help_lists_the_commands(desk: Desk) -> None:
    reply = await desk.send_text(desk.customer(), "/help")
    for command in ("/feedback", "/complain", "/rate", "/tickets", "/close"):
        assert command in reply.text


async def test_command_menu_is_published_in_both_languages(desk: Desk) -> None:
    calls = [c for c in desk.sandbox.requests if c.method == "setMyCommands"]
    languages = {c.params.get("language_code") for c in calls}
    assert languages == {None, "zh"}
    names = {c["command"] for c in calls[0].params["commands"]}
    assert names == {
        "start",
        "help",
        "feedback",
        "complain",
        "rate",
        "tickets",
        "close",
        "phone",
        "stop",
        "forget_me",
    }


async def test_first_message_opens_a_ticket_and_later_ones_join_it(desk: Desk) -> None:
    alice = desk.customer()
    first = await desk.send_text(alice, "Where is my order 1042?")
    ticket = await Ticket.get(customer__telegram_id=alice.id)
    assert first.text == f"Thanks! We've opened ticket #{ticket.id} for you. We'll reply here."
    second = await desk.send_text(alice, "It was due Monday.")
    assert second.text == f"Got it, added to your ticket #{ticket.id}."

    assert ticket.kind is TicketKind.INQUIRY and ticket.status is TicketStatus.OPEN
    messages = await Message.filter(ticket=ticket).order_by("id")
    await desk.settle()
    messages = await Message.filter(ticket=ticket).order_by("id")
    assert [m.text for m in messages] == ["Where is my order 1042?", "It was due Monday."]
    assert all(m.direction is Direction.INBOUND for m in messages)
    assert all(m.acknowledged_at is not None for m in messages)
    assert await Ticket.all().count() == 1


async def test_chinese_customer_is_answered_in_chinese(desk: Desk) -> None:
    li = desk.customer(502, "李雷", language_code="zh-hans", last_name=None)
    reply = await desk.send_text(li, "你好，我想改地址")
    ticket = await Ticket.get(customer__telegram_id=502)
    assert reply.text == f"谢谢！我们已为您创建工单 #{ticket.id}，稍后会在这里回复您。"


@pytest.mark.parametrize(
    ("kind", "send"),
    [
        ("photo", lambda sb, u: sb.send_photo(u, caption="the damage")),
        (
            "document",
            lambda sb, u: sb.send_document(
                u,
                file_name="invoice.pdf",
                content=b"%PDF-1.4 test",
                caption="the damage",
                mime_type="application/pdf",
            ),
        ),
        ("voice", lambda sb, u: sb.send_voice(u, caption="the damage")),
        ("sticker", lambda sb, u: sb.send_sticker(u, emoji="😡")),
    ],
)
async def test_media_are_stored_as_file_id_type_and_caption(desk: Desk, kind: str, send) -> None:
    alice = desk.customer()
    before = len(desk.sandbox.messages_to(alice.id))
    sent = send(desk.sandbox, alice)
    reply = await desk.sandbox.wait_for_message(alice.id, count=before + 1)
    ticket = await Ticket.get(customer__telegram_id=alice.id)
    assert f"#{ticket.id}" in reply.text

    stored = await Message.get(ticket=ticket)
    assert stored.media_type is MediaType(kind)
    expected_file_id = sent["photo"][-1]["file_id"] if kind == "photo" else sent[kind]["file_id"]
    assert stored.file_id == expected_file_id
    assert stored.text == ("😡" if kind == "sticker" else "the damage")
    assert stored.telegram_message_id == sent["message_id"]


async def test_stored_file_id_downloads_the_customers_file(desk: Desk) -> None:
    alice = desk.customer()
    content = b"%PDF-1.4 the real invoice bytes"
    await desk.expect_reply(
        alice,
        lambda: desk.sandbox.send_document(
            alice, file_name="invoice.pdf", content=content, mime_type="application/pdf"
        ),
    )
    stored = await Message.get(ticket__customer__telegram_id=alice.id)
    file = await desk.application.bot.get_file(stored.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_feedback_opens_a_feedback_ticket(desk: Desk) -> None:
    alice = desk.customer()
    await desk.send_text(alice, "Where is my order?")
    reply = await desk.send_text(alice, "/feedback Love the new\npackaging!")
    ticket = await Ticket.get(kind=TicketKind.FEEDBACK)
    assert reply.text == f"Thank you for your feedback! It is logged as ticket #{ticket.id}."
    assert (await Message.get(ticket=ticket)).text == "Love the new\npackaging!"
    assert await Ticket.all().count() == 2


async def test_complaint_opens_a_high_priority_ticket(desk: Desk) -> None:
    alice = desk.customer()
    reply = await desk.send_text(alice, "/complain Charged twice for order 2231")
    ticket = await Ticket.get(kind=TicketKind.COMPLAINT)
    assert ticket.priority is Priority.HIGH
    assert ticket.subject == "Charged twice for order 2231"
    assert f"#{ticket.id}" in reply.text and "high priority" in reply.text


@pytest.mark.parametrize("command", ["/feedback", "/complain", "/feedback    "])
async def test_feedback_or_complaint_without_text_explains_and_stores_nothing(
    desk: Desk, command: str
) -> None:
    reply = await desk.send_text(desk.customer(), command)
    assert "after the command" in reply.text
    assert await Ticket.all().count() == 0
    assert await Message.all().count() == 0


async def test_low_rating_stays_open_for_a_human(desk: Desk) -> None:
    alice = desk.customer()
    reply = await desk.send_text(alice, "/rate 2 slow answers")
    ticket = await Ticket.get(kind=TicketKind.RATING)
    assert ticket.status is TicketStatus.OPEN
    assert f"#{ticket.id} is open" in reply.text
    rating = await Rating.get(ticket=ticket)
    assert (rating.score, rating.comment) == (2, "slow answers")


async def test_good_rating_resolves_at_once(desk: Desk) -> None:
    reply = await desk.send_text(desk.customer(), "/rate 5")
    ticket = await Ticket.get(kind=TicketKind.RATING)
    assert ticket.status is TicketStatus.RESOLVED and ticket.resolved_at is not None
    assert reply.text == f"Thank you for rating us 5/5! (ticket #{ticket.id})"
    assert (await Rating.get(ticket=ticket)).score == 5


@pytest.mark.parametrize("text", ["/rate", "/rate abc", "/rate 9", "/rate 0", "/rate 4.5"])
async def test_bad_ratings_explain_and_store_nothing(desk: Desk, text: str) -> None:
    reply = await desk.send_text(desk.customer(), text)
    assert "from 1 to 5" in reply.text
    assert await Ticket.all().count() == 0
    assert await Rating.all().count() == 0


async def test_tickets_lists_the_customers_own_tickets(desk: Desk) -> None:
    alice, bob = desk.customer(501, "Alice"), desk.customer(502, "Bob")
    empty = await desk.send_text(alice, "/tickets")
    assert "no tickets yet" in empty.text

    await desk.send_text(alice, "Where is my order?")
    await desk.send_text(alice, "/feedback nice shop")
    await desk.send_text(bob, "/complain Bob's private problem")
    reply = await desk.send_text(alice, "/tickets")

    alices = await Ticket.filter(customer__telegram_id=501).order_by("id")
    for ticket in alices:
        assert f"#{ticket.id} · {ticket.kind.value} · open" in reply.text
    assert "Where is my order?" in reply.text and "nice shop" in reply.text
    assert "Bob's private problem" not in reply.text


async def test_customer_closes_their_open_ticket(desk: Desk) -> None:
    alice = desk.customer()
    await desk.send_text(alice, "Where is my order?")
    ticket = await Ticket.get(customer__telegram_id=alice.id)
    reply = await desk.send_text(alice, f"/close {ticket.id}")
    assert reply.text == f"Ticket #{ticket.id} is closed. Write any time to open a new one."
    await ticket.refresh_from_db()
    assert ticket.status is TicketStatus.RESOLVED

    again = await desk.send_text(alice, f"/close {ticket.id}")
    assert again.text == f"Ticket #{ticket.id} is already closed."
    none_open = await desk.send_text(alice, "/close")
    assert none_open.text == "You have no open tickets."

    new = await desk.send_text(alice, "One more question")
    assert f"opened ticket #{ticket.id + 1}" in new.text


async def test_close_without_number_closes_the_latest_open_ticket(desk: Desk) -> None:
    alice = desk.customer()
    await desk.send_text(alice, "question one")
    reply = await desk.send_text(alice, "/close")
    ticket = await Ticket.get(customer__telegram_id=alice.id)
    assert ticket.status is TicketStatus.RESOLVED
    assert f"#{ticket.id} is closed" in reply.text


@pytest.mark.parametrize("target", ["999", "theirs"])
async def test_close_of_a_missing_or_foreign_ticket_changes_nothing(
    desk: Desk, target: str
) -> None:
    alice, bob = desk.customer(501, "Alice"), desk.customer(502, "Bob")
    await desk.send_text(bob, "Bob's question")
    bobs = await Ticket.get(customer__telegram_id=502)
    number = bobs.id if target == "theirs" else 999
    reply = await desk.send_text(alice, f"/close {number}")
    assert reply.text == f"I can't find a ticket #{number} of yours."
    await bobs.refresh_from_db()
    assert bobs.status is TicketStatus.OPEN


async def test_close_with_junk_number_explains(desk: Desk) -> None:
    reply = await desk.send_text(desk.customer(), "/close abc")
    assert "for example: /close 12" in reply.text


async def test_edited_message_updates_the_store_and_keeps_history(desk: Desk) -> None:
    alice = desk.customer()
    before = len(desk.sandbox.messages_to(alice.id))
    sent = desk.sandbox.send_text(alice, "my odrer is late")
    await desk.sandbox.wait_for_message(alice.id, count=before + 1)
    desk.sandbox.edit_text(alice, sent["message_id"], "my order is late")
    stored = await eventually(_edited_message(sent["message_id"]))
    assert stored.text == "my order is late"
    assert [h["text"] for h in stored.edit_history] == ["my odrer is late"]
    assert await Message.all().count() == 1


def _edited_message(message_id: int):
    async def check() -> Message | None:
        stored = await Message.get_or_none(telegram_message_id=message_id)
        return stored if stored is not None and stored.edited_at is not None else None

    return check


async def test_group_messages_are_not_tickets(desk: Desk) -> None:
    alice = desk.customer()
    desk.sandbox.send_text(alice, "hello everyone", chat_id=-100123, chat_type="supergroup")
    desk.sandbox.send_text(alice, "/start", chat_id=-100123, chat_type="supergroup")
    reply = await desk.sandbox.wait_for_message(-100123)
    assert "private chat" in reply.text
    await desk.settle()
    assert len(desk.sandbox.messages_to(-100123)) == 1
    assert await Ticket.all().count() == 0
    assert await Message.all().count() == 0


async def test_unknown_command_is_answered(desk: Desk) -> None:
    reply = await desk.send_text(desk.customer(), "/refund_me_now")
    assert "/help" in reply.text
    assert await Ticket.all().count() == 0


async def test_redelivered_update_is_stored_and_acknowledged_once(desk: Desk) -> None:
    alice = desk.customer()
    sent = desk.sandbox.send_text(alice, "Where is my order?")
    await desk.sandbox.wait_for_message(alice.id)
    # Telegram delivers the very same message again (e.g. after a network retry).
    desk.sandbox.post_update({"message": sent})
    desk.sandbox.post_update({"message": sent})
    await desk.settle()
    assert await Message.all().count() == 1
    assert await Ticket.all().count() == 1
    assert len(desk.sandbox.messages_to(alice.id)) == 1


async def test_failed_acknowledgement_keeps_the_message_and_apologises(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    alice = desk.customer()
    desk.sandbox.inject_fault("sendMessage", status=400, description="Bad Request: boom", times=1)
    desk.sandbox.send_text(alice, "Please call me back")
    apology = await desk.sandbox.wait_for_message(alice.id)
    await desk.settle()
    assert "Sorry, something went wrong" in apology.text
    stored = await Message.get(text="Please call me back")
    assert stored.acknowledged_at is None  # the ack never went out, the message is safe
    assert "error while handling update" in caplog.text


async def test_redelivery_after_a_failed_ack_acknowledges_it_then(desk: Desk) -> None:
    alice = desk.customer()
    desk.sandbox.inject_fault("sendMessage", status=400, description="Bad Request: boom", times=2)
    sent = desk.sandbox.send_text(alice, "Please call me back")
    await desk.settle()
    assert desk.sandbox.messages_to(alice.id) == []
    desk.sandbox.post_update({"message": sent})
    reply = await desk.sandbox.wait_for_message(alice.id)
    await desk.settle()
    ticket = await Ticket.get()
    assert f"#{ticket.id}" in reply.text
    assert await Message.all().count() == 1
    assert (await Message.get()).acknowledged_at is not None


async def test_restart_on_the_same_database_continues_the_ticket(sandbox, db_url: str) -> None:
    alice = sandbox.user(501, "Alice")
    async with running_desk(sandbox, db_url) as desk:
        await desk.send_text(alice, "/start")
        first = await desk.send_text(alice, "Where is my order?")
    async with running_desk(sandbox, db_url) as desk:
        second = await desk.send_text(alice, "Any news?")
        ticket = await Ticket.get()
        assert f"opened ticket #{ticket.id}" in first.text
        assert second.text == f"Got it, added to your ticket #{ticket.id}."
        assert await Customer.all().count() == 1
        assert await Message.filter(ticket=ticket).count() == 2


async def test_many_customers_at_once_each_get_their_own_ticket(desk: Desk) -> None:
    users = [desk.customer(600 + i, f"User{i}") for i in range(20)]
    for user in users:
        for n in range(3):
            desk.sandbox.send_text(user, f"message {n} from {user.first_name}")
    for user in users:
        await desk.sandbox.wait_for_message(user.id, count=3, timeout=15)
    assert await Ticket.all().count() == 20
    assert await Message.all().count() == 60
    for user in users:
        replies = [m.text for m in desk.sandbox.messages_to(user.id)]
        assert replies[0].startswith("Thanks! We've opened ticket")
        assert all(r.startswith("Got it, added") for r in replies[1:])


async def test_the_token_never_reaches_the_logs(
    sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_desk(sandbox, db_url) as desk:
        alice = desk.customer()
        sandbox.inject_fault("sendMessage", status=502, times=1)
        sandbox.send_text(alice, "hello")
        await sandbox.wait_for_message(alice.id)
        await desk.send_text(alice, "/tickets")
    assert caplog.records, "nothing was logged at all"
    assert sandbox.token not in caplog.text
    assert sandbox.token.split(":", 1)[1] not in caplog.text


async def test_editing_a_command_updates_its_ticket_text_not_a_new_ticket(desk: Desk) -> None:
    omar = desk.customer(503, "Omar")
    before = len(desk.sandbox.messages_to(omar.id))
    sent = desk.sandbox.send_text(omar, "/complain charged twice")
    await desk.sandbox.wait_for_message(omar.id, count=before + 1)
    desk.sandbox.edit_text(omar, sent["message_id"], "/complain charged twice for order 2231")
    stored = await eventually(_edited_message(sent["message_id"]))
    assert stored.text == "charged twice for order 2231"
    await desk.settle()
    assert await Ticket.all().count() == 1
    assert len(desk.sandbox.messages_to(omar.id)) == before + 1  # no second acknowledgement


async def test_location_and_contact_are_kept_as_text(desk: Desk) -> None:
    alice = desk.customer()
    await desk.expect_reply(
        alice, lambda: desk.sandbox.send_location(alice, latitude=31.2304, longitude=121.4737)
    )
    await desk.expect_reply(
        alice,
        lambda: desk.sandbox.send_contact(alice, phone_number="+15551234567", first_name="Bob"),
    )
    texts = await Message.all().order_by("id").values_list("text", flat=True)
    assert texts == ["📍 31.230400, 121.473700", "☎ Bob +15551234567"]


async def test_sharing_ones_own_phone_links_the_imported_record(desk: Desk) -> None:
    imported = await make_customer("Alice", last_name="Doe", phone="+14155552671")
    alice = desk.customer(501, "Alice")
    prompt = await desk.send_text(alice, "/phone")
    assert prompt.reply_markup["keyboard"][0][0]["request_contact"] is True
    reply = await desk.expect_reply(
        alice,
        lambda: desk.sandbox.send_contact(
            alice, phone_number="14155552671", first_name="Alice", contact_user_id=alice.id
        ),
    )
    assert reply.text == "Thanks! Your phone number is now linked to your customer record."
    await imported.refresh_from_db()
    assert imported.telegram_id == 501
    assert await Customer.all().count() == 1
    assert await Ticket.all().count() == 0  # an account action, not a ticket


async def test_someone_elses_contact_card_is_just_a_message(desk: Desk) -> None:
    imported = await make_customer("Bob", phone="+14155552671")
    alice = desk.customer(501, "Alice")
    await desk.expect_reply(
        alice,
        lambda: desk.sandbox.send_contact(
            alice, phone_number="+14155552671", first_name="Bob", contact_user_id=777
        ),
    )
    await imported.refresh_from_db()
    assert imported.telegram_id is None
    assert (await Message.get()).text == "☎ Bob +14155552671"


async def test_customers_who_wrote_leave_no_trace_in_the_process_once_handled(desk: Desk) -> None:
    # Memory stays flat with history: nothing per customer is kept in the bot process.
    from bot.app import forget_persistence_marks

    for user_id in range(801, 806):
        await desk.send_text(desk.customer(user_id, f"C{user_id}"), "hello")
    await desk.settle()
    app = desk.application
    forget_persistence_marks(app)
    assert not app._chat_ids_to_be_updated_in_persistence
    assert not app._user_ids_to_be_updated_in_persistence
    assert len(app.user_data) == 0 and len(app.chat_data) == 0
