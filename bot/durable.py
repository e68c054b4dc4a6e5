"""Hand stored updates to the Application, and settle each one when its handlers ran.

Polling and webhook mode both store every update in the inbox (``crm.store.inbox``) before
Telegram is told it arrived; this module is the one path from a stored row to
python-telegram-bot's ``update_queue`` and back:

* ``feed`` parses stored payloads (one that python-telegram-bot cannot parse is a failed
  try, never an exception in a fetch loop) and queues them;
* a handler in the last group marks each update processed, or, when a handler raised,
  records the failed try; out of tries, the update is set aside with its error;
* ``resume`` takes up this deployment's own unhandled updates at start-up (no lease wait),
  ``keep`` renews liveness, adopts dead replicas' updates and retries failed ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, TypeHandler
from tortoise.exceptions import DBConnectionError, OperationalError

from crm.store import inbox

log = logging.getLogger(__name__)

# Runs after every other handler group, so an update counts as processed only then.
DONE_GROUP = 10_000
# How often a replica renews its liveness, adopts dead replicas' updates and looks for its
# own failed ones: well inside inbox.REPLICA_TTL, so it is never taken for dead.
KEEP_INTERVAL = 15.0


def store_failure(error: BaseException) -> bool:
    """Return whether an error means the store is unreachable or busy, not the data refused.

    Such a failure passes by itself (the update waits for the store and loses no try);
    any other one would repeat, so it must not block what comes after.
    """
    seen: BaseException | None = error
    for _ in range(10):  # the error and what caused it (tortoise wraps the driver's)
        if seen is None:
            break
        if isinstance(seen, DBConnectionError | ConnectionError | TimeoutError):
            return True
        if isinstance(seen, OSError) and not isinstance(seen, FileNotFoundError):
            return True
        if type(seen).__name__ in _ASYNCPG_UNAVAILABLE:
            return True
        text = str(seen).lower()
        if isinstance(seen, sqlite3.OperationalError | OperationalError) and any(
            word in text for word in _UNAVAILABLE_WORDS
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# asyncpg's errors for a server that is gone, restarting or full, by name (asyncpg is not
# imported where SQLite is the store).
_ASYNCPG_UNAVAILABLE = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "PostgresConnectionError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
        "InterfaceError",
        "AdminShutdownError",
        "CrashShutdownError",
        "ClientCannotConnectError",
    }
)
_UNAVAILABLE_WORDS = ("locked", "busy", "connection", "closed", "unable to open", "disk i/o")


class InboxFeed:
    """The durable path of updates through one Application (see the module docstring)."""

    def __init__(self, application: Application, *, replica: str) -> None:
        self.application = application
        self.replica = replica
        # Update id -> this try's number, for updates queued or being handled here.
        self._in_hand: dict[int, int] = {}
        # Handler errors of updates being handled, noted by the error handler.
        self._errors: dict[int, BaseException] = {}
        self._to_mark: list[int] = []
        self._marking: asyncio.Task | None = None
        self._retry: asyncio.Task | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._room = asyncio.Event()
        self._room_below = 0
        self._store_down = False
        application.add_handler(TypeHandler(Update, self._settle), group=DONE_GROUP)

    # ------------------------------------------------------------------ what others ask

    @property
    def in_hand(self) -> int:
        """Return how many stored updates are queued or being handled in this process."""
        return len(self._in_hand)

    def stored(self, update: object) -> bool:
        """Return whether an update being handled is safe in the inbox."""
        return isinstance(update, Update) and update.update_id in self._in_hand

    def first_try(self, update: object) -> bool:
        """Return whether this is the update's first try (an apology is said only once)."""
        return not isinstance(update, Update) or self._in_hand.get(update.update_id, 1) <= 1

    def note_error(self, update: object, error: BaseException | None) -> None:
        """Remember that a handler failed on an update (called by the error handler)."""
        if isinstance(update, Update) and error is not None and update.update_id in self._in_hand:
            self._errors.setdefault(update.update_id, error)

    # ------------------------------------------------------------------ handing out

    async def feed(self, pending: list[inbox.Pending]) -> int:
        """Parse stored updates and queue them for the handlers; return how many were queued."""
        queued = 0
        for item in pending:
            if item.update_id in self._in_hand:
                continue  # already here (a replay racing the live copy)
            try:
                update = Update.de_json(item.payload, self.application.bot)
            except Exception as err:  # whatever python-telegram-bot raises for a bad shape
                await self._failed(item.update_id, item.attempts, err, parsing=True)
                continue
            self._in_hand[item.update_id] = item.attempts
            self._idle.clear()
            await self.application.update_queue.put(update)
            queued += 1
        return queued

    async def resume(self) -> int:
        """Take up this deployment's own unhandled updates (start-up: none is under way)."""
        pending, given_up = await inbox.take_own(replica=self.replica, due_only=False)
        self._report_set_aside(given_up)
        if pending:
            log.info("resuming %s stored update(s) not handled before the restart", len(pending))
        return await self.feed(pending)

    async def keep(self) -> int:
        """Renew liveness, adopt what dead replicas left, retry our failed updates."""
        await inbox.heartbeat(replica=self.replica)
        adopted = await inbox.adopt_orphans(replica=self.replica)
        if adopted:
            log.info(
                "adopting %s update(s) a stopped replica accepted but never handled", len(adopted)
            )
        queued = await self.feed(adopted)
        return queued + await self.retry_due()

    async def retry_due(self) -> int:
        """Queue this deployment's failed updates whose wait is over."""
        pending, given_up = await inbox.take_own(
            replica=self.replica, exclude=frozenset(self._in_hand)
        )
        self._report_set_aside(given_up)
        return await self.feed(pending)

    async def start(self) -> None:
        """Say this replica is alive, take up its own and dead replicas' updates, keep at it."""
        await inbox.heartbeat(replica=self.replica)
        await self.resume()  # our own updates left unhandled by the last run, at once
        await self.keep()  # and those of replicas that are gone
        job_queue = self.application.job_queue
        assert job_queue is not None
        job_queue.run_repeating(
            keep_inbox, interval=KEEP_INTERVAL, first=KEEP_INTERVAL, name="inbox"
        )

    async def stop(self, *, drain_timeout: float) -> None:
        """Finish what is in hand (bounded), write the marks, give up the liveness lease."""
        await self.wait_idle(drain_timeout)
        await self.close()
        with contextlib.suppress(Exception):  # the store may be what failed: the lease expires
            await inbox.sign_off(replica=self.replica)

    async def wait_below(self, limit: int) -> None:
        """Wait until fewer than ``limit`` updates are queued or being handled here."""
        while len(self._in_hand) >= limit:
            self._room_below = limit
            self._room.clear()
            await self._room.wait()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or being handled here; False on timeout."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Write the marks still pending and stop the background work."""
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
        if self._marking is not None:
            with contextlib.suppress(Exception):
                await self._marking
        with contextlib.suppress(Exception):  # the store may be down: they are replayed
            await self._flush_marks()

    # ------------------------------------------------------------------ settling

    async def _settle(self, update: Update, context: CallbackContext) -> None:
        """Mark the update processed, or record its failed try (the last handler group)."""
        update_id = update.update_id
        attempts = self._in_hand.get(update_id)
        if attempts is None:
            return  # not from the inbox (a test driving process_update directly)
        error = self._errors.pop(update_id, None)
        try:
            if error is None:
                self._to_mark.append(update_id)
                if self._marking is None:
                    self._marking = asyncio.create_task(self._mark_soon(), name="inbox-marks")
                self.application.bot_data.telemetry.updates.labels("processed").inc()
            else:
                await self._failed(update_id, attempts, error, parsing=False)
        finally:
            del self._in_hand[update_id]
            if len(self._in_hand) < self._room_below:
                self._room.set()
            if not self._in_hand:
                self._idle.set()

    async def _mark_soon(self) -> None:
        """Write the processed marks in one statement per burst (group commit)."""
        try:
            while self._to_mark:
                await asyncio.sleep(0)  # let the updates finishing this moment join in
                await self._flush_marks()
        except Exception:
            log.warning("could not mark handled updates; they will be replayed", exc_info=True)
        finally:
            self._marking = None

    async def _flush_marks(self) -> None:
        ids, self._to_mark = self._to_mark, []
        try:
            await inbox.mark_processed_many(update_ids=ids)
        except Exception:
            self._to_mark[:0] = ids  # try again with the next batch (or at close)
            raise

    async def _failed(
        self, update_id: int, attempts: int, error: BaseException, *, parsing: bool
    ) -> None:
        """Record a failed try; log the first one and the giving up, never each poll."""
        transient = not parsing and store_failure(error)
        what = "could not be parsed" if parsing else "failed"
        summary = f"{type(error).__name__}: {error}"
        if attempts <= 1 and not transient:
            log.warning(
                "update %s %s (try %s of %s); it stays stored and is retried: %s",
                update_id,
                what,
                attempts,
                inbox.MAX_ATTEMPTS,
                summary,
            )
        try:
            set_aside = await inbox.record_failure(
                update_id=update_id, error=summary, counts=not transient
            )
        except Exception:
            log.warning("could not record the failure of update %s; retried later", update_id)
            set_aside = False
        if set_aside:
            self._report_set_aside(
                [inbox.SetAside(update_id=update_id, attempts=attempts, error=summary)]
            )
        self._schedule_retry(inbox.backoff(attempts).total_seconds())

    def _report_set_aside(self, given_up: list[inbox.SetAside]) -> None:
        telemetry = self.application.bot_data.telemetry
        for item in given_up:
            telemetry.updates.labels("set_aside").inc()
            log.error(
                "update %s set aside after %s tries; it no longer holds up others (see crm doctor)",
                item.update_id,
                item.attempts,
            )

    def _schedule_retry(self, delay: float) -> None:
        """Look for due retries after ``delay`` (one timer at a time)."""
        if self._retry is not None and not self._retry.done():
            return

        async def later() -> None:
            await asyncio.sleep(delay)
            self._retry = None  # the tries below may need the next timer
            try:
                await self.retry_due()
            except Exception as err:
                log.debug("retry of failed updates postponed: %s", err)
                self._schedule_retry(min(delay * 2, inbox.MAX_BACKOFF.total_seconds()))

        self._retry = asyncio.create_task(later(), name="inbox-retry")


async def keep_inbox(context: CallbackContext) -> None:
    """Renew this replica's liveness and adopt what dead replicas left (a JobQueue job)."""
    feed: Any = context.application.bot_data.inbox_feed
    if feed is not None:
        await feed.keep()


def install(application: Application, *, replica: str) -> InboxFeed:
    """Attach the durable path to an application (before it starts) and return it."""
    feed = InboxFeed(application, replica=replica)
    application.bot_data.inbox_feed = feed
    return feed
