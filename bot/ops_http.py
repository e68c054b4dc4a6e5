"""The operator's HTTP endpoints: ``/healthz`` for a load balancer, ``/metrics`` for Prometheus.

``/healthz`` is open and says only ok or not ok (why goes to the log, once per change).
``/metrics`` tells how busy the desk is, which is nobody else's business: it is served on
``CRM_METRICS_LISTEN`` (an internal address, in polling and webhook mode alike), and on the
public webhook port only to a request carrying ``CRM_METRICS_TOKEN`` as a bearer token.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from telegram.ext import Application
from tortoise import connections

from bot.processor import PerChatUpdateProcessor
from bot.settings import Settings
from bot.telemetry import CONTENT_TYPE
from crm.models import OPEN_STATUSES, Ticket
from crm.store import inbox

log = logging.getLogger(__name__)


class Endpoints:
    """The two handlers, bound to one application."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self._last_problems: tuple[str, ...] = ()

    async def healthz(self, request: web.Request) -> web.Response:
        """Answer 200 when the bot runs and the store answers, 503 otherwise; nothing more."""
        problems = []
        if not self.application.running:
            problems.append("bot not running")
        try:
            await connections.get(next(iter(connections.db_config))).execute_query("SELECT 1")
        except Exception as err:  # any failure means "not healthy"
            problems.append(f"store unreachable: {type(err).__name__}")
        if tuple(problems) != self._last_problems:
            if problems:
                log.warning("health check failing: %s", "; ".join(problems))
            else:
                log.info("health check passing again")
            self._last_problems = tuple(problems)
        if problems:
            return web.json_response({"ok": False}, status=503)
        return web.json_response({"ok": True})

    async def metrics(self, request: web.Request) -> web.Response:
        """Return the Prometheus text exposition."""
        application = self.application
        telemetry = application.bot_data.telemetry
        processor = application.update_processor
        in_flight = processor.in_flight if isinstance(processor, PerChatUpdateProcessor) else 0
        telemetry.queue_depth.set(application.update_queue.qsize() + in_flight)
        telemetry.tickets_open.set(await Ticket.filter(status__in=list(OPEN_STATUSES)).count())
        telemetry.set_aside.set((await inbox.set_aside(limit=0))[0])
        return web.Response(body=telemetry.render(), headers={"Content-Type": CONTENT_TYPE})


def guarded(handler, token: str):  # type: ignore[no-untyped-def]
    """Wrap a handler so that only a request bearing the token reaches it (else 404)."""
    expected = f"Bearer {token}".encode()

    async def check(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            # 404, not 401: a stranger learns nothing, not even that metrics exist here.
            log.warning("metrics asked for without the token from %s", request.remote)
            raise web.HTTPNotFound()
        return await handler(request)

    return check


def add_public_routes(app: web.Application, application: Application, settings: Settings) -> None:
    """Add /healthz, and /metrics only behind CRM_METRICS_TOKEN, to a public web app."""
    endpoints = Endpoints(application)
    app.router.add_get("/healthz", endpoints.healthz)
    if settings.metrics_token:
        app.router.add_get("/metrics", guarded(endpoints.metrics, settings.metrics_token))


@asynccontextmanager
async def serving_ops(application: Application, settings: Settings) -> AsyncIterator[None]:
    """Serve /healthz and /metrics on CRM_METRICS_LISTEN meanwhile (nothing when unset)."""
    if settings.metrics_listen is None:
        yield
        return
    host, port = settings.metrics_listen
    endpoints = Endpoints(application)
    app = web.Application()
    app.router.add_get("/healthz", endpoints.healthz)
    metrics = endpoints.metrics
    if settings.metrics_token:
        metrics = guarded(metrics, settings.metrics_token)
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("metrics and health on http://%s:%s", host, port)
        yield
    finally:
        await runner.cleanup()
