"""Import cleaning: reading messy files, normalising values, judging and merging rows."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from crm.errors import CleaningError
from crm.imports import ImportKind
from crm.imports.columns import ColumnMapping, match_columns
from crm.imports.dedupe import clean_customers, clean_order_lines, clean_products
from crm.imports.parsers import (
    normalise_email,
    normalise_name,
    normalise_phone,
    parse_amount,
    parse_date,
    parse_flag,
    parse_tags,
    parse_telegram_id,
    parse_telegram_username,
)
from crm.imports.sniff import iter_table_chunks, read_table
from crm.imports.table import CleanRecord, CleanResult

DATA = Path(__file__).parents[1] / "data" / "import"
MESSY = DATA / "customers_messy.csv"
ALIASES = DATA / "customers_aliases.csv"


def table(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Build a frame of strings as read_table would, numbered from row 1."""
    frame = pd.DataFrame(rows, dtype=str).fillna("")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame


def by_row(result: CleanResult) -> dict[int, CleanRecord]:
    return {record.row_number: record for record in result.records}


def customer(**values: object) -> dict[str, object]:
    """The values of a cleaned customer: every field present, missing ones empty."""
    blank: dict[str, object] = {
        "name": None, "first_name": None, "last_name": None, "email": None, "phone": None,
        "telegram_id": None, "company": None, "city": None, "region": None, "language": None,
        "source": None, "tags": [], "notes": None, "created": None, "updated": None,
        "telegram_username": None, "subscribed": None,
    }  # fmt: skip
    assert set(values) <= set(blank)
    return blank | values


def assert_every_row_accounted(result: CleanResult, rows: int) -> None:
    counts = result.counts()
    assert counts["rows"] == rows == counts["clean"] + counts["merged"] + counts["rejected"]
    numbers = [record.row_number for record in result.records]
    numbers += [row for record in result.records for row in record.merged_rows]
    numbers += [rejection.row_number for rejection in result.rejected]
    assert sorted(numbers) == list(range(1, rows + 1))


# --- the hand-written messy customer file --------------------------------------------------------


@pytest.fixture(scope="module")
def messy() -> CleanResult:
    return clean_customers(read_table(MESSY))


def test_messy_file_is_read_with_bom_semicolons_and_multiline_cells() -> None:
    frame = read_table(MESSY)

    assert list(frame.columns) == ["Full Name", "E-mail", "Mobile", "Telegram", "City", "Tags",
                                   "Loyalty level", "Created", "Notes"]  # fmt: skip
    assert len(frame) == 20 and frame.index[0] == 1 and frame.index[-1] == 20
    assert frame.loc[3, "E-mail"] == "  JOHN.ONEIL@EXAMPLE.COM "  # read verbatim, cleaned later
    assert frame.loc[15, "Notes"] == "Line one\r\nline two"
    assert frame.loc[11].tolist() == [""] * 9  # the blank line is a row
    assert frame.loc[8, "Full Name"] == "王小明"


def test_messy_file_counts_add_up(messy: CleanResult) -> None:
    assert messy.counts() == {"rows": 20, "clean": 10, "merged": 5, "rejected": 5}
    assert_every_row_accounted(messy, 20)
    assert messy.mapping == ColumnMapping(
        matched={"name": "Full Name", "email": "E-mail", "phone": "Mobile",
                 "telegram_id": "Telegram", "city": "City", "tags": "Tags",
                 "created": "Created", "notes": "Notes"},
        unknown=["Loyalty level"],
    )  # fmt: skip


def test_three_rows_of_one_person_merge_into_the_most_recent_values(messy: CleanResult) -> None:
    john = by_row(messy)[1]

    # Row 1 (2024-06-01) is newer than row 3 (2023-01-10); undated row 4 counts as oldest.
    assert john.merged_rows == [3, 4]
    assert john.values == customer(
        name="John O'Neil",
        email="john.oneil@example.com",
        phone="+14155552671",
        telegram_id=123456789,  # only row 4 had one
        city="San Francisco",  # row 1's, though row 3 comes later in the file
        tags=["b2b", "newsletter", "vip"],
        notes="moved to Oakland",  # row 1 left it empty: the latest non-empty wins
        created=date(2024, 6, 1),
    )
    assert john.custom == {"Loyalty level": "Gold"}
    assert john.warnings == []


