"""Agents work the queue from Telegram: availability, take, reply, note, close, transfer."""

from __future__ import annotations

import logging
import re

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.settings import Settings
from crm import audit, desk, notifications, routing, staff
from crm.desk import TicketHistory
from crm.errors import CrmError, InvalidInput
from crm.models import Delivery, Role, StaffMember, Ticket
from crm.tickets import parse_ticket_number
from handlers.auth import answer, require, staff_error_text
from handlers.context import CRMContext
from handlers.notify import (
    CALLBACK_PREFIX,
    drain_and_notify,
    notify_assignment,
    render_history,
    send_about_ticket,
)
from handlers.sales import SALES_HELP
from handlers.survey import send_survey
from handlers.text import esc, split_message
from handlers.unpack import NEW_PRIVATE, inbound_of, text_after

log = logging.getLogger(__name__)

_BUTTON = re.compile(rf"^{CALLBACK_PREFIX}:(take|close|show):(\d{{1,9}})$")
QUEUE_BUTTONS = 8

STAFF_HELP = (
    "Support desk commands:\n"
    "/online, /offline – your availability (going online pulls waiting tickets)\n"
    "/queue – waiting tickets and your own open ones\n"
    "/take <id> – take a ticket\n"
    "/reply <id> <text> – answer the customer (or reply to a ticket message)\n"
    "/note <id> <text> – internal note, never sent to the customer\n"
    "/ticket <id> – full history and customer profile\n"
    "/close <id>, /reopen <id> – resolve or reopen\n"
    "/transfer <id> <user_id> – hand a ticket to another agent\n"
    "/tag <id> <topic> – correct the ticket's topic"
)
MANAGER_HELP = (
    "\n\nManager commands:\n"
    "/agent_add <user_id> [name] [skill ...], /agent_remove <user_id>\n"
    "/agents – who is online, their load and capacity\n"
    "/manager_add <user_id>, /manager_remove <user_id> – promote, demote a manager\n"
    "/audit [n] – the log of privileged actions\n"
    "/summary, /report [days], /agent_stats [days] – the numbers, with charts\n"
    "/sales [months] – the sales report\n"
    "/segments [compute] – customer segments by value and mood, with a chart\n"
    "/associations [support] [confidence] – products bought together, with audiences\n"
    "/import (send a file), /export <what>, /merge <keep> <drop>, /link <customer> <user_id>\n"
    "/campaign_new – a message to customers: audience, text or photo, button, control group\n"
    "/campaigns, /campaign <id> – the campaigns and one campaign's report\n"
    "/campaign_send <id>, /campaign_schedule <id> <YYYY-MM-DD HH:MM>\n"
    "/campaign_pause <id>, /campaign_resume <id>, /campaign_cancel <id>"
)


def register(application: Application) -> None:
    """Add the agent commands and ticket buttons."""
    add = application.add_handler
    for name, callback in (
        ("online", go_online),
        ("offline", go_offline),
        ("queue", show_queue),
        ("take", take),
        ("reply", reply),
        ("note", note),
        ("ticket", show_ticket),
        ("reopen", reopen),
        ("transfer", transfer),
        ("tag", tag),
    ):
        add(CommandHandler(name, callback, filters=NEW_PRIVATE))
    add(CallbackQueryHandler(ticket_button, pattern=rf"^{CALLBACK_PREFIX}:"))


def _ticket_arg(context: CRMContext, usage: str) -> int:
    args = context.args or []
    if not args:
        raise InvalidInput(f"usage: {usage}")
    try:
        return parse_ticket_number(args[0])
    except InvalidInput:
        raise InvalidInput(f"{args[0]!r} is not a ticket number. Usage: {usage}") from None


async def staff_start(update: Update, member: StaffMember) -> None:
    """Greet a staff member with their commands."""
    text = f"Hello, {member.label}! You are {member.role.value} on this desk.\n\n" + STAFF_HELP
    text += "\n\n" + SALES_HELP
    if member.role is Role.MANAGER:
        text += MANAGER_HELP
    await answer(update, text)


