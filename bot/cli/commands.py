"""The `crm` command line's parser, its core commands, and the dispatch to each group."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import campaigns as cli_campaigns
from bot.cli import insight as cli_insight
from bot.cli import mining as cli_mining
from bot.cli import records as cli_records
from bot.cli import segments as cli_segments
from bot.cli.doctor import examine
from bot.cli.store import in_store
from bot.logs import scrub_output
from bot.settings import Settings, SettingsError, load_settings
from crm.customers import privacy
from crm.errors import CrmError
from crm.models import Ticket, TicketStatus
from crm.sentiment import (
    default_analyzer,
    evaluate,
    load_labelled_csv,
    save_model,
    scoring,
    train_model,
)
from crm.store import db

# Each adds its subcommands with add_commands(subparsers) and runs them with run(args, settings).
SUBCOMMAND_MODULES = (cli_records, cli_segments, cli_mining, cli_campaigns)


class DoctorFound(Exception):
    """The doctor found problems; its report is the message."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="crm", description="Telegram CRM desk command line.")
    parser.add_argument("--env-file", default=".env", help="optional .env file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="bring the store's schema up to date")
    migrate.add_argument("--sql", action="store_true", help="print the SQL instead of running it")

    tickets = sub.add_parser("tickets", help="list tickets")
    tickets.add_argument(
        "--status", choices=[s.value for s in TicketStatus], help="only tickets in this status"
    )
    tickets.add_argument("--limit", type=int, default=50)

    sentiment = sub.add_parser("sentiment", help="train, evaluate and run sentiment scoring")
    ssub = sentiment.add_subparsers(dest="action", required=True)
    train = ssub.add_parser("train", help="train a model from a labelled CSV or from ratings")
    train.add_argument("file", nargs="?", help="CSV with columns text,label")
    train.add_argument(
        "--from-ratings",
        action="store_true",
        help="use the store's rated tickets as weak labels (1-2 negative, 4-5 positive)",
    )
    train.add_argument("--out", required=True, help="where to write the model file")
    ev = ssub.add_parser("eval", help="accuracy and macro-F1 on a labelled CSV (JSON last line)")
    ev.add_argument("file", help="CSV with columns text,label (negative/neutral/positive)")
    ev.add_argument("--model", help="a trained model file (default: the built-in analyzer)")
    score = ssub.add_parser("score", help="score unscored customer messages in the store now")
    score.add_argument("--rescore", action="store_true", help="forget all scores first")
    score.add_argument("--model", help="model file (default: CRM_SENTIMENT_MODEL or built-in)")
    sub.add_parser("doctor", help="check settings, store, schema, token and webhook")
    report = sub.add_parser("report", help="service metrics for the last N days (and a chart)")
    report.add_argument("--days", type=int, default=7, help="how many days (default 7)")
    report.add_argument("--out", help="also write the tickets-per-day chart to this PNG file")
    for module in SUBCOMMAND_MODULES:
        module.add_commands(sub)
    gdpr = sub.add_parser("gdpr", help="privacy requests")
    gsub = gdpr.add_subparsers(dest="action", required=True)
    export = gsub.add_parser("export", help="write all data held about a customer as JSON")
    export.add_argument("customer_id", type=int)
    export.add_argument("--out", help="file to write (default: standard output)")
    erase = gsub.add_parser("erase", help="erase everything that identifies a customer")
    erase.add_argument("customer_id", type=int)
    return parser


async def _tickets(status: str | None, limit: int) -> str:
    query = Ticket.all().select_related("customer").order_by("-last_activity_at", "-id")
    if status:
        query = query.filter(status=TicketStatus(status))
    rows = await query.limit(limit)
    lines = [f"{'#':>6}  {'kind':<10} {'status':<9} {'pri':<3} {'customer':<20} subject"]
    for ticket in rows:
        lines.append(
            f"{ticket.id:>6}  {ticket.kind.value:<10} {ticket.status.value:<9} "
            f"{ticket.priority.value:<3} {ticket.customer.display_name[:20]:<20} {ticket.subject}"
        )
    return "\n".join(lines)


def _train(args: argparse.Namespace, settings: Settings) -> str:
    if args.from_ratings == bool(args.file):
        raise CrmError("give either a labelled CSV file or --from-ratings")
    if args.from_ratings:
        texts, labels = in_store(settings, scoring.weak_labels_from_ratings)
        source = "rated tickets in the store"
    else:
        data = load_labelled_csv(args.file)
        texts, labels, source = data.texts, data.labels, args.file
    model = train_model(texts=texts, labels=labels)
    path = save_model(model, args.out)
    return f"trained on {len(texts)} texts from {source}; model written to {path}"


async def _report(settings: Settings, days: int, out: str | None) -> str:
    from crm import clock
    from crm.insight.charts import render_daily_chart
    from crm.insight.periods import Period
    from crm.insight.report import build_report
    from crm.insight.series import daily_series

    if not 1 <= days <= 366:
        raise CrmError("--days must be between 1 and 366")
    zone = settings.timezone
    period = Period.last_days(days, now=clock.utcnow(), zone=zone)
    text = cli_insight.render_report(await build_report(period=period, zone=zone))
    if out:
        series = await daily_series(days=max(days, 2), now=clock.utcnow(), zone=zone)
        png = render_daily_chart(series, title=f"Tickets per day, {days} days")
        await asyncio.to_thread(Path(out).write_bytes, png)
        text += f"\n\nchart written to {out}"
    return text


def _eval(args: argparse.Namespace) -> str:
    data = load_labelled_csv(args.file)
    result = evaluate(analyzer=default_analyzer(args.model), texts=data.texts, labels=data.labels)
    lines = [
        f"{label}: precision {stats.precision:.3f} recall {stats.recall:.3f} "
        f"F1 {stats.f1:.3f} (n={stats.support})"
        for label, stats in result.per_label.items()
    ]
    summary = {
        "n": result.n,
        "accuracy": round(result.accuracy, 4),
        "macro_f1": round(result.macro_f1, 4),
    }
    return "\n".join([*lines, json.dumps(summary)])


async def _score(settings: Settings, rescore: bool, model: str | None) -> str:
    analyzer = default_analyzer(model or settings.sentiment_model)
    if rescore:
        await scoring.clear_scores()
    done = await scoring.score_pending(analyzer=analyzer)
    return f"scored {done} message(s) with {analyzer.name}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["report", "sales"]:
        argv = ["report-sales", *argv[2:]]  # `crm report sales --months N`, as documented
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(env_file=args.env_file, require_token=False)
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    scrub_output(settings.secrets)  # the doctor's report, errors, output: all scrubbed
    try:
        output = _run(args, settings)
    except DoctorFound as found:
        print(str(found))
        return 1
    except (CrmError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(output)
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> str:
    for module in SUBCOMMAND_MODULES:
        if module.handles(args.command):
            return module.run(args, settings)
    if args.command == "report":
        return in_store(settings, lambda: _report(settings, args.days, args.out))
    if args.command == "doctor":
        checks = asyncio.run(examine(settings))
        report = "\n".join(c.render() for c in checks)
        if not all(c.ok for c in checks):
            raise DoctorFound(report)
        return report
    if args.command == "migrate":
        status = asyncio.run(db.schema_status(settings.db_url))
        if status.newer_than_code:
            raise CrmError(f"the store is newer than this code: {', '.join(status.unknown)}")
        if args.sql:
            statements = asyncio.run(db.pending_sql(settings.db_url))
            return "\n".join(statements) or "-- nothing to do: the store is up to date"
        asyncio.run(db.apply_migrations(settings.db_url))
        done = ", ".join(status.pending) or "nothing pending"
        return f"store is up to date ({done}): {db.redact_db_url(settings.db_url)}"
    if args.command == "tickets":
        return in_store(settings, lambda: _tickets(args.status, args.limit))
    if args.command == "sentiment":
        if args.action == "train":
            return _train(args, settings)
        if args.action == "eval":
            return _eval(args)
        return in_store(settings, lambda: _score(settings, args.rescore, args.model))
    if args.command == "gdpr" and args.action == "erase":
        counts = in_store(
            settings,
            lambda: privacy.erase_customer(customer_id=args.customer_id, requested_by="operator"),
        )
        done = ", ".join(f"{name} {n}" for name, n in counts.items() if n) or "nothing held"
        return f"erased customer {args.customer_id}: {done}"
    if args.command == "gdpr":
        data = in_store(
            settings, lambda: privacy.export_customer_data(customer_id=args.customer_id)
        )
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
            return f"wrote everything held about customer {args.customer_id} to {args.out}"
        return text
    raise CrmError(f"unknown command {args.command}")
