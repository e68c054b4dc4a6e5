"""The schema is managed by tortoise-orm migrations that match the models."""

from __future__ import annotations

from datetime import date

import pytest

from crm.models import Customer, Ticket, TicketKind
from crm.store import db


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


async def _run_sql(db_url: str, *scripts: str) -> None:
    """Run plain SQL on a store the way an older version of the code would have written it."""
    from tortoise import Tortoise

    await Tortoise.init(config=db.tortoise_config(db_url))
    conn = Tortoise.get_connection(next(iter(db.tortoise_config(db_url)["connections"])))
    try:
        for script in scripts:
            await conn.execute_script(script)
    finally:
        await Tortoise.close_connections()


async def test_a_store_migrated_by_newer_code_is_refused(db_url: str) -> None:
    await db.apply_migrations(db_url)
    await _run_sql(
        db_url,
        "INSERT INTO tortoise_migrations (app, name, applied_at) "
        "VALUES ('crm', '0999_from_the_future', CURRENT_TIMESTAMP)",
    )

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


async def test_a_store_at_the_first_migration_upgrades_without_losing_data(
    empty_db_url: str,
) -> None:
    from tortoise import Tortoise

    from crm.models import Customer, Message, Rating, Ticket, TicketStatus

    await db.apply_migrations(empty_db_url, target="crm.0001_initial")
    status = await db.schema_status(empty_db_url)
    assert status.applied == ["crm.0001_initial"] and len(status.pending) >= 6

    # Fill it the way the 0001 code did, with plain SQL of that schema.
    await Tortoise.init(config=db.tortoise_config(empty_db_url))
    conn = Tortoise.get_connection(next(iter(db.tortoise_config(empty_db_url)["connections"])))
    now = "2026-01-05 10:00:00+00:00"
    for i in range(1, 4):
        await conn.execute_script(
            # No explicit ids: a fresh table numbers them 1, 2, 3 and keeps its sequence right.
            f"INSERT INTO customer (telegram_id, first_name, created_at, updated_at) "
            f"VALUES ({500 + i}, 'C{i}', '{now}', '{now}');"
            f"INSERT INTO ticket (customer_id, kind, status, priority, subject, created_at, "
            f"last_activity_at) VALUES ({i}, 'inquiry', 'open', 2, 'S{i}', '{now}', '{now}');"
            f"INSERT INTO message (ticket_id, direction, text, telegram_chat_id, "
            f"telegram_message_id, created_at, edit_history) VALUES "
            f"({i}, 'inbound', 'hello {i}', {500 + i}, {i}, '{now}', '[]');"
        )
    await conn.execute_script(
        f"INSERT INTO rating (ticket_id, customer_id, score, created_at) VALUES (1, 1, 5, '{now}')"
    )
    await Tortoise.close_connections()

    await db.open_store(empty_db_url)  # what the bot does at start: migrate, then open
    try:
        assert await Customer.all().count() == 3
        assert sorted(await Message.all().values_list("text", flat=True)) == [
            "hello 1",
            "hello 2",
            "hello 3",
        ]
        ticket = await Ticket.get(id=2)
        assert (ticket.subject, ticket.status, ticket.topic) == ("S2", TicketStatus.OPEN, "other")
        assert ticket.assignee_id is None
        assert (await Rating.get()).score == 5
        customer = await Customer.get(id=3)
        assert customer.tags == [] and customer.subscribed is True
        await Ticket.create(customer=customer, kind="inquiry", subject="new")  # works on top
    finally:
        await db.close_store()
    assert (await db.schema_status(empty_db_url)).pending == []


async def test_replicas_migrating_at_once_apply_each_migration_once(empty_db_url: str) -> None:
    import asyncio

    if empty_db_url.startswith("sqlite"):
        pytest.skip("replicas share PostgreSQL; an SQLite store belongs to one process")

    await asyncio.gather(*(db.apply_migrations(empty_db_url) for _ in range(3)))
    status = await db.schema_status(empty_db_url)
    assert status.pending == [] and len(status.applied) == len(set(status.applied))


async def test_summaries_sent_before_the_upgrade_are_never_taken_over(empty_db_url: str) -> None:
    from crm.insight import daily
    from crm.models import SummaryRun

    await db.apply_migrations(empty_db_url, target="crm.0011_inbox_replica")
    await _run_sql(
        empty_db_url,
        "INSERT INTO summary_run (day, started_at, sent_to) "
        "VALUES ('2026-01-05', '2026-01-05 09:00:00+00:00', 2)",
    )

    await db.open_store(empty_db_url)
    try:
        run = await SummaryRun.get(day=date(2026, 1, 5))
        assert run.finished_at == run.started_at
        assert not await daily.claim(day=date(2026, 1, 5))  # long past "stale", yet sent
    finally:
        await db.close_store()


