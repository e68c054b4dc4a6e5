"""Read and clean imported customer, product and order tables before they reach the store.

Everything here is pure: files and DataFrames in, cleaned records and reasons out.

Rules the importer relies on:

* Row numbers count data rows: the first row under the header is row 1 (a spreadsheet shows it
  as row 2). Blank and empty rows count; empty rows after the last data row do not.
* Every input row ends as exactly one outcome: a record, a row merged into a record, or a
  rejection, so ``counts()["rows"] == clean + merged + rejected``.
* A bad value in a field the row can live without is dropped and reported as a warning on the
  record (``email: "bob@@example" is not a valid email address; value dropped``). A row is rejected
  only when it is left without what its kind requires; the reason names the bad values, or
  what is missing ("no name, email, phone or Telegram id"). Completely empty rows are rejected
  as "empty row".
* Customers need one of name, email, phone or Telegram id. Rows sharing a Telegram id, phone
  or email (transitively) are one customer: the group keeps the row number of its first row,
  each field takes the non-empty value of the most recent row (by ``updated``, else ``created``;
  undated rows count as older than dated ones; ties go to the later row in the file), tags are
  unioned, and a dropped identifier of another row is reported as a warning.
* Products need a SKU or a name; rows with the same SKU (ignoring case) merge like customers,
  the later row in the file winning. Prices must not be negative.
* Order lines need a date, something naming the customer (email, phone, Telegram id or name)
  and a SKU, product name or amount; a bad date, quantity, price or total rejects the line.
  Quantity defaults to 1, total to price x quantity; negative amounts (refunds) are kept.
  Lines are not merged, except exact repeats of a line of the same order ref, which are
  merged into the first with a warning.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers

from crm.errors import InvalidInput
from crm.imports import ImportKind
from crm.imports.cells import restore_cell

# ---------------------------------------------------------------------------------------------
# Results


class CleaningError(InvalidInput):
    """A value (or a whole file) the importer cannot use; the message says why."""


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which header feeds each field, and which headers matched nothing."""

    matched: dict[str, str]
    unknown: list[str]


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


# ---------------------------------------------------------------------------------------------
# Reading files

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


# ---------------------------------------------------------------------------------------------
# Columns


class _Kind(Enum):
    TEXT = "text"
    NAME = "name"
    NOTES = "notes"
    EMAIL = "email"
    PHONE = "phone"
    TELEGRAM_ID = "telegram_id"
    DATE = "date"
    AMOUNT = "amount"
    PRICE = "price"
    QUANTITY = "quantity"
    TAGS = "tags"
    LANGUAGE = "language"
    STATUS = "status"
    USERNAME = "username"
    FLAG = "flag"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    kind: _Kind
    aliases: tuple[str, ...]


def _field(name: str, kind: _Kind, aliases: str) -> _Field:
    return _Field(name, kind, tuple(alias.strip() for alias in aliases.split(",")))


# Headers as spreadsheets spell them; matching ignores case, spaces, "_", "-" and ".".
_PERSON_NAME = (
    "Name, Full name, Customer, Customer name, Contact, Contact name, 姓名, 客户, 客户名称"
)
_EMAIL_HEADERS = "Email, E-mail, Mail, Email address, 邮箱, 电子邮件"
_PHONE_HEADERS = (
    "Phone, Mobile, Tel, Telephone, Cell, Phone number, Mobile phone, Mobile number, Cell phone, "
    "电话, 手机, 手机号"
)
_TELEGRAM_HEADERS = "Telegram id, Telegram, TG id, Telegram user id"
_SKU_HEADERS = "SKU, Code, Product code, Item code, Article, 货号, 编码"
_CATEGORY_HEADERS = "Category, Type, Group, 类别, 分类"

