"""The staff texts (agents and managers), each key with its English and Simplified Chinese.

Kept side by side so a change to one language is seen next to the other; crm/i18n.py merges
them into its catalog. Terms, used the same way throughout: 工单 ticket, 客服 agent,
经理 manager, 队列 queue, 接单 take, 转接 transfer, 备注 note, 满意度 CSAT, 净推荐值 NPS,
响应时间 response time, 商机 deal, 跟进任务 follow-up, 营销活动 campaign, 受众 audience,
对照组 control group.
Texts sent with HTML parse mode hold their tags here; their values are escaped by the caller.
"""

from __future__ import annotations

_PAIRS: dict[str, tuple[str, str]] = {
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
    # --- names of values ---------------------------------------------------------------------
    "staff.role.agent": ("agent", "客服"),
    "staff.role.manager": ("manager", "经理"),
    "staff.kind.inquiry": ("inquiry", "咨询"),
    "staff.kind.feedback": ("feedback", "反馈"),
    "staff.kind.complaint": ("complaint", "投诉"),
    "staff.kind.rating": ("rating", "评分"),
    "staff.kind.follow_up": ("follow_up", "回访"),
    "staff.priority.low": ("low", "低"),
    "staff.priority.normal": ("normal", "普通"),
    "staff.priority.high": ("high", "高"),
    "staff.priority.urgent": ("urgent", "紧急"),
    "staff.status.open": ("open", "处理中"),
    "staff.status.pending": ("pending", "等待客户回复"),
    "staff.status.resolved": ("resolved", "已解决"),
    "staff.media.photo": ("photo", "图片"),
    "staff.media.document": ("document", "文件"),
    "staff.media.voice": ("voice", "语音"),
    "staff.media.audio": ("audio", "音频"),
    "staff.media.video": ("video", "视频"),
    "staff.media.video_note": ("video_note", "视频留言"),
    "staff.media.animation": ("animation", "动图"),
    "staff.media.sticker": ("sticker", "贴纸"),
    "staff.mood.line": (
        "{label} ({mean} over {scored} messages, {trend})",
        "{label}（{scored} 条消息平均 {mean}，{trend}）",
    ),
    "staff.mood.negative": ("negative", "负面"),
    "staff.mood.neutral": ("neutral", "中性"),
    "staff.mood.positive": ("positive", "正面"),
    "staff.mood.improving": ("improving", "好转"),
    "staff.mood.worsening": ("worsening", "恶化"),
    "staff.mood.steady": ("steady", "平稳"),
    "staff.none": ("none", "无"),
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
    # --- agents: /online, /queue, /take, /reply, /note, /close, /transfer, /tag -------------------
    "staff.usage.take": ("/take <id>", "/take <工单号>"),
    "staff.usage.reply": ("/reply <id> <text>", "/reply <工单号> <内容>"),
    "staff.usage.note": ("/note <id> <text>", "/note <工单号> <内容>"),
    "staff.usage.ticket": ("/ticket <id>", "/ticket <工单号>"),
    "staff.usage.close": ("/close <id>", "/close <工单号>"),
    "staff.usage.reopen": ("/reopen <id>", "/reopen <工单号>"),
    "staff.usage.transfer": ("/transfer <id> <user_id>", "/transfer <工单号> <用户ID>"),
    "staff.usage.tag": (
        "/tag <id> <topic>; topics: {topics}",
        "/tag <工单号> <主题>；可选主题：{topics}",
    ),
    "staff.agent.online": (
        "You are online. Waiting tickets come to you now.",
        "您已上线，等待中的工单会分配给您。",
    ),
    "staff.agent.offline": (
        "You are offline. New tickets go to others.",
        "您已下线，新工单会分配给其他客服。",
    ),
    "staff.queue.waiting": (
        "<b>Waiting</b> ({count}{more}), most urgent first, then oldest:",
        "<b>等待中</b>（{count}{more}），按紧急程度排序，其次按等待时间：",
    ),
    "staff.queue.yours": ("<b>Yours</b> ({count}):", "<b>您的工单</b>（{count}）："),
    "staff.queue.none": ("– none –", "– 无 –"),
    "staff.queue.take_button": ("✋ Take #{ticket_id}", "✋ 接单 #{ticket_id}"),
    "staff.reply.sent": (
        "✅ Sent to {name} (#{ticket_id}).",
        "✅ 已发送给 {name}（#{ticket_id}）。",
    ),
    "staff.reply.failed": (
        "⚠️ Not delivered to {name}: {error}. The reply is stored on ticket #{ticket_id}.",
        "⚠️ 未能送达 {name}：{error}。回复已保存在工单 #{ticket_id} 中。",
    ),
    "staff.reply.failed_before": (
        "⚠️ Not delivered to {name}. The reply is stored on ticket #{ticket_id}.",
        "⚠️ 未能送达 {name}。回复已保存在工单 #{ticket_id} 中。",
    ),
    "staff.reply.unknown": (
        "⚠️ The bot restarted while sending your reply on ticket #{ticket_id}: it may or may "
        "not have reached {name}. It is not sent again (Telegram cannot tell us, and a "
        "second copy is worse). Check with /ticket {ticket_id} and send it again if needed.",
        "⚠️ 发送您在工单 #{ticket_id} 上的回复时机器人重启了：{name} 可能收到了，也可能没有。"
        "回复不会自动重发（Telegram 无法告诉我们结果，重复发送更糟）。请用 /ticket {ticket_id} "
        "核实，如有需要请重新发送。",
    ),
    "staff.reply.how": (
        "To answer a customer, reply to a ticket message or use /reply <id> <text>. "
        "/help lists your commands.",
        "要答复客户，请回复工单消息，或使用 /reply <工单号> <内容>。发送 /help 查看您的命令。",
    ),
    "staff.reply.not_a_ticket": (
        "That message is not a ticket notification. Reply to a ticket message, "
        "or use /reply <id> <text>.",
        "该消息不是工单通知。请回复工单消息，或使用 /reply <工单号> <内容>。",
    ),
    "staff.note.added": (
        "📝 Note added to #{ticket_id} (not visible to the customer).",
        "📝 已为 #{ticket_id} 添加备注（客户看不到）。",
    ),
    "staff.close.done": (
        "✅ Ticket #{ticket_id} closed; the customer got the survey.",
        "✅ 工单 #{ticket_id} 已关闭，客户已收到满意度调查。",
    ),
    "staff.reopen.with": (
        "Ticket #{ticket_id} is open again (with {owner}).",
        "工单 #{ticket_id} 已重新打开（由 {owner} 负责）。",
    ),
    "staff.reopen.queued": (
        "Ticket #{ticket_id} is open again (with the queue).",
        "工单 #{ticket_id} 已重新打开（回到队列）。",
    ),
    "staff.transfer.done": (
        "Ticket #{ticket_id} is now with {name}.",
        "工单 #{ticket_id} 现由 {name} 负责。",
    ),
    "staff.tag.done": (
        "Ticket #{ticket_id} is now tagged {topic}.",
        "工单 #{ticket_id} 的主题已改为 {topic}。",
    ),
    "staff.button.took": ("You took #{ticket_id}.", "您已接手 #{ticket_id}。"),
    "staff.button.closed": ("Ticket #{ticket_id} closed.", "工单 #{ticket_id} 已关闭。"),
    # --- ticket notifications, histories, alerts -------------------------------------------------
    "staff.notify.take": ("✋ Take", "✋ 接单"),
    "staff.notify.close": ("✅ Close", "✅ 关闭"),
    "staff.notify.history": ("📜 History", "📜 记录"),
    "staff.notify.new_ticket": ("New ticket for you", "您有新工单"),
    "staff.notify.from_queue": ("Ticket from the queue for you", "从队列分配给您的工单"),
    "staff.notify.reopened": (
        "Ticket #{ticket_id} reopened by the customer",
        "客户重新打开了工单 #{ticket_id}",
    ),
    "staff.notify.you_took": ("You took ticket #{ticket_id}", "您接手了工单 #{ticket_id}"),
    "staff.notify.transferred": (
        "{name} transferred ticket #{ticket_id} to you",
        "{name} 将工单 #{ticket_id} 转接给了您",
    ),
    "staff.notify.reply_hint": (
        "Reply to this message to answer the customer.",
        "回复此消息即可答复客户。",
    ),
    "staff.history.note_by": ("📝 note by {name}", "📝 {name} 的备注"),
    "staff.history.staff": ("staff", "工作人员"),
    "staff.history.edited": (" (edited)", "（已编辑）"),
    "staff.history.not_delivered": (" ⚠️ not delivered: {error}", " ⚠️ 未送达：{error}"),
    "staff.history.may_not_have_arrived": (
        " ⚠️ may not have arrived (the bot stopped while sending it)",
        " ⚠️ 可能未送达（发送时机器人停止了运行）",
    ),
    "staff.history.sending": (" ⏳ sending", " ⏳ 发送中"),
    "staff.history.status": (
        "Status: {status} · assigned to {assignee}",
        "状态：{status} · 负责人：{assignee}",
    ),
    "staff.history.nobody": ("nobody (waiting)", "无人（等待中）"),
    "staff.history.subject": ("Subject: {subject}", "主题：{subject}"),
    "staff.history.customer": (
        "Customer: Telegram id {telegram_id} · {past} other ticket(s)",
        "客户：Telegram ID {telegram_id} · 另有 {past} 个工单",
    ),
    "staff.history.sentiment": ("Sentiment: {mood}", "情绪：{mood}"),
    "staff.history.rating": ("Rating: {score}/5{comment}", "评分：{score}/5{comment}"),
    "staff.flood.user": ("Telegram user {telegram_id}", "Telegram 用户 {telegram_id}"),
    "staff.flood.warning": (
        "{head} is flooding: {recent} messages in a minute. Further messages are stored "
        "without being answered or forwarded, and buttons change nothing{tail}",
        "{head} 正在刷屏：一分钟内发了 {recent} 条消息。之后的消息会保存，但不回复也不转发，"
        "按钮也不再起作用{tail}",
    ),
    "staff.flood.head_ticket": ("⚠️ <b>#{ticket_id}</b> {who}", "⚠️ <b>#{ticket_id}</b> {who}"),
    "staff.flood.head": ("⚠️ {who}", "⚠️ {who}"),
    "staff.low_rating.alert": (
        "⚠️ <b>Low rating {score}/5</b> on ticket #{ticket_id} from {customer}{handled_by}.\n"
        "Follow-up ticket #{follow_up_id} is open.",
        "⚠️ 工单 #{ticket_id} 收到 {customer} 的<b>低分评价 {score}/5</b>{handled_by}。\n"
        "已创建回访工单 #{follow_up_id}。",
    ),
    "staff.low_rating.by": (", handled by {name}", "，处理人：{name}"),
    "staff.flood.see_ticket": ("; see /ticket {ticket_id}.", "；详见 /ticket {ticket_id}。"),
    "staff.flood.end": (".", "。"),
    "staff.sla.breach": (
        "⏰ <b>SLA breach</b> on ticket #{ticket_id} ({kind}, {customer}): {what}. "
        "Assigned to {who}.",
        "⏰ 工单 #{ticket_id}（{kind}，{customer}）<b>超出 SLA</b>：{what}。负责人：{who}。",
    ),
    "staff.sla.nobody": ("nobody (waiting in the queue)", "无人（在队列中等待）"),
    "staff.sla.first_response": (
        "no first response after {minutes} min",
        "{minutes} 分钟内没有首次响应",
    ),
    "staff.sla.resolution": ("not resolved after {hours} h", "{hours} 小时内没有解决"),
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
    # --- sales: deals, follow-ups, targets, the report -------------------------------------------
    "staff.noun.customer": ("customer", "客户"),
    "staff.noun.deal": ("deal", "商机"),
    "staff.noun.telegram_user": ("Telegram user", "Telegram 用户"),
    "staff.noun.campaign": ("campaign", "营销活动"),
    "staff.err.not_a_number": ("{raw!r} is not a {what} number", "{raw!r} 不是有效的{what}编号"),
    "staff.err.not_a_stage": (
        "{raw!r} is not a stage; use one of {stages}",
        "{raw!r} 不是有效的阶段；请使用以下之一：{stages}",
    ),
    "staff.err.not_an_amount": (
        "{raw!r} is not an amount (e.g. 1200 or 1,200.50)",
        "{raw!r} 不是有效的金额（例如 1200 或 1,200.50）",
    ),
    "staff.err.negative": ("{raw!r} is negative", "{raw!r} 是负数"),
    "staff.err.not_a_real_date": ("{raw!r} is not a real date", "{raw!r} 不是真实存在的日期"),
    "staff.err.not_a_date": (
        "{raw!r} is not a date; write YYYY-MM-DD, today or tomorrow",
        "{raw!r} 不是日期；请写 YYYY-MM-DD、today 或 tomorrow",
    ),
    "staff.err.in_the_past": ("{day} is in the past", "{day} 已经过去了"),
    "staff.err.not_a_month": (
        "{raw!r} is not a month; write YYYY-MM, e.g. 2025-03",
        "{raw!r} 不是月份；请写 YYYY-MM，例如 2025-03",
    ),
    "staff.err.deal_or_customer": (
        "{raw!r} could be a deal or a customer: write d{number} for deal #{number} "
        "or c{number} for customer #{number}",
        "{raw!r} 可能是商机也可能是客户：商机 #{number} 请写 d{number}，"
        "客户 #{number} 请写 c{number}",
    ),
    "staff.err.not_a_target": (
        "{raw!r} is not a deal (d12) or a customer (c34)",
        "{raw!r} 既不是商机（d12）也不是客户（c34）",
    ),
    "staff.err.deal_needs_title": ("a deal needs a title", "商机需要一个标题"),
    "staff.err.customer_not_found": (
        "customer #{customer_id} not found",
        "找不到客户 #{customer_id}",
    ),
    "staff.err.deal_not_found": ("deal #{deal_id} not found", "找不到商机 #{deal_id}"),
    "staff.err.task_not_found": ("task #{task_id} not found", "找不到跟进任务 #{task_id}"),
    "staff.err.deal_not_yours": (
        "deal #{deal_id} is not yours; ask its owner or a manager",
        "商机 #{deal_id} 不是您的；请联系负责人或经理",
    ),
    "staff.err.deal_already_at": (
        "deal #{deal_id} is already at {stage}",
        "商机 #{deal_id} 已处于 {stage} 阶段",
    ),
    "staff.err.task_needs_text": (
        "a task needs a text, e.g. /task d12 2025-03-01 call back",
        "跟进任务需要内容，例如：/task d12 2025-03-01 回电话",
    ),
    "staff.err.task_not_yours": ("task #{task_id} is not yours", "跟进任务 #{task_id} 不是您的"),
    "staff.err.task_done": ("task #{task_id} is already done", "跟进任务 #{task_id} 已经完成"),
    "staff.err.not_on_team": (
        "user {telegram_id} is not on the team",
        "用户 {telegram_id} 不是团队成员",
    ),
    "staff.err.months": (
        "{raw!r} is not a number of months from 1 to {most}",
        "{raw!r} 不是 1 到 {most} 之间的月数",
    ),
    "staff.err.months_range": ("months must be from 1 to {most}", "月数必须在 1 到 {most} 之间"),
    "staff.usage.deal_new": (
        "/deal_new <customer_id> <value> <title>, e.g. /deal_new 34 1200 Annual plan",
        "/deal_new <客户编号> <金额> <标题>，例如：/deal_new 34 1200 年度套餐",
    ),
    "staff.usage.deal": ("/deal <id>", "/deal <编号>"),
    "staff.usage.deal_stage": (
        "/deal_stage <id> <stage>; stages: {stages}",
        "/deal_stage <编号> <阶段>；可选阶段：{stages}",
    ),
    "staff.usage.task": (
        "/task <d12|c34> <YYYY-MM-DD|today|tomorrow> <text> (d12 = deal #12, c34 = customer #34)",
        "/task <d12|c34> <YYYY-MM-DD|today|tomorrow> <内容>（d12 = 商机 #12，c34 = 客户 #34）",
    ),
    "staff.usage.target": (
        "/target <user_id> <YYYY-MM> <amount>, e.g. /target 7001 2025-03 10000",
        "/target <用户ID> <YYYY-MM> <金额>，例如：/target 7001 2025-03 10000",
    ),
    "staff.usage.sales": ("/sales [months]", "/sales [月数]"),
    "staff.deal.opened": (
        "Deal #{deal_id} opened for {customer}: {title} · {value} · {stage}. "
        "Move it with /deal_stage {deal_id} <stage>.",
        "已为 {customer} 新建商机 #{deal_id}：{title} · {value} · {stage}。"
        "可用 /deal_stage {deal_id} <阶段> 推进。",
    ),
    "staff.deal.heading": ("<b>Deal #{deal_id}</b> · {title}", "<b>商机 #{deal_id}</b> · {title}"),
    "staff.deal.customer": ("Customer: #{customer_id} {name}", "客户：#{customer_id} {name}"),
    "staff.deal.value": (
        "Value: {value} · stage: <b>{stage}</b> · owner: {owner}",
        "金额：{value} · 阶段：<b>{stage}</b> · 负责人：{owner}",
    ),
    "staff.deal.nobody": ("nobody", "无"),
    "staff.deal.closed_at": ("Closed: {when}", "结束时间：{when}"),
    "staff.deal.history": ("<b>History</b>", "<b>阶段记录</b>"),
    "staff.deal.opened_at": ("opened at ", "创建于 "),
    "staff.deal.by": (" by {name}", "（{name}）"),
    "staff.deal.moved": (
        "Deal #{deal_id}: {before} → {after}.",
        "商机 #{deal_id}：{before} → {after}。",
    ),
    "staff.deal.closed": (" The deal is closed.", "商机已结束。"),
    "staff.deals.none": (
        "You have no open deals. Open one with /deal_new.",
        "您没有未结的商机。可用 /deal_new 新建。",
    ),
    "staff.deals.stage": (
        "<b>{stage}</b> · {count} deal(s) · {total}",
        "<b>{stage}</b> · {count} 个商机 · {total}",
    ),
    "staff.deals.total": ("\nOpen pipeline: {total}", "\n未结商机总额：{total}"),
    "staff.task.added": (
        "Task #{task_id} on {target} due {due}: {text}",
        "已添加跟进任务 #{task_id}（{target}），截止 {due}：{text}",
    ),
    "staff.task.today": ("today", "今天到期"),
    "staff.task.overdue": ("{days} day(s) overdue", "逾期 {days} 天"),
    "staff.task.done_button": ("✅ Done #{task_id}", "✅ 完成 #{task_id}"),
    "staff.task.none": ("No follow-ups due today or overdue.", "没有今天到期或已逾期的跟进任务。"),
    "staff.task.yours": ("<b>Your follow-ups</b> ({count}):", "<b>您的跟进任务</b>（{count}）："),
    "staff.task.morning": (
        "<b>Good morning!</b> Follow-ups due ({count}):",
        "<b>早上好！</b>到期的跟进任务（{count}）：",
    ),
    "staff.task.done": ("Task #{task_id} done.", "跟进任务 #{task_id} 已完成。"),
    "staff.target.set": (
        "Target for {name} in {month}: {amount}.",
        "{name} 在 {month} 的目标：{amount}。",
    ),
    "staff.sales.heading": (
        "<b>Sales report</b> {start} – {end} ({months} month(s))",
        "<b>销售报告</b> {start} – {end}（{months} 个月）",
    ),
    "staff.sales.funnel": ("Funnel (deals created in the window)", "销售漏斗（期间内新建的商机）"),
    "staff.sales.of_previous": (" · {rate} of previous", " · 上一阶段的 {rate}"),
    "staff.sales.lost": ("lost: {count}", "lost：{count}"),
    "staff.sales.tasks": ("Follow-ups due in the window", "期间内到期的跟进任务"),
    "staff.sales.tasks_line": ("{owner}: {done}/{due} done", "{owner}：已完成 {done}/{due}"),
    "staff.sales.tasks_overdue": (" · {count} overdue", " · 逾期 {count}"),
    "staff.sales.no_tasks": ("no follow-ups due", "没有到期的跟进任务"),
    "staff.sales.stage_days": ("Average days in stage", "各阶段平均停留天数"),
    "staff.sales.stage_days_line": (
        "{stage}: {days} days ({moves} moves)",
        "{stage}：{days} 天（{moves} 次推进）",
    ),
    "staff.sales.no_moves": ("no deal has moved on yet", "还没有商机推进过阶段"),
    "staff.sales.targets": ("Won value by owner against target", "各负责人赢单金额与目标"),
    "staff.sales.of_target": (" of {target} ({percent})", "，目标 {target}（{percent}）"),
    "staff.sales.no_target": (" (no target)", "（未设目标）"),
    "staff.sales.no_targets": ("nothing won and no targets set", "没有赢单，也没有设定目标"),
    "staff.sales.revenue_by_month": ("Revenue by month", "每月收入"),
    "staff.sales.revenue_by_category": ("Revenue by product category", "各商品类别的收入"),
    "staff.sales.top_customers": ("Top customers by order value", "订单金额最高的客户"),
    "staff.sales.no_orders": ("no orders in the window", "期间内没有订单"),
    "staff.sales.customers_by_city": ("Customers by city", "各城市的客户"),
    "staff.sales.customers_by_region": ("Customers by region", "各地区的客户"),
    "staff.sales.value_bands": ("Customers by lifetime order value", "按累计订单金额划分的客户"),
    "staff.sales.revenue_by_source": ("Revenue by customer source", "各客户来源的收入"),
    "staff.sales.no_data": ("no data", "没有数据"),
    "staff.sales.chart.funnel": ("Funnel: deals reaching each stage", "销售漏斗：到达各阶段的商机"),
    "staff.sales.chart.tasks": ("Follow-ups: done vs due", "跟进任务：已完成与到期"),
    "staff.sales.chart.targets": ("Won value vs target", "赢单金额与目标"),
    "staff.sales.series.deals": ("deals", "商机"),
    "staff.sales.series.due": ("due", "到期"),
    "staff.sales.series.done": ("done", "已完成"),
    "staff.sales.series.days": ("days", "天数"),
    "staff.sales.series.won": ("won", "赢单"),
    "staff.sales.series.target": ("target", "目标"),
    "staff.sales.series.revenue": ("revenue", "收入"),
    "staff.chart_failed": (
        "The chart could not be delivered; the text above is complete. "
        "Send the command again for the chart.",
        "图表未能送达，上面的文字内容是完整的。如需图表，请再发送一次命令。",
    ),
    "staff.charts_failed": (
        "Some charts could not be delivered; the text above is complete. "
        "Send the command again for the charts.",
        "部分图表未能送达，上面的文字内容是完整的。如需图表，请再发送一次命令。",
    ),
    # --- numbers: /summary, /report, /agent_stats, the daily summary -----------------------------
    "staff.usage.report": ("/report [days]", "/report [天数]"),
    "staff.usage.agent_stats": ("/agent_stats [days]", "/agent_stats [天数]"),
    "staff.err.days": (
        "usage: {usage} (a number of days, 1-{most})",
        "用法：{usage}（天数，1-{most}）",
    ),
    "staff.unit.na": ("n/a", "无数据"),
    "staff.unit.s": ("{n} s", "{n} 秒"),
    "staff.unit.min": ("{n} min", "{n} 分钟"),
    "staff.unit.h": ("{n} h", "{n} 小时"),
    "staff.unit.d": ("{n} d", "{n} 天"),
    "staff.chart.daily": (
        "Tickets per day by kind, last {days} days, with CSAT",
        "最近 {days} 天每日各类工单数及满意度",
    ),
    "staff.chart.tickets_opened": ("tickets opened", "新建工单"),
    "staff.chart.day_format": ("%d %b", "%m-%d"),
    "staff.summary.today": ("Summary: today so far", "今日汇总（截至目前）"),
    "staff.summary.daily": ("Daily summary for {day}", "{day} 每日汇总"),
    "staff.summary.against": (
        "{day} ({zone}), against the daily average of the {days} days before",
        "{day}（{zone}），与此前 {days} 天的日均值相比",
    ),
    "staff.summary.line": (
        "{label}: {value} {trend} (avg {average})",
        "{label}：{value} {trend}（均值 {average}）",
    ),
    "staff.summary.opened": ("Tickets opened", "新建工单"),
    "staff.summary.resolved": ("Tickets resolved", "已解决工单"),
    "staff.summary.complaints": ("Complaints", "投诉"),
    "staff.summary.csat": ("CSAT", "满意度"),
    "staff.summary.first_response": ("First response (median)", "首次响应时间（中位数）"),
    "staff.summary.negative": ("Negative messages", "负面消息"),
    "staff.summary.sla_breaches": ("SLA breaches", "超出 SLA"),
    "staff.summary.attention": ("<b>Needs attention</b>", "<b>需要关注</b>"),
    "staff.summary.nothing_open": ("Nothing open. 🎉", "没有未结的工单。🎉"),
    "staff.attention.missed": ("missed {targets} target", "未达到{targets}目标"),
    "staff.attention.and": (" and ", "和"),
    "staff.attention.first_response": ("first response", "首次响应"),
    "staff.attention.resolution": ("resolution", "解决时间"),
    "staff.attention.priority": ("{priority} priority", "{priority}优先级"),
    "staff.attention.negative": (
        "customer sounds negative ({mood})",
        "客户情绪负面（{mood}）",
    ),
    "staff.attention.open_for": ("open {age}", "已开启 {age}"),
    "staff.attention.join": (", ", "，"),
    "staff.report.heading": ("<b>Report</b> {span}", "<b>服务报告</b> {span}"),
    "staff.report.satisfaction": ("<b>Satisfaction</b>", "<b>满意度</b>"),
    "staff.report.csat": (
        "CSAT {csat} · average {average} · {count} ratings",
        "满意度 {csat} · 平均分 {average} · 共 {count} 个评分",
    ),
    "staff.report.nps_none": ("NPS n/a (no answers)", "净推荐值 无数据（没有回答）"),
    "staff.report.nps": (
        "NPS {score} · {promoters} promoters, {passives} passives, {detractors} detractors",
        "净推荐值 {score} · 推荐者 {promoters}，中立者 {passives}，贬损者 {detractors}",
    ),
    "staff.report.tickets": ("<b>Tickets</b>", "<b>工单</b>"),
    "staff.report.opened": ("Opened {total}: {counts}", "新建 {total}：{counts}"),
    "staff.report.resolved": ("Resolved {total}: {counts}", "已解决 {total}：{counts}"),
    "staff.report.open_now": ("Open now {total}: {counts}", "当前未结 {total}：{counts}"),
    "staff.report.reopened": (
        "Reopened: {pct} ({reopened} of {resolved} resolved tickets opened in the period)",
        "重新打开：{pct}（期间内新建并已解决的 {resolved} 个工单中有 {reopened} 个）",
    ),
    "staff.report.backlog": (
        "Backlog age: median {median}, p90 {p90}, oldest {oldest}",
        "积压时长：中位数 {median}，p90 {p90}，最久 {oldest}",
    ),
    "staff.report.topics": ("Topics opened: {counts}", "新建工单主题：{counts}"),
    "staff.report.complaints": ("Complaints by topic: {counts}", "各主题投诉：{counts}"),
    "staff.report.feedback": ("Feedback by topic: {counts}", "各主题反馈：{counts}"),
    "staff.report.none": ("none", "无"),
    "staff.report.others": (", others {count}", "，其他 {count}"),
    "staff.report.response_times": ("<b>Response times</b>", "<b>响应时间</b>"),
    "staff.report.first_response": ("First response", "首次响应"),
    "staff.report.resolution": ("Resolution", "解决"),
    "staff.report.spread": (
        "{name}: median {median}, p90 {p90} ({count} tickets)",
        "{name}：中位数 {median}，p90 {p90}（{count} 个工单）",
    ),
    "staff.report.sla": ("SLA breaches: {breaches}", "超出 SLA：{breaches}"),
    "staff.report.sla.first_response": ("first response", "首次响应"),
    "staff.report.sla.resolution": ("resolution", "解决"),
    "staff.report.sentiment": ("<b>Sentiment</b>", "<b>情绪</b>"),
    "staff.report.mood": (
        "{scored} messages scored · {negative} negative · mean {mean}",
        "已评分消息 {scored} 条 · 负面 {negative} · 平均 {mean}",
    ),
    "staff.report.most_negative": ("Most negative open tickets:", "情绪最负面的未结工单："),
    "staff.report.negative_ticket": (
        "#{ticket_id} {name}: {subject} ({mean} over {messages})",
        "#{ticket_id} {name}：{subject}（{messages}平均 {mean}）",
    ),
    "staff.report.message": ("{count} message", "{count} 条消息"),
    "staff.report.messages": ("{count} messages", "{count} 条消息"),
    "staff.report.agents": ("<b>Agents</b>", "<b>客服</b>"),
    "staff.report.no_staff": ("No active staff.", "没有在职的工作人员。"),
    "staff.report.agent": (
        "{name}: {handled} resolved · first reply {first} · CSAT {csat} ({ratings})",
        "{name}：已解决 {handled} · 首次回复 {first} · 满意度 {csat}（{ratings} 个评分）",
    ),
    "staff.report.more": ("… and {count} more", "… 另有 {count} 位"),
    "staff.stats.heading": ("<b>Agents, last {days} day(s)</b>", "<b>客服统计，最近 {days} 天</b>"),
    "staff.stats.line": (
        "{name}: {handled} handled · first response {first} · CSAT {csat} ({ratings})",
        "{name}：已处理 {handled} · 首次响应 {first} · 满意度 {csat}（{ratings}）",
    ),
    "staff.stats.rating": ("1 rating", "1 个评分"),
    "staff.stats.ratings": ("{count} ratings", "{count} 个评分"),
    "staff.stats.none": ("No agents yet.", "还没有客服。"),
    "staff.weekday.0": ("Monday", "星期一"),
    "staff.weekday.1": ("Tuesday", "星期二"),
    "staff.weekday.2": ("Wednesday", "星期三"),
    "staff.weekday.3": ("Thursday", "星期四"),
    "staff.weekday.4": ("Friday", "星期五"),
    "staff.weekday.5": ("Saturday", "星期六"),
    "staff.weekday.6": ("Sunday", "星期日"),
    # --- customer segments ------------------------------------------------------------------------
    "staff.usage.segments": (
        "/segments to see the latest segments, /segments compute to recompute them now",
        "/segments 查看最新的客户分群，/segments compute 立即重新计算",
    ),
    "staff.segments.computing": ("Computing customer segments…", "正在计算客户分群…"),
    "staff.err.no_segments": (
        "no customer segments yet: /segments compute makes the first ones",
        "还没有客户分群：发送 /segments compute 生成第一批",
    ),
    "staff.err.no_segments_yet": (
        "no customer segments yet: run /segments compute (or crm segments compute) first",
        "还没有客户分群：请先运行 /segments compute（或 crm segments compute）",
    ),
    "staff.err.no_such_segment": (
        "no segment named {name!r}; the segments are: {names}",
        "没有名为 {name!r} 的分群；现有分群：{names}",
    ),
    "staff.segments.heading": (
        "Customer segments of {when} ({took} s): {customers} customer(s), {how}",
        "客户分群（{when}，耗时 {took} 秒）：{customers} 位客户，{how}",
    ),
    "staff.segments.no_clustering": ("no clustering", "未聚类"),
    "staff.segments.silhouette": (", silhouette {score}", "，轮廓系数 {score}"),
    "staff.segments.segment": (
        "{name}: {size} ({share}). {description}",
        "{name}：{size}（{share}）。{description}",
    ),
    "staff.segments.none": ("No customers yet.", "还没有客户。"),
    "staff.segments.orders": ("orders {value}", "订单 {value}"),
    "staff.segments.spent": ("spent {value}", "消费 {value}"),
    "staff.segments.recency_days": ("last order {value} d ago", "最近订单 {value} 天前"),
    "staff.segments.tickets_90d": ("tickets 90d {value}", "90 天工单 {value}"),
    "staff.segments.complaints_90d": ("complaints 90d {value}", "90 天投诉 {value}"),
    "staff.segments.sentiment": ("mood {value}", "情绪 {value}"),
    "staff.segments.rating": ("rating {value}", "评分 {value}"),
    "staff.segments.contact_days": ("last contact {value} d ago", "最近联系 {value} 天前"),
    "staff.segments.short.recency_days": ("last order (d)", "最近订单（天）"),
    "staff.segments.short.orders": ("orders", "订单"),
    "staff.segments.short.spent": ("spent", "消费"),
    "staff.segments.short.tickets_90d": ("tickets 90d", "90 天工单"),
    "staff.segments.short.complaints_90d": ("complaints 90d", "90 天投诉"),
    "staff.segments.short.sentiment": ("mood", "情绪"),
    "staff.segments.short.rating": ("rating", "评分"),
    "staff.segments.short.contact_days": ("last contact (d)", "最近联系（天）"),
    "staff.segments.chart": (
        "Customer segments, {customers} customers",
        "客户分群，共 {customers} 位客户",
    ),
    "staff.segments.chart.customers": ("customers", "客户数"),
    "staff.segments.chart.heat": (
        "mean per customer (red: higher, blue: lower than the other segments)",
        "每位客户的均值（红：高于其他分群，蓝：低于其他分群）",
    ),
    "staff.segment.unhappy": (
        "Low mood, poor ratings or many complaints: reach out before they leave.",
        "情绪低落、评分差或投诉多：在他们流失之前主动联系。",
    ),
    "staff.segment.prospects": (
        "In touch with us but have hardly bought anything yet.",
        "与我们有联系，但几乎还没买过东西。",
    ),
    "staff.segment.high_value": ("Spend the most and still buy.", "消费最多，而且仍在购买。"),
    "staff.segment.at_risk": (
        "Used to buy a lot but have not ordered for a long time: win them back.",
        "以前买得很多，但很久没有下单了：把他们争取回来。",
    ),
    "staff.segment.loyal": (
        "Order often and recently, in a good mood.",
        "经常下单、最近也下过单，情绪良好。",
    ),
    "staff.segment.dormant": (
        "Long since their last order and their last contact.",
        "距上次下单和上次联系都已很久。",
    ),
    "staff.segment.lapsed": (
        "Have not ordered for a long time but still write to us.",
        "很久没有下单，但仍会联系我们。",
    ),
    "staff.segment.needs_help": (
        "Write to support often lately, without being unhappy.",
        "最近经常联系客服，但并无不满。",
    ),
    "staff.segment.active": ("Bought recently, at ordinary levels.", "最近有购买，金额一般。"),
    "staff.segment.occasional": ("Buy now and then, and not much.", "偶尔购买，买得不多。"),
    "staff.segment.quiet": (
        "Buy at ordinary levels and seldom need us.",
        "购买量一般，很少需要我们。",
    ),
    "staff.segment.regular": (
        "Ordinary on every count: buy and write like most customers.",
        "各方面都很普通：购买和联系情况与大多数客户相同。",
    ),
    # --- data mining: /associations ---------------------------------------------------------------
    "staff.usage.associations": (
        "/associations [min_support] [min_confidence], "
        "e.g. /associations 1% 30% or /associations 0.01 0.3",
        "/associations [最小支持度] [最小置信度]，"
        "例如：/associations 1% 30% 或 /associations 0.01 0.3",
    ),
    "staff.mining.support": ("support", "支持度"),
    "staff.mining.confidence": ("confidence", "置信度"),
    "staff.err.share": (
        "{name} must be a number like 0.02 or 2%, not {raw!r}",
        "{name}必须是 0.02 或 2% 这样的数，而不是 {raw!r}",
    ),
    "staff.err.support_range": (
        "support must be above 0 and at most 1 (e.g. 0.01 or 1%), not {value!r}",
        "支持度必须大于 0 且不超过 1（例如 0.01 或 1%），而不是 {value!r}",
    ),
    "staff.err.confidence_range": (
        "confidence must be from 0 to 1 (e.g. 0.3 or 30%), not {value!r}",
        "置信度必须在 0 到 1 之间（例如 0.3 或 30%），而不是 {value!r}",
    ),
    "staff.err.rules_range": (
        "the number of rules must be from 1 to {most}, not {value}",
        "规则数量必须在 1 到 {most} 之间，而不是 {value}",
    ),
    "staff.err.min_orders": (
        "the minimum number of orders must be at least 1, not {value}",
        "最少订单数必须至少为 1，而不是 {value}",
    ),
    "staff.err.key_in_audience": (
        "product {key!r} cannot be used in an audience: '&' and a leading '!' are audience syntax",
        "商品 {key!r} 不能用于受众：'&' 和开头的 '!' 是受众语法",
    ),
    "staff.err.audience_too_long_for_rule": (
        "the audience for this rule is over {most} characters",
        "这条规则的受众超过了 {most} 个字符",
    ),
    "staff.err.name_a_product": (
        "name a product: its SKU, or the product name on the order lines",
        "请指定商品：它的 SKU，或订单明细中的商品名称",
    ),
    "staff.err.product_name_not_sku": (
        "{key!r} is a product name; products are matched by SKU: {listed}",
        "{key!r} 是商品名称；商品按 SKU 匹配：{listed}",
    ),
    "staff.err.unknown_product": (
        "unknown product {key!r}: no product has that SKU and no order line that name",
        "未知商品 {key!r}：没有商品使用这个 SKU，也没有订单明细使用这个名称",
    ),
    "staff.mining.no_orders": (
        "there are no orders with products yet: import some orders first",
        "还没有包含商品的订单：请先导入一些订单",
    ),
    "staff.mining.too_few": (
        "only {orders} order(s) with products; rules need at least {least} orders to mean anything",
        "只有 {orders} 个包含商品的订单；规则至少需要 {least} 个订单才有意义",
    ),
    "staff.mining.nothing_frequent": (
        "no two products are bought together in {count} or more orders (support {support}); "
        "try a lower min_support",
        "没有任何两种商品在 {count} 个或更多订单中被一起购买（支持度 {support}）；"
        "请尝试降低最小支持度",
    ),
    "staff.mining.no_confident_rule": (
        "no rule reaches {confidence} confidence with lift above 1; try a lower min_confidence",
        "没有规则在提升度大于 1 时达到 {confidence} 的置信度；请尝试降低最小置信度",
    ),
    "staff.mining.summary": (
        "Product associations in {orders} order(s) of {products} product(s) · "
        "support ≥ {support} · confidence ≥ {confidence}",
        "{orders} 个订单、{products} 种商品中的商品关联 · "
        "支持度 ≥ {support} · 置信度 ≥ {confidence}",
    ),
    "staff.mining.rule": (
        "{antecedents} → {consequents}  support {support} · confidence {confidence} · lift {lift}",
        "{antecedents} → {consequents}  支持度 {support} · 置信度 {confidence} · 提升度 {lift}",
    ),
    "staff.mining.no_audience": (
        "no audience: a product key contains '&' or starts with '!', or it is too long",
        "无受众：商品键包含 '&' 或以 '!' 开头，或者太长",
    ),
    "staff.mining.no_rules": ("No rules: {reason}.", "没有规则：{reason}。"),
    "staff.mining.none_found": ("none found", "未找到"),
    "staff.mining.audience": ("Audience: {audience}", "受众：{audience}"),
    "staff.mining.hint": (
        "Use an audience with /campaign_new to offer the missing product.",
        "在 /campaign_new 中使用受众，向客户推荐他们还没买的商品。",
    ),
    # --- records: /import, /export, /merge, /link -------------------------------------------
    "staff.import.usage": (
        "Send the file (CSV or XLSX) as a document with the caption /import customers, "
        "/import products or /import orders.",
        "请把文件（CSV 或 XLSX）作为文档发送，并附上说明文字 /import customers、"
        "/import products 或 /import orders。",
    ),
    "staff.err.import_what": (
        "say what the file holds in the caption: /import customers, /import products "
        "or /import orders",
        "请在说明文字中写明文件内容：/import customers、/import products 或 /import orders",
    ),
    "staff.err.import_kind": (
        "{raw!r} cannot be imported; use customers, products or orders",
        "无法导入 {raw!r}；请使用 customers、products 或 orders",
    ),
    "staff.err.import_too_big": (
        "the file is {size} MB; Telegram lets bots fetch up to 20 MB. Split it, or run "
        "`crm import` on the server",
        "文件大小为 {size} MB；Telegram 只允许机器人下载不超过 20 MB 的文件。请拆分文件，"
        "或在服务器上运行 `crm import`",
    ),
    "staff.import.done": (
        "Imported {name} ({kind}): {summary}.",
        "已导入 {name}（{kind}）：{summary}。",
    ),
    "staff.import.summary": (
        "{rows} rows: {created} created, {updated} updated ({changed} with changes), "
        "{merged} merged, {rejected} rejected",
        "{rows} 行：新建 {created}，更新 {updated}（其中 {changed} 行有改动），"
        "合并 {merged}，拒绝 {rejected}",
    ),
    "staff.import.store_merges": ("store merges {count}", "与已有记录合并 {count}"),
    "staff.import.customers_created": ("customers created {count}", "新建客户 {count}"),
    "staff.import.products_created": ("products created {count}", "新建商品 {count}"),
    "staff.import.orders_created": ("orders created {count}", "新建订单 {count}"),
    "staff.import.orders_updated": ("orders updated {count}", "更新订单 {count}"),
    "staff.import.warnings": ("{count} warning(s), e.g.:", "{count} 条警告，例如："),
    "staff.import.rejected": (
        "{count} rejected row(s) with the reason for each",
        "{count} 行被拒绝，每行都附有原因",
    ),
    "staff.usage.export": (
        "/export customers|tickets|orders|deals",
        "/export customers|tickets|orders|deals（客户、工单、订单、商机）",
    ),
    "staff.err.export_kind": (
        "{raw!r} cannot be exported; choose one of {choices}",
        "无法导出 {raw!r}；请从以下选择：{choices}",
    ),
    "staff.export.rows": ("{rows} {kind} row(s)", "{kind}：{rows} 行"),
    "staff.usage.merge": (
        "/merge <customer_to_keep> <customer_to_merge_into_it>",
        "/merge <保留的客户> <要并入的客户>",
    ),
    "staff.usage.link": (
        "/link <customer_id> <telegram_user_id>",
        "/link <客户编号> <Telegram用户ID>",
    ),
    "staff.err.merge_itself": ("a customer cannot be merged into itself", "客户不能与自己合并"),
    "staff.err.merge_two_users": (
        "customers #{keep_id} and #{drop_id} are different Telegram users "
        "({keep_user} and {drop_user}); they cannot be merged",
        "客户 #{keep_id} 和 #{drop_id} 是不同的 Telegram 用户（{keep_user} 和 {drop_user}），"
        "不能合并",
    ),
    "staff.err.already_linked_to": (
        "customer #{customer_id} is already linked to {telegram_id}",
        "客户 #{customer_id} 已经关联到 {telegram_id}",
    ),
    "staff.err.linked_elsewhere": (
        "customer #{customer_id} is linked to Telegram user {telegram_id} already",
        "客户 #{customer_id} 已经关联到 Telegram 用户 {telegram_id}",
    ),
    "staff.err.not_a_customer_number": ("{raw!r} is not a customer number", "{raw!r} 不是客户编号"),
    "staff.merge.done": (
        "Customer #{drop_id} is merged into #{keep_id} ({name}). Moved: {moved}.",
        "客户 #{drop_id} 已并入 #{keep_id}（{name}）。已转移：{moved}。",
    ),
    "staff.merge.nothing": ("nothing to move", "没有需要转移的内容"),
    "staff.link.done": (
        "Customer #{customer_id} ({name}) is now Telegram user {telegram_id}.",
        "客户 #{customer_id}（{name}）现已关联 Telegram 用户 {telegram_id}。",
    ),
    # --- campaigns: audiences, the /campaign_new dialog, sending, reports --------------------
    "staff.audience.help": (
        "an audience is a segment name (see /segments), 'all', or rules such as language:en, "
        "tag:vip, city:Berlin, complained:30, no_order:90, bought:SKU, joined with ' & ', "
        "with '!' in front to negate one (bought:A & !bought:B)",
        "受众可以是分群名称（见 /segments）、'all'，或以下规则：language:en、tag:vip、"
        "city:Berlin、complained:30、no_order:90、bought:SKU，用 ' & ' 连接，"
        "在前面加 '!' 表示取反（bought:A & !bought:B）",
    ),
    "staff.err.audience_empty": ("the audience is empty: {help}", "受众为空：{help}"),
    "staff.err.audience_too_long": (
        "the audience is too long (255 characters at most)",
        "受众太长（最多 255 个字符）",
    ),
    "staff.err.audience_unreadable": (
        "cannot read the audience {spec!r}: {help}",
        "无法识别受众 {spec!r}：{help}",
    ),
    "staff.err.audience_needs_value": (
        "{kind}: needs a value: {help}",
        "{kind}：需要一个值：{help}",
    ),
    "staff.err.audience_days": (
        "{kind}: takes a number of days 1-{most}, got {value!r}",
        "{kind}：需要 1-{most} 之间的天数，收到的是 {value!r}",
    ),
    "staff.err.audience_rule": (
        "unknown audience rule {kind!r}: {help}",
        "未知的受众规则 {kind!r}：{help}",
    ),
    "staff.err.button_label": (
        "the button needs a label, e.g. Shop now=https://example.com",
        "按钮需要文字，例如：立即选购=https://example.com",
    ),
    "staff.err.button_label_long": (
        "the button label is too long (64 characters at most)",
        "按钮文字太长（最多 64 个字符）",
    ),
    "staff.err.button_url": (
        "the button link must be an http(s):// or tg:// URL, got {url!r}",
        "按钮链接必须是 http(s):// 或 tg:// 开头的网址，收到的是 {url!r}",
    ),
    "staff.err.campaign_no_text": ("the campaign needs a message text", "营销活动需要消息内容"),
    "staff.err.campaign_text_long": (
        "the text is {length} characters: {kind} can hold {limit} "
        "with the opt-out line every campaign message ends with",
        "文字有 {length} 个字符：加上每条营销消息末尾的退订说明，{kind}最多只能容纳 {limit} 个字符",
    ),
    "staff.campaign.caption": ("a photo caption", "图片说明"),
    "staff.campaign.message": ("a message", "一条消息"),
    "staff.err.photo_big": (
        "the photo is larger than Telegram's 10 MB limit",
        "图片超过了 Telegram 的 10 MB 限制",
    ),
    "staff.err.control_range": (
        "the control group is a share of 0-{most} percent",
        "对照组比例必须在 0-{most}% 之间",
    ),
    "staff.err.audience_no_one": (
        "the audience {spec!r} has no customers: nothing to send",
        "受众 {spec!r} 中没有客户：没有可发送的对象",
    ),
    "staff.err.campaign_not_found": (
        "campaign #{campaign_id} does not exist",
        "营销活动 #{campaign_id} 不存在",
    ),
    "staff.err.campaign_status": (
        "campaign #{campaign_id} is {status}: cannot {verb} it",
        "营销活动 #{campaign_id} 的状态是{status}：无法{verb}",
    ),
    "staff.err.campaign_changed": (
        "campaign #{campaign_id} changed meanwhile: try again",
        "营销活动 #{campaign_id} 刚刚被修改了：请重试",
    ),
    "staff.err.not_a_time": (
        "{raw!r} is not a time: write YYYY-MM-DD HH:MM, e.g. 2030-03-01 10:00",
        "{raw!r} 不是时间：请写 YYYY-MM-DD HH:MM，例如 2030-03-01 10:00",
    ),
    "staff.err.time_passed": (
        "that time has passed: schedule the campaign in the future",
        "该时间已经过去：请安排在将来的时间",
    ),
    "staff.campaign.verb.send": ("send", "发送"),
    "staff.campaign.verb.schedule": ("schedule", "定时发送"),
    "staff.campaign.verb.pause": ("pause", "暂停"),
    "staff.campaign.verb.resume": ("resume", "继续"),
    "staff.campaign.verb.cancel": ("cancel", "取消"),
    "staff.campaign.status.draft": ("draft", "草稿"),
    "staff.campaign.status.scheduled": ("scheduled", "已定时"),
    "staff.campaign.status.sending": ("sending", "发送中"),
    "staff.campaign.status.paused": ("paused", "已暂停"),
    "staff.campaign.status.done": ("done", "已完成"),
    "staff.campaign.status.cancelled": ("cancelled", "已取消"),
    "staff.campaign.progress": (
        "campaign #{campaign_id} {status}: {done}/{targeted} done",
        "营销活动 #{campaign_id} {status}：已完成 {done}/{targeted}",
    ),
    "staff.campaign.sent": ("sent {count}", "已发送 {count}"),
    "staff.campaign.failed": ("failed {count}", "失败 {count}"),
    "staff.campaign.skipped": ("skipped {count}", "跳过 {count}"),
    "staff.campaign.remaining": ("remaining {count}", "剩余 {count}"),
    "staff.campaign.control": ("control {count}", "对照组 {count}"),
    "staff.campaign.rate": ("{rate} msg/s", "{rate} 条/秒"),
    "staff.campaign.join": (", ", "，"),
    "staff.campaign.report.heading": (
        "Campaign #{campaign_id}{name}: {status}",
        "营销活动 #{campaign_id}{name}：{status}",
    ),
    "staff.campaign.report.audience": (
        "Audience: {audience} ({size} customers)",
        "受众：{audience}（{size} 位客户）",
    ),
    "staff.campaign.report.delivered": (
        "Delivered: {sent}, blocked the bot: {blocked}, button presses: {pressed}",
        "已送达：{sent}，屏蔽了机器人：{blocked}，按钮点击：{pressed}",
    ),
    "staff.campaign.report.replies": (
        "Replies within 48 h: {replied} (response rate {rate})",
        "48 小时内回复：{replied}（回复率 {rate}）",
    ),
    "staff.campaign.report.window": (
        "Within {days} days of the start, recipients vs control group:",
        "开始后 {days} 天内，收件人与对照组对比：",
    ),
    "staff.campaign.report.replied": (
        "  replied: {recipients} vs {control} (uplift {uplift} pts)",
        "  回复：{recipients} 对 {control}（提升 {uplift} 个百分点）",
    ),
    "staff.campaign.report.ordered": (
        "  ordered: {recipients} vs {control} (uplift {uplift} pts)",
        "  下单：{recipients} 对 {control}（提升 {uplift} 个百分点）",
    ),
    "staff.campaign.report.revenue": (
        "  revenue per customer: {recipients} vs {control} (uplift {uplift})",
        "  每位客户收入：{recipients} 对 {control}（提升 {uplift}）",
    ),
    "staff.campaign.report.sizes": (
        "  ({recipients} recipients, {control} held out)",
        "  （收件人 {recipients} 位，对照组 {control} 位）",
    ),
    "staff.dialog.step_done": (
        "That step is done: answer the current question, or /cancel.",
        "这一步已经完成：请回答当前的问题，或发送 /cancel。",
    ),
    "staff.dialog.timed_out": (
        "The campaign dialog timed out after {minutes} minute(s) without an answer; "
        "nothing was created. Start again with /campaign_new.",
        "营销活动对话 {minutes} 分钟内没有回复，已超时；没有创建任何内容。"
        "请发送 /campaign_new 重新开始。",
    ),
    "staff.dialog.busy": (
        "One moment: your previous answer is still being handled.",
        "请稍候：您上一个回答还在处理中。",
    ),
    "staff.dialog.not_yours": (
        "This button belongs to another manager's campaign dialog.",
        "这个按钮属于另一位经理的营销活动对话。",
    ),
    "staff.err.dialog_not_yours": (
        "this button belongs to another manager's campaign dialog",
        "这个按钮属于另一位经理的营销活动对话",
    ),
    "staff.dialog.preview_button": (
        "This is the preview: a customer's press is counted and opens a ticket.",
        "这是预览：客户点击会被计数，并创建一个工单。",
    ),
    "staff.dialog.ended": (
        "This campaign dialog has ended. Start again with /campaign_new.",
        "这个营销活动对话已结束。请发送 /campaign_new 重新开始。",
    ),
    "staff.err.dialog_ended": (
        "this campaign dialog has ended: start again with /campaign_new",
        "这个营销活动对话已结束：请发送 /campaign_new 重新开始",
    ),
    "staff.dialog.everyone": ("Everyone (all)", "所有人（all）"),
    "staff.dialog.start": (
        "New campaign (send /cancel to stop at any step).\n\n"
        "1/5 Who should get it? Choose a segment or type an audience: {help}.",
        "新建营销活动（任何一步都可以发送 /cancel 停止）。\n\n"
        "1/5 发给谁？请选择一个分群，或输入受众：{help}。",
    ),
    "staff.err.segment_gone": (
        "that segment is no longer offered: type the audience instead",
        "该分群已不再提供：请直接输入受众",
    ),
    "staff.err.audience_empty_choose": (
        "the audience {spec!r} has no customers: choose another",
        "受众 {spec!r} 中没有客户：请换一个",
    ),
    "staff.dialog.audience": (
        "Audience: {spec}: {size} customer(s), {reachable} reachable in Telegram now "
        "(subscribed, not blocked).\n\n"
        "2/5 Send the message: text, or a photo with the text as its caption. Customers get "
        "it as plain text, followed by a line on how to opt out.",
        "受众：{spec}：{size} 位客户，"
        "目前可通过 Telegram 联系到 {reachable} 位（已订阅、未屏蔽）。\n\n"
        "2/5 请发送消息内容：文字，或附带说明文字的图片。客户收到的是纯文本，末尾附有退订说明。",
    ),
    "staff.dialog.button": (
        "3/5 A button under the message? Type Label=https://link for a link, or just a Label "
        'for an "I\'m interested" button (each press is counted; the first opens a ticket '
        "for an agent). Or skip it.",
        "3/5 要在消息下方加按钮吗？输入 文字=https://链接 添加链接按钮，或只输入文字添加"
        "“我感兴趣”按钮（每次点击都会计数，第一次点击会为客服创建工单）。也可以跳过。",
    ),
    "staff.dialog.skip": ("Skip: no button", "跳过：不要按钮"),
    "staff.dialog.control_none": ("None", "不设"),
    "staff.dialog.control": (
        "4/5 Hold out a control group? Those customers get nothing, so the report can show "
        "what the campaign changed (replies, orders, revenue) against them.",
        "4/5 要保留对照组吗？对照组的客户不会收到消息，报告可据此显示营销活动带来的变化"
        "（回复、订单、收入）。",
    ),
    "staff.err.control_choice": ("choose one of the control group buttons", "请选择一个对照组按钮"),
    "staff.dialog.create": ("✅ Create campaign", "✅ 创建营销活动"),
    "staff.dialog.cancel": ("✖ Cancel", "✖ 取消"),
    "staff.dialog.no_button": ("none", "无"),
    "staff.dialog.interest_button": (
        "“{text}” (I'm interested: presses are counted and open a ticket)",
        "“{text}”（我感兴趣：点击会被计数并创建工单）",
    ),
    "staff.dialog.held_out": (
        "{percent}% of the audience held out",
        "保留 {percent}% 的受众作为对照组",
    ),
    "staff.dialog.summary": (
        "5/5 Above: the message as customers will see it.\n\n"
        "Audience: {spec}: {size} customer(s), {reachable} reachable now\n"
        "Button: {button}\n"
        "Control group: {control}\n\n"
        "Create it? It is saved as a draft: nothing is sent until you send or schedule it.",
        "5/5 上面是客户将看到的消息。\n\n"
        "受众：{spec}：{size} 位客户，目前可联系到 {reachable} 位\n"
        "按钮：{button}\n"
        "对照组：{control}\n\n"
        "要创建吗？它会保存为草稿：在您发送或定时发送之前，不会发出任何消息。",
    ),
    "staff.dialog.created_note": (
        "Campaign #{campaign_id} created.",
        "营销活动 #{campaign_id} 已创建。",
    ),
    "staff.dialog.created": (
        "Campaign #{campaign_id} is saved as a draft for {size} customer(s).\n"
        "Send it now: /campaign_send {campaign_id}\n"
        "Or schedule it: /campaign_schedule {campaign_id} YYYY-MM-DD HH:MM ({zone})",
        "营销活动 #{campaign_id} 已保存为草稿，面向 {size} 位客户。\n"
        "立即发送：/campaign_send {campaign_id}\n"
        "或定时发送：/campaign_schedule {campaign_id} YYYY-MM-DD HH:MM（{zone}）",
    ),
    "staff.dialog.cancelled": (
        "Campaign cancelled: nothing was created.",
        "营销活动已取消：没有创建任何内容。",
    ),
    "staff.dialog.hint.audience": (
        "Type the audience (e.g. language:en & tag:vip) or choose a button above.",
        "请输入受众（例如 language:en & tag:vip），或选择上面的按钮。",
    ),
    "staff.dialog.hint.message": (
        "Send the campaign message as text, or as a photo with a caption.",
        "请发送营销消息：文字，或附带说明文字的图片。",
    ),
    "staff.dialog.hint.button": (
        "Type the button (Label=https://link, or Label) or press Skip above.",
        "请输入按钮（文字=https://链接，或只写文字），或点击上面的“跳过”。",
    ),
    "staff.dialog.hint.control": (
        "Choose the control group with the buttons above.",
        "请用上面的按钮选择对照组。",
    ),
    "staff.dialog.hint.confirm": (
        "Press Create campaign or Cancel above.",
        "请点击上面的“创建营销活动”或“取消”。",
    ),
    "staff.dialog.hint": (
        "{hint} (/cancel stops the campaign dialog.)",
        "{hint}（发送 /cancel 可停止营销活动对话。）",
    ),
    "staff.usage.campaign_send": ("/campaign_send <id>", "/campaign_send <编号>"),
    "staff.usage.campaign_schedule": (
        "/campaign_schedule <id> <YYYY-MM-DD HH:MM>, e.g. /campaign_schedule 3 2030-03-01 10:00",
        "/campaign_schedule <编号> <YYYY-MM-DD HH:MM>，例如：/campaign_schedule 3 2030-03-01 10:00",
    ),
    "staff.usage.campaign_pause": ("/campaign_pause <id>", "/campaign_pause <编号>"),
    "staff.usage.campaign_resume": ("/campaign_resume <id>", "/campaign_resume <编号>"),
    "staff.usage.campaign_cancel": ("/campaign_cancel <id>", "/campaign_cancel <编号>"),
    "staff.usage.campaign": ("/campaign <id>", "/campaign <编号>"),
    "staff.usage.campaigns": (
        "/campaigns (then /campaign <id> for one campaign's report)",
        "/campaigns（然后用 /campaign <编号> 查看单个活动的报告）",
    ),
    "staff.campaign.sending": (
        "Campaign #{campaign_id}: sending to {count} customer(s)…",
        "营销活动 #{campaign_id}：正在发送给 {count} 位客户…",
    ),
    "staff.campaign.scheduled": (
        "Campaign #{campaign_id} is scheduled for {when} ({zone}). This message shows its "
        "progress once it starts; /campaign_pause {campaign_id} holds it.",
        "营销活动 #{campaign_id} 已定时于 {when}（{zone}）发送。开始后这条消息会显示进度；"
        "/campaign_pause {campaign_id} 可暂停。",
    ),
    "staff.campaign.paused": (
        "Campaign #{campaign_id} is paused: messages already under way still go out. "
        "/campaign_resume {campaign_id} continues the same list.",
        "营销活动 #{campaign_id} 已暂停：正在发送的消息仍会发出。"
        "/campaign_resume {campaign_id} 可按同一名单继续。",
    ),
    "staff.campaign.rescheduled": (
        "Campaign #{campaign_id} is scheduled again for {when}.",
        "营销活动 #{campaign_id} 已重新定时于 {when}。",
    ),
    "staff.campaign.resumed": (
        "Campaign #{campaign_id} is sending again.",
        "营销活动 #{campaign_id} 已继续发送。",
    ),
    "staff.campaign.cancelled": (
        "Campaign #{campaign_id} is cancelled: nobody else will get it.",
        "营销活动 #{campaign_id} 已取消：不会再发给任何人。",
    ),
    "staff.campaign.none": (
        "No campaigns yet. Create one with /campaign_new.",
        "还没有营销活动。可用 /campaign_new 创建。",
    ),
    "staff.campaign.list": (
        "Campaigns, newest first (/campaign <id> for a report):",
        "营销活动（最新在前，/campaign <编号> 查看报告）：",
    ),
    "staff.campaign.scheduled_for": (
        "\nScheduled for {when} ({zone})",
        "\n定时于 {when}（{zone}）",
    ),
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

STAFF_TEXTS: dict[str, dict[str, str]] = {
    key: {"en": english, "zh": chinese} for key, (english, chinese) in _PAIRS.items()
}
