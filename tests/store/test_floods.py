"""Flood control's policy on a per-test database: what counts, what happens over the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm import clock
from crm.desk.floods import WINDOW, FloodControl, Input, Verdict
from crm.desk.staff import add_agent
from crm.models import Customer, Message, StaffMember, Ticket
from crm.store import inbox
from tests.factories import inbound, make_profile

pytestmark = pytest.mark.usefixtures("store")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALICE = make_profile(501, "Alice")


async def _send(control: FloodControl, n: int, kind: Input = Input.MESSAGE, profile=ALICE):
    """Screen n inputs one second apart; return the screenings."""
    results = []
    for i in range(n):
        message = inbound(profile, f"message {i}") if kind is Input.MESSAGE else None
        results.append(await control.screen(profile=profile, kind=kind, message=message))
        clock.advance(timedelta(seconds=1))
    return results


async def test_up_to_the_limit_passes_then_input_is_stored_and_announced_once() -> None:
    clock.freeze(T0)
    control = FloodControl(limit=5)
    results = await _send(control, 8)

    assert [r.verdict for r in results] == [Verdict.PASS] * 5 + [Verdict.STORED] * 3
    assert [r.notify for r in results] == [False] * 5 + [True, False, False]
    assert results[5].recent == 6
    # Only what was held is stored here (the usual handlers store the rest), on one ticket.
    texts = await Message.all().order_by("id").values_list("text", flat=True)
    assert texts == ["message 5", "message 6", "message 7"]
    assert results[5].ticket is not None and results[5].customer is not None
    assert {r.ticket.id for r in results[5:]} == {results[5].ticket.id}


async def test_commands_over_the_limit_are_stored_verbatim_on_the_open_ticket() -> None:
    control = FloodControl(limit=1)
    await control.screen(profile=ALICE, kind=Input.MESSAGE, message=inbound(ALICE, "hi"))
    for text in ("/complain it broke", "/help", "/rate 1 awful"):
        held = await control.screen(profile=ALICE, kind=Input.MESSAGE, message=inbound(ALICE, text))
        assert held.verdict is Verdict.STORED
    assert await Ticket.all().count() == 1  # no complaint or rating ticket was opened
    texts = await Message.all().order_by("id").values_list("text", flat=True)
    assert texts == ["/complain it broke", "/help", "/rate 1 awful"]


async def test_buttons_and_group_commands_over_the_limit_change_nothing() -> None:
    control = FloodControl(limit=2)
    await _send(control, 2, Input.BUTTON)
    button = await control.screen(profile=ALICE, kind=Input.BUTTON)
    group = await control.screen(profile=ALICE, kind=Input.GROUP)
    assert (button.verdict, button.notify) == (Verdict.REFUSED, True)
    assert (group.verdict, group.notify) == (Verdict.REFUSED, False)
    assert button.customer is None and button.ticket is None  # they never wrote
    assert await Message.all().count() == 0 and await Ticket.all().count() == 0


async def test_edits_count_but_are_always_applied() -> None:
    control = FloodControl(limit=2)
    edits = await _send(control, 3, Input.EDIT)
    assert [e.verdict for e in edits] == [Verdict.PASS] * 3
    message = await control.screen(profile=ALICE, kind=Input.MESSAGE, message=inbound(ALICE))
    assert message.verdict is Verdict.STORED and message.recent == 3  # capped at limit + 1


async def test_empty_content_over_the_limit_is_not_stored() -> None:
    control = FloodControl(limit=1)
    await _send(control, 1)
    dice = await control.screen(profile=ALICE, kind=Input.MESSAGE, message=inbound(ALICE, ""))
    assert dice.verdict is Verdict.REFUSED and dice.notify
    assert await Message.all().count() == 0


async def test_the_window_slides_and_a_new_flood_is_announced_again() -> None:
    clock.freeze(T0)
    control = FloodControl(limit=3)
    first = await _send(control, 5)
    assert [r.notify for r in first] == [False, False, False, True, False]

    clock.advance(WINDOW)  # quiet for a minute: everything passes again
    calm = await _send(control, 3)
    assert [r.verdict for r in calm] == [Verdict.PASS] * 3

    clock.advance(WINDOW * 2)
    second = await _send(control, 4)
    assert second[-1].verdict is Verdict.STORED and second[-1].notify


async def test_a_sustained_flood_is_one_episode() -> None:
    clock.freeze(T0)
    control = FloodControl(limit=2)
    notices = 0
    for _ in range(40):  # 40 inputs a minute for five minutes: always over the limit
        for result in await _send(control, 5):
            notices += result.notify
        clock.advance(timedelta(seconds=2.5))
    assert notices == 1


async def test_staff_are_never_held() -> None:
    await add_agent(telegram_id=7001, name="Anna")
    anna = make_profile(7001, "Anna")
    control = FloodControl(limit=2)
    results = await _send(control, 6, profile=anna)
    assert {r.verdict for r in results} == {Verdict.PASS}
    assert await StaffMember.filter(telegram_id=7001).count() == 1
    assert await Message.all().count() == 0


async def test_replicas_count_a_persons_updates_together_and_announce_once() -> None:
    # Three replicas behind a round-robin balancer: each sees a third of Alice's updates.
    clock.freeze(T0)
    replicas = [FloodControl(limit=6, shared=True, holder=f"r{i}") for i in range(3)]
    for update_id in range(12):  # one burst: all accepted before the first is handled
        await inbox.accept(update_id=update_id, payload={}, replica="lb", user_id=ALICE.telegram_id)
    await inbox.accept(update_id=99, payload={}, replica="lb", user_id=602)  # someone else
    verdicts, notices = [], 0
    for update_id in range(12):
        replica = replicas[update_id % 3]
        result = await replica.screen(
            profile=ALICE,
            kind=Input.MESSAGE,
            message=inbound(ALICE, f"m{update_id}"),
            update_id=update_id,
        )
        verdicts.append(result.verdict)
        notices += result.notify
    # Alone, each replica saw 4 (under 6); together they held everything after the 6th.
    assert verdicts == [Verdict.PASS] * 6 + [Verdict.STORED] * 6
    assert notices == 1


async def test_idle_people_are_forgotten() -> None:
    clock.freeze(T0)
    control = FloodControl(limit=5)
    for user_id in range(600, 650):
        await _send(control, 1, profile=make_profile(user_id, f"C{user_id}"))
    assert control.tracked() == 50
    clock.advance(WINDOW * 2)
    await _send(control, 1)
    assert control.tracked() == 1


async def test_a_redelivered_held_message_is_stored_once() -> None:
    control = FloodControl(limit=1)
    await _send(control, 1)
    again = inbound(ALICE, "spam", message_id=77)
    await control.screen(profile=ALICE, kind=Input.MESSAGE, message=again)
    await control.screen(profile=ALICE, kind=Input.MESSAGE, message=again)
    assert await Message.filter(text="spam").count() == 1
    assert await Customer.all().count() == 1
