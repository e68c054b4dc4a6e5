"""What agents do to tickets: reply, note, close, reopen, tag, read the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm import clock
from crm.desk.staff import TicketAction, acts_for, check_owner, check_scope
from crm.desk.tickets import clean_text
from crm.errors import AlreadyAssigned, InvalidInput, TicketAlreadyResolved, TicketNotFound
from crm.models import (
    OPEN_STATUSES,
    AgentScope,
    Customer,
    Delivery,
    Direction,
    MediaType,
    Message,
    Rating,
    StaffMember,
    Ticket,
    TicketStatus,
)
from crm.sentiment.scoring import TicketSentiment, ticket_sentiment


@dataclass(frozen=True, slots=True)
class PendingReply:
    """An outbound message stored before sending; the caller reports how delivery went.

    ``replayed`` is set when the staff message asking for it was handled before (a replay
    after a crash): the reply is then never sent again, and this says where it stood.
    """

    ticket: Ticket
    message: Message
    customer: Customer
    customer_chat_id: int
    replayed: Delivery | None = None


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
    sentiment: TicketSentiment | None = None  # filled once messages are scored


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
    source: tuple[int, int] | None = None,
) -> PendingReply:
    """Store an agent's reply as outbound (being sent); the sender then reports back.

    ``source`` is the (chat, message id) of the staff message that asked for the reply. A
    second request from the same message (its update replayed after a crash) gets the
    stored reply back instead of a new one; one caught mid-send is settled as unknown.
    """
    text = clean_text(text)
    if not text.strip() and file_id is None:
        raise InvalidInput.of("staff.err.reply_empty")
    if source is not None:
        earlier = await _reply_from(source)
        if earlier is not None:
            return earlier
    ticket = await get_ticket(ticket_id=ticket_id)
    if not ticket.is_open:
        raise TicketAlreadyResolved(ticket_id)
    customer = ticket.customer
    if customer.telegram_id is None:
        raise InvalidInput.of("staff.err.no_chat", name=customer.display_name)
    await _claim_for(ticket, staff)
    try:
        message = await Message.create(
            ticket=ticket,
            direction=Direction.OUTBOUND,
            author_telegram_id=staff.telegram_id,
            text=text,
            media_type=media_type,
            file_id=file_id,
            telegram_chat_id=None,  # set on delivery
            created_at=clock.utcnow(),
            delivery=Delivery.SENDING,
            source_chat_id=source[0] if source else None,
            source_message_id=source[1] if source else None,
        )
    except IntegrityError:
        # The same staff message is being handled elsewhere this very moment (a replica).
        assert source is not None
        earlier = await _reply_from(source)
        if earlier is None:
            raise
        return earlier
    return PendingReply(
        ticket=ticket, message=message, customer=customer, customer_chat_id=customer.telegram_id
    )


async def _reply_from(source: tuple[int, int]) -> PendingReply | None:
    """Return the reply a staff message already asked for, settling one caught mid-send."""
    message = await Message.get_or_none(
        source_chat_id=source[0], source_message_id=source[1]
    ).select_related("ticket__customer")
    if message is None:
        return None
    state = message.delivery or Delivery.UNKNOWN
    if state is Delivery.SENDING:
        await settle_interrupted(message_ids=[message.id])
        await message.refresh_from_db()
        state = message.delivery or Delivery.UNKNOWN
    ticket = message.ticket
    return PendingReply(
        ticket=ticket,
        message=message,
        customer=ticket.customer,
        customer_chat_id=ticket.customer.telegram_id or 0,
        replayed=state,
    )


async def mark_delivered(*, reply: PendingReply, telegram_message_id: int) -> Ticket:
    """Record that the customer received the reply: first response, waiting on customer."""
    message = reply.message
    message.telegram_chat_id = reply.customer_chat_id
    message.telegram_message_id = telegram_message_id
    message.delivery_error = None
    message.delivery = Delivery.SENT
    await message.save(
        update_fields=["telegram_chat_id", "telegram_message_id", "delivery_error", "delivery"]
    )
    return await _responded(reply.ticket)


async def _responded(ticket: Ticket) -> Ticket:
    """Count a reply as the ticket's response: first response, waiting on the customer."""
    now = clock.utcnow()
    await Ticket.filter(id=ticket.id, first_response_at=None).update(first_response_at=now)
    await Ticket.filter(id=ticket.id, status__in=list(OPEN_STATUSES)).update(
        status=TicketStatus.PENDING, last_activity_at=now
    )
    await ticket.refresh_from_db()
    return ticket


async def mark_undelivered(*, reply: PendingReply, error: str) -> None:
    """Record why Telegram refused the reply, so it is visible instead of vanishing."""
    reply.message.delivery_error = error[:1000] or "unknown error"
    reply.message.delivery = Delivery.FAILED
    await reply.message.save(update_fields=["delivery_error", "delivery"])


