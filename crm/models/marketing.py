"""Segment runs and campaigns with their durable recipient lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from crm.models.enums import ButtonKind, CampaignStatus, RecipientStatus

if TYPE_CHECKING:
    from crm.models.people import Customer


class SegmentRun(Model):
    """One segmentation of the customer base, so a campaign targets a stable list."""

    id = fields.IntField(primary_key=True)
    started_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    customers = fields.IntField(default=0)
    k = fields.SmallIntField(default=0)  # clusters chosen (0: everyone was new)
    silhouette = fields.FloatField(null=True)
    # [{"name", "description", "size", "profile": {feature: mean}}], largest first.
    segments = fields.JSONField(default=list)

    class Meta:
        table = "segment_run"
        indexes = (("finished_at",),)


class CustomerSegment(Model):
    """Which segment a customer fell in, in one run."""

    id = fields.IntField(primary_key=True)
    run: fields.ForeignKeyRelation[SegmentRun] = fields.ForeignKeyField(
        "crm.SegmentRun", related_name="members", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="segments", on_delete=fields.CASCADE
    )
    segment = fields.CharField(max_length=64)

    class Meta:
        table = "customer_segment"
        unique_together = (("run_id", "customer_id"),)
        indexes = (("run_id", "segment"), ("customer_id",))


class Campaign(Model):
    """A message to an audience, sent by the running bot exactly once per customer."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, default="")
    # How the audience was chosen: a segment name or a rule (see crm.marketing.audiences).
    audience = fields.CharField(max_length=255)
    text = fields.TextField()
    photo = fields.BinaryField(null=True)  # uploaded once, then reused by file_id
    photo_file_id = fields.CharField(max_length=255, null=True)
    button_text = fields.CharField(max_length=64, null=True)
    button_kind = fields.CharEnumField(ButtonKind, max_length=16, null=True)
    button_url = fields.CharField(max_length=512, null=True)
    control_percent = fields.SmallIntField(default=0)
    status = fields.CharEnumField(CampaignStatus, max_length=16, default=CampaignStatus.DRAFT)
    created_by = fields.BigIntField(null=True)  # Telegram id; None: the CLI
    created_at = fields.DatetimeField(auto_now_add=True)
    scheduled_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    audience_size = fields.IntField(default=0)
    # The one status message edited as the campaign goes.
    progress_chat_id = fields.BigIntField(null=True)
    progress_message_id = fields.BigIntField(null=True)

    class Meta:
        table = "campaign"
        indexes = (("status", "scheduled_at"),)


class CampaignRecipient(Model):
    """One customer on a campaign's durable send list."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "crm.Campaign", related_name="recipients", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="campaign_rows", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(RecipientStatus, max_length=16, default=RecipientStatus.PENDING)
    reason = fields.CharField(max_length=255, null=True)
    attempts = fields.SmallIntField(default=0)
    claim_token = fields.CharField(max_length=32, null=True)
    claimed_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    telegram_message_id = fields.BigIntField(null=True)
    pressed_at = fields.DatetimeField(null=True)  # the "I'm interested" button

    class Meta:
        table = "campaign_recipient"
        unique_together = (("campaign_id", "customer_id"),)
        indexes = (("campaign_id", "status"), ("customer_id", "sent_at"))
