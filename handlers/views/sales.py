"""Deals, the pipeline and the sales report as Telegram HTML."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from crm.i18n import t
from crm.models import Deal, DealStageChange
from crm.sales import deals
from crm.sales import report as sales_report
from handlers.text import esc


def money(value: object) -> str:
    """Render an amount with thousands separators and cents."""
    return f"{value:,.2f}"


def deal_card(deal: Deal, history: Sequence[DealStageChange], *, tz: tzinfo, lang: str) -> str:
    """Return a deal's head (customer, value, stage, owner) and its stage history."""
    owner = esc(deal.owner.label) if deal.owner else t("staff.deal.nobody", lang)
    customer = esc(deal.customer.display_name)
    lines = [
        t("staff.deal.heading", lang, deal_id=deal.id, title=esc(deal.title)),
        t("staff.deal.customer", lang, customer_id=deal.customer.id, name=customer),
        t(
            "staff.deal.value",
            lang,
            value=money(deal.value),
            stage=deal.stage.value,
            owner=owner,
        ),
    ]
    if deal.closed_at:
        when = f"{deal.closed_at.astimezone(tz):%Y-%m-%d %H:%M}"
        lines.append(t("staff.deal.closed_at", lang, when=when))
    lines += ["", t("staff.deal.history", lang)]
    lines += [_stage_change(change, tz=tz, lang=lang) for change in history]
    return "\n".join(lines)


def _stage_change(change: DealStageChange, *, tz: tzinfo, lang: str) -> str:
    opened = t("staff.deal.opened_at", lang)
    step = f"{change.from_stage.value} → " if change.from_stage else opened
    who = ""
    if change.changed_by:
        who = t("staff.deal.by", lang, name=esc(change.changed_by.label))
    return f"{change.changed_at.astimezone(tz):%Y-%m-%d %H:%M} {step}{change.to_stage.value}{who}"


def pipeline(summaries: Sequence[deals.StageSummary], *, lang: str) -> str:
    """Return open deals grouped by stage, with each stage's total and the grand total."""
    lines = []
    for summary in summaries:
        count, total = len(summary.deals), money(summary.total)
        lines.append(
            t("staff.deals.stage", lang, stage=summary.stage.value, count=count, total=total)
        )
        lines += [
            f"  #{d.id} {esc(d.title)} · {esc(d.customer.display_name)} · {money(d.value)}"
            for d in summary.deals
        ]
    total = sum(summary.total for summary in summaries)
    lines.append(t("staff.deals.total", lang, total=money(total)))
    return "\n".join(lines)


def report(report: sales_report.SalesReport, *, lang: str) -> str:
    """Return the sales report's heading and sections."""
    lines = [
        t(
            "staff.sales.heading",
            lang,
            start=f"{report.start:%Y-%m-%d}",
            end=f"{report.end:%Y-%m-%d}",
            months=report.months,
        )
    ]
    for title, body in sales_report.sections(report, lang):
        lines += ["", f"<b>{esc(title)}</b>", *(esc(line) for line in body)]
    return "\n".join(lines)
