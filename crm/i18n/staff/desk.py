"""Staff texts for the desk: agents' ticket commands, ticket notifications, histories, alerts.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
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
}
