"""Staff: who may work tickets, and in which role."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from crm import audit, ids
from crm.errors import InvalidInput, LastManager, NotAuthorised
from crm.i18n import CATALOG, Phrase
from crm.models import OPEN_STATUSES, AgentScope, ManagerSource, Role, StaffMember, Ticket

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
    if raw.strip().startswith("#"):  # a ticket or record number, never a Telegram user id
        raise InvalidInput.of("staff.err.not_a_user_id", raw=raw)
    return ids.parse_id(raw, refusal="staff.err.not_a_user_id", digits=20)


def parse_skills(words: Iterable[str]) -> list[str]:
    """Normalise skill words: lower-case, unique, sorted."""
    skills = set()
    for word in words:
        skill = word.strip().lower()
        if not _SKILL_RE.fullmatch(skill):
            raise InvalidInput.of("staff.err.not_a_skill", word=word)
        skills.add(skill)
    return sorted(skills)


@dataclass(frozen=True, slots=True)
class Demotion:
    """A manager who is no longer one: an agent again, or out of the staff."""

    member: StaffMember
    source: ManagerSource | None  # how they had the role
    released: list[Ticket]  # open tickets back in the queue (they left the staff)
    by: StaffMember | None = None  # None: the start-up sync (CRM_MANAGER_IDS dropped them)

    @property
    def still_agent(self) -> bool:
        """Return whether they stay on the staff as an agent."""
        return self.member.active


@dataclass(frozen=True, slots=True)
class ManagerSync:
    """What the start-up sync with CRM_MANAGER_IDS changed, and who manages now."""

    promoted: list[StaffMember]
    demoted: list[Demotion]
    managers: list[StaffMember]


async def sync_managers(*, telegram_ids: Iterable[int]) -> ManagerSync:
    """Make the listed ids managers and demote those the setting gave the role but no longer lists.

    The setting wins for its ids (even one demoted by /manager_remove since the last start);
    managers promoted with /manager_add stay. A demotion that leaves no manager still
    happens: the operator removed the id, and only the operator can list a new one.
    """
    listed = sorted(set(telegram_ids))
    promoted = []
    for telegram_id in listed:
        member, created = await _get_or_create(telegram_id)
        if member.active and member.role is Role.MANAGER:
            if member.manager_source is not ManagerSource.SETTING:
                # Listed now, so the operator's: unlisted later, they are demoted.
                member.manager_source, member.promoted_by = ManagerSource.SETTING, None
                await member.save(update_fields=["manager_source", "promoted_by"])
            continue
        async with in_transaction():
            if not await _promote(member, created=created, source=ManagerSource.SETTING, by=None):
                continue
        log.info("user %s is a manager: listed in CRM_MANAGER_IDS", telegram_id)
        promoted.append(member)
    stale = StaffMember.filter(active=True, role=Role.MANAGER, manager_source=ManagerSource.SETTING)
    if listed:
        stale = stale.exclude(telegram_id__in=listed)
    demoted = []
    for member in await stale.order_by("id"):
        async with in_transaction():
            demotion = await _demote(member, by=None)
        if demotion is None:
            continue  # another replica starting at the same time demoted them first
        log.warning(
            "user %s is no longer a manager: CRM_MANAGER_IDS no longer lists them (%s)",
            member.telegram_id,
            "an agent again" if demotion.still_agent else "left the staff",
        )
        demoted.append(demotion)
    remaining = await managers()
    if not remaining:
        log.warning("the desk has no manager: list one in CRM_MANAGER_IDS and restart")
    return ManagerSync(promoted=promoted, demoted=demoted, managers=remaining)


async def find_staff(*, telegram_id: int) -> StaffMember | None:
    """Return the active staff member with that Telegram id, if any."""
    return await StaffMember.get_or_none(telegram_id=telegram_id, active=True)


async def member_by_id(member_id: int | None) -> StaffMember | None:
    """Return the staff member with that store id (active or not), or None for no id."""
    return None if member_id is None else await StaffMember.get_or_none(id=member_id)


async def authorise(*, telegram_id: int, role: Role = Role.AGENT) -> StaffMember:
    """Return the sender as staff allowed to act in a role; raise NotAuthorised otherwise."""
    member = await find_staff(telegram_id=telegram_id)
    if member is None:
        raise NotAuthorised(f"user {telegram_id} is not staff")
    if role is Role.MANAGER and member.role is not Role.MANAGER:
        raise NotAuthorised(f"user {telegram_id} is not a manager")
    return member


class TicketAction(StrEnum):
    """What staff do to a ticket, as the access rules (and the refusal log) name it."""

    REPLY = "reply"
    CLOSE = "close"
    TRANSFER = "transfer"
    NOTE = "note"
    TAG = "tag"
    REOPEN = "reopen"
    READ = "read"


def acts_for(staff: StaffMember, owner_id: int | None) -> bool:
    """Tell whether staff may act on what ``owner_id`` owns: a manager always, others their own."""
    return staff.role is Role.MANAGER or owner_id == staff.id


async def check_owner(*, ticket: Ticket, staff: StaffMember, action: TicketAction) -> None:
    """Refuse (and log) working another agent's ticket: replies, closing, transfers.

    A manager works any ticket; an agent their own and unassigned ones, whatever the scope.
    """
    owner_id = ticket.assignee_id  # type: ignore[attr-defined]
    if owner_id is None or acts_for(staff, owner_id):
        return
    owner = await StaffMember.get_or_none(id=owner_id)
    _log_refusal(ticket, staff, action, "not theirs")
    who = owner.label if owner else Phrase("staff.err.someone_else")
    raise NotAuthorised.of("staff.err.assigned_to", ticket_id=ticket.id, owner=who)


async def check_scope(
    *, ticket: Ticket, staff: StaffMember, scope: AgentScope, action: TicketAction
) -> None:
    """Refuse (and log) an agent's note, tag, reopening or reading beyond CRM_AGENT_SCOPE.

    With `team` (and for managers) any ticket; with `own`, an agent's own tickets and
    waiting ones (open and unassigned) only.
    """
    owner_id = ticket.assignee_id  # type: ignore[attr-defined]
    if scope is AgentScope.TEAM or acts_for(staff, owner_id):
        return
    if owner_id is None and ticket.is_open:
        return
    _log_refusal(ticket, staff, action, "outside CRM_AGENT_SCOPE=own")
    raise NotAuthorised.of("staff.err.outside_scope", ticket_id=ticket.id)


def _log_refusal(ticket: Ticket, staff: StaffMember, action: TicketAction, why: str) -> None:
    log.warning(
        "refused %s on ticket #%s for user %s: %s", action.value, ticket.id, staff.telegram_id, why
    )


async def add_agent(
    *,
    telegram_id: int,
    name: str = "",
    skills: Iterable[str] = (),
    by: StaffMember | None = None,
) -> tuple[StaffMember, bool]:
    """Make a Telegram user an agent (or update their name and skills); return (agent, new).

    Audited, as every change to the team is (by None: the CLI or the system).
    """
    member, created = await _get_or_create(telegram_id)
    was_active = member.active and not created
    member.active = True
    if name:
        member.name = name
    member.skills = parse_skills(skills) if skills else member.skills
    await member.save(update_fields=["active", "name", "skills"])
    await audit.record(
        actor_telegram_id=by.telegram_id if by is not None else None,
        action="staff.agent_add",
        subject=f"user {telegram_id}",
        details={"name": member.name, "skills": member.skills},
    )
    return member, not was_active


async def remove_agent(
    *, telegram_id: int, by: StaffMember | None = None
) -> tuple[StaffMember, list[Ticket]]:
    """Remove an agent; return them and the open tickets that went back to the queue (audited)."""
    member = await find_staff(telegram_id=telegram_id)
    if member is None:
        raise InvalidInput.of("staff.err.not_an_agent", telegram_id=telegram_id)
    if member.role is Role.MANAGER:
        raise InvalidInput.of("staff.err.manager_not_removed", telegram_id=telegram_id)
    member.active, member.online = False, False
    await member.save(update_fields=["active", "online"])
    released = await _release_open_tickets(member)
    await audit.record(
        actor_telegram_id=by.telegram_id if by is not None else None,
        action="staff.agent_remove",
        subject=f"user {member.telegram_id}",
        details={"released": [t.id for t in released]},
    )
    return member, released


async def promote_manager(*, telegram_id: int, by: StaffMember | None = None) -> StaffMember:
    """Make a Telegram user a manager (by None: the CLI or the system); audited."""
    member, created = await _get_or_create(telegram_id)
    async with in_transaction():
        if not await _promote(member, created=created, source=ManagerSource.COMMAND, by=by):
            raise InvalidInput.of(
                "staff.err.already_manager", name=member.label, telegram_id=telegram_id
            )
    return member


async def refresh_name(*, member: StaffMember, name: str) -> StaffMember:
    """Keep a staff member's name as their messenger gives it; write only when it changed."""
    return await refresh_profile(member=member, name=name, language_code=None)


