"""Leases: with several bot replicas on one store, each scheduled job runs on one at a time.

A lease is a row per job name: who holds it and until when. Taking it is one conditional
UPDATE (free, expired, or already ours) or, the first time, an INSERT that only one replica
can win, so it works the same on SQLite and PostgreSQL with no coordination service. A
holder that dies simply stops renewing: its lease expires and another replica takes the
job over at its next run. A lease named after a period ("segmentation:2026-11-22") held
until the period ends makes a daily job run once per day, whichever replicas fire it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from crm import clock
from crm.models import JobLease

log = logging.getLogger(__name__)


async def acquire(*, name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew the lease on a job for ``ttl``; False while another holder has it."""
    now = clock.utcnow()
    free_or_ours = Q(holder=holder) | Q(expires_at__lte=now)
    taken = await JobLease.filter(Q(name=name) & free_or_ours).update(
        holder=holder, acquired_at=now, expires_at=now + ttl
    )
    if taken:
        return True
    try:
        await JobLease.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
    except IntegrityError:
        return False  # another replica holds it (or took it a moment ago)
    return True


@contextlib.asynccontextmanager
async def holding(*, name: str, holder: str, ttl: timedelta) -> AsyncIterator[bool]:
    """Hold a lease for the length of a block, renewing it meanwhile; yield whether we got it.

    A holder that dies stops renewing, so another replica can take the lease within ``ttl``
    however long the work itself would have taken.
    """
    if not await acquire(name=name, holder=holder, ttl=ttl):
        yield False
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(ttl.total_seconds() / 3)
            try:
                if not await acquire(name=name, holder=holder, ttl=ttl):
                    log.warning("lease %s was taken over while %s held it", name, holder)
                    return
            except Exception:  # the store hiccuped: try again at the next beat
                log.warning("lease %s not renewed; retrying", name, exc_info=True)

    renewing = asyncio.create_task(renew(), name=f"lease:{name}")
    try:
        yield True
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        with contextlib.suppress(Exception):  # unreleased, it simply expires
            await release(name=name, holder=holder)


async def acquire_once(*, name: str, holder: str, until: datetime) -> bool:
    """Take a lease that is never renewed or handed over before ``until`` (once per period)."""
    now = clock.utcnow()
    try:
        await JobLease.create(name=name, holder=holder, acquired_at=now, expires_at=until)
    except IntegrityError:
        return False
    return True


async def start_or_extend(*, name: str, holder: str, ttl: timedelta) -> bool:
    """Keep a lease held for ``ttl`` more; True only when this call began a new tenure.

    Unlike ``acquire``, whoever holds it (another replica, or this one) just sees it
    extended and gets False: "has this period already started?" has one answer.
    """
    now = clock.utcnow()
    expires = now + ttl
    if await JobLease.filter(name=name, expires_at__lte=now).update(
        holder=holder, acquired_at=now, expires_at=expires
    ):
        return True
    try:
        await JobLease.create(name=name, holder=holder, acquired_at=now, expires_at=expires)
    except IntegrityError:
        await JobLease.filter(name=name, expires_at__lt=expires).update(expires_at=expires)
        return False
    return True


async def release(*, name: str, holder: str) -> None:
    """Give a lease up early (a replica shutting down), so another can take over at once."""
    await JobLease.filter(name=name, holder=holder).update(expires_at=clock.utcnow())


async def release_all(*, names: Iterable[str], holder: str) -> int:
    """Give up a replica's leases on some jobs (shutting down), so others take over at once."""
    now = clock.utcnow()
    return await JobLease.filter(name__in=list(names), holder=holder, expires_at__gt=now).update(
        expires_at=now
    )


async def holder_of(*, name: str) -> str | None:
    """Return who holds a lease now, if anyone."""
    lease = await JobLease.get_or_none(name=name)
    if lease is None or lease.expires_at <= clock.utcnow():
        return None
    return lease.holder


async def forget_expired(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete leases that expired long ago (the per-period ones pile up otherwise)."""
    return await JobLease.filter(expires_at__lt=clock.utcnow() - older_than).delete()
