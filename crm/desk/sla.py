"""Service-level targets: find tickets past them, once per ticket and target."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery

from crm import clock
from crm.desk.routing import release_ticket
from crm.models import OPEN_STATUSES, SlaBreach, SlaKind, Ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SlaTargets:
    """How fast the business promises to answer and to resolve."""

    first_response: timedelta
    resolution: timedelta


async def detect_breaches(*, targets: SlaTargets) -> list[SlaBreach]:
    """Record every open ticket newly past a target; return the new breaches."""
    now = clock.utcnow()
    found: list[SlaBreach] = []
    checks = (
        (SlaKind.FIRST_RESPONSE, targets.first_response, {"first_response_at": None}),
        (SlaKind.RESOLUTION, targets.resolution, {}),
    )
    for kind, target, extra in checks:
        already = Subquery(SlaBreach.filter(kind=kind).values("ticket_id"))
        late = await Ticket.filter(
            status__in=list(OPEN_STATUSES), created_at__lte=now - target, **extra
        ).exclude(id__in=already)
        for ticket in late:
            try:
                breach = await SlaBreach.create(
                    ticket_id=ticket.id,
                    kind=kind,
                    agent_id=ticket.assignee_id,  # type: ignore[attr-defined]
                    detected_at=now,
                )
            except IntegrityError:
                continue  # another run recorded it a moment ago
            found.append(breach)
    if found:
        await SlaBreach.fetch_for_list(found, "ticket__customer", "agent")
    return found


async def mark_notified(*, breaches: list[SlaBreach]) -> None:
    """Record that managers were told about these breaches."""
    if breaches:
        await SlaBreach.filter(id__in=[b.id for b in breaches]).update(notified_at=clock.utcnow())


async def unnotified_breaches() -> list[SlaBreach]:
    """Return breaches recorded but not yet announced (a crash between the two)."""
    return (
        await SlaBreach.filter(notified_at=None)
        .order_by("detected_at", "id")
        .select_related("ticket__customer", "agent")
    )


async def late_tickets_with_offline_agents() -> list[Ticket]:
    """Return breached open tickets whose agent is offline (removed agents are offline too)."""
    breached = Subquery(SlaBreach.all().values("ticket_id"))
    return await Ticket.filter(
        id__in=breached, status__in=list(OPEN_STATUSES), assignee__online=False
    )


async def release_late_from_offline_agents() -> list[Ticket]:
    """Put breached tickets of offline agents back in the queue, so someone online takes them.

    Returns the tickets released; draining the queue then hands them out.
    """
    late = await late_tickets_with_offline_agents()
    for ticket in late:
        log.info("re-routing late ticket #%s away from its offline agent", ticket.id)
        await release_ticket(ticket=ticket)
    return late
