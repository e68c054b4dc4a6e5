"""Cells a spreadsheet opens as text: formulas neutralised on export, restored on import.

OWASP's CSV-injection rule: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (or the full-width ``＝＋－＠``) may run as a formula in Excel, LibreOffice or Google
Sheets, so it gets a leading apostrophe. Invisible characters before the sign hide it from a
reader but not from every spreadsheet or import step (many trim them), so any run of whitespace,
control, format or blank-filler characters (LF, NBSP, U+200B, U+2060, U+FEFF, U+3000...) before
it counts as nothing: ``"\\u200b=1+1"`` is prefixed too.

A cell that already starts with apostrophes before such a value gets one more, so that
``restore_cell`` can take off exactly the apostrophe ``neutralise_cell`` added:
``restore_cell(neutralise_cell(text)) == text`` for every text, and the importer reads the desk's
own exports back as they were.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["neutralise_cell", "neutralise_row", "restore_cell", "runs_as_formula"]

_FORMULA_SIGNS = frozenset("=+-@＝＋－＠")
_RUN_BY_THEMSELVES = ("\t", "\r")
# Control, format (U+200B..U+200F, U+2060, U+FEFF...) and separator (spaces, U+2028/9) classes.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Letters that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(char: str) -> bool:
    return (
        char.isspace()
        or char in _BLANK_LETTERS
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
    )


def runs_as_formula(value: str) -> bool:
    """Say whether a spreadsheet may read the text as a formula."""
    if value.startswith(_RUN_BY_THEMSELVES):
        return True
    for char in value:
        if not _invisible(char):
            return char in _FORMULA_SIGNS
    return False


def _needs_apostrophe(value: str) -> bool:
    # Apostrophes already in front of a formula get one more, so restoring is unambiguous.
    return runs_as_formula(value.lstrip("'"))


def neutralise_cell(value: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula."""
    # Applied to every such cell: "-12.5" and "+15551234567" are prefixed too, because a
    # spreadsheet cannot tell a number from "-2+3+cmd|..." by its first character.
    return "'" + value if _needs_apostrophe(value) else value


def neutralise_row(values: Iterable[str]) -> list[str]:
    """Neutralise every cell of a row of text."""
    return [neutralise_cell(value) for value in values]


def restore_cell(value: str) -> str:
    """Take off the apostrophe neutralise_cell added; leave any other text as it is."""
    return value[1:] if value.startswith("'") and _needs_apostrophe(value) else value
