"""A person planted in every table of the store, and a raw scan for what is left of them.

`plant_person` writes the person (and, for contrast, an unrelated customer) into every table
the models define; `traces_in_store` reads every column of every row as text with SQL, so
nothing hides in JSON. `uncovered_models` names tables that are neither planted nor
allow-listed: a new table cannot be left out of the erasure silently.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from tortoise import Tortoise
from tortoise.models import Model

from crm import clock
from crm.customers.linking import link_telegram_by_phone
from crm.customers.merge import merge_customers
from crm.customers.profiles import CustomerProfile
from crm.desk.actions import add_note, mark_delivered, prepare_reply
from crm.desk.tickets import log_customer_message, record_edit
from crm.marketing import campaigns
from crm.models import (
    AgentScope,
    AuditEntry,
    BroadcastSlot,
    Campaign,
    CampaignRecipient,
    Customer,
    CustomerSegment,
    Deal,
    DealStage,
    DealStageChange,
    DialogState,
    FollowUpTask,
    InboundUpdate,
    JobLease,
    MediaType,
    Message,
    Notification,
    NpsResponse,
    Order,
    OrderLine,
    Product,
    Rating,
    RecipientStatus,
    Role,
    SalesTarget,
    SegmentRun,
    SlaBreach,
    SlaKind,
    StaffMember,
    SummaryRun,
    Survey,
    Ticket,
)
from tests.factories import inbound

TELEGRAM_ID = 987654321
FIRST, LAST, USERNAME = "Zenobia", "Quistgård", "zenobia_q"
PHONE, EMAIL = "+14155550123", "zenobia.q@example.org"
# An older duplicate record of the same person, merged into her record.
OLD_FIRST, OLD_LAST = "Zenna", "Quistgaard"
OLD_PHONE, OLD_EMAIL = "+14155550999", "zq.old@example.net"
CARD = "4111 1111 1111 1111"
ADDRESS = "my flat is 12 Quince Lane, Springfield"
PHOTO_FILE = "AgACAgZenobiaPassportScan"
EDITED_AWAY = "I first wrote my PIN 8842 here"
RATING_COMMENT = "the courier shouted at me on Quince Lane"
STAFF_ID, MANAGER_ID = 7001, 9001

# Tables that can never hold a customer, and why; every other table gets planted data.
ALLOWED: dict[type[Model], str] = {
    StaffMember: "the business's own people (agents, managers), never a customer",
    SummaryRun: "a day and how many managers got its summary",
    Product: "the catalogue: SKUs, names, prices",
    SalesTarget: "an owner's target for a month",
    SegmentRun: "segment names, sizes and mean features; who is in one is CustomerSegment",
    Campaign: "the text staff wrote for an audience; who got it is CampaignRecipient",
    JobLease: "which replica runs which scheduled job",
    BroadcastSlot: "how many campaign messages went out in a time slot",
}


def needles() -> list[str]:
    """Return every planted value that identifies the person or is something they said."""
    plain = [
        str(TELEGRAM_ID),
        FIRST,
        LAST,
        USERNAME,
        PHONE.lstrip("+"),
        EMAIL,
        OLD_FIRST,
        OLD_LAST,
        OLD_PHONE.lstrip("+"),
        OLD_EMAIL,
        CARD,
        ADDRESS,
        PHOTO_FILE,
        EDITED_AWAY,
        RATING_COMMENT,
    ]
    return plain + [json.dumps(p)[1:-1] for p in plain if json.dumps(p)[1:-1] != p]


@dataclass
class Planted:
    """What was planted: the person's customer row, and their rows per table."""

    customer: Customer
    other: Customer  # an unrelated customer, who must come out untouched
    rows: dict[type[Model], set[object]] = field(default_factory=lambda: defaultdict(set))
    # Rows that are someone else's but name the person (erased, not part of their export).
    others_naming: dict[type[Model], set[object]] = field(default_factory=lambda: defaultdict(set))


def profile() -> CustomerProfile:
    """Return the person's Telegram profile."""
    return CustomerProfile(
        telegram_id=TELEGRAM_ID,
        first_name=FIRST,
        last_name=LAST,
        username=USERNAME,
        language_code="en",
    )


def update_payload(update_id: int, text: str, *, user_id: int = TELEGRAM_ID) -> dict:
    """Return a raw Telegram update: a private message from a user."""
    sender: dict = {"id": user_id, "is_bot": False, "first_name": "Anna"}
    if user_id == TELEGRAM_ID:
        sender.update(first_name=FIRST, last_name=LAST, username=USERNAME)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id + 500,
            "date": 1_700_000_000,
            "from": sender,
            "chat": {**sender, "type": "private"},
            "text": text,
        },
    }


