"""Every privileged command and button checks the sender's Telegram user id against the store."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Update, User

from crm.desk.staff import authorise, find_staff, refresh_profile
from crm.errors import (
    AlreadyAssigned,
    CrmError,
    InvalidInput,
    NoOpenTicket,
    NotAuthorised,
    SurveyClosed,
    TicketAlreadyResolved,
    TicketNotFound,
)
from crm.i18n import DEFAULT_LANGUAGE, language_for, t
from crm.models import Role, StaffMember
from handlers.context import CRMContext
from handlers.menu import publish_staff_menu

log = logging.getLogger(__name__)

StaffHandler = Callable[[Update, CRMContext, StaffMember], Awaitable[None]]
REFUSAL_KEYS = {Role.AGENT: "staff.refused_agent", Role.MANAGER: "staff.refused_manager"}
REFUSAL = {role: t(key) for role, key in REFUSAL_KEYS.items()}  # in English


def staff_error_text(err: CrmError, language: str) -> str:
    """Turn a domain error into the one-line answer staff see, in their language."""
    if isinstance(err, TicketNotFound):
        return t("staff.err.ticket_not_found", language, ticket_id=err.ticket_id)
    if isinstance(err, TicketAlreadyResolved):
        return t("staff.err.ticket_closed", language, ticket_id=err.ticket_id)
    if isinstance(err, AlreadyAssigned):
        return t(
            "staff.err.already_assigned", language, ticket_id=err.ticket_id, owner=err.owner.label
        )
    reason = err.text(language)
    if isinstance(err, NotAuthorised):
        return t("staff.err.not_allowed", language, reason=reason)
    if isinstance(err, SurveyClosed | NoOpenTicket | InvalidInput):
        return t("staff.err.sentence", language, text=reason[:1].upper() + reason[1:])
    return t("staff.err.failed", language, reason=reason)


def require(
    role: Role,
) -> Callable[[StaffHandler], Callable[[Update, CRMContext], Awaitable[None]]]:
    """Let only active staff in a role run the command or press the button; refuse the rest."""

    def decorate(handler: StaffHandler) -> Callable[[Update, CRMContext], Awaitable[None]]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: CRMContext) -> None:
            user = update.effective_user
            if user is None:
                return
            try:
                member = await authorise(telegram_id=user.id, role=role)
            except NotAuthorised:
                log.warning(
                    "refused %s for user %s (needs %s)", handler.__name__, user.id, role.value
                )
                language = await sender_language(user, context.bot)
                await answer(update, t(REFUSAL_KEYS[role], language), alert=True)
                return
            member = await _refreshed(member, user, context.bot)
            try:
                await handler(update, context, member)
            except CrmError as err:
                await answer(update, staff_error_text(err, member.text_language), alert=True)

        return guarded

    return decorate


async def staff_sender(user: User, bot: Bot) -> StaffMember | None:
    """Return the sender if they are active staff, with their name and language as of now."""
    member = await find_staff(telegram_id=user.id)
    return None if member is None else await _refreshed(member, user, bot)


async def sender_language(user: User, bot: Bot) -> str:
    """Return the language to answer a sender in: staff's own, anyone else's Telegram one."""
    member = await staff_sender(user, bot)
    return member.text_language if member is not None else language_for(user.language_code)


async def staff_language(telegram_id: int) -> str:
    """Return the language of a staff member's texts by their id (English if not staff)."""
    member = await find_staff(telegram_id=telegram_id)
    return member.text_language if member is not None else DEFAULT_LANGUAGE


async def _refreshed(member: StaffMember, user: User, bot: Bot) -> StaffMember:
    # Staff names and languages follow Telegram as customers' do; the update carries them,
    # so this costs a write only when one actually changed (and a new menu only then).
    before = member.text_language
    name = user.full_name if user.first_name else ""
    member = await refresh_profile(member=member, name=name, language_code=user.language_code)
    if member.text_language != before:
        await publish_staff_menu(bot, member)
    return member


async def answer(update: Update, text: str, *, alert: bool = False) -> None:
    """Answer a command with a message, or a button press with a callback answer."""
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=alert)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
