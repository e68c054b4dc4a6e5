"""The query pieces every metric family shares, written so SQLite and PostgreSQL agree.

Counts and sums are aggregated in the database (GROUP BY through the ORM). Medians and
percentiles need the individual values, so only narrow columns come back, into pandas.

Results are identical on SQLite and PostgreSQL:

- local days are numbered in SQL by a CASE over the UTC instants of the zone's midnights,
  written as literals both stores compare correctly (see `sql_instant`);
- timestamps that feed durations are read raw (text on SQLite, timestamptz on PostgreSQL)
  and parsed by pandas to the microsecond, not subtracted in SQL, where SQLite's julianday
  keeps only milliseconds;
- ratios are computed in Python from integer counts; mean sentiment is rounded to 4 places.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from tortoise.expressions import RawSQL

from crm.insight.periods import Period, local_midnight
from crm.models import OPEN_STATUSES, Direction, Ticket, TicketKind

__all__ = [
    "BREACHED",
    "MOOD",
    "NO_MOOD",
    "OPEN",
    "TIMED_KINDS",
    "day_bucket",
    "pct",
    "raw",
    "sql_instant",
    "tickets_with_customers",
    "to_instants",
    "within",
]

# Rating tickets are answers to us, not requests: the desk resolves most of them itself at
# intake, which would pull resolution times towards zero.
TIMED_KINDS = [kind for kind in TicketKind if kind is not TicketKind.RATING]
OPEN = list(OPEN_STATUSES)
NO_MOOD = 2.0  # sorts after every sentiment score, which lie in [-1, 1]


def within(field: str, period: Period) -> dict[str, datetime]:
    """Return the ORM filter keeping a timestamp inside the half-open period."""
    return {f"{field}__gte": period.start, f"{field}__lt": period.end}


def sql_instant(at: datetime) -> str:
    """Return an instant as an SQL literal both stores compare correctly."""
    # SQLite holds tortoise datetimes as this very text ("2026-03-02 16:00:00+00:00") and
    # compares strings, which order like the instants; PostgreSQL reads it as a timestamptz.
    return "'" + at.astimezone(UTC).isoformat(sep=" ") + "'"


def day_bucket(column: str, days: Sequence[date], zone: ZoneInfo) -> RawSQL:
    """Number the local day (0 = days[0]) a timestamp falls on; rows must lie within days."""
    # A CASE of literals, not bound parameters: PostgreSQL only groups by an expression it
    # can see is the same in SELECT and GROUP BY, and two parameter lists are not.
    if len(days) <= 1:
        return RawSQL("0")
    whens = " ".join(
        f"WHEN {column} < {sql_instant(local_midnight(day, zone))} THEN {index}"
        for index, day in enumerate(days[1:])
    )
    return RawSQL(f"CASE {whens} ELSE {len(days) - 1} END")


def raw(table: str, column: str) -> RawSQL:
    """Select a column as the driver returns it, for pandas to parse."""
    # The driver's value as is (text on SQLite): pandas parses a column of them in one go,
    # where the ORM would convert value by value.
    return RawSQL(f'"{table}"."{column}"')


def to_instants(values: pd.Series) -> pd.Series:
    """Parse raw timestamps (text or datetimes; None: not yet) to UTC, to the microsecond."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def pct(part: int, whole: int) -> float | None:
    """Return part of whole in percent, None of nothing."""
    return 100.0 * part / whole if whole else None


# Whether a ticket has ever breached its SLA, and the mean sentiment of its customer's scored
# messages (NO_MOOD without any), as columns of a ticket query.
BREACHED = RawSQL(
    'CASE WHEN EXISTS (SELECT 1 FROM "sla_breach" "b" WHERE "b"."ticket_id" = "ticket"."id") '
    "THEN 1 ELSE 0 END"
)
MOOD = RawSQL(
    'COALESCE((SELECT AVG("m"."sentiment_score") FROM "message" "m" '
    'WHERE "m"."ticket_id" = "ticket"."id" '
    f'AND "m"."direction" = \'{Direction.INBOUND.value}\' '
    f'AND "m"."sentiment_score" IS NOT NULL), {NO_MOOD})'
)


async def tickets_with_customers(ids: list[int]) -> dict[int, Ticket]:
    """Return the tickets of these ids with their customers, by id."""
    if not ids:
        return {}
    return {t.id: t for t in await Ticket.filter(id__in=ids).select_related("customer")}
