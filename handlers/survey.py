"""The customer's side of CSAT: "How did we do?" on close, and the press on it."""

from __future__ import annotations

import logging
import re

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from crm.desk import csat, nps
from crm.desk.actions import get_ticket
from crm.errors import InvalidInput
from crm.i18n import Phrase, t
from crm.models import Customer, StaffMember, Ticket
from handlers.context import CRMContext
from handlers.notify import alert_managers, route_and_notify
from handlers.text import esc

log = logging.getLogger(__name__)

PREFIX = "csat"
NPS_PREFIX = "nps"
COMMENT_PREFIX = "csatc"
_DATA = re.compile(rf"^{PREFIX}:(\d{{1,9}}):([1-5])$")
_COMMENT_DATA = re.compile(rf"^{COMMENT_PREFIX}:(\d{{1,9}})$")
_NPS_DATA = re.compile(rf"^{NPS_PREFIX}:(\d{{1,9}}):(10|[0-9])$")


def register(application: Application) -> None:
    """Add the survey button handlers (CSAT and NPS)."""
    application.add_handler(CallbackQueryHandler(survey_pressed, pattern=rf"^{PREFIX}:"))
    application.add_handler(CallbackQueryHandler(nps_pressed, pattern=rf"^{NPS_PREFIX}:"))
    application.add_handler(CallbackQueryHandler(comment_pressed, pattern=rf"^{COMMENT_PREFIX}:"))


def nps_buttons(response_id: int) -> InlineKeyboardMarkup:
    """Return 0-10 buttons in two rows."""

    def button(n: int) -> InlineKeyboardButton:
        return InlineKeyboardButton(str(n), callback_data=f"{NPS_PREFIX}:{response_id}:{n}")

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
    lang = user.language_code
    match = _NPS_DATA.match(query.data or "")
    if match is None:
        log.warning("malformed NPS data %r from user %s", query.data, user.id)
        await query.answer(t("survey_stale", lang), show_alert=True)
        return
    try:
        response = await nps.answer(
            response_id=int(match[1]), customer_telegram_id=user.id, score=int(match[2])
        )
    except csat.SurveyClosed as err:
        key = "survey_already" if err.reason == "answered" else "survey_stale"
        await query.answer(t(key, lang), show_alert=True)
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
                InlineKeyboardButton(f"{n} ⭐", callback_data=f"{PREFIX}:{survey_id}:{n}")
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
                    callback_data=f"{COMMENT_PREFIX}:{survey_id}",
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
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    lang = user.language_code
    match = _DATA.match(query.data or "")
    if match is None:
        log.warning("malformed survey data %r from user %s", query.data, user.id)
        await query.answer(t("survey_stale", lang), show_alert=True)
        return
    survey_id, score = int(match[1]), int(match[2])
    try:
        result = await csat.answer_survey(
            survey_id=survey_id, customer_telegram_id=user.id, score=score
        )
    except csat.SurveyClosed as err:
        key = "survey_already" if err.reason == "answered" else "survey_stale"
        await query.answer(t(key, lang), show_alert=True)
        return
    except InvalidInput:
        await query.answer(t("survey_stale", lang), show_alert=True)
        return
    key = "survey_thanks_low" if result.follow_up is not None else "survey_thanks"
    await _acknowledge(
        query,
        t("survey_recorded", lang),
        t(key, lang, score=score, ticket_id=result.ticket.id),
        reply_markup=comment_button(survey_id, lang),
    )
    await ask_nps(context.bot, customer=result.survey.customer, ticket_id=result.ticket.id)
    if result.follow_up is not None:
        settings = context.bot_data.settings
        agent = await StaffMember.get_or_none(id=result.survey.agent_id)  # type: ignore[attr-defined]
        handled_by = Phrase("staff.low_rating.by", name=esc(agent.label)) if agent else ""
        alert = Phrase(
            "staff.low_rating.alert",
            score=score,
            ticket_id=result.ticket.id,
            customer=esc(result.survey.customer.display_name),
            handled_by=handled_by,
            follow_up_id=result.follow_up.id,
        )
        await alert_managers(context.bot, alert, ticket=result.follow_up)
        await route_and_notify(context.bot, settings, ticket_id=result.follow_up.id)


async def comment_pressed(update: Update, context: CRMContext) -> None:
    """Ask for the rating's comment with a reply prompt; only a reply to it is the comment."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = user.language_code
    match = _COMMENT_DATA.match(query.data or "")
    try:
        if match is None:
            raise csat.SurveyClosed("unknown")
        survey = await csat.commentable_survey(
            survey_id=int(match[1]), customer_telegram_id=user.id
        )
    except csat.SurveyClosed:
        log.warning("refused comment button %r from user %s", query.data, user.id)
        await query.answer(t("survey_stale", lang), show_alert=True)
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
