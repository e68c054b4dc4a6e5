"""Every privileged command and button checks the sender's Telegram user id against the store."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Update, User

from crm.csat import SurveyClosed
from crm.errors import (
    CrmError,
    InvalidInput,
    NoOpenTicket,
    NotAuthorised,
    TicketAlreadyResolved,
    TicketNotFound,
)
from crm.models import Role, StaffMember
from crm.routing import AlreadyAssigned
from crm.staff import authorise, find_staff, refresh_name
from handlers.context import CRMContext

log = logging.getLogger(__name__)

StaffHandler = Callable[[Update, CRMContext, StaffMember], Awaitable[None]]
REFUSAL = {
    Role.AGENT: "Sorry, this command is for the support team only.",
    Role.MANAGER: "Sorry, this command is for managers only.",
}


def staff_error_text(err: CrmError) -> str:
    """Turn a domain error into the one-line answer staff see."""
    if isinstance(err, TicketNotFound):
        return f"Ticket #{err.ticket_id} does not exist."
    if isinstance(err, TicketAlreadyResolved):
        return f"Ticket #{err.ticket_id} is closed. Use /reopen {err.ticket_id} first if needed."
    if isinstance(err, AlreadyAssigned):
        return f"Ticket #{err.ticket_id} is already with {err.owner.label}."
    if isinstance(err, NotAuthorised):
        return f"Not allowed: {err}."
    if isinstance(err, SurveyClosed | NoOpenTicket | InvalidInput):
        return str(err)[:1].upper() + str(err)[1:] + "."
    return "That did not work: " + str(err)


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
                await answer(update, REFUSAL[role], alert=True)
                return
            member = await _named(member, user)
            try:
                await handler(update, context, member)
            except CrmError as err:
                await answer(update, staff_error_text(err), alert=True)

        return guarded

    return decorate


async def staff_sender(user: User) -> StaffMember | None:
    """Return the sender if they are active staff, with the name Telegram gives them now."""
    member = await find_staff(telegram_id=user.id)
    return None if member is None else await _named(member, user)


async def _named(member: StaffMember, user: User) -> StaffMember:
    # Staff names follow Telegram as customers' do; the update carries it, so this costs
    # a write only when the name actually changed.
    if not user.first_name:
        return member
    return await refresh_name(member=member, name=user.full_name)


async def answer(update: Update, text: str, *, alert: bool = False) -> None:
    """Answer a command with a message, or a button press with a callback answer."""
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=alert)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
