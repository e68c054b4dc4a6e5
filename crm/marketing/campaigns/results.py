"""What a campaign achieved: presses, replies within 48 hours and, with a control group, uplift.

The uplift compares the recipients with the control group held out when the campaign was
created: who wrote to the desk, who ordered and what they spent after it started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from crm import clock
from crm.i18n import DEFAULT_LANGUAGE, t
from crm.marketing.campaigns.delivery import BLOCKED_REASON, Progress, progress
from crm.marketing.campaigns.lifecycle import get_campaign
from crm.models import (
    Campaign,
    CampaignRecipient,
    Customer,
    Direction,
    Message,
    Order,
    RecipientStatus,
)
from crm.store.db import in_batches

REPLY_WINDOW = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """How one group (recipients or control) behaved after the campaign started."""

    size: int
    replied: int
    ordered: int
    revenue: Decimal

    @property
    def reply_rate(self) -> float:
        """Return the share who wrote to the desk."""
        return self.replied / self.size if self.size else 0.0

    @property
    def order_rate(self) -> float:
        """Return the share who ordered."""
        return self.ordered / self.size if self.size else 0.0

    @property
    def revenue_per_customer(self) -> Decimal:
        """Return revenue divided by the group's size."""
        return (self.revenue / self.size).quantize(Decimal("0.01")) if self.size else Decimal(0)


@dataclass(frozen=True, slots=True)
class CampaignReport:
    """A campaign's outcome: delivery, response, and uplift over the control group."""

    campaign: Campaign
    progress: Progress
    blocked: int
    pressed: int
    replied_48h: int  # recipients who wrote within 48 h of receiving it
    window_days: int
    recipients: GroupResult | None = None  # only with a control group
    control: GroupResult | None = None

    @property
    def response_rate(self) -> float:
        """Return the share of delivered recipients who replied within 48 h."""
        sent = self.progress[RecipientStatus.SENT]
        return self.replied_48h / sent if sent else 0.0


async def record_interest(*, campaign_id: int, telegram_id: int) -> tuple[Campaign, bool] | None:
    """Count an "I'm interested" press; return (campaign, first press), None if no recipient."""
    customer = await Customer.get_or_none(telegram_id=telegram_id)
    if customer is None:
        return None
    row = await CampaignRecipient.get_or_none(campaign_id=campaign_id, customer_id=customer.id)
    if row is None or row.status is not RecipientStatus.SENT:
        return None
    first = await CampaignRecipient.filter(id=row.id, pressed_at__isnull=True).update(
        pressed_at=clock.utcnow()
    )
    campaign = await get_campaign(campaign_id=campaign_id)
    return campaign, bool(first)


async def campaign_report(
    *, campaign_id: int, window_days: int = 7, now: datetime | None = None
) -> CampaignReport:
    """Report delivery, presses, 48-hour replies and, with a control group, the uplift."""
    campaign = await get_campaign(campaign_id=campaign_id)
    progress_now = await progress(campaign_id=campaign_id)
    blocked = await CampaignRecipient.filter(
        campaign_id=campaign_id, status=RecipientStatus.FAILED, reason=BLOCKED_REASON
    ).count()
    pressed = await CampaignRecipient.filter(
        campaign_id=campaign_id, pressed_at__not_isnull=True
    ).count()
    sent_rows = await CampaignRecipient.filter(
        campaign_id=campaign_id, status=RecipientStatus.SENT
    ).values_list("customer_id", "sent_at")
    sent_at = {cid: at for cid, at in sent_rows}
    replied = 0
    for chunk in in_batches(list(sent_at)):
        first = min(sent_at[c] for c in chunk)
        last = max(sent_at[c] for c in chunk) + REPLY_WINDOW
        rows = await Message.filter(
            direction=Direction.INBOUND,
            ticket__customer_id__in=chunk,
            created_at__gte=first,
            created_at__lte=last,
        ).values_list("ticket__customer_id", "created_at")
        who = {cid for cid, at in rows if sent_at[cid] <= at <= sent_at[cid] + REPLY_WINDOW}
        replied += len(who)
    recipients = control = None
    if campaign.control_percent and campaign.started_at is not None:
        start = campaign.started_at
        end = min(start + timedelta(days=window_days), now or clock.utcnow())
        control_ids = await CampaignRecipient.filter(
            campaign_id=campaign_id, status=RecipientStatus.CONTROL
        ).values_list("customer_id", flat=True)
        recipients = await _group_result(list(sent_at), start, end)
        control = await _group_result(list(control_ids), start, end)
    return CampaignReport(
        campaign=campaign,
        progress=progress_now,
        blocked=blocked,
        pressed=pressed,
        replied_48h=replied,
        window_days=window_days,
        recipients=recipients,
        control=control,
    )