def test_a_dated_row_beats_a_later_undated_one(messy: CleanResult) -> None:
    mary = by_row(messy)[2]

    assert mary.merged_rows == [17]  # same phone, written "+44 (0)20 7946 0958" in row 17
    assert mary.values["city"] == "London"  # not row 17's "Brighton"
    assert mary.values["created"] == date(2024, 5, 3)  # 05/03/2024, month first by default


def test_merging_reports_dropped_identifiers_and_bad_values_of_merged_rows(
    messy: CleanResult,
) -> None:
    records = by_row(messy)

    alice = records[12]
    assert alice.merged_rows == [13]
    assert alice.values["telegram_id"] == 987650000  # row 13 is dated, so newer
    assert alice.values["city"] == "Toronto"
    assert alice.warnings == [
        'created: "31/31/2024" is not a valid date (month must be in 1..12); value dropped',
        'telegram_id: kept "987650000", dropped "987654321" from row 12',
    ]
    carl = records[18]
    assert carl.merged_rows == [19]
    assert carl.values["name"] == "Carl Jung"  # no dates: the later row wins
    assert carl.warnings == [
        'row 19: telegram_id: "abc" is not a numeric Telegram id; value dropped'
    ]


def test_bad_values_are_dropped_with_a_warning_when_the_row_is_still_usable(
    messy: CleanResult,
) -> None:
    records = by_row(messy)

    bob = records[6]
    assert bob.values == customer(name="Bob Stone", city="Paris")
    assert bob.warnings == [
        'email: "bob@@example" is not a valid email address; value dropped',
        'created: "2024-02-30" is not a valid date (day is out of range for month); value dropped',
    ]
    assert records[9].values["phone"] is None  # a Chinese mobile read as a US number
    assert records[9].warnings == [
        'phone: "13800138000" is not a valid phone number (read as a US number); value dropped'
    ]
    assert records[20].warnings == ['telegram_id: "0" is not a numeric Telegram id; value dropped']


def test_rows_without_a_usable_identifier_are_rejected_with_the_reason(
    messy: CleanResult,
) -> None:
    assert [(rejection.row_number, rejection.reason) for rejection in messy.rejected] == [
        (5, "empty row"),
        (7, 'email: "not-an-email" is not a valid email address'),
        (11, "empty row"),
        (14, "no name, email, phone or Telegram id"),
        (16, 'telegram_id: "@johnny" is a Telegram username, not a numeric id'),
    ]
    loyalty_only = messy.rejected[3]
    assert loyalty_only.raw["Loyalty level"] == "Platinum"
    assert loyalty_only.raw["Full Name"] == ""


def test_nothing_is_forward_filled_and_non_latin_names_are_kept(messy: CleanResult) -> None:
    records = by_row(messy)

    # Row 10 follows a row with a name and a city; it has only a phone.
    assert records[10].values == customer(phone="+12125550147")
    assert records[10].custom == {}
    assert records[8].values == customer(
        name="王小明",
        email="wang@example.cn",
        phone="+8613800138000",
        city="北京",
        tags=["VIP", "老客户"],
        created=date(2024, 3, 5),
    )
    ronald = records[15]
    assert ronald.values["name"] == "Ronald McDonald"
    assert ronald.values["email"] == "ronald@mcd.example"
    assert ronald.values["phone"] == "+16502530000"
    assert ronald.values["notes"] == "Line one\r\nline two"


# --- a comma file with aliases -------------------------------------------------------------------