_FIELDS: dict[ImportKind, tuple[_Field, ...]] = {
    ImportKind.CUSTOMERS: (
        _field("name", _Kind.NAME, _PERSON_NAME),
        _field("first_name", _Kind.NAME, "First name, Given name, 名"),
        _field("last_name", _Kind.NAME, "Last name, Surname, Family name, 姓"),
        _field("email", _Kind.EMAIL, _EMAIL_HEADERS),
        _field("phone", _Kind.PHONE, _PHONE_HEADERS),
        _field("telegram_id", _Kind.TELEGRAM_ID, _TELEGRAM_HEADERS),
        _field("company", _Kind.TEXT, "Company, Organisation, Organization, Business, 公司"),
        _field("city", _Kind.TEXT, "City, Town, 城市"),
        _field("region", _Kind.TEXT, "Region, State, Province, County, 省份, 地区"),
        _field("language", _Kind.LANGUAGE, "Language, Lang, 语言"),
        _field("source", _Kind.TEXT, "Source, Channel, Lead source, Acquisition channel, 来源"),
        _field("tags", _Kind.TAGS, "Tags, Tag, Labels, Segment, 标签"),
        _field("notes", _Kind.NOTES, "Notes, Note, Comment, Comments, Remarks, 备注"),
        _field("created", _Kind.DATE, "Created, Created at, Signup date, Registered, 注册时间"),
        _field("updated", _Kind.DATE, "Updated, Updated at, Last updated, Modified, 更新时间"),
        _field("telegram_username", _Kind.USERNAME, "Telegram username, TG username"),
        _field("subscribed", _Kind.FLAG, "Subscribed, Opted in, 订阅"),
        # The desk's own customer number, first column of its export: the store numbers its
        # customers itself, so an import reads it as nothing (and not as a custom field).
        _field("crm_id", _Kind.IGNORED, "CRM id"),
    ),
    ImportKind.PRODUCTS: (
        _field("sku", _Kind.TEXT, _SKU_HEADERS),
        _field(
            "name",
            _Kind.TEXT,
            "Name, Product, Product name, Title, Item, Item name, 商品, 商品名称, 名称",
        ),
        _field("category", _Kind.TEXT, _CATEGORY_HEADERS),
        _field("price", _Kind.PRICE, "Price, Unit price, Cost, Amount, 价格, 单价"),
    ),
    ImportKind.ORDERS: (
        _field(
            "order_ref",
            _Kind.TEXT,
            "Order, Order id, Order number, Order no, Order #, Invoice, Invoice number, 订单号",
        ),
        _field(
            "date",
            _Kind.DATE,
            "Date, Order date, Created, Created at, Purchased at, Purchase date, 日期, 下单时间",
        ),
        # In an order file a bare "Name" is the customer's; products are "Product" or "Item".
        _field("customer_name", _Kind.NAME, f"{_PERSON_NAME}, Billing name"),
        _field("email", _Kind.EMAIL, f"{_EMAIL_HEADERS}, Customer email"),
        _field("phone", _Kind.PHONE, f"{_PHONE_HEADERS}, Customer phone, Billing phone"),
        _field("telegram_id", _Kind.TELEGRAM_ID, _TELEGRAM_HEADERS),
        _field("sku", _Kind.TEXT, f"{_SKU_HEADERS}, Product SKU, Lineitem SKU"),
        _field(
            "product_name",
            _Kind.TEXT,
            "Product, Product name, Title, Item, Item name, Lineitem name, 商品, 商品名称, 名称",
        ),
        _field("category", _Kind.TEXT, f"{_CATEGORY_HEADERS}, Product category"),
        _field("quantity", _Kind.QUANTITY, "Qty, Quantity, Count, Units, Lineitem quantity, 数量"),
        _field("price", _Kind.AMOUNT, "Unit price, Price, Lineitem price, 单价, 价格"),
        _field("total", _Kind.AMOUNT, "Total, Line total, Amount, Sum, 金额, 总价"),
        _field("status", _Kind.STATUS, "Status, Order status, 状态"),
    ),
}

