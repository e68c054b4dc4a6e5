"""Importing customers: each cleaned row creates, updates or merges into a stored customer.

* Customers are the same person when they share a Telegram id, a phone (E.164) or an email
  (lower-cased). A row that matches several stored customers merges those customers first.
  Non-empty file values replace stored ones, unless the row's ``Updated`` date is older than
  the stored customer's last change: then the row only fills empty fields. Empty file cells
  never erase anything, tags are unioned, custom columns merged, and an import never replaces
  a linked Telegram id (a warning says so). A Telegram username only fills an empty one; a
  ``subscribed`` of no unsubscribes, yes never re-subscribes (only the customer's /start does).
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from datetime import UTC
from typing import Any

from tortoise.transactions import in_transaction

from crm.customers.merge import PLAIN_FIELDS, merge_customers, union_tags
from crm.imports import ImportKind
from crm.imports.dedupe import clean_customers
from crm.imports.identify import Key, customer_ids_by_keys, keys_of
from crm.imports.importer import WRITE_BATCH, Importer, at_midnight, load_by_id
from crm.imports.report import ImportReport, RowOutcome
from crm.imports.table import CleanRecord
from crm.models import Customer
from crm.store.db import in_batches

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


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


class CustomerImport(Importer):
    def __init__(self, *, default_country: str, dayfirst: bool) -> None:
        self.report = ImportReport(kind=ImportKind.CUSTOMERS)
        self.options = {"default_country": default_country, "dayfirst": dayfirst}
        # Identifiers written by this import, with the recency of the values they carry.
        self.seen: dict[Key, int] = {}
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
        ids_by_key = await customer_ids_by_keys(
            [key for record in records for key in keys_of(record.values)]
        )
        targets = [
            sorted({i for key in keys_of(record.values) for i in ids_by_key.get(key, ())})
            for record in records
        ]
        await self._match_names(records, targets)
        loaded = await load_by_id(Customer, {i for ids in targets for i in ids})
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
            keys = keys_of(record.values)
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
            await Customer.bulk_create(new, batch_size=WRITE_BATCH)
            for names, customers in groups.items():
                await Customer.bulk_update(
                    customers, fields=[*sorted(names), "updated_at"], batch_size=WRITE_BATCH
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
            if not keys_of(record.values) and (name := _desired_name(record.values))
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
    extra = {"created_at": at_midnight(created)} if created else {}
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
        customer.created_at = at_midnight(created)
        changed.append("created_at")
    return changed


def _written_name(first: str, last: str | None) -> str:
    """Return a stored name as the cleaning composes one: East Asian names family first."""
    if last and _CJK.search(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)
