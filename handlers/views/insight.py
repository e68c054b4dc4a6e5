"""The managers' numbers as Telegram HTML: the report, the daily summary and the agents' stats.

Short lines, a staff language's words, and every piece of user text (names, subjects,
topics, the zone) escaped, so nothing a customer typed becomes markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.agents import AgentStats
from crm.insight.periods import Period
from crm.insight.report import Report
from crm.insight.summary import BASELINE_DAYS, Summary, Unit
from crm.insight.times import format_duration
from crm.models import TicketKind
from handlers.text import esc

__all__ = ["HTML", "Markup", "render_agent_stats", "render_report", "render_summary"]

AGENT_LINES = 25  # the report stays well inside Telegram's 4096 characters


@dataclass(frozen=True, slots=True)
class Markup:
    """How the numbers are written out: Telegram HTML here, plain text in the `crm` CLI."""

    user: Callable[[object], str]  # user text: names, subjects, topics, the zone
    say: Callable[..., str]  # a catalog text, ``say(key, lang, **values)``


HTML = Markup(user=esc, say=t)


def _percent(value: float | None, lang: str) -> str:
    return t("staff.unit.na", lang) if value is None else f"{value:.1f}%"


def _counts(counts: Mapping[Any, int], lang: str, markup: Markup, *, limit: int = 6) -> str:
    shown = [(key, n) for key, n in counts.items() if n]
    if not shown:
        return markup.say("staff.report.none", lang)
    text = ", ".join(f"{markup.user(_name(key, lang))} {n:,}" for key, n in shown[:limit])
    rest = sum(n for _, n in shown[limit:])
    return text + (markup.say("staff.report.others", lang, count=f"{rest:,}") if rest else "")


def _name(key: object, lang: str) -> object:
    """Return a ticket kind in the reader's language; other keys (topics) as they are."""
    return t(f"staff.kind.{key.value}", lang) if isinstance(key, TicketKind) else key


def _span(period: Period, zone: ZoneInfo, markup: Markup) -> str:
    start = period.start.astimezone(zone)
    end = period.end.astimezone(zone)
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({markup.user(zone.key)})"


def render_report(report: Report, lang: str = DEFAULT_LANGUAGE, *, markup: Markup = HTML) -> str:
    """Return the report in a staff language: short lines, user text escaped (for Telegram)."""
    sat, score, flow, times = report.satisfaction, report.nps, report.flow, report.response_times
    mood = report.sentiment

    def say(key: str, **values: object) -> str:
        return markup.say(f"staff.report.{key}", lang, **values)

    def duration(seconds: float | None) -> str:
        return format_duration(seconds, lang)

    na = t("staff.unit.na", lang)
    lines = [say("heading", span=_span(report.period, report.zone, markup)), ""]
    lines.append(say("satisfaction"))
    average = na if sat.average is None else f"{sat.average:.2f}"
    lines.append(
        say("csat", csat=_percent(sat.csat_pct, lang), average=average, count=f"{sat.count:,}")
    )
    lines.append(" · ".join(f"{s}★ {n:,}" for s, n in sat.distribution.items()))
    if score.score is None:
        lines.append(say("nps_none"))
    else:
        lines.append(
            say(
                "nps",
                score=f"{score.score:+.1f}",
                promoters=f"{score.promoters:,}",
                passives=f"{score.passives:,}",
                detractors=f"{score.detractors:,}",
            )
        )
    lines += ["", say("tickets")]
    lines.append(
        say("opened", total=f"{flow.total_opened:,}", counts=_counts(flow.opened, lang, markup))
    )
    lines.append(
        say(
            "resolved",
            total=f"{flow.total_resolved:,}",
            counts=_counts(flow.resolved, lang, markup),
        )
    )
    lines.append(
        say("open_now", total=f"{flow.total_open:,}", counts=_counts(flow.open_now, lang, markup))
    )
    back = report.reopens
    lines.append(
        say(
            "reopened",
            pct=_percent(back.reopen_pct, lang),
            reopened=f"{back.reopened:,}",
            resolved=f"{back.resolved:,}",
        )
    )
    age = flow.backlog_age
    if age.count:
        lines.append(
            say(
                "backlog",
                median=duration(age.median),
                p90=duration(age.p90),
                oldest=duration(age.longest),
            )
        )
    lines.append(say("topics", counts=_counts(flow.opened_by_topic, lang, markup)))
    lines.append(say("complaints", counts=_counts(flow.complaints_by_topic, lang, markup)))
    lines.append(say("feedback", counts=_counts(flow.feedback_by_topic, lang, markup)))
    lines += ["", say("response_times")]
    for name, spread in (
        ("first_response", times.first_response),
        ("resolution", times.resolution),
    ):
        lines.append(
            say(
                "spread",
                name=say(name),
                median=duration(spread.median),
                p90=duration(spread.p90),
                count=f"{spread.count:,}",
            )
        )
    breaches = ", ".join(
        f"{say(f'sla.{kind.value}')} {n:,}" for kind, n in report.sla_breaches.items()
    )
    lines.append(say("sla", breaches=breaches))
    lines += ["", say("sentiment")]
    mean = na if mood.mean_score is None else f"{mood.mean_score:+.2f}"
    lines.append(
        say(
            "mood",
            scored=f"{mood.scored:,}",
            negative=_percent(mood.negative_pct, lang),
            mean=mean,
        )
    )
    if report.most_negative:
        lines.append(say("most_negative"))
        for ticket in report.most_negative:
            lines.append(
                say(
                    "negative_ticket",
                    ticket_id=ticket.ticket_id,
                    name=markup.user(ticket.customer_name),
                    subject=markup.user(ticket.subject),
                    mean=f"{ticket.mean_score:+.2f}",
                    messages=_messages(ticket.scored_messages, lang, markup),
                )
            )
    lines += ["", say("agents")]
    if not report.agents:
        lines.append(say("no_staff"))
    for a in report.agents[:AGENT_LINES]:
        lines.append(
            say(
                "agent",
                name=markup.user(a.name),
                handled=f"{a.handled:,}",
                first=duration(a.first_response_median),
                csat=_percent(a.csat_pct, lang),
                ratings=f"{a.ratings:,}",
            )
        )
    if len(report.agents) > AGENT_LINES:
        lines.append(say("more", count=len(report.agents) - AGENT_LINES))
    return "\n".join(lines)


