"""Records in Telegram: a manager imports a file, exports, merges and links through the bot."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from crm.desk import staff
from crm.models import AuditEntry, Customer, Role, Ticket, TicketKind
from handlers import records as records_handlers
from handlers import sales as sales_handlers
from handlers.auth import REFUSAL
from tests.factories import make_customer
from tests.harness import MANAGER_ID, Desk

pytestmark = pytest.mark.e2e

MESSY = Path(__file__).parents[1] / "data" / "import" / "customers_messy.csv"
ANNA = 7001


@pytest.fixture
async def wired(desk: Desk) -> Desk:
    """The desk with the records and sales handlers, ahead of the customer catch-alls."""
    group = desk.application.handlers[0]
    before = list(group)
    records_handlers.register(desk.application)
    sales_handlers.register(desk.application)
    group[:] = [handler for handler in group if handler not in before] + before
    return desk


def csv_rows(content: bytes | None) -> list[list[str]]:
    assert content is not None
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def send_file(desk: Desk, user, name: str, content: bytes, caption: str, *, replies: int):
    """Send a document as the user; return the bot's next `replies` messages to them."""
    await desk.settle()
    before = len(desk.sandbox.messages_to(user.id))
    desk.sandbox.send_document(user, file_name=name, content=content, caption=caption)
    await desk.sandbox.wait_for_message(user.id, count=before + replies)
    await desk.settle()
    return desk.sandbox.messages_to(user.id)[before:]


async def test_a_manager_imports_a_messy_file_and_gets_the_rejects_back(wired: Desk) -> None:
    desk = wired
    maya = desk.sandbox.user(MANAGER_ID, "Maya")

    counts, rejects = await send_file(
        desk, maya, "customers_messy.csv", MESSY.read_bytes(), "/import customers", replies=2
    )

    assert counts.text.startswith(
        "Imported customers_messy.csv (customers): 20 rows: 10 created, 0 updated "
        "(0 with changes), 5 merged, 5 rejected."
    )
    assert "7 warning(s)" in counts.text
    assert rejects.method == "sendDocument"
    assert rejects.file_name == "customers_messy.rejected.csv"
    rows = csv_rows(rejects.file_content)
    assert rows[0][:3] == ["row", "reason", "Full Name"]
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("5", "empty row"),
        ("7", 'email: "not-an-email" is not a valid email address'),
        ("11", "empty row"),
        ("14", "no name, email, phone or Telegram id"),
        ("16", 'telegram_id: "@johnny" is a Telegram username, not a numeric id'),
    ]
    assert await Customer.all().count() == 10
    entry = await AuditEntry.get(action="import.customers")
    assert entry.actor_telegram_id == MANAGER_ID
    assert entry.details["counts"]["rows"] == 20
    # Staff documents with an /import caption are never a customer's ticket.
    assert await Ticket.all().count() == 0

    again, rejects_again = await send_file(
        desk, maya, "customers_messy.csv", MESSY.read_bytes(), "/import customers", replies=2
    )
    assert "0 created, 10 updated (0 with changes), 5 merged, 5 rejected" in again.text
    assert rejects_again.file_content == rejects.file_content


async def test_the_rejects_the_bot_sends_back_are_safe_to_open(wired: Desk) -> None:
    desk = wired
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    content = (
        'Name,Email,"=HYPERLINK(""http://evil.example"")"\n'
        "Ann,ann@x.com,\n"
        ',,"\u200b=HYPERLINK(""http://evil.example"",""click"")"\n'
    ).encode()

    _, rejects = await send_file(desk, maya, "c.csv", content, "/import customers", replies=2)

    assert csv_rows(rejects.file_content) == [
        ["row", "reason", "Name", "Email", '\'=HYPERLINK("http://evil.example")'],
        ["2", "no name, email, phone or Telegram id", "", "",
         '\'\u200b=HYPERLINK("http://evil.example","click")'],
    ]  # fmt: skip


async def test_a_clean_file_gets_no_rejects_document(wired: Desk) -> None:
    desk = wired
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    content = "姓名;邮箱\n王小明;wang@example.cn\n".encode("gb18030")

    (reply,) = await send_file(desk, maya, "客户.csv", content, "/import customers", replies=1)
    await desk.settle()

    assert "1 rows: 1 created" in reply.text
    assert desk.sandbox.messages_to(MANAGER_ID)[-1] is reply
    assert (await Customer.get(email="wang@example.cn")).first_name == "王小明"


