"""What the scheduled jobs do: SLA checks, sentiment scoring, housekeeping (bot.jobs runs them)."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import Application

from crm.desk import actions, queue, sla
from crm.desk.staff import find_staff
from crm.i18n import DEFAULT_LANGUAGE, Phrase
from crm.models import SlaKind
from crm.sentiment import scoring
from crm.store import dialogs, inbox, leases
from handlers import sales
from handlers.agent import unknown_reply_text
from handlers.context import CRMContext, DeskSettings
from handlers.notify import alert_managers, tell_handed_out
from handlers.text import esc

log = logging.getLogger(__name__)

# A reply still "sending" after this was cut off by a crash (a send takes seconds at most).
STUCK_REPLY = timedelta(minutes=5)
# Per run, so one run never holds the loop long; the backlog drains over the next runs.
SENTIMENT_BATCH_LIMIT = 20_000
# Leases that expired this long ago are deleted (the per-day ones pile up otherwise).
EXPIRED_LEASES_KEEP = timedelta(days=1)


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
        author = await find_staff(telegram_id=message.author_telegram_id)
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
    settings: DeskSettings = application.bot_data.settings
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
    moved = await queue.reroute_late_tickets(default_capacity=settings.agent_capacity)
    await tell_handed_out(application.bot, moved.handed_out)
    return len(pending)
