"""Managers run the team from Telegram: add and remove agents, see the floor, promote."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from crm import audit, staff
from crm.errors import InvalidInput
from crm.models import Role, StaffMember
from handlers.auth import answer, require
from handlers.context import CRMContext
from handlers.notify import drain_and_notify
from handlers.text import esc, split_message
from handlers.unpack import NEW_PRIVATE


def register(application: Application) -> None:
    """Add the manager commands."""
    add = application.add_handler
    add(CommandHandler("agent_add", agent_add, filters=NEW_PRIVATE))
    add(CommandHandler("agent_remove", agent_remove, filters=NEW_PRIVATE))
    add(CommandHandler("agents", agents, filters=NEW_PRIVATE))
    add(CommandHandler("manager_add", manager_add, filters=NEW_PRIVATE))
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
        role = " · manager" if person.role is Role.MANAGER else ""
        skills = f" · skills: {esc(', '.join(person.skills))}" if person.skills else ""
        lines.append(
            f"{state} {esc(person.label)} ({person.telegram_id}){role} · "
            f"{load.open_tickets}/{load.capacity} open{skills}"
        )
    assert update.effective_message is not None
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


@require(Role.MANAGER)
async def manager_add(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Promote a Telegram user to manager."""
    args = context.args or []
    if len(args) != 1:
        raise InvalidInput("usage: /manager_add <user_id>")
    promoted = await staff.promote_manager(telegram_id=staff.parse_user_id(args[0]))
    await audit.record(
        actor_telegram_id=member.telegram_id,
        action="staff.manager_add",
        subject=f"user {promoted.telegram_id}",
    )
    await answer(update, f"{promoted.label} ({promoted.telegram_id}) is now a manager.")


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
