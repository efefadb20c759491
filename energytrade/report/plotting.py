"""The report's one plotting module: the shared style, axes and every chart drawn from a chapter's tables.

No pyplot anywhere: every figure is a :class:`matplotlib.figure.Figure` with an Agg canvas attached
explicitly, so nothing depends on (or changes) the global backend of the process that imports
energytrade. Fonts, sizes and colours come from :data:`RC`, applied with :func:`matplotlib.rc_context`
only while a figure is drawn and saved. Charts are pure functions: frames in, a Figure out.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from energytrade import units
from energytrade.claims.asof import ARTICLE_DATE
from energytrade.events import WAR_START
from energytrade.formatting import display_name, fmt_window
from energytrade.periods import parse_period
from energytrade.sources import registry

# ------------------------------------------------------------ (formerly style.py)

#: Resolution of every PNG [dots per inch].
DPI = 100  # the HTML shows figures at most about 1,000 px wide (main: 62rem), so a reader loses nothing

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

#: The source line printed at the foot of each figure, by clean-table source.
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


def _rows_by_period(frame: pd.DataFrame, column: str, codes: Sequence[str]) -> dict[str, np.ndarray]:
    """Per code of ``column``: the positions of its rows in ``frame`` in period order (the rows of a boolean
    index and a sort by period; one sort for all codes instead of one filter and sort per code)."""
    by_period = np.argsort(frame["period"].to_numpy(dtype=object), kind="stable")
    values = frame[column].to_numpy(dtype=object)[by_period]
    return {code: by_period[values == code] for code in codes}


# ------------------------------------------------------------ (formerly figures.py)

#: Pseudo partner code for "all suppliers" series (an average over every partner).
ALL_PARTNERS = "ALL"

#: How a unit is shown on an axis: unit -> (scale factor, axis label).
DISPLAY_UNITS: dict[str, tuple[float, str]] = {
    "t": (1e-6, "million tonnes [Mt]"),
    "bbl/d": (1e-3, "thousand barrels per day [kb/d]"),
    "USD": (1e-9, "billion US dollars [USD bn]"),
    "USD/bbl": (1.0, "US dollars per barrel [USD/bbl]"),
}


def _display(unit: str) -> tuple[float, str]:
    try:
        return DISPLAY_UNITS[unit]
    except KeyError:
        raise ValueError(f"no display rule for unit {unit!r}; known: {', '.join(DISPLAY_UNITS)}") from None


def require_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: the frame lacks column(s) {missing}; it has {list(df.columns)}")
    if df.empty:
        raise ValueError(f"{what}: the frame is empty, nothing to draw")


def mark_events(ax, events: Mapping[str, str], *, label: bool = True) -> None:
    """A vertical line at each ``YYYY-MM-DD`` date, labelled at the top of the axes.

    The last event (the article's date) is dashed and labelled to the right of its line; earlier ones
    are dotted and labelled to the left, so neighbouring labels do not overlap.
    """
    for i, (day, text) in enumerate(events.items()):
        x = pd.Timestamp(day)
        last = i == len(events) - 1
        ax.axvline(x, color=EVENT_COLOR, linewidth=1.0, linestyle="--" if last else ":", zorder=1)
        if label:
            ax.annotate(
                text,
                xy=(x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3 if last else -3, -3),
                textcoords="offset points",
                ha="left" if last else "right",
                va="top",
                fontsize=7.5,
                color=EVENT_COLOR,
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                zorder=5,
            )


class _RememberedTicks:
    """Mixin for a date locator: the ticks of a view interval are worked out once. A figure with a
    constrained layout asks each axis for its ticks dozens of times while it is drawn, and dateutil's
    ``rrule`` (behind matplotlib's date locators) answered slowly: about a tenth of the report's drawing
    time. The ticks are the parent locator's own, so figures are unchanged."""

    def tick_values(self, vmin, vmax):
        remembered = self.__dict__.setdefault("_remembered", {})
        if (vmin, vmax) not in remembered:
            remembered[(vmin, vmax)] = super().tick_values(vmin, vmax)
        return remembered[(vmin, vmax)].copy()


class YearTicks(_RememberedTicks, mdates.YearLocator):
    """:class:`matplotlib.dates.YearLocator`, remembering its ticks per view interval."""


class MonthTicks(_RememberedTicks, mdates.MonthLocator):
    """:class:`matplotlib.dates.MonthLocator`, remembering its ticks per view interval."""


def date_axis(ax) -> None:
    """Years as major ticks (labelled), quarters as minor ticks."""
    ax.xaxis.set_major_locator(YearTicks())
    ax.xaxis.set_minor_locator(MonthTicks(bymonth=(4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def _partner_name(code: str, name: str) -> str:
    return name


def partner_lines(
    frame: pd.DataFrame,
    column: str,
    *,
    events: Mapping[str, str],
    source: str,
    title: str,
    ylabel: str,
    xlabel: str,
    scale: float = 1.0,
    focus: str = "RUS",
    linewidth: float = 1.4,
    label: Callable[[str, str], str] = _partner_name,
) -> Figure:
    """One line per partner over the months, the ``focus`` partner thicker and on top, the events marked,
    the legend to the right of the axes (:func:`crude_imports_by_supplier`,
    :func:`energytrade.report.plotting.market_share_chart`).

    Parameters
    ----------
    frame : DataFrame
        ``period`` (``YYYY-MM``), ``partner_iso3``, ``partner_name`` and ``column``; one line per partner,
        in the order partners first appear.
    column : str
        The column drawn, times ``scale`` (the unit shown in ``ylabel``).
    events : mapping
        ``YYYY-MM-DD`` -> label of dates to mark (the last one dashed: the article's date).
    source : str
        The source line.
    title, ylabel, xlabel : str
        The axes' title and labels.
    scale : float, default 1.0
        Factor from ``column``'s unit to the unit shown.
    focus : str, default "RUS"
        The partner drawn thicker (2.4 pt) and on top.
    linewidth : float, default 1.4
        Width of the other partners' lines [pt].
    label : callable, default the partner's name
        ``(partner_iso3, partner_name) -> legend label``, given the partner's name in its first month.
    """
    order = list(dict.fromkeys(frame["partner_iso3"]))
    colors = partner_colors(order)
    rows = _rows_by_period(frame, "partner_iso3", order)
    x, y, names = month_midpoints(frame["period"]), frame[column] * scale, frame["partner_name"]
    fig = new_figure(WIDE)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        for code in order:
            is_focus = code == focus
            ax.plot(
                x.iloc[rows[code]],
                y.iloc[rows[code]],
                color=colors[code],
                linewidth=2.4 if is_focus else linewidth,
                label=label(code, str(names.iloc[rows[code][0]])),
                zorder=3 if is_focus else 2,
            )
        mark_events(ax, events)
        date_axis(ax)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="supplier")
    add_source_line(fig, source)
    return fig


def rank_axis(ax, worst: int, *, partner_name: str, events: Mapping[str, str]) -> None:
    """Finish an Axes on which a partner's monthly rank is drawn: rank 1 on top down to ``worst``, integer
    ticks, the events marked (unlabelled), a date axis (the bottom panel of a rank figure)."""
    ax.set_ylim(worst + 0.5, 0.5)  # rank 1 on top
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"{partner_name}'s rank\n[1 = largest supplier]")
    ax.set_xlabel("month")
    mark_events(ax, events, label=False)
    date_axis(ax)


def crude_imports_by_supplier(
    monthly: pd.DataFrame,
    *,
    events: Mapping[str, str],
    source: str,
    title: str = "China's crude oil imports from its largest suppliers, monthly",
) -> Figure:
    """Monthly crude imports by supplier as lines, in thousand barrels per day.

    Parameters
    ----------
    monthly : DataFrame
        ``period`` (``YYYY-MM``), ``partner_iso3``, ``partner_name``, ``rate_bbl_per_day`` [bbl/d];
        one line is drawn per partner, in the order partners first appear (their ranking).
    events : mapping
        ``YYYY-MM-DD`` -> label of dates to mark (the last one dashed: the article's date).
    source : str
        The source line.
    """
    require_columns(
        monthly, ["period", "partner_iso3", "partner_name", "rate_bbl_per_day"], "crude_imports_by_supplier"
    )
    scale, ylabel = _display("bbl/d")
    return partner_lines(
        monthly,
        "rate_bbl_per_day",
        scale=scale,
        events=events,
        source=source,
        title=title,
        ylabel=ylabel,
        xlabel="month (figures drawn mid-month; crude converted at 7.33 bbl/t)",
    )


def monthly_leader_and_rank(
    leaders: pd.DataFrame,
    rank: pd.DataFrame,
    *,
    partner_name: str,
    events: Mapping[str, str],
    source: str,
    title: str = "China's largest crude supplier each month, and Russia's rank",
) -> Figure:
    """Top: the leading supplier's monthly imports, one bar per month coloured by the leader, with the
    partner's own imports as a line. Bottom: the partner's rank among all suppliers each month.

    Parameters
    ----------
    leaders : DataFrame
        ``period``, ``leader_iso3``, ``leader_name``, ``leader_value``, ``unit`` (one unit throughout,
        see :data:`DISPLAY_UNITS`), as :func:`energytrade.analysis.monthly_leaders` returns.
    rank : DataFrame
        ``period``, ``rank``, ``value`` (same unit), ``n_partners``, as
        :func:`energytrade.analysis.partner_rank` returns for the partner.
    partner_name : str
        Name of the partner whose rank is drawn (``"Russia"``).
    """
    require_columns(
        leaders, ["period", "leader_iso3", "leader_name", "leader_value", "unit"], "monthly_leader_and_rank"
    )
    require_columns(rank, ["period", "rank", "value"], "monthly_leader_and_rank")
    units = leaders["unit"].unique()
    if len(units) != 1:
        raise ValueError(f"monthly_leader_and_rank: leaders in several units {list(units)}; pass one metric")
    scale, ylabel = _display(str(units[0]))
    leaders = leaders.sort_values("period")
    rank = rank.sort_values("period")
    codes = list(dict.fromkeys(leaders["leader_iso3"]))
    colors = partner_colors(codes)
    names = dict(zip(leaders["leader_iso3"], leaders["leader_name"]))
    fig = new_figure(TALL)
    with matplotlib.rc_context(RC):
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2.2, 1]})
        x = month_midpoints(leaders["period"])
        top.bar(x, leaders["leader_value"] * scale, width=24, color=[colors[c] for c in leaders["leader_iso3"]])
        rx = month_midpoints(rank["period"])
        top.plot(
            rx, rank["value"] * scale, color="black", linewidth=1.2, marker="o", markersize=2.5, label=partner_name
        )
        handles = [Patch(color=colors[c], label=f"leader: {names[c]}") for c in codes]
        handles.append(top.lines[-1])
        top.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), title="bar: the leader's imports")
        top.set_ylim(bottom=0)
        top.set_ylabel(f"the month's leader: {ylabel}")
        top.set_title(title, loc="left")
        mark_events(top, events)

        bottom.step(rx, rank["rank"], where="mid", color=colors.get("RUS", "#c0392b"), linewidth=1.6)
        bottom.scatter(rx, rank["rank"], s=10, color=colors.get("RUS", "#c0392b"), zorder=3)
        worst = int(np.nanmax(rank["rank"])) if rank["rank"].notna().any() else 1
        rank_axis(bottom, worst, partner_name=partner_name, events=events)
    add_source_line(fig, source)
    return fig


