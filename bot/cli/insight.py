"""`crm report` for a terminal: the service metrics of a period as plain text.

The same lines as the managers' /report, in the same words (the message catalog's), with
nothing escaped: a terminal shows user text as it is, so a customer's "<b>" prints as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.report import Report
from crm.insight.times import format_duration
from crm.models import TicketKind

__all__ = ["render_report"]

AGENT_LINES = 25  # the cut /report makes for Telegram, kept so the two read alike
# The catalog marks headings up for Telegram (<b>Tickets</b>); a terminal shows the words.
_MARKUP = re.compile(r"</?[a-z][^>]*>")
_HOLE = re.compile("\x00(\\w+)\x00")


def _say(key: str, lang: str, **values: object) -> str:
    """Return a catalog text without its markup; the values go in afterwards, untouched."""
    holes = {name: f"\x00{name}\x00" for name in values}
    return _HOLE.sub(lambda m: str(values[m[1]]), _MARKUP.sub("", t(key, lang, **holes)))


def _percent(value: float | None, lang: str) -> str:
    return t("staff.unit.na", lang) if value is None else f"{value:.1f}%"


def _counts(counts: Mapping[Any, int], lang: str, *, limit: int = 6) -> str:
    shown = [(key, n) for key, n in counts.items() if n]
    if not shown:
        return t("staff.report.none", lang)
    text = ", ".join(f"{_name(key, lang)} {n:,}" for key, n in shown[:limit])
    rest = sum(n for _, n in shown[limit:])
    return text + (t("staff.report.others", lang, count=f"{rest:,}") if rest else "")


def _name(key: object, lang: str) -> object:
    """Return a ticket kind in the reader's language; other keys (topics) as they are."""
    return t(f"staff.kind.{key.value}", lang) if isinstance(key, TicketKind) else key


def render_report(report: Report, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the report as terminal text, line for line the managers' /report."""
    sat, score, flow, times = report.satisfaction, report.nps, report.flow, report.response_times
    mood, back, age = report.sentiment, report.reopens, report.flow.backlog_age
    na = t("staff.unit.na", lang)

    def say(key: str, **values: object) -> str:
        return _say(f"staff.report.{key}", lang, **values)

    def duration(seconds: float | None) -> str:
        return format_duration(seconds, lang)

    start, end = (at.astimezone(report.zone) for at in (report.period.start, report.period.end))
    span = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({report.zone.key})"
    lines = [say("heading", span=span), "", say("satisfaction")]
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
    for key, total, counts in (
        ("opened", flow.total_opened, flow.opened),
        ("resolved", flow.total_resolved, flow.resolved),
        ("open_now", flow.total_open, flow.open_now),
    ):
        lines.append(say(key, total=f"{total:,}", counts=_counts(counts, lang)))
    lines.append(
        say(
            "reopened",
            pct=_percent(back.reopen_pct, lang),
            reopened=f"{back.reopened:,}",
            resolved=f"{back.resolved:,}",
        )
    )
    if age.count:
        lines.append(
            say(
                "backlog",
                median=duration(age.median),
                p90=duration(age.p90),
                oldest=duration(age.longest),
            )
        )
    for key, counts in (
        ("topics", flow.opened_by_topic),
        ("complaints", flow.complaints_by_topic),
        ("feedback", flow.feedback_by_topic),
    ):
        lines.append(say(key, counts=_counts(counts, lang)))
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
    breaches = ", ".join(f"{say(f'sla.{k.value}')} {n:,}" for k, n in report.sla_breaches.items())
    lines.append(say("sla", breaches=breaches))
    lines += ["", say("sentiment")]
    mean = na if mood.mean_score is None else f"{mood.mean_score:+.2f}"
    negative = _percent(mood.negative_pct, lang)
    lines.append(say("mood", scored=f"{mood.scored:,}", negative=negative, mean=mean))
    if report.most_negative:
        lines.append(say("most_negative"))
    for ticket in report.most_negative:
        many = "message" if ticket.scored_messages == 1 else "messages"
        lines.append(
            say(
                "negative_ticket",
                ticket_id=ticket.ticket_id,
                name=ticket.customer_name,
                subject=ticket.subject,
                mean=f"{ticket.mean_score:+.2f}",
                messages=say(many, count=f"{ticket.scored_messages:,}"),
            )
        )
    lines += ["", say("agents")]
    if not report.agents:
        lines.append(say("no_staff"))
    for a in report.agents[:AGENT_LINES]:
        lines.append(
            say(
                "agent",
                name=a.name,
                handled=f"{a.handled:,}",
                first=duration(a.first_response_median),
                csat=_percent(a.csat_pct, lang),
                ratings=f"{a.ratings:,}",
            )
        )
    if len(report.agents) > AGENT_LINES:
        lines.append(say("more", count=len(report.agents) - AGENT_LINES))
    return "\n".join(lines)
