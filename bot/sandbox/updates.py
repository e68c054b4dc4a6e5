"""The update queue and getUpdates: offsets, long polling, allowed_updates."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from bot.sandbox.wire import ApiError, JSONDict, optional_int

POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Mixed into SandboxBotAPI: enqueues updates and serves them to a polling bot."""

    def _init_updates(self) -> None:
        """Start with an empty queue and no poller."""
        self._updates: deque[JSONDict] = deque()
        self._last_update_id = 0
        self._delivered_id = 0
        self._allowed_updates: frozenset[str] | None = None
        self._updates_event = asyncio.Event()
        self._poll_waiters = 0
        self._poll_generation = 0
        # When each update was first handed to the bot (getUpdates answer or webhook POST).
        self.served_at: dict[int, float] = {}

    def post_update(self, update: dict[str, Any]) -> int:
        """Enqueue a raw update (update_id assigned if missing) and return its update_id."""
        update_id = update.get("update_id")
        if update_id is None:
            update_id = self._last_update_id + 1
            update = {"update_id": update_id, **update}
        elif not isinstance(update_id, int) or update_id <= self._last_update_id:
            raise ValueError(f"update_id must be an int above {self._last_update_id}")
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if isinstance(message, dict):
                self._absorb(message)
        self._updates.append(update)
        self._last_update_id = update_id
        if self._push_task is not None:
            self._to_push.append(update)
            self._push_wakeup.set()
        self._wake_pollers()
        self._notify()
        return update_id

    @property
    def last_update_id(self) -> int:
        """Return the id of the newest update posted so far (0 before any)."""
        return self._last_update_id

    @property
    def pending_updates(self) -> int:
        """Return how many updates are enqueued and not yet confirmed (offset or webhook 2xx)."""
        return len(self._updates) - len(self._pushed)

    @property
    def awaiting_bot(self) -> int:
        """Return how many unconfirmed updates the bot asked for (its ``allowed_updates``).

        The others are never delivered, as on Telegram: they wait for nobody.
        """
        allowed = self._allowed_updates
        return sum(
            1
            for update in self._updates
            if is_wanted(next((k for k in update if k != "update_id"), ""), allowed)
        ) - len(self._pushed)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Serve getUpdates with offset confirmation and long polling."""
        if self._webhook.get("url"):
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = optional_int(params, "offset")
        limit = min(max(optional_int(params, "limit") or 100, 1), 100)
        timeout_value = params.get("timeout") or 0
        try:
            timeout = max(0.0, float(timeout_value))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid timeout specified") from None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if offset is not None:
            self._confirm(offset)

        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # a newer request terminates an older one, as on Telegram
        deadline = time.monotonic() + timeout
        while True:
            batch = self._collect(limit)
            if batch or self._closing:
                if batch:
                    self._last_activity = time.monotonic()
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            event = self._updates_event
            self._poll_waiters += 1
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._poll_waiters -= 1
            if generation != self._poll_generation and not self._closing:
                raise ApiError(409, POLL_CONFLICT)

    def _wake_pollers(self, *, force: bool = False) -> None:
        """Wake long-polling getUpdates requests."""
        if self._poll_waiters or force:
            event, self._updates_event = self._updates_event, asyncio.Event()
            event.set()

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by `offset` (negative: keep only the last -offset)."""
        queue = self._updates
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
        else:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
        if not queue:
            self._delivered_id = max(self._delivered_id, self._last_update_id)
        else:
            self._delivered_id = max(self._delivered_id, queue[0]["update_id"] - 1)

    def _collect(self, limit: int) -> list[JSONDict]:
        """Return up to `limit` deliverable updates and mark them as fetched."""
        allowed = self._allowed_updates
        batch: list[JSONDict] = []
        scanned = self._delivered_id
        for update in self._updates:
            scanned = update["update_id"]
            kind = next((k for k in update if k != "update_id"), "")
            if is_wanted(kind, allowed):
                batch.append(update)
                self.served_at.setdefault(scanned, time.monotonic())
                if len(batch) >= limit:
                    break
        if scanned > self._delivered_id:
            self._delivered_id = scanned
            self._notify()
        return batch


def is_wanted(kind: str, allowed: frozenset[str] | None) -> bool:
    """Return whether an update type is delivered under the current allowed_updates."""
    if allowed is None:
        return kind not in _DEFAULT_EXCLUDED_UPDATES
    return kind in allowed
