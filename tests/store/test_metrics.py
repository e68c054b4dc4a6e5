"""Desk metrics: hand-computed values on small stores, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm import clock
from crm.errors import InvalidInput
from crm.insight.agents import agent_stats
from crm.insight.flow import reopens, ticket_flow
from crm.insight.mood import NegativeTicket, most_negative_open_tickets, sentiment_stats
from crm.insight.periods import Period
from crm.insight.report import build_report
from crm.insight.satisfaction import Nps, nps, satisfaction
from crm.insight.series import daily_series
from crm.insight.summary import AttentionTicket, SummaryLine, Unit, build_summary
from crm.insight.times import Spread, format_duration, response_times, sla_breach_counts
from crm.models import (
    Customer,
    Direction,
    Message,
    Priority,
    Rating,
    SlaKind,
    StaffMember,
    Ticket,
    TicketKind,
    TicketStatus,
)
from crm.sentiment import SentimentLabel
from handlers.views.insight import render_report, render_summary
from tests.factories import (
    make_customer,
    make_message,
    make_nps,
    make_open_ticket,
    make_rating,
    make_sla_breach,
    make_staff,
)

on_store = pytest.mark.usefixtures("store")

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8, no DST
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
# A period of exactly one UTC day: [T0, T1).
T1 = T0 + timedelta(days=1)
DAY = Period(start=T0, end=T1)
US = timedelta(microseconds=1)
H = timedelta(hours=1)
M = timedelta(minutes=1)

_telegram_ids = itertools.count(10_000)


# --- builders -----------------------------------------------------------------------------------


async def customer(first_name: str = "Alice", last_name: str | None = None) -> Customer:
    return await make_customer(first_name, telegram_id=next(_telegram_ids), last_name=last_name)


async def staff(name: str, *, active: bool = True) -> StaffMember:
    return await make_staff(name, telegram_id=next(_telegram_ids), active=active)


async def ticket(
    created_at: datetime,
    *,
    who: Customer,
    kind: TicketKind = TicketKind.INQUIRY,
    topic: str = "other",
    subject: str = "",
    priority: Priority = Priority.NORMAL,
    assignee: StaffMember | None = None,
    answered_after: timedelta | None = None,
    resolved_after: timedelta | None = None,
) -> Ticket:
    return await make_open_ticket(
        who,
        kind=kind,
        topic=topic,
        subject=subject,
        priority=priority,
        assignee=assignee,
        created_at=created_at,
        last_activity_at=created_at,
        first_response_at=None if answered_after is None else created_at + answered_after,
        resolved_at=None if resolved_after is None else created_at + resolved_after,
        status=TicketStatus.OPEN if resolved_after is None else TicketStatus.RESOLVED,
    )


async def rate(on: Ticket, score: int, at: datetime, *, agent: StaffMember | None = None) -> Rating:
    return await make_rating(on, score=score, created_at=at, agent=agent)


async def said(
    on: Ticket,
    at: datetime,
    score: float | None,
    *,
    direction: Direction = Direction.INBOUND,
) -> Message:
    label = None
    if score is not None:
        label = (
            SentimentLabel.NEGATIVE
            if score < -0.05
            else SentimentLabel.POSITIVE
            if score > 0.05
            else SentimentLabel.NEUTRAL
        )
    return await make_message(
        on,
        direction=direction,
        text="...",
        created_at=at,
        sentiment_score=score,
        sentiment_label=label,
    )


# --- periods ------------------------------------------------------------------------------------


def test_last_days_runs_from_local_midnight_to_now() -> None:
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 on 2 March in Shanghai
    period = Period.last_days(3, now=now, zone=SHANGHAI)
    assert period.start == datetime(2026, 2, 27, 16, 0, tzinfo=UTC)  # 28 Feb 00:00 local
    assert period.end == now
    assert period.local_days(SHANGHAI) == [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]
    assert Period.last_days(1, now=now, zone=SHANGHAI).start == datetime(
        2026, 3, 1, 16, 0, tzinfo=UTC
    )


def test_local_day_follows_the_zone_and_its_dst_change() -> None:
    shanghai = Period.local_day(date(2026, 3, 2), zone=SHANGHAI)
    assert (shanghai.start, shanghai.end) == (
        datetime(2026, 3, 1, 16, tzinfo=UTC),
        datetime(2026, 3, 2, 16, tzinfo=UTC),
    )
    spring_forward = Period.local_day(date(2026, 3, 8), zone=NEW_YORK)
    assert spring_forward.end - spring_forward.start == timedelta(hours=23)
    assert spring_forward.local_days(NEW_YORK) == [date(2026, 3, 8)]


def test_periods_refuse_naive_times_backwards_spans_and_zero_days() -> None:
    with pytest.raises(InvalidInput):
        Period(start=datetime(2026, 3, 1), end=T1)
    with pytest.raises(InvalidInput):
        Period(start=T1, end=T0)
    with pytest.raises(InvalidInput):
        Period.last_days(0, now=T1, zone=SHANGHAI)
    assert Period(start=T0, end=T0).local_days(SHANGHAI) == []


def test_period_holds_utc_whatever_zone_it_was_given() -> None:
    period = Period(start=datetime(2026, 3, 2, 8, tzinfo=SHANGHAI), end=T1)
    assert period.start == T0 and period.start.tzinfo is UTC


# --- pure summaries -----------------------------------------------------------------------------


def test_spread_median_and_p90_on_a_known_list() -> None:
    spread = Spread.of([float(n) for n in range(10, 0, -1)])  # 1..10, shuffled order
    assert spread.count == 10
    assert spread.median == pytest.approx(5.5)
    assert spread.p90 == pytest.approx(9.1)  # linear: 9 + 0.1 * (10 - 9)
    assert spread.longest == 10.0
    assert Spread.of([]) == Spread(count=0, median=None, p90=None, longest=None)
    assert Spread.of([float("nan"), 4.0]).median == 4.0


def test_nps_from_counts() -> None:
    mix = Nps.from_counts({10: 1, 9: 2, 8: 1, 7: 1, 6: 1})  # 3 promoters, 2 passive, 1 detractor
    assert (mix.promoters, mix.passives, mix.detractors, mix.responses) == (3, 2, 1, 6)
    assert mix.score == 33.3  # (3 - 1) / 6 = 33.33...
    assert Nps.from_counts({0: 3, 10: 1}).score == -50.0
    assert Nps.from_counts({}).score is None


def test_trend_arrows_agree_with_the_printed_numbers() -> None:
    def arrow(value: float | None, average: float | None, unit: Unit = Unit.COUNT) -> str:
        return SummaryLine("k", "K", unit, value, average).trend

    assert arrow(3, 2.0) == "▲"
    assert arrow(1, 2.0) == "▼"
    assert arrow(2, 2.04) == "▶"  # prints as 2 against 2.0
    assert arrow(None, 2.0) == "▶"
    assert arrow(80.0, 75.0, Unit.PERCENT) == "▲"
    assert arrow(700.0, 720.0, Unit.SECONDS) == "▶"  # both 12 min
    assert arrow(600.0, 720.0, Unit.SECONDS) == "▼"


def test_format_duration() -> None:
    assert [format_duration(s) for s in (None, 45, 720, 5.25 * 3600, 3 * 86400)] == [
        "n/a",
        "45 s",
        "12 min",
        "5.2 h",
        "3.0 d",
    ]


def test_attention_reason_names_every_cause_in_one_line() -> None:
    t = AttentionTicket(
        ticket_id=7,
        customer_name="Bob",
        subject="",
        priority=Priority.URGENT,
        breaches=(SlaKind.FIRST_RESPONSE,),
        mood=-0.5,
        age_seconds=3 * 3600,
    )
    assert t.reason == (
        "Missed first response target, urgent priority, customer sounds negative (-0.50), "
        "open 3.0 h"
    )
    calm = AttentionTicket(7, "Bob", "", Priority.NORMAL, (), None, 60)
    assert calm.reason == "Open 60 s"
    assert t.reason_in("zh") == (
        "未达到首次响应目标，紧急优先级，客户情绪负面（-0.50），已开启 3.0 小时"
    )


def test_format_duration_in_chinese_keeps_the_numbers() -> None:
    assert [format_duration(s, "zh") for s in (None, 45, 720, 5.25 * 3600, 3 * 86400)] == [
        "无数据",
        "45 秒",
        "12 分钟",
        "5.2 小时",
        "3.0 天",
    ]


# --- satisfaction and NPS -----------------------------------------------------------------------


@on_store
async def test_satisfaction_counts_ratings_inside_the_half_open_period() -> None:
    alice = await customer()
    anna, ben = await staff("Anna"), await staff("Ben")
    t = await ticket(T0 - H, who=alice)
    await rate(t, 5, T0, agent=anna)  # first instant: in
    await rate(t, 4, T0 + H, agent=anna)
    await rate(t, 4, T0 + 2 * H, agent=ben)
    await rate(t, 2, T0 + 3 * H, agent=ben)
    await rate(t, 1, T1 - US)  # last instant: in, no agent
    await rate(t, 5, T0 - US)  # before: out
    await rate(t, 1, T1)  # end is exclusive: out

    overall = await satisfaction(period=DAY)
    assert overall.count == 5
    assert overall.distribution == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
    assert overall.average == pytest.approx(16 / 5)
    assert overall.csat_pct == pytest.approx(60.0)
    by_ben = await satisfaction(period=DAY, agent_id=ben.id)
    assert (by_ben.count, by_ben.csat_pct, by_ben.average) == (2, 50.0, 3.0)


@on_store
async def test_empty_period_gives_none_not_zero() -> None:
    alice = await customer()
    await rate(await ticket(T0 - H, who=alice, resolved_after=M), 5, T0 - H)
    sat = await satisfaction(period=DAY)
    assert (sat.count, sat.average, sat.csat_pct) == (0, None, None)
    assert sat.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    score = await nps(period=DAY)
    assert (score.responses, score.score) == (0, None)
    times = await response_times(period=DAY)
    assert times.tickets == 0 and times.first_response.median is None
    mood = await sentiment_stats(period=DAY, zone=UTC_ZONE)
    assert (mood.scored, mood.negative_pct, mood.mean_score) == (0, None, None)
    assert [d.scored for d in mood.by_day] == [0]
    assert await sla_breach_counts(period=DAY) == {
        SlaKind.FIRST_RESPONSE: 0,
        SlaKind.RESOLUTION: 0,
    }
    flow = await ticket_flow(period=DAY)
    assert flow.total_opened == 0 and flow.opened_by_topic == {}
    assert flow.backlog_age.median is None
    text = render_report(await build_report(period=DAY, zone=UTC_ZONE))
    assert "CSAT n/a · average n/a · 0 ratings" in text
    assert "NPS n/a (no answers)" in text
    assert "First response: median n/a, p90 n/a (0 tickets)" in text
    assert "Reopened: n/a (0 of 0 resolved tickets opened in the period)" in text


@on_store
async def test_nps_counts_answers_given_in_the_period() -> None:
    alice = await customer()
    for score in (10, 9, 9, 8, 7, 6):
        await make_nps(alice, asked_at=T0 - H, score=score, answered_at=T0 + H)
    await make_nps(alice, asked_at=T0, score=None, answered_at=None)
    await make_nps(alice, asked_at=T0 - H, score=0, answered_at=T0 - US)
    await make_nps(alice, asked_at=T0, score=0, answered_at=T1)

    result = await nps(period=DAY)
    assert result == Nps(responses=6, promoters=3, passives=2, detractors=1, score=33.3)


# --- ticket flow and durations ------------------------------------------------------------------


@on_store
async def test_ticket_flow_by_kind_topic_and_the_backlog_now() -> None:
    clock.freeze(T1 + 2 * H)
    alice = await customer()
    await ticket(
        T0 - US, who=alice, kind=TicketKind.COMPLAINT, topic="billing", resolved_after=H
    )  # opened before; resolved inside
    await ticket(T0, who=alice, kind=TicketKind.COMPLAINT, topic="billing")  # still open
    await ticket(T0 + H, who=alice, kind=TicketKind.COMPLAINT, topic="delivery", resolved_after=H)
    await ticket(
        T0 + 2 * H, who=alice, kind=TicketKind.FEEDBACK, topic="delivery", resolved_after=T1 - T0
    )  # resolved after the period
    await ticket(T1 - US, who=alice, kind=TicketKind.INQUIRY, topic="billing")  # open
    await ticket(T1, who=alice, kind=TicketKind.INQUIRY, topic="account")  # after: open

    flow = await ticket_flow(period=DAY)
    assert flow.opened == {
        TicketKind.INQUIRY: 1,
        TicketKind.FEEDBACK: 1,
        TicketKind.COMPLAINT: 2,
        TicketKind.RATING: 0,
        TicketKind.FOLLOW_UP: 0,
    }
    assert flow.opened_by_topic == {"billing": 2, "delivery": 2}
    assert flow.complaints_by_topic == {"billing": 1, "delivery": 1}
    assert flow.feedback_by_topic == {"delivery": 1}
    assert flow.resolved[TicketKind.COMPLAINT] == 2 and flow.total_resolved == 2
    assert flow.resolved_by_topic == {"billing": 1, "delivery": 1}
    assert flow.open_now[TicketKind.INQUIRY] == 2 and flow.total_open == 3
    assert list(flow.open_by_topic.items()) == [("billing", 2), ("account", 1)]
    assert flow.opened_still_open == 2
    # Open tickets are 2 h, 2 h + 1 us and 26 h old.
    ages = flow.backlog_age
    assert ages.count == 3
    assert ages.median == pytest.approx(7200.000001)
    assert ages.p90 == pytest.approx(7200.000001 + 0.8 * (93600 - 7200.000001))
    assert ages.longest == pytest.approx(93600)


@on_store
async def test_reopen_rate_of_the_tickets_opened_in_the_period() -> None:
    alice = await customer()
    await ticket(T0 + H, who=alice, resolved_after=H)  # resolved, never came back
    back_and_solved = await ticket(T0 + 2 * H, who=alice, resolved_after=H)
    back_and_open = await ticket(T0 + 3 * H, who=alice)  # reopened, so once resolved
    for t, times in ((back_and_solved, 2), (back_and_open, 1)):
        await Ticket.filter(id=t.id).update(reopened_count=times)
    await ticket(T0 + 4 * H, who=alice)  # never resolved: not in the rate
    await ticket(T0 + H, who=alice, kind=TicketKind.RATING, resolved_after=US)  # a /rate
    earlier = await ticket(T0 - H, who=alice, resolved_after=M)  # another period's ticket
    await Ticket.filter(id=earlier.id).update(reopened_count=1)

    back = await reopens(period=DAY)
    assert (back.resolved, back.reopened) == (3, 2)
    assert back.reopen_pct == pytest.approx(200 / 3)
    text = render_report(await build_report(period=DAY, zone=UTC_ZONE))
    assert "Reopened: 66.7% (2 of 3 resolved tickets opened in the period)" in text
    nothing = await reopens(period=Period(start=T1, end=T1 + timedelta(days=1)))
    assert (nothing.resolved, nothing.reopen_pct) == (0, None)


@on_store
async def test_response_times_of_tickets_created_in_the_period() -> None:
    alice = await customer()
    anna, ben = await staff("Anna"), await staff("Ben")
    for minutes in range(1, 11):  # answered after 1..10 min, resolved after 1..10 h
        await ticket(
            T0 + minutes * M,
            who=alice,
            assignee=anna if minutes <= 5 else ben,
            answered_after=minutes * M,
            resolved_after=minutes * H,
        )
    await ticket(T0 + H, who=alice)  # not answered yet
    await ticket(T0 - US, who=alice, answered_after=timedelta(days=9))  # created before
    await ticket(T1, who=alice, answered_after=timedelta(days=9))  # created after
    await ticket(
        T0 + H,
        who=alice,
        kind=TicketKind.RATING,
        answered_after=timedelta(0),
        resolved_after=timedelta(0),
    )  # the desk closes ratings itself

    times = await response_times(period=DAY)
    assert times.tickets == 11
    assert times.first_response.count == 10
    assert times.first_response.median == pytest.approx(5.5 * 60)
    assert times.first_response.p90 == pytest.approx(9.1 * 60)
    assert times.resolution.median == pytest.approx(5.5 * 3600)
    assert times.resolution.longest == pytest.approx(10 * 3600)
    bens = await response_times(period=DAY, agent_id=ben.id)
    assert bens.tickets == 5
    assert bens.first_response.median == pytest.approx(8 * 60)


@on_store
async def test_sla_breaches_by_detection_time() -> None:
    alice = await customer()
    tickets = [await ticket(T0 - H, who=alice) for _ in range(4)]
    await make_sla_breach(tickets[0], kind=SlaKind.FIRST_RESPONSE, detected_at=T0)
    await make_sla_breach(tickets[1], kind=SlaKind.FIRST_RESPONSE, detected_at=T1 - US)
    await make_sla_breach(tickets[1], kind=SlaKind.RESOLUTION, detected_at=T0 + H)
    await make_sla_breach(tickets[2], kind=SlaKind.RESOLUTION, detected_at=T1)
    await make_sla_breach(tickets[3], kind=SlaKind.RESOLUTION, detected_at=T0 - US)
    assert await sla_breach_counts(period=DAY) == {
        SlaKind.FIRST_RESPONSE: 2,
        SlaKind.RESOLUTION: 1,
    }


# --- sentiment ----------------------------------------------------------------------------------


@on_store
async def test_sentiment_buckets_by_local_day_in_the_zone() -> None:
    alice = await customer()
    t = await ticket(T0 - timedelta(days=2), who=alice)
    # Shanghai is UTC+8: 1 March 23:30 UTC is 2 March 07:30 there.
    period = Period(
        start=Period.local_day(date(2026, 3, 1), zone=SHANGHAI).start,
        end=Period.local_day(date(2026, 3, 2), zone=SHANGHAI).end,
    )
    await said(t, datetime(2026, 2, 28, 16, 0, tzinfo=UTC), -0.8)  # 1 Mar 00:00 local
    await said(t, datetime(2026, 3, 1, 3, 0, tzinfo=UTC), 0.4)  # 1 Mar
    await said(t, datetime(2026, 3, 1, 23, 30, tzinfo=UTC), -0.6)  # 2 Mar 07:30 local
    await said(t, datetime(2026, 3, 2, 15, 59, tzinfo=UTC), 0.0)  # 2 Mar 23:59 local
    await said(t, datetime(2026, 3, 2, 16, 0, tzinfo=UTC), -1.0)  # 3 Mar local: out
    await said(t, datetime(2026, 2, 28, 15, 59, tzinfo=UTC), -1.0)  # 28 Feb local: out
    await said(t, datetime(2026, 3, 1, 3, 0, tzinfo=UTC), None)  # not scored yet
    await said(t, datetime(2026, 3, 1, 3, 0, tzinfo=UTC), -0.9, direction=Direction.OUTBOUND)

    mood = await sentiment_stats(period=period, zone=SHANGHAI)
    assert (mood.scored, mood.negative) == (4, 2)
    assert mood.negative_pct == 50.0
    assert mood.mean_score == pytest.approx(-0.25)
    first, second = mood.by_day
    assert (first.day, first.scored, first.negative_pct) == (date(2026, 3, 1), 2, 50.0)
    assert first.mean_score == pytest.approx(-0.2)
    assert (second.day, second.scored, second.negative_pct) == (date(2026, 3, 2), 2, 50.0)
    assert second.mean_score == pytest.approx(-0.3)

    # In UTC the 23:30 message belongs to 1 March instead.
    in_utc = await sentiment_stats(
        period=Period(start=T0 - timedelta(days=1), end=T1), zone=UTC_ZONE
    )
    assert [(d.day, d.scored) for d in in_utc.by_day] == [
        (date(2026, 3, 1), 2),
        (date(2026, 3, 2), 2),
    ]


@on_store
async def test_most_negative_open_tickets_lowest_mean_first() -> None:
    alice, bob = await customer("Alice"), await customer("Bob", "Stone")
    calm = await ticket(T0, who=alice, subject="calm")
    angry = await ticket(T0, who=bob, subject="angry")
    upset = await ticket(T0, who=alice, subject="upset")
    closed = await ticket(T0, who=bob, subject="closed", resolved_after=H)
    unscored = await ticket(T0, who=bob, subject="unscored")
    for t, scores in (
        (calm, (0.5, 0.1)),
        (angry, (-0.9, -0.7, -0.2)),
        (upset, (-0.4,)),
        (closed, (-1.0,)),
    ):
        for score in scores:
            await said(t, T0 + H, score)
    await said(unscored, T0 + H, None)
    await said(calm, T0 + H, -1.0, direction=Direction.OUTBOUND)  # the agent's words

    found = await most_negative_open_tickets(limit=2)
    assert found == [
        NegativeTicket(angry.id, "Bob Stone", "angry", pytest.approx(-0.6), 3),
        NegativeTicket(upset.id, "Alice", "upset", pytest.approx(-0.4), 1),
    ]
    everything = await most_negative_open_tickets(limit=10)
    assert [t.ticket_id for t in everything] == [angry.id, upset.id, calm.id]


# --- chart series -------------------------------------------------------------------------------


@on_store
async def test_daily_series_fills_every_local_day() -> None:
    now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 3 March 10:00 in Shanghai
    alice = await customer()
    t = await ticket(datetime(2026, 2, 28, 17, 0, tzinfo=UTC), who=alice)  # 1 Mar local
    await ticket(
        datetime(2026, 3, 1, 23, 30, tzinfo=UTC), who=alice, kind=TicketKind.COMPLAINT
    )  # 2 Mar local
    await ticket(datetime(2026, 3, 1, 23, 45, tzinfo=UTC), who=alice)  # 2 Mar local
    await ticket(datetime(2026, 2, 28, 15, 0, tzinfo=UTC), who=alice)  # 28 Feb: out
    await rate(t, 5, datetime(2026, 3, 1, 1, 0, tzinfo=UTC))  # 1 Mar
    await rate(t, 2, datetime(2026, 3, 1, 2, 0, tzinfo=UTC))  # 1 Mar
    await rate(t, 4, datetime(2026, 3, 3, 1, 0, tzinfo=UTC))  # 3 Mar

    series = await daily_series(days=3, now=now, zone=SHANGHAI)
    assert series.days == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert series.opened[TicketKind.INQUIRY] == [1, 1, 0]
    assert series.opened[TicketKind.COMPLAINT] == [0, 1, 0]
    assert series.opened[TicketKind.FOLLOW_UP] == [0, 0, 0]
    assert series.ratings == [2, 0, 1]
    assert series.csat_pct == [50.0, None, 100.0]


# --- agents -------------------------------------------------------------------------------------


@on_store
async def test_agent_stats_list_every_active_member_even_idle_ones() -> None:
    alice = await customer()
    anna, ben, idle = await staff("Anna"), await staff("Ben"), await staff("Idle")
    gone = await staff("Gone", active=False)
    a1 = await ticket(T0 + H, who=alice, assignee=anna, answered_after=2 * M, resolved_after=H)
    await ticket(T0 + H, who=alice, assignee=anna, answered_after=4 * M, resolved_after=H)
    await ticket(T0 + H, who=alice, assignee=anna, answered_after=30 * M)  # open
    await ticket(
        T0 - H, who=alice, assignee=ben, answered_after=M, resolved_after=2 * H
    )  # created before, resolved inside: handled
    await ticket(T0 + H, who=alice, assignee=gone, answered_after=M, resolved_after=H)
    await rate(a1, 5, T0 + 3 * H, agent=anna)
    await rate(a1, 3, T0 + 3 * H, agent=anna)
    await rate(a1, 1, T0 - H, agent=anna)  # before the period

    stats = {s.name: s for s in await agent_stats(period=DAY)}
    assert list(stats) == ["Anna", "Ben", "Idle"]
    assert (stats["Anna"].handled, stats["Anna"].ratings, stats["Anna"].csat_pct) == (2, 2, 50.0)
    assert stats["Anna"].first_response_median == pytest.approx(240)
    assert (stats["Ben"].handled, stats["Ben"].first_response_median) == (1, None)
    assert stats["Idle"] == type(stats["Idle"])(idle.id, "Idle", 0, None, None, 0)


# --- report and summary -------------------------------------------------------------------------


@on_store
async def test_report_collects_everything_and_renders_escaped_html() -> None:
    clock.freeze(T1)
    evil = await customer("<b>Eve</b>", "& co")
    agent = await staff("Anna <admin>")
    t = await ticket(
        T0 + H,
        who=evil,
        subject="Refund <now>",
        topic="bil<l>ing",
        kind=TicketKind.COMPLAINT,
        assignee=agent,
        answered_after=5 * M,
    )
    await said(t, T0 + H, -0.8)
    await rate(t, 4, T0 + 2 * H, agent=agent)

    report = await build_report(period=DAY, zone=SHANGHAI)
    assert report.satisfaction.count == 1 and report.flow.total_opened == 1
    assert report.response_times.first_response.median == 300
    assert report.most_negative[0].customer_name == "<b>Eve</b> & co"
    assert report.agents[0].csat_pct == 100.0

    text = render_report(report)
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in text
    assert "Refund &lt;now&gt;" in text and "bil&lt;l&gt;ing 1" in text
    assert "Anna &lt;admin&gt;" in text
    assert "(-0.80 over 1 message)" in text
    assert "<b>Eve" not in text
    _assert_tags_balanced_per_line(text)
    for header in ("Satisfaction", "Tickets", "Response times", "Sentiment", "Agents"):
        assert f"<b>{header}</b>" in text

    chinese = render_report(report, "zh")  # a manager reading in Chinese: same numbers
    for header in ("满意度", "工单", "响应时间", "情绪", "客服"):
        assert f"<b>{header}</b>" in chinese
    assert "满意度 100.0% · 平均分 4.00 · 共 1 个评分" in chinese
    assert "首次响应：中位数 5 分钟" in chinese and "投诉 1" in chinese
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in chinese and "<b>Eve" not in chinese
    _assert_tags_balanced_per_line(chinese)


def _assert_tags_balanced_per_line(text: str) -> None:
    for line in text.splitlines():
        tags = re.findall(r"</?([a-z]+)[^>]*>", line)
        assert tags.count("b") % 2 == 0, line
        assert set(tags) <= {"b"}, line


@on_store
async def test_summary_compares_the_day_with_the_seven_days_before() -> None:
    zone = SHANGHAI
    day = date(2026, 3, 2)
    start = Period.local_day(day, zone=zone).start  # 1 March 16:00 UTC
    now = start + timedelta(days=1, hours=2)
    alice = await customer()
    anna = await staff("Anna")
    # The day: 3 opened (1 complaint), nothing resolved, one 5 rating, answered in 10 min.
    day_tickets = [
        await ticket(start + H, who=alice, kind=TicketKind.COMPLAINT, answered_after=10 * M),
        await ticket(start + 2 * H, who=alice),
        await ticket(start + 3 * H, who=alice),
    ]
    await rate(day_tickets[0], 5, start + 4 * H, agent=anna)
    await said(day_tickets[0], start + H, -0.5)
    await said(day_tickets[0], start + 2 * H, 0.5)
    # The 7 days before: 14 opened (7 complaints), 7 resolved, ratings 5 and 1 and 1.
    for i in range(14):
        created = start - timedelta(days=7) + i * 12 * H
        await ticket(
            created,
            who=alice,
            kind=TicketKind.COMPLAINT if i % 2 else TicketKind.INQUIRY,
            answered_after=20 * M,
            resolved_after=H if i < 7 else None,
        )
    week_ticket = await ticket(start - timedelta(days=3), who=alice, resolved_after=H)
    for score in (5, 1, 1):
        await rate(week_ticket, score, start - timedelta(days=2))
    await make_sla_breach(
        week_ticket, kind=SlaKind.RESOLUTION, detected_at=start - timedelta(days=1)
    )
    # Eight days before: outside both windows.
    await ticket(start - timedelta(days=7) - US, who=alice, kind=TicketKind.COMPLAINT)

    summary = await build_summary(day=day, zone=zone, now=now)
    lines = {line.key: line for line in summary.lines}
    assert (lines["opened"].value, lines["opened"].average) == (3, 15 / 7)
    assert lines["opened"].trend == "▲"
    assert (lines["resolved"].value, lines["resolved"].average) == (0, 8 / 7)
    assert lines["resolved"].trend == "▼"
    assert (lines["complaints"].value, lines["complaints"].average) == (1, 1.0)
    assert lines["complaints"].trend == "▶"
    assert lines["csat"].value == 100.0
    assert lines["csat"].average == pytest.approx(100 / 3)  # pooled: one 5 among three
    assert lines["first_response"].value == 600 and lines["first_response"].average == 1200
    assert lines["first_response"].trend == "▼"
    assert (lines["negative"].value, lines["negative"].average) == (50.0, None)
    assert lines["negative"].trend == "▶"
    assert (lines["sla_breaches"].value, lines["sla_breaches"].average) == (0, 1 / 7)

    text = render_summary(summary, title="Daily <summary>")
    assert "<b>Daily &lt;summary&gt;</b>" in text
    assert "Tickets opened: 3 ▲ (avg 2.1)" in text
    assert "Complaints: 1 ▶ (avg 1.0)" in text
    assert "CSAT: 100.0% ▲ (avg 33.3%)" in text
    assert "First response (median): 10 min ▼ (avg 20 min)" in text
    _assert_tags_balanced_per_line(text)
    assert "Monday 2026-03-02 (Asia/Shanghai), against the daily average" in text

    chinese = render_summary(summary, title="每日汇总", lang="zh")
    assert "星期一 2026-03-02（Asia/Shanghai），与此前 7 天的日均值相比" in chinese
    assert "新建工单：3 ▲（均值 2.1）" in chinese
    assert "满意度：100.0% ▲（均值 33.3%）" in chinese
    assert "首次响应时间（中位数）：10 分钟 ▼（均值 20 分钟）" in chinese


@on_store
async def test_summary_attention_order_breach_priority_mood_age() -> None:
    now = T1
    eve = await customer("<b>Eve</b>")
    oldest = await ticket(T0 - timedelta(days=5), who=eve, subject="oldest, calm")
    sulky = await ticket(T0, who=eve, subject="negative")
    urgent = await ticket(T0 + H, who=eve, subject="urgent", priority=Priority.URGENT)
    breached = await ticket(T0 + 2 * H, who=eve, subject="breached <sla>")
    done = await ticket(T0 - timedelta(days=9), who=eve, priority=Priority.URGENT, resolved_after=H)
    await make_sla_breach(breached, kind=SlaKind.FIRST_RESPONSE, detected_at=T0 + 3 * H)
    await make_sla_breach(done, kind=SlaKind.RESOLUTION, detected_at=T0)
    await said(sulky, T0 + H, -0.7)
    await said(oldest, T0 + H, 0.6)

    summary = await build_summary(day=date(2026, 3, 1), zone=UTC_ZONE, now=now)
    assert [t.ticket_id for t in summary.attention] == [breached.id, urgent.id, sulky.id]
    first = summary.attention[0]
    assert first.breaches == (SlaKind.FIRST_RESPONSE,)
    assert first.age_seconds == 22 * 3600
    assert summary.attention[2].mood == pytest.approx(-0.7)
    assert summary.attention[1].mood is None

    text = render_summary(summary, title="Summary")
    assert "&lt;b&gt;Eve&lt;/b&gt;: breached &lt;sla&gt;" in text
    assert "Missed first response target, open 22.0 h" in text
    assert "<b>Eve" not in text
    _assert_tags_balanced_per_line(text)
    assert oldest.id not in [t.ticket_id for t in summary.attention]
