"""/forget_me end to end: the real bot in webhook mode, so every raw update is in the inbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.app import build_application
from bot.webhook import serving
from crm.models import AuditEntry, Customer, InboundUpdate, Rating, Ticket
from crm.store import db, inbox
from tests.factories import make_customer
from tests.harness import MANAGER_ID, Desk, desk_settings, eventually, free_port
from tests.planted import (
    ADDRESS,
    CARD,
    EDITED_AWAY,
    EMAIL,
    FIRST,
    LAST,
    PHONE,
    RATING_COMMENT,
    TELEGRAM_ID,
    USERNAME,
    traces_in_store,
)

pytestmark = pytest.mark.e2e
ANNA = 7001


@asynccontextmanager
async def webhook_desk(sandbox, db_url: str) -> AsyncIterator[Desk]:
    """Run the bot in webhook mode; the sandbox pushes every update to it over HTTP."""
    port = free_port()
    settings = desk_settings(
        sandbox,
        db_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret="privacy-secret_1",
        listen_host="127.0.0.1",
        listen_port=port,
    )
    application = build_application(settings)
    async with serving(application, settings):
        yield Desk(
            sandbox=sandbox,
            application=application,
            settings=settings,
            baseline_update_id=sandbox.last_update_id,
        )


async def _all_handled() -> bool:
    return await inbox.pending_count() == 0


async def test_forget_me_through_the_button_leaves_no_trace_then_she_is_new(
    sandbox, db_url: str
) -> None:
    async with webhook_desk(sandbox, db_url) as desk:
        maya = sandbox.user(MANAGER_ID, "Maya")
        anna = sandbox.user(ANNA, "Anna")
        await desk.send_text(maya, f"/agent_add {ANNA} Anna")
        await desk.send_text(anna, "/online")
        imported = await make_customer(
            FIRST, last_name=LAST, phone=PHONE, email=EMAIL, notes=ADDRESS
        )
        zen = sandbox.user(TELEGRAM_ID, FIRST, last_name=LAST, username=USERNAME)

        await desk.send_text(zen, CARD)
        ticket = await Ticket.get(customer__telegram_id=TELEGRAM_ID)
        notice = await sandbox.wait_for_message(ANNA, contains="New ticket for you")
        await desk.send_text(zen, ADDRESS)
        sent = desk.sandbox.send_text(zen, EDITED_AWAY)
        await desk.settle()
        sandbox.edit_text(zen, sent["message_id"], "(removed)")
        await desk.settle()
        await desk.expect_reply(
            zen,
            lambda: sandbox.send_contact(
                zen, phone_number=PHONE.lstrip("+"), first_name=FIRST, contact_user_id=zen.id
            ),
        )
        assert (await Customer.get(telegram_id=TELEGRAM_ID)).id == imported.id  # linked

        await desk.send_text(anna, f"/reply {ticket.id} Hello {FIRST}, we blocked that card")
        await desk.send_text(anna, f"/note {ticket.id} {FIRST} {LAST} sent a card number")
        before = len(sandbox.messages_to(zen.id))
        sandbox.send_text(anna, "Card blocked.", reply_to_message_id=notice.message_id)
        await sandbox.wait_for_message(zen.id, count=before + 1)
        await desk.send_text(maya, f"/deal_new {imported.id} 1200 {FIRST} {LAST} {PHONE} plan")
        await desk.send_text(maya, f"/task c{imported.id} tomorrow Call {FIRST} on {PHONE}")
        await desk.send_text(anna, f"/close {ticket.id}")
        survey = await sandbox.wait_for_message(zen.id, contains="How did we do?")
        await desk.press(zen, survey, survey.button_data()[1])
        await desk.settle()
        # A comment is an explicit step: the "Add a comment" button, then a reply to its prompt.
        await desk.press(zen, survey, survey.button_data()[0])
        prompt = await sandbox.wait_for_message(zen.id, contains="Reply to this message")
        await desk.expect_reply(
            zen,
            lambda: sandbox.send_text(zen, RATING_COMMENT, reply_to_message_id=prompt.message_id),
        )
        assert (await Rating.get()).comment == RATING_COMMENT
        await eventually(_all_handled)
        assert {t for t, _, _ in await traces_in_store()} >= {"inbound_update", "audit_entry"}

        question = await desk.send_text(zen, "/forget_me")
        yes, _ = question.button_data()
        await desk.press(zen, question, yes)
        await desk.settle()
        await eventually(_all_handled)

        assert await traces_in_store() == []
        assert "erased" in (sandbox.messages_to(zen.id)[-1].text or "")
        stored = await InboundUpdate.all().values_list("update_id", flat=True)
        assert len(stored) == sandbox.last_update_id  # every update id is still recognised
        erase = await AuditEntry.get(action="customer.erase")
        assert erase.details["counts"]["telegram_updates"] >= 8
        assert await Ticket.filter(customer_id=imported.id).count() == 2  # with the follow-up

        # She writes again: a brand-new customer, nothing of the old record attached.
        hello = await desk.send_text(zen, "Hello, it is me again")
        again = await Customer.get(telegram_id=TELEGRAM_ID)
        assert again.id != imported.id and again.erased_at is None
        fresh = await Ticket.get(customer_id=again.id)
        assert f"#{fresh.id}" in hello.text and fresh.id != ticket.id
        assert await Ticket.filter(customer_id=again.id).count() == 1
        old = await Customer.get(id=imported.id)
        assert (old.telegram_id, old.phone, old.erased_at is not None) == (None, None, True)


async def test_an_erased_update_still_waiting_is_replayed_as_nothing_and_marked_handled(
    sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A replica accepted an update, then died; meanwhile the sender's data was erased.
    await db.open_store(db_url)
    try:
        await inbox.accept(update_id=30, payload={"update_id": 30}, replica="gone")
    finally:
        await db.close_store()
    caplog.set_level(logging.WARNING)
    async with webhook_desk(sandbox, db_url):

        async def handled() -> bool:
            return (await InboundUpdate.get(update_id=30)).processed_at is not None

        await eventually(handled)
        assert await Ticket.all().count() == 0 and sandbox.messages_to(TELEGRAM_ID) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
