"""Domain errors, turned into user-facing text at the edge."""

from __future__ import annotations

from typing import Self

from crm.i18n import DEFAULT_LANGUAGE, t


class CrmError(Exception):
    """Base of every error the domain raises on purpose.

    One raised by catalog key (``InvalidInput.of("staff.err.…", raw=raw)``) reads in English
    where it is printed (logs, the CLI) and in each staff member's language in Telegram.
    """

    key: str | None = None
    values: dict[str, object]

    @classmethod
    def of(cls, key: str, /, **values: object) -> Self:
        """Return the error whose message is a catalog text, filled with values."""
        err = cls.__new__(cls)
        err.say(key, **values)
        return err

    def say(self, key: str, /, **values: object) -> None:
        """Make the message a catalog text (for subclasses' own __init__)."""
        Exception.__init__(self, t(key, DEFAULT_LANGUAGE, **values))
        self.key, self.values = key, values

    def text(self, language: str | None) -> str:
        """Return the message in a language (a message raised without a key is as raised)."""
        if self.key is None:
            return str(self)
        values = {
            name: value.text(language) if isinstance(value, CrmError) else value
            for name, value in self.values.items()
        }
        return t(self.key, language, **values)


class TicketNotFound(CrmError):
    """No ticket with that number is visible to the caller."""

    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"ticket #{ticket_id} not found")
        self.ticket_id = ticket_id


class TicketAlreadyResolved(CrmError):
    """The ticket is already resolved."""

    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"ticket #{ticket_id} is already resolved")
        self.ticket_id = ticket_id


class NoOpenTicket(CrmError):
    """The customer has no open ticket to act on."""


class InvalidInput(CrmError):
    """Input that the domain refuses; the message says why."""


class NotAuthorised(CrmError):
    """The caller may not do this."""
