"""PNG charts for reports, drawn with matplotlib's Agg renderer.

Figures are built from `matplotlib.figure.Figure` directly, never pyplot: pyplot keeps a
global registry of open figures (a leak in a long-running bot) and is not thread-safe, while
a bare Figure is an ordinary object, so rendering can run in a worker thread
(`asyncio.to_thread`) and is garbage once the bytes are out.

Chinese text (topic and segment names, customers, cities) is drawn with Noto Sans CJK, which
the ``noto-cjk-sans-otc`` dependency ships: a fresh install has no CJK font of its own, and
matplotlib would draw boxes. It is registered with matplotlib at the first chart, not at
import, and comes after matplotlib's DejaVu Sans in each text's font list, so Latin text keeps
the default font and only the characters DejaVu lacks fall back to it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from io import BytesIO

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.series import DailySeries
from crm.models import TicketKind

__all__ = ["chart_fonts", "render_bar_chart", "render_daily_chart", "render_segment_chart"]

SIZE = (8.0, 4.5)  # inches; at DPI this is 960 x 540, crisp in a Telegram photo
DPI = 120
KIND_COLOURS = {
    TicketKind.INQUIRY: "#4C78A8",
    TicketKind.COMPLAINT: "#E45756",
    TicketKind.FEEDBACK: "#54A24B",
    TicketKind.RATING: "#B279A2",
    TicketKind.FOLLOW_UP: "#F58518",
}
CSAT_COLOUR = "#222222"


DEFAULT_FONT = "DejaVu Sans"  # matplotlib's own, always installed with it
CJK_FONT = "Noto Sans CJK SC"
_registering = threading.Lock()


def chart_fonts() -> list[str]:
    """Return the font list for chart text: the default font, then the bundled CJK font."""
    with _registering:  # charts render in worker threads; register the font once
        return list(_registered_fonts())


@cache
def _registered_fonts() -> tuple[str, ...]:
    from noto_cjk_sans_otc import FONT_PATH  # the font file only: no code runs at import

    manager = font_manager.fontManager
    known = len(manager.ttflist)
    manager.addfont(str(FONT_PATH))
    faces = {entry.name for entry in manager.ttflist[known:]}
    # matplotlib 3.11 registers every face of the collection; older ones only its first
    # (Noto Sans CJK JP), which covers the same ideographs with Japanese glyph shapes.
    return (DEFAULT_FONT, CJK_FONT if CJK_FONT in faces else min(faces))


def _new_figure() -> Figure:
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: the figure renders with Agg, no GUI backend
    return figure


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_daily_chart(series: DailySeries, *, title: str, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """Draw tickets opened per day, stacked by kind, with CSAT as a line; return a PNG.

    The axis labels and the legend are in ``lang`` (a staff language).
    """
    fonts = chart_fonts()
    figure = _new_figure()
    tickets = figure.add_subplot()
    tickets.set_title(title, fontfamily=fonts)
    positions = list(range(len(series.days)))
    bottom = [0] * len(positions)
    for kind in TicketKind:
        counts = series.opened.get(kind, [0] * len(positions))
        if not any(counts):
            continue
        tickets.bar(
            positions,
            counts,
            bottom=bottom,
            color=KIND_COLOURS[kind],
            label=t(f"staff.kind.{kind.value}", lang),
            width=0.8,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    tickets.set_ylabel(t("staff.chart.tickets_opened", lang), fontfamily=fonts)
    tickets.set_ylim(0, max([*bottom, 1]) * 1.15)
    tickets.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, len(positions) // 10)
    day_format = t("staff.chart.day_format", lang)
    tickets.set_xticks(positions[::step], [d.strftime(day_format) for d in series.days[::step]])
    tickets.tick_params(axis="x", labelrotation=45)
    if not positions:
        tickets.text(
            0.5,
            0.5,
            t("staff.sales.no_data", lang),
            ha="center",
            va="center",
            transform=tickets.transAxes,
            fontfamily=fonts,
        )
        tickets.set_xticks([])

    csat = tickets.twinx()
    csat.set_ylim(0, 100)
    csat.yaxis.set_major_formatter(PercentFormatter(100))
    csat_label = t("staff.summary.csat", lang)
    csat.set_ylabel(csat_label, fontfamily=fonts)
    if any(value is not None for value in series.csat_pct):
        # NaN breaks the line on days without ratings instead of joining across them.
        values = [float("nan") if y is None else y for y in series.csat_pct]
        csat.plot(positions, values, color=CSAT_COLOUR, marker="o", markersize=3, label=csat_label)

    handles, labels = tickets.get_legend_handles_labels()
    more_handles, more_labels = csat.get_legend_handles_labels()
    if handles or more_handles:
        tickets.legend(
            handles + more_handles,
            labels + more_labels,
            loc="upper left",
            prop={"family": fonts, "size": "small"},
        )
    return _png(figure)


def render_bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str) -> bytes:
    """Draw one bar per label; return a PNG."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    figure = _new_figure()
    axes = figure.add_subplot()
    axes.set_title(title, fontfamily=chart_fonts())
    if labels:
        positions = list(range(len(labels)))
        axes.bar(positions, values, color=KIND_COLOURS[TicketKind.INQUIRY])
        axes.set_xticks(positions, list(labels), fontfamily=chart_fonts())
        if len(labels) > 6:
            axes.tick_params(axis="x", labelrotation=45)
    else:
        axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
    return _png(figure)


