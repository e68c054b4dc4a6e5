"""Tickets as staff see them in Telegram: the header, history lines, the queue, the buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from crm.desk.actions import TicketHistory
from crm.i18n import Phrase, t
from crm.models import Customer, Delivery, Direction, Message, Priority, Ticket
from handlers.callbacks import TicketButton
from handlers.text import esc

QUEUE_BUTTONS = 8  # Take buttons under the queue; the rest are taken by number


def ticket_buttons(ticket: Ticket, *, take: bool, lang: str) -> InlineKeyboardMarkup:
    """Return the inline buttons shown under a ticket notification."""
    actions: tuple[tuple[Literal["take", "close", "show"], str], ...] = (
        (("take", "staff.notify.take"),) if take else ()
    )
    actions += (("close", "staff.notify.close"), ("show", "staff.notify.history"))
    row = [
        InlineKeyboardButton(
            t(key, lang), callback_data=TicketButton(action=action, ticket=ticket.id).pack()
        )
        for action, key in actions
    ]
    return InlineKeyboardMarkup([row])


def ticket_header(ticket: Ticket, customer: Customer, lang: str) -> str:
    """Return the HTML head of a ticket notification: number, kind, priority, customer."""
    priority = t(f"staff.priority.{ticket.priority.name.lower()}", lang).upper()
    kind = t(f"staff.kind.{ticket.kind.value}", lang)
    if ticket.priority >= Priority.HIGH:
        priority = f"<b>{priority}</b>"
    who = esc(customer.display_name)
    if customer.username:
        who += f" (@{esc(customer.username)})"
    lang = f" · {esc(customer.language_code)}" if customer.language_code else ""
    return f"🎫 <b>#{ticket.id}</b> · {kind} · {priority} · {esc(ticket.topic)}\n👤 {who}{lang}"


def media_label(message: Message, lang: str) -> str:
    """Return "[photo] " and the like for a message with media, in a language; else ""."""
    if message.media_type is None:
        return ""
    return f"[{t(f'staff.media.{message.media_type.value}', lang)}] "


def message_line(message: Message, authors: dict[int, str], customer: Customer, lang: str) -> str:
    """Return one history line: time, who, text (escaped), media."""
    stamp = message.created_at.strftime("%m-%d %H:%M")
    author = esc(authors.get(message.author_telegram_id or 0) or t("staff.history.staff", lang))
    if message.direction is Direction.INBOUND:
        who = esc(customer.display_name)
    elif message.direction is Direction.INTERNAL:
        who = t("staff.history.note_by", lang, name=author)
    else:
        who = "↩️ " + author
    flags = t("staff.history.edited", lang) if message.edited_at else ""
    if message.direction is Direction.OUTBOUND and message.delivery_error:
        flags += t("staff.history.not_delivered", lang, error=esc(message.delivery_error))
    elif message.direction is Direction.OUTBOUND and message.delivery is Delivery.UNKNOWN:
        flags += t("staff.history.may_not_have_arrived", lang)
    elif message.direction is Direction.OUTBOUND and message.delivery is Delivery.SENDING:
        flags += t("staff.history.sending", lang)
    return f"{stamp} {who}: {media_label(message, lang)}{esc(message.text)}{flags}"


def history(history: TicketHistory, lang: str) -> str:
    """Return a ticket's full history as HTML lines, in a staff member's language."""
    ticket, customer = history.ticket, history.customer
    if history.assignee is not None:
        assignee = esc(history.assignee.label)
    else:
        assignee = t("staff.history.nobody", lang)
    status = Phrase(f"staff.status.{ticket.status.value}")
    lines = [
        ticket_header(ticket, customer, lang),
        t("staff.history.status", lang, status=status, assignee=assignee),
        t("staff.history.subject", lang, subject=esc(ticket.subject)),
        t(
            "staff.history.customer",
            lang,
            telegram_id=customer.telegram_id or "-",
            past=history.past_tickets,
        ),
    ]
    if history.sentiment is not None:
        lines.append(t("staff.history.sentiment", lang, mood=history.sentiment.describe(lang)))
    for rating in history.ratings:
        comment = f" “{esc(rating.comment)}”" if rating.comment else ""
        lines.append(t("staff.history.rating", lang, score=rating.score, comment=comment))
    lines.append("")
    lines += [message_line(m, history.authors, customer, lang) for m in history.messages]
    return "\n".join(lines)


def queue(
    waiting: Sequence[Ticket], own: Sequence[Ticket], *, lang: str, more: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the waiting tickets (with Take buttons) and the agent's own open ones."""
    none = t("staff.queue.none", lang)
    lines = [t("staff.queue.waiting", lang, count=len(waiting), more="+" if more else "")]
    lines += [_ticket_line(ticket, lang) for ticket in waiting] or [none]
    lines += ["", t("staff.queue.yours", lang, count=len(own))]
    lines += [_ticket_line(ticket, lang) for ticket in own] or [none]
    buttons = [
        [
            InlineKeyboardButton(
                t("staff.queue.take_button", lang, ticket_id=ticket.id),
                callback_data=TicketButton(action="take", ticket=ticket.id).pack(),
            )
        ]
        for ticket in waiting[:QUEUE_BUTTONS]
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


def _ticket_line(ticket: Ticket, lang: str) -> str:
    kind = t(f"staff.kind.{ticket.kind.value}", lang)
    priority = t(f"staff.priority.{ticket.priority.name.lower()}", lang)
    return (
        f"#{ticket.id} · {kind} · {priority} · "
        f"{esc(ticket.customer.display_name)} · {esc(ticket.subject[:60])}"
    )
