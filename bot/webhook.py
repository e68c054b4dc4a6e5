"""Webhook mode on aiohttp: secret-checked, durable before the 200, with health and metrics."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from aiohttp import web
from telegram.ext import Application

from bot.durable import InboxFeed
from bot.ops_http import add_public_routes, serving_ops
from bot.polling import is_update, sender_of
from bot.settings import Settings
from crm.store import inbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram updates are far smaller; refuse anything bigger
DRAIN_TIMEOUT = 30.0  # seconds a stop waits for accepted updates to be handled


def malformed(payload: object) -> str | None:
    """Return why a webhook body is not an update Telegram could send, or None if it is one."""
    if not isinstance(payload, dict):
        return "not an object"
    if not is_update(payload):
        return "update_id is not a whole number from 0 to 2^63"
    for key, value in payload.items():
        if key != "update_id" and not isinstance(value, dict):
            return f"{key[:40]!r} is not an object"
    return None


def build_web_app(application: Application, settings: Settings) -> web.Application:
    """Return the aiohttp app: POST updates at the webhook path, GET /healthz (and /metrics
    with CRM_METRICS_TOKEN)."""
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.encode()
    telemetry = application.bot_data.telemetry
    feed: InboxFeed = application.bot_data.inbox_feed
    store_down = [False]  # one warning per outage, not per request

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("webhook call with a missing or wrong secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        body = await request.read()
        try:
            payload = json.loads(body)
            problem = malformed(payload)
        except (ValueError, RecursionError) as err:  # not JSON, or nested beyond reason
            problem = f"not JSON ({type(err).__name__})"
        if problem is not None:
            log.warning("malformed webhook body refused: %s", problem)
            return web.Response(status=400, text="malformed update")
        # Durable first: once stored, a crash after the 200 is replayed at the next start.
        # A body python-telegram-bot cannot parse is stored too, and set aside by the feed.
        try:
            fresh = await inbox.accept(
                update_id=payload["update_id"],
                payload=payload,
                replica=feed.replica,
                user_id=sender_of(payload),
            )
        except Exception as err:
            if not store_down[0]:
                log.warning("the store does not answer (%s); Telegram will retry", err)
                store_down[0] = True
            return web.Response(status=503, text="store unavailable")
        if store_down[0]:
            log.warning("the store answers again")
            store_down[0] = False
        telemetry.updates.labels("received").inc()
        if fresh:
            await feed.feed(
                [inbox.Pending(update_id=payload["update_id"], payload=payload, attempts=1)]
            )
        return web.Response(text="ok")

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(settings.webhook_path, receive)
    add_public_routes(app, application, settings)
    return app


@asynccontextmanager
async def serving(
    application: Application, settings: Settings, *, register_webhook: bool = True
) -> AsyncIterator[web.AppRunner]:
    """Run the bot in webhook mode inside a running loop: store open, site listening."""
    from bot.app import ALLOWED_UPDATES

    feed: InboxFeed = application.bot_data.inbox_feed
    runner: web.AppRunner | None = None
    ops = AsyncExitStack()
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await feed.start()
        await ops.enter_async_context(serving_ops(application, settings))
        runner = web.AppRunner(build_web_app(application, settings), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.listen_host, settings.listen_port)
        await site.start()
        if register_webhook:
            assert settings.webhook_url is not None
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        log.info("webhook server listening on %s:%s", settings.listen_host, settings.listen_port)
        yield runner
    finally:
        if runner is not None:
            await runner.cleanup()  # stop taking updates first
        await ops.aclose()
        await feed.stop(drain_timeout=DRAIN_TIMEOUT)
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()


async def run_webhook_forever(application: Application, settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM, then stop taking updates and finish what was accepted."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serving(application, settings):
        await stop.wait()
        log.info("stopping: no new updates; finishing accepted ones")
