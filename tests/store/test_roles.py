"""Roles on a store: who is a manager after a start, demotion, and which tickets agents reach."""

from __future__ import annotations

import asyncio
import logging

import pytest

from crm.desk.actions import (
    add_note,
    prepare_reply,
    reopen_ticket,
    resolve_ticket,
    tag_ticket,
    ticket_history,
)
from crm.desk.routing import take_ticket, transfer_ticket
from crm.desk.staff import (
    add_agent,
    authorise,
    demote_manager,
    managers,
    promote_manager,
    sync_managers,
)
from crm.desk.tickets import log_customer_message
from crm.errors import InvalidInput, LastManager, NotAuthorised
from crm.models import (
    AgentScope,
    AuditEntry,
    Direction,
    ManagerSource,
    Message,
    Role,
    StaffMember,
    Ticket,
    TicketStatus,
)
from tests.factories import inbound, make_profile

pytestmark = pytest.mark.usefixtures("store")

OWNER, DEPUTY = 900, 901  # ids the operator lists in CRM_MANAGER_IDS
ANNA, BORIS = 11, 12


async def _agent(telegram_id: int) -> StaffMember:
    member, _ = await add_agent(telegram_id=telegram_id, name=f"A{telegram_id}")
    return member


async def _ticket(user_id: int, text: str = "hello") -> Ticket:
    profile = make_profile(user_id, f"C{user_id}")
    return (await log_customer_message(profile=profile, message=inbound(profile, text))).ticket


async def _role(telegram_id: int) -> tuple[Role, bool] | None:
    member = await StaffMember.get_or_none(telegram_id=telegram_id)
    return (member.role, member.active) if member else None


# --- the setting and the store --------------------------------------------------------------


async def test_an_id_taken_out_of_the_setting_loses_the_role_at_the_next_start() -> None:
    await sync_managers(telegram_ids=[OWNER, DEPUTY])
    assert await _role(DEPUTY) == (Role.MANAGER, True)

    sync = await sync_managers(telegram_ids=[OWNER])

    assert [d.member.telegram_id for d in sync.demoted] == [DEPUTY]
    assert not sync.demoted[0].still_agent  # never an agent: out of the staff
    with pytest.raises(NotAuthorised):
        await authorise(telegram_id=DEPUTY)
    assert [m.telegram_id for m in sync.managers] == [OWNER]
    entry = await AuditEntry.filter(action="staff.manager_remove").get()
    assert (entry.actor_telegram_id, entry.subject) == (None, f"user {DEPUTY}")
    assert entry.details["source"] == "setting" and entry.details["now"] == "not staff"
    # Nothing more to do at the start after.
    assert (await sync_managers(telegram_ids=[OWNER])).demoted == []


async def test_a_listed_agent_is_an_agent_again_and_keeps_their_tickets() -> None:
    anna = await _agent(ANNA)
    ticket = await _ticket(101)
    await take_ticket(staff=anna, ticket_id=ticket.id)
    await sync_managers(telegram_ids=[OWNER, ANNA])
    assert await _role(ANNA) == (Role.MANAGER, True)

    sync = await sync_managers(telegram_ids=[OWNER])

    assert sync.demoted[0].still_agent and sync.demoted[0].released == []
    assert (await authorise(telegram_id=ANNA)).role is Role.AGENT
    assert (await Ticket.get(id=ticket.id)).assignee_id == anna.id


async def test_managers_promoted_in_telegram_stay_whatever_the_setting_says() -> None:
    await sync_managers(telegram_ids=[OWNER])
    owner = await StaffMember.get(telegram_id=OWNER)
    await promote_manager(telegram_id=ANNA, by=owner)
    anna = await StaffMember.get(telegram_id=ANNA)
    assert (anna.manager_source, anna.promoted_by) == (ManagerSource.COMMAND, OWNER)

    assert (await sync_managers(telegram_ids=[OWNER])).demoted == []
    sync = await sync_managers(telegram_ids=[])  # the operator empties the setting

    assert [d.member.telegram_id for d in sync.demoted] == [OWNER]
    assert [m.telegram_id for m in sync.managers] == [ANNA]


async def test_the_setting_wins_for_its_ids_over_a_demotion_by_command() -> None:
    await sync_managers(telegram_ids=[OWNER, DEPUTY])
    owner = await StaffMember.get(telegram_id=OWNER)
    await demote_manager(telegram_id=DEPUTY, by=owner)
    assert await _role(DEPUTY) == (Role.AGENT, False)

    sync = await sync_managers(telegram_ids=[OWNER, DEPUTY])

    assert [m.telegram_id for m in sync.promoted] == [DEPUTY]
    assert (await authorise(telegram_id=DEPUTY, role=Role.MANAGER)).telegram_id == DEPUTY


