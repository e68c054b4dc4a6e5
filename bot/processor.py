"""Process updates concurrently across chats but strictly in order within one chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.unpack import route_of

log = logging.getLogger("crm.updates")


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Run different chats in parallel while one chat's updates keep their order.

    A customer's second message must not race their first (both would open a ticket);
    different customers must not wait for each other.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._in_flight = 0
        self._last_update_id = 0

    @property
    def last_update_id(self) -> int:
        """Return the newest update id that has started processing (updates arrive in order)."""
        return self._last_update_id

    @property
    def in_flight(self) -> int:
        """Return how many updates are queued for a chat or being handled."""
        return self._in_flight

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn first, then for a free slot, then run the update."""
        self._in_flight += 1
        if isinstance(update, Update) and update.update_id > self._last_update_id:
            self._last_update_id = update.update_id
        started = time.perf_counter()
        try:
            await self._process_in_order(update, coroutine)
        finally:
            self._in_flight -= 1
            if isinstance(update, Update):
                _log_update(update, time.perf_counter() - started)

    async def _process_in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            # The chat lock comes before the semaphore so one flooding chat cannot hold
            # every slot while its updates queue behind each other.
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Nobody else is queued for this chat: forget its lock (memory stays flat).
                del self._waiting[key]
                del self._locks[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _log_update(update: Update, seconds: float) -> None:
    user = update.effective_user
    route = route_of(update)
    log.info(
        "update %s user %s %s %.1f ms",
        update.update_id,
        user.id if user else "-",
        route,
        seconds * 1000,
        extra={
            "update_id": update.update_id,
            "user_id": user.id if user else None,
            "route": route,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
