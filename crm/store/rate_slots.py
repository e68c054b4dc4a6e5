"""The campaign rate shared by every bot replica: a per-slot allowance in Redis or the store.

Wall-clock time is cut into slots of ``SLOT_MS``. Each slot allows ``rate * slot length``
messages across all replicas together (spread so that whole slots add up to exactly
``rate`` per second). A replica adds what it wants to the slot's counter in one atomic step
(Redis ``INCRBY``, or an upsert on PostgreSQL) and is granted what still fitted under the
allowance before its own addition; what it was granted but did not use lapses with the slot,
so nothing is carried over and a burst never borrows from the future.

Slot ids come from ``time.time()``: replicas on different machines share nothing else. Their
clocks' disagreement (milliseconds under NTP) is the only slack on top of the allowance.

When the counter cannot be reached the budget fails closed: it grants nothing, logs once,
and asks again a moment later, so campaigns pause rather than exceed the rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from crm.models import BroadcastSlot

log = logging.getLogger(__name__)

# Any one-second window holds at most rate * (1 + slot length): 1.2 x rate, i.e. 30/s at
# the default 25/s, Telegram's limit. Longer slots let every replica burst at once at each
# slot's start (up to 2 x rate across a boundary with 1 s slots); shorter ones cost more
# round trips for the same chunk size.
SLOT_MS = 200
CHUNK_SECONDS = 0.1  # a replica asks for a tenth of a second's worth at a time
OUTAGE_PAUSE = 1.0  # seconds between attempts while the counter cannot be reached
REDIS_PREFIX = "crm:broadcast"
REDIS_TTL_S = 10  # a slot's key outlives the slot by far, then Redis drops it
REDIS_TIMEOUT_S = 2.0
STORE_KEEP_SLOTS = 300  # a minute of slots kept in the table, for a look when debugging
STORE_SWEEP_EVERY_S = 30.0


class SlotCounter(Protocol):
    """An atomic per-slot counter every replica shares."""

    name: str

    async def add(self, *, slot: int, count: int) -> int:
        """Add ``count`` to a slot's counter; return the counter after the addition."""
        ...

    async def close(self) -> None:
        """Release the counter's connections."""
        ...


class StoreSlotCounter:
    """Count slots in the ``broadcast_slot`` table: one upsert per addition."""

    name = "the store"

    def __init__(self, *, keep_slots: int = STORE_KEEP_SLOTS) -> None:
        self.keep_slots = keep_slots
        self._swept_at = float("-inf")

    async def add(self, *, slot: int, count: int) -> int:
        """Add ``count`` to a slot's row (creating it); return its total after the addition."""
        # Every replica sweeps now and then, not every call: the table stays a few hundred
        # rows and the hot path stays one statement.
        if time.monotonic() - self._swept_at >= STORE_SWEEP_EVERY_S:
            self._swept_at = time.monotonic()
            await BroadcastSlot.filter(slot__lt=slot - self.keep_slots).delete()
        connection = BroadcastSlot._meta.db
        marks = ("$1", "$2") if connection.capabilities.dialect == "postgres" else ("?", "?")
        # One statement: the row lock (PostgreSQL) or the write lock (SQLite) makes the
        # read-add-write atomic, so concurrent replicas see each other's additions.
        rows = await connection.execute_query_dict(
            f"INSERT INTO broadcast_slot (slot, used) VALUES ({marks[0]}, {marks[1]}) "
            "ON CONFLICT (slot) DO UPDATE SET used = broadcast_slot.used + EXCLUDED.used "
            "RETURNING used",
            [slot, count],
        )
        return int(rows[0]["used"])

    async def close(self) -> None:
        """Leave the store's connections to whoever opened the store."""


class RedisSlotCounter:
    """Count slots in Redis keys ``<prefix>:<slot>`` that expire on their own."""

    name = "Redis"

    def __init__(self, client: Redis, *, prefix: str = REDIS_PREFIX) -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = REDIS_PREFIX) -> RedisSlotCounter:
        """Return a counter on a new client for a redis:// or rediss:// URL."""
        # Bounded waits: a Redis that stops answering pauses sends, it must not hang them.
        client = Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        return cls(client, prefix=prefix)

    async def add(self, *, slot: int, count: int) -> int:
        """Add ``count`` to a slot's key; return its value after the addition."""
        key = f"{self.prefix}:{slot}"
        # MULTI/EXEC: the key never exists without its expiry, whatever fails in between.
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(key, count)
            pipe.expire(key, REDIS_TTL_S)
            used, _ = await pipe.execute()
        return int(used)

    async def close(self) -> None:
        """Close the client's connections."""
        await self.client.aclose()