def test_alias_headers_and_first_last_names() -> None:
    result = clean_customers(read_table(ALIASES))

    assert result.counts() == {"rows": 5, "clean": 4, "merged": 1, "rejected": 0}
    assert result.mapping.matched == {
        "first_name": "First name", "last_name": "Surname", "email": "Email Address",
        "phone": "Cell", "telegram_id": "tg-id", "company": "Organisation", "region": "Province",
        "source": "Lead source", "notes": "Remarks", "created": "Registered", "tags": "Labels",
        "language": "Lang", "updated": "Updated at",
    }  # fmt: skip
    records = by_row(result)
    # Row 5 was created later but updated earlier than row 1: "updated" decides.
    assert records[1].merged_rows == [5]
    assert records[1].values == customer(
        name="Ada Lovelace",
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+442079460018",
        telegram_id=111222333,
        company="Analytical Engines Ltd",
        region="London",
        language="en",
        source="Referral",
        tags=["math", "newsletter", "VIP"],
        notes="Prefers email, not calls",
        created=date(2023, 12, 10),
        updated=date(2024, 1, 2),
    )
    assert records[2].values["language"] == "en-us"
    assert records[2].values["tags"] == ["cobol", "navy"]
    assert records[3].values["name"] == "李小红"  # family name first, no space
    assert records[4].values["name"] == "王"


# --- XLSX ----------------------------------------------------------------------------------------


def test_xlsx_first_sheet_is_read_with_typed_cells_as_text(tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Customers"
    sheet.append(["Name", "Phone", "Signup date", "Telegram ID", "Email", "Email", "Spend"])
    sheet.append(["ZOË MÜLLER", 4155552671, datetime(2024, 3, 5), 123456789, "zoe@x.de",
                  "zoe@work.de", 12.5])  # fmt: skip
    sheet.append([None] * 7)
    sheet.append(["Li Na", "+86 138 0013 8000", 45356, None, None, None, 3.0])
    sheet.append([None, None, datetime(2024, 3, 5, 14, 30), None, None, None, None])
    workbook.create_sheet("Other").append(["not", "read"])
    workbook.save(path)

    frame = read_table(path)
    assert list(frame.columns) == ["Name", "Phone", "Signup date", "Telegram ID", "Email", "Email",
                                   "Spend"]  # fmt: skip
    assert frame.to_numpy().tolist() == [
        ["ZOË MÜLLER", "4155552671", "2024-03-05", "123456789", "zoe@x.de", "zoe@work.de", "12.5"],
        [""] * 7,
        ["Li Na", "+86 138 0013 8000", "45356", "", "", "", "3"],
        ["", "", "2024-03-05 14:30:00", "", "", "", ""],
    ]

    result = clean_customers(frame)
    assert result.counts() == {"rows": 4, "clean": 2, "merged": 0, "rejected": 2}
    assert result.mapping.unknown == ["Email (2)", "Spend"]
    zoe, li = result.records
    assert zoe.values == customer(
        name="Zoë Müller",
        phone="+14155552671",
        telegram_id=123456789,
        email="zoe@x.de",
        created=date(2024, 3, 5),
    )
    assert zoe.custom == {"Email (2)": "zoe@work.de", "Spend": "12.5"}
    assert li.values["created"] == date(2024, 3, 5)  # Excel serial day 45356
    assert [(r.row_number, r.reason) for r in result.rejected] == [
        (2, "empty row"),
        (4, "no name, email, phone or Telegram id"),
    ]


def test_xlsx_columns_keep_duplicate_headers(tmp_path: Path) -> None:
    path = tmp_path / "dupes.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Email", "Email", None])
    workbook.active.append(["a@x.com", "b@x.com", None])
    workbook.save(path)

    frame = read_table(path)

    assert list(frame.columns) == ["Email", "Email"]
    assert frame.iloc[0].tolist() == ["a@x.com", "b@x.com"]


def test_old_xls_files_are_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60)

    with pytest.raises(CleaningError, match=r"save the sheet as \.xlsx or CSV"):
        read_table(path)


def test_a_workbook_that_lost_its_file_name_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "document"  # as a Telegram upload may arrive
    workbook = openpyxl.Workbook()
    workbook.active.append(["Email"])
    workbook.active.append(["a@x.com"])
    workbook.save(path)

    assert read_table(path).to_numpy().tolist() == [["a@x.com"]]


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")

    with pytest.raises(CleaningError, match=r"not a readable \.xlsx workbook"):
        read_table(path)


