"""The customer's side of CSAT: "How did we do?" on close, and the press on it."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from crm.desk import csat, nps, staff
from crm.desk.actions import get_ticket
from crm.errors import InvalidInput
from crm.i18n import Phrase, t
from crm.models import Customer, Survey, Ticket
from handlers.callbacks import CommentButton, NpsButton, RatingButton
from handlers.context import CRMContext
from handlers.notify import alert_managers, route_and_notify
from handlers.text import esc

log = logging.getLogger(__name__)


def register(application: Application) -> None:
    """Add the survey button handlers (CSAT and NPS)."""
    add = application.add_handler
    add(CallbackQueryHandler(survey_pressed, pattern=RatingButton.pattern()))
    add(CallbackQueryHandler(nps_pressed, pattern=NpsButton.pattern()))
    add(CallbackQueryHandler(comment_pressed, pattern=CommentButton.pattern()))


def nps_buttons(response_id: int) -> InlineKeyboardMarkup:
    """Return 0-10 buttons in two rows."""

    def button(n: int) -> InlineKeyboardButton:
        data = NpsButton(response=response_id, score=n).pack()  # type: ignore[arg-type]
        return InlineKeyboardButton(str(n), callback_data=data)

    return InlineKeyboardMarkup([[button(n) for n in range(6)], [button(n) for n in range(6, 11)]])


async def ask_nps(bot: Bot, *, customer: Customer, ticket_id: int | None) -> None:
    """Ask the 0-10 recommendation question unless the customer was asked in the last 90 days."""
    if customer.telegram_id is None:
        return
    response = await nps.maybe_ask(customer_id=customer.id, ticket_id=ticket_id)
    if response is None:
        return
    try:
        await bot.send_message(
            customer.telegram_id,
            t("nps_question", customer.language_code),
            reply_markup=nps_buttons(response.id),
        )
    except TelegramError as err:
        log.warning("could not ask NPS of customer %s: %s", customer.id, err)


async def nps_pressed(update: Update, context: CRMContext) -> None:
    """Store the customer's 0-10 answer once."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang, button = user.language_code, NpsButton.unpack(query.data)
    if button is None:
        await _refuse_malformed(query, user, lang)
        return
    try:
        response = await nps.answer(
            response_id=button.response, customer_telegram_id=user.id, score=button.score
        )
    except csat.SurveyClosed as err:
        await _refuse_closed(query, err, lang)
        return
    await _acknowledge(
        query, t("survey_recorded", lang), t("nps_thanks", lang, score=response.score)
    )


async def _acknowledge(
    query: CallbackQuery,
    answer: str,
    thanks: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer the press and turn the question into the thanks; the score is stored already.

    Either may fail (the press is too old to answer, the message cannot be edited any more):
    that costs the courtesy, never the rest of the survey.
    """
    try:
        await query.answer(answer)
    except TelegramError as err:
        log.info("could not answer survey press %s: %s", query.id, err)
    try:
        await query.edit_message_text(thanks, reply_markup=reply_markup)
    except TelegramError as err:
        log.warning("could not edit the survey message into the thanks: %s", err)


def survey_buttons(survey_id: int) -> InlineKeyboardMarkup:
    """Return one-tap 1-5 buttons."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{n} ⭐",
                    callback_data=RatingButton(survey=survey_id, score=n).pack(),  # type: ignore[arg-type]
                )
                for n in range(1, 6)
            ]
        ]
    )


