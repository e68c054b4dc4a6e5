"""Customer segments in Telegram: /segments for managers, and the nightly segmentation job."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, CommandHandler

from crm.errors import InvalidInput
from crm.i18n import t
from crm.insight import segments
from crm.models import Role, SegmentRun, StaffMember
from handlers.args import expect, refuse_usage
from handlers.auth import require
from handlers.context import CRMContext
from handlers.insight import send_html_and_chart
from handlers.text import esc
from handlers.unpack import NEW_PRIVATE

log = logging.getLogger(__name__)


def register(application: Application) -> None:
    """Add the /segments command."""
    application.add_handler(CommandHandler("segments", show_segments, filters=NEW_PRIVATE))


@require(Role.MANAGER)
async def show_segments(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show the latest customer segments with a chart; `/segments compute` recomputes first."""
    args = [arg.lower() for arg in expect(context, "segments", counts={0, 1})]
    lang = member.text_language
    if args == ["compute"]:
        await context.bot.send_message(member.telegram_id, t("staff.segments.computing", lang))
        run = await segments.compute_segments()
    elif not args:
        run = await segments.latest_run()
        if run is None:
            raise InvalidInput.of("staff.err.no_segments")
    else:
        raise refuse_usage("segments")
    await send_run(context, member.telegram_id, run, lang)


async def send_run(context: CRMContext, chat_id: int, run: SegmentRun, lang: str) -> None:
    """Send a run's summary (title in bold) and its chart, in a staff language."""
    text = segments.describe_run(run, zone=context.bot_data.settings.timezone, lang=lang)
    title, _, rest = text.partition("\n")
    html = f"<b>{esc(title)}</b>\n{esc(rest)}"
    chart = await asyncio.to_thread(segments.segments_chart, run, lang)
    await send_html_and_chart(context.bot, chat_id, html, chart, lang=lang)


async def segmentation_job(context: CRMContext) -> None:
    """Recompute the customer segments (scheduled nightly)."""
    run = await segments.compute_segments()
    log.info("nightly segmentation: run %s, %s customer(s), k=%s", run.id, run.customers, run.k)
