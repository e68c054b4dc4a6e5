"""The Application factory and its lifecycle: the composition root of the bot."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from datetime import timedelta

from telegram import Bot, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackContext, ContextTypes

from bot import durable, jobs
from bot.http import AiohttpRequest
from bot.logs import protect_secrets, quiet_libraries
from bot.ops_http import serving_ops
from bot.outbound.campaign_sender import CampaignSender
from bot.outbound.limiter import DeliveryLimiter
from bot.polling import DurablePoller
from bot.processor import PerChatUpdateProcessor
from bot.settings import Settings, SettingsError
from bot.telemetry import CountingRequest, Telemetry
from crm.desk import queue
from crm.desk.floods import FloodControl
from crm.desk.topics import load_topics
from crm.errors import InvalidInput
from crm.i18n import CATALOG
from crm.sentiment import SentimentModelError, default_analyzer
from crm.store import db, rate_slots
from handlers import (
    agent,
    campaigns,
    customer,
    floods,
    insight,
    manager,
    mining,
    records,
    router,
    sales,
    segments,
    survey,
)
from handlers.context import BotData, CRMContext
from handlers.errors import on_error
from handlers.menu import publish_staff_menus
from handlers.notify import tell_handed_out

log = logging.getLogger(__name__)

# The update types the desk handles; Telegram sends no others (they cost a round trip and a
# stored row each, and a type python-telegram-bot cannot parse could not even arrive).
ALLOWED_UPDATES = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
)
MARKS_INTERVAL = 300.0  # seconds between forgetting PTB's persistence marks
DRAIN_TIMEOUT = 30.0  # seconds a stop waits for fetched updates to be handled


class AppData(BotData):
    """The handlers' BotData plus what only the bot itself holds (typed here, not in handlers)."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: Settings = Settings()
        self.telemetry = Telemetry()
        self.inbox_feed: durable.InboxFeed | None = None
        # The request object that fetches updates (polling), and the task polling with it.
        self.poll_request: AiohttpRequest | None = None
        self.polling_task: asyncio.Task | None = None
        # The campaign sender, once the store is open.
        self.campaign_sender: CampaignSender | None = None
        # The Bot API HTTP clients, closed at shutdown.
        self.http_requests: tuple[AiohttpRequest, ...] = ()


def build_application(settings: Settings, *, concurrency: int = 256) -> Application:
    """Build the bot: settings in bot_data, handlers registered, store opened on start."""
    if not settings.telegram_token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set")
    # Whoever starts the bot (run_bot.py, the demo, a test), the token stays out of logs.
    protect_secrets(settings.secrets)
    quiet_libraries()
    telemetry = Telemetry()
    poll_request = AiohttpRequest(connection_pool_size=1)
    requests = (CountingRequest(telemetry), poll_request)
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .request(requests[0])
        .get_updates_request(poll_request)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .rate_limiter(DeliveryLimiter(overall_per_second=settings.send_rate or None))
        .context_types(ContextTypes(bot_data=AppData))
        .concurrent_updates(PerChatUpdateProcessor(concurrency))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    bot_data: AppData = application.bot_data
    bot_data.settings = settings
    bot_data.telemetry = telemetry
    bot_data.replica_id = settings.replica
    bot_data.poll_request = poll_request
    bot_data.http_requests = requests
    # Webhook replicas may share one customer's updates: they count them in the store's inbox.
    bot_data.floods = FloodControl(
        limit=settings.flood_max,
        shared=settings.webhook_url is not None,
        holder=bot_data.replica_id,
    )
    try:
        bot_data.topics = load_topics(settings.topics_file)
    except InvalidInput as err:
        raise SettingsError(f"CRM_TOPICS_FILE is malformed: {err}") from None
    try:
        bot_data.analyzer = default_analyzer(settings.sentiment_model)
    except SentimentModelError as err:
        raise SettingsError(f"CRM_SENTIMENT_MODEL is malformed: {err}") from None
    # Flood control first: it screens every update before any other handler sees it.
    floods.register(application)
    # Staff commands before the customer catch-alls; the router decides who gets /start,
    # /help, /close and plain private messages.
    agent.register(application)
    manager.register(application)
    insight.register(application)
    records.register(application)
    sales.register(application)
    segments.register(application)
    mining.register(application)
    campaigns.register(application)
    survey.register(application)
    router.register(application)
    jobs.register(application)
    application.add_error_handler(_on_error)
    durable.install(application, replica=settings.replica)
    return application


async def _on_error(update: object, context: CRMContext) -> None:
    """Count the failed update, then let the handlers' error handler log it and apologise."""
    context.bot_data.telemetry.updates.labels("failed").inc()
    await on_error(update, context)


