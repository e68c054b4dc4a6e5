"""Data mining from Telegram: which products sell together, and who to offer the missing one."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import Application, CommandHandler

from crm.i18n import Phrase, t
from crm.models import Role, StaffMember
from crm.sales import associations
from handlers.args import expect
from handlers.auth import require
from handlers.best_effort import show_activity
from handlers.context import CRMContext
from handlers.text import esc, split_message
from handlers.unpack import NEW_PRIVATE

# A chat message is read, not scrolled: the strongest few rules.
SHOWN_RULES = 10


def register(application: Application) -> None:
    """Add the data-mining commands."""
    application.add_handler(CommandHandler("associations", show_associations, filters=NEW_PRIVATE))


@require(Role.MANAGER)
async def show_associations(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the strongest product rules, each with its campaign audience."""
    args = expect(context, "associations", counts=range(3))
    min_support = _share(args, 0, "support", associations.DEFAULT_MIN_SUPPORT)
    min_confidence = _share(args, 1, "confidence", associations.DEFAULT_MIN_CONFIDENCE)
    message = update.effective_message
    assert message is not None
    await show_activity(context.bot, message.chat_id, ChatAction.TYPING)
    report = await associations.mine_associations(
        min_support=min_support, min_confidence=min_confidence, limit=SHOWN_RULES
    )
    for chunk in split_message(report_html(report, member.text_language)):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


def _share(args: list[str], index: int, name: str, default: float) -> float:
    return associations.parse_share(args[index], name=name) if len(args) > index else default


def report_html(report: associations.AssociationReport, lang: str) -> str:
    """Render the report for Telegram: each rule, then its audience ready to copy."""
    lines = [f"<b>{esc(associations.summary(report, lang))}</b>"]
    if not report.rules:
        reason = report.why or Phrase("staff.mining.none_found")
        lines.append(esc(t("staff.mining.no_rules", lang, reason=reason)))
        return "\n".join(lines)
    for number, rule in enumerate(report.rules, start=1):
        lines += ["", f"{number}. {esc(associations.describe_rule(rule, lang))}"]
        audience = rule.audience
        if audience:
            lines.append(t("staff.mining.audience", lang, audience=f"<code>{esc(audience)}</code>"))
        else:
            lines.append(esc(t("staff.mining.no_audience", lang)))
    lines += ["", t("staff.mining.hint", lang)]
    return "\n".join(lines)