SEGMENT_SIZE = (11.0, 5.0)  # wider than SIZE: a size bar and an eight-column heat-map
MISSING_COLOUR = "#DDDDDD"


def render_segment_chart(
    names: Sequence[str],
    sizes: Sequence[int],
    profiles: Sequence[Sequence[float | None]],
    features: Sequence[str],
    *,
    title: str,
    lang: str = DEFAULT_LANGUAGE,
) -> bytes:
    """Draw segment sizes beside a heat-map of their profiles; return a PNG.

    A heat-map cell is coloured by how far the segment's value lies from the other segments'
    (per column, in standard deviations), so what sets a segment apart stands out; the cell
    shows the value itself. None is a grey cell.
    """
    if not len(names) == len(sizes) == len(profiles):
        raise ValueError("names, sizes and profiles differ in length")
    figure = Figure(figsize=SEGMENT_SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontfamily=chart_fonts())
    bars, heat = figure.subplots(1, 2, width_ratios=[1, 3], sharey=True)
    if not names:
        for axes in (bars, heat):
            axes.text(
                0.5,
                0.5,
                t("staff.sales.no_data", lang),
                ha="center",
                va="center",
                transform=axes.transAxes,
                fontfamily=chart_fonts(),
            )
            axes.set_xticks([])
            axes.set_yticks([])
        return _png(figure)
    rows = list(range(len(names)))
    bars.barh(rows, sizes, color=KIND_COLOURS[TicketKind.INQUIRY])
    bars.set_yticks(rows, list(names), fontfamily=chart_fonts())
    bars.invert_yaxis()  # the largest segment on top
    bars.set_xlabel(t("staff.segments.chart.customers", lang), fontfamily=chart_fonts())
    bars.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    for row, size in zip(rows, sizes, strict=True):
        bars.text(size, row, f" {size:,}", va="center", fontsize="small")
    bars.set_xlim(0, max([*sizes, 1]) * 1.3)

    values = np.array([[np.nan if v is None else float(v) for v in row] for row in profiles])
    known = ~np.isnan(values)
    counts = np.maximum(known.sum(axis=0), 1)
    filled = np.where(known, values, 0.0)
    mean = filled.sum(axis=0) / counts
    spread = np.sqrt((np.where(known, filled - mean, 0.0) ** 2).sum(axis=0) / counts)
    scores = np.where(known, (filled - mean) / np.where(spread > 0, spread, 1.0), np.nan)
    scores = np.ma.masked_invalid(scores)
    colours = matplotlib.colormaps["coolwarm"].with_extremes(bad=MISSING_COLOUR)
    heat.imshow(scores, cmap=colours, vmin=-2, vmax=2, aspect="auto")
    heat.set_title(t("staff.segments.chart.heat", lang), fontfamily=chart_fonts())
    heat.set_xticks(
        range(len(features)), list(features), rotation=30, ha="right", fontfamily=chart_fonts()
    )
    heat.tick_params(axis="y", left=False)
    for row in rows:
        for column in range(len(features)):
            value = values[row, column]
            text = "–" if np.isnan(value) else _compact(value)
            heat.text(column, row, text, ha="center", va="center", fontsize="small")
    return _png(figure)


def _compact(value: float) -> str:
    """Return a number short enough for a heat-map cell."""
    size = abs(value)
    if size >= 10_000:
        return f"{value / 1000:,.0f}k"
    if size >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if size >= 1 or value == 0 else f"{value:.2f}"
