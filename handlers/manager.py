"""Managers run the team from Telegram: add and remove agents, see the floor, promote, demote."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from crm import audit
from crm.desk import queue, staff
from crm.i18n import Phrase, t
from crm.models import ManagerSource, Role, StaffMember
from handlers.args import expect, refuse_usage
from handlers.auth import answer, require
from handlers.context import CRMContext
from handlers.menu import publish_staff_menu, withdraw_staff_menu
from handlers.notify import tell_handed_out
from handlers.text import esc, split_message
from handlers.unpack import NEW_PRIVATE
from handlers.views import team as views

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
    args = expect(context, "agent_add", at_least=1)
    telegram_id = staff.parse_user_id(args[0])
    name = args[1] if len(args) > 1 else ""
    agent, new = await staff.add_agent(
        telegram_id=telegram_id, name=name, skills=args[2:], by=member
    )
    lang = member.text_language
    skills = ", ".join(agent.skills) or t("staff.none", lang)
    key = "staff.team.agent_added" if new else "staff.team.agent_updated"
    await answer(update, t(key, lang, name=agent.label, telegram_id=telegram_id, skills=skills))
    await publish_staff_menu(context.bot, agent)


@require(Role.MANAGER)
async def agent_remove(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Remove an agent; their open tickets go back to the queue and are re-routed."""
    args = expect(context, "agent_remove", counts={1})
    capacity = context.bot_data.settings.agent_capacity
    moved = await queue.remove_agent(
        telegram_id=staff.parse_user_id(args[0]), by=member, default_capacity=capacity
    )
    removed, released = moved.result
    text = t(
        "staff.team.agent_removed", member.text_language, name=removed.label, released=len(released)
    )
    await answer(update, text)
    await withdraw_staff_menu(context.bot, removed.telegram_id)
    await tell_handed_out(context.bot, moved.handed_out)


@require(Role.MANAGER)
async def agents(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List agents with online state, open ticket count and capacity."""
    loads = await staff.agent_loads(default_capacity=context.bot_data.settings.agent_capacity)
    lang = member.text_language
    if not loads:
        await answer(update, t("staff.team.no_agents", lang))
        return
    assert update.effective_message is not None
    text = views.team(loads, lang=lang)
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


@require(Role.MANAGER)
async def manager_add(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Promote a Telegram user to manager; they and the other managers are told."""
    args = expect(context, "manager_add", counts={1})
    promoted = await staff.promote_manager(telegram_id=staff.parse_user_id(args[0]), by=member)
    text = t(
        "staff.team.manager_added",
        member.text_language,
        name=promoted.label,
        telegram_id=promoted.telegram_id,
    )
    await answer(update, text)
    await announce_promotion(context.bot, promoted, by=member)
    await publish_staff_menu(context.bot, promoted)


@require(Role.MANAGER)
async def manager_remove(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Take the manager role back (never from the last manager); they and the others are told."""
    args = expect(context, "manager_remove", counts={1})
    capacity = context.bot_data.settings.agent_capacity
    moved = await queue.demote_manager(
        telegram_id=staff.parse_user_id(args[0]), by=member, default_capacity=capacity
    )
    demotion = moved.result
    person, lang = demotion.member, member.text_language
    text = t(
        "staff.team.manager_removed",
        lang,
        name=person.label,
        telegram_id=person.telegram_id,
        now=_now(demotion),
    )
    if demotion.source is ManagerSource.SETTING:
        text += t("staff.team.setting_returns", lang)
    await answer(update, text)
    await announce_demotion(context.bot, demotion)
    await tell_handed_out(context.bot, moved.handed_out)


async def announce_promotion(bot: Bot, promoted: StaffMember, *, by: StaffMember) -> None:
    """Tell the new manager and the other managers (not the promoter) who promoted whom."""
    await _tell(bot, promoted, Phrase("staff.team.you_promoted", by=by.label))
    await _tell_managers(
        bot,
        Phrase(
            "staff.team.promoted",
            name=promoted.label,
            telegram_id=promoted.telegram_id,
            by=by.label,
        ),
        skip={promoted.telegram_id, by.telegram_id},
    )


async def announce_demotion(bot: Bot, demotion: staff.Demotion) -> None:
    """Tell the former manager and the remaining managers (not the remover) about it."""
    person, by = demotion.member, demotion.by
    if by is None:
        why = Phrase("staff.team.why_setting")
        yours = Phrase("staff.team.yours_setting")
    else:
        why = yours = Phrase("staff.team.removed_by", by=by.label)
    if by is None or by.telegram_id != person.telegram_id:
        after = Phrase(
            "staff.team.still_agent" if demotion.still_agent else "staff.team.left_staff"
        )
        await _tell(bot, person, Phrase("staff.team.you_demoted", why=yours, after=after))
    await _tell_managers(
        bot,
        Phrase(
            "staff.team.demoted",
            name=person.label,
            telegram_id=person.telegram_id,
            why=why,
            now=_now(demotion),
        ),
        skip={person.telegram_id, by.telegram_id if by else None},
    )
    if demotion.still_agent:
        await publish_staff_menu(bot, person)
    else:
        await withdraw_staff_menu(bot, person.telegram_id)


async def announce_manager_sync(bot: Bot, sync: staff.ManagerSync) -> None:
    """Tell the people the start-up sync demoted, and the managers left, what it did."""
    for demotion in sync.demoted:
        await announce_demotion(bot, demotion)


def _now(demotion: staff.Demotion) -> Phrase:
    if demotion.still_agent:
        return Phrase("staff.team.agent_again")
    return Phrase("staff.team.left", released=len(demotion.released))


async def _tell_managers(bot: Bot, text: Phrase, *, skip: set[int | None]) -> None:
    for manager in await staff.managers():
        if manager.telegram_id not in skip:
            await _tell(bot, manager, text)


async def _tell(bot: Bot, person: StaffMember, text: Phrase) -> None:
    # Plain text: staff names come from Telegram profiles. The change stands if this fails.
    try:
        await bot.send_message(person.telegram_id, text.render(person.text_language))
    except TelegramError as err:
        log.warning("could not tell user %s about a manager change: %s", person.telegram_id, err)


@require(Role.MANAGER)
async def show_audit(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the latest privileged actions: /audit [n] (default 20)."""
    args = expect(context, "audit", counts={0, 1})
    if args and (not args[0].isdigit() or not 1 <= int(args[0]) <= 200):
        raise refuse_usage("audit")
    entries = await audit.recent(limit=int(args[0]) if args else 20)
    lang = member.text_language
    lines = [t("staff.audit.heading", lang)]
    lines += [esc(audit.describe(entry)) for entry in entries] or [t("staff.audit.empty", lang)]
    for chunk in split_message("\n".join(lines)):
        await context.bot.send_message(member.telegram_id, chunk, parse_mode=ParseMode.HTML)
