"""Operational counters in Prometheus form: updates, sends, queue depth, jobs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.request import RequestData

from bot.http import AiohttpRequest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "sendSticker",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
    }
)


class Telemetry:
    """One registry per application, so tests and replicas never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "crm_updates", "Telegram updates by outcome", ["outcome"], registry=self.registry
        )
        self.sends = Counter(
            "crm_messages_sent",
            "Bot API send calls by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "crm_update_queue_depth", "Updates waiting or being handled", registry=self.registry
        )
        self.tickets_open = Gauge(
            "crm_tickets_open", "Open and pending tickets", registry=self.registry
        )
        self.set_aside = Gauge(
            "crm_updates_set_aside",
            "Stored updates given up on after failing every try (see crm doctor)",
            registry=self.registry,
        )
        self.job_runs = Counter(
            "crm_job_runs",
            "Scheduled job runs by job and outcome",
            ["job", "outcome"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "crm_job_duration_seconds", "Scheduled job duration", ["job"], registry=self.registry
        )
        for outcome in ("received", "processed", "failed", "set_aside"):
            self.updates.labels(outcome)
        for outcome in ("ok", "rate_limited", "blocked", "error"):
            self.sends.labels(outcome)

    def render(self) -> bytes:
        """Return the Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

    def timed_job(
        self, name: str, job: Callable[[Any], Awaitable[Any]]
    ) -> Callable[[Any], Awaitable[None]]:
        """Wrap a JobQueue callback to count its runs and time it."""

        async def run(context: Any) -> None:
            started = time.perf_counter()
            try:
                await job(context)
            except Exception:
                self.job_runs.labels(name, "failed").inc()
                raise
            else:
                self.job_runs.labels(name, "ok").inc()
            finally:
                self.job_seconds.labels(name).observe(time.perf_counter() - started)

        run.__name__ = f"{name}_job"
        return run


class CountingRequest(AiohttpRequest):
    """python-telegram-bot's HTTP request that also counts send outcomes."""

    def __init__(self, telemetry: Telemetry, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.telemetry = telemetry

    async def post(  # type: ignore[override]
        self, url: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> Any:
        """Send the request and count it when it is a message send."""
        method = url.rsplit("/", 1)[-1]
        if method not in _SEND_METHODS:
            return await super().post(url, request_data, **kwargs)
        try:
            result = await super().post(url, request_data, **kwargs)
        except RetryAfter:
            self.telemetry.sends.labels("rate_limited").inc()
            raise
        except Forbidden:
            self.telemetry.sends.labels("blocked").inc()
            raise
        except TelegramError:
            self.telemetry.sends.labels("error").inc()
            raise
        self.telemetry.sends.labels("ok").inc()
        return result
