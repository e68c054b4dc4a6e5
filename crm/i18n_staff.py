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
}

STAFF_TEXTS: dict[str, dict[str, str]] = {
    key: {"en": english, "zh": chinese} for key, (english, chinese) in _PAIRS.items()
}
