"""Composing a campaign: its text, its button, its audience, and the draft with its send list.

A campaign's send list is built when the campaign is created: one row per customer in the
audience, unique per (campaign, customer), so the list is stable whatever happens to the
segments later. The control group is held out of the list at the same moment.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from crm import audit
from crm.errors import InvalidInput
from crm.i18n import CATALOG, Phrase, t
from crm.marketing.audiences import describe_audience, parse_audience, resolve_audience
from crm.models import ButtonKind, Campaign, CampaignRecipient, Customer, RecipientStatus
from crm.store.db import in_batches

TEXT_MAX = 4096
CAPTION_MAX = 1024
CONTROL_MAX = 50
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos sent by upload
_URL = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://[^\s]+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Button:
    """The inline button under a campaign message."""

    text: str
    kind: ButtonKind
    url: str | None = None


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
