"""Sandbox Telegram Bot API server for end-to-end tests, demos and benchmarks.

`SandboxBotAPI` is a small aiohttp server on loopback that speaks the Bot API's HTTP shape well
enough for a real python-telegram-bot ``Application`` to run against it::

    async with SandboxBotAPI() as sandbox:
        app = (
            ApplicationBuilder().token(sandbox.token)
            .base_url(sandbox.api_url).base_file_url(sandbox.file_url).build()
        )
        alice = sandbox.user(1001, "Alice")
        sandbox.send_text(alice, "/start")
        reply = await sandbox.wait_for_message(alice.id)

Wire format (as produced by PTB 22): ``POST {base_url}{token}/{method}`` with form-encoded data in
which every non-string value is a JSON string (``chat_id=123``, ``reply_markup={...}``), or
``multipart/form-data`` when files are uploaded (the file part is named after the parameter, e.g.
``photo``, or ``attached<hex>`` when referenced as ``attach://attached<hex>`` in a media group).
JSON bodies and query strings are accepted as well.

All public methods must be called from the thread running the event loop that serves the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import html
import itertools
import json
import logging
import math
import re
import secrets
import struct
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

import aiohttp
from aiohttp import BodyPartReader, web

__all__ = [
    "SAMPLE_OGG",
    "SAMPLE_PNG",
    "SAMPLE_WEBP",
    "ApiCall",
    "CallbackAnswer",
    "HtmlParseError",
    "SandboxBotAPI",
    "SandboxLoadBalancer",
    "SandboxUser",
    "SentMessage",
    "UploadedFile",
    "parse_html",
]

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
T = TypeVar("T")

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
CALLBACK_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# A webhook answering slower than this is treated as failed and the update is sent again.
WEBHOOK_TIMEOUT = 30.0
WEBHOOK_RETRY_MIN, WEBHOOK_RETRY_MAX = 0.05, 2.0  # seconds; the sandbox retries fast
# What Telegram answers when an edit carries a reply keyboard or a ForceReply.
NOT_INLINE_MARKUP = (
    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
)
BAD_MARKUP = "Bad Request: can't parse reply keyboard markup JSON object"
MAX_PLACEHOLDER_LENGTH = 64  # ForceReply / ReplyKeyboardMarkup input_field_placeholder
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# Parameters that are free-form strings and must never be JSON-decoded (PTB sends str values raw).
_RAW_STRING_PARAMS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_title",
        "data",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "foursquare_id",
        "inline_message_id",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "query",
        "question",
        "secret_token",
        "short_description",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)

_SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvoice",
        "sendsticker",
        "sendvideo",
        "sendaudio",
        "sendlocation",
        "sendcontact",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)
_MEDIA_KINDS = ("photo", "document", "voice", "sticker", "video", "audio")
_FILE_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "voice": ("voice", ".oga"),
    "sticker": ("stickers", ".webp"),
    "video": ("videos", ".mp4"),
    "audio": ("music", ".mp3"),
}
_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "location",
    "contact",
    *_MEDIA_KINDS,
)
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


def _png(width: int, height: int) -> bytes:
    """Build a valid RGB PNG image of the given size."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        """Frame one PNG chunk with its length and CRC."""
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


SAMPLE_PNG = _png(4, 3)
SAMPLE_OGG = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00"
SAMPLE_WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11"


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class SandboxUser:
    """A Telegram user the sandbox can act as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def to_dict(self) -> JSONDict:
        """Return the Bot API ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> JSONDict:
        """Return the Bot API ``Chat`` object of the private chat with this user."""
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class UploadedFile:
    """A file part received in a multipart request."""

    field: str
    file_name: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass
class ApiCall:
    """One Bot API request received by the sandbox (``status`` is the HTTP status answered)."""

    method: str
    params: JSONDict
    time: float
    status: int = 200
    description: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent successfully; ``message`` is the live Bot API object."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    params: JSONDict = field(repr=False)
    time: float
    message: JSONDict = field(repr=False)
    edits: list[str] = field(default_factory=list)
    file_content: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    deleted: bool = False

    @property
    def plain_text(self) -> str | None:
        """Return the text or caption as rendered by Telegram (HTML tags removed)."""
        value = self.message.get("text", self.message.get("caption"))
        return value if isinstance(value, str) else None

    def button_data(self) -> list[str]:
        """Return the callback_data of every inline button currently on the message."""
        return _callback_datas(self.message.get("reply_markup"))


@dataclass
class CallbackAnswer:
    """A recorded answerCallbackQuery call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    time: float


@dataclass
class _Fault:
    """An injected failure for the next calls of one method."""

    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


@dataclass
class _StoredFile:
    """A file known to the sandbox, addressable by file_id and file_path."""

    kind: str
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes = field(repr=False)
    file_name: str | None
    mime_type: str | None
    meta: JSONDict


class _ApiError(Exception):
    """An error answered to the client in Telegram's JSON shape."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class _RateLimiter:
    """Sliding-window limiter keeping only the last `capacity` timestamps per key."""

    __slots__ = ("_times", "capacity", "window")

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("rate must be positive")
        self.window = max(1.0, 1.0 / per_second)
        self.capacity = max(1, int(per_second * self.window))
        self._times: dict[int, deque[float]] = {}

    def retry_after(self, key: int, now: float) -> int | None:
        """Return whole seconds to wait if `key` is over its limit, else None."""
        times = self._times.get(key)
        if times is None or len(times) < self.capacity:
            return None
        wait = times[0] + self.window - now
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record(self, key: int, now: float) -> None:
        """Record one admitted call for `key`."""
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque(maxlen=self.capacity)
        times.append(now)


# --------------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Text is not valid Telegram HTML."""


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_SPECIAL_RE = re.compile(r"[<&]")
_HTML_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z][A-Za-z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*(/?)>"
)
_HTML_TAG_HEAD_RE = re.compile(r"<(/?)([^\s>]*)")
_HTML_ATTR_RE = re.compile(
    r"([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?"
)
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@dataclass(slots=True)
class _OpenTag:
    """An HTML tag that is open while parsing."""

    name: str
    offset: int
    entity: JSONDict | None


