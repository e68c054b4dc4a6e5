"""Customer-facing handlers: private chats become tickets."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from crm.customers import privacy
from crm.customers.linking import share_own_phone
from crm.customers.profiles import find_customer, register_customer
from crm.desk import tickets
from crm.errors import InvalidInput, NoOpenTicket, TicketAlreadyResolved, TicketNotFound
from crm.i18n import CATALOG, t
from crm.marketing import campaigns
from crm.models import TicketKind
from handlers.auth import sender_language
from handlers.callbacks import ForgetButton
from handlers.context import CRMContext
from handlers.notify import (
    forward_customer_message,
    route_and_notify,
    route_reopened_and_notify,
)
from handlers.survey import ask_nps
from handlers.unpack import (
    NEW_PRIVATE,
    command_argument,
    inbound_of,
    profile_of,
    starts_with_command,
)

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
CUSTOMER_COMMANDS = (
    "start",
    "help",
    "feedback",
    "complain",
    "rate",
    "tickets",
    "close",
    "phone",
    "stop",
    "forget_me",
)


def register_commands(application: Application) -> None:
    """Add the customers' own commands and buttons (the router adds /start, /help, /close)."""
    add = application.add_handler
    add(CommandHandler("feedback", feedback, filters=NEW_PRIVATE))
    add(CommandHandler("complain", complain, filters=NEW_PRIVATE))
    add(CommandHandler("rate", rate, filters=NEW_PRIVATE))
    add(CommandHandler("tickets", list_tickets, filters=NEW_PRIVATE))
    add(CommandHandler("forget_me", forget_me, filters=NEW_PRIVATE))
    add(CommandHandler("stop", stop_campaigns, filters=NEW_PRIVATE))
    add(CommandHandler("subscribe", subscribe, filters=NEW_PRIVATE))
    add(CommandHandler("phone", ask_phone, filters=NEW_PRIVATE))
    add(CallbackQueryHandler(forget_pressed, pattern=ForgetButton.pattern()))


def register_fallbacks(application: Application) -> None:
    """Add what answers the rest, after the router's intake: edits, unknown commands, groups."""
    add = application.add_handler
    add(MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, edited))
    add(MessageHandler(NEW_PRIVATE & filters.COMMAND, unknown_command))
    add(MessageHandler(NEW_PRIVATE & ~filters.COMMAND, unsupported))
    add(
        MessageHandler(
            filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & filters.COMMAND, group_command
        )
    )


def bot_commands(language: str) -> list[BotCommand]:
    """Return the command menu shown to customers in a language."""
    lines = CATALOG[language]["commands"].splitlines()[1:]
    described = {}
    for line in lines:
        command, _, description = line.partition(" – ")
        described[command.split()[0].lstrip("/")] = description.strip()
    return [BotCommand(name, described.get(name, name)) for name in CUSTOMER_COMMANDS]


async def start(update: Update, context: CRMContext) -> None:
    """Register the customer and greet them."""
    user, message = _sender(update)
    customer, _ = await register_customer(profile=profile_of(user))
    lang = user.language_code
    greeting = t(
        "greeting",
        lang,
        name=user.first_name,
        bot_name=context.bot.first_name,
        commands=t("commands", lang),
    )
    # /start after /stop opts the customer back in to campaigns.
    if await campaigns.set_subscribed(customer=customer, subscribed=True):
        greeting += "\n\n" + t("subscribed", lang)
    await message.reply_text(greeting)


async def stop_campaigns(update: Update, context: CRMContext) -> None:
    """Opt the customer out of campaigns; the help desk keeps working for them."""
    user, message = _sender(update)
    customer, _ = await register_customer(profile=profile_of(user))
    await campaigns.set_subscribed(customer=customer, subscribed=False)
    await message.reply_text(t("unsubscribed", user.language_code))


async def subscribe(update: Update, context: CRMContext) -> None:
    """Opt the customer back in to campaigns."""
    user, message = _sender(update)
    customer, _ = await register_customer(profile=profile_of(user))
    await campaigns.set_subscribed(customer=customer, subscribed=True)
    await message.reply_text(t("subscribed", user.language_code))


async def show_help(update: Update, context: CRMContext) -> None:
    """List the customer commands."""
    user, message = _sender(update)
    await message.reply_text(t("commands", user.language_code))