def comment_button(survey_id: int, language_code: str | None) -> InlineKeyboardMarkup:
    """Return the "Add a comment" button shown under the thanks for a rating."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("comment_button", language_code),
                    callback_data=CommentButton(survey=survey_id).pack(),
                )
            ]
        ]
    )


async def send_survey(bot: Bot, ticket: Ticket) -> None:
    """Tell the customer their ticket is resolved and ask how we did."""
    ticket = await get_ticket(ticket_id=ticket.id)
    customer = ticket.customer
    if customer.telegram_id is None:
        return
    survey = await csat.create_survey(ticket=ticket)
    text = t("ticket_resolved", customer.language_code, ticket_id=ticket.id)
    try:
        await bot.send_message(customer.telegram_id, text, reply_markup=survey_buttons(survey.id))
    except TelegramError as err:
        log.warning("could not send the survey for ticket #%s: %s", ticket.id, err)


async def survey_pressed(update: Update, context: CRMContext) -> None:
    """Store the customer's score once; a poor score alerts the managers and opens a follow-up."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang, button = user.language_code, RatingButton.unpack(query.data)
    if button is None:
        await _refuse_malformed(query, user, lang)
        return
    try:
        result = await csat.answer_survey(
            survey_id=button.survey, customer_telegram_id=user.id, score=button.score
        )
    except (csat.SurveyClosed, InvalidInput) as err:
        await _refuse_closed(query, err, lang)
        return
    key = "survey_thanks_low" if result.follow_up is not None else "survey_thanks"
    await _acknowledge(
        query,
        t("survey_recorded", lang),
        t(key, lang, score=button.score, ticket_id=result.ticket.id),
        reply_markup=comment_button(button.survey, lang),
    )
    await ask_nps(context.bot, customer=result.survey.customer, ticket_id=result.ticket.id)
    if result.follow_up is not None:
        await _escalate(context, result, result.follow_up)


async def _escalate(context: CRMContext, result: csat.SurveyAnswer, follow_up: Ticket) -> None:
    """Tell the managers about a poor rating and route the follow-up ticket it opened."""
    agent = await staff.member_by_id(result.survey.agent_id)  # type: ignore[attr-defined]
    handled_by = Phrase("staff.low_rating.by", name=esc(agent.label)) if agent else ""
    alert = Phrase(
        "staff.low_rating.alert",
        score=result.rating.score,
        ticket_id=result.ticket.id,
        customer=esc(result.survey.customer.display_name),
        handled_by=handled_by,
        follow_up_id=follow_up.id,
    )
    await alert_managers(context.bot, alert, ticket=follow_up)
    await route_and_notify(context.bot, context.bot_data.settings, ticket_id=follow_up.id)


async def _commentable(
    query: CallbackQuery, user: User, button: CommentButton | None
) -> Survey | None:
    """Return the survey a comment button is for, or refuse the press (not theirs, too late)."""
    try:
        if button is None:
            raise csat.SurveyClosed("unknown")
        return await csat.commentable_survey(survey_id=button.survey, customer_telegram_id=user.id)
    except csat.SurveyClosed:
        log.warning("refused comment button %r from user %s", query.data, user.id)
        await query.answer(t("survey_stale", user.language_code), show_alert=True)
        return None


async def _refuse_closed(query: CallbackQuery, err: Exception, lang: str | None) -> None:
    answered = isinstance(err, csat.SurveyClosed) and err.reason == "answered"
    key = "survey_already" if answered else "survey_stale"
    await query.answer(t(key, lang), show_alert=True)


async def _refuse_malformed(query: CallbackQuery, user: User, lang: str | None) -> None:
    log.warning("malformed survey button %r from user %s", query.data, user.id)
    await query.answer(t("survey_stale", lang), show_alert=True)


async def comment_pressed(update: Update, context: CRMContext) -> None:
    """Ask for the rating's comment with a reply prompt; only a reply to it is the comment."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang, button = user.language_code, CommentButton.unpack(query.data)
    survey = await _commentable(query, user, button)
    if survey is None:
        return
    await query.answer()
    prompt = await context.bot.send_message(
        user.id,
        t("comment_prompt", lang),
        reply_markup=ForceReply(input_field_placeholder=t("comment_placeholder", lang)),
    )
    await csat.await_comment(survey=survey, prompt_message_id=prompt.message_id)
    try:
        await query.edit_message_reply_markup(reply_markup=None)  # one prompt per rating
    except TelegramError as err:
        log.info("could not remove the comment button of survey %s: %s", survey.id, err)