def annual_ranking_bars(
    rankings: pd.DataFrame,
    *,
    value_column: str = "net_weight_t",
    unit: str = "t",
    top: int = 6,
    source: str,
    title: str = "China's largest crude oil suppliers by year: million tonnes (share of China's imports)",
) -> Figure:
    """One panel per window (calendar year, or a span), horizontal bars of the ``top`` suppliers with
    their share of the window's imports.

    Parameters
    ----------
    rankings : DataFrame
        ``window``, ``rank``, ``partner_iso3``, ``partner_name``, ``share_pct`` and ``value_column``
        [``unit``], as :func:`energytrade.analysis.supplier_ranking` returns (one window after another).
    """
    require_columns(
        rankings, ["window", "rank", "partner_iso3", "partner_name", "share_pct", value_column], "annual_ranking_bars"
    )
    scale, xlabel = _display(unit)
    windows = list(dict.fromkeys(rankings["window"]))
    shown = rankings[rankings["rank"] <= top]
    colors = partner_colors(list(dict.fromkeys(shown.sort_values(["rank", "window"])["partner_iso3"])))
    ncols = 3 if len(windows) > 4 else len(windows)
    nrows = int(np.ceil(len(windows) / ncols))
    fig = new_figure((10.0, 2.6 * nrows + 0.6))
    with matplotlib.rc_context(RC):
        axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
        # Calendar years share one scale; a longer window (the whole span) gets its own.
        lengths = {w: len(parse_period(str(w)).months()) for w in windows}
        xmax = {
            n: float(shown.loc[shown["window"].map(lengths) == n, value_column].max() * scale) * 1.45
            for n in set(lengths.values())
        }
        # Each window's rows by rank: positions from one sort instead of a filter and a sort per window.
        by_rank = np.argsort(shown["rank"].to_numpy(dtype="float64", na_value=np.inf), kind="stable")
        shown_windows = shown["window"].to_numpy(dtype=object)[by_rank]
        for ax, window in zip(axes, windows):
            rows = shown.iloc[by_rank[shown_windows == window]]
            y = np.arange(len(rows))[::-1]
            ax.barh(y, rows[value_column] * scale, color=[colors[c] for c in rows["partner_iso3"]], height=0.7)
            ax.set_yticks(y, [str(n) for n in rows["partner_name"]])
            for yi, value, share in zip(y, rows[value_column] * scale, rows["share_pct"]):
                ax.annotate(
                    f"{value:,.{0 if unit == 'bbl/d' else 1}f} ({share:.1f} %)",
                    xy=(value, yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7.5,
                )
            ax.set_xlim(0, xmax[lengths[window]])
            ax.set_title(fmt_window(str(window)), loc="left", fontsize=9.5)
            ax.grid(axis="y", visible=False)
        for ax in axes[len(windows) :]:
            ax.set_visible(False)
        for ax in axes[: len(windows)]:
            ax.set_xlabel(xlabel, fontsize=8)
        fig.suptitle(title, x=0.01, ha="left")
    add_source_line(fig, source)
    return fig


def unit_values(
    prices: pd.DataFrame,
    discount: pd.DataFrame,
    *,
    against_name: str,
    partner_name: str,
    events: Mapping[str, str],
    source: str,
    title: str = "Unit value of China's crude imports: Russia and Saudi Arabia",
) -> Figure:
    """Top: monthly unit values (customs value / tonnage, at 7.33 bbl/t) per supplier in USD per barrel.
    Bottom: the first partner's discount to ``against_name`` (positive = the partner's crude cheaper).

    Parameters
    ----------
    prices : DataFrame
        ``period``, ``partner_iso3``, ``partner_name``, ``usd_per_bbl`` [USD/bbl]; partner ``ALL``
        (:data:`ALL_PARTNERS`) is the average over all suppliers, drawn grey and dashed.
    discount : DataFrame
        ``period``, ``discount_usd_per_bbl`` [USD/bbl] (benchmark - partner, as
        :func:`energytrade.analysis.price_discount` returns).
    against_name : str
        Name of the benchmark (``"Saudi Arabia"``).
    partner_name : str
        Name of the partner whose discount is drawn (``"Russia"``).
    """
    require_columns(prices, ["period", "partner_iso3", "partner_name", "usd_per_bbl"], "unit_values")
    require_columns(discount, ["period", "discount_usd_per_bbl"], "unit_values")
    order = list(dict.fromkeys(prices["partner_iso3"]))
    colors = partner_colors([c for c in order if c != ALL_PARTNERS])
    rows = _rows_by_period(prices, "partner_iso3", order)
    x, names = month_midpoints(prices["period"]), prices["partner_name"]
    fig = new_figure(TALL)
    with matplotlib.rc_context(RC):
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
        for i, code in enumerate(order):
            if code == ALL_PARTNERS:
                style = {"color": NEUTRAL, "linestyle": "--", "linewidth": 1.2, "zorder": 2}
            else:
                style = {"color": colors[code], "zorder": 4 if i == 0 else 3}
            top.plot(
                x.iloc[rows[code]],
                prices["usd_per_bbl"].iloc[rows[code]],
                label=str(names.iloc[rows[code][0]]),
                **style,
            )
        top.set_ylabel(_display("USD/bbl")[1])
        top.set_title(title, loc="left")
        top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        mark_events(top, events)

        d = discount.sort_values("period")
        values = d["discount_usd_per_bbl"]
        bottom.bar(
            month_midpoints(d["period"]),
            values,
            width=24,
            color=np.where(values > 0, colors[order[0]], NEUTRAL),
        )
        bottom.axhline(0, color="black", linewidth=0.8)
        bottom.set_ylabel(f"{partner_name}'s discount to\n{against_name} [USD/bbl]")
        bottom.annotate(
            f"above 0: {partner_name}'s crude cheaper",
            xy=(0.005, 0.97),
            xycoords="axes fraction",
            ha="left",
            va="top",
            fontsize=7.5,
            color=EVENT_COLOR,
        )
        bottom.set_xlabel("month")
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f}" if v else "0"))
        mark_events(bottom, events, label=False)
        date_axis(bottom)
    add_source_line(fig, source)
    return fig


