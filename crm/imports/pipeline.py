"""Customers, products and orders on the write side: importing a file into the store.

crm.imports' cleaning (sniff, columns, parsers, table, dedupe) reads, normalises and
de-duplicates a file; this module takes its records
to the store. The rules:

* Every input row ends as exactly one outcome: ``created`` (a new record), ``updated`` (it
  matched a record already in the store, whether or not anything changed: ``changed`` counts
  the records that really did), ``merged`` (folded into another row of the same file) or
  ``rejected`` (with the reason). ``rows == created + updated + merged + rejected``.
* Customers are the same person when they share a Telegram id, a phone (E.164) or an email
  (lower-cased). A row that matches several stored customers merges those customers first.
  Non-empty file values replace stored ones, unless the row's ``Updated`` date is older than
  the stored customer's last change: then the row only fills empty fields. Empty file cells
  never erase anything, tags are unioned, custom columns merged, and an import never replaces
  a linked Telegram id (a warning says so). A Telegram username only fills an empty one; a
  ``subscribed`` of no unsubscribes, yes never re-subscribes (only the customer's /start does).
* The desk's own export imports as the same people: the cleaning takes off the apostrophes the
  export put before formula-like cells, and the export's ``crm_id`` column is ignored.
* Products are the same when their SKUs match ignoring case (or, without a SKU, their names).
* Order lines are grouped into orders by order ref, or by customer and date when there is no
  ref. Customers are found by Telegram id, email, phone or exact name (created when none
  matches), products by SKU or name (created when none matches). Re-importing an order
  matches its stored lines; lines no longer in the file are removed at the end of the import,
  and ``Order.total`` is always the sum of its lines.
* Large files stream in chunks; store lookups are batched per chunk, new rows are bulk
  inserted and changed rows bulk updated. A row that repeats a record written by an earlier
  chunk is found in the store and counted as ``merged``, exactly as within one chunk.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import logging
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from tortoise.functions import Sum
from tortoise.models import Model
from tortoise.transactions import in_transaction

from crm import audit
from crm.customers.merge import PLAIN_FIELDS, merge_customers, union_tags
from crm.errors import InvalidInput
from crm.i18n import CATALOG, DEFAULT_LANGUAGE, t
from crm.imports import ImportKind
from crm.imports.cells import neutralise_row
from crm.imports.columns import ColumnMapping
from crm.imports.dedupe import clean_customers, clean_order_lines, clean_products
from crm.imports.sniff import iter_table_chunks
from crm.imports.table import CleanRecord, CleanResult
from crm.models import Customer, Order, OrderLine, Product
from crm.store.db import in_batches

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

DEFAULT_CHUNK_ROWS = 20_000
_WRITE_BATCH = 1_000
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class RowOutcome(StrEnum):
    """What became of one input row."""

    CREATED = "created"
    UPDATED = "updated"
    MERGED = "merged"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """An input row that was not imported: its number, why, and its cells as read."""

    row_number: int
    reason: str
    raw: dict[str, str]


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far an import is: rows done, the estimated total (None: unknown), seconds."""

    rows_done: int
    rows_total: int | None
    elapsed: float


