"""`crm doctor`: check settings, store, schema, token and webhook, and say what is wrong."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.settings import Settings
from crm.store import db, inbox, rate_slots

STORE_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str

    def render(self) -> str:
        """Return the line as printed."""
        return f"{'ok     ' if self.ok else 'PROBLEM'}  {self.name}: {self.detail}"


async def examine(settings: Settings) -> list[Check]:
    """Run every check; none stops the others."""
    checks = [Check("settings", True, "loaded; " + _mode(settings))]
    checks += await _store(settings)
    checks += await _redis(settings)
    checks += await _telegram(settings)
    return checks


def _mode(settings: Settings) -> str:
    if settings.webhook_url:
        where = f"{settings.listen_host}:{settings.listen_port}"
        return f"webhook mode at {settings.webhook_url}, listening on {where}"
    return "polling mode"


async def _store(settings: Settings) -> list[Check]:
    where = db.redact_db_url(settings.db_url)
    try:
        # Bounded: a store that never answers is a finding, not a hang.
        status = await asyncio.wait_for(db.schema_status(settings.db_url), STORE_TIMEOUT)
    except Exception as err:  # any failure to reach the store is the finding itself
        return [Check("store", False, f"cannot open {where}: {err}")]
    checks = [Check("store", True, f"reachable at {where}")]
    if status.newer_than_code:
        checks.append(Check("schema", False, f"newer than this code: {', '.join(status.unknown)}"))
    elif status.pending:
        checks.append(
            Check(
                "schema",
                True,
                f"{len(status.pending)} migration(s) pending; the bot applies them at start "
                "(or run: crm migrate)",
            )
        )
    else:
        checks.append(Check("schema", True, f"up to date ({len(status.applied)} migrations)"))
        checks.append(await _inbox(settings))
    return checks


async def _inbox(settings: Settings) -> Check:
    """Report updates waiting to be handled and those set aside after failing every try."""
    try:
        async with db.store_session(settings.db_url):
            waiting = await inbox.pending_count()
            count, newest = await inbox.set_aside(limit=3)
    except Exception as err:
        return Check("inbox", False, f"cannot be read: {err}")
    if not count:
        return Check("inbox", True, f"{waiting} update(s) waiting to be handled, none set aside")
    listed = "; ".join(
        f"update {item.update_id} after {item.attempts} tries: {item.error[:120]}"
        for item in newest
    )
    return Check(
        "inbox",
        False,
        f"{count} update(s) set aside (they failed every try; the updates after them were "
        f"handled); newest: {listed}",
    )


async def _redis(settings: Settings) -> list[Check]:
    if not settings.redis_url:
        return []  # nothing to check: the store (or this one machine) shares the rate
    where = db.redact_db_url(settings.redis_url)
    try:
        await asyncio.wait_for(rate_slots.ping_redis(url=settings.redis_url), STORE_TIMEOUT)
    except Exception as err:  # any failure to reach Redis is the finding itself
        return [
            Check(
                "redis",
                False,
                f"cannot reach {where}: {err} (campaign sends pause until it answers)",
            )
        ]
    return [Check("redis", True, f"answers at {where}; replicas share the campaign rate there")]


async def _telegram(settings: Settings) -> list[Check]:
    if not settings.telegram_token:
        return [Check("token", False, "TELEGRAM_BOT_TOKEN is not set")]
    bot = Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
    )
    try:
        async with bot:
            me = await bot.get_me()
            checks = [Check("token", True, f"valid: the bot is @{me.username}")]
            info = await bot.get_webhook_info()
    except InvalidToken:
        return [Check("token", False, "rejected by the Bot API (Unauthorized): check the token")]
    except NetworkError as err:
        return [Check("token", False, f"cannot reach {settings.telegram_api_url}: {err}")]
    except TelegramError as err:
        return [Check("token", False, f"the Bot API answered: {err}")]
    if settings.webhook_url:
        if info.url != settings.webhook_url:
            checks.append(
                Check(
                    "webhook",
                    False,
                    f"Telegram has {info.url or 'no webhook'}; expected {settings.webhook_url} "
                    "(the bot registers it at start)",
                )
            )
        else:
            checks.append(
                Check("webhook", True, f"registered; {info.pending_update_count} pending")
            )
        if info.last_error_message:
            checks.append(Check("webhook delivery", False, info.last_error_message))
    elif info.url:
        checks.append(
            Check(
                "webhook",
                True,
                f"Telegram has a webhook ({info.url}); polling removes it at start",
            )
        )
    else:
        checks.append(Check("webhook", True, "none set (polling mode)"))
    return checks
