"""The `crm` command line: the same services as the bot, driven from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.settings import Settings, SettingsError, load_settings
from crm import db
from crm.models import Ticket, TicketStatus


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="crm", description="Telegram CRM desk command line.")
    parser.add_argument("--env-file", default=".env", help="optional .env file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the store's schema up to date")
    tickets = sub.add_parser("tickets", help="list tickets")
    tickets.add_argument(
        "--status", choices=[s.value for s in TicketStatus], help="only tickets in this status"
    )
    tickets.add_argument("--limit", type=int, default=50)
    return parser


async def _migrate(settings: Settings) -> str:
    await db.apply_migrations(settings.db_url)
    return f"store is up to date: {db.redact_db_url(settings.db_url)}"


async def _tickets(settings: Settings, status: str | None, limit: int) -> str:
    await db.open_store(settings.db_url)
    try:
        query = Ticket.all().select_related("customer").order_by("-last_activity_at", "-id")
        if status:
            query = query.filter(status=TicketStatus(status))
        rows = await query.limit(limit)
    finally:
        await db.close_store()
    lines = [f"{'#':>6}  {'kind':<10} {'status':<9} {'pri':<3} {'customer':<20} subject"]
    for ticket in rows:
        lines.append(
            f"{ticket.id:>6}  {ticket.kind.value:<10} {ticket.status.value:<9} "
            f"{ticket.priority.value:<3} {ticket.customer.display_name[:20]:<20} {ticket.subject}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(env_file=args.env_file, require_token=False)
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        print(asyncio.run(_migrate(settings)))
    elif args.command == "tickets":
        print(asyncio.run(_tickets(settings, args.status, args.limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
