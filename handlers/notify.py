"""Messages the desk sends to staff about tickets, and the routing that triggers them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.settings import Settings
from crm import audit, notifications, routing, staff
from crm.desk import TicketHistory
from crm.models import Customer, Delivery, Direction, Message, Priority, StaffMember, Ticket
from handlers.text import esc, split_message

log = logging.getLogger(__name__)

PREVIEW_MESSAGES = 5
CALLBACK_PREFIX = "tk"


def ticket_buttons(ticket: Ticket, *, take: bool) -> InlineKeyboardMarkup:
    """Return the inline buttons shown under a ticket notification."""
    row = []
    if take:
        row.append(
            InlineKeyboardButton("✋ Take", callback_data=f"{CALLBACK_PREFIX}:take:{ticket.id}")
        )
    row.append(
        InlineKeyboardButton("✅ Close", callback_data=f"{CALLBACK_PREFIX}:close:{ticket.id}")
    )
    row.append(
        InlineKeyboardButton("📜 History", callback_data=f"{CALLBACK_PREFIX}:show:{ticket.id}")
    )
    return InlineKeyboardMarkup([row])


def ticket_header(ticket: Ticket, customer: Customer) -> str:
    """Return the HTML head of a ticket notification: number, kind, priority, customer."""
    priority = ticket.priority.name
    if ticket.priority >= Priority.HIGH:
        priority = f"<b>{priority}</b>"
    who = esc(customer.display_name)
    if customer.username:
        who += f" (@{esc(customer.username)})"
    lang = f" · {esc(customer.language_code)}" if customer.language_code else ""
    return (
        f"🎫 <b>#{ticket.id}</b> · {ticket.kind.value} · {priority} · {esc(ticket.topic)}\n"
        f"👤 {who}{lang}"
    )


def render_message_line(message: Message, authors: dict[int, str], customer: Customer) -> str:
    """Return one history line: time, who, text (escaped), media."""
    stamp = message.created_at.strftime("%m-%d %H:%M")
    if message.direction is Direction.INBOUND:
        who = esc(customer.display_name)
    elif message.direction is Direction.INTERNAL:
        who = "📝 note by " + esc(authors.get(message.author_telegram_id or 0, "staff"))
    else:
        who = "↩️ " + esc(authors.get(message.author_telegram_id or 0, "staff"))
    media = f"[{message.media_type.value}] " if message.media_type else ""
    flags = " (edited)" if message.edited_at else ""
    if message.direction is Direction.OUTBOUND and message.delivery_error:
        flags += f" ⚠️ not delivered: {esc(message.delivery_error)}"
    elif message.direction is Direction.OUTBOUND and message.delivery is Delivery.UNKNOWN:
        flags += " ⚠️ may not have arrived (the bot stopped while sending it)"
    elif message.direction is Direction.OUTBOUND and message.delivery is Delivery.SENDING:
        flags += " ⏳ sending"
    return f"{stamp} {who}: {media}{esc(message.text)}{flags}"


async def notify_assignment(
    bot: Bot, assignment: routing.Assignment, *, reason: str = "New ticket for you"
) -> None:
    """Tell the assigned agent about their ticket, with the conversation so far."""
    ticket = await Ticket.get(id=assignment.ticket.id).select_related("customer")
    messages = (
        await Message.filter(ticket_id=ticket.id, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .limit(PREVIEW_MESSAGES)
    )
    lines = [f"<b>{esc(reason)}</b>", ticket_header(ticket, ticket.customer), ""]
    lines += [render_message_line(m, {}, ticket.customer) for m in reversed(messages)]
    lines += ["", "Reply to this message to answer the customer."]
    await send_about_ticket(
        bot,
        assignment.staff.telegram_id,
        ticket,
        "\n".join(lines),
        buttons=ticket_buttons(ticket, take=False),
    )


async def forward_customer_message(
    bot: Bot,
    *,
    ticket: Ticket,
    customer: Customer,
    message: Message,
    chat_id: int,
    telegram_message_id: int,
) -> None:
    """Pass a customer's later message on an assigned ticket to its agent."""
    if ticket.assignee_id is None:  # type: ignore[attr-defined]
        return  # waiting tickets show their messages on assignment
    agent = await StaffMember.get_or_none(id=ticket.assignee_id)  # type: ignore[attr-defined]
    if agent is None:
        return
    media = f"[{message.media_type.value}] " if message.media_type else ""
    text = f"💬 <b>#{ticket.id}</b> {esc(customer.display_name)}: {media}{esc(message.text)}"
    await send_about_ticket(bot, agent.telegram_id, ticket, text)
    if message.media_type is not None:
        try:
            copied = await bot.copy_message(agent.telegram_id, chat_id, telegram_message_id)
        except TelegramError as err:
            log.warning("could not copy media of ticket #%s to its agent: %s", ticket.id, err)
        else:
            await notifications.remember(
                ticket_id=ticket.id, chat_id=agent.telegram_id, message_id=copied.message_id
            )


