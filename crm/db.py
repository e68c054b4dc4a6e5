"""Open and close the store; apply tortoise-orm's own migrations."""

from __future__ import annotations

import logging
import re
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate

log = logging.getLogger(__name__)

APP_LABEL = "crm"
MODELS_MODULE = "crm.models"
MIGRATIONS_MODULE = "crm.migrations"


def tortoise_config(db_url: str) -> dict[str, Any]:
    """Return the tortoise-orm config for a database URL."""
    # The connection is named after the dialect: tortoise caches compiled statements per
    # connection name, so a process that talks to SQLite and then PostgreSQL (the test
    # suite) must not share a name between them.
    connection = "postgres" if db_url.startswith(("postgres", "asyncpg", "psycopg")) else "sqlite"
    return {
        "connections": {connection: db_url},
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


# For the `tortoise` CLI (makemigrations): tortoise -c crm.db.TORTOISE_ORM makemigrations
TORTOISE_ORM = tortoise_config("sqlite://crm.db")


def redact_db_url(db_url: str) -> str:
    """Hide a password in a database URL for logging."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", db_url)


async def apply_migrations(db_url: str) -> None:
    """Bring the store's schema up to date (creating the database file if needed)."""
    config = tortoise_config(db_url)
    try:
        await migrate(config=config)
    finally:
        await Tortoise.close_connections()


async def open_store(db_url: str, *, run_migrations: bool = True) -> None:
    """Migrate, then connect the ORM for use from any task of this process."""
    if run_migrations:
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
