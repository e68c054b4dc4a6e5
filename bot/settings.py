"""One settings object, read once from the environment (and an optional .env file)."""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from crm.models import AgentScope
from handlers.context import DeskSettings

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB_URL = "sqlite://crm.db"
# Telegram tokens are "<bot id>:<35-ish url-safe characters>".
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DB_SCHEMES = ("sqlite", "postgres", "asyncpg", "psycopg")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings(DeskSettings):
    """Everything the bot and the CLI are configured with: the desk's choices, and transport."""

    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = DEFAULT_API_URL
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    # A PostgreSQL URL may hold a password, hence repr=False (as redis_url).
    db_url: str = field(default=DEFAULT_DB_URL, repr=False)
    log_level: str = "INFO"
    log_json: bool = False
    topics_file: Path | None = None
    sentiment_model: Path | None = None
    send_rate: int = 30  # Bot API calls per second overall; 0 turns the limiter off
    broadcast_rate: int = 25  # campaign messages per second, below Telegram's ~30/s
    # How long a dead sender's claims wait before another takes them over (or, for a
    # message that was under way, settles it as interrupted rather than resend it).
    campaign_lease_s: int = 60
    segments_at: time = time(3, 0)  # the nightly segmentation, in the desk's timezone
    # Where replicas share the campaign rate; None: the store does (PostgreSQL) or nobody
    # needs to (SQLite: one machine). The URL may hold a password, hence repr=False.
    redis_url: str | None = field(default=None, repr=False)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    listen_host: str = "0.0.0.0"
    listen_port: int = 8080
    # Names this deployment in the shared store (CRM_REPLICA_ID); None: the host and port,
    # stable across restarts, so a restarted bot knows which stored updates are its own.
    replica_id: str | None = None
    # Polling through the durable inbox. Off only to measure what the inbox costs: a crash
    # then loses the updates Telegram already handed over.
    polling_inbox: bool = True
    # Where /metrics (and /healthz) are served for Prometheus, an internal address; and the
    # bearer token that alone opens /metrics on the public webhook port.
    metrics_listen: tuple[str, int] | None = None
    metrics_token: str | None = field(default=None, repr=False)

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced (tests and the demo use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never appear in logs or output."""
        urls = (
            self.db_url,
            self.redis_url,
            self.telegram_api_url,
            self.telegram_file_url,
            self.webhook_url,
        )
        candidates = (
            self.telegram_token,
            self.webhook_secret,
            self.metrics_token,
            *(password for url in urls for password in _url_passwords(url)),
        )
        return tuple(dict.fromkeys(s for s in candidates if s))

    @property
    def replica(self) -> str:
        """Return this deployment's stable name in the store."""
        return self.replica_id or f"{socket.gethostname()[:40]}:{self.listen_port}"

    @property
    def webhook_path(self) -> str:
        """Return the path part of the webhook URL, where updates are accepted."""
        return urlsplit(self.webhook_url or "").path or "/"


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | Path | None = ".env",
    require_token: bool = True,
) -> Settings:
    """Build the settings from environment variables over an optional .env file."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        raw = values.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        return raw or None

    token = get("TELEGRAM_BOT_TOKEN")
    if token is None and require_token:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather, "
            "or try the product without one: python run_bot.py --demo"
        )
    if token is not None and not _TOKEN_RE.match(token):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<letters, digits, _ or ->'"
        )

    api_url = get("TELEGRAM_API_URL") or DEFAULT_API_URL
    _check_url("TELEGRAM_API_URL", api_url)
    file_url = get("TELEGRAM_FILE_URL") or _default_file_url(api_url)
    _check_url("TELEGRAM_FILE_URL", file_url)

    db_url = get("CRM_DB_URL") or DEFAULT_DB_URL
    _check_db_url("CRM_DB_URL", db_url)

    return Settings(
        telegram_token=token,
        telegram_api_url=api_url,
        telegram_file_url=file_url,
        db_url=db_url,
        manager_ids=_parse_ids("CRM_MANAGER_IDS", get("CRM_MANAGER_IDS")),
        timezone=_parse_zone("CRM_TIMEZONE", get("CRM_TIMEZONE") or "UTC"),
        log_level=_parse_level("LOG_LEVEL", get("LOG_LEVEL") or "INFO"),
        log_json=_parse_choice("LOG_FORMAT", get("LOG_FORMAT") or "text", ("text", "json"))
        == "json",
        topics_file=_parse_file("CRM_TOPICS_FILE", get("CRM_TOPICS_FILE")),
        agent_capacity=_parse_int("CRM_AGENT_CAPACITY", get("CRM_AGENT_CAPACITY"), 5, 1, 1000),
        agent_scope=AgentScope(
            _parse_choice(
                "CRM_AGENT_SCOPE",
                get("CRM_AGENT_SCOPE") or AgentScope.TEAM.value,
                tuple(scope.value for scope in AgentScope),
            )
        ),
        sla_first_response_min=_parse_int(
            "CRM_SLA_FIRST_RESPONSE_MIN", get("CRM_SLA_FIRST_RESPONSE_MIN"), 15, 1, 7 * 24 * 60
        ),
        sla_resolution_hours=_parse_int(
            "CRM_SLA_RESOLUTION_HOURS", get("CRM_SLA_RESOLUTION_HOURS"), 24, 1, 365 * 24
        ),
        sentiment_model=_parse_file("CRM_SENTIMENT_MODEL", get("CRM_SENTIMENT_MODEL")),
        daily_summary_at=_parse_time(
            "CRM_DAILY_SUMMARY_AT", get("CRM_DAILY_SUMMARY_AT"), time(9, 0)
        ),
        default_country=_parse_country("CRM_DEFAULT_COUNTRY", get("CRM_DEFAULT_COUNTRY")),
        flood_max=_parse_int("CRM_FLOOD_MAX", get("CRM_FLOOD_MAX"), 20, 1, 10_000),
        reopen_hours=_parse_int("CRM_REOPEN_HOURS", get("CRM_REOPEN_HOURS"), 72, 0, 365 * 24),
        send_rate=_parse_int("CRM_SEND_RATE", get("CRM_SEND_RATE"), 30, 0, 100_000),
        broadcast_rate=_parse_int("CRM_BROADCAST_RATE", get("CRM_BROADCAST_RATE"), 25, 1, 100_000),
        campaign_lease_s=_parse_int(
            "CRM_CAMPAIGN_LEASE_S", get("CRM_CAMPAIGN_LEASE_S"), 60, 1, 24 * 3600
        ),
        segments_at=_parse_time("CRM_SEGMENTS_AT", get("CRM_SEGMENTS_AT"), time(3, 0)),
        redis_url=_parse_redis_url("CRM_REDIS_URL", get("CRM_REDIS_URL")),
        replica_id=_parse_replica("CRM_REPLICA_ID", get("CRM_REPLICA_ID")),
        metrics_listen=_parse_listen("CRM_METRICS_LISTEN", get("CRM_METRICS_LISTEN")),
        metrics_token=_parse_token("CRM_METRICS_TOKEN", get("CRM_METRICS_TOKEN")),
        polling_inbox=_parse_choice(
            "CRM_POLLING_INBOX", get("CRM_POLLING_INBOX") or "on", ("on", "off")
        )
        == "on",
        **_parse_webhook(get("CRM_WEBHOOK_URL"), get("CRM_WEBHOOK_SECRET"), get("CRM_LISTEN")),
    )


def _default_file_url(api_url: str) -> str:
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file/bot"


def _check_url(name: str, url: str) -> None:
    """Refuse a Bot API base URL that cannot work (the token and method are appended to it)."""
    problem = _url_problem(url, schemes=("http", "https"))
    if problem is None and (urlsplit(url).query or urlsplit(url).fragment):
        problem = "a query (?...) or fragment (#...) cannot come before the token"
    if problem:
        _refuse(name, problem, "http(s)://HOST[:PORT]/PATH", url)


def _check_db_url(name: str, url: str) -> None:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in _DB_SCHEMES:
        _refuse(name, "expected sqlite:// or postgres://", _DB_FORMS, url)
    if scheme != "sqlite":
        problem = _url_problem(url, schemes=_DB_SCHEMES)
        if problem is None and not urlsplit(url).path.strip("/"):
            problem = "the database name is missing"
        if problem:
            _refuse(name, problem, _DB_FORMS, url)


_DB_FORMS = "sqlite://PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB"


def _url_problem(url: str, *, schemes: tuple[str, ...]) -> str | None:
    """Return what makes a network URL unusable (None: nothing found)."""
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "it contains spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when not a number or out of range
    except ValueError:
        return "the host or port cannot be read (a port is a number 1-65535)"
    if parts.scheme not in schemes:
        return f"the scheme must be {' or '.join(s + '://' for s in schemes)}"
    if not parts.hostname:
        return "the host is missing"
    if port == 0:
        return "port 0 is not a port one can connect to (1-65535)"
    return None


def _refuse(name: str, problem: str, form: str, url: str) -> NoReturn:
    # Never the raw value: it may hold a password, and this line goes to the terminal.
    raise SettingsError(
        f"{name} is malformed: {problem} (expected {form}), got {_without_password(url)!r}"
    )


def _parse_ids(name: str, raw: str | None) -> frozenset[int]:
    if raw is None:
        return frozenset()
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"\d{1,20}", part):
            raise SettingsError(
                f"{name} is malformed: {part!r} is not a Telegram user id "
                "(expected comma-separated numbers, e.g. 12345,67890)"
            )
        ids.add(int(part))
    return frozenset(ids)


def _parse_int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or not low <= int(raw) <= high:
        raise SettingsError(
            f"{name} is malformed: expected a whole number {low}-{high}, got {raw!r}"
        )
    return int(raw)


def _parse_redis_url(name: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    problem = None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        problem = "the host or port cannot be read"
    else:
        if parts.scheme not in ("redis", "rediss"):
            problem = "expected redis:// or rediss://"
        elif not parts.hostname:
            problem = "the host is missing"
        elif parts.path.strip("/") and not parts.path.strip("/").isdigit():
            problem = "the path must be a database number, like /0"
    if problem:
        # Not the raw value: it may hold a password, and this line goes to the terminal.
        raise SettingsError(
            f"{name} is malformed: {problem} (redis://[USER:PASSWORD@]HOST[:PORT][/DB]), "
            f"got {_without_password(raw)!r}"
        )
    return raw


def _url_passwords(url: str | None) -> tuple[str, ...]:
    """Return a URL's password as written and decoded (either may show up in a log)."""
    if not url:
        return ()
    password = urlsplit(url).password
    if not password:
        return ()
    return tuple(dict.fromkeys((password, unquote(password))))


