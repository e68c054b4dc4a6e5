"""End-to-end tests of the sandbox Bot API server, driven by the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    MessageOriginUser,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import SAMPLE_PNG, SandboxBotAPI, SentMessage, parse_html

ALICE_ID = 1001
BOB_ID = 1002


@dataclass
class Seen:
    """What the test bot's handlers observed."""

    downloads: list[bytes] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt into PTB's timedelta attributes so RetryAfter does not emit a deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxBotAPI]:
    """Run a sandbox server for one test."""
    async with SandboxBotAPI() as sb:
        yield sb


def build_app(sb: SandboxBotAPI, seen: Seen) -> Application:
    """Build a PTB application with an echo, a command, a media and a callback handler."""
    app = (
        ApplicationBuilder().token(sb.token).base_url(sb.api_url).base_file_url(sb.file_url).build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update)
        await update.effective_message.reply_text(f"started {' '.join(context.args or [])}")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Yes", callback_data="yes"),
                    InlineKeyboardButton("No", callback_data="no"),
                ]
            ]
        )
        await update.effective_message.reply_text("Choose", reply_markup=keyboard)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update)
        await update.edited_message.reply_text(f"edited: {update.edited_message.text}")

    async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        attachment = message.photo[-1] if message.photo else message.document
        file = await context.bot.get_file(attachment.file_id)
        seen.downloads.append(bytes(await file.download_as_bytearray()))
        await message.reply_text(f"got {file.file_size} bytes")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        seen.updates.append(update)
        await query.answer(f"you chose {query.data}")
        await query.edit_message_text(f"chosen: {query.data}")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, edited))
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, echo)
    )
    app.add_handler(MessageHandler(filters.PHOTO | filters.Document.ALL, media))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


@pytest.fixture
def seen() -> Seen:
    """Collect handler observations."""
    return Seen()


async def _running(app: Application, *, poll_timeout: int) -> None:
    """Initialize, start and begin polling."""
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)


async def _stopped(app: Application) -> None:
    """Stop polling and shut the application down."""
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


@pytest.fixture
async def app(sandbox: SandboxBotAPI, seen: Seen) -> AsyncIterator[Application]:
    """Run the PTB application against the sandbox, polling with getUpdates."""
    application = build_app(sandbox, seen)
    await _running(application, poll_timeout=1)
    try:
        yield application
    finally:
        await _stopped(application)


@pytest.fixture
async def bot(sandbox: SandboxBotAPI) -> AsyncIterator[Bot]:
    """Provide a bare, initialized PTB Bot pointed at the sandbox."""
    async with Bot(
        sandbox.token, base_url=sandbox.api_url, base_file_url=sandbox.file_url
    ) as ptb_bot:
        yield ptb_bot