_IGNORED_IN_HEADERS = re.compile(r"[\s_.\-]+")


def _header_key(header: str) -> str:
    return _IGNORED_IN_HEADERS.sub("", header.casefold())


def _alias_index(fields: tuple[_Field, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in fields:
        for alias in (spec.name, *spec.aliases):
            key = _header_key(alias)
            if index.setdefault(key, spec.name) != spec.name:
                raise AssertionError(f"alias {alias!r} names both {index[key]} and {spec.name}")
    return index


_ALIASES = {kind: _alias_index(fields) for kind, fields in _FIELDS.items()}


def match_columns(headers: Sequence[str], kind: ImportKind | str) -> ColumnMapping:
    """Map a table's headers to the kind's fields by name and common aliases.

    An order file is read one order line per row, so "order_lines" names its table too.
    """
    kind = ImportKind.ORDERS if kind == "order_lines" else ImportKind(kind)
    mapping, _, _ = _match_positions(headers, kind)
    return mapping


def _match_positions(
    headers: Sequence[str], kind: ImportKind
) -> tuple[ColumnMapping, dict[str, int], dict[str, int]]:
    aliases = _ALIASES[kind]
    matched: dict[str, str] = {}
    positions: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for position, label in enumerate(_unique_labels(headers)):
        canonical = aliases.get(_header_key(label))
        if canonical is not None and canonical not in matched:
            matched[canonical] = label
            positions[canonical] = position
        else:
            unknown[label] = position
    return ColumnMapping(matched=matched, unknown=list(unknown)), positions, unknown


def _unique_labels(headers: Sequence[str]) -> list[str]:
    # A repeated header keeps its text on first use; later copies become "Email (2)" and so on.
    labels: list[str] = []
    seen: set[str] = set()
    for header in headers:
        label = str(header).strip()
        copy = 1
        while label in seen:
            copy += 1
            label = f"{str(header).strip()} ({copy})"
        seen.add(label)
        labels.append(label)
    return labels


# ---------------------------------------------------------------------------------------------
# Normalising single values

_SPACE = re.compile(r"[\s\u200b\ufeff]+")
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
_WORD_START = re.compile(r"(^|[\s\-'’‘(./])(\w)")
_ROMAN_NUMERALS = re.compile(r"\b(?:ii|iii|iv)\b", re.IGNORECASE)
_EMAIL_WRAPPED = re.compile(r"^.*<([^<>]*)>$")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_EMAIL_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s.<>]+(?:\.[^@\s.<>]+)+")
_TEL = re.compile(r"^tel:\s*", re.IGNORECASE)
_TELEGRAM_ID = re.compile(r"(\d{1,18})(?:\.0+)?")
_TAG_SEPARATORS = re.compile(r"[,;|，；、｜]")
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_SHOWN_CHARS = 60


def _show(value: str) -> str:
    if len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 1] + "…"
    return f'"{value}"'


def normalise_whitespace(raw: str) -> str:
    """Trim a value and collapse every run of whitespace inside it to one space."""
    return _SPACE.sub(" ", raw.replace("\x00", "")).strip()


def normalise_name(raw: str) -> str:
    """Title-case a person's name typed in all capitals or all lower case; keep others as typed."""
    text = normalise_whitespace(raw)
    if _CJK.search(text) or not (text.isupper() or text.islower()):
        return text
    titled = _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), text.lower())
    return _ROMAN_NUMERALS.sub(lambda m: m.group(0).upper(), titled)


def normalise_email(raw: str) -> str:
    """Lower-case an email address, unwrapping <...> and mailto:; refuse an invalid one."""
    text = normalise_whitespace(raw)
    address = _MAILTO.sub("", _EMAIL_WRAPPED.sub(r"\1", text)).strip().lower()
    if not _EMAIL_ADDRESS.fullmatch(address):
        raise CleaningError(_email_error(text))
    return address


