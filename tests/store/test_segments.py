"""Customer segmentation: naming, the "new" rule, k, the stored runs, the CLI and /segments."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from telegram.ext import CallbackContext

from bot.cli import main as crm_main
from crm import clock
from crm.errors import InvalidInput
from crm.insight.segment_features import FEATURES, load_features
from crm.insight.segment_model import cluster, is_new, segment
from crm.insight.segment_names import name_segments
from crm.insight.segments import (
    compute_segments,
    describe_run,
    latest_run,
    segment_members,
    segments_chart,
)
from crm.models import Customer, CustomerSegment, Direction, SegmentRun, TicketKind
from crm.store import db
from handlers.segments import segmentation_job
from tests.factories import (
    make_customer,
    make_message,
    make_open_ticket,
    make_orders,
    make_segment_run,
    make_ticket,
)
from tests.harness import MANAGER_ID, Desk

PNG = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAN = float("nan")

# --- naming, on crafted centroids ------------------------------------------------------------

OVERALL = pd.Series(
    {
        "recency_days": 60.0,
        "orders": 5.0,
        "spent": 500.0,
        "tickets_90d": 0.5,
        "complaints_90d": 0.1,
        "sentiment": 0.05,
        "rating": 4.0,
        "contact_days": 45.0,
    }
)


def centroid(**changes: float) -> dict[str, float]:
    """Return a cluster profile: the overall means with some features changed."""
    assert set(changes) <= set(FEATURES)
    return {**OVERALL.to_dict(), **changes}


def names_of(*profiles: dict[str, float], overall: pd.Series = OVERALL) -> list[str]:
    return [name for name, _ in name_segments(pd.DataFrame(list(profiles)), overall)]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param(
            centroid(spent=3000, orders=15, recency_days=10), "high value", id="big-recent"
        ),
        pytest.param(
            centroid(sentiment=-0.45, complaints_90d=1.5, tickets_90d=2.5, rating=2.2),
            "unhappy",
            id="sour-complaining",
        ),
        pytest.param(centroid(rating=2.1), "unhappy", id="poor-ratings-alone"),
        pytest.param(centroid(complaints_90d=0.8), "unhappy", id="complaints-alone"),
        pytest.param(
            centroid(spent=3000, orders=15, recency_days=10, sentiment=-0.4),
            "unhappy",
            id="unhappy-beats-high-value",
        ),
        pytest.param(
            centroid(spent=1500, orders=9, recency_days=200, contact_days=150),
            "at risk",
            id="used-to-buy-a-lot",
        ),
        pytest.param(
            centroid(orders=10, spent=600, recency_days=20, sentiment=0.3),
            "loyal",
            id="often-small",
        ),
        pytest.param(
            centroid(orders=1.2, spent=60, recency_days=300, contact_days=280),
            "dormant",
            id="long-gone",
        ),
        pytest.param(
            centroid(orders=1.2, spent=60, recency_days=300, contact_days=NAN, sentiment=NAN),
            "dormant",
            id="never-wrote-in",
        ),
        pytest.param(
            centroid(orders=2, spent=100, recency_days=300, contact_days=5), "lapsed", id="lapsed"
        ),
        pytest.param(
            centroid(orders=0.1, spent=5, recency_days=NAN, tickets_90d=2.5),
            "prospects",
            id="no-orders",
        ),
        pytest.param(centroid(tickets_90d=2.0), "needs help", id="many-tickets"),
        pytest.param(centroid(recency_days=20), "active", id="recent-ordinary"),
        pytest.param(centroid(orders=2, spent=150), "occasional", id="buy-little"),
        pytest.param(centroid(tickets_90d=0.1, contact_days=90), "quiet", id="seldom-write"),
        pytest.param(centroid(), "regular", id="ordinary"),
    ],
)
def test_a_cluster_is_named_by_what_sets_it_apart(profile: dict, expected: str) -> None:
    assert names_of(profile) == [expected]


def test_names_are_unique_in_a_run_and_descriptions_are_one_line() -> None:
    at_risk = centroid(spent=1500, orders=9, recency_days=200)
    named = name_segments(
        pd.DataFrame([at_risk, centroid(), at_risk, centroid(), centroid()]), OVERALL
    )
    assert [name for name, _ in named] == [
        "at risk",
        "regular",
        "at risk 2",
        "regular 2",
        "regular 3",
    ]
    assert all(description and "\n" not in description for _, description in named)


def test_nobody_complaining_is_not_a_reason_to_be_unhappy() -> None:
    calm = OVERALL.copy()
    calm["complaints_90d"] = 0.0
    assert names_of(centroid(complaints_90d=0.0), overall=calm) == ["regular"]


# --- the "new" rule, k, and the whole in-memory segmentation ---------------------------------


def test_new_means_no_orders_and_fewer_than_two_tickets() -> None:
    features = pd.DataFrame(
        {"orders": [0, 0, 0, 1, 3], "tickets": [0, 1, 2, 0, 5]}, index=[1, 2, 3, 4, 5]
    )
    assert is_new(features).tolist() == [True, True, False, False, False]


@pytest.mark.parametrize("blobs", [3, 4, 6])
def test_k_is_chosen_by_silhouette_on_separated_blobs(blobs: int) -> None:
    points, truth = make_blobs(
        n_samples=120 * blobs,
        centers=blobs,
        n_features=len(FEATURES),
        cluster_std=0.6,
        center_box=(-25, 25),
        random_state=7,
    )
    found = cluster(points)
    assert found is not None and found.k == blobs
    assert adjusted_rand_score(truth, found.labels) == pytest.approx(1.0)
    assert found.silhouette > 0.7


def test_large_data_picks_k_on_a_sample_then_clusters_every_row_deterministically() -> None:
    points, truth = make_blobs(
        n_samples=30_000, centers=5, n_features=4, center_box=(-25, 25), random_state=3
    )
    first, second = cluster(points), cluster(points)
    assert first is not None and second is not None
    assert first.k == 5 and len(first.labels) == 30_000
    assert adjusted_rand_score(truth, first.labels) == pytest.approx(1.0)
    assert (second.k, second.silhouette) == (first.k, first.silhouette)
    assert (second.labels == first.labels).all()


def frame(rows: list[dict[str, float]]) -> pd.DataFrame:
    """Return features for customers 1..n: defaults for whatever a row leaves out."""
    base = {f: NAN for f in FEATURES} | {
        "orders": 0,
        "spent": 0.0,
        "tickets": 0,
        "tickets_90d": 0,
        "complaints_90d": 0,
    }
    return pd.DataFrame(
        [base | row for row in rows], index=range(1, len(rows) + 1), columns=list(base)
    )


def test_too_few_customers_to_cluster_fall_back_to_one_established_segment() -> None:
    rows = [{"orders": 2 + i, "spent": 40.0 * (i + 1), "recency_days": 3.0 * i} for i in range(10)]
    result = segment(frame([*rows, {"tickets": 1}, {}]))
    assert (result.k, result.silhouette) == (1, None)
    assert [(s["name"], s["size"]) for s in result.segments] == [("established", 10), ("new", 2)]
    assert result.labels.loc[11] == "new" and result.labels.loc[1] == "established"


def test_alike_customers_are_not_forced_into_clusters() -> None:
    # 40 identical customers: KMeans cannot make 3 clusters of one point (and would warn).
    result = segment(frame([{"orders": 2, "spent": 80.0, "recency_days": 9.0}] * 40))
    assert result.k == 1 and [s["name"] for s in result.segments] == ["established"]


def test_everyone_new_or_nobody_at_all() -> None:
    only_new = segment(frame([{}, {"tickets": 1}]))
    assert (only_new.k, [s["name"] for s in only_new.segments]) == (0, ["new"])
    nobody = segment(frame([]))
    assert (nobody.k, nobody.segments, len(nobody.labels)) == (0, [], 0)


# --- the store: features, runs, members ------------------------------------------------------

GROUPS = ("high value", "at risk", "unhappy", "occasional", "prospects", "new")


async def seed_story(now: datetime | None = None) -> dict[str, list[int]]:
    """Store five kinds of customer plus new ones; return each group's customer ids."""
    now = now or clock.utcnow()
    ids: dict[str, list[int]] = {group: [] for group in GROUPS}

    async def customer(group: str, i: int):
        made = await make_customer(f"{group} {i}")
        ids[group].append(made.id)
        return made

    for i in range(10):
        whale = await customer("high value", i)
        await make_orders(
            whale, count=10 + i % 3, total=500, last_days_ago=3 + i, every_days=3, now=now
        )
        gone = await customer("at risk", i)
        await make_orders(
            gone, count=10 + i % 3, total=500, last_days_ago=400 + 5 * i, every_days=10, now=now
        )
        sour = await customer("unhappy", i)
        await make_orders(sour, count=2, total=50, last_days_ago=60 + i, every_days=30, now=now)
        for days_ago in (5, 20, 40):
            await make_ticket(
                sour,
                kind=TicketKind.COMPLAINT,
                days_ago=days_ago + i,
                sentiment=-0.8,
                rating=1 if days_ago == 5 else None,
                now=now,
            )
        casual = await customer("occasional", i)
        await make_orders(casual, count=2, total=40, last_days_ago=100 + i, every_days=60, now=now)
    for i in range(4):
        asking = await customer("prospects", i)
        for days_ago in (3 + i, 10 + i):
            await make_ticket(asking, days_ago=days_ago, sentiment=0.1, now=now)
    for i in range(5):
        newcomer = await customer("new", i)
        if i < 3:
            await make_ticket(newcomer, days_ago=2, now=now)
    return ids


