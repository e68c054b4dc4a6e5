"""Sends that may fail without failing the command."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

log = logging.getLogger(__name__)

# "typing…" is only worth showing now: not after retries or a 429's wait.
ACTIVITY_TIMEOUT = 2.0


async def show_activity(bot: Bot, chat_id: int, action: ChatAction) -> None:
    """Show "typing…" (or "sending a photo…") in a chat; a failure only costs the indicator."""
    try:
        async with asyncio.timeout(ACTIVITY_TIMEOUT):
            await bot.send_chat_action(chat_id, action)
    except (TelegramError, TimeoutError) as err:
        log.info("no %s indicator in chat %s: %s", action.value, chat_id, str(err) or "timed out")