@dataclass(slots=True)
class ImportReport:
    """What an import did with every row."""

    kind: ImportKind
    outcomes: dict[int, RowOutcome] = field(default_factory=dict)
    rejected: list[RejectedRow] = field(default_factory=list)
    # Of the records behind "updated" rows, how many really changed something.
    changed: int = 0
    warnings: list[str] = field(default_factory=list)
    mapping: ColumnMapping | None = None
    # Side effects worth telling: orders created, customers created for orders, merges...
    extra: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Count rows by outcome; rows is always created + updated + merged + rejected."""
        tally = {outcome.value: 0 for outcome in RowOutcome}
        for outcome in self.outcomes.values():
            tally[outcome.value] += 1
        return {"rows": len(self.outcomes), **tally}

    def summary(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Return the counts as one line of text (in a staff language)."""
        counts = self.counts()
        text = t(
            "staff.import.summary",
            lang,
            rows=counts["rows"],
            created=counts["created"],
            updated=counts["updated"],
            changed=self.changed,
            merged=counts["merged"],
            rejected=counts["rejected"],
        )
        extras = [_extra(name, value, lang) for name, value in self.extra.items() if value]
        return text + (f" · {', '.join(extras)}" if extras else "")

    def _set(self, row: int, outcome: RowOutcome) -> None:
        if row in self.outcomes:  # a bug, never an input problem: say so loudly
            raise AssertionError(f"row {row} got two outcomes")
        self.outcomes[row] = outcome

    def _reject(self, row: int, reason: str, raw: dict[str, str]) -> None:
        self._set(row, RowOutcome.REJECTED)
        self.rejected.append(RejectedRow(row_number=row, reason=reason, raw=raw))

    def _take_cleaning(self, result: CleanResult) -> None:
        if self.mapping is None:
            self.mapping = result.mapping
        for rejection in result.rejected:
            self._reject(rejection.row_number, rejection.reason, rejection.raw)

    def _warn(self, record: CleanRecord, text: str | None = None) -> None:
        texts = record.warnings if text is None else [text]
        for warning in texts:
            prefix = "" if warning.startswith("row ") else f"row {record.row_number}: "
            self.warnings.append(prefix + warning)

    def _bump(self, name: str, by: int = 1) -> None:
        self.extra[name] = self.extra.get(name, 0) + by


ProgressCallback = Callable[[ImportProgress], None]


# ---------------------------------------------------------------------------------------------
# Importing a file


async def import_file(
    *,
    kind: ImportKind,
    path: str | os.PathLike[str],
    default_country: str = "US",
    dayfirst: bool = False,
    timezone: tzinfo = UTC,
    actor_telegram_id: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a CSV/XLSX file of customers, products or orders; audit it; return the report."""
    importer: _Importer
    if kind is ImportKind.CUSTOMERS:
        importer = _CustomerImport(default_country=default_country, dayfirst=dayfirst)
    elif kind is ImportKind.PRODUCTS:
        importer = _ProductImport()
    else:
        importer = _OrderImport(default_country=default_country, dayfirst=dayfirst, tz=timezone)
    total = estimate_rows(path)
    started = time.perf_counter()
    chunks = iter_table_chunks(path, chunksize=chunk_rows)
    # Reading and cleaning are CPU work: off the event loop, so a bot stays responsive.
    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        await importer.chunk(chunk)
        if progress is not None:
            done = len(importer.report.outcomes)
            progress(ImportProgress(done, total, time.perf_counter() - started))
    await importer.finish()
    report = importer.report
    await audit.record(
        actor_telegram_id=actor_telegram_id,
        action=f"import.{kind.value}",
        subject=Path(path).name,
        details={"counts": report.counts(), "changed": report.changed, **report.extra},
    )
    return report


def estimate_rows(path: str | os.PathLike[str]) -> int | None:
    """Estimate a CSV's data rows by counting line breaks; None for workbooks."""
    with open(path, "rb") as data:
        head = data.read(4)
        if head.startswith(b"PK\x03\x04"):
            return None
        data.seek(0)
        lines, last = 0, b""
        while block := data.read(1 << 20):
            lines += block.count(b"\n")
            last = block
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


def rejects_csv(rejected: Sequence[RejectedRow]) -> bytes:
    """Return the rejected rows as CSV (UTF-8 with BOM): row, reason, then the cells as read.

    The file is made to be opened in a spreadsheet, so it is neutralised like an export:
    headers too, since a file's header row is as much its sender's text as its cells.
    """
    labels: dict[str, None] = {}
    for row in rejected:
        labels.update(dict.fromkeys(row.raw))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralise_row(["row", "reason", *labels]))
    for row in sorted(rejected, key=lambda r: r.row_number):
        cells = [row.raw.get(label, "") for label in labels]
        writer.writerow([row.row_number, *neutralise_row([row.reason, *cells])])
    return out.getvalue().encode("utf-8-sig")


def default_rejects_path(path: str | os.PathLike[str]) -> Path:
    """Return where the CLI writes rejected rows: <name>.rejected.csv next to the input."""
    source = Path(path)
    return source.with_name(f"{source.stem}.rejected.csv")


class _Importer:
    report: ImportReport

    async def chunk(self, frame: Any) -> None:
        raise NotImplementedError

    async def finish(self) -> None:
        """Do the work that must wait for the last chunk."""


# --- customers ---------------------------------------------------------------------------------

