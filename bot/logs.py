"""Logging setup: readable lines, library noise down, secrets never written (logged or printed)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from collections.abc import Iterable
from typing import Any, TextIO

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_installed = False


def redact(text: str) -> str:
    """Replace every registered secret in a text with ***, in any letter case.

    Any case, because python-telegram-bot capitalises error messages (str.capitalize,
    which lowers the rest): "Bad Request: ... /bot123:AAHx/getMe" reaches us as
    "... /bot123:aahx/getme", and an exact match would let that token through.
    """
    return text if _pattern is None else _pattern.sub("***", text)


def protect_secrets(secrets: Iterable[str]) -> None:
    """Scrub these values from every log record this process creates, whatever the handler.

    python-telegram-bot logs its API URL (which ends in the token) at DEBUG and httpx logs
    request lines at INFO; a record factory catches those before any handler sees them.
    """
    global _installed, _pattern
    _secrets.update(s for s in secrets if s)
    if _secrets:
        # Longest first, so a secret that contains another is replaced whole.
        alternatives = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets:
            _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class ScrubbedStream:
    """A text stream that passes every write on with the registered secrets replaced by ***."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write the text, scrubbed; return the length written as the caller knows it."""
        self.stream.write(redact(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each line, scrubbed."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)  # flush, isatty, encoding, fileno...


def scrub_output(secrets: Iterable[str]) -> None:
    """Scrub these values from the logs and from all the process prints (stdout, stderr).

    Lines printed rather than logged (a start-up failure, the CLI's output, the doctor's
    report, an uncaught traceback) pass the same redaction as log records: one wrapper
    around each standard stream catches them whoever prints.
    """
    protect_secrets(secrets)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, ScrubbedStream):
            setattr(sys, name, ScrubbedStream(stream))


def _scrub(record: logging.LogRecord) -> None:
    try:
        text = record.getMessage()
    except Exception:  # a malformed record is the logging module's business, not ours
        return
    clean = redact(text)
    if clean != text:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        cleaned = redact(formatted)
        if cleaned != formatted:
            record.exc_text = cleaned
            record.exc_info = None


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON."""
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(*, level: int, secrets: Iterable[str] = (), json_lines: bool = False) -> None:
    """Configure the root logger once for the process (text, or JSON lines)."""
    protect_secrets(secrets)
    root = logging.getLogger()
    root.setLevel(level)
    handler = next((h for h in root.handlers if getattr(h, "_crm_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._crm_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    formatter = JsonFormatter() if json_lines else logging.Formatter(_FORMAT)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    quiet_libraries()


def quiet_libraries() -> None:
    """Turn down chatty libraries; httpx's request lines would also repeat every URL."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    logging.getLogger("asyncio").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
