"""Customers' "I'm interested" presses under a campaign message: counted, and the first opens a
ticket for an agent."""

from __future__ import annotations

from telegram import Update

from crm.desk import tickets
from crm.i18n import t
from crm.marketing import campaigns
from crm.models import Campaign, TicketKind
from handlers.callbacks import InterestButton
from handlers.context import CRMContext
from handlers.notify import route_and_notify
from handlers.unpack import profile_of


async def interested(update: Update, context: CRMContext) -> None:
    """Count a customer's "I'm interested" press; the first one opens a ticket for an agent."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = InterestButton.unpack(query.data)
    pressed = None
    if button is not None and query.message is not None:
        pressed = await campaigns.record_interest(campaign_id=button.campaign, telegram_id=user.id)
    if pressed is None:
        await query.answer(t("interest_gone", user.language_code), show_alert=True)
        return
    campaign, first = pressed
    if first:
        await _open_interest_ticket(update, context, campaign)
    await query.answer(t("interest_thanks", user.language_code))


async def _open_interest_ticket(update: Update, context: CRMContext, campaign: Campaign) -> None:
    """Open an inquiry saying the customer is interested, and route it to an agent."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.message is not None and user is not None
    # The campaign message's own identity: a redelivered press cannot open a second ticket.
    inbound = tickets.InboundMessage(
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        text=f"I'm interested in campaign #{campaign.id} ({_about(campaign)}).",
    )
    result = await tickets.open_ticket(
        profile=profile_of(user),
        kind=TicketKind.INQUIRY,
        message=inbound,
        topics=context.bot_data.topics,
    )
    if result.new_ticket and not result.duplicate:
        await route_and_notify(context.bot, context.bot_data.settings, ticket_id=result.ticket.id)


def _about(campaign: Campaign) -> str:
    """Return the campaign's name, or the first words of its text."""
    if campaign.name:
        return campaign.name
    words = " ".join(campaign.text.split())
    return words if len(words) <= 60 else words[:59].rsplit(" ", 1)[0] + "…"
