"""The audit log: who did what privileged thing (merges, links, imports, exports), and when."""

from __future__ import annotations

from typing import Any

from crm.models import AuditEntry

_MAX_LIMIT = 1000


async def record(
    *,
    actor_telegram_id: int | None,
    action: str,
    subject: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; actor None means the CLI or the system itself."""
    return await AuditEntry.create(
        actor_telegram_id=actor_telegram_id,
        action=action[:64],
        subject=subject[:255],
        details=details or {},
    )


async def recent(*, limit: int = 20, action: str | None = None) -> list[AuditEntry]:
    """Return the newest entries first, optionally of one action (or prefix "import.")."""
    query = AuditEntry.all()
    if action:
        # "import." lists every import; "customer.merge" only merges.
        query = (
            query.filter(action__startswith=action)
            if action.endswith(".")
            else query.filter(action=action)
        )
    return await query.order_by("-created_at", "-id").limit(max(1, min(limit, _MAX_LIMIT)))


def describe(entry: AuditEntry) -> str:
    """Render an entry as one line for a terminal or a chat."""
    if entry.actor_telegram_id is not None:
        actor = f"user {entry.actor_telegram_id}"
    else:
        # An erased customer's own actions (and erasure) lost their id, yet were not the CLI's.
        actor = "erased customer" if entry.details.get("actor_erased") else "cli"
    when = entry.created_at.strftime("%Y-%m-%d %H:%M")
    summary = _summary(entry.details)
    subject = f" {entry.subject}" if entry.subject else ""
    return f"#{entry.id} {when} {actor} {entry.action}{subject}{summary}"


def _summary(details: dict[str, Any]) -> str:
    counts = details.get("counts")
    if isinstance(counts, dict):
        return " · " + ", ".join(f"{key} {value}" for key, value in counts.items())
    if "rows" in details:
        return f" · {details['rows']} rows"
    return ""
