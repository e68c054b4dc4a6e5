"""Dialog state in the store: one step taken once, however many replicas race for it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from crm import clock
from crm.models import DialogState
from crm.store import dialogs

pytestmark = pytest.mark.usefixtures("store")


async def _start(step: int = 0, **data: object) -> dialogs.Dialog:
    return await dialogs.start(name="campaign_new", user_id=1, chat_id=1, step=step, data=data)


async def test_a_dialog_moves_step_by_step_and_ends() -> None:
    dialog = await _start(text="")
    claimed = await dialogs.claim(dialog)
    assert claimed is not None
    moved = await dialogs.advance(claimed, step=1, data={"text": "Sale"})
    assert moved is not None
    again = await dialogs.current(name="campaign_new", user_id=1, chat_id=1)
    assert (again.step, again.data) == (1, {"text": "Sale"})
    # Per user and chat: another manager's dialog is another row.
    assert await dialogs.current(name="campaign_new", user_id=2, chat_id=1) is None
    assert await dialogs.finish(again)
    assert await DialogState.all().count() == 0


async def test_of_two_updates_reading_one_step_only_one_takes_it() -> None:
    dialog = await _start()
    results = await asyncio.gather(*(dialogs.claim(dialog) for _ in range(5)))
    assert sum(r is not None for r in results) == 1
    [claimed] = [r for r in results if r is not None]
    # While one update takes the step, another that reads it now finds nothing to take.
    busy = await dialogs.current(name="campaign_new", user_id=1, chat_id=1)
    assert busy.step == dialogs.BUSY and await dialogs.claim(busy) is None
    # The loser's view is stale: it can neither move nor end the dialog.
    assert await dialogs.advance(dialog, step=3, data={}) is None
    assert not await dialogs.finish(dialog)
    assert await dialogs.advance(claimed, step=1, data={"n": 1}) is not None
    assert (await dialogs.current(name="campaign_new", user_id=1, chat_id=1)).step == 1


async def test_starting_again_replaces_the_dialog_in_progress() -> None:
    await _start(step=3, text="old")
    fresh = await _start(step=0)
    assert fresh.step == 0 and fresh.data == {}
    assert await DialogState.all().count() == 1


async def test_expiry_and_housekeeping() -> None:
    dialog = await _start()
    assert not dialog.expired(timedelta(minutes=15))
    clock.advance(timedelta(minutes=16))
    try:
        assert dialog.expired(timedelta(minutes=15))
        assert await dialogs.forget_stale(older_than=timedelta(days=1)) == 0
        clock.advance(timedelta(days=1))
        assert await dialogs.forget_stale(older_than=timedelta(days=1)) == 1
    finally:
        clock.reset()
