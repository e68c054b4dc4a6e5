"""Secrets never reach the terminal: run_bot.py and `crm doctor` as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from tests.harness import ROOT

pytestmark = pytest.mark.e2e

TOKEN = "4242:TOKENSECRET-never_print_me"
DB_PASSWORD = "pg-pass-never-print-me"
REDIS_PASSWORD = "redis-pass-never-print-me"
SECRETS = (TOKEN, TOKEN.split(":", 1)[1], DB_PASSWORD, REDIS_PASSWORD)
RUN_BOT = [str(ROOT / "run_bot.py"), "--env-file", "/nonexistent"]
DOCTOR = ["-m", "bot.cli", "--env-file", "/nonexistent", "doctor"]


@asynccontextmanager
async def quoting_gateway(status: int = 502) -> AsyncIterator[str]:
    """Serve a Bot API stand-in whose errors quote the request path, as proxies' pages do.

    The path holds the token, so the error python-telegram-bot raises holds it too.
    """

    async def fail(request: web.Request) -> web.Response:
        reason = "Bad Gateway" if status == 502 else "Bad Request"
        description = f"{reason}: no upstream for {request.path}"
        body = {"ok": False, "error_code": status, "description": description}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fail)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def run(tmp_path: Path, argv: list[str], **env: str) -> tuple[int, str]:
    """Run a program of this project with a clean environment; return (exit code, output)."""
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CRM_DB_URL": f"sqlite://{tmp_path / 'crm.db'}",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *argv,
        cwd=tmp_path,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, output.decode()


def assert_no_secret(output: str) -> None:
    for secret in SECRETS:
        assert secret.lower() not in output.lower(), output


async def test_run_bot_never_prints_the_token_when_the_api_error_quotes_it(tmp_path: Path) -> None:
    async with quoting_gateway() as api_url:
        code, output = await run(tmp_path, RUN_BOT, TELEGRAM_API_URL=api_url)
    assert code == 1
    # The one line that says what happened, the token in it scrubbed.
    assert f"cannot reach the Bot API at {api_url}: Bad Gateway: no upstream for /bot***/getMe" in (
        output
    )
    assert_no_secret(output)


async def test_a_refused_get_me_stops_run_bot_in_one_scrubbed_line(tmp_path: Path) -> None:
    async with quoting_gateway(status=400) as api_url:
        code, output = await run(tmp_path, RUN_BOT, TELEGRAM_API_URL=api_url)
    assert code == 1
    assert "Traceback" not in output.split("store closed")[-1]  # the last word is one line
    assert output.rstrip().endswith(
        # python-telegram-bot lowers the rest of a "Bad Request: ..." message, token included.
        "the Bot API refused to start the bot: No upstream for /bot***/getme"
    )
    assert_no_secret(output)


async def test_run_bot_never_prints_the_token_when_the_api_is_unreachable(tmp_path: Path) -> None:
    code, output = await run(
        tmp_path,
        RUN_BOT,
        TELEGRAM_API_URL="http://127.0.0.1:1/bot",  # nothing listens on port 1
        CRM_DB_URL=f"postgres://crm:{DB_PASSWORD}@127.0.0.1:1/crm",
        CRM_REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0",
    )
    assert code == 1
    assert "cannot reach the Bot API at http://127.0.0.1:1/bot" in output
    assert_no_secret(output)


async def test_a_bot_api_url_that_cannot_work_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    code, output = await run(tmp_path, RUN_BOT, TELEGRAM_API_URL="http://127.0.0.1:99999/bot")
    assert code == 2
    (line,) = output.strip().splitlines()
    assert line.startswith("configuration error: TELEGRAM_API_URL is malformed: ")
    assert "1-65535" in line
    assert_no_secret(output)


async def test_crm_doctor_never_prints_the_token_or_the_passwords(tmp_path: Path) -> None:
    async with quoting_gateway() as api_url:
        code, output = await run(
            tmp_path,
            DOCTOR,
            TELEGRAM_API_URL=api_url,
            CRM_DB_URL=f"postgres://crm:{DB_PASSWORD}@127.0.0.1:1/crm",
            CRM_REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0",
        )
    assert code == 1
    lines = output.splitlines()
    assert any(
        line.startswith("PROBLEM  token: cannot reach") and "/bot***/" in line for line in lines
    )
    assert any(line.startswith("PROBLEM  store: cannot open postgres://crm:***@") for line in lines)
    assert any(line.startswith("PROBLEM  redis: cannot reach redis://:***@") for line in lines)
    assert_no_secret(output)
