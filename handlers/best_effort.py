"""Sends that may fail without failing the command: activity indicators and charts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot, InputMediaPhoto
from telegram.constants import ChatAction
from telegram.error import TelegramError

from crm.i18n import t

log = logging.getLogger(__name__)

# "typing…" is only worth showing now: not after retries or a 429's wait.
ACTIVITY_TIMEOUT = 2.0
MEDIA_GROUP = 10  # Telegram's most photos in one album


async def show_activity(bot: Bot, chat_id: int, action: ChatAction) -> None:
    """Show "typing…" (or "sending a photo…") in a chat; a failure only costs the indicator."""
    try:
        async with asyncio.timeout(ACTIVITY_TIMEOUT):
            await bot.send_chat_action(chat_id, action)
    except (TelegramError, TimeoutError) as err:
        log.info("no %s indicator in chat %s: %s", action.value, chat_id, str(err) or "timed out")


async def send_charts(
    bot: Bot, chat_id: int, charts: Sequence[tuple[bytes, str | None]], *, lang: str
) -> bool:
    """Send a report's charts (PNG, caption) after its text; say so when they do not arrive.

    The text already went out, so a chart that fails is not the command failing: the reader
    is told (in ``lang``) the chart is missing rather than given a generic apology.
    """
    try:
        for start in range(0, len(charts), MEDIA_GROUP):
            group = charts[start : start + MEDIA_GROUP]
            if len(group) == 1:
                png, caption = group[0]
                await bot.send_photo(chat_id, png, caption=caption, filename="chart.png")
            else:
                await bot.send_media_group(
                    chat_id,
                    [
                        InputMediaPhoto(png, caption=caption, filename=f"chart{n}.png")
                        for n, (png, caption) in enumerate(group, start=1)
                    ],
                )
    except TelegramError as err:
        log.warning("chart(s) not delivered to chat %s: %s", chat_id, err)
        try:
            key = "staff.chart_failed" if len(charts) == 1 else "staff.charts_failed"
            await bot.send_message(chat_id, t(key, lang))
        except TelegramError as again:
            log.warning("could not say the chart is missing in chat %s: %s", chat_id, again)
        return False
    return True