def _messages(n: int, lang: str, markup: Markup) -> str:
    key = "staff.report.message" if n == 1 else "staff.report.messages"
    return markup.say(key, lang, count=f"{n:,}")


def _value(value: float | None, unit: Unit, lang: str, *, average: bool = False) -> str:
    if value is None:
        return t("staff.unit.na", lang)
    if unit is Unit.PERCENT:
        return f"{value:.1f}%"
    if unit is Unit.SECONDS:
        return format_duration(value, lang)
    return f"{value:,.1f}" if average else f"{value:,.0f}"


def render_summary(summary: Summary, *, title: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the daily summary as Telegram HTML, each number with its trend arrow."""
    weekday = t(f"staff.weekday.{summary.day.weekday()}", lang)
    lines = [
        f"<b>{esc(title)}</b>",
        t(
            "staff.summary.against",
            lang,
            day=f"{weekday} {summary.day:%Y-%m-%d}",
            zone=esc(summary.zone.key),
            days=BASELINE_DAYS,
        ),
        "",
    ]
    for line in summary.lines:
        lines.append(
            t(
                "staff.summary.line",
                lang,
                label=t(f"staff.summary.{line.key}", lang),
                value=_value(line.value, line.unit, lang),
                trend=line.trend,
                average=_value(line.average, line.unit, lang, average=True),
            )
        )
    lines += ["", t("staff.summary.attention", lang)]
    if not summary.attention:
        lines.append(t("staff.summary.nothing_open", lang))
    for ticket in summary.attention:
        subject = f": {esc(ticket.subject)}" if ticket.subject else ""
        lines.append(f"#{ticket.ticket_id} {esc(ticket.customer_name)}{subject}")
        lines.append(f"   {esc(ticket.reason_in(lang))}")
    return "\n".join(lines)


def render_agent_stats(rows: Sequence[AgentStats], *, days: int, lang: str) -> str:
    """Return /agent_stats as Telegram HTML: handled, median first response and CSAT each."""
    lines = [t("staff.stats.heading", lang, days=days)]
    for row in rows:
        csat = f"{row.csat_pct:.0f}%" if row.csat_pct is not None else "–"
        if row.ratings == 1:
            ratings = t("staff.stats.rating", lang)
        else:
            ratings = t("staff.stats.ratings", lang, count=row.ratings)
        lines.append(
            t(
                "staff.stats.line",
                lang,
                name=esc(row.name),
                handled=row.handled,
                first=format_duration(row.first_response_median, lang),
                csat=csat,
                ratings=ratings,
            )
        )
    if not rows:
        lines.append(t("staff.stats.none", lang))
    return "\n".join(lines)
