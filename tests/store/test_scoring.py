"""Sentiment scoring in batches, ticket mood, weak labels, and NPS, on a per-test store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from crm import clock
from crm.desk import nps
from crm.desk.actions import add_note, mark_delivered, prepare_reply
from crm.desk.staff import add_agent
from crm.desk.tickets import log_customer_message, rate_service
from crm.errors import SurveyClosed
from crm.models import AgentScope, Direction, Message, NpsResponse
from crm.sentiment import CueAnalyzer, SentimentLabel, SentimentScore
from crm.sentiment.scoring import score_pending, ticket_sentiment, weak_labels_from_ratings
from tests.factories import inbound, make_profile, make_rating

pytestmark = pytest.mark.usefixtures("store")


class FixedAnalyzer:
    """Scores every text the same; counts what it was asked to score."""

    def __init__(self, name: str, score: float) -> None:
        self.name = name
        self.score = score
        self.seen: list[str] = []

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        self.seen.extend(texts)
        label = SentimentLabel.NEGATIVE if self.score < 0 else SentimentLabel.POSITIVE
        return [SentimentScore(self.score, label) for _ in texts]


async def _conversation() -> int:
    alice = make_profile()
    first = await log_customer_message(profile=alice, message=inbound(alice, "still waiting"))
    await log_customer_message(profile=alice, message=inbound(alice, "charged twice"))
    agent, _ = await add_agent(telegram_id=11, name="Anna")
    reply = await prepare_reply(ticket_id=first.ticket.id, staff=agent, text="sorry!")
    await mark_delivered(reply=reply, telegram_message_id=5)
    await add_note(
        ticket_id=first.ticket.id, staff=agent, scope=AgentScope.TEAM, text="angry customer"
    )
    return first.ticket.id


async def test_only_customer_messages_are_scored_and_only_once() -> None:
    await _conversation()
    analyzer = FixedAnalyzer("fixed", -0.5)
    assert await score_pending(analyzer=analyzer, batch_size=1) == 2
    assert analyzer.seen == ["still waiting", "charged twice"]
    assert await score_pending(analyzer=analyzer) == 0
    scored = await Message.filter(sentiment_model="fixed").values_list("direction", flat=True)
    assert sorted(scored) == [Direction.INBOUND, Direction.INBOUND]
    unscored = await Message.filter(sentiment_model=None).count()
    assert unscored == 2  # the reply and the note


async def test_another_analyzer_rescores_and_limit_bounds_a_run() -> None:
    await _conversation()
    await score_pending(analyzer=FixedAnalyzer("old", -0.5))
    newer = FixedAnalyzer("new", 0.25)
    assert await score_pending(analyzer=newer, limit=1) == 1
    assert await score_pending(analyzer=newer) == 1
    rows = await Message.filter(direction=Direction.INBOUND).values_list(
        "sentiment_model", "sentiment_score", "sentiment_label"
    )
    assert rows == [("new", 0.25, SentimentLabel.POSITIVE)] * 2


async def test_the_default_analyzer_marks_quiet_complaints_negative() -> None:
    ticket_id = await _conversation()
    await score_pending(analyzer=CueAnalyzer())
    labels = await Message.filter(direction=Direction.INBOUND).values_list(
        "sentiment_label", flat=True
    )
    assert labels == [SentimentLabel.NEGATIVE, SentimentLabel.NEGATIVE]
    mood = await ticket_sentiment(ticket_id=ticket_id)
    assert mood is not None and mood.scored == 2 and mood.mean < 0
    assert mood.label is SentimentLabel.NEGATIVE


async def test_ticket_trend_follows_first_and_last_message() -> None:
    alice = make_profile()
    result = await log_customer_message(profile=alice, message=inbound(alice, "a"))
    for text in ("b", "c"):
        await log_customer_message(profile=alice, message=inbound(alice, text))
    scores = iter([-0.8, -0.2, 0.6])
    rows = await Message.filter(ticket_id=result.ticket.id).order_by("id")
    for row in rows:
        row.sentiment_score = next(scores)
        await row.save(update_fields=["sentiment_score"])
    mood = await ticket_sentiment(ticket_id=result.ticket.id)
    assert mood.trend == "improving" and round(mood.mean, 3) == round(-0.4 / 3, 3)
    assert mood.describe() == "negative (-0.13 over 3 messages, improving)"
    assert await ticket_sentiment(ticket_id=9999) is None


async def test_weak_labels_come_from_rated_tickets_only() -> None:
    alice, bob, cai = make_profile(1), make_profile(2), make_profile(3)
    bad = await log_customer_message(profile=alice, message=inbound(alice, "too slow"))
    await make_rating(bad.ticket, score=1)
    good = await log_customer_message(profile=bob, message=inbound(bob, "great help"))
    await make_rating(good.ticket, score=5)
    meh = await log_customer_message(profile=cai, message=inbound(cai, "fine I guess"))
    await make_rating(meh.ticket, score=3)
    await rate_service(profile=cai, score=4, comment="", message=inbound(cai, ""))
    texts, labels = await weak_labels_from_ratings()
    assert sorted(zip(texts, labels, strict=True)) == [
        ("great help", "positive"),
        ("too slow", "negative"),
    ]


async def test_nps_is_asked_at_most_once_in_90_days_and_answered_once() -> None:
    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    alice = make_profile()
    result = await log_customer_message(profile=alice, message=inbound(alice, "hi"))
    asked = await nps.maybe_ask(customer_id=result.customer.id, ticket_id=result.ticket.id)
    assert asked is not None
    clock.advance(timedelta(days=89))
    assert await nps.maybe_ask(customer_id=result.customer.id, ticket_id=None) is None
    answered = await nps.answer(
        response_id=asked.id, customer_telegram_id=alice.telegram_id, score=9
    )
    assert answered.score == 9 and answered.answered_at is not None
    with pytest.raises(SurveyClosed):
        await nps.answer(response_id=asked.id, customer_telegram_id=alice.telegram_id, score=3)
    with pytest.raises(SurveyClosed):
        await nps.answer(response_id=asked.id, customer_telegram_id=777, score=3)
    clock.advance(timedelta(days=2))
    assert await nps.maybe_ask(customer_id=result.customer.id, ticket_id=None) is not None
    assert await NpsResponse.all().count() == 2


@pytest.mark.parametrize(
    ("scores", "value"),
    [([], None), ([10, 9, 8, 7], 50.0), ([0, 6, 9], -33.3), ([9, 10], 100.0), ([7, 8], 0.0)],
)
def test_nps_value(scores: list[int], value: float | None) -> None:
    assert nps.nps_value(scores) == value
