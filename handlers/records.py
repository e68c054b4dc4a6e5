"""Managers keep the records from Telegram: import files, export tables, merge and link."""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Document, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from crm import clock
from crm.customers.linking import link_telegram
from crm.customers.merge import merge_customers, parse_customer_id
from crm.desk.staff import parse_user_id
from crm.errors import InvalidInput
from crm.i18n import t
from crm.imports import exports, pipeline
from crm.imports.report import ImportReport
from crm.models import Role, StaffMember
from handlers.args import expect
from handlers.auth import answer, require
from handlers.best_effort import show_activity
from handlers.context import CRMContext
from handlers.unpack import NEW_PRIVATE

log = logging.getLogger(__name__)

# Telegram lets bots download files up to 20 MB; larger ones go through `crm import`.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
IMPORT_CAPTION = r"^/import(@\w+)?(\s|$)"
SHOWN_WARNINGS = 5


def register(application: Application) -> None:
    """Add the record-keeping commands and the document import."""
    add = application.add_handler
    add(
        MessageHandler(
            NEW_PRIVATE & filters.Document.ALL & filters.CaptionRegex(IMPORT_CAPTION),
            import_document,
        )
    )
    add(CommandHandler("import", import_help, filters=NEW_PRIVATE))
    add(CommandHandler("export", export, filters=NEW_PRIVATE))
    add(CommandHandler("merge", merge, filters=NEW_PRIVATE))
    add(CommandHandler("link", link, filters=NEW_PRIVATE))


def parse_import_kind(caption: str) -> pipeline.ImportKind:
    """Read the kind of file from a caption like '/import customers'."""
    words = caption.split()
    if len(words) < 2:
        raise InvalidInput.of("staff.err.import_what")
    try:
        return pipeline.ImportKind(words[1].lower())
    except ValueError:
        raise InvalidInput.of("staff.err.import_kind", raw=words[1]) from None


@require(Role.MANAGER)
async def import_help(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Explain that an import is a document with a caption."""
    await answer(update, t("staff.import.usage", member.text_language))


@require(Role.MANAGER)
async def import_document(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Import a CSV/XLSX document; reply with the counts and send back the rejected rows."""
    message = update.effective_message
    assert message is not None and message.document is not None
    kind = parse_import_kind(message.caption or "")
    _refuse_too_big(message.document)
    settings, lang = context.bot_data.settings, member.text_language
    await show_activity(context.bot, message.chat_id, ChatAction.TYPING)
    name = _safe_name(message.document.file_name or "upload.csv")
    async with _downloaded(context, message.document, name) as path:
        report = await pipeline.import_file(
            kind=kind,
            path=path,
            default_country=settings.default_country,
            timezone=settings.timezone,
            actor_telegram_id=member.telegram_id,
        )
    await message.reply_text(_import_done(report, name=name, kind=kind, lang=lang))
    if report.rejected:
        await message.reply_document(
            document=pipeline.rejects_csv(report.rejected),
            filename=f"{Path(name).stem}.rejected.csv",
            caption=t("staff.import.rejected", lang, count=len(report.rejected)),
        )


def _refuse_too_big(document: Document) -> None:
    if document.file_size and document.file_size > MAX_IMPORT_BYTES:
        size = f"{document.file_size / 1_048_576:.1f}"
        raise InvalidInput.of("staff.err.import_too_big", size=size)


@asynccontextmanager
async def _downloaded(context: CRMContext, document: Document, name: str) -> AsyncIterator[Path]:
    """Download a document into a private temporary folder, deleted afterwards."""
    data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
    with tempfile.TemporaryDirectory(prefix="crm-import-") as folder:
        path = Path(folder) / name
        await asyncio.to_thread(path.write_bytes, bytes(data))
        yield path


def _import_done(report: ImportReport, *, name: str, kind: pipeline.ImportKind, lang: str) -> str:
    """Return the import's counts and its first warnings (plain text)."""
    summary = report.summary(lang)
    lines = [t("staff.import.done", lang, name=name, kind=kind.value, summary=summary)]
    if report.warnings:
        lines.append(t("staff.import.warnings", lang, count=len(report.warnings)))
        lines += [f"• {warning}" for warning in report.warnings[:SHOWN_WARNINGS]]
    return "\n".join(lines)[:4000]


def _safe_name(name: str) -> str:
    # Only the last path part, in characters any file system takes.
    base = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip(" .") or "upload"
    return base[:100]


@require(Role.MANAGER)
async def export(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Send a table as a CSV document: /export customers|tickets|orders|deals."""
    args = expect(context, "export", counts={1})
    kind = exports.parse_export_kind(args[0])
    message = update.effective_message
    assert message is not None
    await show_activity(context.bot, message.chat_id, ChatAction.UPLOAD_DOCUMENT)
    filename = f"{kind.value}-{clock.utcnow():%Y-%m-%d}.csv"
    with tempfile.TemporaryDirectory(prefix="crm-export-") as folder:
        result = await exports.export_csv(
            kind=kind, path=Path(folder) / filename, actor_telegram_id=member.telegram_id
        )
        data = await asyncio.to_thread(result.path.read_bytes)
    await message.reply_document(
        document=data,
        filename=filename,
        caption=t("staff.export.rows", member.text_language, rows=result.rows, kind=kind.value),
    )


@require(Role.MANAGER)
async def merge(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Merge one customer into another: /merge <id_keep> <id_drop>."""
    args = expect(context, "merge", counts={2})
    keep_id, drop_id = (parse_customer_id(arg) for arg in args)
    result = await merge_customers(
        keep_id=keep_id, drop_id=drop_id, actor_telegram_id=member.telegram_id
    )
    lang = member.text_language
    moved = ", ".join(f"{n} {what}" for what, n in result.moved.items())
    text = t(
        "staff.merge.done",
        lang,
        drop_id=drop_id,
        keep_id=keep_id,
        name=result.customer.display_name,
        moved=moved or t("staff.merge.nothing", lang),
    )
    await answer(update, text)


@require(Role.MANAGER)
async def link(update: Update, context: CRMContext, member: StaffMember) -> None:
    """Attach a Telegram user to an imported customer: /link <customer_id> <telegram_id>."""
    args = expect(context, "link", counts={2})
    customer_id = parse_customer_id(args[0])
    telegram_id = parse_user_id(args[1])
    customer = await link_telegram(
        customer_id=customer_id, telegram_id=telegram_id, actor_telegram_id=member.telegram_id
    )
    text = t(
        "staff.link.done",
        member.text_language,
        customer_id=customer.id,
        name=customer.display_name,
        telegram_id=telegram_id,
    )
    await answer(update, text)