async def test_open_comment_windows_survive_the_upgrade(empty_db_url: str) -> None:
    # Before 0013 intake found a survey awaiting its comment by querying surveys; 0013 copied
    # the open windows onto the customer rows. (Written in that schema's plain SQL: the
    # models have columns 0012 did not.)
    from datetime import UTC, datetime

    await db.apply_migrations(empty_db_url, target="crm.0012_summary_finished")
    now = "2026-01-05 10:00:00+00:00"
    until = datetime(2030, 1, 5, 10, 0, tzinfo=UTC)
    script = ""
    for i in (1, 2):
        script += (
            f"INSERT INTO customer (telegram_id, first_name, created_at, updated_at) "
            f"VALUES ({i}, 'C{i}', '{now}', '{now}');"
            f"INSERT INTO ticket (customer_id, kind, status, priority, subject, created_at, "
            f"last_activity_at) VALUES ({i}, 'inquiry', 'resolved', 2, 's', '{now}', '{now}');"
        )
    script += (
        f"INSERT INTO rating (ticket_id, customer_id, score, created_at) VALUES (1, 1, 4, '{now}');"
        f"INSERT INTO survey (ticket_id, customer_id, sent_at, rating_id, answered_at, "
        f"comment_until, superseded) VALUES (1, 1, '{now}', 1, '{now}', "
        f"'2030-01-05 10:00:00+00:00', false);"
        f"INSERT INTO survey (ticket_id, customer_id, sent_at, superseded) "
        f"VALUES (2, 2, '{now}', false);"
    )
    await _run_sql(empty_db_url, script)

    await db.open_store(empty_db_url)
    try:
        hints = dict(await Customer.all().values_list("telegram_id", "comment_until"))
        assert hints == {1: until, 2: None}
    finally:
        await db.close_store()


async def test_managers_from_before_the_upgrade_are_told_apart_by_the_audit_log(
    empty_db_url: str,
) -> None:
    # Before 0016 the store did not say how someone became a manager. Those promoted with
    # /manager_add (audited) stay promoted; the rest came from CRM_MANAGER_IDS, so the
    # next start may demote them if the setting no longer lists them.
    from crm.desk import staff
    from crm.models import ManagerSource, Role, StaffMember

    await db.apply_migrations(empty_db_url, target="crm.0014_dialog_state")
    await _run_sql(
        empty_db_url,
        "INSERT INTO staff (telegram_id, name, role, skills, online, active, created_at) VALUES "
        "(900, 'Owner', 'manager', '[]', FALSE, TRUE, CURRENT_TIMESTAMP), "
        "(901, 'Gone', 'manager', '[]', FALSE, TRUE, CURRENT_TIMESTAMP), "
        "(11, 'Anna', 'manager', '[]', FALSE, TRUE, CURRENT_TIMESTAMP), "
        "(12, 'Boris', 'agent', '[]', FALSE, TRUE, CURRENT_TIMESTAMP)",
        "INSERT INTO audit_entry (actor_telegram_id, action, subject, details, created_at) VALUES "
        "(900, 'staff.manager_add', 'user 11', '{}', CURRENT_TIMESTAMP), "
        "(900, 'staff.agent_add', 'user 12', '{}', CURRENT_TIMESTAMP)",
    )

    await db.open_store(empty_db_url)
    try:
        rows = await StaffMember.all().order_by("telegram_id")
        assert [(m.telegram_id, m.manager_source, m.promoted_by) for m in rows] == [
            (11, ManagerSource.COMMAND, 900),
            (12, None, None),
            (900, ManagerSource.SETTING, None),
            (901, ManagerSource.SETTING, None),
        ]
        sync = await staff.sync_managers(telegram_ids=[900])  # 901 is no longer listed
        assert [d.member.telegram_id for d in sync.demoted] == [901]
        assert sorted(m.telegram_id for m in sync.managers) == [11, 900]
        assert (await StaffMember.get(telegram_id=12)).role is Role.AGENT
    finally:
        await db.close_store()


async def test_customers_erased_before_the_upgrade_are_marked_erased(empty_db_url: str) -> None:
    # Before 0017 only the audit log said who was erased; segmentation must skip them now.
    await db.apply_migrations(empty_db_url, target="crm.0014_dialog_state")
    await _run_sql(
        empty_db_url,
        "INSERT INTO customer (id, first_name, created_at, updated_at) VALUES "
        "(1, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
        "(2, 'Kept', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO audit_entry (action, subject, details, created_at) VALUES "
        "('customer.erase', 'customer 1', '{}', '2026-01-05 09:00:00+00:00'), "
        "('customer.merge', 'customer #3 into #2', '{}', '2026-01-06 09:00:00+00:00')",
    )

    await db.open_store(empty_db_url)
    try:
        erased = dict(await Customer.all().values_list("id", "erased_at"))
        assert erased[2] is None and erased[1] is not None
        assert erased[1].isoformat() == "2026-01-05T09:00:00+00:00"
    finally:
        await db.close_store()
