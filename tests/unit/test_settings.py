"""Settings load once from the environment and fail with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_URL, SettingsError, load_settings
from crm.models import AgentScope

TOKEN = "123456:ABC-def_ghi"
ROOT = Path(__file__).resolve().parents[2]


def test_defaults_apply_when_only_the_token_is_set() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert settings.telegram_token == TOKEN
    assert settings.telegram_api_url == DEFAULT_API_URL
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert settings.db_url == "sqlite://crm.db"
    assert settings.manager_ids == frozenset()
    assert settings.timezone.key == "UTC"
    assert settings.log_level == "INFO"
    assert settings.agent_scope is AgentScope.TEAM


def test_every_variable_is_read() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
            "CRM_DB_URL": "postgres://postgres@127.0.0.1:5432/crm",
            "CRM_MANAGER_IDS": " 12, 34 ,",
            "CRM_TIMEZONE": "Asia/Shanghai",
            "LOG_LEVEL": "debug",
            "CRM_AGENT_SCOPE": " Own ",
        },
        env_file=None,
    )
    assert settings.telegram_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.db_url.startswith("postgres://")
    assert settings.manager_ids == {12, 34}
    assert settings.timezone.key == "Asia/Shanghai"
    assert settings.log_level == "DEBUG"
    assert settings.agent_scope is AgentScope.OWN


def test_explicit_file_url_wins() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_FILE_URL": "http://files.local/file/bot"},
        env_file=None,
    )
    assert settings.telegram_file_url == "http://files.local/file/bot"


def test_env_file_is_read_and_the_environment_overrides_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nCRM_TIMEZONE=Europe/Berlin\nLOG_LEVEL=ERROR\n"
    )
    settings = load_settings({"LOG_LEVEL": "WARNING"}, env_file=env_file)
    assert settings.telegram_token == TOKEN
    assert settings.timezone.key == "Europe/Berlin"
    assert settings.log_level == "WARNING"


def test_the_token_is_not_in_the_repr() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"CRM_MANAGER_IDS": "12,abc"}, "CRM_MANAGER_IDS"),
        ({"CRM_TIMEZONE": "Mars/Olympus"}, "CRM_TIMEZONE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"CRM_DB_URL": "mysql://x"}, "CRM_DB_URL"),
        ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"CRM_REDIS_URL": "http://127.0.0.1:6379"}, "CRM_REDIS_URL"),
        ({"CRM_AGENT_SCOPE": "mine"}, "CRM_AGENT_SCOPE"),
        ({"CRM_REOPEN_HOURS": "three days"}, "CRM_REOPEN_HOURS"),
        ({"CRM_REOPEN_HOURS": "-1"}, "CRM_REOPEN_HOURS"),
        ({"CRM_REOPEN_HOURS": "9000"}, "CRM_REOPEN_HOURS"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    full = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if env else {}
    with pytest.raises(SettingsError) as err:
        load_settings(full, env_file=None)
    assert str(err.value).startswith(variable)


def test_reopen_hours_default_to_three_days_and_zero_turns_reopening_off() -> None:
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None).reopen_hours == 72
    for raw, hours in (("24", 24), ("0", 0), (" 8760 ", 8760)):
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "CRM_REOPEN_HOURS": raw}
        assert load_settings(env, env_file=None).reopen_hours == hours


def test_demo_needs_no_token() -> None:
    settings = load_settings({}, env_file=None, require_token=False)
    assert settings.telegram_token is None


def _run_bot(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_bot_without_token_stops_with_one_clear_line(tmp_path: Path) -> None:
    result = _run_bot({"PYTHONPATH": str(ROOT)}, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "Traceback" not in result.stderr


def test_run_bot_with_malformed_value_names_it(tmp_path: Path) -> None:
    result = _run_bot(
        {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN, "CRM_TIMEZONE": "Nowhere/City"},
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: CRM_TIMEZONE is malformed: 'Nowhere/City' is not an IANA "
        "time zone (e.g. Europe/Berlin)"
    ]


def test_run_bot_with_a_bad_agent_scope_names_it(tmp_path: Path) -> None:
    result = _run_bot(
        {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN, "CRM_AGENT_SCOPE": "everyone"},
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: CRM_AGENT_SCOPE is malformed: 'everyone' is not one of team, own"
    ]


def test_webhook_mode_needs_a_valid_secret() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN, "CRM_WEBHOOK_URL": "https://bot.example.com/telegram"}
    with pytest.raises(SettingsError, match=r"^CRM_WEBHOOK_SECRET is not set"):
        load_settings(base, env_file=None)
    with pytest.raises(SettingsError, match=r"^CRM_WEBHOOK_SECRET is malformed"):
        load_settings({**base, "CRM_WEBHOOK_SECRET": "has spaces!"}, env_file=None)
    with pytest.raises(SettingsError, match=r"^CRM_WEBHOOK_URL is malformed"):
        load_settings(
            {**base, "CRM_WEBHOOK_URL": "http://bot.example.com/x", "CRM_WEBHOOK_SECRET": "ok"},
            env_file=None,
        )
    settings = load_settings(
        {**base, "CRM_WEBHOOK_SECRET": "Abc_123-x", "CRM_LISTEN": "127.0.0.1:9000"},
        env_file=None,
    )
    assert settings.webhook_path == "/telegram"
    assert (settings.listen_host, settings.listen_port) == ("127.0.0.1", 9000)
    assert "Abc_123-x" in settings.secrets and "Abc_123-x" not in repr(settings)


@pytest.mark.parametrize("listen", ["8080", "host:", "host:99999", ":80"])
def test_bad_listen_addresses_are_named(listen: str) -> None:
    with pytest.raises(SettingsError, match=r"^CRM_LISTEN is malformed"):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "CRM_LISTEN": listen}, env_file=None)


def test_redis_url_is_read_and_its_password_is_a_secret() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "CRM_REDIS_URL": "rediss://:s3cr%40t@cache.internal:6380/2"},
        env_file=None,
    )
    assert settings.redis_url == "rediss://:s3cr%40t@cache.internal:6380/2"
    # Scrubbed from logs as written in the URL and as the client sends it.
    assert {"s3cr%40t", "s3cr@t"} <= set(settings.secrets)
    assert "s3cr" not in repr(settings)
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None).redis_url is None


@pytest.mark.parametrize(
    "url",
    [
        "http://:hunter2@cache:6379",
        "redis://:hunter2@cache:port",
        "redis://:hunter2@/0",
        "redis://:hunter2@cache:6379/zero",
        "cache:6379",
    ],
)
def test_a_malformed_redis_url_is_named_without_its_password(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^CRM_REDIS_URL is malformed") as err:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "CRM_REDIS_URL": url}, env_file=None)
    assert "hunter2" not in str(err.value)
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("TELEGRAM_API_URL", "http://127.0.0.1:99999/bot"),
        ("TELEGRAM_API_URL", "http://127.0.0.1:0/bot"),
        ("TELEGRAM_API_URL", "http://api.example.com:port/bot"),
        ("TELEGRAM_API_URL", "http:///bot"),
        ("TELEGRAM_API_URL", "ftp://api.example.com/bot"),
        ("TELEGRAM_API_URL", "api.telegram.org/bot"),
        ("TELEGRAM_API_URL", "https://api.example.com/bot?x=1"),
        ("TELEGRAM_API_URL", "https://api.exa mple.com/bot"),
        ("TELEGRAM_API_URL", "https://me:hunter2@[::1/bot"),
        ("TELEGRAM_FILE_URL", "https://me:hunter2@files.example.com:70000/file/bot"),
        ("CRM_DB_URL", "postgres://crm:hunter2@db.internal:99999/crm"),
        ("CRM_DB_URL", "postgres://crm:hunter2@/crm"),
        ("CRM_DB_URL", "postgres://crm:hunter2@db.internal:5432"),
        ("CRM_WEBHOOK_URL", "https://:8443/telegram"),
        ("CRM_WEBHOOK_URL", "https://bot.example.com:0/telegram"),
        ("CRM_WEBHOOK_URL", "http://bot.example.com/telegram"),
    ],
)
def test_a_url_that_cannot_work_is_refused_in_one_line_naming_it(variable: str, url: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, variable: url, "CRM_WEBHOOK_SECRET": "s3cret"}
    with pytest.raises(SettingsError) as err:
        load_settings(env, env_file=None)
    message = str(err.value)
    assert message.startswith(f"{variable} is malformed: ")
    assert len(message.splitlines()) == 1
    assert "hunter2" not in message  # the line goes to the terminal


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("TELEGRAM_API_URL", "http://[::1]:8081/bot"),
        ("TELEGRAM_API_URL", "https://api.telegram.org/bot"),
        ("CRM_DB_URL", "postgres://crm:pw@db.internal/crm"),
        ("CRM_DB_URL", "asyncpg://crm@db.internal:6432/crm"),
        ("CRM_DB_URL", "sqlite:///var/lib/crm/crm.db"),
        ("CRM_WEBHOOK_URL", "http://127.0.0.1:8443/telegram"),
        ("CRM_WEBHOOK_URL", "https://bot.example.com:8443/telegram"),
    ],
)
def test_urls_that_can_work_are_taken(variable: str, url: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, variable: url, "CRM_WEBHOOK_SECRET": "s3cret"}
    load_settings(env, env_file=None)


def test_the_database_password_is_a_secret_and_out_of_the_repr() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "CRM_DB_URL": "postgres://crm:pg%2Fpass@db.internal/crm"},
        env_file=None,
    )
    assert {TOKEN, "pg%2Fpass", "pg/pass"} <= set(settings.secrets)
    assert "pg%2Fpass" not in repr(settings)
