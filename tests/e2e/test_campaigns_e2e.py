"""Campaigns in Telegram: a manager builds one in a dialog, sends, schedules and reads reports;
customers press "I'm interested". Through the real Application and the sandbox Bot API.

The campaign sender runs in the bot too: a campaign started here may really be sent to
sandbox users, so assertions about started campaigns hold whether or not it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import SandboxBotAPI, SandboxUser, SentMessage
from crm import clock
from crm.desk import staff
from crm.i18n import t
from crm.marketing import campaigns
from crm.marketing.campaigns.delivery import Outcome
from crm.models import (
    AuditEntry,
    ButtonKind,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    Customer,
    DialogState,
    Direction,
    Message,
    RecipientStatus,
    Role,
    Ticket,
    TicketKind,
)
from handlers.auth import REFUSAL
from handlers.campaigns import dialog as campaign_dialog
from tests.factories import make_customer, make_segment_member, make_segment_run
from tests.harness import MANAGER_ID, Desk, running_desk

pytestmark = pytest.mark.e2e

OPT_OUT = "\n\n" + t("campaign_opt_out", "en")
ANNA = 7001  # an agent
OLGA = 9002  # a second manager
AUDIENCE_PROMPT = "1/5 Who should get it?"


async def _customers(n: int, *, first_id: int = 600, **fields: object) -> list[Customer]:
    return [
        await make_customer(f"C{first_id + i}", telegram_id=first_id + i, **fields)
        for i in range(n)
    ]


async def _replies(desk: Desk, user: SandboxUser, action, count: int) -> list[SentMessage]:
    """Run an action as the user; return the bot's next `count` messages to them."""
    await desk.settle()
    before = len(desk.sandbox.messages_to(user.id))
    action()
    await desk.sandbox.wait_for_message(user.id, count=before + count)
    await desk.settle()
    return desk.sandbox.messages_to(user.id)[before:]


async def _press(desk: Desk, user: SandboxUser, message: SentMessage, data: str, replies: int):
    """Press a button; return its callback answer and the bot's next `replies` messages."""
    await desk.settle()
    before = len(desk.sandbox.messages_to(MANAGER_ID))
    answered = await desk.press(user, message, data)
    await desk.sandbox.wait_for_message(MANAGER_ID, count=before + replies)
    await desk.settle()
    return answered, desk.sandbox.messages_to(MANAGER_ID)[before:]


async def _draft(*, audience: str = "all", **kwargs: object) -> Campaign:
    return await campaigns.create_campaign(audience=audience, text="Spring sale", **kwargs)


# --- the /campaign_new dialog ----------------------------------------------------------------


