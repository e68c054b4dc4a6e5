"""Who the desk serves and who works it: customers and staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from crm.i18n import language_for
from crm.models.enums import ManagerSource, Role

if TYPE_CHECKING:
    from crm.models.tickets import Ticket


class Customer(Model):
    """A person the business serves, known from Telegram or from an import."""

    id = fields.IntField(primary_key=True)
    telegram_id = fields.BigIntField(null=True, unique=True)
    first_name = fields.CharField(max_length=255, default="")
    last_name = fields.CharField(max_length=255, null=True)
    username = fields.CharField(max_length=64, null=True)
    language_code = fields.CharField(max_length=16, null=True)
    # CRM fields (imports, managers); phone in E.164, email lower-cased.
    phone = fields.CharField(max_length=32, null=True)
    email = fields.CharField(max_length=254, null=True)
    company = fields.CharField(max_length=255, null=True)
    city = fields.CharField(max_length=128, null=True)
    region = fields.CharField(max_length=128, null=True)
    tags = fields.JSONField(default=list, db_default="[]")
    source = fields.CharField(max_length=128, null=True)  # acquisition channel
    notes = fields.TextField(null=True)
    # Columns an import did not know, kept verbatim: {"Loyalty level": "gold"}.
    custom = fields.JSONField(default=dict, db_default="{}")
    # No campaigns after /stop; unreachable after Telegram said the bot is blocked.
    subscribed = fields.BooleanField(default=True, db_default=True)
    unreachable = fields.BooleanField(default=False, db_default=False)
    # Unused since comments became an explicit reply to a prompt (Survey.comment_prompt_id);
    # kept so the migration history stays as it landed.
    comment_until = fields.DatetimeField(null=True)
    # When the person had everything about them erased (/forget_me): the row stays, empty,
    # so anonymous counts (tickets, ratings, orders) keep a customer to belong to.
    erased_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tickets: fields.ReverseRelation[Ticket]

    class Meta:
        table = "customer"
        indexes = (("phone",), ("email",), ("city",), ("source",))

    @property
    def display_name(self) -> str:
        """Return the name to show people: first + last, else @username, else the id."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p).strip()
        if name:
            return name
        if self.username:
            return f"@{self.username}"
        return f"customer {self.id}"


class StaffMember(Model):
    """An agent or manager who works tickets from Telegram."""

    id = fields.IntField(primary_key=True)
    telegram_id = fields.BigIntField(unique=True)
    name = fields.CharField(max_length=255, default="")
    role = fields.CharEnumField(Role, max_length=16, default=Role.AGENT)
    # Managers only (None otherwise): where the role came from and, for /manager_add, who
    # gave it; was_agent says what a demotion returns them to (an agent, or out of the staff).
    manager_source = fields.CharEnumField(ManagerSource, max_length=16, null=True)
    promoted_by = fields.BigIntField(null=True)  # Telegram id of the promoting manager
    was_agent = fields.BooleanField(default=False, db_default=False)  # rows exist at 0016
    skills = fields.JSONField(default=list)
    online = fields.BooleanField(default=False)
    # Open tickets this person takes before routing skips them; None: the global default.
    capacity = fields.SmallIntField(null=True)
    # Removed staff stay as rows so ratings and history keep their author.
    active = fields.BooleanField(default=True)
    last_assigned_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The language of their texts: the one chosen with /language (None: follow Telegram),
    # and Telegram's language code as their last update gave it (alerts reach them unasked).
    language = fields.CharField(max_length=8, null=True)
    language_code = fields.CharField(max_length=16, null=True)

    assigned_tickets: fields.ReverseRelation[Ticket]

    class Meta:
        table = "staff"

    @property
    def label(self) -> str:
        """Return how the desk names this person to others."""
        return self.name or f"user {self.telegram_id}"

    @property
    def text_language(self) -> str:
        """Return the catalog language of this person's texts: their choice, else Telegram's."""
        return language_for(self.language or self.language_code)
