"""The sales report: funnel, follow-ups, time in stage, targets, revenue and customer mix.

Figures are aggregated in the database or, for time buckets in the desk's zone, in pandas on
narrow columns. Every section renders as plain lines (the bot escapes them for HTML) and, when
it has data, as a bar chart (PNG bytes from a matplotlib Figure on the Agg canvas: no pyplot,
no global state, safe in a server).

The window is the current month and the ``months - 1`` before it. The funnel and the time in
each stage follow the cohort of deals created in the window; a deal that reached a later stage
counts as having passed every earlier one, so ``lead → proposal`` passes contacted and
qualified. Time in a stage counts only finished stays (the deal moved on).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from tortoise.functions import Count, Sum

from crm import clock
from crm.errors import InvalidInput
from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.charts import chart_fonts, render_bar_chart
from crm.models import (
    Customer,
    Deal,
    DealStage,
    DealStageChange,
    FollowUpTask,
    Order,
    OrderLine,
    SalesTarget,
    StaffMember,
)
from crm.sales.deals import FUNNEL, OPEN_STAGES

MAX_MONTHS = 36
TOP_CUSTOMERS = 10
TOP_PLACES = 10
UNKNOWN = "(unknown)"
# Lifetime order value bands: (label, lower bound inclusive); the upper bound is the next one.
VALUE_BANDS = (("<100", 0), ("100–1k", 100), ("1k–10k", 1_000), (">10k", 10_000))
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """How many deals reached a stage, and what share of the previous stage's did."""

    stage: DealStage
    reached: int
    conversion: float | None  # None for the first stage or when the previous had none


@dataclass(frozen=True, slots=True)
class TaskScore:
    """Follow-ups of one owner due in the window: how many, done, and overdue now."""

    owner: str
    due: int
    done: int
    overdue: int


@dataclass(frozen=True, slots=True)
class TargetRow:
    """Won value of one owner in one month against their target."""

    owner: str
    month: date
    won: Decimal
    target: Decimal | None

    @property
    def percent(self) -> float | None:
        """Return won / target in percent, or None without a target."""
        if not self.target:
            return None
        return float(self.won / self.target * 100)


@dataclass(slots=True)
class SalesReport:
    """Every figure of the report, ready to render."""

    start: date
    end: date
    months: int
    funnel: list[FunnelStep] = field(default_factory=list)
    lost: int = 0
    tasks: list[TaskScore] = field(default_factory=list)
    stage_days: list[tuple[DealStage, float, int]] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    revenue_by_month: list[tuple[date, Decimal]] = field(default_factory=list)
    revenue_by_category: list[tuple[str, Decimal]] = field(default_factory=list)
    top_customers: list[tuple[int, str, Decimal]] = field(default_factory=list)
    customers_by_city: list[tuple[str, int]] = field(default_factory=list)
    customers_by_region: list[tuple[str, int]] = field(default_factory=list)
    value_bands: list[tuple[str, int]] = field(default_factory=list)
    revenue_by_source: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Chart:
    """One rendered chart."""

    name: str
    title: str
    png: bytes


def parse_months(raw: str) -> int:
    """Parse the report's number of months (1-36)."""
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_MONTHS:
        raise InvalidInput.of("staff.err.months", raw=raw, most=MAX_MONTHS)
    return int(text)


def window_start(*, months: int, today: date) -> date:
    """Return the first day of the window: this month and the months - 1 before it."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(_CENT)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


async def build_report(*, months: int, tz: tzinfo = UTC) -> SalesReport:
    """Compute the sales report for the last `months` months (this one included)."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput.of("staff.err.months_range", most=MAX_MONTHS)
    today = clock.utcnow().astimezone(tz).date()
    start = window_start(months=months, today=today)
    since = _local_midnight(start, tz)
    report = SalesReport(start=start, end=today, months=months)
    names = await _staff_names()
    await _funnel(report, since)
    await _tasks(report, names, start, today)
    await _targets(report, names, since, start, tz)
    await _revenue(report, since, start, today, tz)
    await _customers(report)
    return report


async def _staff_names() -> dict[int | None, str]:
    names: dict[int | None, str] = {None: "(no owner)"}
    for staff_id, name, telegram_id in await StaffMember.all().values_list(
        "id", "name", "telegram_id"
    ):
        names[staff_id] = name or f"user {telegram_id}"
    return names


