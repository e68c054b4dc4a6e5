"""Benchmark the sentiment analyzers against bare textblob: quality and texts/second.

    python bench/sentiment_bench.py [--data PATH] [--test-size 0.25] [--seed 0]

Splits the labelled CSV (columns text,label) into a stratified train and test part, trains
the model on the train part only, and scores the test part with bare textblob, the default
cue analyzer and the trained model. The trained model is written to a temporary directory
and loaded back from there, never inside the repository: the airline tweets are licensed
for non-commercial use only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: python bench/sentiment_bench.py

from crm.sentiment import (  # noqa: E402
    Analyzer,
    CueAnalyzer,
    EvalResult,
    TextBlobAnalyzer,
    TrainedAnalyzer,
    evaluate,
    load_labelled_csv,
    load_model,
    save_model,
    train_model,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "airline_tweets_sentiment.csv"
TRAINED_TARGET = 0.75
DEFAULT_TARGET = 0.60
SPEED_TARGET = 5_000
REPEATS = 3


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    result: EvalResult
    texts_per_second: float


def texts_per_second(*, analyzer: Analyzer, texts: Sequence[str], repeats: int) -> float:
    """Time scoring all texts in one batch a few times; return the best rate."""
    analyzer.score_many(texts[:10])  # warm up: lexicon load, first-call imports
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        analyzer.score_many(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def measure(*, analyzer: Analyzer, texts: Sequence[str], labels: Sequence[str]) -> Row:
    """Evaluate and time one analyzer on the test part."""
    result = evaluate(analyzer=analyzer, texts=texts, labels=labels)
    speed = texts_per_second(analyzer=analyzer, texts=texts, repeats=REPEATS)
    return Row(analyzer.name, result, speed)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled CSV")
    parser.add_argument("--test-size", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if not args.data.is_file():
        print(
            f"No labelled data at {args.data}.\n"
            "Pass --data PATH to a CSV with columns text,label "
            "(labels negative/neutral/positive).",
            file=sys.stderr,
        )
        return 2

    from sklearn.model_selection import train_test_split

    data = load_labelled_csv(args.data)
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        data.texts,
        data.labels,
        test_size=args.test_size,
        stratify=data.labels,
        random_state=args.seed,
    )
    print(
        f"data: {args.data} ({len(data.texts)} rows, {data.dropped} dropped); "
        f"train {len(train_texts)}, test {len(test_texts)}, seed {args.seed}"
    )

    start = time.perf_counter()
    model = train_model(texts=train_texts, labels=train_labels, random_state=args.seed)
    train_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = save_model(model, Path(tmp) / "sentiment.joblib")
        size_kb = path.stat().st_size / 1024
        trained = TrainedAnalyzer(load_model(path))
    print(f"trained in {train_seconds:.1f}s; model file {size_kb:,.0f} KiB (temp dir, deleted)")

    baseline = TextBlobAnalyzer()
    with threadpool_limits(limits=1):  # one core: no BLAS/OpenMP threads for the model maths
        rows = [
            measure(analyzer=analyzer, texts=test_texts, labels=test_labels)
            for analyzer in (baseline, CueAnalyzer(), trained)
        ]
    full = evaluate(analyzer=baseline, texts=data.texts, labels=data.labels)

    base_f1 = rows[0].result.macro_f1
    print()
    print(f"{'analyzer':<10} | {'accuracy':>8} | {'macro-F1':>8} | {'texts/s':>9} | vs textblob")
    print(f"{'-' * 10}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 9}-+-{'-' * 11}")
    for row in rows:
        print(
            f"{row.name:<10} | {row.result.accuracy:>8.3f} | {row.result.macro_f1:>8.3f} | "
            f"{row.texts_per_second:>9,.0f} | {row.result.macro_f1 / base_f1:>10.2f}x"
        )
    print()
    print(
        f"bare textblob on the full set ({full.n} texts): "
        f"accuracy {full.accuracy:.3f}, macro-F1 {full.macro_f1:.3f}"
    )

    by_name = {row.name: row for row in rows}
    # The trained analyzer's name carries its training time ("trained:2026-...").
    trained_name = next(name for name in by_name if name.startswith("trained"))
    cue, model_row = by_name["cue"], by_name[trained_name]
    print()
    print("targets:")
    print(
        f"  trained macro-F1 >= {TRAINED_TARGET:.2f}: {model_row.result.macro_f1:.3f} "
        f"{verdict(model_row.result.macro_f1 >= TRAINED_TARGET)}"
    )
    print(
        f"  default (cue) macro-F1 >= {DEFAULT_TARGET:.2f}: {cue.result.macro_f1:.3f} "
        f"{verdict(cue.result.macro_f1 >= DEFAULT_TARGET)}"
    )
    for row in (cue, model_row):
        print(
            f"  {row.name} >= {SPEED_TARGET:,} texts/s (one core): "
            f"{row.texts_per_second:,.0f} {verdict(row.texts_per_second >= SPEED_TARGET)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
