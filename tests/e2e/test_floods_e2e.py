"""Floods of every kind through the real bot: stored, answered once, never ahead of others."""

from __future__ import annotations

import pytest

from crm.desk.tickets import WAITING_CAP
from crm.models import Customer, Direction, Message, Priority, StaffMember, Ticket, TicketKind
from tests.harness import MANAGER_ID, Desk

pytestmark = pytest.mark.e2e

ANNA = 7001
NOTICE = "You're sending a lot at once"


def _texts(desk: Desk, chat_id: int) -> list[str]:
    return [m.text or "" for m in desk.sandbox.messages_to(chat_id)]


def _warnings(desk: Desk, chat_id: int) -> list[str]:
    sent = desk.sandbox.messages_to(chat_id)
    return [m.plain_text for m in sent if "is flooding" in m.plain_text]


async def _agent(desk: Desk, *, online: bool) -> object:
    await desk.send_text(desk.sandbox.user(MANAGER_ID, "Maya"), f"/agent_add {ANNA} Anna")
    anna = desk.sandbox.user(ANNA, "Anna")
    if online:
        await desk.send_text(anna, "/online")
    return anna


async def test_a_flooding_customer_is_stored_but_acknowledged_and_forwarded_once(
    desk: Desk,
) -> None:
    assert desk.settings.flood_max == 20  # the default CRM_FLOOD_MAX
    await _agent(desk, online=True)
    alice = desk.customer()
    for i in range(30):
        desk.sandbox.send_text(alice, f"spam {i}")
    await desk.settle(timeout=30)
    assert await Message.filter(direction=Direction.INBOUND).count() == 30
    replies = _texts(desk, alice.id)
    assert len(replies) == 21 and NOTICE in replies[-1]  # 20 acks, then one notice
    warnings = _warnings(desk, ANNA)
    assert len(warnings) == 1 and "21 messages" in warnings[0]
    to_anna = " ".join(_texts(desk, ANNA))
    assert "spam 19" in to_anna  # the 20th message was still forwarded
    assert not any(f"spam {n}" in to_anna for n in range(20, 30))


async def test_200_complaints_make_at_most_the_cap_of_tickets_and_wait_their_turn(
    desk: Desk,
) -> None:
    anna = await _agent(desk, online=False)
    await StaffMember.filter(telegram_id=ANNA).update(capacity=WAITING_CAP + 1)
    carol = desk.customer(601, "Carol")
    await desk.send_text(carol, "Where is my parcel?")  # waiting before the flood, normal
    alice = desk.customer()
    for i in range(200):
        desk.sandbox.send_text(alice, f"/complain complaint {i}")
    await desk.settle(timeout=90)
    bob = desk.customer(602, "Bob")
    reply = await desk.send_text(bob, "/complain I was charged twice")
    assert "high priority" in reply.text

    flood = await Ticket.filter(customer__telegram_id=alice.id)
    assert len(flood) == WAITING_CAP
    assert {t.kind for t in flood} == {TicketKind.COMPLAINT}
    texts = await Message.filter(
        ticket__customer__telegram_id=alice.id, direction=Direction.INBOUND
    ).values_list("text", flat=True)
    assert len(texts) == 200  # every complaint is stored on one of her tickets
    assert all(any(t.endswith(f"complaint {i}") for t in texts) for i in range(200))
    replies = _texts(desk, alice.id)
    assert len(replies) == desk.settings.flood_max + 1 and NOTICE in replies[-1]
    assert sum("high priority" in r for r in replies) == WAITING_CAP  # then "added to #..."
    assert len(_warnings(desk, MANAGER_ID)) == 1  # nobody holds her tickets: managers hear

    # Anna comes online with room for four: the complaints by priority then age (Alice's
    # three, which are older, and Bob's), not Carol's older but normal inquiry.
    await desk.send_text(anna, "/online")
    await desk.settle()
    bobs = await Ticket.get(customer__telegram_id=bob.id).select_related("assignee")
    carols = await Ticket.get(customer__telegram_id=carol.id)
    assert bobs.priority is Priority.HIGH and bobs.assignee.telegram_id == ANNA
    assert carols.assignee_id is None


async def test_300_help_and_tickets_get_bounded_replies_and_are_kept(desk: Desk) -> None:
    alice = desk.customer()
    for _ in range(150):
        desk.sandbox.send_text(alice, "/help")
        desk.sandbox.send_text(alice, "/tickets")
    await desk.settle(timeout=90)
    replies = _texts(desk, alice.id)
    assert len(replies) == desk.settings.flood_max + 1 and NOTICE in replies[-1]
    held = await Message.filter(direction=Direction.INBOUND).values_list("text", flat=True)
    assert len(held) == 300 - desk.settings.flood_max
    assert set(held) == {"/help", "/tickets"}
    assert await Ticket.all().count() == 1  # all on one inquiry
    # Everyone else is answered as usual.
    reply = await desk.send_text(desk.customer(602, "Bob"), "/help")
    assert "/feedback" in reply.text


async def test_button_presses_count_and_over_the_limit_change_nothing(desk: Desk) -> None:
    alice = desk.customer()
    await desk.send_text(alice, "My address is 1 Main St")
    question = await desk.send_text(alice, "/forget_me")
    yes, _ = question.button_data()
    for _ in range(desk.settings.flood_max - 2):  # stale survey taps: 18 more inputs
        answer = await desk.press(alice, question, "csat:999:5", strict=False)
        assert answer.show_alert  # "no longer open": handled as usual so far
    held = await desk.press(alice, question, yes)  # the 21st input
    assert not held.show_alert and "try again in a minute" in held.text
    await desk.settle()
    customer = await Customer.get(telegram_id=alice.id)
    assert customer.first_name == "Alice"  # not erased
    assert await Message.filter(text="My address is 1 Main St").count() == 1
    desk.sandbox.send_text(alice, "still there?")
    await desk.settle()
    assert await Message.filter(text="still there?").count() == 1  # stored...
    replies = _texts(desk, alice.id)
    assert len(replies) == 3 and NOTICE in replies[-1]  # ...ack, question, one notice only


async def test_staff_are_never_held(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    for _ in range(desk.settings.flood_max + 5):
        desk.sandbox.send_text(maya, "/agents")
    await desk.settle(timeout=30)
    replies = _texts(desk, MANAGER_ID)
    assert len(replies) == desk.settings.flood_max + 5
    assert not any(NOTICE in r for r in replies)
