"""Inspecting the bot: what it sent and called, and waiting (never sleeping) until it did."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from bot.sandbox.files import StoredFile
from bot.sandbox.records import ApiCall, SentMessage
from bot.sandbox.wire import JSONDict, text_value

T = TypeVar("T")


class Observer:
    """Mixed into SandboxBotAPI: the record of the bot's calls and messages, and the waits on it."""

    def _init_observer(self) -> None:
        """Start with nothing recorded."""
        self.requests: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        # Change notification for wait_for / wait_idle.
        self._changed = asyncio.Event()
        self._change_waiters = 0
        self._in_flight = 0
        self._last_activity = time.monotonic()

    def messages_to(self, chat_id: int, *, thread_id: int | None = None) -> list[SentMessage]:
        """Return every message the bot sent to `chat_id` (in one thread), oldest first."""
        sent = self._sent_by_chat.get(chat_id, ())
        return [m for m in sent if thread_id is None or m.thread_id == thread_id]

    def calls(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one API method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self.requests if call.method.lower() == wanted]

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        *,
        timeout: float = 5.0,
    ) -> T:
        """Wait until `predicate()` is truthy, re-checking after every API call, and return it."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result  # type: ignore[return-value]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._describe_timeout(f"condition not met within {timeout}s"))
            await self._wait_change(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        contains: str | None = None,
        count: int = 1,
        timeout: float = 5.0,
        thread_id: int | None = None,
    ) -> SentMessage:
        """Wait for the `count`-th message to `chat_id` (containing `contains`) and return it.

        With `thread_id`, only messages to that thread (forum topic) count.
        """

        def matches(sent: SentMessage) -> bool:
            if thread_id is not None and sent.thread_id != thread_id:
                return False
            if contains is None:
                return True
            return any(contains in text for text in (sent.text, sent.plain_text) if text)

        def check() -> SentMessage | None:
            found = 0
            for sent in self._sent_by_chat.get(chat_id, ()):
                if matches(sent):
                    found += 1
                    if found == count:
                        return sent
            return None

        try:
            return await self.wait_for(check, timeout=timeout)
        except TimeoutError:
            what = f"message #{count} to chat {chat_id}"
            if thread_id is not None:
                what += f" thread {thread_id}"
            if contains is not None:
                what += f" containing {contains!r}"
            raise TimeoutError(self._describe_timeout(f"no {what} within {timeout}s")) from None

    async def wait_idle(
        self,
        *,
        quiet: float = 0.3,
        timeout: float = 10.0,
    ) -> None:
        """Wait until all updates were fetched and no API call arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            fetched = self._delivered_id >= self._last_update_id
            idle_for = now - self._last_activity
            if fetched and self._in_flight == 0 and idle_for >= quiet:
                return
            if now >= deadline:
                state = (
                    f"{self._last_update_id - self._delivered_id} updates not fetched"
                    if not fetched
                    else f"last API call {idle_for:.2f}s ago"
                )
                raise TimeoutError(self._describe_timeout(f"not idle within {timeout}s ({state})"))
            wait = deadline - now
            if fetched and self._in_flight == 0:
                wait = min(wait, quiet - idle_for)
            await self._wait_change(max(wait, 0.001))

    async def _wait_change(self, delay: float) -> None:
        """Wait until the next notification or `delay` seconds."""
        event = self._changed
        self._change_waiters += 1
        try:
            await asyncio.wait_for(event.wait(), delay)
        except TimeoutError:
            pass
        finally:
            self._change_waiters -= 1

    def _notify(self) -> None:
        """Wake everything waiting in wait_for / wait_idle."""
        if self._change_waiters:
            event, self._changed = self._changed, asyncio.Event()
            event.set()

    def _describe_timeout(self, headline: str) -> str:
        """Build a helpful timeout message with the recent traffic."""
        lines = [f"Sandbox: {headline}.", f"Pending updates: {self.pending_updates}."]
        recent = self.sent[-10:]
        lines.append(f"Last {len(recent)} of {len(self.sent)} sent messages:")
        lines.extend(
            f"  {m.method} chat={m.chat_id} id={m.message_id}: {(m.text or '')[:120]!r}"
            for m in recent
        )
        failed = [c for c in self.requests[-200:] if c.status != 200][-5:]
        if failed:
            lines.append("Recent failed API calls:")
            lines.extend(f"  {c.method} -> {c.status} {c.description}" for c in failed)
        return "\n".join(lines)

    def _record(
        self,
        method: str,
        params: JSONDict,
        message: JSONDict,
        *,
        text: str | None,
        markup: JSONDict | None,
        stored: StoredFile | None = None,
    ) -> SentMessage:
        """Record a message the bot sent."""
        chat_id = message["chat"]["id"]
        sent = SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=message["message_id"],
            text=text,
            parse_mode=text_value(params, "parse_mode"),
            reply_markup=markup,
            params=params,
            time=time.monotonic(),
            message=message,
            file_content=stored.content if stored else None,
            file_name=stored.file_name if stored else None,
        )
        self.sent.append(sent)
        self._sent_by_chat.setdefault(chat_id, []).append(sent)
        self._sent_index[(chat_id, sent.message_id)] = sent
        return sent