class RateBudget:
    """Take turns to send from a message rate shared by every replica."""

    def __init__(
        self,
        *,
        counter: SlotCounter,
        rate: float,
        slot_ms: int = SLOT_MS,
        chunk: int | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.counter = counter
        self.rate = rate
        self.slot_ms = slot_ms
        # Thousandths of a message per slot, so that fractional allowances (6.25 per slot)
        # add up exactly over whole slots and every replica computes the same numbers.
        self._per_slot_milli = round(rate * slot_ms)
        self.chunk = chunk or max(1, math.ceil(rate * CHUNK_SECONDS))
        self._wall = wall
        self._lock = asyncio.Lock()
        self._slot = -1  # the slot our unused tokens belong to
        self._tokens = 0
        self._out_since: float | None = None  # when the counter stopped answering

    def slot_now(self) -> int:
        """Return the id of the slot the wall clock is in."""
        return int(self._wall() * 1000) // self.slot_ms

    def allowance(self, slot: int) -> int:
        """Return how many messages one slot allows across all replicas."""
        return (self._per_slot_milli * (slot + 1)) // 1000 - (self._per_slot_milli * slot) // 1000

    def seconds_to_next_slot(self) -> float:
        """Return how long until the next slot starts."""
        return max(0.0, (self.slot_now() + 1) * self.slot_ms / 1000 - self._wall())

    async def take(self, wanted: int) -> int:
        """Claim up to ``wanted`` messages of the current slot; return how many were granted."""
        return await self._take_in(self.slot_now(), wanted)

    async def _take_in(self, slot: int, wanted: int) -> int:
        used = await self.counter.add(slot=slot, count=wanted)
        before = used - wanted  # what the other replicas (and we, earlier) had taken
        return max(0, min(wanted, self.allowance(slot) - before))

    async def acquire(self, *, stop: asyncio.Event | None = None) -> bool:
        """Wait for one message's turn; False if ``stop`` is set before it comes."""
        # One caller at a time talks to the counter and waits out a used-up slot; the
        # others queue here and then use the tokens it brought back.
        async with self._lock:
            while stop is None or not stop.is_set():
                slot = self.slot_now()
                if self._slot == slot and self._tokens > 0:
                    self._tokens -= 1
                    return True
                try:
                    granted = await self._take_in(slot, self.chunk)
                except Exception as err:  # whatever the backend raises, never send unmetered
                    self._went_out(err)
                    await _wait(stop, OUTAGE_PAUSE)
                    continue
                self._came_back()
                if granted and self.slot_now() == slot:
                    self._slot, self._tokens = slot, granted - 1
                    return True
                if not granted:  # else the slot ended during the round trip: it lapsed
                    await _wait(stop, self.seconds_to_next_slot() + 0.001)
            return False

    def _went_out(self, err: Exception) -> None:
        if self._out_since is None:
            self._out_since = time.monotonic()
            log.warning(
                "shared broadcast rate: %s does not answer (%s: %s); campaign sends pause "
                "until it does",
                self.counter.name,
                type(err).__name__,
                err,
            )

    def _came_back(self) -> None:
        if self._out_since is not None:
            log.info(
                "shared broadcast rate: %s answers again after %.0f s; campaign sends resume",
                self.counter.name,
                time.monotonic() - self._out_since,
            )
            self._out_since = None

    async def close(self) -> None:
        """Release the counter's connections."""
        await self.counter.close()


async def _wait(stop: asyncio.Event | None, seconds: float) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def shared_budget(*, rate: float, redis_url: str | None) -> RateBudget | None:
    """Return the budget replicas share: Redis if set, else a PostgreSQL store, else None.

    None means one machine (an SQLite store has one process): its own even pacing is the
    whole rate, with no round trips. Call it with the store open.
    """
    if redis_url:
        return RateBudget(counter=RedisSlotCounter.from_url(redis_url), rate=rate)
    if BroadcastSlot._meta.db.capabilities.dialect == "postgres":
        return RateBudget(counter=StoreSlotCounter(), rate=rate)
    return None


async def ping_redis(*, url: str) -> None:
    """Raise unless a Redis server answers at the URL."""
    client = Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
    try:
        await client.ping()
    finally:
        await client.aclose()
