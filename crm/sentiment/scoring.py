"""Score inbound messages' sentiment in batches, off the hot path; derive ticket sentiment."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Avg, Count
from tortoise.transactions import in_transaction

from crm.i18n import DEFAULT_LANGUAGE, Phrase, t
from crm.models import Direction, Message, Rating
from crm.sentiment.labels import Analyzer, SentimentLabel

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
# Ratings used as weak labels for `crm sentiment train --from-ratings`.
NEGATIVE_SCORES = (1, 2)
POSITIVE_SCORES = (4, 5)


@dataclass(frozen=True, slots=True)
class TicketSentiment:
    """A ticket's mood: mean score of its scored customer messages and its direction."""

    mean: float
    scored: int
    first: float
    last: float

    @property
    def trend(self) -> str:
        """Return 'improving', 'worsening' or 'steady' from the first to the last message."""
        if self.scored < 2 or abs(self.last - self.first) < 0.2:
            return "steady"
        return "improving" if self.last > self.first else "worsening"

    @property
    def label(self) -> SentimentLabel:
        """Return the label the mean score falls under."""
        if self.mean <= -0.1:
            return SentimentLabel.NEGATIVE
        if self.mean >= 0.1:
            return SentimentLabel.POSITIVE
        return SentimentLabel.NEUTRAL

    def describe(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return a short human line, e.g. 'negative (-0.42 over 3 messages, worsening)'."""
        return t(
            "staff.mood.line",
            language,
            label=Phrase(f"staff.mood.{self.label.value}"),
            mean=f"{self.mean:+.2f}",
            scored=self.scored,
            trend=Phrase(f"staff.mood.{self.trend}"),
        )


async def score_pending(
    *, analyzer: Analyzer, batch_size: int = BATCH_SIZE, limit: int | None = None
) -> int:
    """Score inbound messages not yet scored by this analyzer; return how many were scored.

    Messages scored by another analyzer (the configured model changed) are rescored too,
    which is also how a backfill after an import works.
    """
    done = 0
    last_id = 0
    needs_scoring = Q(sentiment_model__isnull=True) | Q(sentiment_model__not=analyzer.name)
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        batch = (
            await Message.filter(needs_scoring, direction=Direction.INBOUND, id__gt=last_id)
            .order_by("id")
            .limit(size)
            .values_list("id", "text")
        )
        if not batch:
            break
        # CPU-bound: a thread keeps the bot answering customers while a batch scores.
        scores = await asyncio.to_thread(analyzer.score_many, [text or "" for _, text in batch])
        updates = []
        for (message_id, _), score in zip(batch, scores, strict=True):
            message = Message(
                id=message_id,
                sentiment_score=round(score.score, 4),
                sentiment_label=score.label,
                sentiment_model=analyzer.name,
            )
            message._saved_in_db = True  # an existing row: bulk_update needs no reload
            updates.append(message)
        async with in_transaction():
            await Message.bulk_update(
                updates,
                fields=["sentiment_score", "sentiment_label", "sentiment_model"],
                batch_size=500,
            )
        done += len(batch)
        last_id = batch[-1][0]
    if done:
        log.info("scored %s message(s) with %s", done, analyzer.name)
    return done


async def clear_scores() -> int:
    """Forget every stored score so the next run rescores everything."""
    return await Message.filter(direction=Direction.INBOUND).update(
        sentiment_score=None, sentiment_label=None, sentiment_model=None
    )


async def ticket_sentiment(*, ticket_id: int) -> TicketSentiment | None:
    """Return a ticket's sentiment from its scored customer messages, if any are scored."""
    rows = (
        await Message.filter(
            ticket_id=ticket_id, direction=Direction.INBOUND, sentiment_score__not_isnull=True
        )
        .order_by("created_at", "id")
        .values_list("sentiment_score", flat=True)
    )
    if not rows:
        return None
    return TicketSentiment(
        mean=sum(rows) / len(rows), scored=len(rows), first=rows[0], last=rows[-1]
    )


async def customer_mood(*, customer_id: int) -> tuple[float | None, int]:
    """Return the mean sentiment of a customer's scored messages and how many there are."""
    row = (
        await Message.filter(
            ticket__customer_id=customer_id,
            direction=Direction.INBOUND,
            sentiment_score__not_isnull=True,
        )
        .annotate(mean=Avg("sentiment_score"), n=Count("id"))
        .first()
        .values("mean", "n")
    )
    if not row or not row["n"]:
        return None, 0
    return float(row["mean"]), int(row["n"])


async def weak_labels_from_ratings() -> tuple[list[str], list[str]]:
    """Return rated tickets' customer messages labelled by score: 1-2 negative, 4-5 positive."""
    rated = await Rating.all().values_list("ticket_id", "score")
    label_of = {}
    for ticket_id, score in rated:
        if score in NEGATIVE_SCORES:
            label_of[ticket_id] = SentimentLabel.NEGATIVE.value
        elif score in POSITIVE_SCORES:
            label_of[ticket_id] = SentimentLabel.POSITIVE.value
    if not label_of:
        return [], []
    texts, labels = [], []
    rows = await Message.filter(
        ticket_id__in=list(label_of), direction=Direction.INBOUND
    ).values_list("ticket_id", "text")
    for ticket_id, text in rows:
        if text and text.strip():
            texts.append(text)
            labels.append(label_of[ticket_id])
    return texts, labels
