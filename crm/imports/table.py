"""One frame cleaned column by column, then assembled into records (merging rows that share a
label: each field takes the latest non-empty value) and rejections."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm.errors import CleaningError
from crm.imports import ImportKind
from crm.imports.cells import restore_cell
from crm.imports.columns import FIELDS, ColumnMapping, ValueKind, match_positions, unique_labels
from crm.imports.parsers import (
    CJK,
    EMAIL_ADDRESS,
    EMAIL_WRAPPED,
    LANGUAGE_CODE,
    MAILTO,
    SPACE,
    email_error,
    normalise_name,
    normalise_phone,
    parse_amount,
    parse_date,
    parse_flag,
    parse_price,
    parse_quantity,
    parse_tags,
    parse_telegram_id,
    parse_telegram_username,
    phone_region,
    show,
    unique_tags,
)


@dataclass(slots=True)
class CleanRecord:
    """One cleaned row, possibly standing for several merged rows."""

    row_number: int
    values: dict[str, Any]
    custom: dict[str, str]
    merged_rows: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that could not be used, with the reason and the row as it was read."""

    row_number: int
    reason: str
    raw: dict[str, str]


@dataclass(slots=True)
class CleanResult:
    """Every row of a table, each as a record, a merge into one, or a rejection."""

    records: list[CleanRecord]
    rejected: list[Rejection]
    mapping: ColumnMapping

    def counts(self) -> dict[str, int]:
        """Count rows by outcome; rows is always clean + merged + rejected."""
        clean = len(self.records)
        merged = sum(len(record.merged_rows) for record in self.records)
        rejected = len(self.rejected)
        return {
            "rows": clean + merged + rejected,
            "clean": clean,
            "merged": merged,
            "rejected": rejected,
        }


