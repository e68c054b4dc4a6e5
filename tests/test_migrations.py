"""The schema is managed by tortoise-orm migrations that match the models."""

from __future__ import annotations

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
