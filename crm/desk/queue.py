"""When an agent gets room, waiting tickets move: the desk operations that free room.

Each operation closes, reopens, transfers, removes, demotes or brings someone online, then
hands out what waits in the queue, and returns both. Telegram and the `crm` CLI so apply one
rule; the handlers only tell each agent about the tickets they were handed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from crm.desk import actions, routing, sla, staff
from crm.desk.routing import Assignment
from crm.models import AgentScope, StaffMember, Ticket

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Moved(Generic[T]):
    """What an operation did, and the waiting tickets it let the desk hand out."""

    result: T
    handed_out: list[Assignment] = field(default_factory=list)


async def _hand_out(result: T, *, default_capacity: int, freed: bool = True) -> Moved[T]:
    if not freed:
        return Moved(result)
    return Moved(result, await routing.drain_queue(default_capacity=default_capacity))


async def close_ticket(*, ticket_id: int, by: StaffMember, default_capacity: int) -> Moved[Ticket]:
    """Resolve a ticket; its agent has room for a waiting one now."""
    ticket = await actions.resolve_ticket(ticket_id=ticket_id, staff=by)
    return await _hand_out(ticket, default_capacity=default_capacity)


async def reopen_ticket(
    *, ticket_id: int, by: StaffMember, scope: AgentScope, default_capacity: int
) -> Moved[Ticket]:
    """Reopen a resolved ticket; one whose agent is gone waits in the queue, so hand it out."""
    ticket = await actions.reopen_ticket(ticket_id=ticket_id, staff=by, scope=scope)
    return await _hand_out(ticket, default_capacity=default_capacity, freed=ticket.assignee is None)


async def come_online(*, member: StaffMember, default_capacity: int) -> Moved[StaffMember]:
    """Mark a staff member available; waiting tickets may go to them at once."""
    member = await staff.set_online(member=member, online=True)
    return await _hand_out(member, default_capacity=default_capacity)


async def transfer_ticket(
    *, ticket_id: int, to_telegram_id: int, by: StaffMember, default_capacity: int
) -> Moved[Assignment]:
    """Hand a ticket to another staff member; its previous agent has room again."""
    assignment = await routing.transfer_ticket(
        ticket_id=ticket_id, to_telegram_id=to_telegram_id, by=by
    )
    return await _hand_out(assignment, default_capacity=default_capacity)


async def remove_agent(
    *, telegram_id: int, by: StaffMember | None, default_capacity: int
) -> Moved[tuple[StaffMember, list[Ticket]]]:
    """Remove an agent; the open tickets they held go to whoever has room."""
    removed = await staff.remove_agent(telegram_id=telegram_id, by=by)
    return await _hand_out(removed, default_capacity=default_capacity)


async def demote_manager(
    *, telegram_id: int, by: StaffMember | None, default_capacity: int
) -> Moved[staff.Demotion]:
    """Take the manager role back; tickets of one who left the staff go to whoever has room."""
    demotion = await staff.demote_manager(telegram_id=telegram_id, by=by)
    freed = bool(demotion.released)
    return await _hand_out(demotion, default_capacity=default_capacity, freed=freed)


async def sync_managers(
    *, telegram_ids: Iterable[int], default_capacity: int
) -> Moved[staff.ManagerSync]:
    """Sync the managers with the setting at start-up; hand out what demotions released."""
    sync = await staff.sync_managers(telegram_ids=telegram_ids)
    freed = any(demotion.released for demotion in sync.demoted)
    return await _hand_out(sync, default_capacity=default_capacity, freed=freed)


async def reroute_late_tickets(*, default_capacity: int) -> Moved[list[Ticket]]:
    """Take breached tickets from offline agents and hand them to someone online."""
    late = await sla.release_late_from_offline_agents()
    return await _hand_out(late, default_capacity=default_capacity, freed=bool(late))
