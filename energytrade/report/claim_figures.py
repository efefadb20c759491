"""One figure per claim, for the report and the notebooks.

:func:`claim_figure` draws a :class:`matplotlib.figure.Figure` in the report's style
(:mod:`energytrade.report.style`: Agg canvas attached explicitly, no pyplot, rcParams applied only while
drawing): a title with the claim and its verdict, units in brackets on the axes, the as-of date marked
where time is on the x-axis (:func:`energytrade.report.figures.mark_events`), and a source line at the
foot naming the sources the findings used. The data drawn come from the clean table through
:mod:`energytrade.analysis`, so the figure shows the same numbers as the findings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrade import analysis
from energytrade.claims.results import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED, ClaimResult, Finding
from energytrade.errors import NoData
from energytrade.events import WAR_START
from energytrade.periods import parse_period
from energytrade.report.figures import date_axis, mark_events
from energytrade.report.style import (
    NEUTRAL,
    RC,
    add_source_line,
    month_midpoints,
    new_figure,
    partner_colors,
    source_line,
)

#: Display of units on the claims' axes (short: the labels also name commodity and metric):
#: unit -> (scale, label).
DISPLAY = {"t": (1e-6, "[Mt]"), "USD": (1e-9, "[USD bn]"), "bcm": (1.0, "[bcm]"), "bbl/d": (1e-3, "[kb/d]")}
VERDICT_COLORS = {SUPPORTED: "#1e8449", NOT_SUPPORTED: "#c0392b", INCONCLUSIVE: "#999999"}
COMMODITY_COLORS = {"crude_oil": "#34495e", "lng": "#5dade2", "pipeline_gas": "#f5b041", "coal": "#7f8c8d"}
#: Strip kept free at the foot for the source line, which with the as-of rule takes two lines
#: [fraction of the figure's height].
FOOT = 0.06
#: Characters per inch of figure width at which the title (figure.titlesize, bold) and the source line
#: (7 pt) are wrapped, so both stay inside the figure whatever its width.
TITLE_CHARS_PER_INCH = 9.0
SOURCE_CHARS_PER_INCH = 16.0


def _source_text(result: ClaimResult, extra: str = "") -> str:
    used = [s for f in result.findings for s in f.data_sources]
    sources = source_line(used) if used else "Sources: no data; energytrade"
    known = (
        "figures count as known from their release: energytrade/release_calendar.yml"
        if result.lag_days is None
        else f"a month counts as known {result.lag_days} days after it ends"
    )
    return f"{sources}. Claims evaluated as of {result.as_of} ({known}).{extra}"


def _finish(fig: Figure, result: ClaimResult, extra: str = "") -> Figure:
    title = f"“{result.quote}” — {result.verdict} as of {result.as_of}"
    if result.later_verdict:
        title += f", later {result.later_verdict}"
    width = fig.get_figwidth()
    with matplotlib.rc_context(RC):
        fig.suptitle(_wrap(title, int(width * TITLE_CHARS_PER_INCH)))
    add_source_line(fig, _wrap(_source_text(result, extra), int(width * SOURCE_CHARS_PER_INCH)))
    return fig


def _wrap(text: str, chars: int) -> str:
    # Not at hyphens: "china-energy-monitor" and dates stay whole.
    return "\n".join(textwrap.wrap(text, chars, break_on_hyphens=False))


def _dates(result: ClaimResult, war: bool = False) -> Mapping[str, str]:
    """Dates to mark on a time axis: the war's start (dotted) if asked, then the as-of date (dashed)."""
    events = {WAR_START.isoformat(): "invasion"} if war else {}
    events[result.as_of.isoformat()] = f"as of {result.as_of}"
    return events


def _months(periods: Iterable[str]) -> pd.Series:
    return month_midpoints(pd.Series(list(periods), dtype=str))


def _partner_series(
    flows: pd.DataFrame, commodity: str, metric: str, sources: Iterable[str], importer: str, flow: str
) -> pd.DataFrame:
    """Monthly partner figures (period, partner_iso3, partner_name, x in the metric's unit) over sources."""
    parts = []
    for source in sources:
        try:
            shares = analysis.market_shares(flows, commodity, metric, "M", source=source, reporter=importer, flow=flow)
        except NoData:
            continue
        column = analysis.METRIC_COLUMNS[metric]
        parts.append(shares[["period", "partner_iso3", "partner_name", column]].rename(columns={column: "x"}))
    if not parts:
        return pd.DataFrame(columns=["period", "partner_iso3", "partner_name", "x"])
    out = pd.concat(parts, ignore_index=True)
    return out.drop_duplicates(["period", "partner_iso3"], keep="first").sort_values("period")


# ------------------------------------------------------------------------------------------ kinds


