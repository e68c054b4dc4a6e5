"""Staff texts for managing the team: agents and managers, roles, the audit log.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
    # --- managers: the team ----------------------------------------------------------------------
    "staff.usage.agent_add": (
        "/agent_add <user_id> [name] [skill ...]",
        "/agent_add <用户ID> [姓名] [技能 ...]",
    ),
    "staff.usage.agent_remove": ("/agent_remove <user_id>", "/agent_remove <用户ID>"),
    "staff.usage.manager_add": ("/manager_add <user_id>", "/manager_add <用户ID>"),
    "staff.usage.manager_remove": ("/manager_remove <user_id>", "/manager_remove <用户ID>"),
    "staff.usage.audit": ("/audit [n] (1-200)", "/audit [条数]（1-200）"),
    "staff.team.agent_added": (
        "{name} ({telegram_id}) is now an agent. Skills: {skills}. They go online with /online.",
        "{name}（{telegram_id}）已成为客服。技能：{skills}。对方发送 /online 即可上线。",
    ),
    "staff.team.agent_updated": (
        "{name} ({telegram_id}) updated. Skills: {skills}. They go online with /online.",
        "{name}（{telegram_id}）的资料已更新。技能：{skills}。对方发送 /online 即可上线。",
    ),
    "staff.team.agent_removed": (
        "{name} is no longer an agent. {released} open ticket(s) went back to the queue.",
        "{name} 已不再是客服，{released} 个未结工单已退回队列。",
    ),
    "staff.team.no_agents": (
        "No agents yet. Add one with /agent_add <user_id> [name] [skill ...]",
        "还没有客服。请用 /agent_add <用户ID> [姓名] [技能 ...] 添加。",
    ),
    "staff.team.heading": ("<b>Team</b> (online first):", "<b>团队</b>（在线的在前）："),
    "staff.team.online": ("🟢 online", "🟢 在线"),
    "staff.team.offline": ("⚪ offline", "⚪ 离线"),
    "staff.team.skills": (" · skills: {skills}", " · 技能：{skills}"),
    "staff.team.line": (
        "{state} {name} ({telegram_id}){role} · {open}/{capacity} open{skills}",
        "{state} {name}（{telegram_id}）{role} · 未结 {open}/{capacity}{skills}",
    ),
    "staff.team.manager_setting": (" · manager (CRM_MANAGER_IDS)", " · 经理（CRM_MANAGER_IDS）"),
    "staff.team.manager_promoted": (" · manager (promoted by {by})", " · 经理（由 {by} 任命）"),
    "staff.team.manager": (" · manager", " · 经理"),
    "staff.team.manager_added": (
        "{name} ({telegram_id}) is now a manager.",
        "{name}（{telegram_id}）已成为经理。",
    ),
    "staff.team.manager_removed": (
        "{name} ({telegram_id}) is no longer a manager; {now}.",
        "{name}（{telegram_id}）已不再是经理；{now}。",
    ),
    "staff.team.setting_returns": (
        " CRM_MANAGER_IDS listed them at the last start: unless the id is taken out of it,"
        " the next start makes them a manager again.",
        "上次启动时 CRM_MANAGER_IDS 中有此 ID：除非将其从中删除，"
        "否则下次启动时对方会再次成为经理。",
    ),
    "staff.team.you_promoted": (
        "You are now a manager on this desk (promoted by {by}). /help lists your commands.",
        "您已成为本服务台的经理（由 {by} 任命）。发送 /help 查看您的命令。",
    ),
    "staff.team.promoted": (
        "👤 {name} ({telegram_id}) is now a manager, promoted by {by}.",
        "👤 {name}（{telegram_id}）已由 {by} 任命为经理。",
    ),
    "staff.team.why_setting": (
        "CRM_MANAGER_IDS no longer lists them",
        "CRM_MANAGER_IDS 中已没有此 ID",
    ),
    "staff.team.yours_setting": (
        "your id is no longer in CRM_MANAGER_IDS",
        "您的 ID 已不在 CRM_MANAGER_IDS 中",
    ),
    "staff.team.removed_by": ("removed by {by}", "由 {by} 撤销"),
    "staff.team.still_agent": (
        "You are still an agent: /help lists your commands.",
        "您仍是客服：发送 /help 查看您的命令。",
    ),
    "staff.team.left_staff": ("You are no longer on its staff.", "您已不再是本服务台的工作人员。"),
    "staff.team.you_demoted": (
        "You are no longer a manager on this desk ({why}). {after}",
        "您已不再是本服务台的经理（{why}）。{after}",
    ),
    "staff.team.demoted": (
        "👤 {name} ({telegram_id}) is no longer a manager ({why}); {now}.",
        "👤 {name}（{telegram_id}）已不再是经理（{why}）；{now}。",
    ),
    "staff.team.agent_again": ("they are an agent again", "对方恢复为客服"),
    "staff.team.left": (
        "they left the staff and {released} open ticket(s) went back to the queue",
        "对方已离开团队，{released} 个未结工单已退回队列",
    ),
    "staff.audit.heading": ("<b>Audit log</b> (newest first):", "<b>审计日志</b>（最新在前）："),
    "staff.audit.empty": ("– empty –", "– 空 –"),
}
