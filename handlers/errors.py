"""The one place unexpected errors are logged and turned into an apology."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from crm.i18n import t
from handlers.context import CRMContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: CRMContext) -> None:
    """Log the failure with its update and apologise to the customer instead of going silent."""
    summary = _describe(update)
    log.error("error while handling %s", summary, exc_info=context.error)
    context.bot_data.telemetry.updates.labels("failed").inc()
    if not isinstance(update, Update):
        return
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE or update.callback_query is not None:
        return
    try:
        await context.bot.send_message(
            chat.id, t("error_apology", user.language_code if user else None)
        )
    except TelegramError as err:
        log.warning("could not send the apology to chat %s: %s", chat.id, err)


def _describe(update: object) -> str:
    if isinstance(update, Update):
        user = update.effective_user
        chat = update.effective_chat
        return (
            f"update {update.update_id} (user {user.id if user else '-'}, "
            f"chat {chat.id if chat else '-'}): {update.to_json()}"
        )
    return repr(update)
