"""What every kind's importer shares: the chunk-by-chunk protocol and batched loads and writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from typing import Any, TypeVar

from tortoise.models import Model

from crm.imports.report import ImportReport
from crm.store.db import in_batches

M = TypeVar("M", bound=Model)

WRITE_BATCH = 1_000


class Importer:
    """Takes a file's frames one chunk at a time, then finishes; its report tells what it did."""

    report: ImportReport

    async def chunk(self, frame: Any) -> None:
        raise NotImplementedError

    async def finish(self) -> None:
        """Do the work that must wait for the last chunk."""


def at_midnight(day: date, tz: tzinfo = UTC) -> datetime:
    """Return the start of a file's day in a timezone, as a UTC datetime for the store."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


async def load_by_id(model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """Load rows by id, batched, keyed by id."""
    loaded: dict[int, M] = {}
    for batch in in_batches(sorted(ids)):
        for obj in await model.filter(id__in=batch):
            loaded[obj.id] = obj  # type: ignore[attr-defined]
    return loaded
