"""What a sentiment is: the three labels, a score, the analyzer protocol, reading labels.

Every analyzer (lexicon, cues, trained model) speaks this vocabulary, and the stored scores
(Message.sentiment_label, migration 0003) hold SentimentLabel values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from crm.errors import InvalidInput


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True, slots=True)
class SentimentScore:
    score: float  # in [-1, 1]; below 0 leans negative
    label: SentimentLabel


class Analyzer(Protocol):
    name: str

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        """Score many texts at once, in order."""
        ...


_LABEL_ALIASES: dict[str, SentimentLabel] = {
    "negative": SentimentLabel.NEGATIVE,
    "neg": SentimentLabel.NEGATIVE,
    "-1": SentimentLabel.NEGATIVE,
    "-1.0": SentimentLabel.NEGATIVE,
    "neutral": SentimentLabel.NEUTRAL,
    "neu": SentimentLabel.NEUTRAL,
    "0": SentimentLabel.NEUTRAL,
    "0.0": SentimentLabel.NEUTRAL,
    "positive": SentimentLabel.POSITIVE,
    "pos": SentimentLabel.POSITIVE,
    "1": SentimentLabel.POSITIVE,
    "+1": SentimentLabel.POSITIVE,
    "1.0": SentimentLabel.POSITIVE,
}


def parse_label(value: str) -> SentimentLabel | None:
    """Read a label written as negative/neutral/positive, neg/neu/pos or -1/0/1; else None."""
    return _LABEL_ALIASES.get(str(value).strip().lower())


def _label_for(score: float, *, threshold: float) -> SentimentLabel:
    """Label a score: beyond +threshold positive, beyond -threshold negative, else neutral."""
    if score > threshold:
        return SentimentLabel.POSITIVE
    if score < -threshold:
        return SentimentLabel.NEGATIVE
    return SentimentLabel.NEUTRAL


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


def _parse_labels(labels: Iterable[str]) -> list[SentimentLabel]:
    parsed = []
    for raw in labels:
        label = parse_label(raw)
        if label is None:
            raise InvalidInput(f"unknown sentiment label {raw!r}")
        parsed.append(label)
    return parsed
