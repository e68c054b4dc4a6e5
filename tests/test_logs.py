"""Secrets never reach the logs."""

from __future__ import annotations

import logging

import pytest

from bot.logs import protect_secrets, quiet_libraries

TOKEN = "123456:SECRET-token_value"


def test_redaction_covers_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect_secrets([TOKEN])
    log = logging.getLogger("test.redaction")
    log.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed for bot{TOKEN}")
    except RuntimeError:
        log.exception("boom")
    text = caplog.text
    assert TOKEN not in text
    assert "https://api.telegram.org/bot***/getMe" in text
    assert "failed for bot***" in text
    assert "RuntimeError" in text  # the traceback is kept, only the secret is gone


def test_httpx_request_lines_are_silenced() -> None:
    quiet_libraries()
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)


def test_json_lines_carry_the_update_fields_and_stay_redacted() -> None:
    import json

    from bot.logs import JsonFormatter

    protect_secrets([TOKEN])
    record = logging.getLogger("crm.updates").makeRecord(
        "crm.updates",
        logging.INFO,
        __file__,
        1,
        "update %s via bot%s",
        (7, TOKEN),
        None,
        extra={"update_id": 7, "user_id": 501, "route": "command:/help", "duration_ms": 3.2},
    )
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["message"] == "update 7 via bot***"
    assert (data["update_id"], data["user_id"], data["route"], data["duration_ms"]) == (
        7,
        501,
        "command:/help",
        3.2,
    )
    assert data["level"] == "INFO" and data["logger"] == "crm.updates"
    assert TOKEN not in line


async def test_each_update_is_logged_once_with_its_route(desk, caplog) -> None:
    caplog.set_level(logging.INFO, logger="crm.updates")
    alice = desk.customer()
    await desk.send_text(alice, "/help")
    await desk.send_text(alice, "hello")
    await desk.settle()
    routes = [r.route for r in caplog.records if r.name == "crm.updates"]
    assert routes == ["command:/help", "message:text"]
    assert all(
        r.user_id == alice.id and r.duration_ms >= 0
        for r in caplog.records
        if r.name == "crm.updates"
    )
