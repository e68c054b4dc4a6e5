"""Staff texts for customer records: /import, /export, /merge, /link.

Each key maps to its (English, Simplified Chinese) pair; crm/i18n/staff/__init__.py merges the
areas. Texts sent with HTML parse mode hold their tags here; the caller escapes their values.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
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
}
