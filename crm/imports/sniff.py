"""Reading an imported file: CSV/TSV (any delimiter and common encodings) or XLSX, as frames.

Frames are strings indexed by row number, counting data rows: the first row under the header is
row 1 (a spreadsheet shows it as row 2). Blank and empty rows count; empty rows after the last
data row do not.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import date, datetime, time

import pandas as pd

from crm.errors import CleaningError

_DELIMITERS = (",", ";", "\t", "|")
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_SNIFF_CHARS = 64 * 1024
_DEFAULT_CHUNK = 50_000

# A 1 MB note is a legitimate cell; the csv module refuses fields over 128 KB by default.
csv.field_size_limit(2**31 - 1)


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV/TSV or XLSX file into a frame of strings indexed by 1-based row number."""
    header, rows = _open_rows(path)
    frames = list(_frames(header, rows, chunksize=None))
    if not frames:
        return _frame(header, [], first_row=1)
    return frames[0]


def iter_table_chunks(
    path: str | os.PathLike[str], *, chunksize: int = _DEFAULT_CHUNK
) -> Iterator[pd.DataFrame]:
    """Stream a table as frames of at most ``chunksize`` rows, indexed by 1-based row number."""
    if chunksize < 1:
        raise ValueError("chunksize must be positive")
    header, rows = _open_rows(path)
    yield from _frames(header, rows, chunksize=chunksize)


def _open_rows(path: str | os.PathLike[str]) -> tuple[list[str], Iterator[list[str]]]:
    rows: Generator[list[str], None, None]
    with open(path, "rb") as probe:
        magic = probe.read(4)
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix == ".xls" or magic == _OLE_MAGIC:
        raise CleaningError("old .xls workbooks are not supported: save the sheet as .xlsx or CSV")
    is_workbook = suffix in _XLSX_SUFFIXES or magic == _ZIP_MAGIC
    rows = _xlsx_rows(path) if is_workbook else _csv_rows(path)
    for row in rows:
        if _has_content(row):
            return _header_labels(row), _without_trailing_blanks(rows)
    rows.close()
    return [], iter(())


def _csv_rows(path: str | os.PathLike[str]) -> Iterator[list[str]]:
    encoding = _detect_encoding(path)
    # Undecodable bytes in a non-UTF-8 file become U+FFFD rather than failing the import.
    errors = "strict" if encoding.startswith("utf") else "replace"
    with open(path, encoding=encoding, errors=errors, newline="") as text:
        sample = text.read(_SNIFF_CHARS)
        delimiter = _sniff_delimiter(sample, complete=len(sample) < _SNIFF_CHARS)
    with open(path, encoding=encoding, errors=errors, newline="") as text:
        yield from csv.reader(text, delimiter=delimiter)


def _detect_encoding(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as data:
        head = data.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        data.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        block = b""
        try:
            while block := data.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030" if _looks_chinese(block) else "cp1252"
    return "utf-8"


def _looks_chinese(sample: bytes) -> bool:
    # Western text read as GB18030 lands in rare GBK extension characters; Chinese text lands
    # in the common GB2312 set. cp1252 would decode either, so this is the deciding test.
    text = sample.decode("gb18030", errors="replace")
    wide = list(itertools.islice((char for char in text if ord(char) > 127), 20_000))
    if not wide:
        return False
    common = 0
    for char in wide:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(wide) >= 0.9


def _sniff_delimiter(sample: str, *, complete: bool) -> str:
    if not complete and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = [
                row
                for row in itertools.islice(
                    csv.reader(io.StringIO(sample), delimiter=delimiter), 50
                )
                if _has_content(row)
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(row) == width for row in rows) / len(rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _xlsx_rows(path: str | os.PathLike[str]) -> Iterator[list[str]]:
    import openpyxl  # only XLSX imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object, not the path: openpyxl refuses names without an .xlsx suffix, and files
    # sent through Telegram often lose theirs.
    with open(path, "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, InvalidFileException) as exc:
            raise CleaningError(f"the file is not a readable .xlsx workbook ({exc})") from exc
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers record a wrong used range; read every row
            for row in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in row]
        finally:
            workbook.close()


def _cell_text(value: object) -> str:
    # Render typed XLSX cells the way the same sheet saved as CSV would read.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))  # phone numbers and ids stored as numbers
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _has_content(row: Sequence[str]) -> bool:
    return any(cell.strip() for cell in row)


def _header_labels(row: list[str]) -> list[str]:
    cells = [cell.replace("\x00", "").strip().lstrip("\ufeff").strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return [cell or f"column_{position}" for position, cell in enumerate(cells, start=1)]


def _without_trailing_blanks(rows: Iterable[list[str]]) -> Iterator[list[str]]:
    pending: list[list[str]] = []
    for row in rows:
        if _has_content(row):
            yield from pending
            pending.clear()
            yield row
        else:
            pending.append(row)


def _frames(
    header: list[str], rows: Iterator[list[str]], *, chunksize: int | None
) -> Iterator[pd.DataFrame]:
    first_row = 1
    while chunk := list(itertools.islice(rows, chunksize)):
        yield _frame(header, chunk, first_row=first_row)
        first_row += len(chunk)


def _frame(header: list[str], rows: list[list[str]], *, first_row: int) -> pd.DataFrame:
    width = len(header)
    for row in rows:
        # Cells beyond the header are kept (as extra columns) unless they are blank padding.
        while len(row) > width and not row[-1].strip():
            row.pop()
        width = max(width, len(row))
    labels = header + [f"column_{position}" for position in range(len(header) + 1, width + 1)]
    data = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]
    frame = pd.DataFrame(data, columns=labels, dtype=str)
    frame.index = pd.RangeIndex(first_row, first_row + len(rows), name="row")
    return frame
