"""Staff: who may work tickets, and in which role."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count

from crm.errors import InvalidInput, NotAuthorised
from crm.models import OPEN_STATUSES, Role, StaffMember, Ticket

log = logging.getLogger(__name__)

_SKILL_RE = re.compile(r"[\w-]{1,32}")


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """A staff member with their current open ticket count and capacity."""

    staff: StaffMember
    open_tickets: int
    capacity: int


def parse_user_id(raw: str) -> int:
    """Parse a Telegram user id; raise InvalidInput otherwise."""
    text = raw.strip()
    if not re.fullmatch(r"\d{1,20}", text) or int(text) == 0:
        raise InvalidInput(f"{raw!r} is not a Telegram user id")
    return int(text)


def parse_skills(words: Iterable[str]) -> list[str]:
    """Normalise skill words: lower-case, unique, sorted."""
    skills = set()
    for word in words:
        skill = word.strip().lower()
        if not _SKILL_RE.fullmatch(skill):
            raise InvalidInput(f"{word!r} is not a skill (one word of letters, digits, - or _)")
        skills.add(skill)
    return sorted(skills)


async def sync_bootstrap_managers(*, telegram_ids: Iterable[int]) -> list[StaffMember]:
    """Make sure every configured manager id is an active manager."""
    managers = []
    for telegram_id in telegram_ids:
        member, _ = await _get_or_create(telegram_id)
        if member.role is not Role.MANAGER or not member.active:
            member.role, member.active = Role.MANAGER, True
            await member.save(update_fields=["role", "active"])
        managers.append(member)
    return managers


async def find_staff(*, telegram_id: int) -> StaffMember | None:
    """Return the active staff member with that Telegram id, if any."""
    return await StaffMember.get_or_none(telegram_id=telegram_id, active=True)


async def authorise(*, telegram_id: int, role: Role = Role.AGENT) -> StaffMember:
    """Return the sender as staff allowed to act in a role; raise NotAuthorised otherwise."""
    member = await find_staff(telegram_id=telegram_id)
    if member is None:
        raise NotAuthorised(f"user {telegram_id} is not staff")
    if role is Role.MANAGER and member.role is not Role.MANAGER:
        raise NotAuthorised(f"user {telegram_id} is not a manager")
    return member


async def add_agent(
    *, telegram_id: int, name: str = "", skills: Iterable[str] = ()
) -> tuple[StaffMember, bool]:
    """Make a Telegram user an agent (or update their name and skills); return (agent, new)."""
    member, created = await _get_or_create(telegram_id)
    was_active = member.active and not created
    member.active = True
    if name:
        member.name = name
    member.skills = parse_skills(skills) if skills else member.skills
    await member.save(update_fields=["active", "name", "skills"])
    return member, not was_active


async def remove_agent(*, telegram_id: int) -> tuple[StaffMember, list[Ticket]]:
    """Remove an agent; return them and the open tickets that went back to the queue."""
    member = await find_staff(telegram_id=telegram_id)
    if member is None:
        raise InvalidInput(f"user {telegram_id} is not an agent")
    if member.role is Role.MANAGER:
        raise InvalidInput(f"user {telegram_id} is a manager; managers are not removed here")
    member.active, member.online = False, False
    await member.save(update_fields=["active", "online"])
    released = await Ticket.filter(assignee_id=member.id, status__in=list(OPEN_STATUSES))
    if released:
        await Ticket.filter(id__in=[t.id for t in released]).update(
            assignee_id=None, assigned_at=None
        )
    return member, released


async def promote_manager(*, telegram_id: int) -> StaffMember:
    """Make a Telegram user a manager."""
    member, _ = await _get_or_create(telegram_id)
    member.role, member.active = Role.MANAGER, True
    await member.save(update_fields=["role", "active"])
    return member


async def refresh_name(*, member: StaffMember, name: str) -> StaffMember:
    """Keep a staff member's name as their messenger gives it; write only when it changed."""
    name = name.strip()[:255]  # the column's length
    if name and member.name != name:
        member.name = name
        await member.save(update_fields=["name"])
    return member


async def set_online(*, member: StaffMember, online: bool) -> StaffMember:
    """Record a staff member's availability."""
    member.online = online
    await member.save(update_fields=["online"])
    return member


async def agent_loads(*, default_capacity: int, online_only: bool = False) -> list[AgentLoad]:
    """Return every active staff member with their open ticket count (one aggregate query)."""
    query = StaffMember.filter(active=True)
    if online_only:
        query = query.filter(online=True)
    members = await query.order_by("id")
    counts = await open_ticket_counts(staff_ids=[m.id for m in members])
    return [
        AgentLoad(
            staff=m,
            open_tickets=counts.get(m.id, 0),
            capacity=m.capacity if m.capacity is not None else default_capacity,
        )
        for m in members
    ]


async def open_ticket_counts(*, staff_ids: list[int]) -> dict[int, int]:
    """Return open ticket counts per assignee id."""
    if not staff_ids:
        return {}
    rows = (
        await Ticket.filter(assignee_id__in=staff_ids, status__in=list(OPEN_STATUSES))
        .annotate(n=Count("id"))
        .group_by("assignee_id")
        .values("assignee_id", "n")
    )
    return {row["assignee_id"]: row["n"] for row in rows}


async def managers() -> list[StaffMember]:
    """Return the active managers."""
    return await StaffMember.filter(active=True, role=Role.MANAGER).order_by("id")


async def _get_or_create(telegram_id: int) -> tuple[StaffMember, bool]:
    member = await StaffMember.get_or_none(telegram_id=telegram_id)
    if member is not None:
        return member, False
    try:
        return await StaffMember.create(telegram_id=telegram_id), True
    except IntegrityError:
        return await StaffMember.get(telegram_id=telegram_id), False