async def plant_person() -> Planted:
    """Store the person in every table the models define (except the allow-listed ones)."""
    now = clock.utcnow()
    anna = await StaffMember.create(telegram_id=STAFF_ID, name="Anna", role=Role.AGENT)
    await StaffMember.create(telegram_id=MANAGER_ID, name="Maya", role=Role.MANAGER)

    # An import knew her by phone before she wrote; an older duplicate came from another file.
    imported = await Customer.create(
        first_name=FIRST,
        last_name=LAST,
        phone=PHONE,
        email=EMAIL,
        company="Quistgård Holdings",
        city="Springfield",
        notes=f"VIP, lives at {ADDRESS}",
        tags=["vip"],
        custom={"Loyalty card": CARD},
        source="instagram",
    )
    older = await Customer.create(
        first_name=OLD_FIRST, last_name=OLD_LAST, phone=OLD_PHONE, email=OLD_EMAIL
    )
    other = (
        await log_customer_message(
            profile=CustomerProfile(telegram_id=555, first_name="Bob"),
            message=inbound(CustomerProfile(telegram_id=555), "Bob's own question"),
        )
    ).customer

    # She writes first (a new customer), then shares her phone: the records are merged.
    first = await log_customer_message(profile=profile(), message=inbound(profile(), CARD))
    photo = await log_customer_message(
        profile=profile(),
        message=inbound(profile(), ADDRESS, media_type=MediaType.PHOTO, file_id=PHOTO_FILE),
    )
    await record_edit(
        chat_id=TELEGRAM_ID, message_id=photo.message.telegram_message_id, new_text=ADDRESS + "!"
    )
    edited = await log_customer_message(profile=profile(), message=inbound(profile(), EDITED_AWAY))
    await record_edit(
        chat_id=TELEGRAM_ID,
        message_id=edited.message.telegram_message_id,
        new_text="(removed)",
    )
    customer = await link_telegram_by_phone(
        telegram_id=TELEGRAM_ID, phone=PHONE.lstrip("+"), first_name=FIRST, username=USERNAME
    )
    assert customer is not None and customer.id == imported.id
    await merge_customers(
        keep_id=customer.id, drop_id=older.id, actor_telegram_id=MANAGER_ID, reason="manual"
    )
    customer = await Customer.get(id=customer.id)
    await campaigns.set_subscribed(customer=customer, subscribed=False)
    planted = Planted(customer=customer, other=other)

    ticket = await Ticket.get(id=first.ticket.id)
    ticket.assignee_id = anna.id  # type: ignore[attr-defined]
    await ticket.save(update_fields=["assignee_id"])
    reply = await prepare_reply(ticket_id=ticket.id, staff=anna, text=f"Hello {FIRST}, got it")
    await mark_delivered(reply=reply, telegram_message_id=42)
    await add_note(
        ticket_id=ticket.id,
        staff=anna,
        scope=AgentScope.TEAM,
        text=f"{FIRST} {LAST} sent a card number",
    )

    rating = await Rating.create(
        ticket=ticket, customer=customer, score=2, comment=RATING_COMMENT, agent=anna
    )
    await Survey.create(
        ticket=ticket,
        customer=customer,
        agent=anna,
        rating=rating,
        answered_at=now,
        comment_until=now + timedelta(minutes=5),
    )
    await NpsResponse.create(customer=customer, ticket=ticket, score=3, answered_at=now)
    await SlaBreach.create(ticket=ticket, kind=SlaKind.FIRST_RESPONSE, agent=anna)
    await Notification.create(ticket=ticket, chat_id=STAFF_ID, message_id=77)

    product = await Product.create(sku="SKU-1", name="Kettle", price=Decimal("30"))
    order = await Order.create(
        customer=customer, external_ref="ZQ-1001", ordered_at=now, total=Decimal("60")
    )
    await OrderLine.create(order=order, product=product, product_name="Kettle", quantity=2)
    deal = await Deal.create(
        customer=customer, title=f"{FIRST} {LAST} {PHONE} annual plan", value=Decimal("1200")
    )
    await DealStageChange.create(deal=deal, to_stage=DealStage.CONTACTED)
    await FollowUpTask.create(
        deal=deal, owner=anna, due=now.date(), text=f"Call {FIRST} on {PHONE}"
    )
    await FollowUpTask.create(
        customer=customer, owner=anna, due=now.date(), text=f"Mail {EMAIL} the quote"
    )
    run = await SegmentRun.create(finished_at=now, customers=2, k=1)
    await CustomerSegment.create(run=run, customer=customer, segment="loyal")
    await CustomerSegment.create(run=run, customer=other, segment="loyal")
    campaign = await Campaign.create(audience="segment:loyal", text="Spring sale")
    await CampaignRecipient.create(
        campaign=campaign,
        customer=customer,
        status=RecipientStatus.SENT,
        telegram_message_id=4242,
        sent_at=now,
    )
    await DialogState.create(
        name="campaign_new",
        user_id=TELEGRAM_ID,
        chat_id=TELEGRAM_ID,
        step=1,
        data={"text": ADDRESS},
        updated_at=now,
    )
    await JobLease.create(name="daily", holder="r1", acquired_at=now, expires_at=now)
    await BroadcastSlot.create(slot=1, used=3)
    await SummaryRun.create(day=now.date(), sent_to=1)
    await SalesTarget.create(owner=anna, month=now.date().replace(day=1), amount=Decimal("9"))

    # Raw webhook updates: hers (handled and not), and an agent's reply quoting her ticket.
    hers = [
        await InboundUpdate.create(
            update_id=update_id, payload=update_payload(update_id, text), processed_at=done
        )
        for update_id, text, done in ((1, CARD, now), (2, ADDRESS, now), (3, EDITED_AWAY, None))
    ]
    quoting = update_payload(4, "On it", user_id=STAFF_ID)
    quoting["message"]["reply_to_message"] = {
        "message_id": 77,
        "chat": {"id": STAFF_ID, "type": "private"},
        "text": f"💬 #{ticket.id} {FIRST} {LAST}: {CARD}",
    }
    agent_update = await InboundUpdate.create(update_id=4, payload=quoting, processed_at=now)
    await InboundUpdate.create(update_id=5, payload=update_payload(5, "hi", user_id=555))

    planted.rows = await _rows_of(customer)
    planted.rows[InboundUpdate] = {u.id for u in hers}
    planted.others_naming[InboundUpdate] = {agent_update.id}
    return planted


