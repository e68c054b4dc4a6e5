"""Sales: deals moving through the funnel, follow-up tasks, and monthly targets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from crm import clock, ids
from crm.desk.staff import acts_for, find_staff
from crm.errors import CleaningError, DealNotFound, InvalidInput, NotAuthorised, TaskNotFound
from crm.i18n import term
from crm.imports.parsers import parse_amount
from crm.models import (
    Customer,
    Deal,
    DealStage,
    DealStageChange,
    FollowUpTask,
    SalesTarget,
    StaffMember,
)

# The funnel in order; LOST is an exit from any stage, not a step.
FUNNEL = (
    DealStage.LEAD,
    DealStage.CONTACTED,
    DealStage.QUALIFIED,
    DealStage.PROPOSAL,
    DealStage.WON,
)
OPEN_STAGES = FUNNEL[:-1]
CLOSED_STAGES = (DealStage.WON, DealStage.LOST)
TITLE_LENGTH = 255
TASK_LENGTH = 2_000


class TargetKind(StrEnum):
    """What a follow-up task is about."""

    DEAL = "deal"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class TaskTarget:
    """A deal or a customer a task is about, as written in /task (d12, c34)."""

    kind: TargetKind
    id: int


@dataclass(frozen=True, slots=True)
class StageSummary:
    """Open deals in one stage with their total value."""

    stage: DealStage
    deals: list[Deal]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Reminder:
    """The tasks one owner is reminded of this morning."""

    owner: StaffMember
    tasks: list[FollowUpTask]


# --- parsing what people type ----------------------------------------------------------------


def parse_id(raw: str, what: str) -> int:
    """Parse '12' or '#12' into a positive id; raise InvalidInput naming what was expected.

    ``what`` is a noun of the catalog's: customer, deal, Telegram user or campaign.
    """
    noun = term(f"staff.noun.{what.lower().replace(' ', '_')}", what)
    return ids.parse_id(raw, refusal="staff.err.not_a_number", what=noun)


def parse_stage(raw: str) -> DealStage:
    """Parse a funnel stage name; the error lists the stages."""
    try:
        return DealStage(raw.strip().lower())
    except ValueError:
        stages = ", ".join(stage.value for stage in DealStage)
        raise InvalidInput.of("staff.err.not_a_stage", raw=raw, stages=stages) from None


def parse_money(raw: str) -> Decimal:
    """Parse an amount like 1200, 1,200.50 or $99; refuse negative ones."""
    try:
        value = parse_amount(raw)
    except CleaningError:
        raise InvalidInput.of("staff.err.not_an_amount", raw=raw) from None
    if value < 0:
        raise InvalidInput.of("staff.err.negative", raw=raw)
    return value


def parse_due(raw: str, *, today: date) -> date:
    """Parse a due date: YYYY-MM-DD, 'today' or 'tomorrow'; refuse dates in the past."""
    text = raw.strip().lower()
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    try:
        due = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        raise InvalidInput.of("staff.err.not_a_real_date", raw=raw) from None
    if due is None:
        raise InvalidInput.of("staff.err.not_a_date", raw=raw)
    if due < today:
        raise InvalidInput.of("staff.err.in_the_past", day=due.isoformat())
    return due


def parse_month(raw: str) -> date:
    """Parse YYYY-MM into the first day of that month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", raw.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise InvalidInput.of("staff.err.not_a_month", raw=raw)
    return date(int(match[1]), int(match[2]), 1)


_TARGET = re.compile(r"(?P<kind>d|deal|c|customer)[:#]?(?P<id>\d{1,9})")


def parse_task_target(raw: str) -> TaskTarget:
    """Parse d12 / deal:12 (a deal) or c34 / customer:34 (a customer)."""
    text = raw.strip().lower()
    match = _TARGET.fullmatch(text)
    if match is None or int(match["id"]) == 0:
        if re.fullmatch(r"#?\d{1,9}", text):
            number = text.lstrip("#")
            raise InvalidInput.of("staff.err.deal_or_customer", raw=raw, number=number)
        raise InvalidInput.of("staff.err.not_a_target", raw=raw)
    kind = TargetKind.DEAL if match["kind"].startswith("d") else TargetKind.CUSTOMER
    return TaskTarget(kind=kind, id=int(match["id"]))


