"""Figures of what the data hold and how supply is shared: a coverage heatmap and a market-share chart.

Pure functions in the manner of :mod:`energytrade.report.figures`: one tidy frame in, one
:class:`matplotlib.figure.Figure` out (no pyplot), with a title, units in brackets and a source line
(:func:`energytrade.report.style.add_source_line`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from energytrade.claims.asof import ARTICLE_DATE
from energytrade.events import WAR_START
from energytrade.formatting import display_name
from energytrade.report.figures import partner_lines, require_columns
from energytrade.report.style import EVENT_COLOR, RC, WIDE, add_source_line, new_figure


def article_events(article_date: date = ARTICLE_DATE) -> dict[str, str]:
    """The dates marked on time axes, as the report marks them: the invasion of Ukraine, then the article."""
    return {
        WAR_START.isoformat(): f"invasion of Ukraine, {WAR_START.isoformat()}",
        article_date.isoformat(): f"article, {article_date.isoformat()}",
    }


#: Colours of the coverage heatmap: no source, one source, two, three or more.
COVERAGE_COLORS: tuple[str, ...] = ("#f1f1f1", "#aed6f1", "#3498db", "#1b4f72")


def _month_position(day: str, months: list[str]) -> float | None:
    """x position of a ``YYYY-MM-DD`` date on an axis with one cell per month (cell i spans i-0.5..i+0.5)."""
    stamp = pd.Timestamp(day)
    key = f"{stamp.year:04d}-{stamp.month:02d}"
    if key not in months:
        return None
    return months.index(key) - 0.5 + (stamp.day - 1) / stamp.days_in_month


def coverage_heatmap(
    matrix: pd.DataFrame,
    *,
    events: Mapping[str, str] | None = None,
    source: str,
    title: str = "Which months have figures: number of sources per commodity and partner",
) -> Figure:
    """Months across, one row per ``commodity / partner``; a cell's colour is the number of sources with
    a figure that month (light grey: none, a gap).

    Parameters
    ----------
    matrix : DataFrame
        :func:`energytrade.inventory.coverage_matrix`: index ``YYYY-MM`` (every month of the span),
        columns ``commodity / partner``, integer counts of sources.
    events : mapping, optional
        ``YYYY-MM-DD`` -> label of dates to mark (the last one dashed).
    source : str
        The source line.
    """
    if matrix.empty:
        raise ValueError("coverage_heatmap: the matrix is empty, nothing to draw")
    months = [str(m) for m in matrix.index]
    keys = [str(c) for c in matrix.columns]
    counts = matrix.to_numpy(dtype=float).T
    top = len(COVERAGE_COLORS) - 1
    cmap = ListedColormap(list(COVERAGE_COLORS))
    norm = BoundaryNorm(np.arange(-0.5, top + 1.0), cmap.N)
    fig = new_figure((WIDE[0], 1.6 + 0.38 * len(keys)))
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        ax.imshow(np.minimum(counts, top), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        ax.set_yticks(range(len(keys)), keys)
        januaries = [i for i, m in enumerate(months) if m.endswith("-01")]
        ax.set_xticks([i - 0.5 for i in januaries], [months[i][:4] for i in januaries], ha="left")
        ax.set_xticks(np.arange(len(months)) - 0.5, minor=True)
        ax.tick_params(axis="x", which="minor", length=0)
        ax.grid(False)
        for i in januaries:
            ax.axvline(i - 0.5, color="white", linewidth=1.5)
        for j in range(1, len(keys)):
            ax.axhline(j - 0.5, color="white", linewidth=1.5)
        for i, (day, text) in enumerate((events or {}).items()):
            x = _month_position(day, months)
            if x is None:
                continue
            # As in the report's time axes: the last event (the article) labelled to the right of its
            # line, earlier ones to the left, so neighbouring labels do not overlap.
            last = i == len(events) - 1
            ax.axvline(x, color=EVENT_COLOR, linewidth=1.0, linestyle="--" if last else ":")
            ax.annotate(
                text,
                xy=(x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3 if last else -3, 2),
                textcoords="offset points",
                ha="left" if last else "right",
                va="bottom",
                fontsize=7.5,
                color=EVENT_COLOR,
            )
        ax.set_xlabel("month (a cell per month; labels at January)")
        ax.set_ylabel("commodity / partner")
        ax.set_title(title, loc="left", pad=18)
        labels = ["no figure (gap)", "1 source", "2 sources", f"{top} or more sources"]
        shown = max(2, min(int(np.nanmax(counts)), top)) + 1  # no legend entry for counts that never occur
        handles = [
            Patch(facecolor=c, edgecolor="#999999", label=lab) for c, lab in zip(COVERAGE_COLORS[:shown], labels)
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), title="sources [count]")
    add_source_line(fig, source)
    return fig


def market_share_chart(
    shares: pd.DataFrame,
    *,
    events: Mapping[str, str],
    source: str,
    focus: str = "RUS",
    title: str = "Shares of China's crude oil imports by supplier, monthly",
    ylabel: str = "share of China's imports by tonnage [%]",
) -> Figure:
    """Each supplier's monthly share of imports as a line (the ``focus`` supplier drawn thicker).

    Parameters
    ----------
    shares : DataFrame
        ``period`` (``YYYY-MM``), ``partner_iso3``, ``partner_name``, ``share_pct`` [%], e.g. rows of
        :func:`energytrade.analysis.market_shares` for a few suppliers; one line per partner, in the order
        partners first appear, labelled with :func:`energytrade.formatting.display_name`.
    events : mapping
        ``YYYY-MM-DD`` -> label of dates to mark (the last one dashed: the article's date).
    source : str
        The source line.
    focus : str, default "RUS"
        The partner drawn thicker and on top.
    """
    require_columns(shares, ["period", "partner_iso3", "partner_name", "share_pct"], "market_share_chart")
    return partner_lines(
        shares,
        "share_pct",
        events=events,
        source=source,
        title=title,
        ylabel=ylabel,
        xlabel="month (figures drawn mid-month)",
        focus=focus,
        linewidth=1.3,
        label=display_name,
    )
