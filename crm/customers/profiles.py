"""Customers: who the business serves."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from crm.models import Customer


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """What a messaging channel tells us about a person, cleaned to fit the store.

    A channel's profile fields are the person's to choose: control characters (a NUL,
    which PostgreSQL refuses) are dropped and over-long values cut to the column, so the
    message that came with them is always stored.
    """

    telegram_id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def __post_init__(self) -> None:
        for name, limit in PROFILE_LIMITS.items():
            value = getattr(self, name)
            if value is not None:
                cleaned = clean_profile_field(value, limit)
                if cleaned != value:
                    object.__setattr__(
                        self, name, cleaned if cleaned or name == "first_name" else None
                    )


# The store's column sizes (crm.models.Customer).
PROFILE_LIMITS = {"first_name": 255, "last_name": 255, "username": 64, "language_code": 16}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_profile_field(value: str, limit: int) -> str:
    """Return a profile value without control characters, cut to ``limit`` characters."""
    return _CONTROL.sub("", value).strip()[:limit]


async def register_customer(*, profile: CustomerProfile) -> tuple[Customer, bool]:
    """Create or refresh the customer for a Telegram user; return (customer, created)."""
    customer = await Customer.get_or_none(telegram_id=profile.telegram_id)
    created = False
    if customer is None:
        try:
            customer = await Customer.create(
                telegram_id=profile.telegram_id,
                first_name=profile.first_name or "",
                last_name=profile.last_name,
                username=profile.username,
                language_code=profile.language_code,
            )
            return customer, True
        except IntegrityError:
            # Another task registered the same user a moment ago: use that row.
            customer = await Customer.get(telegram_id=profile.telegram_id)
    changed = _apply_profile(customer, profile)
    if customer.unreachable:
        # They wrote to us, so they no longer block the bot: campaigns may reach them again.
        customer.unreachable = False
        changed.append("unreachable")
    if changed:
        await customer.save(update_fields=[*changed, "updated_at"])
    return customer, created


async def find_customer(*, telegram_id: int) -> Customer | None:
    """Return the customer linked to a Telegram user, if any."""
    return await Customer.get_or_none(telegram_id=telegram_id)


def _apply_profile(customer: Customer, profile: CustomerProfile) -> list[str]:
    changed: list[str] = []
    wanted = {
        "first_name": profile.first_name or customer.first_name,
        "last_name": profile.last_name,
        "username": profile.username,
        # Telegram omits language_code sometimes: keep what we knew.
        "language_code": profile.language_code or customer.language_code,
    }
    for name, value in wanted.items():
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    return changed
