"""Tickets and what happens on them: messages, ratings, surveys, SLA breaches, NPS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from crm.models.enums import (
    OPEN_STATUSES,
    Delivery,
    Direction,
    MediaType,
    Priority,
    SlaKind,
    TicketKind,
    TicketStatus,
)
from crm.sentiment import SentimentLabel

if TYPE_CHECKING:
    from crm.models.people import Customer, StaffMember


class Ticket(Model):
    """One conversation about one matter."""

    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="tickets", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(TicketKind, max_length=16)
    status = fields.CharEnumField(TicketStatus, max_length=16, default=TicketStatus.OPEN)
    priority = fields.IntEnumField(Priority, default=Priority.NORMAL)
    subject = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    last_activity_at = fields.DatetimeField(auto_now_add=True)
    # db_default too: adding a NOT NULL column to a table with rows needs a database default.
    topic = fields.CharField(max_length=32, default="other", db_default="other")
    assignee: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="assigned_tickets", null=True, on_delete=fields.SET_NULL
    )
    assigned_at = fields.DatetimeField(null=True)
    # The ticket this one follows up (a poor rating's follow-up points at the rated ticket).
    parent: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="follow_ups", null=True, on_delete=fields.SET_NULL
    )
    # How often the ticket came back after being resolved (the customer wrote again, or
    # staff reopened it): the report's reopen rate.
    reopened_count = fields.IntField(default=0, db_default=0)

    messages: fields.ReverseRelation[Message]
    ratings: fields.ReverseRelation[Rating]

    class Meta:
        table = "ticket"
        indexes = (
            ("customer_id", "status"),
            ("status", "last_activity_at"),
            ("status", "assignee_id"),
            ("status", "created_at"),
        )

    @property
    def is_open(self) -> bool:
        """Return whether the ticket still needs work."""
        return self.status in OPEN_STATUSES


class Message(Model):
    """One message in a ticket: from the customer, to the customer, or an internal note."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="messages", on_delete=fields.CASCADE
    )
    direction = fields.CharEnumField(Direction, max_length=16)
    # Telegram user id of whoever wrote it (customer, agent, or null for the bot itself).
    author_telegram_id = fields.BigIntField(null=True)
    text = fields.TextField(default="")  # the text, or the caption of a media message
    media_type = fields.CharEnumField(MediaType, max_length=16, null=True)
    file_id = fields.CharField(max_length=255, null=True)
    telegram_chat_id = fields.BigIntField(null=True)
    telegram_message_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    # Earlier versions of an edited message: [{"text": ..., "replaced_at": iso8601}, ...]
    edit_history = fields.JSONField(default=list)
    # When the customer was told the message was logged; None until the ack went out.
    acknowledged_at = fields.DatetimeField(null=True)
    # Outbound only: why Telegram did not take it (None while pending or once delivered).
    delivery_error = fields.TextField(null=True)
    # Outbound replies: their delivery state and the staff message that asked for them (a
    # replayed update finds its reply by that and never sends it twice).
    delivery = fields.CharEnumField(Delivery, max_length=16, null=True)
    source_chat_id = fields.BigIntField(null=True)
    source_message_id = fields.BigIntField(null=True)
    # Inbound only, filled off the hot path by the scoring job: [-1, 1], label, and which
    # analyzer scored it (a different configured analyzer rescores).
    sentiment_score = fields.FloatField(null=True)
    sentiment_label = fields.CharEnumField(SentimentLabel, max_length=16, null=True)
    sentiment_model = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "message"
        # A Telegram message is identified by (chat, message id): a redelivered update
        # cannot be stored twice.
        unique_together = (
            ("telegram_chat_id", "telegram_message_id"),
            ("source_chat_id", "source_message_id"),
        )
        indexes = (
            ("ticket_id", "created_at"),
            ("direction", "sentiment_model"),
            ("created_at",),
        )


class Rating(Model):
    """A 1-5 satisfaction score a customer gave."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="ratings", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="ratings", on_delete=fields.CASCADE
    )
    score = fields.SmallIntField()
    comment = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The agent who handled the rated ticket (CSAT per agent); None for /rate tickets.
    agent: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="ratings", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "rating"
        indexes = (("created_at",),)


class Survey(Model):
    """A "How did we do?" question sent when a ticket was resolved."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="surveys", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="surveys", on_delete=fields.CASCADE
    )
    agent: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="surveys", null=True, on_delete=fields.SET_NULL
    )
    sent_at = fields.DatetimeField(auto_now_add=True)
    rating: fields.OneToOneNullableRelation[Rating] = fields.OneToOneField(
        "crm.Rating", related_name="survey", null=True, on_delete=fields.SET_NULL
    )
    answered_at = fields.DatetimeField(null=True)
    # The "Add a comment" prompt sent after the rating (a message in the customer's chat):
    # a reply to it before comment_until is the rating's comment. Nothing else is.
    comment_prompt_id = fields.BigIntField(null=True)
    comment_until = fields.DatetimeField(null=True)
    # A newer survey for the same ticket (after a reopen) makes this one stale.
    superseded = fields.BooleanField(default=False)

    class Meta:
        table = "survey"
        indexes = (("customer_id", "comment_until"),)


class Notification(Model):
    """A bot message to staff about a ticket, so a Telegram reply to it finds the ticket."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="notifications", on_delete=fields.CASCADE
    )
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification"
        unique_together = (("chat_id", "message_id"),)


class SlaBreach(Model):
    """A ticket that missed a service-level target, recorded once per target."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="sla_breaches", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(SlaKind, max_length=16)
    agent: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="sla_breaches", null=True, on_delete=fields.SET_NULL
    )
    detected_at = fields.DatetimeField(auto_now_add=True)
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sla_breach"
        unique_together = (("ticket_id", "kind"),)


class NpsResponse(Model):
    """A 0-10 "would you recommend us" question and, once pressed, its answer."""

    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="nps_responses", on_delete=fields.CASCADE
    )
    ticket: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "crm.Ticket", related_name="nps_responses", null=True, on_delete=fields.SET_NULL
    )
    asked_at = fields.DatetimeField(auto_now_add=True)
    score = fields.SmallIntField(null=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "nps_response"
        indexes = (("customer_id", "asked_at"), ("answered_at",))