async def test_a_promoted_manager_the_operator_then_lists_is_the_settings() -> None:
    await sync_managers(telegram_ids=[OWNER])
    await promote_manager(telegram_id=ANNA, by=await StaffMember.get(telegram_id=OWNER))
    await sync_managers(telegram_ids=[OWNER, ANNA])
    anna = await StaffMember.get(telegram_id=ANNA)
    assert (anna.manager_source, anna.promoted_by) == (ManagerSource.SETTING, None)

    sync = await sync_managers(telegram_ids=[OWNER])

    assert [d.member.telegram_id for d in sync.demoted] == [ANNA]


async def test_the_sync_demotes_even_the_last_manager_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    await sync_managers(telegram_ids=[OWNER])
    with caplog.at_level(logging.WARNING, logger="crm.desk.staff"):
        sync = await sync_managers(telegram_ids=[])
    assert sync.managers == [] and await managers() == []
    assert f"user {OWNER} is no longer a manager" in caplog.text
    assert "the desk has no manager: list one in CRM_MANAGER_IDS" in caplog.text


# --- demotion by command ------------------------------------------------------------------


async def test_demoting_a_manager_who_was_never_an_agent_releases_their_tickets() -> None:
    await sync_managers(telegram_ids=[OWNER, DEPUTY])
    owner, deputy = (
        await StaffMember.get(telegram_id=OWNER),
        await StaffMember.get(telegram_id=DEPUTY),
    )
    ticket = await _ticket(101)
    await take_ticket(staff=deputy, ticket_id=ticket.id)

    demotion = await demote_manager(telegram_id=DEPUTY, by=owner)

    assert not demotion.still_agent and [t.id for t in demotion.released] == [ticket.id]
    assert demotion.source is ManagerSource.SETTING and demotion.by == owner
    assert (await Ticket.get(id=ticket.id)).assignee_id is None
    entry = await AuditEntry.filter(action="staff.manager_remove").get()
    assert entry.actor_telegram_id == OWNER and entry.details["released"] == [ticket.id]


async def test_a_promoted_agent_demoted_is_an_agent_again() -> None:
    await sync_managers(telegram_ids=[OWNER])
    owner = await StaffMember.get(telegram_id=OWNER)
    await _agent(ANNA)
    await promote_manager(telegram_id=ANNA, by=owner)

    demotion = await demote_manager(telegram_id=ANNA, by=owner)

    assert demotion.still_agent and demotion.source is ManagerSource.COMMAND
    member = await authorise(telegram_id=ANNA)
    assert (member.role, member.manager_source, member.promoted_by) == (Role.AGENT, None, None)


async def test_the_last_manager_cannot_be_removed_and_nothing_changes() -> None:
    await sync_managers(telegram_ids=[OWNER])
    owner = await StaffMember.get(telegram_id=OWNER)
    with pytest.raises(LastManager, match="is the last manager"):
        await demote_manager(telegram_id=OWNER, by=owner)
    assert await _role(OWNER) == (Role.MANAGER, True)
    assert await AuditEntry.filter(action="staff.manager_remove").count() == 0


async def test_two_managers_removing_each_other_at_once_leave_one() -> None:
    for _ in range(5):  # a race: several rounds, each restored by the setting
        await sync_managers(telegram_ids=[OWNER, DEPUTY])
        owner = await StaffMember.get(telegram_id=OWNER)
        deputy = await StaffMember.get(telegram_id=DEPUTY)
        results = await asyncio.gather(
            demote_manager(telegram_id=OWNER, by=deputy),
            demote_manager(telegram_id=DEPUTY, by=owner),
            return_exceptions=True,
        )
        assert sorted(type(r).__name__ for r in results) == ["Demotion", "LastManager"]
        assert len(await managers()) == 1


async def test_bad_promotions_and_demotions_are_refused() -> None:
    await sync_managers(telegram_ids=[OWNER])
    owner = await StaffMember.get(telegram_id=OWNER)
    await _agent(ANNA)
    with pytest.raises(InvalidInput, match="is not a manager"):
        await demote_manager(telegram_id=ANNA, by=owner)
    with pytest.raises(InvalidInput, match="is not a manager"):
        await demote_manager(telegram_id=555, by=owner)
    with pytest.raises(InvalidInput, match="is already a manager"):
        await promote_manager(telegram_id=OWNER, by=owner)
    assert await AuditEntry.filter(action__startswith="staff.manager").count() == 1  # the sync


# --- which tickets an agent reaches (CRM_AGENT_SCOPE) ---------------------------------------


