"""Telegram-flavoured HTML to plain text plus MessageEntity dicts, offsets in UTF-16 units.

This changes with Telegram's formatting rules (tags, error wording), not with the server.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.sandbox.wire import JSONDict

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


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


def bot_command_entities(text: str) -> list[JSONDict]:
    """Return the bot_command entity for text starting with a command."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]
