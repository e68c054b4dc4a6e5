"""Sentiment of customer messages: a score in [-1, 1] and a negative/neutral/positive label.

Three analyzers share one batch API (`score_many`):

- `TextBlobAnalyzer` (lexicon.py): bare textblob polarity, the baseline.
- `CueAnalyzer` (cues.py): the default. textblob's own lexicon and scoring rules plus a handful
  of customer-service cues (complaint vocabulary, negated actions, thanks, questions, emoji,
  Simplified Chinese cue words). Needs no training data.
- `TrainedAnalyzer` (model.py): a TF-IDF + logistic regression model trained with `train_model`
  from labelled texts and stored with `save_model`.

labels.py holds the vocabulary they share, evaluation.py labelled data and `evaluate`, and
scoring.py the batch scoring of stored messages. textblob, pandas and scikit-learn are
imported on first use, so importing this package is cheap.
"""

from __future__ import annotations

from pathlib import Path

from crm.errors import SentimentModelError
from crm.sentiment.cues import CueAnalyzer
from crm.sentiment.evaluation import (
    EvalResult,
    LabelledData,
    LabelStats,
    evaluate,
    load_labelled_csv,
)
from crm.sentiment.labels import Analyzer, SentimentLabel, SentimentScore, parse_label
from crm.sentiment.lexicon import TextBlobAnalyzer
from crm.sentiment.model import (
    SentimentModel,
    TrainedAnalyzer,
    load_model,
    normalise_for_model,
    save_model,
    train_model,
)

__all__ = [
    "Analyzer",
    "CueAnalyzer",
    "EvalResult",
    "LabelStats",
    "LabelledData",
    "SentimentLabel",
    "SentimentModel",
    "SentimentModelError",
    "SentimentScore",
    "TextBlobAnalyzer",
    "TrainedAnalyzer",
    "default_analyzer",
    "evaluate",
    "load_labelled_csv",
    "load_model",
    "normalise_for_model",
    "parse_label",
    "save_model",
    "train_model",
]


def default_analyzer(model_path: str | Path | None = None) -> Analyzer:
    """Return the trained analyzer if a model path is given, else the cue analyzer."""
    if model_path:
        return TrainedAnalyzer(load_model(model_path))
    return CueAnalyzer()