def _email_error(text: str) -> str:
    return f"{_show(text)} is not a valid email address"


def normalise_phone(raw: str, *, default_country: str = "US") -> str:
    """Return a phone number in E.164, reading numbers without a country code as local."""
    region = _region(default_country)
    text = normalise_whitespace(_TEL.sub("", raw.strip()))
    dialled = "+" + text[2:] if text.startswith("00") else text  # 00 = international prefix
    try:
        number = phonenumbers.parse(dialled, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        hint = "" if dialled.startswith(("+", "＋")) else f" (read as a {region} number)"
        raise CleaningError(f"{_show(text)} is not a valid phone number{hint}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _region(country: str) -> str:
    region = country.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise CleaningError(f"{_show(country)} is not a known two-letter country code")
    return region


def parse_telegram_id(raw: str) -> int:
    """Return a Telegram user id written as digits; refuse anything else."""
    text = normalise_whitespace(raw)
    match = _TELEGRAM_ID.fullmatch(text)
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    if text.startswith("@"):
        raise CleaningError(f"{_show(text)} is a Telegram username, not a numeric id")
    raise CleaningError(f"{_show(text)} is not a numeric Telegram id")


_TELEGRAM_LINK = re.compile(r"^(?:https?://)?t(?:elegram)?\.me/", re.IGNORECASE)
_TELEGRAM_USERNAME = re.compile(r"[A-Za-z0-9_]{3,32}")


def parse_telegram_username(raw: str) -> str:
    """Return a Telegram username without its @ (or t.me/ link); refuse anything else."""
    text = normalise_whitespace(raw)
    name = _TELEGRAM_LINK.sub("", text).removeprefix("@")
    if not _TELEGRAM_USERNAME.fullmatch(name):
        raise CleaningError(f"{_show(text)} is not a Telegram username")
    return name


_YES = frozenset({"true", "yes", "y", "1", "on", "是"})
_NO = frozenset({"false", "no", "n", "0", "off", "否"})


def parse_flag(raw: str) -> bool:
    """Read yes/no, true/false or 1/0 (any case) as a bool; refuse anything else."""
    text = normalise_whitespace(raw)
    if text.casefold() in _YES:
        return True
    if text.casefold() in _NO:
        return False
    raise CleaningError(f"{_show(text)} is not yes or no")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ],
        start=1,
    )
    for name in names.split()
}
# An optional time after the date ("T14:30:00Z", " 2:30 PM", ", 14:30"), which is ignored.
_TIME = (
    r"(?:(?:[T\s]+|\s*,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_DATE_FORMATS = [
    re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}"),
    re.compile(rf"(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]?{_TIME}"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(rf"(?P<d>\d{{1,2}})\.\s?(?P<m>\d{{1,2}})\.\s?(?P<y>\d{{4}}|\d{{2}}){_TIME}"),
    re.compile(rf"(?P<a>\d{{1,2}})[/-](?P<b>\d{{1,2}})[/-](?P<y>\d{{4}}|\d{{2}}){_TIME}"),
    re.compile(
        rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*(?P<mon>[A-Za-z]{{3,9}})\.?,?[\s\-/.]*"
        rf"(?P<y>\d{{4}}|\d{{2}}){_TIME}"
    ),
    re.compile(
        rf"(?P<mon>[A-Za-z]{{3,9}})\.?[\s\-/.]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[\s\-/.]*"
        rf"(?P<y>\d{{4}}){_TIME}"
    ),
    re.compile(r"(?P<serial>\d{5})(?:\.\d+)?"),
]
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(raw: str, *, dayfirst: bool = False) -> date:
    """Parse a date in a common spreadsheet format; refuse impossible or unknown dates."""
    text = normalise_whitespace(raw)
    bare = _WEEKDAY.sub("", text)
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(bare)
        if match:
            return _date_from(match.groupdict(), text=text, dayfirst=dayfirst)
    raise CleaningError(f"{_show(text)} is not a recognised date")


