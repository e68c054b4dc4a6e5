"""Test data builders, so a test reads like the story it checks."""

from __future__ import annotations

import itertools

from crm.customers import CustomerProfile
from crm.models import MediaType
from crm.tickets import InboundMessage

_message_ids = itertools.count(1000)


def make_profile(
    telegram_id: int = 501,
    first_name: str = "Alice",
    *,
    last_name: str | None = "Doe",
    username: str | None = "alice",
    language_code: str | None = "en",
) -> CustomerProfile:
    """Return a customer's Telegram profile."""
    return CustomerProfile(
        telegram_id=telegram_id,
        first_name=first_name,
        last_name=last_name,
        username=username,
        language_code=language_code,
    )


def inbound(
    profile: CustomerProfile,
    text: str = "Where is my order?",
    *,
    message_id: int | None = None,
    media_type: MediaType | None = None,
    file_id: str | None = None,
) -> InboundMessage:
    """Return a message the customer sent in their private chat."""
    return InboundMessage(
        chat_id=profile.telegram_id,
        message_id=next(_message_ids) if message_id is None else message_id,
        text=text,
        media_type=media_type,
        file_id=file_id,
    )
