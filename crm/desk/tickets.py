"""Ticket intake and the customer's own ticket actions."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm import clock, ids
from crm.customers.profiles import CustomerProfile, register_customer
from crm.desk.topics import TopicMap, default_topics
from crm.errors import InvalidInput, NoOpenTicket, TicketAlreadyResolved, TicketNotFound
from crm.models import (
    OPEN_STATUSES,
    Customer,
    Direction,
    MediaType,
    Message,
    Priority,
    Rating,
    Survey,
    Ticket,
    TicketKind,
    TicketStatus,
)
from crm.store.sqlite_engine import lazy_commit

log = logging.getLogger(__name__)

SUBJECT_LENGTH = 80
RATING_MIN, RATING_MAX = 1, 5
# Ratings at or below this need a human: the rating ticket stays open.
LOW_RATING = 2
# A customer's message this soon after the desk resolved their ticket reopens it
# (CRM_REOPEN_HOURS); later it opens a new one.
REOPEN_WINDOW = timedelta(hours=72)
# Waiting (open, unassigned) tickets one customer may have: beyond it, what would open
# another joins their newest open ticket, so one customer cannot fill the queue.
WAITING_CAP = 3


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message as a channel delivered it: identity, text or caption, media."""

    chat_id: int
    message_id: int
    text: str = ""
    media_type: MediaType | None = None
    file_id: str | None = None
    # The message this one answers with Telegram's "Reply", if any (same chat).
    reply_to_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Intake:
    """What logging an inbound message did."""

    customer: Customer
    ticket: Ticket
    message: Message
    new_ticket: bool
    duplicate: bool
    rating: Rating | None = None
    # Set when the message answered the "Add a comment" prompt of a rating.
    commented_rating: Rating | None = None
    # Set when the message brought back the ticket the desk had just resolved.
    reopened: bool = False


def clean_text(text: str | None) -> str:
    """Return text safe to store: verbatim except NUL bytes, which databases refuse."""
    return (text or "").replace("\x00", "")


