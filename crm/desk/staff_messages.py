"""Which staff-facing bot message is about which ticket (for answering by Telegram reply)."""

from __future__ import annotations

from contextlib import suppress

from tortoise.exceptions import IntegrityError

from crm import clock
from crm.models import Notification


async def remember(*, ticket_id: int, chat_id: int, message_id: int) -> None:
    """Record that a message in a staff chat is about a ticket."""
    with suppress(IntegrityError):  # already recorded
        await Notification.create(
            ticket_id=ticket_id, chat_id=chat_id, message_id=message_id, created_at=clock.utcnow()
        )


async def ticket_for_reply(*, chat_id: int, message_id: int) -> int | None:
    """Return the ticket a staff chat message is about, if it is one of ours."""
    row = await Notification.get_or_none(chat_id=chat_id, message_id=message_id)
    return row.ticket_id if row is not None else None  # type: ignore[attr-defined]
