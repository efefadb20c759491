"""How the report's figures look, and how they become identical PNG bytes on every run.

No pyplot anywhere: every figure is a :class:`matplotlib.figure.Figure` with an Agg canvas attached
explicitly, so nothing depends on (or changes) the global backend of the process that imports
energytrade (a notebook keeps its inline backend; a server without a display still renders).
Fonts, sizes and colours come from :data:`RC`, applied with :func:`matplotlib.rc_context` only
while a figure is drawn and saved, so the user's own rcParams neither leak in nor get changed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from energytrade.sources import registry

#: Resolution of every PNG [dots per inch].
DPI = 110

#: The rcParams every figure is drawn and saved under. DejaVu Sans ships with matplotlib, so the
#: glyphs (and the bytes) do not depend on the fonts installed on the machine.
RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "figure.titlesize": 12.0,
    "figure.titleweight": "bold",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "lines.linewidth": 1.6,
    "path.simplify": False,
    "svg.hashsalt": "energytrade",  # SVG ids are random unless salted (only matters if one saves SVG)
    "svg.fonttype": "path",
    "date.autoformatter.month": "%Y-%m",
}

#: The source line printed at the foot of each figure, by clean-table source (from the source registry).
SOURCE_LINES: dict[str, str] = {name: registry.figure_credit(name) for name in registry.NAMES}

#: A fixed colour per supplier, so a country has the same colour in every figure.
PARTNER_COLORS: dict[str, str] = {
    "RUS": "#c0392b",
    "SAU": "#1e8449",
    "IRQ": "#7d3c98",
    "AGO": "#d68910",
    "BRA": "#2874a6",
    "MYS": "#17a589",
    "OMN": "#a04000",
    "ARE": "#5d6d7e",
    "KWT": "#b7950b",
    "USA": "#1b2631",
    "IRN": "#76448a",
    "NOR": "#5499c7",
    "COL": "#45b39d",
    "KAZ": "#935116",
    "QAT": "#6c3483",
    "AUS": "#2e86c1",
}
#: Colours for suppliers without a fixed one, in order of first use.
FALLBACK_COLORS: tuple[str, ...] = ("#7f8c8d", "#af7ac5", "#73c6b6", "#f5b041", "#85929e", "#dc7633")
#: Neutral grey for "all suppliers" or "other" series.
NEUTRAL = "#888888"
#: Markers of dates on time axes.
EVENT_COLOR = "#333333"

#: Figure sizes [inches].
WIDE = (10.0, 5.2)
TALL = (10.0, 6.8)

#: Gid of the source-line text, so tests and readers can find it in a Figure.
SOURCE_GID = "source-line"


def partner_colors(partners: Iterable[str]) -> dict[str, str]:
    """A colour for each partner code: its fixed colour, else the next fallback colour."""
    colors: dict[str, str] = {}
    spare = iter(FALLBACK_COLORS * 4)
    for code in partners:
        if code in colors:
            continue
        colors[code] = PARTNER_COLORS.get(code) or next(spare, NEUTRAL)
    return colors


def new_figure(size: tuple[float, float] = WIDE, *, foot: float = 0.035) -> Figure:
    """An empty figure with an Agg canvas and constrained layout leaving room for the source line.

    ``foot`` is the strip kept free at the bottom for the source line [fraction of the figure's height];
    the default holds one line, a two-line source line needs about 0.06 on a 5-inch-tall figure.
    """
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size, dpi=DPI, layout=ConstrainedLayoutEngine(rect=(0, foot, 1, 1 - foot)))
        FigureCanvasAgg(fig)
    return fig


def add_source_line(fig: Figure, text: str) -> None:
    """Print ``text`` at the figure's bottom-left corner (the layout keeps that strip free)."""
    with matplotlib.rc_context(RC):
        fig.text(0.008, 0.008, text, fontsize=7.0, color="#555555", ha="left", va="bottom", gid=SOURCE_GID)


def source_line(sources: Iterable[str]) -> str:
    """The source line for the clean-table sources a figure draws on (in the given order)."""
    lines = [SOURCE_LINES.get(name, f"Source: {name}; energytrade") for name in dict.fromkeys(sources)]
    if len(lines) == 1:
        return lines[0]
    # "Source: A; energytrade" + "Source: B; energytrade" -> "Sources: A; B; energytrade"
    parts = [line.removeprefix("Source: ").removesuffix("; energytrade") for line in lines]
    return "Sources: " + "; ".join(parts) + "; energytrade"


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, identical on every run (no Software/date metadata, fixed dpi)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def month_midpoints(periods: pd.Series) -> pd.Series:
    """``YYYY-MM`` -> the 15th of that month (a monthly figure is drawn mid-month)."""
    return pd.to_datetime(periods.astype(str) + "-15", format="%Y-%m-%d")