_Key = tuple[str, object]
_KEYS = ("telegram_id", "phone", "email")


def _keys_of(values: dict[str, Any]) -> list[_Key]:
    return [(name, values[name]) for name in _KEYS if values.get(name) is not None]


def _recency(values: dict[str, Any]) -> int:
    # The cleaning's own rule: "updated", else "created"; undated rows are the oldest.
    day = values.get("updated") or values.get("created")
    return day.toordinal() if day is not None else -1


def _desired_name(values: dict[str, Any]) -> tuple[str, str | None] | None:
    name, first, last = values.get("name"), values.get("first_name"), values.get("last_name")
    if name is None:
        return None
    if first is not None and not _CJK.search(name):
        return first, last
    # A single name field; East Asian names stay in their written order.
    return name, None


def _at_midnight(day: date, tz: tzinfo = UTC) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


class _CustomerImport(_Importer):
    def __init__(self, *, default_country: str, dayfirst: bool) -> None:
        self.report = ImportReport(kind=ImportKind.CUSTOMERS)
        self.options = {"default_country": default_country, "dayfirst": dayfirst}
        # Identifiers written by this import, with the recency of the values they carry.
        self.seen: dict[_Key, int] = {}
        self.touched: dict[int, int] = {}
        self.preexisting: set[int] = set()  # stored before this import began
        self.written_telegram_ids: set[int] = set()
        self.changed_ids: set[int] = set()
        # Rows with only a name match stored customers with only that name, one to one.
        self.name_used: set[int] = set()
        self.name_created: dict[str, int] = defaultdict(int)

    async def chunk(self, frame: Any) -> None:
        result = await asyncio.to_thread(clean_customers, frame, **self.options)
        self.report._take_cleaning(result)
        records = result.records
        ids_by_key = await _customer_ids_by_keys(
            [key for record in records for key in _keys_of(record.values)]
        )
        targets = [
            sorted({i for key in _keys_of(record.values) for i in ids_by_key.get(key, ())})
            for record in records
        ]
        await self._match_names(records, targets)
        loaded = await _load_by_id(Customer, {i for ids in targets for i in ids})
        redirect: dict[int, int] = {}  # dropped id -> the id it was merged into

        def live(customer_id: int) -> int:
            while customer_id in redirect:
                customer_id = redirect[customer_id]
            return customer_id

        for index, ids in enumerate(targets):
            distinct = sorted({live(i) for i in ids})
            if len(distinct) > 1:
                kept, dropped = await self._merge_store_duplicates(
                    records[index], [loaded[i] for i in distinct]
                )
                loaded[kept.id] = kept
                redirect.update(dict.fromkeys(dropped, kept.id))
                targets[index] = [kept.id]
        new: list[Customer] = []
        dirty: dict[int, set[str]] = {}
        for record, ids in zip(records, targets, strict=True):
            keys = _keys_of(record.values)
            recency = _recency(record.values)
            self.report._warn(record)
            for row in record.merged_rows:
                self.report._set(row, RowOutcome.MERGED)
            if not ids:
                new.append(_new_customer(record))
                if record.values.get("telegram_id") is not None:
                    self.written_telegram_ids.add(record.values["telegram_id"])
                self.report._set(record.row_number, RowOutcome.CREATED)
            else:
                target = live(ids[0])
                customer = loaded[target]
                earlier = [self.seen[key] for key in keys if key in self.seen]
                if target in self.touched:
                    earlier.append(self.touched[target])
                if earlier:  # a repeat of a row this import already wrote
                    self.report._set(record.row_number, RowOutcome.MERGED)
                    file_wins = recency >= max(earlier)
                else:
                    self.report._set(record.row_number, RowOutcome.UPDATED)
                    file_wins = _file_is_newer(record.values, customer)
                    self.preexisting.add(target)
                changed = _apply_record(
                    customer,
                    record,
                    file_wins=file_wins,
                    ours=customer.telegram_id in self.written_telegram_ids,
                    report=self.report,
                )
                if "telegram_id" in changed:
                    self.written_telegram_ids.add(customer.telegram_id)
                if changed:
                    dirty.setdefault(target, set()).update(changed)
                    if target in self.preexisting:
                        self.changed_ids.add(target)
                self.touched[target] = max(recency, self.touched.get(target, -1))
            for key in keys:
                self.seen[key] = max(recency, self.seen.get(key, -1))
        self.report.changed = len(self.changed_ids)
        groups: dict[frozenset[str], list[Customer]] = defaultdict(list)
        for customer_id, names in dirty.items():
            groups[frozenset(names)].append(loaded[customer_id])
        async with in_transaction():
            await Customer.bulk_create(new, batch_size=_WRITE_BATCH)
            for names, customers in groups.items():
                await Customer.bulk_update(
                    customers, fields=[*sorted(names), "updated_at"], batch_size=_WRITE_BATCH
                )

    async def _match_names(self, records: list[CleanRecord], targets: list[list[int]]) -> None:
        """Pair rows known only by name with stored customers known only by that name.

        Like the cleaning (same name alone is not the same person), two such rows are two
        customers; pairing them in id order with the stored ones makes a re-import find the
        customers its first run created. Customers created by this very import are not paired.
        """
        spelled = {
            index: name
            for index, record in enumerate(records)
            if not _keys_of(record.values) and (name := _desired_name(record.values))
        }
        if not spelled:
            return
        stored = await _name_only_customers({name[0] for name in spelled.values()})
        nameless = {index: _display(name) for index, name in spelled.items()}
        for index, name in nameless.items():
            ids = stored.get(name, [])
            ours = self.name_created[name]
            pool = [i for i in ids[: len(ids) - ours] if i not in self.name_used]
            if pool:
                targets[index] = [pool[0]]
                self.name_used.add(pool[0])
            else:
                self.name_created[name] += 1

    async def _merge_store_duplicates(
        self, record: CleanRecord, customers: list[Customer]
    ) -> tuple[Customer, list[int]]:
        """Fold stored customers the row says are one person into the Telegram-linked one
        (else the oldest); return it and the ids merged away. Two linked customers are
        never merged by an import: that is a manager's call (/merge), so the row warns."""
        linked = [c for c in customers if c.telegram_id is not None]
        keep = min(linked or customers, key=lambda c: c.id)
        dropped = []
        for other in customers:
            if other.id == keep.id:
                continue
            if other.telegram_id is not None:
                self.report._warn(
                    record,
                    f"matches customers #{keep.id} and #{other.id}, both linked to Telegram; "
                    f"updated #{keep.id} only (merge them with /merge if they are one person)",
                )
                continue
            result = await merge_customers(
                keep_id=keep.id, drop_id=other.id, actor_telegram_id=None, reason="import"
            )
            keep = result.customer
            dropped.append(other.id)
            self.report._bump("store_merges")
        return keep, dropped


