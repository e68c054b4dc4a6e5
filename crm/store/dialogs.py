"""Step-by-step dialogs whose state lives in the store, so every bot replica can continue one.

A dialog is a row per (name, user, chat): the step it waits on, its answers so far, and
when it last moved. Each write is conditional on that time, so when two replicas handle
two updates of the same step at once (a double press), exactly one moves the dialog on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from crm import clock
from crm.models import DialogState

BUSY = -2  # the step of a dialog while one update takes its step


@dataclass(frozen=True, slots=True)
class Dialog:
    """A dialog as read from the store at one moment."""

    id: int
    name: str
    user_id: int
    chat_id: int
    step: int
    data: dict[str, Any]
    updated_at: datetime

    def expired(self, timeout: timedelta) -> bool:
        """Return whether the dialog waited longer than ``timeout`` for its next answer."""
        return clock.utcnow() - self.updated_at > timeout


def _of(row: DialogState) -> Dialog:
    return Dialog(
        id=row.id,
        name=row.name,
        user_id=row.user_id,
        chat_id=row.chat_id,
        step=row.step,
        data=dict(row.data),
        updated_at=row.updated_at,
    )


def _next_time(after: datetime | None = None) -> datetime:
    """Return now, or a microsecond past `after` if the clock has not moved since."""
    now = clock.utcnow()
    if after is not None and now <= after:
        now = after + timedelta(microseconds=1)
    return now


async def start(
    *, name: str, user_id: int, chat_id: int, step: int, data: dict[str, Any]
) -> Dialog:
    """Begin a dialog (replacing one of the same name in that chat) at ``step``."""
    await DialogState.filter(name=name, user_id=user_id, chat_id=chat_id).delete()
    try:
        row = await DialogState.create(
            name=name,
            user_id=user_id,
            chat_id=chat_id,
            step=step,
            data=data,
            updated_at=_next_time(),
        )
    except IntegrityError:
        # Started twice at once (two replicas): the other start stands; take it over.
        row = await DialogState.get(name=name, user_id=user_id, chat_id=chat_id)
        row.step, row.data, row.updated_at = step, data, _next_time(row.updated_at)
        await row.save(update_fields=["step", "data", "updated_at"])
    return _of(row)


async def current(*, name: str, user_id: int, chat_id: int) -> Dialog | None:
    """Return the dialog in progress, if any (expired ones too: the caller says so)."""
    row = await DialogState.get_or_none(name=name, user_id=user_id, chat_id=chat_id)
    return None if row is None else _of(row)


async def claim(dialog: Dialog) -> Dialog | None:
    """Take the dialog's current step for this update; None when another update has it.

    The claimed dialog is BUSY until ``advance`` (or ``finish``): an update that reads it
    meanwhile, on any replica, finds no step to take.
    """
    if dialog.step == BUSY:
        return None
    moved = _next_time(dialog.updated_at)
    won = await DialogState.filter(
        id=dialog.id, updated_at=dialog.updated_at, step=dialog.step
    ).update(step=BUSY, updated_at=moved)
    if not won:
        return None
    return replace(dialog, step=BUSY, updated_at=moved)


async def advance(dialog: Dialog, *, step: int, data: dict[str, Any]) -> Dialog | None:
    """Move a claimed dialog to ``step`` with new answers; None if it moved meanwhile."""
    moved = _next_time(dialog.updated_at)
    won = await DialogState.filter(id=dialog.id, updated_at=dialog.updated_at).update(
        step=step, data=data, updated_at=moved
    )
    if not won:
        return None
    return replace(dialog, step=step, data=data, updated_at=moved)


async def finish(dialog: Dialog) -> bool:
    """End the dialog (done, cancelled or timed out) unless it moved since it was read."""
    return bool(await DialogState.filter(id=dialog.id, updated_at=dialog.updated_at).delete())


async def forget_stale(*, older_than: timedelta) -> int:
    """Delete dialogs nobody answered for ``older_than`` (housekeeping); return how many."""
    return await DialogState.filter(updated_at__lt=clock.utcnow() - older_than).delete()
