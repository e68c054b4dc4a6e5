"""The /campaign_new dialog's state and what its steps share: the draft, the guard, timeouts.

The dialog's state (its step and the answers so far) lives in the store (crm/store/dialogs.py),
not in the process: behind a load balancer each answer may reach another bot replica, and
each replica reads the state afresh for every update. Each step is claimed before it is
taken (handlers/campaigns/answers.py), so a double press handled by two replicas takes the
step once. While one update takes a step, its draft is in ``context.user_data[DRAFT]``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from crm.errors import InvalidInput
from crm.i18n import t
from crm.marketing.campaigns.drafts import AudiencePreview, Button
from crm.models import ButtonKind, Role, StaffMember
from crm.store import dialogs
from crm.store.dialogs import Dialog
from handlers.auth import answer, require, staff_language
from handlers.callbacks import DialogAnswer, DialogButton
from handlers.context import CRMContext

log = logging.getLogger(__name__)

DIALOG_TIMEOUT = timedelta(minutes=15)
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


def draft_data(draft: Draft) -> dict[str, Any]:
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


def draft_of(data: dict[str, Any]) -> Draft:
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


def time_out_later(context: CRMContext, dialog: Dialog) -> None:
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


async def _say_timed_out(context: CRMContext, chat_id: int) -> None:
    minutes = int(DIALOG_TIMEOUT.total_seconds() // 60)
    # The dialog's chat is the manager's private chat: its id is theirs.
    text = t("staff.dialog.timed_out", await staff_language(chat_id), minutes=minutes)
    await context.bot.send_message(chat_id, text)


async def open_dialog(context: CRMContext, *, user_id: int, chat_id: int) -> Dialog | None:
    """Return the user's dialog in this chat; end it (and say so) if it timed out."""
    dialog = await dialogs.current(name=DIALOG, user_id=user_id, chat_id=chat_id)
    if dialog is None:
        return None
    if dialog.expired(DIALOG_TIMEOUT):
        # The replica that was to time it out is gone: end it now.
        if await dialogs.finish(dialog):
            await _say_timed_out(context, chat_id)
        return None
    return dialog


async def step_done(update: Update, telegram_id: int) -> None:
    """Say the pressed step is over (taken by another update, or the dialog moved on)."""
    text = t("staff.dialog.step_done", await staff_language(telegram_id))
    await answer(update, text, alert=True)


def choice_button(
    draft: Draft, label: str, step_name: str, value: str = ""
) -> InlineKeyboardButton:
    """Return a button of the dialog: its owner's, for one step (and a choice in it)."""
    answer = cast(DialogAnswer, f"{step_name}:{value}" if value else step_name)
    data = DialogButton(owner=draft.owner, answer=answer).pack()
    return InlineKeyboardButton(label, callback_data=data)


def current_draft(context: CRMContext) -> Draft:
    """Return the draft of the step being taken; refuse when the dialog is over."""
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, Draft):
        raise InvalidInput.of("staff.err.dialog_ended")
    return draft


async def say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send the next prompt of the dialog to the manager's chat."""
    message = update.effective_message
    assert message is not None
    return await message.reply_text(text, reply_markup=markup, do_quote=False)


async def done_with(update: Update, note: str | None = None) -> None:
    """Answer a dialog button press and take the buttons off its message."""
    query = update.callback_query
    if query is None:
        return
    await query.answer(note)
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as err:  # the buttons are a convenience; the step is taken
        log.info("could not take the campaign dialog's buttons off: %s", err)
