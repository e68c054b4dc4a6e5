"""Polling through the durable inbox: a batch is stored before the next getUpdates confirms it.

python-telegram-bot's Updater asks for the next batch as soon as the last one is queued,
and that request confirms the batch to Telegram before any handler stored anything: a
crash then loses it for good. This loop replaces only the fetching. It asks for a batch,
stores all of it in the inbox in one transaction, hands it to the Application through
``bot.durable.InboxFeed``, and only then asks for the next one. While the store does not
answer it confirms nothing: Telegram keeps unconfirmed updates for 24 hours.

The raw JSON is stored, not python-telegram-bot's parse of it, so an update that PTB
cannot parse is a failed try of one update (set aside after a few), not an exception that
stops polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

# What python-telegram-bot's Bot builds a request's parameters with (bot/http.py uses its
# internals too); not re-exported by telegram.request.
from telegram.request._requestparameter import RequestParameter

from bot.durable import InboxFeed, store_failure
from crm.store import inbox

log = logging.getLogger(__name__)

BATCH = 100  # Telegram's largest getUpdates batch
# Stored updates queued or being handled before the loop waits for the handlers: beyond
# this, fetching faster only grows memory (the rest waits at Telegram, unconfirmed).
MAX_IN_HAND = 1000
MAX_PAUSE = 10.0  # seconds between tries while Telegram or the store does not answer


def is_update(item: object) -> bool:
    """Return whether a getUpdates item has the one field everything relies on."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("update_id"), int)
        and not isinstance(item.get("update_id"), bool)
        and 0 <= item["update_id"] < 2**63
    )


def sender_of(update: dict[str, Any]) -> int | None:
    """Return the Telegram user id of whoever an update comes from, if it says."""
    for key, value in update.items():
        if key != "update_id" and isinstance(value, dict):
            person = value.get("from") or value.get("user")
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return person["id"]
    return None


