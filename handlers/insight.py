"""Managers' numbers in Telegram: /summary, /report, /agent_stats, and the daily summary job."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from crm import clock
from crm.desk import staff
from crm.errors import InvalidInput
from crm.i18n import Phrase, t
from crm.insight import agents, daily
from crm.insight.charts import render_daily_chart
from crm.insight.periods import Period
from crm.insight.report import build_report
from crm.insight.series import daily_series
from crm.insight.summary import build_summary
from crm.models import Role, StaffMember
from handlers.args import words
from handlers.auth import require
from handlers.best_effort import send_charts
from handlers.context import CRMContext, DeskSettings
from handlers.text import split_message
from handlers.unpack import NEW_PRIVATE
from handlers.views.insight import render_agent_stats, render_report, render_summary

log = logging.getLogger(__name__)

CHART_DAYS = 14
MAX_DAYS = 366


def register(application: Application) -> None:
    """Add the manager reporting commands."""
    add = application.add_handler
    add(CommandHandler("summary", summary, filters=NEW_PRIVATE))
    add(CommandHandler("report", report, filters=NEW_PRIVATE))
    add(CommandHandler("agent_stats", agent_stats, filters=NEW_PRIVATE))


def _days_arg(context: CRMContext, default: int, command: str) -> int:
    args = words(context)
    if not args:
        return default
    if len(args) > 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_DAYS:
        usage = Phrase(f"staff.usage.{command}")
        raise InvalidInput.of("staff.err.days", usage=usage, most=MAX_DAYS)
    return int(args[0])


async def send_html_and_chart(
    bot: Bot, chat_id: int, html: str, chart: bytes | None, *, lang: str
) -> None:
    """Send a report's text (split under Telegram's limit) and its chart."""
    for chunk in split_message(html):
        await bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML)
    if chart is not None:
        await send_charts(bot, chat_id, [(chart, None)], lang=lang)


async def daily_chart(settings: DeskSettings, lang: str, *, days: int = CHART_DAYS) -> bytes:
    """Render tickets per day by kind with the CSAT line (drawing off the event loop)."""
    series = await daily_series(days=days, now=clock.utcnow(), zone=settings.timezone)
    title = t("staff.chart.daily", lang, days=days)
    return await asyncio.to_thread(render_daily_chart, series, title=title, lang=lang)


@require(Role.MANAGER)
async def summary(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send the daily summary now, for today so far."""
    settings, lang = context.bot_data.settings, member.text_language
    today = clock.utcnow().astimezone(settings.timezone).date()
    result = await build_summary(day=today, zone=settings.timezone, now=clock.utcnow())
    html = render_summary(result, title=t("staff.summary.today", lang), lang=lang)
    chart = await daily_chart(settings, lang)
    await send_html_and_chart(context.bot, member.telegram_id, html, chart, lang=lang)


@require(Role.MANAGER)
async def report(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send the service metrics for the last N days (default 7) with a chart."""
    settings, lang = context.bot_data.settings, member.text_language
    days = _days_arg(context, 7, "report")
    period = Period.last_days(days, now=clock.utcnow(), zone=settings.timezone)
    result = await build_report(period=period, zone=settings.timezone)
    chart = await daily_chart(settings, lang, days=max(days, 2))
    html = render_report(result, lang)
    await send_html_and_chart(context.bot, member.telegram_id, html, chart, lang=lang)


@require(Role.MANAGER)
async def agent_stats(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send per-agent tickets handled, median first response and CSAT for the last N days."""
    settings, lang = context.bot_data.settings, member.text_language
    days = _days_arg(context, 7, "agent_stats")
    period = Period.last_days(days, now=clock.utcnow(), zone=settings.timezone)
    rows = await agents.agent_stats(period=period)
    html = render_agent_stats(rows, days=days, lang=lang)
    await send_html_and_chart(context.bot, member.telegram_id, html, None, lang=lang)


async def daily_summary_job(context: CRMContext) -> None:
    """Send yesterday's summary once a day at the configured time, catching up after downtime."""
    await send_daily_summary(context.application)


async def send_daily_summary(application: Application) -> int:
    """Send the day's summary to every manager if it is due and unsent; return recipients."""
    settings: DeskSettings = application.bot_data.settings
    now_local = clock.utcnow().astimezone(settings.timezone)
    day = daily.summary_due(now_local=now_local, at=settings.daily_summary_at)
    if day is None or not await daily.claim(day=day):
        return 0
    yesterday = day - timedelta(days=1)
    result = await build_summary(day=yesterday, zone=settings.timezone, now=clock.utcnow())
    rendered: dict[str, tuple[str, bytes]] = {}  # by language: each is drawn once
    sent = 0
    for manager in await staff.managers():
        lang = manager.text_language
        if lang not in rendered:
            title = t("staff.summary.daily", lang, day=yesterday)
            html = render_summary(result, title=title, lang=lang)
            rendered[lang] = html, await daily_chart(settings, lang)
        html, chart = rendered[lang]
        try:
            await send_html_and_chart(application.bot, manager.telegram_id, html, chart, lang=lang)
            sent += 1
        except TelegramError as err:
            log.warning("daily summary not delivered to manager %s: %s", manager.telegram_id, err)
    await daily.record_sent(day=day, recipients=sent)
    log.info("daily summary for %s sent to %s manager(s)", yesterday, sent)
    return sent
