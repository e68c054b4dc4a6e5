"""Customers, products and orders on the write side: importing a file into the store.

crm.imports' cleaning (sniff, columns, parsers, table, dedupe) reads, normalises and
de-duplicates a file; this module runs an import, chunk by chunk, through the importer of its
kind (customer_import, product_import, order_import), which takes the records to the store.
The rules:

* Every input row ends as exactly one outcome: ``created`` (a new record), ``updated`` (it
  matched a record already in the store, whether or not anything changed: ``changed`` counts
  the records that really did), ``merged`` (folded into another row of the same file) or
  ``rejected`` (with the reason). ``rows == created + updated + merged + rejected``.
* The desk's own export imports as the same people: the cleaning takes off the apostrophes the
  export put before formula-like cells, and the export's ``crm_id`` column is ignored.
* Large files stream in chunks; store lookups are batched per chunk, new rows are bulk
  inserted and changed rows bulk updated. A row that repeats a record written by an earlier
  chunk is found in the store and counted as ``merged``, exactly as within one chunk.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
from collections.abc import Sequence
from datetime import UTC, tzinfo
from pathlib import Path

from crm import audit
from crm.imports import ImportKind
from crm.imports.cells import neutralise_row
from crm.imports.customer_import import CustomerImport
from crm.imports.importer import Importer
from crm.imports.order_import import OrderImport
from crm.imports.product_import import ProductImport
from crm.imports.report import ImportProgress, ImportReport, ProgressCallback, RejectedRow
from crm.imports.sniff import iter_table_chunks

DEFAULT_CHUNK_ROWS = 20_000


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
    importer: Importer
    if kind is ImportKind.CUSTOMERS:
        importer = CustomerImport(default_country=default_country, dayfirst=dayfirst)
    elif kind is ImportKind.PRODUCTS:
        importer = ProductImport()
    else:
        importer = OrderImport(default_country=default_country, dayfirst=dayfirst, tz=timezone)
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
