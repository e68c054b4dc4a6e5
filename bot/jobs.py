"""Every schedule and lease: which job runs when, and on which replica.

What each job does lives with the handlers (handlers.jobs, insight, sales, segments); this
module only decides when it runs and makes sure one replica runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import time, timedelta

from telegram.ext import Application

from bot.settings import Settings
from crm import clock
from crm.store import leases
from handlers import insight, jobs, segments
from handlers.context import CRMContext

log = logging.getLogger(__name__)

SLA_INTERVAL = timedelta(minutes=1)
SENTIMENT_INTERVAL = timedelta(seconds=30)
# Replicas share the store: each repeating job runs on the replica holding its lease. A lease
# shorter than the interval means a dead holder is replaced at the next run (within a minute).
LEASED_JOBS = {"sla": timedelta(seconds=45), "sentiment": timedelta(seconds=25)}
# A daily run renews its lease while it works; a dead runner is replaced within a minute.
DAILY_RUN_LEASE = timedelta(seconds=45)
DAILY_CHECK = timedelta(minutes=1)
DAILY_DONE_KEEP = timedelta(days=2)  # outlives the local day in every time zone
HOUSEKEEPING_AT = time(4, 0)  # local time; a quiet hour for deleting old rows
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
        settings: Settings = context.bot_data.settings  # the bot's own
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


# Each daily job: its name (also its lease's), what it does, its local time, first check (s).
DAILY_JOBS: tuple[tuple[str, Job, Callable[[Settings], time], int], ...] = (
    ("daily-summary", insight.daily_summary_job, lambda s: s.daily_summary_at, 10),
    ("housekeeping", jobs.housekeeping_job, lambda s: HOUSEKEEPING_AT, 12),
    ("task-reminders", jobs.task_reminder_job, lambda s: s.daily_summary_at, 15),
    ("segmentation", segments.segmentation_job, lambda s: s.segments_at, 20),
)


def register(application: Application) -> None:
    """Schedule the jobs on the application's JobQueue."""
    assert application.job_queue is not None, "python-telegram-bot[job-queue] is required"
    timed = application.bot_data.telemetry.timed_job
    application.job_queue.run_repeating(
        timed("sla", leased("sla", jobs.sla_job)),
        interval=SLA_INTERVAL,
        first=SLA_INTERVAL,
        name="sla-check",
    )
    application.job_queue.run_repeating(
        timed("sentiment", leased("sentiment", jobs.sentiment_job)),
        interval=SENTIMENT_INTERVAL,
        first=5,
        name="sentiment-scoring",
    )
    # Daily jobs go through once_a_day: one replica runs each once per local day, catching
    # up after downtime. The summary also keeps its own record of who got each day's.
    for name, job, at, first in DAILY_JOBS:
        application.job_queue.run_repeating(
            timed(name, once_a_day(name, job, at=at)),
            interval=DAILY_CHECK,
            first=first,
            name=name,
        )
