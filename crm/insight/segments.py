"""Customer segmentation: RFM and service features, KMeans, and a name for every cluster.

One run, as `compute_segments` does it:

1. **Features, aggregated in the database** (one GROUP BY per table, narrow columns into
   pandas), as of `now`:

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

2. **New customers are set apart**: a customer with no orders and fewer than two tickets
   (all time) has too little history to place and goes to the ``new`` segment, unclustered.

3. **The rest are clustered**: missing values filled (no orders: the longest recency seen; never
   wrote in: the longest contact gap seen; no scored message: neutral sentiment 0; no rating:
   the median rating), counts, money and day spans log-transformed (``log1p``), every feature
   standardised, then KMeans for k = 3..8, keeping the k with the best silhouette score
   (each k fitted on a fixed sample of at most 20,000 customers and scored on 5,000 of them;
   the chosen k is then fitted on everyone). With fewer than 30 customers to
   cluster, or too few distinct ones for k = 3, they all go to one ``established`` segment.

4. **Every cluster is named** from its mean profile against the mean of everyone clustered
   (`name_segments`, a pure function): unhappy, prospects, high value, at risk, loyal,
   dormant, lapsed, needs help, active, occasional, quiet or else regular; a name used twice
   gets " 2", " 3".

The run (sizes, profiles, k, silhouette) and one row per customer are stored; the last five
finished runs are kept. Everything CPU-heavy runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from math import isnan
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from crm import clock
from crm.errors import InvalidInput
from crm.i18n import CATALOG, DEFAULT_LANGUAGE, t
from crm.insight.charts import render_segment_chart
from crm.models import Customer, CustomerSegment, Direction, SegmentRun, TicketKind

__all__ = [
    "FEATURES",
    "NEW",
    "Clustering",
    "Segmentation",
    "cluster",
    "compute_segments",
    "describe_run",
    "feature_matrix",
    "is_new",
    "latest_run",
    "load_features",
    "name_segments",
    "segment",
    "segment_members",
    "segments_chart",
]

log = logging.getLogger(__name__)

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
LOGGED = ("recency_days", "orders", "spent", "tickets_90d", "complaints_90d", "contact_days")
RECENT_DAYS = 90
NEW = "new"
NEW_DESCRIPTION = "Too little history to place yet: no orders and fewer than 2 tickets."
MIN_TICKETS_WITHOUT_ORDERS = 2
FALLBACK = "established"
MIN_CLUSTERED = 30
FALLBACK_DESCRIPTION = (
    f"Customers with some history, too few (under {MIN_CLUSTERED}) or too alike to cluster."
)
K_RANGE = range(3, 9)
SILHOUETTE_SAMPLE = 5_000
SELECTION_SAMPLE = 20_000
N_INIT = 4
RANDOM_STATE = 0
NEUTRAL_RATING = 3.0
KEEP_RUNS = 5
STALE_RUN = timedelta(hours=6)  # an unfinished run this old died with its process
BATCH = 5_000
DAY_SECONDS = 86_400.0


# --- features from the store ---------------------------------------------------------------


def _sql_instant(at: datetime) -> str:
    # SQLite holds tortoise datetimes as this very text and compares strings, which order like
    # the instants; PostgreSQL reads the same literal as a timestamptz.
    return "'" + at.astimezone(UTC).isoformat(sep=" ") + "'"


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
    at = _sql_instant(now)
    since = _sql_instant(now - timedelta(days=RECENT_DAYS))
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


# --- the pure part: who is new, the matrix, k, names ---------------------------------------------


def is_new(features: pd.DataFrame) -> pd.Series:
    """Mark customers with no orders and fewer than two tickets: too little history to place."""
    return (features["orders"] == 0) & (features["tickets"] < MIN_TICKETS_WITHOUT_ORDERS)


def feature_matrix(features: pd.DataFrame) -> np.ndarray:
    """Fill gaps, log-transform the skewed features and standardise; return the KMeans input."""
    filled = features[list(FEATURES)].astype("float64").copy()
    for column in ("recency_days", "contact_days"):
        # Never ordered / never wrote in: as long ago as the longest gap anyone has.
        longest = filled[column].max()
        filled[column] = filled[column].fillna(0.0 if isnan(longest) else longest)
    filled["sentiment"] = filled["sentiment"].fillna(0.0)
    median = filled["rating"].median()
    filled["rating"] = filled["rating"].fillna(NEUTRAL_RATING if isnan(median) else median)
    for column in LOGGED:
        filled[column] = np.log1p(filled[column].clip(lower=0.0))
    return StandardScaler().fit_transform(filled.to_numpy())


@dataclass(frozen=True, slots=True)
class Clustering:
    """The chosen KMeans clustering: k, its silhouette score and each row's cluster."""

    k: int
    silhouette: float
    labels: np.ndarray


