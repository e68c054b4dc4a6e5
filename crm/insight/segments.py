"""Customer segmentation runs: compute, store, find and present them.

One run, as `compute_segments` does it: every customer's features as of `now`, aggregated in
the database (`crm.insight.segment_features`); new customers set apart and the rest clustered
with KMeans (`crm.insight.segment_model`); every cluster named from its mean profile against
the mean of everyone clustered (`crm.insight.segment_names`).

The run (sizes, profiles, k, silhouette) and one row per customer are stored; the last five
finished runs are kept. Everything CPU-heavy runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import pandas as pd
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from crm import clock
from crm.errors import InvalidInput
from crm.i18n import CATALOG, DEFAULT_LANGUAGE, t
from crm.insight.charts import render_segment_chart
from crm.insight.segment_features import FEATURES, load_features
from crm.insight.segment_model import segment
from crm.models import Customer, CustomerSegment, SegmentRun

__all__ = [
    "compute_segments",
    "describe_run",
    "latest_run",
    "segment_members",
    "segments_chart",
]

log = logging.getLogger(__name__)

KEEP_RUNS = 5
STALE_RUN = timedelta(hours=6)  # an unfinished run this old died with its process
BATCH = 5_000


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
