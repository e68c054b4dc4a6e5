"""Callback data: one definition packs and parses each button kind (handlers.callbacks)."""

from __future__ import annotations

import enum
from typing import Literal

import pytest

from handlers.callbacks import CallbackData


class Colour(enum.Enum):
    RED = "r"
    BLUE = "b"


class Sample(CallbackData, prefix="zzsample"):
    action: Literal["take", "close"]
    ticket: int
    colour: Colour


def test_a_value_packs_and_parses_back() -> None:
    value = Sample(action="take", ticket=12, colour=Colour.BLUE)
    assert value.pack() == "zzsample:take:12:b"
    assert Sample.unpack("zzsample:take:12:b") == value
    assert Sample.pattern().match("zzsample:anything")
    assert not Sample.pattern().match("zzsamplex:take:12:b")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "zzsample:take:12",  # a field missing
        "zzsample:take:12:b:extra",
        "zzsample:open:12:b",  # not one of the choices
        "zzsample:take:0:b",  # ids are positive
        "zzsample:take:012:b",
        "zzsample:take:1234567890123:b",  # over 12 digits
        "zzsample:take:-1:b",
        "zzsample:take:12:g",
        "other:take:12:b",
    ],
)
def test_data_that_is_not_exactly_ours_unpacks_to_none(data: str | None) -> None:
    assert Sample.unpack(data) is None


def test_a_value_that_would_not_parse_back_is_refused_when_packed() -> None:
    with pytest.raises(ValueError):
        Sample(action="take", ticket=0, colour=Colour.RED).pack()
    with pytest.raises(ValueError):
        Sample(action="open", ticket=1, colour=Colour.RED).pack()  # type: ignore[arg-type]


def test_a_prefix_belongs_to_one_kind() -> None:
    with pytest.raises(ValueError, match="already"):

        class Other(CallbackData, prefix="zzsample"):
            ticket: int
