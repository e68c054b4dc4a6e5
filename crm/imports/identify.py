"""Finding the stored customers an imported row names, by Telegram id, phone, email or name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from crm.errors import InvalidInput
from crm.imports.importer import WRITE_BATCH
from crm.imports.table import CleanRecord
from crm.models import Customer
from crm.store.db import in_batches

Key = tuple[str, object]
KEYS = ("telegram_id", "phone", "email")


def keys_of(values: dict[str, Any]) -> list[Key]:
    """Return a row's identifiers (Telegram id, phone, email) that it has."""
    return [(name, values[name]) for name in KEYS if values.get(name) is not None]


async def customer_ids_by_keys(keys: Iterable[Key]) -> dict[Key, list[int]]:
    """Look up stored customers by Telegram id, phone and email, batched."""
    wanted: dict[str, set[object]] = defaultdict(set)
    for name, value in keys:
        wanted[name].add(value)
    found: dict[Key, list[int]] = defaultdict(list)
    for name, values in wanted.items():
        for batch in in_batches(sorted(values, key=str)):
            rows = await Customer.filter(**{f"{name}__in": batch}).values_list("id", name)
            for customer_id, value in rows:
                found[(name, value)].append(customer_id)
    return found


class CustomerFinder:
    """Find the customer an order line names: by Telegram id, email or phone, else by name.

    A name is only used when the line has no other identifier: two people may share a name,
    and a line with an unknown email is more likely a new customer than a namesake.
    """

    def __init__(self) -> None:
        self.by_key: dict[Key, int] = {}
        self.by_name: dict[str, list[int]] = {}  # casefolded display name -> ids

    async def learn(self, lines: Sequence[CleanRecord]) -> None:
        keys = {key for line in lines for key in keys_of(line.values)}
        unknown = [key for key in keys if key not in self.by_key]
        for key, ids in (await customer_ids_by_keys(unknown)).items():
            self.by_key[key] = min(ids)
        names = {
            line.values["customer_name"]
            for line in lines
            if line.values["customer_name"] and not keys_of(line.values)
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
        keys = keys_of(values)
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
            keys: list[object] = list(keys_of(values))
            if not keys:
                keys = [("name", values["customer_name"].casefold())]
            index = next((group_of[k] for k in keys if k in group_of), None)
            if index is None:
                index = len(groups)
                groups.append({})
            group = groups[index]
            for name in ("customer_name", *KEYS):
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
        await Customer.bulk_create(customers, batch_size=WRITE_BATCH)
        # bulk_create does not return ids: read them back by the identifiers just written.
        keyed = [key for group in groups for key in keys_of(group)]
        for key, ids in (await customer_ids_by_keys(keyed)).items():
            self.by_key[key] = max(ids)
        nameless = sorted({g["customer_name"][:255] for g in groups if not keys_of(g)})
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