def _date_from(parts: dict[str, str | None], *, text: str, dayfirst: bool) -> date:
    if parts.get("serial"):
        # Excel counts days from 1899-12-30 (it believes 1900 was a leap year).
        value = _EXCEL_EPOCH + timedelta(days=int(parts["serial"] or 0))
        return _checked_year(value, text=text)
    hint = ""
    if parts.get("a"):
        first, second = int(parts["a"] or 0), int(parts["b"] or 0)
        day, month = (first, second) if dayfirst else (second, first)
        if not dayfirst and first > 12 >= second:
            hint = "; is the file day-first?"
    else:
        day = int(parts["d"] or 0)
        month_name = (parts.get("mon") or "").lower()
        month = _MONTHS.get(month_name, 0) if month_name else int(parts["m"] or 0)
        if month_name and not month:
            raise CleaningError(f"{_show(text)} is not a recognised date")
    year = int(parts["y"] or 0)
    if len(parts["y"] or "") == 2:
        year += 2000 if year < 70 else 1900
    try:
        value = date(year, month, day)
    except ValueError as exc:
        raise CleaningError(f"{_show(text)} is not a valid date ({exc}{hint})") from None
    return _checked_year(value, text=text)


def _checked_year(value: date, *, text: str) -> date:
    if not 1900 <= value.year <= 2100:
        raise CleaningError(
            f"{_show(text)} is not a valid date (year {value.year} is out of range)"
        )
    return value


_CURRENCY = r"(?:[A-Za-z]{3}|[A-Za-z]{0,2}\$|[€£¥￥₹₽₩₺₴₪₫฿¢]|元|円|руб\.?|zł|kr\.?)"
_AMOUNT = re.compile(
    rf"(?P<sign>[-−+])?\s*(?:{_CURRENCY}\s*)?(?P<sign2>[-−+])?\s*"
    r"(?P<number>\d[\d.,'’\s]*\d|\d|[.,]\d+)"
    rf"\s*(?:{_CURRENCY})?\s*(?P<trail>[-−])?"
)
_GROUP_SPACES = re.compile(r"[\s'’]")
_CENT = Decimal("0.01")


def parse_amount(raw: str) -> Decimal:
    """Parse a money amount with any decimal and thousands separators into a 2-place Decimal."""
    text = normalise_whitespace(raw)
    inner = text
    negative = inner.startswith("(") and inner.endswith(")")
    if negative:
        inner = inner[1:-1].strip()
    match = _AMOUNT.fullmatch(inner)
    value = _decimal_from(match.group("number")) if match else None
    if match is None or value is None:
        raise CleaningError(f"{_show(text)} is not a valid amount")
    signs = [sign for sign in match.group("sign", "sign2", "trail") if sign]
    if len(signs) > 1 or (signs and negative):
        raise CleaningError(f"{_show(text)} is not a valid amount")
    if signs and signs[0] in "-−":
        negative = True
    if negative:
        value = -value
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _decimal_from(number: str) -> Decimal | None:
    compact = _GROUP_SPACES.sub("", number)
    commas, dots = compact.count(","), compact.count(".")
    if commas and dots:
        decimal_mark = "," if compact.rfind(",") > compact.rfind(".") else "."
    elif commas or dots:
        mark = "," if commas else "."
        head, _, tail = compact.rpartition(mark)
        # One mark followed by exactly three digits groups thousands ("1,234"), except "0,125".
        is_grouping = (commas or dots) > 1 or (len(tail) == 3 and head.strip("0") != "")
        decimal_mark = "" if is_grouping else mark
    else:
        decimal_mark = ""
    if decimal_mark and number.count(decimal_mark) > 1:
        return None
    whole, _, fraction = number.rpartition(decimal_mark) if decimal_mark else (number, "", "")
    groups = re.split(r"[\s'’.,]+", whole) if whole else [""]
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3
        and all(len(group) in (2, 3) for group in groups[1:-1])
        and len(groups[-1]) == 3
    ):
        return None
    digits = "".join(groups) or "0"
    if not (digits.isdigit() and (fraction == "" or fraction.isdigit())):
        return None
    try:
        return Decimal(f"{digits}.{fraction or '0'}")
    except InvalidOperation:
        return None


