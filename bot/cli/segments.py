"""`crm segments compute` and `crm segments show [--out chart.png]`.

bot/cli/commands.py adds them with ``add_commands(subparsers)`` and hands over a parsed command with
``if handles(args.command): return run(args, settings)``.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.store import in_store
from bot.settings import Settings
from crm.errors import CrmError
from crm.insight import segments
from crm.models import SegmentRun

COMMANDS: frozenset[str] = frozenset({"segments"})


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the segments subcommands to the `crm` parser."""
    parser = subparsers.add_parser("segments", help="customer segmentation (RFM + KMeans)")
    sub = parser.add_subparsers(dest="action", required=True)
    compute = sub.add_parser("compute", help="segment every customer now and store the run")
    compute.add_argument("--out", help="also write the segments chart to this PNG file")
    show = sub.add_parser("show", help="the latest run: sizes, profiles, descriptions")
    show.add_argument("--out", help="also write the segments chart to this PNG file")


def handles(command: str) -> bool:
    """Say whether a subcommand is one of these."""
    return command in COMMANDS


def run(args: argparse.Namespace, settings: Settings) -> str:
    """Run one of these subcommands; return what to print."""
    if args.action == "compute":
        return in_store(settings, lambda: _compute(settings, args.out))
    if args.action == "show":
        return in_store(settings, lambda: _show(settings, args.out))
    raise CrmError(f"unknown segments action {args.action}")


async def _compute(settings: Settings, out: str | None) -> str:
    run = await segments.compute_segments()
    return await _render(settings, run, out)


async def _show(settings: Settings, out: str | None) -> str:
    run = await segments.latest_run()
    if run is None:
        raise CrmError("no customer segments yet: run `crm segments compute` first")
    return await _render(settings, run, out)


async def _render(settings: Settings, run: SegmentRun, out: str | None) -> str:
    text = segments.describe_run(run, zone=settings.timezone)
    if out:
        png = await asyncio.to_thread(segments.segments_chart, run)
        await asyncio.to_thread(Path(out).write_bytes, png)
        text += f"\n\nchart written to {out}"
    return text
