"""Webhook mode: setWebhook and the pusher that POSTs updates as Telegram does, retrying."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections import deque

import aiohttp

from bot.sandbox.updates import is_wanted
from bot.sandbox.wire import ApiError, JSONDict, dumps, flag, optional_int, text_value

logger = logging.getLogger(__name__)

WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# A webhook answering slower than this is treated as failed and the update is sent again.
WEBHOOK_TIMEOUT = 30.0
WEBHOOK_RETRY_MIN, WEBHOOK_RETRY_MAX = 0.05, 2.0  # seconds; the sandbox retries fast


class WebhookPusher:
    """Mixed into SandboxBotAPI: the webhook settings and the task that delivers to them."""

    def _init_webhook(self) -> None:
        """Start in polling mode: no webhook, nothing to push."""
        self._webhook: JSONDict = {}
        # Webhook push: updates not tried yet, retries by due time, posts under way, and
        # updates acknowledged out of order (the queue's head is dropped once acknowledged).
        self._push_task: asyncio.Task[None] | None = None
        self._push_wakeup = asyncio.Event()
        self._to_push: deque[JSONDict] = deque()
        self._retries: list[tuple[float, int, JSONDict]] = []
        self._attempts: dict[int, int] = {}
        self._posting: set[int] = set()
        self._pushed: set[int] = set()
        self.webhook_posts = 0
        self.webhook_failures = 0
        self._webhook_last_error: tuple[int, str] | None = None

    @property
    def webhook(self) -> JSONDict:
        """Return the stored webhook settings (empty when none)."""
        return dict(self._webhook)

    async def _api_set_webhook(self, params: JSONDict) -> bool:
        """Serve setWebhook: from now on pending and new updates are POSTed to the URL."""
        url = text_value(params, "url") or ""
        if flag(params, "drop_pending_updates"):
            self._drop_pending()
        if not url:
            await self._api_delete_webhook({})
            return True
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        max_connections = optional_int(params, "max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        self._webhook = {"url": url, "max_connections": max_connections}
        for key in ("secret_token", "ip_address", "allowed_updates"):
            if params.get(key) is not None:
                self._webhook[key] = params[key]
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if self._push_task is None:
            self._to_push = deque(u for u in self._updates if u["update_id"] not in self._pushed)
            self._push_task = asyncio.create_task(self._push_updates(), name="sandbox-webhook")
        self._push_wakeup.set()
        return True

    async def _api_delete_webhook(self, params: JSONDict) -> bool:
        """Serve deleteWebhook: stop pushing; pending updates wait for getUpdates again."""
        if flag(params, "drop_pending_updates"):
            self._drop_pending()
        self._webhook = {}
        await self._stop_pushing()
        return True

    def _drop_pending(self) -> None:
        """Forget every enqueued update."""
        self._updates.clear()
        self._to_push.clear()
        self._retries.clear()
        self._pushed.clear()
        self._delivered_id = self._last_update_id
        self._notify()

    async def _stop_pushing(self) -> None:
        """Stop the webhook pusher; posts under way are abandoned and stay pending."""
        task, self._push_task = self._push_task, None
        if task is not None:
            self._push_wakeup.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._to_push.clear()
        self._retries.clear()
        self._attempts.clear()
        self._posting.clear()

    async def _push_updates(self) -> None:
        """POST pending updates to the webhook as Telegram does, retrying until a 2xx."""
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
        posts: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession(
            timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
        ) as http:
            try:
                # Stopping clears _push_task: the loop ends even if a cancellation is lost.
                while self._push_task is asyncio.current_task():
                    self._push_wakeup.clear()
                    limit = int(self._webhook.get("max_connections", 40))
                    now = time.monotonic()
                    while len(self._posting) < limit:
                        update = self._next_to_push(now)
                        if update is None:
                            break
                        self._posting.add(update["update_id"])
                        post = asyncio.create_task(self._post_update(http, update))
                        posts.add(post)
                        post.add_done_callback(posts.discard)
                    wait = WEBHOOK_RETRY_MAX
                    if self._retries:
                        wait = max(0.0, min(wait, self._retries[0][0] - now))
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                    # that arrives as the wait ends, and stop() would wait forever.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._push_wakeup.wait()
            finally:
                for post in posts:
                    post.cancel()
                await asyncio.gather(*posts, return_exceptions=True)

    def _next_to_push(self, now: float) -> JSONDict | None:
        """Return the next update to POST: a due retry first, then the oldest untried one."""
        if self._retries and self._retries[0][0] <= now:
            return heapq.heappop(self._retries)[2]
        while self._to_push:
            update = self._to_push.popleft()
            kind = next((k for k in update if k != "update_id"), "")
            if is_wanted(kind, self._allowed_updates):
                return update
            self._confirm_pushed(update["update_id"])  # Telegram never sends unwanted kinds
        return None

    async def _post_update(self, http: aiohttp.ClientSession, update: JSONDict) -> None:
        """POST one update; a 2xx confirms it, anything else schedules a retry."""
        update_id = update["update_id"]
        self.served_at.setdefault(update_id, time.monotonic())
        headers = {"Content-Type": "application/json"}
        secret = self._webhook.get("secret_token")
        if secret:
            headers[WEBHOOK_SECRET_HEADER] = str(secret)
        error: str | None = None
        self.webhook_posts += 1
        try:
            async with http.post(
                str(self._webhook["url"]), data=dumps(update), headers=headers
            ) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            error = f"Connection failed: {type(err).__name__}: {err}"[:200]
        finally:
            self._posting.discard(update_id)
        if error is None:
            self._attempts.pop(update_id, None)
            self._confirm_pushed(update_id)
        else:
            self.webhook_failures += 1
            self._webhook_last_error = (int(time.time()), error)
            attempt = self._attempts.get(update_id, 0)
            self._attempts[update_id] = attempt + 1
            delay = min(WEBHOOK_RETRY_MAX, WEBHOOK_RETRY_MIN * 2**attempt)
            heapq.heappush(self._retries, (time.monotonic() + delay, update_id, update))
            logger.debug("webhook delivery of update %s failed: %s", update_id, error)
        self._push_wakeup.set()
        self._notify()

    def _confirm_pushed(self, update_id: int) -> None:
        """Forget a delivered update; the queue's head advances past everything delivered."""
        self._pushed.add(update_id)
        queue = self._updates
        while queue and queue[0]["update_id"] in self._pushed:
            self._pushed.discard(queue.popleft()["update_id"])
        self._delivered_id = queue[0]["update_id"] - 1 if queue else self._last_update_id
        self._last_activity = time.monotonic()

    def _api_get_webhook_info(self, params: JSONDict) -> JSONDict:
        """Serve getWebhookInfo."""
        info: JSONDict = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates,
        }
        if info["url"]:
            info["max_connections"] = self._webhook.get("max_connections", 40)
            if self._webhook_last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
            for key in ("ip_address", "allowed_updates"):
                if key in self._webhook:
                    info[key] = self._webhook[key]
        return info
