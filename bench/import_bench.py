"""Benchmark the customer import against bare pandas and a bare bulk insert, in one run.

    python bench/import_bench.py [--rows 100000] [--seed 0] [--chunk-rows 20000]

Writes a messy customers CSV (10% of the rows repeat an earlier person with other formatting:
case, spacing, phone punctuation, a "mailto:"; 2% carry a broken email), imports it into a
fresh SQLite store with ``crm.imports.pipeline.import_file`` (cleaning, dedupe against the store,
bulk writes, audit), and measures in the same run two baselines on the same data: pandas
``read_csv`` of the file alone, and ``bulk_create`` of as many plain customer rows into
another fresh store. Prints a table and PASS/MISS against the 30-second target.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: python bench/import_bench.py

import pandas as pd  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from crm.imports import ImportKind  # noqa: E402
from crm.imports.pipeline import import_file  # noqa: E402
from crm.imports.report import ImportReport  # noqa: E402
from crm.models import Customer  # noqa: E402
from crm.store import db  # noqa: E402

TARGET_SECONDS = 30.0
FIRST = ["Anna", "Boris", "Chen", "Dana", "Emil", "Fatima", "Gus", "Hana", "Ivan", "Jun", "王",
         "Li", "María", "Noah", "Olga", "Pål"]  # fmt: skip
LAST = ["Smith", "O'Neil", "Nguyen", "Müller", "García", "Kowalski", "Ivanova", "Tanaka", "李",
        "Brown", "Dubois", "Rossi"]  # fmt: skip
CITIES = ["Berlin", "London", "Paris", "北京", "上海", "New York", "São Paulo", "", ""]
HEADER = ["Full Name", "E-mail", "Mobile", "City", "Tags", "Created", "Loyalty level"]


def messy_rows(count: int, seed: int) -> list[list[str]]:
    """Return `count` data rows: 90% distinct people, 10% re-typed repeats, 2% bad emails."""
    rng = random.Random(seed)
    people: list[list[str]] = []
    rows: list[list[str]] = []
    for index in range(count):
        if people and rng.random() < 0.10:
            rows.append(_retyped(rng.choice(people), rng))
            continue
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"user{index}@example.com"
        if rng.random() < 0.02:
            email = rng.choice([f"user{index}@@example", f"user{index}.example.com", "n/a"])
        phone = f"+1 415 {200 + index // 10_000:03d} {index % 10_000:04d}"
        created = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        row = [name, email, phone, rng.choice(CITIES), rng.choice(["vip", "b2b;vip", "", ""]),
               created, rng.choice(["Gold", "Silver", ""])]  # fmt: skip
        people.append(row)
        rows.append(row)
    return rows


def _retyped(row: list[str], rng: random.Random) -> list[str]:
    name, email, phone, city, tags, created, loyalty = row
    digits = phone.replace(" ", "")[2:]
    phone = rng.choice(
        [f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"001{digits}", f"tel:+1-{digits}"]
    )
    email = rng.choice([f"  {email.upper()} ", f"mailto:{email}", f"<{email}>"])
    month, day = created[5:7], created[8:10]
    return [name.upper(), email, phone, city, tags.upper(), f"{month}/{day}/2024", loyalty]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)


async def fresh_store(path: Path, work: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    """Open a new SQLite store, time `work` in it, close it."""
    await db.open_store(f"sqlite://{path}")
    try:
        started = time.perf_counter()
        result = await work()
        return time.perf_counter() - started, result
    finally:
        await db.close_store()


async def bare_insert(count: int) -> None:
    customers = [
        Customer(first_name=f"Person {n}", email=f"p{n}@example.com", phone=f"+1415{n:07d}")
        for n in range(count)
    ]
    async with in_transaction():
        await Customer.bulk_create(customers, batch_size=1_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk-rows", type=int, default=20_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="crm-import-bench-") as folder:
        work = Path(folder)
        source = work / "customers.csv"
        write_csv(source, messy_rows(args.rows, args.seed))
        size_mb = source.stat().st_size / 1_048_576

        started = time.perf_counter()
        pd.read_csv(source, dtype=str, keep_default_na=False)
        pandas_seconds = time.perf_counter() - started

        insert_seconds, _ = asyncio.run(
            fresh_store(work / "bare.db", lambda: bare_insert(args.rows))
        )
        import_seconds, result = asyncio.run(
            fresh_store(
                work / "crm.db",
                lambda: import_file(
                    kind=ImportKind.CUSTOMERS, path=source, chunk_rows=args.chunk_rows
                ),
            )
        )
        assert isinstance(result, ImportReport)
        report = result

    rows = args.rows
    table = [
        ("pandas read_csv (baseline)", pandas_seconds),
        ("bare bulk insert (baseline)", insert_seconds),
        ("crm import customers", import_seconds),
    ]
    baseline = pandas_seconds + insert_seconds
    print(f"{rows:,} rows, {size_mb:.1f} MB CSV, chunks of {args.chunk_rows:,} rows, SQLite")
    print(f"{'step':<30} {'seconds':>8} {'rows/s':>10} {'× baselines':>12}")
    for name, seconds in table:
        print(f"{name:<30} {seconds:>8.2f} {rows / seconds:>10,.0f} {seconds / baseline:>12.1f}")
    counts = report.counts()
    print(
        f"outcomes: {counts['created']:,} created, {counts['updated']:,} updated, "
        f"{counts['merged']:,} merged, {counts['rejected']:,} rejected "
        f"(sum {counts['created'] + counts['updated'] + counts['merged'] + counts['rejected']:,}"
        f" of {counts['rows']:,}); {len(report.warnings):,} warnings"
    )
    verdict = "PASS" if import_seconds < TARGET_SECONDS else "MISS"
    print(f"{verdict}: import took {import_seconds:.1f} s (target < {TARGET_SECONDS:.0f} s)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
