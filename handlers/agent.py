"""Agents work the queue from Telegram: availability, take, reply, note, close, transfer."""

from __future__ import annotations

import logging

from telegram import Bot, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from crm.desk import actions, queue, routing, staff, staff_messages
from crm.desk.actions import TicketHistory
from crm.desk.tickets import parse_ticket_number
from crm.errors import CrmError, InvalidInput
from crm.i18n import Phrase, t
from crm.models import Delivery, Role, StaffMember, Ticket
from handlers.args import expect, parsed, refuse_usage, words
from handlers.auth import answer, require, staff_error_text
from handlers.callbacks import TicketButton
from handlers.context import CRMContext, DeskSettings
from handlers.menu import publish_staff_menu
from handlers.notify import (
    notify_assignment,
    send_about_ticket,
    tell_handed_out,
)
from handlers.survey import send_survey
from handlers.text import split_message
from handlers.unpack import NEW_PRIVATE, inbound_of, text_after
from handlers.views import tickets as views

log = logging.getLogger(__name__)

QUEUE_SHOWN = 20


def register(application: Application) -> None:
    """Add the agent commands and ticket buttons."""
    add = application.add_handler
    for name, callback in (
        ("online", go_online),
        ("offline", go_offline),
        ("queue", show_queue),
        ("take", take),
        ("reply", reply),
        ("note", note),
        ("ticket", show_ticket),
        ("reopen", reopen),
        ("transfer", transfer),
        ("tag", tag),
        ("language", language),
    ):
        add(CommandHandler(name, callback, filters=NEW_PRIVATE))
    add(CallbackQueryHandler(ticket_button, pattern=TicketButton.pattern()))


def _ticket_arg(context: CRMContext, command: str) -> int:
    raw = expect(context, command, at_least=1)[0]
    return parsed(command, parse_ticket_number, raw)


def staff_help(member: StaffMember) -> str:
    """Return a staff member's greeting with their commands, in their language."""
    lang = member.text_language
    role = Phrase(f"staff.role.{member.role.value}")
    parts = [
        t("staff.help.hello", lang, name=member.label, role=role),
        t("staff.help.agent", lang),
        t("staff.help.sales", lang),
    ]
    if member.role is Role.MANAGER:
        parts.append(t("staff.help.manager", lang))
    return "\n\n".join(parts)


async def staff_start(update: Update, member: StaffMember) -> None:
    """Greet a staff member with their commands."""
    await answer(update, staff_help(member))


