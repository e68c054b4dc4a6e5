"""Open and close the store; apply tortoise-orm's own migrations."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate

from crm.errors import CrmError, SchemaTooNew, StoreUnavailable

log = logging.getLogger(__name__)

APP_LABEL = "crm"
MODELS_MODULE = "crm.models"
MIGRATIONS_MODULE = "crm.migrations"
SQLITE_ENGINE = "crm.store.sqlite_engine"


def tortoise_config(db_url: str) -> dict[str, Any]:
    """Return the tortoise-orm config for a database URL."""
    # The connection is named after the dialect: tortoise caches compiled statements per
    # connection name, so a process that talks to SQLite and then PostgreSQL (the test
    # suite) must not share a name between them.
    connection = "postgres" if db_url.startswith(("postgres", "asyncpg", "psycopg")) else "sqlite"
    target: str | dict[str, Any] = db_url
    if connection == "sqlite":
        # tortoise's SQLite backend with statements run on the event loop (crm/sqlite_engine).
        target = expand_db_url(db_url)
        target["engine"] = SQLITE_ENGINE
    return {
        "connections": {connection: target},
        "apps": {
            APP_LABEL: {
                "models": [MODELS_MODULE],
                "default_connection": connection,
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


T = TypeVar("T")
# Values per IN (...) query: well under SQLite's limit on bound variables.
ID_BATCH = 5_000


def in_batches(values: Sequence[T], size: int = ID_BATCH) -> Iterator[list[T]]:
    """Yield the values in lists of at most ``size``, for IN (...) queries and bulk writes."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


# For the `tortoise` CLI (makemigrations): tortoise -c crm.store.db.TORTOISE_ORM makemigrations
TORTOISE_ORM = tortoise_config("sqlite://crm.db")


def redact_db_url(db_url: str) -> str:
    """Hide a password in a database (or Redis) URL for logging."""
    # The user name may be empty: Redis URLs are often redis://:PASSWORD@HOST.
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", db_url)


def check_reachable_path(db_url: str) -> None:
    """Refuse an SQLite URL whose folder does not exist (aiosqlite would wait forever)."""
    if not db_url.startswith("sqlite://") or db_url.endswith(":memory:"):
        return
    folder = Path(db_url.removeprefix("sqlite://")).expanduser().resolve().parent
    if not folder.is_dir():
        raise StoreUnavailable(f"CRM_DB_URL points into {folder}, which does not exist")


MIGRATION_LOCK_KEY = 7_202_611_220  # arbitrary, fixed: the PostgreSQL advisory lock's id


async def apply_migrations(db_url: str, *, target: str | None = None) -> None:
    """Bring the store's schema up to date (creating the database file if needed).

    On PostgreSQL, replicas starting together take an advisory lock first: one migrates,
    the others wait and then find nothing left to do.
    """
    check_reachable_path(db_url)
    config = tortoise_config(_without_sqlite_cascades(db_url))
    async with _migration_lock(db_url):
        try:
            await migrate(config=config, target=target)
            await _check_foreign_keys(config)
        finally:
            await Tortoise.close_connections()


def _without_sqlite_cascades(db_url: str) -> str:
    """Return the URL migrations use: on SQLite, with foreign keys off.

    SQLite alters a table by rebuilding it (create new, copy, drop old, rename). With
    foreign keys on, dropping the old table fires ON DELETE CASCADE and empties every table
    that points at it (a ticket rebuild would delete all messages). The rebuilt tables keep
    their constraints; `PRAGMA foreign_key_check` below proves the data still satisfies them.
    """
    if not db_url.startswith("sqlite://") or "foreign_keys=" in db_url:
        return db_url
    return db_url + ("&" if "?" in db_url else "?") + "foreign_keys=OFF"


async def _check_foreign_keys(config: dict[str, Any]) -> None:
    from tortoise.connection import get_connection

    name = config["apps"][APP_LABEL]["default_connection"]
    if name != "sqlite":
        return  # PostgreSQL alters in place and checks constraints itself
    problems = await get_connection(name).execute_query_dict("PRAGMA foreign_key_check")
    if problems:
        raise CrmError(f"the migrated store breaks {len(problems)} foreign key(s): {problems[:3]}")


