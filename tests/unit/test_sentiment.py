"""Sentiment analyzers, model files, labelled data and evaluation."""

from __future__ import annotations

import itertools
import pickle
import pickletools
from collections.abc import Sequence
from pathlib import Path

import joblib
import pytest

from crm.errors import InvalidInput
from crm.sentiment import (
    Analyzer,
    CueAnalyzer,
    SentimentLabel,
    SentimentModelError,
    SentimentScore,
    TextBlobAnalyzer,
    TrainedAnalyzer,
    default_analyzer,
    evaluate,
    load_labelled_csv,
    load_model,
    save_model,
    train_model,
)
from crm.sentiment.lexicon import _textblob_lexicon, _tokens

NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE
SAMPLE_CSV = Path(__file__).parents[1] / "data" / "sentiment_sample.csv"
AIRLINE_CSV = Path(__file__).parents[3] / "shared" / "data" / "airline_tweets_sentiment.csv"

QUIET_COMPLAINTS = [
    "still waiting for my refund",
    "charged twice",
    "nobody answers the phone",
    "my package is late again",
    "还没收到退款",
]


def labels_of(analyzer: Analyzer, texts: Sequence[str]) -> list[SentimentLabel]:
    return [s.label for s in analyzer.score_many(texts)]


@pytest.fixture(scope="module")
def cue() -> CueAnalyzer:
    return CueAnalyzer()


@pytest.fixture(scope="module")
def sample() -> tuple[list[str], list[str]]:
    data = load_labelled_csv(SAMPLE_CSV)
    return data.texts, data.labels


def test_cue_analyzer_catches_complaints_without_strong_words(cue: CueAnalyzer) -> None:
    assert labels_of(cue, QUIET_COMPLAINTS) == [NEG] * len(QUIET_COMPLAINTS)
    assert labels_of(TextBlobAnalyzer(), QUIET_COMPLAINTS).count(NEG) <= 2


def test_cue_analyzer_reads_thanks_and_resolution_as_positive(cue: CueAnalyzer) -> None:
    assert labels_of(cue, ["thanks, that solved it", "非常满意，谢谢"]) == [POS, POS]


def test_plain_questions_are_neutral(cue: CueAnalyzer) -> None:
    assert labels_of(cue, ["what time do you open?", "请问你们周末几点开门？"]) == [NEU, NEU]


def test_thanks_does_not_cancel_a_complaint(cue: CueAnalyzer) -> None:
    texts = ["thanks, but I'm still waiting for my refund", "thanks for nothing"]
    assert labels_of(cue, texts) == [NEG, NEG]


def test_negation_flips_or_cancels(cue: CueAnalyzer) -> None:
    not_happy, not_bad, not_late, doesnt_work = cue.score_many(
        ["not happy", "not bad", "the courier was not late", "the reset link doesn't work"]
    )
    assert not_happy.label is NEG
    assert not_bad.label is not NEG
    assert not_late.label is not NEG
    assert doesnt_work.label is NEG


def test_contraction_negation_counts_unlike_bare_textblob(cue: CueAnalyzer) -> None:
    text = "the new app isn't great"
    assert labels_of(TextBlobAnalyzer(), [text]) == [POS]  # textblob loses the "n't"
    assert labels_of(cue, [text]) == [NEG]


def test_chinese_negated_praise_is_a_complaint(cue: CueAnalyzer) -> None:
    assert labels_of(cue, ["不满意", "服务不太好，很失望", "没问题，谢谢"]) == [NEG, NEG, POS]


def test_emoji_carry_sentiment(cue: CueAnalyzer) -> None:
    assert labels_of(cue, ["order 1042 😡😡", "order 1042 👍"]) == [NEG, POS]


@pytest.mark.parametrize(
    "text",
    [
        "I love love love this, perfect, excellent, thank you!!!",
        "worst worst worst, still waiting, charged twice, lost, broken, late!!!???",
        "还没收到退款还没收到退款，投诉投诉，太差太慢，失望",
        "",
        "🙂🙂🙂🙂😡😡😡😡",
    ],
)
def test_scores_stay_within_bounds(cue: CueAnalyzer, text: str) -> None:
    for analyzer in (cue, TextBlobAnalyzer()):
        [result] = analyzer.score_many([text])
        assert -1.0 <= result.score <= 1.0