async def _group_result(ids: list[int], start: datetime, end: datetime) -> GroupResult:
    """Count who in a group wrote, who ordered and what they spent between start and end."""
    replied: set[int] = set()
    ordered: set[int] = set()
    revenue = Decimal(0)
    for chunk in in_batches(ids):
        replied.update(
            await Message.filter(
                direction=Direction.INBOUND,
                ticket__customer_id__in=chunk,
                created_at__gte=start,
                created_at__lt=end,
            )
            .distinct()
            .values_list("ticket__customer_id", flat=True)
        )
        for cid, total in await Order.filter(
            customer_id__in=chunk, ordered_at__gte=start, ordered_at__lt=end
        ).values_list("customer_id", "total"):
            ordered.add(cid)
            revenue += Decimal(total or 0)
    return GroupResult(size=len(ids), replied=len(replied), ordered=len(ordered), revenue=revenue)


def describe_progress(
    campaign: Campaign,
    progress_now: Progress,
    *,
    rate: float | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """Return one plain-text line about where a campaign is (in a staff language)."""

    def say(key: str, **values: object) -> str:
        return t(f"staff.campaign.{key}", lang, **values)

    done = progress_now.targeted - progress_now.remaining
    status = say(f"status.{campaign.status.value}")
    parts = [
        say(
            "progress",
            campaign_id=campaign.id,
            status=status,
            done=done,
            targeted=progress_now.targeted,
        ),
        say("sent", count=progress_now[RecipientStatus.SENT]),
        say("failed", count=progress_now[RecipientStatus.FAILED]),
        say("skipped", count=progress_now[RecipientStatus.SKIPPED]),
        say("remaining", count=progress_now.remaining),
    ]
    if progress_now[RecipientStatus.CONTROL]:
        parts.append(say("control", count=progress_now[RecipientStatus.CONTROL]))
    if rate is not None:
        parts.append(say("rate", rate=f"{rate:.1f}"))
    return say("join").join(parts)


def describe_report(report: CampaignReport, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a campaign report as plain text lines (in a staff language)."""

    def say(key: str, **values: object) -> str:
        return t(f"staff.campaign.report.{key}", lang, **values)

    c, p = report.campaign, report.progress
    lines = [
        say(
            "heading",
            campaign_id=c.id,
            name=" " + c.name if c.name else "",
            status=t(f"staff.campaign.status.{c.status.value}", lang),
        ),
        say("audience", audience=c.audience, size=c.audience_size),
        describe_progress(c, p, lang=lang),
        say(
            "delivered",
            sent=p[RecipientStatus.SENT],
            blocked=report.blocked,
            pressed=report.pressed,
        ),
        say("replies", replied=report.replied_48h, rate=f"{report.response_rate:.1%}"),
    ]
    if report.recipients is not None and report.control is not None:
        r, k = report.recipients, report.control
        lines += [
            say("window", days=report.window_days),
            say(
                "replied",
                recipients=f"{r.reply_rate:.1%}",
                control=f"{k.reply_rate:.1%}",
                uplift=f"{100 * (r.reply_rate - k.reply_rate):+.1f}",
            ),
            say(
                "ordered",
                recipients=f"{r.order_rate:.1%}",
                control=f"{k.order_rate:.1%}",
                uplift=f"{100 * (r.order_rate - k.order_rate):+.1f}",
            ),
            say(
                "revenue",
                recipients=r.revenue_per_customer,
                control=k.revenue_per_customer,
                uplift=f"{r.revenue_per_customer - k.revenue_per_customer:+}",
            ),
            say("sizes", recipients=r.size, control=k.size),
        ]
    return "\n".join(lines)