def parse_tags(raw: str) -> list[str]:
    """Split tags on , ; or | into a sorted list without duplicates (ignoring case)."""
    return _unique_tags(_TAG_SEPARATORS.split(raw))


def _unique_tags(tags: Iterable[str]) -> list[str]:
    kept: dict[str, str] = {}
    for tag in tags:
        text = normalise_whitespace(tag)
        if text:
            kept.setdefault(text.casefold(), text)
    return sorted(kept.values(), key=lambda tag: (tag.casefold(), tag))


def _parse_price(raw: str) -> Decimal:
    value = parse_amount(raw)
    if value < 0:
        raise CleaningError(f"{_show(normalise_whitespace(raw))} is negative")
    return value


def _parse_quantity(raw: str) -> int:
    try:
        value = parse_amount(raw)
    except CleaningError:
        value = None
    if value is None or value <= 0 or value != value.to_integral_value():
        raise CleaningError(f"{_show(normalise_whitespace(raw))} is not a positive whole number")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Cleaning whole frames


def clean_customers(
    df: pd.DataFrame, *, default_country: str = "US", dayfirst: bool = False
) -> CleanResult:
    """Clean a customer table and merge the rows that are the same person."""
    table = _Table(df, ImportKind.CUSTOMERS, default_country=default_country, dayfirst=dayfirst)
    values = table.values
    values["name"] = _compose_name(values["name"], values["first_name"], values["last_name"])
    identifiers = ("name", "email", "phone", "telegram_id")
    present = table.present(identifiers)
    rejections = {
        position: table.messages(position, identifiers) or ["no name, email, phone or Telegram id"]
        for position in np.flatnonzero(~table.empty & ~present)
    }
    kept = np.flatnonzero(~table.empty & present)
    recency = values["updated"].where(values["updated"].notna(), values["created"])
    labels = _components([values[key].iloc[kept] for key in ("telegram_id", "phone", "email")])
    return table.result(
        kept,
        labels,
        rejections,
        recency=[-1 if day is None else day.toordinal() for day in recency.iloc[kept]],
        conflicts=("telegram_id", "phone", "email"),
    )


def clean_products(df: pd.DataFrame) -> CleanResult:
    """Clean a product table and merge rows with the same SKU."""
    table = _Table(df, ImportKind.PRODUCTS)
    identifiers = ("sku", "name")
    present = table.present(identifiers)
    rejections = {
        position: table.messages(position, identifiers) or ["no SKU or product name"]
        for position in np.flatnonzero(~table.empty & ~present)
    }
    kept = np.flatnonzero(~table.empty & present)
    sku = table.values["sku"].iloc[kept]
    labels = _components([sku.where(sku.isna(), sku.str.casefold())])
    return table.result(
        kept, labels, rejections, recency=[0] * len(kept), conflicts=("name", "price")
    )


