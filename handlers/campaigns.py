"""Campaigns from Telegram: the /campaign_new dialog, sending and scheduling, reports, interest.

Managers build a campaign in a short dialog (audience, message, button, control group,
preview) and then send, schedule, pause, resume or cancel it by number. The sending itself
is the background sender's (bot/broadcast.py): these handlers only change the store and
wake it. Customers' "I'm interested" presses are counted and open a ticket for an agent.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
)

from crm.desk import staff_messages, tickets
from crm.errors import InvalidInput
from crm.i18n import Phrase, t
from crm.insight.segments import latest_run
from crm.marketing import campaigns
from crm.marketing.audiences import HELP_TEXT as AUDIENCE_HELP
from crm.marketing.campaigns.drafts import AudiencePreview, Button
from crm.models import ButtonKind, Campaign, CampaignStatus, Role, StaffMember, TicketKind
from crm.sales import deals
from crm.store import dialogs
from crm.store.dialogs import Dialog
from handlers import agent
from handlers.auth import answer, require, sender_language, staff_language
from handlers.context import CRMContext
from handlers.notify import route_and_notify
from handlers.text import split_message
from handlers.unpack import NEW_PRIVATE, profile_of

log = logging.getLogger(__name__)

PREFIX = "cn"  # the dialog's buttons: cn:<owner telegram id>:<step>[:<choice>]
_DIALOG_DATA = re.compile(rf"^{PREFIX}:(\d{{1,12}}):")
_INTEREST = re.compile(r"^campaign:(\d{1,12}):interested$")
DIALOG_TIMEOUT = timedelta(minutes=15)
CONTROL_CHOICES = (0, 10, 20)
SEGMENT_BUTTONS = 12
DIALOG = "campaign_new"  # the dialog's name in the store
# context.user_data key of the dialog's answers while one update takes a step (read from
# the store before it, written back after it).
DRAFT = "campaign_draft"
_NEXT = "campaign_next_state"
AUDIENCE, MESSAGE, BUTTON, CONTROL, CONFIRM = range(5)
END = -1  # a step that ends the dialog returns this


@dataclass
class Draft:
    """The manager's answers so far in /campaign_new."""

    owner: int  # the manager's Telegram id
    segments: list[str] = field(default_factory=list)  # the audience buttons, by index
    audience: AudiencePreview | None = None
    text: str = ""
    photo_file_id: str | None = None
    button: Button | None = None
    control: int = 0


StepHandler = Callable[[Update, CRMContext], Awaitable[int | None]]


def register(application: Application) -> None:
    """Add the campaign dialog, the manager commands and the "I'm interested" button."""
    add = application.add_handler
    add(CommandHandler("campaign_new", new_campaign, filters=NEW_PRIVATE))
    add(CommandHandler("cancel", cancel_command, filters=NEW_PRIVATE))
    for name, callback in (
        ("campaign_send", send_now),
        ("campaign_schedule", schedule),
        ("campaign_pause", pause),
        ("campaign_resume", resume),
        ("campaign_cancel", cancel_campaign),
        ("campaigns", list_campaigns),
        ("campaign", show_campaign),
    ):
        add(CommandHandler(name, callback, filters=NEW_PRIVATE))
    # Dialog answers that are plain messages come through customer.intake (staff branch).
    add(CallbackQueryHandler(dialog_button, pattern=_DIALOG_DATA))
    add(CallbackQueryHandler(interested, pattern=_INTEREST))


# --- the /campaign_new dialog ----------------------------------------------------------------
#
# The dialog's state (its step and the answers so far) lives in the store (crm/dialogs.py),
# not in the process: behind a load balancer each answer may reach another bot replica, and
# each replica reads the state afresh for every update. Each step is claimed before it is
# taken, so a double press handled by two replicas takes the step once.