# --- reading text files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "delimiter"),
    [
        ("Name;City\nZoë Müller;Köln\nJosé;Málaga\n", "cp1252", ";"),
        ("姓名,城市,备注\n张伟,北京,老客户\n李娜,上海,新客户\n", "gb18030", ","),
        ("Name\tCity\nZoë Müller\tKöln\n", "utf-16", "\t"),
        ("\ufeffName|City\nZoë Müller|Köln\n", "utf-8", "|"),
    ],
)
def test_encodings_and_delimiters_are_detected(
    tmp_path: Path, text: str, encoding: str, delimiter: str
) -> None:
    path = tmp_path / "people.txt"
    path.write_bytes(text.encode(encoding))

    frame = read_table(path)

    header, *rows = [line.split(delimiter) for line in text.lstrip("\ufeff").splitlines()]
    assert list(frame.columns) == header
    assert frame.to_numpy().tolist() == rows


@pytest.mark.parametrize("text", ["", "\n\n", "Name,Email\n"])
def test_files_without_data_rows_clean_to_nothing(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(text, encoding="utf-8")

    frame = read_table(path)

    assert len(frame) == 0
    assert clean_customers(frame).counts() == {"rows": 0, "clean": 0, "merged": 0, "rejected": 0}


def test_quoted_delimiters_do_not_confuse_the_sniffer(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('Name,Notes\n"Smith, John","a; b; c"\n"Doe, Jane","x|y"\n', encoding="utf-8")

    frame = read_table(path)

    assert frame.to_numpy().tolist() == [["Smith, John", "a; b; c"], ["Doe, Jane", "x|y"]]


def test_ragged_rows_keep_extra_cells_and_trailing_empty_rows_are_not_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("Name,Email\nAnn\nBob,bob@x.com,surplus\n,\nCy,cy@x.com,,\n,\n\n", "utf-8")

    frame = read_table(path)

    assert list(frame.columns) == ["Name", "Email", "column_3"]
    assert frame.to_numpy().tolist() == [
        ["Ann", "", ""],
        ["Bob", "bob@x.com", "surplus"],
        ["", "", ""],
        ["Cy", "cy@x.com", ""],
    ]


def test_chunks_carry_file_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["Name;Email"] + [f"Person {n};p{n}@x.com" for n in range(1, 11)]
    lines[4] = ""  # data row 4 is a blank line: it still counts
    path.write_text("\n".join(lines) + "\n\n\n", encoding="utf-8")

    chunks = list(iter_table_chunks(path, chunksize=4))

    assert [chunk.index.tolist() for chunk in chunks] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    assert chunks[1].loc[5, "Name"] == "Person 5"
    assert chunks[0].loc[4].tolist() == ["", ""]
    assert pd.concat(chunks).equals(read_table(path))
    results = [clean_customers(chunk) for chunk in chunks]
    assert [r.row_number for r in results[2].records] == [9, 10]
    assert results[0].rejected[0].row_number == 4


def test_a_megabyte_of_notes_survives_verbatim(tmp_path: Path) -> None:
    notes = "line\x00 one  \n" + "x" * 1_000_000 + "\n\tend"
    path = tmp_path / "long.csv"
    path.write_text(
        'Name,Notes,Email\nAnn,"  ' + notes + '  ",' + "y" * 1_000_000 + "\n", encoding="utf-8"
    )

    result = clean_customers(read_table(path))

    (ann,) = result.records
    assert ann.values["notes"] == notes.replace("\x00", "")
    assert ann.warnings == [
        'email: "' + "y" * 59 + '…" is not a valid email address; value dropped'
    ]


# --- matching columns ----------------------------------------------------------------------------


def test_headers_match_ignoring_case_spacing_and_punctuation() -> None:
    mapping = match_columns(
        ["  E_MAIL ", "Phone Number", "tel", "Customer.Name", "客户", "Loyalty level", "TG-ID"],
        ImportKind.CUSTOMERS,
    )

    assert mapping == ColumnMapping(
        matched={"email": "E_MAIL", "phone": "Phone Number", "name": "Customer.Name",
                 "telegram_id": "TG-ID"},
        unknown=["tel", "客户", "Loyalty level"],  # second phone and name: first one wins
    )  # fmt: skip


def test_each_entity_has_its_own_aliases() -> None:
    products = match_columns(["Article", "Title", "Group", "Amount"], "products")
    orders = match_columns(
        ["Order no", "Purchased at", "Name", "Product", "Qty", "Unit price", "Amount", "状态"],
        "order_lines",
    )

    assert products.matched == {"sku": "Article", "name": "Title", "category": "Group",
                                "price": "Amount"}  # fmt: skip
    assert orders.matched == {
        "order_ref": "Order no", "date": "Purchased at", "customer_name": "Name",
        "product_name": "Product", "quantity": "Qty", "price": "Unit price", "total": "Amount",
        "status": "状态",
    }  # fmt: skip


def test_repeated_headers_are_told_apart() -> None:
    mapping = match_columns(["Email", "Email", "Note", "Note", "Note"], "customers")

    assert mapping == ColumnMapping(
        matched={"email": "Email", "notes": "Note"}, unknown=["Email (2)", "Note (2)", "Note (3)"]
    )


# --- single values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JOHN O'NEIL", "John O'Neil"),
        ("mary-jane smith", "Mary-Jane Smith"),
        ("  jean   de la  FONTAINE ", "jean de la FONTAINE"),  # mixed case: only spaces fixed
        ("McDonald", "McDonald"),
        ("iPhone", "iPhone"),
        ("ÉMILE ZOLA", "Émile Zola"),
        ("JOHN SMITH III", "John Smith III"),
        ("j. r. r. tolkien", "J. R. R. Tolkien"),
        ("王小明", "王小明"),
        ("JOHN 王", "JOHN 王"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Bob@Example.COM ", "bob@example.com"),
        ("MAILTO:x@y.org", "x@y.org"),
        ("<a@b.co>", "a@b.co"),
        ("Bob Smith <BOB@x.com>", "bob@x.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
    ],
)
def test_normalise_email(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["bob@@example", "bob@example", "a b@c.com", "@x.com", "bob@.com", "bob@x..com", ""]
)
def test_normalise_email_refuses(raw: str) -> None:
    with pytest.raises(CleaningError, match="is not a valid email address"):
        normalise_email(raw)


def test_frame_emails_agree_with_the_single_value_rule() -> None:
    raws = ["  Bob@Example.COM ", "MAILTO:x@y.org", "Bob <BOB@x.com>", "bob@@example", "a b@c.com"]
    result = clean_customers(table([{"Name": "n", "Email": raw} for raw in raws]))

    for record, raw in zip(result.records, raws, strict=True):
        try:
            expected, warnings = normalise_email(raw), []
        except CleaningError as exc:
            expected, warnings = None, [f"email: {exc}; value dropped"]
        assert (record.values["email"], record.warnings) == (expected, warnings)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+86 138 0013 8000", "US", "+8613800138000"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("tel:+1-415-555-2671", "US", "+14155552671"),
        ("13800138000", "CN", "+8613800138000"),
        ("020 7946 0958", "gb", "+442079460958"),
        ("+44 (0)20 7946 0958", "US", "+442079460958"),
    ],
)
def test_normalise_phone(raw: str, country: str, expected: str) -> None:
    assert normalise_phone(raw, default_country=country) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("13800138000", '"13800138000" is not a valid phone number (read as a US number)'),
        ("555-1234", '"555-1234" is not a valid phone number (read as a US number)'),
        ("+1 123 456 7890", '"+1 123 456 7890" is not a valid phone number'),
        ("call me", '"call me" is not a valid phone number (read as a US number)'),
    ],
)
def test_normalise_phone_refuses(raw: str, message: str) -> None:
    with pytest.raises(CleaningError) as caught:
        normalise_phone(raw)
    assert str(caught.value) == message