async def _rows_of(customer: Customer) -> dict[type[Model], set[object]]:
    """Return the ids of the person's rows per table, found the obvious way."""
    tickets = await Ticket.filter(customer=customer).values_list("id", flat=True)
    deals = await Deal.filter(customer=customer).values_list("id", flat=True)
    orders = await Order.filter(customer=customer).values_list("id", flat=True)
    found: dict[type[Model], set[object]] = defaultdict(set)

    async def add(model: type[Model], **where: object) -> None:
        found[model].update(await model.filter(**where).values_list("id", flat=True))

    await add(Customer, id=customer.id)
    await add(Ticket, id__in=tickets)
    await add(Message, ticket_id__in=tickets)
    for model in (Rating, Survey, NpsResponse, CustomerSegment, CampaignRecipient):
        await add(model, customer_id=customer.id)
    await add(SlaBreach, ticket_id__in=tickets)
    await add(Notification, ticket_id__in=tickets)
    await add(Order, id__in=orders)
    await add(OrderLine, order_id__in=orders)
    await add(Deal, id__in=deals)
    await add(DealStageChange, deal_id__in=deals)
    await add(FollowUpTask, deal_id__in=deals)
    await add(FollowUpTask, customer_id=customer.id)
    await add(DialogState, user_id=TELEGRAM_ID)
    # Merges, the link, the unsubscribe: every audit entry so far is about her.
    await add(AuditEntry)
    return found


def crm_models() -> list[type[Model]]:
    """Return every model the store has, from tortoise's registry."""
    return list(Tortoise.apps["crm"].values())


def uncovered_models(planted: Planted) -> list[str]:
    """Return the models neither planted with the person's data nor allow-listed."""
    return sorted(m.__name__ for m in crm_models() if m not in ALLOWED and not planted.rows.get(m))


async def traces_in_store(values: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Return (table, column, text) of every stored value holding one of the needles.

    Reads every column of every table cast to text with SQL, so nothing hides in JSON.
    """
    wanted = [n.lower() for n in (values or needles())]
    found = []
    for model in crm_models():
        meta = model._meta
        columns = sorted(meta.fields_db_projection.values())
        select = ", ".join(f'CAST("{c}" AS TEXT) AS "{c}"' for c in columns)
        rows = await meta.db.execute_query_dict(f'SELECT {select} FROM "{meta.db_table}"')
        for row in rows:
            for column, value in row.items():
                text = "" if value is None else str(value).lower()
                if any(n in text for n in wanted):
                    found.append((meta.db_table, column, str(value)))
    return found
