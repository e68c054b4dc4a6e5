"""Spreadsheet-safe cells: whatever a spreadsheet may run as a formula gets an apostrophe."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.imports.cells import neutralise_cell, neutralise_row, restore_cell, runs_as_formula

# Characters a reader cannot see, which must not hide a formula sign behind them.
HIDDEN = {
    "space": " ",
    "LF": "\n",
    "CR": "\r",
    "TAB": "\t",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "NUL": "\x00",
    "unit separator": "\x1f",
    "NEL": "\x85",
    "NBSP": "\xa0",
    "soft hyphen": "\xad",
    "ZWSP": "\u200b",
    "ZWNJ": "\u200c",
    "ZWJ": "\u200d",
    "LRM": "\u200e",
    "RLO": "\u202e",
    "line separator": "\u2028",
    "narrow NBSP": "\u202f",
    "word joiner": "\u2060",
    "invisible times": "\u2062",
    "ideographic space": "\u3000",
    "Hangul filler": "\u3164",
    "BOM": "\ufeff",
    "interlinear annotation": "\ufff9",
    "tag space": "\U000e0020",
}
SIGNS = ["=", "+", "-", "@", "＝", "＋", "－", "＠"]


@pytest.mark.parametrize("hidden", list(HIDDEN.values()), ids=list(HIDDEN))
def test_a_formula_behind_invisible_characters_is_neutralised(hidden: str) -> None:
    for sign in SIGNS:
        for prefix in (hidden, hidden * 3, f" {hidden}\n"):
            value = f'{prefix}{sign}HYPERLINK("http://evil.example")'
            assert neutralise_cell(value) == "'" + value, (prefix, sign)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-12.5", "'-12.5"),  # numbers too: a spreadsheet cannot tell "-2+3+cmd|..." apart
        ("+15551234567", "'+15551234567"),
        ("  =1+1", "'  =1+1"),
        # OWASP lists TAB and CR as formula starters themselves, whatever follows.
        ("\tcmd", "'\tcmd"),
        ("\r", "'\r"),
        ("\rAnn", "'\rAnn"),
        # Nothing else is touched.
        ("Ann", "Ann"),
        ("a=b", "a=b"),
        ("王小明", "王小明"),
        ("\u200bAnn", "\u200bAnn"),
        ("\n\nline", "\n\nline"),
        ("   ", "   "),
        ("\u200b", "\u200b"),
        ("", ""),
    ],
)
def test_neutralise_cell(raw: str, expected: str) -> None:
    assert neutralise_cell(raw) == expected
    assert runs_as_formula(raw) == (raw != expected)


def test_neutralise_row() -> None:
    assert neutralise_row(["id", "=x", "\u3000+1"]) == ["id", "'=x", "'\u3000+1"]


@pytest.mark.parametrize(
    ("raw", "neutralised"),
    [
        ("=1+1", "'=1+1"),
        ("'=1+1", "''=1+1"),  # an apostrophe typed before a formula gets one more
        ("''\u200b-1", "'''\u200b-1"),
        ("'twas", "'twas"),
        ("'", "'"),
        ("''", "''"),
        ("Ann", "Ann"),
    ],
)
def test_restoring_takes_off_only_the_apostrophe_the_export_added(
    raw: str, neutralised: str
) -> None:
    assert neutralise_cell(raw) == neutralised
    assert restore_cell(neutralised) == raw


FORMULA_LIKE = st.text(st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "\n", "\u200b",
                                        "\u3000", "\ufeff", "a", "1", " "]))  # fmt: skip


@given(st.one_of(FORMULA_LIKE, st.text()))
def test_restore_undoes_neutralise_for_any_text(text: str) -> None:
    assert restore_cell(neutralise_cell(text)) == text
    assert not runs_as_formula(neutralise_cell(text))
