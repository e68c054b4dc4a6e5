"""Managers run the team from Telegram: add and remove agents, see the floor, promote, demote."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from crm import audit, staff
from crm.errors import InvalidInput
from crm.models import ManagerSource, Role, StaffMember
from handlers.auth import answer, require
from handlers.context import CRMContext
from handlers.notify import drain_and_notify
from handlers.text import esc, split_message
from handlers.unpack import NEW_PRIVATE

log = logging.getLogger(__name__)


def register(application: Application) -> None:
    """Add the manager commands."""
    add = application.add_handler
    add(CommandHandler("agent_add", agent_add, filters=NEW_PRIVATE))
    add(CommandHandler("agent_remove", agent_remove, filters=NEW_PRIVATE))
    add(CommandHandler("agents", agents, filters=NEW_PRIVATE))
    add(CommandHandler("manager_add", manager_add, filters=NEW_PRIVATE))
    add(CommandHandler("manager_remove", manager_remove, filters=NEW_PRIVATE))
    add(CommandHandler("audit", show_audit, filters=NEW_PRIVATE))


@require(Role.MANAGER)
async def agent_add(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Make a Telegram user an agent: /agent_add <user_id> [name] [skill ...]."""
    args = context.args or []
    if not args:
        raise InvalidInput("usage: /agent_add <user_id> [name] [skill ...]")
    telegram_id = staff.parse_user_id(args[0])
    name = args[1] if len(args) > 1 else ""
    agent, new = await staff.add_agent(telegram_id=telegram_id, name=name, skills=args[2:])
    await audit.record(
        actor_telegram_id=member.telegram_id,
        action="staff.agent_add",
        subject=f"user {telegram_id}",
        details={"name": agent.name, "skills": agent.skills},
    )
    skills = ", ".join(agent.skills) or "none"
    verb = "is now an agent" if new else "updated"
    await answer(
        update,
        f"{agent.label} ({telegram_id}) {verb}. Skills: {skills}. They go online with /online.",
    )