@require(Role.AGENT)
async def language(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show or set the language of the sender's texts: /language [en|zh|auto]."""
    args = words(context)
    if len(args) > 1:
        raise InvalidInput.of("staff.language.unknown", raw=" ".join(args))
    if args:
        choice = args[0].strip().lower()
        await staff.set_language(member=member, language=None if choice == "auto" else choice)
        lang = member.text_language
        key = "staff.language.auto" if member.language is None else "staff.language.set"
        await answer(update, t(key, lang, name=Phrase(f"staff.language.name.{lang}")))
        await publish_staff_menu(context.bot, member)
        return
    lang = member.text_language
    key = "staff.language.current_chosen" if member.language else "staff.language.current_telegram"
    text = t(key, lang, name=Phrase(f"staff.language.name.{lang}"))
    await answer(update, text + "\n" + t("staff.language.choices", lang))


@require(Role.AGENT)
async def go_online(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Mark the agent available and hand them waiting tickets."""
    capacity = context.bot_data.settings.agent_capacity
    moved = await queue.come_online(member=member, default_capacity=capacity)
    await answer(update, t("staff.agent.online", member.text_language))
    await tell_handed_out(context.bot, moved.handed_out)


@require(Role.AGENT)
async def go_offline(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Mark the agent away; their open tickets stay theirs (SLA re-routes late ones)."""
    await staff.set_online(member=member, online=False)
    await answer(update, t("staff.agent.offline", member.text_language))


@require(Role.AGENT)
async def show_queue(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List waiting tickets in queue order (with Take buttons) and the agent's own open ones."""
    waiting = await routing.waiting_tickets(limit=QUEUE_SHOWN)
    own = await actions.own_open_tickets(staff=member)
    more = len(waiting) == QUEUE_SHOWN
    text, buttons = views.queue(waiting, own, lang=member.text_language, more=more)
    assert update.effective_message is not None
    parts = split_message(text)  # long names and subjects can pass the limit
    for index, part in enumerate(parts):
        markup = buttons if index == len(parts) - 1 else None
        await update.effective_message.reply_text(
            part, parse_mode=ParseMode.HTML, reply_markup=markup
        )


@require(Role.AGENT)
async def take(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Assign a ticket to the sender."""
    ticket_id = _ticket_arg(context, "take")
    await _take(context.bot, member, ticket_id)


async def _take(bot: Bot, member: StaffMember, ticket_id: int) -> None:
    assignment = await routing.take_ticket(staff=member, ticket_id=ticket_id)
    await notify_assignment(
        bot, assignment, reason=Phrase("staff.notify.you_took", ticket_id=ticket_id)
    )


@require(Role.AGENT)
async def reply(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send text to the ticket's customer and store it as an outbound message."""
    ticket_id = _ticket_arg(context, "reply")
    assert update.effective_message is not None
    text = text_after(update.effective_message, 1)
    if not text:
        raise refuse_usage("reply")
    await deliver_reply(context.bot, member, update.effective_message, ticket_id, text=text)


async def deliver_reply(
    bot: Bot,
    member: StaffMember,
    source: Message,
    ticket_id: int,
    *,
    text: str,
    media: tuple | None = None,
) -> None:
    """Store the reply, send it (text, or the agent's media copied), report to the agent."""
    media_type, file_id = media if media else (None, None)
    pending = await actions.prepare_reply(
        ticket_id=ticket_id,
        staff=member,
        text=text,
        media_type=media_type,
        file_id=file_id,
        source=(source.chat_id, source.message_id),
    )
    name, lang = pending.customer.display_name, member.text_language
    if pending.replayed is not None:
        # This staff message was handled before a restart: never send the reply twice.
        await source.reply_text(_replayed_reply_text(pending.replayed, name, ticket_id, lang))
        return
    try:
        if media_type is not None:
            sent = await bot.copy_message(
                pending.customer_chat_id, source.chat_id, source.message_id
            )
        else:
            sent = await bot.send_message(pending.customer_chat_id, text)
    except TelegramError as err:
        await actions.mark_undelivered(reply=pending, error=str(err))
        log.warning("reply on ticket #%s not delivered: %s", ticket_id, err)
        await source.reply_text(
            t("staff.reply.failed", lang, name=name, error=err, ticket_id=ticket_id)
        )
        return
    await actions.mark_delivered(reply=pending, telegram_message_id=sent.message_id)
    await source.reply_text(t("staff.reply.sent", lang, name=name, ticket_id=ticket_id))


def _replayed_reply_text(state: Delivery, name: str, ticket_id: int, lang: str) -> str:
    if state is Delivery.SENT:
        return t("staff.reply.sent", lang, name=name, ticket_id=ticket_id)
    if state is Delivery.FAILED:
        return t("staff.reply.failed_before", lang, name=name, ticket_id=ticket_id)
    return unknown_reply_text(name, ticket_id, lang)


def unknown_reply_text(name: str, ticket_id: int, lang: str) -> str:
    """Tell an agent that a reply caught by a restart may or may not have arrived."""
    return t("staff.reply.unknown", lang, name=name, ticket_id=ticket_id)


async def on_staff_message(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Treat a staff member's Telegram reply to a ticket message as /reply; explain otherwise."""
    message = update.effective_message
    if message is None:
        return
    replied, lang = message.reply_to_message, member.text_language
    if replied is None:
        await answer(update, t("staff.reply.how", lang))
        return
    ticket_id = await staff_messages.ticket_for_reply(
        chat_id=message.chat_id, message_id=replied.message_id
    )
    if ticket_id is None:
        await answer(update, t("staff.reply.not_a_ticket", lang))
        return
    inbound = inbound_of(message)
    media = (inbound.media_type, inbound.file_id) if inbound.media_type else None
    try:
        await deliver_reply(context.bot, member, message, ticket_id, text=inbound.text, media=media)
    except CrmError as err:
        await answer(update, staff_error_text(err, lang))


@require(Role.AGENT)
async def note(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Store an internal note; it is never sent to the customer."""
    ticket_id = _ticket_arg(context, "note")
    assert update.effective_message is not None
    text = text_after(update.effective_message, 1)
    if not text:
        raise refuse_usage("note")
    scope = context.bot_data.settings.agent_scope
    await actions.add_note(ticket_id=ticket_id, staff=member, scope=scope, text=text)
    await answer(update, t("staff.note.added", member.text_language, ticket_id=ticket_id))


@require(Role.AGENT)
async def show_ticket(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show the ticket's full history with the customer's profile."""
    ticket_id = _ticket_arg(context, "ticket")
    await _send_history(context.bot, member, await _history(context, member, ticket_id))


async def _history(context: CRMContext, member: StaffMember, ticket_id: int) -> TicketHistory:
    scope = context.bot_data.settings.agent_scope
    return await actions.ticket_history(ticket_id=ticket_id, staff=member, scope=scope)


async def _send_history(bot: Bot, member: StaffMember, history: TicketHistory) -> None:
    html = views.history(history, member.text_language)
    await send_about_ticket(bot, member.telegram_id, history.ticket, html)


@require(Role.AGENT)
async def close_ticket(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Resolve a ticket; the customer is told and gets the satisfaction survey."""
    ticket_id = _ticket_arg(context, "close")
    await _close(context.bot, context.bot_data.settings, member, ticket_id)
    await answer(update, t("staff.close.done", member.text_language, ticket_id=ticket_id))


async def _close(bot: Bot, settings: DeskSettings, member: StaffMember, ticket_id: int) -> Ticket:
    moved = await queue.close_ticket(
        ticket_id=ticket_id, by=member, default_capacity=settings.agent_capacity
    )
    await send_survey(bot, moved.result)
    await tell_handed_out(bot, moved.handed_out)  # the agent had room for a waiting ticket
    return moved.result


@require(Role.AGENT)
async def reopen(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Reopen a resolved ticket."""
    ticket_id = _ticket_arg(context, "reopen")
    settings = context.bot_data.settings
    moved = await queue.reopen_ticket(
        ticket_id=ticket_id,
        by=member,
        scope=settings.agent_scope,
        default_capacity=settings.agent_capacity,
    )
    ticket, lang = moved.result, member.text_language
    if ticket.assignee is not None:
        text = t("staff.reopen.with", lang, ticket_id=ticket_id, owner=ticket.assignee.label)
    else:
        text = t("staff.reopen.queued", lang, ticket_id=ticket_id)
    await answer(update, text)
    await tell_handed_out(context.bot, moved.handed_out)


@require(Role.AGENT)
async def transfer(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Hand a ticket to another agent, who is notified."""
    args = expect(context, "transfer", counts={2})
    ticket_id = parse_ticket_number(args[0])
    target = staff.parse_user_id(args[1])
    capacity = context.bot_data.settings.agent_capacity
    moved = await queue.transfer_ticket(
        ticket_id=ticket_id, to_telegram_id=target, by=member, default_capacity=capacity
    )
    assignment, lang = moved.result, member.text_language
    reason = Phrase("staff.notify.transferred", name=member.label, ticket_id=ticket_id)
    await notify_assignment(context.bot, assignment, reason=reason)
    await answer(
        update, t("staff.transfer.done", lang, ticket_id=ticket_id, name=assignment.staff.label)
    )
    await tell_handed_out(context.bot, moved.handed_out)


@require(Role.AGENT)
async def tag(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Correct a ticket's topic."""
    topics = context.bot_data.topics
    args = expect(context, "tag", counts={2}, topics=", ".join(topics.names))
    ticket_id = parse_ticket_number(args[0])
    topic = topics.check(args[1])
    await actions.tag_ticket(
        ticket_id=ticket_id,
        staff=member,
        scope=context.bot_data.settings.agent_scope,
        topic=topic,
    )
    await answer(
        update, t("staff.tag.done", member.text_language, ticket_id=ticket_id, topic=topic)
    )


@require(Role.AGENT)
async def ticket_button(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Handle Take / Close / History under a ticket message."""
    query = update.callback_query
    assert query is not None
    button, lang = TicketButton.unpack(query.data), member.text_language
    if button is None:
        log.warning("malformed ticket button %r from user %s", query.data, member.telegram_id)
        await query.answer(t("staff.button_invalid", lang), show_alert=True)
        return
    action, ticket_id = button.action, button.ticket
    if action == "take":
        await _take(context.bot, member, ticket_id)
        await query.answer(t("staff.button.took", lang, ticket_id=ticket_id))
    elif action == "close":
        await _close(context.bot, context.bot_data.settings, member, ticket_id)
        await query.answer(t("staff.button.closed", lang, ticket_id=ticket_id))
    else:
        # Fetched (and checked) before the press is answered: a refusal is the press's alert.
        history = await _history(context, member, ticket_id)
        await query.answer()
        await _send_history(context.bot, member, history)
