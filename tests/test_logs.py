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
