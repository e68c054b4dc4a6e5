"""Campaigns from Telegram: the /campaign_new dialog, sending and scheduling, reports, interest.

Managers build a campaign in a short dialog (audience, message, button, control group,
preview: ``dialog``, ``wizard``, ``answers``) and then send, schedule, pause, resume or
cancel it by number (``commands``). Customers' "I'm interested" presses are counted and open
a ticket for an agent (``interested``).
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.callbacks import DialogButton, InterestButton
from handlers.campaigns.answers import cancel_command, dialog_button, dialog_message
from handlers.campaigns.commands import (
    cancel_campaign,
    list_campaigns,
    pause,
    resume,
    schedule,
    send_now,
    show_campaign,
)
from handlers.campaigns.interested import interested
from handlers.campaigns.wizard import new_campaign
from handlers.unpack import NEW_PRIVATE

__all__ = ["dialog_message", "register"]


def register(application: Application) -> None:
    """Add the campaign dialog, the manager commands and the "I'm interested" button."""
    add = application.add_handler
    add(CommandHandler("campaign_new", new_campaign, filters=NEW_PRIVATE))
    add(CommandHandler("cancel", cancel_command, filters=NEW_PRIVATE))
    for name, callback in (
        ("campaign_send", send_now),
        ("campaign_schedule", schedule),
        ("campaign_pause", pause),
        ("campaign_resume", resume),
        ("campaign_cancel", cancel_campaign),
        ("campaigns", list_campaigns),
        ("campaign", show_campaign),
    ):
        add(CommandHandler(name, callback, filters=NEW_PRIVATE))
    # Dialog answers that are plain messages come through customer.intake (staff branch).
    add(CallbackQueryHandler(dialog_button, pattern=DialogButton.pattern()))
    add(CallbackQueryHandler(interested, pattern=InterestButton.pattern()))
