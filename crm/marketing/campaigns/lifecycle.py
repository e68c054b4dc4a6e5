"""A campaign's life by status: draft, scheduled, sending, paused, done or cancelled.

Every move is conditional on the status it was read in, so two managers (or two replicas)
cannot both move one campaign, and each is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from tortoise.functions import Count

from crm import audit, clock
from crm.errors import CampaignNotFound, InvalidInput
from crm.i18n import Phrase
from crm.marketing.campaigns.delivery import Progress
from crm.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus


async def get_campaign(*, campaign_id: int) -> Campaign:
    """Return a campaign or raise CampaignNotFound."""
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise CampaignNotFound(campaign_id)
    return campaign


async def list_campaigns(*, limit: int = 20) -> list[tuple[Campaign, Progress]]:
    """Return the newest campaigns with their progress (one counting query for all)."""
    campaigns = await Campaign.all().order_by("-id").limit(limit)
    counts: dict[int, Progress] = {c.id: Progress() for c in campaigns}
    rows = (
        await CampaignRecipient.filter(campaign_id__in=list(counts))
        .annotate(n=Count("id"))
        .group_by("campaign_id", "status")
        .values_list("campaign_id", "status", "n")
    )
    for campaign_id, status, n in rows:
        counts[campaign_id].counts[RecipientStatus(status)] = n
    return [(c, counts[c.id]) for c in campaigns]


async def _transition(
    *,
    campaign_id: int,
    allowed: Iterable[CampaignStatus],
    to: CampaignStatus,
    verb: str,
    actor: int | None,
    **changes: object,
) -> Campaign:
    campaign = await get_campaign(campaign_id=campaign_id)
    allowed = tuple(allowed)
    if campaign.status not in allowed:
        raise InvalidInput.of(
            "staff.err.campaign_status",
            campaign_id=campaign_id,
            status=Phrase(f"staff.campaign.status.{campaign.status.value}"),
            verb=Phrase(f"staff.campaign.verb.{verb}"),
        )
    # Conditional on the status read, so two people (or replicas) cannot both move it.
    moved = await Campaign.filter(id=campaign_id, status=campaign.status).update(
        status=to, **changes
    )
    if not moved:
        raise InvalidInput.of("staff.err.campaign_changed", campaign_id=campaign_id)
    await audit.record(
        actor_telegram_id=actor,
        action=f"campaign.{verb}",
        subject=f"campaign #{campaign_id}",
        details={"from": campaign.status.value, "to": to.value},
    )
    return await get_campaign(campaign_id=campaign_id)


async def start_campaign(
    *,
    campaign_id: int,
    actor: int | None,
    progress_chat_id: int | None = None,
    progress_message_id: int | None = None,
) -> Campaign:
    """Start sending now (a draft, a scheduled or a paused campaign)."""
    campaign = await get_campaign(campaign_id=campaign_id)
    changes: dict[str, object] = {"started_at": campaign.started_at or clock.utcnow()}
    if progress_chat_id is not None:
        changes |= {"progress_chat_id": progress_chat_id, "progress_message_id": None}
    if progress_message_id is not None:
        changes["progress_message_id"] = progress_message_id
    return await _transition(
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED),
        to=CampaignStatus.SENDING,
        verb="send",
        actor=actor,
        **changes,
    )


def parse_local_time(raw: str, *, zone: tzinfo) -> datetime:
    """Read 'YYYY-MM-DD HH:MM' as a time in the desk's timezone; return it as aware UTC."""
    text = " ".join((raw or "").replace("T", " ").split())
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput.of("staff.err.not_a_time", raw=raw) from None
    return local.replace(tzinfo=zone).astimezone(UTC)


async def schedule_campaign(*, campaign_id: int, at: datetime, actor: int | None) -> Campaign:
    """Have the sender start the campaign at a given time."""
    if at.tzinfo is None:
        raise ValueError("schedule_campaign() needs an aware datetime")
    if at <= clock.utcnow():
        raise InvalidInput.of("staff.err.time_passed")
    return await _transition(
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED),
        to=CampaignStatus.SCHEDULED,
        verb="schedule",
        actor=actor,
        scheduled_at=at,
    )


async def pause_campaign(*, campaign_id: int, actor: int | None) -> Campaign:
    """Stop sending after the messages already under way; resume continues the same list."""
    return await _transition(
        campaign_id=campaign_id,
        allowed=(CampaignStatus.SENDING, CampaignStatus.SCHEDULED),
        to=CampaignStatus.PAUSED,
        verb="pause",
        actor=actor,
    )


async def resume_campaign(*, campaign_id: int, actor: int | None) -> Campaign:
    """Continue a paused campaign: at its scheduled time if that is still ahead, else now."""
    campaign = await get_campaign(campaign_id=campaign_id)
    if (
        campaign.status is CampaignStatus.PAUSED
        and campaign.started_at is None
        and campaign.scheduled_at is not None
        and campaign.scheduled_at > clock.utcnow()
    ):
        return await _transition(
            campaign_id=campaign_id,
            allowed=(CampaignStatus.PAUSED,),
            to=CampaignStatus.SCHEDULED,
            verb="resume",
            actor=actor,
        )
    return await _transition(
        campaign_id=campaign_id,
        allowed=(CampaignStatus.PAUSED,),
        to=CampaignStatus.SENDING,
        verb="resume",
        actor=actor,
        started_at=campaign.started_at or clock.utcnow(),
    )


async def cancel_campaign(*, campaign_id: int, actor: int | None) -> Campaign:
    """Give up a campaign that is not sending; its pending rows are skipped."""
    campaign = await _transition(
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED),
        to=CampaignStatus.CANCELLED,
        verb="cancel",
        actor=actor,
        finished_at=clock.utcnow(),
    )
    await CampaignRecipient.filter(
        campaign_id=campaign_id, status__in=(RecipientStatus.PENDING, RecipientStatus.CLAIMED)
    ).update(status=RecipientStatus.SKIPPED, reason="campaign cancelled", claim_token=None)
    return campaign


async def start_due_campaigns() -> list[int]:
    """Move scheduled campaigns whose time has come to sending; return their ids."""
    now = clock.utcnow()
    started = []
    for cid in await Campaign.filter(
        status=CampaignStatus.SCHEDULED, scheduled_at__lte=now
    ).values_list("id", flat=True):
        moved = await Campaign.filter(id=cid, status=CampaignStatus.SCHEDULED).update(
            status=CampaignStatus.SENDING, started_at=now
        )
        if moved:
            started.append(cid)
    return started


async def sending_campaign_ids() -> list[int]:
    """Return the campaigns the sender should work on, oldest first."""
    return list(
        await Campaign.filter(status=CampaignStatus.SENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


async def set_progress_message(*, campaign_id: int, chat_id: int, message_id: int) -> None:
    """Remember the status message to edit as the campaign goes."""
    await Campaign.filter(id=campaign_id).update(
        progress_chat_id=chat_id, progress_message_id=message_id
    )