async def intake(update: Update, context: CRMContext) -> None:
    """Log a message on the customer's open ticket (or a new inquiry), acknowledge, route it."""
    user, message = _sender(update)
    settings = context.bot_data.settings
    result = await tickets.log_customer_message(
        profile=profile_of(user),
        message=inbound_of(message),
        topics=context.bot_data.topics,
        reopen_window=timedelta(hours=settings.reopen_hours),
    )
    lang = user.language_code
    if result.commented_rating is not None:
        await _acknowledge(result, message, t("comment_thanks", lang))
        await _after_intake(context, result)  # filed on an open follow-up: its agent sees it
        return
    key = "ack_new" if result.new_ticket else "ack_append"
    if result.reopened:
        key = "ack_reopened"
    await _acknowledge(result, message, t(key, lang, ticket_id=result.ticket.id))
    await _after_intake(context, result)


async def feedback(update: Update, context: CRMContext) -> None:
    """Open a feedback ticket."""
    await _open_kind(update, context, TicketKind.FEEDBACK, "feedback_ok", "feedback_usage")


async def complain(update: Update, context: CRMContext) -> None:
    """Open a high-priority complaint ticket."""
    await _open_kind(update, context, TicketKind.COMPLAINT, "complain_ok", "complain_usage")


async def rate(update: Update, context: CRMContext) -> None:
    """Log a 1-5 rating; low scores stay open for a human."""
    user, message = _sender(update)
    lang = user.language_code
    try:
        score, comment = tickets.parse_rating(context.args or [])
    except InvalidInput:
        await message.reply_text(t("rate_usage", lang))
        return
    result = await tickets.rate_service(
        profile=profile_of(user),
        score=score,
        comment=comment,
        message=inbound_of(message, text=command_argument(message)),
    )
    key = "rate_ok_bad" if result.ticket.is_open else "rate_ok_good"
    key = key if _own_ticket(result) else "ack_append"
    await _acknowledge(result, message, t(key, lang, score=score, ticket_id=result.ticket.id))
    await _after_intake(context, result)


async def list_tickets(update: Update, context: CRMContext) -> None:
    """Show the customer their own tickets."""
    user, message = _sender(update)
    lang = user.language_code
    customer = await find_customer(telegram_id=user.id)
    rows = await tickets.customer_tickets(customer=customer) if customer else []
    if not rows:
        await message.reply_text(t("tickets_none", lang))
        return
    zone = context.bot_data.settings.timezone
    lines = [t("tickets_header", lang)]
    for ticket in rows:
        line = t(
            "tickets_line",
            lang,
            ticket_id=ticket.id,
            kind=t(f"kind.{ticket.kind.value}", lang),
            status=t(f"status.{ticket.status.value}", lang),
            when=ticket.last_activity_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        )
        lines.append(f"{line}\n   {ticket.subject}" if ticket.subject else line)
    await message.reply_text("\n".join(lines))


async def close(update: Update, context: CRMContext) -> None:
    """Let the customer resolve their own open ticket."""
    user, message = _sender(update)
    lang = user.language_code
    args = context.args or []
    try:
        ticket_id = tickets.parse_ticket_number(args[0]) if args else None
    except InvalidInput:
        await message.reply_text(t("close_usage", lang))
        return
    customer, _ = await register_customer(profile=profile_of(user))
    try:
        ticket = await tickets.close_own_ticket(customer=customer, ticket_id=ticket_id)
    except NoOpenTicket:
        await message.reply_text(t("close_none", lang))
    except TicketNotFound as err:
        await message.reply_text(t("close_not_found", lang, ticket_id=err.ticket_id))
    except TicketAlreadyResolved as err:
        await message.reply_text(t("close_already", lang, ticket_id=err.ticket_id))
    else:
        await message.reply_text(t("close_ok", lang, ticket_id=ticket.id))
        await ask_nps(context.bot, customer=customer, ticket_id=ticket.id)


async def edited(update: Update, context: CRMContext) -> None:
    """Keep the stored message in step with the customer's edit."""
    message = update.edited_message
    if message is None:
        return
    text = message.text or message.caption or ""
    if starts_with_command(message):
        text = command_argument(message)  # stored like the command's ticket text
    stored = await tickets.record_edit(
        chat_id=message.chat_id, message_id=message.message_id, new_text=text
    )
    if stored is None:
        log.info(
            "edit of unknown message %s in chat %s ignored", message.message_id, message.chat_id
        )


async def unknown_command(update: Update, context: CRMContext) -> None:
    """Answer a command the bot does not know (staff in the language of their texts)."""
    user, message = _sender(update)
    await message.reply_text(t("unknown_command", await sender_language(user, context.bot)))


async def ask_phone(update: Update, context: CRMContext) -> None:
    """Offer Telegram's contact-sharing button to link the customer's record by phone."""
    user, message = _sender(update)
    button = KeyboardButton(t("phone_button", user.language_code), request_contact=True)
    await message.reply_text(
        t("phone_prompt", user.language_code),
        reply_markup=ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True),
    )


