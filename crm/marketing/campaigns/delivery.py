"""The send list: the running bot's sender claims rows, sends them, and records each outcome.

A row moves pending -> claimed -> sending -> sent / failed / skipped:

- a claimed row whose sender died is handed back (nothing was sent yet);
- a row whose Bot API call was under way when its sender died is never sent again: it is
  recorded as failed ("interrupted"). Telegram has no idempotency key, so this is the only
  way to promise nobody gets a campaign twice.

Opt-outs and blocks are checked when a row is claimed, moments before it is sent, not only
when the list was built. Nothing here knows Telegram: the sender in
``bot/outbound/campaign_sender.py`` turns a ``Delivery`` into a Bot API call and reports an
``Outcome``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from crm import audit, clock
from crm.models import Campaign, CampaignRecipient, CampaignStatus, Customer, RecipientStatus

DEFAULT_LEASE = timedelta(seconds=60)
# Rows a sender still owns; anything else is settled.
IN_FLIGHT = (RecipientStatus.PENDING, RecipientStatus.CLAIMED, RecipientStatus.SENDING)
BLOCKED_REASON = "blocked by the user"
INTERRUPTED_REASON = "interrupted while sending; not retried, so nobody gets it twice"


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


async def progress(*, campaign_id: int) -> Progress:
    """Count a campaign's rows by status."""
    rows = (
        await CampaignRecipient.filter(campaign_id=campaign_id)
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    return Progress({RecipientStatus(status): n for status, n in rows})


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
