"""Shared fixtures: a fresh database per test on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise.backends.base.config_generator import generate_config
from tortoise.context import TortoiseContext
from tortoise.warnings import TortoiseLoopSwitchWarning

from crm import clock
from crm.store.db import SQLITE_ENGINE

PG_URL = os.environ.get("CRM_TEST_DB_URL", "").strip()
PG_SKIP_REASON = (
    "PostgreSQL not configured: set CRM_TEST_DB_URL=postgres://postgres@127.0.0.1:5432/crm_test "
    "to run these tests against PostgreSQL too"
)
REDIS_URL = os.environ.get("CRM_TEST_REDIS_URL", "").strip()
REDIS_SKIP_REASON = (
    "Redis not configured: set CRM_TEST_REDIS_URL=redis://127.0.0.1:6379/15 "
    "to run the shared broadcast rate's tests against Redis too"
)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON)],
    ),
]


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers this suite uses."""
    config.addinivalue_line("markers", "postgres: runs against the PostgreSQL server")
    config.addinivalue_line("markers", "redis: runs against the Redis server")
    config.addinivalue_line("markers", "e2e: drives the real bot through the sandbox Bot API")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say up front which stores (and whether Redis) the suite runs on."""
    if PG_URL:
        stores = f"stores: SQLite and PostgreSQL ({_redact(PG_URL)})"
    else:
        stores = f"stores: SQLite only ({PG_SKIP_REASON})"
    redis = f"redis: {_redact(REDIS_URL)}" if REDIS_URL else f"redis: none ({REDIS_SKIP_REASON})"
    return [stores, redis]


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _pg_admin(sql: str) -> None:
    from crm.store.db import connect_postgres

    conn = await connect_postgres(PG_URL, database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Build one store per backend through the real migrations, once per test session.

    Each test then starts from a copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
    PostgreSQL), so the suite does not replay every migration for every test.
    """
    from crm.store.db import apply_migrations

    path = tmp_path_factory.mktemp("template") / "crm.db"
    asyncio.run(apply_migrations(f"sqlite://{path}"))
    templates = {"sqlite": str(path)}
    name = None
    if PG_URL:
        name = f"{urlsplit(PG_URL).path.lstrip('/') or 'crm_test'}_tpl_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        asyncio.run(apply_migrations(_with_database(PG_URL, name)))
        templates["postgres"] = name
    yield templates
    if name is not None:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: dict[str, str]
) -> AsyncIterator[str]:
    """Yield the URL of a fresh database at the current schema, dropped afterwards."""
    if request.param == "sqlite":
        target = tmp_path / "crm.db"
        shutil.copyfile(migrated_templates["sqlite"], target)
        yield f"sqlite://{target}"
        return
    base = urlsplit(PG_URL).path.lstrip("/") or "crm_test"
    name = f"{base}_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_templates["postgres"]}"')
    try:
        yield _with_database(PG_URL, name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def empty_pg_database() -> AsyncIterator[str]:
    """Create a brand-new PostgreSQL database with no tables; yield its URL; drop it after."""
    base = urlsplit(PG_URL).path.lstrip("/") or "crm_test"
    name = f"{base}_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(PG_URL, name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
async def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the URL of a brand-new database with no tables at all, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'empty.db'}"
        return
    async with empty_pg_database() as url:
        yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[None]:
    """Give a service test its own database with the current schema."""
    dialect = "postgres" if db_url.startswith("postgres") else "sqlite"
    url = "sqlite://:memory:" if dialect == "sqlite" else db_url
    if dialect == "postgres":
        # tortoise_test_context creates the database itself.
        await _pg_admin(f'DROP DATABASE IF EXISTS "{urlsplit(db_url).path.lstrip("/")}"')
    async with _test_context(url, dialect):
        yield


@asynccontextmanager
async def _test_context(url: str, dialect: str) -> AsyncIterator[None]:
    """tortoise's ``tortoise_test_context``, on the engine the product uses for SQLite."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=TortoiseLoopSwitchWarning)
        async with TortoiseContext() as context:
            config = generate_config(
                url, app_modules={"crm": ["crm.models"]}, connection_label=dialect, testing=True
            )
            if dialect == "sqlite":
                config["connections"][dialect]["engine"] = SQLITE_ENGINE
            await context.init(config=config, _create_db=True, use_tz=True, timezone="UTC")
            await context.generate_schemas(safe=False)
            yield


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """Give a Redis test its own key prefix (runs share the server), its keys deleted after."""
    if not REDIS_URL:
        pytest.skip(REDIS_SKIP_REASON)
    from redis.asyncio import Redis

    prefix = f"crm:test:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(autouse=True)
def _real_clock() -> None:
    """Every test starts on real time, whatever the previous one froze."""
    clock.reset()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """End with one clear line when the PostgreSQL (or Redis) part of the suite was skipped."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgres = [r for r in skipped if "postgres" in r.keywords]
    if postgres and not PG_URL:
        terminalreporter.write_line(f"{len(postgres)} PostgreSQL tests skipped: {PG_SKIP_REASON}")
    redis = [r for r in skipped if "redis" in r.keywords]
    if redis and not REDIS_URL:
        terminalreporter.write_line(f"{len(redis)} Redis tests skipped: {REDIS_SKIP_REASON}")


@pytest.fixture
async def sandbox() -> AsyncIterator[object]:
    """Run a sandbox Bot API on loopback."""
    from bot.sandbox import SandboxBotAPI
    from tests.timing import scaled

    async with SandboxBotAPI() as api:
        # Its waits, like every wait of the suite, stretch with the machine's load.
        for name, default in (("wait_for", 5.0), ("wait_for_message", 5.0), ("wait_idle", 10.0)):
            _stretch(api, name, default, scaled)
        yield api


def _stretch(api: object, name: str, default: float, scaled) -> None:
    """Make one of the sandbox's wait methods scale its timeout with the machine's load."""
    original = getattr(api, name)

    async def wait(*args, timeout: float = default, **kwargs):
        return await original(*args, timeout=scaled(timeout), **kwargs)

    setattr(api, name, wait)


@pytest.fixture
async def desk(sandbox, db_url: str) -> AsyncIterator[object]:
    """Run the real bot against the sandbox on a fresh database."""
    from tests.harness import running_desk

    async with running_desk(sandbox, db_url) as running:
        yield running