def clean_order_lines(
    df: pd.DataFrame, *, default_country: str = "US", dayfirst: bool = False
) -> CleanResult:
    """Clean an order-history table of one row per order line."""
    table = _Table(df, ImportKind.ORDERS, default_country=default_country, dayfirst=dayfirst)
    values = table.values
    customer = ("email", "phone", "telegram_id", "customer_name")
    has_customer = table.present(customer)
    has_goods = table.present(("sku", "product_name", "price", "total"))
    has_date = table.present(("date",))
    must_be_valid = ("date", "quantity", "price", "total")
    invalid = np.zeros(len(table.empty), dtype=bool)
    for name in must_be_valid:
        invalid |= table.errors[name].notna().to_numpy()
    rejections: dict[int, list[str]] = {}
    for position in np.flatnonzero(
        ~table.empty & (~has_customer | ~has_goods | ~has_date | invalid)
    ):
        reasons = table.messages(position, must_be_valid)
        if not has_date[position] and not table.messages(position, ["date"]):
            reasons.insert(0, "no order date")
        if not has_customer[position]:
            reasons += table.messages(position, customer) or [
                "no customer email, phone, Telegram id or name"
            ]
        if not has_goods[position]:
            reasons.append("no SKU, product name or amount")
        rejections[position] = reasons
    kept = np.flatnonzero(~table.empty & has_customer & has_goods & has_date & ~invalid)

    quantity = values["quantity"].where(values["quantity"].notna(), 1)
    values["quantity"] = quantity
    computed = [
        None if price is None else (price * count).quantize(_CENT)
        for price, count in zip(values["price"], quantity, strict=True)
    ]
    values["total"] = values["total"].where(
        values["total"].notna(), pd.Series(computed, dtype=object)
    )
    return table.result(
        kept, _exact_repeats(table, kept), rejections, recency=[0] * len(kept), repeats=True
    )


def _compose_name(name: pd.Series, first: pd.Series, last: pd.Series) -> pd.Series:
    first_text, last_text = first.fillna(""), last.fillna("")
    # Chinese, Japanese and Korean names put the family name first, with no space.
    east_asian = first_text.str.contains(_CJK) | last_text.str.contains(_CJK)
    composed = (first_text + " " + last_text).str.strip().where(~east_asian, last_text + first_text)
    composed = composed.where(composed != "", None)
    return name.where(name.notna(), composed).astype(object)


def _exact_repeats(table: _Table, kept: np.ndarray) -> np.ndarray:
    """Label each kept line with the first identical line of the same order ref."""
    labels = np.arange(len(kept))
    with_ref = table.values["order_ref"].iloc[kept].notna().to_numpy()
    if not with_ref.any():
        return labels
    columns = {name: series.iloc[kept].to_numpy() for name, series in table.values.items()}
    columns["_custom"] = np.array(
        [repr(sorted(table.custom[position].items())) for position in kept], dtype=object
    )
    lines = pd.DataFrame(columns, dtype=object)[with_ref]
    if not lines.duplicated().any():
        return labels
    first = (
        pd.Series(lines.index, index=lines.index)
        .groupby([lines[name] for name in lines.columns], sort=False, dropna=False)
        .transform("min")
    )
    labels[first.index.to_numpy()] = first.to_numpy()
    return labels


def _components(keys: list[pd.Series]) -> np.ndarray:
    """Label each row with the first row it shares a key with, directly or through others."""
    size = len(keys[0]) if keys else 0
    labels = np.arange(size)
    while True:
        updated = labels.copy()
        for key in keys:
            present = key.notna().to_numpy()
            if present.sum() < 2:
                continue
            groups = pd.Series(updated[present]).groupby(key.to_numpy()[present])
            updated[present] = groups.transform("min").to_numpy()
        updated = updated[updated]  # jump to the label's label: merges long chains quickly
        if np.array_equal(updated, labels):
            return labels
        labels = updated


