"""The staff command menu: each staff member's own, in their language, in their private chat.

Customers share one menu per language (bot.app publishes it for all private chats). A staff
member's chat gets a menu of their own (BotCommandScopeChat), which Telegram shows instead:
their commands, described in the language of their texts. It is published at start-up and
again whenever what it shows changes (role, /language, Telegram's language), and withdrawn
when they leave the staff. The menu is a convenience, so a refusal is a warning only.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from crm.desk import staff
from crm.i18n import t
from crm.models import Role, StaffMember

log = logging.getLogger(__name__)

AGENT_COMMANDS = (
    "help",
    "queue",
    "online",
    "offline",
    "take",
    "reply",
    "note",
    "ticket",
    "close",
    "transfer",
    "deals",
    "tasks",
    "language",
)
MANAGER_COMMANDS = ("agents", "summary", "report", "campaigns", "campaign_new")


def staff_commands(member: StaffMember) -> list[BotCommand]:
    """Return the menu of a staff member's commands, described in their language."""
    names = AGENT_COMMANDS + (MANAGER_COMMANDS if member.role is Role.MANAGER else ())
    lang = member.text_language
    return [BotCommand(name, t(f"staff.menu.{name}", lang)) for name in names]


async def publish_staff_menu(bot: Bot, member: StaffMember) -> None:
    """Show a staff member their commands in their language (in their private chat)."""
    scope = BotCommandScopeChat(member.telegram_id)
    try:
        await bot.set_my_commands(staff_commands(member), scope=scope)
    except TelegramError as err:
        log.warning("staff command menu for user %s not published: %s", member.telegram_id, err)


async def withdraw_staff_menu(bot: Bot, telegram_id: int) -> None:
    """Give someone who left the staff the customers' menu back."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError as err:
        log.warning("staff command menu for user %s not withdrawn: %s", telegram_id, err)


async def publish_staff_menus(bot: Bot) -> int:
    """Publish every active staff member's menu; return how many were published."""
    members = await staff.active_staff()
    for member in members:
        await publish_staff_menu(bot, member)
    return len(members)