def test_an_unknown_default_country_is_refused_before_any_row() -> None:
    with pytest.raises(CleaningError, match="not a known two-letter country code"):
        clean_customers(table([{"Phone": "+14155552671"}]), default_country="XX")


@pytest.mark.parametrize(("raw", "expected"), [("123456789", 123456789), (" 42.0 ", 42)])
def test_parse_telegram_id(raw: str, expected: int) -> None:
    assert parse_telegram_id(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-5", "12a", "@bob", "1" * 19, "1.5"])
def test_parse_telegram_id_refuses(raw: str) -> None:
    with pytest.raises(CleaningError):
        parse_telegram_id(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-05", "2024/03/05", "2024.3.5", "05.03.2024", "03/05/2024", "3-5-24",
        "5 Mar 2024", "5th March 2024", "05-Mar-24", "March 5, 2024", "Mar. 5 2024",
        "Tue, 5 Mar 2024", "2024年3月5日", "2024 年 03 月 05 日 14:30", "20240305", "45356",
        "2024-03-05T14:30:00Z", "2024-03-05 14:30:00+08:00", "3/5/2024 2:30 PM",
    ],
)  # fmt: skip
def test_parse_date_reads_common_formats(raw: str) -> None:
    assert parse_date(raw) == date(2024, 3, 5)