def local_today(tz: tzinfo) -> date:
    """Return today's date in the desk's time zone."""
    return clock.utcnow().astimezone(tz).date()


# --- deals -----------------------------------------------------------------------------------


async def create_deal(*, customer_id: int, value: Decimal, title: str, owner: StaffMember) -> Deal:
    """Open a deal for a customer, owned by the staff member, at the first stage."""
    title = " ".join(title.split())
    if not title:
        raise InvalidInput.of("staff.err.deal_needs_title")
    if not await Customer.exists(id=customer_id):
        raise InvalidInput.of("staff.err.customer_not_found", customer_id=customer_id)
    now = clock.utcnow()
    async with in_transaction():
        deal = await Deal.create(
            customer_id=customer_id,
            title=title[:TITLE_LENGTH],
            value=value,
            owner=owner,
            stage=DealStage.LEAD,
            created_at=now,
        )
        await DealStageChange.create(
            deal=deal, from_stage=None, to_stage=DealStage.LEAD, changed_at=now, changed_by=owner
        )
    return deal


async def get_deal(*, deal_id: int) -> Deal:
    """Return a deal with its customer and owner."""
    deal = await Deal.get_or_none(id=deal_id).select_related("customer", "owner")
    if deal is None:
        raise DealNotFound(deal_id)
    return deal


async def stage_history(*, deal_id: int) -> list[DealStageChange]:
    """Return a deal's stage changes, oldest first, with who made them."""
    return (
        await DealStageChange.filter(deal_id=deal_id)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )


async def move_deal(*, deal_id: int, stage: DealStage, by: StaffMember) -> tuple[Deal, DealStage]:
    """Move a deal to a stage and record the change; return the deal and its previous stage.

    Agents move only their own deals, managers any. WON and LOST close the deal; moving a
    closed deal back into the funnel reopens it.
    """
    now = clock.utcnow()
    async with in_transaction():
        deal = await Deal.filter(id=deal_id).select_for_update().first()
        if deal is None:
            raise DealNotFound(deal_id)
        if not acts_for(by, deal.owner_id):  # type: ignore[attr-defined]
            raise NotAuthorised.of("staff.err.deal_not_yours", deal_id=deal_id)
        previous = deal.stage
        if previous is stage:
            raise InvalidInput.of("staff.err.deal_already_at", deal_id=deal_id, stage=stage.value)
        deal.stage = stage
        deal.closed_at = now if stage in CLOSED_STAGES else None
        await deal.save(update_fields=["stage", "closed_at", "updated_at"])
        await DealStageChange.create(
            deal=deal, from_stage=previous, to_stage=stage, changed_at=now, changed_by=by
        )
    return deal, previous


async def pipeline(*, owner: StaffMember) -> list[StageSummary]:
    """Return the owner's open deals grouped by stage (funnel order) with totals."""
    deals = (
        await Deal.filter(owner_id=owner.id, stage__in=list(OPEN_STAGES))
        .select_related("customer")
        .order_by("id")
    )
    summaries = []
    for stage in OPEN_STAGES:
        in_stage = [deal for deal in deals if deal.stage is stage]
        if in_stage:
            total = sum((Decimal(deal.value) for deal in in_stage), Decimal("0"))
            summaries.append(StageSummary(stage=stage, deals=in_stage, total=total))
    return summaries


# --- tasks -----------------------------------------------------------------------------------


