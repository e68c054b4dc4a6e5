"""Staff texts for sales: deals, follow-ups, targets, the sales report.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
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
}
