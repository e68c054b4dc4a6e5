"""Start the bot for real: settings, logging, polling until stopped."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.app import build_application, run_polling_forever
from bot.logs import configure_logging, scrub_output
from bot.settings import Settings, SettingsError, load_settings, log_level_number
from crm.errors import CrmError

log = logging.getLogger(__name__)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse run_bot.py's command line."""
    parser = argparse.ArgumentParser(
        prog="run_bot.py", description="Telegram-first customer-service desk with a CRM."
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against a local sandbox Bot API with scripted customers; no token needed",
    )
    parser.add_argument("--env-file", default=".env", help="optional .env file (default: .env)")
    parser.add_argument(
        "--demo-db",
        default="sqlite://demo-data/crm-demo.db",
        help="database the demo writes (default: sqlite://demo-data/crm-demo.db)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the bot (or the demo); return the process exit code."""
    args = parse_args(argv)
    try:
        settings = load_settings(env_file=args.env_file, require_token=not args.demo)
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    # From here on every line written, logged or printed, is scrubbed of the secrets.
    scrub_output(settings.secrets)
    level = log_level_number(settings)
    if args.demo and level > logging.DEBUG:
        level = logging.WARNING  # the transcript is the demo's output; DEBUG still shows all
    configure_logging(level=level, secrets=settings.secrets, json_lines=settings.log_json)
    if args.demo:
        from bot.sandbox.demo import run_demo

        return run_demo(settings, db_url=args.demo_db)
    if settings.webhook_url:
        return run_webhook(settings)
    return run_polling(settings)


def run_webhook(settings: Settings) -> int:
    """Serve the webhook until SIGINT/SIGTERM, then finish accepted updates and stop."""
    import asyncio

    from bot.webhook import run_webhook_forever

    return _explaining_failures(
        settings, lambda app: asyncio.run(run_webhook_forever(app, settings))
    )


def run_polling(settings: Settings) -> int:
    """Poll Telegram (through the durable inbox) until SIGINT/SIGTERM, then shut down cleanly."""
    import asyncio

    return _explaining_failures(settings, lambda app: asyncio.run(run_polling_forever(app)))


def _explaining_failures(settings: Settings, run: Callable[[Application], object]) -> int:
    """Build and run the bot; turn the ways start-up fails into one line and an exit code."""
    try:
        run(build_application(settings))
    except SettingsError as err:
        return _fail(f"configuration error: {err}", 2)
    except InvalidToken:
        return _fail(
            "configuration error: TELEGRAM_BOT_TOKEN was rejected by the Bot API (Unauthorized)",
            2,
        )
    except TelegramError as err:
        # BadRequest is a NetworkError to python-telegram-bot, but the Bot API did answer.
        if isinstance(err, NetworkError) and not isinstance(err, BadRequest):
            return _fail(f"cannot reach the Bot API at {settings.telegram_api_url}: {err}", 1)
        # getMe (or the webhook's set-up) was refused: without it there is no bot.
        return _fail(f"the Bot API refused to start the bot: {err}", 1)
    except CrmError as err:
        return _fail(f"cannot start: {err}", 1)
    except OSError as err:
        if not settings.webhook_url:
            raise
        where = f"{settings.listen_host}:{settings.listen_port}"
        return _fail(f"cannot listen on {where}: {err}", 1)
    return 0


def _fail(line: str, code: int) -> int:
    print(line, file=sys.stderr)
    return code
