"""What agents do to tickets: reply, note, close, reopen, tag, read the history."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm import clock
from crm.errors import InvalidInput, NotAuthorised, TicketAlreadyResolved, TicketNotFound
from crm.models import (
    OPEN_STATUSES,
    Customer,
    Direction,
    MediaType,
    Message,
    Rating,
    Role,
    StaffMember,
    Ticket,
    TicketStatus,
)
from crm.routing import AlreadyAssigned
from crm.scoring import ticket_sentiment
from crm.tickets import clean_text


@dataclass(frozen=True, slots=True)
class PendingReply:
    """An outbound message stored before sending; the caller reports how delivery went."""

    ticket: Ticket
    message: Message
    customer: Customer
    customer_chat_id: int


@dataclass(frozen=True, slots=True)
class TicketHistory:
    """Everything an agent needs to know about a ticket."""

    ticket: Ticket
    customer: Customer
    assignee: StaffMember | None
    messages: list[Message]
    ratings: list[Rating]
    past_tickets: int
    authors: dict[int, str]  # staff Telegram id -> name, for outbound messages and notes
    sentiment: str | None = None  # filled once messages are scored


async def get_ticket(*, ticket_id: int) -> Ticket:
    """Return a ticket with its customer and assignee; raise TicketNotFound."""
    ticket = await Ticket.get_or_none(id=ticket_id).select_related("customer", "assignee")
    if ticket is None:
        raise TicketNotFound(ticket_id)
    return ticket


async def prepare_reply(
    *,
    ticket_id: int,
    staff: StaffMember,
    text: str,
    media_type: MediaType | None = None,
    file_id: str | None = None,
) -> PendingReply:
    """Store an agent's reply as outbound (undelivered yet); the sender then reports back."""
    text = clean_text(text)
    if not text.strip() and file_id is None:
        raise InvalidInput("the reply is empty")
    ticket = await get_ticket(ticket_id=ticket_id)
    if not ticket.is_open:
        raise TicketAlreadyResolved(ticket_id)
    customer = ticket.customer
    if customer.telegram_id is None:
        raise InvalidInput(f"{customer.display_name} has no Telegram chat with us")
    await _claim_for(ticket, staff)
    message = await Message.create(
        ticket=ticket,
        direction=Direction.OUTBOUND,
        author_telegram_id=staff.telegram_id,
        text=text,
        media_type=media_type,
        file_id=file_id,
        telegram_chat_id=None,  # set on delivery
        created_at=clock.utcnow(),
    )
    return PendingReply(
        ticket=ticket, message=message, customer=customer, customer_chat_id=customer.telegram_id
    )


async def mark_delivered(*, reply: PendingReply, telegram_message_id: int) -> Ticket:
    """Record that the customer received the reply: first response, waiting on customer."""
    now = clock.utcnow()
    message = reply.message
    message.telegram_chat_id = reply.customer_chat_id
    message.telegram_message_id = telegram_message_id
    message.delivery_error = None
    await message.save(update_fields=["telegram_chat_id", "telegram_message_id", "delivery_error"])
    ticket = reply.ticket
    await Ticket.filter(id=ticket.id, first_response_at=None).update(first_response_at=now)
    await Ticket.filter(id=ticket.id, status__in=list(OPEN_STATUSES)).update(
        status=TicketStatus.PENDING, last_activity_at=now
    )
    await ticket.refresh_from_db()
    return ticket


async def mark_undelivered(*, reply: PendingReply, error: str) -> None:
    """Record why Telegram refused the reply, so it is visible instead of vanishing."""
    reply.message.delivery_error = error[:1000] or "unknown error"
    await reply.message.save(update_fields=["delivery_error"])


async def add_note(*, ticket_id: int, staff: StaffMember, text: str) -> Message:
    """Store an internal note on a ticket; it is never sent to the customer."""
    text = clean_text(text)
    if not text.strip():
        raise InvalidInput("the note is empty")
    ticket = await get_ticket(ticket_id=ticket_id)
    return await Message.create(
        ticket=ticket,
        direction=Direction.INTERNAL,
        author_telegram_id=staff.telegram_id,
        text=text,
        created_at=clock.utcnow(),
    )