@asynccontextmanager
async def _migration_lock(db_url: str) -> AsyncIterator[None]:
    if not db_url.startswith(("postgres", "asyncpg")):
        yield  # SQLite serialises writers itself; one process owns the file
        return
    conn = await connect_postgres(db_url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await conn.close()


async def connect_postgres(db_url: str, *, database: str | None = None):  # -> asyncpg.Connection
    """Open a plain asyncpg connection for a postgres:// URL (optionally to another database)."""
    import asyncpg

    parts = urlsplit(db_url)
    return await asyncpg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        database=database or parts.path.lstrip("/") or "postgres",
    )


@asynccontextmanager
async def store_session(db_url: str) -> AsyncIterator[None]:
    """Open the store (migrating it) for one piece of work, and close it after."""
    await open_store(db_url)
    try:
        yield
    finally:
        await close_store()


async def pending_sql(db_url: str) -> list[str]:
    """Return the SQL `crm migrate` would run on this store, without running it."""
    from tortoise.migrations.api import sqlmigrate

    status = await schema_status(db_url)
    statements: list[str] = []
    for name in status.pending:
        app_label, migration = name.split(".", 1)
        statements.append(f"-- {name}")
        try:
            statements += await sqlmigrate(
                config=tortoise_config(db_url), app_label=app_label, migration_name=migration
            )
        finally:
            await Tortoise.close_connections()
    return statements


async def open_store(db_url: str, *, run_migrations: bool = True) -> None:
    """Migrate, then connect the ORM for use from any task of this process."""
    check_reachable_path(db_url)
    if run_migrations:
        status = await schema_status(db_url)
        if status.newer_than_code:
            raise SchemaTooNew(
                f"the store's schema is newer than this code (unknown migrations: "
                f"{', '.join(status.unknown)}); upgrade the product before starting it"
            )
        if status.pending:
            await apply_migrations(db_url)
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)
    log.info("store open: %s", redact_db_url(db_url))


async def close_store() -> None:
    """Close every ORM connection."""
    await Tortoise.close_connections()


async def unmigrated_model_changes() -> list[str]:
    """Return the migrations `tortoise makemigrations` would write now (empty when in step)."""
    from tortoise.context import TortoiseContext
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        assert ctx.apps is not None
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    return [f"{w.app_label}.{w.name}" for w in writers]


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """How a store's schema compares with this code's migrations."""

    applied: list[str]
    pending: list[str]  # known to the code, not applied yet
    unknown: list[str]  # applied in the store, unknown to this code: the store is newer

    @property
    def newer_than_code(self) -> bool:
        """Return whether the store was migrated by a newer version of the product."""
        return bool(self.unknown)


async def schema_status(db_url: str) -> SchemaStatus:
    """Compare the store's applied migrations with the ones this code ships."""
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor
    from tortoise.migrations.recorder import MigrationRecorder

    check_reachable_path(db_url)
    config = tortoise_config(db_url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        connection_name = config["apps"][APP_LABEL]["default_connection"]
        connection = get_connection(connection_name)
        # The recorder reads "no migrations table" from any failure, an unreachable server
        # included; ask something that must succeed first, so that one is an error.
        await connection.execute_query("SELECT 1")
        executor = MigrationExecutor(connection, config["apps"])
        steps = await executor.plan()
        known = set(executor.loader.graph.nodes)
        applied_keys = await MigrationRecorder(connection).applied_migrations()
    finally:
        await Tortoise.close_connections()
    applied = [f"{k.app_label}.{k.name}" for k in applied_keys]
    known_names = {f"{k.app_label}.{k.name}" for k in known}
    return SchemaStatus(
        applied=applied,
        pending=[f"{s.migration.app_label}.{s.migration.name}" for s in steps if not s.backward],
        unknown=[name for name in applied if name not in known_names],
    )