async def _funnel(report: SalesReport, since: datetime) -> None:
    deals = pd.DataFrame(
        await Deal.filter(created_at__gte=since).values_list("id", "stage"),
        columns=["deal", "stage"],
        dtype=object,
    )
    changes = pd.DataFrame(
        await DealStageChange.filter(deal__created_at__gte=since).values_list(
            "deal_id", "to_stage", "changed_at"
        ),
        columns=["deal", "stage", "at"],
        dtype=object,
    )
    rank = {stage: index for index, stage in enumerate(FUNNEL)}
    stages = pd.concat([deals[["deal", "stage"]], changes[["deal", "stage"]]])
    stages["rank"] = stages["stage"].map(lambda s: rank.get(DealStage(s), -1))
    reached = stages.groupby("deal")["rank"].max() if len(stages) else pd.Series(dtype=int)
    previous: int | None = None
    for index, stage in enumerate(FUNNEL):
        count = int((reached >= index).sum())
        conversion = count / previous if previous else None
        report.funnel.append(FunnelStep(stage=stage, reached=count, conversion=conversion))
        previous = count
    report.lost = int((deals["stage"].map(DealStage) == DealStage.LOST).sum()) if len(deals) else 0
    if len(changes):
        changes = changes.sort_values(["deal", "at"], kind="stable")
        changes["left"] = changes.groupby("deal")["at"].shift(-1)
        stays = changes.dropna(subset=["left"])
        stays = stays.assign(
            days=[
                (left - at).total_seconds() / 86_400
                for at, left in zip(stays["at"], stays["left"], strict=True)
            ]
        )
        for stage in OPEN_STAGES:
            rows = stays[stays["stage"].map(DealStage) == stage]
            if len(rows):
                report.stage_days.append((stage, float(rows["days"].mean()), len(rows)))


async def _tasks(
    report: SalesReport, names: dict[int | None, str], start: date, today: date
) -> None:
    rows = (
        await FollowUpTask.filter(due__gte=start, due__lte=today)
        .annotate(n=Count("id"))
        .group_by("owner_id", "done")
        .values("owner_id", "done", "n")
    )
    overdue = (
        await FollowUpTask.filter(due__gte=start, due__lt=today, done=False)
        .annotate(n=Count("id"))
        .group_by("owner_id")
        .values("owner_id", "n")
    )
    late = {row["owner_id"]: row["n"] for row in overdue}
    scores: dict[int | None, list[int]] = {}
    for row in rows:
        due_done = scores.setdefault(row["owner_id"], [0, 0])
        due_done[0] += row["n"]
        if row["done"]:
            due_done[1] += row["n"]
    report.tasks = sorted(
        (
            TaskScore(names.get(owner, f"staff {owner}"), due, done, late.get(owner, 0))
            for owner, (due, done) in scores.items()
        ),
        key=lambda score: score.owner.casefold(),
    )


async def _targets(
    report: SalesReport,
    names: dict[int | None, str],
    since: datetime,
    start: date,
    tz: tzinfo,
) -> None:
    won: dict[tuple[int | None, date], Decimal] = {}
    for owner, value, closed_at in await Deal.filter(
        stage=DealStage.WON, closed_at__gte=since
    ).values_list("owner_id", "value", "closed_at"):
        month = closed_at.astimezone(tz).date().replace(day=1)
        won[(owner, month)] = won.get((owner, month), Decimal(0)) + _money(value)
    targets = {
        (owner, month): _money(amount)
        for owner, month, amount in await SalesTarget.filter(
            month__gte=start, month__lte=report.end
        ).values_list("owner_id", "month", "amount")
    }
    keys = sorted(set(won) | set(targets), key=lambda k: (k[1], names.get(k[0], "").casefold()))
    report.targets = [
        TargetRow(
            owner=names.get(owner, f"staff {owner}"),
            month=month,
            won=won.get((owner, month), Decimal("0.00")),
            target=targets.get((owner, month)),
        )
        for owner, month in keys
    ]


