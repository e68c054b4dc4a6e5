"""Pure parsing and formatting rules of ticket intake."""

from __future__ import annotations

import pytest

from crm.desk.tickets import make_subject, parse_rating, parse_ticket_number
from crm.errors import InvalidInput
from crm.models import MediaType


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["5"], (5, "")), (["1", "too", "slow"], (1, "too slow")), (["03"], (3, ""))],
)
def test_parse_rating_accepts_scores(args: list[str], expected: tuple[int, str]) -> None:
    assert parse_rating(args) == expected


@pytest.mark.parametrize("args", [[], ["abc"], ["9"], ["0"], ["-1"], ["4.5"], ["100"]])
def test_parse_rating_refuses_bad_input(args: list[str]) -> None:
    with pytest.raises(InvalidInput):
        parse_rating(args)


def test_subject_is_one_short_line() -> None:
    assert make_subject("  hello \n  world  ") == "hello world"
    long = "word " * 40
    subject = make_subject(long)
    assert len(subject) <= 80 and subject.endswith("…") and "  " not in subject
    assert make_subject("", MediaType.VOICE) == "[voice]"


@pytest.mark.parametrize(("raw", "number"), [("12", 12), ("#7", 7)])
def test_ticket_number_parses(raw: str, number: int) -> None:
    assert parse_ticket_number(raw) == number


@pytest.mark.parametrize("raw", ["abc", "0", "-3", "1.5", "", "99999999999"])
def test_ticket_number_refuses_junk(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_ticket_number(raw)
