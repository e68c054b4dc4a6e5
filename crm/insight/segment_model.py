"""Segmenting customers, the pure part: who is new, the KMeans input, k, and the segments.

**New customers are set apart**: a customer with no orders and fewer than two tickets (all
time) has too little history to place and goes to the ``new`` segment, unclustered.

**The rest are clustered**: missing values filled (no orders: the longest recency seen; never
wrote in: the longest contact gap seen; no scored message: neutral sentiment 0; no rating:
the median rating), counts, money and day spans log-transformed (``log1p``), every feature
standardised, then KMeans for k = 3..8, keeping the k with the best silhouette score (each k
fitted on a fixed sample of at most 20,000 customers and scored on 5,000 of them; the chosen
k is then fitted on everyone). With fewer than 30 customers to cluster, or too few distinct
ones for k = 3, they all go to one ``established`` segment. Each cluster is then named
(see `crm.insight.segment_names`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import isnan
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from crm.insight.segment_features import FEATURES
from crm.insight.segment_names import name_segments

__all__ = [
    "NEW",
    "Clustering",
    "Segmentation",
    "cluster",
    "feature_matrix",
    "is_new",
    "segment",
]

LOGGED = ("recency_days", "orders", "spent", "tickets_90d", "complaints_90d", "contact_days")
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
