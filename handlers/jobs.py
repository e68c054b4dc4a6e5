"""Scheduled work: SLA checks, sentiment scoring, the daily summary, task reminders, segments."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import time, timedelta

from telegram.error import TelegramError
from telegram.ext import Application

from bot.settings import Settings
from crm import clock
from crm.desk import actions, routing, sla
from crm.i18n import DEFAULT_LANGUAGE, Phrase
from crm.models import SlaKind, StaffMember
from crm.sentiment import scoring
from crm.store import dialogs, inbox, leases
from handlers import insight, sales, segments
from handlers.agent import unknown_reply_text
from handlers.context import CRMContext
from handlers.notify import alert_managers, drain_and_notify
from handlers.text import esc

log = logging.getLogger(__name__)

SLA_INTERVAL = timedelta(minutes=1)
# A reply still "sending" after this was cut off by a crash (a send takes seconds at most).
STUCK_REPLY = timedelta(minutes=5)
SENTIMENT_INTERVAL = timedelta(seconds=30)
# Per run, so one run never holds the loop long; the backlog drains over the next runs.
SENTIMENT_BATCH_LIMIT = 20_000
# Replicas share the store: each repeating job runs on the replica holding its lease. A lease
# shorter than the interval means a dead holder is replaced at the next run (within a minute).
LEASED_JOBS = {"sla": timedelta(seconds=45), "sentiment": timedelta(seconds=25)}
LEASED_JOBS["daily-summary"] = LEASED_JOBS["sla"]
# A daily run renews its lease while it works; a dead runner is replaced within a minute.
DAILY_RUN_LEASE = timedelta(seconds=45)
DAILY_CHECK = timedelta(minutes=1)
DAILY_DONE_KEEP = timedelta(days=2)  # outlives the local day in every time zone
HOUSEKEEPING_AT = time(4, 0)  # local time; a quiet hour for deleting old rows
# Leases that expired this long ago are deleted (the per-day ones pile up otherwise).
EXPIRED_LEASES_KEEP = timedelta(days=1)
Job = Callable[[CRMContext], Awaitable[None]]


def leased(name: str, job: Job) -> Job:
    """Run a repeating job only on the replica that holds (or takes) its lease."""

    async def run(context: CRMContext) -> None:
        holder = context.bot_data.replica_id
        if await leases.acquire(name=name, holder=holder, ttl=LEASED_JOBS[name]):
            await job(context)
        else:
            log.debug("%s: another replica holds the lease", name)

    return run


def once_a_day(name: str, job: Job, *, at: Callable[[Settings], time]) -> Job:
    """Run a daily job once per local day from its time on, on one replica.

    Checked every minute rather than fired once at the time: a bot that was down then still
    runs it when it comes back that day, and when the replica running it dies, another one
    finishes the day's run within a minute (its run lease stops being renewed).
    """

    async def run(context: CRMContext) -> None:
        settings: Settings = context.bot_data.settings
        now_local = clock.utcnow().astimezone(settings.timezone)
        if now_local.time() < at(settings):
            return
        day = now_local.date().isoformat()
        done = f"{name}:{day}"
        if await leases.holder_of(name=done) is not None:
            return
        holder = context.bot_data.replica_id
        async with leases.holding(name=f"{done}:run", holder=holder, ttl=DAILY_RUN_LEASE) as held:
            if not held or await leases.holder_of(name=done) is not None:
                log.debug("%s: today's run is another replica's", name)
                return
            until = clock.utcnow() + DAILY_DONE_KEEP
            try:
                await job(context)
            except Exception:
                # A failing job is reported once (by the error handler), not retried every
                # minute. A replica killed or stopped mid-run never gets here: it is redone.
                await leases.acquire_once(name=done, holder=holder, until=until)
                raise
            await leases.acquire_once(name=done, holder=holder, until=until)

    return run


async def release_leases(application: Application) -> None:
    """Give up this replica's job leases (stopping), so another takes over at once."""
    await leases.release_all(names=LEASED_JOBS, holder=application.bot_data.replica_id)


def register(application: Application) -> None:
    """Schedule the jobs on the application's JobQueue."""
    assert application.job_queue is not None, "python-telegram-bot[job-queue] is required"
    timed = application.bot_data.telemetry.timed_job
    application.job_queue.run_repeating(
        timed("sla", leased("sla", sla_job)),
        interval=SLA_INTERVAL,
        first=SLA_INTERVAL,
        name="sla-check",
    )
    application.job_queue.run_repeating(
        timed("sentiment", leased("sentiment", sentiment_job)),
        interval=SENTIMENT_INTERVAL,
        first=5,
        name="sentiment-scoring",
    )
    # Checked every minute rather than run_daily: a bot that was down at the summary time
    # still sends it when it comes back the same day (the claim keeps it to once a day).
    application.job_queue.run_repeating(
        timed("daily-summary", leased("daily-summary", insight.daily_summary_job)),
        interval=SLA_INTERVAL,
        first=10,
        name="daily-summary",
    )
    application.job_queue.run_repeating(
        timed(
            "task-reminders",
            once_a_day("task-reminders", task_reminder_job, at=lambda s: s.daily_summary_at),
        ),
        interval=DAILY_CHECK,
        first=15,
        name="task-reminders",
    )
    application.job_queue.run_repeating(
        timed(
            "segmentation",
            once_a_day("segmentation", segments.segmentation_job, at=lambda s: s.segments_at),
        ),
        interval=DAILY_CHECK,
        first=20,
        name="segmentation",
    )
    application.job_queue.run_repeating(
        timed(
            "housekeeping",
            once_a_day("housekeeping", housekeeping_job, at=lambda s: HOUSEKEEPING_AT),
        ),
        interval=DAILY_CHECK,
        first=12,
        name="housekeeping",
    )


