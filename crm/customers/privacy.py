"""Privacy: erase everything held about a customer on request; export all of it.

Both work on the same set of tables (``SECTIONS``), found the same way: the customer row,
every record merged into it (from the audit log's merge snapshots), the rows pointing at them,
the audit entries about them and the raw webhook updates they sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from crm import audit, clock
from crm.customers.traces import ERASED, Identity, mentions, scrub, sent_by, stub
from crm.errors import InvalidInput
from crm.models import (
    AuditEntry,
    CampaignRecipient,
    Customer,
    CustomerSegment,
    Deal,
    DealStageChange,
    DialogState,
    Direction,
    FollowUpTask,
    InboundUpdate,
    Message,
    Notification,
    NpsResponse,
    Order,
    OrderLine,
    Rating,
    SlaBreach,
    Survey,
    Ticket,
)

MERGE = "customer.merge"
LINK = "customer.link"
# A prefilter query carries this many LIKE patterns at most (SQLite limits expression depth).
_NEEDLES_PER_QUERY = 100
# Rows read or written per statement (SQLite limits bound parameters).
_BATCH = 500


@dataclass
class _Person:
    """A customer's rows across the store, found once for the erasure or the export."""

    customer_id: int
    identity: Identity
    ticket_ids: list[int]
    deal_ids: list[int]
    order_ids: list[int]
    audit: list[AuditEntry]  # entries about them
    sent: list[InboundUpdate]  # raw updates they sent
    quoting: list[InboundUpdate]  # other people's raw updates that name or quote them


# Every table that can hold the person, the export's name for it, and how to find their rows.
SECTIONS: tuple[tuple[type[Model], str, Callable[[_Person], QuerySet[Any]]], ...] = (
    (Customer, "customer", lambda p: Customer.filter(id=p.customer_id)),
    (Ticket, "tickets", lambda p: Ticket.filter(id__in=p.ticket_ids)),
    (Message, "messages", lambda p: Message.filter(ticket_id__in=p.ticket_ids)),
    (Rating, "ratings", lambda p: Rating.filter(customer_id=p.customer_id)),
    (Survey, "surveys", lambda p: Survey.filter(customer_id=p.customer_id)),
    (NpsResponse, "nps", lambda p: NpsResponse.filter(customer_id=p.customer_id)),
    (SlaBreach, "sla_breaches", lambda p: SlaBreach.filter(ticket_id__in=p.ticket_ids)),
    (
        Notification,
        "notifications",
        lambda p: Notification.filter(
            Q(ticket_id__in=p.ticket_ids) | Q(chat_id__in=list(p.identity.telegram_ids))
        ),
    ),
    (Order, "orders", lambda p: Order.filter(id__in=p.order_ids)),
    (OrderLine, "order_lines", lambda p: OrderLine.filter(order_id__in=p.order_ids)),
    (Deal, "deals", lambda p: Deal.filter(id__in=p.deal_ids)),
    (
        DealStageChange,
        "deal_stage_changes",
        lambda p: DealStageChange.filter(deal_id__in=p.deal_ids),
    ),
    (
        FollowUpTask,
        "tasks",
        lambda p: FollowUpTask.filter(Q(customer_id=p.customer_id) | Q(deal_id__in=p.deal_ids)),
    ),
    (CustomerSegment, "segments", lambda p: CustomerSegment.filter(customer_id=p.customer_id)),
    (
        CampaignRecipient,
        "campaign_messages",
        lambda p: CampaignRecipient.filter(customer_id=p.customer_id),
    ),
    (
        DialogState,
        "dialogs",
        lambda p: DialogState.filter(
            Q(user_id__in=list(p.identity.telegram_ids))
            | Q(chat_id__in=list(p.identity.telegram_ids))
        ),
    ),
    (AuditEntry, "audit", lambda p: AuditEntry.filter(id__in=[e.id for e in p.audit])),
    (
        InboundUpdate,
        "telegram_updates",
        lambda p: InboundUpdate.filter(id__in=[u.id for u in p.sent]),
    ),
)
EXPORT_SECTIONS: dict[type[Model], str] = {model: name for model, name, _ in SECTIONS}