def test_fast_lexicon_walk_matches_textblob_on_plain_english() -> None:
    from textblob import TextBlob

    lexicon = _textblob_lexicon()
    for text in [
        "This is a good phone, very good.",
        "The food was not good at all",
        "Really not good",
        "It was very extremely good",
        "What a great day!",
        "A terrible, horrible experience :(",
        "The staff were friendly but the room was small and dirty",
        "I love it <3",
    ]:
        expected = TextBlob(text).sentiment.polarity
        assert lexicon.polarity(_tokens(text)) == pytest.approx(expected), text


def test_score_many_keeps_order_and_length(cue: CueAnalyzer) -> None:
    texts = ["charged twice", "what time do you open?", "thanks, that solved it"] * 3
    assert labels_of(cue, texts) == [NEG, NEU, POS] * 3
    assert cue.score_many([]) == []


def test_train_save_load_round_trip(tmp_path: Path, sample: tuple[list[str], list[str]]) -> None:
    texts, labels = sample
    model = train_model(texts=texts, labels=labels)
    assert model.metadata["n_train"] == len(texts) == 60
    assert model.metadata["labels"] == ["negative", "neutral", "positive"]
    assert model.metadata["sklearn_version"]

    trained = TrainedAnalyzer(model)
    clear = {
        "I'm still waiting for my refund, it has been three weeks": NEG,
        "This is the worst service I have ever had": NEG,
        "How do I update my email address?": NEU,
        "Which payment methods do you accept?": NEU,
        "Great service and super fast delivery": POS,
        "非常满意，谢谢": POS,
    }
    assert labels_of(trained, list(clear)) == list(clear.values())

    path = save_model(model, tmp_path / "models" / "sentiment.joblib")
    reloaded = TrainedAnalyzer(load_model(path))
    assert reloaded.model.metadata == model.metadata
    assert reloaded.score_many(texts) == trained.score_many(texts)


def test_a_model_file_names_its_preprocessor_where_older_files_do(
    sample: tuple[list[str], list[str]],
) -> None:
    # Saved models pickle the preprocessor by module and name; files saved before the package
    # was split look it up as crm.sentiment.normalise_for_model, and must keep loading.
    texts, labels = sample
    pipeline = train_model(texts=texts, labels=labels).pipeline
    ops = pickletools.genops(pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL))
    strings = [arg for _, arg, _ in ops if isinstance(arg, str)]
    assert ("crm.sentiment", "normalise_for_model") in set(itertools.pairwise(strings))


def test_trained_score_is_positive_minus_negative_probability(
    sample: tuple[list[str], list[str]],
) -> None:
    texts, labels = sample
    model = train_model(texts=texts, labels=labels)
    proba = model.pipeline.predict_proba(texts[:5])
    classes = list(model.pipeline.classes_)
    expected = proba[:, classes.index("positive")] - proba[:, classes.index("negative")]
    scores = [s.score for s in TrainedAnalyzer(model).score_many(texts[:5])]
    assert scores == pytest.approx(expected.tolist())


def test_trained_model_without_a_neutral_class(sample: tuple[list[str], list[str]]) -> None:
    texts, labels = sample
    pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab != "neutral"]
    model = train_model(texts=[t for t, _ in pairs], labels=[lab for _, lab in pairs])
    [result] = TrainedAnalyzer(model).score_many(["Great service and super fast delivery"])
    assert result.label is POS and result.score > 0


def test_training_needs_two_labels() -> None:
    with pytest.raises(InvalidInput):
        train_model(texts=["a", "b"], labels=["positive", "pos"])
    with pytest.raises(InvalidInput):
        train_model(texts=["a", "b"], labels=["positive", "great"])


def test_missing_model_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(SentimentModelError, match="no sentiment model file"):
        load_model(tmp_path / "nope.joblib")


def test_corrupt_model_file_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "sentiment.joblib"
    path.write_bytes(b"this is not a model \x00\x01\x02")
    with pytest.raises(SentimentModelError, match="corrupt"):
        load_model(path)


def test_other_joblib_file_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "other.joblib"
    joblib.dump({"weights": [1, 2, 3]}, path)
    with pytest.raises(SentimentModelError, match="not a sentiment model"):
        load_model(path)


