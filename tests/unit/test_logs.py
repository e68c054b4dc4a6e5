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


def test_a_secret_is_scrubbed_in_any_letter_case(caplog: pytest.LogCaptureFixture) -> None:
    from telegram.error import BadRequest

    protect_secrets(["555:MixedCase-Token"])
    # python-telegram-bot capitalises API errors, lowering the rest of the message.
    error = BadRequest("Bad Request: no route for /bot555:MixedCase-Token/getMe")
    assert "555:mixedcase-token" in str(error)
    logging.getLogger("test.redaction").warning("start failed: %s", error)
    assert "start failed: No route for /bot***/getme" in caplog.text
    assert "mixedcase" not in caplog.text.lower()


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


def test_printed_lines_are_scrubbed_like_log_lines(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    import sys

    from bot.logs import scrub_output
    from bot.settings import load_settings

    url = "postgres://crm:pg-printed-pass@db.internal:5432/crm"
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "777:PRINTED-token", "CRM_DB_URL": url}, env_file=None
    )
    scrub_output(settings.secrets)
    print(f"cannot reach https://api.telegram.org/bot777:PRINTED-token/getMe via {url}")
    print("store at", url, file=sys.stderr)
    logging.getLogger("test.printing").warning("connecting to %s", url)
    out, err = capsys.readouterr()
    assert out == (
        "cannot reach https://api.telegram.org/bot***/getMe via "
        "postgres://crm:***@db.internal:5432/crm\n"
    )
    assert err == "store at postgres://crm:***@db.internal:5432/crm\n"
    assert "connecting to postgres://crm:***@db.internal:5432/crm" in caplog.text
    assert "pg-printed-pass" not in caplog.text
