"""Importing products: each cleaned row creates or updates a stored product.

* Products are the same when their SKUs match ignoring case (or, without a SKU, their names).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from crm.imports import ImportKind
from crm.imports.dedupe import clean_products
from crm.imports.importer import WRITE_BATCH, Importer, load_by_id
from crm.imports.report import ImportReport, RowOutcome
from crm.models import Product
from crm.store.db import in_batches


def generated_sku(name: str) -> str:
    """Return a stable SKU for a product known only by name: a slug and a short hash."""
    slug = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:40] or "ITEM"
    digest = hashlib.sha1(name.casefold().encode()).hexdigest()[:6]
    return f"{slug}-{digest}"


class ProductCatalog:
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
        await Product.bulk_create(products, batch_size=WRITE_BATCH)
        for batch in in_batches([p.sku for p in products]):
            for row in await Product.filter(sku__in=batch).values_list(
                "id", "sku", "name", "price"
            ):
                self._add(*row)


class ProductImport(Importer):
    def __init__(self) -> None:
        self.report = ImportReport(kind=ImportKind.PRODUCTS)
        self.catalog = ProductCatalog()
        self.touched: set[int] = set()
        self.created: set[int] = set()

    async def chunk(self, frame: Any) -> None:
        result = await asyncio.to_thread(clean_products, frame)
        self.report._take_cleaning(result)
        await self.catalog.load()
        found = [self.catalog.find(r.values["sku"], r.values["name"]) for r in result.records]
        loaded = await load_by_id(Product, {i for i in found if i is not None})
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
                    batch_size=WRITE_BATCH,
                )
        for product in new.values():
            product_id = self.catalog.find(product.sku, None)
            if product_id is not None:
                self.touched.add(product_id)
                self.created.add(product_id)
