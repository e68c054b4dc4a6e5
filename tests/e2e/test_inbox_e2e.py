"""The durable inbox inside a running bot: failing updates retried then set aside without
holding up others, apologies only when true, profile fields that cannot break intake."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from telegram import Update
from telegram.ext import MessageHandler, filters

from crm.models import Customer, InboundUpdate, Message
from crm.store import inbox
from tests.harness import eventually, running_desk

pytestmark = pytest.mark.e2e


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry failed updates after milliseconds instead of seconds."""
    monkeypatch.setattr(inbox, "BACKOFF_BASE", timedelta(milliseconds=20))


async def _set_aside_ids() -> list[int]:
    return await InboundUpdate.filter(set_aside_at__not_isnull=True).values_list(
        "update_id", flat=True
    )


async def test_an_update_that_fails_every_time_is_set_aside_and_holds_up_nothing(
    sandbox, db_url: str, quick_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tries = []

    async def explode(update: Update, context: object) -> None:
        tries.append(update.update_id)
        raise RuntimeError("a bug that hits this one message every time")

    async with running_desk(sandbox, db_url) as desk:
        desk.application.add_handler(MessageHandler(filters.Regex("^boom$"), explode), group=-2)
        alice, bob = desk.customer(501, "Alice"), desk.customer(502, "Bob")
        sandbox.send_text(alice, "boom")
        bad = sandbox.last_update_id
        await eventually(lambda: _async(tries.count(bad) >= inbox.MAX_ATTEMPTS), timeout=30)
        await eventually(lambda: _set_aside_ids(), timeout=30)
        # The ones behind it are handled as usual.
        ack = await desk.send_text(bob, "Where is my order?")
        assert "opened ticket" in ack.text
        late = await desk.send_text(alice, "and another thing")
        assert "ticket" in late.text

        assert await _set_aside_ids() == [bad]
        row = await InboundUpdate.get(update_id=bad)
        assert row.attempts == inbox.MAX_ATTEMPTS and "every time" in (row.last_error or "")
        assert await Message.filter(text="boom").count() == 1
    assert tries.count(bad) == inbox.MAX_ATTEMPTS  # a bounded number of tries
    texts = [m.text or "" for m in sandbox.messages_to(alice.id)]
    # The message itself was stored and acknowledged once; the apology came once, and says
    # the message is saved, which it is.
    assert sum("went wrong" in t for t in texts) == 1
    assert any("Your message is saved" in t for t in texts if "went wrong" in t)
    tracebacks = [r for r in caplog.records if r.exc_info and "error while handling" in r.message]
    assert len(tracebacks) == 1  # logged once, not once per try
    assert "boom" not in caplog.text  # the customer's text stays in the store


async def test_a_customer_with_a_nul_or_an_endless_first_name_is_stored_and_acknowledged(
    desk,
) -> None:
    name = "Ev\x00e" + "x" * 300
    eve = desk.customer(601, name, last_name="Lo\x00ng" * 100, username="e\x00ve")
    ack = await desk.send_text(eve, "Hello, my order is missing")
    assert "opened ticket" in ack.text
    customer = await Customer.get(telegram_id=601)
    assert customer.first_name.startswith("Eve") and len(customer.first_name) == 255
    assert "\x00" not in customer.first_name + (customer.last_name or "")
    assert customer.username == "eve"
    assert await Message.filter(text="Hello, my order is missing").count() == 1


async def test_the_apology_says_saved_only_for_a_message_that_is(sandbox, db_url: str) -> None:
    async def explode(update: Update, context: object) -> None:
        raise RuntimeError("broken")

    async with running_desk(sandbox, db_url) as desk:
        desk.application.add_handler(MessageHandler(filters.Regex("^boom$"), explode), group=-2)
        alice = desk.customer(501, "Alice")
        # Handed to the bot without going through the inbox: nothing is stored.
        message = sandbox.send_text(alice, "boom")
        await desk.settle()
        before = len(sandbox.messages_to(alice.id))
        unstored = Update.de_json(
            {"update_id": 10**9, "message": {**message, "message_id": 10**6}},
            desk.application.bot,
        )
        await desk.application.process_update(unstored)
        texts = [m.text or "" for m in sandbox.messages_to(alice.id)[before:]]
    apologies = [t for t in texts if "went wrong" in t]
    assert len(apologies) == 1
    assert "is saved" not in apologies[0] and "send it again" in apologies[0]


async def _async(value: object) -> object:
    return value
