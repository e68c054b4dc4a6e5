"""`crm campaign` subcommands: create, list, show, send, schedule, pause, resume, cancel.

They change the store only; the running bot's campaign sender does the sending (it looks
for sending and due campaigns on its own, so nothing here talks to Telegram).
bot/cli/commands.py adds them with ``add_commands(subparsers)`` and hands over a parsed command with
``if handles(args.command): return run(args, settings)``.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.cli.store import in_store
from bot.settings import Settings
from crm.errors import CrmError
from crm.marketing import campaigns
from crm.models import CampaignStatus

COMMANDS = frozenset({"campaign"})
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `crm campaign ...` to the `crm` parser."""
    campaign = subparsers.add_parser(
        "campaign",
        help="create and run campaigns (the running bot sends them)",
        description="Campaigns are sent by the running bot; these commands change the store.",
    )
    sub = campaign.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="create a draft campaign and its send list")
    create.add_argument(
        "--audience",
        required=True,
        help="a segment name, 'all', or rules such as 'language:en & !bought:SKU-1'",
    )
    create.add_argument("--text", required=True, help="the message (a photo's caption)")
    create.add_argument("--photo", help="a JPEG or PNG file sent with the text as its caption")
    create.add_argument(
        "--button", help="'TEXT=URL' for a link button, 'TEXT' for an \"I'm interested\" button"
    )
    create.add_argument(
        "--control",
        type=int,
        default=0,
        help=f"percent of the audience held out as a control group (0-{campaigns.CONTROL_MAX})",
    )
    create.add_argument("--name", default="", help="a name for the reports")
    sub.add_parser("list", help="the newest campaigns with their status and counts")
    for action, text in (
        ("show", "one campaign's report"),
        ("send", "start sending now (the running bot sends it)"),
        ("pause", "pause a sending or scheduled campaign"),
        ("resume", "continue a paused campaign"),
        ("cancel", "give up a campaign that is not sending"),
    ):
        sub.add_parser(action, help=text).add_argument("id", type=int, help="campaign number")
    when = sub.add_parser("schedule", help="have the running bot start it at a time")
    when.add_argument("id", type=int, help="campaign number")
    when.add_argument("at", help='"YYYY-MM-DD HH:MM" in CRM_TIMEZONE')


def handles(command: str) -> bool:
    """Say whether a subcommand is one of these."""
    return command in COMMANDS


def run(args: argparse.Namespace, settings: Settings) -> str:
    """Run a `crm campaign` action; return what to print."""
    if args.action == "create":
        photo = read_photo(Path(args.photo)) if args.photo else None
        return in_store(settings, lambda: _create(args, photo))
    actions: dict[str, Callable[[], Awaitable[str]]] = {
        "list": _list,
        "show": lambda: _show(args.id, settings),
        "send": lambda: _send(args.id),
        "schedule": lambda: _schedule(args.id, args.at, settings),
        "pause": lambda: _pause(args.id),
        "resume": lambda: _resume(args.id, settings),
        "cancel": lambda: _cancel(args.id),
    }
    return in_store(settings, actions[args.action])


def read_photo(path: Path) -> bytes:
    """Return a campaign photo's bytes; refuse missing, too large or non-JPEG/PNG files."""
    if not path.is_file():
        raise CrmError(f"no such file: {path}")
    size = path.stat().st_size
    if size > campaigns.PHOTO_MAX_BYTES:
        raise CrmError(f"{path} is {size / 1_048_576:.1f} MB: Telegram takes photos up to 10 MB")
    data = path.read_bytes()
    if not data.startswith((_JPEG, _PNG)):
        raise CrmError(f"{path} is not a JPEG or PNG image")
    return data


async def _create(args: argparse.Namespace, photo: bytes | None) -> str:
    preview = await campaigns.preview_audience(audience=args.audience)
    campaign = await campaigns.create_campaign(
        audience=args.audience,
        text=args.text,
        photo=photo,
        button=campaigns.parse_button(args.button),
        control_percent=args.control,
        name=args.name,
        created_by=None,
    )
    return (
        f"campaign #{campaign.id} created (draft): audience {campaign.audience}, "
        f"{campaign.audience_size} customer(s), {preview.reachable} reachable now\n"
        f"send it with: crm campaign send {campaign.id}"
    )


async def _list() -> str:
    rows = await campaigns.list_campaigns(limit=20)
    if not rows:
        return "no campaigns yet"
    return "\n".join(
        campaigns.describe_progress(c, p) + (f" · {c.name}" if c.name else "") for c, p in rows
    )


async def _show(campaign_id: int, settings: Settings) -> str:
    report = await campaigns.campaign_report(campaign_id=campaign_id)
    text = campaigns.describe_report(report)
    campaign = report.campaign
    if campaign.status is CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        text += f"\nScheduled for {_local(campaign.scheduled_at, settings)}"
    return text


async def _send(campaign_id: int) -> str:
    await campaigns.start_campaign(campaign_id=campaign_id, actor=None)
    left = (await campaigns.progress(campaign_id=campaign_id)).remaining
    return (
        f"campaign #{campaign_id} is sending to {left} customer(s): the running bot sends it "
        f"(follow it with: crm campaign show {campaign_id})"
    )


async def _schedule(campaign_id: int, at: str, settings: Settings) -> str:
    when = campaigns.parse_local_time(at, zone=settings.timezone)
    await campaigns.schedule_campaign(campaign_id=campaign_id, at=when, actor=None)
    return (
        f"campaign #{campaign_id} is scheduled for {_local(when, settings)}: "
        "the running bot starts it then"
    )


async def _pause(campaign_id: int) -> str:
    await campaigns.pause_campaign(campaign_id=campaign_id, actor=None)
    return f"campaign #{campaign_id} is paused (messages already under way still go out)"


async def _resume(campaign_id: int, settings: Settings) -> str:
    campaign = await campaigns.resume_campaign(campaign_id=campaign_id, actor=None)
    if campaign.status is CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        when = _local(campaign.scheduled_at, settings)
        return f"campaign #{campaign_id} is scheduled again for {when}"
    return f"campaign #{campaign_id} is sending again: the running bot sends it"


async def _cancel(campaign_id: int) -> str:
    await campaigns.cancel_campaign(campaign_id=campaign_id, actor=None)
    return f"campaign #{campaign_id} is cancelled"


def _local(at: datetime, settings: Settings) -> str:
    zone = settings.timezone
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