def step(
    handler: Callable[[Update, CRMContext, StaffMember], Awaitable[int]],
) -> Callable[[Update, CRMContext], Awaitable[int | None]]:
    """Guard a dialog step like any manager command and return the dialog's next step.

    A refused sender or a domain error (answered by ``require``) returns None: the
    dialog stays on the same step.
    """

    @require(Role.MANAGER)
    @functools.wraps(handler)
    async def guarded(update: Update, context: CRMContext, member: StaffMember) -> None:
        context.user_data[_NEXT] = await handler(update, context, member)

    @functools.wraps(handler)
    async def run(update: Update, context: CRMContext) -> int | None:
        context.user_data.pop(_NEXT, None)
        await guarded(update, context)
        return context.user_data.pop(_NEXT, None)

    return run


def _draft_data(draft: Draft) -> dict[str, Any]:
    """Return the draft as the JSON the store keeps."""
    audience, button = draft.audience, draft.button
    return {
        "owner": draft.owner,
        "segments": list(draft.segments),
        "audience": None
        if audience is None
        else {"spec": audience.spec, "size": audience.size, "reachable": audience.reachable},
        "text": draft.text,
        "photo_file_id": draft.photo_file_id,
        "button": None
        if button is None
        else {"text": button.text, "kind": button.kind.value, "url": button.url},
        "control": draft.control,
    }


def _draft_of(data: dict[str, Any]) -> Draft:
    """Rebuild a draft from the store's JSON."""
    audience, button = data.get("audience"), data.get("button")
    return Draft(
        owner=int(data["owner"]),
        segments=list(data.get("segments", [])),
        audience=None if audience is None else AudiencePreview(**audience),
        text=data.get("text", ""),
        photo_file_id=data.get("photo_file_id"),
        button=None
        if button is None
        else Button(text=button["text"], kind=ButtonKind(button["kind"]), url=button.get("url")),
        control=int(data.get("control", 0)),
    )


async def _run(update: Update, context: CRMContext, dialog: Dialog, handler: StepHandler) -> None:
    """Take the dialog's current step with ``handler`` and store where it leads."""
    claimed = await dialogs.claim(dialog)
    if claimed is None:  # another update (on this replica or another) took the step first
        await _step_done(update, dialog.user_id)
        return
    context.user_data[DRAFT] = _draft_of(claimed.data)
    next_step: int | None = None
    try:
        next_step = await handler(update, context)
    finally:
        draft = context.user_data.pop(DRAFT, None)
        if next_step == END:  # confirmed or cancelled
            await dialogs.finish(claimed)
        else:
            if next_step is not None and isinstance(draft, Draft):
                step_to, data = next_step, _draft_data(draft)
            else:  # a refused or invalid answer leaves the dialog on the step it was on
                step_to, data = dialog.step, dialog.data
            latest = await dialogs.advance(claimed, step=step_to, data=data)
            if latest is not None:
                _time_out_later(context, latest)


def _time_out_later(context: CRMContext, dialog: Dialog) -> None:
    """End the dialog after DIALOG_TIMEOUT unless an answer moves it on before."""
    if context.job_queue is not None:
        context.job_queue.run_once(
            _timed_out, DIALOG_TIMEOUT, data=dialog, name=f"{DIALOG}:{dialog.id}"
        )


async def _timed_out(context: CRMContext) -> None:
    """Tell the manager the dialog expired (if nothing moved it since); nothing was created."""
    assert context.job is not None
    dialog: Dialog = context.job.data  # type: ignore[assignment]
    if await dialogs.finish(dialog):
        await _say_timed_out(context, dialog.chat_id)


async def _step_done(update: Update, telegram_id: int) -> None:
    text = t("staff.dialog.step_done", await staff_language(telegram_id))
    await answer(update, text, alert=True)