def _display(name: tuple[str, str | None]) -> str:
    return " ".join(part for part in name if part).casefold()


async def _name_only_customers(first_names: set[str]) -> dict[str, list[int]]:
    """Return stored customers without Telegram id, phone or email, by casefolded full name."""
    found: dict[str, list[int]] = defaultdict(list)
    for batch in in_batches(sorted(first_names)):
        rows = await (
            Customer.filter(telegram_id=None, phone=None, email=None)
            .filter(first_name__in=batch)
            .order_by("id")
            .values_list("id", "first_name", "last_name")
        )
        for customer_id, first, last in rows:
            found[_display((first, last))].append(customer_id)
    return {name: sorted(ids) for name, ids in found.items()}


def _file_is_newer(values: dict[str, Any], customer: Customer) -> bool:
    updated = values.get("updated")
    return updated is None or updated >= customer.updated_at.astimezone(UTC).date()


def _new_customer(record: CleanRecord) -> Customer:
    values = record.values
    first, last = _desired_name(values) or ("", None)
    created = values.get("created")
    extra = {"created_at": _at_midnight(created)} if created else {}
    return Customer(
        telegram_id=values.get("telegram_id"),
        first_name=first[:255],
        last_name=last[:255] if last else None,
        username=values.get("telegram_username"),
        subscribed=values.get("subscribed") is not False,
        language_code=values.get("language"),
        tags=list(values.get("tags") or []),
        custom=dict(record.custom),
        **{name: values.get(name) for name in PLAIN_FIELDS},
        **extra,
    )