def _without_password(url: str) -> str:
    return re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", url)


_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram allows in secret_token


def _parse_webhook(url: str | None, secret: str | None, listen: str | None) -> dict:
    values: dict = {}
    if listen is not None:
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"CRM_LISTEN is malformed: expected HOST:PORT, got {listen!r}")
        values.update(listen_host=host.strip("[]"), listen_port=int(port))
    if url is None:
        return values
    problem = _url_problem(url, schemes=("http", "https"))
    host = urlsplit(url).hostname or ""
    local = host in ("localhost", "::1") or host.startswith("127.")
    if problem is None and urlsplit(url).scheme != "https" and not local:
        problem = "Telegram needs an https:// URL (http:// only on this machine, for tests)"
    if problem:
        _refuse("CRM_WEBHOOK_URL", problem, "https://HOST[:PORT]/PATH", url)
    if secret is None:
        raise SettingsError("CRM_WEBHOOK_SECRET is not set: it is required with CRM_WEBHOOK_URL")
    if not _SECRET_RE.match(secret):
        raise SettingsError(
            "CRM_WEBHOOK_SECRET is malformed: 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    values.update(webhook_url=url, webhook_secret=secret)
    return values


def _parse_listen(name: str, raw: str | None) -> tuple[str, int] | None:
    if raw is None:
        return None
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{name} is malformed: expected HOST:PORT, got {raw!r}")
    return host.strip("[]"), int(port)


def _parse_token(name: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", raw):
        # Not the value: it is a secret, and this line goes to the terminal.
        raise SettingsError(f"{name} is malformed: 16-256 characters of A-Z, a-z, 0-9, _ and -")
    return raw


def _parse_replica(name: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", raw):
        raise SettingsError(
            f"{name} is malformed: 1-64 characters of A-Z, a-z, 0-9 and _ . : -, got {raw!r}"
        )
    return raw


def _parse_choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} is malformed: {raw!r} is not one of {', '.join(choices)}")
    return value


def _parse_country(name: str, raw: str | None) -> str:
    if raw is None:
        return "US"
    import phonenumbers

    code = raw.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise SettingsError(
            f"{name} is malformed: {raw!r} is not an ISO country code like US or CN"
        )
    return code


def _parse_time(name: str, raw: str | None, default: time) -> time:
    if raw is None:
        return default
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(f"{name} is malformed: expected HH:MM (24-hour), got {raw!r}")
    return time(int(match[1]), int(match[2]))


def _parse_file(name: str, raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"{name} is malformed: {raw!r} is not a readable file")
    return path


def _parse_zone(name: str, raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{name} is malformed: {raw!r} is not an IANA time zone (e.g. Europe/Berlin)"
        ) from None


def _parse_level(name: str, raw: str) -> str:
    level = raw.upper()
    if level not in _LOG_LEVELS:
        raise SettingsError(f"{name} is malformed: {raw!r} is not one of {', '.join(_LOG_LEVELS)}")
    return level


def log_level_number(settings: Settings) -> int:
    """Return the numeric logging level for the settings."""
    return logging.getLevelNamesMapping()[settings.log_level]