async def test_features_are_aggregated_in_the_database(store: None) -> None:
    alice = await make_customer("Alice")
    await make_orders(alice, count=3, total=20.5, last_days_ago=10, every_days=5, now=NOW)
    await make_orders(alice, count=1, total=999, last_days_ago=-1, now=NOW)  # after "now"
    await make_ticket(
        alice, kind=TicketKind.COMPLAINT, days_ago=4, sentiment=-0.5, rating=2, now=NOW
    )
    await make_ticket(alice, days_ago=30, sentiment=0.3, rating=5, now=NOW)
    old = await make_ticket(alice, kind=TicketKind.COMPLAINT, days_ago=120, now=NOW)
    # the desk's words do not count for the customer's mood
    await make_message(old, direction=Direction.OUTBOUND, sentiment_score=1.0, created_at=NOW)
    # opened by the desk itself, not by Alice
    await make_open_ticket(alice, kind=TicketKind.FOLLOW_UP, created_at=NOW - timedelta(days=1))
    bob = await make_customer("Bob")

    features = await load_features(now=NOW)

    assert sorted(features.index) == sorted([alice.id, bob.id])
    a = features.loc[alice.id]
    assert (a.orders, a.spent, a.recency_days) == (3, pytest.approx(61.5), pytest.approx(10.0))
    assert (a.tickets, a.tickets_90d, a.complaints_90d) == (3, 2, 1)
    assert a.sentiment == pytest.approx(-0.1)  # (-0.5 + 0.3) / 2; the unscored one is skipped
    assert a.rating == pytest.approx(3.5)
    assert a.contact_days == pytest.approx(4.0)
    b = features.loc[bob.id]
    assert (b.orders, b.spent, b.tickets) == (0, 0.0, 0)
    assert np.isnan(b.recency_days) and np.isnan(b.sentiment) and np.isnan(b.contact_days)