class DurablePoller:
    """Fetch, store, then confirm: see the module docstring."""

    def __init__(
        self,
        application: Application,
        feed: InboxFeed,
        *,
        request: BaseRequest,
        allowed_updates: Sequence[str],
        timeout: float = 10.0,
    ) -> None:
        self.application = application
        self.feed = feed
        self.request = request
        self.allowed_updates = list(allowed_updates)
        self.timeout = timeout
        self.offset: int | None = None
        self._stopping = False
        self._fetching: asyncio.Task | None = None
        self._telegram_down_since: float | None = None
        self._store_down_since: float | None = None

    def stop(self) -> None:
        """Stop after the batch in hand is stored; a long poll under way is abandoned."""
        self._stopping = True
        if self._fetching is not None:
            self._fetching.cancel()  # its answer was not confirmed: Telegram sends it again

    async def run(self) -> None:
        """Poll until stopped."""
        while not self._stopping:
            while self.feed.in_hand >= MAX_IN_HAND and not self._stopping:
                await self.feed.wait_below(MAX_IN_HAND)
            batch = await self._next_batch()
            if batch is None:
                continue
            if not batch:
                continue  # the long poll ran out: ask again
            updates = [item for item in batch if is_update(item)]
            if len(updates) < len(batch):
                log.warning(
                    "getUpdates returned %s item(s) without an update id; skipped",
                    len(batch) - len(updates),
                )
            if not updates:
                await asyncio.sleep(1.0)  # nothing to confirm them with: never spin
                continue
            stored = await self._store(updates)
            if stored is None:
                return  # stopping before the store took them: not confirmed, sent again
            self.application.bot_data.telemetry.updates.labels("received").inc(len(stored))
            await self.feed.feed(stored)
            self.offset = max(item["update_id"] for item in updates) + 1
        await self._confirm()

    async def _next_batch(self) -> list[Any] | None:
        """Return the next batch (which confirms the last one), or None to try again."""
        self._fetching = asyncio.create_task(self._get_updates(self.offset, self.timeout))
        try:
            batch = await self._fetching
        except asyncio.CancelledError:
            if self._stopping:
                return None
            raise
        except InvalidToken:
            raise
        except RetryAfter as err:
            wait = err.retry_after
            await self._pause(err, wait.total_seconds() if isinstance(wait, timedelta) else wait)
            return None
        except Conflict as err:
            # Another process polls with this token, or a webhook is set: say so once.
            await self._pause(err, 5.0)
            return None
        except TelegramError as err:
            await self._pause(err, None)
            return None
        finally:
            self._fetching = None
        if self._telegram_down_since is not None:
            log.warning(
                "the Bot API answers again after %.0f s",
                time.monotonic() - self._telegram_down_since,
            )
            self._telegram_down_since = None
        return batch if isinstance(batch, list) else []

    async def _pause(self, err: TelegramError, seconds: float | None) -> None:
        now = time.monotonic()
        if self._telegram_down_since is None:
            self._telegram_down_since = now
            log.warning("getUpdates failed (%s); retrying until it answers", err)
        waited = now - self._telegram_down_since
        await asyncio.sleep(seconds if seconds is not None else min(1.0 + waited, MAX_PAUSE))

    async def _get_updates(self, offset: int | None, timeout: float, limit: int = BATCH) -> Any:
        data: dict[str, Any] = {
            "timeout": int(timeout),
            "limit": limit,
            "allowed_updates": self.allowed_updates,
        }
        if offset is not None:
            data["offset"] = offset
        # The raw JSON, through the same request object and URL python-telegram-bot's Bot
        # uses for getUpdates: the payload is stored as Telegram sent it, unparsed.
        return await self.request.post(
            url=f"{self.application.bot.base_url}/getUpdates",
            request_data=RequestData(
                [RequestParameter.from_input(key, value) for key, value in data.items()]
            ),
            read_timeout=timeout + 10.0,
        )

    async def _store(self, updates: list[dict[str, Any]]) -> list[inbox.Pending] | None:
        """Store a batch, waiting for the store as long as it takes; None when stopping."""
        pause = 0.25
        while True:
            try:
                stored = await inbox.accept_batch(
                    payloads=updates,
                    replica=self.feed.replica,
                    senders={u["update_id"]: sender_of(u) for u in updates},
                )
            except Exception as err:
                if not store_failure(err):
                    # The store answers but refuses this batch: one update in it cannot be
                    # stored. Store the others; set the one aside rather than stop polling.
                    return await self._store_one_by_one(updates)
                if self._store_down_since is None:
                    self._store_down_since = time.monotonic()
                    log.warning(
                        "the store does not answer (%s: %s); %s update(s) wait at Telegram, "
                        "unconfirmed, until it does",
                        type(err).__name__,
                        err,
                        len(updates),
                    )
                if self._stopping:
                    return None
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            if self._store_down_since is not None:
                log.warning(
                    "the store answers again after %.0f s; handling the waiting updates",
                    time.monotonic() - self._store_down_since,
                )
                self._store_down_since = None
            return stored

    async def _store_one_by_one(self, updates: list[dict[str, Any]]) -> list[inbox.Pending]:
        stored: list[inbox.Pending] = []
        replica = self.feed.replica
        for update in updates:
            try:
                stored += await inbox.accept_batch(
                    payloads=[update],
                    replica=replica,
                    senders={update["update_id"]: sender_of(update)},
                )
            except Exception as err:
                if store_failure(err):
                    raise
                log.error(
                    "update %s refused by the store (%s: %s); set aside (see crm doctor)",
                    update["update_id"],
                    type(err).__name__,
                    err,
                )
                await inbox.accept_unstorable(
                    update_id=update["update_id"],
                    error=f"{type(err).__name__}: {err}",
                    replica=replica,
                )
        return stored

    async def _confirm(self) -> None:
        """Confirm the last stored batch to Telegram on the way out (best effort)."""
        if self.offset is None:
            return
        with contextlib.suppress(Exception):
            await self._get_updates(self.offset, 0, 1)  # fetched again next time if lost here