async def settle_interrupted(
    *, message_ids: list[int] | None = None, older_than: timedelta | None = None
) -> list[Message]:
    """Settle replies that were being sent when the bot stopped; return those settled here.

    Telegram has no idempotency key, so such a reply is never sent again: it is marked
    unknown (it most likely arrived: the ticket counts it as answered) and its agent is to
    be told. Either the replayed staff message (``message_ids``) or a sweep of replies
    stuck in sending for longer than ``older_than`` finds them.
    """
    query = Message.filter(direction=Direction.OUTBOUND, delivery=Delivery.SENDING)
    if message_ids is not None:
        query = query.filter(id__in=message_ids)
    if older_than is not None:
        query = query.filter(created_at__lt=clock.utcnow() - older_than)
    candidates = await query.select_related("ticket__customer")
    settled = []
    for message in candidates:
        # Conditional: the replay and the sweep (or two replicas) settle it once.
        if await Message.filter(id=message.id, delivery=Delivery.SENDING).update(
            delivery=Delivery.UNKNOWN
        ):
            message.delivery = Delivery.UNKNOWN
            await _responded(message.ticket)
            settled.append(message)
    return settled


async def add_note(*, ticket_id: int, staff: StaffMember, scope: AgentScope, text: str) -> Message:
    """Store an internal note on a ticket; it is never sent to the customer."""
    text = clean_text(text)
    if not text.strip():
        raise InvalidInput.of("staff.err.note_empty")
    ticket = await get_ticket(ticket_id=ticket_id)
    await check_scope(ticket=ticket, staff=staff, scope=scope, action=TicketAction.NOTE)
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
    await check_owner(ticket=ticket, staff=staff, action=TicketAction.CLOSE)
    now = clock.utcnow()
    changed = await Ticket.filter(id=ticket_id, status__in=list(OPEN_STATUSES)).update(
        status=TicketStatus.RESOLVED, resolved_at=now, last_activity_at=now
    )
    if not changed:
        raise TicketAlreadyResolved(ticket_id)
    await ticket.refresh_from_db()
    return ticket


async def reopen_ticket(*, ticket_id: int, staff: StaffMember, scope: AgentScope) -> Ticket:
    """Reopen a resolved ticket, keeping its agent if they are still active."""
    ticket = await get_ticket(ticket_id=ticket_id)
    await check_scope(ticket=ticket, staff=staff, scope=scope, action=TicketAction.REOPEN)
    if ticket.is_open:
        raise InvalidInput.of("staff.err.already_open", ticket_id=ticket_id)
    now = clock.utcnow()
    async with in_transaction():
        changed = await Ticket.filter(id=ticket_id, status=TicketStatus.RESOLVED).update(
            status=TicketStatus.OPEN,
            resolved_at=None,
            last_activity_at=now,
            reopened_count=F("reopened_count") + 1,
        )
        if not changed:
            raise InvalidInput.of("staff.err.already_open", ticket_id=ticket_id)
        assignee = ticket.assignee
        if assignee is not None and not assignee.active:
            await Ticket.filter(id=ticket_id).update(assignee_id=None, assigned_at=None)
    return await get_ticket(ticket_id=ticket_id)


async def tag_ticket(
    *, ticket_id: int, staff: StaffMember, scope: AgentScope, topic: str
) -> Ticket:
    """Set a ticket's topic (the caller validates it against the topic map)."""
    ticket = await get_ticket(ticket_id=ticket_id)
    await check_scope(ticket=ticket, staff=staff, scope=scope, action=TicketAction.TAG)
    ticket.topic = topic
    await ticket.save(update_fields=["topic"])
    return ticket


async def ticket_history(*, ticket_id: int, staff: StaffMember, scope: AgentScope) -> TicketHistory:
    """Return a ticket's full conversation, notes, ratings and its customer's profile."""
    ticket = await get_ticket(ticket_id=ticket_id)
    await check_scope(ticket=ticket, staff=staff, scope=scope, action=TicketAction.READ)
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
        sentiment=mood,
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


async def _claim_for(ticket: Ticket, staff: StaffMember) -> None:
    """Let a reply to an unassigned ticket assign it to the replier; refuse others' tickets."""
    await check_owner(ticket=ticket, staff=staff, action=TicketAction.REPLY)
    if ticket.assignee is None:
        taken = await Ticket.filter(id=ticket.id, assignee_id=None).update(
            assignee_id=staff.id, assigned_at=clock.utcnow()
        )
        if not taken:
            fresh = await get_ticket(ticket_id=ticket.id)
            owner = fresh.assignee
            if owner is not None and not acts_for(staff, owner.id):
                raise AlreadyAssigned(ticket.id, owner)
        ticket.assignee = staff