async def add_task(*, target: TaskTarget, due: date, text: str, owner: StaffMember) -> FollowUpTask:
    """Create a follow-up task on a deal or a customer for the staff member."""
    text = text.strip()
    if not text:
        raise InvalidInput.of("staff.err.task_needs_text")
    if target.kind is TargetKind.DEAL:
        deal = await Deal.get_or_none(id=target.id)
        if deal is None:
            raise DealNotFound(target.id)
        customer_id = deal.customer_id  # type: ignore[attr-defined]
        deal_id: int | None = deal.id
    else:
        if not await Customer.exists(id=target.id):
            raise InvalidInput.of("staff.err.customer_not_found", customer_id=target.id)
        customer_id, deal_id = target.id, None
    return await FollowUpTask.create(
        deal_id=deal_id,
        customer_id=customer_id,
        owner=owner,
        due=due,
        text=text[:TASK_LENGTH],
        created_at=clock.utcnow(),
    )


async def due_tasks(*, owner: StaffMember, today: date) -> list[FollowUpTask]:
    """Return the owner's open tasks due today or earlier, most overdue first."""
    return (
        await FollowUpTask.filter(owner_id=owner.id, done=False, due__lte=today)
        .select_related("deal", "customer")
        .order_by("due", "id")
    )


async def complete_task(*, task_id: int, by: StaffMember) -> FollowUpTask:
    """Mark a task done: its owner or a manager only; a second press changes nothing."""
    async with in_transaction():
        task = await FollowUpTask.filter(id=task_id).select_for_update().first()
        if task is None:
            raise TaskNotFound(task_id)
        if not acts_for(by, task.owner_id):  # type: ignore[attr-defined]
            raise NotAuthorised.of("staff.err.task_not_yours", task_id=task_id)
        if task.done:
            raise InvalidInput.of("staff.err.task_done", task_id=task_id)
        task.done, task.done_at = True, clock.utcnow()
        await task.save(update_fields=["done", "done_at"])
    return task


async def claim_reminders(*, today: date) -> list[Reminder]:
    """Claim today's reminders: open tasks due by today, not yet reminded today, per owner.

    The claim (setting ``reminded_on``) happens under a row lock before anything is sent, so
    two replicas running the morning job never remind anyone twice.
    """
    pending = (
        FollowUpTask.filter(done=False, due__lte=today, owner__active=True)
        .filter(Q(reminded_on=None) | Q(reminded_on__lt=today))
        .order_by("id")
    )
    async with in_transaction():
        ids = [task.id for task in await pending.select_for_update()]
        if ids:
            await FollowUpTask.filter(id__in=ids).update(reminded_on=today)
    if not ids:
        return []
    tasks = (
        await FollowUpTask.filter(id__in=ids)
        .select_related("owner", "deal", "customer")
        .order_by("owner_id", "due", "id")
    )
    by_owner: dict[int, Reminder] = {}
    for task in tasks:
        owner = task.owner
        assert owner is not None
        by_owner.setdefault(owner.id, Reminder(owner=owner, tasks=[])).tasks.append(task)
    return list(by_owner.values())


# --- targets ---------------------------------------------------------------------------------


async def set_target(*, owner_telegram_id: int, month: date, amount: Decimal) -> SalesTarget:
    """Set (or replace) a staff member's won-value target for a month; its owner is loaded."""
    owner = await find_staff(telegram_id=owner_telegram_id)
    if owner is None:
        raise InvalidInput.of("staff.err.not_on_team", telegram_id=owner_telegram_id)
    month = month.replace(day=1)
    target = await SalesTarget.get_or_none(owner_id=owner.id, month=month)
    if target is None:
        return await SalesTarget.create(owner=owner, month=month, amount=amount)
    target.amount = amount
    await target.save(update_fields=["amount"])
    target.owner = owner
    return target


def describe_target(target: TaskTarget) -> str:
    """Render a task target the way people type it."""
    return f"{'d' if target.kind is TargetKind.DEAL else 'c'}{target.id}"


def days_overdue(due: date, today: date) -> int:
    """Return how many days late a task is (0 when due today)."""
    return max((today - due).days, 0)


def month_start(moment: datetime, tz: tzinfo) -> date:
    """Return the first day of the month a moment falls in, in the desk's zone."""
    return moment.astimezone(tz).date().replace(day=1)
