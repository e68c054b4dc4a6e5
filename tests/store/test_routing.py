"""Routing policy (pure) and the staff, routing, desk, CSAT and SLA services on a store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from crm import clock
from crm.desk.actions import add_note, mark_delivered, prepare_reply, reopen_ticket, resolve_ticket
from crm.desk.csat import (
    COMMENT_WINDOW,
    answer_survey,
    await_comment,
    commentable_survey,
    create_survey,
)
from crm.desk.routing import (
    Candidate,
    choose_agent,
    drain_queue,
    route_reopened,
    route_ticket,
    take_ticket,
    transfer_ticket,
)
from crm.desk.sla import SlaTargets, detect_breaches, late_tickets_with_offline_agents
from crm.desk.staff import (
    add_agent,
    agent_loads,
    authorise,
    parse_skills,
    promote_manager,
    refresh_name,
    refresh_profile,
    remove_agent,
    set_language,
    set_online,
    sync_managers,
)
from crm.desk.tickets import log_customer_message, open_ticket
from crm.errors import (
    AlreadyAssigned,
    InvalidInput,
    NotAuthorised,
    SurveyClosed,
    TicketAlreadyResolved,
)
from crm.models import (
    AgentScope,
    Message,
    Priority,
    Rating,
    Role,
    SlaBreach,
    SlaKind,
    StaffMember,
    Ticket,
    TicketKind,
    TicketStatus,
)
from tests.factories import inbound, make_profile

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEAM = AgentScope.TEAM


# --- the pure policy ----------------------------------------------------------------------


def _c(staff_id: int, skills=(), open_tickets=0, capacity=5, last=None) -> Candidate:
    return Candidate(staff_id, frozenset(skills), open_tickets, capacity, last)


def test_complaints_prefer_agents_with_the_complaints_skill() -> None:
    candidates = [_c(1), _c(2, {"complaints"}, open_tickets=3)]
    assert choose_agent(candidates, kind=TicketKind.COMPLAINT, topic="other").staff_id == 2
    assert choose_agent(candidates, kind=TicketKind.INQUIRY, topic="other").staff_id == 1


def test_topic_skill_wins_and_more_matches_win_over_fewer() -> None:
    candidates = [_c(1, {"billing"}), _c(2, {"billing", "complaints"}), _c(3)]
    assert choose_agent(candidates, kind=TicketKind.INQUIRY, topic="billing").staff_id == 1
    assert choose_agent(candidates, kind=TicketKind.COMPLAINT, topic="billing").staff_id == 2


def test_fewest_open_tickets_then_least_recently_assigned() -> None:
    early, late = T0, T0 + timedelta(minutes=5)
    assert (
        choose_agent(
            [_c(1, open_tickets=2), _c(2, open_tickets=1)], kind=TicketKind.INQUIRY, topic="x"
        ).staff_id
        == 2
    )
    assert (
        choose_agent(
            [_c(1, last=late), _c(2, last=early)], kind=TicketKind.INQUIRY, topic="x"
        ).staff_id
        == 2
    )
    assert (
        choose_agent(
            [_c(1, last=late), _c(2, last=None)], kind=TicketKind.INQUIRY, topic="x"
        ).staff_id
        == 2
    )


def test_full_agents_are_skipped_even_with_the_right_skill() -> None:
    candidates = [_c(1, {"complaints"}, open_tickets=5, capacity=5), _c(2, open_tickets=4)]
    assert choose_agent(candidates, kind=TicketKind.COMPLAINT, topic="x").staff_id == 2
    assert (
        choose_agent([_c(1, open_tickets=1, capacity=1)], kind=TicketKind.INQUIRY, topic="x")
        is None
    )
    assert choose_agent([], kind=TicketKind.INQUIRY, topic="x") is None


def test_skills_are_normalised_and_junk_refused() -> None:
    assert parse_skills(["Billing", "complaints", "billing"]) == ["billing", "complaints"]
    with pytest.raises(InvalidInput):
        parse_skills(["no spaces please"])


# --- services on a store ------------------------------------------------------------------

pytestmark_store = pytest.mark.usefixtures("store")


async def _agent(
    telegram_id: int, *skills: str, online: bool = True, name: str = ""
) -> StaffMember:
    member, _ = await add_agent(
        telegram_id=telegram_id, name=name or f"A{telegram_id}", skills=skills
    )
    return await set_online(member=member, online=online)


async def _ticket(user_id: int, text: str = "hello", kind: TicketKind | None = None) -> Ticket:
    profile = make_profile(user_id, f"C{user_id}")
    if kind is None:
        result = await log_customer_message(profile=profile, message=inbound(profile, text))
    else:
        result = await open_ticket(profile=profile, kind=kind, message=inbound(profile, text))
    return result.ticket


@pytestmark_store
async def test_route_assigns_by_skill_then_load_and_round_robin() -> None:
    clock.freeze(T0)
    billing = await _agent(11, "billing")
    general = await _agent(12)
    t1 = await _ticket(101, "I was charged twice, refund please")
    a1 = await route_ticket(ticket_id=t1.id, default_capacity=5)
    assert t1.topic == "billing" and a1.staff.id == billing.id

    clock.advance(timedelta(seconds=1))
    t2 = await _ticket(102, "hello there")
    a2 = await route_ticket(ticket_id=t2.id, default_capacity=5)
    assert a2.staff.id == general.id  # fewer open tickets

    clock.advance(timedelta(seconds=1))
    t3 = await _ticket(103, "good morning")
    a3 = await route_ticket(ticket_id=t3.id, default_capacity=5)
    assert a3.staff.id == billing.id  # equal load: the least recently assigned

    stored = await Ticket.get(id=t3.id)
    assert stored.assignee_id == billing.id and stored.assigned_at == T0 + timedelta(seconds=2)


@pytestmark_store
async def test_everybody_offline_or_full_means_the_queue_in_fifo_order() -> None:
    agent = await _agent(11, online=False)
    tickets = [await _ticket(100 + i) for i in range(3)]
    for t in tickets:
        assert await route_ticket(ticket_id=t.id, default_capacity=2) is None
    await set_online(member=agent, online=True)
    handed = await drain_queue(default_capacity=2)
    assert [a.ticket.id for a in handed] == [tickets[0].id, tickets[1].id]
    third = await Ticket.get(id=tickets[2].id)
    assert third.assignee_id is None  # still waiting: the agent is full

    await resolve_ticket(ticket_id=tickets[0].id, staff=agent)
    handed = await drain_queue(default_capacity=2)
    assert [a.ticket.id for a in handed] == [tickets[2].id]


@pytestmark_store
async def test_the_queue_hands_out_the_most_urgent_first_then_the_oldest() -> None:
    clock.freeze(T0)
    agent = await _agent(11, online=False)
    tickets = []
    for i, kind in enumerate([None, None, TicketKind.COMPLAINT, TicketKind.COMPLAINT]):
        clock.advance(timedelta(seconds=1))
        tickets.append(await _ticket(100 + i, kind=kind))
    await Ticket.filter(id=tickets[1].id).update(priority=Priority.LOW)
    await set_online(member=agent, online=True)
    handed = await drain_queue(default_capacity=3)
    # Both complaints (high, oldest of them first), then the normal inquiry; the low one waits.
    assert [a.ticket.id for a in handed] == [tickets[2].id, tickets[3].id, tickets[0].id]


@pytestmark_store
async def test_per_agent_capacity_overrides_the_default() -> None:
    agent = await _agent(11)
    agent.capacity = 1
    await agent.save()
    first, second = await _ticket(101), await _ticket(102)
    assert (await route_ticket(ticket_id=first.id, default_capacity=5)).staff.id == agent.id
    assert await route_ticket(ticket_id=second.id, default_capacity=5) is None


@pytestmark_store
async def test_concurrent_routing_never_exceeds_capacity() -> None:
    await _agent(11)
    tickets = [await _ticket(100 + i) for i in range(6)]
    results = await asyncio.gather(
        *(route_ticket(ticket_id=t.id, default_capacity=3) for t in tickets)
    )
    assert sum(r is not None for r in results) == 3
    loads = await agent_loads(default_capacity=3)
    assert loads[0].open_tickets == 3


@pytestmark_store
async def test_two_takes_at_once_give_the_ticket_to_exactly_one() -> None:
    a, b = await _agent(11, online=False), await _agent(12, online=False)
    ticket = await _ticket(101)
    results = await asyncio.gather(
        take_ticket(staff=a, ticket_id=ticket.id),
        take_ticket(staff=b, ticket_id=ticket.id),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, AlreadyAssigned)]
    assert len(winners) == 1 and len(losers) == 1
    stored = await Ticket.get(id=ticket.id)
    assert stored.assignee_id == winners[0].staff.id


@pytestmark_store
async def test_remove_agent_releases_open_tickets_to_the_queue() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    await route_ticket(ticket_id=ticket.id, default_capacity=5)
    removed, released = await remove_agent(telegram_id=11)
    assert not removed.active and not removed.online
    assert [t.id for t in released] == [ticket.id]
    assert (await Ticket.get(id=ticket.id)).assignee_id is None
    with pytest.raises(NotAuthorised):
        await authorise(telegram_id=agent.telegram_id)


@pytestmark_store
async def test_roles_bootstrap_promotion_and_authorisation() -> None:
    await sync_managers(telegram_ids=[900])
    assert (await authorise(telegram_id=900, role=Role.MANAGER)).role is Role.MANAGER
    await add_agent(telegram_id=11)
    with pytest.raises(NotAuthorised):
        await authorise(telegram_id=11, role=Role.MANAGER)
    with pytest.raises(NotAuthorised):
        await authorise(telegram_id=12345)
    await promote_manager(telegram_id=11)
    assert (await authorise(telegram_id=11, role=Role.MANAGER)).role is Role.MANAGER
    with pytest.raises(InvalidInput):
        await remove_agent(telegram_id=900)


@pytestmark_store
async def test_a_staff_name_follows_the_messenger_and_is_written_only_when_it_changes() -> None:
    (manager,) = (await sync_managers(telegram_ids=[900])).managers
    assert manager.label == "user 900"
    await refresh_name(member=manager, name="  Maya  ")
    assert (await StaffMember.get(telegram_id=900)).name == "Maya"
    # Changed behind this object's back: an unchanged name must not write the row again.
    await StaffMember.filter(telegram_id=900).update(name="Changed elsewhere")
    await refresh_name(member=manager, name="Maya")
    assert (await StaffMember.get(telegram_id=900)).name == "Changed elsewhere"
    await refresh_name(member=manager, name="")  # Telegram always sends one; keep ours if not
    await refresh_name(member=manager, name="Maya Stone")
    assert (await StaffMember.get(telegram_id=900)).name == "Maya Stone"


@pytestmark_store
async def test_a_staff_language_follows_the_messenger_unless_chosen() -> None:
    (manager,) = (await sync_managers(telegram_ids=[900])).managers
    assert manager.text_language == "en"  # nothing known yet
    await refresh_profile(member=manager, name="Mei", language_code="zh-hans")
    stored = await StaffMember.get(telegram_id=900)
    assert (stored.language_code, stored.text_language) == ("zh-hans", "zh")
    await refresh_profile(member=stored, name="Mei", language_code=None)  # not sent: kept
    assert (await StaffMember.get(telegram_id=900)).language_code == "zh-hans"

    await set_language(member=stored, language="en")  # the choice wins over Telegram's
    assert (await StaffMember.get(telegram_id=900)).text_language == "en"
    await set_language(member=stored, language="zh-CN")
    assert (await StaffMember.get(telegram_id=900)).language == "zh"
    with pytest.raises(InvalidInput, match="'fr' is not a language here"):
        await set_language(member=stored, language="fr")
    assert (await StaffMember.get(telegram_id=900)).language == "zh"  # unchanged
    await set_language(member=stored, language=None)
    assert (await StaffMember.get(telegram_id=900)).language is None


@pytestmark_store
async def test_transfer_moves_the_ticket_and_refuses_non_owners() -> None:
    a, b, c = await _agent(11), await _agent(12), await _agent(13)
    ticket = await _ticket(101)
    await take_ticket(staff=a, ticket_id=ticket.id)
    with pytest.raises(NotAuthorised):
        await transfer_ticket(ticket_id=ticket.id, to_telegram_id=13, by=b)
    moved = await transfer_ticket(ticket_id=ticket.id, to_telegram_id=12, by=a)
    assert moved.staff.id == b.id and moved.previous.id == a.id
    assert (await Ticket.get(id=ticket.id)).assignee_id == b.id
    with pytest.raises(InvalidInput):
        await transfer_ticket(ticket_id=ticket.id, to_telegram_id=555, by=b)
    assert c.id != b.id


@pytestmark_store
async def test_reply_sets_first_response_once_and_marks_pending() -> None:
    clock.freeze(T0)
    agent = await _agent(11)
    ticket = await _ticket(101)
    clock.advance(timedelta(minutes=3))
    reply = await prepare_reply(ticket_id=ticket.id, staff=agent, text="Looking into it")
    assert reply.customer_chat_id == 101
    updated = await mark_delivered(reply=reply, telegram_message_id=77)
    assert updated.first_response_at == T0 + timedelta(minutes=3)
    assert updated.status is TicketStatus.PENDING
    assert updated.assignee_id == agent.id  # replying to a waiting ticket claims it
    clock.advance(timedelta(minutes=3))
    second = await prepare_reply(ticket_id=ticket.id, staff=agent, text="Done")
    again = await mark_delivered(reply=second, telegram_message_id=78)
    assert again.first_response_at == T0 + timedelta(minutes=3)
    outbound = await Message.filter(ticket_id=ticket.id, direction="outbound").count()
    assert outbound == 2


@pytestmark_store
async def test_agents_cannot_reply_to_someone_elses_ticket_but_managers_can() -> None:
    a, b = await _agent(11), await _agent(12)
    boss = await promote_manager(telegram_id=900)
    ticket = await _ticket(101)
    await take_ticket(staff=a, ticket_id=ticket.id)
    with pytest.raises(NotAuthorised):
        await prepare_reply(ticket_id=ticket.id, staff=b, text="hi")
    assert await Message.filter(direction="outbound").count() == 0
    await prepare_reply(ticket_id=ticket.id, staff=boss, text="manager here")


@pytestmark_store
async def test_close_reopen_and_notes() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    note = await add_note(ticket_id=ticket.id, staff=agent, scope=TEAM, text="VIP customer")
    assert note.direction.value == "internal"
    closed = await resolve_ticket(ticket_id=ticket.id, staff=agent)
    assert closed.status is TicketStatus.RESOLVED
    with pytest.raises(TicketAlreadyResolved):
        await resolve_ticket(ticket_id=ticket.id, staff=agent)
    with pytest.raises(TicketAlreadyResolved):
        await prepare_reply(ticket_id=ticket.id, staff=agent, text="too late")
    reopened = await reopen_ticket(ticket_id=ticket.id, staff=agent, scope=TEAM)
    assert reopened.status is TicketStatus.OPEN and reopened.resolved_at is None
    with pytest.raises(InvalidInput):
        await reopen_ticket(ticket_id=ticket.id, staff=agent, scope=TEAM)


@pytestmark_store
async def test_survey_stores_one_rating_and_low_scores_open_a_follow_up() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    await take_ticket(staff=agent, ticket_id=ticket.id)
    closed = await resolve_ticket(ticket_id=ticket.id, staff=agent)
    survey = await create_survey(ticket=closed)
    answer = await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=2)
    assert answer.rating.score == 2 and answer.rating.agent_id == agent.id
    assert answer.follow_up.kind is TicketKind.FOLLOW_UP
    assert answer.follow_up.priority is Priority.HIGH
    assert answer.follow_up.parent_id == ticket.id
    with pytest.raises(SurveyClosed) as err:
        await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=5)
    assert err.value.reason == "answered"
    with pytest.raises(SurveyClosed):
        await answer_survey(survey_id=survey.id, customer_telegram_id=999, score=5)
    assert await Rating.all().count() == 1


@pytestmark_store
async def test_a_newer_survey_makes_the_old_one_stale() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    first = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    await reopen_ticket(ticket_id=ticket.id, staff=agent, scope=TEAM)
    second = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    with pytest.raises(SurveyClosed) as err:
        await answer_survey(survey_id=first.id, customer_telegram_id=101, score=4)
    assert err.value.reason == "superseded"
    ok = await answer_survey(survey_id=second.id, customer_telegram_id=101, score=4)
    assert ok.follow_up is None


@pytestmark_store
async def test_a_message_after_a_rating_reopens_the_ticket_and_is_no_comment() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    survey = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=5)
    profile = make_profile(101, "C101")

    result = await log_customer_message(
        profile=profile, message=inbound(profile, "The replacement is broken too")
    )
    assert result.reopened and not result.new_ticket and result.commented_rating is None
    assert result.ticket.id == ticket.id
    reopened = await Ticket.get(id=ticket.id)
    assert reopened.status is TicketStatus.OPEN and reopened.resolved_at is None
    assert reopened.reopened_count == 1
    assert (await Rating.get()).comment is None
    assert await Message.filter(ticket_id=ticket.id, text="The replacement is broken too").exists()

    later = await log_customer_message(profile=profile, message=inbound(profile, "Still broken"))
    assert not later.reopened and later.ticket.id == ticket.id  # simply appended now
    assert (await Ticket.get(id=ticket.id)).reopened_count == 1


@pytestmark_store
async def test_only_a_reply_to_the_comment_prompt_is_the_comment_once() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    survey = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=4)
    survey = await commentable_survey(survey_id=survey.id, customer_telegram_id=101)
    await await_comment(survey=survey, prompt_message_id=77)
    profile = make_profile(101, "C101")

    comment = await log_customer_message(
        profile=profile, message=inbound(profile, "quick!", reply_to=77)
    )
    assert comment.commented_rating is not None and comment.ticket.id == ticket.id
    assert not comment.reopened and (await Rating.get()).comment == "quick!"
    assert (await Ticket.get(id=ticket.id)).status is TicketStatus.RESOLVED

    # The prompt takes one comment: a second reply to it is a request like any other.
    again = await log_customer_message(
        profile=profile, message=inbound(profile, "and one more thing", reply_to=77)
    )
    assert again.commented_rating is None and again.reopened
    assert (await Rating.get()).comment == "quick!"


@pytestmark_store
async def test_a_reply_to_an_expired_prompt_or_another_message_is_a_request() -> None:
    clock.freeze(T0)
    agent = await _agent(11)
    ticket = await _ticket(101)
    survey = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=4)
    survey = await commentable_survey(survey_id=survey.id, customer_telegram_id=101)
    await await_comment(survey=survey, prompt_message_id=77)
    profile = make_profile(101, "C101")
    other = await log_customer_message(
        profile=profile, message=inbound(profile, "about that", reply_to=76)
    )
    assert other.commented_rating is None and other.reopened
    await resolve_ticket(ticket_id=ticket.id, staff=agent)

    clock.advance(COMMENT_WINDOW + timedelta(seconds=1))
    late = await log_customer_message(profile=profile, message=inbound(profile, "ok", reply_to=77))
    assert late.commented_rating is None and late.reopened
    assert (await Rating.get()).comment is None
    assert (await Ticket.get(id=ticket.id)).reopened_count == 2
    # Someone else's prompt id is not this customer's comment either.
    with pytest.raises(SurveyClosed):
        await commentable_survey(survey_id=survey.id, customer_telegram_id=102)


@pytestmark_store
async def test_after_the_reopen_window_a_message_opens_a_new_ticket() -> None:
    clock.freeze(T0)
    agent = await _agent(11)
    ticket = await _ticket(101)
    survey = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=5)
    profile = make_profile(101, "C101")

    clock.advance(timedelta(hours=72, seconds=1))
    result = await log_customer_message(profile=profile, message=inbound(profile, "new matter"))
    assert result.new_ticket and not result.reopened and result.ticket.id != ticket.id
    old = await Ticket.get(id=ticket.id)
    assert old.status is TicketStatus.RESOLVED and old.reopened_count == 0

    # A shorter configured window: 2 hours.
    await resolve_ticket(ticket_id=result.ticket.id, staff=agent)
    await create_survey(ticket=await Ticket.get(id=result.ticket.id))
    clock.advance(timedelta(hours=2, seconds=1))
    later = await log_customer_message(
        profile=profile, message=inbound(profile, "hello"), reopen_window=timedelta(hours=2)
    )
    assert later.new_ticket and not later.reopened


@pytestmark_store
async def test_a_comment_on_a_poor_score_goes_to_the_open_follow_up() -> None:
    agent = await _agent(11)
    ticket = await _ticket(101)
    survey = await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=agent))
    answer = await answer_survey(survey_id=survey.id, customer_telegram_id=101, score=1)
    await await_comment(survey=answer.survey, prompt_message_id=90)
    profile = make_profile(101, "C101")
    comment = await log_customer_message(
        profile=profile, message=inbound(profile, "rude and slow", reply_to=90)
    )
    assert comment.commented_rating is not None and comment.ticket.id == answer.follow_up.id
    assert (await Rating.get()).comment == "rude and slow"


@pytestmark_store
async def test_a_reopened_ticket_goes_back_to_its_agent_while_they_have_room() -> None:
    anna, boris = await _agent(11), await _agent(12)
    ticket = await _ticket(101)
    assert (await route_ticket(ticket_id=ticket.id, default_capacity=1)).staff.id == anna.id
    await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=anna))
    await log_customer_message(
        profile=make_profile(101, "C101"), message=inbound(make_profile(101, "C101"), "again")
    )
    back = await route_reopened(ticket_id=ticket.id, default_capacity=1)
    assert back is not None and back.staff.id == anna.id  # its own ticket is not counted

    # Full (another open ticket, capacity 1): it goes to whoever has room.
    await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=anna))
    other = await _ticket(102)
    await take_ticket(staff=anna, ticket_id=other.id)
    await log_customer_message(
        profile=make_profile(101, "C101"), message=inbound(make_profile(101, "C101"), "and again")
    )
    moved = await route_reopened(ticket_id=ticket.id, default_capacity=1)
    assert moved is not None and moved.staff.id == boris.id

    # Offline, and nobody else has room: it waits in the queue.
    await create_survey(ticket=await resolve_ticket(ticket_id=ticket.id, staff=boris))
    await set_online(member=boris, online=False)
    await log_customer_message(
        profile=make_profile(101, "C101"), message=inbound(make_profile(101, "C101"), "third time")
    )
    assert await route_reopened(ticket_id=ticket.id, default_capacity=1) is None
    assert (await Ticket.get(id=ticket.id)).assignee_id is None
    assert (await Ticket.get(id=ticket.id)).reopened_count == 3


@pytestmark_store
async def test_sla_breaches_are_recorded_once_per_target() -> None:
    clock.freeze(T0)
    targets = SlaTargets(first_response=timedelta(minutes=15), resolution=timedelta(hours=24))
    agent = await _agent(11)
    answered, silent = await _ticket(101), await _ticket(102)
    reply = await prepare_reply(ticket_id=answered.id, staff=agent, text="on it")
    await mark_delivered(reply=reply, telegram_message_id=1)

    clock.advance(timedelta(minutes=14))
    assert await detect_breaches(targets=targets) == []
    clock.advance(timedelta(minutes=2))
    first = await detect_breaches(targets=targets)
    assert [(b.ticket.id, b.kind) for b in first] == [(silent.id, SlaKind.FIRST_RESPONSE)]
    assert await detect_breaches(targets=targets) == []  # once per breach

    clock.advance(timedelta(hours=24))
    late = await detect_breaches(targets=targets)
    assert sorted((b.ticket.id, b.kind.value) for b in late) == [
        (answered.id, "resolution"),
        (silent.id, "resolution"),
    ]
    assert await SlaBreach.all().count() == 3


@pytestmark_store
async def test_breached_tickets_of_offline_agents_are_found_for_rerouting() -> None:
    clock.freeze(T0)
    agent = await _agent(11)
    ticket = await _ticket(101)
    await route_ticket(ticket_id=ticket.id, default_capacity=5)
    await set_online(member=agent, online=False)
    clock.advance(timedelta(minutes=20))
    await detect_breaches(
        targets=SlaTargets(first_response=timedelta(minutes=15), resolution=timedelta(hours=24))
    )
    assert [t.id for t in await late_tickets_with_offline_agents()] == [ticket.id]
