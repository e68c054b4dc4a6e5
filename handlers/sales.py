"""Sales from Telegram: deals through the funnel, follow-up tasks, targets and the report."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from crm.i18n import t
from crm.models import DealStage, FollowUpTask, Role, StaffMember
from crm.sales import deals
from crm.sales import report as sales_report
from handlers.args import expect
from handlers.auth import answer, require
from handlers.best_effort import send_charts, show_activity
from handlers.callbacks import TaskButton
from handlers.context import CRMContext
from handlers.text import esc, split_message
from handlers.unpack import NEW_PRIVATE, text_after
from handlers.views import sales as views

log = logging.getLogger(__name__)

TASK_BUTTONS = 20


def register(application: Application) -> None:
    """Add the sales commands and the task buttons."""
    add = application.add_handler
    for name, callback in (
        ("deal_new", deal_new),
        ("deal", show_deal),
        ("deal_stage", deal_stage),
        ("deals", show_deals),
        ("task", add_task),
        ("tasks", show_tasks),
        ("target", set_target),
        ("sales", show_report),
    ):
        add(CommandHandler(name, callback, filters=NEW_PRIVATE))
    add(CallbackQueryHandler(task_button, pattern=TaskButton.pattern()))


# --- deals -----------------------------------------------------------------------------------


@require(Role.AGENT)
async def deal_new(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Open a deal: /deal_new <customer_id> <value> <title>."""
    args = expect(context, "deal_new", at_least=3)
    customer_id = deals.parse_id(args[0], "customer")
    value = deals.parse_money(args[1])
    assert update.effective_message is not None
    title = text_after(update.effective_message, 2)
    deal = await deals.create_deal(customer_id=customer_id, value=value, title=title, owner=member)
    deal = await deals.get_deal(deal_id=deal.id)
    text = t(
        "staff.deal.opened",
        member.text_language,
        deal_id=deal.id,
        customer=deal.customer.display_name,
        title=deal.title,
        value=views.money(deal.value),
        stage=deal.stage.value,
    )
    await answer(update, text)


