"""Messages the desk sends to staff about tickets, and the routing that triggers them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from crm.desk import routing, staff, staff_messages, tickets
from crm.i18n import Phrase, t
from crm.models import Customer, Message, Ticket
from handlers.context import DeskSettings
from handlers.text import esc, split_message
from handlers.views.tickets import media_label, message_line, ticket_buttons, ticket_header

log = logging.getLogger(__name__)

PREVIEW_MESSAGES = 5
NEW_TICKET = Phrase("staff.notify.new_ticket")


async def notify_assignment(
    bot: Bot, assignment: routing.Assignment, *, reason: Phrase = NEW_TICKET
) -> None:
    """Tell the assigned agent about their ticket (in their language), with the conversation."""
    ticket, messages = await tickets.latest_inbound(
        ticket_id=assignment.ticket.id, limit=PREVIEW_MESSAGES
    )
    lang = assignment.staff.text_language
    lines = [f"<b>{esc(reason.render(lang))}</b>", ticket_header(ticket, ticket.customer, lang), ""]
    lines += [message_line(m, {}, ticket.customer, lang) for m in messages]
    lines += ["", t("staff.notify.reply_hint", lang)]
    await send_about_ticket(
        bot,
        assignment.staff.telegram_id,
        ticket,
        "\n".join(lines),
        buttons=ticket_buttons(ticket, take=False, lang=lang),
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
    agent = await staff.member_by_id(ticket.assignee_id)  # type: ignore[attr-defined]
    if agent is None:
        return
    media = media_label(message, agent.text_language)
    text = f"💬 <b>#{ticket.id}</b> {esc(customer.display_name)}: {media}{esc(message.text)}"
    await send_about_ticket(bot, agent.telegram_id, ticket, text)
    if message.media_type is not None:
        try:
            copied = await bot.copy_message(agent.telegram_id, chat_id, telegram_message_id)
        except TelegramError as err:
            log.warning("could not copy media of ticket #%s to its agent: %s", ticket.id, err)
        else:
            await staff_messages.remember(
                ticket_id=ticket.id, chat_id=agent.telegram_id, message_id=copied.message_id
            )


async def warn_flooding(
    bot: Bot, *, telegram_id: int, customer: Customer | None, ticket: Ticket | None, recent: int
) -> None:
    """Tell the ticket's agent (or the managers) once that a customer is flooding."""
    who: object = (
        esc(customer.display_name)
        if customer
        else Phrase("staff.flood.user", telegram_id=telegram_id)
    )
    if ticket is not None:
        head = Phrase("staff.flood.head_ticket", ticket_id=ticket.id, who=who)
        tail = Phrase("staff.flood.see_ticket", ticket_id=ticket.id)
    else:
        head, tail = Phrase("staff.flood.head", who=who), Phrase("staff.flood.end")
    text = Phrase("staff.flood.warning", head=head, recent=recent, tail=tail)
    agent_id = ticket.assignee_id if ticket is not None else None  # type: ignore[attr-defined]
    agent = await staff.member_by_id(agent_id)
    try:
        if agent is not None and ticket is not None:
            await send_about_ticket(
                bot, agent.telegram_id, ticket, text.render(agent.text_language)
            )
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
        await staff_messages.remember(
            ticket_id=ticket.id, chat_id=chat_id, message_id=sent.message_id
        )


async def alert_managers(bot: Bot, html: Phrase, *, ticket: Ticket | None = None) -> None:
    """Send an alert to every manager in their language; one unreachable one stops no other."""
    for manager in await staff.managers():
        lang = manager.text_language
        html_text = html.render(lang)
        try:
            if ticket is not None:
                await send_about_ticket(
                    bot,
                    manager.telegram_id,
                    ticket,
                    html_text,
                    buttons=ticket_buttons(ticket, take=False, lang=lang),
                )
            else:
                await bot.send_message(manager.telegram_id, html_text, parse_mode=ParseMode.HTML)
        except TelegramError as err:
            log.warning("could not alert manager %s: %s", manager.telegram_id, err)


async def route_and_notify(bot: Bot, settings: DeskSettings, *, ticket_id: int) -> None:
    """Route one ticket and tell its agent; a ticket nobody can take waits in the queue."""
    assignment = await routing.route_ticket(
        ticket_id=ticket_id, default_capacity=settings.agent_capacity
    )
    if assignment is not None:
        await _notify_safely(bot, assignment, NEW_TICKET)


async def route_reopened_and_notify(bot: Bot, settings: DeskSettings, *, ticket_id: int) -> None:
    """Give a ticket the customer reopened back to its agent (or whoever has room) and tell them."""
    assignment = await routing.route_reopened(
        ticket_id=ticket_id, default_capacity=settings.agent_capacity
    )
    if assignment is not None:
        reason = Phrase("staff.notify.reopened", ticket_id=ticket_id)
        await _notify_safely(bot, assignment, reason)


async def tell_handed_out(bot: Bot, assignments: Sequence[routing.Assignment]) -> None:
    """Tell each agent about the waiting ticket the queue handed them (crm.desk.queue)."""
    for assignment in assignments:
        await _notify_safely(bot, assignment, Phrase("staff.notify.from_queue"))


async def _notify_safely(bot: Bot, assignment: routing.Assignment, reason: Phrase) -> None:
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
