"""Sales: deals, stages, tasks and targets as services, the report's figures, and the bot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from crm import clock
from crm.desk import staff
from crm.errors import InvalidInput, NotAuthorised
from crm.models import (
    Customer,
    Deal,
    DealStage,
    FollowUpTask,
    Role,
    SalesTarget,
    StaffMember,
)
from crm.sales import deals
from crm.sales import report as sales_report
from crm.sales.deals import TargetKind, TaskTarget
from handlers import records as records_handlers
from handlers import sales as sales_handlers
from handlers.auth import REFUSAL
from tests.factories import (
    make_customer,
    make_deal,
    make_follow_up,
    make_order,
    make_order_line,
    make_product,
    make_sales_target,
    make_stage_change,
)
from tests.harness import MANAGER_ID, Desk

ANNA, BORIS = 7001, 7002
NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


def at(month: int, day: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


async def team() -> tuple[StaffMember, StaffMember, StaffMember]:
    anna, _ = await staff.add_agent(telegram_id=ANNA, name="Anna")
    boris, _ = await staff.add_agent(telegram_id=BORIS, name="Boris")
    # As the bot's start does (in the e2e tests it already has): Maya is in CRM_MANAGER_IDS.
    await staff.sync_managers(telegram_ids=[MANAGER_ID])
    maya = await StaffMember.get(telegram_id=MANAGER_ID)
    return anna, boris, maya


# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("d12", TaskTarget(TargetKind.DEAL, 12)),
        ("deal:12", TaskTarget(TargetKind.DEAL, 12)),
        ("D#12", TaskTarget(TargetKind.DEAL, 12)),
        ("c34", TaskTarget(TargetKind.CUSTOMER, 34)),
        ("customer:34", TaskTarget(TargetKind.CUSTOMER, 34)),
    ],
)
def test_task_targets_name_a_deal_or_a_customer(raw: str, expected: TaskTarget) -> None:
    assert deals.parse_task_target(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "12",
            "'12' could be a deal or a customer: write d12 for deal #12 or c12 for customer #12",
        ),
        ("x12", "'x12' is not a deal (d12) or a customer (c34)"),
        ("d0", "'d0' is not a deal (d12) or a customer (c34)"),
    ],
)
def test_ambiguous_or_bad_task_targets_explain_themselves(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        deals.parse_task_target(raw)
    assert str(caught.value) == message


def test_due_dates_months_stages_and_amounts() -> None:
    today = date(2025, 3, 15)
    assert deals.parse_due("2025-03-20", today=today) == date(2025, 3, 20)
    assert deals.parse_due("tomorrow", today=today) == date(2025, 3, 16)
    assert deals.parse_due("TODAY", today=today) == today
    with pytest.raises(InvalidInput, match="is in the past"):
        deals.parse_due("2025-03-14", today=today)
    with pytest.raises(InvalidInput, match="not a real date"):
        deals.parse_due("2025-02-30", today=today)
    with pytest.raises(InvalidInput, match="write YYYY-MM-DD"):
        deals.parse_due("15/03/2025", today=today)
    assert deals.parse_month("2025-3") == date(2025, 3, 1)
    with pytest.raises(InvalidInput, match="is not a month"):
        deals.parse_month("2025-13")
    assert deals.parse_stage(" Won ") is DealStage.WON
    with pytest.raises(InvalidInput, match="use one of lead, contacted, qualified"):
        deals.parse_stage("closed")
    assert deals.parse_money("1,200.50") == Decimal("1200.50")
    with pytest.raises(InvalidInput, match="is negative"):
        deals.parse_money("-5")
    assert sales_report.window_start(months=3, today=date(2025, 1, 31)) == date(2024, 11, 1)


# --- deals and tasks as services ---------------------------------------------------------------


async def test_stage_changes_are_recorded_and_only_owners_or_managers_move_deals(store) -> None:
    anna, boris, maya = await team()
    customer = await make_customer("Carol")
    clock.freeze(NOW)
    deal = await deals.create_deal(
        customer_id=customer.id, value=Decimal("1200"), title="  Annual   plan ", owner=anna
    )

    with pytest.raises(NotAuthorised, match="is not yours"):
        await deals.move_deal(deal_id=deal.id, stage=DealStage.WON, by=boris)
    clock.advance(timedelta(days=2))
    await deals.move_deal(deal_id=deal.id, stage=DealStage.QUALIFIED, by=anna)
    with pytest.raises(InvalidInput, match="already at qualified"):
        await deals.move_deal(deal_id=deal.id, stage=DealStage.QUALIFIED, by=anna)
    clock.advance(timedelta(days=1))
    won, previous = await deals.move_deal(deal_id=deal.id, stage=DealStage.WON, by=maya)
    assert (previous, won.closed_at) == (DealStage.QUALIFIED, NOW + timedelta(days=3))
    reopened, _ = await deals.move_deal(deal_id=deal.id, stage=DealStage.PROPOSAL, by=maya)
    assert reopened.closed_at is None

    history = await deals.stage_history(deal_id=deal.id)
    assert [(c.from_stage, c.to_stage, c.changed_by.telegram_id) for c in history] == [
        (None, DealStage.LEAD, ANNA),
        (DealStage.LEAD, DealStage.QUALIFIED, ANNA),
        (DealStage.QUALIFIED, DealStage.WON, MANAGER_ID),
        (DealStage.WON, DealStage.PROPOSAL, MANAGER_ID),
    ]
    assert (await deals.get_deal(deal_id=deal.id)).title == "Annual plan"
    with pytest.raises(InvalidInput, match="customer #999 not found"):
        await deals.create_deal(customer_id=999, value=Decimal(1), title="x", owner=anna)
    with pytest.raises(InvalidInput, match="deal #999 not found"):
        await deals.move_deal(deal_id=999, stage=DealStage.WON, by=maya)


async def test_pipeline_groups_own_open_deals_by_stage(store) -> None:
    anna, boris, _ = await team()
    customer = await make_customer("Carol")
    for value, stage, owner in [(100, DealStage.LEAD, anna), (50, DealStage.LEAD, anna),
                                (70, DealStage.PROPOSAL, anna), (999, DealStage.WON, anna),
                                (5, DealStage.LEAD, boris)]:  # fmt: skip
        await make_deal(customer, title="t", value=value, owner=owner, stage=stage)

    summaries = await deals.pipeline(owner=anna)

    assert [(s.stage, len(s.deals), s.total) for s in summaries] == [
        (DealStage.LEAD, 2, Decimal("150")),
        (DealStage.PROPOSAL, 1, Decimal("70")),
    ]


async def test_tasks_are_due_completed_by_owner_or_manager_and_reminded_once(store) -> None:
    anna, boris, maya = await team()
    customer = await make_customer("Carol")
    deal = await make_deal(customer, owner=anna)
    today = date(2025, 3, 15)
    late = await deals.add_task(
        target=TaskTarget(TargetKind.DEAL, deal.id), due=today - timedelta(days=2),
        text="call", owner=anna,
    )  # fmt: skip
    now = await deals.add_task(
        target=TaskTarget(TargetKind.CUSTOMER, customer.id), due=today, text="quote", owner=anna
    )
    await deals.add_task(
        target=TaskTarget(TargetKind.CUSTOMER, customer.id), due=today + timedelta(days=1),
        text="later", owner=anna,
    )  # fmt: skip
    assert late.customer_id == customer.id  # a deal's task is also its customer's

    assert [t.id for t in await deals.due_tasks(owner=anna, today=today)] == [late.id, now.id]
    with pytest.raises(NotAuthorised, match=f"task #{late.id} is not yours"):
        await deals.complete_task(task_id=late.id, by=boris)
    done = await deals.complete_task(task_id=late.id, by=maya)
    assert done.done and done.done_at is not None
    with pytest.raises(InvalidInput, match="already done"):
        await deals.complete_task(task_id=late.id, by=anna)

    (reminder,) = await deals.claim_reminders(today=today)
    assert (reminder.owner.id, [t.id for t in reminder.tasks]) == (anna.id, [now.id])
    assert await deals.claim_reminders(today=today) == []  # once a day
    assert len(await deals.claim_reminders(today=today + timedelta(days=1))) == 1
    with pytest.raises(InvalidInput, match="deal #404 not found"):
        await deals.add_task(
            target=TaskTarget(TargetKind.DEAL, 404), due=today, text="x", owner=anna
        )


async def test_targets_are_set_per_owner_and_month(store) -> None:
    anna, _, _ = await team()

    await deals.set_target(owner_telegram_id=ANNA, month=date(2025, 3, 9), amount=Decimal(500))
    target = await deals.set_target(
        owner_telegram_id=ANNA, month=date(2025, 3, 1), amount=Decimal(800)
    )

    assert (target.month, target.amount) == (date(2025, 3, 1), Decimal(800))
    assert await SalesTarget.filter(owner=anna).count() == 1
    with pytest.raises(InvalidInput, match="user 4 is not on the team"):
        await deals.set_target(owner_telegram_id=4, month=date(2025, 3, 1), amount=Decimal(1))


# --- the report against a hand-computed fixture -------------------------------------------------


async def _deal(customer, owner, value, created, moves, *, title="d"):
    """A deal created at `created` that moved through `moves` [(stage, when), ...]."""
    stage = moves[-1][0] if moves else DealStage.LEAD
    closed = moves[-1][1] if moves and stage in deals.CLOSED_STAGES else None
    deal = await make_deal(
        customer,
        owner=owner,
        value=value,
        title=title,
        stage=stage,
        created_at=created,
        closed_at=closed,
    )
    await make_stage_change(deal, to_stage=DealStage.LEAD, changed_at=created)
    previous = DealStage.LEAD
    for to_stage, when in moves:
        await make_stage_change(deal, from_stage=previous, to_stage=to_stage, changed_at=when)
        previous = to_stage
    return deal


@pytest.fixture
async def sales_history(store):
    """Three months of sales (Jan-Mar 2025) plus older records that must not count."""
    anna, boris, _ = await team()
    x = await make_customer("Xavier", city="Rome", region="Lazio", source="ads")
    y = await make_customer("Yana", city="Rome", source="referral")
    await make_customer("Zed")
    S = DealStage
    # D1 goes every step; D2 is lost after contact; D3 jumps from lead to proposal.
    await _deal(
        x,
        anna,
        1000,
        at(1, 1),
        [
            (S.CONTACTED, at(1, 3)),
            (S.QUALIFIED, at(1, 6)),
            (S.PROPOSAL, at(1, 10)),
            (S.WON, at(1, 20)),
        ],
    )
    await _deal(x, boris, 300, at(2, 1), [(S.CONTACTED, at(2, 2)), (S.LOST, at(2, 5))])
    await _deal(x, boris, 2500, at(2, 10), [(S.PROPOSAL, at(2, 12)), (S.WON, at(3, 1))])
    await _deal(x, anna, 40, at(3, 2), [])
    # Created before the window: not in the funnel, but its March win counts for Anna.
    await _deal(x, anna, 500, at(11, 20, 2024), [(S.WON, at(3, 5))])
    for owner, month, amount in [(anna, 1, 800), (boris, 2, 1000), (anna, 3, 1000),
                                 (boris, 3, 5000), (anna, 12, 999)]:  # fmt: skip
        year = 2024 if month == 12 else 2025
        await make_sales_target(owner, month=date(year, month, 1), amount=amount)
    for owner, due, done in [(anna, date(2025, 1, 5), True), (anna, date(2025, 3, 10), False),
                             (anna, date(2025, 3, 15), False), (anna, date(2025, 3, 20), False),
                             (boris, date(2025, 2, 1), True),
                             (boris, date(2024, 12, 1), False)]:  # fmt: skip
        await make_follow_up(customer=x, owner=owner, due=due, text="t", done=done)
    kitchen = await make_product("K1", "Pan", category="Kitchen")
    tea = await make_product("T1", "Tea", category="Tea")
    for customer, when, lines in [
        (x, at(1, 10), [(kitchen, 60), (None, 40)]),
        (y, at(2, 20), [(tea, 250)]),
        (x, at(3, 1), [(kitchen, -20)]),  # a refund
        (y, at(12, 24, 2024), [(tea, 999)]),  # before the window
    ]:
        order = await make_order(
            customer, ordered_at=when, total=sum(amount for _, amount in lines)
        )
        for product, amount in lines:
            await make_order_line(order, product=product, total=amount)
    clock.freeze(NOW)


async def test_funnel_conversion_and_time_in_stage_follow_the_history(sales_history) -> None:
    report = await sales_report.build_report(months=3)

    assert (report.start, report.end) == (date(2025, 1, 1), date(2025, 3, 15))
    assert [(s.stage.value, s.reached) for s in report.funnel] == [
        ("lead", 4), ("contacted", 3), ("qualified", 2), ("proposal", 2), ("won", 2)
    ]  # fmt: skip
    assert [s.conversion for s in report.funnel] == [None, 0.75, pytest.approx(2 / 3), 1.0, 1.0]
    assert report.lost == 1
    assert [(stage.value, round(days, 3), n) for stage, days, n in report.stage_days] == [
        ("lead", round(5 / 3, 3), 3),  # D1 2 days, D2 1, D3 2; D4 is still there
        ("contacted", 3.0, 2),
        ("qualified", 4.0, 1),
        ("proposal", 13.5, 2),  # D1 10 days, D3 17
    ]


async def test_won_value_against_targets_and_task_scores(sales_history) -> None:
    report = await sales_report.build_report(months=3)

    assert [(r.month, r.owner, r.won, r.target, r.percent) for r in report.targets] == [
        (date(2025, 1, 1), "Anna", Decimal("1000.00"), Decimal("800.00"), 125.0),
        (date(2025, 2, 1), "Boris", Decimal("0.00"), Decimal("1000.00"), 0.0),
        (date(2025, 3, 1), "Anna", Decimal("500.00"), Decimal("1000.00"), 50.0),
        (date(2025, 3, 1), "Boris", Decimal("2500.00"), Decimal("5000.00"), 50.0),
    ]
    assert [(s.owner, s.due, s.done, s.overdue) for s in report.tasks] == [
        ("Anna", 3, 1, 1),  # due Jan 5 (done), Mar 10 (late), Mar 15 (today); not Mar 20
        ("Boris", 1, 1, 0),
    ]


async def test_revenue_and_customer_mix(sales_history) -> None:
    report = await sales_report.build_report(months=3)

    money = Decimal
    assert report.revenue_by_month == [
        (date(2025, 1, 1), money("100.00")),
        (date(2025, 2, 1), money("250.00")),
        (date(2025, 3, 1), money("-20.00")),
    ]
    assert report.revenue_by_category == [
        ("Tea", money("250.00")), ("(unknown)", money("40.00")), ("Kitchen", money("40.00"))
    ]  # fmt: skip
    assert [(name, value) for _, name, value in report.top_customers] == [
        ("Yana", money("250.00")), ("Xavier", money("80.00"))
    ]  # fmt: skip
    assert report.revenue_by_source == [("referral", money("250.00")), ("ads", money("80.00"))]
    assert report.customers_by_city == [("Rome", 2), ("(unknown)", 1)]
    assert report.customers_by_region == [("(unknown)", 2), ("Lazio", 1)]
    # Lifetime: Xavier 80 (refund included), Yana 1,249, Zed nothing.
    assert report.value_bands == [("no orders", 1), ("<100", 1), ("100–1k", 0),
                                  ("1k–10k", 1), (">10k", 0)]  # fmt: skip


async def test_report_renders_as_text_and_charts(sales_history) -> None:
    report = await sales_report.build_report(months=3)

    text = sales_report.render_text(report)
    charts = sales_report.charts(report)

    assert "contacted: 3 · 75% of previous" in text
    assert "2025-01 Anna: 1,000.00 of 800.00 (125%)" in text
    assert "  Anna: 1/3 done · 1 overdue" in text
    assert {chart.name for chart in charts} >= {"funnel", "targets", "revenue_by_month",
                                                "value_bands", "stage_days", "tasks"}  # fmt: skip
    assert all(chart.png.startswith(b"\x89PNG") for chart in charts)


async def test_a_chinese_manager_gets_the_report_and_charts_in_chinese(sales_history) -> None:
    report = await sales_report.build_report(months=3)

    sections = dict(sales_report.sections(report, "zh"))
    assert "contacted: 3 · 上一阶段的 75%" in sections["销售漏斗（期间内新建的商机）"]
    assert "2025-01 Anna: 1,000.00，目标 800.00（125%）" in sections["各负责人赢单金额与目标"]
    assert "Anna：已完成 1/3 · 逾期 1" in sections["期间内到期的跟进任务"]
    titles = {chart.name: chart.title for chart in sales_report.charts(report, "zh")}
    assert titles["funnel"] == "销售漏斗：到达各阶段的商机"
    assert titles["revenue_by_month"] == "每月收入"


async def test_an_empty_store_still_makes_a_report(store) -> None:
    report = await sales_report.build_report(months=1)

    assert [s.reached for s in report.funnel] == [0, 0, 0, 0, 0]
    assert "no follow-ups due" in sales_report.render_text(report)
    assert sales_report.charts(report) == []  # no empty charts


# --- in Telegram -------------------------------------------------------------------------------


@pytest.fixture
async def wired(desk: Desk) -> Desk:
    """The desk with the records and sales handlers, ahead of the customer catch-alls."""
    group = desk.application.handlers[0]
    before = list(group)
    records_handlers.register(desk.application)
    sales_handlers.register(desk.application)
    group[:] = [handler for handler in group if handler not in before] + before
    return desk


SALES_COMMANDS = {
    "/deal_new 1 100 Plan": Role.AGENT,
    "/deal 1": Role.AGENT,
    "/deal_stage 1 won": Role.AGENT,
    "/deals": Role.AGENT,
    "/task d1 2030-01-01 call": Role.AGENT,
    "/tasks": Role.AGENT,
    "/target 7001 2030-01 100": Role.MANAGER,
    "/sales": Role.MANAGER,
}


@pytest.mark.e2e
async def test_customers_are_refused_every_sales_command_and_button(wired: Desk) -> None:
    desk = wired
    anna, _, _ = await team()
    customer = await make_customer("Carol")
    deal = await make_deal(customer, owner=anna)
    task = await make_follow_up(deal=deal, owner=anna, due=date(2020, 1, 1))
    carol = desk.customer(501, "Carol")

    for command, role in SALES_COMMANDS.items():
        reply = await desk.send_text(carol, command)
        assert reply.text == REFUSAL[role], command
    agent_list = await desk.send_text(desk.sandbox.user(ANNA, "Anna"), "/tasks")
    answer = await desk.press(carol, agent_list, f"sl:done:{task.id}")

    assert answer.text == REFUSAL[Role.AGENT]
    assert not (await FollowUpTask.get(id=task.id)).done
    assert await Deal.all().count() == 1 and (await Deal.get(id=deal.id)).stage is DealStage.LEAD
    assert await SalesTarget.all().count() == 0


@pytest.mark.e2e
async def test_a_deal_from_first_contact_to_won_with_tasks_in_telegram(wired: Desk) -> None:
    desk = wired
    await team()
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    anna = desk.sandbox.user(ANNA, "Anna")
    boris = desk.sandbox.user(BORIS, "Boris")
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "/start")
    cid = (await Customer.get(telegram_id=501)).id

    reply = await desk.send_text(anna, f"/deal_new {cid} 1,200 Annual <b>plan</b>")
    deal = await Deal.get(customer_id=cid)
    assert reply.text == (
        f"Deal #{deal.id} opened for Carol Doe: Annual <b>plan</b> · 1,200.00 · lead. "
        f"Move it with /deal_stage {deal.id} <stage>."
    )
    reply = await desk.send_text(boris, f"/deal_stage {deal.id} won")
    assert reply.text == f"Not allowed: deal #{deal.id} is not yours; ask its owner or a manager."
    reply = await desk.send_text(anna, f"/deal_stage {deal.id} signed")
    assert reply.text.startswith("'signed' is not a stage; use one of lead, contacted")
    reply = await desk.send_text(anna, f"/deal_stage {deal.id} qualified")
    assert reply.text == f"Deal #{deal.id}: lead → qualified."

    reply = await desk.send_text(anna, "/deals")
    assert "qualified · 1 deal(s) · 1,200.00" in reply.plain_text
    assert "Annual <b>plan</b>" in reply.plain_text  # the title is shown, never markup
    reply = await desk.send_text(anna, f"/deal {deal.id}")
    assert "lead → qualified by Anna" in reply.plain_text

    reply = await desk.send_text(anna, f"/task {deal.id} today call back")
    assert reply.text == (
        f"'{deal.id}' could be a deal or a customer: write d{deal.id} for deal #{deal.id} "
        f"or c{deal.id} for customer #{deal.id}."
    )
    await desk.send_text(anna, f"/task d{deal.id} today call back")
    await desk.send_text(anna, f"/task c{cid} today send the quote")
    listing = await desk.send_text(anna, "/tasks")
    first, second = await FollowUpTask.all().order_by("id")
    assert listing.button_data() == [f"sl:done:{first.id}", f"sl:done:{second.id}"]
    assert "call back" in listing.plain_text and "send the quote" in listing.plain_text

    answer = await desk.press(boris, listing, f"sl:done:{first.id}")
    assert answer.text == f"Not allowed: task #{first.id} is not yours."
    answer = await desk.press(anna, listing, f"sl:done:{first.id}")
    assert answer.text == f"Task #{first.id} done."
    await desk.settle()
    assert (await FollowUpTask.get(id=first.id)).done
    assert desk.sandbox.messages_to(ANNA)[-1].button_data() == [f"sl:done:{second.id}"]

    reply = await desk.send_text(maya, f"/deal_stage {deal.id} won")
    assert reply.text == f"Deal #{deal.id}: qualified → won. The deal is closed."
    reply = await desk.send_text(anna, "/target 7001 2030-01 10000")
    assert reply.text == REFUSAL[Role.MANAGER]
    reply = await desk.send_text(maya, "/target 7001 2030-01 10000")
    assert reply.text == "Target for Anna in 2030-01: 10,000.00."

    sent = await sales_handlers.remind_tasks(desk.application)
    assert sent == 1
    reminder = desk.sandbox.messages_to(ANNA)[-1]
    assert "Follow-ups due (1)" in reminder.plain_text and "send the quote" in reminder.plain_text
    assert await sales_handlers.remind_tasks(desk.application) == 0  # not twice a day


@pytest.mark.e2e
async def test_the_sales_report_arrives_as_text_and_charts(wired: Desk) -> None:
    desk = wired
    anna, _, _ = await team()
    customer = await make_customer("<Carol>", city="Rome")
    deal = await make_deal(customer, owner=anna, value=900)
    await make_stage_change(deal, to_stage=DealStage.LEAD)
    order = await make_order(customer, total=90)
    await make_order_line(order, product_name="Pan", total=90)
    maya = desk.sandbox.user(MANAGER_ID, "Maya")

    reply = await desk.send_text(maya, "/sales 2")
    await desk.settle()

    assert "Funnel (deals created in the window)" in reply.plain_text
    assert "#1 <Carol>: 90.00" in reply.plain_text  # escaped in HTML, shown as typed
    photos = [m for m in desk.sandbox.messages_to(MANAGER_ID) if "photo" in m.message]
    assert len(photos) >= 4
    assert {m.plain_text for m in photos} >= {"Funnel: deals reaching each stage",
                                              "Customers by city"}  # fmt: skip
    reply = await desk.send_text(maya, "/sales 99")
    assert reply.text == "'99' is not a number of months from 1 to 36."