@require(Role.AGENT)
async def go_online(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Mark the agent available and hand them waiting tickets."""
    await staff.set_online(member=member, online=True)
    await answer(update, "You are online. Waiting tickets come to you now.")
    await drain_and_notify(context.bot, context.bot_data.settings)


@require(Role.AGENT)
async def go_offline(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Mark the agent away; their open tickets stay theirs (SLA re-routes late ones)."""
    await staff.set_online(member=member, online=False)
    await answer(update, "You are offline. New tickets go to others.")


@require(Role.AGENT)
async def show_queue(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List waiting tickets in queue order (with Take buttons) and the agent's own open ones."""
    waiting = await routing.waiting_tickets(limit=20)
    own = await desk.own_open_tickets(staff=member)
    more = "+" if len(waiting) == 20 else ""
    lines = [f"<b>Waiting</b> ({len(waiting)}{more}), most urgent first, then oldest:"]
    lines += [_ticket_line(t) for t in waiting] or ["– none –"]
    lines += ["", f"<b>Yours</b> ({len(own)}):"]
    lines += [_ticket_line(t) for t in own] or ["– none –"]
    buttons = [
        [InlineKeyboardButton(f"✋ Take #{t.id}", callback_data=f"{CALLBACK_PREFIX}:take:{t.id}")]
        for t in waiting[:QUEUE_BUTTONS]
    ]
    assert update.effective_message is not None
    parts = split_message("\n".join(lines))  # long names and subjects can pass the limit
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await update.effective_message.reply_text(
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(buttons) if buttons and last else None,
        )


def _ticket_line(ticket: Ticket) -> str:
    return (
        f"#{ticket.id} · {ticket.kind.value} · {ticket.priority.name.lower()} · "
        f"{esc(ticket.customer.display_name)} · {esc(ticket.subject[:60])}"
    )


@require(Role.AGENT)
async def take(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Assign a ticket to the sender."""
    ticket_id = _ticket_arg(context, "/take <id>")
    await _take(context.bot, member, ticket_id)


async def _take(bot: Bot, member: StaffMember, ticket_id: int) -> None:
    assignment = await routing.take_ticket(staff=member, ticket_id=ticket_id)
    await audit.record(
        actor_telegram_id=member.telegram_id, action="ticket.take", subject=f"ticket {ticket_id}"
    )
    await notify_assignment(bot, assignment, reason=f"You took ticket #{ticket_id}")


@require(Role.AGENT)
async def reply(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send text to the ticket's customer and store it as an outbound message."""
    ticket_id = _ticket_arg(context, "/reply <id> <text>")
    assert update.effective_message is not None
    text = text_after(update.effective_message, 1)
    if not text:
        raise InvalidInput("usage: /reply <id> <text>")
    await deliver_reply(context.bot, member, update.effective_message, ticket_id, text=text)


async def deliver_reply(
    bot: Bot,
    member: StaffMember,
    source: Message,
    ticket_id: int,
    *,
    text: str,
    media: tuple | None = None,
) -> None:
    """Store the reply, send it (text, or the agent's media copied), report to the agent."""
    media_type, file_id = media if media else (None, None)
    pending = await desk.prepare_reply(
        ticket_id=ticket_id,
        staff=member,
        text=text,
        media_type=media_type,
        file_id=file_id,
        source=(source.chat_id, source.message_id),
    )
    name = pending.customer.display_name
    if pending.replayed is not None:
        # This staff message was handled before a restart: never send the reply twice.
        await source.reply_text(_replayed_reply_text(pending.replayed, name, ticket_id))
        return
    try:
        if media_type is not None:
            sent = await bot.copy_message(
                pending.customer_chat_id, source.chat_id, source.message_id
            )
        else:
            sent = await bot.send_message(pending.customer_chat_id, text)
    except TelegramError as err:
        await desk.mark_undelivered(reply=pending, error=str(err))
        log.warning("reply on ticket #%s not delivered: %s", ticket_id, err)
        await source.reply_text(
            f"⚠️ Not delivered to {name}: {err}. The reply is stored on ticket #{ticket_id}."
        )
        return
    await desk.mark_delivered(reply=pending, telegram_message_id=sent.message_id)
    await source.reply_text(f"✅ Sent to {name} (#{ticket_id}).")


def _replayed_reply_text(state: Delivery, name: str, ticket_id: int) -> str:
    if state is Delivery.SENT:
        return f"✅ Sent to {name} (#{ticket_id})."
    if state is Delivery.FAILED:
        return f"⚠️ Not delivered to {name}. The reply is stored on ticket #{ticket_id}."
    return unknown_reply_text(name, ticket_id)


def unknown_reply_text(name: str, ticket_id: int) -> str:
    """Tell an agent that a reply caught by a restart may or may not have arrived."""
    return (
        f"⚠️ The bot restarted while sending your reply on ticket #{ticket_id}: it may or may "
        f"not have reached {name}. It is not sent again (Telegram cannot tell us, and a "
        f"second copy is worse). Check with /ticket {ticket_id} and send it again if needed."
    )


async def on_staff_message(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Treat a staff member's Telegram reply to a ticket message as /reply; explain otherwise."""
    message = update.effective_message
    if message is None:
        return
    replied = message.reply_to_message
    if replied is None:
        await answer(
            update,
            "To answer a customer, reply to a ticket message or use /reply <id> <text>. "
            "/help lists your commands.",
        )
        return
    ticket_id = await notifications.ticket_for_reply(
        chat_id=message.chat_id, message_id=replied.message_id
    )
    if ticket_id is None:
        await answer(
            update,
            "That message is not a ticket notification. Reply to a ticket message, "
            "or use /reply <id> <text>.",
        )
        return
    inbound = inbound_of(message)
    media = (inbound.media_type, inbound.file_id) if inbound.media_type else None
    try:
        await deliver_reply(context.bot, member, message, ticket_id, text=inbound.text, media=media)
    except CrmError as err:
        await answer(update, staff_error_text(err))


@require(Role.AGENT)
async def note(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Store an internal note; it is never sent to the customer."""
    ticket_id = _ticket_arg(context, "/note <id> <text>")
    assert update.effective_message is not None
    text = text_after(update.effective_message, 1)
    if not text:
        raise InvalidInput("usage: /note <id> <text>")
    scope = context.bot_data.settings.agent_scope
    await desk.add_note(ticket_id=ticket_id, staff=member, scope=scope, text=text)
    await answer(update, f"📝 Note added to #{ticket_id} (not visible to the customer).")


@require(Role.AGENT)
async def show_ticket(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show the ticket's full history with the customer's profile."""
    ticket_id = _ticket_arg(context, "/ticket <id>")
    await _send_history(context.bot, member, await _history(context, member, ticket_id))


async def _history(context: CRMContext, member: StaffMember, ticket_id: int) -> TicketHistory:
    scope = context.bot_data.settings.agent_scope
    return await desk.ticket_history(ticket_id=ticket_id, staff=member, scope=scope)


async def _send_history(bot: Bot, member: StaffMember, history: TicketHistory) -> None:
    await send_about_ticket(bot, member.telegram_id, history.ticket, render_history(history))


@require(Role.AGENT)
async def close_ticket(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Resolve a ticket; the customer is told and gets the satisfaction survey."""
    ticket_id = _ticket_arg(context, "/close <id>")
    await _close(context.bot, context.bot_data.settings, member, ticket_id)
    await answer(update, f"✅ Ticket #{ticket_id} closed; the customer got the survey.")


async def _close(bot: Bot, settings: Settings, member: StaffMember, ticket_id: int) -> Ticket:
    ticket = await desk.resolve_ticket(ticket_id=ticket_id, staff=member)
    await send_survey(bot, ticket)
    await drain_and_notify(bot, settings)  # the agent has room for a waiting ticket now
    return ticket


@require(Role.AGENT)
async def reopen(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Reopen a resolved ticket."""
    ticket_id = _ticket_arg(context, "/reopen <id>")
    ticket = await desk.reopen_ticket(
        ticket_id=ticket_id, staff=member, scope=context.bot_data.settings.agent_scope
    )
    owner = ticket.assignee.label if ticket.assignee else "the queue"
    await answer(update, f"Ticket #{ticket_id} is open again (with {owner}).")
    if ticket.assignee is None:
        await drain_and_notify(context.bot, context.bot_data.settings)


@require(Role.AGENT)
async def transfer(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Hand a ticket to another agent, who is notified."""
    args = context.args or []
    if len(args) != 2:
        raise InvalidInput("usage: /transfer <id> <user_id>")
    ticket_id = parse_ticket_number(args[0])
    target = staff.parse_user_id(args[1])
    assignment = await routing.transfer_ticket(
        ticket_id=ticket_id, to_telegram_id=target, by=member
    )
    await audit.record(
        actor_telegram_id=member.telegram_id,
        action="ticket.transfer",
        subject=f"ticket {ticket_id}",
        details={
            "from": assignment.previous.telegram_id if assignment.previous else None,
            "to": assignment.staff.telegram_id,
        },
    )
    await notify_assignment(
        context.bot, assignment, reason=f"{member.label} transferred ticket #{ticket_id} to you"
    )
    await answer(update, f"Ticket #{ticket_id} is now with {assignment.staff.label}.")
    await drain_and_notify(context.bot, context.bot_data.settings)


@require(Role.AGENT)
async def tag(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Correct a ticket's topic."""
    args = context.args or []
    topics = context.bot_data.topics
    if len(args) != 2:
        raise InvalidInput(f"usage: /tag <id> <topic>; topics: {', '.join(topics.names)}")
    ticket_id = parse_ticket_number(args[0])
    topic = topics.check(args[1])
    await desk.tag_ticket(
        ticket_id=ticket_id,
        staff=member,
        scope=context.bot_data.settings.agent_scope,
        topic=topic,
    )
    await answer(update, f"Ticket #{ticket_id} is now tagged {topic}.")


@require(Role.AGENT)
async def ticket_button(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Handle Take / Close / History under a ticket message."""
    query = update.callback_query
    assert query is not None
    match = _BUTTON.match(query.data or "")
    if match is None:
        log.warning("malformed ticket button %r from user %s", query.data, member.telegram_id)
        await query.answer("This button is no longer valid.", show_alert=True)
        return
    action, ticket_id = match[1], int(match[2])
    if action == "take":
        await _take(context.bot, member, ticket_id)
        await query.answer(f"You took #{ticket_id}.")
    elif action == "close":
        await _close(context.bot, context.bot_data.settings, member, ticket_id)
        await query.answer(f"Ticket #{ticket_id} closed.")
    else:
        # Fetched (and checked) before the press is answered: a refusal is the press's alert.
        history = await _history(context, member, ticket_id)
        await query.answer()
        await _send_history(context.bot, member, history)
