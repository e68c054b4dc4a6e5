"""Sentiment of customer messages: a score in [-1, 1] and a negative/neutral/positive label.

Three analyzers share one batch API (`score_many`):

- `TextBlobAnalyzer`: bare textblob polarity, the baseline.
- `CueAnalyzer`: the default. textblob's own lexicon and scoring rules plus a handful of
  customer-service cues (complaint vocabulary, negated actions, thanks, questions, emoji,
  Simplified Chinese cue words). Needs no training data.
- `TrainedAnalyzer`: a TF-IDF + logistic regression model trained with `train_model` from
  labelled texts and stored with `save_model`.

textblob, pandas and scikit-learn are imported on first use, so importing this module is cheap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from crm import clock
from crm.errors import CrmError, InvalidInput

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
    "parse_label",
    "save_model",
    "train_model",
]


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


class SentimentModelError(CrmError):
    """A sentiment model file is missing, unreadable or not a sentiment model."""


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


# --------------------------------------------------------------------------------------------
# Bare textblob: the baseline.


class TextBlobAnalyzer:
    """Bare textblob: the sign of `TextBlob(text).sentiment.polarity`.

    Any non-zero polarity counts (threshold 0): textblob returns exactly 0.0 when it finds
    no opinion word, and that zero is its only notion of "neutral". This is the ~0.46
    accuracy baseline quoted for the airline tweets; a 0.05 dead band scores slightly worse.
    """

    name = "textblob"
    threshold = 0.0

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        """Score each text with textblob as a library user would call it."""
        from textblob import TextBlob

        scores = []
        for text in texts:
            polarity = _clamp(float(TextBlob(text or "").sentiment.polarity))
            scores.append(SentimentScore(polarity, _label_for(polarity, threshold=self.threshold)))
        return scores


# --------------------------------------------------------------------------------------------
# The default analyzer: textblob's lexicon, fast, plus customer-service cues.
#
# Why not call TextBlob per message: profiling `TextBlob(t).sentiment` on tweets shows ~45% of
# the time in pattern's `find_tokens` (a regex pass per contraction rule, sentence splitting,
# abbreviation checks), ~20% in `PatternAnalyzer.analyze` building a new namedtuple *class*
# on every call, and most of the rest in `lazydict.__contains__` / `__getitem__` wrappers
# around each lexicon lookup. The scoring itself is a cheap walk over the words. So
# `_TextBlobLexicon` loads textblob's own en-sentiment.xml lexicon once (through textblob,
# so it is exactly the data TextBlob uses), flattens it into a plain dict, tokenizes with one
# compiled regex, and re-implements pattern's `Sentiment.assessments` walk (intensifiers,
# negation "not good" = -0.5 x good, "!" boost, emoticons) over that dict. On plain English
# sentences it returns the same polarity as TextBlob (a unit test checks this). Deliberate
# differences: links and @handles are skipped, and "n't" negates - pattern splits "isn't" into
# "is n't" and then its quote handling splits "n't" again, so TextBlob scores "isn't great" as
# "great". Nothing is cached per text.

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_TOKEN_RE = re.compile(
    r"(?:https?://|www\.)\S+"  # links carry no sentiment
    r"|@\w+"  # @handles
    r"|(?<![a-z0-9])(?:[:;=8x][-o^']?[()\[\]dpb/\\|*3]+|<3)(?![a-z0-9])"  # ascii emoticons
    r"|[a-z0-9]+(?:'[a-z]+)*"  # words, with contractions
    r"|[!?]"
)
_TEXTBLOB_NEGATIONS = frozenset({"no", "not", "n't", "never"})
# Customers type contractions without the apostrophe; pattern's list only knows "n't".
_NEGATIONS = _TEXTBLOB_NEGATIONS | frozenset(
    {"cannot", "nobody", "nothing", "nor", "without"}
    | {f"{stem}nt" for stem in ("don", "can", "won", "didn", "doesn", "isn", "wasn", "aren")}
    | {f"{stem}nt" for stem in ("haven", "hasn", "hadn", "couldn", "wouldn", "shouldn", "weren")}
)


def _tokens(text: str) -> list[str]:
    """Split lowercased text into words, "n't", "!", "?" and emoticons; drop links and handles."""
    out: list[str] = []
    for token in _TOKEN_RE.findall(text.lower().translate(_APOSTROPHES)):
        first = token[0]
        if first == "@" or token.startswith(("http", "www.")):
            continue
        if "'" in token and first.isalnum():
            if token.endswith("n't"):
                # Like pattern: "don't" -> "do", "n't"; "can't" -> "ca", "n't".
                out.append(token[:-3])
                out.append("n't")
            else:
                out.append(token.split("'", 1)[0])  # "it's" -> "it"
            continue
        out.append(token)
    return out


@dataclass(frozen=True, slots=True)
class _TextBlobLexicon:
    words: dict[str, tuple[float, float, bool]]  # word -> (polarity, intensity, is_modifier)
    emoticons: dict[str, float]  # lowercased emoticon -> polarity

    def polarity(self, tokens: Sequence[str]) -> float:
        """Average polarity of the opinion words, by pattern's rules (see module comment)."""
        words = self.words
        found: list[list[float]] = []  # [polarity, intensity, negated (1.0/-1.0)]
        modifier: str | None = None  # preceding intensifier ("very")
        negation = False
        for w in tokens:
            entry = words.get(w)
            if entry is not None:
                p, i, is_modifier = entry
                if modifier is None:
                    found.append([p, i, 1.0])
                else:  # "very good": the intensifier scales the next word
                    last = found[-1]
                    last[0] = _clamp(p * last[1])
                    last[1] = i
                if negation:
                    found[-1][1] = 1.0 / found[-1][1]
                    found[-1][2] = -1.0
                modifier = w if is_modifier else None
                negation = w in _TEXTBLOB_NEGATIONS
                continue
            if w in _TEXTBLOB_NEGATIONS:
                negation = True
            elif negation and len(w) > 1:
                negation = False  # negation carries across small words only ("not a good")
            if negation and modifier is not None and modifier.endswith("ly"):
                found[-1][2] = -1.0  # "really not good"
                negation = False
            elif modifier is not None and len(w) > 2:
                modifier = None
            if w == "!" and found:
                found[-1][0] = _clamp(found[-1][0] * 1.25)
            elif w in self.emoticons:
                found.append([self.emoticons[w], 1.0, 1.0])
        if not found:
            return 0.0
        return sum(p * -0.5 if n < 0 else p for p, _, n in found) / len(found)