def cluster(matrix: np.ndarray, *, ks: Sequence[int] = K_RANGE) -> Clustering | None:
    """Choose k by silhouette and cluster every row; None if the rows cannot be split.

    Each k is fitted on a fixed sample of at most `SELECTION_SAMPLE` rows and scored on a
    fixed sample of at most `SILHOUETTE_SAMPLE` of those (their distances computed once, so
    every k is judged on the same customers); the winner is then fitted once on all rows,
    starting from the sample's centroids.
    """
    rng = np.random.default_rng(RANDOM_STATE)
    rows = _sample(rng, len(matrix), SELECTION_SAMPLE)
    trial = matrix[rows]
    # k-means cannot make more clusters than there are distinct points, and the silhouette
    # needs at least one point more than clusters.
    distinct = len(np.unique(trial, axis=0)) if len(trial) else 0
    candidates = [k for k in ks if k <= distinct and k < len(trial)]
    if not candidates:
        return None
    scored = _sample(rng, len(trial), SILHOUETTE_SAMPLE)
    # One thread: OpenMP threads spin-wait, and on a box whose cores are busy (a bot, a
    # database) KMeans ran 9 times slower with them than without.
    with threadpool_limits(limits=1):
        distances = pairwise_distances(trial[scored].astype(np.float32))
        best: tuple[float, KMeans] | None = None
        for k in candidates:
            model = KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE).fit(trial)
            score = _silhouette(distances, model.labels_[scored])
            if score is not None and (best is None or score > best[0]):
                best = (score, model)
        if best is None:
            return None
        score, model = best
        if len(trial) < len(matrix):
            model = KMeans(
                n_clusters=model.n_clusters,
                init=model.cluster_centers_,
                n_init=1,
                random_state=RANDOM_STATE,
            ).fit(matrix)
            # The same customers as before, now with their labels from the fit on everyone.
            final = _silhouette(distances, model.labels_[rows[scored]])
            score = score if final is None else final
    return Clustering(k=model.n_clusters, silhouette=score, labels=model.labels_)


def _sample(rng: np.random.Generator, size: int, limit: int) -> np.ndarray:
    """Return sorted row numbers: all of them, or `limit` drawn without replacement."""
    if size <= limit:
        return np.arange(size)
    return np.sort(rng.choice(size, limit, replace=False))


def _silhouette(distances: np.ndarray, labels: np.ndarray) -> float | None:
    """Return the silhouette score of labelled points from their distances (None: undefined)."""
    if not 2 <= len(np.unique(labels)) <= len(labels) - 1:
        return None  # the sample caught a single cluster
    return float(silhouette_score(distances, labels, metric="precomputed"))


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


@dataclass(frozen=True, slots=True)
class Segmentation:
    """Who is in which segment, and what the segments look like."""

    labels: pd.Series  # customer id -> segment name
    k: int
    silhouette: float | None
    segments: list[dict[str, Any]]  # {"name", "description", "size", "profile"}, largest first


def _profile(rows: pd.DataFrame) -> dict[str, float | None]:
    means = rows[list(FEATURES)].astype("float64").mean()
    return {f: (None if isnan(v) else round(float(v), 2)) for f, v in means.items()}


