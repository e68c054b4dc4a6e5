"""Staff texts for the numbers: /summary, /report, /agent_stats, segments, /associations.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
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
}
