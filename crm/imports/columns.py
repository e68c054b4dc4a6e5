"""Which header feeds which field: each kind of file's fields and the headers they go by."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from crm.imports import ImportKind


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which header feeds each field, and which headers matched nothing."""

    matched: dict[str, str]
    unknown: list[str]


class ValueKind(Enum):
    """How a field's values are cleaned."""

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
class FieldSpec:
    """A field of one kind of file: its name, how it is cleaned, the headers it goes by."""

    name: str
    kind: ValueKind
    aliases: tuple[str, ...]


def _field(name: str, kind: ValueKind, aliases: str) -> FieldSpec:
    return FieldSpec(name, kind, tuple(alias.strip() for alias in aliases.split(",")))


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

FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.CUSTOMERS: (
        _field("name", ValueKind.NAME, _PERSON_NAME),
        _field("first_name", ValueKind.NAME, "First name, Given name, 名"),
        _field("last_name", ValueKind.NAME, "Last name, Surname, Family name, 姓"),
        _field("email", ValueKind.EMAIL, _EMAIL_HEADERS),
        _field("phone", ValueKind.PHONE, _PHONE_HEADERS),
        _field("telegram_id", ValueKind.TELEGRAM_ID, _TELEGRAM_HEADERS),
        _field("company", ValueKind.TEXT, "Company, Organisation, Organization, Business, 公司"),
        _field("city", ValueKind.TEXT, "City, Town, 城市"),
        _field("region", ValueKind.TEXT, "Region, State, Province, County, 省份, 地区"),
        _field("language", ValueKind.LANGUAGE, "Language, Lang, 语言"),
        _field("source", ValueKind.TEXT, "Source, Channel, Lead source, Acquisition channel, 来源"),
        _field("tags", ValueKind.TAGS, "Tags, Tag, Labels, Segment, 标签"),
        _field("notes", ValueKind.NOTES, "Notes, Note, Comment, Comments, Remarks, 备注"),
        _field("created", ValueKind.DATE, "Created, Created at, Signup date, Registered, 注册时间"),
        _field("updated", ValueKind.DATE, "Updated, Updated at, Last updated, Modified, 更新时间"),
        _field("telegram_username", ValueKind.USERNAME, "Telegram username, TG username"),
        _field("subscribed", ValueKind.FLAG, "Subscribed, Opted in, 订阅"),
        # The desk's own customer number, first column of its export: the store numbers its
        # customers itself, so an import reads it as nothing (and not as a custom field).
        _field("crm_id", ValueKind.IGNORED, "CRM id"),
    ),
    ImportKind.PRODUCTS: (
        _field("sku", ValueKind.TEXT, _SKU_HEADERS),
        _field(
            "name",
            ValueKind.TEXT,
            "Name, Product, Product name, Title, Item, Item name, 商品, 商品名称, 名称",
        ),
        _field("category", ValueKind.TEXT, _CATEGORY_HEADERS),
        _field("price", ValueKind.PRICE, "Price, Unit price, Cost, Amount, 价格, 单价"),
    ),
    ImportKind.ORDERS: (
        _field(
            "order_ref",
            ValueKind.TEXT,
            "Order, Order id, Order number, Order no, Order #, Invoice, Invoice number, 订单号",
        ),
        _field(
            "date",
            ValueKind.DATE,
            "Date, Order date, Created, Created at, Purchased at, Purchase date, 日期, 下单时间",
        ),
        # In an order file a bare "Name" is the customer's; products are "Product" or "Item".
        _field("customer_name", ValueKind.NAME, f"{_PERSON_NAME}, Billing name"),
        _field("email", ValueKind.EMAIL, f"{_EMAIL_HEADERS}, Customer email"),
        _field("phone", ValueKind.PHONE, f"{_PHONE_HEADERS}, Customer phone, Billing phone"),
        _field("telegram_id", ValueKind.TELEGRAM_ID, _TELEGRAM_HEADERS),
        _field("sku", ValueKind.TEXT, f"{_SKU_HEADERS}, Product SKU, Lineitem SKU"),
        _field(
            "product_name",
            ValueKind.TEXT,
            "Product, Product name, Title, Item, Item name, Lineitem name, 商品, 商品名称, 名称",
        ),
        _field("category", ValueKind.TEXT, f"{_CATEGORY_HEADERS}, Product category"),
        _field(
            "quantity", ValueKind.QUANTITY, "Qty, Quantity, Count, Units, Lineitem quantity, 数量"
        ),
        _field("price", ValueKind.AMOUNT, "Unit price, Price, Lineitem price, 单价, 价格"),
        _field("total", ValueKind.AMOUNT, "Total, Line total, Amount, Sum, 金额, 总价"),
        _field("status", ValueKind.STATUS, "Status, Order status, 状态"),
    ),
}

_IGNORED_IN_HEADERS = re.compile(r"[\s_.\-]+")


def _header_key(header: str) -> str:
    return _IGNORED_IN_HEADERS.sub("", header.casefold())


def _alias_index(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in fields:
        for alias in (spec.name, *spec.aliases):
            key = _header_key(alias)
            if index.setdefault(key, spec.name) != spec.name:
                raise AssertionError(f"alias {alias!r} names both {index[key]} and {spec.name}")
    return index


_ALIASES = {kind: _alias_index(fields) for kind, fields in FIELDS.items()}


def match_columns(headers: Sequence[str], kind: ImportKind | str) -> ColumnMapping:
    """Map a table's headers to the kind's fields by name and common aliases.

    An order file is read one order line per row, so "order_lines" names its table too.
    """
    kind = ImportKind.ORDERS if kind == "order_lines" else ImportKind(kind)
    mapping, _, _ = match_positions(headers, kind)
    return mapping


def match_positions(
    headers: Sequence[str], kind: ImportKind
) -> tuple[ColumnMapping, dict[str, int], dict[str, int]]:
    aliases = _ALIASES[kind]
    matched: dict[str, str] = {}
    positions: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for position, label in enumerate(unique_labels(headers)):
        canonical = aliases.get(_header_key(label))
        if canonical is not None and canonical not in matched:
            matched[canonical] = label
            positions[canonical] = position
        else:
            unknown[label] = position
    return ColumnMapping(matched=matched, unknown=list(unknown)), positions, unknown


def unique_labels(headers: Sequence[str]) -> list[str]:
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
