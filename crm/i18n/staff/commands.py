"""Staff texts for finding one's way: /language, /help and the command menu (setMyCommands).

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
    # --- /language -----------------------------------------------------------------------------
    "staff.language.name.en": ("English", "English（英文）"),
    "staff.language.name.zh": ("中文 (Chinese)", "中文"),
    "staff.language.current_telegram": (
        "Your texts are in {name}, as your Telegram language says.",
        "您的界面语言是{name}（跟随 Telegram 的语言设置）。",
    ),
    "staff.language.current_chosen": (
        "Your texts are in {name}: you chose it with /language.",
        "您的界面语言是{name}（您用 /language 选择的）。",
    ),
    "staff.language.choices": (
        "Choose with /language en (English) or /language zh (中文); /language auto follows "
        "your Telegram language again.",
        "可用 /language en（English）或 /language zh（中文）切换；/language auto 恢复跟随 "
        "Telegram 的语言设置。",
    ),
    "staff.language.set": (
        "Done: your texts are in {name} now, whatever your Telegram language.",
        "已设置：今后您的界面语言为{name}，不再跟随 Telegram 的语言设置。",
    ),
    "staff.language.auto": (
        "Done: your texts follow your Telegram language again (now {name}).",
        "已设置：您的界面语言重新跟随 Telegram 的语言设置（当前为{name}）。",
    ),
    "staff.language.unknown": (
        "{raw!r} is not a language here: use /language en, /language zh or /language auto",
        "{raw!r} 不是可选的语言：请使用 /language en、/language zh 或 /language auto",
    ),
    # --- /help ---------------------------------------------------------------------------------
    "staff.help.hello": (
        "Hello, {name}! You are {role} on this desk.",
        "{name}，您好！您是本服务台的{role}。",
    ),
    "staff.help.agent": (
        "Support desk commands:\n"
        "/online, /offline – your availability (going online pulls waiting tickets)\n"
        "/queue – waiting tickets and your own open ones\n"
        "/take <id> – take a ticket\n"
        "/reply <id> <text> – answer the customer (or reply to a ticket message)\n"
        "/note <id> <text> – internal note, never sent to the customer\n"
        "/ticket <id> – full history and customer profile\n"
        "/close <id>, /reopen <id> – resolve or reopen\n"
        "/transfer <id> <user_id> – hand a ticket to another agent\n"
        "/tag <id> <topic> – correct the ticket's topic\n"
        "/language [en|zh|auto] – the language of your texts",
        "客服命令：\n"
        "/online、/offline – 上线或下线（上线后会自动分配等待中的工单）\n"
        "/queue – 等待中的工单和您未结的工单\n"
        "/take <工单号> – 接单\n"
        "/reply <工单号> <内容> – 回复客户（也可以直接回复工单消息）\n"
        "/note <工单号> <内容> – 内部备注，绝不会发给客户\n"
        "/ticket <工单号> – 完整记录和客户资料\n"
        "/close <工单号>、/reopen <工单号> – 关闭或重新打开工单\n"
        "/transfer <工单号> <用户ID> – 将工单转接给其他客服\n"
        "/tag <工单号> <主题> – 更正工单主题\n"
        "/language [en|zh|auto] – 设置界面语言",
    ),
    "staff.help.sales": (
        "Sales commands:\n"
        "/deal_new <customer_id> <value> <title> – open a deal\n"
        "/deal <id> – details and stage history\n"
        "/deal_stage <id> <stage> – move it (lead, contacted, qualified, proposal, won, lost)\n"
        "/deals – your open deals by stage\n"
        "/task <d12|c34> <YYYY-MM-DD> <text> – follow-up on deal 12 or customer 34\n"
        "/tasks – your follow-ups due today and overdue\n"
        "/target <user_id> <YYYY-MM> <amount> – monthly target (managers)\n"
        "/sales [months] – the sales report (managers)",
        "销售命令：\n"
        "/deal_new <客户编号> <金额> <标题> – 新建商机\n"
        "/deal <编号> – 商机详情和阶段记录\n"
        "/deal_stage <编号> <阶段> – 推进阶段（lead、contacted、qualified、proposal、won、lost）\n"
        "/deals – 您未结的商机（按阶段）\n"
        "/task <d12|c34> <YYYY-MM-DD> <内容> – 为商机 12 或客户 34 添加跟进任务\n"
        "/tasks – 今天到期和已逾期的跟进任务\n"
        "/target <用户ID> <YYYY-MM> <金额> – 月度目标（经理）\n"
        "/sales [月数] – 销售报告（经理）",
    ),
    "staff.help.manager": (
        "Manager commands:\n"
        "/agent_add <user_id> [name] [skill ...], /agent_remove <user_id>\n"
        "/agents – who is online, their load and capacity\n"
        "/manager_add <user_id>, /manager_remove <user_id> – promote, demote a manager\n"
        "/audit [n] – the log of privileged actions\n"
        "/summary, /report [days], /agent_stats [days] – the numbers, with charts\n"
        "/sales [months] – the sales report\n"
        "/segments [compute] – customer segments by value and mood, with a chart\n"
        "/associations [support] [confidence] – products bought together, with audiences\n"
        "/import (send a file), /export <what>, /merge <keep> <drop>, /link <customer> <user_id>\n"
        "/campaign_new – a message to customers: audience, text or photo, button, control group\n"
        "/campaigns, /campaign <id> – the campaigns and one campaign's report\n"
        "/campaign_send <id>, /campaign_schedule <id> <YYYY-MM-DD HH:MM>\n"
        "/campaign_pause <id>, /campaign_resume <id>, /campaign_cancel <id>",
        "经理命令：\n"
        "/agent_add <用户ID> [姓名] [技能 ...]、/agent_remove <用户ID>\n"
        "/agents – 谁在线、各自的工作量和容量\n"
        "/manager_add <用户ID>、/manager_remove <用户ID> – 任命或撤销经理\n"
        "/audit [条数] – 特权操作日志\n"
        "/summary、/report [天数]、/agent_stats [天数] – 数据统计（附图表）\n"
        "/sales [月数] – 销售报告\n"
        "/segments [compute] – 按价值和情绪划分的客户分群（附图表）\n"
        "/associations [支持度] [置信度] – 经常一起购买的商品及对应受众\n"
        "/import（发送文件）、/export <类型>、/merge <保留> <合并>、/link <客户> <用户ID>\n"
        "/campaign_new – 给客户发消息：受众、文字或图片、按钮、对照组\n"
        "/campaigns、/campaign <编号> – 营销活动列表和单个活动的报告\n"
        "/campaign_send <编号>、/campaign_schedule <编号> <YYYY-MM-DD HH:MM>\n"
        "/campaign_pause <编号>、/campaign_resume <编号>、/campaign_cancel <编号>",
    ),
    # --- the staff command menu (setMyCommands) --------------------------------------------------
    "staff.menu.help": ("your commands", "您的命令"),
    "staff.menu.queue": ("waiting tickets and yours", "等待中的工单和您的工单"),
    "staff.menu.online": ("go online: tickets come to you", "上线：开始接收工单"),
    "staff.menu.offline": ("go offline", "下线"),
    "staff.menu.take": ("take a ticket: /take <id>", "接单：/take <工单号>"),
    "staff.menu.reply": (
        "answer a customer: /reply <id> <text>",
        "回复客户：/reply <工单号> <内容>",
    ),
    "staff.menu.note": ("internal note: /note <id> <text>", "内部备注：/note <工单号> <内容>"),
    "staff.menu.ticket": ("a ticket's history: /ticket <id>", "工单记录：/ticket <工单号>"),
    "staff.menu.close": ("resolve a ticket: /close <id>", "关闭工单：/close <工单号>"),
    "staff.menu.transfer": (
        "hand a ticket on: /transfer <id> <user_id>",
        "转接工单：/transfer <工单号> <用户ID>",
    ),
    "staff.menu.deals": ("your open deals", "您未结的商机"),
    "staff.menu.tasks": ("your follow-ups due", "到期的跟进任务"),
    "staff.menu.language": ("the language of your texts", "设置界面语言"),
    "staff.menu.agents": ("the team: online, load", "团队：在线状态和工作量"),
    "staff.menu.summary": ("today's numbers", "今日数据"),
    "staff.menu.report": ("service report: /report [days]", "服务报告：/report [天数]"),
    "staff.menu.campaigns": ("the campaigns", "营销活动"),
    "staff.menu.campaign_new": ("a new campaign", "新建营销活动"),
}
