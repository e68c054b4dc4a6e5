"""The /campaign_new steps: audience, message, button, control group, preview and confirm.

Each step takes one answer (a message or a press on one of its buttons), keeps it in the
draft and asks the next question; the dialog's engine (handlers/campaigns/answers.py) picks
the step an answer is for, from the tables at the end of this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from crm.errors import InvalidInput
from crm.i18n import Phrase, t
from crm.insight.segments import latest_run
from crm.marketing import campaigns
from crm.marketing.audiences import HELP_TEXT as AUDIENCE_HELP
from crm.models import ButtonKind, Campaign, StaffMember
from crm.store import dialogs
from handlers.auth import answer
from handlers.callbacks import DialogButton
from handlers.campaigns.dialog import (
    AUDIENCE,
    BUTTON,
    CONFIRM,
    CONTROL,
    DIALOG,
    DRAFT,
    END,
    MESSAGE,
    Draft,
    StepHandler,
    choice_button,
    current_draft,
    done_with,
    draft_data,
    say,
    step,
    time_out_later,
)
from handlers.context import CRMContext

# Each choice is one of the answers a DialogButton can carry (handlers/callbacks.py).
CONTROL_CHOICES = (0, 10, 20)
SEGMENT_BUTTONS = 12


async def _pressed(update: Update, context: CRMContext) -> tuple[Draft, str]:
    """Return the draft and the pressed choice; refuse a press on someone else's dialog."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    draft = current_draft(context)
    button = DialogButton.unpack(query.data)
    if button is None or button.owner != user.id or draft.owner != user.id:
        raise InvalidInput.of("staff.err.dialog_not_yours")
    return draft, button.choice


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
        data=draft_data(draft),
    )
    time_out_later(context, dialog)
    lang = member.text_language
    rows = [
        [choice_button(draft, f"{s['name']} ({s['size']})", "aud", str(index))]
        for index, s in enumerate(segments)
    ]
    rows.append([choice_button(draft, t("staff.dialog.everyone", lang), "aud", "all")])
    await say(
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
    await done_with(update)
    return next_state


@step
async def audience_typed(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take a typed audience spec."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    return await _take_audience(update, current_draft(context), text, member.text_language)


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
    await say(update, text)
    return MESSAGE


@step
async def message_given(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take the campaign text, or a photo with its caption."""
    message = update.effective_message
    assert message is not None
    draft = current_draft(context)
    photo = message.photo[-1].file_id if message.photo else None  # the largest size
    raw = message.caption if photo else message.text
    draft.text = campaigns.check_text(raw or "", with_photo=photo is not None)
    draft.photo_file_id = photo
    lang = member.text_language
    await say(
        update,
        t("staff.dialog.button", lang),
        InlineKeyboardMarkup([[choice_button(draft, t("staff.dialog.skip", lang), "btn", "skip")]]),
    )
    return BUTTON


@step
async def button_typed(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take a typed button: TEXT=URL for a link, TEXT for "I'm interested"."""
    assert update.effective_message is not None
    draft = current_draft(context)
    draft.button = campaigns.parse_button(update.effective_message.text)
    return await _ask_control(update, draft, member.text_language)


@step
async def button_skipped(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Go on without a button."""
    draft, _ = await _pressed(update, context)
    draft.button = None
    await done_with(update)
    return await _ask_control(update, draft, member.text_language)


async def _ask_control(update: Update, draft: Draft, lang: str) -> int:
    labels = {0: t("staff.dialog.control_none", lang), **{p: f"{p}%" for p in CONTROL_CHOICES if p}}
    buttons = [choice_button(draft, labels[p], "ctl", str(p)) for p in CONTROL_CHOICES]
    await say(update, t("staff.dialog.control", lang), InlineKeyboardMarkup([buttons]))
    return CONTROL


@step
async def control_chosen(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Take the control group share and show the preview."""
    draft, choice = await _pressed(update, context)
    if int(choice) not in CONTROL_CHOICES:
        raise InvalidInput.of("staff.err.control_choice")
    draft.control = int(choice)
    await done_with(update)
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
        choice_button(draft, t("staff.dialog.create", lang), "ok"),
        choice_button(draft, t("staff.dialog.cancel", lang), "no"),
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
    return InlineKeyboardMarkup([[choice_button(draft, draft.button.text, "pv")]])


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
    await done_with(update, t("staff.dialog.created_note", lang, campaign_id=campaign.id))
    zone = context.bot_data.settings.timezone
    text = t(
        "staff.dialog.created",
        lang,
        campaign_id=campaign.id,
        size=campaign.audience_size,
        zone=zone.key,
    )
    await say(update, text)
    return END


@step
async def cancel_dialog(update: Update, context: CRMContext, member: StaffMember) -> int:
    """Stop the dialog without creating anything (the Cancel button or /cancel)."""
    if update.callback_query is not None:
        await _pressed(update, context)
    context.user_data.pop(DRAFT, None)
    await done_with(update)
    await say(update, t("staff.dialog.cancelled", member.text_language))
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
        hint = Phrase(_HINTS[state])
        await answer(update, t("staff.dialog.hint", member.text_language, hint=hint))
        return state

    return hint


HINT_STEPS = {state: _hint(state) for state in _HINTS}
# The buttons each step takes, by the step their answer is for (DialogButton.step).
BUTTONS: dict[int, dict[str, StepHandler]] = {
    AUDIENCE: {"aud": audience_chosen},
    BUTTON: {"btn": button_skipped},
    CONTROL: {"ctl": control_chosen},
    CONFIRM: {"ok": confirm, "no": cancel_dialog},
}
