"""Delivery under faults: 429 waits and retries, 5xx retries with backoff, failures are recorded."""

from __future__ import annotations

import pytest

from crm.models import Direction, Message, Ticket
from tests.harness import MANAGER_ID, Desk

pytestmark = pytest.mark.e2e


def _calls(desk: Desk, method: str, chat_id: int) -> list:
    return [
        c
        for c in desk.sandbox.requests
        if c.method == method and c.params.get("chat_id") == chat_id
    ]


async def test_a_429_waits_retry_after_and_the_ack_still_arrives(desk: Desk) -> None:
    alice = desk.customer()
    desk.sandbox.inject_fault("sendMessage", status=429, retry_after=1, chat_id=alice.id)
    desk.sandbox.send_text(alice, "hello")
    ack = await desk.sandbox.wait_for_message(alice.id, timeout=10)
    assert "opened ticket" in ack.text
    calls = _calls(desk, "sendMessage", alice.id)
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 1.0  # it waited retry_after
    await desk.settle()
    assert (await Message.get()).acknowledged_at is not None


async def test_server_errors_are_retried_with_backoff(desk: Desk) -> None:
    alice = desk.customer()
    desk.sandbox.inject_fault("sendMessage", status=502, chat_id=alice.id, times=2)
    desk.sandbox.send_text(alice, "hello")
    ack = await desk.sandbox.wait_for_message(alice.id, timeout=10)
    assert "opened ticket" in ack.text
    assert [c.status for c in _calls(desk, "sendMessage", alice.id)] == [502, 502, 200]


async def test_a_reply_that_never_gets_through_is_recorded_and_the_agent_told(
    desk: Desk,
) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(maya, "/agent_add 7001 Anna")
    anna = desk.sandbox.user(7001, "Anna")
    alice = desk.customer()
    await desk.send_text(alice, "hello")
    ticket = await Ticket.get()
    desk.sandbox.inject_fault("sendMessage", status=502, chat_id=alice.id, times=10)
    desk.sandbox.send_text(anna, f"/reply {ticket.id} We are on it")
    told = await desk.sandbox.wait_for_message(7001, contains="Not delivered", timeout=15)
    assert f"stored on ticket #{ticket.id}" in told.text
    reply = await Message.get(direction=Direction.OUTBOUND)
    assert reply.text == "We are on it" and reply.telegram_message_id is None
    assert reply.delivery_error
    assert len(_calls(desk, "sendMessage", alice.id)) == 1 + 4  # the ack, then 1 try + 3 retries
    history = await desk.send_text(anna, f"/ticket {ticket.id}")
    assert "not delivered" in history.plain_text


async def test_blocked_by_the_user_is_not_retried(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(maya, "/agent_add 7001 Anna")
    anna = desk.sandbox.user(7001, "Anna")
    alice = desk.customer()
    await desk.send_text(alice, "hello")
    ticket = await Ticket.get()
    desk.sandbox.block_bot(alice.id)
    told = await desk.send_text(anna, f"/reply {ticket.id} hi")
    assert "Not delivered" in told.text and "blocked" in told.text
    assert len(_calls(desk, "sendMessage", alice.id)) == 2  # the ack, one refused try
