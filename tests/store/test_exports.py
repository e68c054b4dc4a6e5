"""Exports: every table as CSV, formula-safe, streamed in batches, audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crm.errors import InvalidInput
from crm.imports import ImportKind
from crm.imports.exports import ExportKind, export_csv, parse_export_kind, write_csv
from crm.imports.pipeline import import_file
from crm.models import (
    AuditEntry,
    Customer,
    DealStage,
    Order,
    TicketKind,
)
from tests.factories import (
    make_customer,
    make_deal,
    make_open_ticket,
    make_order,
    make_order_line,
    make_product,
    make_staff,
)

DANGEROUS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3",
             "@SUM(1)", "\t=1+1", "\r=1+1"]  # fmt: skip


async def exported(kind: ExportKind, *, batch_rows: int = 2_000) -> list[dict[str, str]]:
    out = io.StringIO()
    await write_csv(kind=kind, stream=out, batch_rows=batch_rows)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def test_cells_a_spreadsheet_would_run_are_neutralised(store) -> None:
    for name in DANGEROUS:
        await make_customer(name, notes=name, custom={"Ref": name})
    await make_customer("Ann", city="a=b", phone="+14155552671", tags=["=x", "vip"])

    rows = await exported(ExportKind.CUSTOMERS)

    for row, name in zip(rows, DANGEROUS, strict=False):
        assert row["first_name"] == "'" + name
        assert row["notes"] == "'" + name
        assert row["Ref"] == "'" + name  # custom fields too
    ann = rows[-1]
    assert ann["first_name"] == "Ann" and ann["city"] == "a=b"  # nothing else is touched
    assert ann["phone"] == "'+14155552671"  # a spreadsheet would also turn it into a number
    assert ann["tags"] == "'=x; vip"
    assert ann["Ref"] == ""


async def test_custom_fields_become_sorted_columns(store) -> None:
    await make_customer("A", custom={"Loyalty": "gold", "city": "x"})
    await make_customer("B", custom={"Birthday": "05-03"})
    await make_customer("C")

    out = io.StringIO()
    await write_csv(kind=ExportKind.CUSTOMERS, stream=out, batch_rows=1)
    header, *rows = list(csv.reader(io.StringIO(out.getvalue())))

    assert header[-3:] == ["Birthday", "city (custom)", "Loyalty"]
    assert [row[-3:] for row in rows] == [["", "x", "gold"], ["05-03", "", ""], ["", "", ""]]


async def test_exports_stream_every_row_in_id_order_across_batches(store) -> None:
    ids = [(await make_customer(f"C{n}")).id for n in range(7)]

    rows = await exported(ExportKind.CUSTOMERS, batch_rows=3)

    assert [int(row["crm_id"]) for row in rows] == ids


async def test_tickets_orders_and_deals_export_with_their_people(store, tmp_path: Path) -> None:
    anna = await make_staff("@Anna", telegram_id=7001)
    ann = await make_customer("+Ann", email="ann@x.com")
    await make_open_ticket(ann, kind=TicketKind.COMPLAINT, subject="=cmd()", assignee=anna)
    await make_open_ticket(ann, subject="hello")
    mug = await make_product("AB-1", "Mug", category="Kitchen")
    order = await make_order(
        ann,
        external_ref="1001",
        ordered_at=datetime(2024, 3, 5, tzinfo=UTC),
        total=Decimal("-10.00"),
        status="refunded",
    )
    await make_order_line(
        order, product=mug, product_name="Mug", quantity=1, total=Decimal("-10.00")
    )
    await make_deal(
        ann, title="-2+3", value=Decimal("1200.50"), owner=anna, stage=DealStage.PROPOSAL
    )

    tickets = await exported(ExportKind.TICKETS)
    orders = await exported(ExportKind.ORDERS)
    deals = await exported(ExportKind.DEALS)

    assert [
        (t["customer_first_name"], t["kind"], t["subject"], t["assignee"]) for t in tickets
    ] == [
        ("'+Ann", "complaint", "'=cmd()", "'@Anna"),
        ("'+Ann", "inquiry", "hello", ""),
    ]
    (line,) = orders
    assert (line["order_ref"], line["date"], line["email"], line["sku"], line["category"]) == (
        "1001", "2024-03-05 00:00:00+00:00", "ann@x.com", "AB-1", "Kitchen"
    )  # fmt: skip
    # Numbers the desk formats are numbers, refunds included: not prefixed.
    assert (line["total"], line["order_total"], line["status"]) == ("-10.00", "-10.00", "refunded")
    (deal,) = deals
    assert (deal["title"], deal["stage"], deal["value"], deal["owner_telegram_id"]) == (
        "'-2+3", "proposal", "1200.50", "7001"
    )  # fmt: skip


async def test_an_export_file_is_audited_and_reimports_as_the_same_orders(
    store, tmp_path: Path
) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(
        "Order,Date,Email,SKU,Product,Qty,Unit price\n"
        "7,2024-03-05,ann@x.com,AB-1,Mug,2,4.50\n"
        "7,2024-03-05,ann@x.com,TEA,Tea,1,3\n",
        encoding="utf-8",
    )
    await import_file(kind=ImportKind.ORDERS, path=source)

    result = await export_csv(kind=ExportKind.ORDERS, path=tmp_path / "out.csv",
                              actor_telegram_id=9001)  # fmt: skip
    again = await import_file(kind=ImportKind.ORDERS, path=result.path)

    assert result.rows == 2
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    entry = await AuditEntry.get(action="export.orders")
    assert (entry.actor_telegram_id, entry.details) == (9001, {"rows": 2})
    assert again.counts()["updated"] == 2 and again.changed == 0
    assert await Order.all().count() == 1


# LF, CR, TAB, NBSP, zero-width and bidi marks, word joiner, BOM, ideographic space; TAB/CR alone.
HIDDEN_STARTS = ["\n=1+1", "\r\n=1+1", "\t=1+1", "\xa0=1+1", "\u200b=1+1", "\u200c+1",
                 "\u200d-1", "\u2060@SUM(1)", "\ufeff=1+1", "\u3000=1+1", "\u202e=1+1",
                 "\tplain", "\rplain"]  # fmt: skip


async def test_formulas_behind_invisible_characters_are_neutralised_in_every_export(
    store,
) -> None:
    mug = await make_product("MUG", "Mug")
    for n, text in enumerate(HIDDEN_STARTS):
        person = await make_customer(text, city=text, custom={"Ref": text})
        await make_open_ticket(person, subject=text, topic=text)
        await make_deal(person, title=text)
        order = await make_order(
            person, external_ref=f"{text}{n}", ordered_at=datetime(2024, 3, 5, tzinfo=UTC)
        )
        await make_order_line(order, product=mug, product_name=text, quantity=1)

    customers = await exported(ExportKind.CUSTOMERS)
    tickets = await exported(ExportKind.TICKETS)
    deals = await exported(ExportKind.DEALS)
    orders = await exported(ExportKind.ORDERS)

    expected = ["'" + text for text in HIDDEN_STARTS]
    assert [row["first_name"] for row in customers] == expected
    assert [row["city"] for row in customers] == expected
    assert [row["Ref"] for row in customers] == expected
    assert [row["subject"] for row in tickets] == expected
    assert [row["topic"] for row in tickets] == expected
    assert [row["customer_first_name"] for row in tickets] == expected
    assert [row["title"] for row in deals] == expected
    assert [row["customer_first_name"] for row in deals] == expected
    assert [row["product_name"] for row in orders] == expected
    assert [row["order_ref"] for row in orders] == [f"'{t}{n}" for n, t in enumerate(HIDDEN_STARTS)]


# What makes a person the same person after a round trip through a spreadsheet file.
PERSON = ("telegram_id", "first_name", "last_name", "username", "language_code", "phone",
          "email", "company", "city", "region", "source", "tags", "notes", "custom",
          "subscribed")  # fmt: skip


async def tricky_customers() -> None:
    """Store people whose values a spreadsheet would run, or that look already neutralised."""
    await make_customer(
        "=Ann", last_name="+Lee", telegram_id=5001, username="ann_lee", language_code="zh-hans",
        phone="+14155552671", email="-ann@x.com", company="+Acme", city="@home",
        source="-referral", tags=["+1", "=SUM(A1)", "vip", "老客户"],
        notes="=1+1\nsecond line", custom={"=k": "-1", "Loyalty": "@gold", "Ref": "'=already"},
        subscribed=False,
    )  # fmt: skip
    await make_customer(
        "@Bo", email="+bo@x.com", phone="+447911123456", tags=["-vip"],
        custom={"Loyalty": "\u200b=HYPERLINK(\"http://x\")", "Note": "'twas"},
    )  # fmt: skip
    await make_customer("'=Quoted", phone="+8613812345678", region="=region", custom={"Ref": "'"})
    await make_customer("王小明", city="上海", tags=["老客户"])
    await make_customer("O'Brien", email="ob@x.com", last_name="-Smith")


async def people() -> list[tuple[object, ...]]:
    rows = await Customer.all().order_by("first_name").values(*PERSON, "created_at")
    return [(*(row[name] for name in PERSON), row["created_at"].date()) for row in rows]


async def test_the_desk_s_own_export_reimports_as_the_same_people(store, tmp_path: Path) -> None:
    await tricky_customers()
    before = await Customer.all().order_by("id").values()
    people_before = await people()
    export = await export_csv(kind=ExportKind.CUSTOMERS, path=tmp_path / "customers.csv")
    raw = export.path.read_text(encoding="utf-8-sig")
    assert "'=Ann" in raw and "''=Quoted" in raw and "'+14155552671" in raw  # safe to open

    again = await import_file(kind=ImportKind.CUSTOMERS, path=export.path)

    assert again.counts() == {"rows": 5, "created": 0, "updated": 5, "merged": 0, "rejected": 0}
    assert (again.changed, again.warnings) == (0, [])
    assert await Customer.all().order_by("id").values() == before  # not one field moved

    # Into a store without them: the same people again, phones in E.164.
    await Customer.all().delete()
    fresh = await import_file(kind=ImportKind.CUSTOMERS, path=export.path)

    assert fresh.counts()["created"] == 5 and fresh.warnings == []
    assert await people() == people_before
    phones = await Customer.exclude(phone=None).order_by("id").values_list("phone", flat=True)
    assert phones == ["+14155552671", "+447911123456", "+8613812345678"]


async def test_reimporting_an_export_keeps_names_as_telegram_gave_them(
    store, tmp_path: Path
) -> None:
    await make_customer("ann", telegram_id=1, email="ann@x.com")  # one case: the cleaning titles it
    await make_customer("SAM", last_name="LEE", telegram_id=2)
    await make_customer("小明", last_name="王", telegram_id=3)  # written 王小明
    before = await Customer.all().order_by("id").values()
    export = await export_csv(kind=ExportKind.CUSTOMERS, path=tmp_path / "customers.csv")

    again = await import_file(kind=ImportKind.CUSTOMERS, path=export.path)

    assert (again.counts()["updated"], again.changed) == (3, 0)
    assert await Customer.all().order_by("id").values() == before


def test_unknown_export_kinds_explain_the_choices() -> None:
    assert parse_export_kind(" Tickets ") is ExportKind.TICKETS
    with pytest.raises(InvalidInput, match="choose one of customers, tickets, orders, deals"):
        parse_export_kind("passwords")
