"""Records on the store: imports with exact outcomes, idempotent re-imports, merges, links."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crm import audit
from crm.customers.linking import link_telegram, link_telegram_by_phone
from crm.customers.merge import merge_customers
from crm.customers.profiles import register_customer
from crm.errors import CustomerNotFound, InvalidInput
from crm.imports import ImportKind
from crm.imports.pipeline import import_file, rejects_csv
from crm.imports.report import ImportReport, RowOutcome
from crm.models import (
    AuditEntry,
    Customer,
    Deal,
    FollowUpTask,
    Message,
    NpsResponse,
    Order,
    OrderLine,
    Product,
    Rating,
    Survey,
    Ticket,
)
from tests.factories import (
    make_customer,
    make_deal,
    make_follow_up,
    make_message,
    make_nps,
    make_open_ticket,
    make_order,
    make_profile,
    make_rating,
    make_survey,
)

DATA = Path(__file__).parents[1] / "data" / "import"
MESSY = DATA / "customers_messy.csv"


def rows_by_outcome(report: ImportReport) -> dict[str, list[int]]:
    """Group row numbers by outcome, each list in file order."""
    grouped: dict[str, list[int]] = {outcome.value: [] for outcome in RowOutcome}
    for row, outcome in sorted(report.outcomes.items()):
        grouped[outcome.value].append(row)
    return grouped


def assert_every_row_accounted(report: ImportReport, rows: int) -> None:
    counts = report.counts()
    assert counts["rows"] == rows
    assert counts["created"] + counts["updated"] + counts["merged"] + counts["rejected"] == rows
    assert sorted(report.outcomes) == list(range(1, rows + 1))


async def customers_table() -> list[dict[str, object]]:
    """Every stored customer, every column: two equal tables mean an identical store."""
    return await Customer.all().order_by("id").values()


async def one(**filters: object) -> Customer:
    return await Customer.get(**filters)


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- the messy customer file ---------------------------------------------------------------------


async def test_messy_file_import_accounts_for_every_row_with_exact_records(store) -> None:
    report = await import_file(kind=ImportKind.CUSTOMERS, path=MESSY)

    assert report.counts() == {"rows": 20, "created": 10, "updated": 0, "merged": 5,
                               "rejected": 5}  # fmt: skip
    assert_every_row_accounted(report, 20)
    assert rows_by_outcome(report) == {
        "created": [1, 2, 6, 8, 9, 10, 12, 15, 18, 20],
        "updated": [],
        "merged": [3, 4, 13, 17, 19],
        "rejected": [5, 7, 11, 14, 16],
    }
    assert [(r.row_number, r.reason) for r in report.rejected] == [
        (5, "empty row"),
        (7, 'email: "not-an-email" is not a valid email address'),
        (11, "empty row"),
        (14, "no name, email, phone or Telegram id"),
        (16, 'telegram_id: "@johnny" is a Telegram username, not a numeric id'),
    ]
    assert await Customer.all().count() == 10

    john = await one(email="john.oneil@example.com")
    assert (john.first_name, john.last_name) == ("John O'Neil", None)
    assert (john.phone, john.telegram_id, john.city) == ("+14155552671", 123456789,
                                                          "San Francisco")  # fmt: skip
    assert john.tags == ["b2b", "newsletter", "vip"]
    assert john.custom == {"Loyalty level": "Gold"}
    assert john.notes == "moved to Oakland"
    assert john.created_at == datetime(2024, 6, 1, tzinfo=UTC)  # the file's signup date

    mary = await one(phone="+442079460958")
    assert (mary.first_name, mary.city, mary.email) == ("Mary-Jane Smith", "London",
                                                         "mary@example.org")  # fmt: skip
    wang = await one(email="wang@example.cn")
    assert (wang.first_name, wang.city, wang.tags) == ("王小明", "北京", ["VIP", "老客户"])
    li = await one(first_name="李雷")
    assert (li.phone, li.city) == (None, "上海")  # the Chinese mobile read as US was dropped
    bob = await one(first_name="Bob Stone")
    assert (bob.email, bob.city) == (None, "Paris")
    # Nothing is forward-filled: row 10 has only a phone, not row 9's city.
    phone_only = await one(phone="+12125550147")
    assert (phone_only.first_name, phone_only.city, phone_only.tags, phone_only.custom) == (
        "", None, [], {}
    )  # fmt: skip
    alice = await one(email="alice@example.com")
    assert (alice.telegram_id, alice.city) == (987650000, "Toronto")
    assert (await one(email="ronald@mcd.example")).notes == "Line one\r\nline two"
    assert (await one(email="carl@example.com")).telegram_id is None

    entry = await AuditEntry.get(action="import.customers")
    assert entry.details["counts"] == report.counts()
    assert entry.subject == "customers_messy.csv"


def test_rejects_csv_lists_the_rows_with_reasons_as_read() -> None:
    from crm.imports.report import RejectedRow

    data = rejects_csv(
        [
            RejectedRow(7, "email: bad", {"Name": "", "Email": "not-an-email"}),
            RejectedRow(2, "empty row", {"Name": " ", "Email": "", "Extra": "=1+1"}),
        ]
    )

    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["row", "reason", "Name", "Email", "Extra"],
        ["2", "empty row", " ", "", "'=1+1"],
        ["7", "email: bad", "", "not-an-email", ""],
    ]


async def test_the_rejected_rows_file_is_neutralised_like_an_export(store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "hostile.csv",
        'Name,Email,"=HYPERLINK(""http://evil.example"",""click"")",Loyalty\n'
        ',,"=HYPERLINK(""http://evil.example"",""x"")",\n'
        ',bob@@x,,"\n=1+1"\n'
        ",,,\"\u200b+cmd|' /C calc'!A0\"\n"
        ',,,"\u3000@SUM(1)"\n',
    )

    report = await import_file(kind=ImportKind.CUSTOMERS, path=path)
    rows = list(csv.reader(io.StringIO(rejects_csv(report.rejected).decode("utf-8-sig"))))

    nothing = "no name, email, phone or Telegram id"
    link = 'HYPERLINK("http://evil.example"'
    assert rows == [
        ["row", "reason", "Name", "Email", f"'={link},\"click\")", "Loyalty"],
        ["1", nothing, "", "", f"'={link},\"x\")", ""],
        ["2", 'email: "bob@@x" is not a valid email address', "", "bob@@x", "", "'\n=1+1"],
        ["3", nothing, "", "", "", "'\u200b+cmd|' /C calc'!A0"],
        ["4", nothing, "", "", "", "'\u3000@SUM(1)"],
    ]  # fmt: skip


async def test_an_import_keeps_opt_outs_and_fills_only_missing_usernames(
    store, tmp_path: Path
) -> None:
    await make_customer("Stopped", email="s@x.com", subscribed=False)
    await make_customer("Linked", email="l@x.com", username="real_name")
    path = write(
        tmp_path / "people.csv",
        "Email,Telegram username,Subscribed\n"
        "s@x.com,@stopped_one,yes\n"  # yes never re-subscribes: only their own /start does
        "l@x.com,old_name,no\n"  # Telegram owns the username; the opt-out is kept
        "n@x.com,new_one,false\n"
        "w@x.com,not a name,maybe\n",
    )

    report = await import_file(kind=ImportKind.CUSTOMERS, path=path)

    people = {c.email: (c.username, c.subscribed) for c in await Customer.all()}
    assert people == {
        "s@x.com": ("stopped_one", False),
        "l@x.com": ("real_name", False),
        "n@x.com": ("new_one", False),
        "w@x.com": (None, True),
    }
    assert report.warnings == [
        'row 4: telegram_username: "not a name" is not a Telegram username; value dropped',
        'row 4: subscribed: "maybe" is not yes or no; value dropped',
    ]
    assert await Customer.all().count() == 4  # the two stored people were updated, not doubled


async def test_reimporting_the_same_file_changes_nothing(store) -> None:
    await import_file(kind=ImportKind.CUSTOMERS, path=MESSY)
    before = await customers_table()

    again = await import_file(kind=ImportKind.CUSTOMERS, path=MESSY)

    assert again.counts() == {"rows": 20, "created": 0, "updated": 10, "merged": 5,
                              "rejected": 5}  # fmt: skip
    assert again.changed == 0
    assert await customers_table() == before  # updated_at included: not one row was written


async def test_small_chunks_give_the_same_outcomes_and_records(store, tmp_path: Path) -> None:
    # Row 12 and row 13 (the same Alice) land in different chunks: the store lookup must
    # catch the second, and the newer row must win as it does within one chunk.
    report = await import_file(kind=ImportKind.CUSTOMERS, path=MESSY, chunk_rows=4)

    assert report.counts() == {"rows": 20, "created": 10, "updated": 0, "merged": 5,
                               "rejected": 5}  # fmt: skip
    assert rows_by_outcome(report)["merged"] == [3, 4, 13, 17, 19]
    chunked = [
        (c.first_name, c.phone, c.email, c.telegram_id, c.city, c.tags, c.custom, c.notes)
        for c in await Customer.all().order_by("id")
    ]
    await Customer.all().delete()
    await import_file(kind=ImportKind.CUSTOMERS, path=MESSY)
    whole = [
        (c.first_name, c.phone, c.email, c.telegram_id, c.city, c.tags, c.custom, c.notes)
        for c in await Customer.all().order_by("id")
    ]
    assert chunked == whole


# --- a second messy file, against customers already in the store --------------------------------

AGAINST_STORE = (
    "Name,Email,Phone,Telegram ID,City,Tags,Updated,Segment code\r\n"
    "alice doe,,,501,Berlin,vip,,A1\r\n"  # 1: the Telegram customer, found by id
    '"Zoë Müller",ZOE@X.DE,,,München,,2020-01-01,\r\n'  # 2: older than the store: fills only
    "Dup Person,dup@x.com,(415) 555-0100,,,,,\r\n"  # 3: email of one customer, phone of another
    "Eve,eve@x.com,,999,,,,\r\n"  # 4: new
    "EVE,Eve@X.com,,,,,,\r\n"  # 5: row 4 again
    ",,,,,,,\r\n"  # 6: empty
    "Trudy,trudy@x.com,,abc,,,,\r\n"  # 7: bad Telegram id dropped, row kept
    "陈杰,chen@x.cn,+86 139 1234 5678,,上海,老客户;VIP,,\r\n"  # 8
    "Bad Date,bad@x.com,,,,,2024-13-45,\r\n"  # 9: impossible date dropped
    "Vic,vic@@x.com,,,,,,\r\n"  # 10: bad email dropped, the name is enough
    ",not-an-email,,,,,,\r\n"  # 11: nothing usable
    "Telegram Other,,,777,,,,\r\n"  # 12: another Telegram customer
    "Alice Doe,alice@doe.com,,888,,,,\r\n"  # 13: Alice by email, with another Telegram id
)


async def test_import_against_the_store_updates_merges_and_never_relinks(
    store, tmp_path: Path
) -> None:
    alice, _ = await register_customer(profile=make_profile(501, "Alice", last_name="Doe"))
    alice.email = "alice@doe.com"
    await alice.save()
    ticket = await make_open_ticket(alice)
    zoe = await make_customer("", email="zoe@x.de", city="Köln")
    by_phone = await make_customer("P", phone="+14155550100")
    by_email = await make_customer("E", email="dup@x.com", city="Oslo")
    await make_order(by_email, ordered_at=datetime(2024, 1, 1, tzinfo=UTC), total=5)
    other, _ = await register_customer(profile=make_profile(777, "Other", last_name=None))
    path = write(tmp_path / "crm-export.csv", AGAINST_STORE)

    report = await import_file(kind=ImportKind.CUSTOMERS, path=path)

    assert report.counts() == {"rows": 13, "created": 5, "updated": 4, "merged": 2,
                               "rejected": 2}  # fmt: skip
    assert rows_by_outcome(report) == {
        "created": [4, 7, 8, 9, 10],
        "updated": [1, 2, 3, 12],
        "merged": [5, 13],
        "rejected": [6, 11],
    }
    assert report.extra == {"store_merges": 1}
    assert await Customer.all().count() == 9  # 6 stored - 1 merged away + 5 new

    await alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.city, alice.tags) == (
        "Alice", "Doe", "Berlin", ["vip"]
    )  # fmt: skip
    assert alice.telegram_id == 501  # row 13's 888 was not applied...
    assert any("an import never replaces a linked Telegram id" in w for w in report.warnings)
    assert alice.custom == {"Segment code": "A1"}
    assert await Ticket.filter(customer=alice).count() == 1 and ticket.customer_id == alice.id

    await zoe.refresh_from_db()
    assert (zoe.first_name, zoe.city) == ("Zoë Müller", "Köln")  # older row: filled the gap only

    merged = await Customer.get(email="dup@x.com")
    assert merged.id == by_phone.id  # the older of the two stays
    assert (merged.phone, merged.first_name, merged.city) == ("+14155550100", "Dup Person",
                                                              "Oslo")  # fmt: skip
    assert not await Customer.exists(id=by_email.id)
    assert await Order.filter(customer=merged).count() == 1

    assert (await Customer.get(email="eve@x.com")).telegram_id == 999
    assert (await Customer.get(email="trudy@x.com")).telegram_id is None
    chen = await Customer.get(email="chen@x.cn")
    assert (chen.first_name, chen.phone, chen.tags) == ("陈杰", "+8613912345678", ["VIP", "老客户"])
    assert (await Customer.get(first_name="Vic")).email is None
    await other.refresh_from_db()
    assert other.first_name == "Telegram Other"
    assert report.warnings[:1] == ['row 7: telegram_id: "abc" is not a numeric Telegram id; '
                                   "value dropped"]  # fmt: skip

    again = await import_file(kind=ImportKind.CUSTOMERS, path=path)
    assert (again.counts()["created"], again.changed) == (0, 0)


async def test_a_dated_row_newer_than_the_store_replaces_values(store, tmp_path: Path) -> None:
    customer = await make_customer("Ann", email="ann@x.com", city="Rome")
    path = write(tmp_path / "new.csv", "Email;City;Updated\nann@x.com;Milan;2100-01-01\n")

    report = await import_file(kind=ImportKind.CUSTOMERS, path=path)

    await customer.refresh_from_db()
    assert (report.changed, customer.city) == (1, "Milan")


async def test_same_name_rows_pair_with_stored_namesakes_one_to_one(store, tmp_path: Path) -> None:
    path = write(tmp_path / "names.csv", "Name,City\nJohn Smith,Rome\nJOHN SMITH,Oslo\n")

    first = await import_file(kind=ImportKind.CUSTOMERS, path=path)
    second = await import_file(kind=ImportKind.CUSTOMERS, path=path)

    assert first.counts()["created"] == 2  # a name alone does not make two rows one person
    assert (second.counts()["updated"], second.changed) == (2, 0)
    assert sorted(await Customer.all().values_list("city", flat=True)) == ["Oslo", "Rome"]


# --- products ------------------------------------------------------------------------------------

PRODUCTS = (
    "SKU,Product,Category,Price\n"
    "AB-1,Mug,Kitchen,$4.50\n"
    ",Loose tea,,-3\n"
    'ab-1,"Mug, large",,"4,99 €"\n'
    ",,Kitchen,2\n"
    "Z9,  IPHONE  case ,,twelve\n"
)


async def test_products_import_merges_by_sku_and_reimports_cleanly(store, tmp_path: Path) -> None:
    path = write(tmp_path / "products.csv", PRODUCTS)

    report = await import_file(kind=ImportKind.PRODUCTS, path=path)
    again = await import_file(kind=ImportKind.PRODUCTS, path=path)

    assert rows_by_outcome(report) == {
        "created": [1, 2, 5], "updated": [], "merged": [3], "rejected": [4]
    }  # fmt: skip
    products = await Product.all().order_by("id").values_list("sku", "name", "category", "price")
    assert products[0] == ("ab-1", "Mug, large", "Kitchen", Decimal("4.99"))
    assert products[1][1:] == ("Loose tea", None, None) and products[1][0].startswith("LOOSE-TEA-")
    assert products[2] == ("Z9", "IPHONE case", None, None)
    assert again.counts() == {"rows": 5, "created": 0, "updated": 3, "merged": 1, "rejected": 1}
    assert again.changed == 0

    price_change = write(tmp_path / "prices.csv", "sku,price\nAB-1,5.25\n")
    changed = await import_file(kind=ImportKind.PRODUCTS, path=price_change)
    assert (changed.counts()["updated"], changed.changed) == (1, 1)
    assert await Product.get(sku="ab-1").values_list("price", flat=True) == Decimal("5.25")


# --- orders --------------------------------------------------------------------------------------

ORDERS = (
    "Order #,Date,Customer,Email,Phone,SKU,Product,Category,Qty,Unit price,Total,Status\n"
    "1001,2024-03-05,Ann Lee,Ann@X.com,,AB-1,Mug,Kitchen,2,4.50,,PAID\n"
    '1001,2024-03-05,Ann Lee,ann@x.com,,TEA-9,Green tea,Tea,1,"12,00",,paid\n'
    '1001,2024-03-05,Ann Lee,ann@x.com,,TEA-9,Green tea,Tea,1,"12,00",,paid\n'
    "1002,2024-02-30,Bob,bob@x.com,,AB-1,,,1,,,\n"
    ",2024-03-08,Cy Young,,(415) 555-2671,,Gift card,,1,,25,\n"
    ",2024-03-08,Cy Young,,(415) 555-2671,AB-1,,,3,4.50,,\n"
    "1003,01.04.2024,Dee,dee@x.com,,ab-1,,,1,,,refunded\n"
)


async def orders_table() -> list[tuple[object, ...]]:
    orders = await Order.all().order_by("id").prefetch_related("lines", "customer")
    return [
        (
            order.external_ref,
            order.customer.email or order.customer.phone,
            order.ordered_at.date(),
            order.status,
            order.total,
            sorted(
                (line.product_name, line.quantity, line.price, line.total) for line in order.lines
            ),
        )
        for order in orders
    ]


async def test_orders_import_groups_lines_totals_and_reimports_without_duplicates(
    store, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.csv", ORDERS)

    report = await import_file(kind=ImportKind.ORDERS, path=path)

    assert rows_by_outcome(report) == {
        "created": [1, 2, 5, 6, 7], "updated": [], "merged": [3], "rejected": [4]
    }  # fmt: skip
    assert report.rejected[0].reason == (
        'date: "2024-02-30" is not a valid date (day is out of range for month)'
    )
    assert report.extra == {"orders_created": 3, "orders_updated": 0, "customers_created": 3,
                            "products_created": 3}  # fmt: skip
    four_fifty, twelve = Decimal("4.50"), Decimal("12.00")
    assert await orders_table() == [
        ("1001", "ann@x.com", date(2024, 3, 5), "paid", Decimal("21.00"),
         [("Green tea", 1, twelve, twelve), ("Mug", 2, four_fifty, Decimal("9.00"))]),
        # No order ref: the lines of one customer on one day are one order.
        (None, "+14155552671", date(2024, 3, 8), "completed", Decimal("38.50"),
         [("Gift card", 1, None, Decimal("25.00")), ("Mug", 3, four_fifty, Decimal("13.50"))]),
        # Only a SKU and a quantity: the catalogue's name and price.
        ("1003", "dee@x.com", date(2024, 4, 1), "refunded", four_fifty,
         [("Mug", 1, four_fifty, four_fifty)]),
    ]  # fmt: skip
    assert await Product.filter(sku="AB-1").count() == 1  # "ab-1" is the same product
    cy = await Customer.get(phone="+14155552671")
    assert cy.first_name == "Cy Young"
    line_ids = await OrderLine.all().order_by("id").values_list("id", flat=True)

    again = await import_file(kind=ImportKind.ORDERS, path=path)

    assert again.counts() == {"rows": 7, "created": 0, "updated": 5, "merged": 1, "rejected": 1}
    assert again.changed == 0
    assert (await Order.all().count(), await Customer.all().count()) == (3, 3)
    assert await OrderLine.all().order_by("id").values_list("id", flat=True) == line_ids

    edited = write(tmp_path / "orders-edited.csv", ORDERS.replace(",2,4.50,,PAID", ",3,4.50,,PAID"))
    edited.write_text("\n".join(edited.read_text().splitlines()[:2]) + "\n")  # tea is gone
    changed = await import_file(kind=ImportKind.ORDERS, path=edited)
    assert changed.changed == 1
    first = (await orders_table())[0]
    assert first[4:] == (Decimal("13.50"), [("Mug", 3, four_fifty, Decimal("13.50"))])
    assert await OrderLine.all().count() == 4  # the tea line was removed, nothing else


async def test_orders_spread_over_chunks_equal_a_whole_file_import(store, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.csv", ORDERS)

    await import_file(kind=ImportKind.ORDERS, path=path, chunk_rows=2)
    chunked = await orders_table()
    again = await import_file(kind=ImportKind.ORDERS, path=path, chunk_rows=2)

    assert chunked[0][4] == Decimal("21.00") and len(chunked) == 3
    assert again.changed == 0 and await orders_table() == chunked


async def test_order_customers_are_found_by_identifier_or_a_unique_name(
    store, tmp_path: Path
) -> None:
    ann = await make_customer("Ann", last_name="Lee", email="ann@x.com")
    await make_customer("Sam Twin")
    await make_customer("Sam Twin")
    lee = await make_customer("Solo Lee")
    path = write(
        tmp_path / "orders.csv",
        "Order,Date,Name,Email,Total\n"
        "A1,2024-01-02,Whoever,ANN@x.com,10\n"
        "A2,2024-01-02,solo lee,,20\n"
        "A3,2024-01-02,Sam Twin,,30\n",
    )

    report = await import_file(kind=ImportKind.ORDERS, path=path)

    assert rows_by_outcome(report)["rejected"] == [3]
    assert report.rejected[0].reason == (
        'customer name "Sam Twin" matches 2 customers; add their email, phone or Telegram id'
    )
    assert report.rejected[0].raw["Order"] == "A3"
    assert await Order.get(external_ref="A1").values_list("customer_id", flat=True) == ann.id
    assert await Order.get(external_ref="A2").values_list("customer_id", flat=True) == lee.id
    assert report.extra["customers_created"] == 0


# --- merging -------------------------------------------------------------------------------------


async def test_merge_moves_everything_fills_gaps_and_is_audited(store) -> None:
    keep = await make_customer("Ann", email="ann@x.com", tags=["vip"], custom={"tier": "gold"})
    drop, _ = await register_customer(profile=make_profile(4242, "Annie", username="annie"))
    drop.phone, drop.city, drop.tags = "+14155552671", "Rome", ["VIP", "b2b"]
    drop.custom = {"tier": "silver", "since": "2019"}
    await drop.save()
    ticket = await make_open_ticket(drop)
    await make_message(ticket, text="hello")
    rating = await make_rating(ticket, score=5)
    await make_survey(ticket)
    await make_nps(drop, score=9)
    await make_order(drop, ordered_at=datetime(2024, 1, 2, tzinfo=UTC), total=12)
    deal = await make_deal(drop, title="Upgrade", value=100)
    await make_follow_up(customer=drop, deal=deal, due=date(2024, 1, 3))

    result = await merge_customers(keep_id=keep.id, drop_id=drop.id, actor_telegram_id=9001)

    assert result.moved == {"deals": 1, "nps_responses": 1, "orders": 1, "ratings": 1,
                            "surveys": 1, "tasks": 1, "tickets": 1}  # fmt: skip
    assert not await Customer.exists(id=drop.id)
    await keep.refresh_from_db()
    assert keep.telegram_id == 4242  # the kept customer had none
    assert (keep.first_name, keep.username, keep.phone, keep.city) == (
        "Ann", "annie", "+14155552671", "Rome"
    )  # fmt: skip
    assert keep.tags == ["b2b", "vip"]
    assert keep.custom == {"tier": "gold", "since": "2019"}  # the kept values win
    assert await Ticket.filter(customer=keep).count() == 1
    assert await Message.filter(ticket__customer=keep).count() == 1
    assert (await Rating.get(id=rating.id)).customer_id == keep.id
    for model in (Survey, NpsResponse, Order, Deal, FollowUpTask):
        assert await model.filter(customer=keep).count() == 1

    (entry,) = await audit.recent(action="customer.merge")
    assert entry.actor_telegram_id == 9001
    assert entry.details["kept"] == keep.id
    assert entry.details["dropped"]["id"] == drop.id
    assert entry.details["dropped"]["telegram_id"] == 4242
    assert entry.details["dropped"]["custom"] == {"tier": "silver", "since": "2019"}


async def test_merge_refuses_itself_and_unknown_customers(store) -> None:
    customer = await make_customer("Ann")

    with pytest.raises(InvalidInput, match="into itself"):
        await merge_customers(keep_id=customer.id, drop_id=customer.id, actor_telegram_id=None)
    with pytest.raises(CustomerNotFound, match="customer #999 not found"):
        await merge_customers(keep_id=customer.id, drop_id=999, actor_telegram_id=None)
    assert await AuditEntry.all().count() == 0


async def test_two_telegram_users_are_never_merged(store, tmp_path: Path) -> None:
    one_chat, _ = await register_customer(profile=make_profile(11, "Ann"))
    other_chat, _ = await register_customer(profile=make_profile(22, "Ann"))
    one_chat.email, other_chat.phone = "ann@x.com", "+14155552671"
    await one_chat.save()
    await other_chat.save()

    with pytest.raises(InvalidInput, match=r"different Telegram users \(11 and 22\)"):
        await merge_customers(keep_id=one_chat.id, drop_id=other_chat.id, actor_telegram_id=1)
    path = write(tmp_path / "ann.csv", "Email,Phone,City\nann@x.com,(415) 555-2671,Oslo\n")
    report = await import_file(kind=ImportKind.CUSTOMERS, path=path)

    assert rows_by_outcome(report)["updated"] == [1] and "store_merges" not in report.extra
    assert report.warnings == [
        f"row 1: matches customers #{one_chat.id} and #{other_chat.id}, both linked to "
        f"Telegram; updated #{one_chat.id} only (merge them with /merge if they are one person)"
    ]
    assert await Customer.all().count() == 2
    assert (await Customer.get(id=one_chat.id)).city == "Oslo"


# --- linking -------------------------------------------------------------------------------------


async def test_sharing_a_phone_links_the_imported_customer_and_folds_in_the_chat(store) -> None:
    imported = await make_customer("Mary Smith", phone="+442079460958", city="Leeds")
    chat, _ = await register_customer(profile=make_profile(5150, "Mary", username="mary"))
    ticket = await make_open_ticket(chat)

    linked = await link_telegram_by_phone(
        telegram_id=5150, phone="442079460958", first_name="Mary", username="mary"
    )

    assert linked is not None and linked.id == imported.id
    assert (linked.telegram_id, linked.first_name, linked.username, linked.city) == (
        5150, "Mary Smith", "mary", "Leeds"
    )  # fmt: skip
    assert not await Customer.exists(id=chat.id)
    assert (await Ticket.get(id=ticket.id)).customer_id == imported.id
    assert [e.action for e in await audit.recent()] == ["customer.link", "customer.merge"]
    # Sharing again is harmless.
    again = await link_telegram_by_phone(telegram_id=5150, phone="+44 20 7946 0958")
    assert again is not None and again.id == imported.id


async def test_linking_by_phone_without_a_chat_record_attaches_the_id(store) -> None:
    imported = await make_customer("", phone="+14155552671")

    linked = await link_telegram_by_phone(
        telegram_id=77, phone="+1 (415) 555-2671", first_name="Cy", language_code="en"
    )

    assert linked is not None
    await imported.refresh_from_db()
    assert (imported.telegram_id, imported.first_name, imported.language_code) == (77, "Cy", "en")


@pytest.mark.parametrize("phone", ["12345", "+1 415 555 0000 0000", "not a phone"])
async def test_linking_by_an_unusable_or_unknown_phone_does_nothing(store, phone: str) -> None:
    await make_customer("Ann", phone="+14155552671")

    assert await link_telegram_by_phone(telegram_id=77, phone=phone) is None
    assert await Customer.filter(telegram_id=77).count() == 0


async def test_a_phone_linked_to_someone_else_is_not_taken(store) -> None:
    await make_customer("Ann", phone="+14155552671", telegram_id=11)

    assert await link_telegram_by_phone(telegram_id=22, phone="+14155552671") is None
    assert await Customer.filter(telegram_id=22).count() == 0


async def test_a_manager_links_a_customer_to_a_telegram_user(store) -> None:
    imported = await make_customer("Ann")
    chat, _ = await register_customer(profile=make_profile(31337, "Ann"))
    await make_open_ticket(chat)

    linked = await link_telegram(customer_id=imported.id, telegram_id=31337, actor_telegram_id=1)

    assert linked.telegram_id == 31337
    assert await Ticket.filter(customer_id=imported.id).count() == 1
    with pytest.raises(InvalidInput, match="already linked"):
        await link_telegram(customer_id=imported.id, telegram_id=31337, actor_telegram_id=1)
    with pytest.raises(InvalidInput, match="is linked to Telegram user 31337 already"):
        await link_telegram(customer_id=imported.id, telegram_id=5, actor_telegram_id=1)
    with pytest.raises(CustomerNotFound):
        await link_telegram(customer_id=404, telegram_id=5, actor_telegram_id=1)


# --- the audit log -------------------------------------------------------------------------------


async def test_audit_lists_newest_first_by_action_or_prefix(store) -> None:
    await audit.record(actor_telegram_id=None, action="import.customers", details={"rows": 3})
    await audit.record(actor_telegram_id=1, action="customer.merge", subject="#2 into #1")
    await audit.record(actor_telegram_id=1, action="import.orders")

    assert [e.action for e in await audit.recent()] == [
        "import.orders", "customer.merge", "import.customers"
    ]  # fmt: skip
    assert [e.action for e in await audit.recent(action="import.")] == [
        "import.orders", "import.customers"
    ]  # fmt: skip
    assert [e.action for e in await audit.recent(action="customer.merge", limit=5)] == [
        "customer.merge"
    ]
    assert len(await audit.recent(limit=1)) == 1
    line = audit.describe((await audit.recent(action="import.customers"))[0])
    assert line.endswith("cli import.customers · 3 rows")


# --- the command line ----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# bot/cli/commands.py wires these in; until then, this is exactly the call it makes.
RUN_CLI = """
import argparse, sys
from bot.cli import records as cli_records
from bot.settings import load_settings
from crm.errors import CrmError
parser = argparse.ArgumentParser(prog="crm")
cli_records.add_commands(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
assert cli_records.handles(args.command)
try:
    print(cli_records.run(args, load_settings(env_file=None, require_token=False)))
except CrmError as err:
    print(f"error: {err}", file=sys.stderr)
    sys.exit(1)
"""


def crm(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT),
           "CRM_DB_URL": f"sqlite://{cwd / 'crm.db'}"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_cli_imports_exports_merges_audits_and_reports(tmp_path: Path) -> None:
    source = tmp_path / "customers_messy.csv"
    source.write_bytes(MESSY.read_bytes())

    imported = crm("import", "customers", str(source), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[0] == (
        "customers_messy.csv: 20 rows: 10 created, 0 updated (0 with changes), 5 merged, 5 rejected"
    )
    rejects = tmp_path / "customers_messy.rejected.csv"
    assert f"rejected rows with reasons: {rejects}" in imported.stdout
    assert [row[0] for row in csv.reader(io.StringIO(rejects.read_text("utf-8-sig")))] == [
        "row", "5", "7", "11", "14", "16"
    ]  # fmt: skip
    assert imported.stderr == ""  # no progress line when stderr is not a terminal

    custom = tmp_path / "custom.csv"
    again = crm("import", "customers", str(source), "--rejects", str(custom), cwd=tmp_path)
    assert "0 created, 10 updated (0 with changes)" in again.stdout and custom.is_file()

    exported = crm("export", "customers", str(tmp_path / "out.csv"), cwd=tmp_path)
    assert exported.stdout.strip() == f"wrote 10 customers row(s) to {tmp_path / 'out.csv'}"
    merged = crm("merge", "1", "2", cwd=tmp_path)
    assert merged.stdout.startswith("customer #2 merged into #1 (John O'Neil)")
    refused = crm("merge", "1", "1", cwd=tmp_path)
    assert (refused.returncode, refused.stderr.strip()) == (
        1, "error: a customer cannot be merged into itself"
    )  # fmt: skip
    merges = crm("audit", "--action", "customer.merge", cwd=tmp_path)
    assert merges.stdout.count("customer.merge") == 1
    listed = crm("audit", cwd=tmp_path)
    assert [line.split()[4] for line in listed.stdout.splitlines()] == [
        "customer.merge", "export.customers", "import.customers", "import.customers"
    ]  # fmt: skip

    report = crm("report-sales", "--months", "2", "--out", str(tmp_path / "report"), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Customers by city" in report.stdout
    assert (tmp_path / "report" / "report.txt").is_file()
    assert (tmp_path / "report" / "customers_by_city.png").read_bytes().startswith(b"\x89PNG")
    missing = crm("import", "orders", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert missing.stderr.strip() == f"error: no such file: {tmp_path / 'nope.csv'}"


def test_the_progress_line_shows_percent_and_rate() -> None:
    from bot.cli.records import ProgressLine
    from crm.imports.report import ImportProgress

    out = io.StringIO()
    line = ProgressLine("importing big.csv", stream=out)
    line(ImportProgress(rows_done=50_000, rows_total=100_000, elapsed=2.0))
    line.close()

    assert out.getvalue() == "\rimporting big.csv:  50% 50,000 rows · 25,000 rows/s   \n"


async def test_an_xlsx_workbook_imports_like_a_csv(store, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "upload"  # as a Telegram document may arrive: no suffix
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Phone", "Signup date", "Email"])
    workbook.active.append(["ZOË MÜLLER", 4155552671, datetime(2024, 3, 5), "zoe@x.de"])
    workbook.active.append([None, None, None, None])
    workbook.active.append(["Zoe Mueller", "+1 415 555 2671", None, None])
    workbook.save(path)

    report = await import_file(kind=ImportKind.CUSTOMERS, path=path)

    assert rows_by_outcome(report) == {"created": [1], "updated": [], "merged": [3],
                                       "rejected": [2]}  # fmt: skip
    zoe = await Customer.get(phone="+14155552671")
    assert (zoe.first_name, zoe.email) == ("Zoë Müller", "zoe@x.de")  # the dated row wins
