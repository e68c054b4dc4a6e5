"""The schema is managed by tortoise-orm migrations that match the models."""

from __future__ import annotations

import pytest

from crm import db
from crm.models import Customer, Ticket, TicketKind


async def test_models_and_migrations_are_in_step() -> None:
    # A model change without its migration would show up here as a pending migration.
    assert await db.unmigrated_model_changes() == []


async def test_open_store_migrates_a_fresh_database_and_reopening_keeps_data(
    empty_db_url: str,
) -> None:
    db_url = empty_db_url
    await db.open_store(db_url)
    try:
        customer = await Customer.create(telegram_id=42, first_name="Ann")
        await Ticket.create(customer=customer, kind=TicketKind.INQUIRY, subject="hi")
    finally:
        await db.close_store()

    await db.open_store(db_url)  # pending migrations: none; nothing recreated
    try:
        assert await Customer.filter(telegram_id=42).count() == 1
        assert await Ticket.filter(subject="hi").count() == 1
    finally:
        await db.close_store()


def test_redact_db_url_hides_the_password() -> None:
    url = "postgres://crm:s3cret@db.example.com:5432/crm"
    assert "s3cret" not in db.redact_db_url(url)
    assert db.redact_db_url("sqlite://crm.db") == "sqlite://crm.db"


async def test_a_store_migrated_by_newer_code_is_refused(db_url: str) -> None:
    from tortoise import Tortoise

    await db.apply_migrations(db_url)
    await Tortoise.init(config=db.tortoise_config(db_url))
    conn = Tortoise.get_connection(next(iter(db.tortoise_config(db_url)["connections"])))
    await conn.execute_query(
        "INSERT INTO tortoise_migrations (app, name, applied_at) "
        "VALUES ('crm', '0999_from_the_future', CURRENT_TIMESTAMP)"
    )
    await Tortoise.close_connections()

    status = await db.schema_status(db_url)
    assert status.newer_than_code and status.unknown == ["crm.0999_from_the_future"]
    with pytest.raises(db.SchemaTooNew, match="newer than this code"):
        await db.open_store(db_url)


async def test_pending_migrations_are_listed_for_an_empty_store(empty_db_url: str) -> None:
    status = await db.schema_status(empty_db_url)
    assert status.applied == [] and status.pending[0] == "crm.0001_initial"
    assert not status.newer_than_code


async def test_migrated_store_has_every_index_the_models_declare(empty_db_url: str) -> None:
    from tortoise import Tortoise

    await db.apply_migrations(empty_db_url)
    await Tortoise.init(config=db.tortoise_config(empty_db_url))
    conn = Tortoise.get_connection(next(iter(db.tortoise_config(empty_db_url)["connections"])))
    if empty_db_url.startswith("sqlite"):
        rows = await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket'"
        )
    else:
        rows = await conn.execute_query_dict(
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'ticket'"
        )
    await Tortoise.close_connections()
    names = {row["name"] for row in rows}
    # (customer_id, status), (status, last_activity_at), (status, assignee_id), (status, created_at)
    assert {"idx_ticket_custome_8f1cc6", "idx_ticket_status_4067b7"} <= names
    assert len([n for n in names if n.startswith("idx_ticket_")]) == 4
