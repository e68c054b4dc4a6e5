"""One parser for the ids people type: ``12`` or ``#12`` (and ``c12`` for a customer)."""

from __future__ import annotations

import re

from crm.errors import InvalidInput


def parse_id(raw: str, *, refusal: str, digits: int = 9, letter: str = "", **values: object) -> int:
    """Return the positive id ``raw`` names; raise InvalidInput with the catalog's ``refusal``.

    A leading ``#`` is allowed, and a leading ``letter`` too where the id has one (``c12``).
    ``values`` fill the refusal's placeholders besides ``raw``.
    """
    text = raw.strip().lower().lstrip("#")
    if letter and text.startswith(letter):
        text = text[len(letter) :]
    if not re.fullmatch(rf"\d{{1,{digits}}}", text) or int(text) == 0:
        raise InvalidInput.of(refusal, raw=raw, **values)
    return int(text)
