"""What an import did with every row: one outcome each (the rule is in crm.imports.pipeline),
the rejected rows with their reasons, the warnings, and the counts as a line of text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from crm.i18n import CATALOG, DEFAULT_LANGUAGE, t
from crm.imports import ImportKind
from crm.imports.columns import ColumnMapping
from crm.imports.table import CleanRecord, CleanResult


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


def _extra(name: str, value: int, lang: str) -> str:
    key = f"staff.import.{name}"
    if key in CATALOG[DEFAULT_LANGUAGE]:
        return t(key, lang, count=value)
    return f"{name.replace('_', ' ')} {value}"
