"""Staff texts for campaigns: audiences, the /campaign_new dialog, sending, reports.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
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
}
