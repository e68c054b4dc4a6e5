"""Ticket intake and the customer's own actions, on a per-test database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from crm import clock
from crm.customers.profiles import register_customer
from crm.desk.tickets import (
    WAITING_CAP,
    close_own_ticket,
    customer_tickets,
    log_customer_message,
    open_ticket,
    rate_service,
    record_edit,
)
from crm.errors import InvalidInput, NoOpenTicket, TicketAlreadyResolved, TicketNotFound
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
from tests.factories import inbound, make_profile

pytestmark = pytest.mark.usefixtures("store")


async def test_first_message_opens_an_inquiry_and_the_next_one_joins_it() -> None:
    alice = make_profile()
    first = await log_customer_message(profile=alice, message=inbound(alice, "Where is my order?"))
    second = await log_customer_message(profile=alice, message=inbound(alice, "It's #1042"))

    assert first.new_ticket and not second.new_ticket
    assert second.ticket.id == first.ticket.id
    ticket = await Ticket.get(id=first.ticket.id)
    assert ticket.kind is TicketKind.INQUIRY
    assert ticket.status is TicketStatus.OPEN
    assert ticket.priority is Priority.NORMAL
    assert ticket.subject == "Where is my order?"
    texts = await Message.filter(ticket=ticket).order_by("id").values_list("text", flat=True)
    assert texts == ["Where is my order?", "It's #1042"]
    assert await Customer.filter(telegram_id=alice.telegram_id).count() == 1


async def test_message_fields_are_stored() -> None:
    alice = make_profile()
    msg = inbound(alice, "receipt", message_id=77, media_type=MediaType.PHOTO, file_id="AgAD-1")
    result = await log_customer_message(profile=alice, message=msg)
    stored = await Message.get(id=result.message.id)
    assert stored.direction is Direction.INBOUND
    assert stored.author_telegram_id == alice.telegram_id
    assert (stored.telegram_chat_id, stored.telegram_message_id) == (alice.telegram_id, 77)
    assert (stored.media_type, stored.file_id, stored.text) == (
        MediaType.PHOTO,
        "AgAD-1",
        "receipt",
    )
    assert stored.acknowledged_at is None


async def test_redelivered_message_is_not_stored_twice() -> None:
    alice = make_profile()
    msg = inbound(alice, "hello", message_id=5)
    first = await log_customer_message(profile=alice, message=msg)
    again = await log_customer_message(profile=alice, message=msg)
    assert not first.duplicate and again.duplicate
    assert again.ticket.id == first.ticket.id and again.message.id == first.message.id
    assert await Message.all().count() == 1
    assert await Ticket.all().count() == 1


async def test_redelivery_after_the_ticket_closed_changes_nothing() -> None:
    # The insert of the copy fails on the unique key and rolls back the new ticket it
    # would otherwise have opened, and the activity bump it would have made.
    alice = make_profile()
    msg = inbound(alice, "hello", message_id=6)
    first = await log_customer_message(profile=alice, message=msg)
    closed = await close_own_ticket(customer=first.customer, ticket_id=None)
    again = await log_customer_message(profile=alice, message=msg)
    assert again.duplicate and again.ticket.id == first.ticket.id
    assert await Ticket.all().count() == 1
    ticket = await Ticket.get(id=first.ticket.id)
    assert ticket.status is TicketStatus.RESOLVED
    assert ticket.last_activity_at == closed.last_activity_at


async def test_redelivered_rating_is_counted_once() -> None:
    alice = make_profile()
    msg = inbound(alice, "/rate 5 lovely", message_id=8)
    first = await rate_service(profile=alice, score=5, comment="lovely", message=msg)
    again = await rate_service(profile=alice, score=5, comment="lovely", message=msg)
    assert again.duplicate and again.rating is not None
    assert again.rating.id == first.rating.id
    assert await Rating.all().count() == 1
    assert await Ticket.all().count() == 1


async def test_concurrent_deliveries_of_one_message_store_it_once() -> None:
    alice = make_profile()
    await register_customer(profile=alice)
    msg = inbound(alice, "hello", message_id=9)
    results = await asyncio.gather(
        *(log_customer_message(profile=alice, message=msg) for _ in range(5))
    )
    assert sum(not r.duplicate for r in results) == 1
    assert await Message.all().count() == 1


async def test_concurrent_messages_of_one_customer_open_one_ticket() -> None:
    # Two bot replicas may handle one customer's quick messages at the same moment.
    alice = make_profile()
    await register_customer(profile=alice)
    texts = [f"message {i}" for i in range(6)]
    results = await asyncio.gather(
        *(log_customer_message(profile=alice, message=inbound(alice, t)) for t in texts)
    )
    assert sum(r.new_ticket for r in results) == 1
    assert await Ticket.all().count() == 1
    assert sorted(await Message.all().values_list("text", flat=True)) == texts


async def test_redelivered_command_does_not_open_a_second_ticket() -> None:
    bob = make_profile(601, "Bob")
    msg = inbound(bob, "great app", message_id=3)
    await open_ticket(profile=bob, kind=TicketKind.FEEDBACK, message=msg)
    again = await open_ticket(profile=bob, kind=TicketKind.FEEDBACK, message=msg)
    assert again.duplicate
    assert await Ticket.all().count() == 1


async def test_feedback_and_complaint_open_their_own_tickets() -> None:
    alice = make_profile()
    inquiry = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    feedback = await open_ticket(
        profile=alice, kind=TicketKind.FEEDBACK, message=inbound(alice, "nice shop")
    )
    complaint = await open_ticket(
        profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, "charged twice")
    )
    assert len({inquiry.ticket.id, feedback.ticket.id, complaint.ticket.id}) == 3
    assert feedback.ticket.kind is TicketKind.FEEDBACK
    assert feedback.ticket.priority is Priority.NORMAL
    assert complaint.ticket.kind is TicketKind.COMPLAINT
    assert complaint.ticket.priority is Priority.HIGH
    # A plain message now joins the most recently active open ticket: the complaint.
    follow_up = await log_customer_message(profile=alice, message=inbound(alice, "any news?"))
    assert follow_up.ticket.id == complaint.ticket.id


async def test_tickets_beyond_the_waiting_cap_join_the_newest_open_one() -> None:
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    alice = make_profile()
    feedback = await open_ticket(
        profile=alice, kind=TicketKind.FEEDBACK, message=inbound(alice, "nice shop")
    )
    complaints = []
    for i in range(6):
        clock.advance(timedelta(seconds=1))
        complaints.append(
            await open_ticket(
                profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, f"broken {i}")
            )
        )
    assert WAITING_CAP == 3
    assert [c.new_ticket for c in complaints] == [True, True, False, False, False, False]
    newest = complaints[1].ticket
    assert {c.ticket.id for c in complaints[2:]} == {newest.id}
    assert await Ticket.filter(customer__telegram_id=alice.telegram_id).count() == 3
    texts = await Message.filter(ticket_id=newest.id).order_by("id").values_list("text", flat=True)
    assert texts == [f"broken {i}" for i in range(1, 6)]  # nothing lost
    assert feedback.ticket.id not in {c.ticket.id for c in complaints}


async def test_a_merged_complaint_raises_the_tickets_priority() -> None:
    alice = make_profile()
    for i in range(WAITING_CAP):
        await open_ticket(profile=alice, kind=TicketKind.FEEDBACK, message=inbound(alice, f"f{i}"))
    merged = await open_ticket(
        profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, "charged twice")
    )
    assert not merged.new_ticket
    stored = await Ticket.get(id=merged.ticket.id)
    assert (stored.kind, stored.priority) == (TicketKind.FEEDBACK, Priority.HIGH)


async def test_assigned_tickets_do_not_count_towards_the_waiting_cap() -> None:
    from crm.desk.staff import add_agent

    anna, _ = await add_agent(telegram_id=7001, name="Anna")
    alice = make_profile()
    for i in range(WAITING_CAP):
        result = await open_ticket(
            profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, f"c{i}")
        )
        await Ticket.filter(id=result.ticket.id).update(assignee_id=anna.id)
    another = await open_ticket(
        profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, "one more")
    )
    assert another.new_ticket


async def test_ratings_beyond_the_cap_never_resolve_or_rate_another_ticket() -> None:
    alice = make_profile()
    for i in range(WAITING_CAP):
        await open_ticket(profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, f"c{i}"))
    good = await rate_service(profile=alice, score=5, comment="", message=inbound(alice, "5"))
    assert good.new_ticket and not good.ticket.is_open  # resolved at once: it never waits
    low = await rate_service(profile=alice, score=1, comment="bad", message=inbound(alice, "1 bad"))
    assert not low.new_ticket and low.rating is None
    merged_into = await Ticket.get(id=low.ticket.id)
    assert merged_into.kind is TicketKind.COMPLAINT and merged_into.is_open
    assert await Rating.all().count() == 1  # the good one, on its own ticket
    assert await Message.filter(ticket_id=merged_into.id, text="1 bad").count() == 1


async def test_empty_feedback_is_refused_and_stores_nothing() -> None:
    alice = make_profile()
    with pytest.raises(InvalidInput):
        await open_ticket(profile=alice, kind=TicketKind.FEEDBACK, message=inbound(alice, "  "))
    assert await Ticket.all().count() == 0
    assert await Message.all().count() == 0


@pytest.mark.parametrize(
    ("score", "status"), [(1, "open"), (2, "open"), (3, "resolved"), (5, "resolved")]
)
async def test_rating_ticket_stays_open_only_for_low_scores(score: int, status: str) -> None:
    alice = make_profile()
    result = await rate_service(
        profile=alice, score=score, comment="ok", message=inbound(alice, "ok")
    )
    ticket = await Ticket.get(id=result.ticket.id)
    assert ticket.kind is TicketKind.RATING
    assert ticket.status.value == status
    assert (ticket.resolved_at is not None) == (status == "resolved")
    rating = await Rating.get(ticket=ticket)
    assert (rating.score, rating.comment) == (score, "ok")
    assert ticket.subject == f"Rating {score}/5: ok"


async def test_rating_does_not_swallow_an_open_inquiry() -> None:
    alice = make_profile()
    inquiry = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    rating = await rate_service(profile=alice, score=5, comment="", message=inbound(alice, ""))
    assert rating.ticket.id != inquiry.ticket.id
    assert (await Rating.get(ticket_id=rating.ticket.id)).comment is None


async def test_out_of_range_rating_is_refused_and_stores_nothing() -> None:
    alice = make_profile()
    with pytest.raises(InvalidInput):
        await rate_service(profile=alice, score=9, comment="", message=inbound(alice, "9"))
    assert await Ticket.all().count() == 0


async def test_customer_closes_latest_open_ticket_then_a_new_message_opens_another() -> None:
    alice = make_profile()
    first = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    customer = first.customer
    closed = await close_own_ticket(customer=customer, ticket_id=None)
    assert closed.id == first.ticket.id
    assert closed.status is TicketStatus.RESOLVED and closed.resolved_at is not None
    later = await log_customer_message(profile=alice, message=inbound(alice, "another thing"))
    assert later.new_ticket and later.ticket.id != first.ticket.id


async def test_customer_cannot_close_someone_elses_or_missing_ticket() -> None:
    alice, bob = make_profile(), make_profile(601, "Bob")
    alices = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    bob_customer, _ = await register_customer(profile=bob)
    with pytest.raises(TicketNotFound):
        await close_own_ticket(customer=bob_customer, ticket_id=alices.ticket.id)
    with pytest.raises(TicketNotFound):
        await close_own_ticket(customer=bob_customer, ticket_id=999)
    with pytest.raises(NoOpenTicket):
        await close_own_ticket(customer=bob_customer, ticket_id=None)
    assert (await Ticket.get(id=alices.ticket.id)).status is TicketStatus.OPEN


async def test_closing_a_closed_ticket_says_so_and_changes_nothing() -> None:
    alice = make_profile()
    result = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    await close_own_ticket(customer=result.customer, ticket_id=result.ticket.id)
    resolved_at = (await Ticket.get(id=result.ticket.id)).resolved_at
    with pytest.raises(TicketAlreadyResolved):
        await close_own_ticket(customer=result.customer, ticket_id=result.ticket.id)
    assert (await Ticket.get(id=result.ticket.id)).resolved_at == resolved_at


async def test_customer_reply_moves_a_pending_ticket_back_to_open() -> None:
    alice = make_profile()
    result = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    await Ticket.filter(id=result.ticket.id).update(status=TicketStatus.PENDING)
    again = await log_customer_message(profile=alice, message=inbound(alice, "here it is"))
    assert again.ticket.id == result.ticket.id
    assert (await Ticket.get(id=result.ticket.id)).status is TicketStatus.OPEN


async def test_edit_keeps_the_previous_text_in_history() -> None:
    clock.freeze(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    alice = make_profile()
    result = await log_customer_message(
        profile=alice, message=inbound(alice, "my odrer", message_id=42)
    )
    clock.advance(timedelta(minutes=2))
    await record_edit(chat_id=alice.telegram_id, message_id=42, new_text="my order")
    await record_edit(chat_id=alice.telegram_id, message_id=42, new_text="my order 1042")
    stored = await Message.get(id=result.message.id)
    assert stored.text == "my order 1042"
    assert [h["text"] for h in stored.edit_history] == ["my odrer", "my order"]
    assert stored.edited_at == datetime(2026, 3, 1, 12, 2, tzinfo=UTC)
    assert await record_edit(chat_id=alice.telegram_id, message_id=4242, new_text="x") is None


async def test_text_is_stored_verbatim_except_nul() -> None:
    alice = make_profile()
    hostile = "'; DROP TABLE ticket; -- <b>x</b> \u202eevil\u200b 😀\x00end"
    result = await log_customer_message(profile=alice, message=inbound(alice, hostile))
    stored = await Message.get(id=result.message.id)
    assert stored.text == hostile.replace("\x00", "")
    assert await Ticket.all().count() == 1


async def test_profile_is_refreshed_but_a_missing_language_keeps_the_known_one() -> None:
    await register_customer(profile=make_profile(language_code="zh-hans"))
    customer, created = await register_customer(
        profile=make_profile(first_name="Alicia", username="alicia", language_code=None)
    )
    assert not created
    assert (customer.first_name, customer.username, customer.language_code) == (
        "Alicia",
        "alicia",
        "zh-hans",
    )


async def test_customer_tickets_lists_newest_activity_first() -> None:
    alice = make_profile()
    clock.freeze(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    a = await open_ticket(profile=alice, kind=TicketKind.FEEDBACK, message=inbound(alice, "a"))
    clock.advance(timedelta(hours=1))
    b = await open_ticket(profile=alice, kind=TicketKind.COMPLAINT, message=inbound(alice, "b"))
    clock.advance(timedelta(hours=1))
    await log_customer_message(profile=alice, message=inbound(alice, "about b"))
    await log_customer_message(profile=alice, message=inbound(alice, "more about b"))
    rows = await customer_tickets(customer=a.customer)
    assert [r.id for r in rows] == [b.ticket.id, a.ticket.id]