async def sentiment_job(context: CRMContext) -> None:
    """Score customer messages that have no score from the configured analyzer yet."""
    await score_messages(context.application)


async def score_messages(application: Application) -> int:
    """Score a bounded batch of unscored messages; return how many."""
    analyzer = application.bot_data.analyzer
    return await scoring.score_pending(analyzer=analyzer, limit=SENTIMENT_BATCH_LIMIT)


async def housekeeping_job(context: CRMContext) -> None:
    """Delete what only grows: expired leases, handled webhook updates, abandoned dialogs."""
    await housekeeping()


async def housekeeping() -> tuple[int, int]:
    """Delete old leases, inbox rows and abandoned dialogs; return (leases, updates) deleted."""
    old_leases = await leases.forget_expired(older_than=EXPIRED_LEASES_KEEP)
    old_updates = await inbox.forget_handled()
    # Dialogs time out after minutes; one whose timeout never ran (its replica stopped) goes.
    old_dialogs = await dialogs.forget_stale(older_than=EXPIRED_LEASES_KEEP)
    log.info(
        "housekeeping: %s expired leases, %s handled updates, %s abandoned dialogs deleted",
        old_leases,
        old_updates,
        old_dialogs,
    )
    return old_leases, old_updates


async def task_reminder_job(context: CRMContext) -> None:
    """Remind each owner of follow-ups due today or overdue, once a day."""
    await sales.remind_tasks(context.application)


async def sla_job(context: CRMContext) -> None:
    """Run the SLA check from the JobQueue, and settle replies a crash left mid-send."""
    await settle_interrupted_replies(context.application)
    await check_sla(context.application)


async def settle_interrupted_replies(application: Application) -> int:
    """Tell agents about replies stuck "sending" (their bot died mid-send); return how many.

    Normally the replayed staff message settles its own reply at once; this catches the rest
    (a staff message set aside, a replica gone for good).
    """
    settled = await actions.settle_interrupted(older_than=STUCK_REPLY)
    for message in settled:
        if message.author_telegram_id is None:
            continue
        author = await StaffMember.get_or_none(telegram_id=message.author_telegram_id)
        lang = author.text_language if author is not None else DEFAULT_LANGUAGE
        try:
            await application.bot.send_message(
                message.author_telegram_id,
                unknown_reply_text(message.ticket.customer.display_name, message.ticket.id, lang),
            )
        except TelegramError as err:
            who = message.author_telegram_id
            log.warning("could not tell agent %s about an interrupted reply: %s", who, err)
    return len(settled)


async def check_sla(application: Application) -> int:
    """Record new breaches, tell the managers once about each, re-route offline agents' tickets.

    Returns how many breaches were announced.
    """
    settings: Settings = application.bot_data.settings
    targets = sla.SlaTargets(
        first_response=timedelta(minutes=settings.sla_first_response_min),
        resolution=timedelta(hours=settings.sla_resolution_hours),
    )
    await sla.detect_breaches(targets=targets)
    pending = await sla.unnotified_breaches()
    for breach in pending:
        ticket = breach.ticket
        who = esc(breach.agent.label) if breach.agent else Phrase("staff.sla.nobody")
        what = (
            Phrase("staff.sla.first_response", minutes=settings.sla_first_response_min)
            if breach.kind is SlaKind.FIRST_RESPONSE
            else Phrase("staff.sla.resolution", hours=settings.sla_resolution_hours)
        )
        alert = Phrase(
            "staff.sla.breach",
            ticket_id=ticket.id,
            kind=Phrase(f"staff.kind.{ticket.kind.value}"),
            customer=esc(ticket.customer.display_name),
            what=what,
            who=who,
        )
        await alert_managers(application.bot, alert, ticket=ticket)
    await sla.mark_notified(breaches=pending)
    late = await sla.late_tickets_with_offline_agents()
    for ticket in late:
        log.info("re-routing late ticket #%s away from its offline agent", ticket.id)
        await routing.release_ticket(ticket=ticket)
    if late:
        await drain_and_notify(application.bot, settings)
    return len(pending)
