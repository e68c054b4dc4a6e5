"""Campaigns: a message to an audience, sent exactly once per customer from a durable list.

The campaign API, by what changes together:

- ``drafts``: the text, the button, the audience and the draft with its send list;
- ``lifecycle``: the moves between statuses (send, schedule, pause, resume, cancel);
- ``delivery``: the send list the running bot's sender claims, sends and settles, opt-outs;
- ``results``: presses, 48-hour replies, the uplift over the control group, the reports.

Callers use it as ``from crm.marketing import campaigns`` and ``campaigns.create_campaign(...)``.
"""

from crm.errors import CampaignNotFound
from crm.marketing.campaigns.delivery import (
    BLOCKED_REASON,
    DEFAULT_LEASE,
    IN_FLIGHT,
    INTERRUPTED_REASON,
    Delivery,
    Outcome,
    Progress,
    claim_deliveries,
    finish_if_complete,
    mark_sending,
    progress,
    record_outcomes,
    recover_stale,
    release_claims,
    remember_photo,
    set_subscribed,
)
from crm.marketing.campaigns.drafts import (
    CAPTION_MAX,
    CONTROL_MAX,
    PHOTO_MAX_BYTES,
    TEXT_MAX,
    AudiencePreview,
    Button,
    check_text,
    compose_text,
    create_campaign,
    parse_button,
    preview_audience,
)
from crm.marketing.campaigns.lifecycle import (
    cancel_campaign,
    get_campaign,
    list_campaigns,
    parse_local_time,
    pause_campaign,
    resume_campaign,
    schedule_campaign,
    sending_campaign_ids,
    set_progress_message,
    start_campaign,
    start_due_campaigns,
)
from crm.marketing.campaigns.results import (
    REPLY_WINDOW,
    CampaignReport,
    GroupResult,
    campaign_report,
    describe_progress,
    describe_report,
    record_interest,
)

__all__ = [
    "BLOCKED_REASON",
    "CAPTION_MAX",
    "CONTROL_MAX",
    "DEFAULT_LEASE",
    "INTERRUPTED_REASON",
    "IN_FLIGHT",
    "PHOTO_MAX_BYTES",
    "REPLY_WINDOW",
    "TEXT_MAX",
    "AudiencePreview",
    "Button",
    "CampaignNotFound",
    "CampaignReport",
    "Delivery",
    "GroupResult",
    "Outcome",
    "Progress",
    "campaign_report",
    "cancel_campaign",
    "check_text",
    "claim_deliveries",
    "compose_text",
    "create_campaign",
    "describe_progress",
    "describe_report",
    "finish_if_complete",
    "get_campaign",
    "list_campaigns",
    "mark_sending",
    "parse_button",
    "parse_local_time",
    "pause_campaign",
    "preview_audience",
    "progress",
    "record_interest",
    "record_outcomes",
    "recover_stale",
    "release_claims",
    "remember_photo",
    "resume_campaign",
    "schedule_campaign",
    "sending_campaign_ids",
    "set_progress_message",
    "set_subscribed",
    "start_campaign",
    "start_due_campaigns",
]