async def _desk() -> tuple[StaffMember, StaffMember, StaffMember, Ticket, Ticket, Ticket]:
    """Anna owns an open and a resolved ticket; one ticket waits in the queue."""
    await sync_managers(telegram_ids=[OWNER])
    boss = await StaffMember.get(telegram_id=OWNER)
    anna, boris = await _agent(ANNA), await _agent(BORIS)
    annas, closed, waiting = await _ticket(101), await _ticket(102), await _ticket(103)
    await take_ticket(staff=anna, ticket_id=annas.id)
    await take_ticket(staff=anna, ticket_id=closed.id)
    await resolve_ticket(ticket_id=closed.id, staff=anna)
    return boss, anna, boris, annas, closed, waiting


async def _state() -> list[tuple]:
    tickets = await Ticket.all().order_by("id").values_list("id", "status", "assignee_id", "topic")
    staff_messages = await Message.filter(direction__not=Direction.INBOUND).count()
    return [tickets, staff_messages]


async def test_own_scope_refuses_every_action_on_another_agents_ticket(
    caplog: pytest.LogCaptureFixture,
) -> None:
    boss, anna, boris, annas, closed, waiting = await _desk()
    own = AgentScope.OWN
    before = await _state()
    attempts = [
        add_note(ticket_id=annas.id, staff=boris, scope=own, text="peek"),
        tag_ticket(ticket_id=annas.id, staff=boris, scope=own, topic="delivery"),
        ticket_history(ticket_id=annas.id, staff=boris, scope=own),
        reopen_ticket(ticket_id=closed.id, staff=boris, scope=own),
        prepare_reply(ticket_id=annas.id, staff=boris, text="hi"),
        resolve_ticket(ticket_id=annas.id, staff=boris),
        transfer_ticket(ticket_id=annas.id, to_telegram_id=BORIS, by=boris),
    ]
    with caplog.at_level(logging.WARNING, logger="crm.desk.staff"):
        for attempt in attempts:
            with pytest.raises(NotAuthorised):
                await attempt
    assert await _state() == before
    for action in ("note", "tag", "read", "reopen", "reply", "close", "transfer"):
        assert f"refused {action} on ticket #" in caplog.text
    assert f"for user {BORIS}" in caplog.text


async def test_own_scope_leaves_agents_their_own_tickets_and_the_queue() -> None:
    boss, anna, boris, annas, closed, waiting = await _desk()
    own = AgentScope.OWN
    await add_note(ticket_id=annas.id, staff=anna, scope=own, text="mine")
    assert (await ticket_history(ticket_id=closed.id, staff=anna, scope=own)).ticket.id == closed.id
    await reopen_ticket(ticket_id=closed.id, staff=anna, scope=own)
    # A waiting ticket: readable, taggable and notable by anyone before they take it.
    await ticket_history(ticket_id=waiting.id, staff=boris, scope=own)
    await tag_ticket(ticket_id=waiting.id, staff=boris, scope=own, topic="delivery")
    await add_note(ticket_id=waiting.id, staff=boris, scope=own, text="looking")
    await take_ticket(staff=boris, ticket_id=waiting.id)
    assert (await Ticket.get(id=waiting.id)).assignee_id == boris.id


async def test_own_scope_refuses_a_resolved_ticket_nobody_owns() -> None:
    boss, anna, boris, annas, closed, waiting = await _desk()
    await resolve_ticket(ticket_id=waiting.id, staff=boris)  # unassigned, now resolved
    with pytest.raises(NotAuthorised, match="is not yours"):
        await reopen_ticket(ticket_id=waiting.id, staff=anna, scope=AgentScope.OWN)
    assert (await Ticket.get(id=waiting.id)).status is TicketStatus.RESOLVED


async def test_team_scope_lets_agents_read_note_tag_and_reopen_any_ticket() -> None:
    boss, anna, boris, annas, closed, waiting = await _desk()
    team = AgentScope.TEAM
    await add_note(ticket_id=annas.id, staff=boris, scope=team, text="fyi")
    await tag_ticket(ticket_id=annas.id, staff=boris, scope=team, topic="delivery")
    assert (await ticket_history(ticket_id=annas.id, staff=boris, scope=team)).ticket.id == (
        annas.id
    )
    await reopen_ticket(ticket_id=closed.id, staff=boris, scope=team)
    # Answering and closing stay the owner's (and managers') in either scope.
    with pytest.raises(NotAuthorised, match="is assigned to A11"):
        await prepare_reply(ticket_id=annas.id, staff=boris, text="hi")


async def test_managers_act_on_any_ticket_in_either_scope() -> None:
    boss, anna, boris, annas, closed, waiting = await _desk()
    own = AgentScope.OWN
    await add_note(ticket_id=annas.id, staff=boss, scope=own, text="manager note")
    await tag_ticket(ticket_id=annas.id, staff=boss, scope=own, topic="delivery")
    await ticket_history(ticket_id=annas.id, staff=boss, scope=own)
    await reopen_ticket(ticket_id=closed.id, staff=boss, scope=own)
    await prepare_reply(ticket_id=annas.id, staff=boss, text="manager here")
