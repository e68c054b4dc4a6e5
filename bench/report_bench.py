"""Time the managers' reports on a big store against one raw SQL aggregate as the floor.

    python bench/report_bench.py --db sqlite:///tmp/crm-bench.db [--days 30] [--zone UTC]

Fill the store first with bench/generate_store.py. Measures, each as the best of 3 runs after
one warm-up: the daily summary for yesterday (`build_summary`), the `/report 30` numbers
(`build_report` for the last 30 days), the chart (its daily series and the PNG), and the floor:
one raw SQL query, through the same connection, counting tickets opened and resolved by kind
and ratings in the same period — what any report must at least pay to read those rows.

Memory, from one extra run of each operation:
- peak MB: tracemalloc's peak of Python allocations during the operation (the target);
- RSS +MB: growth of the process's max RSS (getrusage) during it. RSS also counts the
  SQLite page cache and numpy buffers that tracemalloc cannot see, but it is a high-water
  mark: an operation that stays under an earlier peak shows 0.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: python bench/report_bench.py

from tortoise import Tortoise  # noqa: E402
from tortoise.backends.base.client import BaseDBAsyncClient  # noqa: E402

from crm import clock  # noqa: E402
from crm.insight.charts import render_daily_chart  # noqa: E402
from crm.insight.periods import Period  # noqa: E402
from crm.insight.report import build_report  # noqa: E402
from crm.insight.series import daily_series  # noqa: E402
from crm.insight.summary import build_summary  # noqa: E402
from crm.store.db import close_store, open_store, tortoise_config  # noqa: E402
from handlers.views.insight import render_report, render_summary  # noqa: E402

REPEATS = 3
SECONDS_TARGET = 3.0
MEMORY_TARGET_MB = 300.0


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    seconds: float
    peak_mb: float
    rss_growth_mb: float


def _max_rss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; this bench targets the Linux servers).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(name: str, operation: Callable[[], Awaitable[object]]) -> Row:
    """Warm up once, time the best of REPEATS, then one run under tracemalloc."""
    await operation()
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        await operation()
        best = min(best, time.perf_counter() - started)
    rss_before = _max_rss_mb()
    tracemalloc.start()
    try:
        await operation()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Row(name, best, peak / 2**20, _max_rss_mb() - rss_before)


def _connection(db_url: str) -> BaseDBAsyncClient:
    return Tortoise.get_connection(tortoise_config(db_url)["apps"]["crm"]["default_connection"])


def floor_query(db_url: str, period: Period) -> Callable[[], Awaitable[object]]:
    """Return one raw SQL aggregate of the report's basic counts, on the ORM's connection."""
    connection = _connection(db_url)
    postgres = connection.capabilities.dialect == "postgres"
    marks = [f"${i}" for i in range(1, 7)] if postgres else ["?"] * 6
    sql = (
        f"SELECT 'opened', kind, COUNT(*) FROM ticket "
        f"WHERE created_at >= {marks[0]} AND created_at < {marks[1]} GROUP BY kind "
        f"UNION ALL SELECT 'resolved', kind, COUNT(*) FROM ticket "
        f"WHERE resolved_at >= {marks[2]} AND resolved_at < {marks[3]} GROUP BY kind "
        f"UNION ALL SELECT 'ratings', '', COUNT(*) FROM rating "
        f"WHERE created_at >= {marks[4]} AND created_at < {marks[5]}"
    )
    # SQLite compares the text tortoise stores; PostgreSQL takes timestamptz parameters.
    bounds: list[object] = (
        [period.start, period.end]
        if postgres
        else [period.start.isoformat(sep=" "), period.end.isoformat(sep=" ")]
    )

    async def run() -> object:
        return await connection.execute_query(sql, bounds * 3)

    return run


async def _counts(db_url: str) -> dict[str, int]:
    connection = _connection(db_url)
    found = {}
    for table in ("customer", "ticket", "message", "rating", "sla_breach", "nps_response"):
        _, rows = await connection.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        found[table] = int(rows[0]["n"])
    return found


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


async def run(db_url: str, *, days: int, zone: ZoneInfo) -> int:
    """Open the store, measure every operation, print the table."""
    await open_store(db_url, run_migrations=False)
    try:
        counts = await _counts(db_url)
        print("store: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
        now = clock.utcnow()
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        period = Period.last_days(days, now=now, zone=zone)
        print(
            f"period: last {days} days in {zone.key} ({period.start:%Y-%m-%d %H:%M} - "
            f"{period.end:%Y-%m-%d %H:%M} UTC); summary day {yesterday}"
        )
        series = await daily_series(days=days, now=now, zone=zone)

        async def summary() -> str:
            found = await build_summary(day=yesterday, zone=zone, now=now)
            return render_summary(found, title="Daily summary")

        async def report() -> str:
            return render_report(await build_report(period=period, zone=zone))

        async def chart_series() -> object:
            return await daily_series(days=days, now=now, zone=zone)

        async def chart_png() -> bytes:
            return await asyncio.to_thread(render_daily_chart, series, title="Tickets")

        rows = [
            await measure("floor: one raw SQL count", floor_query(db_url, period)),
            await measure("summary: yesterday vs 7 days", summary),
            await measure(f"report: last {days} days", report),
            await measure(f"chart: {days}-day series (SQL)", chart_series),
            await measure("chart: PNG render", chart_png),
        ]
    finally:
        await close_store()

    floor = rows[0].seconds
    print()
    print(f"{'operation':<32} | {'seconds':>8} | {'peak MB':>8} | {'RSS +MB':>8} | {'× floor':>8}")
    print(f"{'-' * 32}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 8}")
    for row in rows:
        print(
            f"{row.name:<32} | {row.seconds:>8.3f} | {row.peak_mb:>8.1f} | "
            f"{row.rss_growth_mb:>8.1f} | {row.seconds / floor:>7.1f}x"
        )
    print(f"process max RSS: {_max_rss_mb():.0f} MB (interpreter, pandas, matplotlib included)")

    print()
    print("targets (SQLite):" if db_url.startswith("sqlite") else "targets (set for SQLite):")
    ok = True
    for row in rows[1:3]:
        fast = row.seconds < SECONDS_TARGET
        small = row.peak_mb < MEMORY_TARGET_MB
        ok &= fast and small
        print(
            f"  {row.name}: {row.seconds:.2f} s < {SECONDS_TARGET:.0f} s {verdict(fast)}; "
            f"peak {row.peak_mb:.0f} MB < {MEMORY_TARGET_MB:.0f} MB {verdict(small)}"
        )
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="sqlite:///path.db or postgres://...")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--zone", default="UTC", help="IANA zone the managers live in")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    code = asyncio.run(run(args.db, days=args.days, zone=ZoneInfo(args.zone)))
    print(f"\nbenchmark took {(datetime.now(UTC) - started).total_seconds():.0f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
