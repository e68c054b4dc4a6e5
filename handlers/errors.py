"""The one place unexpected errors are logged and turned into an apology."""

from __future__ import annotations

import logging

from telegram import Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError

from crm.desk.staff import find_staff
from crm.i18n import language_for, t
from handlers.context import CRMContext
from handlers.unpack import route_of

log = logging.getLogger(__name__)

# Staff are not told their message is saved (a command is not a message on a ticket):
# only what holds whatever failed. The text is the catalog's "staff.apology".


async def on_error(update: object, context: CRMContext) -> None:
    """Log the failure with its update and apologise to the customer instead of going silent.

    A stored update is tried again later: the traceback is logged and the apology said on
    its first try only, and the apology says the message is saved only when it is.
    """
    feed = context.bot_data.inbox_feed
    first = feed is None or feed.first_try(update)
    if feed is not None:
        feed.note_error(update, context.error)
    summary = _describe(update)
    if first:
        log.error("error while handling %s", summary, exc_info=context.error)
    else:
        log.warning("error again while handling %s: %r", summary, context.error)
    if not isinstance(update, Update) or not first:
        return
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE or update.callback_query is not None:
        return
    staff_language = await _staff_language(user, context) if user is not None else None
    if staff_language is not None:
        text = t("staff.apology", staff_language)
    else:
        saved = feed is not None and feed.stored(update)
        key = "error_apology" if saved else "error_apology_unsaved"
        text = t(key, user.language_code if user else None)
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError as err:
        log.warning("could not send the apology to chat %s: %s", chat.id, err)


async def _staff_language(user: User, context: CRMContext) -> str | None:
    """Return the language of a staff sender's texts, or None when they are not staff."""
    try:
        member = await find_staff(telegram_id=user.id)
    except Exception:  # the store may be what failed; the configured managers are known anyway
        if user.id in context.bot_data.settings.manager_ids:
            return language_for(user.language_code)
        return None
    return None if member is None else member.text_language


def _describe(update: object) -> str:
    # Ids and the route only: the update's text is the customer's, and it is in the store.
    if isinstance(update, Update):
        user = update.effective_user
        chat = update.effective_chat
        return (
            f"update {update.update_id} (user {user.id if user else '-'}, "
            f"chat {chat.id if chat else '-'}, {route_of(update)})"
        )
    return type(update).__name__
