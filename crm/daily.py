"""When the managers' daily summary is due, and claiming it so no day is sent twice."""

from __future__ import annotations

from datetime import date, datetime, time

from tortoise.exceptions import IntegrityError

from crm import clock
from crm.models import SummaryRun


def summary_due(*, now_local: datetime, at: time) -> date | None:
    """Return today's local date once the summary time has passed today, else None.

    The summary sent on a day reports the day before. A bot that was down at the summary
    time sends it when it comes back the same day; a day it missed entirely is skipped.
    """
    return now_local.date() if now_local.time() >= at else None


async def claim(*, day: date) -> bool:
    """Claim the summary of a local day; False when it was already claimed (sent or sending)."""
    try:
        await SummaryRun.create(day=day, started_at=clock.utcnow())
    except IntegrityError:
        return False
    return True


async def record_sent(*, day: date, recipients: int) -> None:
    """Record how many managers received a day's summary."""
    await SummaryRun.filter(day=day).update(sent_to=recipients)
