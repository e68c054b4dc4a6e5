"""`crm doctor` tells, in plain words, what is right and what is wrong."""

from __future__ import annotations

import pytest

from bot.cli.doctor import examine
from tests.conftest import REDIS_SKIP_REASON, REDIS_URL
from tests.harness import desk_settings


async def test_a_healthy_setup_passes_every_check(sandbox, db_url: str) -> None:
    checks = await examine(desk_settings(sandbox, db_url))
    by_name = {c.name: c for c in checks}
    assert all(c.ok for c in checks), [c.render() for c in checks]
    assert "valid: the bot is @crm_sandbox_bot" in by_name["token"].detail
    assert by_name["schema"].detail.startswith("up to date")
    assert by_name["webhook"].detail == "none set (polling mode)"


async def test_problems_are_named(sandbox, empty_db_url: str) -> None:
    settings = desk_settings(sandbox, empty_db_url).with_overrides(telegram_token="999:WRONG-token")
    checks = {c.name: c for c in await examine(settings)}
    assert not checks["token"].ok and "Unauthorized" in checks["token"].detail
    assert checks["schema"].ok and "pending" in checks["schema"].detail
    assert "***" not in checks["token"].render()  # nothing secret is printed


async def test_unreachable_store_is_a_problem(sandbox, tmp_path) -> None:
    settings = desk_settings(sandbox, f"sqlite://{tmp_path}/no/such/dir/crm.db")
    checks = {c.name: c for c in await examine(settings)}
    assert not checks["store"].ok and "does not exist" in checks["store"].detail
    assert checks["token"].ok  # the other checks still ran


async def test_a_database_server_that_does_not_answer_is_a_problem(sandbox) -> None:
    # Nothing listens on port 1; the migrations' bookkeeping must not read that as "empty".
    settings = desk_settings(sandbox, "postgres://crm:hunter2@127.0.0.1:1/crm")
    checks = {c.name: c for c in await examine(settings)}
    assert not checks["store"].ok
    assert checks["store"].detail.startswith("cannot open postgres://crm:***@127.0.0.1:1/crm")
    assert "schema" not in checks
    assert checks["token"].ok  # the other checks still ran


async def test_webhook_mismatch_is_reported(sandbox, db_url: str) -> None:
    settings = desk_settings(
        sandbox, db_url, webhook_url="https://bot.example.com/telegram", webhook_secret="abc"
    )
    checks = {c.name: c for c in await examine(settings)}
    assert not checks["webhook"].ok and "expected https://bot.example.com/telegram" in (
        checks["webhook"].detail
    )


async def test_redis_is_checked_when_it_shares_the_rate(sandbox, tmp_path) -> None:
    base = desk_settings(sandbox, f"sqlite://{tmp_path}/crm.db")
    assert "redis" not in {c.name for c in await examine(base)}  # not set: nothing to check
    # Nothing listens on port 1.
    down = base.with_overrides(redis_url="redis://:hunter2@127.0.0.1:1/0")
    checks = {c.name: c for c in await examine(down)}
    assert not checks["redis"].ok and "cannot reach redis://:***@127.0.0.1:1/0" in (
        checks["redis"].detail
    )
    assert "hunter2" not in checks["redis"].render()
    assert checks["token"].ok  # the other checks still ran


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason=REDIS_SKIP_REASON)
async def test_a_redis_that_answers_passes(sandbox, tmp_path) -> None:
    settings = desk_settings(sandbox, f"sqlite://{tmp_path}/crm.db", redis_url=REDIS_URL)
    checks = {c.name: c for c in await examine(settings)}
    assert checks["redis"].ok and checks["redis"].detail.startswith("answers at redis://")


async def test_updates_set_aside_are_a_problem_with_their_error(sandbox, db_url: str) -> None:
    from crm.store import db, inbox

    async with db.store_session(db_url):
        payload = {"update_id": 5, "message": {"poll": {"id": "p"}}}
        await inbox.accept_batch(payloads=[payload], replica="r")
        for _ in range(inbox.MAX_ATTEMPTS):
            await inbox.record_failure(update_id=5, error="TypeError: question missing")
            await inbox.take_own(replica="r", due_only=False)
    checks = {c.name: c for c in await examine(desk_settings(sandbox, db_url))}
    assert not checks["inbox"].ok
    assert "1 update(s) set aside" in checks["inbox"].detail
    assert "update 5 after 4 tries: TypeError: question missing" in checks["inbox"].detail