class Table:
    """One frame's fields cleaned column by column, ready to be judged row by row."""

    def __init__(
        self,
        df: pd.DataFrame,
        kind: ImportKind,
        *,
        default_country: str = "US",
        dayfirst: bool = False,
    ) -> None:
        parsers = _parsers(region=phone_region(default_country), dayfirst=dayfirst)
        # The apostrophes an export put before formula-like cells come off first, so the
        # desk's own export imports as the values it was made from.
        headers = [restore_cell(str(header)) for header in df.columns]
        self.mapping, positions, unknown = match_positions(headers, kind)
        self.labels = unique_labels(headers)
        self.row_numbers = _row_numbers(df)
        size = len(df)
        texts = [_restored(_as_text(df.iloc[:, position])) for position in range(df.shape[1])]
        self.values: dict[str, pd.Series] = {}
        self.errors: dict[str, pd.Series] = {}
        empty = np.ones(size, dtype=bool)
        for spec in FIELDS[kind]:
            if spec.kind is ValueKind.IGNORED:
                continue
            if spec.name in positions:
                text = texts[positions[spec.name]]
                values, errors, blank = _clean_column(text, spec.kind, parsers=parsers)
                empty &= blank
            else:
                values, errors = _nothing(size), _nothing(size)
                if spec.kind is ValueKind.TAGS:
                    values = pd.Series([[] for _ in range(size)], dtype=object)
            failed = errors.notna()
            if failed.any():
                errors[failed] = f"{spec.name}: " + errors[failed]
            self.values[spec.name] = values
            self.errors[spec.name] = errors
        custom_columns: list[tuple[str, pd.Series]] = []
        for label, position in unknown.items():
            text = texts[position].str.replace("\x00", "", regex=False).str.strip()
            empty &= (text == "").to_numpy()
            custom_columns.append((label, text))
        self.custom = _custom_dicts(custom_columns, size)
        self.empty = empty
        self.list_fields = [spec.name for spec in FIELDS[kind] if spec.kind is ValueKind.TAGS]
        # Row-by-row work below reads plain arrays: indexing a Series per cell is far slower.
        self._raw = [text.to_numpy() for text in texts]
        self._errors = {name: errors.to_numpy() for name, errors in self.errors.items()}

    def present(self, names: Iterable[str]) -> np.ndarray:
        """Say which rows have a usable value in any of the fields."""
        mask = np.zeros(len(self.empty), dtype=bool)
        for name in names:
            mask |= self.values[name].notna().to_numpy()
        return mask

    def messages(self, position: int, names: Iterable[str]) -> list[str]:
        """List the errors a row has in the given fields."""
        return [message for name in names if (message := self._errors[name][position]) is not None]

    def result(
        self,
        kept: np.ndarray,
        labels: np.ndarray,
        rejections: dict[int, list[str]],
        *,
        recency: list[int],
        conflicts: tuple[str, ...] = (),
        repeats: bool = False,
    ) -> CleanResult:
        """Assemble records (merging rows that share a label) and rejections, in file order."""
        is_kept = np.isin(np.arange(len(self.empty)), kept)
        rejected = [
            Rejection(
                row_number=int(self.row_numbers[position]),
                reason="; ".join(rejections.get(position, ["empty row"])),
                raw=dict(zip(self.labels, (cells[position] for cells in self._raw), strict=True)),
            )
            for position in np.flatnonzero(~is_kept)
        ]
        warnings = self._warnings(is_kept)
        frame = pd.DataFrame(
            {name: series.iloc[kept].to_numpy() for name, series in self.values.items()},
            dtype=object,
        )
        names = list(frame.columns)
        rows = [dict(zip(names, row, strict=True)) for row in zip(*frame.to_numpy().T, strict=True)]
        records: dict[int, CleanRecord] = {}
        groups: dict[int, list[int]] = {}
        for index, label in enumerate(labels):
            if label != index:
                groups.setdefault(int(label), [int(label)]).append(index)
                continue
            position = int(kept[index])
            records[index] = CleanRecord(
                row_number=int(self.row_numbers[position]),
                values=rows[index],
                custom=self.custom[position],
                warnings=warnings.get(position, []),
            )
        if groups:
            self._merge(
                records, groups, kept, frame, recency=recency, conflicts=conflicts, repeats=repeats
            )
        return CleanResult(records=list(records.values()), rejected=rejected, mapping=self.mapping)

    def _warnings(self, is_kept: np.ndarray) -> dict[int, list[str]]:
        warnings: dict[int, list[str]] = {}
        for errors in self._errors.values():
            for position in np.flatnonzero(pd.notna(errors) & is_kept):
                warnings.setdefault(int(position), []).append(f"{errors[position]}; value dropped")
        return warnings

    def _merge(
        self,
        records: dict[int, CleanRecord],
        groups: dict[int, list[int]],
        kept: np.ndarray,
        frame: pd.DataFrame,
        *,
        recency: list[int],
        conflicts: tuple[str, ...],
        repeats: bool,
    ) -> None:
        members = [index for group in groups.values() for index in group]
        group_of = [label for label, group in groups.items() for _ in group]
        ordered = (
            frame.iloc[members]
            .assign(_group=group_of, _recency=[recency[index] for index in members], _index=members)
            .sort_values(["_group", "_recency", "_index"], kind="stable")
        )
        scalars = [name for name in frame.columns if name not in self.list_fields]
        # GroupBy.last skips missing values: each field gets the latest non-empty one.
        latest = ordered.groupby("_group", sort=False)[scalars].last().astype(object)
        latest = latest.where(latest.notna(), None).to_dict("index")
        columns = {name: frame[name].to_numpy() for name in frame.columns}
        by_group = ordered.groupby("_group", sort=False)["_index"].agg(list)
        for label, oldest_first in by_group.items():
            newest_first = oldest_first[::-1]
            survivor = records[label]
            values = latest[label]
            for name in self.list_fields:
                values[name] = unique_tags(
                    tag for index in newest_first for tag in columns[name][index]
                )
            survivor.values = {name: values[name] for name in frame.columns}
            custom: dict[str, str] = {}
            for index in oldest_first:
                custom.update(self.custom[int(kept[index])])
            survivor.custom = custom
            others = sorted(index for index in oldest_first if index != label)
            survivor.merged_rows = [int(self.row_numbers[kept[index]]) for index in others]
            survivor.warnings = list(survivor.warnings)
            for index in others:
                position = int(kept[index])
                row = int(self.row_numbers[position])
                survivor.warnings += [f"row {row}: {text}" for text in self._row_warnings(position)]
            for name in conflicts:
                seen = {values[name]}
                for index in newest_first:
                    other = columns[name][index]
                    if other is not None and other not in seen:
                        seen.add(other)
                        row = int(self.row_numbers[kept[index]])
                        survivor.warnings.append(
                            f"{name}: kept {show(str(values[name]))}, dropped "
                            f"{show(str(other))} from row {row}"
                        )
            if repeats:
                survivor.warnings += [
                    f"row {row} repeats this line exactly and was merged"
                    for row in survivor.merged_rows
                ]

    def _row_warnings(self, position: int) -> list[str]:
        return [f"{message}; value dropped" for message in self.messages(position, self.errors)]


def _row_numbers(df: pd.DataFrame) -> np.ndarray:
    index = df.index
    is_default = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    if is_default or not pd.api.types.is_integer_dtype(index.dtype):
        return np.arange(1, len(df) + 1)
    return index.to_numpy(dtype=np.int64)


def _as_text(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.StringDtype):
        return column.fillna("").astype(object).reset_index(drop=True)
    return pd.Series([_cell(value) for value in column.tolist()], dtype=object)