async def erase_customer(
    *,
    customer_id: int,
    up_to_update_id: int | None = None,
    requested_by: Literal["customer", "operator"] = "customer",
) -> dict[str, int]:
    """Erase everything that identifies a customer; keep anonymous rows for the report counts.

    ``up_to_update_id`` is the update that asked for the erasure: raw updates the person sent
    later (still waiting to be handled) are a new customer's and stay; earlier ones become
    stubs. Without it every stored update of theirs becomes a stub.
    """
    async with in_transaction():
        person = await _find(customer_id)
        rows = {model: find(person) for model, _, find in SECTIONS}
        now = clock.utcnow()
        counts: dict[str, int] = {}
        counts["customer"] = await rows[Customer].update(
            telegram_id=None,
            first_name="",
            last_name=None,
            username=None,
            language_code=None,
            phone=None,
            email=None,
            company=None,
            city=None,
            region=None,
            notes=None,
            tags=[],
            custom={},
            subscribed=False,
            comment_until=None,
            erased_at=now,
        )
        counts["tickets"] = await rows[Ticket].update(subject=ERASED)
        gone = {"file_id": None, "edit_history": [], "telegram_chat_id": None}
        inbound = await Message.filter(
            ticket_id__in=person.ticket_ids, direction=Direction.INBOUND
        ).update(text="", author_telegram_id=None, telegram_message_id=None, **gone)
        # Our replies and notes quote or address the person too; their authors are staff.
        others = await Message.filter(
            ticket_id__in=person.ticket_ids, direction__not=Direction.INBOUND
        ).update(text=ERASED, telegram_message_id=None, **gone)
        counts["messages"] = inbound + others
        counts["ratings"] = await rows[Rating].update(comment=None)
        counts["surveys"] = await rows[Survey].update(comment_until=None)
        counts["deals"] = await rows[Deal].update(title=ERASED)
        counts["tasks"] = await rows[FollowUpTask].update(text=ERASED)
        counts["campaign_messages"] = await rows[CampaignRecipient].update(telegram_message_id=None)
        # Lookups that only serve the conversation, and profiling: gone entirely.
        counts["notifications"] = await rows[Notification].delete()
        counts["segments"] = await rows[CustomerSegment].delete()
        counts["dialogs"] = await rows[DialogState].delete()
        counts["audit"] = await _scrub_audit(person.audit, person.identity)
        counts["telegram_updates"] = await _stub_updates(person, up_to_update_id)
        await audit.record(
            actor_telegram_id=None,
            action="customer.erase",
            subject=f"customer {customer_id}",
            details={
                "counts": {k: v for k, v in counts.items() if v},
                "by": requested_by,
                **({"actor_erased": True} if requested_by == "customer" else {}),
            },
        )
    return counts


async def export_customer_data(*, customer_id: int) -> dict[str, Any]:
    """Return everything held about a customer as JSON-ready data, one section per table."""
    person = await _find(customer_id)
    data: dict[str, Any] = {}
    for _, name, find in SECTIONS:
        data[name] = await find(person).order_by("id").values()
    data["customer"] = data["customer"][0]
    return _jsonable(data)


