"""Campaigns and audiences as services: the send list, claims, outcomes, reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from crm import clock
from crm.errors import InvalidInput
from crm.marketing import audiences, campaigns
from crm.marketing.campaigns.delivery import Outcome
from crm.models import (
    AuditEntry,
    ButtonKind,
    CampaignRecipient,
    CampaignStatus,
    Customer,
    Message,
    RecipientStatus,
    Ticket,
    TicketKind,
)
from tests.factories import make_customer, make_message, make_open_ticket, make_order

pytestmark = pytest.mark.usefixtures("store")


async def _customers(n: int, **fields: object) -> list[Customer]:
    start = await Customer.all().count()
    return [
        await make_customer(f"C{start + i}", telegram_id=10_000 + start + i, **fields)
        for i in range(n)
    ]


# --- audiences -------------------------------------------------------------------------


def test_audience_grammar_reads_rules_negation_and_segment_names() -> None:
    rules = audiences.parse_audience("  language:EN &  !bought:SKU-2 & high value ")
    assert [str(r) for r in rules] == ["language:EN", "!bought:SKU-2", "segment:high value"]
    assert audiences.describe_audience(audiences.parse_audience("all")) == "all"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("complained:0", "number of days"),
        ("no_order:abc", "number of days"),
        ("city:", "needs a value"),
        ("tag:a&b", "cannot read"),
    ],
)
def test_audience_grammar_refuses_unclear_specs(spec: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        audiences.parse_audience(spec)


async def test_rule_audiences_select_the_right_customers() -> None:
    now = clock.utcnow()
    berlin_en = await make_customer(
        "A", telegram_id=1, city="Berlin", language_code="en-GB", tags=["VIP"]
    )
    paris_fr = await make_customer("B", telegram_id=2, city="Paris", language_code="fr")
    berlin_zh = await make_customer("C", telegram_id=3, city="berlin", tags=["new"])
    await make_open_ticket(paris_fr, kind=TicketKind.COMPLAINT)
    old = await make_open_ticket(berlin_zh, kind=TicketKind.COMPLAINT)
    await Ticket.filter(id=old.id).update(created_at=now - timedelta(days=40))
    await make_order(berlin_en, ordered_at=now - timedelta(days=100), total=10)
    await make_order(paris_fr, ordered_at=now - timedelta(days=100), total=10)
    await make_order(paris_fr, ordered_at=now - timedelta(days=3), total=10)

    async def ids(spec: str) -> set[int]:
        return set(await audiences.resolve_audience(spec))

    assert await ids("all") == {berlin_en.id, paris_fr.id, berlin_zh.id}
    assert await ids("city:BERLIN") == {berlin_en.id, berlin_zh.id}
    assert await ids("language:en") == {berlin_en.id}
    assert await ids("tag:vip") == {berlin_en.id}
    assert await ids("complained:30") == {paris_fr.id}
    assert await ids("complained:60") == {paris_fr.id, berlin_zh.id}
    assert await ids("no_order:90") == {berlin_en.id}  # paris ordered 3 days ago; zh never
    assert await ids("city:berlin & !tag:vip") == {berlin_zh.id}
    assert await ids("!city:berlin") == {paris_fr.id}


# --- creating ----------------------------------------------------------------------------


async def test_create_builds_a_unique_send_list_with_a_control_group() -> None:
    people = await _customers(40)
    campaign = await campaigns.create_campaign(
        audience="all",
        text="Spring sale!",
        button=campaigns.parse_button("Shop=https://shop.example/spring"),
        control_percent=25,
        created_by=9001,
    )
    assert campaign.status is CampaignStatus.DRAFT
    assert campaign.audience_size == 40
    assert campaign.button_kind is ButtonKind.URL
    progress = await campaigns.progress(campaign_id=campaign.id)
    assert progress[RecipientStatus.CONTROL] == 10
    assert progress[RecipientStatus.PENDING] == 30
    rows = await CampaignRecipient.filter(campaign_id=campaign.id).values_list(
        "customer_id", flat=True
    )
    assert sorted(rows) == sorted(c.id for c in people)
    entry = await AuditEntry.get(action="campaign.create")
    assert entry.actor_telegram_id == 9001 and entry.details["control"] == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "needs a message text"),
        ({"text": "x" * 4090}, "can hold"),
        ({"text": "x" * 1000, "photo": b"jpeg"}, "photo caption"),
        ({"control_percent": 60}, "0-50"),
        ({"audience": "city:Atlantis"}, "has no customers"),
    ],
)
async def test_create_refuses_bad_campaigns_and_stores_nothing(kwargs, message) -> None:
    await _customers(3)
    args = {"audience": "all", "text": "Hello"} | kwargs
    with pytest.raises(InvalidInput, match=message):
        await campaigns.create_campaign(**args)
    assert await CampaignRecipient.all().count() == 0


def test_buttons_are_links_or_interest() -> None:
    assert campaigns.parse_button("I'm in") == campaigns.Button("I'm in", ButtonKind.INTEREST)
    link = campaigns.parse_button(" Shop = https://x.example/a?b=c ")
    assert link == campaigns.Button("Shop", ButtonKind.URL, "https://x.example/a?b=c")
    assert campaigns.parse_button("") is None
    with pytest.raises(InvalidInput, match="URL"):
        campaigns.parse_button("Shop=javascript:alert(1)")


# --- life cycle --------------------------------------------------------------------------


async def test_status_moves_are_checked() -> None:
    await _customers(2)
    campaign = await campaigns.create_campaign(audience="all", text="Hi")
    with pytest.raises(InvalidInput, match="draft: cannot pause"):
        await campaigns.pause_campaign(campaign_id=campaign.id, actor=1)
    with pytest.raises(InvalidInput, match="has passed"):
        await campaigns.schedule_campaign(
            campaign_id=campaign.id, at=clock.utcnow() - timedelta(minutes=1), actor=1
        )
    at = clock.utcnow() + timedelta(hours=1)
    scheduled = await campaigns.schedule_campaign(campaign_id=campaign.id, at=at, actor=1)
    assert scheduled.status is CampaignStatus.SCHEDULED
    assert await campaigns.start_due_campaigns() == []
    clock.advance(timedelta(hours=1, seconds=1))
    try:
        assert await campaigns.start_due_campaigns() == [campaign.id]
        assert await campaigns.start_due_campaigns() == []  # once
    finally:
        clock.reset()
    paused = await campaigns.pause_campaign(campaign_id=campaign.id, actor=1)
    assert paused.status is CampaignStatus.PAUSED
    resumed = await campaigns.resume_campaign(campaign_id=campaign.id, actor=1)
    assert resumed.status is CampaignStatus.SENDING
    with pytest.raises(InvalidInput, match="does not exist"):
        await campaigns.start_campaign(campaign_id=999, actor=1)


# --- claiming and outcomes ---------------------------------------------------------------


async def test_claims_skip_opted_out_blocked_and_chatless_customers_at_send_time() -> None:
    ok, stopped, blocked = await _customers(3)
    chatless = await make_customer("Imported")
    campaign = await campaigns.create_campaign(audience="all", text="Hi")
    # After the list was built: one opts out, one blocks the bot.
    await campaigns.set_subscribed(customer=stopped, subscribed=False)
    await Customer.filter(id=blocked.id).update(unreachable=True)
    await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
    deliveries = await campaigns.claim_deliveries(campaign_id=campaign.id, token="a", limit=10)
    assert [d.customer_id for d in deliveries] == [ok.id]
    reasons = dict(
        await CampaignRecipient.filter(status=RecipientStatus.SKIPPED).values_list(
            "customer_id", "reason"
        )
    )
    assert reasons == {
        stopped.id: "opted out",
        blocked.id: campaigns.BLOCKED_REASON,
        chatless.id: "no Telegram chat",
    }


async def test_two_senders_never_claim_the_same_row() -> None:
    await _customers(25)
    campaign = await campaigns.create_campaign(audience="all", text="Hi")
    await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
    first = await campaigns.claim_deliveries(campaign_id=campaign.id, token="a", limit=10)
    second = await campaigns.claim_deliveries(campaign_id=campaign.id, token="b", limit=100)
    assert len(first) == 10 and len(second) == 15
    assert not {d.recipient_id for d in first} & {d.recipient_id for d in second}
    # b cannot start a's row.
    assert not await campaigns.mark_sending(recipient_id=first[0].recipient_id, token="b")
    assert await campaigns.mark_sending(recipient_id=first[0].recipient_id, token="a")


async def test_dead_senders_claims_come_back_but_interrupted_sends_never_do() -> None:
    await _customers(3)
    campaign = await campaigns.create_campaign(audience="all", text="Hi")
    await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
    claimed = await campaigns.claim_deliveries(campaign_id=campaign.id, token="dead", limit=3)
    assert await campaigns.mark_sending(recipient_id=claimed[0].recipient_id, token="dead")
    clock.advance(timedelta(minutes=6))
    try:
        await campaigns.recover_stale(lease=timedelta(minutes=5))
    finally:
        clock.reset()
    again = await campaigns.claim_deliveries(campaign_id=campaign.id, token="new", limit=10)
    assert {d.recipient_id for d in again} == {d.recipient_id for d in claimed[1:]}
    interrupted = await CampaignRecipient.get(id=claimed[0].recipient_id)
    assert interrupted.status is RecipientStatus.FAILED
    assert interrupted.reason == campaigns.INTERRUPTED_REASON


async def test_outcomes_are_recorded_and_a_block_marks_the_customer_unreachable() -> None:
    a, b, c, d = await _customers(4)
    campaign = await campaigns.create_campaign(audience="all", text="Hi")
    await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
    rows = await campaigns.claim_deliveries(campaign_id=campaign.id, token="t", limit=10)
    for row in rows:
        await campaigns.mark_sending(recipient_id=row.recipient_id, token="t")
    by_customer = {row.customer_id: row.recipient_id for row in rows}
    await campaigns.record_outcomes(
        outcomes=[
            Outcome(by_customer[a.id], RecipientStatus.SENT, message_id=77),
            Outcome(
                by_customer[b.id], RecipientStatus.FAILED, campaigns.BLOCKED_REASON, blocked=True
            ),
            Outcome(by_customer[c.id], RecipientStatus.FAILED, "Bad Request: chat not found"),
        ]
    )
    assert not await campaigns.finish_if_complete(campaign_id=campaign.id)  # d still sending
    await campaigns.record_outcomes(outcomes=[Outcome(by_customer[d.id], RecipientStatus.PENDING)])
    assert (await CampaignRecipient.get(id=by_customer[d.id])).status is RecipientStatus.PENDING
    again = await campaigns.claim_deliveries(campaign_id=campaign.id, token="t", limit=10)
    await campaigns.mark_sending(recipient_id=again[0].recipient_id, token="t")
    await campaigns.record_outcomes(
        outcomes=[Outcome(again[0].recipient_id, RecipientStatus.SENT, message_id=78)]
    )
    assert await campaigns.finish_if_complete(campaign_id=campaign.id)
    assert not await campaigns.finish_if_complete(campaign_id=campaign.id)  # only once
    assert (await Customer.get(id=b.id)).unreachable
    assert not (await Customer.get(id=c.id)).unreachable
    report = await campaigns.campaign_report(campaign_id=campaign.id)
    assert report.campaign.status is CampaignStatus.DONE
    assert report.progress[RecipientStatus.SENT] == 2
    assert report.blocked == 1


async def test_report_counts_48h_replies_presses_and_uplift_over_control() -> None:
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    clock.freeze(start)
    try:
        people = await _customers(20)
        campaign = await campaigns.create_campaign(
            audience="all",
            text="Hi",
            button=campaigns.parse_button("Interested"),
            control_percent=50,
        )
        await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
        rows = await campaigns.claim_deliveries(campaign_id=campaign.id, token="t", limit=100)
        assert len(rows) == 10
        for row in rows:
            await campaigns.mark_sending(recipient_id=row.recipient_id, token="t")
        await campaigns.record_outcomes(
            outcomes=[Outcome(r.recipient_id, RecipientStatus.SENT, message_id=1) for r in rows]
        )
        sent_ids = [r.customer_id for r in rows]
        control_ids = [c.id for c in people if c.id not in sent_ids]
        # Three recipients reply within 48 h, one after; one control customer writes.
        for i, cid in enumerate(sent_ids[:4]):
            ticket = await make_open_ticket(cid)
            message = await make_message(ticket, text="?")
            hours = 1 if i < 3 else 50
            await Message.filter(id=message.id).update(created_at=start + timedelta(hours=hours))
        ticket = await make_open_ticket(control_ids[0])
        message = await make_message(ticket, text="?")
        await Message.filter(id=message.id).update(created_at=start + timedelta(hours=2))
        # Four recipients and one control customer order.
        for cid in sent_ids[:4]:
            await make_order(cid, ordered_at=start + timedelta(days=1), total=50)
        await make_order(control_ids[0], ordered_at=start + timedelta(days=2), total=20)
        # Presses count once per recipient; a stranger's press does not count.
        pressing = await Customer.get(id=sent_ids[0])
        first = await campaigns.record_interest(
            campaign_id=campaign.id, telegram_id=pressing.telegram_id
        )
        second = await campaigns.record_interest(
            campaign_id=campaign.id, telegram_id=pressing.telegram_id
        )
        assert first is not None and first[1] and second is not None and not second[1]
        held_out = await Customer.get(id=control_ids[1])
        assert (
            await campaigns.record_interest(
                campaign_id=campaign.id, telegram_id=held_out.telegram_id
            )
            is None
        )
        clock.advance(timedelta(days=8))
        report = await campaigns.campaign_report(campaign_id=campaign.id, window_days=7)
    finally:
        clock.reset()
    assert report.pressed == 1
    assert report.replied_48h == 3
    assert report.response_rate == pytest.approx(0.3)
    assert report.recipients is not None and report.control is not None
    assert (report.recipients.size, report.control.size) == (10, 10)
    assert report.recipients.reply_rate == pytest.approx(0.4)
    assert report.control.reply_rate == pytest.approx(0.1)
    assert report.recipients.order_rate == pytest.approx(0.4)
    assert report.recipients.revenue_per_customer == Decimal("20.00")
    assert report.control.revenue_per_customer == Decimal("2.00")
    text = campaigns.describe_report(report)
    assert "uplift +30.0 pts" in text and "+18.00" in text
