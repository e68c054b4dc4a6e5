"""Trouble on demand: injected errors, withheld answers, blocked users, Telegram's rate limits."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus

from bot.sandbox.wire import ApiError, JSONDict

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
# Telegram's FAQ: "no more than 20 messages per minute" to the same group.
GROUP_PER_MINUTE = 20


@dataclass
class Fault:
    """An injected failure for the next calls of one method."""

    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


class RateLimiter:
    """Sliding-window limiter keeping only the last `capacity` timestamps per key."""

    __slots__ = ("_times", "capacity", "window")

    def __init__(self, per_second: float, *, window: float | None = None) -> None:
        if per_second <= 0:
            raise ValueError("rate must be positive")
        self.window = window if window is not None else max(1.0, 1.0 / per_second)
        self.capacity = max(1, int(per_second * self.window + 1e-9))
        self._times: dict[int, deque[float]] = {}

    def retry_after(self, key: int, now: float) -> int | None:
        """Return whole seconds to wait if `key` is over its limit, else None."""
        times = self._times.get(key)
        if times is None or len(times) < self.capacity:
            return None
        wait = times[0] + self.window - now
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record(self, key: int, now: float) -> None:
        """Record one admitted call for `key`."""
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque(maxlen=self.capacity)
        times.append(now)


def _default_fault_description(status: int, retry_after: int | None) -> str:
    """Return Telegram's usual description for an error status."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"Too Many Requests: retry after {retry_after}"
    if status == HTTPStatus.FORBIDDEN:
        return BLOCKED_DESCRIPTION
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


class Faults:
    """Mixed into SandboxBotAPI: the test-facing fault switches and the checks every call passes."""

    def _init_faults(self) -> None:
        """Start with no fault armed, nobody blocked and no rate limit."""
        self.rate_limited_calls = 0
        self._blocked: set[int] = set()
        self._faults: dict[str, list[Fault]] = {}
        # Calls carried out whose answer is withheld (a response lost on the way back).
        self._stalls: dict[str, list[Fault]] = {}
        self._stall_release = asyncio.Event()
        self._stalled = 0
        self._global_limit: RateLimiter | None = None
        self._chat_limit: RateLimiter | None = None
        self._group_limit: RateLimiter | None = None

    def inject_fault(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` (optionally for one chat) fail with `status`."""
        if status < 400:
            raise ValueError("fault status must be an HTTP error status")
        if times < 1:
            raise ValueError("times must be at least 1")
        is_429 = status == HTTPStatus.TOO_MANY_REQUESTS
        retry_after = max(1, retry_after or 1) if is_429 else None
        fault = Fault(
            status=status,
            description=description or _default_fault_description(status, retry_after),
            retry_after=retry_after,
            chat_id=chat_id,
            remaining=times,
        )
        self._faults.setdefault(method.lower(), []).append(fault)

    def clear_faults(self) -> None:
        """Drop every injected fault that has not fired yet."""
        self._faults.clear()

    def stall_after(self, method: str, *, chat_id: int | None = None, times: int = 1) -> None:
        """Carry out the next `times` calls of `method` but withhold their answers.

        The message is delivered (it shows in `sent`), while the bot waits for an answer
        that only `release_stalls` (or stopping the sandbox) gives: what a bot killed
        mid-send, or a connection lost after Telegram took the request, looks like.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        stall = Fault(
            status=200, description="", retry_after=None, chat_id=chat_id, remaining=times
        )
        self._stalls.setdefault(method.lower(), []).append(stall)

    def release_stalls(self) -> None:
        """Answer every withheld call now, and stop withholding."""
        self._stalls.clear()
        self._stall_release.set()
        self._stall_release = asyncio.Event()

    @property
    def stalled_calls(self) -> int:
        """Return how many calls are waiting for their withheld answer."""
        return self._stalled

    def _take_stall(self, key: str, params: JSONDict) -> bool:
        stalls = self._stalls.get(key)
        if not stalls:
            return False
        for stall in stalls:
            if stall.chat_id is None or stall.chat_id == params.get("chat_id"):
                stall.remaining -= 1
                if stall.remaining <= 0:
                    stalls.remove(stall)
                return True
        return False

    def block_bot(self, user_id: int) -> None:
        """Make every send to `user_id` fail with 403 as if the user blocked the bot."""
        self._blocked.add(user_id)

    def unblock_bot(self, user_id: int) -> None:
        """Undo `block_bot`."""
        self._blocked.discard(user_id)

    def set_rate_limits(
        self,
        *,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: float | None = None,
    ) -> None:
        """Enable sliding-window send limits (None disables a limit); excess calls get 429.

        Groups and supergroups also take at most `per_group_per_minute` messages a minute; left
        as None it is Telegram's 20 whenever another limit is on (0 turns it off).
        """
        self._global_limit = RateLimiter(global_per_second) if global_per_second else None
        self._chat_limit = RateLimiter(per_chat_per_second) if per_chat_per_second else None
        if per_group_per_minute is None and (global_per_second or per_chat_per_second):
            per_group_per_minute = GROUP_PER_MINUTE
        self._group_limit = (
            RateLimiter(per_group_per_minute / 60, window=60.0) if per_group_per_minute else None
        )

    def _take_fault(self, key: str, params: JSONDict) -> None:
        """Raise the first injected fault matching this call, consuming it."""
        faults = self._faults.get(key)
        if not faults:
            return
        chat_id = params.get("chat_id")
        for fault in faults:
            if fault.chat_id is None or fault.chat_id == chat_id:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.remove(fault)
                    if not faults:
                        del self._faults[key]
                raise ApiError(fault.status, fault.description, fault.retry_after)

    def _admit(self, chat_id: int) -> None:
        """Apply the rate limits to one outgoing message and record it."""
        if self._global_limit is None and self._chat_limit is None and self._group_limit is None:
            return
        now = time.monotonic()
        in_group = self._chats.get(chat_id, {}).get("type") in ("group", "supergroup")
        limits = [
            (limiter, key)
            for limiter, key in (
                (self._global_limit, 0),
                (self._chat_limit, chat_id),
                (self._group_limit if in_group else None, chat_id),
            )
            if limiter is not None
        ]
        waits = [limiter.retry_after(key, now) for limiter, key in limits]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            self.rate_limited_calls += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        for limiter, key in limits:
            limiter.record(key, now)
