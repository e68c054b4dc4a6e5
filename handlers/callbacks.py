"""Callback data as typed values: each button kind packs and parses in one definition.

Telegram hands a button's ``callback_data`` back as a string of at most 64 bytes. A kind is
declared once, in the manner of aiogram's ``CallbackData`` classes::

    class TicketButton(CallbackData, prefix="tk"):
        action: Literal["take", "close", "show"]
        ticket: int

    data = TicketButton(action="take", ticket=12).pack()   # "tk:take:12"
    TicketButton.unpack("tk:take:12")                       # TicketButton(action="take", ...)
    CallbackQueryHandler(on_ticket, pattern=TicketButton.pattern())

A field is an ``int`` (a positive id, at most 12 digits), a ``Literal`` of strings, an
``enum`` of strings or ints (stored by value), or a ``str`` (no colon). Data that is not
exactly one of ours, a tampered id included, unpacks to ``None``.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import typing
from typing import Any, ClassVar, Literal, Self, get_args, get_origin

MAX_BYTES = 64  # Telegram's limit on callback_data
_INT = r"[1-9]\d{0,11}"
_STR = r"[^:]{1,40}"


class CallbackData:
    """Base of every button kind: subclass with ``prefix=...`` and annotated fields."""

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, Any], ...]]
    _regex: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,9}", prefix):
            raise ValueError(f"callback prefix {prefix!r}: 1-10 lower-case letters or digits")
        taken = _PREFIXES.setdefault(prefix, cls)
        if taken is not cls and taken.__qualname__ != cls.__qualname__:
            raise ValueError(f"callback prefix {prefix!r} is already {taken.__qualname__}'s")
        cls.prefix = prefix
        dataclasses.dataclass(frozen=True, slots=False)(cls)
        hints = typing.get_type_hints(cls)
        cls._fields = tuple(
            (field.name, hints[field.name])
            for field in dataclasses.fields(cls)  # type: ignore[arg-type]
        )
        parts = [re.escape(prefix)] + [f"({_part(kind)})" for _, kind in cls._fields]
        cls._regex = re.compile("^" + ":".join(parts) + "$")

    def pack(self) -> str:
        """Return the callback_data string; refuse values that would not parse back."""
        values = [_text(getattr(self, name)) for name, _ in self._fields]
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > MAX_BYTES or self.unpack(data) != self:
            raise ValueError(f"{type(self).__name__} cannot be packed into {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        """Return the value ``data`` encodes, or None when it is not exactly one of ours."""
        if not data:
            return None
        match = cls._regex.match(data)
        if match is None:
            return None
        values = {
            name: _value(kind, raw)
            for (name, kind), raw in zip(cls._fields, match.groups(), strict=True)
        }
        return cls(**values)

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """Return the regex a CallbackQueryHandler uses to route only this kind to its handler."""
        return re.compile("^" + re.escape(cls.prefix) + ":")


_PREFIXES: dict[str, type[CallbackData]] = {}


def _part(kind: Any) -> str:
    if kind is int:
        return _INT
    if kind is str:
        return _STR
    if get_origin(kind) is Literal:
        return "|".join(re.escape(str(choice)) for choice in get_args(kind))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return "|".join(re.escape(str(member.value)) for member in kind)
    raise TypeError(f"callback field type {kind!r} is not supported")


def _text(value: Any) -> str:
    return str(value.value if isinstance(value, enum.Enum) else value)


def _value(kind: Any, raw: str) -> Any:
    if kind is int:
        return int(raw)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(member for member in kind if str(member.value) == raw)
    if get_origin(kind) is Literal:
        return next(choice for choice in get_args(kind) if str(choice) == raw)
    return raw


# The button kinds of the desk, one definition each (their prefixes are on the wire: keep them).


class TicketButton(CallbackData, prefix="tk"):
    """Take, Close or History under a ticket message."""

    action: Literal["take", "close", "show"]
    ticket: int


class RatingButton(CallbackData, prefix="csat"):
    """One of the 1-5 stars under a satisfaction survey."""

    survey: int
    score: Literal[1, 2, 3, 4, 5]


class CommentButton(CallbackData, prefix="csatc"):
    """The "Add a comment" button under the thanks for a rating."""

    survey: int


class NpsButton(CallbackData, prefix="nps"):
    """One of the 0-10 answers to the recommendation question."""

    response: int
    score: Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


class ForgetButton(CallbackData, prefix="forget"):
    """Yes or No to a customer's own request to erase their data."""

    customer: int
    answer: Literal["yes", "no"]


class TaskButton(CallbackData, prefix="sl"):
    """Done under a follow-up task reminder."""

    action: Literal["done"]
    task: int


# The campaign buttons predate the codec, and buttons already in chats must keep working, so
# both reproduce their old strings byte for byte: ``cn:<owner's Telegram id>:<answer>`` (the
# /campaign_new dialog; an answer is a step with its choice, ``aud:3``, or a step alone,
# ``ok``) and ``campaign:<id>:interested`` (under a campaign message).
# Every answer a dialog button can carry: a segment of the newest run (at most 12 buttons,
# by index), everyone, no button, a control share, create, cancel, and the preview's button.
DialogAnswer = Literal[
    "aud:all",
    "aud:0",
    "aud:1",
    "aud:2",
    "aud:3",
    "aud:4",
    "aud:5",
    "aud:6",
    "aud:7",
    "aud:8",
    "aud:9",
    "aud:10",
    "aud:11",
    "btn:skip",
    "ctl:0",
    "ctl:10",
    "ctl:20",
    "ok",
    "no",
    "pv",
]


class DialogButton(CallbackData, prefix="cn"):
    """A press on a /campaign_new button: whose dialog it belongs to, and the answer."""

    owner: int  # the manager's Telegram id
    answer: DialogAnswer

    @property
    def step(self) -> str:
        """Return the step the answer is for: ``aud``, ``btn``, ``ctl``, ``ok``, ``no``, ``pv``."""
        return self.answer.partition(":")[0]

    @property
    def choice(self) -> str:
        """Return the choice made in the step (``3`` of ``aud:3``), or the step alone."""
        return self.answer.rpartition(":")[2]


class InterestButton(CallbackData, prefix="campaign"):
    """A customer's press on "I'm interested" under a campaign message."""

    campaign: int
    action: Literal["interested"] = "interested"
