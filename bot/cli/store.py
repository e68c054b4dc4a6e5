"""Run a command's work on the store: opened (migrated), then closed, in one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.settings import Settings
from crm.store import db

T = TypeVar("T")


def in_store(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Return what ``work`` gives, run with the configured store open."""

    async def main() -> T:
        async with db.store_session(settings.db_url):
            return await work()

    return asyncio.run(main())
