"""The report's figures: pure functions, one tidy DataFrame (an analysis result) in, one Figure out.

Every figure has a title, axis labels with units in brackets, and a source line at its foot
(:data:`energytrade.report.style.SOURCE_GID`). The frames are the report's tables
(:mod:`energytrade.report.tables`), so a figure and its CSV always show the same numbers.
Nothing here reads files or touches pyplot; :func:`energytrade.report.style.png_bytes` saves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from energytrade.periods import parse_period
from energytrade.report.style import (
    EVENT_COLOR,
    NEUTRAL,
    RC,
    TALL,
    WIDE,
    add_source_line,
    month_midpoints,
    new_figure,
    partner_colors,
)

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


def date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
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
    :func:`energytrade.report.data_figures.market_share_chart`).

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
    fig = new_figure(WIDE)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        for code in order:
            rows = frame[frame["partner_iso3"] == code].sort_values("period")
            is_focus = code == focus
            ax.plot(
                month_midpoints(rows["period"]),
                rows[column] * scale,
                color=colors[code],
                linewidth=2.4 if is_focus else linewidth,
                label=label(code, str(rows["partner_name"].iloc[0])),
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
        top.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        top.set_ylim(bottom=0)
        top.set_ylabel(ylabel)
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
        for ax, window in zip(axes, windows):
            rows = shown[shown["window"] == window].sort_values("rank")
            y = np.arange(len(rows))[::-1]
            ax.barh(y, rows[value_column] * scale, color=[colors[c] for c in rows["partner_iso3"]], height=0.7)
            ax.set_yticks(y, [str(n) for n in rows["partner_name"]])
            for yi, value, share in zip(y, rows[value_column] * scale, rows["share_pct"]):
                ax.annotate(
                    f"{value:,.1f} ({share:.1f} %)",
                    xy=(value, yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7.5,
                )
            ax.set_xlim(0, xmax[lengths[window]])
            ax.set_title(str(window).replace("/", " to "), loc="left", fontsize=9.5)
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
    fig = new_figure(TALL)
    with matplotlib.rc_context(RC):
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
        for i, code in enumerate(order):
            rows = prices[prices["partner_iso3"] == code].sort_values("period")
            if code == ALL_PARTNERS:
                style = {"color": NEUTRAL, "linestyle": "--", "linewidth": 1.2, "zorder": 2}
            else:
                style = {"color": colors[code], "zorder": 4 if i == 0 else 3}
            top.plot(
                month_midpoints(rows["period"]), rows["usd_per_bbl"], label=str(rows["partner_name"].iloc[0]), **style
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
