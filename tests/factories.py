"""Test data builders, so a test reads like the story it checks."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from crm import clock
from crm.customers.profiles import CustomerProfile
from crm.desk.tickets import InboundMessage
from crm.models import (
    Customer,
    CustomerSegment,
    Deal,
    DealStage,
    DealStageChange,
    Direction,
    FollowUpTask,
    InboundUpdate,
    MediaType,
    Message,
    NpsResponse,
    Order,
    OrderLine,
    Product,
    Rating,
    SalesTarget,
    SegmentRun,
    SlaBreach,
    SlaKind,
    StaffMember,
    Survey,
    Ticket,
    TicketKind,
    TicketStatus,
)

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


async def make_customer(first_name: str = "Alice", **fields: object) -> Customer:
    """Store a customer as an import would (no Telegram id unless one is given)."""
    return await Customer.create(first_name=first_name, **fields)


async def make_orders(
    customer: Customer,
    *,
    count: int,
    total: float = 50.0,
    last_days_ago: float = 1.0,
    every_days: float = 7.0,
    now: datetime | None = None,
) -> None:
    """Store `count` orders of `total`: the latest `last_days_ago` days ago, then every N days."""
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
    customer: Customer,
    *,
    kind: TicketKind | None = None,
    days_ago: float = 1.0,
    sentiment: float | None = None,
    rating: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Store a ticket the customer opened days ago, with their message and maybe a rating.

    The message carries `sentiment` as its score (unscored when None).
    """
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


async def make_product(sku: str, name: str = "", **fields: object) -> Product:
    """Store a catalogue product (named after its SKU unless a name is given)."""
    return await Product.create(sku=sku, name=name or sku.title(), **fields)


async def make_basket(
    customer: Customer, *items: Product | str, ordered_at: datetime | None = None
) -> Order:
    """Store one order of the customer with a line per item: a Product, or a bare name.

    A string item is a line without a catalogue product, known only by its product name.
    """
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


def _whose(customer: Customer | int) -> dict[str, object]:
    """Name the customer by row or by id, whichever the test holds."""
    return {"customer_id": customer} if isinstance(customer, int) else {"customer": customer}


async def make_staff(name: str = "@agent", *, telegram_id: int, **fields: object) -> StaffMember:
    """Store a member of the desk (an agent unless a role is given)."""
    return await StaffMember.create(telegram_id=telegram_id, name=name, **fields)


async def make_open_ticket(
    customer: Customer | int, *, kind: TicketKind = TicketKind.INQUIRY, **fields: object
) -> Ticket:
    """Store a ticket as the desk opens it: open, no messages (fields set any other column)."""
    return await Ticket.create(**_whose(customer), kind=kind, **fields)


async def make_message(
    ticket: Ticket, *, direction: Direction = Direction.INBOUND, text: str = "", **fields: object
) -> Message:
    """Store a message on the ticket: the customer's unless a direction is given."""
    return await Message.create(ticket=ticket, direction=direction, text=text, **fields)


async def make_rating(ticket: Ticket, *, score: int, **fields: object) -> Rating:
    """Store the ticket's customer's rating of it."""
    return await Rating.create(ticket=ticket, customer_id=ticket.customer_id, score=score, **fields)


async def make_survey(ticket: Ticket, **fields: object) -> Survey:
    """Store the rating question sent to the ticket's customer."""
    return await Survey.create(ticket=ticket, customer_id=ticket.customer_id, **fields)


async def make_nps(customer: Customer, *, score: int | None, **fields: object) -> NpsResponse:
    """Store a "would you recommend us" question and the score (None: not answered)."""
    return await NpsResponse.create(customer=customer, score=score, **fields)


async def make_sla_breach(ticket: Ticket, *, kind: SlaKind, **fields: object) -> SlaBreach:
    """Store a breach of the ticket's first-response or resolution target."""
    return await SlaBreach.create(ticket=ticket, kind=kind, **fields)


async def make_order(
    customer: Customer | int, *, ordered_at: datetime | None = None, **fields: object
) -> Order:
    """Store one order of the customer, placed now unless `ordered_at` says when."""
    return await Order.create(**_whose(customer), ordered_at=ordered_at or clock.utcnow(), **fields)


async def make_order_line(order: Order, **fields: object) -> OrderLine:
    """Store a line of the order (a product, a product name, or both)."""
    return await OrderLine.create(order=order, **fields)


async def make_deal(customer: Customer, *, title: str = "Plan", **fields: object) -> Deal:
    """Store a deal with the customer (a lead unless a stage is given)."""
    return await Deal.create(customer=customer, title=title, **fields)


async def make_stage_change(
    deal: Deal, *, to_stage: DealStage, **fields: object
) -> DealStageChange:
    """Store a move of the deal into `to_stage` in its history."""
    return await DealStageChange.create(deal=deal, to_stage=to_stage, **fields)


async def make_follow_up(*, due: date, text: str = "call", **fields: object) -> FollowUpTask:
    """Store a follow-up task due on `due` (for a deal, a customer, an owner as given)."""
    return await FollowUpTask.create(due=due, text=text, **fields)


async def make_sales_target(
    owner: StaffMember, *, month: date, amount: Decimal | float
) -> SalesTarget:
    """Store the owner's sales target for the month (its first day)."""
    return await SalesTarget.create(owner=owner, month=month, amount=amount)


async def make_segment_run(**fields: object) -> SegmentRun:
    """Store a run of the segmentation (started now unless `started_at` says when)."""
    return await SegmentRun.create(**fields)


async def make_segment_member(
    run: SegmentRun, customer: Customer, *, segment: str
) -> CustomerSegment:
    """Store that the run put the customer in `segment`."""
    return await CustomerSegment.create(run=run, customer=customer, segment=segment)


async def make_inbound_update(payload: dict, **fields: object) -> InboundUpdate:
    """Store a raw Telegram update as the webhook keeps it, under the payload's update_id."""
    return await InboundUpdate.create(update_id=payload["update_id"], payload=payload, **fields)
