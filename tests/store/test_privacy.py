"""Erasure and export of a customer: every table, every raw payload, every audit entry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm import audit, clock
from crm.customers import privacy
from crm.customers.merge import merge_customers
from crm.desk.tickets import log_customer_message
from crm.errors import InvalidInput
from crm.insight.segments import compute_segments
from crm.models import (
    AuditEntry,
    Customer,
    CustomerSegment,
    Direction,
    InboundUpdate,
    Message,
    NpsResponse,
    Order,
    Rating,
    StaffMember,
    Survey,
    Ticket,
)
from crm.store import inbox
from tests.factories import inbound, make_customer, make_inbound_update, make_orders
from tests.planted import (
    ALLOWED,
    CARD,
    FIRST,
    LAST,
    TELEGRAM_ID,
    Planted,
    crm_models,
    plant_person,
    profile,
    traces_in_store,
    uncovered_models,
    update_payload,
)


async def test_every_table_is_planted_or_allow_listed_with_a_reason(store: None) -> None:
    planted = await plant_person()
    assert crm_models(), "tortoise's registry lists no models"
    assert uncovered_models(planted) == [], (
        "plant the person's data in these tables in tests/planted.py, or allow-list them there "
        "with the reason they can never hold a customer"
    )
    assert all(reason.strip() for reason in ALLOWED.values())
    planted.rows.pop(Survey)  # a table nobody planted is named, so the test fails
    assert uncovered_models(planted) == ["Survey"]
    # A table the erasure forgets is one the export forgets too: both come from one list.
    assert set(privacy.EXPORT_SECTIONS) == {m for m in crm_models() if m not in ALLOWED}


async def test_erasure_leaves_no_trace_of_the_person_in_any_row_of_any_table(store: None) -> None:
    planted = await plant_person()
    before = await traces_in_store()
    tables = {table for table, _, _ in before}
    # The plant really put her into the tables that matter, raw payloads and audit included.
    assert {"customer", "message", "audit_entry", "inbound_update", "deal", "task"} <= tables
    kept = await _anonymous_counts(planted.customer.id)
    bob_before = await _rows_of_bob(planted)

    counts = await privacy.erase_customer(customer_id=planted.customer.id)

    assert await traces_in_store() == []
    assert counts["messages"] == 5 and counts["telegram_updates"] == 4
    assert await _anonymous_counts(planted.customer.id) == kept  # reports stay right
    assert await _rows_of_bob(planted) == bob_before  # nobody else was touched
    shell = await Customer.get(id=planted.customer.id)
    assert shell.erased_at is not None and shell.telegram_id is None
    assert shell.source == "instagram"  # revenue by channel stays right


async def test_raw_updates_become_stubs_that_keep_the_update_id_and_handled_state(
    store: None,
) -> None:
    planted = await plant_person()
    states = dict(await InboundUpdate.all().values_list("update_id", "processed_at"))
    await privacy.erase_customer(customer_id=planted.customer.id)
    rows = {u.update_id: u for u in await InboundUpdate.all()}
    assert {u: r.processed_at for u, r in rows.items()} == states
    for update_id in (1, 2, 3, 4):
        assert rows[update_id].payload == {"update_id": update_id}
    assert rows[5].payload == update_payload(5, "hi", user_id=555)  # Bob's, intact
    # Telegram redelivering an erased update is still recognised as stored.
    assert await inbox.accept(update_id=1, payload=update_payload(1, CARD)) is False


async def test_updates_after_the_request_are_a_new_customers_and_stay(store: None) -> None:
    customer = await _writes()
    now = clock.utcnow()
    earlier = update_payload(10, "before, still waiting")
    press = update_payload(11, "the erase button")
    later = update_payload(12, "written right after")
    waiting_agent = update_payload(13, f"/note 1 {FIRST} {LAST} called", user_id=7001)
    for payload in (earlier, press, later, waiting_agent):
        await make_inbound_update(payload)
    await make_inbound_update(update_payload(9, "old"), processed_at=now)

    await privacy.erase_customer(customer_id=customer.id, up_to_update_id=11)

    rows = {u.update_id: u for u in await InboundUpdate.all()}
    assert rows[9].payload == {"update_id": 9}
    assert rows[10].payload == {"update_id": 10} and rows[10].processed_at is None
    assert rows[11].payload == {"update_id": 11}
    assert rows[12].payload == later  # the new customer's first message, to be handled
    assert rows[13].payload == waiting_agent  # an agent's action still to be done


async def test_a_waiting_update_of_someone_else_holding_her_id_as_a_number_stays(
    store: None,
) -> None:
    customer = await _writes()
    lookalike = update_payload(20, "unrelated", user_id=TELEGRAM_ID * 10 + 1)
    lookalike["message"]["date"] = TELEGRAM_ID  # her id as a mere number, not as a user
    await make_inbound_update(lookalike, processed_at=None)
    await privacy.erase_customer(customer_id=customer.id)
    assert (await InboundUpdate.get(update_id=20)).payload == lookalike


async def test_staff_entries_that_share_her_name_are_not_hers(store: None) -> None:
    customer = await _writes()
    staff_entry = await audit.record(
        actor_telegram_id=9001,
        action="staff.agent_add",
        subject="user 7009",
        details={"name": FIRST, "skills": []},
    )
    await privacy.erase_customer(customer_id=customer.id)
    assert (await AuditEntry.get(id=staff_entry.id)).details == {"name": FIRST, "skills": []}


async def test_merge_snapshots_of_records_merged_in_at_any_remove_are_erased(store: None) -> None:
    oldest = await make_customer("Zed", email="zed.oldest@example.com", phone="+14155550111")
    middle = await make_customer("Zeddy", email="zeddy@example.com")
    await merge_customers(keep_id=middle.id, drop_id=oldest.id, actor_telegram_id=None)
    customer = await _writes()
    await merge_customers(keep_id=customer.id, drop_id=middle.id, actor_telegram_id=9001)
    assert await traces_in_store(["zed.oldest@example.com", "zeddy@example.com"])

    await privacy.erase_customer(customer_id=customer.id)

    assert await traces_in_store(["zed.oldest", "zeddy", "4155550111", str(TELEGRAM_ID)]) == []
    merges = await AuditEntry.filter(action="customer.merge").order_by("id")
    assert [m.details["dropped"] for m in merges] == [{"id": oldest.id}, {"id": middle.id}]
    assert merges[1].actor_telegram_id == 9001  # the manager who merged stays on record


async def test_her_own_audited_actions_lose_her_id_but_not_their_kind(store: None) -> None:
    from crm.marketing import campaigns

    customer = await _writes()
    await campaigns.set_subscribed(customer=customer, subscribed=False)
    await privacy.erase_customer(customer_id=customer.id)
    unsubscribe = await AuditEntry.get(action="campaign.unsubscribe")
    assert unsubscribe.actor_telegram_id is None
    assert " erased customer campaign.unsubscribe " in audit.describe(unsubscribe)
    erase = await AuditEntry.get(action="customer.erase")
    assert erase.details["by"] == "customer" and erase.details["counts"]["messages"] == 1
    assert " erased customer customer.erase " in audit.describe(erase)


async def test_after_erasure_the_same_person_writing_again_is_a_brand_new_customer(
    store: None,
) -> None:
    planted = await plant_person()
    await privacy.erase_customer(customer_id=planted.customer.id)
    again = await log_customer_message(profile=profile(), message=inbound(profile(), "Hi again"))
    assert again.customer.id != planted.customer.id and again.new_ticket
    assert await Ticket.filter(customer_id=again.customer.id).count() == 1
    assert await Customer.filter(telegram_id=TELEGRAM_ID).count() == 1
    exported = await privacy.export_customer_data(customer_id=again.customer.id)
    assert [m["text"] for m in exported["messages"]] == ["Hi again"]
    assert exported["audit"] == [] and exported["orders"] == []
    # Nothing of the old record comes back: no merge, no shared audit trail, no old updates.
    assert exported["telegram_updates"] == []


async def test_export_holds_every_row_the_erasure_covers(store: None) -> None:
    planted = await plant_person()
    data = await privacy.export_customer_data(customer_id=planted.customer.id)
    assert set(data) == set(privacy.EXPORT_SECTIONS.values())
    for model, section in privacy.EXPORT_SECTIONS.items():
        rows = data[section] if isinstance(data[section], list) else [data[section]]
        exported = {row["id"] for row in rows}
        assert planted.rows[model] <= exported, f"{section} lacks planted rows"
        # Someone else's rows stay out of her export, even when they name her.
        assert not exported & planted.others_naming.get(model, set()), section
    assert data["customer"]["telegram_id"] == TELEGRAM_ID
    assert any(CARD in m["text"] for m in data["messages"])
    dropped = [e["details"]["dropped"] for e in data["audit"] if e["action"] == "customer.merge"]
    assert {d["first_name"] for d in dropped} == {FIRST, "Zenna"}  # both merged-in records
    assert [u["payload"]["update_id"] for u in data["telegram_updates"]] == [1, 2, 3]
    assert not any(row["customer_id"] == planted.other.id for row in data["tickets"])


async def test_erasing_again_finishes_what_an_earlier_version_left(store: None) -> None:
    planted = await plant_person()
    customer_id = planted.customer.id
    # What the erasure did before: personal fields, texts and subjects, nothing else.
    await Customer.filter(id=customer_id).update(
        telegram_id=None, first_name="", last_name=None, username=None, phone=None, email=None
    )
    tickets = await Ticket.filter(customer_id=customer_id).values_list("id", flat=True)
    await Message.filter(ticket_id__in=tickets, direction=Direction.INBOUND).update(
        text="", file_id=None, edit_history=[], telegram_chat_id=None
    )
    await (
        Message.filter(ticket_id__in=tickets)
        .exclude(direction=Direction.INBOUND)
        .update(text="[erased]", file_id=None)
    )
    await Ticket.filter(customer_id=customer_id).update(subject="[erased]")
    await Rating.filter(customer_id=customer_id).update(comment=None)
    assert await traces_in_store()

    await privacy.erase_customer(customer_id=customer_id, requested_by="operator")

    assert await traces_in_store() == []


async def test_erased_customers_are_never_profiled_again(store: None) -> None:
    kept = await make_customer("Kim")
    gone = await _writes()
    for customer in (kept, gone):
        await make_orders(customer, count=3)
    await privacy.erase_customer(customer_id=gone.id)
    run = await compute_segments()
    members = await CustomerSegment.filter(run_id=run.id).values_list("customer_id", flat=True)
    assert members == [kept.id]


async def test_unknown_customer_is_refused_and_nothing_changes(store: None) -> None:
    with pytest.raises(InvalidInput, match="customer 999 does not exist"):
        await privacy.erase_customer(customer_id=999)
    with pytest.raises(InvalidInput, match="customer 999 does not exist"):
        await privacy.export_customer_data(customer_id=999)
    assert await AuditEntry.all().count() == 0


async def _writes() -> Customer:
    """Return the person as a customer who wrote once (the card number)."""
    result = await log_customer_message(profile=profile(), message=inbound(profile(), CARD))
    return result.customer


ZERO = Decimal(0)


async def _anonymous_counts(customer_id: int) -> tuple:
    """Return what the reports count of a customer: tickets, scores, order totals."""
    return (
        await Ticket.filter(customer_id=customer_id).count(),
        await Message.filter(ticket__customer_id=customer_id).count(),
        sorted(await Rating.filter(customer_id=customer_id).values_list("score", flat=True)),
        sorted(await NpsResponse.filter(customer_id=customer_id).values_list("score", flat=True)),
        sum(
            await Order.filter(customer_id=customer_id).values_list("total", flat=True), Decimal(0)
        ),
        await StaffMember.all().count(),
    )


async def _rows_of_bob(planted: Planted) -> tuple:
    bob = planted.other.id
    return (
        await Customer.filter(id=bob).values(),
        await Message.filter(ticket__customer_id=bob).values(),
        await CustomerSegment.filter(customer_id=bob).values(),
        await InboundUpdate.filter(update_id=5).values(),
    )
