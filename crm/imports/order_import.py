"""Importing order history: cleaned order lines grouped into stored orders.

* Order lines are grouped into orders by order ref, or by customer and date when there is no
  ref. Customers are found by Telegram id, email, phone or exact name (created when none
  matches), products by SKU or name (created when none matches). Re-importing an order
  matches its stored lines; lines no longer in the file are removed at the end of the import,
  and ``Order.total`` is always the sum of its lines.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from crm.errors import InvalidInput
from crm.imports import ImportKind
from crm.imports.dedupe import clean_order_lines
from crm.imports.identify import CustomerFinder
from crm.imports.importer import WRITE_BATCH, Importer, at_midnight, load_by_id
from crm.imports.product_import import ProductCatalog, generated_sku
from crm.imports.report import ImportReport, RowOutcome
from crm.imports.table import CleanRecord
from crm.models import Order, OrderLine, Product
from crm.store.db import in_batches

_LineKey = tuple[int | None, str, int, str | None, str]
_CENT = Decimal("0.01")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(_CENT))


@dataclass(slots=True)
class _OrderState:
    order_id: int
    customer_id: int
    ordered_at: datetime
    status: str
    created_here: bool
    # Stored lines not yet matched by a line of the file, by content: removed at the end.
    unmatched: dict[_LineKey, list[int]] = field(default_factory=dict)
    # Lines this import wrote or matched, with the chunk that did: an exact repeat of one in
    # a later chunk is merged, as the cleaning merges repeats within a chunk.
    seen: dict[_LineKey, int] = field(default_factory=dict)


class OrderImport(Importer):
    def __init__(self, *, default_country: str, dayfirst: bool, tz: tzinfo) -> None:
        self.report = ImportReport(kind=ImportKind.ORDERS)
        self.options = {"default_country": default_country, "dayfirst": dayfirst}
        self.tz = tz
        self.customers = CustomerFinder()
        self.catalog = ProductCatalog()
        self.orders: dict[tuple[object, ...], _OrderState] = {}
        self.dirty: set[int] = set()  # orders whose total must be recomputed
        self.changed_orders: set[int] = set()  # stored orders the file changed
        self.checked: set[int] = set()
        self.chunks = 0
        self.new_fields: dict[int, dict[str, Any]] = {}
        for name in ("orders_created", "orders_updated", "customers_created", "products_created"):
            self.report.extra[name] = 0

    async def chunk(self, frame: Any) -> None:
        self.chunks += 1
        result = await asyncio.to_thread(clean_order_lines, frame, **self.options)
        self.report._take_cleaning(result)
        lines = result.records
        await self.customers.learn(lines)
        await self.catalog.load()
        customer_of: dict[int, int | None] = {}
        kept: list[CleanRecord] = []
        for line in lines:
            try:
                customer_of[line.row_number] = self.customers.find(line.values)
            except InvalidInput as err:
                self._reject_line(line, str(err), frame)
                continue
            kept.append(line)
        missing = [line for line in kept if customer_of[line.row_number] is None]
        async with in_transaction():
            if missing:
                self.report._bump("customers_created", await self.customers.create(missing))
                for line in missing:
                    customer_of[line.row_number] = self.customers.find(line.values)
            await self._create_products(kept)
            groups: dict[tuple[object, ...], list[CleanRecord]] = {}
            for line in kept:
                groups.setdefault(self._order_key(line, customer_of), []).append(line)
            await self._find_orders(groups, customer_of)
            await self._create_orders(groups, customer_of)
            new_lines: list[OrderLine] = []
            for key, members in groups.items():
                state = self.orders[key]
                self._update_order(state, members, customer_of)
                outcome = RowOutcome.CREATED if state.created_here else RowOutcome.UPDATED
                for line in members:
                    order_line = self._line(state.order_id, line)
                    key_of_line = _line_key(order_line)
                    self.report._warn(line)
                    for row in line.merged_rows:
                        self.report._set(row, RowOutcome.MERGED)
                    earlier = state.seen.setdefault(key_of_line, self.chunks)
                    if key[0] == "ref" and earlier < self.chunks:
                        self.report._set(line.row_number, RowOutcome.MERGED)
                        self.report._warn(
                            line, f"repeats a line of order {key[1]} exactly and was merged"
                        )
                        continue
                    self.report._set(line.row_number, outcome)
                    stored = state.unmatched.get(key_of_line)
                    if stored:
                        stored.pop()
                        continue
                    new_lines.append(order_line)
                    self.dirty.add(state.order_id)
                    if not state.created_here:
                        self.changed_orders.add(state.order_id)
            await OrderLine.bulk_create(new_lines, batch_size=WRITE_BATCH)

    def _reject_line(self, line: CleanRecord, reason: str, frame: Any) -> None:
        for row in [line.row_number, *line.merged_rows]:
            raw = {str(k): str(v) for k, v in frame.loc[row].items()} if row in frame.index else {}
            self.report._reject(row, reason, raw)

    def _order_key(
        self, line: CleanRecord, customer_of: dict[int, int | None]
    ) -> tuple[object, ...]:
        ref = line.values["order_ref"]
        if ref is not None:
            return ("ref", ref[:64])
        return ("auto", customer_of[line.row_number], at_midnight(line.values["date"], self.tz))

    async def _create_products(self, lines: list[CleanRecord]) -> None:
        new: dict[str, Product] = {}
        for line in lines:
            sku, name = line.values["sku"], line.values["product_name"]
            if (sku or name) and self.catalog.find(sku, name) is None:
                price = line.values["price"]
                product = Product(
                    sku=(sku or generated_sku(name))[:64],
                    name=(name or sku)[:255],
                    category=line.values["category"],
                    price=price if price is not None and price >= 0 else None,
                )
                new.setdefault(product.sku.casefold(), product)
        await self.catalog.create(list(new.values()))
        self.report._bump("products_created", len(new))

    async def _find_orders(
        self, groups: dict[tuple[object, ...], list[CleanRecord]], customer_of: dict[int, Any]
    ) -> None:
        """Load the stored orders (and their lines) the groups refer to, if not known yet."""
        refs = [key[1] for key in groups if key[0] == "ref" and key not in self.orders]
        autos = [key for key in groups if key[0] == "auto" and key not in self.orders]
        found: dict[tuple[object, ...], tuple[int, int, datetime, str]] = {}
        for batch in in_batches(sorted(refs, key=str)):
            for row in await Order.filter(external_ref__in=batch).values_list(
                "id", "external_ref", "customer_id", "ordered_at", "status"
            ):
                found[("ref", row[1])] = (row[0], row[2], row[3], row[4])
        wanted = set(autos)
        for batch in in_batches(sorted({key[1] for key in autos}, key=str)):
            for row in await Order.filter(customer_id__in=batch, external_ref=None).values_list(
                "id", "customer_id", "ordered_at", "status"
            ):
                key = ("auto", row[1], row[2])
                if key in wanted:
                    found.setdefault(key, (row[0], row[1], row[2], row[3]))
        by_order = {value[0]: key for key, value in found.items()}
        for key, (order_id, customer_id, ordered_at, status) in found.items():
            self.orders[key] = _OrderState(order_id, customer_id, ordered_at, status, False)
            self.report._bump("orders_updated")
        for batch in in_batches(sorted(by_order)):
            for row in (
                await OrderLine.filter(order_id__in=batch)
                .order_by("id")
                .values_list(
                    "id", "order_id", "product_id", "product_name", "quantity", "price", "total"
                )
            ):
                line_id, order_id = row[0], row[1]
                key = (row[2], row[3], row[4], _money(row[5]), _money(row[6]) or "0.00")
                self.orders[by_order[order_id]].unmatched.setdefault(key, []).append(line_id)

    async def _create_orders(
        self, groups: dict[tuple[object, ...], list[CleanRecord]], customer_of: dict[int, Any]
    ) -> None:
        new: dict[tuple[object, ...], Order] = {}
        for key, members in groups.items():
            if key in self.orders:
                continue
            first = members[0]
            new[key] = Order(
                external_ref=key[1] if key[0] == "ref" else None,
                customer_id=customer_of[first.row_number],
                ordered_at=at_midnight(first.values["date"], self.tz),
                status=_status_of(members) or "completed",
                total=Decimal("0.00"),
            )
        if not new:
            return
        await Order.bulk_create(list(new.values()), batch_size=WRITE_BATCH)
        self.report._bump("orders_created", len(new))
        refs = [key[1] for key in new if key[0] == "ref"]
        for batch in in_batches(refs):
            for order_id, ref in await Order.filter(external_ref__in=batch).values_list(
                "id", "external_ref"
            ):
                self._remember(("ref", ref), order_id, new)
        autos = {key for key in new if key[0] == "auto"}
        for batch in in_batches(sorted({key[1] for key in autos}, key=str)):
            for order_id, customer_id, ordered_at in await Order.filter(
                customer_id__in=batch, external_ref=None
            ).values_list("id", "customer_id", "ordered_at"):
                key = ("auto", customer_id, ordered_at)
                if key in autos and key not in self.orders:
                    self._remember(key, order_id, new)

    def _remember(self, key: tuple[object, ...], order_id: int, new: dict[Any, Order]) -> None:
        order = new[key]
        self.orders[key] = _OrderState(
            order_id,
            order.customer_id,
            order.ordered_at,
            order.status,
            True,  # type: ignore[attr-defined]
        )

    def _update_order(
        self, state: _OrderState, members: list[CleanRecord], customer_of: dict[int, Any]
    ) -> None:
        """Note order-level changes (customer, date, status) of a stored order, once."""
        if state.created_here or state.order_id in self.checked:
            return
        self.checked.add(state.order_id)
        first = members[0]
        wanted = {
            "customer_id": customer_of[first.row_number],
            "ordered_at": at_midnight(first.values["date"], self.tz),
            "status": _status_of(members) or state.status,
        }
        if (state.customer_id, state.ordered_at, state.status) != tuple(wanted.values()):
            self.new_fields[state.order_id] = wanted
            self.changed_orders.add(state.order_id)

    def _line(self, order_id: int, line: CleanRecord) -> OrderLine:
        values = line.values
        product_id = self.catalog.find(values["sku"], values["product_name"])
        name, price, total = values["product_name"], values["price"], values["total"]
        if product_id is not None:
            known_name, known_price = self.catalog.details[product_id]
            name = name or known_name
            if price is None and total is None and known_price is not None:
                # A line naming only the product and a quantity costs the catalogue price.
                price = Decimal(known_price).quantize(_CENT)
                total = (price * values["quantity"]).quantize(_CENT)
        return OrderLine(
            order_id=order_id,
            product_id=product_id,
            product_name=(name or values["sku"] or "")[:255],
            quantity=values["quantity"],
            price=price,
            total=total if total is not None else Decimal("0.00"),
        )

    async def finish(self) -> None:
        stale = [
            line_id
            for state in self.orders.values()
            for ids in state.unmatched.values()
            for line_id in ids
        ]
        for state in self.orders.values():
            if any(state.unmatched.values()):
                self.dirty.add(state.order_id)
                self.changed_orders.add(state.order_id)
        async with in_transaction():
            for batch in in_batches(stale):
                await OrderLine.filter(id__in=batch).delete()
            orders = await load_by_id(Order, self.new_fields)
            for order_id, wanted in self.new_fields.items():
                for name, value in wanted.items():
                    setattr(orders[order_id], name, value)
            if orders:
                await Order.bulk_update(
                    list(orders.values()),
                    fields=["customer_id", "ordered_at", "status"],
                    batch_size=WRITE_BATCH,
                )
            await _recompute_totals(sorted(self.dirty))
        self.report.changed = len(self.changed_orders)


def _status_of(members: list[CleanRecord]) -> str | None:
    statuses = [line.values["status"] for line in members if line.values["status"]]
    return statuses[-1][:32] if statuses else None


def _line_key(line: OrderLine) -> _LineKey:
    return (
        line.product_id,  # type: ignore[attr-defined]
        line.product_name,
        line.quantity,
        _money(line.price),
        _money(line.total) or "0.00",
    )


async def _recompute_totals(order_ids: list[int]) -> None:
    """Set each order's total to the sum of its lines (one aggregate query per batch)."""
    for batch in in_batches(order_ids):
        sums = {
            row["order_id"]: row["sum"]
            for row in await OrderLine.filter(order_id__in=batch)
            .annotate(sum=Sum("total"))
            .group_by("order_id")
            .values("order_id", "sum")
        }
        orders = await Order.filter(id__in=batch).only("id", "total")
        changed = []
        for order in orders:
            total = Decimal(str(sums.get(order.id) or 0)).quantize(_CENT)
            if order.total is None or Decimal(order.total).quantize(_CENT) != total:
                order.total = total
                changed.append(order)
        if changed:
            await Order.bulk_update(changed, fields=["total"], batch_size=WRITE_BATCH)
