"""The CRM store: tortoise-orm models, one module per area, all re-exported here.

Tortoise discovers the app's models in this module (crm.store.db.MODELS_MODULE), so
every model is imported here; the app label stays "crm". Enumerations are stored by value.
"""

from crm.models.enums import (
    OPEN_STATUSES,
    AgentScope,
    ButtonKind,
    CampaignStatus,
    DealStage,
    Delivery,
    Direction,
    ManagerSource,
    MediaType,
    Priority,
    RecipientStatus,
    Role,
    SlaKind,
    TicketKind,
    TicketStatus,
)
from crm.models.marketing import (
    Campaign,
    CampaignRecipient,
    CustomerSegment,
    SegmentRun,
)
from crm.models.people import (
    Customer,
    StaffMember,
)
from crm.models.sales import (
    Deal,
    DealStageChange,
    FollowUpTask,
    Order,
    OrderLine,
    Product,
    SalesTarget,
)
from crm.models.store import (
    AuditEntry,
    BroadcastSlot,
    DialogState,
    InboundUpdate,
    JobLease,
    SummaryRun,
)
from crm.models.tickets import (
    Message,
    Notification,
    NpsResponse,
    Rating,
    SlaBreach,
    Survey,
    Ticket,
)

__all__ = [
    "OPEN_STATUSES",
    "AgentScope",
    "AuditEntry",
    "BroadcastSlot",
    "ButtonKind",
    "Campaign",
    "CampaignRecipient",
    "CampaignStatus",
    "Customer",
    "CustomerSegment",
    "Deal",
    "DealStage",
    "DealStageChange",
    "Delivery",
    "DialogState",
    "Direction",
    "FollowUpTask",
    "InboundUpdate",
    "JobLease",
    "ManagerSource",
    "MediaType",
    "Message",
    "Notification",
    "NpsResponse",
    "Order",
    "OrderLine",
    "Priority",
    "Product",
    "Rating",
    "RecipientStatus",
    "Role",
    "SalesTarget",
    "SegmentRun",
    "SlaBreach",
    "SlaKind",
    "StaffMember",
    "SummaryRun",
    "Survey",
    "Ticket",
    "TicketKind",
    "TicketStatus",
]
