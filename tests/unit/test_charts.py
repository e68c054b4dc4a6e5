"""PNG charts: valid images of the expected size, for full, quiet and empty data, in Chinese too."""

from __future__ import annotations

import struct
import subprocess
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import noto_cjk_sans_otc
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.image import imread

from crm.insight.charts import (
    KIND_COLOURS,
    chart_fonts,
    render_bar_chart,
    render_daily_chart,
    render_segment_chart,
)
from crm.insight.series import DailySeries
from crm.models import TicketKind
from crm.sales.report import grouped_bar_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = 960, 540


def png_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) from a PNG's IHDR chunk, checking the file starts like a PNG."""
    assert data[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert (length, chunk) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


def pixels(data: bytes) -> np.ndarray:
    return imread(BytesIO(data), format="png")


def has_colour(image: np.ndarray, hex_colour: str) -> bool:
    """Return whether any pixel has exactly this colour (to 8 bits)."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return bool((np.abs(image[..., :3] - rgb) < 1 / 255).all(axis=-1).any())


def series(days: int, *, complaints: bool = True) -> DailySeries:
    dates = [date(2026, 3, 1) + timedelta(days=i) for i in range(days)]
    opened = {kind: [0] * days for kind in TicketKind}
    opened[TicketKind.INQUIRY] = [3 + i % 4 for i in range(days)]
    if complaints:
        opened[TicketKind.COMPLAINT] = [i % 3 for i in range(days)]
    csat = [None if i % 5 == 0 else 60.0 + i for i in range(days)]
    return DailySeries(days=dates, opened=opened, ratings=[1] * days, csat_pct=csat)


def test_daily_chart_is_a_png_with_a_bar_colour_per_kind_present() -> None:
    data = render_daily_chart(series(30), title="Last 30 days")
    assert png_size(data) == (WIDTH, HEIGHT)
    image = pixels(data)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    assert has_colour(image, KIND_COLOURS[TicketKind.INQUIRY])
    assert has_colour(image, KIND_COLOURS[TicketKind.COMPLAINT])
    assert not has_colour(image, KIND_COLOURS[TicketKind.FEEDBACK])

    calm = pixels(render_daily_chart(series(30, complaints=False), title="Last 30 days"))
    assert not has_colour(calm, KIND_COLOURS[TicketKind.COMPLAINT])


@pytest.mark.parametrize("days", [0, 1, 7])
def test_quiet_and_empty_series_still_render(days: int) -> None:
    quiet = DailySeries(
        days=[date(2026, 3, 1) + timedelta(days=i) for i in range(days)],
        opened={kind: [0] * days for kind in TicketKind},
        ratings=[0] * days,
        csat_pct=[None] * days,
    )
    image = pixels(render_daily_chart(quiet, title="Nothing happened"))
    assert image.shape[:2] == (HEIGHT, WIDTH)
    assert not any(has_colour(image, colour) for colour in KIND_COLOURS.values())


def test_bar_chart_renders_values_and_nothing() -> None:
    data = render_bar_chart(["billing", "delivery", "other"], [5, 0, 2.5], title="Topics")
    assert png_size(data) == (WIDTH, HEIGHT)
    assert has_colour(pixels(data), KIND_COLOURS[TicketKind.INQUIRY])
    empty = pixels(render_bar_chart([], [], title="No topics"))
    assert not has_colour(empty, KIND_COLOURS[TicketKind.INQUIRY])
    with pytest.raises(ValueError):
        render_bar_chart(["a"], [], title="mismatch")


def test_rendering_from_threads_gives_the_same_bytes() -> None:
    data = series(14)
    alone = render_daily_chart(data, title="Two weeks")
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda _: render_daily_chart(data, title="Two weeks"), range(8)))
    assert all(png == alone for png in together)


def test_charts_do_not_need_pyplot() -> None:
    code = (
        "import sys\n"
        "from crm.insight.charts import render_bar_chart\n"
        "render_bar_chart(['a'], [1], title='x')\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


def glyphs_missing(draw: Callable[[], bytes]) -> list[str]:
    """Draw a chart; return matplotlib's missing-glyph warnings (boxes in the picture)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert draw().startswith(PNG_SIGNATURE)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_chinese_labels_are_drawn_not_boxed() -> None:
    topics = ["退款", "投诉", "delivery", "物流延迟"]

    assert glyphs_missing(lambda: render_bar_chart(topics, [5, 3, 2, 1], title="话题 Topics")) == []
    assert glyphs_missing(lambda: render_daily_chart(series(7), title="最近7天的工单")) == []
    # A Chinese reader's legend, axis labels and day ticks too.
    assert glyphs_missing(lambda: render_daily_chart(series(7), title="工单", lang="zh")) == []
    assert (
        glyphs_missing(
            lambda: render_segment_chart(
                ["loyal"], [3], [[1.0, 2.0]], ["订单", "消费"], title="客户分群", lang="zh"
            )
        )
        == []
    )
    assert glyphs_missing(
        lambda: render_segment_chart(
            ["忠实客户", "at risk"], [12, 3], [[1.0, None], [2.5, 4.0]], ["orders", "spend"],
            title="客户分群",
        )
    ) == []  # fmt: skip
    assert (
        glyphs_missing(
            lambda: grouped_bar_chart(
                ["王小明", "Ann"], {"due": [2, 1], "done": [1, 1]}, title="任务"
            )
        )
        == []
    )


def test_the_cjk_font_comes_with_the_package_and_latin_keeps_the_default() -> None:
    bundled = Path(noto_cjk_sans_otc.__file__).parent
    fonts = chart_fonts()

    assert fonts == ["DejaVu Sans", "Noto Sans CJK SC"]  # a fallback list: Latin uses DejaVu
    assert any(
        Path(str(entry.fname)).parent == bundled and entry.name == "Noto Sans CJK SC"
        for entry in font_manager.fontManager.ttflist
    )


def test_the_font_is_registered_at_the_first_chart_not_at_import() -> None:
    code = (
        "import sys\n"
        "from matplotlib import font_manager\n"
        "import crm.insight.charts, crm.sales.report, crm.insight.segments\n"
        "import handlers.insight, bot.cli\n"
        "def cjk(): return any('CJK' in e.name for e in font_manager.fontManager.ttflist)\n"
        "print(cjk(), 'noto_cjk_sans_otc' in sys.modules)\n"
        "crm.insight.charts.render_bar_chart(['退款'], [1], title='x')\n"
        "print(cjk())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["False", "False", "True"]