@cache
def _textblob_lexicon() -> _TextBlobLexicon:
    """Load and flatten textblob's English sentiment lexicon (once per process)."""
    from textblob import _text
    from textblob.en import sentiment

    sentiment.load()  # the same lazily-loaded lexicon TextBlob(...).sentiment uses
    words = {
        word: (float(by_pos[None][0]), float(by_pos[None][2]), "RB" in by_pos)
        for word, by_pos in dict.items(sentiment)
    }
    emoticons = {
        emoticon.lower(): float(polarity)
        for (_, polarity), group in _text.EMOTICONS.items()
        for emoticon in group
    }
    return _TextBlobLexicon(words=words, emoticons=emoticons)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Customer-service cues. Each list is what support staff read as a sign, not a fitted weight.
# Complaint vocabulary that textblob's lexicon (built from product reviews) does not score:
# the problem is stated as a fact ("still waiting", "charged twice", "lost", "delayed").
COMPLAINT_WORDS = _word_set(
    """
    wait waiting waited still again refund refunds charged overcharged twice broken broke
    late cancelled canceled delayed delay delays lost missing stuck hold error problem
    problems issue issues fault faulty damaged wrong complaint complain complaining
    unacceptable ridiculous disappointed disappointing frustrated frustrating annoyed
    annoying useless rude ignored unhelpful incompetent fail failed fails failure crash
    crashes crashed bug slow worse nobody nothing sucks
    """
)
# Gratitude and resolution: how customers say the service worked.
PRAISE_WORDS = _word_set(
    """
    thanks thank thx ty appreciate appreciated grateful solved resolved fixed helpful
    kudos love loved awesome excellent amazing perfect
    """
)
# Thanks at the end of a complaint is politeness (or sarcasm), not satisfaction.
COURTESY_WORDS = frozenset({"thanks", "thank", "thx", "ty", "appreciate", "appreciated"})
# A negated verb textblob has no opinion on ("doesn't work", "haven't received", "can't log
# in", "no reply") is how customers report that something is broken; these are the stock
# phrases where it is not ("no worries", "don't mind", "not sure").
NOT_COMPLAINTS = frozenset({"worry", "worries", "rush", "mind", "sure", "hesitate"})
QUESTION_OPENERS = _word_set(
    "what when where which who how is are do does can could will would should may"
)
POSITIVE_EMOJI = frozenset("😊🙂😀😃😄😁😍🥰😘👍👏🙏❤💯🎉✨💕☺")
NEGATIVE_EMOJI = frozenset("😡😠🤬😤😞😟😢😭😩😫👎💔🙄😒😕😣😖")
# Simplified Chinese: textblob only reads English, so Chinese text is scored on cues alone.
# 问题 is left out on purpose: it means both "problem" and "question".
ZH_COMPLAINT = (
    "退款", "还没", "没收到", "未收到", "投诉", "差", "不好", "慢", "失望", "垃圾", "坏了",
    "不能用", "没人", "等了", "还在等", "延误", "被取消", "丢失", "丢了", "故障", "出问题",
    "骗", "退货", "生气", "糟糕", "催",
)  # fmt: skip
ZH_PRAISE = (
    "谢谢", "感谢", "很好", "满意", "不错", "好评", "棒", "赞", "解决了", "喜欢", "给力",
    "辛苦了",
)  # fmt: skip
# A negator right before a cue: "不满意" is a complaint, "没有退款" still is, "没坏" is not.
ZH_NEGATORS = ("不", "没", "没有", "别", "不太", "不够", "不是", "不是很", "不太很")
ZH_TOPICS = ("退款", "投诉")  # complaints even when negated: "没有退款" is no refund yet
ZH_NOT_CUES = ("差不多", "差点", "出差")  # "almost", "nearly", "business trip"
ZH_QUESTION_CUES = ("吗", "请问", "？", "?")

