"""End-to-end harness: the real Application polling the sandbox Bot API over HTTP."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from telegram.ext import Application

from bot.app import build_application, running
from bot.processor import PerChatUpdateProcessor
from bot.sandbox import SandboxBotAPI, SandboxUser, SentMessage
from bot.settings import Settings
from tests.timing import scaled

MANAGER_ID = 9001
ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def desk_settings(sandbox: SandboxBotAPI, db_url: str, **overrides: object) -> Settings:
    """Return settings that point the bot at the sandbox and a test database."""
    settings = Settings(
        telegram_token=sandbox.token,
        telegram_api_url=sandbox.api_url,
        telegram_file_url=sandbox.file_url,
        db_url=db_url,
        manager_ids=frozenset({MANAGER_ID}),
    )
    return settings.with_overrides(**overrides) if overrides else settings


@dataclass
class Desk:
    """A running bot and the sandbox its users talk through."""

    sandbox: SandboxBotAPI
    application: Application
    settings: Settings
    # Updates posted before this bot started were handled (or not) by an earlier one.
    baseline_update_id: int = 0

    def customer(
        self,
        user_id: int = 501,
        first_name: str = "Alice",
        *,
        language_code: str = "en",
        last_name: str | None = "Doe",
        username: str | None = None,
    ) -> SandboxUser:
        """Return a Telegram user who can write to the bot."""
        return self.sandbox.user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    async def send_text(self, user: SandboxUser, text: str) -> SentMessage:
        """Send text as the user; return the bot's next message to them."""
        await self.settle()  # earlier updates' messages must not pass for this reply
        before = len(self.sandbox.messages_to(user.id))
        self.sandbox.send_text(user, text)
        return await self.sandbox.wait_for_message(user.id, count=before + 1)

    def busy(self) -> bool:
        """Return whether an update sent so far has not been fully handled yet.

        An update is unconfirmed at the sandbox until the bot stored it, and in the bot's
        hands from then until its handlers ran: between the two, nothing slips through.
        """
        processor = self.application.update_processor
        assert isinstance(processor, PerChatUpdateProcessor)
        feed = self.application.bot_data.inbox_feed
        if feed is None or not self.settings.polling_inbox:
            seen = max(processor.last_update_id, self.baseline_update_id)
            return seen < self.sandbox.last_update_id or processor.in_flight > 0
        return bool(self.sandbox.awaiting_bot or feed.in_hand or processor.in_flight)

    async def settle(self, *, timeout: float = 10.0) -> None:
        """Wait until every update sent so far has been fully handled."""

        async def idle() -> bool:
            return not self.busy()

        await eventually(idle, timeout=timeout, interval=0.005)

    async def press(
        self, user: SandboxUser, message: SentMessage, data: str, *, strict: bool = True
    ):
        """Press an inline button as the user; return the bot's callback answer."""
        query_id = self.sandbox.press_button(user, message, data, strict=strict)

        def answered():
            return next(
                (a for a in self.sandbox.callback_answers if a.callback_query_id == query_id), None
            )

        return await self.sandbox.wait_for(answered)

    async def expect_reply(self, user: SandboxUser, action) -> SentMessage:
        """Run an action as the user (photo, document...); return the bot's next message."""
        await self.settle()
        before = len(self.sandbox.messages_to(user.id))
        action()
        return await self.sandbox.wait_for_message(user.id, count=before + 1)


def free_port() -> int:
    """Return a TCP port on loopback that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 5.0, interval: float = 0.02
) -> T:
    """Re-run an async check until it returns something truthy; fail after the timeout.

    The timeout is for an idle machine; it stretches with the machine's load (tests.timing).
    """
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s: {check!r}")
        await asyncio.sleep(interval)


@asynccontextmanager
async def running_desk(
    sandbox: SandboxBotAPI, db_url: str, **overrides: object
) -> AsyncIterator[Desk]:
    """Start the bot built by the production factory against the sandbox; stop it after."""
    settings = desk_settings(sandbox, db_url, **overrides)
    application = build_application(settings)
    async with running(application, poll_timeout=1.0):
        yield Desk(
            sandbox=sandbox,
            application=application,
            settings=settings,
            baseline_update_id=sandbox.last_update_id,
        )


async def start_bot_process(
    sandbox: SandboxBotAPI, db_path: Path, log_path: Path, *, db_url: str | None = None, **env: str
) -> asyncio.subprocess.Process:
    """Start run_bot.py against the sandbox; its output goes to log_path.

    The store is SQLite at db_path unless db_url names another (db_path's folder is then
    only the process's working directory).
    """
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(db_path.parent),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_URL": sandbox.api_url,
        "CRM_DB_URL": db_url or f"sqlite://{db_path}",
        "LOG_LEVEL": "INFO",
        **env,
    }
    log = log_path.open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_bot.py"),
        "--env-file",
        "/nonexistent",
        cwd=db_path.parent,
        env=environ,
        stdout=log,
        stderr=log,
    )
