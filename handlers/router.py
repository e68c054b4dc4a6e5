"""The one place that decides who gets a private-chat update: a customer, staff, or a dialog.

The same words mean different things from different people: /start greets a customer and
lists a staff member's commands, /close resolves a customer's own ticket or any ticket an
agent names, and a plain message is a customer's inquiry, an agent's reply, or the answer
to a step of a manager's open dialog. Every other handler serves one kind of sender only.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from crm.models import StaffMember
from handlers import agent, campaigns, customer
from handlers.auth import staff_sender
from handlers.context import CRMContext
from handlers.unpack import NEW_PRIVATE

# Everything a customer can send that becomes part of a ticket.
INTAKE = (
    (filters.TEXT & ~filters.COMMAND)
    | filters.PHOTO
    | filters.Document.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Sticker.ALL
    | filters.LOCATION
    | filters.CONTACT
)


def register(application: Application) -> None:
    """Add the customer handlers, with the shared commands and messages routed here first."""
    add = application.add_handler
    add(CommandHandler("start", start, filters=NEW_PRIVATE))
    add(CommandHandler("help", show_help, filters=NEW_PRIVATE))
    add(CommandHandler("close", close, filters=NEW_PRIVATE))
    customer.register_commands(application)
    add(MessageHandler(NEW_PRIVATE & INTAKE, private_message))
    customer.register_fallbacks(application)


async def start(update: Update, context: CRMContext) -> None:
    """Greet staff with their commands; register and greet a customer."""
    member = await _staff(update, context)
    if member is not None:
        await agent.staff_start(update, member)
    else:
        await customer.start(update, context)


async def show_help(update: Update, context: CRMContext) -> None:
    """List the commands of whoever asks: staff get theirs."""
    member = await _staff(update, context)
    if member is not None:
        await agent.staff_start(update, member)
    else:
        await customer.show_help(update, context)


async def close(update: Update, context: CRMContext) -> None:
    """Close the ticket an agent names, or the customer's own."""
    if await _staff(update, context) is not None:
        await agent.close_ticket(update, context)
    else:
        await customer.close(update, context)


async def private_message(update: Update, context: CRMContext) -> None:
    """Pass a message to the sender's open dialog, their ticket reply, or the customer intake."""
    member = await _staff(update, context)
    if member is not None:
        # The answer to a step of a dialog they have open (/campaign_new), or a reply.
        if not await campaigns.dialog_message(update, context, member):
            await agent.on_staff_message(update, context, member)
        return
    message, user = update.effective_message, update.effective_user
    contact = message.contact if message is not None else None
    if contact is not None and user is not None and contact.user_id == user.id:
        await customer.contact_shared(update, context)  # their own phone: link their record
    else:
        await customer.intake(update, context)  # someone else's card is just a message


async def _staff(update: Update, context: CRMContext) -> StaffMember | None:
    user = update.effective_user
    return None if user is None else await staff_sender(user, context.bot)
