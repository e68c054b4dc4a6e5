"""Staff texts for refusals and errors: who may do what, the desk's and the domain's refusals.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
    # --- who may do what; errors -------------------------------------------------------------
    "staff.refused_agent": (
        "Sorry, this command is for the support team only.",
        "抱歉，此命令仅供客服团队使用。",
    ),
    "staff.refused_manager": (
        "Sorry, this command is for managers only.",
        "抱歉，此命令仅供经理使用。",
    ),
    "staff.err.ticket_not_found": (
        "Ticket #{ticket_id} does not exist.",
        "工单 #{ticket_id} 不存在。",
    ),
    "staff.err.ticket_closed": (
        "Ticket #{ticket_id} is closed. Use /reopen {ticket_id} first if needed.",
        "工单 #{ticket_id} 已关闭。如有需要，请先用 /reopen {ticket_id} 重新打开。",
    ),
    "staff.err.already_assigned": (
        "Ticket #{ticket_id} is already with {owner}.",
        "工单 #{ticket_id} 已由 {owner} 负责。",
    ),
    "staff.err.not_allowed": ("Not allowed: {reason}.", "不允许：{reason}。"),
    "staff.err.sentence": ("{text}.", "{text}。"),
    "staff.err.failed": ("That did not work: {reason}", "操作未成功：{reason}"),
    "staff.err.usage": ("usage: {usage}", "用法：{usage}"),
    "staff.err.with_usage": ("{error}. Usage: {usage}", "{error}。用法：{usage}"),
    "staff.err.not_ticket_number": ("{raw!r} is not a ticket number", "{raw!r} 不是工单编号"),
    "staff.apology": (
        "Sorry, something went wrong handling that on our side; the details are in the bot's "
        "log. What the bot already confirmed to you stands: check (e.g. /ticket <id>) before "
        "repeating it.",
        "抱歉，处理时我们这边出了问题，详情已记录在机器人日志中。机器人已向您确认过的操作依然有效："
        "重复操作前请先核实（例如用 /ticket <工单号>）。",
    ),
    "staff.button_invalid": ("This button is no longer valid.", "此按钮已失效。"),
    # --- the domain's refusals: staff, routing, the desk ------------------------------------------
    "staff.err.not_a_user_id": (
        "{raw!r} is not a Telegram user id",
        "{raw!r} 不是 Telegram 用户 ID",
    ),
    "staff.err.not_a_skill": (
        "{word!r} is not a skill (one word of letters, digits, - or _)",
        "{word!r} 不是有效的技能（只能是由字母、数字、- 或 _ 组成的一个词）",
    ),
    "staff.err.last_manager": (
        "{name} ({telegram_id}) is the last manager; promote another manager first",
        "{name}（{telegram_id}）是最后一位经理；请先任命另一位经理",
    ),
    "staff.err.assigned_to": (
        "ticket #{ticket_id} is assigned to {owner}",
        "工单 #{ticket_id} 由 {owner} 负责",
    ),
    "staff.err.someone_else": ("someone else", "其他人"),
    "staff.err.outside_scope": (
        "ticket #{ticket_id} is not yours; on this desk agents see and act on their own "
        "tickets and waiting ones only",
        "工单 #{ticket_id} 不是您的；在本服务台，客服只能查看和处理自己的工单以及等待中的工单",
    ),
    "staff.err.not_an_agent": ("user {telegram_id} is not an agent", "用户 {telegram_id} 不是客服"),
    "staff.err.manager_not_removed": (
        "user {telegram_id} is a manager; managers are not removed here",
        "用户 {telegram_id} 是经理；经理不能在这里移除",
    ),
    "staff.err.already_manager": (
        "{name} ({telegram_id}) is already a manager",
        "{name}（{telegram_id}）已经是经理",
    ),
    "staff.err.not_a_manager": (
        "user {telegram_id} is not a manager",
        "用户 {telegram_id} 不是经理",
    ),
    "staff.err.ticket_already_with": (
        "ticket #{ticket_id} is already with {owner}",
        "工单 #{ticket_id} 已由 {owner} 负责",
    ),
    "staff.err.reply_empty": ("the reply is empty", "回复内容为空"),
    "staff.err.no_chat": (
        "{name} has no Telegram chat with us",
        "{name} 没有与我们的 Telegram 对话",
    ),
    "staff.err.note_empty": ("the note is empty", "备注内容为空"),
    "staff.err.already_open": (
        "ticket #{ticket_id} is already open",
        "工单 #{ticket_id} 已经是打开状态",
    ),
    "staff.err.unknown_topic": (
        "unknown topic {topic!r}; topics: {topics}",
        "未知主题 {topic!r}；可选主题：{topics}",
    ),
}
