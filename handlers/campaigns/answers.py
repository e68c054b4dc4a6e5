"""How an answer reaches the /campaign_new dialog: a message, a button press, or /cancel.

Each answer is matched to the step the dialog waits on (the tables of
handlers/campaigns/wizard.py), and that step is claimed in the store before it is taken, so
a double press handled by two replicas takes it once. Where the step leads is stored after.
"""

from __future__ import annotations

from telegram import Message, Update

from crm.desk import staff_messages
from crm.i18n import t
from crm.models import Role, StaffMember
from crm.store import dialogs
from crm.store.dialogs import Dialog
from handlers.auth import answer, require, sender_language
from handlers.callbacks import DialogButton
from handlers.campaigns.dialog import (
    AUDIENCE,
    BUTTON,
    DRAFT,
    END,
    MESSAGE,
    Draft,
    StepHandler,
    draft_data,
    draft_of,
    open_dialog,
    step_done,
    time_out_later,
)
from handlers.campaigns.wizard import (
    BUTTONS,
    HINT_STEPS,
    audience_typed,
    button_typed,
    cancel_dialog,
    message_given,
)
from handlers.context import CRMContext


async def dialog_message(update: Update, context: CRMContext, member: StaffMember) -> bool:
    """Take a staff member's message as the answer to their open dialog's step, if any.

    Returns False, so the message is handled as usual, when no dialog is open or when it is
    a Telegram reply to a ticket message: an agent's reply, not a dialog answer.
    """
    message = update.effective_message
    dialog = await _open_dialog(update, context)
    if dialog is None or message is None:
        return False
    if dialog.step == dialogs.BUSY:
        await answer(update, t("staff.dialog.busy", member.text_language))
        return True
    if await _replies_to_ticket(message):
        return False
    text = bool(message.text) and not message.text.startswith("/")
    handler: StepHandler
    if dialog.step == AUDIENCE and text:
        handler = audience_typed
    elif dialog.step == MESSAGE and (text or message.photo):
        handler = message_given
    elif dialog.step == BUTTON and text:
        handler = button_typed
    else:
        handler = HINT_STEPS[dialog.step]
    await _run(update, context, dialog, handler)
    return True


@require(Role.MANAGER)
async def dialog_button(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Take a press on one of the dialog's buttons: its owner's, on the current step only."""
    query = update.callback_query
    assert query is not None
    button, lang = DialogButton.unpack(query.data), member.text_language
    if button is None or button.owner != member.telegram_id:
        await answer(update, t("staff.dialog.not_yours", lang), alert=True)
        return
    if button.step == "pv":
        await answer(update, t("staff.dialog.preview_button", lang), alert=True)
        return
    dialog = await _open_dialog(update, context)
    if dialog is None:
        await answer(update, t("staff.dialog.ended", lang), alert=True)
        return
    handler = BUTTONS.get(dialog.step, {}).get(button.step)
    if handler is not None:
        await _run(update, context, dialog, handler)
        return
    await step_done(update, member.telegram_id)


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


async def _run(update: Update, context: CRMContext, dialog: Dialog, handler: StepHandler) -> None:
    """Take the dialog's current step with ``handler`` and store where it leads."""
    claimed = await dialogs.claim(dialog)
    if claimed is None:  # another update (on this replica or another) took the step first
        await step_done(update, dialog.user_id)
        return
    context.user_data[DRAFT] = draft_of(claimed.data)
    next_step: int | None = None
    try:
        next_step = await handler(update, context)
    finally:
        draft = context.user_data.pop(DRAFT, None)
        if next_step == END:  # confirmed or cancelled
            await dialogs.finish(claimed)
        else:
            if next_step is not None and isinstance(draft, Draft):
                step_to, data = next_step, draft_data(draft)
            else:  # a refused or invalid answer leaves the dialog on the step it was on
                step_to, data = dialog.step, dialog.data
            latest = await dialogs.advance(claimed, step=step_to, data=data)
            if latest is not None:
                time_out_later(context, latest)


async def _open_dialog(update: Update, context: CRMContext) -> Dialog | None:
    """Return the sender's dialog in this chat; end it (and say so) if it timed out."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return await open_dialog(context, user_id=user.id, chat_id=chat.id)


async def _replies_to_ticket(message: Message) -> bool:
    """Tell whether the message is a Telegram reply to one of a ticket's messages."""
    if message.reply_to_message is None:
        return False
    ticket_id = await staff_messages.ticket_for_reply(
        chat_id=message.chat_id, message_id=message.reply_to_message.message_id
    )
    return ticket_id is not None
