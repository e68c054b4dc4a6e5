"""Linking a customer record to a Telegram user: by the phone they shared, or by a manager."""

from __future__ import annotations

from crm import audit
from crm.customers.merge import merge_customers
from crm.customers.profiles import CustomerProfile, register_customer
from crm.errors import CleaningError, CustomerNotFound, InvalidInput
from crm.imports.parsers import normalise_phone
from crm.models import Customer


def normalise_contact_phone(raw: str, *, default_country: str = "US") -> str | None:
    """Return a phone Telegram shared (digits, often without "+") in E.164, or None."""
    text = raw.strip()
    candidates = [text]
    if text.isdigit():
        candidates.insert(0, "+" + text)  # Telegram sends international numbers without "+"
    for candidate in candidates:
        try:
            return normalise_phone(candidate, default_country=default_country)
        except CleaningError:
            continue
    return None


async def save_phone(*, customer_id: int, phone: str, default_country: str = "US") -> str | None:
    """Store the phone a customer shared as their own (E.164); return it, or None if invalid."""
    e164 = normalise_contact_phone(phone, default_country=default_country)
    if e164 is not None:
        await Customer.filter(id=customer_id).update(phone=e164)
    return e164


async def share_own_phone(*, profile: CustomerProfile, phone: str, default_country: str) -> bool:
    """Take the phone a customer shared as their own contact: link or save it.

    Links them to the imported record with that number when there is one (True); otherwise
    the number goes on their own record (False). Only the sender's own contact may come here.
    """
    linked = await link_telegram_by_phone(
        telegram_id=profile.telegram_id,
        phone=phone,
        first_name=profile.first_name,
        last_name=profile.last_name,
        username=profile.username,
        language_code=profile.language_code,
        default_country=default_country,
    )
    if linked is not None:
        return True
    customer, _ = await register_customer(profile=profile)
    await save_phone(customer_id=customer.id, phone=phone, default_country=default_country)
    return False


async def link_telegram_by_phone(
    *,
    telegram_id: int,
    phone: str,
    first_name: str = "",
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    default_country: str = "US",
) -> Customer | None:
    """Link an imported customer to the Telegram user who shared that phone as their contact.

    The caller must only pass the sender's own contact (``contact.user_id == from.id``): a
    forwarded card must not claim someone else's record. Returns None when no imported,
    unlinked customer has the number.
    """
    e164 = normalise_contact_phone(phone, default_country=default_country)
    if e164 is None:
        return None
    candidates = await Customer.filter(phone=e164).order_by("id")
    for customer in candidates:
        if customer.telegram_id == telegram_id:
            return customer  # linked already
    unlinked = [c for c in candidates if c.telegram_id is None]
    if not unlinked:
        return None
    customer = unlinked[0]
    existing = await Customer.get_or_none(telegram_id=telegram_id)
    if existing is not None:
        result = await merge_customers(
            keep_id=customer.id, drop_id=existing.id, actor_telegram_id=telegram_id, reason="phone"
        )
        customer = result.customer
    else:
        customer.telegram_id = telegram_id
    if not customer.first_name and first_name:
        customer.first_name = first_name[:255]
        customer.last_name = customer.last_name or last_name
    # Telegram knows these best; keep what we knew when it says nothing.
    customer.username = username or customer.username
    customer.language_code = language_code or customer.language_code
    await customer.save()
    await audit.record(
        actor_telegram_id=telegram_id,
        action="customer.link",
        subject=f"customer #{customer.id}",
        details={"telegram_id": telegram_id, "by": "phone", "phone": e164},
    )
    return customer


async def link_telegram(
    *, customer_id: int, telegram_id: int, actor_telegram_id: int | None
) -> Customer:
    """Attach a Telegram user to a customer (a manager's /link), folding in their own record."""
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    if customer.telegram_id == telegram_id:
        raise InvalidInput.of(
            "staff.err.already_linked_to", customer_id=customer_id, telegram_id=telegram_id
        )
    if customer.telegram_id is not None:
        raise InvalidInput.of(
            "staff.err.linked_elsewhere", customer_id=customer_id, telegram_id=customer.telegram_id
        )
    existing = await Customer.get_or_none(telegram_id=telegram_id)
    if existing is not None:
        result = await merge_customers(
            keep_id=customer_id,
            drop_id=existing.id,
            actor_telegram_id=actor_telegram_id,
            reason="link",
        )
        customer = result.customer
    else:
        customer.telegram_id = telegram_id
        await customer.save(update_fields=["telegram_id", "updated_at"])
    await audit.record(
        actor_telegram_id=actor_telegram_id,
        action="customer.link",
        subject=f"customer #{customer_id}",
        details={"telegram_id": telegram_id, "by": "manager"},
    )
    return customer
