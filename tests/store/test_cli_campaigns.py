"""`crm campaign ...`: campaigns created and run from a terminal, on a temporary SQLite store."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.sandbox import SAMPLE_PNG
from crm.errors import InvalidInput
from crm.marketing import campaigns
from crm.models import (
    AuditEntry,
    ButtonKind,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from crm.store import db
from tests.factories import make_customer

T = TypeVar("T")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def store_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_templates: dict[str, str]
) -> str:
    """Point the CLI at a fresh SQLite store with five customers: four English, three reachable."""
    path = tmp_path / "crm.db"
    shutil.copyfile(migrated_templates["sqlite"], path)
    url = f"sqlite://{path}"
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("CRM_DB_URL", url)
    monkeypatch.setenv("CRM_TIMEZONE", "Europe/Berlin")

    async def fill() -> None:
        for i in range(3):
            await make_customer(f"C{i}", telegram_id=600 + i, language_code="en")
        await make_customer("Imported", language_code="en")
        await make_customer("Wang", telegram_id=700, language_code="zh")

    in_store(url, fill)
    return url


def in_store(url: str, work: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        async with db.store_session(url):
            return await work()

    return asyncio.run(run())


def crm(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


async def _campaigns() -> list[Campaign]:
    return await Campaign.all().order_by("id")


def test_create_show_list_send_pause_resume(store_url: str, capsys) -> None:
    code, out, err = crm(
        capsys,
        "campaign",
        "create",
        "--audience",
        "language:en",
        "--text",
        " Spring sale ",
        "--button",
        "Shop now=https://example.com/spring",
        "--control",
        "25",
        "--name",
        "Spring",
    )
    assert code == 0, err
    assert out.splitlines() == [
        "campaign #1 created (draft): audience language:en, 4 customer(s), 3 reachable now",
        "send it with: crm campaign send 1",
    ]
    (campaign,) = in_store(store_url, _campaigns)
    assert (campaign.text, campaign.name, campaign.created_by) == ("Spring sale", "Spring", None)
    assert (campaign.button_kind, campaign.button_text, campaign.button_url) == (
        ButtonKind.URL,
        "Shop now",
        "https://example.com/spring",
    )
    assert campaign.control_percent == 25 and campaign.status is CampaignStatus.DRAFT

    code, out, _ = crm(capsys, "campaign", "list")
    assert (code, out) == (
        0,
        "campaign #1 draft: 0/3 done, sent 0, failed 0, skipped 0, remaining 3, control 1 · Spring",
    )
    code, out, _ = crm(capsys, "campaign", "show", "1")
    assert code == 0 and out.startswith("Campaign #1 Spring: draft\nAudience: language:en (4 ")

    code, out, _ = crm(capsys, "campaign", "send", "1")
    assert (code, out) == (
        0,
        "campaign #1 is sending to 3 customer(s): the running bot sends it "
        "(follow it with: crm campaign show 1)",
    )
    assert in_store(store_url, _campaigns)[0].status is CampaignStatus.SENDING
    code, _, err = crm(capsys, "campaign", "send", "1")
    assert (code, err) == (1, "error: campaign #1 is sending: cannot send it")

    code, out, _ = crm(capsys, "campaign", "pause", "1")
    assert code == 0 and out.startswith("campaign #1 is paused")
    assert in_store(store_url, _campaigns)[0].status is CampaignStatus.PAUSED
    code, out, _ = crm(capsys, "campaign", "resume", "1")
    assert (code, out) == (0, "campaign #1 is sending again: the running bot sends it")
    assert in_store(store_url, _campaigns)[0].status is CampaignStatus.SENDING

    async def actors() -> list[tuple[str, int | None]]:
        entries = await AuditEntry.filter(action__startswith="campaign.").order_by("id")
        return [(e.action, e.actor_telegram_id) for e in entries]

    assert in_store(store_url, actors) == [
        ("campaign.create", None),
        ("campaign.send", None),
        ("campaign.pause", None),
        ("campaign.resume", None),
    ]


def test_schedule_is_read_in_the_desks_timezone_then_cancel(store_url: str, capsys) -> None:
    assert crm(capsys, "campaign", "create", "--audience", "all", "--text", "Hi")[0] == 0

    code, _, err = crm(capsys, "campaign", "schedule", "1", "next week")
    assert (code, err) == (
        1,
        "error: 'next week' is not a time: write YYYY-MM-DD HH:MM, e.g. 2030-03-01 10:00",
    )
    code, _, err = crm(capsys, "campaign", "schedule", "1", "2001-01-01 10:00")
    assert code == 1 and "that time has passed" in err
    assert in_store(store_url, _campaigns)[0].status is CampaignStatus.DRAFT

    code, out, _ = crm(capsys, "campaign", "schedule", "1", "2099-01-15 10:00")
    assert (code, out) == (
        0,
        "campaign #1 is scheduled for 2099-01-15 10:00 (Europe/Berlin): "
        "the running bot starts it then",
    )
    (campaign,) = in_store(store_url, _campaigns)
    assert campaign.status is CampaignStatus.SCHEDULED
    assert campaign.scheduled_at == datetime(2099, 1, 15, 9, 0, tzinfo=UTC)  # CET is UTC+1
    code, out, _ = crm(capsys, "campaign", "show", "1")
    assert out.endswith("Scheduled for 2099-01-15 10:00 (Europe/Berlin)")

    code, out, _ = crm(capsys, "campaign", "cancel", "1")
    assert (code, out) == (0, "campaign #1 is cancelled")

    async def statuses() -> set[RecipientStatus]:
        return set(await CampaignRecipient.all().values_list("status", flat=True))

    assert in_store(store_url, statuses) == {RecipientStatus.SKIPPED}
    code, _, err = crm(capsys, "campaign", "resume", "1")
    assert (code, err) == (1, "error: campaign #1 is cancelled: cannot resume it")


def test_a_photo_campaign_stores_the_image(store_url: str, tmp_path: Path, capsys) -> None:
    photo = tmp_path / "menu.png"
    photo.write_bytes(SAMPLE_PNG)
    code, out, err = crm(
        capsys, "campaign", "create", "--audience", "all", "--text", "Menu", "--photo", str(photo)
    )
    assert code == 0, err
    (campaign,) = in_store(store_url, _campaigns)
    assert campaign.photo == SAMPLE_PNG and campaign.photo_file_id is None
    assert campaign.button_kind is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--audience", "tag:nobody", "--text", "Hi"],
            "'tag:nobody' has no customers",
        ),
        (["--audience", "city:", "--text", "Hi"], "city: needs a value"),
        (["--audience", "all", "--text", "  "], "the campaign needs a message text"),
        (["--audience", "all", "--text", "x" * 4090], "the text is 4090 characters"),
        (["--audience", "all", "--text", "Hi", "--control", "80"], "a share of 0-50 percent"),
        (["--audience", "all", "--text", "Hi", "--button", "Go=ftp://x"], "http(s):// or tg://"),
        (["--audience", "all", "--text", "Hi", "--photo", "nope.jpg"], "no such file: nope.jpg"),
        (["--audience", "all", "--text", "Hi", "--photo", "notes.txt"], "not a JPEG or PNG"),
        (["--audience", "all", "--text", "Hi", "--photo", "huge.jpg"], "up to 10 MB"),
    ],
)
def test_bad_campaigns_are_refused_and_nothing_is_stored(
    store_url: str, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    (tmp_path / "notes.txt").write_text("not a picture")
    with (tmp_path / "huge.jpg").open("wb") as huge:
        huge.write(b"\xff\xd8\xff\xe0")
        huge.truncate(campaigns.PHOTO_MAX_BYTES + 1)
    code, out, err = crm(capsys, "campaign", "create", *args)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err, err
    assert in_store(store_url, _campaigns) == []


def test_unknown_campaigns_and_malformed_numbers(store_url: str, capsys) -> None:
    for action in ("show", "send", "pause", "resume", "cancel"):
        code, _, err = crm(capsys, "campaign", action, "99")
        assert (code, err) == (1, "error: campaign #99 does not exist"), action
    code, out, _ = crm(capsys, "campaign", "list")
    assert (code, out) == (0, "no campaigns yet")
    with pytest.raises(SystemExit) as exited:
        main(["campaign", "send", "abc"])
    assert exited.value.code == 2
    assert "invalid int value: 'abc'" in capsys.readouterr().err


def test_local_times_are_read_in_the_given_zone() -> None:
    assert campaigns.parse_local_time("2030-07-01 12:00", zone=BERLIN) == datetime(
        2030, 7, 1, 10, 0, tzinfo=UTC
    )
    assert campaigns.parse_local_time(" 2030-01-01T12:00 ", zone=BERLIN) == datetime(
        2030, 1, 1, 11, 0, tzinfo=UTC
    )
    for bad in ("", "2030-13-01 10:00", "2030-01-01", "10:00", "2030-01-01 25:00"):
        with pytest.raises(InvalidInput, match="is not a time"):
            campaigns.parse_local_time(bad, zone=BERLIN)
