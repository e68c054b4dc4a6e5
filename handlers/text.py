"""Text helpers for Telegram: HTML escaping and splitting under the 4,096-character limit."""

from __future__ import annotations

import html
import re
from typing import NamedTuple

TELEGRAM_LIMIT = 4096

# Our HTML holds tags and entities only where we wrote them: user text is escaped, so every
# "<" opens a tag and every "&" an entity.
_TOKEN_RE = re.compile(r"<[^<>]*>|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{0,31});")
_TAG_NAME_RE = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def esc(text: object) -> str:
    """Escape text for HTML parse mode (user text must never become markup)."""
    return html.escape(str(text), quote=False)


def _units(text: str) -> int:
    """Return the length Telegram's limit counts: UTF-16 code units of the visible text."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def visible_text(html_text: str) -> str:
    """Return what Telegram shows of an HTML text: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^<>]*>", "", html_text))


class _Token(NamedTuple):
    """One indivisible piece of a text: a character, an entity, or a tag."""

    source: str
    units: int  # visible length (0 for a tag)
    char: str = ""  # the character shown, for characters and entities
    tag: str = ""  # the tag name, for tags
    closing: bool = False


def _tokens(text: str, *, markup: bool) -> list[_Token]:
    if not markup:
        return [_Token(c, _units(c), c) for c in text]
    tokens: list[_Token] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        tokens += [_Token(c, _units(c), c) for c in text[position : match.start()]]
        piece = match.group(0)
        if piece.startswith("<"):
            name = _TAG_NAME_RE.match(piece)
            tag = name.group(1).lower() if name else ""
            tokens.append(_Token(piece, 0, tag=tag, closing=piece.startswith("</")))
        else:
            shown = html.unescape(piece)
            tokens.append(_Token(piece, _units(shown), shown))
        position = match.end()
    tokens += [_Token(c, _units(c), c) for c in text[position:]]
    return tokens


def split_message(text: str, *, limit: int = TELEGRAM_LIMIT, html: bool = True) -> list[str]:
    """Split a message into parts Telegram takes: each at most `limit` visible characters.

    With `html` (parse mode HTML, the default) the limit counts the text as shown, the way
    Telegram does, and a part never cuts through a tag or an entity such as ``&amp;``: a
    tag open at a cut is closed at the end of one part and opened again in the next. Parts
    end at the last line break that fits, else at the last space in their second half (that
    one line break or space is dropped), else exactly at the limit: every other character
    arrives, in order.
    """
    if limit < 2:
        raise ValueError("a part must hold at least one character of any kind")
    if _units(visible_text(text) if html else text) <= limit:
        return [text]
    tokens = _tokens(text, markup=html)
    parts: list[str] = []
    stack: list[_Token] = []  # tags open where the current part starts
    index = 0
    while index < len(tokens):
        start, opened = index, list(stack)
        shown = 0
        line_break: tuple[int, list[_Token]] | None = None
        space: tuple[int, list[_Token]] | None = None
        while index < len(tokens):
            token = tokens[index]
            if token.tag:
                if not token.closing:
                    stack.append(token)
                elif stack:
                    stack.pop()
            else:
                if shown + token.units > limit:
                    break
                if token.char == "\n" and shown > 0:
                    line_break = (index, list(stack))
                elif token.char == " " and shown >= limit // 2:
                    space = (index, list(stack))
                shown += token.units
            index += 1
        else:
            parts.append(_part(opened, tokens[start:], []))
            break
        if line_break is not None or space is not None:
            cut, stack = line_break or space  # type: ignore[misc]
            resume = cut + 1  # the line break or space itself is dropped
        else:
            cut = index
            while cut > start and tokens[cut - 1].tag and not tokens[cut - 1].closing:
                cut -= 1  # a tag opened right at the cut opens in the next part instead
                stack.pop()
            resume = cut
        parts.append(_part(opened, tokens[start:cut], stack))
        index = resume
    kept = [p for p in parts if (visible_text(p) if html else p).strip()]
    return kept or parts[:1]


def _part(opened: list[_Token], body: list[_Token], still_open: list[_Token]) -> str:
    """Return one part: the tags open at its start re-opened, its text, open tags closed."""
    head = "".join(t.source for t in opened)
    tail = "".join(f"</{t.tag}>" for t in reversed(still_open))
    return head + "".join(t.source for t in body) + tail
