"""The SQLite engine: statements on the event loop, another process's lock waited off it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from crm.customers.profiles import register_customer
from crm.models import Customer
from crm.store import db, sqlite_engine
from crm.store.sqlite_engine import LoopConnection, LoopSqliteClient
from tests.factories import make_profile


@pytest.fixture
async def file_store(tmp_path: Path) -> AsyncIterator[Path]:
    path = tmp_path / "crm.db"
    await db.open_store(f"sqlite://{path}")
    try:
        yield path
    finally:
        await db.close_store()


@pytest.fixture
def other_process(file_store: Path) -> sqlite3.Connection:
    """A second connection to the file, standing in for the `crm` command line."""
    other = sqlite3.connect(file_store, isolation_level=None, timeout=0)
    yield other
    other.close()


async def test_sqlite_urls_get_the_engine() -> None:
    config = db.tortoise_config("sqlite:///tmp/x.db")
    assert config["connections"]["sqlite"]["engine"] == "crm.store.sqlite_engine"
    assert db.tortoise_config("postgres://u@h/d")["connections"]["postgres"] == "postgres://u@h/d"


async def test_statements_run_on_the_loop_without_a_thread(file_store, monkeypatch) -> None:
    async def no_thread(*args, **kwargs):
        raise AssertionError("a statement went to a thread")

    monkeypatch.setattr(sqlite_engine.asyncio, "to_thread", no_thread)
    customer, created = await register_customer(profile=make_profile(801, "Ann"))
    assert created
    assert (await Customer.get(id=customer.id)).first_name == "Ann"
    client = connections.get("sqlite")
    assert isinstance(client, LoopSqliteClient)
    assert isinstance(client._connection, LoopConnection)


async def test_a_locked_store_is_waited_for_off_the_loop(file_store, other_process) -> None:
    other_process.execute("BEGIN IMMEDIATE")  # holds the write lock
    write = asyncio.create_task(register_customer(profile=make_profile(802, "Bo")))
    started = time.perf_counter()
    await asyncio.sleep(0.3)
    # The loop kept running (the sleep ended on time) while the write waited.
    assert time.perf_counter() - started < 0.6
    assert not write.done()
    other_process.execute("COMMIT")
    customer, created = await asyncio.wait_for(write, 5)
    assert created and await Customer.filter(telegram_id=802).count() == 1
    # The connection is patient on the thread only: back on the loop it reports at once.
    ours = connections.get("sqlite")._connection._conn
    assert ours.execute("PRAGMA busy_timeout").fetchone()[0] == 0


async def test_a_lock_held_too_long_fails_the_statement_cleanly(
    file_store, other_process, monkeypatch
) -> None:
    monkeypatch.setattr(sqlite_engine, "BUSY_TIMEOUT_MS", 200)
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            await register_customer(profile=make_profile(803, "Cy"))
    finally:
        other_process.execute("ROLLBACK")
    # Nothing half-done: the store works and the customer can register now.
    _, created = await register_customer(profile=make_profile(803, "Cy"))
    assert created


async def test_a_lazy_commit_skips_the_disk_wait_for_that_statement_only(file_store) -> None:
    customer, _ = await register_customer(profile=make_profile(804, "Di"))
    raw = connections.get("sqlite")._connection._conn
    statements: list[str] = []
    raw.set_trace_callback(statements.append)
    try:
        with sqlite_engine.lazy_commit():
            await Customer.filter(id=customer.id).update(first_name="Dee")
            async with in_transaction():
                # Inside a transaction the level cannot change: the commit waits as usual.
                await Customer.filter(id=customer.id).update(last_name="X")
        await Customer.filter(id=customer.id).update(username="dee")
    finally:
        raw.set_trace_callback(None)
    pragmas = [s for s in statements if s.startswith("PRAGMA synchronous =")]
    assert pragmas == ["PRAGMA synchronous = 1", "PRAGMA synchronous = 2"]
    lowered = statements.index("PRAGMA synchronous = 1")
    assert statements[lowered + 1].startswith('UPDATE "customer" SET "first_name"')
    assert statements[lowered + 2] == "PRAGMA synchronous = 2"
    assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, SQLite's default
    stored = await Customer.get(id=customer.id)
    assert (stored.first_name, stored.last_name, stored.username) == ("Dee", "X", "dee")