def _ranking_figure(result: ClaimResult, flows: pd.DataFrame) -> Figure:
    spec = result.spec
    measures = [m for m in spec.measures if not m.is_press and not m.is_total]
    panels = []
    for measure in measures:
        findings = [f for f in result.findings if f.metric == measure.metric and f.commodity == measure.label]
        rivals = [spec.exporter] + [c for f in findings for c in (f.leader_iso3, f.runner_up_iso3) if c]
        panels.append((measure, findings, list(dict.fromkeys(rivals))[:5]))
    # One colour per supplier across the panels.
    colors = partner_colors(code for _, _, rivals in panels for code in rivals)
    fig = new_figure((10.0, 3.0 + 2.6 * len(measures)), foot=FOOT)
    with matplotlib.rc_context(RC):
        axes = fig.subplots(len(measures), 1, squeeze=False)[:, 0]
        for ax, (measure, findings, rivals) in zip(axes, panels):
            series = _partner_series(
                flows, measure.commodities[0], measure.metric, measure.sources, spec.importer, spec.flow
            )
            scale, unit_label = DISPLAY[measure.unit]
            for code in rivals:
                rows = series[series["partner_iso3"] == code]
                if rows.empty:
                    continue
                ax.plot(
                    _months(rows["period"]),
                    rows["x"].to_numpy() * scale,
                    color=colors[code],
                    linewidth=2.2 if code == spec.exporter else 1.3,
                    label=str(rows["partner_name"].iloc[-1]),
                )
            mark_events(ax, _dates(result))
            date_axis(ax)
            ax.set_ylim(bottom=0)
            ax.set_ylabel(f"{measure.label} {measure.metric} per month {unit_label}")
            won = sorted({f.window for f in findings if f.known_at_as_of and f.verdict == SUPPORTED})
            lost = sorted({f.window for f in findings if f.known_at_as_of and f.verdict == NOT_SUPPORTED})
            ax.set_title(
                f"{measure.label} imports of {spec.importer} by {measure.metric}: "
                f"{spec.exporter} first in {', '.join(won) or 'no window'} known then; "
                f"not in {', '.join(lost) or 'none'}",
                loc="left",
                fontsize=8.5,
            )
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="supplier")
        axes[-1].set_xlabel("month (figures drawn mid-month)")
    return _finish(fig, result)


def _exporter_monthly(flows: pd.DataFrame, result: ClaimResult) -> pd.DataFrame:
    """Monthly value [USD] of imports from the exporter, one column per commodity with a value measure."""
    spec = result.spec
    columns = {}
    for measure in spec.measures:
        if measure.metric != "value" or measure.is_total or measure.is_press:
            continue
        commodity = measure.commodities[0]
        series = _partner_series(flows, commodity, "value", measure.sources, spec.importer, spec.flow)
        mine = series[series["partner_iso3"] == spec.exporter].set_index("period")["x"]
        if len(mine):
            columns[commodity] = mine
    return pd.DataFrame(columns).sort_index()


