"""Flood control at the door: every update a person sends is screened before any handler.

The rule (what counts, what happens over the limit) is ``crm.desk.floods``; this module unpacks the
update, asks it, and renders the outcome: a short answer to a held button press, and once per
flood a notice to the customer and a warning to staff.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, BaseHandler, TypeHandler, filters

from crm.desk.floods import Input, Screening
from crm.i18n import t
from handlers.context import CRMContext
from handlers.notify import warn_flooding
from handlers.unpack import inbound_of, profile_of

log = logging.getLogger(__name__)

# Before every other group, so a held update reaches no usual handler.
SCREEN_GROUP = -1
GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)


def register(application: Application) -> None:
    """Screen every update first; register before the other modules' group-0 handlers."""
    application.add_handler(TypeHandler(Update, screen), group=SCREEN_GROUP)
    # A held update is consumed by the first handler of group 0 rather than stopped with
    # ApplicationHandlerStop, which would also skip the webhook inbox's "processed" mark
    # in its last group (and the update would be handled again after a restart).
    application.add_handler(HeldUpdates(application.bot_data.held_updates))


def input_of(update: Update) -> Input | None:
    """Return what flood control counts an update as, or None when it does not count it."""
    if update.callback_query is not None:
        return Input.BUTTON
    chat = update.effective_chat
    if chat is None:
        return None
    if update.edited_message is not None and chat.type == ChatType.PRIVATE:
        return Input.EDIT
    if update.message is None:
        return None  # channel posts, membership changes...: nobody is talking to the desk
    if chat.type == ChatType.PRIVATE:
        return Input.MESSAGE
    if chat.type in GROUP_CHATS and filters.COMMAND.check_update(update):
        return Input.GROUP
    return None


async def screen(update: Update, context: CRMContext) -> None:
    """Count what a person sends; while they flood, hold it (stored, answered once)."""
    user, kind = update.effective_user, input_of(update)
    if user is None or kind is None:
        return
    message = update.message if kind is Input.MESSAGE else None
    outcome = await context.bot_data.floods.screen(
        profile=profile_of(user),
        kind=kind,
        message=inbound_of(message) if message is not None else None,
        topics=context.bot_data.topics,
        update_id=update.update_id,
    )
    if not outcome.held:
        return
    context.bot_data.held_updates.add(update.update_id)
    if update.callback_query is not None:
        await update.callback_query.answer(t("flood_button", user.language_code))
    if outcome.notify:
        await _tell_once(context, user.id, user.language_code, outcome)


async def _tell_once(
    context: CRMContext, telegram_id: int, language: str | None, outcome: Screening
) -> None:
    """Tell the customer (in their private chat) and staff that a flood began."""
    try:
        await context.bot.send_message(telegram_id, t("flood_notice", language))
    except TelegramError as err:
        log.warning("could not send the flood notice to user %s: %s", telegram_id, err)
    await warn_flooding(
        context.bot,
        telegram_id=telegram_id,
        customer=outcome.customer,
        ticket=outcome.ticket,
        recent=outcome.recent,
    )


class HeldUpdates(BaseHandler[Update, CRMContext, None]):
    """Take the updates flood control held, so the usual handlers do not run for them."""

    def __init__(self, held: set[int]) -> None:
        super().__init__(self._consume)
        self._held = held

    def check_update(self, update: object) -> bool:
        """Return whether flood control held this update."""
        return isinstance(update, Update) and update.update_id in self._held

    async def _consume(self, update: Update, context: CRMContext) -> None:
        self._held.discard(update.update_id)