async def refresh_profile(
    *, member: StaffMember, name: str, language_code: str | None
) -> StaffMember:
    """Keep a staff member's name and language code as their messenger gives them.

    An empty value keeps the stored one; nothing is written unless something changed.
    """
    name = name.strip()[:255]  # the column's length
    code = (language_code or "").strip()[:16]
    changed = []
    if name and member.name != name:
        member.name = name
        changed.append("name")
    if code and member.language_code != code:
        member.language_code = code
        changed.append("language_code")
    if changed:
        await member.save(update_fields=changed)
    return member


async def set_language(*, member: StaffMember, language: str | None) -> StaffMember:
    """Set the language a staff member chose for their texts (None: follow their messenger).

    A catalog language or a code of one (``zh``, ``zh-CN``); anything else is refused.
    """
    if language is not None:
        base = language.strip().lower().replace("_", "-").split("-", 1)[0]
        if base not in CATALOG:
            raise InvalidInput.of("staff.language.unknown", raw=language)
        language = base
    if member.language != language:
        member.language = language
        await member.save(update_fields=["language"])
    return member


async def demote_manager(*, telegram_id: int, by: StaffMember | None = None) -> Demotion:
    """Take the manager role back, never from the last manager; audited.

    They return to what they were before: an agent, or out of the staff (their open
    tickets go back to the queue).
    """
    async with in_transaction():
        # Locking every manager's row makes two managers removing each other take turns,
        # so the second sees the first's removal and the desk keeps one.
        current = (
            await StaffMember.filter(active=True, role=Role.MANAGER)
            .select_for_update()
            .order_by("id")
        )
        member = next((m for m in current if m.telegram_id == telegram_id), None)
        if member is None:
            raise InvalidInput.of("staff.err.not_a_manager", telegram_id=telegram_id)
        if len(current) == 1:
            raise LastManager(member)
        demotion = await _demote(member, by=by)
        if demotion is None:  # not under the row lock: the start-up sync of another replica
            raise InvalidInput.of("staff.err.not_a_manager", telegram_id=telegram_id)
    return demotion


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