async def _find(customer_id: int) -> _Person:
    found = await Customer.filter(id=customer_id).values()
    if not found:
        raise InvalidInput(f"customer {customer_id} does not exist")
    row = found[0]
    ids, merges, snapshots = await _merged_into(customer_id)
    tickets = await Ticket.filter(customer_id=customer_id).values_list("id", "subject")
    ticket_ids = [t for t, _ in tickets]
    deals = await Deal.filter(customer_id=customer_id).values_list("id", "title")
    deal_ids = [d for d, _ in deals]
    links = await AuditEntry.filter(action=LINK, subject__in=_subjects(ids)).values_list(
        "details", flat=True
    )
    authors = (
        await Message.filter(ticket_id__in=ticket_ids, direction=Direction.INBOUND)
        .distinct()
        .values_list("author_telegram_id", flat=True)
    )
    texts = [
        *(await Message.filter(ticket_id__in=ticket_ids).values_list("text", flat=True)),
        *(await Rating.filter(customer_id=customer_id).values_list("comment", flat=True)),
        *(
            await FollowUpTask.filter(
                Q(customer_id=customer_id) | Q(deal_id__in=deal_ids)
            ).values_list("text", flat=True)
        ),
        *(subject for _, subject in tickets),
        *(title for _, title in deals),
        row["notes"],
    ]
    identity = Identity.of(
        [row, *snapshots, *(_linked(d) for d in links)],
        telegram_ids=authors,
        texts=[t for t in texts if t != ERASED],
    )
    about = await _audit_about(ids, identity, merges)
    sent, quoting = await _updates_about(identity)
    return _Person(
        customer_id=customer_id,
        identity=identity,
        ticket_ids=ticket_ids,
        deal_ids=deal_ids,
        order_ids=list(await Order.filter(customer_id=customer_id).values_list("id", flat=True)),
        audit=about,
        sent=sent,
        quoting=quoting,
    )


async def _merged_into(customer_id: int) -> tuple[set[int], list[int], list[dict[str, Any]]]:
    """Return the ids of the customer and of every record merged into it (at any remove),
    the merge entries' ids, and the merged records' snapshots."""
    ids, entries, snapshots, todo = {customer_id}, [], [], [customer_id]
    while todo:
        kept = todo.pop()
        merges = await AuditEntry.filter(
            action=MERGE, subject__endswith=f" into #{kept}"
        ).values_list("id", "details")
        for entry_id, details in merges:
            if not isinstance(details, dict) or details.get("kept") != kept:
                continue
            entries.append(entry_id)
            dropped = details.get("dropped")
            if not isinstance(dropped, dict):
                continue
            snapshots.append(dropped)
            other = dropped.get("id")
            if isinstance(other, int) and other not in ids:
                ids.add(other)
                todo.append(other)
    return ids, entries, snapshots


def _subjects(ids: Iterable[int]) -> list[str]:
    """Return the audit subjects that name one of these customers."""
    return [s for i in ids for s in (f"customer #{i}", f"customer {i}")]


def _linked(details: Any) -> dict[str, Any]:
    if not isinstance(details, dict):
        return {}
    return {"telegram_id": details.get("telegram_id"), "phone": details.get("phone")}


async def _audit_about(
    ids: set[int], identity: Identity, merges: Sequence[int]
) -> list[AuditEntry]:
    """Return the audit entries about the person: done by them, about their records, or
    holding their id, phone, e-mail or username."""
    tids = list(identity.telegram_ids)
    found = await AuditEntry.filter(
        Q(id__in=list(merges)) | Q(subject__in=_subjects(ids)) | Q(actor_telegram_id__in=tids)
    )
    known = {e.id for e in found}
    maybe = await _ids_containing(AuditEntry, "details", identity.needles(names=False))
    for chunk in _chunks(sorted(maybe - known)):
        for entry in await AuditEntry.filter(id__in=chunk):
            if mentions(entry.details, identity, names=False):
                found.append(entry)
    return sorted(found, key=lambda e: e.id)


async def _updates_about(identity: Identity) -> tuple[list[InboundUpdate], list[InboundUpdate]]:
    """Return the stored webhook updates the person sent, and those of others naming them."""
    maybe = await _ids_containing(InboundUpdate, "payload", identity.needles())
    sent, quoting = [], []
    for chunk in _chunks(sorted(maybe)):
        for row in await InboundUpdate.filter(id__in=chunk).order_by("id"):
            if not isinstance(row.payload, dict):
                continue
            if sent_by(row.payload, identity):
                sent.append(row)
            elif mentions(row.payload, identity):
                quoting.append(row)
    return sent, quoting


