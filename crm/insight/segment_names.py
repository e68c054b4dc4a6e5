"""Naming customer segments: each cluster's mean profile against everyone clustered.

Unhappy, prospects, high value, at risk, loyal, dormant, lapsed, needs help, active,
occasional, quiet or else regular (the first rule that fits wins); a name used twice gets
" 2", " 3". A pure function of the profiles, tested on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from math import isnan
from typing import Any

import pandas as pd

from crm.i18n import t

__all__ = ["name_segments"]


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    description: str
    applies: Callable[[pd.Series, pd.Series], bool]


def _known(value: Any) -> bool:
    return value is not None and not isnan(float(value))


def _times(value: float, reference: float, factor: float) -> bool:
    """Return whether value is known, positive and at least factor × the reference."""
    if not _known(value) or value <= 0:
        return False
    return not _known(reference) or reference <= 0 or value >= factor * reference


def _unhappy(p: pd.Series, o: pd.Series) -> bool:
    sour = _known(p.sentiment) and (
        p.sentiment <= -0.3 or (_known(o.sentiment) and p.sentiment <= o.sentiment - 0.2)
    )
    poorly_rated = _known(p.rating) and (
        p.rating <= 2.5 or (_known(o.rating) and p.rating <= o.rating - 0.75)
    )
    complaining = p.complaints_90d >= max(2 * o.complaints_90d, 0.5)
    return bool(sour or poorly_rated or complaining)


def _big(p: pd.Series, o: pd.Series) -> bool:
    return _times(p.spent, o.spent, 1.5)


def _frequent(p: pd.Series, o: pd.Series) -> bool:
    return _times(p.orders, o.orders, 1.5)


def _lapsed(p: pd.Series, o: pd.Series) -> bool:
    return _times(p.recency_days, o.recency_days, 1.5)


def _quiet(p: pd.Series, o: pd.Series) -> bool:
    return not _known(p.contact_days) or _times(p.contact_days, o.contact_days, 1.5)


# First match wins, so the order is the priority: a big spender who is unhappy is "unhappy".
# The descriptions are stored with each run in English; describe_run shows them translated.
_RULES = (
    _Rule(
        "unhappy",
        t("staff.segment.unhappy"),
        _unhappy,
    ),
    _Rule(
        "prospects",
        t("staff.segment.prospects"),
        lambda p, o: p.orders < 0.5,
    ),
    _Rule(
        "high value",
        t("staff.segment.high_value"),
        lambda p, o: _big(p, o) and not _lapsed(p, o),
    ),
    _Rule(
        "at risk",
        t("staff.segment.at_risk"),
        lambda p, o: (_big(p, o) or _frequent(p, o)) and _lapsed(p, o),
    ),
    _Rule(
        "loyal",
        t("staff.segment.loyal"),
        lambda p, o: _frequent(p, o) and not _lapsed(p, o),
    ),
    _Rule(
        "dormant",
        t("staff.segment.dormant"),
        lambda p, o: _lapsed(p, o) and _quiet(p, o),
    ),
    _Rule(
        "lapsed",
        t("staff.segment.lapsed"),
        _lapsed,
    ),
    _Rule(
        "needs help",
        t("staff.segment.needs_help"),
        lambda p, o: p.tickets_90d >= max(2 * o.tickets_90d, 1.0),
    ),
    _Rule(
        "active",
        t("staff.segment.active"),
        lambda p, o: (
            _known(p.recency_days)
            and _known(o.recency_days)
            and p.recency_days <= 0.5 * o.recency_days
        ),
    ),
    _Rule(
        "occasional",
        t("staff.segment.occasional"),
        lambda p, o: p.orders <= 0.5 * o.orders,
    ),
    _Rule(
        "quiet",
        t("staff.segment.quiet"),
        lambda p, o: _quiet(p, o) and p.tickets_90d <= 0.5 * o.tickets_90d,
    ),
)
_REGULAR = ("regular", t("staff.segment.regular"))


def name_segments(profiles: pd.DataFrame, overall: pd.Series) -> list[tuple[str, str]]:
    """Name each profile row by how it stands out from the overall means; names are unique.

    `profiles` holds one row per cluster with the mean of every feature in `FEATURES`
    (original units, NaN where nobody in the cluster has a value); `overall` the same means
    over everyone clustered. A name given twice becomes "name 2", "name 3" in row order.
    """
    named: list[tuple[str, str]] = []
    seen: Counter[str] = Counter()
    for _, profile in profiles.iterrows():
        name, description = next(
            ((rule.name, rule.description) for rule in _RULES if rule.applies(profile, overall)),
            _REGULAR,
        )
        seen[name] += 1
        named.append((name if seen[name] == 1 else f"{name} {seen[name]}", description))
    return named
