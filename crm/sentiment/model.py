"""The trained analyzer: a TF-IDF + logistic regression model, trained, saved and loaded.

scikit-learn and joblib are imported on first use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm import clock
from crm.errors import InvalidInput, SentimentModelError
from crm.sentiment.labels import SentimentLabel, SentimentScore, _clamp, _parse_labels
from crm.sentiment.lexicon import _APOSTROPHES

_MODEL_FORMAT = "crm-sentiment-model/1"
_LINK_RE = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE_RE = re.compile(r"@\w+")


def normalise_for_model(text: str) -> str:
    """Lowercase and replace links and @handles with placeholders before vectorizing."""
    text = _LINK_RE.sub(" url ", text.lower().translate(_APOSTROPHES))
    return _HANDLE_RE.sub(" @user ", text)


# A saved model pickles its vectorizers' preprocessor by module and name, so that name is part
# of the model file format: files written before this module existed look it up as
# crm.sentiment.normalise_for_model. It is re-exported there and pickled under that name, so
# model files load across versions either way.
normalise_for_model.__module__ = "crm.sentiment"


@dataclass(frozen=True, slots=True)
class SentimentModel:
    pipeline: Any  # a fitted scikit-learn Pipeline with predict_proba
    metadata: dict[str, Any]  # labels, created, n_train, sklearn_version


class TrainedAnalyzer:
    """Score with a trained model: label = most likely class, score = P(pos) - P(neg)."""

    name = "trained"

    def __init__(self, model: SentimentModel) -> None:
        self.model = model
        # Scores carry the analyzer's name; a different model (new `created`) rescores.
        self.name = f"trained:{model.metadata.get('created', 'unknown')}"[:64]
        self._classes = [SentimentLabel(c) for c in model.pipeline.classes_]

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        """Score all texts in one vectorized pass."""
        if not texts:
            return []
        proba = self.model.pipeline.predict_proba([text or "" for text in texts])
        classes = self._classes

        def probability(label: SentimentLabel) -> Any:
            # A model trained without some label (weak labels, say) gives it probability 0.
            return proba[:, classes.index(label)] if label in classes else 0.0

        scores = probability(SentimentLabel.POSITIVE) - probability(SentimentLabel.NEGATIVE)
        return [
            SentimentScore(_clamp(score), classes[best])
            for score, best in zip(scores.tolist(), proba.argmax(axis=1).tolist(), strict=True)
        ]


def train_model(
    *, texts: Sequence[str], labels: Sequence[str], random_state: int = 0
) -> SentimentModel:
    """Train a TF-IDF (word + character n-grams) logistic-regression model on labelled texts."""
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    y = _parse_labels(labels)
    if len(texts) != len(y):
        raise InvalidInput(f"{len(texts)} texts but {len(y)} labels")
    if len(set(y)) < 2:
        raise InvalidInput("training needs examples of at least two different labels")
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    preprocessor=normalise_for_model,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w+\b|[!?]",
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=normalise_for_model,
                    analyzer="char_wb",
                    ngram_range=(2, 4),
                    sublinear_tf=True,
                    min_df=2 if len(texts) >= 1000 else 1,
                ),
            ),
        ]
    )
    # Balanced class weights: complaints usually outnumber praise, and a desk cares about
    # recall on every class (macro-F1), not just the majority.
    classifier = LogisticRegression(
        C=2.0, class_weight="balanced", max_iter=2000, random_state=random_state
    )
    pipeline = Pipeline([("features", features), ("classifier", classifier)])
    pipeline.fit([text or "" for text in texts], [label.value for label in y])
    metadata = {
        "labels": [str(c) for c in pipeline.classes_],
        "created": clock.utcnow().isoformat(timespec="seconds"),
        "n_train": len(y),
        "sklearn_version": sklearn.__version__,
    }
    return SentimentModel(pipeline=pipeline, metadata=metadata)


def save_model(model: SentimentModel, path: str | Path) -> Path:
    """Write the model and its metadata to one joblib file; return the path."""
    import joblib

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": _MODEL_FORMAT, "pipeline": model.pipeline, "metadata": model.metadata}
    joblib.dump(payload, target, compress=3)
    return target


def load_model(path: str | Path) -> SentimentModel:
    """Read a model written by save_model; only load files you trust (joblib is pickle)."""
    import joblib

    source = Path(path)
    if not source.is_file():
        raise SentimentModelError(f"no sentiment model file at {source}")
    try:
        payload = joblib.load(source)
    except Exception as exc:  # pickle/zlib/EOF errors all mean the same thing to the caller
        raise SentimentModelError(
            f"cannot read sentiment model {source}: the file is corrupt or not a model "
            f"({type(exc).__name__})"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != _MODEL_FORMAT:
        raise SentimentModelError(f"{source} is not a sentiment model file")
    pipeline = payload.get("pipeline")
    if not hasattr(pipeline, "predict_proba") or not hasattr(pipeline, "classes_"):
        raise SentimentModelError(f"{source} holds no trained sentiment model")
    return SentimentModel(pipeline=pipeline, metadata=dict(payload.get("metadata") or {}))