async def _scrub_audit(entries: Sequence[AuditEntry], identity: Identity) -> int:
    """Drop merge snapshots and the person's ids, names and handles from audit entries."""
    changed = []
    for entry in entries:
        details = dict(entry.details) if isinstance(entry.details, dict) else {}
        if entry.action == MERGE and isinstance(details.get("dropped"), dict):
            details["dropped"] = {"id": details["dropped"].get("id")}
        details = scrub(details, identity)
        actor = entry.actor_telegram_id
        if actor is not None and actor in identity.telegram_ids:
            # Not the CLI: the person themselves, whose id is gone.
            actor, details["actor_erased"] = None, True
        subject = scrub(entry.subject, identity)
        if (details, actor, subject) != (entry.details, entry.actor_telegram_id, entry.subject):
            entry.details, entry.actor_telegram_id, entry.subject = details, actor, subject
            changed.append(entry)
    if changed:
        await AuditEntry.bulk_update(
            changed, fields=["details", "actor_telegram_id", "subject"], batch_size=_BATCH
        )
    return len(changed)


async def _stub_updates(person: _Person, up_to_update_id: int | None) -> int:
    """Replace the person's raw updates with stubs that keep only the update id.

    A handled update is kept only so a redelivery is recognised, which its id alone does.
    One still waiting to be handled (a crashed replica's, to be adopted) becomes an empty
    update: replayed, every handler ignores it and it is marked handled like any other. An
    update the person sent after asking for the erasure is a new customer's and stays; so
    does someone else's update that names them while it waits (it is an agent's action).
    """
    later = up_to_update_id if up_to_update_id is not None else float("inf")
    changed = [r for r in person.sent if r.processed_at is not None or r.update_id <= later]
    changed += [row for row in person.quoting if row.processed_at is not None]
    for row in changed:
        row.payload = stub(row.payload)
    if changed:
        await InboundUpdate.bulk_update(changed, fields=["payload"], batch_size=_BATCH)
    # Who sent an update (flood counting across replicas) goes too, whatever its payload.
    ids = sorted(person.identity.telegram_ids)
    if ids:
        theirs = InboundUpdate.filter(user_id__in=ids)
        if up_to_update_id is not None:
            theirs = theirs.filter(update_id__lte=up_to_update_id)
        await theirs.update(user_id=None)
    return len(changed)


async def _ids_containing(model: type[Model], column: str, needles: Iterable[str]) -> set[int]:
    """Return ids of rows whose column, read as text, contains one of the needles.

    Case-insensitive for ASCII on both stores; a prefilter whose hits are then checked.
    """
    connection = model._meta.db
    postgres = connection.capabilities.dialect == "postgres"
    like = "ILIKE" if postgres else "LIKE"
    found: set[int] = set()
    ordered = sorted(n for n in set(needles) if n)
    for start in range(0, len(ordered), _NEEDLES_PER_QUERY):
        chunk = ordered[start : start + _NEEDLES_PER_QUERY]
        marks = [f"${i}" if postgres else "?" for i in range(1, len(chunk) + 1)]
        where = " OR ".join(
            f"CAST(\"{column}\" AS TEXT) {like} {mark} ESCAPE '\\'" for mark in marks
        )
        rows = await connection.execute_query_dict(
            f'SELECT "id" FROM "{model._meta.db_table}" WHERE {where}',
            [_pattern(n) for n in chunk],
        )
        found.update(int(r["id"]) for r in rows)
    return found


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _BATCH):
        yield list(ids[start : start + _BATCH])


def _pattern(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)  # Decimal and anything else exact as text
