"""`run_bot.py --demo`: the real bot against the local sandbox Bot API, with a scripted day."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.app import build_application, running
from bot.sandbox.records import SandboxUser, SentMessage
from bot.sandbox.server import SandboxBotAPI
from bot.settings import Settings
from crm.models import Customer, Message, Rating, Ticket

log = logging.getLogger(__name__)

DEMO_MANAGER_ID = 9001
DEMO_AGENT_ID = 7001
_INDENT = " " * 14


class Transcript:
    """Prints who said what, and everything the bot sent to anyone, as a readable chat log."""

    def __init__(self, sandbox: SandboxBotAPI, out: TextIO) -> None:
        self.sandbox = sandbox
        self.out = out
        self.names: dict[int, str] = {}
        self.seen = 0
        self.answers_seen = 0
        self.edits_seen: dict[int, int] = {}

    def line(self, text: str = "") -> None:
        """Print one line."""
        print(text, file=self.out, flush=True)

    async def say(self, user: SandboxUser, text: str, **kwargs: Any) -> dict:
        """Send text as the user; print it and what the bot sent; return the user's message."""
        return await self.act(user, text, lambda: self.sandbox.send_text(user, text, **kwargs))

    async def act(self, user: SandboxUser, label: str, action: Callable[[], Any]) -> Any:
        """Perform an action as the user (photo, edit, button); print what the bot sent."""
        self.names.setdefault(user.id, user.first_name)
        self.line(f"{user.first_name:>10} > {label}")
        result = action()
        # Everything the bot does in response (acks, routing, notifications) lands quickly;
        # the demo waits until the bot has been quiet for a moment.
        await self.sandbox.wait_idle(quiet=0.2, timeout=15)
        self.show_new()
        self.line()
        return result

    def show_new(self) -> None:
        """Print the bot's button answers, edits and messages since the last look."""
        for answer in self.sandbox.callback_answers[self.answers_seen :]:
            if answer.text:
                self.line(f"{'bot':>10} < (button answer) {answer.text}")
        self.answers_seen = len(self.sandbox.callback_answers)
        for sent in self.sandbox.sent[: self.seen]:
            if len(sent.edits) > self.edits_seen.get(id(sent), 0):
                who = self.names.get(sent.chat_id, str(sent.chat_id))
                self.line(f"{'bot → ' + who:>10} < (edits its message) {self._text(sent)}")
        for sent in self.sandbox.sent[self.seen :]:
            who = self.names.get(sent.chat_id, str(sent.chat_id))
            buttons = sent.button_data()
            extra = f"  [{len(buttons)} buttons]" if buttons else ""
            self.line(f"{'bot → ' + who:>10} < {self._text(sent)}{extra}")
        self.seen = len(self.sandbox.sent)
        self.edits_seen = {id(sent): len(sent.edits) for sent in self.sandbox.sent}

    @staticmethod
    def _text(sent: SentMessage) -> str:
        return (sent.plain_text or sent.text or "").replace("\n", "\n" + _INDENT)

    def last_to(self, user: SandboxUser, contains: str) -> SentMessage:
        """Return the latest bot message to a user containing some text."""
        return next(
            m for m in reversed(self.sandbox.messages_to(user.id)) if contains in (m.text or "")
        )


async def play_demo(settings: Settings, *, out: TextIO | None = None) -> dict[str, int]:
    """Run the scripted day and return the store's counts afterwards."""
    async with SandboxBotAPI() as sandbox:
        settings = settings.with_overrides(
            telegram_token=sandbox.token,
            telegram_api_url=sandbox.api_url,
            telegram_file_url=sandbox.file_url,
            manager_ids=frozenset({DEMO_MANAGER_ID}),
        )
        show = Transcript(sandbox, sys.stdout if out is None else out)  # today's, scrubbed
        maya = sandbox.user(DEMO_MANAGER_ID, "Maya")  # manager
        anna = sandbox.user(DEMO_AGENT_ID, "Anna")  # agent
        alice = sandbox.user(1001, "Alice", last_name="Smith", username="alice_s")
        li = sandbox.user(1002, "李雷", language_code="zh-hans")
        omar = sandbox.user(1003, "Omar")
        for person in (maya, anna, alice, li, omar):
            show.names[person.id] = person.first_name

        async with running(build_application(settings), poll_timeout=1.0):
            show.line(f"Sandbox Bot API on {sandbox.api_url.rsplit('/', 1)[0]}")
            show.line(f"Manager Maya ({DEMO_MANAGER_ID}) is in CRM_MANAGER_IDS.\n")
            await show.say(maya, f"/agent_add {DEMO_AGENT_ID} Anna billing complaints")
            await show.say(anna, "/online")

            await show.say(alice, "/start")
            await show.say(alice, "Hi! My order #1042 hasn't arrived yet, can you check?")
            await show.act(
                alice,
                "[photo] the tracking page",
                lambda: sandbox.send_photo(alice, caption="the tracking page"),
            )
            notice = show.last_to(anna, "New ticket for you")
            await show.act(
                anna,
                "(replies to the ticket message) Sorry Alice! It ships today: TRK123.",
                lambda: sandbox.send_text(
                    anna,
                    "Sorry Alice! It ships today: TRK123.",
                    reply_to_message_id=notice.message_id,
                ),
            )

            await show.say(omar, "/rate 9")
            complaint = await show.say(omar, "/complain I was charged twice for the same order")
            await show.act(
                omar,
                "[edits it] /complain I was charged twice for order 2231",
                lambda: sandbox.edit_text(
                    omar, complaint["message_id"], "/complain I was charged twice for order 2231"
                ),
            )
            edited = await Message.get(
                telegram_chat_id=omar.id, telegram_message_id=complaint["message_id"]
            )
            show.line(
                f"{'store':>10} : the complaint now reads {edited.text!r}; "
                f"{len(edited.edit_history)} earlier version kept\n"
            )
            complaint_ticket = edited.ticket_id  # type: ignore[attr-defined]
            await show.say(anna, f"/note {complaint_ticket} Finance confirmed the double charge")
            await show.say(anna, f"/reply {complaint_ticket} Refund issued, 3-5 days. Sorry!")

            await show.say(li, "你好，我想把收货地址改成上海。")
            await show.say(li, "/rate 5 服务很好")

            alices = await Ticket.filter(customer__telegram_id=alice.id).first()
            assert alices is not None
            await show.say(anna, f"/close {alices.id}")
            survey = show.last_to(alice, "How did we do?")
            await show.act(
                alice,
                "[taps 5 ⭐]",
                lambda: sandbox.press_button(alice, survey, survey.button_data()[4]),
            )
            await show.act(
                alice,
                "[taps ✍️ Add a comment]",
                lambda: sandbox.press_button(alice, survey, survey.button_data()[0]),
            )
            prompt = show.last_to(alice, "Reply to this message")
            await show.act(
                alice,
                "(replies to the prompt) Very quick, thank you!",
                lambda: sandbox.send_text(
                    alice, "Very quick, thank you!", reply_to_message_id=prompt.message_id
                ),
            )
            await show.say(alice, "/feedback Love the new packaging!")
            await show.say(alice, "/tickets")
            await show.say(alice, "/close 999")
            await show.say(maya, "/agents")

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
    sqlite_path = db_url.removeprefix("sqlite://")
    print(f"\nDemo database: {db_url}")
    print(f"Inspect it: CRM_DB_URL={db_url} crm tickets   (or: sqlite3 {sqlite_path})")
    return 0 if counts["tickets"] > 0 else 1
