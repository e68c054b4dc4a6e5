"""`crm` subcommands for records and sales: import, export, merge, link, audit, report-sales.

bot/cli/commands.py adds them with ``add_commands(subparsers)`` and hands over a parsed command with
``if handles(args.command): return run(args, settings)``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.cli.store import in_store
from bot.settings import Settings
from crm import audit
from crm.customers.linking import link_telegram
from crm.customers.merge import merge_customers
from crm.errors import CrmError
from crm.imports import ImportKind, exports, pipeline
from crm.imports.report import ImportProgress
from crm.sales import report as sales_report

COMMANDS = frozenset({"import", "export", "merge", "link", "audit", "report-sales"})
SHOWN_WARNINGS = 10


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the records and sales subcommands to the `crm` parser."""
    imp = subparsers.add_parser(
        "import",
        help="import customers, products or orders from a CSV or XLSX file",
        description="Every row ends as created, updated, merged or rejected (with the reason).",
    )
    imp.add_argument("kind", choices=[kind.value for kind in ImportKind])
    imp.add_argument("file", help="CSV (any delimiter, UTF-8/UTF-16/GB18030/cp1252) or XLSX")
    imp.add_argument(
        "--rejects", help="CSV for the rejected rows (default: <name>.rejected.csv next to FILE)"
    )
    imp.add_argument("--dayfirst", action="store_true", help="read 05/03/2024 as 5 March")
    imp.add_argument(
        "--country", help="country of phone numbers without a code (default: CRM_DEFAULT_COUNTRY)"
    )
    imp.add_argument(
        "--chunk-rows",
        type=int,
        default=pipeline.DEFAULT_CHUNK_ROWS,
        help=f"rows per chunk (default {pipeline.DEFAULT_CHUNK_ROWS})",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress line on stderr")

    exp = subparsers.add_parser("export", help="export a table as CSV (formula-safe)")
    exp.add_argument("kind", choices=[kind.value for kind in exports.ExportKind])
    exp.add_argument("file", help="the CSV file to write")

    merge = subparsers.add_parser("merge", help="merge customer DROP into customer KEEP")
    merge.add_argument("keep", type=int, help="the customer id that stays")
    merge.add_argument("drop", type=int, help="the customer id merged into it and deleted")

    link = subparsers.add_parser("link", help="attach a Telegram user id to a customer")
    link.add_argument("customer", type=int)
    link.add_argument("telegram_id", type=int)

    aud = subparsers.add_parser("audit", help="list audit entries, newest first")
    aud.add_argument(
        "--action", help='only this action, e.g. customer.merge (a trailing "." matches a prefix)'
    )
    aud.add_argument("--limit", type=int, default=20)

    report = subparsers.add_parser("report-sales", help="the sales report, with charts")
    report.add_argument("--months", type=int, default=3, help="this month and N-1 before it")
    report.add_argument("--out", help="directory for report.txt and the PNG charts")


def handles(command: str) -> bool:
    """Say whether a subcommand is one of these."""
    return command in COMMANDS


def run(args: argparse.Namespace, settings: Settings) -> str:
    """Run one of these subcommands; return what to print."""
    if args.command == "import":
        return _import(args, settings)
    if args.command == "export":
        return in_store(settings, lambda: _export(args))
    if args.command == "merge":
        return in_store(settings, lambda: _merge(args))
    if args.command == "link":
        return in_store(settings, lambda: _link(args))
    if args.command == "audit":
        return in_store(settings, lambda: _audit(args))
    if args.command == "report-sales":
        return _report(args, settings)
    raise CrmError(f"unknown command {args.command}")


class ProgressLine:
    """A one-line progress display on a terminal: percent (when known) and rows per second."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = sys.stderr if stream is None else stream  # today's (scrubbed) stderr
        self.shown = False
        self.last = 0.0

    def __call__(self, progress: ImportProgress) -> None:
        """Redraw the line (at most ten times a second)."""
        now = time.monotonic()
        if now - self.last < 0.1 and progress.rows_total != progress.rows_done:
            return
        self.last = now
        rate = progress.rows_done / progress.elapsed if progress.elapsed > 0 else 0.0
        percent = ""
        if progress.rows_total:
            share = min(progress.rows_done / progress.rows_total, 1.0)
            percent = f"{share:4.0%} "
        self.stream.write(
            f"\r{self.label}: {percent}{progress.rows_done:,} rows · {rate:,.0f} rows/s   "
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """End the line so the next output starts on its own."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _import(args: argparse.Namespace, settings: Settings) -> str:
    source = Path(args.file)
    if not source.is_file():
        raise CrmError(f"no such file: {source}")
    if args.chunk_rows < 1:
        raise CrmError("--chunk-rows must be at least 1")
    line = ProgressLine(f"importing {source.name}")
    show = not args.quiet and sys.stderr.isatty()
    try:
        report = in_store(
            settings,
            lambda: pipeline.import_file(
                kind=ImportKind(args.kind),
                path=source,
                default_country=args.country or settings.default_country,
                dayfirst=args.dayfirst,
                timezone=settings.timezone,
                chunk_rows=args.chunk_rows,
                progress=line if show else None,
            ),
        )
    finally:
        line.close()
    lines = [f"{source.name}: {report.summary()}"]
    if report.rejected:
        rejects = Path(args.rejects) if args.rejects else pipeline.default_rejects_path(source)
        rejects.write_bytes(pipeline.rejects_csv(report.rejected))
        lines.append(f"rejected rows with reasons: {rejects}")
    if report.warnings:
        lines.append(f"{len(report.warnings)} warning(s):")
        lines += [f"  {warning}" for warning in report.warnings[:SHOWN_WARNINGS]]
        if len(report.warnings) > SHOWN_WARNINGS:
            lines.append(f"  ... and {len(report.warnings) - SHOWN_WARNINGS} more")
    return "\n".join(lines)


async def _export(args: argparse.Namespace) -> str:
    result = await exports.export_csv(kind=exports.ExportKind(args.kind), path=args.file)
    return f"wrote {result.rows} {result.kind.value} row(s) to {result.path}"


async def _merge(args: argparse.Namespace) -> str:
    result = await merge_customers(keep_id=args.keep, drop_id=args.drop, actor_telegram_id=None)
    moved = ", ".join(f"{n} {what}" for what, n in result.moved.items()) or "nothing to move"
    return (
        f"customer #{args.drop} merged into #{args.keep} "
        f"({result.customer.display_name}); moved: {moved}"
    )


async def _link(args: argparse.Namespace) -> str:
    customer = await link_telegram(
        customer_id=args.customer, telegram_id=args.telegram_id, actor_telegram_id=None
    )
    return f"customer #{customer.id} ({customer.display_name}) is Telegram user {args.telegram_id}"


async def _audit(args: argparse.Namespace) -> str:
    entries = await audit.recent(limit=args.limit, action=args.action)
    if not entries:
        return "no audit entries"
    return "\n".join(audit.describe(entry) for entry in entries)


def _report(args: argparse.Namespace, settings: Settings) -> str:
    report = in_store(
        settings, lambda: sales_report.build_report(months=args.months, tz=settings.timezone)
    )
    text = sales_report.render_text(report)
    if not args.out:
        return text
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.txt"]
    written[0].write_text(text + "\n", encoding="utf-8")
    for chart in sales_report.charts(report):
        path = folder / f"{chart.name}.png"
        path.write_bytes(chart.png)
        written.append(path)
    return text + "\n\nwritten: " + ", ".join(str(path) for path in written)
