"""What a failing Bot API call costs: only what it was for, never the rest of the work."""

from __future__ import annotations

import pytest
from telegram.error import TelegramError

from bot.app import build_application, running
from crm import clock
from crm.desk import staff
from crm.models import Customer, NpsResponse, Rating, Ticket, TicketKind
from tests.factories import make_customer, make_deal, make_order, make_order_line
from tests.harness import MANAGER_ID, Desk, desk_settings, running_desk

pytestmark = pytest.mark.e2e

CUSTOMER_APOLOGY = "Your message is saved"
ANNA = 7001


def _texts(desk: Desk, chat_id: int) -> list[str]:
    return [m.plain_text or m.text or "" for m in desk.sandbox.messages_to(chat_id)]


# --- start-up ------------------------------------------------------------------------------------


async def test_a_refused_command_menu_is_a_warning_and_the_desk_starts(
    sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.inject_fault("setMyCommands", status=400, description="Bad Request: nope", times=2)
    async with running_desk(sandbox, db_url) as desk:
        reply = await desk.send_text(desk.customer(), "/start")
        assert "Hello, Alice!" in reply.text
    customers = [
        c for c in sandbox.calls("setMyCommands") if c.params["scope"]["type"] != "chat"
    ]  # each staff member's own menu (scope chat) comes after the customers'
    assert [c.status for c in customers] == [400, 400]
    assert "command menu (en) not published" in caplog.text
    assert "command menu (zh) not published" in caplog.text


async def test_a_failing_get_me_still_stops_start_up_and_closes_its_sessions(
    sandbox, db_url: str
) -> None:
    sandbox.inject_fault("getMe", status=400, description="Bad Request: who?")
    application = build_application(desk_settings(sandbox, db_url))
    with pytest.raises(TelegramError, match=r"(?i)who"):
        async with running(application):
            pass
    # No "Unclosed client session" at exit: the sessions opened for getMe are closed.
    assert [r._session for r in application.bot_data.http_requests] == [None, None]


# --- activity indicators -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 400, "description": "Bad Request: chat action refused"},
        # A 429 would have the rate limiter wait 30 s for a "typing…" nobody needs by then.
        {"status": 429, "retry_after": 30},
    ],
    ids=["400", "429"],
)
async def test_a_failed_typing_indicator_does_not_stop_an_import(desk: Desk, fault: dict) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    desk.sandbox.inject_fault("sendChatAction", **fault)
    content = b"name,email\nZoe,zoe@example.com\n"
    await desk.settle()
    desk.sandbox.send_document(
        maya, file_name="people.csv", content=content, caption="/import customers"
    )
    reply = await desk.sandbox.wait_for_message(MANAGER_ID, timeout=10)
    assert reply.text.startswith("Imported people.csv (customers): 1 rows: 1 created")
    assert await Customer.filter(email="zoe@example.com").count() == 1
    assert desk.sandbox.calls("sendChatAction")[0].status == fault["status"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/export customers", "customers row(s)"),
        ("/sales", "Sales report"),
        ("/associations", "rules"),
    ],
)
async def test_a_failed_activity_indicator_never_fails_a_command(
    desk: Desk, command: str, expected: str
) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    desk.sandbox.inject_fault("sendChatAction", status=400, description="Bad Request: no")
    reply = await desk.send_text(maya, command)
    assert expected in (reply.plain_text or reply.text or "")
    await desk.settle()
    assert not any("went wrong" in text for text in _texts(desk, MANAGER_ID))
    assert desk.sandbox.calls("sendChatAction")[0].status == 400


# --- the survey ----------------------------------------------------------------------------------


async def test_a_survey_message_that_cannot_be_edited_still_leads_to_nps_and_the_alert(
    desk: Desk,
) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(maya, f"/agent_add {ANNA} Anna")
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "I was charged twice")
    ticket = await Ticket.get()
    await desk.send_text(desk.sandbox.user(ANNA, "Anna"), f"/close {ticket.id}")
    survey = await desk.sandbox.wait_for_message(carol.id, contains="How did we do?")

    desk.sandbox.inject_fault(
        "editMessageText", status=400, description="Bad Request: message can't be edited"
    )
    desk.sandbox.inject_fault(
        "answerCallbackQuery", status=400, description="Bad Request: query is too old"
    )
    desk.sandbox.press_button(carol, survey, survey.button_data()[1])  # 2 stars

    nps = await desk.sandbox.wait_for_message(carol.id, contains="recommend")
    assert len(nps.button_data()) == 11
    alert = await desk.sandbox.wait_for_message(MANAGER_ID, contains="Low rating 2/5")
    assert f"ticket #{ticket.id}" in alert.plain_text
    await desk.settle()
    assert (await Rating.get()).score == 2
    assert await NpsResponse.all().count() == 1
    assert await Ticket.filter(kind=TicketKind.FOLLOW_UP).count() == 1
    assert [c.status for c in desk.sandbox.calls("editMessageText")] == [400]


