"""Customer features for segmentation, aggregated in the database as of a moment.

One GROUP BY per table, narrow columns into pandas:

==================  ==========================================================================
``recency_days``    days since the customer's last order (unknown without orders)
``orders``          orders placed
``spent``           sum of the orders' totals
``tickets_90d``     tickets the customer opened in the last 90 days
``complaints_90d``  of those, complaints
``sentiment``       mean sentiment score of the customer's scored messages, -1..1
``rating``          mean 1-5 rating the customer gave
``contact_days``    days since the customer last wrote in (a message or a ticket)
==================  ==========================================================================

"Tickets the customer opened" leaves out follow-ups, which the desk opens itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd

from crm.errors import InvalidInput
from crm.insight.queries import sql_instant
from crm.models import Customer, Direction, TicketKind

__all__ = ["FEATURES", "load_features"]

FEATURES = (
    "recency_days",
    "orders",
    "spent",
    "tickets_90d",
    "complaints_90d",
    "sentiment",
    "rating",
    "contact_days",
)
RECENT_DAYS = 90
DAY_SECONDS = 86_400.0


async def _query(sql: str, columns: Sequence[str]) -> pd.DataFrame:
    """Run one aggregate query; return its rows as a frame (raw driver values, no ORM objects)."""
    _, rows = await Customer._meta.db.execute_query(sql)
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))


def _days_since(now: datetime, values: pd.Series) -> pd.Series:
    instants = pd.to_datetime(values, utc=True, format="ISO8601")
    return (pd.Timestamp(now) - instants).dt.total_seconds() / DAY_SECONDS


async def load_features(*, now: datetime) -> pd.DataFrame:
    """Return every customer's features as of `now`, indexed by customer id (NaN: unknown).

    Besides `FEATURES` the frame has ``tickets`` (all-time tickets the customer opened), which
    only the "new" rule uses.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("segmentation needs an aware datetime for now")
    at = sql_instant(now)
    since = sql_instant(now - timedelta(days=RECENT_DAYS))
    double = "DOUBLE PRECISION"  # SQLite reads it as REAL: floats, not Decimals, on both stores
    # Erased customers are anonymous counts, never profiled again.
    ids = await _query('SELECT "id" FROM "customer" WHERE "erased_at" IS NULL', ["customer_id"])
    # Grouping by "customer_id" + 0 rather than the bare column keeps SQLite from walking the
    # (customer_id, ...) index with one random table read per row: scanning and sorting is about
    # twice as fast on a million orders. PostgreSQL hashes either way.
    orders = await _query(
        f'SELECT "customer_id" + 0, COUNT(*), CAST(SUM("total") AS {double}), MAX("ordered_at") '
        f'FROM "orders" WHERE "ordered_at" < {at} GROUP BY 1',
        ["customer_id", "orders", "spent", "last_order"],
    )
    complaint = TicketKind.COMPLAINT.value
    tickets = await _query(
        'SELECT "customer_id" + 0, COUNT(*), '
        f'SUM(CASE WHEN "created_at" >= {since} THEN 1 ELSE 0 END), '
        f'SUM(CASE WHEN "created_at" >= {since} AND "kind" = \'{complaint}\' THEN 1 ELSE 0 END), '
        'MAX("created_at") '
        f'FROM "ticket" WHERE "created_at" < {at} '
        f"AND \"kind\" <> '{TicketKind.FOLLOW_UP.value}' "
        "GROUP BY 1",
        ["customer_id", "tickets", "tickets_90d", "complaints_90d", "last_ticket"],
    )
    messages = await _query(
        f'SELECT "t"."customer_id", CAST(AVG("m"."sentiment_score") AS {double}), '
        'MAX("m"."created_at") '
        'FROM "message" "m" JOIN "ticket" "t" ON "t"."id" = "m"."ticket_id" '
        f'WHERE "m"."direction" = \'{Direction.INBOUND.value}\' AND "m"."created_at" < {at} '
        'GROUP BY "t"."customer_id"',
        ["customer_id", "sentiment", "last_message"],
    )
    ratings = await _query(
        f'SELECT "customer_id", CAST(AVG("score") AS {double}) FROM "rating" '
        f'WHERE "created_at" < {at} GROUP BY "customer_id"',
        ["customer_id", "rating"],
    )
    return _assemble(now, ids, orders, tickets, messages, ratings)


def _assemble(
    now: datetime,
    ids: pd.DataFrame,
    orders: pd.DataFrame,
    tickets: pd.DataFrame,
    messages: pd.DataFrame,
    ratings: pd.DataFrame,
) -> pd.DataFrame:
    frame = pd.DataFrame(index=pd.Index(ids["customer_id"].astype("int64"), name="customer_id"))
    for part in (orders, tickets, messages, ratings):
        frame = frame.join(part.astype({"customer_id": "int64"}).set_index("customer_id"))
    features = pd.DataFrame(index=frame.index)
    features["recency_days"] = _days_since(now, frame["last_order"])
    for column in ("orders", "tickets", "tickets_90d", "complaints_90d"):
        features[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    features["spent"] = pd.to_numeric(frame["spent"]).fillna(0.0).astype("float64")
    features["sentiment"] = pd.to_numeric(frame["sentiment"]).astype("float64")
    features["rating"] = pd.to_numeric(frame["rating"]).astype("float64")
    last_contact = pd.concat(
        [
            pd.to_datetime(frame["last_ticket"], utc=True, format="ISO8601"),
            pd.to_datetime(frame["last_message"], utc=True, format="ISO8601"),
        ],
        axis=1,
    ).max(axis=1)
    features["contact_days"] = _days_since(now, last_contact)
    return features[[*FEATURES, "tickets"]]