async def _revenue(
    report: SalesReport, since: datetime, start: date, today: date, tz: tzinfo
) -> None:
    orders = Order.filter(ordered_at__gte=since)
    months = pd.period_range(start=start, end=today, freq="M")
    by_month = dict.fromkeys((period.start_time.date() for period in months), Decimal("0.00"))
    for ordered_at, total in await orders.values_list("ordered_at", "total"):
        month = ordered_at.astimezone(tz).date().replace(day=1)
        if month in by_month:
            by_month[month] += _money(total)
    report.revenue_by_month = list(by_month.items())
    categories = (
        await OrderLine.filter(order__ordered_at__gte=since)
        .annotate(amount=Sum("total"))
        .group_by("product__category")
        .values("product__category", "amount")
    )
    report.revenue_by_category = _ranked(
        (row["product__category"] or UNKNOWN, _money(row["amount"])) for row in categories
    )
    top = (
        await orders.annotate(amount=Sum("total"))
        .group_by("customer_id")
        .order_by("-amount", "customer_id")
        .limit(TOP_CUSTOMERS)
        .values("customer_id", "amount")
    )
    people = {
        c.id: c.display_name
        for c in await Customer.filter(id__in=[row["customer_id"] for row in top]).only(
            "id", "first_name", "last_name", "username"
        )
    }
    report.top_customers = [
        (row["customer_id"], people.get(row["customer_id"], "?"), _money(row["amount"]))
        for row in top
    ]
    sources = (
        await orders.annotate(amount=Sum("total"))
        .group_by("customer__source")
        .values("customer__source", "amount")
    )
    report.revenue_by_source = _ranked(
        (row["customer__source"] or UNKNOWN, _money(row["amount"])) for row in sources
    )


async def _customers(report: SalesReport) -> None:
    for column, target in (("city", "customers_by_city"), ("region", "customers_by_region")):
        rows = await Customer.all().annotate(n=Count("id")).group_by(column).values(column, "n")
        counts = _ranked((row[column] or UNKNOWN, int(row["n"])) for row in rows)
        if len(counts) > TOP_PLACES:
            rest = sum(n for _, n in counts[TOP_PLACES - 1 :])
            counts = [*counts[: TOP_PLACES - 1], ("(other)", rest)]
        setattr(report, target, counts)
    lifetime = (
        await Order.all()
        .annotate(amount=Sum("total"))
        .group_by("customer_id")
        .values("customer_id", "amount")
    )
    values = pd.Series([float(_money(row["amount"])) for row in lifetime], dtype=float)
    total_customers = await Customer.all().count()
    bands = [("no orders", total_customers - len(values))]
    for index, (label, low) in enumerate(VALUE_BANDS):
        # The lowest band takes refunds (negative totals) too.
        inside = values >= low if index else pd.Series(True, index=values.index)
        if index + 1 < len(VALUE_BANDS):
            inside &= values < VALUE_BANDS[index + 1][1]
        bands.append((label, int(inside.sum())))
    report.value_bands = bands