async def raw_call(
    sb: SandboxBotAPI, method: str, *, token: str | None = None, http: str = "POST", **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """Call the sandbox with aiohttp and return (status, JSON body)."""
    url = f"{sb.api_url}{token or sb.token}/{method}"
    async with aiohttp.ClientSession() as session, session.request(http, url, **kwargs) as resp:
        return resp.status, await resp.json()


# ------------------------------------------------------------------------ basics


async def test_get_me_through_ptb(sandbox: SandboxBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == sandbox.bot_id
    assert me.username == "crm_sandbox_bot"
    assert me.is_bot
    assert me.api_kwargs == {}
    assert sandbox.calls("getMe")[-1].status == 200


async def test_wrong_token_raises_invalid_token(sandbox: SandboxBotAPI, seen: Seen) -> None:
    wrong = (
        ApplicationBuilder()
        .token("999999:WRONG-TOKEN")
        .base_url(sandbox.api_url)
        .base_file_url(sandbox.file_url)
        .build()
    )
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()
    finally:
        await wrong.bot.shutdown()
    assert sandbox.requests == []


async def test_text_echo_round_trip(sandbox: SandboxBotAPI, app: Application, seen: Seen) -> None:
    alice = sandbox.user(ALICE_ID, "Alice", last_name="Liddell", username="alice")
    incoming = sandbox.send_text(alice, "hello there")

    reply = await sandbox.wait_for_message(ALICE_ID, contains="echo: hello there")

    assert reply.method == "sendMessage"
    assert reply.chat_id == ALICE_ID
    assert reply.message_id == incoming["message_id"] + 1  # shared per-chat counter
    assert reply.message["from"]["id"] == sandbox.bot_id
    assert isinstance(reply.message["date"], int)
    update = seen.updates[0]
    assert update.message.from_user.username == "alice"
    assert update.message.from_user.language_code == "en"
    assert update.effective_chat.type == "private"
    assert update.effective_chat.last_name == "Liddell"
    assert update.message.api_kwargs == {}
    await sandbox.wait_idle()
    assert sandbox.pending_updates == 0
    assert len(sandbox.messages_to(ALICE_ID)) == 1


async def test_command_entity_reaches_command_handler(
    sandbox: SandboxBotAPI, app: Application, seen: Seen
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    plain = sandbox.send_text(alice, "/start one two")
    assert plain["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    await sandbox.wait_for_message(ALICE_ID, contains="started one two")

    addressed = sandbox.send_text(alice, "/start@crm_sandbox_bot three")
    assert addressed["entities"][0]["length"] == len("/start@crm_sandbox_bot")
    await sandbox.wait_for_message(ALICE_ID, contains="started three")

    sandbox.send_text(alice, "/start@some_other_bot four")  # PTB ignores other bots' commands
    await sandbox.wait_idle()
    assert [m.text for m in sandbox.messages_to(ALICE_ID)] == ["started one two", "started three"]


async def test_group_chat_and_reply_to_message(
    sandbox: SandboxBotAPI, app: Application, seen: Seen
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    group_id = -1001234
    sandbox.send_text(alice, "hi group", chat_id=group_id, chat_type="supergroup")
    bot_reply = await sandbox.wait_for_message(group_id, contains="echo: hi group")
    assert bot_reply.message["chat"]["type"] == "supergroup"
    # PTB quotes by default outside private chats -> reply_parameters resolved to the original
    assert bot_reply.message["reply_to_message"]["text"] == "hi group"

    sandbox.send_text(
        alice,
        "answering",
        chat_id=group_id,
        chat_type="supergroup",
        reply_to_message_id=bot_reply.message_id,
    )
    await sandbox.wait_for_message(group_id, contains="echo: answering")
    replied = seen.updates[-1].message.reply_to_message
    assert replied is not None
    assert replied.from_user.is_bot
    assert replied.message_id == bot_reply.message_id


async def test_force_reply_prompt_and_the_users_reply_to_it(
    sandbox: SandboxBotAPI, app: Application, seen: Seen
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    prompt = await app.bot.send_message(
        ALICE_ID, "Your comment?", reply_markup=ForceReply(input_field_placeholder="Comment")
    )
    sent = sandbox.messages_to(ALICE_ID)[-1]
    assert sent.reply_markup == {"force_reply": True, "input_field_placeholder": "Comment"}
    # Message.reply_markup is only ever an inline keyboard: a ForceReply is not echoed back.
    assert prompt.reply_markup is None and "reply_markup" not in sent.message

    sandbox.send_text(alice, "great", reply_to_message_id=prompt.message_id)
    await sandbox.wait_for_message(ALICE_ID, contains="echo: great")
    replied = seen.updates[-1].message.reply_to_message
    assert replied is not None and replied.message_id == prompt.message_id
    assert replied.from_user.is_bot and replied.text == "Your comment?"

    with pytest.raises(BadRequest, match="Can't parse reply keyboard markup json object"):
        await app.bot.send_message(
            ALICE_ID, "x", reply_markup=ForceReply(input_field_placeholder="p" * 65)
        )
    # Only an inline keyboard can be edited into a message.
    with pytest.raises(BadRequest, match="inline_keyboard"):
        await app.bot.edit_message_text(
            "y", chat_id=ALICE_ID, message_id=prompt.message_id, reply_markup=ForceReply()
        )


# ------------------------------------------------------------------------ files


async def test_user_photo_and_document_download(
    sandbox: SandboxBotAPI, app: Application, seen: Seen
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 4
    photo_msg = sandbox.send_photo(alice, caption="my screenshot")
    doc_msg = sandbox.send_document(
        alice, file_name="invoice.pdf", content=pdf, mime_type="application/pdf"
    )

    await sandbox.wait_for(lambda: len(seen.downloads) == 2)
    assert seen.downloads == [SAMPLE_PNG, pdf]
    await sandbox.wait_for_message(ALICE_ID, contains=f"got {len(pdf)} bytes")

    size = photo_msg["photo"][-1]
    assert (size["width"], size["height"], size["file_size"]) == (4, 3, len(SAMPLE_PNG))
    assert doc_msg["document"]["file_name"] == "invoice.pdf"
    assert doc_msg["document"]["mime_type"] == "application/pdf"
    assert len(sandbox.downloads) == 2


async def test_bot_uploads_photo_and_reuses_file_id(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    png = SAMPLE_PNG
    message = await bot.send_photo(
        ALICE_ID, photo=png, caption="<b>Chart</b> &amp; data", parse_mode="HTML"
    )
    assert message.caption == "Chart & data"
    assert [(e.type, e.offset, e.length) for e in message.caption_entities] == [("bold", 0, 5)]
    record = sandbox.sent[-1]
    assert record.method == "sendPhoto"
    assert record.file_content == png
    assert record.text == "<b>Chart</b> &amp; data"

    file_id = message.photo[-1].file_id
    again = await bot.send_photo(ALICE_ID, photo=file_id)
    assert again.photo[-1].file_id == file_id
    assert sandbox.sent[-1].file_content == png

    document = await bot.send_document(
        ALICE_ID, document=InputFile(b"a,b\n1,2\n", filename="export.csv")
    )
    assert document.document.file_name == "export.csv"
    assert document.document.mime_type == "text/csv"
    assert sandbox.sent[-1].file_name == "export.csv"
    downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"

    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(ALICE_ID, document="no-such-file-id")
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("no-such-file-id")


async def test_media_group_and_copy_message(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    sandbox.user(BOB_ID, "Bob")
    album = await bot.send_media_group(
        ALICE_ID,
        media=[
            InputMediaPhoto(SAMPLE_PNG, caption="first"),
            InputMediaDocument(b"notes", filename="notes.txt"),
        ],
    )
    assert len(album) == 2
    assert album[0].media_group_id == album[1].media_group_id is not None
    assert album[0].caption == "first"
    assert album[1].document.file_name == "notes.txt"
    assert [m.file_content for m in sandbox.sent[-2:]] == [SAMPLE_PNG, b"notes"]

    copied = await bot.copy_message(
        BOB_ID, from_chat_id=ALICE_ID, message_id=album[1].message_id, caption="for you"
    )
    copy_record = sandbox.messages_to(BOB_ID)[-1]
    assert copy_record.message_id == copied.message_id
    assert copy_record.method == "copyMessage"
    assert copy_record.text == "for you"
    assert copy_record.file_content == b"notes"

    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(BOB_ID, from_chat_id=ALICE_ID, message_id=999)


async def test_user_media_updates_parse_cleanly(sandbox: SandboxBotAPI, bot: Bot) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    bob = sandbox.user(BOB_ID, "Bob", username="bob")
    sandbox.send_voice(alice, duration=3)
    sandbox.send_sticker(alice, emoji="🔥")
    sandbox.send_location(alice, latitude=52.5, longitude=13.4)
    sandbox.send_contact(
        alice, phone_number="+491701234567", first_name="Alice", contact_user_id=ALICE_ID
    )
    sandbox.send_text(alice, "look at this", forward_from=bob)
    sandbox.send_photo(alice, caption="/report broken")

    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates]
    assert all(m.api_kwargs == {} for m in messages)
    voice, sticker, location, contact, forwarded, photo = messages
    assert voice.voice.duration == dtm.timedelta(seconds=3)
    assert voice.voice.mime_type == "audio/ogg"
    assert (sticker.sticker.emoji, sticker.sticker.type) == ("🔥", "regular")
    assert location.location.latitude == 52.5
    assert contact.contact.user_id == ALICE_ID
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.username == "bob"
    assert photo.caption_entities[0].type == "bot_command"
    voice_bytes = await (await bot.get_file(voice.voice.file_id)).download_as_bytearray()
    assert bytes(voice_bytes).startswith(b"OggS")


# ------------------------------------------------------------------------ buttons and edits


async def test_button_press_reaches_callback_handler(
    sandbox: SandboxBotAPI, app: Application, seen: Seen
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    sandbox.send_text(alice, "/menu")
    menu = await sandbox.wait_for_message(ALICE_ID, contains="Choose")
    assert menu.button_data() == ["yes", "no"]
    assert menu.reply_markup is not None

    with pytest.raises(ValueError, match="no inline button"):
        sandbox.press_button(alice, menu, "maybe")
    query_id = sandbox.press_button(alice, menu, "yes")

    answer = await sandbox.wait_for(lambda: sandbox.callback_answers)
    assert answer[0].callback_query_id == query_id
    assert answer[0].text == "you chose yes"
    assert not answer[0].show_alert
    await sandbox.wait_for(lambda: menu.edits)
    assert menu.edits == ["chosen: yes"]
    assert menu.text == "chosen: yes"
    assert "reply_markup" not in menu.message  # editMessageText without markup drops it
    query = seen.updates[-1].callback_query
    assert query.message.message_id == menu.message_id
    assert query.from_user.id == ALICE_ID

    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query(query_id)


async def test_user_edit_produces_edited_message(
    sandbox: SandboxBotAPI, app: Application, seen: Seen
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    original = sandbox.send_text(alice, "helo")
    await sandbox.wait_for_message(ALICE_ID, contains="echo: helo")
    sandbox.edit_text(alice, original["message_id"], "hello")
    await sandbox.wait_for_message(ALICE_ID, contains="edited: hello")
    edited = seen.updates[-1].edited_message
    assert edited.message_id == original["message_id"]
    assert edited.edit_date is not None


async def test_edit_errors_and_delete(sandbox: SandboxBotAPI, bot: Bot) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    user_msg = sandbox.send_text(alice, "mine")
    sent = await bot.send_message(ALICE_ID, "v1")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("v1", chat_id=ALICE_ID, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=ALICE_ID, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=ALICE_ID, message_id=user_msg["message_id"])
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    edited = await bot.edit_message_reply_markup(ALICE_ID, sent.message_id, reply_markup=keyboard)
    assert edited.reply_markup == keyboard
    assert await bot.delete_message(ALICE_ID, sent.message_id)
    assert sandbox.messages_to(ALICE_ID)[-1].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ALICE_ID, sent.message_id)


# ------------------------------------------------------------------------ validation


async def test_send_validation_errors(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ALICE_ID, "")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ALICE_ID, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        too_long = InlineKeyboardButton("b", callback_data="x" * 65)
        await bot.send_message(ALICE_ID, "hi", reply_markup=InlineKeyboardMarkup([[too_long]]))
    ok = await bot.send_message(ALICE_ID, "x" * 4096)
    assert len(ok.text) == 4096
    assert [m.text for m in sandbox.sent] == ["x" * 4096]
    assert [c.status for c in sandbox.calls("sendMessage")] == [400, 400, 400, 400, 200]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>unclosed", "Can't find end tag"),
        ("a < b", "Unsupported start tag"),
        ("Tom & Jerry", "must be escaped"),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<b>x</i>", "Unmatched end tag"),
        ('<span class="red">x</span>', "tg-spoiler"),
    ],
)
async def test_html_parse_errors(sandbox: SandboxBotAPI, bot: Bot, text: str, error: str) -> None:
    sandbox.user(ALICE_ID, "Alice")
    with pytest.raises(BadRequest, match="Can't parse entities") as excinfo:
        await bot.send_message(ALICE_ID, text, parse_mode="HTML")
    assert error.lower() in str(excinfo.value).lower()
    assert sandbox.sent == []


async def test_html_escaped_user_text_is_accepted(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    user_text = "<script>alert('x')</script> & \"friends\""
    message = await bot.send_message(
        ALICE_ID, f"<i>Customer wrote:</i> {html.escape(user_text)}", parse_mode="HTML"
    )
    assert message.text == f"Customer wrote: {user_text}"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("italic", 0, 15)]
    assert sandbox.sent[-1].text.startswith("<i>Customer wrote:</i> &lt;script&gt;")
    plain = await bot.send_message(ALICE_ID, "a < b & c")  # no parse_mode: anything goes
    assert plain.text == "a < b & c"


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://ex.com/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre><tg-spoiler>s</tg-spoiler>'
    )
    assert text == "😀 bold both link x = 1s"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "url": "https://ex.com/?a=1&b=2", "offset": 13, "length": 4},
        {"type": "pre", "language": "python", "offset": 18, "length": 5},
        {"type": "spoiler", "offset": 23, "length": 1},
    ]


# ------------------------------------------------------------------------ faults and limits


async def test_injected_faults_map_to_ptb_errors(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    sandbox.user(BOB_ID, "Bob")

    sandbox.inject_fault("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(ALICE_ID, "one")
    assert retry.value.retry_after == dtm.timedelta(seconds=7)

    sandbox.inject_fault("sendMessage", status=403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE_ID, "two")

    sandbox.inject_fault("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway") as gateway:
        await bot.send_message(ALICE_ID, "three")
    assert not isinstance(gateway.value, BadRequest)

    sandbox.inject_fault("SENDMESSAGE", status=400, description="Bad Request: custom", times=2)
    for _ in range(2):
        with pytest.raises(BadRequest, match="Custom"):
            await bot.send_message(ALICE_ID, "four")

    sandbox.inject_fault("sendMessage", status=500, chat_id=BOB_ID)
    await bot.send_message(ALICE_ID, "five")  # other chat unaffected
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(BOB_ID, "six")

    await bot.send_message(ALICE_ID, "seven")
    assert [m.text for m in sandbox.sent] == ["five", "seven"]
    statuses = [c.status for c in sandbox.calls("sendMessage")]
    assert statuses == [429, 403, 502, 400, 400, 200, 500, 200]


async def test_fault_on_raw_http_has_telegram_shape(sandbox: SandboxBotAPI) -> None:
    sandbox.user(ALICE_ID, "Alice")
    sandbox.inject_fault("sendMessage", status=429, retry_after=3)
    status, body = await raw_call(sandbox, "sendMessage", data={"chat_id": "1001", "text": "x"})
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    status, body = await raw_call(sandbox, "sendMessage", data={"chat_id": "1001"})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    assert "parameters" not in body


async def test_blocked_user(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    sandbox.block_bot(ALICE_ID)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ALICE_ID, "hi")
    with pytest.raises(Forbidden):
        await bot.send_photo(ALICE_ID, photo=SAMPLE_PNG)
    sandbox.unblock_bot(ALICE_ID)
    await bot.send_message(ALICE_ID, "welcome back")
    assert [m.text for m in sandbox.sent] == ["welcome back"]


async def test_rate_limits(sandbox: SandboxBotAPI, bot: Bot) -> None:
    for user_id in (1, 2, 3, 4):
        sandbox.user(user_id, f"U{user_id}")
    sandbox.set_rate_limits(per_chat_per_second=1)
    await bot.send_message(1, "a")
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(1, "b")
    assert retry.value.retry_after == dtm.timedelta(seconds=1)
    await bot.send_message(2, "other chat is fine")
    assert sandbox.rate_limited_calls == 1

    sandbox.set_rate_limits(global_per_second=2)
    await bot.send_message(3, "c")
    await bot.send_message(4, "d")
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "e")
    assert sandbox.rate_limited_calls == 2

    sandbox.set_rate_limits()
    for _ in range(5):
        await bot.send_message(1, "unlimited")
    assert sandbox.rate_limited_calls == 2


# ------------------------------------------------------------------------ updates and HTTP


async def test_long_poll_wakes_immediately(sandbox: SandboxBotAPI, seen: Seen) -> None:
    application = build_app(sandbox, seen)
    await _running(application, poll_timeout=10)
    try:
        await sandbox.wait_for(lambda: sandbox.calls("getUpdates"))
        alice = sandbox.user(ALICE_ID, "Alice")
        sandbox.send_text(alice, "ping")
        # With a 10 s poll timeout this only succeeds if the pending poll is woken up.
        await sandbox.wait_for_message(ALICE_ID, contains="echo: ping", timeout=2.0)
        assert len(sandbox.calls("getUpdates")) <= 3
    finally:
        await _stopped(application)


async def test_raw_get_updates_offsets_and_long_poll(sandbox: SandboxBotAPI) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    ids = [sandbox.send_text(alice, f"m{i}")["message_id"] for i in range(3)]
    assert ids == [1, 2, 3]
    status, body = await raw_call(sandbox, "getUpdates", json={"timeout": 0, "limit": 2})
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["m0", "m1"]
    second = body["result"][1]["update_id"]

    status, body = await raw_call(sandbox, "getupdates", http="GET", params={"offset": str(second)})
    assert [u["message"]["text"] for u in body["result"]] == ["m1", "m2"]
    assert sandbox.pending_updates == 2

    last = body["result"][-1]["update_id"]
    poll = asyncio.create_task(
        raw_call(sandbox, "getUpdates", data={"offset": str(last + 1), "timeout": "30"})
    )
    await sandbox.wait_for(lambda: sandbox.pending_updates == 0)
    assert not poll.done()
    raw_id = sandbox.post_update(
        {"callback_query": {"id": "x", "from": alice.to_dict(), "chat_instance": "1", "data": "d"}}
    )
    status, body = await asyncio.wait_for(poll, 2.0)
    assert [u["update_id"] for u in body["result"]] == [raw_id]


async def test_stop_releases_long_poll(sandbox: SandboxBotAPI) -> None:
    poll = asyncio.create_task(raw_call(sandbox, "getUpdates", data={"timeout": "30"}))
    await sandbox.wait_for(lambda: sandbox.calls("getUpdates"))
    await asyncio.wait_for(sandbox.stop(), 5.0)
    status, body = await asyncio.wait_for(poll, 5.0)
    assert (status, body) == (200, {"ok": True, "result": []})


async def test_http_errors_and_encodings(sandbox: SandboxBotAPI) -> None:
    sandbox.user(ALICE_ID, "Alice")
    status, body = await raw_call(sandbox, "getMe", token="1:bad")
    assert (status, body["description"]) == (401, "Unauthorized")
    status, body = await raw_call(sandbox, "noSuchMethod")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})

    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, body = await raw_call(
        sandbox,
        "SendMessage",
        data={"chat_id": "1001", "text": "123", "reply_markup": json.dumps(markup)},
    )
    assert status == 200
    assert body["result"]["text"] == "123"  # free text is never JSON-decoded
    assert body["result"]["reply_markup"] == markup
    call = sandbox.requests[-1]
    assert call.method == "sendMessage"
    assert call.params == {"chat_id": ALICE_ID, "text": "123", "reply_markup": markup}

    status, body = await raw_call(
        sandbox, "sendMessage", json={"chat_id": ALICE_ID, "text": "via json"}
    )
    assert (status, body["result"]["text"]) == (200, "via json")
    assert isinstance(sandbox.sent[-1], SentMessage)
    assert [m.text for m in sandbox.messages_to(ALICE_ID)] == ["123", "via json"]


async def test_webhook_and_commands(sandbox: SandboxBotAPI, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    assert info.pending_update_count == 0
    assert sandbox.webhook["secret_token"] == "s3cret"
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""

    commands = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    await bot.set_my_commands(commands)
    await bot.set_my_commands([BotCommand("start", "Starten")], language_code="de")
    await bot.set_my_commands(
        [BotCommand("tickets", "Open tickets")], scope=BotCommandScopeChat(ALICE_ID)
    )
    assert tuple(await bot.get_my_commands()) == tuple(commands)
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Starten"]
    assert sandbox.commands(scope={"type": "chat", "chat_id": ALICE_ID}) == [
        {"command": "tickets", "description": "Open tickets"}
    ]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_wait_helpers_report_and_idle(sandbox: SandboxBotAPI, bot: Bot) -> None:
    sandbox.user(ALICE_ID, "Alice")
    await bot.send_message(ALICE_ID, "only this")
    with pytest.raises(TimeoutError, match="only this"):
        await sandbox.wait_for_message(ALICE_ID, contains="never", timeout=0.2)
    waiter = asyncio.create_task(sandbox.wait_for_message(ALICE_ID, count=2))
    await asyncio.sleep(0)
    assert not waiter.done()
    await bot.send_message(ALICE_ID, "second")
    assert (await asyncio.wait_for(waiter, 2.0)).text == "second"
    await sandbox.wait_idle(quiet=0.05)
    sandbox.send_text(sandbox.user(BOB_ID, "Bob"), "nobody polls")
    with pytest.raises(TimeoutError, match="1 updates not fetched"):
        await sandbox.wait_idle(quiet=0.05, timeout=0.2)


@dataclass
class Receiver:
    """A webhook endpoint on loopback that records what it got and answers as told."""

    name: str = "r"
    got: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with 500 first
    url: str = ""


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[Receiver]:
    """Serve a Receiver on a free loopback port."""
    from aiohttp import web

    async def hook(request: web.Request) -> web.Response:
        if receiver.fail_next:
            receiver.fail_next -= 1
            return web.Response(status=500, text="boom")
        receiver.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        receiver.got.append(await request.json())
        return web.Response(text=receiver.name)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def test_webhook_push_delivers_every_update_once_and_retries_errors(
    sandbox: SandboxBotAPI, bot: Bot
) -> None:
    alice = sandbox.user(ALICE_ID, "Alice")
    sandbox.send_text(alice, "before the webhook")  # pending updates are pushed too
    async with receiving(Receiver(fail_next=2)) as hook:
        await bot.set_webhook(hook.url + "/hook", secret_token="s3cret", max_connections=4)
        for i in range(20):
            sandbox.send_text(alice, f"m{i}")
        await sandbox.wait_for(lambda: len(hook.got) == 21, timeout=10)
        await sandbox.wait_idle(quiet=0.1)
        texts = sorted(u["message"]["text"] for u in hook.got)
        assert texts == sorted(["before the webhook", *(f"m{i}" for i in range(20))])
        assert len({u["update_id"] for u in hook.got}) == 21
        assert set(hook.secrets) == {"s3cret"}
        assert sandbox.webhook_failures == 2  # the two 500s were retried
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert "500" in (info.last_error_message or "")
        assert all(uid in sandbox.served_at for uid in range(1, 22))

        await bot.delete_webhook()
        sandbox.send_text(alice, "after")
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates] == ["after"]
        assert len(hook.got) == 21  # nothing pushed once the webhook is gone


async def test_webhook_keeps_updates_while_the_endpoint_is_down(
    sandbox: SandboxBotAPI, bot: Bot
) -> None:
    from bot.sandbox import SandboxLoadBalancer

    async with SandboxLoadBalancer() as balancer:  # no backends: every POST gets a 502
        await bot.set_webhook(balancer.url + "/hook")
        sandbox.send_text(sandbox.user(ALICE_ID, "Alice"), "hello?")
        await sandbox.wait_for(lambda: sandbox.webhook_failures >= 2, timeout=5)
        assert (await bot.get_webhook_info()).pending_update_count == 1
        async with receiving(Receiver()) as hook:
            balancer.backends.append(hook.url)
            await sandbox.wait_for(lambda: hook.got, timeout=5)
        assert [u["message"]["text"] for u in hook.got] == ["hello?"]
        assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_load_balancer_round_robin_and_failover(sandbox: SandboxBotAPI) -> None:
    from bot.sandbox import SandboxLoadBalancer

    async with (
        receiving(Receiver("a")) as a,
        receiving(Receiver("b")) as b,
        SandboxLoadBalancer([a.url, b.url]) as balancer,
        aiohttp.ClientSession() as http,
    ):

        async def post(i: int) -> tuple[int, str]:
            async with http.post(balancer.url + "/hook", json={"update_id": i}) as response:
                return response.status, await response.text()

        answers = [await post(i) for i in range(4)]
        assert answers == [(200, "a"), (200, "b"), (200, "a"), (200, "b")]
        assert [u["update_id"] for u in a.got] == [0, 2]
        balancer.backends.insert(1, "http://127.0.0.1:1")  # a dead replica: refused
        answers = [await post(i) for i in range(4, 10)]
        assert {status for status, _ in answers} == {200}
        assert len(a.got) + len(b.got) == 10 and balancer.failovers >= 1
        balancer.backends[:] = ["http://127.0.0.1:1"]
        assert (await post(99))[0] == 502