def _apply_record(
    customer: Customer,
    record: CleanRecord,
    *,
    file_wins: bool,
    ours: bool,
    report: ImportReport,
) -> list[str]:
    """Apply a cleaned row to a stored customer; return the fields that changed.

    ``ours``: the customer's Telegram id was written by this import (an earlier chunk), so a
    newer row may still replace it, as it would have within one chunk.
    """
    values = record.values
    changed: list[str] = []

    def offer(name: str, new: object) -> None:
        if new is None:
            return
        old = getattr(customer, name)
        if old != new and (old in (None, "") or file_wins):
            setattr(customer, name, new)
            changed.append(name)

    name = _desired_name(values)
    if name is not None:
        current = _written_name(customer.first_name, customer.last_name)
        # The same name in other letter case is no change: the cleaning title-cases names
        # typed in one case, and "ann" as Telegram gave it is still Ann.
        if not current or (current.casefold() != values["name"].casefold() and file_wins):
            customer.first_name, customer.last_name = name[0][:255], name[1]
            changed += ["first_name", "last_name"]
    for scalar in PLAIN_FIELDS:
        offer(scalar, values.get(scalar))
    offer("language_code", values.get("language"))
    # Telegram owns the username (the bot refreshes it whenever the customer writes): a file
    # only fills a missing one.
    if values.get("telegram_username") and not customer.username:
        customer.username = values["telegram_username"]
        changed.append("username")
    # An opt-out in the file is kept; only the customer's own /start subscribes them again.
    if values.get("subscribed") is False and customer.subscribed:
        customer.subscribed = False
        changed.append("subscribed")
    telegram_id = values.get("telegram_id")
    if telegram_id is not None and customer.telegram_id not in (None, telegram_id) and not ours:
        report._warn(
            record,
            f"telegram_id: kept {customer.telegram_id} of customer #{customer.id}; "
            f"an import never replaces a linked Telegram id ({telegram_id} not applied)",
        )
    else:
        offer("telegram_id", telegram_id)
    tags = union_tags(customer.tags or [], values.get("tags") or [])
    if tags is not None:
        customer.tags = tags
        changed.append("tags")
    custom = dict(customer.custom or {})
    for key, value in record.custom.items():
        if key not in custom or (custom[key] != value and file_wins):
            custom[key] = value
    if custom != (customer.custom or {}):
        customer.custom = custom
        changed.append("custom")
    created = values.get("created")
    # "Customer since": the earliest day. Files carry days, so the stored time of that same
    # day stays (the desk's own export writes it, and a re-import must not move it).
    if created is not None and created < customer.created_at.astimezone(UTC).date():
        customer.created_at = _at_midnight(created)
        changed.append("created_at")
    return changed


def _written_name(first: str, last: str | None) -> str:
    """Return a stored name as the cleaning composes one: East Asian names family first."""
    if last and _CJK.search(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


async def _customer_ids_by_keys(keys: Iterable[_Key]) -> dict[_Key, list[int]]:
    """Look up stored customers by Telegram id, phone and email, batched."""
    wanted: dict[str, set[object]] = defaultdict(set)
    for name, value in keys:
        wanted[name].add(value)
    found: dict[_Key, list[int]] = defaultdict(list)
    for name, values in wanted.items():
        for batch in in_batches(sorted(values, key=str)):
            rows = await Customer.filter(**{f"{name}__in": batch}).values_list("id", name)
            for customer_id, value in rows:
                found[(name, value)].append(customer_id)
    return found


async def _load_by_id(model: type[M], ids: Iterable[int]) -> dict[int, M]:
    loaded: dict[int, M] = {}
    for batch in in_batches(sorted(ids)):
        for obj in await model.filter(id__in=batch):
            loaded[obj.id] = obj  # type: ignore[attr-defined]
    return loaded


# --- products ----------------------------------------------------------------------------------


def generated_sku(name: str) -> str:
    """Return a stable SKU for a product known only by name: a slug and a short hash."""
    slug = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:40] or "ITEM"
    digest = hashlib.sha1(name.casefold().encode()).hexdigest()[:6]
    return f"{slug}-{digest}"


