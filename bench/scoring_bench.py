"""Benchmark: scoring every customer message of a big store, against pure in-memory scoring.

    python bench/generate_store.py --db sqlite:///tmp/crm-bench.db     # 1M messages
    python bench/scoring_bench.py --db sqlite:///tmp/crm-bench.db

Target: 1,000,000 messages scored in under 5 minutes (the store's reads and writes included).
The baseline is the same analyzer scoring the same texts with no store at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crm.models import Direction, Message
from crm.sentiment import CueAnalyzer, scoring
from crm.store import db

TARGET_SECONDS = 300.0


async def run(db_url: str, limit: int | None) -> None:
    """Time a full rescoring pass and the in-memory baseline; print the table."""
    await db.open_store(db_url)
    try:
        analyzer = CueAnalyzer()
        query = Message.filter(direction=Direction.INBOUND).order_by("id")
        if limit:
            query = query.limit(limit)
        texts = await query.values_list("text", flat=True)
        started = time.perf_counter()
        analyzer.score_many(list(texts))
        baseline = time.perf_counter() - started

        await scoring.clear_scores()
        started = time.perf_counter()
        done = await scoring.score_pending(analyzer=analyzer, limit=limit)
        full = time.perf_counter() - started
    finally:
        await db.close_store()

    per_million = full / max(done, 1) * 1_000_000
    print(f"store: {db.redact_db_url(db_url)}; {done:,} inbound messages scored")
    print(f"{'step':<36} | {'seconds':>8} | {'msgs/s':>9} | × baseline")
    print("-" * 36 + "-+-" + "-" * 8 + "-+-" + "-" * 9 + "-+-----------")
    print(
        f"{'baseline: score texts in memory':<36} | {baseline:8.1f} | "
        f"{len(texts) / baseline:9,.0f} |       1.0x"
    )
    print(
        f"{'score_pending: read, score, write':<36} | {full:8.1f} | "
        f"{done / full:9,.0f} | {full / baseline:9.1f}x"
    )
    verdict = "PASS" if per_million < TARGET_SECONDS else "MISS"
    print(
        f"\n1,000,000 messages would take {per_million:.0f} s: target < {TARGET_SECONDS:.0f} s "
        f"{verdict}"
    )


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite:///tmp/crm-bench.db")
    parser.add_argument("--limit", type=int, help="score only this many messages")
    args = parser.parse_args()
    asyncio.run(run(args.db, args.limit))


if __name__ == "__main__":
    main()