# ------------------------------------------------------------ (formerly data_figures.py)


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


# ------------------------------------------------------------ (formerly gas_figures.py)

#: Colours of the series (fixed, so the notebook's figures agree with each other).
SERIES_COLORS: dict[str, str] = {
    "pipeline_gas": "#922b21",
    "lng": "#e67e22",
    "coal": "#34495e",
}
#: Colours of the rank series, in order of first appearance.
RANK_COLORS: tuple[str, ...] = ("#e67e22", "#922b21", "#2874a6", "#1e8449")


def russia_gas_and_coal(
    volumes: pd.DataFrame,
    annual: pd.DataFrame,
    lng_monthly: pd.DataFrame,
    coal_monthly: pd.DataFrame,
    *,
    events: Mapping[str, str],
    source: str,
    partner_name: str = "Russia",
    title: str = "China's gas and coal imports from Russia",
) -> Figure:
    """Three panels: gas per year [bcm] (pipeline from the press, with the outlets' range, beside LNG
    converted to bcm); LNG per month [Mt, with bcm on the right axis]; coal per month [Mt].

    Parameters
    ----------
    volumes : DataFrame
        ``period`` (``YYYY``), ``volume_bcm``, ``volume_bcm_min``, ``volume_bcm_max``
        (:func:`energytrade.report.chapters.gas.pipeline_volumes`).
    annual : DataFrame
        ``period`` (``YYYY``), ``lng_bcm`` (:func:`energytrade.report.chapters.gas.annual_supplies`).
    lng_monthly, coal_monthly : DataFrame
        ``period`` (``YYYY-MM``), ``net_weight_t`` [t].
    events : mapping
        ``YYYY-MM-DD`` -> label of dates to mark on the monthly panels (the last one dashed).
    source : str
        The source line.

    When every pipeline volume is NaN (another importer than China: the press figures are China's) the
    top panel shows the LNG bars alone.
    """
    require_columns(volumes, ["period", "volume_bcm", "volume_bcm_min", "volume_bcm_max"], "russia_gas_and_coal")
    require_columns(annual, ["period", "lng_bcm"], "russia_gas_and_coal")
    require_columns(lng_monthly, ["period", "net_weight_t"], "russia_gas_and_coal")
    require_columns(coal_monthly, ["period", "net_weight_t"], "russia_gas_and_coal")
    years = sorted(set(annual["period"]) | set(volumes["period"]))
    pipe = volumes.set_index("period").reindex(years)
    lng = annual.set_index("period")["lng_bcm"].reindex(years)
    fig = new_figure((TALL[0], 8.6))
    with matplotlib.rc_context(RC):
        grid = fig.add_gridspec(3, 1, height_ratios=[1.15, 1, 1])
        top = fig.add_subplot(grid[0])
        lng_ax = fig.add_subplot(grid[1])
        coal_ax = fig.add_subplot(grid[2], sharex=lng_ax)

        x = np.arange(len(years))
        width = 0.38
        pipe_bcm = pipe["volume_bcm"].to_numpy(dtype=float)
        pipe_min = pipe["volume_bcm_min"].to_numpy(dtype=float)
        pipe_max = pipe["volume_bcm_max"].to_numpy(dtype=float)
        lng_bcm = lng.to_numpy(dtype=float)
        errors = np.vstack([pipe_bcm - pipe_min, pipe_max - pipe_bcm])
        has_pipe = bool(np.isfinite(pipe_bcm).any())
        if not has_pipe:  # LNG alone, centred on the year
            width, x_pipe, x_lng = 0.6, x, x
        else:
            x_pipe, x_lng = x - width / 2, x + width / 2
            top.bar(
                x_pipe,
                pipe_bcm,
                width,
                color=SERIES_COLORS["pipeline_gas"],
                label="pipeline gas (Power of Siberia; press figures, whisker: range across outlets)",
            )
            top.errorbar(
                x_pipe, pipe_bcm, yerr=np.nan_to_num(errors), fmt="none", ecolor="black", capsize=3, linewidth=0.9
            )
        top.bar(
            x_lng,
            lng_bcm,
            width,
            color=SERIES_COLORS["lng"],
            label=f"LNG (customs tonnes at {units.BCM_PER_MT_LNG} bcm/Mt)",
        )
        for xi, value in zip(x_pipe, pipe_bcm):
            if np.isfinite(value):  # one decimal, as the LNG bars (the tables keep the press figure as printed)
                top.annotate(
                    f"{value:.1f}",
                    xy=(xi, value),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                )
        for xi, value in zip(x_lng, lng_bcm):
            if np.isfinite(value):
                top.annotate(
                    f"{value:.1f}",
                    xy=(xi, value),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                )
        top.set_xticks(x, years)
        top.grid(axis="x", visible=False)
        heights = np.concatenate([pipe_max, lng_bcm])
        if np.isfinite(heights).any():
            top.set_ylim(0, np.nanmax(heights) * 1.18)  # room for the bar labels
        top.set_ylabel("billion cubic metres [bcm]")
        top.set_xlabel("calendar year")
        top.set_title(f"Gas from {partner_name} per year", loc="left")
        top.legend(loc="upper left")

        lng_rows = lng_monthly.sort_values("period")
        lng_ax.plot(
            month_midpoints(lng_rows["period"]),
            lng_rows["net_weight_t"] / units.TONNES_PER_MT,
            color=SERIES_COLORS["lng"],
        )
        lng_ax.set_ylim(bottom=0)
        lng_ax.set_ylabel("million tonnes [Mt]")
        right = lng_ax.secondary_yaxis(
            "right", functions=(lambda mt: mt * units.BCM_PER_MT_LNG, lambda bcm: bcm / units.BCM_PER_MT_LNG)
        )
        right.set_ylabel("gas [bcm]")
        lng_ax.set_title(f"LNG from {partner_name} per month", loc="left")
        mark_events(lng_ax, events)

        coal_rows = coal_monthly.sort_values("period")
        coal_ax.plot(
            month_midpoints(coal_rows["period"]),
            coal_rows["net_weight_t"] / units.TONNES_PER_MT,
            color=SERIES_COLORS["coal"],
        )
        coal_ax.set_ylim(bottom=0)
        coal_ax.set_ylabel("million tonnes [Mt]")
        coal_ax.set_xlabel("month (figures drawn mid-month)")
        coal_ax.set_title(f"Coal from {partner_name} per month", loc="left")
        mark_events(coal_ax, events, label=False)
        date_axis(coal_ax)
        lng_ax.tick_params(labelbottom=False)
        fig.suptitle(title, x=0.01, ha="left")
    add_source_line(fig, source)
    return fig


