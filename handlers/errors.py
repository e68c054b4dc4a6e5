"""The one place unexpected errors are logged and turned into an apology."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from crm.i18n import t
from crm.staff import find_staff
from handlers.context import CRMContext

log = logging.getLogger(__name__)

# Staff are not told their message is saved (a command is not a message on a ticket):
# only what holds whatever failed.
STAFF_APOLOGY = (
    "Sorry, something went wrong handling that on our side; the details are in the bot's log. "
    "What the bot already confirmed to you stands: check (e.g. /ticket <id>) before repeating it."
)


async def on_error(update: object, context: CRMContext) -> None:
    """Log the failure with its update and apologise instead of going silent (staff: as staff)."""
    summary = _describe(update)
    log.error("error while handling %s", summary, exc_info=context.error)
    context.bot_data.telemetry.updates.labels("failed").inc()
    if not isinstance(update, Update):
        return
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE or update.callback_query is not None:
        return
    if user is not None and await _is_staff(user.id, context):
        text = STAFF_APOLOGY
    else:
        text = t("error_apology", user.language_code if user else None)
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError as err:
        log.warning("could not send the apology to chat %s: %s", chat.id, err)


async def _is_staff(telegram_id: int, context: CRMContext) -> bool:
    try:
        return await find_staff(telegram_id=telegram_id) is not None
    except Exception:  # the store may be what failed; the configured managers are known anyway
        return telegram_id in context.bot_data.settings.manager_ids


def _describe(update: object) -> str:
    if isinstance(update, Update):
        user = update.effective_user
        chat = update.effective_chat
        return (
            f"update {update.update_id} (user {user.id if user else '-'}, "
            f"chat {chat.id if chat else '-'}): {update.to_json()}"
        )
    return repr(update)