class _Table:
    """One frame's fields cleaned column by column, ready to be judged row by row."""

    def __init__(
        self,
        df: pd.DataFrame,
        kind: ImportKind,
        *,
        default_country: str = "US",
        dayfirst: bool = False,
    ) -> None:
        parsers = _parsers(region=_region(default_country), dayfirst=dayfirst)
        # The apostrophes an export put before formula-like cells come off first, so the
        # desk's own export imports as the values it was made from.
        headers = [restore_cell(str(header)) for header in df.columns]
        self.mapping, positions, unknown = _match_positions(headers, kind)
        self.labels = _unique_labels(headers)
        self.row_numbers = _row_numbers(df)
        size = len(df)
        texts = [_restored(_as_text(df.iloc[:, position])) for position in range(df.shape[1])]
        self.values: dict[str, pd.Series] = {}
        self.errors: dict[str, pd.Series] = {}
        empty = np.ones(size, dtype=bool)
        for spec in _FIELDS[kind]:
            if spec.kind is _Kind.IGNORED:
                continue
            if spec.name in positions:
                text = texts[positions[spec.name]]
                values, errors, blank = _clean_column(text, spec.kind, parsers=parsers)
                empty &= blank
            else:
                values, errors = _nothing(size), _nothing(size)
                if spec.kind is _Kind.TAGS:
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
        self.list_fields = [spec.name for spec in _FIELDS[kind] if spec.kind is _Kind.TAGS]
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
                values[name] = _unique_tags(
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
                            f"{name}: kept {_show(str(values[name]))}, dropped "
                            f"{_show(str(other))} from row {row}"
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
    text: pd.Series, kind: _Kind, *, parsers: dict[_Kind, Callable[[str], object]]
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Return (values, error messages, blank mask) for one column; None marks missing."""
    if kind is _Kind.NOTES:
        notes = text.str.replace("\x00", "", regex=False).str.strip()
        blank = (notes == "").to_numpy()
        return notes.where(~blank, None), _nothing(len(text)), blank
    collapsed = text.str.replace("\x00", "", regex=False).str.replace(_SPACE, " ", regex=True)
    collapsed = collapsed.str.strip()
    blank = (collapsed == "").to_numpy()
    if kind in parsers:
        values, errors = _map_unique(collapsed, parsers[kind], blank)
        if kind is _Kind.TAGS:
            values = pd.Series([[] if tags is None else tags for tags in values], dtype=object)
        return values, errors, blank
    values = collapsed.where(~blank, None)
    errors = _nothing(len(text))
    if kind is _Kind.NAME:
        has_case = collapsed.str.isupper() | collapsed.str.islower()
        shouting = has_case & ~collapsed.str.contains(_CJK)
        if shouting.any():
            names, _ = _map_unique(collapsed[shouting], normalise_name, blank[shouting.to_numpy()])
            values[shouting] = names.to_numpy()
    elif kind is _Kind.LANGUAGE:
        code = collapsed.str.fullmatch(_LANGUAGE_CODE)
        values[code] = collapsed[code].str.lower().str.replace("_", "-", regex=False)
    elif kind is _Kind.STATUS:
        values = values.str.lower().where(~blank, None)
    elif kind is _Kind.EMAIL:
        # normalise_email's steps, run on the whole column at once.
        address = collapsed.str.replace(_EMAIL_WRAPPED, r"\1", regex=True)
        address = address.str.replace(_MAILTO, "", regex=True).str.strip().str.lower()
        invalid = ~address.str.fullmatch(_EMAIL_ADDRESS).to_numpy(dtype=bool) & ~blank
        values = address.where(~invalid & ~blank, None)
        errors = _spread([_email_error(raw) for raw in collapsed.to_numpy()[invalid]], invalid)
    return values.astype(object), errors, blank


def _parsers(*, region: str, dayfirst: bool) -> dict[_Kind, Callable[[str], object]]:
    return {
        _Kind.PHONE: functools.partial(normalise_phone, default_country=region),
        _Kind.DATE: functools.partial(parse_date, dayfirst=dayfirst),
        _Kind.TELEGRAM_ID: parse_telegram_id,
        _Kind.AMOUNT: parse_amount,
        _Kind.PRICE: _parse_price,
        _Kind.QUANTITY: _parse_quantity,
        _Kind.TAGS: parse_tags,
        _Kind.USERNAME: parse_telegram_username,
        _Kind.FLAG: parse_flag,
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