def test_parse_date_day_first() -> None:
    assert parse_date("05/03/2024", dayfirst=True) == date(2024, 3, 5)
    assert parse_date("05/03/2024") == date(2024, 5, 3)
    assert parse_date("31/12/2024", dayfirst=True) == date(2024, 12, 31)
    assert parse_date("05.03.2024", dayfirst=False) == date(2024, 3, 5)  # dots are always d.m.y


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-02-30", '"2024-02-30" is not a valid date (day is out of range for month)'),
        ("31/31/2024", '"31/31/2024" is not a valid date (month must be in 1..12)'),
        ("25/12/2024", '"25/12/2024" is not a valid date (month must be in 1..12; '
                       "is the file day-first?)"),
        ("2023年2月29日", '"2023年2月29日" is not a valid date (day is out of range for month)'),
        ("Marz 5, 2024", '"Marz 5, 2024" is not a recognised date'),
        ("yesterday", '"yesterday" is not a recognised date'),
        ("0024-03-05", '"0024-03-05" is not a valid date (year 24 is out of range)'),
        ("2024-03", '"2024-03" is not a recognised date'),
    ],
)  # fmt: skip
def test_parse_date_refuses_impossible_dates(raw: str, message: str) -> None:
    with pytest.raises(CleaningError) as caught:
        parse_date(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.50", "1234.50"),
        ("1.234,50 €", "1234.50"),
        ("¥88", "88.00"),
        ("USD 12", "12.00"),
        ("1 234,5", "1234.50"),
        ("1\u00a0234,5", "1234.50"),
        ("(12.00)", "-12.00"),
        ("-12.5", "-12.50"),
        ("12,5", "12.50"),
        ("1,234", "1234.00"),  # one mark and three digits: thousands
        ("0,125", "0.13"),  # ...unless the whole part is zero
        ("1'234.50", "1234.50"),
        ("R$ 10,00", "10.00"),
        ("12.345.678,9", "12345678.90"),
        ("1,23,456.00", "123456.00"),
        ("EUR -5", "-5.00"),
        ("5-", "-5.00"),
        (".5", "0.50"),
        ("0.005", "0.01"),
        ("12.3456", "12.35"),
    ],
)
def test_parse_amount(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)
    assert parse_amount(raw).as_tuple().exponent == -2


@pytest.mark.parametrize(
    "raw", ["", "abc", "1.2.3", "12 34", "1,2,3", "1e5", "--5", "(-5)", "12 apples", "1,234.5,6"]
)
def test_parse_amount_refuses(raw: str) -> None:
    with pytest.raises(CleaningError, match="is not a valid amount"):
        parse_amount(raw)


def test_parse_telegram_username() -> None:
    assert parse_telegram_username(" @ann_lee ") == "ann_lee"
    assert parse_telegram_username("https://t.me/AnnLee") == "AnnLee"
    for raw in ("ann lee", "@a", "ann-lee", "@"):
        with pytest.raises(CleaningError, match="is not a Telegram username"):
            parse_telegram_username(raw)


def test_parse_flag() -> None:
    assert [parse_flag(raw) for raw in ("true", "FALSE", " Yes ", "n", "1", "0", "是", "否")] == [
        True, False, True, False, True, False, True, False
    ]  # fmt: skip
    with pytest.raises(CleaningError, match='"maybe" is not yes or no'):
        parse_flag("maybe")