def segment(features: pd.DataFrame) -> Segmentation:
    """Split customers into new ones and KMeans clusters, and name every segment."""
    new = is_new(features)
    rest = features[~new]
    labels = pd.Series(NEW, index=features.index, dtype=object)
    described: dict[str, str] = {NEW: NEW_DESCRIPTION}
    found = cluster(feature_matrix(rest)) if len(rest) >= MIN_CLUSTERED else None
    if found is None:
        k, silhouette = (1 if len(rest) else 0), None
        labels[rest.index] = FALLBACK
        described[FALLBACK] = FALLBACK_DESCRIPTION
    else:
        k, silhouette = found.k, found.silhouette
        clusters = pd.Series(found.labels, index=rest.index)
        # Largest first, so the biggest of two same-named clusters keeps the plain name.
        order = clusters.value_counts().sort_index().sort_values(ascending=False, kind="stable")
        profiles = rest[list(FEATURES)].astype("float64").groupby(clusters).mean().loc[order.index]
        overall = rest[list(FEATURES)].astype("float64").mean()
        names = name_segments(profiles, overall)
        labels[rest.index] = clusters.map(
            {c: name for c, (name, _) in zip(order.index, names, strict=True)}
        )
        described.update(dict(names))
    segments = [
        {
            "name": name,
            "description": described[name],
            "size": len(members),
            "profile": _profile(features.loc[members.index]),
        }
        for name, members in labels.groupby(labels)
    ]
    segments.sort(key=lambda s: (-s["size"], s["name"]))
    return Segmentation(labels=labels, k=k, silhouette=silhouette, segments=segments)


# --- runs in the store -----------------------------------------------------------------------


async def compute_segments(*, now: datetime | None = None) -> SegmentRun:
    """Segment every customer as of now, store the run and its members, keep the last five."""
    now = now or clock.utcnow()
    run = await SegmentRun.create(started_at=clock.utcnow())
    try:
        features = await load_features(now=now)
        result = await asyncio.to_thread(segment, features)
        await _store_members(run, result.labels)
        run.customers = len(result.labels)
        run.k = result.k
        run.silhouette = None if result.silhouette is None else round(result.silhouette, 4)
        run.segments = result.segments
        run.finished_at = clock.utcnow()
        await run.save()
    except BaseException:
        await CustomerSegment.filter(run_id=run.id).delete()
        await run.delete()
        raise
    await _prune()
    log.info(
        "segmented %s customer(s) into %s segment(s), k=%s, in %.1f s",
        run.customers,
        len(run.segments),
        run.k,
        (run.finished_at - run.started_at).total_seconds(),
    )
    return run


async def _store_members(run: SegmentRun, labels: pd.Series) -> None:
    ids = labels.index.to_numpy().tolist()
    names = labels.to_numpy().tolist()
    for start in range(0, len(ids), BATCH):
        batch = dict(zip(ids[start : start + BATCH], names[start : start + BATCH], strict=True))
        try:
            await _insert(run, batch)
        except IntegrityError:
            # A customer merged or erased since the features were read: store the others.
            alive = set(await Customer.filter(id__in=list(batch)).values_list("id", flat=True))
            await _insert(run, {cid: name for cid, name in batch.items() if cid in alive})


async def _insert(run: SegmentRun, batch: Mapping[int, str]) -> None:
    await CustomerSegment.bulk_create(
        [
            CustomerSegment(run_id=run.id, customer_id=cid, segment=name)
            for cid, name in batch.items()
        ]
    )


async def _prune() -> None:
    keep = await (
        SegmentRun.filter(finished_at__not_isnull=True)
        .order_by("-finished_at", "-id")
        .limit(KEEP_RUNS)
        .values_list("id", flat=True)
    )
    stale = await SegmentRun.filter(
        Q(finished_at__not_isnull=True, id__not_in=list(keep) or [0])
        | Q(finished_at__isnull=True, started_at__lt=clock.utcnow() - STALE_RUN)
    ).values_list("id", flat=True)
    if stale:
        await CustomerSegment.filter(run_id__in=list(stale)).delete()
        await SegmentRun.filter(id__in=list(stale)).delete()