def russia_rank_among_suppliers(
    ranks: pd.DataFrame,
    *,
    events: Mapping[str, str],
    source: str,
    partner_name: str = "Russia",
    title: str = "Russia among China's gas suppliers: share and rank, monthly",
    importer_name: str = "China",
) -> Figure:
    """Top: the partner's share of an importer's (China's) imports per month, one line per series. Bottom:
    its rank (1 = largest supplier) per month.

    Parameters
    ----------
    ranks : DataFrame
        ``label`` (the series, e.g. ``"LNG, by tonnage"``), ``period`` (``YYYY-MM``), ``rank``,
        ``share_pct`` [%] (:attr:`energytrade.report.chapters.gas.GasTables.rank_monthly`).
    events : mapping
        ``YYYY-MM-DD`` -> label of dates to mark (the last one dashed).
    source : str
        The source line.
    """
    require_columns(ranks, ["label", "period", "rank", "share_pct"], "russia_rank_among_suppliers")
    labels = list(dict.fromkeys(ranks["label"]))
    colors = dict(zip(labels, RANK_COLORS * 2))
    fig = new_figure(TALL)
    with matplotlib.rc_context(RC):
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.6, 1]})
        worst = 1
        for label in labels:
            rows = ranks[ranks["label"] == label].sort_values("period")
            x = month_midpoints(rows["period"])
            top.plot(x, rows["share_pct"], color=colors[label], label=label)
            rank = rows["rank"].astype("float64")
            bottom.step(x, rank, where="mid", color=colors[label], linewidth=1.4)
            bottom.scatter(x, rank, s=8, color=colors[label], zorder=3)
            if rank.notna().any():
                worst = max(worst, int(np.nanmax(rank)))
        top.set_ylim(bottom=0)
        top.set_ylabel(f"{partner_name}'s share of\n{importer_name}'s imports [%]")
        top.set_title(title, loc="left")
        top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="measured by")
        mark_events(top, events)
        rank_axis(bottom, worst, partner_name=partner_name, events=events)
    add_source_line(fig, source)
    return fig
