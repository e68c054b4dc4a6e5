"""The CRM store: tortoise-orm models. Enumerations are stored by value."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from tortoise import fields
from tortoise.models import Model

from crm.i18n import language_for
from crm.sentiment import SentimentLabel


class TicketKind(StrEnum):
    """What the customer came for."""

    INQUIRY = "inquiry"
    FEEDBACK = "feedback"
    COMPLAINT = "complaint"
    RATING = "rating"
    FOLLOW_UP = "follow_up"  # opened by the desk itself, e.g. after a poor CSAT score


class TicketStatus(StrEnum):
    """Where a ticket is in its life."""

    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"


OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.PENDING)


class Priority(IntEnum):
    """How urgent a ticket is; higher is more urgent."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


class Role(StrEnum):
    """What a staff member may do."""

    AGENT = "agent"
    MANAGER = "manager"


class ManagerSource(StrEnum):
    """How a manager got the role, which decides whether the start-up sync may take it back."""

    SETTING = "setting"  # listed in CRM_MANAGER_IDS at a start: unlisted, they are demoted
    COMMAND = "command"  # promoted by a manager with /manager_add: stays until /manager_remove


class AgentScope(StrEnum):
    """Which tickets an agent (a manager: any) may act on beyond their own (CRM_AGENT_SCOPE)."""

    TEAM = "team"  # note, tag, reopen and read any ticket; reply to and close own or waiting
    OWN = "own"  # only tickets assigned to them and waiting (open, unassigned) ones


class SlaKind(StrEnum):
    """Which service-level target a ticket missed."""

    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class DealStage(StrEnum):
    """Where a deal is in the sales funnel, in order."""

    LEAD = "lead"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    WON = "won"
    LOST = "lost"


class Direction(StrEnum):
    """Who a message went to."""

    INBOUND = "inbound"  # customer -> business
    OUTBOUND = "outbound"  # business -> customer
    INTERNAL = "internal"  # agents' note, never sent


class Delivery(StrEnum):
    """Where an agent's reply stands: recorded before sending, settled after."""

    SENDING = "sending"  # recorded; the Bot API call is under way
    SENT = "sent"  # Telegram took it
    FAILED = "failed"  # Telegram refused it (delivery_error says why)
    UNKNOWN = "unknown"  # the bot stopped mid-send: it may or may not have arrived


class MediaType(StrEnum):
    """Kind of Telegram media attached to a message."""

    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"
    ANIMATION = "animation"
    STICKER = "sticker"


# No semicolons in model docstrings: tortoise turns them into table comments and its
# SQLite schema editor splits statements on ";".


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


class Product(Model):
    """Something the business sells."""

    id = fields.IntField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255, default="")
    category = fields.CharField(max_length=128, null=True)
    price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "product"
        indexes = (("category",),)


class Order(Model):
    """A customer's order."""

    id = fields.IntField(primary_key=True)
    external_ref = fields.CharField(max_length=64, null=True, unique=True)  # the file's order no.
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="orders", on_delete=fields.CASCADE
    )
    ordered_at = fields.DatetimeField()
    status = fields.CharField(max_length=32, default="completed")
    total = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    lines: fields.ReverseRelation[OrderLine]

    class Meta:
        table = "orders"  # "order" is an SQL keyword
        indexes = (("customer_id", "ordered_at"), ("ordered_at",))


class OrderLine(Model):
    """One product on an order."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "crm.Order", related_name="lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "crm.Product", related_name="order_lines", null=True, on_delete=fields.SET_NULL
    )
    product_name = fields.CharField(max_length=255, default="")
    quantity = fields.IntField(default=1)
    price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    total = fields.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        table = "order_line"
        indexes = (("product_id",),)


class Deal(Model):
    """A sales opportunity moving through the funnel."""

    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="deals", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    value = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    owner: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="deals", null=True, on_delete=fields.SET_NULL
    )
    stage = fields.CharEnumField(DealStage, max_length=16, default=DealStage.LEAD)
    expected_close = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deal"
        indexes = (("owner_id", "stage"), ("stage", "closed_at"))


class DealStageChange(Model):
    """One move of a deal between funnel stages, for time-in-stage and conversion."""

    id = fields.IntField(primary_key=True)
    deal: fields.ForeignKeyRelation[Deal] = fields.ForeignKeyField(
        "crm.Deal", related_name="stage_changes", on_delete=fields.CASCADE
    )
    from_stage = fields.CharEnumField(DealStage, max_length=16, null=True)
    to_stage = fields.CharEnumField(DealStage, max_length=16)
    changed_at = fields.DatetimeField(auto_now_add=True)
    changed_by: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="stage_changes", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "deal_stage_change"
        indexes = (("deal_id", "changed_at"),)


class FollowUpTask(Model):
    """A follow-up: call back, send a quote, on a deal or a customer, by a date."""

    id = fields.IntField(primary_key=True)
    deal: fields.ForeignKeyNullableRelation[Deal] = fields.ForeignKeyField(
        "crm.Deal", related_name="tasks", null=True, on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="tasks", null=True, on_delete=fields.CASCADE
    )
    owner: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    due = fields.DateField()
    text = fields.TextField()
    done = fields.BooleanField(default=False)
    done_at = fields.DatetimeField(null=True)
    reminded_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "task"
        indexes = (("owner_id", "done", "due"),)


class SalesTarget(Model):
    """How much an owner should win in a month."""

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="targets", on_delete=fields.CASCADE
    )
    month = fields.DateField()  # the first day of the month
    amount = fields.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        table = "sales_target"
        unique_together = (("owner_id", "month"),)


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


class CampaignStatus(StrEnum):
    """Where a campaign is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class ButtonKind(StrEnum):
    """What the campaign message's inline button does."""

    URL = "url"
    INTEREST = "interest"  # an "I'm interested" callback, counted per recipient


class RecipientStatus(StrEnum):
    """Where one customer is on a campaign's send list."""

    PENDING = "pending"
    CLAIMED = "claimed"  # taken by a sender, not yet sent: safe to hand back
    SENDING = "sending"  # the Bot API call is under way: never handed back (no double send)
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CONTROL = "control"  # held out on purpose, to measure the campaign's uplift


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
