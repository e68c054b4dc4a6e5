"""Benchmark: segmenting 100,000 customers with 1,000,000 orders, against a naive baseline.

    python bench/segment_bench.py                      # builds /tmp/crm-segments-100000.db once
    python bench/segment_bench.py --customers 10000    # a quick run
    python bench/segment_bench.py --replace            # rebuild the store first

Targets: `compute_segments` on 100,000 customers and 1,000,000 orders (plus tickets, messages
and ratings) in under 20 s, with a peak RSS under 1 GB.

The store is filled by `generate_store.py`'s generator (customers, tickets, messages,
ratings, staff, NPS) plus orders drawn here: a fifth of the customers never buy; the others
differ in how often they buy (log-normal weights), what they spend per order and how long ago
they stopped. Loading uses the stdlib sqlite3 module (executemany in one transaction).

Every step runs in a fresh process, so each peak RSS is that step's own:

- baseline: what a script without the CRM would do, plain sqlite3 reading all 1M order rows
  into pandas, RFM per customer there, log + StandardScaler + the same KMeans k-search;
- load_features alone: the GROUP BY queries through tortoise, into pandas;
- segment alone: filling, scaling, KMeans for k = 3..8, silhouettes, naming (in memory);
- compute_segments: all of it, plus a stored run and one row per customer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: python bench/segment_bench.py
sys.path.insert(0, str(ROOT / "bench"))

from generate_store import DAY, Table, generate, load_sqlite  # noqa: E402

from crm.store import db  # noqa: E402
from crm.store.db import apply_migrations  # noqa: E402

TARGET_SECONDS = 20.0
TARGET_RSS_MB = 1024.0
ORDERS_PER_CUSTOMER = 10
TICKETS_PER_CUSTOMER = 2
MESSAGES_PER_CUSTOMER = 5
STEPS = ("baseline", "load_features", "segment", "compute")
LABELS = {
    "baseline": "baseline: sqlite3 rows -> pandas RFM + KMeans",
    "load_features": "load_features: SQL GROUP BY -> pandas",
    "segment": "segment: fill, scale, KMeans k=3..8, names",
    "compute": "compute_segments: all + store rows",
}


# --- the store ---------------------------------------------------------------------------


def orders_table(*, customers: int, orders: int, seed: int, now: float) -> Table:
    """Return orders for the customers: who buys, how often, how much, and until when."""
    rng = np.random.default_rng(seed + 1)
    buyer = rng.random(customers) < 0.8
    weight = np.where(buyer, rng.lognormal(0.0, 1.0, customers), 0.0)
    owner = rng.choice(customers, size=orders, p=weight / weight.sum())
    # Each buyer has a span of activity: most are still buying, some stopped long ago.
    stopped = np.where(
        rng.random(customers) < 0.7,
        rng.exponential(30.0, customers),
        rng.uniform(180.0, 720.0, customers),
    )
    last = now - stopped * DAY
    first = last - rng.uniform(30.0, 720.0, customers) * DAY
    at = first[owner] + rng.random(orders) * (last[owner] - first[owner])
    basket = rng.lognormal(np.log(40.0), 0.8, customers)
    total = np.round(basket[owner] * rng.lognormal(0.0, 0.5, orders), 2)
    order = np.argsort(at, kind="stable")
    return Table(
        "orders",
        {
            "id": np.arange(1, orders + 1),
            "external_ref": [None] * orders,
            "customer_id": owner[order] + 1,
            "ordered_at": at[order],
            "status": ["completed"] * orders,
            "total": [f"{t:.2f}" for t in total[order].tolist()],
            "created_at": at[order],
        },
    )


def build_store(url: str, customers: int, seed: int) -> None:
    """Migrate and fill a fresh SQLite store with the benchmark's data."""
    started = time.perf_counter()
    path = url.removeprefix("sqlite://")
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    asyncio.run(apply_migrations(url))
    now = datetime.now(UTC).timestamp()
    tables = generate(
        customers=customers,
        tickets=customers * TICKETS_PER_CUSTOMER,
        messages=customers * MESSAGES_PER_CUSTOMER,
        days=90,
        seed=seed,
        now=now,
    )
    tables.append(
        orders_table(
            customers=customers, orders=customers * ORDERS_PER_CUSTOMER, seed=seed, now=now
        )
    )
    print(f"generated in {time.perf_counter() - started:.1f} s; loading {path}:")
    load_sqlite(path, tables)
    print(f"store built in {time.perf_counter() - started:.1f} s")


def store_counts(url: str) -> dict[str, int]:
    """Return the row counts of the tables segmentation reads (empty if there is no store)."""
    path = url.removeprefix("sqlite://")
    if not Path(path).is_file():
        return {}
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in ("customer", "orders", "ticket", "message", "rating")
        }
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


# --- the steps, each in its own process ------------------------------------------------------


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB.

    On Linux, VmHWM: getrusage's ru_maxrss carries a parent's peak over fork and exec, so a
    step started by a big parent would report the parent's peak as its own.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, else KiB


