"""Traces of one person in raw data: Telegram update payloads and audit details.

Pure functions over JSON-like values, so the erasure (crm.customers.privacy) and its tests agree on
what counts as someone's trace: their Telegram ids, the handles that reach only them
(username, phone, e-mail), their names, and texts quoted from their conversations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

ERASED = "[erased]"
# A shorter text ("ok", "thanks") says nothing about who wrote it and is everywhere.
MIN_QUOTE = 8
# A name or handle shorter than this (in Latin letters) is not searched for.
MIN_WORD = 3
# The parts of a stored record that name or reach a person.
NAME_FIELDS = ("first_name", "last_name")
HANDLE_FIELDS = ("username", "phone", "email")
# The objects of an update that say who sent it and in which chat.
_SENDER_KEYS = ("from", "chat", "user")


@dataclass(frozen=True)
class Identity:
    """What identifies one person in raw data."""

    telegram_ids: frozenset[int] = frozenset()
    # First and last names: they name the person, and other people too.
    names: frozenset[str] = frozenset()
    # Username, phone and e-mail: they reach this person only.
    handles: frozenset[str] = frozenset()
    # Texts of their conversations, found verbatim where someone quoted them.
    texts: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        telegram_ids: Iterable[int | None] = (),
        texts: Iterable[str | None] = (),
    ) -> Identity:
        """Gather an identity from customer records (rows or audit snapshots) and more."""
        ids = {i for i in telegram_ids if isinstance(i, int) and not isinstance(i, bool)}
        names: set[str] = set()
        handles: set[str] = set()
        for record in records:
            tid = record.get("telegram_id")
            if isinstance(tid, int) and not isinstance(tid, bool):
                ids.add(tid)
            names.update(_words_of(record.get(name) for name in NAME_FIELDS))
            handles.update(_words_of(record.get(name) for name in HANDLE_FIELDS))
        for handle in list(handles):
            if handle.startswith("+") and handle[1:].isdigit():
                handles.add(handle[1:])  # Telegram shares phone numbers without the "+"
        quotes = {t for t in texts if t and len(t.strip()) >= MIN_QUOTE}
        return cls(frozenset(ids), frozenset(names), frozenset(handles), frozenset(quotes))

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return _whole_words(self.names | self.handles)

    @cached_property
    def _handle_pattern(self) -> re.Pattern[str] | None:
        return _whole_words(self.handles)

    def needles(self, *, names: bool = True) -> set[str]:
        """Return substrings a stored row's text holds if it may hold a trace (a prefilter).

        Each comes as written and JSON-escaped too: SQLite keeps JSON with non-ASCII
        characters and newlines escaped.
        """
        plain = {str(i) for i in self.telegram_ids} | set(self.handles)
        if names:
            plain |= set(self.names) | set(self.texts)
        return plain | {json.dumps(p)[1:-1] for p in plain}

    def names_them(self, text: str) -> bool:
        """Return whether a text names, reaches or quotes the person."""
        if self._pattern is not None and self._pattern.search(text):
            return True
        return any(quote in text for quote in self.texts)

    def reaches_them(self, text: str) -> bool:
        """Return whether a text holds a handle that reaches only this person."""
        return self._handle_pattern is not None and bool(self._handle_pattern.search(text))


def sent_by(payload: Mapping[str, Any], identity: Identity) -> bool:
    """Return whether a Telegram update came from the person or from their chat with us."""
    for key, value in payload.items():
        if key == "update_id" or not isinstance(value, Mapping):
            continue
        holders = [value.get(k) for k in _SENDER_KEYS]
        message = value.get("message")  # a button press names the chat of its message
        if isinstance(message, Mapping):
            holders.append(message.get("chat"))
        for holder in holders:
            if isinstance(holder, Mapping) and _is_their_id(holder.get("id"), identity):
                return True
    return False


def mentions(value: Any, identity: Identity, *, names: bool = True) -> bool:
    """Return whether a JSON value holds their id or a handle (with names: a name or quote)."""
    if isinstance(value, Mapping):
        return any(mentions(v, identity, names=names) for v in value.values())
    if isinstance(value, list | tuple):
        return any(mentions(v, identity, names=names) for v in value)
    if isinstance(value, str):
        return identity.names_them(value) if names else identity.reaches_them(value)
    return _is_their_id(value, identity)


def scrub(value: Any, identity: Identity) -> Any:
    """Return a copy of a JSON value with the person's ids nulled and their strings erased."""
    if isinstance(value, Mapping):
        return {k: scrub(v, identity) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, identity) for v in value]
    if isinstance(value, str):
        return ERASED if identity.names_them(value) else value
    return None if _is_their_id(value, identity) else value


def stub(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return what is kept of an erased update: its id, so a redelivery is still recognised."""
    return {"update_id": payload["update_id"]}


def _is_their_id(value: Any, identity: Identity) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in identity.telegram_ids


def _whole_words(words: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(words, key=len, reverse=True)  # the longest alternative wins
    if not ordered:
        return None
    alternatives = "|".join(re.escape(w) for w in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _words_of(values: Iterable[Any]) -> set[str]:
    # Shorter Latin words ("Al", "Li") are parts of too many others to search for; two
    # Chinese characters are a whole name.
    words = {v.strip() for v in values if isinstance(v, str)}
    return {w for w in words if len(w) >= MIN_WORD or (len(w) >= 2 and not w.isascii())}
