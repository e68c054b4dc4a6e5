"""Flood control: what counts as a person's input, and what happens to it over the limit.

Everything a person sends the bot counts: messages, commands (known or not), content the
desk cannot take, edits, button presses, commands in groups. Up to ``limit`` in a sliding
minute is handled as usual. Beyond it, until they slow down:

* what they write in their private chat (commands included, verbatim) is stored on their
  open ticket, or a new inquiry, and acted on by nobody but the agent who reads it: no
  command runs, no reply, no forward; nothing they wrote is lost;
* a button press or a group command changes nothing (a button gets a short answer);
* an edit is still applied (it sends nothing);
* the first held input of the flood tells the customer once, and staff once (``notify``).

Staff are never held: they are looked up only once someone is over the limit.

Counting costs no query. Each process keeps a sliding window per person (their last
``limit + 1`` input times, forgotten a minute after the last one). With one process — polling,
which Telegram allows one bot process to do, or one webhook replica — that is the exact count.
Replicas behind a load balancer each see a share of a person's input, so once this process alone
has seen more than a quarter of the limit in the window, it asks the store how many updates
every replica accepted from them (the webhook inbox, which records each update's sender before
it is handled). That is exact with up to four replicas; with N > 4 a flood is recognised once
each replica saw a quarter of the limit, at N/4 times the limit overall. Whether a flood episode
has begun (so customer and staff hear once however many replicas hold its input) is a lease in
the store, extended while the flood goes on and lapsing a minute after it ends.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from crm import clock
from crm.customers.profiles import CustomerProfile, find_customer
from crm.desk import tickets
from crm.desk.staff import find_staff
from crm.desk.topics import TopicMap
from crm.models import OPEN_STATUSES, Customer, Ticket
from crm.store import inbox, leases

WINDOW = timedelta(seconds=60)
# With replicas, ask the store once this process alone saw more than limit // NEAR_SHARE.
NEAR_SHARE = 4
# While a flood goes on, each process looks at (and extends) its episode this often at most.
EPISODE_CHECK = timedelta(seconds=10)


class Input(StrEnum):
    """What a person sent, as flood control tells inputs apart."""

    MESSAGE = "message"  # anything in their private chat: text, media, a command
    EDIT = "edit"  # an edit of a message they sent
    BUTTON = "button"  # a press on an inline button
    GROUP = "group"  # a command in a group chat


class Verdict(StrEnum):
    """What becomes of one input."""

    PASS = "pass"  # handle it as usual
    STORED = "stored"  # over the limit: kept on the customer's ticket, nothing else
    REFUSED = "refused"  # over the limit: nothing changes


@dataclass(frozen=True, slots=True)
class Screening:
    """What flood control decided about one input, for the edge to render."""

    verdict: Verdict
    recent: int  # inputs from this person in the window, this one included (at least)
    # The first held input of this flood: tell the customer, and staff, once.
    notify: bool = False
    customer: Customer | None = None
    ticket: Ticket | None = None  # where held input went (or their open ticket), for staff

    @property
    def held(self) -> bool:
        """Return whether the input is not to be handled as usual."""
        return self.verdict is not Verdict.PASS


@dataclass(slots=True)
class _Recent:
    """One person's recent inputs in this process."""

    times: deque[float]
    staff: bool | None = None  # looked up once they are over the limit
    episode_checked: float | None = None  # when the store's episode lease was last seen


@dataclass(slots=True, kw_only=True)
class FloodControl:
    """Count each person's input in a sliding window and decide what happens over the limit."""

    limit: int
    # True when replicas may share the load (webhook mode): counts are then checked in the
    # store's inbox near the limit.
    shared: bool = False
    holder: str = "bot"  # names this process on the episode lease
    window: timedelta = WINDOW
    _recent: dict[int, _Recent] = field(default_factory=dict, init=False, repr=False)
    _swept_at: float = field(default=0.0, init=False, repr=False)

    def tracked(self) -> int:
        """Return how many people this process keeps a window for right now."""
        return len(self._recent)

    async def screen(
        self,
        *,
        profile: CustomerProfile,
        kind: Input,
        message: tickets.InboundMessage | None = None,
        topics: TopicMap | None = None,
        update_id: int | None = None,
    ) -> Screening:
        """Count one input and say what becomes of it; store it when it is held content.

        ``update_id`` is the input's id in the inbox, which replicas count it by.
        """
        now = clock.utcnow().timestamp()
        self._sweep(now)
        person = profile.telegram_id
        entry = self._recent.get(person)
        if entry is None:
            entry = self._recent[person] = _Recent(times=deque(maxlen=self.limit + 1))
        recent = self._count(entry, now)
        if recent <= self.limit and self.shared and recent > self.limit // NEAR_SHARE:
            since = clock.utcnow() - self.window
            shared = await inbox.received_from(user_id=person, since=since, up_to=update_id)
            recent = max(recent, shared)
        if recent <= self.limit or kind is Input.EDIT:
            return Screening(Verdict.PASS, recent)
        if entry.staff is None:
            entry.staff = await find_staff(telegram_id=person) is not None
        if entry.staff:
            return Screening(Verdict.PASS, recent)
        if kind is Input.GROUP:
            return Screening(Verdict.REFUSED, recent)
        customer, ticket, verdict = None, None, Verdict.REFUSED
        if kind is Input.MESSAGE and message is not None and _has_content(message):
            intake = await tickets.log_customer_message(
                profile=profile, message=message, topics=topics
            )
            customer, ticket, verdict = intake.customer, intake.ticket, Verdict.STORED
        notify = await self._episode_begins(entry, person, now)
        if notify and customer is None:
            customer = await find_customer(telegram_id=person)
            if customer is not None:
                ticket = await _open_ticket_of(customer)
        return Screening(verdict, recent, notify=notify, customer=customer, ticket=ticket)

    def _count(self, entry: _Recent, now: float) -> int:
        """Add this input to the person's window and return how many it holds."""
        cutoff = now - self.window.total_seconds()
        times = entry.times
        while times and times[0] <= cutoff:
            times.popleft()
        times.append(now)
        return len(times)

    async def _episode_begins(self, entry: _Recent, person: int, now: float) -> bool:
        """Return whether this held input starts a flood episode (across replicas)."""
        checked = entry.episode_checked
        if checked is not None and now - checked < EPISODE_CHECK.total_seconds():
            return False  # this process saw the episode going on a moment ago
        entry.episode_checked = now
        return await leases.start_or_extend(
            name=f"flood:{person}", holder=self.holder, ttl=self.window
        )

    def _sweep(self, now: float) -> None:
        """Forget people with nothing in the window, at most once a window."""
        span = self.window.total_seconds()
        if now - self._swept_at < span:
            return
        self._swept_at = now
        cutoff = now - span
        idle = [p for p, e in self._recent.items() if not e.times or e.times[-1] <= cutoff]
        for person in idle:
            del self._recent[person]


def _has_content(message: tickets.InboundMessage) -> bool:
    return bool(tickets.clean_text(message.text).strip()) or message.media_type is not None


async def _open_ticket_of(customer: Customer) -> Ticket | None:
    return (
        await Ticket.filter(customer=customer, status__in=list(OPEN_STATUSES))
        .order_by("-last_activity_at", "-id")
        .first()
    )
