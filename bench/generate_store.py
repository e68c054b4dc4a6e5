"""Fill a fresh store with a realistic desk's last 90 days, fast, for the report benchmark.

    python bench/generate_store.py --db sqlite:///tmp/crm-bench.db \\
        --customers 100000 --tickets 200000 --messages 1000000 [--seed 0] [--replace]
        [--days 90] [--now 2026-03-02T09:00:00+00:00]

Applies the migrations through `crm.store.db.apply_migrations`, then bulk-loads: SQLite with the
stdlib sqlite3 module (executemany in one transaction, synchronous=OFF and WAL while
loading), PostgreSQL with asyncpg's COPY (`copy_records_to_table`; the database must exist).
Timestamps spread over the last `--days` days up to now, so "yesterday" and "the last 30
days" have data. The same --seed and --now give the same rows in SQLite and PostgreSQL.

What the data looks like: 20 agents (one since removed) and 2 managers; tickets of every kind
and topic, most resolved, the recent ones often still open; first responses and resolutions
drawn from log-normal delays; messages spread over each ticket's life, most inbound ones
scored for sentiment (complaints sound worse); ratings on ~30% of resolved tickets; an SLA
breach wherever a ticket went past 1 h to first response or 24 h to resolution; NPS answers
from about a fifth of the customers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: python bench/generate_store.py

from crm import models  # noqa: E402
from crm.store.db import apply_migrations  # noqa: E402

DAY = 86_400.0
KINDS = ["inquiry", "complaint", "feedback", "rating", "follow_up"]
KIND_P = [0.55, 0.18, 0.10, 0.10, 0.07]
TOPICS = ["billing", "delivery", "technical", "account", "other"]
TOPIC_P = [0.25, 0.30, 0.15, 0.10, 0.20]
# Mean sentiment of a kind's customer messages.
KIND_MOOD = {
    "inquiry": -0.05,
    "complaint": -0.45,
    "feedback": 0.2,
    "rating": 0.1,
    "follow_up": -0.2,
}
SUBJECTS = {
    "billing": ["I was charged twice", "Refund for order", "Invoice is wrong", "Payment failed"],
    "delivery": ["Where is my order?", "Parcel arrived damaged", "Late delivery", "Tracking"],
    "technical": ["App crashes on start", "Login page error", "Website is slow", "Bug report"],
    "account": ["Cannot log in", "Change my email address", "Account locked", "Password"],
    "other": ["Question", "Opening hours?", "Thanks!", "Suggestion"],
}
FIRST_NAMES = ["Alice", "Bob", "Chen", "Dana", "Eve", "Farid", "Grace", "Hiro", "Ines", "Li Wei"]
LAST_NAMES = ["Smith", "Wang", "Garcia", "Müller", "Tanaka", "Okafor", "Novak", "Rossi"]
TEXTS = [
    "Hello, any news on this?",
    "This is unacceptable, I want a refund",
    "Thank you so much, that helped!",
    "It still does not work",
    "When will it arrive?",
    "Ok",
    "我的订单在哪里?",
]
FIRST_RESPONSE_SLA, RESOLUTION_SLA = 3600.0, DAY
AGENTS, MANAGERS = 20, 2
BATCH = 100_000


@dataclass
class Table:
    """Rows for one table, column by column (numpy arrays or lists, None for NULL)."""

    name: str
    columns: dict[str, Any]  # every "*_at" column holds epoch seconds, NaN for NULL

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def rows(self, convert: Callable[[str, Any], list[Any]]) -> Iterator[list[tuple[Any, ...]]]:
        """Yield batches of row tuples, converting each column slice with `convert`."""
        for start in range(0, len(self), BATCH):
            stop = min(start + BATCH, len(self))
            parts = [convert(name, col[start:stop]) for name, col in self.columns.items()]
            yield list(zip(*parts, strict=True))


def _as_list(values: Any) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _where(keep: Any, values: Any) -> list[Any]:
    """Return the values as a list, None (NULL) where keep is false."""
    return [v if k else None for v, k in zip(_as_list(values), _as_list(keep), strict=True)]


def _seconds(values: Any) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def _micros(seconds: np.ndarray) -> np.ndarray:
    # Both loaders round the same way, so both stores hold the very same instants.
    return np.round(np.nan_to_num(seconds, nan=0.0) * 1e6).astype("int64")


def _sqlite_value(name: str, values: Any) -> list[Any]:
    if name.endswith("_at"):
        seconds = _seconds(values)  # a missing instant (None) is NaN
        micros = _micros(seconds)
        text = np.datetime_as_string(micros.astype("datetime64[us]"), unit="us").tolist()
        missing = np.isnan(seconds).tolist()
        # The text tortoise writes: "2026-03-02 09:00:00.123456+00:00".
        return _where([not gap for gap in missing], [t.replace("T", " ") + "+00:00" for t in text])
    return _as_list(values)


def _postgres_value(name: str, values: Any) -> list[Any]:
    if name.endswith("_at"):
        import pandas as pd

        raw = _seconds(values)  # a missing instant (None) is NaN
        stamps = pd.to_datetime(_micros(raw), unit="us", utc=True)
        return _where(~np.isnan(raw), stamps.to_pydatetime())
    return _as_list(values)


def generate(
    *, customers: int, tickets: int, messages: int, days: int, seed: int, now: float
) -> list[Table]:
    """Return every table's rows, in foreign-key order."""
    rng = np.random.default_rng(seed)
    span = days * DAY

    staff_ids = np.arange(1, AGENTS + MANAGERS + 1)
    staff = Table(
        "staff",
        {
            "id": staff_ids,
            "telegram_id": 900_000_000 + staff_ids,
            "name": [f"Agent {i:02d}" for i in range(1, AGENTS + 1)]
            + [f"Manager {i}" for i in range(1, MANAGERS + 1)],
            "role": ["agent"] * AGENTS + ["manager"] * MANAGERS,
            "skills": [json.dumps([TOPICS[i % 4]]) for i in range(AGENTS)] + ["[]"] * MANAGERS,
            "online": (staff_ids % 3 != 0),
            "capacity": [None] * len(staff_ids),
            "active": staff_ids != AGENTS,  # the last agent was removed
            "last_assigned_at": _seconds(np.full(len(staff_ids), now - 600.0)),
            "created_at": _seconds(np.full(len(staff_ids), now - 400 * DAY)),
        },
    )

    customer_ids = np.arange(1, customers + 1)
    customer_created = now - rng.uniform(days, 400, customers) * DAY
    has_last = rng.random(customers) < 0.7
    customer = Table(
        "customer",
        {
            "id": customer_ids,
            "telegram_id": 100_000_000 + customer_ids,
            "first_name": rng.choice(FIRST_NAMES, customers),
            "last_name": _where(has_last, rng.choice(LAST_NAMES, customers)),
            "username": [f"user{i}" for i in customer_ids.tolist()],
            "language_code": rng.choice(["en", "zh"], customers, p=[0.7, 0.3]),
            "created_at": _seconds(customer_created),
            "updated_at": _seconds(customer_created),
        },
    )

    # Tickets: ids follow creation time, as an autoincrement key does.
    created = np.sort(now - rng.uniform(0, span, tickets))
    kind_code = rng.choice(len(KINDS), tickets, p=KIND_P)
    kind = np.array(KINDS)[kind_code]
    topic = rng.choice(TOPICS, tickets, p=TOPIC_P)
    is_rating = kind == "rating"
    is_complaint = kind == "complaint"
    priority = np.where(
        is_complaint,
        rng.choice([3, 4], tickets, p=[0.8, 0.2]),
        rng.choice([1, 2, 3, 4], tickets, p=[0.05, 0.85, 0.08, 0.02]),
    )
    assigned = ~is_rating & (rng.random(tickets) < 0.92)
    assignee = np.where(assigned, rng.integers(1, AGENTS + 1, tickets), 0)
    answer_delay = rng.lognormal(np.log(15 * 60), 1.0, tickets)
    resolve_delay = np.maximum(rng.lognormal(np.log(6 * 3600), 1.2, tickets), answer_delay + 60)
    answered = ~is_rating & (rng.random(tickets) < 0.97) & (created + answer_delay <= now)
    resolved = (created + resolve_delay <= now) & (rng.random(tickets) < 0.97)
    resolved |= is_rating  # the desk resolves a rating at once
    resolve_delay = np.where(is_rating, 0.0, resolve_delay)
    first_response = np.where(answered, created + answer_delay, np.nan)
    resolved_at = np.where(resolved, created + resolve_delay, np.nan)
    status = np.where(resolved, "resolved", np.where(rng.random(tickets) < 0.25, "pending", "open"))
    last_activity = np.fmax(np.fmax(created, first_response), resolved_at)
    subject_pick = rng.integers(0, 4, tickets)
    subject = [SUBJECTS[t][i] for t, i in zip(topic.tolist(), subject_pick.tolist(), strict=True)]
    ticket_ids = np.arange(1, tickets + 1)
    ticket_customer = rng.integers(1, customers + 1, tickets)
    ticket = Table(
        "ticket",
        {
            "id": ticket_ids,
            "customer_id": ticket_customer,
            "kind": kind,
            "status": status,
            "priority": priority,
            "subject": subject,
            "created_at": _seconds(created),
            "first_response_at": _seconds(first_response),
            "resolved_at": _seconds(resolved_at),
            "last_activity_at": _seconds(last_activity),
            "topic": topic,
            "assignee_id": _where(assignee > 0, assignee),
            "assigned_at": _seconds(np.where(assigned, created + 5.0, np.nan)),
            "parent_id": [None] * tickets,
        },
    )

    # Messages: the customer's first one opens the ticket, the rest fall in its life.
    extra = max(messages - tickets, 0)
    owner = np.concatenate([np.arange(tickets), rng.integers(0, tickets, extra)])[:messages]
    first = np.zeros(len(owner), dtype=bool)
    first[: min(tickets, messages)] = True
    life_end = np.where(resolved, resolved_at, np.minimum(created + 3 * DAY, now))
    at = np.where(
        first,
        created[owner],
        created[owner] + rng.random(len(owner)) * (life_end[owner] - created[owner]),
    )
    direction = np.where(
        first,
        "inbound",
        rng.choice(["inbound", "outbound", "internal"], len(owner), p=[0.55, 0.40, 0.05]),
    )
    order = np.argsort(at, kind="stable")
    owner, at, direction = owner[order], at[order], direction[order]
    inbound = direction == "inbound"
    scored = inbound & (rng.random(len(owner)) < 0.9)
    mood = np.array([KIND_MOOD[k] for k in KINDS])[kind_code[owner]]
    score = np.clip(rng.normal(mood, 0.35), -1.0, 1.0).round(4)
    label = np.where(score < -0.05, "negative", np.where(score > 0.05, "positive", "neutral"))
    message_ids = np.arange(1, len(owner) + 1)
    customer_tg = 100_000_000 + ticket_customer[owner]
    agent_tg = np.where(assignee[owner] > 0, 900_000_000 + assignee[owner], 0)
    author = np.where(inbound, customer_tg, agent_tg)
    message = Table(
        "message",
        {
            "id": message_ids,
            "ticket_id": owner + 1,
            "direction": direction,
            "author_telegram_id": _where(author > 0, author),
            "text": rng.choice(TEXTS, len(owner)),
            "media_type": [None] * len(owner),
            "file_id": [None] * len(owner),
            "telegram_chat_id": _where(direction != "internal", customer_tg),
            "telegram_message_id": message_ids,
            "created_at": _seconds(at),
            "edited_at": _seconds(np.full(len(owner), np.nan)),
            "edit_history": ["[]"] * len(owner),
            "acknowledged_at": _seconds(np.where(inbound, at + 1.0, np.nan)),
            "delivery_error": [None] * len(owner),
            "sentiment_score": _where(scored, score),
            "sentiment_label": _where(scored, label),
            "sentiment_model": np.where(scored, "cue", None),
        },
    )

    # Ratings: about 30% of resolved tickets, a few minutes to hours after the resolution.
    rated = resolved & (rng.random(tickets) < 0.30)
    rated_at = resolved_at + rng.lognormal(np.log(600), 1.0, tickets)
    rated &= rated_at <= now
    rated_idx = np.flatnonzero(rated)
    rating = Table(
        "rating",
        {
            "id": np.arange(1, len(rated_idx) + 1),
            "ticket_id": rated_idx + 1,
            "customer_id": ticket_customer[rated_idx],
            "score": rng.choice([1, 2, 3, 4, 5], len(rated_idx), p=[0.08, 0.07, 0.12, 0.28, 0.45]),
            "comment": [None] * len(rated_idx),
            "created_at": _seconds(rated_at[rated_idx]),
            "agent_id": _where(assignee[rated_idx] > 0, assignee[rated_idx]),
        },
    )

    # SLA breaches where a ticket went past a target, detected as it did.
    answer_late = ~is_rating & np.where(
        answered, answer_delay > FIRST_RESPONSE_SLA, created + FIRST_RESPONSE_SLA <= now
    )
    resolve_late = ~is_rating & np.where(
        resolved, resolve_delay > RESOLUTION_SLA, created + RESOLUTION_SLA <= now
    )
    late_answer_idx = np.flatnonzero(answer_late)
    late_resolve_idx = np.flatnonzero(resolve_late)
    breach_ticket = np.concatenate([late_answer_idx, late_resolve_idx])
    breach_kind = ["first_response"] * len(late_answer_idx) + ["resolution"] * len(late_resolve_idx)
    detected = np.concatenate(
        [created[late_answer_idx] + FIRST_RESPONSE_SLA, created[late_resolve_idx] + RESOLUTION_SLA]
    )
    sla_breach = Table(
        "sla_breach",
        {
            "id": np.arange(1, len(breach_ticket) + 1),
            "ticket_id": breach_ticket + 1,
            "kind": breach_kind,
            "agent_id": _where(assignee[breach_ticket] > 0, assignee[breach_ticket]),
            "detected_at": _seconds(detected),
            "notified_at": _seconds(detected + 30.0),
        },
    )

    # NPS: about a fifth of the customers were asked, a bit over half answered.
    asked = max(customers // 5, 1) if customers else 0
    asked_at = now - rng.uniform(0, span, asked)
    answered_at = asked_at + rng.lognormal(np.log(3600), 1.0, asked)
    did_answer = (rng.random(asked) < 0.55) & (answered_at <= now)
    nps_score = rng.choice(11, asked, p=[0.02] * 5 + [0.05, 0.07, 0.12, 0.16, 0.22, 0.28])
    nps_response = Table(
        "nps_response",
        {
            "id": np.arange(1, asked + 1),
            "customer_id": rng.integers(1, customers + 1, asked),
            "ticket_id": [None] * asked,
            "asked_at": _seconds(asked_at),
            "score": _where(did_answer, nps_score),
            "answered_at": _seconds(np.where(did_answer, answered_at, np.nan)),
        },
    )
    return [staff, customer, ticket, message, rating, sla_breach, nps_response]


def with_defaults(table: Table, db_columns: Sequence[str]) -> Table:
    """Fill the store's other columns with their model defaults, as the ORM would.

    Others add fields as the product grows; tortoise keeps defaults in Python, not in the
    schema, so a NOT NULL column the generator does not know would refuse the rows.
    """
    model = next(
        m
        for m in vars(models).values()
        if isinstance(m, type)
        and issubclass(m, models.Model)
        and m is not models.Model
        and m._meta.db_table == table.name
    )
    columns = dict(table.columns)
    for name in db_columns:
        field = model._meta.fields_map.get(name)
        if name in columns or field is None:
            continue
        default = field.default() if callable(field.default) else field.default
        if isinstance(field, models.fields.JSONField):
            default = json.dumps(default)
        columns[name] = [default] * len(table)
    return Table(table.name, columns)


def load_sqlite(path: str, tables: Sequence[Table]) -> None:
    """Insert every table with executemany in one transaction, durability off while loading."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        tables = [
            with_defaults(t, [row[1] for row in conn.execute(f'PRAGMA table_info("{t.name}")')])
            for t in tables
        ]
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB while loading
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN")
        for table in tables:
            started = time.perf_counter()
            names = ", ".join(f'"{c}"' for c in table.columns)
            marks = ", ".join("?" for _ in table.columns)
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
            for batch in table.rows(_sqlite_value):
                conn.executemany(sql, batch)
            _report(table, started)
        conn.execute("COMMIT")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


async def load_postgres(url: str, tables: Sequence[Table]) -> None:
    """COPY every table in, move the id sequences past the loaded ids, then ANALYZE."""
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        async with conn.transaction():
            for table in tables:
                started = time.perf_counter()
                db_columns = await conn.fetch(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = $1",
                    table.name,
                )
                table = with_defaults(table, [row[0] for row in db_columns])
                for batch in table.rows(_postgres_value):
                    await conn.copy_records_to_table(
                        table.name, records=batch, columns=list(table.columns)
                    )
                if len(table):
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'(SELECT MAX(id) FROM "{table.name}"))'
                    )
                _report(table, started)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _asyncpg_dsn(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(scheme="postgresql").geturl()


def _report(table: Table, started: float) -> None:
    print(f"  {table.name:<13} {len(table):>10,} rows  {time.perf_counter() - started:6.1f} s")


def _is_empty_sqlite(url: str) -> bool:
    conn = sqlite3.connect(_sqlite_path(url))
    try:
        return conn.execute("SELECT COUNT(*) FROM ticket").fetchone()[0] == 0
    finally:
        conn.close()


async def _is_empty_postgres(url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        return await conn.fetchval("SELECT COUNT(*) FROM ticket") == 0
    finally:
        await conn.close()


def _wipe_sqlite(url: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(_sqlite_path(url) + suffix).unlink(missing_ok=True)


async def _wipe_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO public"
        )
    finally:
        await conn.close()


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite://")


def main(argv: Sequence[str] | None = None) -> int:
    """Generate and load the store; print how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="sqlite:///path.db or postgres://...")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90, help="history length up to now")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replace", action="store_true", help="wipe the store first")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="end of the history, ISO 8601 with offset (default: now); "
        "the same --now and --seed give the same rows in any store",
    )
    args = parser.parse_args(argv)
    if args.customers < 1 or args.tickets < 0 or args.messages < 0 or args.days < 1:
        parser.error("need at least one customer and one day")
    if args.now is not None and args.now.utcoffset() is None:
        parser.error("--now needs an offset, e.g. 2026-03-02T09:00:00+00:00")

    started = time.perf_counter()
    sqlite = args.db.startswith("sqlite")
    if args.replace and sqlite:
        _wipe_sqlite(args.db)
    elif args.replace:
        asyncio.run(_wipe_postgres(args.db))
    asyncio.run(apply_migrations(args.db))
    empty = _is_empty_sqlite(args.db) if sqlite else asyncio.run(_is_empty_postgres(args.db))
    if not empty:
        print(f"{args.db} already holds tickets; pass --replace to start over", file=sys.stderr)
        return 2
    now = (args.now or datetime.now(UTC)).timestamp()
    tables = generate(
        customers=args.customers,
        tickets=args.tickets,
        messages=args.messages,
        days=args.days,
        seed=args.seed,
        now=now,
    )
    generated = time.perf_counter()
    print(f"generated in {generated - started:.1f} s (migrations included); loading:")
    if sqlite:
        load_sqlite(_sqlite_path(args.db), tables)
    else:
        asyncio.run(load_postgres(args.db, tables))
    total = sum(len(t) for t in tables)
    print(
        f"loaded {total:,} rows in {time.perf_counter() - generated:.1f} s; "
        f"total {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