async def _post_init(application: Application) -> None:
    """Open the store (migrated), sync the managers with the setting, publish the command menus."""
    settings: Settings = application.bot_data.settings
    await db.open_store(settings.db_url)
    moved = await queue.sync_managers(
        telegram_ids=settings.manager_ids, default_capacity=settings.agent_capacity
    )
    await manager.announce_manager_sync(application.bot, moved.result)
    await tell_handed_out(application.bot, moved.handed_out)
    await publish_command_menu(application.bot)
    await publish_staff_menus(application.bot)
    budget = rate_slots.shared_budget(rate=settings.broadcast_rate, redis_url=settings.redis_url)
    if budget is not None:
        log.info(
            "campaign rate %s/s shared by all replicas through %s",
            settings.broadcast_rate,
            budget.counter.name,
        )
    sender = CampaignSender(
        application,
        rate=settings.broadcast_rate,
        lease=timedelta(seconds=settings.campaign_lease_s),
        budget=budget,
    )
    application.bot_data.campaign_sender = sender
    sender.start()
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _forget_persistence_marks, interval=MARKS_INTERVAL, first=MARKS_INTERVAL, name="marks"
    )
    log.info("bot @%s ready", application.bot.username)


async def publish_command_menu(bot: Bot) -> None:
    """Publish the customers' command menu in every language; a failure costs the menu only.

    The menu is a convenience (every command also works typed, and /help lists them), so a
    Bot API that refuses it is a warning, not a reason to leave customers without a desk.
    """
    scope = BotCommandScopeAllPrivateChats()
    for language in CATALOG:
        try:
            await bot.set_my_commands(
                customer.bot_commands(language),
                scope=scope,
                language_code=None if language == "en" else language,
            )
        except TelegramError as err:
            log.warning("command menu (%s) not published, starting without it: %s", language, err)


async def _forget_persistence_marks(context: CallbackContext) -> None:
    """Drop the chat and user ids python-telegram-bot keeps for a persistence we do not use."""
    forget_persistence_marks(context.application)


def forget_persistence_marks(application: Application) -> None:
    """Empty python-telegram-bot's "to save" id sets when no persistence will ever empty them.

    PTB 22 adds every update's chat and user id to two sets that only a persistence's flush
    clears; without one they grow by every customer who ever wrote (~175 bytes each).
    """
    if application.persistence is None:
        application._chat_ids_to_be_updated_in_persistence.clear()
        application._user_ids_to_be_updated_in_persistence.clear()


async def _post_stop(application: Application) -> None:
    """Stop the campaign sender while the bot can still record what it sent."""
    sender: CampaignSender | None = application.bot_data.campaign_sender
    if sender is not None:
        await sender.stop()
        application.bot_data.campaign_sender = None
        await jobs.release_leases(application)


async def _post_shutdown(application: Application) -> None:
    """Close the store (stopping the campaign sender first if a failed start left it)."""
    await _post_stop(application)
    await db.close_store()
    log.info("store closed")
    # A start that failed inside initialize() (getMe refused, API unreachable) never gets
    # Application.shutdown to close the HTTP sessions it opened; close them here.
    for request in application.bot_data.http_requests:
        await request.shutdown()


@asynccontextmanager
async def running(
    application: Application, *, poll_timeout: float = 10.0
) -> AsyncIterator[Application]:
    """Run the bot polling inside an event loop that is already running (main, demo, tests).

    The same steps, in the same order, as ``Application.run_polling``: initialize,
    post_init, start, poll; then stop polling, finish what was fetched, stop, post_stop,
    post_shutdown, shutdown. Polling goes through the durable inbox (``bot.polling``)
    unless the settings turn it off to measure what it costs.
    """
    settings: Settings = application.bot_data.settings
    feed: durable.InboxFeed = application.bot_data.inbox_feed
    poller: DurablePoller | None = None
    polling: asyncio.Task | None = None
    ops = AsyncExitStack()
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await ops.enter_async_context(serving_ops(application, settings))
        if settings.polling_inbox:
            await application.bot.delete_webhook()  # getUpdates is refused while one is set
            await feed.start()
            poller = DurablePoller(
                application,
                feed,
                request=application.bot_data.poll_request,
                allowed_updates=ALLOWED_UPDATES,
                timeout=poll_timeout,
            )
            polling = asyncio.create_task(poller.run(), name="polling")
            application.bot_data.polling_task = polling
        else:
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0.0,
                timeout=timedelta(seconds=poll_timeout),
                allowed_updates=ALLOWED_UPDATES,
            )
        try:
            yield application
        finally:
            if poller is not None and polling is not None:
                poller.stop()
                with suppress(Exception, asyncio.CancelledError):
                    await polling
                await feed.stop(drain_timeout=DRAIN_TIMEOUT)  # finish what was fetched
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await ops.aclose()
            if application.running:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
    finally:
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()


async def run_polling_forever(application: Application) -> None:
    """Poll until SIGINT or SIGTERM (or until polling fails for good), then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(application) as app:
        polling: asyncio.Task | None = app.bot_data.polling_task
        waiters = [asyncio.create_task(stop.wait())]
        if polling is not None:
            waiters.append(polling)
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        waiters[0].cancel()
        if polling is not None and polling.done() and not polling.cancelled():
            polling.result()  # polling ended by itself: raise why (a revoked token...)
        log.info("stopping: no new updates; finishing fetched ones")
