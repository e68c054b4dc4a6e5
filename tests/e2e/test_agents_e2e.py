"""Agents and managers do their whole job in Telegram: the real bot against the sandbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from crm import clock
from crm.models import (
    Direction,
    Message,
    Rating,
    Role,
    SlaBreach,
    StaffMember,
    Survey,
    Ticket,
    TicketKind,
    TicketStatus,
)
from handlers.jobs import check_sla
from tests.harness import MANAGER_ID, Desk

pytestmark = pytest.mark.e2e

ANNA, BORIS, CARL = 7001, 7002, 7003


async def _team(desk: Desk, *, online: bool = True) -> tuple:
    """Manager adds Anna (billing) and Boris (complaints); both go online."""
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    anna = desk.sandbox.user(ANNA, "Anna")
    boris = desk.sandbox.user(BORIS, "Boris")
    reply = await desk.send_text(maya, f"/agent_add {ANNA} Anna billing")
    assert "Anna (7001) is now an agent. Skills: billing." in reply.text
    reply = await desk.send_text(maya, f"/agent_add {BORIS} Boris complaints")
    assert "Skills: complaints" in reply.text
    if online:
        await desk.send_text(anna, "/online")
        await desk.send_text(boris, "/online")
    return maya, anna, boris


async def _assigned(ticket_id: int) -> int | None:
    ticket = await Ticket.get(id=ticket_id).select_related("assignee")
    return ticket.assignee.telegram_id if ticket.assignee else None


async def test_tickets_route_by_skill_then_load(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol, dave, erin = (desk.customer(501 + i, n) for i, n in enumerate(["Carol", "Dave", "Erin"]))

    await desk.send_text(carol, "/complain The courier was rude")
    note = await desk.sandbox.wait_for_message(BORIS, contains="New ticket for you")
    complaint = await Ticket.get(kind=TicketKind.COMPLAINT)
    assert await _assigned(complaint.id) == BORIS
    assert f"#{complaint.id}" in note.plain_text and "The courier was rude" in note.plain_text
    assert "HIGH" in note.plain_text and "Carol" in note.plain_text

    await desk.send_text(dave, "I was charged twice, please refund")
    billing = await Ticket.get(customer__telegram_id=dave.id)
    await desk.sandbox.wait_for_message(ANNA, contains=f"#{billing.id}")
    assert billing.topic == "billing" and await _assigned(billing.id) == ANNA

    # No skill matches: the lighter load wins, then round-robin. Both have one ticket now.
    await desk.send_text(erin, "Hello, what are your opening hours?")
    general = await Ticket.get(customer__telegram_id=erin.id)
    await desk.settle()
    # Equal load (1 each): the least recently assigned (Boris, assigned first) gets it.
    assert await _assigned(general.id) == BORIS


async def test_everyone_offline_means_fifo_queue_handed_out_on_online(desk: Desk) -> None:
    maya, anna, boris = await _team(desk, online=False)
    customers = [desk.customer(600 + i, f"C{i}") for i in range(3)]
    for c in customers:
        await desk.send_text(c, f"question from {c.first_name}")
    await desk.settle()
    tickets = await Ticket.all().order_by("id")
    assert [t.assignee_id for t in tickets] == [None, None, None]

    boris_staff = await StaffMember.get(telegram_id=BORIS)
    boris_staff.capacity = 2
    await boris_staff.save()
    await desk.send_text(boris, "/online")
    await desk.settle()
    assert [await _assigned(t.id) for t in tickets] == [BORIS, BORIS, None]  # oldest first
    queued = [m.plain_text for m in desk.sandbox.messages_to(BORIS) if "queue" in m.plain_text]
    assert len(queued) == 2 and "question from C0" in queued[0]

    # Boris closes one: the last waiting ticket goes to him at once.
    await desk.send_text(boris, f"/close {tickets[0].id}")
    await desk.settle()
    assert await _assigned(tickets[2].id) == BORIS


async def test_reply_by_command_and_by_telegram_reply_reach_the_customer(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "Where is my refund?")
    await desk.settle()
    ticket = await Ticket.get()
    agent = ANNA if await _assigned(ticket.id) == ANNA else BORIS
    agent_user = anna if agent == ANNA else boris
    notification = await desk.sandbox.wait_for_message(agent, contains="New ticket for you")

    confirm = await desk.send_text(agent_user, f"/reply {ticket.id} It is on its way,\nsorry!")
    assert "Sent to Carol" in confirm.text
    to_carol = desk.sandbox.messages_to(carol.id)[-1]
    assert to_carol.text == "It is on its way,\nsorry!"

    before = len(desk.sandbox.messages_to(carol.id))
    desk.sandbox.send_text(
        agent_user, "Refund id is R-77.", reply_to_message_id=notification.message_id
    )
    by_reply = await desk.sandbox.wait_for_message(carol.id, count=before + 1)
    assert by_reply.text == "Refund id is R-77."

    await desk.settle()
    ticket = await Ticket.get(id=ticket.id)
    assert ticket.first_response_at is not None and ticket.status is TicketStatus.PENDING
    outbound = await Message.filter(ticket=ticket, direction=Direction.OUTBOUND).order_by("id")
    assert [m.text for m in outbound] == ["It is on its way,\nsorry!", "Refund id is R-77."]
    assert all(m.telegram_message_id is not None for m in outbound)


async def test_agent_media_reply_is_copied_to_the_customer(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "Which cable do I need?")
    await desk.settle()
    ticket = await Ticket.get()
    agent = await _assigned(ticket.id)
    agent_user = anna if agent == ANNA else boris
    notification = await desk.sandbox.wait_for_message(agent, contains="New ticket for you")
    before = len(desk.sandbox.messages_to(carol.id))
    desk.sandbox.send_photo(
        agent_user, caption="this one", reply_to_message_id=notification.message_id
    )
    copied = await desk.sandbox.wait_for_message(carol.id, count=before + 1)
    assert copied.method == "copyMessage" and copied.text == "this one"
    await desk.settle()
    stored = await Message.get(ticket=ticket, direction=Direction.OUTBOUND)
    assert stored.media_type.value == "photo" and stored.file_id


async def test_later_customer_messages_are_forwarded_to_the_agent(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "I was charged twice")
    ticket = await Ticket.get()
    await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    await desk.send_text(carol, "Order <b>1042</b> & more")
    forwarded = await desk.sandbox.wait_for_message(ANNA, contains="1042")
    assert forwarded.parse_mode == "HTML"
    assert "Order <b>1042</b> & more" in forwarded.plain_text  # escaped, shown verbatim
    # A Telegram reply to the forwarded message answers the same ticket.
    desk.sandbox.send_text(anna, "Checking order 1042", reply_to_message_id=forwarded.message_id)
    await desk.sandbox.wait_for_message(carol.id, contains="Checking order 1042")
    assert ticket.id == (await Message.get(direction=Direction.OUTBOUND)).ticket_id


async def test_notes_never_reach_the_customer_and_show_in_ticket(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "I was charged twice")
    ticket = await Ticket.get()
    customer_messages = len(desk.sandbox.messages_to(carol.id))
    reply = await desk.send_text(anna, f"/note {ticket.id} VIP, offer <discount>")
    assert "Note added" in reply.text
    history = await desk.send_text(anna, f"/ticket {ticket.id}")
    assert "note by Anna: VIP, offer <discount>" in history.plain_text
    assert "I was charged twice" in history.plain_text and "Carol" in history.plain_text
    await desk.settle()
    assert len(desk.sandbox.messages_to(carol.id)) == customer_messages
    assert (await Message.get(direction=Direction.INTERNAL)).text == "VIP, offer <discount>"


async def test_close_survey_rating_and_low_score_alert(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "I was charged twice")
    ticket = await Ticket.get()
    reply = await desk.send_text(anna, f"/close {ticket.id}")
    assert f"Ticket #{ticket.id} closed" in reply.text
    survey = await desk.sandbox.wait_for_message(carol.id, contains="How did we do?")
    assert len(survey.button_data()) == 5

    two_stars, five_stars = survey.button_data()[1], survey.button_data()[4]
    answer = await desk.press(carol, survey, two_stars)
    assert answer.text == "Thank you!"
    alert = await desk.sandbox.wait_for_message(MANAGER_ID, contains="Low rating 2/5")
    assert f"ticket #{ticket.id}" in alert.plain_text and "Anna" in alert.plain_text
    rating = await Rating.get()
    assert (rating.score, rating.ticket_id) == (2, ticket.id)
    assert (await rating.agent).telegram_id == ANNA
    follow_up = await Ticket.get(kind=TicketKind.FOLLOW_UP)
    assert follow_up.parent_id == ticket.id and follow_up.status is TicketStatus.OPEN
    assert "2/5" in (survey.text or "")  # the survey message was edited into the thanks

    # The score buttons are gone from the edited message; "Add a comment" took their place.
    assert survey.button_data() == [f"csatc:{(await Survey.get()).id}"]
    again = await desk.press(carol, survey, five_stars, strict=False)
    assert again.text == "You have already rated this ticket. Thank you!"
    assert await Rating.all().count() == 1

    # Without the button, the customer's next message is a request: it joins the open
    # follow-up (for a person), not the rating.
    ack = await desk.send_text(carol, "The agent was slow")
    assert ack.text == f"Got it, added to your ticket #{follow_up.id}."
    assert (await Rating.get()).comment is None
    assert await Message.filter(ticket_id=follow_up.id, text="The agent was slow").exists()

    # The comment itself is filed on the follow-up too, and its agent sees it.
    agent_id = (await Ticket.get(id=follow_up.id).select_related("assignee")).assignee.telegram_id
    await desk.press(carol, survey, survey.button_data()[0])
    prompt = await desk.sandbox.wait_for_message(carol.id, contains="Reply to this message")
    desk.sandbox.send_text(carol, "Nobody called me back", reply_to_message_id=prompt.message_id)
    seen = await desk.sandbox.wait_for_message(agent_id, contains="Nobody called me back")
    assert f"#{follow_up.id}" in seen.plain_text
    assert (await Rating.get()).comment == "Nobody called me back"


async def _rated(desk: Desk, score: int = 5) -> tuple:
    """Carol writes, Anna closes the ticket, Carol rates it; return them, the ticket, the survey."""
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "My order arrived broken")
    ticket = await Ticket.get()
    await desk.settle()
    assert await _assigned(ticket.id) == ANNA
    await desk.send_text(anna, f"/close {ticket.id}")
    survey = await desk.sandbox.wait_for_message(carol.id, contains="How did we do?")
    await desk.press(carol, survey, survey.button_data()[score - 1])
    await desk.settle()
    return anna, boris, carol, ticket, survey


async def test_a_message_after_a_rating_reopens_the_ticket_for_its_agent(desk: Desk) -> None:
    anna, boris, carol, ticket, survey = await _rated(desk)
    reply = await desk.send_text(carol, "The replacement is broken too")
    assert reply.text == (
        f"Got it: we've reopened ticket #{ticket.id} and passed your message on. We'll reply here."
    )
    note = await desk.sandbox.wait_for_message(ANNA, contains="reopened by the customer")
    assert f"Ticket #{ticket.id} reopened" in note.plain_text
    assert "The replacement is broken too" in note.plain_text
    ticket = await Ticket.get(id=ticket.id)
    assert ticket.status is TicketStatus.OPEN and ticket.reopened_count == 1
    assert await _assigned(ticket.id) == ANNA
    assert (await Rating.get()).comment is None
    assert await Ticket.all().count() == 1


async def test_a_reopened_ticket_of_an_offline_agent_goes_to_someone_with_room(
    desk: Desk,
) -> None:
    anna, boris, carol, ticket, survey = await _rated(desk)
    await desk.send_text(anna, "/offline")
    await desk.send_text(carol, "Still broken")
    note = await desk.sandbox.wait_for_message(BORIS, contains="reopened by the customer")
    assert "Still broken" in note.plain_text
    assert await _assigned(ticket.id) == BORIS


async def test_the_comment_button_and_a_reply_to_its_prompt_store_the_comment(
    desk: Desk,
) -> None:
    anna, boris, carol, ticket, survey = await _rated(desk, score=4)
    survey_id = (await Survey.get()).id
    assert survey.button_data() == [f"csatc:{survey_id}"]
    mallory = desk.customer(666, "Mallory")
    refused = await desk.press(mallory, survey, f"csatc:{survey_id}")
    assert refused.show_alert and (await Survey.get()).comment_prompt_id is None

    before = len(desk.sandbox.messages_to(carol.id))
    await desk.press(carol, survey, f"csatc:{survey_id}")
    prompt = await desk.sandbox.wait_for_message(carol.id, count=before + 1)
    assert "Reply to this message" in prompt.text
    assert prompt.reply_markup == {
        "force_reply": True,
        "input_field_placeholder": "Your comment on the rating",
    }
    await desk.settle()
    assert survey.button_data() == []  # one prompt per rating
    notes_to_anna = len(desk.sandbox.messages_to(ANNA))

    thanks = await desk.expect_reply(
        carol,
        lambda: desk.sandbox.send_text(
            carol, "Quick and friendly", reply_to_message_id=prompt.message_id
        ),
    )
    assert thanks.text == "Thanks, we've added your comment to your rating."
    assert (await Rating.get()).comment == "Quick and friendly"
    ticket = await Ticket.get(id=ticket.id)
    assert ticket.status is TicketStatus.RESOLVED and ticket.reopened_count == 0
    await desk.settle()
    assert len(desk.sandbox.messages_to(ANNA)) == notes_to_anna  # a comment, no request


async def test_after_the_reopen_window_a_message_opens_a_new_ticket(desk: Desk) -> None:
    assert desk.settings.reopen_hours == 72  # the default CRM_REOPEN_HOURS
    anna, boris, carol, ticket, survey = await _rated(desk)
    clock.freeze(clock.utcnow() + timedelta(hours=72, minutes=1))
    try:
        reply = await desk.send_text(carol, "A new question")
    finally:
        clock.reset()
    newer = await Ticket.exclude(id=ticket.id).get()
    assert reply.text == f"Thanks! We've opened ticket #{newer.id} for you. We'll reply here."
    old = await Ticket.get(id=ticket.id)
    assert old.status is TicketStatus.RESOLVED and old.reopened_count == 0


async def test_good_score_does_not_alert(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "I was charged twice")
    ticket = await Ticket.get()
    await desk.send_text(anna, f"/close {ticket.id}")
    survey = await desk.sandbox.wait_for_message(carol.id, contains="How did we do?")
    await desk.press(carol, survey, survey.button_data()[4])
    await desk.settle()
    assert (await Rating.get()).score == 5
    assert not [m for m in desk.sandbox.messages_to(MANAGER_ID) if "Low rating" in (m.text or "")]
    assert await Ticket.filter(kind=TicketKind.FOLLOW_UP).count() == 0


async def test_transfer_hands_the_ticket_over_and_notifies(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "I was charged twice")
    ticket = await Ticket.get()
    reply = await desk.send_text(anna, f"/transfer {ticket.id} {BORIS}")
    assert f"Ticket #{ticket.id} is now with Boris." in reply.text
    note = await desk.sandbox.wait_for_message(BORIS, contains="transferred ticket")
    assert "Anna transferred ticket" in note.plain_text
    assert await _assigned(ticket.id) == BORIS
    refused = await desk.send_text(anna, f"/reply {ticket.id} still me")
    assert "Not allowed" in refused.text


async def test_two_take_presses_at_once_have_one_winner(desk: Desk) -> None:
    maya, anna, boris = await _team(desk, online=False)
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "anyone there?")
    ticket = await Ticket.get()
    queue_a = await desk.send_text(anna, "/queue")
    queue_b = await desk.send_text(boris, "/queue")
    data = f"tk:take:{ticket.id}"
    assert data in queue_a.button_data()
    answers = await asyncio.gather(
        desk.press(anna, queue_a, data), desk.press(boris, queue_b, data)
    )
    texts = sorted(a.text for a in answers)
    assert texts[0].startswith("Ticket #") and "already with" in texts[0]
    assert texts[1] == f"You took #{ticket.id}."
    assert await _assigned(ticket.id) in (ANNA, BORIS)


async def test_queue_lists_waiting_and_own_tickets(desk: Desk) -> None:
    maya, anna, boris = await _team(desk, online=False)
    for i in range(2):
        await desk.send_text(desk.customer(600 + i, f"C{i}"), f"question {i}")
    first, second = await Ticket.all().order_by("id")
    await desk.send_text(anna, f"/take {first.id}")
    queue = await desk.send_text(anna, "/queue")
    waiting, yours = queue.plain_text.split("Yours")
    assert f"#{second.id}" in waiting and f"#{first.id}" not in waiting
    assert f"#{first.id}" in yours


async def test_agents_lists_the_team(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    await desk.settle()
    reply = await desk.send_text(maya, "/agents")
    text = reply.plain_text
    assert "🟢 online Anna (7001) · 1/5 open · skills: billing" in text
    assert "Boris (7002) · 0/5 open · skills: complaints" in text


async def test_agent_remove_sends_tickets_back_to_the_queue_and_reroutes(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    ticket = await Ticket.get()
    await desk.settle()
    assert await _assigned(ticket.id) == ANNA
    reply = await desk.send_text(maya, f"/agent_remove {ANNA}")
    assert "1 open ticket(s) went back to the queue" in reply.text
    await desk.sandbox.wait_for_message(BORIS, contains=f"#{ticket.id}")
    assert await _assigned(ticket.id) == BORIS
    refused = await desk.send_text(anna, "/queue")
    assert refused.text == "Sorry, this command is for the support team only."


async def test_manager_add_promotes(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    refused = await desk.send_text(anna, "/agents")
    assert refused.text == "Sorry, this command is for managers only."
    await desk.send_text(maya, f"/manager_add {ANNA}")
    assert (await StaffMember.get(telegram_id=ANNA)).role is Role.MANAGER
    listing = await desk.send_text(anna, "/agents")
    assert "Team" in listing.plain_text


async def test_tag_and_reopen(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "hello")
    ticket = await Ticket.get()
    assert ticket.topic == "other"
    ok = await desk.send_text(anna, f"/tag {ticket.id} delivery")
    assert "tagged delivery" in ok.text
    bad = await desk.send_text(anna, f"/tag {ticket.id} astrology")
    assert "Unknown topic 'astrology'" in bad.text
    assert (await Ticket.get(id=ticket.id)).topic == "delivery"
    await desk.send_text(anna, f"/close {ticket.id}")
    reopened = await desk.send_text(anna, f"/reopen {ticket.id}")
    assert "open again" in reopened.text
    ticket = await Ticket.get(id=ticket.id)
    assert ticket.status is TicketStatus.OPEN and ticket.reopened_count == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/reply", "Usage: /reply <id> <text>"),
        ("/reply abc hi", "'abc' is not a ticket number"),
        ("/reply 999 hi", "Ticket #999 does not exist."),
        ("/reply 1", "Usage: /reply <id> <text>"),
        ("/take 999", "Ticket #999 does not exist."),
        ("/transfer 1", "Usage: /transfer <id> <user_id>"),
        ("/note 1", "Usage: /note <id> <text>"),
    ],
)
async def test_bad_agent_input_is_explained_and_changes_nothing(
    desk: Desk, text: str, expected: str
) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "hello")
    await desk.settle()
    before = await Message.all().count()
    reply = await desk.send_text(anna, text)
    assert expected in reply.text
    await desk.settle()
    assert await Message.all().count() == before


async def test_closing_a_closed_ticket_and_replying_to_a_non_notification(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "hello")
    ticket = await Ticket.get()
    await desk.send_text(anna, f"/close {ticket.id}")
    again = await desk.send_text(anna, f"/close {ticket.id}")
    assert again.text == f"Ticket #{ticket.id} is closed. Use /reopen {ticket.id} first if needed."
    assert await Rating.all().count() == 0
    own = await desk.send_text(anna, "just some text")
    desk.sandbox.send_text(anna, "reply to my own text", reply_to_message_id=own.message_id)
    answer = await desk.sandbox.wait_for_message(ANNA, contains="not a ticket notification")
    assert answer is not None
    assert await Message.filter(direction=Direction.OUTBOUND).count() == 0


PRIVILEGED = [
    "/online",
    "/offline",
    "/queue",
    "/take 1",
    "/reply 1 hi",
    "/note 1 hi",
    "/ticket 1",
    "/reopen 1",
    "/transfer 1 7001",
    "/tag 1 billing",
]
MANAGER_ONLY = [
    "/agent_add 555 Eve",
    "/agent_remove 7001",
    "/agents",
    "/manager_add 555",
    "/manager_remove 9001",
    "/audit",
    "/summary",
    "/report",
    "/agent_stats",
]


@pytest.mark.parametrize("command", PRIVILEGED + MANAGER_ONLY)
async def test_every_privileged_command_is_refused_for_a_customer(
    desk: Desk, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "hello")
    await desk.settle()
    mallory = desk.customer(666, "Mallory")
    staff_before = [(s.telegram_id, s.role, s.online, s.active) for s in await StaffMember.all()]
    tickets_before = [(t.id, t.status, t.assignee_id, t.topic) for t in await Ticket.all()]
    reply = await desk.send_text(mallory, command)
    assert reply.text.startswith("Sorry, this command is for")
    await desk.settle()
    assert [(s.telegram_id, s.role, s.online, s.active) for s in await StaffMember.all()] == (
        staff_before
    )
    assert [(t.id, t.status, t.assignee_id, t.topic) for t in await Ticket.all()] == tickets_before
    assert await Message.filter(direction__in=[Direction.OUTBOUND, Direction.INTERNAL]).count() == 0
    assert "refused" in caplog.text and "user 666" in caplog.text


@pytest.mark.parametrize("action", ["take", "close", "show"])
async def test_ticket_buttons_are_refused_for_a_customer(desk: Desk, action: str) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    ticket = await Ticket.get()
    notification = await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    mallory = desk.customer(666, "Mallory")
    answer = await desk.press(mallory, notification, f"tk:{action}:{ticket.id}", strict=False)
    assert answer.text == "Sorry, this command is for the support team only."
    assert answer.show_alert
    ticket_after = await Ticket.get(id=ticket.id)
    assert ticket_after.status is TicketStatus.OPEN and await _assigned(ticket.id) == ANNA


async def test_tampered_button_data_is_refused_cleanly(desk: Desk) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    notification = await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    answer = await desk.press(anna, notification, "tk:close:abc; DROP TABLE", strict=False)
    assert answer.text == "This button is no longer valid."
    missing = await desk.press(anna, notification, "tk:close:99999", strict=False)
    assert missing.text == "Ticket #99999 does not exist."
    forged = await desk.press(desk.customer(501, "Carol"), notification, "csat:1:5", strict=False)
    assert forged.text == "This survey is no longer open."
    assert await Rating.all().count() == 0


async def test_sla_breach_alerts_managers_once_and_reroutes_offline_agents(desk: Desk) -> None:
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    await desk.settle()
    ticket = await Ticket.get()
    assert await _assigned(ticket.id) == ANNA
    await desk.send_text(anna, "/offline")

    clock.advance(timedelta(minutes=14))
    assert await check_sla(desk.application) == 0
    clock.advance(timedelta(minutes=2))
    assert await check_sla(desk.application) == 1
    alert = await desk.sandbox.wait_for_message(MANAGER_ID, contains="SLA breach")
    assert f"ticket #{ticket.id}" in alert.plain_text and "no first response" in alert.plain_text
    # Anna is offline: the late ticket went to Boris.
    await desk.sandbox.wait_for_message(BORIS, contains=f"#{ticket.id}")
    assert await _assigned(ticket.id) == BORIS

    assert await check_sla(desk.application) == 0  # once per breach
    breaches = await SlaBreach.all()
    assert [(b.ticket_id, b.kind.value) for b in breaches] == [(ticket.id, "first_response")]
    assert breaches[0].notified_at is not None


async def test_privileged_actions_land_in_the_audit_log(desk: Desk) -> None:
    from crm.models import AuditEntry

    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    ticket = await Ticket.get()
    await desk.send_text(anna, f"/transfer {ticket.id} {BORIS}")
    await desk.send_text(maya, f"/manager_add {ANNA}")
    await desk.settle()
    actions = await AuditEntry.all().order_by("id").values_list("action", "actor_telegram_id")
    assert actions == [
        ("staff.manager_add", None),  # the start-up sync: CRM_MANAGER_IDS lists Maya
        ("staff.agent_add", MANAGER_ID),
        ("staff.agent_add", MANAGER_ID),
        ("ticket.assign", None),
        ("ticket.transfer", ANNA),
        ("staff.manager_add", MANAGER_ID),
    ]
    log = await desk.send_text(maya, "/audit 3")
    assert "staff.manager_add user 7001" in log.plain_text
    assert "ticket.transfer ticket" in log.plain_text
    refused = await desk.send_text(desk.customer(502, "Eve"), "/audit")
    assert refused.text == "Sorry, this command is for managers only."
