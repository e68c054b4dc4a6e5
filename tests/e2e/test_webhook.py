"""Webhook mode: a real aiohttp server on loopback, real HTTP requests, durable before 200."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from bot.app import build_application
from bot.webhook import SECRET_HEADER, serving
from crm.models import InboundUpdate, Message, Ticket
from tests.harness import desk_settings, eventually, free_port

pytestmark = pytest.mark.e2e
SECRET = "s3cret-Token_123"


@asynccontextmanager
async def webhook_bot(
    sandbox, db_url: str, **overrides: object
) -> AsyncIterator[tuple[str, object]]:
    port = free_port()
    settings = desk_settings(
        sandbox,
        db_url,
        webhook_url="https://bot.example.com/telegram",
        webhook_secret=SECRET,
        listen_host="127.0.0.1",
        listen_port=port,
        **overrides,
    )
    application = build_application(settings)
    async with serving(application, settings):
        yield f"http://127.0.0.1:{port}", application


def _update(sandbox, update_id: int, text: str = "Where is my order?") -> dict:
    user = sandbox.user(501, "Alice")
    message = sandbox.send_text(user, text)  # builds a real-shaped message; nobody polls it
    return {"update_id": update_id, "message": message}


async def _post(
    base: str, payload: object, *, secret: str | None = SECRET, raw: bytes | None = None
):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = raw if raw is not None else json.dumps(payload).encode()
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base}/telegram", data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


async def test_webhook_is_registered_with_the_secret(sandbox, db_url: str) -> None:
    async with webhook_bot(sandbox, db_url):
        calls = [c for c in sandbox.requests if c.method == "setWebhook"]
        assert calls and calls[-1].params["url"] == "https://bot.example.com/telegram"
        assert calls[-1].params["secret_token"] == SECRET


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x", ""])
async def test_missing_or_wrong_secret_is_refused_and_nothing_is_processed(
    sandbox, db_url: str, secret: str | None
) -> None:
    async with webhook_bot(sandbox, db_url) as (base, _):
        status, _ = await _post(base, _update(sandbox, 1), secret=secret)
        assert status == 403
        assert await InboundUpdate.all().count() == 0
        assert await Message.all().count() == 0


_DEEP = b'{"update_id": 7, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b'{"no_update_id": 1}',
        b"\xff\xfe",
        b'{"update_id": 5, "message": "hi"}',  # a message that is not an object
        b'{"update_id": 5, "message": [1, 2]}',
        b'{"update_id": 1180591620717411303424, "message": {}}',  # 2**70
        b'{"update_id": true, "message": {}}',  # would be stored as update 1
        b'{"update_id": -5, "message": {}}',
        b'{"update_id": 5.0, "message": {}}',
        _DEEP,  # nested past any parser's recursion limit
    ],
    ids=lambda raw: raw[:40].decode("latin-1"),
)
async def test_malformed_bodies_get_400_are_logged_once_and_store_nothing(
    sandbox, db_url: str, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with webhook_bot(sandbox, db_url) as (base, _):
        caplog.clear()
        status, _ = await _post(base, None, raw=raw)
        assert status == 400
        assert await InboundUpdate.all().count() == 0
        assert await Message.all().count() == 0
    refused = [r for r in caplog.records if "malformed webhook body" in r.getMessage()]
    assert len(refused) == 1
    assert not any(r.exc_info for r in caplog.records)


async def test_an_update_python_telegram_bot_cannot_parse_is_stored_and_set_aside(
    sandbox, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from crm.store import inbox

    monkeypatch.setattr(inbox, "BACKOFF_BASE", timedelta(milliseconds=20))
    async with webhook_bot(sandbox, db_url) as (base, _):
        odd = {"update_id": 60, "message": {"message_id": 1, "poll": {"id": "p"}}}
        status, _ = await _post(base, odd)
        assert status == 200  # Telegram must not retry it forever
        status, _ = await _post(base, _update(sandbox, 61))
        assert status == 200
        assert await sandbox.wait_for_message(501, contains="opened ticket", timeout=10)

        async def set_aside() -> bool:
            row = await InboundUpdate.get(update_id=60)
            return row.set_aside_at is not None

        await eventually(set_aside, timeout=10)
        row = await InboundUpdate.get(update_id=60)
        assert row.attempts == inbox.MAX_ATTEMPTS and row.last_error


async def test_a_valid_update_is_stored_before_200_then_handled_once(sandbox, db_url: str) -> None:
    async with webhook_bot(sandbox, db_url) as (base, _):
        update = _update(sandbox, 10)
        status, _ = await _post(base, update)
        assert status == 200
        stored = await InboundUpdate.get(update_id=10)  # durable at the moment of the 200
        assert stored.payload["message"]["text"] == "Where is my order?"
        ack = await sandbox.wait_for_message(501, contains="opened ticket")
        assert ack is not None

        again, _ = await _post(base, update)  # Telegram retries the same update
        assert again == 200

        async def processed() -> bool:
            row = await InboundUpdate.get(update_id=10)
            return row.processed_at is not None

        await eventually(processed)
        assert await Message.all().count() == 1
        assert await Ticket.all().count() == 1
        assert len(sandbox.messages_to(501)) == 1


async def test_the_secret_and_token_never_reach_the_logs(
    sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    async with webhook_bot(sandbox, db_url) as (base, _):
        await _post(base, _update(sandbox, 40), secret="wrong")
        await _post(base, _update(sandbox, 41))
        await sandbox.wait_for_message(501)
    assert caplog.records
    assert SECRET not in caplog.text and sandbox.token not in caplog.text


async def test_health_is_open_and_says_only_ok_and_metrics_are_not_public(
    sandbox, db_url: str
) -> None:
    async with webhook_bot(sandbox, db_url) as (base, _), aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200 and (await response.json()) == {"ok": True}
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 404  # not on the public port without a token


async def _scrape(url: str, *, headers: dict | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.text()


async def test_metrics_on_the_public_port_only_with_the_token(sandbox, db_url: str) -> None:
    token = "metrics-token-0123456789"
    async with webhook_bot(sandbox, db_url, metrics_token=token) as (base, _):
        await _post(base, _update(sandbox, 20))
        await sandbox.wait_for_message(501)
        for wrong in (None, {"Authorization": "Bearer nope"}, {"Authorization": token}):
            status, _ = await _scrape(f"{base}/metrics", headers=wrong)
            assert status == 404

        async def scraped() -> str | None:
            status, text = await _scrape(
                f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}
            )
            assert status == 200
            return text if 'crm_updates_total{outcome="processed"} 1.0' in text else None

        text = await eventually(scraped)
    assert 'crm_updates_total{outcome="received"} 1.0' in text
    assert 'crm_messages_sent_total{outcome="ok"} 1.0' in text
    assert "crm_tickets_open 1.0" in text
    assert "crm_update_queue_depth" in text
    assert "crm_updates_set_aside 0.0" in text


async def test_metrics_and_health_on_the_internal_address_in_polling_mode_too(
    sandbox, db_url: str
) -> None:
    from tests.harness import running_desk

    port = free_port()
    async with running_desk(sandbox, db_url, metrics_listen=("127.0.0.1", port)) as desk:
        await desk.send_text(desk.customer(), "hello")
        status, text = await _scrape(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "crm_tickets_open 1.0" in text
        status, text = await _scrape(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(text)) == (200, {"ok": True})


async def test_an_unhealthy_bot_says_so_without_saying_why(
    sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from tortoise import connections

    async with webhook_bot(sandbox, db_url) as (base, _):
        connection = connections.get(next(iter(connections.db_config)))
        original = connection.execute_query

        async def broken(*args, **kwargs):
            raise ConnectionRefusedError("secret-host:5432 refused")

        connection.execute_query = broken
        try:
            status, text = await _scrape(f"{base}/healthz")
        finally:
            connection.execute_query = original
    assert status == 503 and json.loads(text) == {"ok": False}
    assert "health check failing: store unreachable" in caplog.text  # the reason is logged


async def test_an_update_accepted_before_a_crash_is_replayed_at_start(sandbox, db_url: str) -> None:
    # The previous process stored the update and answered 200, then died before handling it.
    from crm.store import db, inbox

    await db.open_store(db_url)
    await inbox.accept(update_id=30, payload=_update(sandbox, 30, "Lost in a crash?"))
    await db.close_store()

    async with webhook_bot(sandbox, db_url):
        await sandbox.wait_for_message(501, contains="opened ticket")
        assert await Message.filter(text="Lost in a crash?").count() == 1

        async def processed() -> bool:
            return (await InboundUpdate.get(update_id=30)).processed_at is not None

        await eventually(processed)


async def test_held_flood_updates_are_stored_and_marked_processed(sandbox, db_url: str) -> None:
    # Flood control holds updates without stopping later handler groups: the inbox's
    # "processed" mark still runs, so a held update is not handled again after a restart.
    async with webhook_bot(sandbox, db_url, flood_max=3) as (base, _):
        for update_id in range(50, 58):
            status, _ = await _post(base, _update(sandbox, update_id, f"spam {update_id}"))
            assert status == 200

        async def all_processed() -> bool:
            pending = await InboundUpdate.filter(processed_at=None).count()
            return pending == 0 and await InboundUpdate.all().count() == 8

        await eventually(all_processed)
        assert set(await InboundUpdate.all().values_list("user_id", flat=True)) == {501}
        assert await Message.all().count() == 8
        replies = [m.text or "" for m in sandbox.messages_to(501)]
        assert len(replies) == 4 and "sending a lot" in replies[-1]  # 3 acks, one notice
