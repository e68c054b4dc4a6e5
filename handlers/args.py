"""A command's arguments: read once, counted, and refused with the command's usage line.

Every staff command's usage text is the catalog's ``staff.usage.<command>``; a wrong count or
a malformed value raises ``InvalidInput`` that names the problem and shows the usage, which
the error handler (handlers.errors) turns into a reply.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeVar

from telegram.ext import CallbackContext

from crm.errors import InvalidInput
from crm.i18n import Phrase

T = TypeVar("T")


def words(context: CallbackContext) -> list[str]:  # type: ignore[type-arg]
    """Return the words after the command (none for a message that is not a command)."""
    return list(context.args or [])


def usage(command: str, **values: object) -> Phrase:
    """Return the usage line of a staff command."""
    return Phrase(f"staff.usage.{command}", **values)


def refuse_usage(command: str, **values: object) -> InvalidInput:
    """Return the error for a command typed without the arguments it needs."""
    return InvalidInput.of("staff.err.usage", usage=usage(command, **values))


def expect(
    context: CallbackContext,  # type: ignore[type-arg]
    command: str,
    *,
    counts: Collection[int] | None = None,
    at_least: int = 0,
    **usage_values: object,
) -> list[str]:
    """Return the command's words; refuse a count not in ``counts``, or under ``at_least``."""
    given = words(context)
    if len(given) < at_least or (counts is not None and len(given) not in counts):
        raise refuse_usage(command, **usage_values)
    return given


def parsed(command: str, parse: Callable[[str], T], raw: str, **usage_values: object) -> T:
    """Return ``parse(raw)``; a refusal is shown together with the command's usage."""
    try:
        return parse(raw)
    except InvalidInput as error:
        raise InvalidInput.of(
            "staff.err.with_usage", error=error, usage=usage(command, **usage_values)
        ) from None
