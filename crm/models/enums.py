"""The store's enumerations, stored by value."""

from __future__ import annotations

from enum import IntEnum, StrEnum


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
