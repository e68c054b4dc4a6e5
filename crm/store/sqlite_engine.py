"""tortoise-orm's SQLite backend, with statements run on the event loop instead of a thread.

tortoise talks to SQLite through aiosqlite, which hands every statement to a worker thread
and waits for the answer on the event loop. A help desk's statements are tiny (an indexed
lookup or a one-row insert: tens of microseconds in SQLite) while each hand-off costs a
thread wake-up, a GIL exchange and a turn of the event loop; and tortoise holds its one
SQLite connection for the whole of a transaction, so every hand-off inside one stretches
the time all other messages wait. Run on the loop, a statement finishes before anything
else gets the connection (``bench/throughput_bench.py`` measures the difference).

Two things still go to the thread, so the loop never waits on another process:

- a statement that finds the database locked by another process (the ``crm`` command line
  importing, say): the loop never waits for a lock; the statement is retried on the
  thread with the usual patience (SQLITE_BUSY means it had no effect, so it is safe);
- batches (``executemany``, ``executescript``): bulk writes and migrations, the long ones.

Writes that may be lost to a power cut without harm (a mark that the customer was sent
their acknowledgement: at worst they would get it twice) can run inside ``lazy_commit()``:
such a statement, committed on its own, skips the wait for the disk (synchronous=NORMAL for
that one commit). The write-ahead log is synced in order, so it becomes durable with the
next ordinary commit, and nothing committed before it is ever at risk. Every other commit
waits for the disk as before.

Selected in ``crm.store.db.tortoise_config`` for every ``sqlite://`` URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient

# How long a statement waits for another process's write lock (on the thread), as sqlite3's
# own default.
BUSY_TIMEOUT_MS = 5_000
_BATCHES = frozenset({"executemany", "executescript"})
# A data statement: what a lazy commit may apply to (not BEGIN, COMMIT, PRAGMA, ...).
_STATEMENTS = frozenset({"execute", "_execute_fetchall", "_execute_insert"})
_NOT_DATA = ("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
_lazy = contextvars.ContextVar("crm_sqlite_lazy_commit", default=False)
NORMAL = 1  # PRAGMA synchronous levels: OFF 0, NORMAL 1, FULL 2, EXTRA 3


@contextlib.contextmanager
def lazy_commit() -> Iterator[None]:
    """Let statements committed on their own in this block skip the wait for the disk.

    Only for writes whose loss in a power cut is harmless; on other stores it does nothing.
    """
    token = _lazy.set(True)
    try:
        yield
    finally:
        _lazy.reset(token)


class LoopConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs statements on the loop (see the module docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._synchronous: int | None = None  # the configured level, read once

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        name = getattr(fn, "__name__", "")
        if name not in _BATCHES:
            try:
                if _lazy.get() and self._autocommits(name, args):
                    return self._lazily(partial(fn, *args, **kwargs))
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as err:
                if err.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
        return await asyncio.to_thread(self._patiently, partial(fn, *args, **kwargs))

    def _autocommits(self, name: str, args: tuple[Any, ...]) -> bool:
        """Return whether this call is one statement that commits on its own."""
        if self._conn.in_transaction or name not in _STATEMENTS:
            return False
        sql = str(args[0]).lstrip().upper() if args else ""
        return not sql.startswith(_NOT_DATA)

    def _lazily(self, call: Callable[[], Any]) -> Any:
        """Run an autocommitted statement at synchronous=NORMAL, then restore the level.

        All three steps run on the loop without a pause, so no other statement can commit
        at the lower level in between.
        """
        if self._synchronous is None:  # set by the store's pragmas at connect, then fixed
            self._synchronous = int(self._conn.execute("PRAGMA synchronous").fetchone()[0])
        level = self._synchronous
        if level <= NORMAL:
            return call()
        self._conn.execute(f"PRAGMA synchronous = {NORMAL}")
        try:
            return call()
        finally:
            self._conn.execute(f"PRAGMA synchronous = {level}")

    def _patiently(self, call: Callable[[], Any]) -> Any:
        """Run a call that may wait for another process's lock (on a worker thread)."""
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            return call()
        finally:
            self._conn.execute("PRAGMA busy_timeout = 0")

    async def _connect(self) -> LoopConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self):  # type: ignore[no-untyped-def]
        # No worker thread: aiosqlite's would start here.
        return self._connect().__await__()

    def stop(self) -> None:
        """Close the sqlite3 connection (there is no thread to stop)."""
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class LoopSqliteClient(SqliteClient):
    """tortoise's SQLite client on a :class:`LoopConnection`."""

    async def create_connection(self, with_db: bool) -> None:
        if not self._connection:
            # timeout=0: a locked database is reported at once (and retried on a thread).
            connector = partial(
                sqlite3.connect,
                self.filename,
                isolation_level=None,
                timeout=0,
                check_same_thread=False,
            )
            self._connection = await LoopConnection(connector)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                cursor = await self._connection.execute(f"PRAGMA {pragma}={value}")
                await cursor.close()
            await self._post_connect()


client_class = LoopSqliteClient


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    """Return the client tortoise instantiates for this engine."""
    return LoopSqliteClient
