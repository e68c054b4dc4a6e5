"""Files the bot uploads and downloads: the store behind file_id, getFile and /file/ paths."""

from __future__ import annotations

import itertools
import secrets
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.wire import ApiError, JSONDict, UploadedFile, error_response, text_value

MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

MEDIA_KINDS = ("photo", "document", "voice", "sticker", "video", "audio")

_FILE_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "voice": ("voice", ".oga"),
    "sticker": ("stickers", ".webp"),
    "video": ("videos", ".mp4"),
    "audio": ("music", ".mp3"),
}


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


@dataclass
class StoredFile:
    """A file known to the sandbox, addressable by file_id and file_path."""

    kind: str
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes = field(repr=False)
    file_name: str | None
    mime_type: str | None
    meta: JSONDict


def _image_size(content: bytes) -> tuple[int, int]:
    """Return the (width, height) of a PNG, or a plausible default for other images."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 640, 480


class FileStore:
    """Mixed into SandboxBotAPI: stores file bytes and resolves uploads and file_ids."""

    def _init_files(self) -> None:
        """Start with an empty store."""
        self.downloads: list[str] = []
        self._files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)

    def _store_file(
        self,
        kind: str,
        content: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        meta: JSONDict | None = None,
    ) -> StoredFile:
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
        stored = StoredFile(
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

    def _media_object(self, stored: StoredFile, overrides: JSONDict | None = None) -> Any:
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

    def _resolve_file(self, params: JSONDict, value: Any, kind: str, name: str) -> StoredFile:
        """Turn an upload, attach:// reference or file_id into a stored file."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
            if not isinstance(value, UploadedFile):
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if isinstance(value, UploadedFile):
            if not value.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            mime = value.content_type
            if kind == "voice":
                mime = "audio/ogg"
            return self._store_file(kind, value.content, file_name=value.file_name, mime_type=mime)
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        if isinstance(value, str):
            stored = self._files.get(value)
            if stored is not None:
                if stored.kind != kind:
                    raise ApiError(
                        400,
                        f"Bad Request: can't use file of type {stored.kind.title()} as "
                        f"{kind.title()}",
                    )
                return stored
            if value.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _stored_of(self, message: JSONDict) -> StoredFile | None:
        """Return the stored file a media message carries."""
        for kind in MEDIA_KINDS:
            media = message.get(kind)
            if isinstance(media, list) and media:
                media = media[-1]
            if isinstance(media, dict):
                return self._files.get(media.get("file_id", ""))
        return None

    def _api_get_file(self, params: JSONDict) -> JSONDict:
        """Serve getFile."""
        file_id = text_value(params, "file_id")
        if not file_id:
            raise ApiError(400, "Bad Request: file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve file downloads at ``/file/bot{token}/{file_path}``."""
        if request.match_info["token"] != self.token:
            return error_response(401, "Unauthorized")
        path = request.match_info["file_path"]
        stored = self._file_paths.get(path)
        self._last_activity = time.monotonic()
        if stored is None:
            return error_response(404, "Not Found")
        self.downloads.append(path)
        self._notify()
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )
