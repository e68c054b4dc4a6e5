"""When the managers' daily summary is due, and claiming it so no day is sent twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tortoise.exceptions import IntegrityError

from crm import clock
from crm.models import SummaryRun

# Building and sending a summary takes seconds; a claim this old was abandoned.
STALE_CLAIM = timedelta(minutes=2)


def summary_due(*, now_local: datetime, at: time) -> date | None:
    """Return today's local date once the summary time has passed today, else None.

    The summary sent on a day reports the day before. A bot that was down at the summary
    time sends it when it comes back the same day; a day it missed entirely is skipped.
    """
    return now_local.date() if now_local.time() >= at else None


async def claim(*, day: date, stale_after: timedelta = STALE_CLAIM) -> bool:
    """Claim the summary of a local day; False when it was sent or is being sent.

    A claim that was never finished (the replica sending it died) is taken over once it is
    older than ``stale_after``: a summary may then, rarely, arrive twice, but never not at all.
    """
    now = clock.utcnow()
    try:
        await SummaryRun.create(day=day, started_at=now)
    except IntegrityError:
        taken = await SummaryRun.filter(
            day=day, finished_at=None, started_at__lt=now - stale_after
        ).update(started_at=now)
        return bool(taken)
    return True


async def record_sent(*, day: date, recipients: int) -> None:
    """Record that a day's summary went out, and to how many managers."""
    await SummaryRun.filter(day=day).update(sent_to=recipients, finished_at=clock.utcnow())
