"""Sandbox Telegram Bot API server for end-to-end tests, demos and benchmarks.

`SandboxBotAPI` is a small aiohttp server on loopback that speaks the Bot API's HTTP shape well
enough for a real python-telegram-bot ``Application`` to run against it::

    async with SandboxBotAPI() as sandbox:
        app = (
            ApplicationBuilder().token(sandbox.token)
            .base_url(sandbox.api_url).base_file_url(sandbox.file_url).build()
        )
        alice = sandbox.user(1001, "Alice")
        sandbox.send_text(alice, "/start")
        reply = await sandbox.wait_for_message(alice.id)

The wire format is described in `bot.sandbox.wire`; `bot.sandbox.server` shows how the class is
put together. All public methods must be called from the thread running the event loop that
serves the sandbox.
"""

from bot.sandbox.balancer import SandboxLoadBalancer
from bot.sandbox.entities import HtmlParseError, parse_html
from bot.sandbox.files import SAMPLE_OGG, SAMPLE_PNG, SAMPLE_WEBP
from bot.sandbox.keyboards import CallbackAnswer
from bot.sandbox.records import ApiCall, SandboxUser, SentMessage
from bot.sandbox.server import SandboxBotAPI
from bot.sandbox.wire import UploadedFile

__all__ = [
    "SAMPLE_OGG",
    "SAMPLE_PNG",
    "SAMPLE_WEBP",
    "ApiCall",
    "CallbackAnswer",
    "HtmlParseError",
    "SandboxBotAPI",
    "SandboxLoadBalancer",
    "SandboxUser",
    "SentMessage",
    "UploadedFile",
    "parse_html",
]