async def test_customers_land_in_the_segment_their_story_tells(store: None) -> None:
    clock.freeze(NOW)
    groups = await seed_story()

    run = await compute_segments()

    assert run.finished_at is not None and run.customers == 49 and run.k == 5
    assert run.silhouette is not None and run.silhouette > 0.5
    for name in GROUPS:
        assert await segment_members(name=name) == sorted(groups[name]), name
    sizes = [s["size"] for s in run.segments]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 49
    stored = await CustomerSegment.filter(run_id=run.id).count()
    assert stored == 49
    whales = next(s for s in run.segments if s["name"] == "high value")
    assert whales["profile"]["orders"] == pytest.approx(10.9)
    assert whales["profile"]["complaints_90d"] == 0.0 and whales["profile"]["sentiment"] is None
    assert (await latest_run()).id == run.id  # type: ignore[union-attr]
    text = describe_run(run)
    assert "49 customer(s), k=5" in text and "high value: 10 (20%)" in text
    assert "high value: 10 (20%). Spend the most and still buy." in text
    assert segments_chart(run).startswith(PNG)
    chinese = describe_run(run, lang="zh")  # names stay: audiences are written with them
    assert "49 位客户，k=5" in chinese
    assert "high value：10（20%）。消费最多，而且仍在购买。" in chinese
    assert segments_chart(run, "zh").startswith(PNG)