async def _say_timed_out(context: CRMContext, chat_id: int) -> None:
    minutes = int(DIALOG_TIMEOUT.total_seconds() // 60)
    # The dialog's chat is the manager's private chat: its id is theirs.
    text = t("staff.dialog.timed_out", await staff_language(chat_id), minutes=minutes)
    await context.bot.send_message(chat_id, text)


async def _open_dialog(update: Update, context: CRMContext) -> Dialog | None:
    """Return the sender's dialog in this chat; end it (and say so) if it timed out."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    dialog = await dialogs.current(name=DIALOG, user_id=user.id, chat_id=chat.id)
    if dialog is None:
        return None
    if dialog.expired(DIALOG_TIMEOUT):
        # The replica that was to time it out is gone: end it now.
        if await dialogs.finish(dialog):
            await _say_timed_out(context, chat.id)
        return None
    return dialog


async def dialog_message(update: Update, context: CRMContext, member: StaffMember) -> bool:
    """Take a staff member's message as the answer to their open dialog's step, if any.

    Returns False when no dialog is open, so the message is handled as usual.
    """
    message = update.effective_message
    dialog = await _open_dialog(update, context)
    if dialog is None or message is None:
        return False
    if dialog.step == dialogs.BUSY:
        await answer(update, t("staff.dialog.busy", member.text_language))
        return True
    text = bool(message.text) and not message.text.startswith("/")
    handler: StepHandler
    if dialog.step == AUDIENCE and text:
        handler = audience_typed
    elif dialog.step == MESSAGE and (text or message.photo):
        handler = message_given
    elif dialog.step == BUTTON and text:
        handler = button_typed
    else:
        handler = _HINT_STEPS[dialog.step]
    await _run(update, context, dialog, handler)
    return True


@require(Role.MANAGER)
async def dialog_button(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Take a press on one of the dialog's buttons: its owner's, on the current step only."""
    query = update.callback_query
    assert query is not None
    data, lang = query.data or "", member.text_language
    match = _DIALOG_DATA.match(data)
    if match is None or int(match[1]) != member.telegram_id:
        await answer(update, t("staff.dialog.not_yours", lang), alert=True)
        return
    if data.endswith(":pv"):
        await answer(update, t("staff.dialog.preview_button", lang), alert=True)
        return
    dialog = await _open_dialog(update, context)
    if dialog is None:
        await answer(update, t("staff.dialog.ended", lang), alert=True)
        return
    for pattern, handler in _BUTTONS.get(dialog.step, ()):
        if re.fullmatch(pattern, data):
            await _run(update, context, dialog, handler)
            return
    await _step_done(update, member.telegram_id)


async def cancel_command(update: Update, context: CRMContext) -> None:
    """/cancel: stop the sender's open dialog; without one it is a command the bot does not know."""
    dialog = await _open_dialog(update, context)
    if dialog is None:
        user, message = update.effective_user, update.effective_message
        if message is not None and user is not None:
            language = await sender_language(user, context.bot)
            await message.reply_text(t("unknown_command", language))
        return
    await _run(update, context, dialog, cancel_dialog)


def _choice(step_name: str, values: str) -> str:
    return rf"^{PREFIX}:\d{{1,12}}:{step_name}{values}$"


def _button(draft: Draft, label: str, step_name: str, value: str = "") -> InlineKeyboardButton:
    data = f"{PREFIX}:{draft.owner}:{step_name}" + (f":{value}" if value else "")
    return InlineKeyboardButton(label, callback_data=data)


def _draft(context: CRMContext) -> Draft:
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, Draft):
        raise InvalidInput.of("staff.err.dialog_ended")
    return draft


async def _pressed(update: Update, context: CRMContext) -> tuple[Draft, str]:
    """Return the draft and the pressed choice; refuse a press on someone else's dialog."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    draft = _draft(context)
    data = query.data or ""
    if not data.startswith(f"{PREFIX}:{user.id}:") or draft.owner != user.id:
        raise InvalidInput.of("staff.err.dialog_not_yours")
    return draft, data.rsplit(":", 1)[-1]


async def _passed_on(update: Update, context: CRMContext, member: StaffMember) -> bool:
    """Hand a Telegram reply to a ticket message to the agent handlers: it is no dialog answer."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return False
    ticket_id = await staff_messages.ticket_for_reply(
        chat_id=message.chat_id, message_id=message.reply_to_message.message_id
    )
    if ticket_id is None:
        return False
    await agent.on_staff_message(update, context, member)
    return True


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send the next prompt of the dialog to the manager's chat."""
    message = update.effective_message
    assert message is not None
    return await message.reply_text(text, reply_markup=markup, do_quote=False)


