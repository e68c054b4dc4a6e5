"""Managers' numbers in Telegram and the daily summary job, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm import clock
from crm.models import SummaryRun
from handlers.insight import send_daily_summary
from tests.harness import MANAGER_ID, Desk

pytestmark = pytest.mark.e2e
PNG = b"\x89PNG\r\n\x1a\n"


async def _photos_to(desk: Desk, chat_id: int) -> list:
    return [m for m in desk.sandbox.messages_to(chat_id) if m.method == "sendPhoto"]


async def test_report_sends_the_metrics_and_a_chart(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(desk.customer(501, "Carol"), "/complain charged twice")
    await desk.send_text(desk.customer(502, "Dan"), "/rate 5")
    reply = await desk.send_text(maya, "/report 7")
    assert reply.parse_mode == "HTML"
    text = reply.plain_text
    assert "CSAT 100.0%" in text and "complaint 1" in text
    await desk.settle()
    photos = await _photos_to(desk, MANAGER_ID)
    assert len(photos) == 1 and photos[0].file_content.startswith(PNG)


async def test_summary_and_agent_stats(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(maya, "/agent_add 7001 Anna")
    summary = await desk.send_text(maya, "/summary")
    assert "Summary: today so far" in summary.plain_text
    stats = await desk.send_text(maya, "/agent_stats 30")
    assert "Anna: 0 handled" in stats.plain_text


@pytest.mark.parametrize("command", ["/report 0", "/report abc", "/agent_stats 9999"])
async def test_bad_report_arguments_are_explained(desk: Desk, command: str) -> None:
    reply = await desk.send_text(desk.sandbox.user(MANAGER_ID, "Maya"), command)
    assert "Usage:" in reply.text


@pytest.mark.parametrize("command", ["/summary", "/report", "/agent_stats"])
async def test_reports_are_for_managers_only(desk: Desk, command: str) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    await desk.send_text(maya, "/agent_add 7001 Anna")
    for user in (desk.customer(501, "Carol"), desk.sandbox.user(7001, "Anna")):
        reply = await desk.send_text(user, command)
        assert reply.text == "Sorry, this command is for managers only."
    assert await _photos_to(desk, 501) == [] and await _photos_to(desk, 7001) == []


async def test_daily_summary_is_sent_once_a_day_and_catches_up_after_downtime(
    desk: Desk,
) -> None:
    await desk.send_text(desk.sandbox.user(MANAGER_ID, "Maya"), "/start")  # a chat with Maya
    await desk.send_text(desk.customer(501, "Carol"), "hello")
    clock.freeze(datetime(2026, 3, 3, 8, 59, tzinfo=UTC))  # CRM_DAILY_SUMMARY_AT is 09:00 UTC
    assert await send_daily_summary(desk.application) == 0
    clock.advance(timedelta(minutes=2))
    assert await send_daily_summary(desk.application) == 1
    summary = await desk.sandbox.wait_for_message(MANAGER_ID, contains="Daily summary")
    assert "Daily summary for 2026-03-02" in summary.plain_text
    assert len(await _photos_to(desk, MANAGER_ID)) == 1
    clock.advance(timedelta(hours=5))
    assert await send_daily_summary(desk.application) == 0  # never twice a day

    # The bot was down at 09:00 the next day and comes back at 15:00: it catches up once.
    clock.freeze(datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    assert await send_daily_summary(desk.application) == 1
    assert await send_daily_summary(desk.application) == 0
    days = await SummaryRun.all().order_by("day").values_list("day", "sent_to")
    assert [(str(d), n) for d, n in days] == [("2026-03-03", 1), ("2026-03-04", 1)]