def _utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as Telegram counts offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of character `index`."""
    return len(text[:index].encode("utf-8"))


def _decode_html_entity(match: re.Match[str]) -> str:
    """Return the character an HTML entity match stands for."""
    named, dec, hexa = match.groups()
    if named:
        return _HTML_NAMED[named]
    code = int(dec) if dec else int(hexa, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlParseError(f"Invalid HTML entity {match.group(0)!r}")
    return chr(code)


def _tag_entity(name: str, attrs: dict[str, str], offset: int) -> JSONDict | None:
    """Return the entity template an opening tag produces (None for a plain <a>)."""
    kind = _HTML_TAGS[name]
    if name == "a":
        href = attrs.get("href")
        return {"type": kind, "url": href} if href else None
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        return {"type": kind}
    if name == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        if not emoji_id:
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        return {"type": kind, "custom_emoji_id": emoji_id}
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if name == "code":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            return {"type": kind, "language": language[len("language-") :]}
    return {"type": kind}


def _malformed_tag(text: str, index: int, offset: int) -> HtmlParseError:
    """Describe a "<" that does not start a well-formed tag, the way tdlib does."""
    head = _HTML_TAG_HEAD_RE.match(text, index)
    assert head is not None  # the pattern matches any "<"
    if head.end() >= len(text):
        return HtmlParseError(f"Unclosed start tag at byte offset {offset}")
    closing, name = head.group(1), head.group(2).lower()
    if closing:
        return HtmlParseError(f"Unexpected end tag at byte offset {offset}")
    if name not in _HTML_TAGS:
        return HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    return HtmlParseError(f"Unclosed start tag at byte offset {offset}")


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into plain text and MessageEntity dicts (UTF-16 offsets).

    Stricter than Telegram in one respect: a bare ``&`` that does not start an entity is an error,
    so that unescaped user text is caught in tests.
    """
    out: list[str] = []
    position = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    index = 0
    length = len(text)
    while index < length:
        special = _HTML_SPECIAL_RE.search(text, index)
        stop = special.start() if special else length
        if stop > index:
            chunk = text[index:stop]
            out.append(chunk)
            position += _utf16_len(chunk)
            index = stop
            continue
        offset = _byte_offset(text, index)
        if text[index] == "&":
            entity_match = _HTML_ENTITY_RE.match(text, index)
            if entity_match is None:
                raise HtmlParseError(
                    f'Character "&" at byte offset {offset} must be escaped as "&amp;"'
                )
            char = _decode_html_entity(entity_match)
            out.append(char)
            position += _utf16_len(char)
            index = entity_match.end()
            continue
        tag = _HTML_TAG_RE.match(text, index)
        if tag is None:
            raise _malformed_tag(text, index, offset)
        closing, raw_name, raw_attrs, self_closing = tag.groups()
        name = raw_name.lower()
        if closing:
            if raw_attrs.strip() or self_closing:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
            opened = stack.pop()
            if opened.name != name:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                    f'found "</{name}>"'
                )
            entity = opened.entity
            parent = stack[-1] if stack else None
            if (
                entity is not None
                and name == "code"
                and parent is not None
                and parent.name == "pre"
                and parent.entity is not None
            ):
                if "language" in entity:
                    parent.entity["language"] = entity["language"]
                entity = None
            if entity is not None and position > opened.offset:
                entities.append(
                    {**entity, "offset": opened.offset, "length": position - opened.offset}
                )
        else:
            if name not in _HTML_TAGS or self_closing:
                raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
            attrs = {
                m.group(1).lower(): html.unescape(next((g for g in m.groups()[1:] if g), ""))
                for m in _HTML_ATTR_RE.finditer(raw_attrs)
            }
            stack.append(_OpenTag(name, position, _tag_entity(name, attrs, offset)))
        index = tag.end()
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _decode_param(name: str, value: str) -> Any:
    """Decode a form value the way PTB encoded it (non-strings are JSON strings)."""
    if name in _RAW_STRING_PARAMS or not value:
        return value
    if value[0] in '{["-0123456789' or value in ("true", "false", "null"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _dumps(data: Any) -> bytes:
    """Serialize a JSON payload compactly."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(status: int, payload: JSONDict) -> web.Response:
    """Build a JSON HTTP response."""
    return web.Response(status=status, body=_dumps(payload), content_type="application/json")


def _error_response(status: int, description: str, retry_after: int | None = None) -> web.Response:
    """Build a Telegram-shaped error response."""
    payload: JSONDict = {"ok": False, "error_code": status, "description": description}
    if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return _json_response(status, payload)


def _default_fault_description(status: int, retry_after: int | None) -> str:
    """Return Telegram's usual description for an error status."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"Too Many Requests: retry after {retry_after}"
    if status == HTTPStatus.FORBIDDEN:
        return BLOCKED_DESCRIPTION
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def _callback_datas(markup: Any) -> list[str]:
    """Return every callback_data of an inline keyboard markup."""
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [
        button["callback_data"]
        for row in rows
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    ]


def _image_size(content: bytes) -> tuple[int, int]:
    """Return the (width, height) of a PNG, or a plausible default for other images."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 640, 480


def _text_value(params: JSONDict, name: str) -> str | None:
    """Return a text-like parameter as str (JSON bodies may carry numbers)."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _as_int(value: Any) -> int | None:
    """Convert an integer-like value, returning None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _int_param(params: JSONDict, name: str) -> int:
    """Return a required integer parameter or raise Telegram's 400."""
    value = params.get(name)
    if value is None or value == "":
        raise _ApiError(400, f"Bad Request: {name} is empty")
    number = _as_int(value)
    if number is None:
        raise _ApiError(400, f"Bad Request: invalid {name} specified")
    return number


def _optional_int(params: JSONDict, name: str) -> int | None:
    """Return an optional integer parameter."""
    value = params.get(name)
    if value is None or value == "":
        return None
    number = _as_int(value)
    if number is None:
        raise _ApiError(400, f"Bad Request: invalid {name} specified")
    return number


def _flag(params: JSONDict, name: str) -> bool:
    """Return a boolean parameter (absent means False)."""
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _bot_command_entities(text: str) -> list[JSONDict]:
    """Return the bot_command entity for text starting with a command."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]


# --------------------------------------------------------------------------------------------
# The sandbox
# --------------------------------------------------------------------------------------------


class SandboxBotAPI:
    """An in-process fake of the Telegram Bot API server."""

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX-TOKEN",
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 123456,
        bot_username: str = "crm_sandbox_bot",
        bot_first_name: str = "CRM Sandbox",
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._runner: web.AppRunner | None = None
        self._closing = False

        # What the bot did.
        self.requests: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.downloads: list[str] = []
        self.rate_limited_calls = 0
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}

        # World state.
        self._users: dict[int, SandboxUser] = {}
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[int, dict[int, JSONDict]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_counter = itertools.count(1)
        self._media_group_counter = itertools.count(1)
        self._pending_callbacks: set[str] = set()
        self._blocked: set[int] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook: JSONDict = {}

        # Webhook push: updates not tried yet, retries by due time, posts under way, and
        # updates acknowledged out of order (the queue's head is dropped once acknowledged).
        self._push_task: asyncio.Task[None] | None = None
        self._push_wakeup = asyncio.Event()
        self._to_push: deque[JSONDict] = deque()
        self._retries: list[tuple[float, int, JSONDict]] = []
        self._attempts: dict[int, int] = {}
        self._posting: set[int] = set()
        self._pushed: set[int] = set()
        self.webhook_posts = 0
        self.webhook_failures = 0
        self._webhook_last_error: tuple[int, str] | None = None
        # When each update was first handed to the bot (getUpdates answer or webhook POST).
        self.served_at: dict[int, float] = {}

        # Update queue and long polling.
        self._updates: deque[JSONDict] = deque()
        self._last_update_id = 0
        self._delivered_id = 0
        self._allowed_updates: frozenset[str] | None = None
        self._updates_event = asyncio.Event()
        self._poll_waiters = 0
        self._poll_generation = 0

        # Change notification for wait_for / wait_idle.
        self._changed = asyncio.Event()
        self._change_waiters = 0
        self._in_flight = 0
        self._last_activity = time.monotonic()

        # Faults and rate limits.
        self._faults: dict[str, list[_Fault]] = {}
        # Calls carried out whose answer is withheld (a response lost on the way back).
        self._stalls: dict[str, list[_Fault]] = {}
        self._stall_release = asyncio.Event()
        self._stalled = 0
        self._global_limit: _RateLimiter | None = None
        self._chat_limit: _RateLimiter | None = None

        self._methods: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._api_get_me),
                ("logOut", self._api_true),
                ("close", self._api_true),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._api_set_webhook),
                ("deleteWebhook", self._api_delete_webhook),
                ("getWebhookInfo", self._api_get_webhook_info),
                ("setMyCommands", self._api_set_my_commands),
                ("getMyCommands", self._api_get_my_commands),
                ("deleteMyCommands", self._api_delete_my_commands),
                ("getChat", self._api_get_chat),
                ("sendMessage", self._api_send_message),
                ("sendPhoto", lambda p: self._api_send_media("sendPhoto", "photo", p)),
                ("sendDocument", lambda p: self._api_send_media("sendDocument", "document", p)),
                ("sendVoice", lambda p: self._api_send_media("sendVoice", "voice", p)),
                ("sendSticker", lambda p: self._api_send_media("sendSticker", "sticker", p)),
                ("sendVideo", lambda p: self._api_send_media("sendVideo", "video", p)),
                ("sendAudio", lambda p: self._api_send_media("sendAudio", "audio", p)),
                ("sendLocation", self._api_send_location),
                ("sendContact", self._api_send_contact),
                ("sendMediaGroup", self._api_send_media_group),
                ("sendChatAction", self._api_send_chat_action),
                ("copyMessage", self._api_copy_message),
                ("forwardMessage", self._api_forward_message),
                ("editMessageText", self._api_edit_message_text),
                ("editMessageCaption", self._api_edit_message_caption),
                ("editMessageReplyMarkup", self._api_edit_message_reply_markup),
                ("deleteMessage", self._api_delete_message),
                ("answerCallbackQuery", self._api_answer_callback_query),
                ("getFile", self._api_get_file),
            )
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind the server; port 0 picks a free port."""
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._closing = False
        self.port = int(runner.addresses[0][1])
        logger.info("Sandbox Bot API listening on http://%s", self._netloc)

    async def stop(self) -> None:
        """Release long-polling waiters and shut the server down."""
        self._closing = True
        self._stall_release.set()
        self._wake_pollers(force=True)
        self._notify()
        await self._stop_pushing()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            logger.info("Sandbox Bot API stopped")

    async def __aenter__(self) -> SandboxBotAPI:
        """Start the sandbox."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the sandbox."""
        await self.stop()

    @property
    def _netloc(self) -> str:
        """Return host:port for URLs."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Return the PTB ``base_url`` (PTB appends the token)."""
        self._require_started()
        return f"http://{self._netloc}/bot"

    @property
    def file_url(self) -> str:
        """Return the PTB ``base_file_url`` (PTB appends the token)."""
        self._require_started()
        return f"http://{self._netloc}/file/bot"

    def _require_started(self) -> None:
        """Fail when the server has not been started."""
        if self._runner is None:
            raise RuntimeError("SandboxBotAPI is not started; call `await sandbox.start()`")

    # ---------------------------------------------------------------- acting as users

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> SandboxUser:
        """Register (or update) a user and the private chat with them."""
        if user_id <= 0:
            raise ValueError("user ids must be positive")
        user = SandboxUser(user_id, first_name, last_name, username, language_code)
        self._users[user_id] = user
        self._chats[user_id] = user.chat_dict()
        return user

    def group(
        self, chat_id: int, title: str, *, chat_type: str = "group", username: str | None = None
    ) -> JSONDict:
        """Register (or update) a group chat the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids must be negative")
        if chat_type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported chat type {chat_type!r}")
        chat: JSONDict = {"id": chat_id, "type": chat_type, "title": title}
        if username is not None:
            chat["username"] = username
        self._chats[chat_id] = chat
        return chat

    def send_text(
        self,
        user: SandboxUser,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        forward_from: SandboxUser | None = None,
    ) -> JSONDict:
        """Enqueue a text message from `user` and return the message dict."""
        if not text.strip():
            raise ValueError("Telegram clients cannot send empty messages")
        chat = self._user_chat(user, chat_id, chat_type)
        message = self._user_message(user, chat, reply_to_message_id)
        message["text"] = text
        entities = _bot_command_entities(text)
        if entities:
            message["entities"] = entities
        if forward_from is not None:
            message["forward_origin"] = {
                "type": "user",
                "sender_user": forward_from.to_dict(),
                "date": message["date"],
            }
        return self._post_message(message)

    def send_photo(
        self,
        user: SandboxUser,
        *,
        caption: str | None = None,
        content: bytes = SAMPLE_PNG,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a photo message from `user`."""
        mime = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
        stored = self._store_file("photo", content, file_name=None, mime_type=mime)
        return self._user_media(user, stored, caption, chat_id, reply_to_message_id)

    def send_document(
        self,
        user: SandboxUser,
        *,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a document message from `user`."""
        stored = self._store_file("document", content, file_name=file_name, mime_type=mime_type)
        return self._user_media(user, stored, caption, chat_id, reply_to_message_id)

    def send_voice(
        self,
        user: SandboxUser,
        *,
        content: bytes = SAMPLE_OGG,
        duration: int = 2,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a voice message from `user`."""
        stored = self._store_file(
            "voice", content, file_name=None, mime_type="audio/ogg", meta={"duration": duration}
        )
        return self._user_media(user, stored, caption, chat_id, None)

    def send_sticker(
        self, user: SandboxUser, *, emoji: str = "👍", chat_id: int | None = None
    ) -> JSONDict:
        """Enqueue a sticker message from `user`."""
        stored = self._store_file(
            "sticker", SAMPLE_WEBP, file_name=None, mime_type="image/webp", meta={"emoji": emoji}
        )
        return self._user_media(user, stored, None, chat_id, None)

    def send_location(
        self, user: SandboxUser, *, latitude: float, longitude: float, chat_id: int | None = None
    ) -> JSONDict:
        """Enqueue a location message from `user`."""
        chat = self._user_chat(user, chat_id, "private" if chat_id is None else "group")
        message = self._user_message(user, chat, None)
        message["location"] = {"latitude": latitude, "longitude": longitude}
        return self._post_message(message)

    def send_contact(
        self,
        user: SandboxUser,
        *,
        phone_number: str,
        first_name: str,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a contact message from `user`."""
        chat = self._user_chat(user, chat_id, "private" if chat_id is None else "group")
        message = self._user_message(user, chat, None)
        contact: JSONDict = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        message["contact"] = contact
        return self._post_message(message)

    def edit_text(
        self, user: SandboxUser, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """Edit a text message `user` sent earlier and enqueue an ``edited_message`` update."""
        target_chat = user.id if chat_id is None else chat_id
        message = self._messages.get(target_chat, {}).get(message_id)
        if message is None:
            raise ValueError(f"message {message_id} not found in chat {target_chat}")
        if message.get("from", {}).get("id") != user.id or "text" not in message:
            raise ValueError(f"message {message_id} is not a text message sent by {user.id}")
        message["text"] = new_text
        entities = _bot_command_entities(new_text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        message["edit_date"] = int(time.time())
        self.post_update({"edited_message": dict(message)})
        return message

    def press_button(
        self,
        user: SandboxUser,
        message: JSONDict | SentMessage,
        data: str,
        *,
        strict: bool = True,
    ) -> str:
        """Enqueue a ``callback_query`` for an inline button and return the query id.

        With `strict`, `data` must be the callback_data of a button currently on the message.
        """
        raw = message.message if isinstance(message, SentMessage) else message
        chat_id = raw["chat"]["id"]
        current = self._messages.get(chat_id, {}).get(raw["message_id"])
        if current is None:
            raise ValueError(f"message {raw['message_id']} no longer exists in chat {chat_id}")
        if strict and data not in _callback_datas(current.get("reply_markup")):
            raise ValueError(
                f"message {raw['message_id']} has no inline button with callback_data {data!r}; "
                f"buttons: {_callback_datas(current.get('reply_markup'))}"
            )
        query_id = str(4_000_000_000 + next(self._callback_counter))
        self._pending_callbacks.add(query_id)
        self.post_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": dict(current),
                    "chat_instance": str(abs(chat_id) * 31 + 7),
                    "data": data,
                }
            }
        )
        return query_id

    def post_update(self, update: dict[str, Any]) -> int:
        """Enqueue a raw update (update_id assigned if missing) and return its update_id."""
        update_id = update.get("update_id")
        if update_id is None:
            update_id = self._last_update_id + 1
            update = {"update_id": update_id, **update}
        elif not isinstance(update_id, int) or update_id <= self._last_update_id:
            raise ValueError(f"update_id must be an int above {self._last_update_id}")
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if isinstance(message, dict):
                self._absorb(message)
        self._updates.append(update)
        self._last_update_id = update_id
        if self._push_task is not None:
            self._to_push.append(update)
            self._push_wakeup.set()
        self._wake_pollers()
        self._notify()
        return update_id

    @property
    def last_update_id(self) -> int:
        """Return the id of the newest update posted so far (0 before any)."""
        return self._last_update_id

    @property
    def pending_updates(self) -> int:
        """Return how many updates are enqueued and not yet confirmed (offset or webhook 2xx)."""
        return len(self._updates) - len(self._pushed)

    @property
    def awaiting_bot(self) -> int:
        """Return how many unconfirmed updates the bot asked for (its ``allowed_updates``).

        The others are never delivered, as on Telegram: they wait for nobody.
        """
        allowed = self._allowed_updates
        return sum(
            1
            for update in self._updates
            if _is_wanted(next((k for k in update if k != "update_id"), ""), allowed)
        ) - len(self._pushed)

    def _user_chat(self, user: SandboxUser, chat_id: int | None, chat_type: str) -> JSONDict:
        """Return the chat a user action happens in, registering it if needed."""
        if user.id not in self._users:
            self.user(
                user.id,
                user.first_name,
                last_name=user.last_name,
                username=user.username,
                language_code=user.language_code,
            )
        if chat_id is None or chat_id == user.id:
            if chat_type != "private":
                raise ValueError("group messages need a negative chat_id")
            return self._chats[user.id]
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                chat_type = "group"
            chat = self.group(chat_id, f"Sandbox {chat_type} {chat_id}", chat_type=chat_type)
        return chat

    def _user_message(
        self, user: SandboxUser, chat: JSONDict, reply_to_message_id: int | None
    ) -> JSONDict:
        """Create a message dict from a user (not yet stored)."""
        reply = None
        if reply_to_message_id is not None:
            reply = self._messages.get(chat["id"], {}).get(reply_to_message_id)
            if reply is None:
                raise ValueError(f"message {reply_to_message_id} not found in chat {chat['id']}")
        message = self._new_message(chat, user.to_dict())
        if reply is not None:
            message["reply_to_message"] = _without_reply(reply)
        return message

    def _user_media(
        self,
        user: SandboxUser,
        stored: _StoredFile,
        caption: str | None,
        chat_id: int | None,
        reply_to_message_id: int | None,
    ) -> JSONDict:
        """Enqueue a media message from a user."""
        chat = self._user_chat(user, chat_id, "private" if chat_id is None else "group")
        message = self._user_message(user, chat, reply_to_message_id)
        message[stored.kind] = self._media_object(stored)
        if caption:
            message["caption"] = caption
            entities = _bot_command_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self._post_message(message)

    def _post_message(self, message: JSONDict) -> JSONDict:
        """Store a user message and enqueue it as an update."""
        self.post_update({"message": dict(message)})
        return message

    def _absorb(self, message: JSONDict) -> None:
        """Remember a message (and its chat) that arrives in an update."""
        chat = message.get("chat")
        message_id = message.get("message_id")
        if not isinstance(chat, dict) or not isinstance(message_id, int):
            return
        chat_id = chat["id"]
        self._chats.setdefault(chat_id, chat)
        stored = self._messages.setdefault(chat_id, {})
        if message_id in stored:
            stored[message_id].update(message)
        else:
            stored[message_id] = dict(message)
        if message_id > self._last_message_id.get(chat_id, 0):
            self._last_message_id[chat_id] = message_id

    # ---------------------------------------------------------------- inspecting the bot

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Return every message the bot sent to `chat_id`, oldest first."""
        return list(self._sent_by_chat.get(chat_id, ()))

    def calls(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one API method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self.requests if call.method.lower() == wanted]

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Return the bot commands set for a scope and language."""
        return list(self._commands.get(_commands_key(scope, language_code), ()))

    @property
    def webhook(self) -> JSONDict:
        """Return the stored webhook settings (empty when none)."""
        return dict(self._webhook)

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        *,
        timeout: float = 5.0,
    ) -> T:
        """Wait until `predicate()` is truthy, re-checking after every API call, and return it."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result  # type: ignore[return-value]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._describe_timeout(f"condition not met within {timeout}s"))
            await self._wait_change(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        contains: str | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> SentMessage:
        """Wait for the `count`-th message to `chat_id` (containing `contains`) and return it."""

        def matches(sent: SentMessage) -> bool:
            if contains is None:
                return True
            return any(contains in text for text in (sent.text, sent.plain_text) if text)

        def check() -> SentMessage | None:
            found = 0
            for sent in self._sent_by_chat.get(chat_id, ()):
                if matches(sent):
                    found += 1
                    if found == count:
                        return sent
            return None

        try:
            return await self.wait_for(check, timeout=timeout)
        except TimeoutError:
            what = f"message #{count} to chat {chat_id}"
            if contains is not None:
                what += f" containing {contains!r}"
            raise TimeoutError(self._describe_timeout(f"no {what} within {timeout}s")) from None

    async def wait_idle(
        self,
        *,
        quiet: float = 0.3,
        timeout: float = 10.0,
    ) -> None:
        """Wait until all updates were fetched and no API call arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            fetched = self._delivered_id >= self._last_update_id
            idle_for = now - self._last_activity
            if fetched and self._in_flight == 0 and idle_for >= quiet:
                return
            if now >= deadline:
                state = (
                    f"{self._last_update_id - self._delivered_id} updates not fetched"
                    if not fetched
                    else f"last API call {idle_for:.2f}s ago"
                )
                raise TimeoutError(self._describe_timeout(f"not idle within {timeout}s ({state})"))
            wait = deadline - now
            if fetched and self._in_flight == 0:
                wait = min(wait, quiet - idle_for)
            await self._wait_change(max(wait, 0.001))

    async def _wait_change(self, delay: float) -> None:
        """Wait until the next notification or `delay` seconds."""
        event = self._changed
        self._change_waiters += 1
        try:
            await asyncio.wait_for(event.wait(), delay)
        except TimeoutError:
            pass
        finally:
            self._change_waiters -= 1

    def _notify(self) -> None:
        """Wake everything waiting in wait_for / wait_idle."""
        if self._change_waiters:
            event, self._changed = self._changed, asyncio.Event()
            event.set()

    def _describe_timeout(self, headline: str) -> str:
        """Build a helpful timeout message with the recent traffic."""
        lines = [f"Sandbox: {headline}.", f"Pending updates: {self.pending_updates}."]
        recent = self.sent[-10:]
        lines.append(f"Last {len(recent)} of {len(self.sent)} sent messages:")
        lines.extend(
            f"  {m.method} chat={m.chat_id} id={m.message_id}: {(m.text or '')[:120]!r}"
            for m in recent
        )
        failed = [c for c in self.requests[-200:] if c.status != 200][-5:]
        if failed:
            lines.append("Recent failed API calls:")
            lines.extend(f"  {c.method} -> {c.status} {c.description}" for c in failed)
        return "\n".join(lines)

    # ---------------------------------------------------------------- faults and limits

    def inject_fault(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` (optionally for one chat) fail with `status`."""
        if status < 400:
            raise ValueError("fault status must be an HTTP error status")
        if times < 1:
            raise ValueError("times must be at least 1")
        is_429 = status == HTTPStatus.TOO_MANY_REQUESTS
        retry_after = max(1, retry_after or 1) if is_429 else None
        fault = _Fault(
            status=status,
            description=description or _default_fault_description(status, retry_after),
            retry_after=retry_after,
            chat_id=chat_id,
            remaining=times,
        )
        self._faults.setdefault(method.lower(), []).append(fault)

    def clear_faults(self) -> None:
        """Drop every injected fault that has not fired yet."""
        self._faults.clear()

    def stall_after(self, method: str, *, chat_id: int | None = None, times: int = 1) -> None:
        """Carry out the next `times` calls of `method` but withhold their answers.

        The message is delivered (it shows in `sent`), while the bot waits for an answer
        that only `release_stalls` (or stopping the sandbox) gives: what a bot killed
        mid-send, or a connection lost after Telegram took the request, looks like.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        stall = _Fault(
            status=200, description="", retry_after=None, chat_id=chat_id, remaining=times
        )
        self._stalls.setdefault(method.lower(), []).append(stall)

    def release_stalls(self) -> None:
        """Answer every withheld call now, and stop withholding."""
        self._stalls.clear()
        self._stall_release.set()
        self._stall_release = asyncio.Event()

    @property
    def stalled_calls(self) -> int:
        """Return how many calls are waiting for their withheld answer."""
        return self._stalled

    def _take_stall(self, key: str, params: JSONDict) -> bool:
        stalls = self._stalls.get(key)
        if not stalls:
            return False
        for stall in stalls:
            if stall.chat_id is None or stall.chat_id == params.get("chat_id"):
                stall.remaining -= 1
                if stall.remaining <= 0:
                    stalls.remove(stall)
                return True
        return False

    def block_bot(self, user_id: int) -> None:
        """Make every send to `user_id` fail with 403 as if the user blocked the bot."""
        self._blocked.add(user_id)

    def unblock_bot(self, user_id: int) -> None:
        """Undo `block_bot`."""
        self._blocked.discard(user_id)

    def set_rate_limits(
        self, *, global_per_second: float | None = None, per_chat_per_second: float | None = None
    ) -> None:
        """Enable sliding-window send limits (None disables a limit); excess calls get 429."""
        self._global_limit = _RateLimiter(global_per_second) if global_per_second else None
        self._chat_limit = _RateLimiter(per_chat_per_second) if per_chat_per_second else None

    def _take_fault(self, key: str, params: JSONDict) -> None:
        """Raise the first injected fault matching this call, consuming it."""
        faults = self._faults.get(key)
        if not faults:
            return
        chat_id = params.get("chat_id")
        for fault in faults:
            if fault.chat_id is None or fault.chat_id == chat_id:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.remove(fault)
                    if not faults:
                        del self._faults[key]
                raise _ApiError(fault.status, fault.description, fault.retry_after)

    def _admit(self, chat_id: int) -> None:
        """Apply the rate limits to one outgoing message and record it."""
        if self._global_limit is None and self._chat_limit is None:
            return
        now = time.monotonic()
        waits = [
            limiter.retry_after(key, now)
            for limiter, key in ((self._global_limit, 0), (self._chat_limit, chat_id))
            if limiter is not None
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            self.rate_limited_calls += 1
            raise _ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        if self._global_limit is not None:
            self._global_limit.record(0, now)
        if self._chat_limit is not None:
            self._chat_limit.record(chat_id, now)

    # ---------------------------------------------------------------- HTTP layer

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Serve ``/bot{token}/{method}``."""
        if request.match_info["token"] != self.token:
            return _error_response(401, "Unauthorized")
        name = request.match_info["method"]
        key = name.lower()
        entry = self._methods.get(key)
        try:
            params = await self._read_params(request)
        except _ApiError as exc:
            return _error_response(exc.status, exc.description)
        call = ApiCall(entry[0] if entry else name, params, time.monotonic())
        self.requests.append(call)
        polling = key == "getupdates"
        if not polling:
            self._in_flight += 1
        self._notify()
        try:
            if entry is None:
                raise _ApiError(404, "Not Found")
            self._take_fault(key, params)
            stall = self._take_stall(key, params)
            result = entry[1](params)
            if asyncio.iscoroutine(result):
                result = await result
            if stall and not self._closing:
                self._stalled += 1
                self._notify()
                try:
                    await self._stall_release.wait()
                finally:
                    self._stalled -= 1
            response = _json_response(200, {"ok": True, "result": result})
        except _ApiError as exc:
            call.status = exc.status
            call.description = exc.description
            response = _error_response(exc.status, exc.description, exc.retry_after)
        except Exception:
            logger.exception("Sandbox failed to handle %s", call.method)
            call.status = 500
            call.description = "Internal Server Error"
            response = _error_response(500, "Internal Server Error")
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
            self._notify()
        logger.debug("%s -> %d", call.method, call.status)
        return response

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve file downloads at ``/file/bot{token}/{file_path}``."""
        if request.match_info["token"] != self.token:
            return _error_response(401, "Unauthorized")
        path = request.match_info["file_path"]
        stored = self._file_paths.get(path)
        self._last_activity = time.monotonic()
        if stored is None:
            return _error_response(404, "Not Found")
        self.downloads.append(path)
        self._notify()
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Decode query string, form, multipart or JSON parameters."""
        params: JSONDict = {k: _decode_param(k, v) for k, v in request.query.items()}
        if not request.body_exists:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _ApiError(400, "Bad Request: JSON object expected")
            for k, v in body.items():
                params[k] = _decode_param(k, v) if isinstance(v, str) else v
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    params[part.name] = UploadedFile(
                        field=part.name,
                        file_name=part.filename,
                        content_type=part.headers.get("Content-Type", "application/octet-stream"),
                        content=bytes(await part.read(decode=True)),
                    )
                else:
                    params[part.name] = _decode_param(part.name, await part.text())
        else:
            form = await request.post()
            for k, v in form.items():
                if isinstance(v, str):
                    params[k] = _decode_param(k, v)
        return params

    # ---------------------------------------------------------------- updates

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Serve getUpdates with offset confirmation and long polling."""
        if self._webhook.get("url"):
            raise _ApiError(409, WEBHOOK_CONFLICT)
        offset = _optional_int(params, "offset")
        limit = min(max(_optional_int(params, "limit") or 100, 1), 100)
        timeout_value = params.get("timeout") or 0
        try:
            timeout = max(0.0, float(timeout_value))
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: invalid timeout specified") from None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if offset is not None:
            self._confirm(offset)

        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # a newer request terminates an older one, as on Telegram
        deadline = time.monotonic() + timeout
        while True:
            batch = self._collect(limit)
            if batch or self._closing:
                if batch:
                    self._last_activity = time.monotonic()
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            event = self._updates_event
            self._poll_waiters += 1
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._poll_waiters -= 1
            if generation != self._poll_generation and not self._closing:
                raise _ApiError(409, POLL_CONFLICT)

    def _wake_pollers(self, *, force: bool = False) -> None:
        """Wake long-polling getUpdates requests."""
        if self._poll_waiters or force:
            event, self._updates_event = self._updates_event, asyncio.Event()
            event.set()

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by `offset` (negative: keep only the last -offset)."""
        queue = self._updates
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
        else:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
        if not queue:
            self._delivered_id = max(self._delivered_id, self._last_update_id)
        else:
            self._delivered_id = max(self._delivered_id, queue[0]["update_id"] - 1)

    def _collect(self, limit: int) -> list[JSONDict]:
        """Return up to `limit` deliverable updates and mark them as fetched."""
        allowed = self._allowed_updates
        batch: list[JSONDict] = []
        scanned = self._delivered_id
        for update in self._updates:
            scanned = update["update_id"]
            kind = next((k for k in update if k != "update_id"), "")
            if _is_wanted(kind, allowed):
                batch.append(update)
                self.served_at.setdefault(scanned, time.monotonic())
                if len(batch) >= limit:
                    break
        if scanned > self._delivered_id:
            self._delivered_id = scanned
            self._notify()
        return batch

    # ---------------------------------------------------------------- shared building blocks

    def _new_message(self, chat: JSONDict, sender: JSONDict) -> JSONDict:
        """Create a message with the chat's next message_id."""
        chat_id = chat["id"]
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message: JSONDict = {
            "message_id": message_id,
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _chat_param(self, params: JSONDict, name: str = "chat_id") -> int:
        """Return a chat id parameter or raise Telegram's 400."""
        value = params.get(name)
        if value is None or value == "":
            raise _ApiError(400, f"Bad Request: {name} is empty")
        chat_id = _as_int(value)
        if chat_id is None:
            if isinstance(value, str) and value.startswith("@"):
                for chat in self._chats.values():
                    if chat.get("type") != "private" and chat.get("username") == value[1:]:
                        return int(chat["id"])
            raise _ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _target_chat(self, params: JSONDict) -> JSONDict:
        """Return the chat a bot action targets, enforcing existence and blocks."""
        chat_id = self._chat_param(params)
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise _ApiError(403, BLOCKED_DESCRIPTION)
        return chat

    def _find_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Return a stored message."""
        return self._messages.get(chat_id, {}).get(message_id)

    def _render(
        self, params: JSONDict, name: str, *, entities_name: str, limit: int
    ) -> tuple[str, list[JSONDict]] | None:
        """Validate and render a text/caption parameter into (plain text, entities)."""
        raw = _text_value(params, name)
        if raw is None:
            return None
        explicit = params.get(entities_name)
        if isinstance(explicit, list):
            plain, entities = raw, explicit
        else:
            mode = (_text_value(params, "parse_mode") or "").lower()
            if mode == "html":
                try:
                    plain, entities = parse_html(raw)
                except HtmlParseError as exc:
                    raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            elif mode in ("", "markdown", "markdownv2"):
                plain, entities = raw, []
            else:
                raise _ApiError(400, "Bad Request: unsupported parse_mode")
        if len(plain) > limit:
            what = "message is too long" if name == "text" else "message caption is too long"
            raise _ApiError(400, f"Bad Request: {what}")
        return plain, entities

    def _text_content(self, params: JSONDict) -> JSONDict:
        """Return the content of a text message, validating Telegram's rules."""
        rendered = self._render(params, "text", entities_name="entities", limit=MAX_TEXT_LENGTH)
        if rendered is None or not rendered[0].strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        plain, entities = rendered
        content: JSONDict = {"text": plain}
        if entities:
            content["entities"] = entities
        return content

    def _caption_content(self, params: JSONDict) -> JSONDict:
        """Return the caption fields of a media message."""
        rendered = self._render(
            params, "caption", entities_name="caption_entities", limit=MAX_CAPTION_LENGTH
        )
        if rendered is None or not rendered[0]:
            return {}
        plain, entities = rendered
        content: JSONDict = {"caption": plain}
        if entities:
            content["caption_entities"] = entities
        return content

    def _reply_to(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        """Resolve reply_parameters / reply_to_message_id into the replied message."""
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = _as_int(reply_parameters.get("message_id"))
            target = _as_int(reply_parameters.get("chat_id", chat_id))
            allow = bool(reply_parameters.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            message_id = _optional_int(params, "reply_to_message_id")
            target = chat_id
            allow = _flag(params, "allow_sending_without_reply")
        else:
            return None
        found = None
        if message_id is not None and target is not None:
            found = self._find_message(target, message_id)
        if found is None:
            if allow:
                return None
            raise _ApiError(400, "Bad Request: message to be replied not found")
        return _without_reply(found)

    def _markup(self, params: JSONDict) -> JSONDict | None:
        """Validate the reply_markup parameter."""
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, BAD_MARKUP)
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array')
            for row in rows:
                for button in row:
                    _check_inline_button(button)
        elif "force_reply" in markup:
            _check_force_reply(markup)
        return markup

    def _edit_markup(self, params: JSONDict) -> JSONDict | None:
        """Validate the reply_markup of an edit: only an inline keyboard can be edited in."""
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise _ApiError(400, NOT_INLINE_MARKUP)
        return markup

    def _compose(
        self,
        chat: JSONDict,
        content: JSONDict,
        reply: JSONDict | None,
        markup: JSONDict | None,
    ) -> JSONDict:
        """Create a bot message in `chat` with the given content."""
        message = self._new_message(chat, self._bot_user)
        message.update(content)
        if reply is not None:
            message["reply_to_message"] = reply
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _record(
        self,
        method: str,
        params: JSONDict,
        message: JSONDict,
        *,
        text: str | None,
        markup: JSONDict | None,
        stored: _StoredFile | None = None,
    ) -> SentMessage:
        """Record a message the bot sent."""
        chat_id = message["chat"]["id"]
        sent = SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=message["message_id"],
            text=text,
            parse_mode=_text_value(params, "parse_mode"),
            reply_markup=markup,
            params=params,
            time=time.monotonic(),
            message=message,
            file_content=stored.content if stored else None,
            file_name=stored.file_name if stored else None,
        )
        self.sent.append(sent)
        self._sent_by_chat.setdefault(chat_id, []).append(sent)
        self._sent_index[(chat_id, sent.message_id)] = sent
        return sent

    def _store_file(
        self,
        kind: str,
        content: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        meta: JSONDict | None = None,
    ) -> _StoredFile:
        """Store file bytes and return the new file record."""
        number = next(self._file_counter)
        folder, extension = _FILE_FOLDERS[kind]
        if kind == "photo" and content.startswith(b"\x89PNG"):
            extension = ".png"
        if kind in ("document", "audio") and file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1][:10]
        details: JSONDict = dict(meta or {})
        if kind == "photo":
            details["width"], details["height"] = _image_size(content)
        elif kind == "sticker":
            details = {
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                **details,
            }
        elif kind == "video":
            width, height = _image_size(content)
            details = {"width": width, "height": height, "duration": 1, **details}
        elif kind in ("voice", "audio"):
            details.setdefault("duration", 1)
        stored = _StoredFile(
            kind=kind,
            file_id=f"SBX{kind[:3].upper()}{number}x{secrets.token_hex(8)}",
            file_unique_id=f"SBXU{number}",
            file_path=f"{folder}/file_{number}{extension}",
            content=bytes(content),
            file_name=file_name,
            mime_type=mime_type,
            meta=details,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _media_object(self, stored: _StoredFile, overrides: JSONDict | None = None) -> Any:
        """Return the Bot API object (PhotoSize list, Document, Voice...) for a stored file."""
        data: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            **stored.meta,
            **(overrides or {}),
        }
        if stored.kind == "photo":
            return [data]
        if stored.kind in ("document", "audio") and stored.file_name:
            data["file_name"] = stored.file_name
        if stored.kind != "sticker" and stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    def _resolve_file(self, params: JSONDict, value: Any, kind: str, name: str) -> _StoredFile:
        """Turn an upload, attach:// reference or file_id into a stored file."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
            if not isinstance(value, UploadedFile):
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if isinstance(value, UploadedFile):
            if not value.content:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            mime = value.content_type
            if kind == "voice":
                mime = "audio/ogg"
            return self._store_file(kind, value.content, file_name=value.file_name, mime_type=mime)
        if value is None or value == "":
            raise _ApiError(400, f"Bad Request: there is no {name} in the request")
        if isinstance(value, str):
            stored = self._files.get(value)
            if stored is not None:
                if stored.kind != kind:
                    raise _ApiError(
                        400,
                        f"Bad Request: can't use file of type {stored.kind.title()} as "
                        f"{kind.title()}",
                    )
                return stored
            if value.startswith(("http://", "https://")):
                raise _ApiError(400, "Bad Request: failed to get HTTP URL content")
        raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    # ---------------------------------------------------------------- API methods

    def _api_true(self, params: JSONDict) -> bool:
        """Answer True."""
        return True

    def _api_get_me(self, params: JSONDict) -> JSONDict:
        """Serve getMe."""
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_set_webhook(self, params: JSONDict) -> bool:
        """Serve setWebhook: from now on pending and new updates are POSTed to the URL."""
        url = _text_value(params, "url") or ""
        if _flag(params, "drop_pending_updates"):
            self._drop_pending()
        if not url:
            await self._api_delete_webhook({})
            return True
        if not url.startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        max_connections = _optional_int(params, "max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        self._webhook = {"url": url, "max_connections": max_connections}
        for key in ("secret_token", "ip_address", "allowed_updates"):
            if params.get(key) is not None:
                self._webhook[key] = params[key]
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if self._push_task is None:
            self._to_push = deque(u for u in self._updates if u["update_id"] not in self._pushed)
            self._push_task = asyncio.create_task(self._push_updates(), name="sandbox-webhook")
        self._push_wakeup.set()
        return True

    async def _api_delete_webhook(self, params: JSONDict) -> bool:
        """Serve deleteWebhook: stop pushing; pending updates wait for getUpdates again."""
        if _flag(params, "drop_pending_updates"):
            self._drop_pending()
        self._webhook = {}
        await self._stop_pushing()
        return True

    def _drop_pending(self) -> None:
        """Forget every enqueued update."""
        self._updates.clear()
        self._to_push.clear()
        self._retries.clear()
        self._pushed.clear()
        self._delivered_id = self._last_update_id
        self._notify()

    async def _stop_pushing(self) -> None:
        """Stop the webhook pusher; posts under way are abandoned and stay pending."""
        task, self._push_task = self._push_task, None
        if task is not None:
            self._push_wakeup.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._to_push.clear()
        self._retries.clear()
        self._attempts.clear()
        self._posting.clear()

    async def _push_updates(self) -> None:
        """POST pending updates to the webhook as Telegram does, retrying until a 2xx."""
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
        posts: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession(
            timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
        ) as http:
            try:
                # Stopping clears _push_task: the loop ends even if a cancellation is lost.
                while self._push_task is asyncio.current_task():
                    self._push_wakeup.clear()
                    limit = int(self._webhook.get("max_connections", 40))
                    now = time.monotonic()
                    while len(self._posting) < limit:
                        update = self._next_to_push(now)
                        if update is None:
                            break
                        self._posting.add(update["update_id"])
                        post = asyncio.create_task(self._post_update(http, update))
                        posts.add(post)
                        post.add_done_callback(posts.discard)
                    wait = WEBHOOK_RETRY_MAX
                    if self._retries:
                        wait = max(0.0, min(wait, self._retries[0][0] - now))
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                    # that arrives as the wait ends, and stop() would wait forever.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._push_wakeup.wait()
            finally:
                for post in posts:
                    post.cancel()
                await asyncio.gather(*posts, return_exceptions=True)

    def _next_to_push(self, now: float) -> JSONDict | None:
        """Return the next update to POST: a due retry first, then the oldest untried one."""
        if self._retries and self._retries[0][0] <= now:
            return heapq.heappop(self._retries)[2]
        while self._to_push:
            update = self._to_push.popleft()
            kind = next((k for k in update if k != "update_id"), "")
            if _is_wanted(kind, self._allowed_updates):
                return update
            self._confirm_pushed(update["update_id"])  # Telegram never sends unwanted kinds
        return None

    async def _post_update(self, http: aiohttp.ClientSession, update: JSONDict) -> None:
        """POST one update; a 2xx confirms it, anything else schedules a retry."""
        update_id = update["update_id"]
        self.served_at.setdefault(update_id, time.monotonic())
        headers = {"Content-Type": "application/json"}
        secret = self._webhook.get("secret_token")
        if secret:
            headers[WEBHOOK_SECRET_HEADER] = str(secret)
        error: str | None = None
        self.webhook_posts += 1
        try:
            async with http.post(
                str(self._webhook["url"]), data=_dumps(update), headers=headers
            ) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            error = f"Connection failed: {type(err).__name__}: {err}"[:200]
        finally:
            self._posting.discard(update_id)
        if error is None:
            self._attempts.pop(update_id, None)
            self._confirm_pushed(update_id)
        else:
            self.webhook_failures += 1
            self._webhook_last_error = (int(time.time()), error)
            attempt = self._attempts.get(update_id, 0)
            self._attempts[update_id] = attempt + 1
            delay = min(WEBHOOK_RETRY_MAX, WEBHOOK_RETRY_MIN * 2**attempt)
            heapq.heappush(self._retries, (time.monotonic() + delay, update_id, update))
            logger.debug("webhook delivery of update %s failed: %s", update_id, error)
        self._push_wakeup.set()
        self._notify()

    def _confirm_pushed(self, update_id: int) -> None:
        """Forget a delivered update; the queue's head advances past everything delivered."""
        self._pushed.add(update_id)
        queue = self._updates
        while queue and queue[0]["update_id"] in self._pushed:
            self._pushed.discard(queue.popleft()["update_id"])
        self._delivered_id = queue[0]["update_id"] - 1 if queue else self._last_update_id
        self._last_activity = time.monotonic()

    def _api_get_webhook_info(self, params: JSONDict) -> JSONDict:
        """Serve getWebhookInfo."""
        info: JSONDict = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates,
        }
        if info["url"]:
            info["max_connections"] = self._webhook.get("max_connections", 40)
            if self._webhook_last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
            for key in ("ip_address", "allowed_updates"):
                if key in self._webhook:
                    info[key] = self._webhook[key]
        return info

    def _api_set_my_commands(self, params: JSONDict) -> bool:
        """Serve setMyCommands."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: commands is empty")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands specified")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _ApiError(400, "Bad Request: can't parse BotCommand")
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = _commands_key(params.get("scope"), _text_value(params, "language_code") or "")
        self._commands[key] = cleaned
        return True

    def _api_get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """Serve getMyCommands."""
        key = _commands_key(params.get("scope"), _text_value(params, "language_code") or "")
        return list(self._commands.get(key, ()))

    def _api_delete_my_commands(self, params: JSONDict) -> bool:
        """Serve deleteMyCommands."""
        key = _commands_key(params.get("scope"), _text_value(params, "language_code") or "")
        self._commands.pop(key, None)
        return True

    def _api_get_chat(self, params: JSONDict) -> JSONDict:
        """Serve getChat with a minimal ChatFullInfo."""
        chat_id = self._chat_param(params)
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        gift_types = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gift_types,
        }

    def _api_send_message(self, params: JSONDict) -> JSONDict:
        """Serve sendMessage."""
        chat = self._target_chat(params)
        content = self._text_content(params)
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, content, reply, markup)
        self._record(
            "sendMessage", params, message, text=_text_value(params, "text"), markup=markup
        )
        return message

    def _api_send_media(self, method: str, kind: str, params: JSONDict) -> JSONDict:
        """Serve sendPhoto / sendDocument / sendVoice / sendSticker / sendVideo / sendAudio."""
        chat = self._target_chat(params)
        caption = {} if kind == "sticker" else self._caption_content(params)
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        stored = self._resolve_file(params, params.get(kind), kind, kind)
        overrides: JSONDict = {}
        if kind in ("voice", "audio", "video") and _optional_int(params, "duration") is not None:
            overrides["duration"] = _optional_int(params, "duration")
        if kind == "sticker" and _text_value(params, "emoji"):
            overrides["emoji"] = _text_value(params, "emoji")
        self._admit(chat["id"])
        content = {kind: self._media_object(stored, overrides), **caption}
        message = self._compose(chat, content, reply, markup)
        self._record(
            method,
            params,
            message,
            text=_text_value(params, "caption"),
            markup=markup,
            stored=stored,
        )
        return message

    def _api_send_location(self, params: JSONDict) -> JSONDict:
        """Serve sendLocation."""
        chat = self._target_chat(params)
        try:
            location = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
        except (KeyError, TypeError, ValueError):
            raise _ApiError(400, "Bad Request: wrong latitude or longitude specified") from None
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, {"location": location}, reply, markup)
        self._record("sendLocation", params, message, text=None, markup=markup)
        return message

    def _api_send_contact(self, params: JSONDict) -> JSONDict:
        """Serve sendContact."""
        chat = self._target_chat(params)
        phone = _text_value(params, "phone_number")
        first_name = _text_value(params, "first_name")
        if not phone:
            raise _ApiError(400, "Bad Request: phone_number is empty")
        if not first_name:
            raise _ApiError(400, "Bad Request: first_name is empty")
        contact: JSONDict = {"phone_number": phone, "first_name": first_name}
        if params.get("last_name"):
            contact["last_name"] = _text_value(params, "last_name")
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, {"contact": contact}, reply, markup)
        self._record("sendContact", params, message, text=None, markup=markup)
        return message

    def _api_send_media_group(self, params: JSONDict) -> list[JSONDict]:
        """Serve sendMediaGroup."""
        chat = self._target_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _ApiError(400, "Bad Request: media must include 2-10 items")
        reply = self._reply_to(chat["id"], params)
        prepared: list[tuple[_StoredFile, JSONDict, str | None]] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in (
                "photo",
                "document",
                "video",
                "audio",
            ):
                raise _ApiError(400, "Bad Request: unsupported media type in the media group")
            kind = item["type"]
            stored = self._resolve_file(params, item.get("media"), kind, "media")
            caption = self._caption_content(item)
            prepared.append((stored, caption, _text_value(item, "caption")))
        self._admit(chat["id"])
        group_id = str(10_000_000 + next(self._media_group_counter))
        messages = []
        for stored, caption, raw_caption in prepared:
            content = {
                stored.kind: self._media_object(stored),
                "media_group_id": group_id,
                **caption,
            }
            message = self._compose(chat, content, reply, None)
            self._record(
                "sendMediaGroup", params, message, text=raw_caption, markup=None, stored=stored
            )
            messages.append(message)
        return messages

    def _api_send_chat_action(self, params: JSONDict) -> bool:
        """Serve sendChatAction."""
        self._target_chat(params)
        if _text_value(params, "action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _source_message(self, params: JSONDict, what: str) -> JSONDict:
        """Return the message referenced by from_chat_id/message_id."""
        from_chat_id = self._chat_param(params, "from_chat_id")
        message_id = _int_param(params, "message_id")
        if from_chat_id not in self._chats:
            raise _ApiError(400, "Bad Request: chat not found")
        source = self._find_message(from_chat_id, message_id)
        if source is None:
            raise _ApiError(400, f"Bad Request: message to {what} not found")
        return source

    def _api_copy_message(self, params: JSONDict) -> JSONDict:
        """Serve copyMessage."""
        chat = self._target_chat(params)
        source = self._source_message(params, "copy")
        content = {k: source[k] for k in _CONTENT_KEYS if k in source}
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_content(params))
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, content, reply, markup)
        text = _text_value(params, "caption") or content.get("text", content.get("caption"))
        self._record(
            "copyMessage",
            params,
            message,
            text=text,
            markup=markup,
            stored=self._stored_of(message),
        )
        return {"message_id": message["message_id"]}

    def _api_forward_message(self, params: JSONDict) -> JSONDict:
        """Serve forwardMessage."""
        chat = self._target_chat(params)
        source = self._source_message(params, "forward")
        content = {k: source[k] for k in _CONTENT_KEYS if k in source}
        origin = source.get("forward_origin") or {
            "type": "user",
            "sender_user": source.get("from", self._bot_user),
            "date": source["date"],
        }
        self._admit(chat["id"])
        message = self._compose(chat, {**content, "forward_origin": origin}, None, None)
        self._record(
            "forwardMessage",
            params,
            message,
            text=content.get("text", content.get("caption")),
            markup=None,
            stored=self._stored_of(message),
        )
        return message

    def _stored_of(self, message: JSONDict) -> _StoredFile | None:
        """Return the stored file a media message carries."""
        for kind in _MEDIA_KINDS:
            media = message.get(kind)
            if isinstance(media, list) and media:
                media = media[-1]
            if isinstance(media, dict):
                return self._files.get(media.get("file_id", ""))
        return None

    def _editable(self, params: JSONDict) -> tuple[JSONDict, SentMessage | None]:
        """Return the bot message an edit targets."""
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = _int_param(params, "message_id")
        message = self._find_message(chat["id"], message_id)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message, self._sent_index.get((chat["id"], message_id))

    @staticmethod
    def _inline_markup(markup: JSONDict | None) -> JSONDict | None:
        """Return the markup if it is an inline keyboard."""
        return markup if markup is not None and "inline_keyboard" in markup else None

    def _apply_edit(
        self, message: JSONDict, content: JSONDict, keys: Iterable[str], markup: JSONDict | None
    ) -> None:
        """Replace content keys and the inline keyboard of a message, or raise not modified."""
        keys = tuple(keys)
        inline = self._inline_markup(markup)
        if (
            all(message.get(k) == content.get(k) for k in keys)
            and message.get("reply_markup") == inline
        ):
            raise _ApiError(400, NOT_MODIFIED)
        for key in keys:
            if key in content:
                message[key] = content[key]
            else:
                message.pop(key, None)
        if inline is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = inline
        message["edit_date"] = int(time.time())

    def _api_edit_message_text(self, params: JSONDict) -> JSONDict:
        """Serve editMessageText."""
        message, sent = self._editable(params)
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        content = self._text_content(params)
        markup = self._edit_markup(params)
        self._apply_edit(message, content, ("text", "entities"), markup)
        if sent is not None:
            new_text = _text_value(params, "text") or ""
            sent.edits.append(new_text)
            sent.text = new_text
            sent.parse_mode = _text_value(params, "parse_mode")
            sent.reply_markup = markup
        return message

    def _api_edit_message_caption(self, params: JSONDict) -> JSONDict:
        """Serve editMessageCaption."""
        message, sent = self._editable(params)
        if "text" in message:
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        content = self._caption_content(params)
        markup = self._edit_markup(params)
        self._apply_edit(message, content, ("caption", "caption_entities"), markup)
        if sent is not None:
            new_caption = _text_value(params, "caption") or ""
            sent.edits.append(new_caption)
            sent.text = new_caption or None
            sent.parse_mode = _text_value(params, "parse_mode")
            sent.reply_markup = markup
        return message

    def _api_edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        """Serve editMessageReplyMarkup."""
        message, sent = self._editable(params)
        markup = self._edit_markup(params)
        self._apply_edit(message, {}, (), markup)
        if sent is not None:
            sent.reply_markup = markup
        return message

    def _api_delete_message(self, params: JSONDict) -> bool:
        """Serve deleteMessage."""
        chat_id = self._chat_param(params)
        message_id = _int_param(params, "message_id")
        messages = self._messages.get(chat_id, {})
        if messages.pop(message_id, None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        sent = self._sent_index.get((chat_id, message_id))
        if sent is not None:
            sent.deleted = True
        return True

    def _api_answer_callback_query(self, params: JSONDict) -> bool:
        """Serve answerCallbackQuery."""
        query_id = _text_value(params, "callback_query_id")
        if not query_id:
            raise _ApiError(400, "Bad Request: callback_query_id is empty")
        if query_id not in self._pending_callbacks:
            raise _ApiError(400, CALLBACK_INVALID)
        text = _text_value(params, "text")
        if text is not None and len(text) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=_flag(params, "show_alert"),
                url=_text_value(params, "url"),
                time=time.monotonic(),
            )
        )
        return True

    def _api_get_file(self, params: JSONDict) -> JSONDict:
        """Serve getFile."""
        file_id = _text_value(params, "file_id")
        if not file_id:
            raise _ApiError(400, "Bad Request: file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


class SandboxLoadBalancer:
    """A round-robin HTTP proxy on loopback: the load balancer in front of webhook replicas.

    Like a reverse proxy with ``proxy_next_upstream error``, a request goes to the next
    backend in turn, and to the one after that when a backend refuses the connection or drops
    it (a replica that stopped or was killed); when none answers the caller gets a 502 and
    Telegram (here: the sandbox) retries later. Responses, including errors, pass through.
    """

    def __init__(
        self, backends: Iterable[str] = (), *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.backends = [b.rstrip("/") for b in backends]
        self.host = host
        self.port = port
        self.forwarded: dict[str, int] = {}  # backend -> requests it answered
        self.failovers = 0
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """Return the balancer's base URL."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind the proxy; port 0 picks a free port."""
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=0),
        )
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE)
        app.router.add_route("*", "/{path:.*}", self._proxy)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop proxying."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def __aenter__(self) -> SandboxLoadBalancer:
        """Start the balancer."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the balancer."""
        await self.stop()

    async def _proxy(self, request: web.Request) -> web.StreamResponse:
        """Forward a request to the next live backend."""
        assert self._http is not None
        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in {"host", "content-length", "connection", "transfer-encoding"}
        }
        for _ in range(len(self.backends)):
            backend = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                async with self._http.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.forwarded[backend] = self.forwarded.get(backend, 0) + 1
                    return web.Response(
                        status=answer.status,
                        body=payload,
                        content_type=answer.content_type,
                    )
            except (aiohttp.ClientConnectionError, TimeoutError, OSError) as err:
                self.failovers += 1
                logger.debug("load balancer: %s failed (%s); trying the next", backend, err)
        return web.Response(status=502, text="no backend answered")