def test_cells_an_export_neutralised_are_read_as_they_were() -> None:
    result = clean_customers(
        table([
            {"first_name": "'=Ann", "phone": "'+14155552671", "tags": "'=x; vip", "'=k": "'-1",
             "Motto": "'twas", "crm_id": "7", "telegram_username": "@ann", "subscribed": "false"},
            {"first_name": "''=Quoted", "phone": "", "tags": "", "'=k": "'", "Motto": " '=1",
             "crm_id": "8", "telegram_username": "", "subscribed": "true"},
        ])
    )  # fmt: skip

    ann, quoted = result.records
    assert (ann.values["name"], ann.values["phone"], ann.values["tags"]) == (
        "=Ann", "+14155552671", ["=x", "vip"]
    )  # fmt: skip
    # Only an apostrophe the export would have added comes off; the desk's number is no field.
    assert ann.custom == {"=k": "-1", "Motto": "'twas"}
    assert quoted.values["name"] == "'=Quoted" and quoted.custom == {"=k": "'", "Motto": "'=1"}
    assert (ann.values["telegram_username"], ann.values["subscribed"]) == ("ann", False)
    assert quoted.values["subscribed"] is True
    assert "crm_id" in result.mapping.matched and "crm_id" not in ann.values


def test_parse_tags() -> None:
    assert parse_tags(" vip; VIP, wholesale | b2b,, ") == ["b2b", "vip", "wholesale"]
    assert parse_tags("老客户，VIP、 new  york") == ["new york", "VIP", "老客户"]
    assert parse_tags("  ") == []


# --- merging customers ---------------------------------------------------------------------------


def test_identities_chain_transitively() -> None:
    result = clean_customers(
        table([
            {"Name": "A", "Email": "a@x.com", "Phone": "", "Telegram": ""},
            {"Name": "B", "Email": "A@X.com", "Phone": "+1 415 555 2671", "Telegram": ""},
            {"Name": "Other", "Email": "o@x.com", "Phone": "", "Telegram": "77"},
            {"Name": "C", "Email": "", "Phone": "(415) 555-2671", "Telegram": "99"},
            {"Name": "D", "Email": "", "Phone": "", "Telegram": "99"},
        ])
    )  # fmt: skip

    assert [(r.row_number, r.merged_rows, r.values["name"]) for r in result.records] == [
        (1, [2, 4, 5], "D"),
        (3, [], "Other"),
    ]
    assert_every_row_accounted(result, 5)


def test_a_long_chain_of_shared_keys_is_one_customer() -> None:
    # Row n shares its email with row n-1 and its phone with row n+1, so the group is only
    # visible end to end.
    rows = [
        {"Email": f"p{n // 2}@x.com", "Phone": f"+1 415 555 {2000 + (n + 1) // 2:04d}"}
        for n in range(200)
    ]
    result = clean_customers(table(rows))

    (only,) = result.records
    assert only.row_number == 1 and only.merged_rows == list(range(2, 201))


def test_options_reach_every_row() -> None:
    frame = table([{"Name": "Li", "Phone": "138 0013 8000", "Created": "05/03/2024"}])

    (li,) = clean_customers(frame, default_country="CN", dayfirst=True).records

    assert (li.values["phone"], li.values["created"]) == ("+8613800138000", date(2024, 3, 5))


def test_same_name_alone_does_not_merge() -> None:
    result = clean_customers(table([{"Name": "John Smith"}, {"Name": "JOHN SMITH"}]))

    assert result.counts() == {"rows": 2, "clean": 2, "merged": 0, "rejected": 0}


def test_a_plain_frame_is_numbered_from_one() -> None:
    frame = pd.DataFrame({"Email": ["bad", "a@x.com"]})

    result = clean_customers(frame)

    assert result.rejected[0].row_number == 1
    assert result.records[0].row_number == 2


# --- products ------------------------------------------------------------------------------------


