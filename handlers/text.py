"""Text helpers for Telegram: HTML escaping and splitting under the 4,096-character limit."""

from __future__ import annotations

import html

TELEGRAM_LIMIT = 4096


def esc(text: object) -> str:
    """Escape text for HTML parse mode (user text must never become markup)."""
    return html.escape(str(text), quote=False)


def split_message(text: str, *, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split text into chunks under the limit on line boundaries, never mid-line if avoidable.

    Callers keep every HTML tag within one line, so a chunk never cuts through a tag. A
    single line longer than the limit is cut at the last space before it (or hard-cut).
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            piece, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [text[:limit]]
