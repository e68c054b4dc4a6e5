"""Domain errors, turned into user-facing text at the edge."""

from __future__ import annotations


class CrmError(Exception):
    """Base of every error the domain raises on purpose."""


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
