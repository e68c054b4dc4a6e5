"""Staff texts in each staff member's language: Telegram's, or the one chosen with /language."""

from __future__ import annotations

import pytest

from crm.models import StaffMember, Ticket
from tests.harness import MANAGER_ID, Desk

pytestmark = pytest.mark.e2e

LI, ANNA = 7101, 7102


async def _agents(desk: Desk, *, online: bool = True):
    """Maya (en) adds Li (Telegram in Chinese) and Anna (Telegram in English)."""
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    li = desk.sandbox.user(LI, "Li", language_code="zh-hans")
    anna = desk.sandbox.user(ANNA, "Anna", language_code="en")
    await desk.send_text(maya, f"/agent_add {LI} Li")
    await desk.send_text(maya, f"/agent_add {ANNA} Anna")
    if online:
        assert (await desk.send_text(li, "/online")).text == "您已上线，等待中的工单会分配给您。"
    return maya, li, anna


async def test_a_chinese_agent_gets_help_notifications_queue_and_close_in_chinese(
    desk: Desk,
) -> None:
    maya, li, anna = await _agents(desk)

    help_text = (await desk.send_text(li, "/help")).text
    assert help_text.startswith("Li，您好！您是本服务台的客服。")
    assert "/take <工单号> – 接单" in help_text and "销售命令" in help_text
    assert "经理命令" not in help_text and "Support desk commands" not in help_text

    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "Where is my <parcel>?")
    card = await desk.sandbox.wait_for_message(LI, contains="您有新工单")
    ticket = await Ticket.get()
    assert f"#{ticket.id}" in card.plain_text and "咨询" in card.plain_text
    assert "回复此消息即可答复客户。" in card.plain_text
    assert "Where is my <parcel>?" in card.plain_text  # the customer's text, escaped in HTML
    buttons = [b["text"] for row in card.reply_markup["inline_keyboard"] for b in row]
    assert buttons == ["✅ 关闭", "📜 记录"]

    queue = await desk.send_text(li, "/queue")
    assert "等待中" in queue.plain_text and "您的工单（1）：" in queue.plain_text
    assert "– 无 –" in queue.plain_text  # nothing waiting

    closed = await desk.send_text(li, f"/close {ticket.id}")
    assert closed.text == f"✅ 工单 #{ticket.id} 已关闭，客户已收到满意度调查。"
    again = await desk.send_text(li, f"/close {ticket.id}")
    assert again.text == (
        f"工单 #{ticket.id} 已关闭。如有需要，请先用 /reopen {ticket.id} 重新打开。"
    )
    refused = await desk.send_text(li, "/agents")
    assert refused.text == "抱歉，此命令仅供经理使用。"
    usage = await desk.send_text(li, "/take")
    assert usage.text == "用法：/take <工单号>。"


async def test_an_english_agent_keeps_english_texts(desk: Desk) -> None:
    maya, li, anna = await _agents(desk, online=False)
    assert (await desk.send_text(anna, "/online")).text == (
        "You are online. Waiting tickets come to you now."
    )
    help_text = (await desk.send_text(anna, "/help")).text
    assert help_text.startswith("Hello, Anna! You are agent on this desk.")
    await desk.send_text(desk.customer(501, "Carol"), "Hello?")
    card = await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    assert "Reply to this message to answer the customer." in card.plain_text
    refused = await desk.send_text(anna, "/agents")
    assert refused.text == "Sorry, this command is for managers only."


async def test_language_command_switches_shows_and_refuses_bad_input(desk: Desk) -> None:
    maya, li, anna = await _agents(desk, online=False)

    shown = await desk.send_text(anna, "/language")
    assert shown.text.startswith("Your texts are in English, as your Telegram language says.")
    assert "/language zh" in shown.text

    switched = await desk.send_text(anna, "/language zh")
    assert switched.text == "已设置：今后您的界面语言为中文，不再跟随 Telegram 的语言设置。"
    assert (await StaffMember.get(telegram_id=ANNA)).language == "zh"
    assert (await desk.send_text(anna, "/online")).text == "您已上线，等待中的工单会分配给您。"
    assert (await desk.send_text(anna, "/language")).text.startswith(
        "您的界面语言是中文（您用 /language 选择的）。"
    )

    bad = await desk.send_text(anna, "/language fr")
    assert bad.text == (
        "'fr' 不是可选的语言：请使用 /language en、/language zh 或 /language auto。"
    )
    assert (await StaffMember.get(telegram_id=ANNA)).language == "zh"  # unchanged

    back = await desk.send_text(anna, "/language auto")
    assert back.text == "Done: your texts follow your Telegram language again (now English)."
    assert (await StaffMember.get(telegram_id=ANNA)).language is None

    chosen = await desk.send_text(li, "/language en")
    assert chosen.text == "Done: your texts are in English now, whatever your Telegram language."
    assert (await desk.send_text(li, "/offline")).text == (
        "You are offline. New tickets go to others."
    )


async def test_refusals_to_non_staff_follow_their_telegram_language(desk: Desk) -> None:
    stranger = desk.customer(601, "Wang", language_code="zh-CN")
    assert (await desk.send_text(stranger, "/queue")).text == "抱歉，此命令仅供客服团队使用。"
    assert (await desk.send_text(stranger, "/language en")).text == (
        "抱歉，此命令仅供客服团队使用。"
    )
    other = desk.customer(602, "Bob", language_code="en")
    assert (await desk.send_text(other, "/agents")).text == (
        "Sorry, this command is for managers only."
    )