async def test_bad_import_captions_and_files_explain_themselves(wired: Desk) -> None:
    desk = wired
    maya = desk.sandbox.user(MANAGER_ID, "Maya")

    (reply,) = await send_file(desk, maya, "x.csv", b"Name\nAnn\n", "/import widgets", replies=1)
    assert reply.text == "'widgets' cannot be imported; use customers, products or orders."
    (reply,) = await send_file(desk, maya, "x.csv", b"Name\nAnn\n", "/import", replies=1)
    assert reply.text.startswith("Say what the file holds in the caption: /import customers")
    (reply,) = await send_file(desk, maya, "old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60,
                               "/import customers", replies=1)  # fmt: skip
    assert reply.text == "Old .xls workbooks are not supported: save the sheet as .xlsx or CSV."
    too_big = b"Name\n" + b"x" * (20 * 1024 * 1024)
    downloads = len(desk.sandbox.calls("getFile"))
    (reply,) = await send_file(desk, maya, "big.csv", too_big, "/import customers", replies=1)
    assert reply.text == (
        "The file is 20.0 MB; Telegram lets bots fetch up to 20 MB. Split it, or run "
        "`crm import` on the server."
    )
    assert len(desk.sandbox.calls("getFile")) == downloads  # refused before downloading
    reply = await desk.send_text(maya, "/import")
    assert reply.text.startswith("Send the file (CSV or XLSX) as a document with the caption")
    assert await Customer.all().count() == 0


async def test_only_managers_import_export_merge_and_link(wired: Desk) -> None:
    desk = wired
    await staff.add_agent(telegram_id=ANNA, name="Anna")
    carol = desk.customer(501, "Carol")
    anna = desk.sandbox.user(ANNA, "Anna")
    a = await make_customer("A")
    b = await make_customer("B")
    audited = await AuditEntry.all().count()  # the start-up sync's and Anna's joining

    for user in (carol, anna):
        for command in ("/export customers", f"/merge {a.id} {b.id}", f"/link {a.id} 42",
                        "/import"):  # fmt: skip
            reply = await desk.send_text(user, command)
            assert reply.text == REFUSAL[Role.MANAGER], (user.id, command)
        (reply,) = await send_file(
            desk, user, "c.csv", b"Name\nMallory\n", "/import customers", replies=1
        )
        assert reply.text == REFUSAL[Role.MANAGER]

    assert await Customer.all().count() == 2
    assert not await Customer.exists(first_name="Mallory")
    # Nothing refused left an entry.
    assert await AuditEntry.all().count() == audited
    # The refused customer's own messages still work as usual.
    reply = await desk.send_text(carol, "Where is my order?")
    assert "#" in reply.text


async def test_export_merge_and_link_from_telegram(wired: Desk) -> None:
    desk = wired
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    evil = await make_customer('=HYPERLINK("http://x","y")', phone="+14155552671")
    twin = await make_customer("Twin", email="twin@x.com", tags=["vip"])
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "Hello, I have a question")
    chat_customer = await Customer.get(telegram_id=501)

    reply = await desk.send_text(maya, "/export customers")
    assert (reply.method, reply.plain_text) == ("sendDocument", "3 customers row(s)")
    assert reply.file_name.startswith("customers-") and reply.file_name.endswith(".csv")
    rows = {row[0]: row for row in csv_rows(reply.file_content)[1:]}
    assert rows[str(evil.id)][2] == '\'=HYPERLINK("http://x","y")'
    reply = await desk.send_text(maya, "/export passwords")
    assert (
        reply.text
        == "'passwords' cannot be exported; choose one of customers, tickets, orders, deals."
    )

    reply = await desk.send_text(maya, f"/merge {evil.id} {twin.id}")
    assert reply.text == (
        f"Customer #{twin.id} is merged into #{evil.id} ({evil.first_name}). "
        "Moved: nothing to move."
    )
    merged = await Customer.get(id=evil.id)
    assert (merged.email, merged.tags) == ("twin@x.com", ["vip"])
    reply = await desk.send_text(maya, f"/merge {evil.id} {evil.id}")
    assert reply.text == "A customer cannot be merged into itself."

    reply = await desk.send_text(maya, f"/link {evil.id} 501")
    assert reply.text == f"Customer #{evil.id} ({evil.first_name}) is now Telegram user 501."
    assert (await Customer.get(id=evil.id)).telegram_id == 501
    assert not await Customer.exists(id=chat_customer.id)
    assert await Ticket.filter(customer_id=evil.id, kind=TicketKind.INQUIRY).count() == 1
    reply = await desk.send_text(maya, "/link c999 77")
    assert reply.text == "Customer #999 not found."

    actions = await AuditEntry.all().order_by("id").values_list("action", flat=True)
    assert actions == [
        "staff.manager_add",  # the start-up sync: CRM_MANAGER_IDS lists Maya
        "export.customers",
        "customer.merge",
        "customer.merge",
        "customer.link",
    ]
    # Carol's next message lands on the linked record.
    await desk.send_text(carol, "Any news?")
    assert await Ticket.filter(customer_id=evil.id).count() == 1
