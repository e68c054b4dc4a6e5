"""Privacy: erase a customer's personal data on request; export everything held about them."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from crm.errors import InvalidInput
from crm.models import (
    Customer,
    Deal,
    Direction,
    Message,
    NpsResponse,
    Order,
    OrderLine,
    Rating,
    Ticket,
)

ERASED = ""


async def erase_customer(*, customer_id: int) -> dict[str, int]:
    """Erase personal fields and message texts; keep anonymous rows so report counts stay right."""
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise InvalidInput(f"customer {customer_id} does not exist")
    async with in_transaction():
        await Customer.filter(id=customer_id).update(
            telegram_id=None,
            first_name=ERASED,
            last_name=None,
            username=None,
            phone=None,
            email=None,
            company=None,
            city=None,
            region=None,
            notes=None,
            tags=[],
            custom={},
            subscribed=False,
        )
        ticket_ids = await Ticket.filter(customer_id=customer_id).values_list("id", flat=True)
        messages = await Message.filter(
            ticket_id__in=list(ticket_ids), direction=Direction.INBOUND
        ).update(text=ERASED, file_id=None, edit_history=[], telegram_chat_id=None)
        # Our replies quote or address the person too.
        await Message.filter(
            ticket_id__in=list(ticket_ids), direction__in=[Direction.OUTBOUND, Direction.INTERNAL]
        ).update(text="[erased]", file_id=None)
        await Ticket.filter(customer_id=customer_id).update(subject="[erased]")
        await Rating.filter(customer_id=customer_id).update(comment=None)
    return {"tickets": len(ticket_ids), "messages": messages}


async def export_customer_data(*, customer_id: int) -> dict[str, Any]:
    """Return everything held about a customer as JSON-ready data."""
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise InvalidInput(f"customer {customer_id} does not exist")
    tickets = await Ticket.filter(customer_id=customer_id).order_by("id").values()
    ticket_ids = [t["id"] for t in tickets]
    messages = await Message.filter(ticket_id__in=ticket_ids).order_by("id").values()
    orders = await Order.filter(customer_id=customer_id).order_by("id").values()
    lines = await OrderLine.filter(order_id__in=[o["id"] for o in orders]).order_by("id").values()
    return _jsonable(
        {
            "customer": (await Customer.filter(id=customer_id).values())[0],
            "tickets": tickets,
            "messages": messages,
            "ratings": await Rating.filter(customer_id=customer_id).order_by("id").values(),
            "nps": await NpsResponse.filter(customer_id=customer_id).order_by("id").values(),
            "orders": orders,
            "order_lines": lines,
            "deals": await Deal.filter(customer_id=customer_id).order_by("id").values(),
        }
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)  # Decimal and anything else exact as text