async def test_alerts_to_several_managers_go_in_each_ones_language(desk: Desk) -> None:
    maya, li, anna = await _agents(desk, online=False)
    await desk.send_text(li, "/help")  # the bot knows Li's Telegram language from here on
    await desk.send_text(maya, f"/manager_add {LI}")
    await desk.sandbox.wait_for_message(LI, contains="您已成为本服务台的经理（由 Maya 任命）")
    # Maya promotes Anna: Li (the other manager) is told in Chinese, Anna in English.
    await desk.send_text(maya, f"/manager_add {ANNA}")
    await desk.sandbox.wait_for_message(LI, contains="👤 Anna（7102）已由 Maya 任命为经理。")
    await desk.sandbox.wait_for_message(ANNA, contains="You are now a manager on this desk")


async def test_each_staff_member_gets_a_menu_in_their_language(desk: Desk) -> None:
    maya, li, anna = await _agents(desk, online=False)
    await desk.settle()
    li_menu = desk.sandbox.commands(scope={"type": "chat", "chat_id": LI})
    assert {"command": "take", "description": "take a ticket: /take <id>"} in li_menu
    await desk.send_text(li, "/help")  # Li's first update: the menu follows their Telegram
    await desk.settle()
    li_menu = desk.sandbox.commands(scope={"type": "chat", "chat_id": LI})
    assert {"command": "take", "description": "接单：/take <工单号>"} in li_menu
    assert "agents" not in {c["command"] for c in li_menu}
    maya_menu = desk.sandbox.commands(scope={"type": "chat", "chat_id": MANAGER_ID})
    assert {"command": "agents", "description": "the team: online, load"} in maya_menu

    await desk.send_text(li, "/language en")
    await desk.settle()
    li_menu = desk.sandbox.commands(scope={"type": "chat", "chat_id": LI})
    assert {"command": "take", "description": "take a ticket: /take <id>"} in li_menu

    await desk.send_text(maya, f"/agent_remove {LI}")
    await desk.settle()
    assert desk.sandbox.commands(scope={"type": "chat", "chat_id": LI}) == []


async def test_a_chinese_manager_gets_reports_dialogs_and_errors_in_chinese(desk: Desk) -> None:
    mei = desk.sandbox.user(MANAGER_ID, "Mei", language_code="zh-hans")

    summary = await desk.send_text(mei, "/summary")
    assert summary.plain_text.startswith("今日汇总（截至目前）")
    assert "新建工单：0" in summary.plain_text and "没有未结的工单。🎉" in summary.plain_text
    await desk.sandbox.wait_for(lambda: desk.sandbox.calls("sendPhoto"))  # the chart

    report = await desk.send_text(mei, "/report 3")
    assert (
        report.plain_text.startswith("服务报告 ")
        and "净推荐值 无数据（没有回答）" in report.plain_text
    )
    assert (await desk.send_text(mei, "/report often")).text == (
        "用法：/report [天数]（天数，1-366）。"
    )

    dialog = await desk.send_text(mei, "/campaign_new")
    assert dialog.text.startswith("新建营销活动（任何一步都可以发送 /cancel 停止）。")
    buttons = [b["text"] for row in dialog.reply_markup["inline_keyboard"] for b in row]
    assert buttons == ["所有人（all）"]
    empty = await desk.send_text(mei, "tag:nobody")
    assert empty.text == "受众 'tag:nobody' 中没有客户：请换一个。"
    assert (await desk.send_text(mei, "/cancel")).text == "营销活动已取消：没有创建任何内容。"

    mined = await desk.send_text(mei, "/associations")
    assert "没有规则：还没有包含商品的订单：请先导入一些订单。" in mined.plain_text
    assert (await desk.send_text(mei, "/import")).text.startswith("请把文件（CSV 或 XLSX）")
    assert (await desk.send_text(mei, "/export everything")).text == (
        "无法导出 'everything'；请从以下选择：customers, tickets, orders, deals。"
    )
    assert (await desk.send_text(mei, "/campaign_send x")).text == (
        "'x' 不是有效的营销活动编号。用法：/campaign_send <编号>。"
    )
    assert (await desk.send_text(mei, "/deal_new 1 lots Plan")).text == (
        "'lots' 不是有效的金额（例如 1200 或 1,200.50）。"
    )


async def test_the_domains_refusals_reach_a_chinese_agent_in_chinese(desk: Desk) -> None:
    maya, li, anna = await _agents(desk, online=False)
    await desk.send_text(anna, "/online")
    await desk.send_text(desk.customer(501, "Carol"), "My order is late")
    await desk.sandbox.wait_for_message(ANNA, contains="New ticket for you")
    ticket = await Ticket.get()

    refused = await desk.send_text(li, f"/reply {ticket.id} Hello")
    assert refused.text == f"不允许：工单 #{ticket.id} 由 Anna 负责。"
    assert (await desk.send_text(li, f"/tag {ticket.id} weather")).text.startswith(
        "未知主题 'weather'；可选主题："
    )
    assert (await desk.send_text(li, f"/transfer {ticket.id} 4242")).text == (
        "用户 4242 不是客服。"
    )
    # Anna, in English, gets the same refusals as before.
    assert (await desk.send_text(anna, f"/transfer {ticket.id} 4242")).text == (
        "User 4242 is not an agent."
    )


async def test_an_unknown_command_answers_staff_in_their_chosen_language(desk: Desk) -> None:
    maya, li, anna = await _agents(desk, online=False)
    await desk.send_text(anna, "/language zh")
    assert (await desk.send_text(anna, "/frobnicate")).text == (
        "我不认识这个命令。发送 /help 查看可用命令。"
    )
    assert (await desk.send_text(anna, "/cancel")).text == (
        "我不认识这个命令。发送 /help 查看可用命令。"
    )
