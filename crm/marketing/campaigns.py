"""Campaigns: a message to an audience, sent exactly once per customer from a durable list.

A campaign's send list is built when the campaign is created: one row per customer in the
audience, unique per (campaign, customer), so the list is stable whatever happens to the
segments later. The running bot's sender claims pending rows in batches and records each
outcome. A row moves pending -> claimed -> sending -> sent / failed / skipped:

- a claimed row whose sender died is handed back (nothing was sent yet);
- a row whose Bot API call was under way when its sender died is never sent again: it is
  recorded as failed ("interrupted"). Telegram has no idempotency key, so this is the only
  way to promise nobody gets a campaign twice.

Opt-outs and blocks are checked when a row is claimed, moments before it is sent, not only
when the list was built. Nothing here knows Telegram: the sender in ``bot/broadcast.py``
turns a ``Delivery`` into a Bot API call and reports an ``Outcome``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from crm import audit, clock
from crm.errors import InvalidInput
from crm.i18n import CATALOG, DEFAULT_LANGUAGE, Phrase, t
from crm.marketing.audiences import describe_audience, parse_audience, resolve_audience
from crm.models import (
    ButtonKind,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    Customer,
    Direction,
    Message,
    Order,
    RecipientStatus,
)
from crm.store.db import in_batches

TEXT_MAX = 4096
CAPTION_MAX = 1024
CONTROL_MAX = 50
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos sent by upload
REPLY_WINDOW = timedelta(hours=48)
DEFAULT_LEASE = timedelta(seconds=60)
_URL = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://[^\s]+)$", re.IGNORECASE)
# Rows a sender still owns; anything else is settled.
IN_FLIGHT = (RecipientStatus.PENDING, RecipientStatus.CLAIMED, RecipientStatus.SENDING)
BLOCKED_REASON = "blocked by the user"
INTERRUPTED_REASON = "interrupted while sending; not retried, so nobody gets it twice"


class CampaignNotFound(InvalidInput):
    """No campaign with that number."""

    def __init__(self, campaign_id: int) -> None:
        self.say("staff.err.campaign_not_found", campaign_id=campaign_id)
        self.campaign_id = campaign_id


@dataclass(frozen=True, slots=True)
class Button:
    """The inline button under a campaign message."""

    text: str
    kind: ButtonKind
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message the sender should send now."""

    recipient_id: int
    campaign_id: int
    customer_id: int
    chat_id: int
    language: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one delivery."""

    recipient_id: int
    status: RecipientStatus  # SENT, FAILED, SKIPPED, or PENDING to try again later
    reason: str | None = None
    message_id: int | None = None
    blocked: bool = False  # the customer blocked the bot: unreachable from now on


@dataclass(slots=True)
class Progress:
    """How far a campaign's send list is."""

    counts: dict[RecipientStatus, int] = field(default_factory=dict)

    def __getitem__(self, status: RecipientStatus) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        """Return every row on the list, the control group included."""
        return sum(self.counts.values())

    @property
    def remaining(self) -> int:
        """Return rows not settled yet."""
        return sum(self[status] for status in IN_FLIGHT)

    @property
    def targeted(self) -> int:
        """Return the rows meant to receive the message (everyone but the control group)."""
        return self.total - self[RecipientStatus.CONTROL]


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


def parse_button(raw: str | None) -> Button | None:
    """Read ``TEXT=URL`` (a link button) or ``TEXT`` (an "I'm interested" button)."""
    if raw is None or not raw.strip():
        return None
    text, eq, url = raw.strip().partition("=")
    text, url = text.strip(), url.strip()
    if not text:
        raise InvalidInput.of("staff.err.button_label")
    if len(text) > 64:
        raise InvalidInput.of("staff.err.button_label_long")
    if not eq:
        return Button(text=text, kind=ButtonKind.INTEREST)
    if not _URL.match(url) or len(url) > 512:
        raise InvalidInput.of("staff.err.button_url", url=url)
    return Button(text=text, kind=ButtonKind.URL, url=url)


def _opt_out_room() -> int:
    return max(len(lang["campaign_opt_out"]) for lang in CATALOG.values()) + 2