def _bars(ax, findings: list[Finding], threshold: float | None) -> None:
    labels = [f"{f.commodity} {f.metric}" for f in findings]
    values = [np.nan if f.change_pct is None else f.change_pct for f in findings]
    colors = [VERDICT_COLORS[f.verdict] for f in findings]
    y = np.arange(len(findings))[::-1]
    ax.barh(y, np.nan_to_num(values), color=colors, height=0.6)
    for yi, v, _f in zip(y, values, findings):
        text = "no data" if np.isnan(v) else f"{v:+.0f} %"
        ax.annotate(
            text,
            xy=(0 if np.isnan(v) else v, yi),
            xytext=(3 if (np.isnan(v) or v >= 0) else -3, 0),
            textcoords="offset points",
            va="center",
            ha="left" if (np.isnan(v) or v >= 0) else "right",
            fontsize=7.5,
        )
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#333333", linewidth=0.8)
    if threshold is not None:
        ax.axvline(threshold, color="#333333", linewidth=1.0, linestyle="--")
        ax.annotate(
            f"threshold {threshold:+g} %",
            xy=(threshold, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=7.5,
        )
    ax.set_xlabel("change against the baseline [%]")
    ax.grid(axis="y", visible=False)


def _first_window(findings: list[Finding]) -> list[Finding]:
    if not findings:
        return []
    key = (findings[0].window, findings[0].baseline_window)
    return [f for f in findings if (f.window, f.baseline_window) == key]


def _change_figure(result: ClaimResult, flows: pd.DataFrame) -> Figure:
    spec = result.spec
    fig = new_figure((11.0, 5.2), foot=FOOT)
    known = [f for f in result.findings if f.known_at_as_of]
    shown = _first_window(known) or _first_window(list(result.findings))
    with matplotlib.rc_context(RC):
        left, right = fig.subplots(1, 2, width_ratios=(1.35, 1.0))
        monthly = _exporter_monthly(flows, result)
        if not monthly.empty:
            x = _months(monthly.index)
            for commodity in monthly.columns:
                left.plot(
                    x,
                    monthly[commodity].to_numpy() * 1e-9,
                    color=COMMODITY_COLORS.get(commodity, NEUTRAL),
                    linewidth=1.3,
                    label=commodity,
                )
            # The total only where every commodity has a figure: a missing commodity is never drawn as 0.
            total = monthly.sum(axis=1, min_count=len(monthly.columns)).where(monthly.notna().all(axis=1))
            left.plot(
                x,
                total.to_numpy() * 1e-9,
                color="#c0392b",
                linewidth=2.2,
                label="sum of the " + str(len(monthly.columns)) + " (months where all have data)",
            )
        if shown:
            for window, color in ((shown[0].window, "#f9e79f"), (shown[0].baseline_window, "#d6eaf8")):
                span = parse_period(window)
                left.axvspan(
                    pd.Timestamp(f"{span.start}-01"),
                    pd.Timestamp(f"{span.end}-01") + pd.offsets.MonthEnd(1),
                    color=color,
                    alpha=0.5,
                    zorder=0,
                )
        mark_events(left, _dates(result, war=spec.kind == "change_over_period"))
        date_axis(left)
        left.set_ylabel(f"imports of {spec.importer} from {spec.exporter} per month [USD bn]")
        left.set_xlabel("month (shaded: the window compared and its baseline)")
        left.set_title(f"{spec.importer}'s imports from {spec.exporter} by value", loc="left")
        left.set_ylim(bottom=0)
        if left.get_legend_handles_labels()[0]:
            # Below the axes: inside, it would cover the sum's line whatever corner it took.
            left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=7.5)
        _bars(right, shown, spec.threshold.change_pct if spec.threshold else None)
        if shown:
            when = "known then" if shown[0].known_at_as_of else f"known from {shown[0].known_from}"
            right.set_title(f"{shown[0].window} against {shown[0].baseline_window}\n({when})", loc="left")
        else:
            right.set_title("no findings", loc="left")
    return _finish(fig, result)


def _forecast_figure(result: ClaimResult, flows: pd.DataFrame) -> Figure:
    findings = [f for f in result.findings]
    n = max(len(findings), 1)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig = new_figure((3.6 * cols + 0.6, 3.0 * rows + 1.2), foot=FOOT)
    with matplotlib.rc_context(RC):
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
        for ax, f in zip(axes, findings):
            scale, unit_label = DISPLAY[f.unit]
            values = [f.baseline_value, f.value]
            heights = [np.nan if v is None else v * scale for v in values]
            ax.bar([0, 1], np.nan_to_num(heights), color=["#aab7b8", VERDICT_COLORS[f.verdict]], width=0.6)
            for xi, h in zip((0, 1), heights):
                ax.annotate(
                    "no data" if np.isnan(h) else f"{h:.4g}",
                    xy=(xi, 0 if np.isnan(h) else h),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                )
            for alt in f.alternatives:
                xi = 1 if alt["window"] == f.window else 0
                ax.plot([xi + 0.22], [alt["value"] * scale], marker="_", markersize=10, color="#333333")
            ax.set_xticks([0, 1], [f.baseline_window, f.window])
            change = "n/a" if f.change_pct is None else f"{f.change_pct:+.1f} %"
            counted = "" if f.counts_toward_verdict else " (not counted)"
            ax.set_title(f"{f.commodity} {f.metric}: {change}{counted}", loc="left", fontsize=8.5)
            ax.set_ylabel(f"{f.metric} {unit_label}")
            ax.grid(axis="x", visible=False)
        for ax in axes[len(findings) :]:
            ax.set_axis_off()
    first = min((f.known_from for f in result.findings), default=None)
    extra = f" Ticks beside a bar: other outlets' figures. Outcome known from {first}." if first else ""
    return _finish(fig, result, extra)


FIGURES = {
    "largest_supplier": _ranking_figure,
    "change_over_period": _change_figure,
    "forecast_vs_outcome": _forecast_figure,
}


def claim_figure(result: ClaimResult, flows: pd.DataFrame) -> Figure:
    """A readable figure of one claim's evidence.

    Parameters
    ----------
    result : ClaimResult
        From :func:`energytrade.claims.evaluate`.
    flows : DataFrame
        The clean table the result was evaluated on (for the monthly series drawn behind the findings).

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas; save with ``fig.savefig(path)``. Largest-supplier claims: monthly series of
        the exporter and its rivals per measure [Mt, USD bn], the as-of date dashed. Change claims:
        monthly value of imports from the exporter by commodity [USD bn] with the compared windows
        shaded and the war's start and the as-of date marked, beside the changes [%] against the
        threshold. Forecasts: baseline and outcome per measure, other outlets' figures as ticks.
    """
    return FIGURES[result.spec.kind](result, flows)
