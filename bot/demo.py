"""`run_bot.py --demo`: the real bot against the local sandbox Bot API, with scripted customers."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from bot.app import build_application, running
from bot.sandbox import SandboxBotAPI, SandboxUser
from bot.settings import Settings
from crm.models import Customer, Message, Rating, Ticket

log = logging.getLogger(__name__)


class Transcript:
    """Prints who said what, as a chat log a person can follow."""

    def __init__(self, sandbox: SandboxBotAPI, out: TextIO) -> None:
        self.sandbox = sandbox
        self.out = out

    def line(self, text: str = "") -> None:
        """Print one line."""
        print(text, file=self.out, flush=True)

    async def say(self, user: SandboxUser, text: str, *, replies: int = 1) -> dict:
        """Send text as the user, print it with the bot's replies; return the user's message."""
        return await self._act(
            user, f"> {text}", lambda: self.sandbox.send_text(user, text), replies
        )

    async def act(
        self, user: SandboxUser, label: str, action: Callable[[], Any], *, replies: int = 1
    ) -> Any:
        """Perform a non-text action (photo, edit) as the user and print the replies."""
        return await self._act(user, f"> {label}", action, replies)

    async def _act(
        self, user: SandboxUser, label: str, action: Callable[[], Any], replies: int
    ) -> Any:
        before = len(self.sandbox.messages_to(user.id))
        self.line(f"{user.first_name:>8} {label}")
        result = action()
        if isinstance(result, Awaitable):
            await result
        if replies:
            await self.sandbox.wait_for_message(user.id, count=before + replies, timeout=15)
        else:
            await self.sandbox.wait_idle(quiet=0.3, timeout=15)
        for sent in self.sandbox.messages_to(user.id)[before:]:
            text = (sent.text or "").replace("\n", "\n" + " " * 13)
            self.line(f"{'bot':>8} < {text}")
        self.line()
        return result


async def play_demo(settings: Settings, *, out: TextIO = sys.stdout) -> dict[str, int]:
    """Run the scripted conversation and return the store's counts afterwards."""
    async with SandboxBotAPI() as sandbox:
        settings = settings.with_overrides(
            telegram_token=sandbox.token,
            telegram_api_url=sandbox.api_url,
            telegram_file_url=sandbox.file_url,
        )
        show = Transcript(sandbox, out)
        alice = sandbox.user(1001, "Alice", last_name="Smith", username="alice_s")
        li = sandbox.user(1002, "李雷", language_code="zh-hans")
        omar = sandbox.user(1003, "Omar", language_code="en")

        async with running(build_application(settings), poll_timeout=1.0):
            show.line(
                f"Sandbox Bot API on {sandbox.api_url.rsplit('/', 1)[0]}; bot @crm_sandbox_bot"
            )
            show.line()
            await show.say(alice, "/start")
            await show.say(alice, "Hi! My order #1042 hasn't arrived yet, can you check?")
            await show.act(
                alice,
                "[photo] caption: the tracking page",
                lambda: sandbox.send_photo(alice, caption="the tracking page"),
            )
            await show.say(omar, "/rate 9")
            complaint = await show.say(omar, "/complain I was charged twice for the same order")
            await show.act(
                omar,
                "[edits it] /complain I was charged twice for order 2231",
                lambda: sandbox.edit_text(
                    omar, complaint["message_id"], "/complain I was charged twice for order 2231"
                ),
                replies=0,
            )
            edited = await Message.get(
                telegram_chat_id=omar.id, telegram_message_id=complaint["message_id"]
            )
            show.line(
                f"{'store':>8} : complaint now reads {edited.text!r}; "
                f"{len(edited.edit_history)} earlier version kept"
            )
            show.line()
            await show.say(li, "/start")
            await show.say(li, "你好，我想把收货地址改成上海。")
            await show.say(li, "/rate 5 服务很好")
            await show.say(alice, "/feedback Love the new packaging!")
            await show.say(alice, "/tickets")
            await show.say(alice, "/close 999")
            await show.say(alice, "/close")
            counts = {
                "customers": await Customer.all().count(),
                "tickets": await Ticket.all().count(),
                "messages": await Message.all().count(),
                "ratings": await Rating.all().count(),
            }
            show.line("Store now holds: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        return counts


def run_demo(settings: Settings, *, db_url: str) -> int:
    """Run the demo against a demo database; return the exit code."""
    if db_url.startswith("sqlite://") and not db_url.endswith(":memory:"):
        path = Path(db_url.removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)  # each demo starts from an empty store
    demo_settings = settings.with_overrides(db_url=db_url)
    print("Demo: the real bot talks HTTP to a local sandbox Bot API; no Telegram needed.\n")
    counts = asyncio.run(play_demo(demo_settings))
    print(
        f"\nDemo database: {db_url}  (inspect it with: sqlite3 {db_url.removeprefix('sqlite://')})"
    )
    return 0 if counts["tickets"] > 0 else 1