async def test_members_by_name_case_insensitively_and_of_an_older_run(store: None) -> None:
    clock.freeze(NOW)
    groups = await seed_story()
    first = await compute_segments()
    late = await make_customer("Late")
    clock.advance(timedelta(minutes=1))
    second = await compute_segments()
    assert await segment_members(name="  NEW ") == sorted([*groups["new"], late.id])
    assert await segment_members(name="new", run=first) == sorted(groups["new"])
    assert (await latest_run()).id == second.id  # type: ignore[union-attr]


async def test_unknown_segment_names_and_no_run_yet_are_explained(store: None) -> None:
    with pytest.raises(InvalidInput, match="no customer segments yet"):
        await segment_members(name="high value")
    await make_customer("Alice")
    await compute_segments()
    with pytest.raises(InvalidInput) as refused:
        await segment_members(name="whales")
    assert str(refused.value) == "no segment named 'whales'; the segments are: new"


async def test_only_the_last_five_finished_runs_are_kept(store: None) -> None:
    clock.freeze(NOW)
    for name in ("Ann", "Ben", "Cai"):
        await make_customer(name)
    crashed = await make_segment_run(started_at=NOW - timedelta(hours=7))
    running = await make_segment_run(started_at=NOW - timedelta(minutes=1))
    runs = []
    for _ in range(7):
        clock.advance(timedelta(minutes=1))
        runs.append(await compute_segments())
    kept = await SegmentRun.all().order_by("id").values_list("id", flat=True)
    assert kept == [running.id, *(run.id for run in runs[-5:])]
    assert crashed.id not in kept
    members = await CustomerSegment.all().values_list("run_id", flat=True)
    assert sorted(set(members)) == [run.id for run in runs[-5:]] and len(members) == 15
    assert (await latest_run()).id == runs[-1].id  # type: ignore[union-attr]


async def test_a_customer_erased_while_segmenting_is_left_out(store: None, monkeypatch) -> None:
    clock.freeze(NOW)
    groups = await seed_story()
    erased = groups["unhappy"][0]
    read = load_features

    async def then_erase(*, now: datetime) -> pd.DataFrame:
        features = await read(now=now)
        await Customer.filter(id=erased).delete()  # a merge or GDPR erasure meanwhile
        return features

    monkeypatch.setattr("crm.insight.segments.load_features", then_erase)
    run = await compute_segments()
    assert await segment_members(name="unhappy") == sorted(groups["unhappy"][1:])
    assert await CustomerSegment.filter(run_id=run.id).count() == 48