def test_default_analyzer_picks_by_model_path(
    tmp_path: Path, sample: tuple[list[str], list[str]]
) -> None:
    assert isinstance(default_analyzer(), CueAnalyzer)
    texts, labels = sample
    path = save_model(train_model(texts=texts, labels=labels), tmp_path / "m.joblib")
    assert isinstance(default_analyzer(str(path)), TrainedAnalyzer)
    with pytest.raises(SentimentModelError):
        default_analyzer(str(tmp_path / "missing.joblib"))


def test_load_labelled_csv_drops_bad_rows_and_reads_bom(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    rows = [
        "id,Text,LABEL",
        "1,refund please,NEG",
        "2,,positive",  # empty text
        "3,   ,neutral",  # blank text
        "4,what time?,maybe",  # unknown label
        "5,great job,1",
        "6,ok,0",
        "7,awful,-1",
        "8,nice, Positive ",
        "9,fine,neu",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    data = load_labelled_csv(path)

    assert data.texts == ["refund please", "great job", "ok", "awful", "nice", "fine"]
    assert data.labels == ["negative", "positive", "neutral", "negative", "positive", "neutral"]
    assert data.dropped == 3


def test_load_labelled_csv_needs_text_and_label(tmp_path: Path) -> None:
    path = tmp_path / "unlabelled.csv"
    path.write_text("text,score\nhello,5\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="label"):
        load_labelled_csv(path)


def test_sample_file_is_balanced(sample: tuple[list[str], list[str]]) -> None:
    _, labels = sample
    assert {label: labels.count(label) for label in set(labels)} == {
        "negative": 20,
        "neutral": 20,
        "positive": 20,
    }


class FixedAnalyzer:
    """Return the given labels in order, whatever the text."""

    name = "fixed"

    def __init__(self, labels: Sequence[SentimentLabel]) -> None:
        self.labels = labels

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        return [SentimentScore(0.0, label) for label in self.labels[: len(texts)]]


def test_evaluate_computes_accuracy_and_macro_f1() -> None:
    truth = ["negative", "negative", "negative", "neutral", "positive", "pos"]
    predicted = [NEG, NEG, NEU, NEU, NEG, POS]
    result = evaluate(analyzer=FixedAnalyzer(predicted), texts=["x"] * 6, labels=truth)

    assert result.n == 6
    assert result.accuracy == pytest.approx(4 / 6)
    # negative: P 2/3 R 2/3 F1 2/3; neutral: P 1/2 R 1 F1 2/3; positive: P 1 R 1/2 F1 2/3
    assert result.per_label[NEG].f1 == pytest.approx(2 / 3)
    assert result.per_label[NEU].precision == pytest.approx(1 / 2)
    assert result.per_label[POS].recall == pytest.approx(1 / 2)
    assert result.per_label[NEG].support == 3
    assert result.macro_f1 == pytest.approx(2 / 3)


def test_evaluate_ignores_labels_absent_from_truth_and_predictions() -> None:
    result = evaluate(
        analyzer=FixedAnalyzer([NEG, POS]), texts=["a", "b"], labels=["negative", "positive"]
    )
    assert result.macro_f1 == 1.0
    assert result.per_label[NEU].support == 0


def test_evaluate_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        evaluate(analyzer=FixedAnalyzer([NEG]), texts=["a", "b"], labels=["negative"])
    with pytest.raises(InvalidInput):
        evaluate(analyzer=FixedAnalyzer([NEG]), texts=["a"], labels=["angry"])
    with pytest.raises(InvalidInput):
        evaluate(analyzer=FixedAnalyzer([]), texts=[], labels=[])


@pytest.mark.skipif(not AIRLINE_CSV.is_file(), reason=f"airline tweets not found at {AIRLINE_CSV}")
def test_cue_analyzer_beats_bare_textblob_on_airline_tweets(cue: CueAnalyzer) -> None:
    data = load_labelled_csv(AIRLINE_CSV)
    baseline = evaluate(analyzer=TextBlobAnalyzer(), texts=data.texts, labels=data.labels)
    default = evaluate(analyzer=cue, texts=data.texts, labels=data.labels)
    assert default.macro_f1 >= 0.60
    assert default.macro_f1 > baseline.macro_f1 + 0.1