def check_text(text: str, *, with_photo: bool) -> str:
    """Return the campaign text stripped, or refuse it when empty or too long for Telegram."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput.of("staff.err.campaign_no_text")
    limit = (CAPTION_MAX if with_photo else TEXT_MAX) - _opt_out_room()
    if len(text) > limit:
        kind = Phrase("staff.campaign.caption" if with_photo else "staff.campaign.message")
        raise InvalidInput.of(
            "staff.err.campaign_text_long", length=len(text), kind=kind, limit=limit
        )
    return text


def compose_text(campaign: Campaign, language: str | None) -> str:
    """Return the message a customer receives: the text, then how to opt out."""
    return f"{campaign.text}\n\n{t('campaign_opt_out', language)}"


@dataclass(frozen=True, slots=True)
class AudiencePreview:
    """How many customers an audience holds, and how many could receive a message now."""

    spec: str
    size: int
    reachable: int


async def preview_audience(*, audience: str) -> AudiencePreview:
    """Resolve an audience and count who is reachable (Telegram chat, subscribed, unblocked)."""
    spec = describe_audience(parse_audience(audience))
    ids = await resolve_audience(spec)
    reachable = 0
    for chunk in in_batches(ids):
        reachable += await Customer.filter(
            id__in=chunk, telegram_id__not_isnull=True, subscribed=True, unreachable=False
        ).count()
    return AudiencePreview(spec=spec, size=len(ids), reachable=reachable)


async def create_campaign(
    *,
    audience: str,
    text: str,
    photo: bytes | None = None,
    photo_file_id: str | None = None,
    button: Button | None = None,
    control_percent: int = 0,
    name: str = "",
    created_by: int | None = None,
) -> Campaign:
    """Create a draft campaign and its send list (with the control group held out)."""
    if photo is not None and len(photo) > PHOTO_MAX_BYTES:
        raise InvalidInput.of("staff.err.photo_big")
    text = check_text(text, with_photo=photo is not None or photo_file_id is not None)
    if not 0 <= control_percent <= CONTROL_MAX:
        raise InvalidInput.of("staff.err.control_range", most=CONTROL_MAX)
    spec = describe_audience(parse_audience(audience))
    ids = await resolve_audience(spec)
    if not ids:
        raise InvalidInput.of("staff.err.audience_no_one", spec=spec)
    async with in_transaction():
        campaign = await Campaign.create(
            name=(name or "").strip()[:120],
            audience=spec,
            text=text,
            photo=photo,
            photo_file_id=photo_file_id,
            button_text=button.text if button else None,
            button_kind=button.kind if button else None,
            button_url=button.url if button else None,
            control_percent=control_percent,
            created_by=created_by,
            audience_size=len(ids),
        )
        # Seeded by the campaign, so the hold-out can be reproduced from the store.
        held = round(len(ids) * control_percent / 100)
        control = set(random.Random(campaign.id).sample(ids, held)) if held else set()
        rows = [
            CampaignRecipient(
                campaign_id=campaign.id,
                customer_id=cid,
                status=RecipientStatus.CONTROL if cid in control else RecipientStatus.PENDING,
            )
            for cid in ids
        ]
        await CampaignRecipient.bulk_create(rows, batch_size=1000)
    await audit.record(
        actor_telegram_id=created_by,
        action="campaign.create",
        subject=f"campaign #{campaign.id}",
        details={"audience": spec, "size": len(ids), "control": len(control)},
    )
    return campaign


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


async def recover_stale(*, lease: timedelta = DEFAULT_LEASE) -> None:
    """Hand back claims of dead senders; settle their interrupted sends as failed."""
    cutoff = clock.utcnow() - lease
    await CampaignRecipient.filter(status=RecipientStatus.CLAIMED, claimed_at__lt=cutoff).update(
        status=RecipientStatus.PENDING, claim_token=None, claimed_at=None
    )
    await CampaignRecipient.filter(status=RecipientStatus.SENDING, claimed_at__lt=cutoff).update(
        status=RecipientStatus.FAILED, reason=INTERRUPTED_REASON
    )


async def claim_deliveries(*, campaign_id: int, token: str, limit: int) -> list[Delivery]:
    """Claim up to ``limit`` pending rows for this sender; skip who cannot receive it now.

    On PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED``, so replicas claim
    different rows without waiting on each other; the update is conditional on the row
    still being pending either way, so a row is never claimed twice.
    """
    now = clock.utcnow()
    async with in_transaction():
        picked = (
            await CampaignRecipient.filter(campaign_id=campaign_id, status=RecipientStatus.PENDING)
            .order_by("id")
            .limit(limit)
            .select_for_update(skip_locked=True)
            .only("id")
        )
        ids = [row.id for row in picked]
        if not ids:
            return []
        await CampaignRecipient.filter(id__in=ids, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.CLAIMED, claim_token=token, claimed_at=now
        )
    rows = await CampaignRecipient.filter(
        id__in=ids, claim_token=token, status=RecipientStatus.CLAIMED
    ).values(
        "id",
        "customer_id",
        "customer__telegram_id",
        "customer__subscribed",
        "customer__unreachable",
        "customer__language_code",
    )
    skipped: dict[str, list[int]] = {}
    deliveries = []
    for row in rows:
        reason = None
        if row["customer__telegram_id"] is None:
            reason = "no Telegram chat"
        elif not row["customer__subscribed"]:
            reason = "opted out"
        elif row["customer__unreachable"]:
            reason = BLOCKED_REASON
        if reason:
            skipped.setdefault(reason, []).append(row["id"])
            continue
        deliveries.append(
            Delivery(
                recipient_id=row["id"],
                campaign_id=campaign_id,
                customer_id=row["customer_id"],
                chat_id=row["customer__telegram_id"],
                language=row["customer__language_code"],
            )
        )
    for reason, skip_ids in skipped.items():
        await CampaignRecipient.filter(id__in=skip_ids).update(
            status=RecipientStatus.SKIPPED, reason=reason
        )
    deliveries.sort(key=lambda d: d.recipient_id)
    return deliveries


async def mark_sending(*, recipient_id: int, token: str) -> bool:
    """Mark a claimed row as being sent now; False if this sender no longer owns it."""
    moved = await CampaignRecipient.filter(
        id=recipient_id, claim_token=token, status=RecipientStatus.CLAIMED
    ).update(
        status=RecipientStatus.SENDING,
        claimed_at=clock.utcnow(),
        attempts=F("attempts") + 1,
    )
    return bool(moved)


async def record_outcomes(*, outcomes: Sequence[Outcome]) -> None:
    """Store what happened to a batch of deliveries; blocked customers become unreachable."""
    if not outcomes:
        return
    now = clock.utcnow()
    async with in_transaction():
        for outcome in outcomes:
            changes: dict[str, object] = {"status": outcome.status, "reason": outcome.reason}
            if outcome.status is RecipientStatus.SENT:
                changes |= {"sent_at": now, "telegram_message_id": outcome.message_id}
            if outcome.status is RecipientStatus.PENDING:
                changes |= {"claim_token": None, "claimed_at": None}
            await CampaignRecipient.filter(id=outcome.recipient_id).update(**changes)
        blocked = [o.recipient_id for o in outcomes if o.blocked]
        if blocked:
            customer_ids = await CampaignRecipient.filter(id__in=blocked).values_list(
                "customer_id", flat=True
            )
            await Customer.filter(id__in=list(customer_ids)).update(unreachable=True)


async def release_claims(*, token: str) -> int:
    """Hand back rows this sender claimed but did not start (a graceful stop)."""
    return await CampaignRecipient.filter(claim_token=token, status=RecipientStatus.CLAIMED).update(
        status=RecipientStatus.PENDING, claim_token=None, claimed_at=None
    )


async def finish_if_complete(*, campaign_id: int) -> bool:
    """Mark a sending campaign done once nothing is left; True for the caller who did it."""
    left = await CampaignRecipient.filter(campaign_id=campaign_id, status__in=IN_FLIGHT).exists()
    if left:
        return False
    moved = await Campaign.filter(id=campaign_id, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.DONE, finished_at=clock.utcnow()
    )
    if moved:
        progress_now = await progress(campaign_id=campaign_id)
        await audit.record(
            actor_telegram_id=None,
            action="campaign.done",
            subject=f"campaign #{campaign_id}",
            details={s.value: n for s, n in progress_now.counts.items()},
        )
    return bool(moved)


async def remember_photo(*, campaign_id: int, file_id: str) -> None:
    """Keep Telegram's file_id of the uploaded photo, so the rest reuse it."""
    await Campaign.filter(id=campaign_id, photo_file_id__isnull=True).update(photo_file_id=file_id)


async def set_progress_message(*, campaign_id: int, chat_id: int, message_id: int) -> None:
    """Remember the status message to edit as the campaign goes."""
    await Campaign.filter(id=campaign_id).update(
        progress_chat_id=chat_id, progress_message_id=message_id
    )


async def progress(*, campaign_id: int) -> Progress:
    """Count a campaign's rows by status."""
    rows = (
        await CampaignRecipient.filter(campaign_id=campaign_id)
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    return Progress({RecipientStatus(status): n for status, n in rows})


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


async def set_subscribed(*, customer: Customer, subscribed: bool) -> bool:
    """Opt a customer in or out of campaigns; return whether anything changed."""
    if customer.subscribed == subscribed:
        return False
    customer.subscribed = subscribed
    await customer.save(update_fields=["subscribed", "updated_at"])
    await audit.record(
        actor_telegram_id=customer.telegram_id,
        action="campaign.subscribe" if subscribed else "campaign.unsubscribe",
        subject=f"customer #{customer.id}",
    )
    return True


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
