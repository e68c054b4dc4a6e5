"""Who gets a ticket: skills first, then the lightest load, then round-robin; else the queue."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from crm import audit, clock
from crm.desk.staff import TicketAction, agent_loads, check_owner, find_staff
from crm.errors import AlreadyAssigned, InvalidInput, TicketAlreadyResolved, TicketNotFound
from crm.i18n import DEFAULT_LANGUAGE, Phrase
from crm.models import OPEN_STATUSES, StaffMember, Ticket, TicketKind

log = logging.getLogger(__name__)

COMPLAINTS_SKILL = "complaints"
_NEVER = datetime.min.replace(tzinfo=UTC)
# Re-choose when the chosen agent filled up between the choice and the lock.
_ROUTE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """An online staff member as routing sees them."""

    staff_id: int
    skills: frozenset[str]
    open_tickets: int
    capacity: int
    last_assigned_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """A ticket now owned by a staff member (and who had it before, for transfers)."""

    ticket: Ticket
    staff: StaffMember
    previous: StaffMember | None = None


def wanted_skills(*, kind: TicketKind, topic: str) -> frozenset[str]:
    """Return the skills that make an agent a better match for a ticket."""
    wanted = {topic} if topic else set()
    if kind is TicketKind.COMPLAINT:
        wanted.add(COMPLAINTS_SKILL)
    return frozenset(wanted)


def choose_agent(
    candidates: Sequence[Candidate], *, kind: TicketKind, topic: str
) -> Candidate | None:
    """Pick the agent for a ticket, or None when everyone is full.

    Below capacity only; most matching skills first; then fewest open tickets; then the
    one assigned least recently (round-robin); then the lowest id, so the choice is stable.
    """
    free = [c for c in candidates if c.open_tickets < c.capacity]
    if not free:
        return None
    wanted = wanted_skills(kind=kind, topic=topic)
    best_match = max(len(c.skills & wanted) for c in free)
    pool = [c for c in free if len(c.skills & wanted) == best_match]
    return min(pool, key=lambda c: (c.open_tickets, c.last_assigned_at or _NEVER, c.staff_id))


async def route_ticket(*, ticket_id: int, default_capacity: int) -> Assignment | None:
    """Assign an open, unassigned ticket to the best online agent; None: it waits in the queue."""
    assignment = await _route(ticket_id=ticket_id, default_capacity=default_capacity)
    await _audit_assignment(assignment, Phrase("staff.notify.new_ticket"))
    return assignment


async def _route(*, ticket_id: int, default_capacity: int) -> Assignment | None:
    for _ in range(_ROUTE_ATTEMPTS):
        async with in_transaction():
            # Lock the ticket first, then the agent: every path takes them in this order.
            ticket = await Ticket.filter(id=ticket_id).select_for_update().first()
            if ticket is None or not ticket.is_open or ticket.assignee_id is not None:  # type: ignore[attr-defined]
                return None
            loads = await agent_loads(default_capacity=default_capacity, online_only=True)
            chosen = choose_agent(
                [
                    Candidate(
                        staff_id=load.staff.id,
                        skills=frozenset(load.staff.skills),
                        open_tickets=load.open_tickets,
                        capacity=load.capacity,
                        last_assigned_at=load.staff.last_assigned_at,
                    )
                    for load in loads
                ],
                kind=ticket.kind,
                topic=ticket.topic,
            )
            if chosen is None:
                return None
            staff = (
                await StaffMember.filter(id=chosen.staff_id, active=True, online=True)
                .select_for_update()
                .first()
            )
            if staff is None:
                continue
            # Count again under the agent's row lock: another replica may have just assigned.
            open_now = await Ticket.filter(
                assignee_id=staff.id, status__in=list(OPEN_STATUSES)
            ).count()
            if open_now >= chosen.capacity:
                continue
            await _assign(ticket, staff)
            return Assignment(ticket=ticket, staff=staff)
    return None


# The queue's order: the most urgent first, then the longest waiting.
QUEUE_ORDER = ("-priority", "created_at", "id")


async def route_reopened(*, ticket_id: int, default_capacity: int) -> Assignment | None:
    """Give a reopened ticket back to its agent if they are online with room, else route it.

    None: nobody online has room and the ticket waits in the queue.
    """
    assignment = await _route_reopened(ticket_id=ticket_id, default_capacity=default_capacity)
    await _audit_assignment(assignment, Phrase("staff.notify.reopened", ticket_id=ticket_id))
    return assignment


async def _route_reopened(*, ticket_id: int, default_capacity: int) -> Assignment | None:
    async with in_transaction():
        ticket = await Ticket.filter(id=ticket_id).select_for_update().first()
        if ticket is None or not ticket.is_open:
            return None
        owner_id = ticket.assignee_id  # type: ignore[attr-defined]
        if owner_id is not None:
            owner = (
                await StaffMember.filter(id=owner_id, active=True, online=True)
                .select_for_update()
                .first()
            )
            if owner is not None:
                capacity = owner.capacity if owner.capacity is not None else default_capacity
                others = (
                    await Ticket.filter(assignee_id=owner.id, status__in=list(OPEN_STATUSES))
                    .exclude(id=ticket.id)
                    .count()
                )
                if others < capacity:
                    return Assignment(ticket=ticket, staff=owner)
            await release_ticket(ticket=ticket)
    return await _route(ticket_id=ticket_id, default_capacity=default_capacity)


async def drain_queue(*, default_capacity: int, limit: int = 100) -> list[Assignment]:
    """Hand out waiting tickets, most urgent then oldest first, while some agent has room."""
    waiting = (
        await Ticket.filter(status__in=list(OPEN_STATUSES), assignee_id=None)
        .order_by(*QUEUE_ORDER)
        .limit(limit)
        .values_list("id", flat=True)
    )
    assignments = []
    for ticket_id in waiting:
        assignment = await _route(ticket_id=ticket_id, default_capacity=default_capacity)
        if assignment is None:
            # Everyone online is full (skills only order candidates, they never exclude).
            if not await _anyone_has_room(default_capacity):
                break
            continue
        await _audit_assignment(assignment, Phrase("staff.notify.from_queue"))
        assignments.append(assignment)
    return assignments


async def _audit_assignment(assignment: Assignment | None, reason: Phrase) -> None:
    """Record who the desk gave a ticket to, and why (in English, as every audit entry is)."""
    if assignment is None:
        return
    await audit.record(
        actor_telegram_id=None,
        action="ticket.assign",
        subject=f"ticket {assignment.ticket.id}",
        details={"to": assignment.staff.telegram_id, "reason": reason.render(DEFAULT_LANGUAGE)},
    )


async def _anyone_has_room(default_capacity: int) -> bool:
    loads = await agent_loads(default_capacity=default_capacity, online_only=True)
    return any(load.open_tickets < load.capacity for load in loads)


async def waiting_tickets(*, limit: int = 20) -> list[Ticket]:
    """Return unassigned open tickets in the order the queue hands them out."""
    return (
        await Ticket.filter(status__in=list(OPEN_STATUSES), assignee_id=None)
        .order_by(*QUEUE_ORDER)
        .limit(limit)
        .select_related("customer")
    )


async def _lock_open_ticket(ticket_id: int) -> Ticket:
    """Lock an open ticket's row for this transaction; raise if missing or resolved."""
    ticket = await Ticket.filter(id=ticket_id).select_for_update().first()
    if ticket is None:
        raise TicketNotFound(ticket_id)
    if not ticket.is_open:
        raise TicketAlreadyResolved(ticket_id)
    return ticket