def _is_wanted(kind: str, allowed: frozenset[str] | None) -> bool:
    """Return whether an update type is delivered under the current allowed_updates."""
    if allowed is None:
        return kind not in _DEFAULT_EXCLUDED_UPDATES
    return kind in allowed


def _without_reply(message: JSONDict) -> JSONDict:
    """Return a copy of a message without its own reply_to_message (Telegram nests one level)."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    """Return the storage key of a command list."""
    if not isinstance(scope, dict):
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _check_force_reply(markup: JSONDict) -> None:
    """Validate a ForceReply object: force_reply is True, the placeholder 1-64 characters."""
    placeholder = markup.get("input_field_placeholder")
    if markup.get("force_reply") is not True or not isinstance(
        markup.get("selective", False), bool
    ):
        raise _ApiError(400, BAD_MARKUP)
    if placeholder is not None and (
        not isinstance(placeholder, str) or not 1 <= len(placeholder) <= MAX_PLACEHOLDER_LENGTH
    ):
        raise _ApiError(400, BAD_MARKUP)


def _check_inline_button(button: Any) -> None:
    """Validate one inline keyboard button like Telegram does."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _ApiError(
            400,
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
        )
    if not button["text"]:
        raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    actions = [key for key in button if key in _BUTTON_ACTIONS]
    if not actions:
        raise _ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        )
    data = button.get("callback_data")
    if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64):
        raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
