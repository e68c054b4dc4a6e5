"""Managing campaigns by number: send, schedule, pause, resume, cancel, list and report.

The sending itself is the background sender's (bot/outbound/campaign_sender.py): these
commands only change the store and wake it.
"""

from __future__ import annotations

from telegram import Update

from crm.i18n import t
from crm.marketing import campaigns
from crm.models import CampaignStatus, Role, StaffMember
from crm.sales import deals
from handlers.args import expect, parsed, words
from handlers.auth import answer, require
from handlers.campaigns.dialog import say
from handlers.context import CRMContext
from handlers.text import split_message


def _campaign_id(context: CRMContext, command: str, *, counts: tuple[int, ...] = (1,)) -> int:
    """Return the campaign number of a command; refuse missing or malformed arguments."""
    given = expect(context, command, counts=counts)
    return parsed(command, lambda raw: deals.parse_id(raw, "campaign"), given[0])


@require(Role.MANAGER)
async def send_now(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Start sending a campaign now: /campaign_send <id>."""
    campaign_id = _campaign_id(context, "campaign_send")
    # Counted before the start, while no sender works on the list.
    left = (await campaigns.progress(campaign_id=campaign_id)).remaining
    await campaigns.start_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    text = t("staff.campaign.sending", member.text_language, campaign_id=campaign_id, count=left)
    status = await say(update, text)
    await campaigns.set_progress_message(
        campaign_id=campaign_id, chat_id=status.chat_id, message_id=status.message_id
    )
    context.bot_data.wake_campaign_sender()


@require(Role.MANAGER)
async def schedule(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Have the sender start a campaign later: /campaign_schedule <id> <YYYY-MM-DD HH:MM>."""
    campaign_id = _campaign_id(context, "campaign_schedule", counts=(2, 3))
    zone = context.bot_data.settings.timezone
    at = campaigns.parse_local_time(" ".join(words(context)[1:]), zone=zone)
    await campaigns.schedule_campaign(campaign_id=campaign_id, at=at, actor=member.telegram_id)
    text = t(
        "staff.campaign.scheduled",
        member.text_language,
        campaign_id=campaign_id,
        when=f"{at.astimezone(zone):%Y-%m-%d %H:%M}",
        zone=zone.key,
    )
    status = await say(update, text)
    await campaigns.set_progress_message(
        campaign_id=campaign_id, chat_id=status.chat_id, message_id=status.message_id
    )


@require(Role.MANAGER)
async def pause(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Pause a sending or scheduled campaign: /campaign_pause <id>."""
    campaign_id = _campaign_id(context, "campaign_pause")
    await campaigns.pause_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    await answer(update, t("staff.campaign.paused", member.text_language, campaign_id=campaign_id))


@require(Role.MANAGER)
async def resume(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Continue a paused campaign: /campaign_resume <id>."""
    campaign_id = _campaign_id(context, "campaign_resume")
    campaign = await campaigns.resume_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    lang = member.text_language
    if campaign.status is CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        zone = context.bot_data.settings.timezone
        when = f"{campaign.scheduled_at.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
        text = t("staff.campaign.rescheduled", lang, campaign_id=campaign_id, when=when)
        await answer(update, text)
        return
    await answer(update, t("staff.campaign.resumed", lang, campaign_id=campaign_id))
    context.bot_data.wake_campaign_sender()


@require(Role.MANAGER)
async def cancel_campaign(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Give up a campaign that is not sending: /campaign_cancel <id>."""
    campaign_id = _campaign_id(context, "campaign_cancel")
    await campaigns.cancel_campaign(campaign_id=campaign_id, actor=member.telegram_id)
    text = t("staff.campaign.cancelled", member.text_language, campaign_id=campaign_id)
    await answer(update, text)


@require(Role.MANAGER)
async def list_campaigns(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the newest 20 campaigns with their status and counts."""
    expect(context, "campaigns", counts={0})
    rows = await campaigns.list_campaigns(limit=20)
    lang = member.text_language
    if not rows:
        await answer(update, t("staff.campaign.none", lang))
        return
    lines = [t("staff.campaign.list", lang)]
    for campaign, progress in rows:
        name = f" · {campaign.name}" if campaign.name else ""
        lines.append(campaigns.describe_progress(campaign, progress, lang=lang) + name)
    for chunk in split_message("\n".join(lines), html=False):  # plain text
        await answer(update, chunk)


@require(Role.MANAGER)
async def show_campaign(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show one campaign's report: delivery, presses, replies and uplift: /campaign <id>."""
    campaign_id = _campaign_id(context, "campaign")
    report = await campaigns.campaign_report(campaign_id=campaign_id)
    lang = member.text_language
    text = campaigns.describe_report(report, lang)
    scheduled = report.campaign.scheduled_at
    if report.campaign.status is CampaignStatus.SCHEDULED and scheduled is not None:
        zone = context.bot_data.settings.timezone
        when = f"{scheduled.astimezone(zone):%Y-%m-%d %H:%M}"
        text += t("staff.campaign.scheduled_for", lang, when=when, zone=zone.key)
    for chunk in split_message(text, html=False):  # plain: names and specs are never markup
        await answer(update, chunk)