class _ProductCatalog:
    """Stored products by SKU and by name (ignoring case), loaded once per import."""

    def __init__(self) -> None:
        self.by_sku: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.details: dict[int, tuple[str, Decimal | None]] = {}  # id -> (name, price)
        self.loaded = False

    async def load(self) -> None:
        if self.loaded:
            return
        for row in await Product.all().values_list("id", "sku", "name", "price"):
            self._add(*row)
        self.loaded = True

    def _add(self, product_id: int, sku: str, name: str, price: Decimal | None) -> None:
        self.by_sku.setdefault(sku.casefold(), product_id)
        if name:
            self.by_name.setdefault(name.casefold(), product_id)
        self.details[product_id] = (name, price)

    def find(self, sku: str | None, name: str | None) -> int | None:
        if sku:
            return self.by_sku.get(sku.casefold())
        return self.by_name.get(name.casefold()) if name else None

    async def create(self, products: list[Product]) -> None:
        """Insert new products and learn their ids."""
        if not products:
            return
        await Product.bulk_create(products, batch_size=_WRITE_BATCH)
        for batch in in_batches([p.sku for p in products]):
            for row in await Product.filter(sku__in=batch).values_list(
                "id", "sku", "name", "price"
            ):
                self._add(*row)


class _ProductImport(_Importer):
    def __init__(self) -> None:
        self.report = ImportReport(kind=ImportKind.PRODUCTS)
        self.catalog = _ProductCatalog()
        self.touched: set[int] = set()
        self.created: set[int] = set()

    async def chunk(self, frame: Any) -> None:
        result = await asyncio.to_thread(clean_products, frame)
        self.report._take_cleaning(result)
        await self.catalog.load()
        found = [self.catalog.find(r.values["sku"], r.values["name"]) for r in result.records]
        loaded = await _load_by_id(Product, {i for i in found if i is not None})
        new: dict[str, Product] = {}
        dirty: dict[int, Product] = {}
        for record, product_id in zip(result.records, found, strict=True):
            values = record.values
            self.report._warn(record)
            for row in record.merged_rows:
                self.report._set(row, RowOutcome.MERGED)
            if product_id is None:
                product = Product(
                    sku=(values["sku"] or generated_sku(values["name"]))[:64],
                    name=(values["name"] or values["sku"])[:255],
                    category=values["category"],
                    price=values["price"],
                )
                new[product.sku.casefold()] = product
                self.report._set(record.row_number, RowOutcome.CREATED)
                continue
            repeat = product_id in self.touched
            self.report._set(record.row_number, RowOutcome.MERGED if repeat else RowOutcome.UPDATED)
            product = loaded[product_id]
            for name in ("name", "category", "price"):
                value = values[name]
                if value is not None and getattr(product, name) != value:
                    setattr(product, name, value)
                    dirty[product_id] = product
            self.touched.add(product_id)
        self.report.changed += len(set(dirty) - self.created)
        async with in_transaction():
            await self.catalog.create(list(new.values()))
            if dirty:
                await Product.bulk_update(
                    list(dirty.values()),
                    fields=["name", "category", "price", "updated_at"],
                    batch_size=_WRITE_BATCH,
                )
        for product in new.values():
            product_id = self.catalog.find(product.sku, None)
            if product_id is not None:
                self.touched.add(product_id)
                self.created.add(product_id)


# --- orders ------------------------------------------------------------------------------------

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