async def latest_run() -> SegmentRun | None:
    """Return the latest finished segmentation run, or None before the first."""
    return (
        await SegmentRun.filter(finished_at__not_isnull=True)
        .order_by("-finished_at", "-id")
        .first()
    )


async def segment_members(*, name: str, run: SegmentRun | None = None) -> list[int]:
    """Return the ids of the customers in a named segment of a run (default: the latest)."""
    run = run or await latest_run()
    if run is None:
        raise InvalidInput.of("staff.err.no_segments_yet")
    wanted = " ".join(name.split()).casefold()
    names = [s["name"] for s in run.segments]
    match = next((known for known in names if known.casefold() == wanted), None)
    if match is None:
        raise InvalidInput.of("staff.err.no_such_segment", name=name, names=", ".join(names))
    return list(
        await CustomerSegment.filter(run_id=run.id, segment=match)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
    )


# --- presenting a run ------------------------------------------------------------------------

# (feature, label, format) in the order a person reads a profile.
_SHOWN = (
    ("orders", "{:.1f}"),
    ("spent", "{:,.0f}"),
    ("recency_days", "{:.0f}"),
    ("tickets_90d", "{:.1f}"),
    ("complaints_90d", "{:.1f}"),
    ("sentiment", "{:+.2f}"),
    ("rating", "{:.1f}"),
    ("contact_days", "{:.0f}"),
)


def describe_run(run: SegmentRun, *, zone: tzinfo = UTC, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a run as plain text: when, how many, then each segment with its profile.

    Segment names stay as they are (audiences name them); their descriptions are in ``lang``.
    """
    finished = run.finished_at or run.started_at
    took = (finished - run.started_at).total_seconds()
    how = f"k={run.k}" if run.k else t("staff.segments.no_clustering", lang)
    if run.silhouette is not None:
        how += t("staff.segments.silhouette", lang, score=f"{run.silhouette:.2f}")
    lines = [
        t(
            "staff.segments.heading",
            lang,
            when=f"{finished.astimezone(zone):%Y-%m-%d %H:%M %Z}",
            took=f"{took:.1f}",
            customers=f"{run.customers:,}",
            how=how,
        )
    ]
    for entry in run.segments:
        share = entry["size"] / run.customers if run.customers else 0.0
        lines.append("")
        lines.append(
            t(
                "staff.segments.segment",
                lang,
                name=entry["name"],
                size=f"{entry['size']:,}",
                share=f"{share:.0%}",
                description=_description(entry, lang),
            )
        )
        profile = entry.get("profile") or {}
        shown = [
            t(f"staff.segments.{key}", lang, value=fmt.format(profile[key]))
            for key, fmt in _SHOWN
            if profile.get(key) is not None
        ]
        if shown:
            lines.append("  " + " · ".join(shown))
    if not run.segments:
        lines.append(t("staff.segments.none", lang))
    return "\n".join(lines)


def _description(entry: Mapping[str, Any], lang: str) -> str:
    """Return a segment's description in a language: its rule's, else the stored one."""
    base = entry["name"].rstrip("0123456789 ")  # "loyal 2" is a second "loyal"
    key = f"staff.segment.{base.replace(' ', '_')}"
    known = key in CATALOG[DEFAULT_LANGUAGE] and t(key) == entry.get("description")
    return t(key, lang) if known else str(entry.get("description", ""))


def segments_chart(run: SegmentRun, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """Draw a run's segment sizes and profile heat-map (labels in ``lang``); return a PNG."""
    names = [s["name"] for s in run.segments]
    sizes = [s["size"] for s in run.segments]
    profiles = [[(s.get("profile") or {}).get(f) for f in FEATURES] for s in run.segments]
    return render_segment_chart(
        names,
        sizes,
        profiles,
        [t(f"staff.segments.short.{f}", lang) for f in FEATURES],
        title=t("staff.segments.chart", lang, customers=f"{run.customers:,}"),
        lang=lang,
    )
