"""Export customers, tickets, orders and deals as CSV a spreadsheet can open safely.

Rows stream in id-ordered batches (never a whole table in memory). Every text cell a
spreadsheet would run as a formula is neutralised with crm.imports.cells.neutralise_cell
(the importer takes that apostrophe off again); numbers and dates the desk formats itself
are written as they are. Customers' custom fields become extra columns after the standard
ones, in alphabetical order (PostgreSQL's jsonb keeps no key order, so "as typed" could not
be the same on both stores)."""

from __future__ import annotations

import asyncio
import csv
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, TextIO

from tortoise.models import Model

from crm import audit
from crm.errors import InvalidInput
from crm.imports.cells import neutralise_cell, neutralise_row
from crm.models import Customer, Deal, OrderLine, Ticket

BATCH_ROWS = 2_000


class ExportKind(StrEnum):
    """What can be exported."""

    CUSTOMERS = "customers"
    TICKETS = "tickets"
    ORDERS = "orders"
    DEALS = "deals"


def parse_export_kind(raw: str) -> ExportKind:
    """Parse 'customers', 'tickets', 'orders' or 'deals'; raise InvalidInput otherwise."""
    try:
        return ExportKind(raw.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in ExportKind)
        raise InvalidInput.of("staff.err.export_kind", raw=raw, choices=choices) from None


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    kind: ExportKind
    rows: int
    path: Path


@dataclass(frozen=True, slots=True)
class _Spec:
    model: type[Model]
    # (header, values() field) pairs; the header is what the spreadsheet shows.
    columns: tuple[tuple[str, str], ...]


# Headers the importer recognises where there is one, so an export can be re-imported.
_SPECS: dict[ExportKind, _Spec] = {
    ExportKind.CUSTOMERS: _Spec(
        Customer,
        (
            # Not "id": an import keeps a file's own "ID" column as a custom field, while it
            # knows "crm_id" as the desk's number and leaves it out (the store numbers rows).
            ("crm_id", "id"),
            ("telegram_id", "telegram_id"),
            ("first_name", "first_name"),
            ("last_name", "last_name"),
            ("telegram_username", "username"),
            ("language", "language_code"),
            ("phone", "phone"),
            ("email", "email"),
            ("company", "company"),
            ("city", "city"),
            ("region", "region"),
            ("source", "source"),
            ("tags", "tags"),
            ("notes", "notes"),
            ("subscribed", "subscribed"),
            ("created", "created_at"),
            ("updated", "updated_at"),
        ),
    ),
    ExportKind.TICKETS: _Spec(
        Ticket,
        (
            ("id", "id"),
            ("customer_id", "customer_id"),
            ("customer_first_name", "customer__first_name"),
            ("customer_last_name", "customer__last_name"),
            ("kind", "kind"),
            ("status", "status"),
            ("priority", "priority"),
            ("topic", "topic"),
            ("subject", "subject"),
            ("assignee", "assignee__name"),
            ("assignee_telegram_id", "assignee__telegram_id"),
            ("created_at", "created_at"),
            ("first_response_at", "first_response_at"),
            ("resolved_at", "resolved_at"),
            ("last_activity_at", "last_activity_at"),
        ),
    ),
    # One row per order line, with the order's fields repeated: the importer's own shape.
    ExportKind.ORDERS: _Spec(
        OrderLine,
        (
            ("line_id", "id"),
            # Not "order_id": the importer would read that header as the order ref.
            ("crm_order", "order_id"),
            ("order_ref", "order__external_ref"),
            ("date", "order__ordered_at"),
            ("status", "order__status"),
            ("customer_id", "order__customer_id"),
            ("email", "order__customer__email"),
            ("phone", "order__customer__phone"),
            ("sku", "product__sku"),
            ("product_name", "product_name"),
            ("category", "product__category"),
            ("quantity", "quantity"),
            ("price", "price"),
            ("total", "total"),
            ("order_total", "order__total"),
        ),
    ),
    ExportKind.DEALS: _Spec(
        Deal,
        (
            ("id", "id"),
            ("title", "title"),
            ("customer_id", "customer_id"),
            ("customer_first_name", "customer__first_name"),
            ("customer_last_name", "customer__last_name"),
            ("owner", "owner__name"),
            ("owner_telegram_id", "owner__telegram_id"),
            ("stage", "stage"),
            ("value", "value"),
            ("expected_close", "expected_close"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
            ("closed_at", "closed_at"),
        ),
    ),
}


def cell(value: object) -> str:
    """Render one value for CSV: text neutralised, numbers and dates as the desk writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return neutralise_cell("; ".join(str(item) for item in value))
    return neutralise_cell(str(value))


async def _batches(
    spec: _Spec, fields: Sequence[str], batch_rows: int
) -> AsyncIterator[list[dict[str, Any]]]:
    last = 0
    while True:
        rows = (
            await spec.model.filter(id__gt=last)
            .order_by("id")
            .limit(batch_rows)
            .values(*dict.fromkeys(["id", *fields]))
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


async def _custom_keys(batch_rows: int) -> list[str]:
    """Return every custom field name, sorted (one narrow pass over the column)."""
    keys: dict[str, None] = {}
    last = 0
    while rows := (
        await Customer.filter(id__gt=last)
        .order_by("id")
        .limit(batch_rows)
        .values_list("id", "custom")
    ):
        for _, custom in rows:
            keys.update(dict.fromkeys(custom or {}))
        last = rows[-1][0]
    return sorted(keys, key=lambda key: (key.casefold(), key))


async def write_csv(*, kind: ExportKind, stream: TextIO, batch_rows: int = BATCH_ROWS) -> int:
    """Write one table as CSV to an open text stream; return the number of data rows."""
    spec = _SPECS[kind]
    headers = [header for header, _ in spec.columns]
    fields = [name for _, name in spec.columns]
    extra: list[str] = []
    if kind is ExportKind.CUSTOMERS:
        extra = await _custom_keys(batch_rows)
        fields.append("custom")
    taken = set(headers)
    # A custom field named like a standard column gets a suffix rather than hiding it.
    labels = [key if key not in taken else f"{key} (custom)" for key in extra]
    writer = csv.writer(stream)
    writer.writerow(neutralise_row([*headers, *labels]))
    count = 0
    async for rows in _batches(spec, fields, batch_rows):
        for row in rows:
            values = [cell(row[name]) for _, name in spec.columns]
            if extra:
                custom = row.get("custom") or {}
                values += [cell(custom.get(key)) for key in extra]
            writer.writerow(values)
        count += len(rows)
    return count


async def export_csv(
    *,
    kind: ExportKind,
    path: str | os.PathLike[str],
    actor_telegram_id: int | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ExportResult:
    """Export a table to a CSV file (UTF-8 with BOM, for spreadsheets) and audit it."""
    target = Path(path)
    # Buffered writes of one batch at a time are cheap; only opening may block on a slow disk.
    stream = await asyncio.to_thread(target.open, "w", encoding="utf-8-sig", newline="")
    with stream:
        rows = await write_csv(kind=kind, stream=stream, batch_rows=batch_rows)
    await audit.record(
        actor_telegram_id=actor_telegram_id,
        action=f"export.{kind.value}",
        subject=target.name,
        details={"rows": rows},
    )
    return ExportResult(kind=kind, rows=rows, path=target)