def _ranked(pairs: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Sort (label, amount) pairs largest first, then by label."""
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0].casefold()))


# ---------------------------------------------------------------------------------------------
# Rendering


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def sections(report: SalesReport, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, list[str]]]:
    """Return the report as titled sections of plain-text lines, in a staff language."""

    def say(key: str, **values: object) -> str:
        return t(f"staff.sales.{key}", lang, **values)

    out: list[tuple[str, list[str]]] = []
    funnel = []
    for step in report.funnel:
        rate = "" if step.conversion is None else say("of_previous", rate=f"{step.conversion:.0%}")
        funnel.append(f"{step.stage.value}: {step.reached}{rate}")
    funnel.append(say("lost", count=report.lost))
    out.append((say("funnel"), funnel))
    out.append(
        (
            say("tasks"),
            [
                say("tasks_line", owner=s.owner, done=s.done, due=s.due)
                + (say("tasks_overdue", count=s.overdue) if s.overdue else "")
                for s in report.tasks
            ]
            or [say("no_tasks")],
        )
    )
    out.append(
        (
            say("stage_days"),
            [
                say("stage_days_line", stage=stage.value, days=f"{days:.1f}", moves=n)
                for stage, days, n in report.stage_days
            ]
            or [say("no_moves")],
        )
    )
    out.append(
        (
            say("targets"),
            [
                f"{row.month:%Y-%m} {row.owner}: {_amount(row.won)}"
                + (
                    say("of_target", target=_amount(row.target), percent=f"{row.percent:.0f}%")
                    if row.target
                    else say("no_target")
                )
                for row in report.targets
            ]
            or [say("no_targets")],
        )
    )
    out.append(
        (
            say("revenue_by_month"),
            [f"{month:%Y-%m}: {_amount(value)}" for month, value in report.revenue_by_month],
        )
    )
    no_data = say("no_data")
    out.append(
        (say("revenue_by_category"), _pairs(report.revenue_by_category, no_data, money=True))
    )
    out.append(
        (
            say("top_customers"),
            [f"#{cid} {name}: {_amount(value)}" for cid, name, value in report.top_customers]
            or [say("no_orders")],
        )
    )
    out.append((say("customers_by_city"), _pairs(report.customers_by_city, no_data)))
    out.append((say("customers_by_region"), _pairs(report.customers_by_region, no_data)))
    out.append((say("value_bands"), _pairs(report.value_bands, no_data)))
    out.append((say("revenue_by_source"), _pairs(report.revenue_by_source, no_data, money=True)))
    return out


def _pairs(pairs: Sequence[tuple[str, object]], none: str, *, money: bool = False) -> list[str]:
    if not pairs:
        return [none]
    return [
        f"{label}: {_amount(value) if money else value}"  # type: ignore[arg-type]
        for label, value in pairs
    ]


def render_text(report: SalesReport) -> str:
    """Render the whole report as plain text (the CLI prints it)."""
    lines = [f"Sales report {report.start:%Y-%m-%d} – {report.end:%Y-%m-%d} ({report.months} mo)"]
    for title, body in sections(report):
        lines += ["", title, *(f"  {line}" for line in body)]
    return "\n".join(lines)


def charts(report: SalesReport, lang: str = DEFAULT_LANGUAGE) -> list[Chart]:
    """Render a bar chart for every section that has data (safe to run in a worker thread)."""
    out: list[Chart] = []

    def say(key: str) -> str:
        return t(f"staff.sales.{key}", lang)

    def add(name: str, title: str, labels: list[str], series: dict[str, list[float]]) -> None:
        if not labels or not any(any(values) for values in series.values()):
            return
        with warnings.catch_warnings():
            # Chinese names have the bundled CJK font, but a name may hold what no shipped
            # font draws (emoji): a box beats a failed report, so this is not an error here.
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
            if len(series) == 1:
                png = render_bar_chart(labels, next(iter(series.values())), title=title)
            else:
                png = grouped_bar_chart(labels, series, title=title)
        out.append(Chart(name, title, png))

    add(
        "funnel",
        say("chart.funnel"),
        [s.stage.value for s in report.funnel],
        {say("series.deals"): [s.reached for s in report.funnel]},
    )
    add(
        "tasks",
        say("chart.tasks"),
        [s.owner for s in report.tasks],
        {
            say("series.due"): [s.due for s in report.tasks],
            say("series.done"): [s.done for s in report.tasks],
        },
    )
    add(
        "stage_days",
        say("stage_days"),
        [stage.value for stage, _, _ in report.stage_days],
        {say("series.days"): [days for _, days, _ in report.stage_days]},
    )
    add(
        "targets",
        say("chart.targets"),
        [f"{row.owner} {row.month:%Y-%m}" for row in report.targets],
        {
            say("series.won"): [float(row.won) for row in report.targets],
            say("series.target"): [float(row.target or 0) for row in report.targets],
        },
    )
    add(
        "revenue_by_month",
        say("revenue_by_month"),
        [f"{month:%Y-%m}" for month, _ in report.revenue_by_month],
        {say("series.revenue"): [float(v) for _, v in report.revenue_by_month]},
    )
    for name, pairs in (
        ("revenue_by_category", report.revenue_by_category),
        ("revenue_by_source", report.revenue_by_source),
        ("customers_by_city", report.customers_by_city),
        ("customers_by_region", report.customers_by_region),
        ("value_bands", report.value_bands),
    ):
        add(name, say(name), [label for label, _ in pairs], {"": [float(v) for _, v in pairs]})
    add(
        "top_customers",
        say("top_customers"),
        [name for _, name, _ in report.top_customers],
        {"": [float(v) for _, _, v in report.top_customers]},
    )
    return out


def grouped_bar_chart(
    labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str
) -> bytes:
    """Render grouped bars (one group per label, one bar per series) as PNG bytes.

    crm.insight.charts draws single series; this is its two-series companion (won vs target, due vs
    done), built the same way: a bare Figure on the Agg canvas, fonts set per text, no pyplot
    and no global rcParams, so it may run in a worker thread.
    """
    fonts = chart_fonts()
    figure = Figure(figsize=(8, 4.5), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / len(series)
    positions = list(range(len(labels)))
    for index, (name, values) in enumerate(series.items()):
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        axes.bar(offsets, list(values), width=width, label=name)
    axes.set_xticks(positions, [label[:24] for label in labels], fontfamily=fonts)
    if len(labels) > 6:
        axes.tick_params(axis="x", labelrotation=45)
    axes.set_title(title, fontfamily=fonts)
    if all(float(v).is_integer() for values in series.values() for v in values):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