@require(Role.MANAGER)
async def agent_remove(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Remove an agent; their open tickets go back to the queue and are re-routed."""
    args = context.args or []
    if len(args) != 1:
        raise InvalidInput("usage: /agent_remove <user_id>")
    removed, released = await staff.remove_agent(telegram_id=staff.parse_user_id(args[0]))
    await audit.record(
        actor_telegram_id=member.telegram_id,
        action="staff.agent_remove",
        subject=f"user {removed.telegram_id}",
        details={"released": [t.id for t in released]},
    )
    await answer(
        update,
        f"{removed.label} is no longer an agent. {len(released)} open ticket(s) went back "
        "to the queue.",
    )
    await drain_and_notify(context.bot, context.bot_data.settings)


@require(Role.MANAGER)
async def agents(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List agents with online state, open ticket count and capacity."""
    loads = await staff.agent_loads(default_capacity=context.bot_data.settings.agent_capacity)
    if not loads:
        await answer(update, "No agents yet. Add one with /agent_add <user_id> [name] [skill ...]")
        return
    lines = ["<b>Team</b> (online first):"]
    for load in sorted(loads, key=lambda x: (not x.staff.online, x.staff.id)):
        person = load.staff
        state = "🟢 online" if person.online else "⚪ offline"
        role = _manager_note(person) if person.role is Role.MANAGER else ""
        skills = f" · skills: {esc(', '.join(person.skills))}" if person.skills else ""
        lines.append(
            f"{state} {esc(person.label)} ({person.telegram_id}){role} · "
            f"{load.open_tickets}/{load.capacity} open{skills}"
        )
    assert update.effective_message is not None
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


def _manager_note(person: StaffMember) -> str:
    if person.manager_source is ManagerSource.SETTING:
        return " · manager (CRM_MANAGER_IDS)"
    if person.promoted_by is not None:
        return f" · manager (promoted by {person.promoted_by})"
    return " · manager"


@require(Role.MANAGER)
async def manager_add(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Promote a Telegram user to manager; they and the other managers are told."""
    args = context.args or []
    if len(args) != 1:
        raise InvalidInput("usage: /manager_add <user_id>")
    promoted = await staff.promote_manager(telegram_id=staff.parse_user_id(args[0]), by=member)
    await answer(update, f"{promoted.label} ({promoted.telegram_id}) is now a manager.")
    await announce_promotion(context.bot, promoted, by=member)


@require(Role.MANAGER)
async def manager_remove(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Take the manager role back (never from the last manager); they and the others are told."""
    args = context.args or []
    if len(args) != 1:
        raise InvalidInput("usage: /manager_remove <user_id>")
    demotion = await staff.demote_manager(telegram_id=staff.parse_user_id(args[0]), by=member)
    person = demotion.member
    text = f"{person.label} ({person.telegram_id}) is no longer a manager; {_now(demotion)}."
    if demotion.source is ManagerSource.SETTING:
        text += (
            " CRM_MANAGER_IDS listed them at the last start: unless the id is taken out of it,"
            " the next start makes them a manager again."
        )
    await answer(update, text)
    await announce_demotion(context.bot, demotion)
    if demotion.released:
        await drain_and_notify(context.bot, context.bot_data.settings)


async def announce_promotion(bot: Bot, promoted: StaffMember, *, by: StaffMember) -> None:
    """Tell the new manager and the other managers (not the promoter) who promoted whom."""
    await _tell(
        bot,
        promoted.telegram_id,
        f"You are now a manager on this desk (promoted by {by.label}). /help lists your commands.",
    )
    await _tell_managers(
        bot,
        f"👤 {promoted.label} ({promoted.telegram_id}) is now a manager, promoted by {by.label}.",
        skip={promoted.telegram_id, by.telegram_id},
    )


async def announce_demotion(bot: Bot, demotion: staff.Demotion) -> None:
    """Tell the former manager and the remaining managers (not the remover) about it."""
    person, by = demotion.member, demotion.by
    if by is None:
        why = "CRM_MANAGER_IDS no longer lists them"
        yours = "your id is no longer in CRM_MANAGER_IDS"
    else:
        why = yours = f"removed by {by.label}"
    if by is None or by.telegram_id != person.telegram_id:
        after = (
            "You are still an agent: /help lists your commands."
            if demotion.still_agent
            else "You are no longer on its staff."
        )
        await _tell(
            bot,
            person.telegram_id,
            f"You are no longer a manager on this desk ({yours}). {after}",
        )
    await _tell_managers(
        bot,
        f"👤 {person.label} ({person.telegram_id}) is no longer a manager ({why}); "
        f"{_now(demotion)}.",
        skip={person.telegram_id, by.telegram_id if by else None},
    )


async def announce_manager_sync(bot: Bot, sync: staff.ManagerSync) -> None:
    """Tell the people the start-up sync demoted, and the managers left, what it did."""
    for demotion in sync.demoted:
        await announce_demotion(bot, demotion)


def _now(demotion: staff.Demotion) -> str:
    if demotion.still_agent:
        return "they are an agent again"
    return f"they left the staff and {len(demotion.released)} open ticket(s) went back to the queue"


async def _tell_managers(bot: Bot, text: str, *, skip: set[int | None]) -> None:
    for manager in await staff.managers():
        if manager.telegram_id not in skip:
            await _tell(bot, manager.telegram_id, text)


async def _tell(bot: Bot, chat_id: int, text: str) -> None:
    # Plain text: staff names come from Telegram profiles. The change stands if this fails.
    try:
        await bot.send_message(chat_id, text)
    except TelegramError as err:
        log.warning("could not tell user %s about a manager change: %s", chat_id, err)


@require(Role.MANAGER)
async def show_audit(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the latest privileged actions: /audit [n] (default 20)."""
    args = context.args or []
    if len(args) > 1 or (args and (not args[0].isdigit() or not 1 <= int(args[0]) <= 200)):
        raise InvalidInput("usage: /audit [n] (1-200)")
    entries = await audit.recent(limit=int(args[0]) if args else 20)
    lines = ["<b>Audit log</b> (newest first):"]
    lines += [esc(audit.describe(entry)) for entry in entries] or ["– empty –"]
    for chunk in split_message("\n".join(lines)):
        await context.bot.send_message(member.telegram_id, chunk, parse_mode=ParseMode.HTML)