def make_subject(text: str, media_type: MediaType | None = None) -> str:
    """Return a one-line subject for a ticket from its first message."""
    line = re.sub(r"\s+", " ", text).strip()
    if not line:
        return f"[{media_type.value}]" if media_type else ""
    if len(line) <= SUBJECT_LENGTH:
        return line
    cut = line[: SUBJECT_LENGTH - 1]
    if " " in cut[SUBJECT_LENGTH // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


async def log_customer_message(
    *,
    profile: CustomerProfile,
    message: InboundMessage,
    topics: TopicMap | None = None,
    reopen_window: timedelta = REOPEN_WINDOW,
) -> Intake:
    """Append a customer's message to their open ticket, reopen a just-resolved one, or open one.

    Without an open ticket, a message within `reopen_window` of the desk resolving the
    customer's latest ticket reopens it; otherwise it opens an inquiry. Only a reply to a
    rating's "Add a comment" prompt is taken as that rating's comment instead.
    """
    return await _intake(
        profile=profile, message=message, kind=None, topics=topics, reopen_window=reopen_window
    )


async def open_ticket(
    *,
    profile: CustomerProfile,
    kind: TicketKind,
    message: InboundMessage,
    priority: Priority | None = None,
    topics: TopicMap | None = None,
) -> Intake:
    """Open a new ticket of a given kind for a customer's message."""
    if kind is TicketKind.RATING:
        raise InvalidInput("use rate_service() for ratings")
    if not clean_text(message.text).strip() and message.media_type is None:
        raise InvalidInput("a ticket needs some text")
    if priority is None:
        priority = Priority.HIGH if kind is TicketKind.COMPLAINT else Priority.NORMAL
    return await _intake(
        profile=profile, message=message, kind=kind, priority=priority, topics=topics
    )


def parse_rating(args: list[str]) -> tuple[int, str]:
    """Parse '/rate' arguments into (score, comment); raise InvalidInput when malformed."""
    if not args:
        raise InvalidInput("missing score")
    raw = args[0].strip()
    if not re.fullmatch(r"\d{1,2}", raw):
        raise InvalidInput(f"{raw!r} is not a number")
    score = int(raw)
    if not RATING_MIN <= score <= RATING_MAX:
        raise InvalidInput(f"{score} is outside {RATING_MIN}-{RATING_MAX}")
    return score, " ".join(args[1:]).strip()


async def rate_service(
    *, profile: CustomerProfile, score: int, comment: str, message: InboundMessage
) -> Intake:
    """Log a rating as its own ticket: low scores stay open for a human, others resolve."""
    if not RATING_MIN <= score <= RATING_MAX:
        raise InvalidInput(f"{score} is outside {RATING_MIN}-{RATING_MAX}")
    return await _intake(
        profile=profile,
        message=message,
        kind=TicketKind.RATING,
        priority=Priority.HIGH if score <= LOW_RATING else Priority.NORMAL,
        rating=(score, clean_text(comment)),
    )


async def _intake(
    *,
    profile: CustomerProfile,
    message: InboundMessage,
    kind: TicketKind | None,
    priority: Priority = Priority.NORMAL,
    rating: tuple[int, str] | None = None,
    topics: TopicMap | None = None,
    reopen_window: timedelta = REOPEN_WINDOW,
) -> Intake:
    """Store the message first, exactly once, on the ticket it belongs to.

    A redelivered message is caught by the store's unique (chat, message id) key: its
    insert fails, the transaction rolls back whatever it did, and the stored copy is
    returned. No lookup before every message (redeliveries are rare; messages are not).
    """
    customer, _ = await register_customer(profile=profile)
    now = clock.utcnow()
    text = clean_text(message.text)
    topic_map = topics or default_topics()
    try:
        async with in_transaction() as connection:
            if connection.capabilities.support_for_update:
                # One intake per customer at a time, across replicas too: two quick messages
                # handled on two bot processes must not both find no open ticket and open
                # two. (SQLite has no row locks and needs none: its one writer at a time,
                # and the ORM's one connection per process, already serialise intakes.)
                await Customer.filter(id=customer.id).select_for_update().first()
            commented = None
            reopened = False
            survey = None
            if kind is None and message.reply_to_message_id is not None and text.strip():
                survey = await _prompted_survey(customer.id, message.reply_to_message_id, now)
            if survey is not None and survey.rating is not None:
                commented = survey.rating
                commented.comment = text
                await commented.save(update_fields=["comment"])
                await Survey.filter(id=survey.id).update(comment_until=None)
                ticket, new_ticket = await _comment_ticket(survey), False
            else:
                ticket, new_ticket, reopened = await _target_ticket(
                    customer=customer,
                    kind=kind,
                    priority=priority,
                    waits=rating is None or rating[0] <= LOW_RATING,
                    now=now,
                    reopen_since=now - reopen_window,
                    subject=lambda: _subject_for(kind, text, message.media_type, rating),
                    topic=lambda: topic_map.classify(text),
                )
            stored = await Message.create(
                ticket=ticket,
                direction=Direction.INBOUND,
                author_telegram_id=profile.telegram_id,
                text=text,
                media_type=message.media_type,
                file_id=message.file_id,
                telegram_chat_id=message.chat_id,
                telegram_message_id=message.message_id,
                created_at=now,
            )
            rating_row = None
            if rating is not None and new_ticket:  # merged over the cap: kept as its text
                score, comment = rating
                rating_row = await Rating.create(
                    ticket=ticket,
                    customer=customer,
                    score=score,
                    comment=comment or None,
                    created_at=now,
                )
                if score > LOW_RATING:
                    ticket.status = TicketStatus.RESOLVED
                    ticket.resolved_at = now
                    await ticket.save(update_fields=["status", "resolved_at"])
    except IntegrityError:
        # The same Telegram message was stored already (a redelivery) or is being stored
        # by a concurrent delivery right now.
        existing = await _find_stored(message)
        if existing is None:
            raise
        return await _duplicate(customer, existing)
    return Intake(
        customer=customer,
        ticket=ticket,
        message=stored,
        new_ticket=new_ticket,
        duplicate=False,
        rating=rating_row,
        commented_rating=commented,
        reopened=reopened,
    )


async def _prompted_survey(customer_id: int, prompt_id: int, now: datetime) -> Survey | None:
    """Return the survey whose open "Add a comment" prompt this message replies to, if any."""
    survey = await Survey.filter(
        customer_id=customer_id,
        comment_prompt_id=prompt_id,
        comment_until__gt=now,
        rating_id__not_isnull=True,
    ).first()
    if survey is not None:
        await survey.fetch_related("rating", "ticket")
    return survey


async def _comment_ticket(survey: Survey) -> Ticket:
    """Return where a rating's comment is filed: the open follow-up of a poor score, else the
    rated ticket (which stays resolved)."""
    follow_up = (
        await Ticket.filter(
            parent_id=survey.ticket.id, kind=TicketKind.FOLLOW_UP, status__in=list(OPEN_STATUSES)
        )
        .order_by("-id")
        .first()
    )
    return follow_up or survey.ticket


async def _find_stored(message: InboundMessage) -> Message | None:
    return await Message.get_or_none(
        telegram_chat_id=message.chat_id, telegram_message_id=message.message_id
    ).prefetch_related("ticket")


async def _duplicate(customer: Customer, existing: Message) -> Intake:
    log.info(
        "duplicate delivery of chat %s message %s ignored (ticket #%s)",
        existing.telegram_chat_id,
        existing.telegram_message_id,
        existing.ticket.id,
    )
    rating = await Rating.filter(ticket_id=existing.ticket.id).first()
    return Intake(
        customer=customer,
        ticket=existing.ticket,
        message=existing,
        new_ticket=False,
        duplicate=True,
        rating=rating,
    )


def _subject_for(
    kind: TicketKind | None, text: str, media: MediaType | None, rating: tuple[int, str] | None
) -> str:
    if rating is not None:
        score, comment = rating
        return make_subject(f"Rating {score}/5" + (f": {comment}" if comment else ""))
    return make_subject(text, media)


async def _target_ticket(
    *,
    customer: Customer,
    kind: TicketKind | None,
    priority: Priority,
    waits: bool,
    now: datetime,
    reopen_since: datetime,
    subject: Callable[[], str],
    topic: Callable[[], str],
) -> tuple[Ticket, bool, bool]:
    """Return (ticket, new, reopened): for a plain message the open ticket, else the one the
    desk resolved since `reopen_since` (reopened), else a new one.

    A new ticket that would wait in the queue is not opened while the customer already has
    WAITING_CAP waiting ones: the message joins their newest open ticket instead (raising
    its priority to the message's). The subject and topic are worked out only for a new
    ticket (most messages join one).
    """
    if kind is None:
        ticket = (
            await Ticket.filter(customer=customer, status__in=list(OPEN_STATUSES))
            .order_by("-last_activity_at", "-id")
            .select_for_update()
            .first()
        )
        if ticket is not None:
            await _join(ticket, now=now)
            return ticket, False, False
        reopened = await _reopen_just_resolved(customer=customer, since=reopen_since, now=now)
        if reopened is not None:
            return reopened, False, True
        kind = TicketKind.INQUIRY
    elif waits and await _waiting_count(customer) >= WAITING_CAP:
        newest = (
            await Ticket.filter(customer=customer, status__in=list(OPEN_STATUSES))
            .order_by("-created_at", "-id")
            .select_for_update()
            .first()
        )
        if newest is not None:
            await _join(newest, now=now, priority=priority)
            return newest, False, False
    ticket = await Ticket.create(
        customer=customer,
        kind=kind,
        priority=priority,
        subject=subject(),
        topic=topic(),
        created_at=now,
        last_activity_at=now,
    )
    return ticket, True, False


async def _reopen_just_resolved(
    *, customer: Customer, since: datetime, now: datetime
) -> Ticket | None:
    """Reopen the customer's latest resolved ticket if the desk resolved it since `since`.

    "The desk resolved it" means staff closed it and the customer was asked how we did: a
    ticket the customer closed themselves, or a /rate score, stays closed ("write any time
    to open a new one").
    """
    latest = (
        await Ticket.filter(customer=customer, status=TicketStatus.RESOLVED, resolved_at__gt=since)
        .order_by("-resolved_at", "-id")
        .first()
    )
    # By customer first: the survey table is indexed on (customer_id, ...), not on ticket_id.
    if latest is None or not await Survey.exists(customer_id=customer.id, ticket_id=latest.id):
        return None
    reopened = await Ticket.filter(id=latest.id, status=TicketStatus.RESOLVED).update(
        status=TicketStatus.OPEN,
        resolved_at=None,
        last_activity_at=now,
        reopened_count=F("reopened_count") + 1,
    )
    if not reopened:
        return None
    await latest.refresh_from_db()
    return latest


async def _waiting_count(customer: Customer) -> int:
    return await Ticket.filter(
        customer=customer, status__in=list(OPEN_STATUSES), assignee_id=None
    ).count()


async def _join(ticket: Ticket, *, now: datetime, priority: Priority | None = None) -> None:
    """Record activity on the open ticket a message joins."""
    ticket.last_activity_at = now
    fields = ["last_activity_at"]
    if ticket.status is TicketStatus.PENDING:
        # The customer answered: the ball is back with the business.
        ticket.status = TicketStatus.OPEN
        fields.append("status")
    if priority is not None and priority > ticket.priority:
        ticket.priority = priority
        fields.append("priority")
    await ticket.save(update_fields=fields)


async def mark_acknowledged(*, message: Message) -> None:
    """Record that the customer was told their message was logged.

    On SQLite the mark does not wait for the disk (it is synced with the next commit): a
    power cut in between can only make a redelivered message be acknowledged twice.
    """
    message.acknowledged_at = clock.utcnow()
    with lazy_commit():
        await message.save(update_fields=["acknowledged_at"])


async def record_edit(*, chat_id: int, message_id: int, new_text: str) -> Message | None:
    """Update a stored message to its edited text, keeping the earlier text in its history."""
    stored = await Message.get_or_none(telegram_chat_id=chat_id, telegram_message_id=message_id)
    if stored is None:
        return None
    text = clean_text(new_text)
    if text == stored.text:
        return stored
    now = clock.utcnow()
    stored.edit_history = [
        *stored.edit_history,
        {"text": stored.text, "replaced_at": now.isoformat()},
    ]
    stored.text = text
    stored.edited_at = now
    await stored.save(update_fields=["edit_history", "text", "edited_at"])
    await Ticket.filter(id=stored.ticket_id).update(last_activity_at=now)  # type: ignore[attr-defined]
    return stored


async def customer_tickets(*, customer: Customer, limit: int = 20) -> list[Ticket]:
    """Return a customer's tickets, most recently active first."""
    return await Ticket.filter(customer=customer).order_by("-last_activity_at", "-id").limit(limit)


def parse_ticket_number(raw: str) -> int:
    """Parse '12' or '#12' into a ticket number; raise InvalidInput otherwise."""
    return ids.parse_id(raw, refusal="staff.err.not_ticket_number")


async def close_own_ticket(*, customer: Customer, ticket_id: int | None) -> Ticket:
    """Resolve one of the customer's own tickets (by number, or their latest open one)."""
    if ticket_id is None:
        ticket = (
            await Ticket.filter(customer=customer, status__in=list(OPEN_STATUSES))
            .order_by("-last_activity_at", "-id")
            .first()
        )
        if ticket is None:
            raise NoOpenTicket()
    else:
        ticket = await Ticket.get_or_none(id=ticket_id, customer=customer)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        if not ticket.is_open:
            raise TicketAlreadyResolved(ticket_id)
    now = clock.utcnow()
    updated = await Ticket.filter(id=ticket.id, status__in=list(OPEN_STATUSES)).update(
        status=TicketStatus.RESOLVED, resolved_at=now, last_activity_at=now
    )
    if not updated:
        raise TicketAlreadyResolved(ticket.id)
    await ticket.refresh_from_db()
    return ticket


async def latest_inbound(*, ticket_id: int, limit: int) -> tuple[Ticket, list[Message]]:
    """Return a ticket with its customer, and its latest customer messages, oldest first."""
    ticket = await Ticket.get(id=ticket_id).select_related("customer")
    latest = (
        await Message.filter(ticket_id=ticket_id, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .limit(limit)
    )
    return ticket, list(reversed(latest))