def test_products_merge_by_sku_and_check_prices() -> None:
    result = clean_products(
        table([
            {"SKU": "AB-1", "Product": "Mug", "Category": "Kitchen", "Price": "$4.50"},
            {"SKU": "", "Product": "Loose tea", "Category": "", "Price": "-3"},
            {"SKU": "ab-1", "Product": "Mug, large", "Category": "", "Price": "4,99 €"},
            {"SKU": "", "Product": "", "Category": "Kitchen", "Price": "2"},
            {"SKU": "Z9", "Product": "  IPHONE  case ", "Category": "", "Price": "twelve"},
        ])
    )  # fmt: skip

    assert result.counts() == {"rows": 5, "clean": 3, "merged": 1, "rejected": 1}
    mug, tea, case = result.records
    assert (mug.row_number, mug.merged_rows) == (1, [3])
    assert mug.values == {
        "sku": "ab-1", "name": "Mug, large", "category": "Kitchen", "price": Decimal("4.99")
    }  # fmt: skip
    assert mug.warnings == [
        'name: kept "Mug, large", dropped "Mug" from row 1',
        'price: kept "4.99", dropped "4.50" from row 1',
    ]
    assert tea.values["price"] is None
    assert tea.warnings == ['price: "-3" is negative; value dropped']
    assert case.values["name"] == "IPHONE case"  # product names keep their capitals
    assert case.warnings == ['price: "twelve" is not a valid amount; value dropped']
    assert [(r.row_number, r.reason) for r in result.rejected] == [(4, "no SKU or product name")]


# --- order lines ---------------------------------------------------------------------------------


def test_order_lines_are_checked_and_completed() -> None:
    result = clean_order_lines(
        table([
            {"Order #": "1001", "Date": "05.03.2024", "Email": "Ann@X.com", "Phone": "",
             "SKU": "AB-1", "Qty": "2", "Unit price": "4,50", "Total": "", "Status": "PAID"},
            {"Order #": "1001", "Date": "05.03.2024", "Email": "Ann@X.com", "Phone": "",
             "SKU": "AB-1", "Qty": "2", "Unit price": "4,50", "Total": "", "Status": "PAID"},
            {"Order #": "1002", "Date": "2024-02-30", "Email": "bob@x.com", "Phone": "",
             "SKU": "Z9", "Qty": "1.5", "Unit price": "", "Total": "", "Status": ""},
            {"Order #": "", "Date": "2024-03-06", "Email": "", "Phone": "",
             "SKU": "", "Qty": "", "Unit price": "", "Total": "", "Status": ""},
            {"Order #": "1003", "Date": "", "Email": "bad@@x", "Phone": "(415) 555-2671",
             "SKU": "", "Qty": "", "Unit price": "", "Total": "(10.00)", "Status": "Refunded"},
            {"Order #": "1004", "Date": "2024-03-07", "Email": "bad@@x", "Phone": "(415) 555-2671",
             "SKU": "", "Qty": "", "Unit price": "", "Total": "(10.00)", "Status": "Refunded"},
            {"Order #": "", "Date": "2024-03-08", "Email": "cy@x.com", "Phone": "",
             "SKU": "C", "Qty": "", "Unit price": "3", "Total": "", "Status": ""},
            {"Order #": "", "Date": "2024-03-08", "Email": "cy@x.com", "Phone": "",
             "SKU": "C", "Qty": "", "Unit price": "3", "Total": "", "Status": ""},
        ])
    )  # fmt: skip

    assert result.counts() == {"rows": 8, "clean": 4, "merged": 1, "rejected": 3}
    assert_every_row_accounted(result, 8)
    first, refund, cy, cy_again = result.records
    assert (first.row_number, first.merged_rows) == (1, [2])
    assert first.values == {
        "order_ref": "1001", "date": date(2024, 3, 5), "customer_name": None,
        "email": "ann@x.com", "phone": None, "telegram_id": None, "sku": "AB-1",
        "product_name": None, "category": None, "quantity": 2, "price": Decimal("4.50"),
        "total": Decimal("9.00"), "status": "paid",
    }  # fmt: skip
    assert first.warnings == ["row 2 repeats this line exactly and was merged"]
    assert refund.row_number == 6
    assert (refund.values["total"], refund.values["quantity"]) == (Decimal("-10.00"), 1)
    assert refund.warnings == ['email: "bad@@x" is not a valid email address; value dropped']
    # Without an order ref two equal lines may be two purchases: both are kept.
    assert (cy.row_number, cy_again.row_number) == (7, 8)
    assert cy.values["total"] == Decimal("3.00")
    assert [(r.row_number, r.reason) for r in result.rejected] == [
        (3, 'date: "2024-02-30" is not a valid date (day is out of range for month); '
            'quantity: "1.5" is not a positive whole number'),
        (4, "no customer email, phone, Telegram id or name; no SKU, product name or amount"),
        (5, "no order date"),
    ]  # fmt: skip