# --- charts and apologies ------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "title"), [("/summary", "Summary"), ("/report 7", "Report")])
async def test_a_chart_that_fails_is_reported_as_missing_not_apologised_for(
    desk: Desk, command: str, title: str
) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    desk.sandbox.inject_fault("sendPhoto", status=400, description="Bad Request: photo refused")
    text = await desk.send_text(maya, command)
    assert title.lower() in text.plain_text.lower()
    note = await desk.sandbox.wait_for_message(MANAGER_ID, count=2)
    await desk.settle()
    assert note.text.startswith("The chart could not be delivered; the text above is complete.")
    texts = _texts(desk, MANAGER_ID)
    assert len(texts) == 2
    assert not any(CUSTOMER_APOLOGY in t or "went wrong" in t for t in texts)


async def test_sales_charts_that_fail_are_reported_as_missing(desk: Desk) -> None:
    anna, _ = await staff.add_agent(telegram_id=ANNA, name="Anna")
    customer = await make_customer("Carol", city="Rome")
    await make_deal(customer, owner=anna, value=900)
    order = await make_order(customer, ordered_at=clock.utcnow(), total=90)
    await make_order_line(order, product_name="Pan", total=90)
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    desk.sandbox.inject_fault("sendMediaGroup", status=400, description="Bad Request: album")
    desk.sandbox.inject_fault("sendPhoto", status=400, description="Bad Request: photo")

    reply = await desk.send_text(maya, "/sales 2")
    assert "Sales report" in reply.plain_text
    note = await desk.sandbox.wait_for_message(MANAGER_ID, contains="could not be delivered")
    await desk.settle()
    assert note.text.startswith("Some charts could not be delivered; the text above is complete.")
    assert not any(CUSTOMER_APOLOGY in t for t in _texts(desk, MANAGER_ID))


async def test_staff_get_a_staff_apology_and_customers_theirs(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    desk.sandbox.inject_fault("sendMessage", status=400, description="Bad Request: boom")
    desk.sandbox.send_text(maya, "/agents")
    apology = await desk.sandbox.wait_for_message(MANAGER_ID)
    assert apology.text.startswith("Sorry, something went wrong handling that on our side")
    assert CUSTOMER_APOLOGY not in apology.text

    alice = desk.customer()
    desk.sandbox.inject_fault("sendMessage", status=400, description="Bad Request: boom")
    desk.sandbox.send_text(alice, "hello")
    apology = await desk.sandbox.wait_for_message(alice.id)
    assert CUSTOMER_APOLOGY in apology.text
    await desk.settle()
    assert "error while handling update" in caplog.text


# --- staff names ---------------------------------------------------------------------------------


async def test_a_bootstrapped_manager_is_greeted_by_their_telegram_name(desk: Desk) -> None:
    reply = await desk.send_text(desk.sandbox.user(MANAGER_ID, "Maya"), "/start")
    assert reply.text.startswith("Hello, Maya!")
    renamed = desk.sandbox.user(MANAGER_ID, "Maya", last_name="Stone")
    reply = await desk.send_text(renamed, "/help")
    assert reply.text.startswith("Hello, Maya Stone!")
    assert (await staff.find_staff(telegram_id=MANAGER_ID)).name == "Maya Stone"


async def test_an_agents_name_follows_telegram_in_what_others_see(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(maya, f"/agent_add {ANNA}")
    assert "user 7001" in (await desk.send_text(maya, "/agents")).plain_text
    await desk.send_text(desk.sandbox.user(ANNA, "Anna"), "/online")
    assert "Anna (7001)" in (await desk.send_text(maya, "/agents")).plain_text
    # She changes her name in Telegram: the desk follows, as it does for customers.
    await desk.send_text(desk.sandbox.user(ANNA, "Anna", last_name="Berg"), "/offline")
    assert "Anna Berg (7001)" in (await desk.send_text(maya, "/agents")).plain_text