async def take_ticket(*, staff: StaffMember, ticket_id: int) -> Assignment:
    """Assign a ticket to the staff member who asked; race-free against a concurrent take."""
    assignment = await _take(staff=staff, ticket_id=ticket_id)
    await audit.record(
        actor_telegram_id=staff.telegram_id, action="ticket.take", subject=f"ticket {ticket_id}"
    )
    return assignment


async def _take(*, staff: StaffMember, ticket_id: int) -> Assignment:
    async with in_transaction():
        ticket = await _lock_open_ticket(ticket_id)
        owner_id = ticket.assignee_id  # type: ignore[attr-defined]
        if owner_id == staff.id:
            return Assignment(ticket=ticket, staff=staff)
        if owner_id is not None:
            owner = await StaffMember.get(id=owner_id)
            raise AlreadyAssigned(ticket_id, owner)
        # The conditional update is what makes two simultaneous presses safe on any store.
        taken = await Ticket.filter(id=ticket_id, assignee_id=None).update(
            assignee_id=staff.id, assigned_at=clock.utcnow()
        )
        if not taken:
            await ticket.refresh_from_db()
            raise AlreadyAssigned(ticket_id, await StaffMember.get(id=ticket.assignee_id))  # type: ignore[attr-defined]
        await StaffMember.filter(id=staff.id).update(last_assigned_at=clock.utcnow())
        await ticket.refresh_from_db()
    return Assignment(ticket=ticket, staff=staff)


async def transfer_ticket(*, ticket_id: int, to_telegram_id: int, by: StaffMember) -> Assignment:
    """Hand a ticket to another active staff member."""
    target = await find_staff(telegram_id=to_telegram_id)
    if target is None:
        raise InvalidInput.of("staff.err.not_an_agent", telegram_id=to_telegram_id)
    async with in_transaction():
        ticket = await _lock_open_ticket(ticket_id)
        await check_owner(ticket=ticket, staff=by, action=TicketAction.TRANSFER)
        owner_id = ticket.assignee_id  # type: ignore[attr-defined]
        if owner_id == target.id:
            raise InvalidInput.of(
                "staff.err.ticket_already_with", ticket_id=ticket_id, owner=target.label
            )
        previous = await StaffMember.get_or_none(id=owner_id) if owner_id else None
        await _assign(ticket, target)
    await audit.record(
        actor_telegram_id=by.telegram_id,
        action="ticket.transfer",
        subject=f"ticket {ticket_id}",
        details={"from": previous.telegram_id if previous else None, "to": target.telegram_id},
    )
    return Assignment(ticket=ticket, staff=target, previous=previous)


async def release_ticket(*, ticket: Ticket) -> None:
    """Put a ticket back in the queue (its agent went away)."""
    await Ticket.filter(id=ticket.id).update(assignee_id=None, assigned_at=None)
    ticket.assignee_id = None  # type: ignore[attr-defined]
    ticket.assigned_at = None


async def _assign(ticket: Ticket, staff: StaffMember) -> None:
    now = clock.utcnow()
    ticket.assignee_id = staff.id  # type: ignore[attr-defined]
    ticket.assigned_at = now
    await ticket.save(update_fields=["assignee_id", "assigned_at"])
    staff.last_assigned_at = now
    await staff.save(update_fields=["last_assigned_at"])
    log.info("ticket #%s assigned to staff %s", ticket.id, staff.id)