async def active_staff() -> list[StaffMember]:
    """Return every active staff member (agents and managers), oldest first."""
    return await StaffMember.filter(active=True).order_by("id")


async def managers() -> list[StaffMember]:
    """Return the active managers."""
    return await StaffMember.filter(active=True, role=Role.MANAGER).order_by("id")


async def _promote(
    member: StaffMember, *, created: bool, source: ManagerSource, by: StaffMember | None
) -> bool:
    """Make a staff row a manager; False if they already were one by now (changes nothing)."""
    was_agent = member.active and not created
    promoted_by = by.telegram_id if by is not None else None
    # Conditional, so two replicas (or two managers) promoting at once do it, and audit it, once.
    if not await StaffMember.filter(Q(active=False) | Q(role=Role.AGENT), id=member.id).update(
        role=Role.MANAGER,
        active=True,
        manager_source=source,
        promoted_by=promoted_by,
        was_agent=was_agent,
    ):
        return False
    await member.refresh_from_db()
    await audit.record(
        actor_telegram_id=promoted_by,
        action="staff.manager_add",
        subject=f"user {member.telegram_id}",
        details={"source": source.value, "was_agent": was_agent},
    )
    return True


async def _demote(member: StaffMember, *, by: StaffMember | None) -> Demotion | None:
    """Return a manager to agent or out of the staff; None if they were no manager by now."""
    source = member.manager_source
    changes = {"role": Role.AGENT, "manager_source": None, "promoted_by": None, "was_agent": False}
    if not member.was_agent:
        changes |= {"active": False, "online": False}
    # Conditional, so two replicas starting at once demote (and report) a manager once.
    if not await StaffMember.filter(id=member.id, active=True, role=Role.MANAGER).update(**changes):
        return None
    await member.refresh_from_db()
    released = [] if member.active else await _release_open_tickets(member)
    await audit.record(
        actor_telegram_id=by.telegram_id if by is not None else None,
        action="staff.manager_remove",
        subject=f"user {member.telegram_id}",
        details={
            "source": source.value if source else None,
            "now": "agent" if member.active else "not staff",
            "released": [t.id for t in released],
        },
    )
    return Demotion(member=member, source=source, released=released, by=by)


async def _release_open_tickets(member: StaffMember) -> list[Ticket]:
    released = await Ticket.filter(assignee_id=member.id, status__in=list(OPEN_STATUSES))
    if released:
        await Ticket.filter(id__in=[t.id for t in released]).update(
            assignee_id=None, assigned_at=None
        )
    return released


async def _get_or_create(telegram_id: int) -> tuple[StaffMember, bool]:
    member = await StaffMember.get_or_none(telegram_id=telegram_id)
    if member is not None:
        return member, False
    try:
        return await StaffMember.create(telegram_id=telegram_id), True
    except IntegrityError:
        return await StaffMember.get(telegram_id=telegram_id), False
