"""Roles through the real bot: demoting managers, the start-up sync, and CRM_AGENT_SCOPE."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox import SandboxBotAPI, SandboxUser
from crm.models import (
    AgentScope,
    AuditEntry,
    Direction,
    Message,
    Role,
    StaffMember,
    Ticket,
    TicketStatus,
)
from tests.harness import MANAGER_ID, Desk, running_desk

pytestmark = pytest.mark.e2e

ANNA, BORIS, DORA = 7001, 7002, 9002


async def _team(desk: Desk) -> tuple[SandboxUser, SandboxUser, SandboxUser]:
    """Maya (manager from the setting) adds Anna (billing) and Boris; both go online."""
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    anna, boris = desk.sandbox.user(ANNA, "Anna"), desk.sandbox.user(BORIS, "Boris")
    await desk.send_text(maya, f"/agent_add {ANNA} Anna billing")
    await desk.send_text(maya, f"/agent_add {BORIS} Boris")
    await desk.send_text(anna, "/online")
    await desk.send_text(boris, "/online")
    return maya, anna, boris


def _texts(desk: Desk, user_id: int) -> list[str]:
    return [m.plain_text for m in desk.sandbox.messages_to(user_id)]


# --- promoting and demoting in Telegram -----------------------------------------------------


async def test_promotion_and_demotion_are_told_to_the_person_and_the_other_managers(
    desk: Desk,
) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(maya, f"/manager_add {BORIS}")
    promoted = await desk.send_text(maya, f"/manager_add {ANNA}")
    assert promoted.text == "Anna (7001) is now a manager."
    await desk.settle()
    assert "You are now a manager on this desk (promoted by Maya)." in _texts(desk, ANNA)[-1]
    assert _texts(desk, BORIS)[-1] == "👤 Anna (7001) is now a manager, promoted by Maya."
    team = (await desk.send_text(maya, "/agents")).plain_text
    assert "Maya (9001) · manager (CRM_MANAGER_IDS) · " in team
    assert "Anna (7001) · manager (promoted by 9001) · " in team
    maya_before = len(desk.sandbox.messages_to(MANAGER_ID))

    removed = await desk.send_text(maya, f"/manager_remove {ANNA}")

    assert removed.text == "Anna (7001) is no longer a manager; they are an agent again."
    await desk.settle()
    assert _texts(desk, ANNA)[-1] == (
        "You are no longer a manager on this desk (removed by Maya). "
        "You are still an agent: /help lists your commands."
    )
    assert _texts(desk, BORIS)[-1] == (
        "👤 Anna (7001) is no longer a manager (removed by Maya); they are an agent again."
    )
    assert len(desk.sandbox.messages_to(MANAGER_ID)) == maya_before + 1  # only her answer
    refused = await desk.send_text(anna, "/agents")
    assert refused.text == "Sorry, this command is for managers only."
    assert (await desk.send_text(anna, "/queue")).plain_text.startswith("Waiting")
    entry = await AuditEntry.filter(action="staff.manager_remove").get()
    assert (entry.actor_telegram_id, entry.subject) == (MANAGER_ID, f"user {ANNA}")


async def test_a_manager_who_was_never_an_agent_leaves_the_staff_with_their_tickets(
    desk: Desk,
) -> None:
    maya, anna, boris = await _team(desk)
    dora = desk.sandbox.user(DORA, "Dora")
    await desk.send_text(maya, f"/manager_add {DORA}")
    await desk.send_text(dora, "/online")
    await desk.send_text(anna, "/offline")
    await desk.send_text(boris, "/offline")
    await desk.send_text(desk.customer(501, "Carol"), "hello")
    ticket = await Ticket.get()
    await desk.sandbox.wait_for_message(DORA, contains=f"#{ticket.id}")
    await desk.send_text(boris, "/online")  # room elsewhere for the released ticket

    removed = await desk.send_text(maya, f"/manager_remove {DORA}")

    assert removed.text == (
        "Dora (9002) is no longer a manager; they left the staff and 1 open ticket(s) went "
        "back to the queue."
    )
    await desk.sandbox.wait_for_message(BORIS, contains=f"#{ticket.id}")
    assert (await Ticket.get(id=ticket.id).select_related("assignee")).assignee.telegram_id == (
        BORIS
    )
    assert (await desk.send_text(dora, "/queue")).text == (
        "Sorry, this command is for the support team only."
    )


async def test_the_last_manager_cannot_remove_themselves(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    reply = await desk.send_text(maya, f"/manager_remove {MANAGER_ID}")
    assert reply.text == "Maya (9001) is the last manager; promote another manager first."
    member = await StaffMember.get(telegram_id=MANAGER_ID)
    assert (member.role, member.active) == (Role.MANAGER, True)
    assert await AuditEntry.filter(action="staff.manager_remove").count() == 0


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/manager_remove", "Usage: /manager_remove <user_id>."),
        ("/manager_remove abc", "'abc' is not a Telegram user id."),
        (f"/manager_remove {ANNA}", f"User {ANNA} is not a manager."),
        (f"/manager_add {MANAGER_ID}", "Maya (9001) is already a manager."),
    ],
)
async def test_bad_manager_commands_are_explained_and_change_nothing(
    desk: Desk, command: str, expected: str
) -> None:
    maya, anna, boris = await _team(desk)
    before = [(s.telegram_id, s.role, s.active) for s in await StaffMember.all().order_by("id")]
    reply = await desk.send_text(maya, command)
    assert reply.text == expected
    after = [(s.telegram_id, s.role, s.active) for s in await StaffMember.all().order_by("id")]
    assert after == before


async def test_demoting_a_listed_manager_warns_the_setting_brings_them_back(
    sandbox: SandboxBotAPI, db_url: str
) -> None:
    async with running_desk(sandbox, db_url, manager_ids=frozenset({MANAGER_ID, DORA})) as desk:
        maya = desk.sandbox.user(MANAGER_ID, "Maya")
        reply = await desk.send_text(maya, f"/manager_remove {DORA}")
        assert reply.text.startswith("user 9002 (9002) is no longer a manager; they left")
        assert "CRM_MANAGER_IDS listed them at the last start" in reply.text
    # The setting is the operator's: it still lists Dora, so the next start restores her.
    async with running_desk(sandbox, db_url, manager_ids=frozenset({MANAGER_ID, DORA})):
        member = await StaffMember.get(telegram_id=DORA)
        assert (member.role, member.active) == (Role.MANAGER, True)


# --- the start-up sync ----------------------------------------------------------------------


async def test_an_id_taken_out_of_the_setting_is_demoted_at_the_next_start(
    sandbox: SandboxBotAPI, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_desk(sandbox, db_url, manager_ids=frozenset({MANAGER_ID, DORA})) as desk:
        maya, anna, boris = await _team(desk)
        dora = desk.sandbox.user(DORA, "Dora")
        assert "Team" in (await desk.send_text(dora, "/agents")).plain_text
        await desk.send_text(maya, f"/manager_add {ANNA}")  # promoted in Telegram

    with caplog.at_level(logging.WARNING):
        async with running_desk(sandbox, db_url, manager_ids=frozenset({MANAGER_ID})) as desk:
            told = await desk.sandbox.wait_for_message(DORA, contains="no longer a manager")
            assert told.text == (
                "You are no longer a manager on this desk (your id is no longer in "
                "CRM_MANAGER_IDS). You are no longer on its staff."
            )
            for manager in (MANAGER_ID, ANNA):
                note = await desk.sandbox.wait_for_message(manager, contains="Dora (9002)")
                assert note.text == (
                    "👤 Dora (9002) is no longer a manager (CRM_MANAGER_IDS no longer lists "
                    "them); they left the staff and 0 open ticket(s) went back to the queue."
                )
            refused = await desk.send_text(dora, "/agents")
            assert refused.text == "Sorry, this command is for managers only."
            # Anna was promoted by a manager, not by the setting: she stays one.
            assert "Team" in (await desk.send_text(anna, "/agents")).plain_text
            entry = await AuditEntry.filter(action="staff.manager_remove").get()
            assert (entry.actor_telegram_id, entry.subject) == (None, "user 9002")
    assert "user 9002 is no longer a manager: CRM_MANAGER_IDS no longer lists them" in caplog.text


# --- CRM_AGENT_SCOPE ------------------------------------------------------------------------


async def test_own_scope_keeps_agents_to_their_tickets_and_the_queue(
    sandbox: SandboxBotAPI, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_desk(sandbox, db_url, agent_scope=AgentScope.OWN) as desk:
        maya, anna, boris = await _team(desk)
        carol = desk.customer(501, "Carol")
        await desk.send_text(carol, "I was charged twice")  # billing: Anna's
        ticket = await Ticket.get()
        tid = ticket.id
        notification = await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
        to_carol = len(desk.sandbox.messages_to(carol.id))

        not_yours = (
            f"Not allowed: ticket #{tid} is not yours; on this desk agents see and act on "
            "their own tickets and waiting ones only."
        )
        annas = f"Not allowed: ticket #{tid} is assigned to Anna."
        with caplog.at_level(logging.WARNING, logger="crm.desk.staff"):
            for command, expected in [
                (f"/ticket {tid}", not_yours),
                (f"/note {tid} peek", not_yours),
                (f"/tag {tid} delivery", not_yours),
                (f"/reply {tid} hello from Boris", annas),
                (f"/close {tid}", annas),
                (f"/transfer {tid} {BORIS}", annas),
            ]:
                assert (await desk.send_text(boris, command)).text == expected, command
        await desk.settle()
        stored = await Ticket.get(id=tid).select_related("assignee")
        assert (stored.status, stored.topic, stored.assignee.telegram_id) == (
            TicketStatus.OPEN,
            "billing",
            ANNA,
        )
        assert await Message.filter(direction__not=Direction.INBOUND).count() == 0
        assert len(desk.sandbox.messages_to(carol.id)) == to_carol
        assert f"refused read on ticket #{tid} for user {BORIS}" in caplog.text
        assert f"refused close on ticket #{tid} for user {BORIS}" in caplog.text

        # A manager reaches any ticket.
        assert "I was charged twice" in (await desk.send_text(maya, f"/ticket {tid}")).plain_text

        # Handed to Boris, the ticket's buttons on Anna's old notification stop working for her.
        await desk.send_text(anna, f"/transfer {tid} {BORIS}")
        for action in ("show", "close"):
            pressed = await desk.press(anna, notification, f"tk:{action}:{tid}")
            assert pressed.show_alert and pressed.text.startswith(f"Not allowed: ticket #{tid}")
        assert (await Ticket.get(id=tid)).status is TicketStatus.OPEN
        # Boris closes it; Anna may not reopen someone else's ticket.
        await desk.send_text(boris, f"/close {tid}")
        assert (await desk.send_text(anna, f"/reopen {tid}")).text == not_yours

        # The queue is everybody's: a waiting ticket can be read and taken.
        await desk.send_text(anna, "/offline")
        await desk.send_text(boris, "/offline")
        await desk.send_text(desk.customer(502, "Dave"), "Where is my parcel?")
        waiting = await Ticket.get(customer__telegram_id=502)
        history = await desk.send_text(anna, f"/ticket {waiting.id}")
        assert "Where is my parcel?" in history.plain_text
        queue = await desk.send_text(anna, "/queue")
        taken = await desk.press(anna, queue, f"tk:take:{waiting.id}")
        assert taken.text == f"You took #{waiting.id}."
        shown = await desk.press(anna, queue, f"tk:show:{waiting.id}", strict=False)
        assert shown.text in (None, "") and not shown.show_alert


async def test_team_scope_lets_any_agent_read_and_note_but_not_answer_others_tickets(
    desk: Desk,
) -> None:
    maya, anna, boris = await _team(desk)
    await desk.send_text(desk.customer(501, "Carol"), "I was charged twice")
    ticket = await Ticket.get()
    notification = await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    assert "I was charged twice" in (await desk.send_text(boris, f"/ticket {ticket.id}")).plain_text
    assert "Note added" in (await desk.send_text(boris, f"/note {ticket.id} fyi")).text
    refused = await desk.send_text(boris, f"/reply {ticket.id} hi")
    assert refused.text == f"Not allowed: ticket #{ticket.id} is assigned to Anna."
    # Transferred away, Anna's History button still reads it (team scope).
    await desk.send_text(anna, f"/transfer {ticket.id} {BORIS}")
    pressed = await desk.press(anna, notification, f"tk:show:{ticket.id}")
    assert not pressed.show_alert
    await desk.sandbox.wait_for_message(ANNA, contains="note by Boris: fyi")