class _CustomerFinder:
    """Find the customer an order line names: by Telegram id, email or phone, else by name.

    A name is only used when the line has no other identifier: two people may share a name,
    and a line with an unknown email is more likely a new customer than a namesake.
    """

    def __init__(self) -> None:
        self.by_key: dict[_Key, int] = {}
        self.by_name: dict[str, list[int]] = {}  # casefolded display name -> ids

    async def learn(self, lines: Sequence[CleanRecord]) -> None:
        keys = {key for line in lines for key in _keys_of(line.values)}
        unknown = [key for key in keys if key not in self.by_key]
        for key, ids in (await _customer_ids_by_keys(unknown)).items():
            self.by_key[key] = min(ids)
        names = {
            line.values["customer_name"]
            for line in lines
            if line.values["customer_name"] and not _keys_of(line.values)
        }
        names = {name for name in names if name.casefold() not in self.by_name}
        if names:
            await self._learn_names(names)

    async def _learn_names(self, names: set[str]) -> None:
        for name in names:
            self.by_name.setdefault(name.casefold(), [])
        firsts = sorted(names | {name.split(" ")[0] for name in names})
        for batch in in_batches(firsts):
            rows = await Customer.filter(first_name__in=batch).values_list(
                "id", "first_name", "last_name"
            )
            for customer_id, first, last in rows:
                full = " ".join(p for p in (first, last) if p).casefold()
                ids = self.by_name.get(full)
                if ids is not None and customer_id not in ids:
                    ids.append(customer_id)

    def find(self, values: dict[str, Any]) -> int | None:
        keys = _keys_of(values)
        for key in keys:
            if key in self.by_key:
                return self.by_key[key]
        name = values["customer_name"]
        if keys or not name:
            return None
        ids = self.by_name.get(name.casefold(), [])
        if len(ids) > 1:
            raise InvalidInput(
                f'customer name "{name}" matches {len(ids)} customers; '
                "add their email, phone or Telegram id"
            )
        return ids[0] if ids else None

    async def create(self, lines: list[CleanRecord]) -> int:
        """Create one customer per group of lines that share an identifier; return how many."""
        groups: list[dict[str, Any]] = []
        group_of: dict[object, int] = {}
        for line in lines:
            values = line.values
            keys: list[object] = list(_keys_of(values))
            if not keys:
                keys = [("name", values["customer_name"].casefold())]
            index = next((group_of[k] for k in keys if k in group_of), None)
            if index is None:
                index = len(groups)
                groups.append({})
            group = groups[index]
            for name in ("customer_name", *_KEYS):
                if group.get(name) is None and values.get(name) is not None:
                    group[name] = values[name]
            for key in keys:
                group_of.setdefault(key, index)
        customers = [
            Customer(
                first_name=(group.get("customer_name") or "")[:255],
                telegram_id=group.get("telegram_id"),
                phone=group.get("phone"),
                email=group.get("email"),
            )
            for group in groups
        ]
        await Customer.bulk_create(customers, batch_size=_WRITE_BATCH)
        # bulk_create does not return ids: read them back by the identifiers just written.
        keyed = [key for group in groups for key in _keys_of(group)]
        for key, ids in (await _customer_ids_by_keys(keyed)).items():
            self.by_key[key] = max(ids)
        nameless = sorted({g["customer_name"][:255] for g in groups if not _keys_of(g)})
        for batch in in_batches(nameless):
            rows = await Customer.filter(
                first_name__in=batch, last_name=None, telegram_id=None, phone=None, email=None
            ).values_list("id", "first_name")
            newest: dict[str, int] = {}
            for customer_id, first in rows:
                newest[first.casefold()] = max(customer_id, newest.get(first.casefold(), 0))
            for name, customer_id in newest.items():
                self.by_name[name] = [customer_id]
        return len(customers)


class _OrderImport(_Importer):
    def __init__(self, *, default_country: str, dayfirst: bool, tz: tzinfo) -> None:
        self.report = ImportReport(kind=ImportKind.ORDERS)
        self.options = {"default_country": default_country, "dayfirst": dayfirst}
        self.tz = tz
        self.customers = _CustomerFinder()
        self.catalog = _ProductCatalog()
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
            await OrderLine.bulk_create(new_lines, batch_size=_WRITE_BATCH)

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
        return ("auto", customer_of[line.row_number], _at_midnight(line.values["date"], self.tz))

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
                ordered_at=_at_midnight(first.values["date"], self.tz),
                status=_status_of(members) or "completed",
                total=Decimal("0.00"),
            )
        if not new:
            return
        await Order.bulk_create(list(new.values()), batch_size=_WRITE_BATCH)
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
            "ordered_at": _at_midnight(first.values["date"], self.tz),
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
            orders = await _load_by_id(Order, self.new_fields)
            for order_id, wanted in self.new_fields.items():
                for name, value in wanted.items():
                    setattr(orders[order_id], name, value)
            if orders:
                await Order.bulk_update(
                    list(orders.values()),
                    fields=["customer_id", "ordered_at", "status"],
                    batch_size=_WRITE_BATCH,
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
            await Order.bulk_update(changed, fields=["total"], batch_size=_WRITE_BATCH)


def _extra(name: str, value: int, lang: str) -> str:
    key = f"staff.import.{name}"
    if key in CATALOG[DEFAULT_LANGUAGE]:
        return t(key, lang, count=value)
    return f"{name.replace('_', ' ')} {value}"