async def warn_flooding(
    bot: Bot, *, telegram_id: int, customer: Customer | None, ticket: Ticket | None, recent: int
) -> None:
    """Tell the ticket's agent (or the managers) once that a customer is flooding."""
    who = esc(customer.display_name) if customer else f"Telegram user {telegram_id}"
    head = f"⚠️ <b>#{ticket.id}</b> {who}" if ticket is not None else f"⚠️ {who}"
    tail = f"; see /ticket {ticket.id}." if ticket is not None else "."
    text = (
        f"{head} is flooding: {recent} messages in a minute. Further messages are stored "
        f"without being answered or forwarded, and buttons change nothing{tail}"
    )
    agent_id = ticket.assignee_id if ticket is not None else None  # type: ignore[attr-defined]
    agent = await StaffMember.get_or_none(id=agent_id) if agent_id is not None else None
    try:
        if agent is not None and ticket is not None:
            await send_about_ticket(bot, agent.telegram_id, ticket, text)
        else:
            await alert_managers(bot, text, ticket=ticket)
    except TelegramError as err:
        log.warning("could not warn about flooding by user %s: %s", telegram_id, err)


async def send_about_ticket(
    bot: Bot,
    chat_id: int,
    ticket: Ticket,
    html_text: str,
    *,
    buttons: InlineKeyboardMarkup | None = None,
) -> None:
    """Send an HTML message about a ticket to staff and remember it for Telegram replies."""
    chunks = split_message(html_text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=buttons if last else None,
        )
        await notifications.remember(
            ticket_id=ticket.id, chat_id=chat_id, message_id=sent.message_id
        )


async def alert_managers(bot: Bot, html_text: str, *, ticket: Ticket | None = None) -> None:
    """Send an alert to every manager; one unreachable manager does not stop the others."""
    for manager in await staff.managers():
        try:
            if ticket is not None:
                await send_about_ticket(
                    bot,
                    manager.telegram_id,
                    ticket,
                    html_text,
                    buttons=ticket_buttons(ticket, take=False),
                )
            else:
                await bot.send_message(manager.telegram_id, html_text, parse_mode=ParseMode.HTML)
        except TelegramError as err:
            log.warning("could not alert manager %s: %s", manager.telegram_id, err)


async def route_and_notify(bot: Bot, settings: Settings, *, ticket_id: int) -> None:
    """Route one ticket and tell its agent; a ticket nobody can take waits in the queue."""
    assignment = await routing.route_ticket(
        ticket_id=ticket_id, default_capacity=settings.agent_capacity
    )
    if assignment is not None:
        await _notify_safely(bot, assignment, "New ticket for you")


async def route_reopened_and_notify(bot: Bot, settings: Settings, *, ticket_id: int) -> None:
    """Give a ticket the customer reopened back to its agent (or whoever has room) and tell them."""
    assignment = await routing.route_reopened(
        ticket_id=ticket_id, default_capacity=settings.agent_capacity
    )
    if assignment is not None:
        await _notify_safely(bot, assignment, f"Ticket #{ticket_id} reopened by the customer")


async def drain_and_notify(bot: Bot, settings: Settings) -> Sequence[routing.Assignment]:
    """Hand out waiting tickets and tell each agent."""
    assignments = await routing.drain_queue(default_capacity=settings.agent_capacity)
    for assignment in assignments:
        await _notify_safely(bot, assignment, "Ticket from the queue for you")
    return assignments


async def _notify_safely(bot: Bot, assignment: routing.Assignment, reason: str) -> None:
    await audit.record(
        actor_telegram_id=None,
        action="ticket.assign",
        subject=f"ticket {assignment.ticket.id}",
        details={"to": assignment.staff.telegram_id, "reason": reason},
    )
    try:
        await notify_assignment(bot, assignment, reason=reason)
    except TelegramError as err:
        # The assignment stands; the agent sees it in /queue. Nothing is lost.
        log.warning(
            "could not notify staff %s about ticket #%s: %s",
            assignment.staff.telegram_id,
            assignment.ticket.id,
            err,
        )


def render_history(history: TicketHistory, zone_name: str = "UTC") -> str:
    """Return a ticket's full history as HTML lines."""
    ticket, customer = history.ticket, history.customer
    assignee = esc(history.assignee.label) if history.assignee else "nobody (waiting)"
    lines = [
        ticket_header(ticket, customer),
        f"Status: {ticket.status.value} · assigned to {assignee}",
        f"Subject: {esc(ticket.subject)}",
        f"Customer: Telegram id {customer.telegram_id or '-'} · "
        f"{history.past_tickets} other ticket(s)",
    ]
    if history.sentiment is not None:
        lines.append(f"Sentiment: {history.sentiment}")
    for rating in history.ratings:
        comment = f" “{esc(rating.comment)}”" if rating.comment else ""
        lines.append(f"Rating: {rating.score}/5{comment}")
    lines.append("")
    lines += [render_message_line(m, history.authors, customer) for m in history.messages]
    return "\n".join(lines)