async def test_a_manager_builds_a_campaign_in_the_dialog(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await _customers(10, language_code="en", tags=["vip"])
    await make_customer("Imported", language_code="en-GB", tags=["VIP"])  # no chat
    await _customers(2, first_id=700, language_code="zh", tags=["vip"])
    await _customers(2, first_id=800, language_code="en")

    start = await desk.send_text(maya, "/campaign_new")
    assert AUDIENCE_PROMPT in start.text
    assert start.button_data() == [f"cn:{MANAGER_ID}:aud:all"]  # no segmentation run yet

    sized = await desk.send_text(maya, "language:en &  tag:vip")
    assert sized.text.startswith(
        "Audience: language:en & tag:vip: 11 customer(s), 10 reachable in Telegram now"
    )
    assert "2/5 Send the message" in sized.text

    ask_button = await desk.send_text(maya, "  Spring sale: 20% off <b>everything</b>  ")
    assert ask_button.text.startswith("3/5 A button under the message?")
    assert ask_button.button_data() == [f"cn:{MANAGER_ID}:btn:skip"]

    ask_control = await desk.send_text(maya, "Tell me more")
    assert ask_control.text.startswith("4/5 Hold out a control group?")
    assert ask_control.button_data() == [f"cn:{MANAGER_ID}:ctl:{p}" for p in (0, 10, 20)]

    answered, (preview, summary) = await _press(
        desk, maya, ask_control, f"cn:{MANAGER_ID}:ctl:10", replies=2
    )
    assert answered.text is None and not answered.show_alert
    # The message exactly as customers get it: plain text, the opt-out line, the button.
    assert preview.method == "sendMessage" and preview.parse_mode is None
    assert preview.text == "Spring sale: 20% off <b>everything</b>" + OPT_OUT
    assert preview.reply_markup["inline_keyboard"][0][0]["text"] == "Tell me more"
    assert "Audience: language:en & tag:vip: 11 customer(s), 10 reachable now" in summary.text
    assert "Button: “Tell me more” (I'm interested" in summary.text
    assert "Control group: 10% of the audience held out" in summary.text
    assert summary.button_data() == [f"cn:{MANAGER_ID}:ok", f"cn:{MANAGER_ID}:no"]
    assert await Campaign.all().count() == 0  # nothing before the confirmation

    answered, (created,) = await _press(desk, maya, summary, f"cn:{MANAGER_ID}:ok", replies=1)
    campaign = await Campaign.get()
    assert answered.text == f"Campaign #{campaign.id} created."
    assert created.text.startswith(
        f"Campaign #{campaign.id} is saved as a draft for 11 customer(s).\n"
        f"Send it now: /campaign_send {campaign.id}"
    )
    assert summary.button_data() == []  # a second Create cannot be pressed
    assert campaign.status is CampaignStatus.DRAFT
    assert campaign.audience == "language:en & tag:vip" and campaign.audience_size == 11
    assert campaign.text == "Spring sale: 20% off <b>everything</b>"
    assert (campaign.button_kind, campaign.button_text, campaign.button_url) == (
        ButtonKind.INTEREST,
        "Tell me more",
        None,
    )
    assert campaign.control_percent == 10 and campaign.created_by == MANAGER_ID
    assert campaign.photo is None and campaign.photo_file_id is None
    rows = await CampaignRecipient.filter(campaign_id=campaign.id).values_list("status", flat=True)
    assert sorted(rows) == sorted([RecipientStatus.CONTROL] + [RecipientStatus.PENDING] * 10)

    # The dialog is over: the manager's next words are not a campaign any more.
    after = await desk.send_text(maya, "language:en")
    assert after.text.startswith("To answer a customer, reply to a ticket message")
    assert await Campaign.all().count() == 1


async def test_bad_answers_are_explained_and_the_dialog_stays_on_the_step(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await _customers(3, language_code="en")

    start = await desk.send_text(maya, "/campaign_new")
    reply = await desk.send_text(maya, "city:")
    assert reply.text.startswith("City: needs a value: an audience is a segment name")
    reply = await desk.send_text(maya, "tag:nobody")
    assert reply.text == "The audience 'tag:nobody' has no customers: choose another."
    reply = await desk.send_text(maya, "no_order:abc")
    assert reply.text == "No_order: takes a number of days 1-3650, got 'abc'."
    desk.sandbox.send_sticker(maya)
    await desk.settle()
    assert desk.sandbox.messages_to(MANAGER_ID)[-1].text.startswith("Type the audience")

    reply = await desk.send_text(maya, "language:en")
    assert reply.text.startswith("Audience: language:en: 3 customer(s), 3 reachable")
    # A button of the step already answered is no answer now.
    late = await desk.press(maya, start, f"cn:{MANAGER_ID}:aud:all")
    assert late.text == "That step is done: answer the current question, or /cancel."

    reply = await desk.send_text(maya, "x" * 4090)
    assert reply.text.startswith("The text is 4090 characters: a message can hold")
    reply = await desk.send_text(maya, "Hello there")
    assert reply.text.startswith("3/5")
    reply = await desk.send_text(maya, "Shop=ftp://example.com")
    assert reply.text.startswith("The button link must be an http(s):// or tg:// URL")
    reply = await desk.send_text(maya, "Shop now = https://example.com/spring")
    assert reply.text.startswith("4/5")
    reply = await desk.send_text(maya, "20")
    assert reply.text.startswith("Choose the control group with the buttons above.")

    reply = await desk.send_text(maya, "/cancel")
    assert reply.text == "Campaign cancelled: nothing was created."
    assert await Campaign.all().count() == 0
    late = await desk.press(maya, start, f"cn:{MANAGER_ID}:aud:all")
    assert late.text == "This campaign dialog has ended. Start again with /campaign_new."


async def test_a_link_campaign_to_a_segment_confirmed_or_cancelled(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    members = await _customers(2)
    others = await _customers(3, first_id=700)
    run = await make_segment_run(
        finished_at=clock.utcnow(),
        customers=5,
        segments=[{"name": "high value", "size": 2}, {"name": "dormant", "size": 3}],
    )
    for customer in members:
        await make_segment_member(run, customer, segment="high value")
    for customer in others:
        await make_segment_member(run, customer, segment="dormant")

    start = await desk.send_text(maya, "/campaign_new")
    labels = [b["text"] for row in start.reply_markup["inline_keyboard"] for b in row]
    assert labels == ["high value (2)", "dormant (3)", "Everyone (all)"]
    _, (sized,) = await _press(desk, maya, start, f"cn:{MANAGER_ID}:aud:0", replies=1)
    assert sized.text.startswith("Audience: segment:high value: 2 customer(s), 2 reachable")
    assert start.button_data() == []  # the chosen step's buttons are taken off

    await desk.send_text(maya, "Our best offer")
    ask_control = await desk.send_text(maya, "Shop now=https://example.com/best")
    _, (preview, summary) = await _press(
        desk, maya, ask_control, f"cn:{MANAGER_ID}:ctl:0", replies=2
    )
    button = preview.reply_markup["inline_keyboard"][0][0]
    assert button == {"text": "Shop now", "url": "https://example.com/best"}
    assert "Button: “Shop now” → https://example.com/best" in summary.text
    assert "Control group: none" in summary.text

    answered, (cancelled,) = await _press(desk, maya, summary, f"cn:{MANAGER_ID}:no", replies=1)
    assert answered.text is None
    assert cancelled.text == "Campaign cancelled: nothing was created."
    assert await Campaign.all().count() == 0

    # Again, confirmed this time.
    start = await desk.send_text(maya, "/campaign_new")
    await _press(desk, maya, start, f"cn:{MANAGER_ID}:aud:1", replies=1)
    await desk.send_text(maya, "Come back")
    ask_control = await desk.send_text(maya, "Shop now=https://example.com/best")
    _, (_, summary) = await _press(desk, maya, ask_control, f"cn:{MANAGER_ID}:ctl:20", replies=2)
    await desk.press(maya, summary, f"cn:{MANAGER_ID}:ok")
    campaign = await Campaign.get()
    assert campaign.audience == "segment:dormant" and campaign.audience_size == 3
    assert (campaign.button_kind, campaign.button_url) == (
        ButtonKind.URL,
        "https://example.com/best",
    )
    assert campaign.control_percent == 20
    ids = await CampaignRecipient.filter(campaign_id=campaign.id).values_list(
        "customer_id", flat=True
    )
    assert sorted(ids) == sorted(c.id for c in others)


async def test_a_photo_campaign_keeps_the_largest_photos_file_id(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await _customers(2)
    start = await desk.send_text(maya, "/campaign_new")
    await _press(desk, maya, start, f"cn:{MANAGER_ID}:aud:all", replies=1)

    photos: list[dict] = []
    (no_caption,) = await _replies(
        desk, maya, lambda: photos.append(desk.sandbox.send_photo(maya)), 1
    )
    assert no_caption.text == "The campaign needs a message text."
    (too_long,) = await _replies(
        desk, maya, lambda: desk.sandbox.send_photo(maya, caption="x" * 1020), 1
    )
    assert too_long.text.startswith("The text is 1020 characters: a photo caption can hold")
    # Telegram sends a photo in several sizes, smallest first.
    large = photos[0]["photo"][-1]
    thumb = {**large, "file_id": "thumb-id", "file_unique_id": "thumb-u", "file_size": 10}
    message = {
        **photos[0],
        "message_id": photos[0]["message_id"] + 100,
        "photo": [thumb, large],
        "caption": "New menu!",
    }
    (ask_button,) = await _replies(
        desk, maya, lambda: desk.sandbox.post_update({"message": message}), 1
    )
    photo_file_id = large["file_id"]
    assert ask_button.text.startswith("3/5")
    _, (ask_control,) = await _press(desk, maya, ask_button, f"cn:{MANAGER_ID}:btn:skip", replies=1)
    _, (preview, summary) = await _press(
        desk, maya, ask_control, f"cn:{MANAGER_ID}:ctl:0", replies=2
    )
    assert preview.method == "sendPhoto" and preview.params["photo"] == photo_file_id
    assert preview.plain_text == "New menu!" + OPT_OUT and preview.reply_markup is None
    assert "Button: none" in summary.text

    await desk.press(maya, summary, f"cn:{MANAGER_ID}:ok")
    campaign = await Campaign.get()
    assert campaign.photo_file_id == photo_file_id and campaign.photo is None
    assert campaign.text == "New menu!" and campaign.button_kind is None


async def test_a_telegram_reply_to_a_ticket_mid_dialog_still_reaches_the_customer(
    desk: Desk,
) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    carol = desk.customer(501, "Carol")
    await desk.send_text(maya, "/online")
    await desk.send_text(carol, "Where is my parcel?")
    notice = await desk.sandbox.wait_for_message(MANAGER_ID, contains="New ticket for you")
    await _customers(2)
    await desk.send_text(maya, "/campaign_new")
    await desk.send_text(maya, "all")  # now the dialog waits for the message

    before = len(desk.sandbox.messages_to(carol.id))
    desk.sandbox.send_text(
        maya, "It left our warehouse today", reply_to_message_id=notice.message_id
    )
    reply = await desk.sandbox.wait_for_message(carol.id, count=before + 1)
    assert reply.text == "It left our warehouse today"
    assert await Message.filter(direction=Direction.OUTBOUND).count() == 1

    reply = await desk.send_text(maya, "Summer sale")
    assert reply.text.startswith("3/5")  # the dialog carried on where it was


async def test_a_bot_process_that_saw_none_of_the_dialog_takes_its_next_steps(
    sandbox: SandboxBotAPI, db_url: str
) -> None:
    # Behind a load balancer each answer may reach another replica: the state is the store's.
    maya = sandbox.user(MANAGER_ID, "Maya")
    async with running_desk(sandbox, db_url) as first:
        await _customers(3)
        start = await first.send_text(maya, "/campaign_new")
        sized = await first.send_text(maya, "all")
        assert "2/5 Send the message" in sized.text
    async with running_desk(sandbox, db_url) as second:
        ask_button = await second.send_text(maya, "Autumn sale")
        assert ask_button.text.startswith("3/5")
        late = await second.press(maya, start, f"cn:{MANAGER_ID}:aud:all")
        assert late.text == "That step is done: answer the current question, or /cancel."
        _, (ask_control,) = await _press(
            second, maya, ask_button, f"cn:{MANAGER_ID}:btn:skip", replies=1
        )
        assert ask_control.text.startswith("4/5")
        _, (_, summary) = await _press(
            second, maya, ask_control, f"cn:{MANAGER_ID}:ctl:0", replies=2
        )
        assert "Audience: all: 3 customer(s)" in summary.text
        _, (created,) = await _press(second, maya, summary, f"cn:{MANAGER_ID}:ok", replies=1)
        campaign = await Campaign.get()
        assert created.text.startswith(f"Campaign #{campaign.id} is saved as a draft")
        assert (campaign.text, campaign.audience_size) == ("Autumn sale", 3)
        # Done: nothing of the dialog is left in the store.
        assert await DialogState.all().count() == 0


async def test_the_dialog_times_out(sandbox: SandboxBotAPI, db_url: str, monkeypatch) -> None:
    monkeypatch.setattr(campaign_dialog, "DIALOG_TIMEOUT", timedelta(seconds=0.5))
    async with running_desk(sandbox, db_url) as desk:
        maya = desk.sandbox.user(MANAGER_ID, "Maya")
        await _customers(1)
        await desk.send_text(maya, "/campaign_new")
        timed_out = await desk.sandbox.wait_for_message(MANAGER_ID, contains="timed out")
        assert "nothing was created. Start again with /campaign_new." in timed_out.text
        after = await desk.send_text(maya, "all")
        assert after.text.startswith("To answer a customer")
        assert await Campaign.all().count() == 0


# --- who may do it ---------------------------------------------------------------------------


async def test_customers_and_agents_cannot_run_campaigns(desk: Desk) -> None:
    await staff.add_agent(telegram_id=ANNA, name="Anna")
    carol = desk.customer(501, "Carol")
    anna = desk.sandbox.user(ANNA, "Anna")
    await _customers(2)
    campaign = await _draft()
    commands = [
        "/campaign_new",
        f"/campaign_send {campaign.id}",
        f"/campaign_schedule {campaign.id} 2099-01-01 10:00",
        f"/campaign_pause {campaign.id}",
        f"/campaign_resume {campaign.id}",
        f"/campaign_cancel {campaign.id}",
        "/campaigns",
        f"/campaign {campaign.id}",
    ]
    for user in (carol, anna):
        for command in commands:
            reply = await desk.send_text(user, command)
            assert reply.text == REFUSAL[Role.MANAGER], (user.id, command)

    campaign = await Campaign.get(id=campaign.id)
    assert campaign.status is CampaignStatus.DRAFT and campaign.progress_chat_id is None
    assert await AuditEntry.filter(action__startswith="campaign.").count() == 1  # the create
    # No dialog was started for them: the customer's words are a ticket as usual.
    reply = await desk.send_text(carol, "all")
    assert "#" in reply.text and await Ticket.filter(customer__telegram_id=carol.id).exists()


async def test_nobody_else_can_press_a_managers_dialog_buttons(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    carol = desk.customer(501, "Carol")
    olga = desk.sandbox.user(OLGA, "Olga")
    await staff.promote_manager(telegram_id=OLGA)
    await _customers(2)
    start = await desk.send_text(maya, "/campaign_new")

    refused = await desk.press(carol, start, f"cn:{MANAGER_ID}:aud:all")
    assert refused.text == REFUSAL[Role.MANAGER] and refused.show_alert
    other = await desk.press(olga, start, f"cn:{MANAGER_ID}:aud:all")
    assert other.text == "This button belongs to another manager's campaign dialog."
    await desk.settle()
    assert desk.sandbox.messages_to(MANAGER_ID)[-1] is start  # no step was taken

    # Maya's dialog is where it was.
    reply = await desk.send_text(maya, "all")
    assert reply.text.startswith("Audience: all: 2 customer(s)")


# --- send, schedule, pause, resume, cancel ---------------------------------------------------


async def test_campaign_send_starts_it_and_leaves_a_status_message(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await _customers(3)
    campaign = await _draft()

    for command, expected in (
        ("/campaign_send", "Usage: /campaign_send <id>."),
        ("/campaign_send abc", "'abc' is not a campaign number. Usage: /campaign_send <id>."),
        ("/campaign_send 1 2", "Usage: /campaign_send <id>."),
        ("/campaign_send 999", "Campaign #999 does not exist."),
    ):
        reply = await desk.send_text(maya, command)
        assert reply.text == expected, command
    assert (await Campaign.get(id=campaign.id)).status is CampaignStatus.DRAFT

    status = await desk.send_text(maya, f"/campaign_send {campaign.id}")
    assert status.text == f"Campaign #{campaign.id}: sending to 3 customer(s)…"
    assert status.parse_mode is None
    await desk.settle()
    stored = await Campaign.get(id=campaign.id)
    assert stored.status in (CampaignStatus.SENDING, CampaignStatus.DONE)
    assert stored.started_at is not None
    assert (stored.progress_chat_id, stored.progress_message_id) == (
        MANAGER_ID,
        status.message_id,
    )
    entry = await AuditEntry.get(action="campaign.send")
    assert entry.actor_telegram_id == MANAGER_ID

    # The sender may report on the campaign meanwhile: wait for the answer itself.
    desk.sandbox.send_text(maya, f"/campaign_send {campaign.id}")
    again = await desk.sandbox.wait_for_message(MANAGER_ID, contains="cannot send it")
    assert again.text.startswith(f"Campaign #{campaign.id} is ")
    assert again.text.endswith(": cannot send it.")
    assert await AuditEntry.filter(action="campaign.send").count() == 1


@pytest.fixture
async def berlin_desk(sandbox: SandboxBotAPI, db_url: str):
    """The desk in Europe/Berlin time."""
    async with running_desk(sandbox, db_url, timezone=ZoneInfo("Europe/Berlin")) as desk:
        yield desk


async def test_schedule_pause_resume_and_cancel(berlin_desk: Desk) -> None:
    desk = berlin_desk
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await _customers(3)
    campaign = await _draft()
    cid = campaign.id

    for command, expected in (
        (f"/campaign_schedule {cid}", "Usage: /campaign_schedule <id> <YYYY-MM-DD HH:MM>"),
        (f"/campaign_schedule {cid} tomorrow", "'tomorrow' is not a time: write YYYY-MM-DD"),
        (f"/campaign_schedule {cid} 2099-02-30 10:00", "'2099-02-30 10:00' is not a time"),
        (f"/campaign_schedule {cid} 2001-01-01 10:00", "That time has passed"),
        ("/campaign_schedule 999 2099-01-01 10:00", "Campaign #999 does not exist."),
    ):
        reply = await desk.send_text(maya, command)
        assert reply.text.startswith(expected), command
    assert (await Campaign.get(id=cid)).status is CampaignStatus.DRAFT

    status = await desk.send_text(maya, f"/campaign_schedule {cid} 2099-07-01 12:00")
    assert status.text.startswith(
        f"Campaign #{cid} is scheduled for 2099-07-01 12:00 (Europe/Berlin)."
    )
    await desk.settle()
    stored = await Campaign.get(id=cid)
    assert stored.status is CampaignStatus.SCHEDULED
    assert stored.scheduled_at == datetime(2099, 7, 1, 10, 0, tzinfo=UTC)  # CEST is UTC+2
    assert (stored.progress_chat_id, stored.progress_message_id) == (MANAGER_ID, status.message_id)

    reply = await desk.send_text(maya, f"/campaign_pause {cid}")
    assert reply.text.startswith(f"Campaign #{cid} is paused")
    assert (await Campaign.get(id=cid)).status is CampaignStatus.PAUSED
    reply = await desk.send_text(maya, f"/campaign_pause {cid}")
    assert reply.text == f"Campaign #{cid} is paused: cannot pause it."

    reply = await desk.send_text(maya, f"/campaign_resume {cid}")
    assert reply.text == (
        f"Campaign #{cid} is scheduled again for 2099-07-01 12:00 (Europe/Berlin)."
    )
    assert (await Campaign.get(id=cid)).status is CampaignStatus.SCHEDULED

    reply = await desk.send_text(maya, f"/campaign_cancel {cid}")
    assert reply.text == f"Campaign #{cid} is cancelled: nobody else will get it."
    assert (await Campaign.get(id=cid)).status is CampaignStatus.CANCELLED
    rows = await CampaignRecipient.filter(campaign_id=cid).values_list("status", flat=True)
    assert set(rows) == {RecipientStatus.SKIPPED}
    reply = await desk.send_text(maya, f"/campaign_resume {cid}")
    assert reply.text == f"Campaign #{cid} is cancelled: cannot resume it."

    report = await desk.send_text(maya, f"/campaign {cid}")
    assert report.text.startswith(f"Campaign #{cid}: cancelled")


async def test_resuming_a_paused_campaign_sends_again(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await make_customer("No chat")  # the sender can only skip them
    campaign = await _draft()
    await Campaign.filter(id=campaign.id).update(
        status=CampaignStatus.PAUSED, started_at=clock.utcnow()
    )
    reply = await desk.send_text(maya, f"/campaign_resume {campaign.id}")
    assert reply.text == f"Campaign #{campaign.id} is sending again."
    stored = await Campaign.get(id=campaign.id)
    assert stored.status in (CampaignStatus.SENDING, CampaignStatus.DONE)


# --- lists and reports -----------------------------------------------------------------------


async def _deliver(campaign: Campaign, outcomes: list[tuple[RecipientStatus, str | None]]) -> None:
    """Play the sender for a draft campaign's rows: claim, mark sending, record outcomes."""
    deliveries = await campaigns.claim_deliveries(campaign_id=campaign.id, token="t", limit=100)
    recorded = []
    for delivery, (status, reason) in zip(deliveries, outcomes, strict=False):
        assert await campaigns.mark_sending(recipient_id=delivery.recipient_id, token="t")
        recorded.append(
            Outcome(
                recipient_id=delivery.recipient_id,
                status=status,
                reason=reason,
                message_id=1000 + delivery.recipient_id,
                blocked=reason == campaigns.BLOCKED_REASON,
            )
        )
    await campaigns.record_outcomes(outcomes=recorded)


async def test_campaigns_and_a_campaigns_report_show_the_counts(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    empty = await desk.send_text(maya, "/campaigns")
    assert empty.text == "No campaigns yet. Create one with /campaign_new."

    await _customers(3)
    first = await _draft(name="<Spring> & co")
    await _deliver(
        first,
        [
            (RecipientStatus.SENT, None),
            (RecipientStatus.SENT, None),
            (RecipientStatus.FAILED, campaigns.BLOCKED_REASON),
        ],
    )
    second = await campaigns.create_campaign(audience="all", text="Later", control_percent=34)

    listed = await desk.send_text(maya, "/campaigns")
    lines = listed.text.splitlines()
    assert lines[0].startswith("Campaigns, newest first")
    assert lines[1] == (
        f"campaign #{second.id} draft: 0/2 done, sent 0, failed 0, skipped 0, remaining 2, "
        "control 1"
    )
    assert lines[2] == (
        f"campaign #{first.id} draft: 3/3 done, sent 2, failed 1, skipped 0, remaining 0"
        " · <Spring> & co"
    )

    report = await desk.send_text(maya, f"/campaign {first.id}")
    assert report.parse_mode is None
    assert report.text.startswith(f"Campaign #{first.id} <Spring> & co: draft\n")
    assert "Audience: all (3 customers)" in report.text
    assert "Delivered: 2, blocked the bot: 1, button presses: 0" in report.text
    reply = await desk.send_text(maya, "/campaign")
    assert reply.text == "Usage: /campaign <id>."
    reply = await desk.send_text(maya, "/campaign 77")
    assert reply.text == "Campaign #77 does not exist."


# --- customers press "I'm interested" --------------------------------------------------------


async def test_the_interest_button_counts_once_and_opens_one_ticket(desk: Desk) -> None:
    anna = desk.sandbox.user(ANNA, "Anna")
    await staff.add_agent(telegram_id=ANNA, name="Anna")
    await desk.send_text(anna, "/online")
    dan = desk.customer(601, "Dan")
    eve = desk.customer(602, "Eve", language_code="zh-hans")
    await _customers(2, first_id=601)
    campaign = await _draft(
        name="Spring sale", button=campaigns.Button("I want it", ButtonKind.INTEREST)
    )
    data = f"campaign:{campaign.id}:interested"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("I want it", callback_data=data)]])
    bot = desk.application.bot
    # Play the sender: dan gets the message, eve's row is still pending.
    delivered = await bot.send_message(dan.id, "Spring sale" + OPT_OUT, reply_markup=markup)
    shown_to_eve = await bot.send_message(eve.id, "Spring sale" + OPT_OUT, reply_markup=markup)
    deliveries = await campaigns.claim_deliveries(campaign_id=campaign.id, token="t", limit=1)
    assert [d.chat_id for d in deliveries] == [dan.id]
    assert await campaigns.mark_sending(recipient_id=deliveries[0].recipient_id, token="t")
    await campaigns.record_outcomes(
        outcomes=[
            Outcome(
                recipient_id=deliveries[0].recipient_id,
                status=RecipientStatus.SENT,
                message_id=delivered.message_id,
            )
        ]
    )
    dan_message = desk.sandbox.messages_to(dan.id)[-1]

    answered = await desk.press(dan, dan_message, data)
    assert answered.text == t("interest_thanks", "en") and not answered.show_alert
    notice = await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    assert f"I'm interested in campaign #{campaign.id} (Spring sale)." in notice.plain_text
    ticket = await Ticket.get(customer__telegram_id=dan.id)
    assert ticket.kind is TicketKind.INQUIRY

    again = await desk.press(dan, dan_message, data)
    assert again.text == t("interest_thanks", "en")
    await desk.settle()
    assert await Ticket.filter(customer__telegram_id=dan.id).count() == 1
    assert await Message.filter(ticket_id=ticket.id).count() == 1
    report = await campaigns.campaign_report(campaign_id=campaign.id)
    assert report.pressed == 1

    # Not (yet) a recipient, or no such campaign: the offer is gone; nothing is opened.
    eve_message = desk.sandbox.messages_to(eve.id)[-1]
    assert eve_message.message_id == shown_to_eve.message_id
    gone = await desk.press(eve, eve_message, data)
    assert gone.text == t("interest_gone", "zh-hans") and gone.show_alert
    gone = await desk.press(eve, eve_message, "campaign:999:interested", strict=False)
    assert gone.text == t("interest_gone", "zh-hans")
    await desk.settle()
    assert not await Ticket.filter(customer__telegram_id=eve.id).exists()
    assert (await campaigns.campaign_report(campaign_id=campaign.id)).pressed == 1
