"""Figures of gas and coal from Russia: volumes over time, and Russia's rank among China's gas suppliers.

Pure functions in the manner of :mod:`energytrade.report.figures`: tidy frames in (the tables of
:mod:`energytrade.report.gas_tables`), one :class:`matplotlib.figure.Figure` out (no pyplot), with a
title, units in brackets and a source line.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrade import units
from energytrade.report.figures import date_axis, mark_events, rank_axis, require_columns
from energytrade.report.style import RC, TALL, add_source_line, month_midpoints, new_figure

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
        (:func:`energytrade.report.gas_tables.pipeline_volumes`).
    annual : DataFrame
        ``period`` (``YYYY``), ``lng_bcm`` (:func:`energytrade.report.gas_tables.annual_supplies`).
    lng_monthly, coal_monthly : DataFrame
        ``period`` (``YYYY-MM``), ``net_weight_t`` [t].
    events : mapping
        ``YYYY-MM-DD`` -> label of dates to mark on the monthly panels (the last one dashed).
    source : str
        The source line.
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
        top.bar(
            x - width / 2,
            pipe_bcm,
            width,
            color=SERIES_COLORS["pipeline_gas"],
            label="pipeline gas (Power of Siberia; press figures, whisker: range across outlets)",
        )
        top.errorbar(
            x - width / 2, pipe_bcm, yerr=np.nan_to_num(errors), fmt="none", ecolor="black", capsize=3, linewidth=0.9
        )
        top.bar(
            x + width / 2,
            lng_bcm,
            width,
            color=SERIES_COLORS["lng"],
            label=f"LNG (customs tonnes at {units.BCM_PER_MT_LNG} bcm/Mt)",
        )
        for xi, value in zip(x - width / 2, pipe_bcm):
            if np.isfinite(value):  # the press figure as printed (the claims' figure), not rounded
                top.annotate(
                    f"{value:g}",
                    xy=(xi, value),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                )
        for xi, value in zip(x + width / 2, lng_bcm):
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
        top.set_ylim(0, np.nanmax(np.concatenate([pipe_max, lng_bcm])) * 1.18)  # room for the bar labels
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
) -> Figure:
    """Top: the partner's share of China's imports per month, one line per series. Bottom: its rank
    (1 = largest supplier) per month.

    Parameters
    ----------
    ranks : DataFrame
        ``label`` (the series, e.g. ``"LNG, by tonnage"``), ``period`` (``YYYY-MM``), ``rank``,
        ``share_pct`` [%] (:attr:`energytrade.report.gas_tables.GasTables.rank_monthly`).
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
        top.set_ylabel(f"{partner_name}'s share of\nChina's imports [%]")
        top.set_title(title, loc="left")
        top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="measured by")
        mark_events(top, events)
        rank_axis(bottom, worst, partner_name=partner_name, events=events)
    add_source_line(fig, source)
    return fig
