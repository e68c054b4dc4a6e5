"""Customer satisfaction: the survey sent on close, its answer, and poor-score follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from crm import clock
from crm.desk.tickets import LOW_RATING, RATING_MAX, RATING_MIN
from crm.errors import InvalidInput, SurveyClosed
from crm.models import Priority, Rating, Survey, Ticket, TicketKind

# How long a reply to the "Add a comment" prompt is still taken as the rating's comment
# (later it is a request like any other message).
COMMENT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """What a customer's press on the survey did."""

    survey: Survey
    rating: Rating
    ticket: Ticket
    follow_up: Ticket | None


async def create_survey(*, ticket: Ticket) -> Survey:
    """Open a survey for a resolved ticket; older surveys of the ticket stop counting."""
    await Survey.filter(ticket_id=ticket.id, answered_at=None).update(superseded=True)
    return await Survey.create(
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,  # type: ignore[attr-defined]
        agent_id=ticket.assignee_id,  # type: ignore[attr-defined]
        sent_at=clock.utcnow(),
    )


async def answer_survey(*, survey_id: int, customer_telegram_id: int, score: int) -> SurveyAnswer:
    """Store the customer's score once; a poor score opens a follow-up ticket."""
    if not RATING_MIN <= score <= RATING_MAX:
        raise InvalidInput(f"{score} is outside {RATING_MIN}-{RATING_MAX}")
    survey = await Survey.get_or_none(id=survey_id).select_related("customer", "ticket")
    if survey is None or survey.customer.telegram_id != customer_telegram_id:
        raise SurveyClosed("unknown")
    if survey.answered_at is not None:
        raise SurveyClosed("answered")
    if survey.superseded:
        raise SurveyClosed("superseded")
    now = clock.utcnow()
    async with in_transaction():
        # Conditional update: of two presses at once, exactly one wins.
        won = await Survey.filter(id=survey_id, answered_at=None, superseded=False).update(
            answered_at=now
        )
        if not won:
            raise SurveyClosed("answered")
        rating = await Rating.create(
            ticket_id=survey.ticket.id,
            customer_id=survey.customer.id,
            agent_id=survey.agent_id,  # type: ignore[attr-defined]
            score=score,
            created_at=now,
        )
        await Survey.filter(id=survey_id).update(rating_id=rating.id)
        follow_up = None
        if score <= LOW_RATING:
            follow_up = await Ticket.create(
                customer_id=survey.customer.id,
                kind=TicketKind.FOLLOW_UP,
                priority=Priority.HIGH,
                subject=f"Rated {score}/5 on #{survey.ticket.id}: follow up with the customer",
                topic=survey.ticket.topic,
                parent_id=survey.ticket.id,
                created_at=now,
                last_activity_at=now,
            )
    await survey.refresh_from_db()
    return SurveyAnswer(survey=survey, rating=rating, ticket=survey.ticket, follow_up=follow_up)


async def commentable_survey(*, survey_id: int, customer_telegram_id: int) -> Survey:
    """Return the customer's own rated survey they may comment on; raise SurveyClosed."""
    survey = await Survey.get_or_none(id=survey_id).select_related("customer")
    if survey is None or survey.customer.telegram_id != customer_telegram_id:
        raise SurveyClosed("unknown")
    if survey.rating_id is None:  # type: ignore[attr-defined]
        raise SurveyClosed("unknown")
    return survey


async def await_comment(*, survey: Survey, prompt_message_id: int) -> Survey:
    """Take the customer's reply to this prompt (within COMMENT_WINDOW) as the comment."""
    survey.comment_prompt_id = prompt_message_id
    survey.comment_until = clock.utcnow() + COMMENT_WINDOW
    await survey.save(update_fields=["comment_prompt_id", "comment_until"])
    return survey
