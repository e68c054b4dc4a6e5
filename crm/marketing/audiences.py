"""Who a campaign goes to: a segment by name, or simple rules a manager can type.

The grammar, for people and for the CLI alike::

    all                         every customer
    high value                  a segment of the latest segmentation run, by name
    segment:at risk             the same, explicitly
    language:en                 Telegram language (en matches en-GB too)
    tag:vip                     a tag on the customer
    city:Berlin                 the customer's city (case-insensitive)
    complained:30               opened a complaint in the last 30 days
    no_order:90                 has ordered, but not in the last 90 days
    bought:SKU-1                has an order line for that product (by SKU; by name only for
                                lines without a catalogue product)

Rules combine with `` & `` (all must hold) and a leading ``!`` negates one, so the
customers who bought A but not B are ``bought:A & !bought:B``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from crm import clock
from crm.errors import InvalidInput
from crm.i18n import DEFAULT_LANGUAGE, Phrase
from crm.models import Customer, Order, Ticket, TicketKind

KINDS = ("segment", "language", "tag", "city", "complained", "no_order", "bought")
_DAY_KINDS = ("complained", "no_order")
MAX_DAYS = 3650
HELP_TEXT = Phrase("staff.audience.help")  # the grammar in short, in the reader's language
HELP = HELP_TEXT.render(DEFAULT_LANGUAGE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One condition of an audience."""

    kind: str  # one of KINDS, or "all"
    value: str = ""
    negated: bool = False

    def __str__(self) -> str:
        if self.kind == "all":
            return "!all" if self.negated else "all"
        return f"{'!' if self.negated else ''}{self.kind}:{self.value}"


def parse_audience(spec: str) -> tuple[Rule, ...]:
    """Parse an audience spec into rules; refuse anything unclear with the grammar."""
    spec = " ".join((spec or "").split())
    if not spec:
        raise InvalidInput.of("staff.err.audience_empty", help=HELP_TEXT)
    if len(spec) > 255:
        raise InvalidInput.of("staff.err.audience_too_long")
    rules = []
    for part in spec.split(" & "):
        part = part.strip()
        negated = part.startswith("!")
        part = part.lstrip("!").strip()
        if not part or "&" in part:
            raise InvalidInput.of("staff.err.audience_unreadable", spec=spec, help=HELP_TEXT)
        kind, colon, value = part.partition(":")
        kind = kind.strip().lower()
        if part.lower() == "all":
            rules.append(Rule("all", negated=negated))
            continue
        if not colon or kind not in KINDS:
            # A bare word is a segment name ("high value", "new").
            rules.append(Rule("segment", part, negated))
            continue
        value = value.strip()
        if not value:
            raise InvalidInput.of("staff.err.audience_needs_value", kind=kind, help=HELP_TEXT)
        if kind in _DAY_KINDS and not (
            re.fullmatch(r"\d{1,4}", value) and 1 <= int(value) <= MAX_DAYS
        ):
            raise InvalidInput.of("staff.err.audience_days", kind=kind, most=MAX_DAYS, value=value)
        rules.append(Rule(kind, value, negated))
    return tuple(rules)


def describe_audience(rules: tuple[Rule, ...]) -> str:
    """Return the canonical spelling of parsed rules."""
    return " & ".join(str(rule) for rule in rules)


async def resolve_audience(spec: str) -> list[int]:
    """Return the ids of the customers an audience spec selects, in id order."""
    rules = parse_audience(spec)
    everyone: set[int] | None = None
    chosen: set[int] | None = None
    for rule in rules:
        matched = await _match(rule)
        if rule.negated:
            if everyone is None:
                everyone = set(await Customer.all().values_list("id", flat=True))
            matched = everyone - matched
        chosen = matched if chosen is None else chosen & matched
    return sorted(chosen or ())


async def _match(rule: Rule) -> set[int]:
    """Return the customers one rule (not negated) selects."""
    now = clock.utcnow()
    if rule.kind == "all":
        return set(await Customer.all().values_list("id", flat=True))
    if rule.kind == "segment":
        from crm.insight.segments import segment_members

        return set(await segment_members(name=rule.value))
    if rule.kind == "language":
        language = rule.value.lower()
        rows = await Customer.filter(language_code__not_isnull=True).values_list(
            "id", "language_code"
        )
        return {
            cid
            for cid, code in rows
            if code.lower() == language or code.lower().startswith(language + "-")
        }
    if rule.kind == "tag":
        wanted = rule.value.casefold()
        rows = await Customer.all().values_list("id", "tags")
        return {cid for cid, tags in rows if any(str(t).casefold() == wanted for t in tags or ())}
    if rule.kind == "city":
        return set(await Customer.filter(city__iexact=rule.value).values_list("id", flat=True))
    if rule.kind == "complained":
        since = now - timedelta(days=int(rule.value))
        return set(
            await Ticket.filter(kind=TicketKind.COMPLAINT, created_at__gte=since)
            .distinct()
            .values_list("customer_id", flat=True)
        )
    if rule.kind == "no_order":
        since = now - timedelta(days=int(rule.value))
        ordered = set(await Order.all().distinct().values_list("customer_id", flat=True))
        recent = set(
            await Order.filter(ordered_at__gte=since)
            .distinct()
            .values_list("customer_id", flat=True)
        )
        return ordered - recent
    if rule.kind == "bought":
        from crm.sales.associations import customers_who_bought

        return set(await customers_who_bought(product=rule.value))
    raise InvalidInput.of("staff.err.audience_rule", kind=rule.kind, help=HELP_TEXT)