async def resolve_ticket(*, ticket_id: int, staff: StaffMember) -> Ticket:
    """Resolve a ticket; raise TicketAlreadyResolved if it was."""
    ticket = await get_ticket(ticket_id=ticket_id)
    _check_may_act(ticket, staff)
    now = clock.utcnow()
    changed = await Ticket.filter(id=ticket_id, status__in=list(OPEN_STATUSES)).update(
        status=TicketStatus.RESOLVED, resolved_at=now, last_activity_at=now
    )
    if not changed:
        raise TicketAlreadyResolved(ticket_id)
    await ticket.refresh_from_db()
    return ticket


async def reopen_ticket(*, ticket_id: int, staff: StaffMember) -> Ticket:
    """Reopen a resolved ticket, keeping its agent if they are still active."""
    ticket = await get_ticket(ticket_id=ticket_id)
    if ticket.is_open:
        raise InvalidInput(f"ticket #{ticket_id} is already open")
    now = clock.utcnow()
    async with in_transaction():
        changed = await Ticket.filter(id=ticket_id, status=TicketStatus.RESOLVED).update(
            status=TicketStatus.OPEN,
            resolved_at=None,
            last_activity_at=now,
            reopened_count=F("reopened_count") + 1,
        )
        if not changed:
            raise InvalidInput(f"ticket #{ticket_id} is already open")
        assignee = ticket.assignee
        if assignee is not None and not assignee.active:
            await Ticket.filter(id=ticket_id).update(assignee_id=None, assigned_at=None)
    return await get_ticket(ticket_id=ticket_id)


async def tag_ticket(*, ticket_id: int, topic: str) -> Ticket:
    """Set a ticket's topic (the caller validates it against the topic map)."""
    ticket = await get_ticket(ticket_id=ticket_id)
    ticket.topic = topic
    await ticket.save(update_fields=["topic"])
    return ticket


async def ticket_history(*, ticket_id: int) -> TicketHistory:
    """Return a ticket's full conversation, notes, ratings and its customer's profile."""
    ticket = await get_ticket(ticket_id=ticket_id)
    messages = await Message.filter(ticket_id=ticket_id).order_by("created_at", "id")
    ratings = await Rating.filter(ticket_id=ticket_id).order_by("created_at")
    past = await Ticket.filter(customer_id=ticket.customer.id).exclude(id=ticket_id).count()
    staff_ids = {m.author_telegram_id for m in messages if m.direction is not Direction.INBOUND} - {
        None
    }
    authors = {
        s.telegram_id: s.label for s in await StaffMember.filter(telegram_id__in=list(staff_ids))
    }
    mood = await ticket_sentiment(ticket_id=ticket_id)
    return TicketHistory(
        sentiment=mood.describe() if mood else None,
        ticket=ticket,
        customer=ticket.customer,
        assignee=ticket.assignee,
        messages=messages,
        ratings=ratings,
        past_tickets=past,
        authors=authors,
    )


async def own_open_tickets(*, staff: StaffMember, limit: int = 30) -> list[Ticket]:
    """Return the staff member's open tickets, most urgent first."""
    return (
        await Ticket.filter(assignee_id=staff.id, status__in=list(OPEN_STATUSES))
        .order_by("-priority", "created_at")
        .limit(limit)
        .select_related("customer")
    )


def _check_may_act(ticket: Ticket, staff: StaffMember) -> None:
    owner = ticket.assignee
    if owner is not None and owner.id != staff.id and staff.role is not Role.MANAGER:
        raise NotAuthorised(f"ticket #{ticket.id} is assigned to {owner.label}")


async def _claim_for(ticket: Ticket, staff: StaffMember) -> None:
    """Let a reply to an unassigned ticket assign it to the replier; refuse others' tickets."""
    _check_may_act(ticket, staff)
    if ticket.assignee is None:
        taken = await Ticket.filter(id=ticket.id, assignee_id=None).update(
            assignee_id=staff.id, assigned_at=clock.utcnow()
        )
        if not taken:
            fresh = await get_ticket(ticket_id=ticket.id)
            owner = fresh.assignee
            if owner is not None and owner.id != staff.id and staff.role is not Role.MANAGER:
                raise AlreadyAssigned(ticket.id, owner)
        ticket.assignee = staff