CUE_WEIGHT = 0.4  # one cue moves the score about as far as one mild textblob opinion word
QUESTION_DAMPING = 0.5  # a plain question is usually a request for information
EMPHASIS_BOOST = 1.25  # "!!!" amplifies whatever the message says, as pattern's "!" does
CUE_THRESHOLD = 0.1  # nearer 0 than this is faint lexicon noise, not an opinion


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _zh_cues(text: str) -> tuple[int, int, bool]:
    """Count Chinese complaint and praise cues; a negated praise cue is a complaint."""
    for phrase in ZH_NOT_CUES:
        text = text.replace(phrase, " ")
    complaints = praise = 0
    for cues, is_praise in ((ZH_COMPLAINT, False), (ZH_PRAISE, True)):
        for cue in cues:
            start = text.find(cue)
            while start != -1:
                negated = text[:start].endswith(ZH_NEGATORS)
                if is_praise and negated:
                    complaints += 1  # "不满意"
                elif is_praise:
                    praise += 1
                elif not negated or cue in ZH_TOPICS:
                    complaints += 1
                start = text.find(cue, start + len(cue))
    question = any(cue in text for cue in ZH_QUESTION_CUES)
    return complaints, praise, question


class CueAnalyzer:
    """textblob's polarity plus customer-service cues; the default, needs no training data."""

    name = "cue"
    threshold = CUE_THRESHOLD

    def __init__(self) -> None:
        self._lexicon = _textblob_lexicon()

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        """Score each text; the lexicon is loaded once per process."""
        return [self._score(text or "") for text in texts]

    def _score(self, text: str) -> SentimentScore:
        tokens = _tokens(text)
        polarity = self._lexicon.polarity(tokens)
        complaints, praise, courtesy = self._word_cues(tokens)
        complaints += sum(ch in NEGATIVE_EMOJI for ch in text)
        praise += sum(ch in POSITIVE_EMOJI for ch in text)
        question = bool(tokens) and (tokens[-1] == "?" or tokens[0] in QUESTION_OPENERS)
        if "???" in text or "?!" in text:
            complaints += 1  # repeated or exasperated questions are frustration
        if _is_cjk(text):
            zh_complaints, zh_praise, zh_question = _zh_cues(text)
            complaints += zh_complaints
            praise += zh_praise
            question = question or zh_question
        if complaints:
            praise -= courtesy  # "thanks, still waiting" is a polite complaint
        raw = polarity + CUE_WEIGHT * (praise - complaints)
        if question and not complaints:
            raw *= QUESTION_DAMPING
        if "!!!" in text:
            raw *= EMPHASIS_BOOST
        score = _clamp(raw)
        return SentimentScore(score, _label_for(score, threshold=self.threshold))

    def _word_cues(self, tokens: Sequence[str]) -> tuple[int, int, int]:
        """Count complaint, praise and courtesy words; a negation flips or cancels them.

        "not helpful" is a complaint; "not late" or "no problem" is simply not a complaint;
        a negated action ("doesn't work", "no reply") is a complaint.
        """
        words = self._lexicon.words
        complaints = praise = courtesy = 0
        negated_until = -1  # index up to which a negation applies
        for index, w in enumerate(tokens):
            negated = index <= negated_until
            if w in _NEGATIONS:
                if w in COMPLAINT_WORDS and not negated:
                    complaints += 1  # "nobody", "nothing" are complaints themselves
                negated_until = index + 2
                continue
            if w in COMPLAINT_WORDS:
                if not negated:
                    complaints += 1
                negated_until = -1
            elif w in PRAISE_WORDS:
                if negated:
                    complaints += 1
                else:
                    praise += 1
                    courtesy += w in COURTESY_WORDS
                negated_until = -1
            elif negated and index == negated_until - 1 and w.isalpha() and w not in words:
                if w not in NOT_COMPLAINTS:
                    complaints += 1  # a negated action: "don't work", "not received"
                negated_until = -1
        return complaints, praise, courtesy


# --------------------------------------------------------------------------------------------
# The trained analyzer.

_MODEL_FORMAT = "crm-sentiment-model/1"
_LINK_RE = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE_RE = re.compile(r"@\w+")


def normalise_for_model(text: str) -> str:
    """Lowercase and replace links and @handles with placeholders before vectorizing."""
    text = _LINK_RE.sub(" url ", text.lower().translate(_APOSTROPHES))
    return _HANDLE_RE.sub(" @user ", text)


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


# --------------------------------------------------------------------------------------------
# Labelled data and evaluation.


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


def _parse_labels(labels: Iterable[str]) -> list[SentimentLabel]:
    parsed = []
    for raw in labels:
        label = parse_label(raw)
        if label is None:
            raise InvalidInput(f"unknown sentiment label {raw!r}")
        parsed.append(label)
    return parsed


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


def default_analyzer(model_path: str | Path | None = None) -> Analyzer:
    """Return the trained analyzer if a model path is given, else the cue analyzer."""
    if model_path:
        return TrainedAnalyzer(load_model(model_path))
    return CueAnalyzer()