@require(Role.AGENT)
async def show_deal(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Show a deal with its stage history: /deal <id>."""
    (raw,) = expect(context, "deal", counts={1})
    deal = await deals.get_deal(deal_id=deals.parse_id(raw, "deal"))
    history = await deals.stage_history(deal_id=deal.id)
    tz = context.bot_data.settings.timezone
    await _reply_html(update, views.deal_card(deal, history, tz=tz, lang=member.text_language))


@require(Role.AGENT)
async def deal_stage(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Move a deal to another stage: /deal_stage <id> <stage>."""
    stages = ", ".join(stage.value for stage in DealStage)
    args = expect(context, "deal_stage", counts={2}, stages=stages)
    deal_id = deals.parse_id(args[0], "deal")
    stage = deals.parse_stage(args[1])
    deal, previous = await deals.move_deal(deal_id=deal_id, stage=stage, by=member)
    lang = member.text_language
    closed = t("staff.deal.closed", lang) if deal.closed_at else ""
    moved = t(
        "staff.deal.moved", lang, deal_id=deal.id, before=previous.value, after=deal.stage.value
    )
    await answer(update, moved + closed)


@require(Role.AGENT)
async def show_deals(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the sender's open deals grouped by stage, with totals."""
    summaries = await deals.pipeline(owner=member)
    if not summaries:
        await answer(update, t("staff.deals.none", member.text_language))
        return
    await _reply_html(update, views.pipeline(summaries, lang=member.text_language))


# --- tasks -----------------------------------------------------------------------------------


@require(Role.AGENT)
async def add_task(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Add a follow-up: /task <d12|c34> <YYYY-MM-DD> <text>."""
    args = expect(context, "task", at_least=3)
    target = deals.parse_task_target(args[0])
    today = deals.local_today(context.bot_data.settings.timezone)
    due = deals.parse_due(args[1], today=today)
    assert update.effective_message is not None
    task = await deals.add_task(
        target=target, due=due, text=text_after(update.effective_message, 2), owner=member
    )
    text = t(
        "staff.task.added",
        member.text_language,
        task_id=task.id,
        target=deals.describe_target(target),
        due=due.isoformat(),
        text=task.text,
    )
    await answer(update, text)


def task_list(
    tasks: list[FollowUpTask], *, today: date, heading: str, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Render tasks as HTML lines with a Done button for each (the first 20)."""
    lines = [heading]
    for task in tasks:
        late = deals.days_overdue(task.due, today)
        if late == 0:
            when = t("staff.task.today", lang)
        else:
            when = t("staff.task.overdue", lang, days=late)
        about = (
            f"d{task.deal.id} {esc(task.deal.title)}"
            if task.deal
            else (f"c{task.customer.id} {esc(task.customer.display_name)}" if task.customer else "")
        )
        lines.append(f"#{task.id} · {when} · {about} · {esc(task.text)}")
    buttons = [
        [
            InlineKeyboardButton(
                t("staff.task.done_button", lang, task_id=task.id),
                callback_data=TaskButton(action="done", task=task.id).pack(),
            )
        ]
        for task in tasks[:TASK_BUTTONS]
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


@require(Role.AGENT)
async def show_tasks(update: Update, context: CRMContext, member: StaffMember) -> None:
    """List the sender's follow-ups due today and overdue, each with a Done button."""
    today = deals.local_today(context.bot_data.settings.timezone)
    tasks = await deals.due_tasks(owner=member, today=today)
    lang = member.text_language
    if not tasks:
        await answer(update, t("staff.task.none", lang))
        return
    heading = t("staff.task.yours", lang, count=len(tasks))
    text, markup = task_list(tasks, today=today, heading=heading, lang=lang)
    assert update.effective_message is not None
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


@require(Role.AGENT)
async def task_button(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Mark a task done from its button: the owner or a manager only."""
    query = update.callback_query
    assert query is not None
    button, lang = TaskButton.unpack(query.data), member.text_language
    if button is None:
        await query.answer(t("staff.button_invalid", lang))
        return
    task = await deals.complete_task(task_id=button.task, by=member)
    await query.answer(t("staff.task.done", lang, task_id=task.id))
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        keep = [
            row
            for row in message.reply_markup.inline_keyboard
            if not any(button.callback_data == query.data for button in row)
        ]
        try:
            await message.edit_reply_markup(InlineKeyboardMarkup(keep) if keep else None)
        except TelegramError as err:  # the list is a convenience; the task is done
            log.info("could not update the task list: %s", err)


async def remind_tasks(application: Application) -> int:
    """Send each owner one message with their tasks due today or overdue; return messages sent."""
    settings = application.bot_data.settings
    today = deals.local_today(settings.timezone)
    sent = 0
    for reminder in await deals.claim_reminders(today=today):
        lang = reminder.owner.text_language
        text, markup = task_list(
            reminder.tasks,
            today=today,
            heading=t("staff.task.morning", lang, count=len(reminder.tasks)),
            lang=lang,
        )
        try:
            await application.bot.send_message(
                reminder.owner.telegram_id,
                split_message(text)[0],
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except TelegramError as err:
            log.warning("could not remind %s of tasks: %s", reminder.owner.telegram_id, err)
            continue
        sent += 1
    return sent


# --- targets and the report ------------------------------------------------------------------


@require(Role.MANAGER)
async def set_target(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Set a monthly won-value target: /target <user_id> <YYYY-MM> <amount>."""
    args = expect(context, "target", counts={3})
    owner_id = deals.parse_id(args[0], "Telegram user")
    month = deals.parse_month(args[1])
    amount = deals.parse_money(args[2])
    target = await deals.set_target(owner_telegram_id=owner_id, month=month, amount=amount)
    text = t(
        "staff.target.set",
        member.text_language,
        name=target.owner.label,
        month=f"{month:%Y-%m}",
        amount=views.money(target.amount),
    )
    await answer(update, text)


@require(Role.MANAGER)
async def show_report(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send the sales report for the last N months (default 3) with its charts."""
    given = expect(context, "sales", counts={0, 1})
    months = sales_report.parse_months(given[0]) if given else 3
    message = update.effective_message
    assert message is not None
    await show_activity(context.bot, message.chat_id, ChatAction.UPLOAD_PHOTO)
    report = await sales_report.build_report(months=months, tz=context.bot_data.settings.timezone)
    lang = member.text_language
    await _reply_html(update, views.report(report, lang=lang))
    # Drawing a dozen charts takes a second of CPU: off the event loop.
    charts = await asyncio.to_thread(sales_report.charts, report, lang)
    sent = [(c.png, c.title) for c in charts]
    await send_charts(context.bot, message.chat_id, sent, lang=lang)


async def _reply_html(update: Update, text: str) -> None:
    assert update.effective_message is not None
    for chunk in split_message(text):
        await update.effective_message.reply_text(chunk, parse_mode=ParseMode.HTML)
