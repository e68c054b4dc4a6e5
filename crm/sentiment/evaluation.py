"""Labelled data (a text,label CSV) and how well an analyzer labels it.

pandas is imported on first use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crm.errors import InvalidInput
from crm.sentiment.labels import Analyzer, SentimentLabel, _parse_labels, parse_label


@dataclass(frozen=True, slots=True)
class LabelledData:
    texts: list[str]
    labels: list[str]  # SentimentLabel values
    dropped: int  # rows without text or with an unknown label


def load_labelled_csv(path: str | Path) -> LabelledData:
    """Read a CSV with text and label columns (any case, other columns ignored)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [name for name in ("text", "label") if name not in columns]
    if missing:
        raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}")
    texts: list[str] = []
    labels: list[str] = []
    for text, raw_label in zip(frame[columns["text"]], frame[columns["label"]], strict=True):
        label = parse_label(raw_label)
        if label is None or not text.strip():
            continue
        texts.append(text)
        labels.append(label.value)
    return LabelledData(texts=texts, labels=labels, dropped=len(frame) - len(texts))


@dataclass(frozen=True, slots=True)
class LabelStats:
    precision: float
    recall: float
    f1: float
    support: int  # how many texts truly have this label


@dataclass(frozen=True, slots=True)
class EvalResult:
    n: int
    accuracy: float
    macro_f1: float  # mean F1 over the labels present in the truth or the predictions
    per_label: dict[SentimentLabel, LabelStats]


def evaluate(*, analyzer: Analyzer, texts: Sequence[str], labels: Sequence[str]) -> EvalResult:
    """Score the texts with the analyzer and compare its labels with the given ones."""
    truth = _parse_labels(labels)
    if len(texts) != len(truth):
        raise InvalidInput(f"{len(texts)} texts but {len(truth)} labels")
    if not truth:
        raise InvalidInput("nothing to evaluate")
    predicted = [s.label for s in analyzer.score_many(texts)]
    per_label: dict[SentimentLabel, LabelStats] = {}
    f1s = []
    for label in SentimentLabel:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        n_pred = predicted.count(label)
        n_true = truth.count(label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        per_label[label] = LabelStats(precision, recall, f1, n_true)
        if n_true or n_pred:
            f1s.append(f1)
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return EvalResult(
        n=len(truth),
        accuracy=correct / len(truth),
        macro_f1=math.fsum(f1s) / len(f1s),
        per_label=per_label,
    )
