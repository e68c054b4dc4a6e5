"""Webhook mode on aiohttp: secret-checked, durable before the 200, with health and metrics."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from aiohttp import web
from telegram import Update
from telegram.ext import Application, CallbackContext, TypeHandler
from tortoise import connections

from bot.processor import PerChatUpdateProcessor
from bot.settings import Settings
from bot.telemetry import CONTENT_TYPE
from crm import inbox
from crm.models import OPEN_STATUSES, Ticket

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram updates are far smaller; refuse anything bigger
# How often a replica renews its liveness and looks for dead replicas' updates: well inside
# inbox.REPLICA_TTL, so a replica is never taken for dead while it runs.
INBOX_INTERVAL = 15.0
# Runs after every other handler group, so an update counts as processed only then.
DONE_GROUP = 10_000


def install_inbox_marker(application: Application) -> None:
    """Mark each webhook update processed once all its handlers ran."""

    async def mark_done(update: Update, context: object) -> None:
        await inbox.mark_processed(update_id=update.update_id)
        application.bot_data.telemetry.updates.labels("processed").inc()

    application.add_handler(TypeHandler(Update, mark_done), group=DONE_GROUP)


def build_web_app(application: Application, settings: Settings) -> web.Application:
    """Return the aiohttp app: POST updates at the webhook path, GET /healthz and /metrics."""
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.encode()
    telemetry = application.bot_data.telemetry

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("webhook call with a missing or wrong secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.read()
            payload = json.loads(body)
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update object")
            update = Update.de_json(payload, application.bot)
        except (ValueError, TypeError, KeyError) as err:
            log.warning("malformed webhook body refused: %s", err)
            return web.Response(status=400, text="malformed update")
        # Durable first: once stored, a crash after the 200 is replayed at the next start.
        sender = update.effective_user
        fresh = await inbox.accept(
            update_id=update.update_id,
            payload=payload,
            replica=application.bot_data.replica_id,
            user_id=sender.id if sender else None,
        )
        telemetry.updates.labels("received").inc()
        if fresh:
            await application.update_queue.put(update)
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        problems = []
        if not application.running:
            problems.append("bot not running")
        try:
            await connections.get(next(iter(connections.db_config))).execute_query("SELECT 1")
        except Exception as err:  # any failure means "not healthy"; say which
            problems.append(f"store unreachable: {type(err).__name__}")
        if problems:
            return web.json_response({"ok": False, "problems": problems}, status=503)
        return web.json_response({"ok": True})

    async def metrics(request: web.Request) -> web.Response:
        processor = application.update_processor
        in_flight = processor.in_flight if isinstance(processor, PerChatUpdateProcessor) else 0
        telemetry.queue_depth.set(application.update_queue.qsize() + in_flight)
        telemetry.tickets_open.set(await Ticket.filter(status__in=list(OPEN_STATUSES)).count())
        return web.Response(body=telemetry.render(), headers={"Content-Type": CONTENT_TYPE})

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(settings.webhook_path, receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


@asynccontextmanager
async def serving(
    application: Application, settings: Settings, *, register_webhook: bool = True
) -> AsyncIterator[web.AppRunner]:
    """Run the bot in webhook mode inside a running loop: store open, site listening."""
    from bot.app import ALLOWED_UPDATES

    install_inbox_marker(application)
    await application.initialize()
    runner: web.AppRunner | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await adopt_orphaned_updates(application)
        assert application.job_queue is not None
        application.job_queue.run_repeating(
            _keep_inbox, interval=INBOX_INTERVAL, first=INBOX_INTERVAL, name="inbox"
        )
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
        await drain(application)
        with suppress(Exception):  # the store may be what failed; the lease then just expires
            await inbox.sign_off(replica=application.bot_data.replica_id)
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()


async def adopt_orphaned_updates(application: Application) -> int:
    """Say this replica is alive; handle updates that dead replicas accepted but never did."""
    replica = application.bot_data.replica_id
    await inbox.heartbeat(replica=replica)
    adopted = await inbox.adopt_orphans(replica=replica)
    for payload in adopted:
        await application.update_queue.put(Update.de_json(payload, application.bot))
    if adopted:
        log.info("replaying %s update(s) accepted but never handled by a stopped bot", len(adopted))
    return len(adopted)


async def _keep_inbox(context: CallbackContext) -> None:
    """Renew this replica's liveness and adopt what dead replicas left (a JobQueue job)."""
    await adopt_orphaned_updates(context.application)


async def drain(application: Application, *, timeout: float = 30.0) -> None:
    """Wait for queued and in-flight updates to finish (bounded), for a graceful stop."""
    processor = application.update_processor

    async def idle() -> None:
        # PTB exposes no "all updates handled" event; poll the two counters briefly.
        while application.update_queue.qsize() or (  # noqa: ASYNC110
            isinstance(processor, PerChatUpdateProcessor) and processor.in_flight
        ):
            await asyncio.sleep(0.05)

    with suppress(TimeoutError):
        await asyncio.wait_for(idle(), timeout)


async def run_webhook_forever(application: Application, settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM, then stop taking updates and finish what was accepted."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serving(application, settings):
        await stop.wait()
        log.info("stopping: no new updates; finishing accepted ones")
