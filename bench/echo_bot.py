"""A bare python-telegram-bot echo bot: the ceiling bench/throughput_bench.py measures against.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:PORT/bot python bench/echo_bot.py

No store, no logging, no jobs: each text message is answered with its own text, with
updates processed concurrently: 256 at a time (``concurrent_updates(True)``, as many as the
CRM bot), or ECHO_CONCURRENT_UPDATES at a time. It runs as a process polling the same
sandbox as the CRM bot, so both pay the same process and HTTP costs.

Its HTTP client is python-telegram-bot's stock one (httpx), or with ECHO_HTTP=aiohttp the
CRM bot's (bot/http.py): the same bot on the same HTTP stack as the CRM bot.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message with its own text."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def build() -> Application:
    """Build the echo bot from TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL."""
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_URL"])
        .concurrent_updates(int(os.environ.get("ECHO_CONCURRENT_UPDATES", "0")) or True)
    )
    if os.environ.get("ECHO_HTTP") == "aiohttp":
        from bot.http import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


if __name__ == "__main__":
    build().run_polling(allowed_updates=Update.ALL_TYPES)