async def contact_shared(update: Update, context: CRMContext) -> None:
    """Link the customer's own shared phone to their imported record (the router checks it)."""
    user, message = _sender(update)
    contact = message.contact
    assert contact is not None
    linked = await share_own_phone(
        profile=profile_of(user),
        phone=contact.phone_number,
        default_country=context.bot_data.settings.default_country,
    )
    key = "phone_linked" if linked else "phone_saved"
    await message.reply_text(t(key, user.language_code), reply_markup=ReplyKeyboardRemove())


async def unsupported(update: Update, context: CRMContext) -> None:
    """Politely decline content that cannot become part of a ticket (polls, dice...)."""
    user, message = _sender(update)
    await message.reply_text(t("unsupported", await sender_language(user, context.bot)))


async def forget_me(update: Update, context: CRMContext) -> None:
    """Ask the customer to confirm erasing their personal data."""
    user, message = _sender(update)
    customer = await find_customer(telegram_id=user.id)
    lang = user.language_code
    if customer is None:
        await message.reply_text(t("forget_done", lang))  # nothing is held about them
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(f"forget_{answer}", lang), callback_data=data.pack())
                for answer, data in (
                    ("yes", ForgetButton(customer=customer.id, answer="yes")),
                    ("no", ForgetButton(customer=customer.id, answer="no")),
                )
            ]
        ]
    )
    await message.reply_text(t("forget_confirm", lang), reply_markup=buttons)


async def forget_pressed(update: Update, context: CRMContext) -> None:
    """Erase the customer's data after they confirmed; only their own, only by them."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = user.language_code
    button = ForgetButton.unpack(query.data)
    customer = await find_customer(telegram_id=user.id)
    if button is None or customer is None or customer.id != button.customer:
        log.warning("refused erase button %r from user %s", query.data, user.id)
        await query.answer(t("survey_stale", lang), show_alert=True)
        return
    await query.answer()
    if button.answer == "no":
        await query.edit_message_text(t("forget_cancelled", lang))
        return
    # Updates they send after this one are a new customer's: the erasure leaves them be.
    await privacy.erase_customer(customer_id=customer.id, up_to_update_id=update.update_id)
    await query.edit_message_text(t("forget_done", lang))


async def group_command(update: Update, context: CRMContext) -> None:
    """Decline support in group chats: tickets are private."""
    message = update.effective_message
    if message is None or message.chat.type == ChatType.CHANNEL:
        return
    lang = update.effective_user.language_code if update.effective_user else None
    await message.reply_text(t("group_decline", lang, bot_username=context.bot.username))


def _sender(update: Update) -> tuple[User, Message]:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        raise ValueError("update without a sender or message")
    return user, message


async def _open_kind(
    update: Update, context: CRMContext, kind: TicketKind, ok_key: str, usage_key: str
) -> None:
    user, message = _sender(update)
    lang = user.language_code
    text = command_argument(message)
    if not text:
        await message.reply_text(t(usage_key, lang))
        return
    result = await tickets.open_ticket(
        profile=profile_of(user),
        kind=kind,
        message=inbound_of(message, text=text),
        topics=context.bot_data.topics,
    )
    key = ok_key if _own_ticket(result) else "ack_append"
    await _acknowledge(result, message, t(key, lang, ticket_id=result.ticket.id))
    await _after_intake(context, result)


def _own_ticket(result: tickets.Intake) -> bool:
    """Return whether a command that opens a ticket got one (not merged over the cap)."""
    return result.new_ticket or result.duplicate


async def _after_intake(context: CRMContext, result: tickets.Intake) -> None:
    """Route a new or reopened ticket to an agent, or pass a later message on to its agent."""
    if result.duplicate or not result.ticket.is_open:
        return
    if result.new_ticket:
        await route_and_notify(context.bot, context.bot_data.settings, ticket_id=result.ticket.id)
        return
    if result.reopened:
        await route_reopened_and_notify(
            context.bot, context.bot_data.settings, ticket_id=result.ticket.id
        )
        return
    message = result.message
    try:
        await forward_customer_message(
            context.bot,
            ticket=result.ticket,
            customer=result.customer,
            message=message,
            chat_id=message.telegram_chat_id,
            telegram_message_id=message.telegram_message_id,
        )
    except TelegramError as err:
        # Stored and visible in /ticket; only the live forward failed.
        log.warning("could not forward a message of ticket #%s: %s", result.ticket.id, err)


async def _acknowledge(result: tickets.Intake, message: Message, text: str) -> None:
    """Tell the customer their message was logged, once, even across redeliveries."""
    if result.duplicate and result.message.acknowledged_at is not None:
        return
    await message.reply_text(text)
    await tickets.mark_acknowledged(message=result.message)