def _restored(text: pd.Series) -> pd.Series:
    quoted = text.str.startswith("'").to_numpy(dtype=bool)
    if not quoted.any():
        return text
    text = text.copy()
    text[quoted] = [restore_cell(value) for value in text[quoted]]
    return text


def _cell(value: object) -> str:
    # NaN, NaT and pd.NA are the only values unequal to themselves, besides None being None.
    missing = value is None or value is pd.NA or value != value
    return "" if missing else str(value)


def _nothing(size: int) -> pd.Series:
    return pd.Series(np.full(size, None, dtype=object), dtype=object)


def _custom_dicts(columns: list[tuple[str, pd.Series]], size: int) -> list[dict[str, str]]:
    if not columns:
        return [{} for _ in range(size)]
    labels = [label for label, _ in columns]
    return [
        {label: value for label, value in zip(labels, row, strict=True) if value}
        for row in zip(*(series.to_numpy() for _, series in columns), strict=True)
    ]


def _clean_column(
    text: pd.Series, kind: ValueKind, *, parsers: dict[ValueKind, Callable[[str], object]]
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Return (values, error messages, blank mask) for one column; None marks missing."""
    if kind is ValueKind.NOTES:
        notes = text.str.replace("\x00", "", regex=False).str.strip()
        blank = (notes == "").to_numpy()
        return notes.where(~blank, None), _nothing(len(text)), blank
    collapsed = text.str.replace("\x00", "", regex=False).str.replace(SPACE, " ", regex=True)
    collapsed = collapsed.str.strip()
    blank = (collapsed == "").to_numpy()
    if kind in parsers:
        values, errors = _map_unique(collapsed, parsers[kind], blank)
        if kind is ValueKind.TAGS:
            values = pd.Series([[] if tags is None else tags for tags in values], dtype=object)
        return values, errors, blank
    values = collapsed.where(~blank, None)
    errors = _nothing(len(text))
    if kind is ValueKind.NAME:
        has_case = collapsed.str.isupper() | collapsed.str.islower()
        shouting = has_case & ~collapsed.str.contains(CJK)
        if shouting.any():
            names, _ = _map_unique(collapsed[shouting], normalise_name, blank[shouting.to_numpy()])
            values[shouting] = names.to_numpy()
    elif kind is ValueKind.LANGUAGE:
        code = collapsed.str.fullmatch(LANGUAGE_CODE)
        values[code] = collapsed[code].str.lower().str.replace("_", "-", regex=False)
    elif kind is ValueKind.STATUS:
        values = values.str.lower().where(~blank, None)
    elif kind is ValueKind.EMAIL:
        # normalise_email's steps, run on the whole column at once.
        address = collapsed.str.replace(EMAIL_WRAPPED, r"\1", regex=True)
        address = address.str.replace(MAILTO, "", regex=True).str.strip().str.lower()
        invalid = ~address.str.fullmatch(EMAIL_ADDRESS).to_numpy(dtype=bool) & ~blank
        values = address.where(~invalid & ~blank, None)
        errors = _spread([email_error(raw) for raw in collapsed.to_numpy()[invalid]], invalid)
    return values.astype(object), errors, blank


def _parsers(*, region: str, dayfirst: bool) -> dict[ValueKind, Callable[[str], object]]:
    return {
        ValueKind.PHONE: functools.partial(normalise_phone, default_country=region),
        ValueKind.DATE: functools.partial(parse_date, dayfirst=dayfirst),
        ValueKind.TELEGRAM_ID: parse_telegram_id,
        ValueKind.AMOUNT: parse_amount,
        ValueKind.PRICE: parse_price,
        ValueKind.QUANTITY: parse_quantity,
        ValueKind.TAGS: parse_tags,
        ValueKind.USERNAME: parse_telegram_username,
        ValueKind.FLAG: parse_flag,
    }


def _spread(values: list[str], mask: np.ndarray) -> pd.Series:
    out = np.full(len(mask), None, dtype=object)
    out[mask] = values
    return pd.Series(out, dtype=object)


def _map_unique(
    text: pd.Series, parse: Callable[[str], object], blank: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """Run a parser once per distinct non-blank value; return values and error messages."""
    good: dict[str, object] = {}
    bad: dict[str, str] = {}
    raw = text.to_numpy()
    for value in pd.unique(raw[~blank]):
        try:
            good[value] = parse(value)
        except CleaningError as exc:
            bad[value] = str(exc)
    values = pd.Series([good.get(value) for value in raw], dtype=object)
    errors = (
        pd.Series([bad.get(value) for value in raw], dtype=object) if bad else _nothing(len(raw))
    )
    return values, errors
