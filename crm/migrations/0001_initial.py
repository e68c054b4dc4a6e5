import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from crm.models import Direction, MediaType, Priority, TicketKind, TicketStatus


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Customer",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("telegram_id", fields.BigIntField(null=True, unique=True)),
                ("first_name", fields.CharField(default="", max_length=255)),
                ("last_name", fields.CharField(null=True, max_length=255)),
                ("username", fields.CharField(null=True, max_length=64)),
                ("language_code", fields.CharField(null=True, max_length=16)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "customer",
                "app": "crm",
                "pk_attr": "id",
                "table_description": "A person the business serves, known from Telegram or from an import.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Ticket",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "customer",
                    fields.ForeignKeyField(
                        "crm.Customer",
                        source_field="customer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tickets",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="INQUIRY: inquiry\nFEEDBACK: feedback\nCOMPLAINT: complaint\nRATING: rating",
                        enum_type=TicketKind,
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=TicketStatus.OPEN,
                        description="OPEN: open\nPENDING: pending\nRESOLVED: resolved",
                        enum_type=TicketStatus,
                        max_length=16,
                    ),
                ),
                (
                    "priority",
                    fields.IntEnumField(
                        default=Priority.NORMAL,
                        description="LOW: 1\nNORMAL: 2\nHIGH: 3\nURGENT: 4",
                        enum_type=Priority,
                        generated=False,
                    ),
                ),
                ("subject", fields.CharField(default="", max_length=120)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "first_response_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "resolved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("last_activity_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "ticket",
                "app": "crm",
                "indexes": [
                    Index(fields=["customer_id", "status"]),
                    Index(fields=["status", "last_activity_at"]),
                ],
                "pk_attr": "id",
                "table_description": "One conversation about one matter.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "ticket",
                    fields.ForeignKeyField(
                        "crm.Ticket",
                        source_field="ticket_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "direction",
                    fields.CharEnumField(
                        description="INBOUND: inbound\nOUTBOUND: outbound\nINTERNAL: internal",
                        enum_type=Direction,
                        max_length=16,
                    ),
                ),
                ("author_telegram_id", fields.BigIntField(null=True)),
                ("text", fields.TextField(default="", unique=False)),
                (
                    "media_type",
                    fields.CharEnumField(
                        null=True,
                        description="PHOTO: photo\nDOCUMENT: document\nVOICE: voice\nAUDIO: audio\nVIDEO: video\nVIDEO_NOTE: video_note\nANIMATION: animation\nSTICKER: sticker",
                        enum_type=MediaType,
                        max_length=16,
                    ),
                ),
                ("file_id", fields.CharField(null=True, max_length=255)),
                ("telegram_chat_id", fields.BigIntField(null=True)),
                ("telegram_message_id", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("edited_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "edit_history",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "acknowledged_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "message",
                "app": "crm",
                "unique_together": (("telegram_chat_id", "telegram_message_id"),),
                "indexes": [Index(fields=["ticket_id", "created_at"])],
                "pk_attr": "id",
                "table_description": "One message in a ticket: from the customer, to the customer, or an internal note.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Rating",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "ticket",
                    fields.ForeignKeyField(
                        "crm.Ticket",
                        source_field="ticket_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="ratings",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "customer",
                    fields.ForeignKeyField(
                        "crm.Customer",
                        source_field="customer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="ratings",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("score", fields.SmallIntField()),
                ("comment", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "rating",
                "app": "crm",
                "indexes": [Index(fields=["created_at"])],
                "pk_attr": "id",
                "table_description": "A 1-5 satisfaction score a customer gave.",
            },
            bases=["Model"],
        ),
    ]
