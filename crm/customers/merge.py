"""Merging two customer records into one: everything pointing at the dropped one moves over.

The kept record fills its gaps from the dropped one (a name only as a whole), tags are unioned,
custom fields merged (the kept record's win), the earlier "customer since" stays, and an opt-out
of either stays. Two Telegram-linked records are never merged. The audit entry keeps a snapshot
of the dropped record (privacy's erasure follows it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from crm import audit, ids
from crm.errors import CustomerNotFound, InvalidInput
from crm.models import Customer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The kept customer after a merge, and how many records moved to it per table."""

    customer: Customer
    dropped_id: int
    moved: dict[str, int]


# The plain fields of a customer: an import writes them, a merge fills them from the dropped one.
PLAIN_FIELDS = ("phone", "email", "company", "city", "region", "source", "notes")
_FILLABLE = ("username", "language_code", *PLAIN_FIELDS)


def _references() -> list[tuple[str, type[Model], str]]:
    """Every table pointing at a customer (tickets, orders, deals, tasks, ratings, ...)."""
    meta = Customer._meta
    refs = []
    for name in sorted(meta.backward_fk_fields | meta.backward_o2o_fields):
        relation = meta.fields_map[name]
        refs.append((name, relation.related_model, relation.relation_field))  # type: ignore[attr-defined]
    return refs


def snapshot(customer: Customer) -> dict[str, Any]:
    """Return a customer's stored fields as JSON-ready values."""
    data: dict[str, Any] = {}
    for name in Customer._meta.db_fields:
        value = getattr(customer, name)
        data[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return data


async def merge_customers(
    *, keep_id: int, drop_id: int, actor_telegram_id: int | None, reason: str = "manual"
) -> MergeResult:
    """Move everything of one customer to another, fill gaps, audit it, delete the dropped row."""
    if keep_id == drop_id:
        raise InvalidInput.of("staff.err.merge_itself")
    async with in_transaction():
        rows = {
            c.id: c
            for c in await Customer.filter(id__in=[keep_id, drop_id])
            .order_by("id")
            .select_for_update()
        }
        for customer_id in (keep_id, drop_id):
            if customer_id not in rows:
                raise CustomerNotFound(customer_id)
        keep, drop = rows[keep_id], rows[drop_id]
        if None not in (keep.telegram_id, drop.telegram_id):
            # The dropped chat would come back as a new customer with its next message.
            raise InvalidInput.of(
                "staff.err.merge_two_users",
                keep_id=keep_id,
                drop_id=drop_id,
                keep_user=keep.telegram_id,
                drop_user=drop.telegram_id,
            )
        before = snapshot(drop)
        moved: dict[str, int] = {}
        for name, model, column in _references():
            count = await model.filter(**{column: drop_id}).update(**{column: keep_id})
            if count:
                moved[name] = count
        if not (keep.first_name or keep.last_name):
            # A name is one value: never "Ann" from one record and "Doe" from the other.
            keep.first_name, keep.last_name = drop.first_name, drop.last_name
        for name in _FILLABLE:
            if getattr(keep, name) in (None, "") and getattr(drop, name) not in (None, ""):
                setattr(keep, name, getattr(drop, name))
        keep.tags = union_tags(keep.tags or [], drop.tags or []) or list(keep.tags or [])
        keep.custom = {**(drop.custom or {}), **(keep.custom or {})}
        keep.created_at = min(keep.created_at, drop.created_at)
        keep.subscribed = keep.subscribed and drop.subscribed
        if keep.telegram_id is None and drop.telegram_id is not None:
            keep.telegram_id, keep.unreachable = drop.telegram_id, drop.unreachable
            # Free the unique Telegram id before the kept row takes it.
            await Customer.filter(id=drop_id).update(telegram_id=None)
        await keep.save()
        await audit.record(
            actor_telegram_id=actor_telegram_id,
            action="customer.merge",
            subject=f"customer #{drop_id} into #{keep_id}",
            details={"kept": keep_id, "reason": reason, "moved": moved, "dropped": before},
        )
        await Customer.filter(id=drop_id).delete()
    log.info("customer #%s merged into #%s (%s): %s", drop_id, keep_id, reason, moved)
    return MergeResult(customer=keep, dropped_id=drop_id, moved=moved)


def union_tags(stored: list[str], incoming: Iterable[str]) -> list[str] | None:
    """Return the union of two tag lists (ignoring case), or None when nothing is new."""
    known = {tag.casefold() for tag in stored}
    added = [tag for tag in incoming if tag.casefold() not in known]
    if not added:
        return None
    merged: dict[str, str] = {}
    for tag in [*stored, *added]:
        merged.setdefault(tag.casefold(), tag)
    return sorted(merged.values(), key=lambda tag: (tag.casefold(), tag))


def parse_customer_id(raw: str) -> int:
    """Parse '12', '#12' or 'c12' into a customer id; raise InvalidInput otherwise."""
    return ids.parse_id(raw, refusal="staff.err.not_a_customer_number", letter="c")