async def _done_with(update: Update, note: str | None = None) -> None:
    """Answer a dialog button press and take the buttons off its message."""
    query = update.callback_query
    if query is None:
        return
    await query.answer(note)
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as err:  # the buttons are a convenience; the step is taken
        log.info("could not take the campaign dialog's buttons off: %s", err)


@step
async def new_campaign(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Start the campaign dialog: first, who should get it."""
    run = await latest_run()
    segments = list(run.segments)[:SEGMENT_BUTTONS] if run is not None else []
    draft = Draft(owner=member.telegram_id, segments=[s["name"] for s in segments])
    chat = update.effective_chat
    assert chat is not None
    # A new /campaign_new replaces a dialog in progress.
    dialog = await dialogs.start(
        name=DIALOG,
        user_id=member.telegram_id,
        chat_id=chat.id,
        step=AUDIENCE,
        data=_draft_data(draft),
    )
    _time_out_later(context, dialog)
    lang = member.text_language
    rows = [
        [_button(draft, f"{s['name']} ({s['size']})", "aud", str(index))]
        for index, s in enumerate(segments)
    ]
    rows.append([_button(draft, t("staff.dialog.everyone", lang), "aud", "all")])
    await _say(
        update,
        t("staff.dialog.start", lang, help=AUDIENCE_HELP),
        InlineKeyboardMarkup(rows),
    )
    return AUDIENCE


@step
async def audience_chosen(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take the audience from a segment button."""
    draft, choice = await _pressed(update, context)
    if choice == "all":
        spec = "all"
    elif int(choice) < len(draft.segments):
        spec = f"segment:{draft.segments[int(choice)]}"
    else:
        raise InvalidInput.of("staff.err.segment_gone")
    next_state = await _take_audience(update, draft, spec, member.text_language)
    await _done_with(update)
    return next_state


@step
async def audience_typed(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take a typed audience spec."""
    assert update.effective_message is not None
    if await _passed_on(update, context, member):
        return AUDIENCE
    text = update.effective_message.text or ""
    return await _take_audience(update, _draft(context), text, member.text_language)


async def _take_audience(update: Update, draft: Draft, spec: str, lang: str) -> int:
    preview = await campaigns.preview_audience(audience=spec)
    if not preview.size:
        raise InvalidInput.of("staff.err.audience_empty_choose", spec=preview.spec)
    draft.audience = preview
    text = t(
        "staff.dialog.audience",
        lang,
        spec=preview.spec,
        size=preview.size,
        reachable=preview.reachable,
    )
    await _say(update, text)
    return MESSAGE


@step
async def message_given(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take the campaign text, or a photo with its caption."""
    message = update.effective_message
    assert message is not None
    if await _passed_on(update, context, member):
        return MESSAGE
    draft = _draft(context)
    photo = message.photo[-1].file_id if message.photo else None  # the largest size
    raw = message.caption if photo else message.text
    draft.text = campaigns.check_text(raw or "", with_photo=photo is not None)
    draft.photo_file_id = photo
    lang = member.text_language
    await _say(
        update,
        t("staff.dialog.button", lang),
        InlineKeyboardMarkup([[_button(draft, t("staff.dialog.skip", lang), "btn", "skip")]]),
    )
    return BUTTON


@step
async def button_typed(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take a typed button: TEXT=URL for a link, TEXT for "I'm interested"."""
    assert update.effective_message is not None
    if await _passed_on(update, context, member):
        return BUTTON
    draft = _draft(context)
    draft.button = campaigns.parse_button(update.effective_message.text)
    return await _ask_control(update, draft, member.text_language)


@step
async def button_skipped(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Go on without a button."""
    draft, _ = await _pressed(update, context)
    draft.button = None
    await _done_with(update)
    return await _ask_control(update, draft, member.text_language)


async def _ask_control(update: Update, draft: Draft, lang: str) -> int:
    labels = {0: t("staff.dialog.control_none", lang), **{p: f"{p}%" for p in CONTROL_CHOICES if p}}
    buttons = [_button(draft, labels[p], "ctl", str(p)) for p in CONTROL_CHOICES]
    await _say(update, t("staff.dialog.control", lang), InlineKeyboardMarkup([buttons]))
    return CONTROL


@step
async def control_chosen(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take the control group share and show the preview."""
    draft, choice = await _pressed(update, context)
    if int(choice) not in CONTROL_CHOICES:
        raise InvalidInput.of("staff.err.control_choice")
    draft.control = int(choice)
    await _done_with(update)
    user = update.effective_user
    language = user.language_code if user else None
    await _send_preview(update, context, draft, language, member.text_language)
    return CONFIRM


async def _send_preview(
    update: Update, context: CRMContext, draft: Draft, language: str | None, lang: str
) -> None:
    """Show the message exactly as customers get it, then the summary with Confirm / Cancel.

    The message is in ``language`` (the manager's Telegram one, as a customer of theirs would
    see it); the summary and its buttons in ``lang``, the manager's own.
    """
    chat = update.effective_chat
    assert chat is not None
    text = campaigns.compose_text(Campaign(text=draft.text), language)
    markup = _customer_markup(draft)
    if draft.photo_file_id:
        photo = draft.photo_file_id
        await context.bot.send_photo(chat.id, photo, caption=text, reply_markup=markup)
    else:
        await context.bot.send_message(chat.id, text, reply_markup=markup)
    buttons = [
        _button(draft, t("staff.dialog.create", lang), "ok"),
        _button(draft, t("staff.dialog.cancel", lang), "no"),
    ]
    await context.bot.send_message(
        chat.id, _summary(draft, lang), reply_markup=InlineKeyboardMarkup([buttons])
    )


def _customer_markup(draft: Draft) -> InlineKeyboardMarkup | None:
    """Return the button customers will see (in the preview, "I'm interested" only explains)."""
    if draft.button is None:
        return None
    if draft.button.kind is ButtonKind.URL:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(draft.button.text, url=draft.button.url)]]
        )
    return InlineKeyboardMarkup([[_button(draft, draft.button.text, "pv")]])


def _summary(draft: Draft, lang: str) -> str:
    assert draft.audience is not None
    if draft.button is None:
        button = t("staff.dialog.no_button", lang)
    elif draft.button.kind is ButtonKind.URL:
        button = f"“{draft.button.text}” → {draft.button.url}"
    else:
        button = t("staff.dialog.interest_button", lang, text=draft.button.text)
    if draft.control:
        control = t("staff.dialog.held_out", lang, percent=draft.control)
    else:
        control = t("staff.dialog.no_button", lang)
    return t(
        "staff.dialog.summary",
        lang,
        spec=draft.audience.spec,
        size=draft.audience.size,
        reachable=draft.audience.reachable,
        button=button,
        control=control,
    )


@step
async def confirm(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Create the draft campaign and its send list; say how to send or schedule it."""
    draft, _ = await _pressed(update, context)
    assert draft.audience is not None
    campaign = await campaigns.create_campaign(
        audience=draft.audience.spec,
        text=draft.text,
        photo_file_id=draft.photo_file_id,
        button=draft.button,
        control_percent=draft.control,
        created_by=member.telegram_id,
    )
    lang = member.text_language
    await _done_with(update, t("staff.dialog.created_note", lang, campaign_id=campaign.id))
    zone = context.bot_data.settings.timezone
    text = t(
        "staff.dialog.created",
        lang,
        campaign_id=campaign.id,
        size=campaign.audience_size,
        zone=zone.key,
    )
    await _say(update, text)
    return END


@step
async def cancel_dialog(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Stop the dialog without creating anything (the Cancel button or /cancel)."""
    if update.callback_query is not None:
        await _pressed(update, context)
    context.user_data.pop(DRAFT, None)
    await _done_with(update)
    await _say(update, t("staff.dialog.cancelled", member.text_language))
    return END


_HINTS = {
    AUDIENCE: "staff.dialog.hint.audience",
    MESSAGE: "staff.dialog.hint.message",
    BUTTON: "staff.dialog.hint.button",
    CONTROL: "staff.dialog.hint.control",
    CONFIRM: "staff.dialog.hint.confirm",
}


def _hint(state: int) -> Callable[[Update, CRMContext], Awaitable[int | None]]:
    @step
    async def hint(update: Update, context: CRMContext, member: StaffMember) -> int:
        """Say what the current step expects; stay on it."""
        if await _passed_on(update, context, member):
            return state
        hint = Phrase(_HINTS[state])
        await answer(update, t("staff.dialog.hint", member.text_language, hint=hint))
        return state

    return hint


_HINT_STEPS = {state: _hint(state) for state in _HINTS}
# The buttons each step takes (their callback data, in full).
_BUTTONS: dict[int, tuple[tuple[str, StepHandler], ...]] = {
    AUDIENCE: ((_choice("aud", r":(\d+|all)"), audience_chosen),),
    BUTTON: ((_choice("btn", ":skip"), button_skipped),),
    CONTROL: ((_choice("ctl", r":\d{1,2}"), control_chosen),),
    CONFIRM: ((_choice("ok", ""), confirm), (_choice("no", ""), cancel_dialog)),
}


# --- managing campaigns by number ------------------------------------------------------------


def _campaign_id(context: CRMContext, command: str, *, counts: tuple[int, ...] = (1,)) -> int:
    """Return the campaign number of a command; refuse missing or malformed arguments."""
    given = context.args or []
    usage = Phrase(f"staff.usage.{command}")
    if len(given) not in counts:
        raise InvalidInput.of("staff.err.usage", usage=usage)
    try:
        return deals.parse_id(given[0], "campaign")
    except InvalidInput as err:
        raise InvalidInput.of("staff.err.with_usage", error=err, usage=usage) from None


@require(Role.MANAGER)
async def send_now(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Start sending a campaign now: /campaign_send <id>."""
    campaign_id = _campaign_id(context, "campaign_send")
    # Counted before the start, while no sender works on the list.
    left = (await campaigns.progress(campaign_id=campaign_id)).remaining
    await campaigns.start_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    text = t("staff.campaign.sending", member.text_language, campaign_id=campaign_id, count=left)
    status = await _say(update, text)
    await campaigns.set_progress_message(
        campaign_id=campaign_id, chat_id=status.chat_id, message_id=status.message_id
    )
    context.bot_data.wake_campaign_sender()


@require(Role.MANAGER)
async def schedule(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Have the sender start a campaign later: /campaign_schedule <id> <YYYY-MM-DD HH:MM>."""
    campaign_id = _campaign_id(context, "campaign_schedule", counts=(2, 3))
    zone = context.bot_data.settings.timezone
    at = campaigns.parse_local_time(" ".join((context.args or [])[1:]), zone=zone)
    await campaigns.schedule_campaign(campaign_id=campaign_id, at=at, actor=member.telegram_id)
    text = t(
        "staff.campaign.scheduled",
        member.text_language,
        campaign_id=campaign_id,
        when=f"{at.astimezone(zone):%Y-%m-%d %H:%M}",
        zone=zone.key,
    )
    status = await _say(update, text)
    await campaigns.set_progress_message(
        campaign_id=campaign_id, chat_id=status.chat_id, message_id=status.message_id
    )


@require(Role.MANAGER)
async def pause(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Pause a sending or scheduled campaign: /campaign_pause <id>."""
    campaign_id = _campaign_id(context, "campaign_pause")
    await campaigns.pause_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    await answer(update, t("staff.campaign.paused", member.text_language, campaign_id=campaign_id))


@require(Role.MANAGER)
async def resume(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Continue a paused campaign: /campaign_resume <id>."""
    campaign_id = _campaign_id(context, "campaign_resume")
    campaign = await campaigns.resume_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    lang = member.text_language
    if campaign.status is CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        zone = context.bot_data.settings.timezone
        when = f"{campaign.scheduled_at.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
        text = t("staff.campaign.rescheduled", lang, campaign_id=campaign_id, when=when)
        await answer(update, text)
        return
    await answer(update, t("staff.campaign.resumed", lang, campaign_id=campaign_id))
    context.bot_data.wake_campaign_sender()


@require(Role.MANAGER)
async def cancel_campaign(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Give up a campaign that is not sending: /campaign_cancel <id>."""
    campaign_id = _campaign_id(context, "campaign_cancel")
    await campaigns.cancel_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    text = t("staff.campaign.cancelled", member.text_language, campaign_id=campaign_id)
    await answer(update, text)


@require(Role.MANAGER)
async def list_campaigns(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the newest 20 campaigns with their status and counts."""
    if context.args:
        raise InvalidInput.of("staff.err.usage", usage=Phrase("staff.usage.campaigns"))
    rows = await campaigns.list_campaigns(limit=20)
    lang = member.text_language
    if not rows:
        await answer(update, t("staff.campaign.none", lang))
        return
    lines = [t("staff.campaign.list", lang)]
    for campaign, progress in rows:
        name = f" · {campaign.name}" if campaign.name else ""
        lines.append(campaigns.describe_progress(campaign, progress, lang=lang) + name)
    for chunk in split_message("\n".join(lines), html=False):  # plain text
        await answer(update, chunk)


@require(Role.MANAGER)
async def show_campaign(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show one campaign's report: delivery, presses, replies and uplift: /campaign <id>."""
    campaign_id = _campaign_id(context, "campaign")
    report = await campaigns.campaign_report(campaign_id=campaign_id)
    lang = member.text_language
    text = campaigns.describe_report(report, lang)
    scheduled = report.campaign.scheduled_at
    if report.campaign.status is CampaignStatus.SCHEDULED and scheduled is not None:
        zone = context.bot_data.settings.timezone
        when = f"{scheduled.astimezone(zone):%Y-%m-%d %H:%M}"
        text += t("staff.campaign.scheduled_for", lang, when=when, zone=zone.key)
    for chunk in split_message(text, html=False):  # plain: names and specs are never markup
        await answer(update, chunk)


# --- customers: the "I'm interested" button --------------------------------------------------


async def interested(update: Update, context: CRMContext) -> None:
    """Count a customer's "I'm interested" press; the first one opens a ticket for an agent."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    match = _INTEREST.match(query.data or "")
    pressed = None
    if match is not None and query.message is not None:
        pressed = await campaigns.record_interest(campaign_id=int(match[1]), telegram_id=user.id)
    if pressed is None:
        await query.answer(t("interest_gone", user.language_code), show_alert=True)
        return
    campaign, first = pressed
    if first:
        await _open_interest_ticket(update, context, campaign)
    await query.answer(t("interest_thanks", user.language_code))


async def _open_interest_ticket(update: Update, context: CRMContext, campaign: Campaign) -> None:
    """Open an inquiry saying the customer is interested, and route it to an agent."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.message is not None and user is not None
    # The campaign message's own identity: a redelivered press cannot open a second ticket.
    inbound = tickets.InboundMessage(
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        text=f"I'm interested in campaign #{campaign.id} ({_about(campaign)}).",
    )
    result = await tickets.open_ticket(
        profile=profile_of(user),
        kind=TicketKind.INQUIRY,
        message=inbound,
        topics=context.bot_data.topics,
    )
    if result.new_ticket and not result.duplicate:
        await route_and_notify(context.bot, context.bot_data.settings, ticket_id=result.ticket.id)


def _about(campaign: Campaign) -> str:
    """Return the campaign's name, or the first words of its text."""
    if campaign.name:
        return campaign.name
    words = " ".join(campaign.text.split())
    return words if len(words) <= 60 else words[:59].rsplit(" ", 1)[0] + "…"
