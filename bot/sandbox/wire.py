"""The Bot API's HTTP shape: PTB's parameters in, Telegram's JSON answers and errors out.

PTB 22 sends ``POST {base_url}{token}/{method}`` with form-encoded data in which every non-string
value is a JSON string (``chat_id=123``, ``reply_markup={...}``), or ``multipart/form-data`` when
files are uploaded (the file part is named after the parameter, e.g. ``photo``, or
``attached<hex>`` when referenced as ``attach://attached<hex>`` in a media group). JSON bodies and
query strings are accepted as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import BodyPartReader, web

JSONDict = dict[str, Any]

MAX_UPLOAD_SIZE = 50 * 1024 * 1024

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
        "icon_custom_emoji_id",
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


@dataclass(frozen=True)
class UploadedFile:
    """A file part received in a multipart request."""

    field: str
    file_name: str
    content_type: str
    content: bytes = field(repr=False)


class ApiError(Exception):
    """An error answered to the client in Telegram's JSON shape."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def decode_param(name: str, value: str) -> Any:
    """Decode a form value the way PTB encoded it (non-strings are JSON strings)."""
    if name in _RAW_STRING_PARAMS or not value:
        return value
    if value[0] in '{["-0123456789' or value in ("true", "false", "null"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def read_params(request: web.Request) -> JSONDict:
    """Decode query string, form, multipart or JSON parameters."""
    params: JSONDict = {k: decode_param(k, v) for k, v in request.query.items()}
    if not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        for k, v in body.items():
            params[k] = decode_param(k, v) if isinstance(v, str) else v
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
                params[part.name] = decode_param(part.name, await part.text())
    else:
        form = await request.post()
        for k, v in form.items():
            if isinstance(v, str):
                params[k] = decode_param(k, v)
    return params


def text_value(params: JSONDict, name: str) -> str | None:
    """Return a text-like parameter as str (JSON bodies may carry numbers)."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def as_int(value: Any) -> int | None:
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


def int_param(params: JSONDict, name: str) -> int:
    """Return a required integer parameter or raise Telegram's 400."""
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(400, f"Bad Request: {name} is empty")
    number = as_int(value)
    if number is None:
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    return number


def optional_int(params: JSONDict, name: str) -> int | None:
    """Return an optional integer parameter."""
    value = params.get(name)
    if value is None or value == "":
        return None
    number = as_int(value)
    if number is None:
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    return number


def flag(params: JSONDict, name: str) -> bool:
    """Return a boolean parameter (absent means False)."""
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def dumps(data: Any) -> bytes:
    """Serialize a JSON payload compactly."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, payload: JSONDict) -> web.Response:
    """Build a JSON HTTP response."""
    return web.Response(status=status, body=dumps(payload), content_type="application/json")


def error_response(status: int, description: str, retry_after: int | None = None) -> web.Response:
    """Build a Telegram-shaped error response."""
    payload: JSONDict = {"ok": False, "error_code": status, "description": description}
    if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return json_response(status, payload)
