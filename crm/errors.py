"""Domain errors, turned into user-facing text at the edge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from crm.i18n import DEFAULT_LANGUAGE, t

if TYPE_CHECKING:
    from crm.models import StaffMember


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


class AlreadyAssigned(InvalidInput):
    """Someone else owns the ticket."""

    def __init__(self, ticket_id: int, owner: StaffMember) -> None:
        self.say("staff.err.ticket_already_with", ticket_id=ticket_id, owner=owner.label)
        self.ticket_id = ticket_id
        self.owner = owner


class LastManager(InvalidInput):
    """Removing this manager would leave the desk without one."""

    def __init__(self, member: StaffMember) -> None:
        self.say("staff.err.last_manager", name=member.label, telegram_id=member.telegram_id)
        self.member = member


class SurveyClosed(CrmError):
    """The survey was answered already, or a newer one replaced it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "answered" | "superseded" | "unknown"


class CustomerNotFound(InvalidInput):
    """No customer has that id."""

    def __init__(self, customer_id: int) -> None:
        self.say("staff.err.customer_not_found", customer_id=customer_id)
        self.customer_id = customer_id


class DealNotFound(InvalidInput):
    """No deal has that number."""

    def __init__(self, deal_id: int) -> None:
        self.say("staff.err.deal_not_found", deal_id=deal_id)
        self.deal_id = deal_id


class TaskNotFound(InvalidInput):
    """No task has that number."""

    def __init__(self, task_id: int) -> None:
        self.say("staff.err.task_not_found", task_id=task_id)
        self.task_id = task_id


class CampaignNotFound(InvalidInput):
    """No campaign with that number."""

    def __init__(self, campaign_id: int) -> None:
        self.say("staff.err.campaign_not_found", campaign_id=campaign_id)
        self.campaign_id = campaign_id


class CleaningError(InvalidInput):
    """A value (or a whole file) the importer cannot use; the message says why."""


class SentimentModelError(CrmError):
    """A sentiment model file is missing, unreadable or not a sentiment model."""


class StoreUnavailable(CrmError):
    """The store cannot be opened at all (e.g. its folder does not exist)."""


class SchemaTooNew(CrmError):
    """The store was migrated by a newer version of the product than this one."""
