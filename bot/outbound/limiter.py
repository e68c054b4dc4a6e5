"""The one outbound path: python-telegram-bot's rate limiter, plus retries for 5xx and network."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)


class CampaignSend:
    """``rate_limit_args`` marking a campaign message: it yields to every other call."""


CAMPAIGN = CampaignSend()


class DeliveryLimiter(AIORateLimiter):
    """Rate-limit every Bot API call; wait out 429s; retry 5xx/network errors with backoff.

    AIORateLimiter already keeps under Telegram's limits and, on a 429, pauses for its
    retry_after and retries. This adds bounded exponential backoff for server errors and
    dropped connections. After the last retry the error propagates, and the caller records
    the failure (a reply marked undelivered, the agent told) instead of losing it.

    Campaign messages (``rate_limit_args=CAMPAIGN``) go last: one waits until no other
    call (a reply, an acknowledgement, a notification) is waiting or under way, so a
    running campaign never holds up the help desk.
    """

    def __init__(
        self,
        *,
        overall_per_second: float | None,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_per_second or 0,
            overall_time_period=1,
            group_max_rate=20,
            group_time_period=60,
            max_retries=retries,
        )
        self.retries = retries
        self.backoff = backoff
        self._service_calls = 0
        self._service_idle = asyncio.Event()
        self._service_idle.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Send through the rate limiter, retrying transient failures a few times."""
        if isinstance(rate_limit_args, CampaignSend):
            # Wait for a moment with no service call in flight, then go.
            while not self._service_idle.is_set():
                await self._service_idle.wait()
            return await self._send(callback, args, kwargs, endpoint, data, None, campaign=True)
        self._service_calls += 1
        self._service_idle.clear()
        try:
            return await self._send(callback, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            self._service_calls -= 1
            if not self._service_calls:
                self._service_idle.set()

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
        *,
        campaign: bool = False,
    ) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # our request is wrong; sending it again cannot help
            except TimedOut:
                # Telegram may have delivered it: a campaign message is never risked twice.
                if campaign or attempt == self.retries:
                    raise
                log.info("%s timed out; retry %s", endpoint, attempt + 1)
                await asyncio.sleep(self.backoff * 2**attempt)
            except NetworkError as err:  # 5xx, timeouts, dropped connections
                if attempt == self.retries:
                    log.warning("%s failed after %s retries: %s", endpoint, self.retries, err)
                    raise
                delay = self.backoff * 2**attempt
                log.info("%s failed (%s); retry %s in %.1f s", endpoint, err, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