def baseline(url: str) -> dict[str, object]:
    """RFM in pandas from raw order rows, then the same scaling and k-search; no CRM code."""
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from crm.insight.segment_model import cluster

    started = time.perf_counter()
    conn = sqlite3.connect(url.removeprefix("sqlite://"))
    try:
        orders = pd.read_sql_query(
            'SELECT "customer_id", "ordered_at", "total" FROM "orders"', conn
        )
    finally:
        conn.close()
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], utc=True, format="ISO8601")
    orders["total"] = pd.to_numeric(orders["total"])
    now = pd.Timestamp.now(tz="UTC")
    rfm = orders.groupby("customer_id").agg(
        last=("ordered_at", "max"), orders=("total", "size"), spent=("total", "sum")
    )
    rfm["recency"] = (now - rfm.pop("last")).dt.total_seconds() / 86_400
    matrix = StandardScaler().fit_transform(np.log1p(rfm.clip(lower=0).to_numpy()))
    found = cluster(matrix)
    return {
        "seconds": time.perf_counter() - started,
        "rows": len(orders),
        "customers": len(rfm),
        "k": found.k if found else 0,
    }


async def _timed_features(url: str) -> tuple[float, object]:
    from crm import clock
    from crm.insight.segment_features import load_features

    await db.open_store(url)
    try:
        started = time.perf_counter()
        features = await load_features(now=clock.utcnow())
        return time.perf_counter() - started, features
    finally:
        await db.close_store()


def step_load_features(url: str) -> dict[str, object]:
    """Time the database aggregation alone."""
    seconds, features = asyncio.run(_timed_features(url))
    return {"seconds": seconds, "customers": len(features)}  # type: ignore[arg-type]


def step_segment(url: str) -> dict[str, object]:
    """Time the in-memory part alone, on features loaded (untimed) from the store."""
    from crm.insight.segment_model import segment

    _, features = asyncio.run(_timed_features(url))
    started = time.perf_counter()
    result = segment(features)  # type: ignore[arg-type]
    return {
        "seconds": time.perf_counter() - started,
        "customers": len(result.labels),
        "k": result.k,
        "silhouette": result.silhouette,
    }


async def _compute(url: str) -> dict[str, object]:
    from crm.insight.segments import compute_segments, describe_run
    from crm.models import CustomerSegment

    await db.open_store(url)
    try:
        started = time.perf_counter()
        run = await compute_segments()
        seconds = time.perf_counter() - started
        stored = await CustomerSegment.filter(run_id=run.id).count()
        return {
            "seconds": seconds,
            "customers": run.customers,
            "stored": stored,
            "k": run.k,
            "silhouette": run.silhouette,
            "summary": describe_run(run),
        }
    finally:
        await db.close_store()


def step_compute(url: str) -> dict[str, object]:
    """Time compute_segments end to end."""
    return asyncio.run(_compute(url))


RUNNERS = {
    "baseline": baseline,
    "load_features": step_load_features,
    "segment": step_segment,
    "compute": step_compute,
}


def run_step(step: str, url: str) -> dict[str, object]:
    """Run one step in a fresh Python process; return what it measured."""
    done = subprocess.run(
        [sys.executable, __file__, "--step", step, "--db", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the store, run every step in its own process, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", help="sqlite://PATH (default: /tmp/crm-segments-N.db)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replace", action="store_true", help="rebuild the store first")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///tmp/crm-segments-{args.customers}.db"
    if not url.startswith("sqlite://"):
        parser.error("the benchmark builds an SQLite store: --db sqlite://PATH")
    if args.step:
        result = RUNNERS[args.step](url)
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return 0

    if args.build:
        build_store(url, args.customers, args.seed)
        return 0
    counts = store_counts(url)
    if args.replace or counts.get("customer") != args.customers or not counts.get("orders"):
        # In a child process too, so this one stays small for the steps it starts.
        build = [sys.executable, __file__, "--build", "--db", url]
        subprocess.run(
            [*build, "--customers", str(args.customers), "--seed", str(args.seed)], check=True
        )
        counts = store_counts(url)
    print(
        f"store: {url}; "
        + ", ".join(f"{n:,} {table}" for table, n in counts.items())
        + f"; Python {sys.version.split()[0]}"
    )
    results = {step: run_step(step, url) for step in STEPS}
    base = float(results["baseline"]["seconds"])  # type: ignore[arg-type]
    print()
    print(f"{'step':<46} | {'seconds':>7} | {'peak RSS':>9} | × baseline")
    print("-" * 46 + "-+-" + "-" * 7 + "-+-" + "-" * 9 + "-+-----------")
    for step in STEPS:
        seconds = float(results[step]["seconds"])  # type: ignore[arg-type]
        rss = float(results[step]["peak_rss_mb"])  # type: ignore[arg-type]
        print(f"{LABELS[step]:<46} | {seconds:7.2f} | {rss:6.0f} MB | {seconds / base:9.2f}x")
    compute = results["compute"]
    seconds, rss = float(compute["seconds"]), float(compute["peak_rss_mb"])  # type: ignore[arg-type]
    verdict = "PASS" if seconds < TARGET_SECONDS and rss < TARGET_RSS_MB else "MISS"
    print(
        f"\ncompute_segments: {compute['customers']:,} customers, {compute['stored']:,} rows "
        f"stored, k={compute['k']}, silhouette {compute['silhouette']}"
    )
    print(
        f"targets: < {TARGET_SECONDS:.0f} s and < {TARGET_RSS_MB:.0f} MB peak RSS: "
        f"{seconds:.1f} s, {rss:.0f} MB: {verdict}"
    )
    print()
    print(compute["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
