"""Test data builders, so a test reads like the story it checks."""

from __future__ import annotations

import itertools

from crm.customers.profiles import CustomerProfile
from crm.desk.tickets import InboundMessage
from crm.models import MediaType

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
    reply_to: int | None = None,
) -> InboundMessage:
    """Return a message the customer sent in their private chat (a reply to `reply_to`)."""
    return InboundMessage(
        chat_id=profile.telegram_id,
        message_id=next(_message_ids) if message_id is None else message_id,
        text=text,
        media_type=media_type,
        file_id=file_id,
        reply_to_message_id=reply_to,
    )


async def make_customer(first_name: str = "Alice", **fields: object):  # -> Customer
    """Store a customer as an import would (no Telegram id unless one is given)."""
    from crm.models import Customer

    return await Customer.create(first_name=first_name, **fields)


async def make_orders(
    customer,
    *,
    count: int,
    total: float = 50.0,
    last_days_ago: float = 1.0,
    every_days: float = 7.0,
    now=None,
) -> None:
    """Store `count` orders of `total`: the latest `last_days_ago` days ago, then every N days."""
    from datetime import timedelta
    from decimal import Decimal

    from crm import clock
    from crm.models import Order

    now = now or clock.utcnow()
    await Order.bulk_create(
        [
            Order(
                customer_id=customer.id,
                ordered_at=now - timedelta(days=last_days_ago + i * every_days),
                total=Decimal(str(total)),
            )
            for i in range(count)
        ]
    )


async def make_ticket(
    customer,
    *,
    kind=None,
    days_ago: float = 1.0,
    sentiment: float | None = None,
    rating: int | None = None,
    now=None,
):  # -> Ticket
    """Store a ticket the customer opened days ago, with their message and maybe a rating.

    The message carries `sentiment` as its score (unscored when None).
    """
    from datetime import timedelta

    from crm import clock
    from crm.models import Direction, Message, Rating, Ticket, TicketKind, TicketStatus

    at = (now or clock.utcnow()) - timedelta(days=days_ago)
    ticket = await Ticket.create(
        customer=customer,
        kind=kind or TicketKind.INQUIRY,
        status=TicketStatus.RESOLVED,
        created_at=at,
        last_activity_at=at,
        resolved_at=at,
    )
    await Message.create(
        ticket=ticket,
        direction=Direction.INBOUND,
        text="a message",
        created_at=at,
        sentiment_score=sentiment,
    )
    if rating is not None:
        await Rating.create(ticket=ticket, customer=customer, score=rating, created_at=at)
    return ticket


async def make_product(sku: str, name: str = "", **fields: object):  # -> Product
    """Store a catalogue product (named after its SKU unless a name is given)."""
    from crm.models import Product

    return await Product.create(sku=sku, name=name or sku.title(), **fields)


async def make_basket(customer, *items, ordered_at=None):  # -> Order
    """Store one order of the customer with a line per item: a Product, or a bare name.

    A string item is a line without a catalogue product, known only by its product name.
    """
    from crm import clock
    from crm.models import Order, OrderLine, Product

    order = await Order.create(customer=customer, ordered_at=ordered_at or clock.utcnow())
    await OrderLine.bulk_create(
        [
            OrderLine(order_id=order.id, product_id=item.id, product_name=item.name)
            if isinstance(item, Product)
            else OrderLine(order_id=order.id, product_id=None, product_name=item)
            for item in items
        ]
    )
    return order