async def test_an_empty_store_gives_an_empty_run(store: None) -> None:
    run = await compute_segments()
    assert (run.customers, run.k, run.segments) == (0, 0, [])
    assert describe_run(run).endswith("No customers yet.")
    assert segments_chart(run).startswith(PNG)
    with pytest.raises(InvalidInput, match="aware datetime"):
        await compute_segments(now=datetime(2026, 3, 2, 9, 0))
    assert await SegmentRun.all().count() == 1


async def test_a_failed_run_leaves_nothing_behind(store: None, monkeypatch) -> None:
    await make_customer("Alice")

    def broken(features: pd.DataFrame) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("crm.insight.segments.segment", broken)
    with pytest.raises(RuntimeError, match="boom"):
        await compute_segments()
    assert await SegmentRun.all().count() == 0 and await latest_run() is None


# --- the command line ------------------------------------------------------------------------


def test_cli_computes_and_shows_the_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, migrated_templates: dict[str, str]
) -> None:
    path = tmp_path / "crm.db"
    shutil.copyfile(migrated_templates["sqlite"], path)
    url = f"sqlite://{path}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRM_DB_URL", url)

    async def fill() -> None:
        async with db.store_session(url):
            await seed_story()

    asyncio.run(fill())
    assert crm_main(["segments", "show"]) == 1
    assert "no customer segments yet" in capsys.readouterr().err

    assert crm_main(["segments", "compute"]) == 0
    computed = capsys.readouterr().out
    assert "49 customer(s), k=5" in computed and "at risk: 10 (20%)" in computed

    chart = tmp_path / "segments.png"
    assert crm_main(["segments", "show", "--out", str(chart)]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[0] == computed.splitlines()[0]  # the same run, not a new one
    assert f"chart written to {chart}" in shown and chart.read_bytes().startswith(PNG)


# --- /segments through the real bot ----------------------------------------------------------


@pytest.mark.e2e
async def test_managers_get_segments_and_customers_are_refused(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    carol = desk.customer(501, "Carol")
    await desk.send_text(carol, "hello, where is my parcel?")
    for command in ("/segments", "/segments compute"):
        refused = await desk.send_text(carol, command)
        assert refused.text == "Sorry, this command is for managers only."
    assert await SegmentRun.all().count() == 0  # nothing was computed for Carol

    none_yet = await desk.send_text(maya, "/segments")
    assert none_yet.text == "No customer segments yet: /segments compute makes the first ones."
    bad = await desk.send_text(maya, "/segments everything")
    assert bad.text.startswith("Usage: /segments")

    groups = await seed_story()
    started = await desk.send_text(maya, "/segments compute")
    assert started.text == "Computing customer segments…"
    summary = await desk.sandbox.wait_for_message(
        MANAGER_ID, contains="Customer segments of", timeout=30
    )
    assert summary.parse_mode == "HTML"
    text = summary.plain_text or ""
    # Carol wrote in once and has no orders: she is new too.
    assert "50 customer(s), k=5" in text and "high value: 10 (20%)" in text
    assert "new: 6 (12%). Too little history" in text
    photo = await desk.sandbox.wait_for(
        lambda: [m for m in desk.sandbox.messages_to(MANAGER_ID) if m.method == "sendPhoto"]
    )
    assert len(photo) == 1 and photo[0].file_content.startswith(PNG)
    assert await segment_members(name="unhappy") == sorted(groups["unhappy"])

    again = await desk.send_text(maya, "/segments")
    assert again.plain_text == text  # the stored run, shown again
    assert await SegmentRun.all().count() == 1

    await desk.settle()
    assert [m.method for m in desk.sandbox.messages_to(MANAGER_ID)].count("sendPhoto") == 2

    # The nightly job makes a new run, without a word to anyone.
    sent_before = len(desk.sandbox.messages_to(MANAGER_ID))
    await segmentation_job(CallbackContext(desk.application))
    assert await SegmentRun.filter(finished_at__not_isnull=True).count() == 2
    await desk.settle()
    assert len(desk.sandbox.messages_to(MANAGER_ID)) == sent_before
