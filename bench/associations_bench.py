"""Time product-association mining on a big store against loading its baskets alone.

    python bench/associations_bench.py [--orders 50000] [--products 300] [--seed 0]
        [--min-support 0.01] [--min-confidence 0.3]

Builds a temporary SQLite store through the real migrations and bulk-loads it with
executemany (bench/generate_store.py's loader): customers, a catalogue of products, orders of
1-8 lines with popular and rare products (Zipf-like), twenty planted "bought together" pairs
and 2% of lines known only by a product name. Then measures, each as the best of 3 runs after
one warm-up:

- the baseline: the one SQL query that loads (order, product key) pairs
  (`load_basket_pairs`), what any miner must pay to read the baskets;
- the CPU part alone on those pairs: sparse one-hot, FP-growth, rules (`find_rules`);
- the whole service as the bot and the CLI call it (`mine_associations`): load, mine in a
  worker thread, name the products.

Memory: tracemalloc's peak of Python allocations (numpy included) during one extra run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: python bench/...

from bench.generate_store import Table, load_sqlite  # noqa: E402
from crm.sales import associations  # noqa: E402
from crm.store.db import apply_migrations, close_store, open_store  # noqa: E402

REPEATS = 3
PLANTED = 20
NAME_ONLY = 0.02
NOW = 1_772_442_000.0  # 2026-03-02 09:00 UTC: fixed, so a seed gives the same store


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    seconds: float
    peak_mb: float


async def measure(name: str, operation: Callable[[], Awaitable[object]]) -> Row:
    """Warm up once, time the best of REPEATS, then one run under tracemalloc."""
    await operation()
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        await operation()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        await operation()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Row(name, best, peak / 2**20)


def generate(*, orders: int, products: int, seed: int) -> list[Table]:
    """Return customers, products, orders and order lines, in foreign-key order."""
    rng = np.random.default_rng(seed)
    customers = max(orders // 5, 1)
    stamps = np.full(customers, NOW - 400 * 86_400.0)
    customer = Table(
        "customer",
        {
            "id": np.arange(1, customers + 1),
            "first_name": [f"Customer {i}" for i in range(1, customers + 1)],
            "created_at": stamps,
            "updated_at": stamps,
        },
    )
    product_ids = np.arange(1, products + 1)
    product = Table(
        "product",
        {
            "id": product_ids,
            "sku": [f"SKU-{i:04d}" for i in product_ids.tolist()],
            "name": [f"Product {i}" for i in product_ids.tolist()],
            "category": [f"Category {i % 12}" for i in product_ids.tolist()],
            "price": ["9.90"] * products,
            "created_at": np.full(products, NOW - 500 * 86_400.0),
            "updated_at": np.full(products, NOW - 500 * 86_400.0),
        },
    )
    order_ids = np.arange(1, orders + 1)
    ordered_at = NOW - rng.uniform(0, 365, orders) * 86_400.0
    order = Table(
        "orders",
        {
            "id": order_ids,
            "customer_id": rng.integers(1, customers + 1, orders),
            "ordered_at": ordered_at,
            "status": ["completed"] * orders,
            "total": ["0.00"] * orders,
            "created_at": ordered_at,
        },
    )
    # Basket sizes 1-8 (a third of the orders hold one item), products by popularity.
    sizes = np.minimum(1 + rng.poisson(1.6, orders), 8)
    line_order = np.repeat(order_ids, sizes)
    popularity = 1.0 / (np.arange(products) + 8.0)
    line_product = rng.choice(product_ids, len(line_order), p=popularity / popularity.sum())
    # Planted pairs: a line of product a brings product b along in 60% of its orders.
    firsts = rng.choice(product_ids[: products // 2], PLANTED, replace=False)
    partner = dict(zip(firsts.tolist(), rng.choice(product_ids, PLANTED).tolist(), strict=True))
    extra = np.array([p in partner for p in line_product.tolist()]) & (
        rng.random(len(line_product)) < 0.6
    )
    line_order = np.concatenate([line_order, line_order[extra]])
    line_product = np.concatenate(
        [line_product, np.array([partner[p] for p in line_product[extra].tolist()], dtype=int)]
    )
    lines = len(line_order)
    name_only = rng.random(lines) < NAME_ONLY
    names = [
        f"Loose item {p % 25}" if loose else f"Product {p}"
        for p, loose in zip(line_product.tolist(), name_only.tolist(), strict=True)
    ]
    line = Table(
        "order_line",
        {
            "id": np.arange(1, lines + 1),
            "order_id": line_order,
            "product_id": [
                None if loose else p
                for p, loose in zip(line_product.tolist(), name_only.tolist(), strict=True)
            ],
            "product_name": names,
            "quantity": np.ones(lines, dtype=int),
            "price": ["9.90"] * lines,
            "total": ["9.90"] * lines,
        },
    )
    return [customer, product, order, line]


async def run(args: argparse.Namespace, folder: Path) -> None:
    """Build the store, measure, print the table."""
    url = f"sqlite://{folder / 'crm-associations.db'}"
    started = time.perf_counter()
    await apply_migrations(url)
    tables = generate(orders=args.orders, products=args.products, seed=args.seed)
    load_sqlite(str(folder / "crm-associations.db"), tables)
    print(f"store built in {time.perf_counter() - started:.1f} s")

    settings = {
        "min_support": args.min_support,
        "min_confidence": args.min_confidence,
        "limit": 20,
        "min_orders": 1,
    }
    await open_store(url, run_migrations=False)
    try:
        pairs = await associations.load_basket_pairs()

        async def cpu_only() -> object:
            return associations.find_rules(pairs, **settings)

        async def whole() -> associations.AssociationReport:
            return await associations.mine_associations(**settings)

        rows = [
            await measure("baseline: SQL load of the pairs", associations.load_basket_pairs),
            await measure("mining alone: one-hot+FP-growth", cpu_only),
            await measure("load + mine (mine_associations)", whole),
        ]
        report = await whole()
    finally:
        await close_store()

    print(
        f"baskets: {report.orders:,} orders, {report.products:,} products, "
        f"{len(pairs):,} distinct (order, product) pairs; support ≥ {args.min_support} "
        f"(= {report.min_orders_together} orders), confidence ≥ {args.min_confidence}"
    )
    print()
    print(f"{'operation':<34} | {'seconds':>8} | {'peak MB':>8} | {'× baseline':>10}")
    print(f"{'-' * 34}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 10}")
    base = rows[0].seconds
    for row in rows:
        print(
            f"{row.name:<34} | {row.seconds:>8.3f} | {row.peak_mb:>8.1f} | "
            f"{row.seconds / base:>9.1f}x"
        )
    print()
    print(f"{len(report.rules)} rule(s) with lift above 1; the strongest:")
    for rule in report.rules[:5]:
        print(f"  {associations.describe_rule(rule)}  [{rule.audience}]")
    if report.reason:
        print(f"  ({report.reason})")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-support", type=float, default=0.01)
    parser.add_argument("--min-confidence", type=float, default=0.3)
    args = parser.parse_args(argv)
    if args.orders < 1 or args.products < 2:
        parser.error("need at least one order and two products")
    with tempfile.TemporaryDirectory(prefix="crm-assoc-bench-") as folder:
        asyncio.run(run(args, Path(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
