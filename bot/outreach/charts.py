"""The report's charts, drawn by matplotlib (Agg, no display) from published figures only.

A masked figure is never drawn as a number: bars show published sums; the heat map hatches
masked cells. Each function returns PNG bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib as mpl

mpl.use("Agg")  # before pyplot: files only, never a window

import matplotlib.pyplot as plt
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from bot.outreach.tables import Figure

BRAND = "#0B4F6C"
ALERT = "#A4161A"
MUTED = "#B8B8B8"
DPI = 100


def _png(figure: MplFigure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _empty(title: str, message: str) -> bytes:
    figure, axes = plt.subplots(figsize=(8, 2))
    axes.set_axis_off()
    axes.set_title(title, loc="left", fontsize=13, fontweight="bold")
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555555")
    return _png(figure)


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Figure], str]],
    *,
    empty: str,
    horizontal: bool = True,
) -> bytes:
    """Grouped bars of published sums; ``series`` is (legend, figures, colour)."""
    if not labels:
        return _empty(title, empty)
    height = max(2.5, 0.45 * len(labels) * max(1, len(series)) + 1) if horizontal else 4.5
    figure, axes = plt.subplots(figsize=(8, height))
    width = 0.8 / len(series)
    positions = list(range(len(labels)))
    for index, (legend, figures, colour) in enumerate(series):
        offsets = [p + (index - (len(series) - 1) / 2) * width for p in positions]
        values = [f.value for f in figures]
        drawn = (
            axes.barh(offsets, values, height=width, color=colour, label=legend)
            if horizontal
            else axes.bar(offsets, values, width=width, color=colour, label=legend)
        )
        axes.bar_label(drawn, labels=[f.text() for f in figures], padding=3, fontsize=9)
    if horizontal:
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.xaxis.set_visible(False)
    else:
        axes.set_xticks(positions, labels, rotation=45 if len(labels) > 6 else 0, ha="right")
        axes.yaxis.set_visible(False)
    for side in ("top", "right", "bottom" if horizontal else "left"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, loc="left", fontsize=13, fontweight="bold")
    if len(series) > 1:
        axes.legend(frameon=False, loc="lower right")
    axes.margins(x=0.15) if horizontal else axes.margins(y=0.15)
    return _png(figure)


def heat_map(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Figure]],
    *,
    empty: str,
) -> bytes:
    """A table of figures as shades; masked cells hatched and marked ``x`` / ``≥``."""
    if not any(f.value or f.masked for row in cells for f in row):
        return _empty(title, empty)
    figure, axes = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.6))
    peak = max((f.value for row in cells for f in row), default=1) or 1
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            shade = cell.value / peak
            colour = (1 - 0.75 * shade, 1 - 0.55 * shade, 1 - 0.4 * shade)
            axes.add_patch(
                Rectangle(
                    (c, r),
                    1,
                    1,
                    facecolor=colour,
                    edgecolor="white",
                    hatch="///" if cell.masked else None,
                )
            )
            if cell.value or cell.masked:
                axes.text(
                    c + 0.5,
                    r + 0.5,
                    cell.text(),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if shade > 0.6 else "black",
                )
    axes.set_xlim(0, len(columns))
    axes.set_ylim(len(rows), 0)
    axes.set_xticks([c + 0.5 for c in range(len(columns))], columns, fontsize=9)
    axes.set_yticks([r + 0.5 for r in range(len(rows))], rows, fontsize=9)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    axes.set_title(title, loc="left", fontsize=13, fontweight="bold")
    return _png(figure)
