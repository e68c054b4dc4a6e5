"""What the desk keeps to run itself: inbox, leases, dialogs, send slots, audit, summaries."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class SummaryRun(Model):
    """One daily summary, claimed before sending so a day is never summarised twice."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    started_at = fields.DatetimeField(auto_now_add=True)
    sent_to = fields.SmallIntField(default=0)
    # Null while being sent: a claim left unfinished by a replica that died is taken over.
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "summary_run"


class AuditEntry(Model):
    """Who did what privileged thing, and when (role changes, merges, imports, exports...)."""

    id = fields.IntField(primary_key=True)
    actor_telegram_id = fields.BigIntField(null=True)  # None: the CLI or the system
    action = fields.CharField(max_length=64)
    subject = fields.CharField(max_length=255, default="")
    details = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
        indexes = (("created_at",), ("action", "created_at"))


class InboundUpdate(Model):
    """A webhook update stored before Telegram gets its 200, so a crash cannot lose it."""

    # Polling stores updates too, before the next getUpdates offset confirms them.

    id = fields.IntField(primary_key=True)
    update_id = fields.BigIntField(unique=True)
    payload = fields.JSONField()
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    # The replica that accepted it; its unhandled updates are adopted when it dies.
    replica = fields.CharField(max_length=64, null=True)
    # How many times handling started, when it last did, and the last failure: an update
    # that cannot be parsed or fails every time is set aside after a few tries.
    attempts = fields.SmallIntField(default=0, db_default=0)
    last_attempt_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    set_aside_at = fields.DatetimeField(null=True)
    # Who sent it (Telegram user id): replicas count a person's recent updates here
    # (flood control) instead of each seeing only the share the load balancer gave it.
    user_id = fields.BigIntField(null=True)

    class Meta:
        table = "inbound_update"
        indexes = (("processed_at", "update_id"), ("user_id", "received_at"))


class JobLease(Model):
    """Which bot replica runs a scheduled job, until when: one row per job (and period)."""

    name = fields.CharField(max_length=96, primary_key=True)
    holder = fields.CharField(max_length=64)
    acquired_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "job_lease"
        indexes = (("expires_at",),)


class DialogState(Model):
    """A staff member's step-by-step dialog in progress (/campaign_new), kept in the store.

    Any bot replica can take the next step: the state is read from here for every update
    and written back after it, never kept in one process's memory.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32)
    user_id = fields.BigIntField()  # Telegram ids of the staff member and the chat
    chat_id = fields.BigIntField()
    step = fields.IntField()
    data = fields.JSONField()
    # Changes with every step: writes are conditional on it, so of two updates that read
    # the same step (on two replicas) only one takes it.
    updated_at = fields.DatetimeField()

    class Meta:
        table = "dialog_state"
        unique_together = (("name", "user_id", "chat_id"),)


class BroadcastSlot(Model):
    """How many campaign messages all replicas took in one slot of the shared rate."""

    # Wall-clock milliseconds // slot length: replicas on different machines agree on it.
    slot = fields.BigIntField(primary_key=True, generated=False)
    used = fields.IntField(default=0)

    class Meta:
        table = "broadcast_slot"
