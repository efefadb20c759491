"""Chapter: the article's claims, each with its verdict, evidence and figure.

The claims are evaluated by :func:`energytrade.claims.evaluate`; this module only shows the results.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrade import analysis, units
from energytrade.claims import evaluate, evidence_frame
from energytrade.claims.prose import SummaryParts, summary_parts
from energytrade.claims.results import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED, ClaimResult, Finding
from energytrade.countries import short_name
from energytrade.errors import NoData
from energytrade.events import WAR_START
from energytrade.formatting import (
    COMMODITY_NAMES,
    METRIC_NAMES,
    VERDICT_NAMES,
    commodity_name,
    country_name,
    display_name,
    fmt_amount,
    fmt_change_pct,
    fmt_date,
    fmt_month,
    fmt_window,
    join_words,
    markdown_table,
)
from energytrade.metrics import SOURCE_COLUMNS
from energytrade.periods import parse_period
from energytrade.report.chapter import Chapter, Context, Table
from energytrade.report.chapter import Figure as ChapterFigure
from energytrade.report.claim_timeline import timeline_figure
from energytrade.report.plotting import (
    NEUTRAL,
    RC,
    add_source_line,
    date_axis,
    mark_events,
    month_midpoints,
    new_figure,
    partner_colors,
    source_line,
)

# ------------------------------------------------------------ (formerly claim_figures.py)

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
        "figures count as known from their release, energytrade/release_calendar.yml"
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
    events[result.as_of.isoformat()] = f"as of {result.as_of.day} {result.as_of:%b %Y}"
    return events


def _months(periods: Iterable[str]) -> pd.Series:
    return month_midpoints(pd.Series(list(periods), dtype=str))


#: Names of the importer and exporter codes of the claims (partners get theirs from the clean table).
def _partner_series(
    flows: pd.DataFrame,
    commodity: str,
    metric: str,
    sources: Iterable[str],
    importer: str,
    flow: str,
    partners: Iterable[str],
) -> pd.DataFrame:
    """Monthly figures of ``partners`` (period, partner_iso3, partner_name, x in the metric's unit) over sources.

    The figures :func:`energytrade.analysis.market_shares` gives per month, without its shares and ranks:
    a monthly selection holds one row per partner and month (:func:`~energytrade.analysis.select_flows`
    refuses duplicates), so each row's figure is its month's. A source none of whose rows carries the
    metric is skipped, as ``market_shares`` refuses it.
    """
    partners = set(partners)
    columns = ("period", "partner_iso3", "partner_name", "x")
    kept: dict[tuple[str, str], tuple] = {}  # (period, partner) -> row, the first source's (dicts keep order)
    for source in sources:
        if metric == "bpd":  # a rate over each month's days: left to analysis (no claim draws one)
            for part in _market_series(flows, commodity, metric, source, importer, flow):
                for row in part.itertuples(index=False, name=None):
                    if row[1] in partners:
                        kept.setdefault((row[0], row[1]), row)
            continue
        try:
            rows = analysis.select_flows(flows, commodity, reporter=importer, flow=flow, source=source, freq="M")
        except NoData:
            continue
        x = rows[SOURCE_COLUMNS[metric]].to_numpy(dtype="float64")
        if np.isnan(x).all():
            continue
        if metric == "mass":
            x = units.kg_to_tonnes(x)
        keep = rows["partner_iso3"].isin(partners).to_numpy(dtype=bool)
        for row in zip(
            rows["period"].to_numpy(dtype=object)[keep].tolist(),
            rows["partner_iso3"].to_numpy(dtype=object)[keep].tolist(),
            rows["partner_name"].to_numpy(dtype=object)[keep].tolist(),
            x[keep].tolist(),
        ):
            kept.setdefault((row[0], row[1]), row)
    ordered = sorted(kept.values(), key=lambda row: row[0])
    return pd.DataFrame(
        {c: np.array([row[i] for row in ordered], dtype=float if c == "x" else object) for i, c in enumerate(columns)}
    )


def _market_series(
    flows: pd.DataFrame, commodity: str, metric: str, source: str, importer: str, flow: str
) -> list[pd.DataFrame]:
    try:
        shares = analysis.market_shares(flows, commodity, metric, "M", source=source, reporter=importer, flow=flow)
    except NoData:
        return []
    column = analysis.METRIC_COLUMNS[metric]
    return [shares[["period", "partner_iso3", "partner_name", column]].rename(columns={column: "x"})]


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
        axes = fig.subplots(len(measures), 1, squeeze=False, sharex=True)[:, 0]
        for ax, (measure, findings, rivals) in zip(axes, panels):
            series = _partner_series(
                flows, measure.commodities[0], measure.metric, measure.sources, spec.importer, spec.flow, rivals
            )
            scale, unit_label = DISPLAY[measure.unit]
            in_kbd = measure.unit == "t" and measure.commodities[0] == "crude_oil"
            if in_kbd:  # crude oil in kb/d in every figure of the report
                series = series.assign(x=units.tonnes_to_bpd(series["x"], series["period"]))
                scale, unit_label = DISPLAY["bbl/d"]
            for code in rivals:
                rows = series[series["partner_iso3"] == code]
                if rows.empty:
                    continue
                ax.plot(
                    _months(rows["period"]),
                    rows["x"].to_numpy(dtype=float) * scale,
                    color=colors[code],
                    linewidth=2.2 if code == spec.exporter else 1.3,
                    label=display_name(code, str(rows["partner_name"].iloc[-1])),
                )
            mark_events(ax, _dates(result))
            date_axis(ax)
            ax.set_ylim(bottom=0)
            what = "rate" if in_kbd else METRIC_NAMES.get(measure.metric, measure.metric)
            ax.set_ylabel(f"{commodity_name(measure.label)}, {what} per month {unit_label}")
            won = sorted({f.window for f in findings if f.known_at_as_of and f.verdict == SUPPORTED})
            lost = sorted({f.window for f in findings if f.known_at_as_of and f.verdict == NOT_SUPPORTED})
            ax.set_title(
                f"{commodity_name(measure.label).capitalize()} imports of {country_name(spec.importer)} by "
                f"{METRIC_NAMES.get(measure.metric, measure.metric)}: {country_name(spec.exporter)} first in "
                f"{join_words(fmt_window(w) for w in won) if won else 'no window'} known then; "
                f"not in {join_words(fmt_window(w) for w in lost) if lost else 'none'}",
                loc="left",
                fontsize=8.5,
            )
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="leader or runner-up\nin a finding")
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
        series = _partner_series(flows, commodity, "value", measure.sources, spec.importer, spec.flow, [spec.exporter])
        mine = series[series["partner_iso3"] == spec.exporter].set_index("period")["x"]
        if len(mine):
            columns[commodity] = mine
    return pd.DataFrame(columns).sort_index()


def _bars(ax, findings: list[Finding], threshold: float | None) -> None:
    labels = [f"{commodity_name(f.commodity)}, {METRIC_NAMES.get(f.metric, f.metric)}" for f in findings]
    values = [np.nan if f.change_pct is None else f.change_pct for f in findings]
    colors = [VERDICT_COLORS[f.verdict] for f in findings]
    y = np.arange(len(findings))[::-1]
    ax.barh(y, np.nan_to_num(values), color=colors, height=0.6)
    # Long bars carry their label inside their end, so no label sits on the threshold line.
    longest = max([abs(v) for v in values if not np.isnan(v)] + [abs(threshold or 0.0)], default=1.0)
    for yi, v, _f in zip(y, values, findings):
        text = "no data" if np.isnan(v) else f"{v:+.0f} %"
        inside = not np.isnan(v) and abs(v) >= 0.3 * longest
        outward = np.isnan(v) or v >= 0
        ax.annotate(
            text,
            xy=(0 if np.isnan(v) else v, yi),
            xytext=((-3 if outward else 3) if inside else (3 if outward else -3), 0),
            textcoords="offset points",
            va="center",
            ha=("right" if outward else "left") if inside else ("left" if outward else "right"),
            color="white" if inside else "#222222",
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
                    label=commodity_name(commodity),
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
        left.set_ylabel(
            f"imports of {country_name(spec.importer)} from {country_name(spec.exporter)} per month [USD bn]"
        )
        left.set_xlabel("month (shaded: the window compared and its baseline)")
        left.set_title(
            f"{country_name(spec.importer)}'s imports from {country_name(spec.exporter)} by value", loc="left"
        )
        left.set_ylim(bottom=0)
        if left.get_legend_handles_labels()[0]:
            # Below the axes: inside, it would cover the sum's line whatever corner it took.
            left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=7.5)
        _bars(right, shown, spec.threshold.change_pct if spec.threshold else None)
        if shown:
            when = "known then" if shown[0].known_at_as_of else f"known from {shown[0].known_from}"
            right.set_title(
                f"{fmt_window(shown[0].window)}\nagainst {fmt_window(shown[0].baseline_window)} ({when})", loc="left"
            )
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
                    "no data" if np.isnan(h) else f"{h:,.2f}",
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
            ax.set_xticks([0, 1], [fmt_window(f.baseline_window), fmt_window(f.window)])
            change = "n/a" if f.change_pct is None else f"{f.change_pct:+.1f} %"
            counted = "" if f.counts_toward_verdict else " (not counted)"
            ax.set_title(
                f"{commodity_name(f.commodity)}, {METRIC_NAMES.get(f.metric, f.metric)}: {change}{counted}",
                loc="left",
                fontsize=8.5,
            )
            ax.set_ylabel(f"{METRIC_NAMES.get(f.metric, f.metric)} {unit_label}")
            ax.grid(axis="x", visible=False)
        for ax in axes[len(findings) :]:
            ax.set_axis_off()
    first = min((f.known_from for f in result.findings), default=None)
    extra = (
        f' Ticks beside a bar: other outlets\' figures. Outcome known from {first}. "Not counted": shown for '
        "context, the verdict counts only the claim's own measures."
        if first
        else ""
    )
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


# ------------------------------------------------------------ the chapter

#: How each verdict is explained to a reader.
VERDICT_WORDS: dict[str, str] = {
    "SUPPORTED": "the data support the claim",
    "NOT_SUPPORTED": "the data do not support the claim",
    "MIXED": "it depends on the window and the measure",
    "INCONCLUSIVE": "the data known then cannot settle it",
}

# Evidence shown in the report's tables (the CSV keeps every column): column -> header, per finding type.
_RANKING_COLUMNS = {
    "window": "Window",
    "commodity": "Commodity",
    "metric": "Measure",
    "verdict": "Verdict",
    "counts_toward_verdict": "Counts toward the verdict",
    "leader_iso3": "Leader",
    "leader_value": "Leader's figure",
    "runner_up_iso3": "Runner-up",
    "runner_up_value": "Runner-up's figure",
    "margin_pct": "Margin",
    "claimed_rank": "Claimed supplier's rank",
}
_CHANGE_COLUMNS = {
    "window": "Window",
    "commodity": "Commodity",
    "metric": "Measure",
    "verdict": "Verdict",
    "counts_toward_verdict": "Counts toward the verdict",
    "value": "Figure",
    "baseline_window": "Baseline window",
    "baseline_value": "Baseline figure",
    "change_pct": "Change",
}
_AMOUNT_COLUMNS = ("leader_value", "runner_up_value", "value", "baseline_value")
_COUNTRY_COLUMNS = ("leader_iso3", "runner_up_iso3")

#: Clean-table sources in readers' words, for the claims' sentences.
SOURCE_WORDS: dict[str, str] = {
    "comtrade_extract": "the UN Comtrade extract",
    "comtrade": "the UN Comtrade API",
    "gacc_query": "China customs' online query",
    "gacc_press": "the press (China customs figures)",
}


@dataclass(frozen=True)
class ClaimSection:
    """One claim as the report shows it: the result's fields, its sentences, evidence frame and figures."""

    number: int
    id: str
    quote: str
    verdict: str
    later_verdict: str | None
    bottom_line: str
    parts: SummaryParts
    as_of: str
    newest_as_of: str | None
    first_supported_on: str | None
    supported_since: str | None
    evidence: pd.DataFrame
    figure: Figure
    timeline: Figure | None

    @property
    def summary(self) -> str:
        """The detailed summary as one paragraph."""
        return self.parts.text()

    @property
    def evidence_name(self) -> str:
        """The evidence table's file name (``tables/<name>.csv``)."""
        return f"claim_{self.id}_evidence"

    @property
    def figure_name(self) -> str:
        """The figure's file name (``figures/<name>.png``)."""
        return f"claim_{self.id}"

    @property
    def timeline_name(self) -> str:
        """The timeline figure's file name (``figures/<name>.png``)."""
        return f"claim_{self.id}_timeline"


def _window_start(window: str) -> str:
    return str(window).split("/")[0]


def _is_country(code: str, names: Mapping[str, str]) -> bool:
    return code in names or short_name(code) != code


def readers_words(text: str, names: Mapping[str, str] | None = None) -> str:
    """A sentence of the claims engine in readers' words: country names for codes, commodity names
    for keys, months and windows in words, "USD 5.11 bn" for "5.11 bn USD".

    >>> readers_words("RUS led in 2022-01/2022-11 (crude_oil value 5.11 bn USD, +9.6 % over SAU)")
    'Russia led in January–November 2022 (crude oil value USD 5.11 bn, +9.6 % over Saudi Arabia)'
    """
    names = dict(names or {})
    text = re.sub(r"\b(\d{4}-\d{2})(?:/|\.\.)(\d{4}-\d{2})\b", lambda m: fmt_window(f"{m[1]}/{m[2]}"), text)
    text = re.sub(r"\b(\d{4}-\d{2}-\d{2})\b", lambda m: fmt_date(m[1]), text)
    text = re.sub(r"\b(\d{4}-\d{2})\b", lambda m: fmt_month(m[1]), text)
    text = re.sub(r"([\d,.]+) bn USD", r"USD \1 bn", text)
    text = text.replace("Russian Federation", "Russia").replace("NOT_SUPPORTED", "NOT SUPPORTED")
    text = re.sub(r"\b[A-Z]{3}\b", lambda m: country_name(m[0], names) if _is_country(m[0], names) else m[0], text)
    words = {**SOURCE_WORDS, **COMMODITY_NAMES}
    text = re.sub(r"\blng\b", "LNG", text)
    text = re.sub(r"\bmass\b", "tonnage", text)
    return re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: words.get(m[0], m[0].replace("_", " ")), text)


def evidence_table(evidence: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A claim's evidence for readers, in time order: country and commodity names, windows in words,
    figures in their unit (Mt, USD bn, bcm), percentages signed with one decimal."""
    return _evidence_table(_Columns(evidence), range(len(evidence)), names)


class _Columns:
    """The columns of an evidence frame as lists, each read once (a claim has a few dozen findings: plain
    lists beat a pandas filter per table)."""

    def __init__(self, evidence: pd.DataFrame) -> None:
        self.frame = evidence
        self._lists: dict[str, list] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.frame.columns

    def __getitem__(self, name: str) -> list:
        if name not in self._lists:
            self._lists[name] = list(self.frame[name])
        return self._lists[name]


def _evidence_table(evidence: _Columns, positions: Iterable[int], names: Mapping[str, str] | None) -> pd.DataFrame:
    """:func:`evidence_table` of the rows at ``positions``."""
    positions = list(positions)
    blocks = []
    for kind, columns in (("ranking", _RANKING_COLUMNS), ("change", _CHANGE_COLUMNS)):
        rows = [i for i in positions if evidence["type"][i] == kind] if "type" in evidence else positions
        if not rows:
            continue
        windows = evidence["window"]
        # A stable sort, as pandas' mergesort.
        rows.sort(key=lambda i: (_window_start(windows[i]), windows[i]))
        units_ = [evidence["unit"][i] for i in rows]
        shown = {}
        for col in (c for c in columns if c in evidence):
            values = [evidence[col][i] for i in rows]
            if col in _AMOUNT_COLUMNS:
                values = [fmt_amount(x, u) for x, u in zip(values, units_)]
            elif col in ("margin_pct", "change_pct"):
                values = [fmt_change_pct(x) if pd.notna(x) else "" for x in values]
            elif col in _COUNTRY_COLUMNS:
                values = [country_name(x, names) if isinstance(x, str) else "" for x in values]
            elif col in ("window", "baseline_window"):
                values = [fmt_window(w) if isinstance(w, str) and w else "" for w in values]
            elif col == "commodity":
                values = [commodity_name(c) for c in values]
            elif col == "metric":
                values = [METRIC_NAMES.get(m, m) for m in values]
            elif col == "verdict":
                values = [VERDICT_NAMES.get(v, v) for v in values]
            elif col == "counts_toward_verdict":
                values = ["yes" if c else "no (context)" for c in values]
            elif col == "claimed_rank":
                values = ["" if pd.isna(r) else str(int(r)) for r in values]
            shown[columns[col]] = values
        blocks.append(pd.DataFrame(shown))
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame()


def evidence_markdown(evidence: pd.DataFrame, names: Mapping[str, str] | None = None) -> str:
    """A claim's evidence as Markdown: the findings known on the as-of date as a table, the later ones
    in a folded section (``{{details:...}}`` markers, which the renderer turns into ``<details>``)."""
    blocks = []
    columns = _Columns(evidence)
    for known in (True, False):
        part = [i for i, k in enumerate(columns["known_at_as_of"]) if k == known]
        if not part:
            continue
        table = _evidence_table(columns, part, names)
        right = [c for c in table.columns if c.endswith("figure") or c in ("Figure", "Margin", "Change")]
        md = markdown_table(table, right=right)
        if known:
            blocks.append(f"*Known on the as-of date:*\n\n{md}")
        else:
            blocks.append(
                f"{{{{details:Known later, not used for the verdict ({len(part)} findings)}}}}\n\n{md}\n\n{{{{/details}}}}"
            )
    return "\n\n".join(blocks) if blocks else "*No findings.*"


def _iso(day) -> str | None:
    return None if day is None else day.isoformat()


def claim_sections(flows: pd.DataFrame, as_of: str | date | None = None) -> list[ClaimSection]:
    """The claims as evaluated by :func:`energytrade.claims.evaluate`, each with its sentences (from
    :mod:`energytrade.claims.prose`), evidence, figure and timeline figure."""
    sections = []
    for number, result in enumerate(evaluate(as_of=as_of, flows=flows), start=1):
        timeline = result.timeline
        drawn = None
        if timeline is not None and timeline.points:
            used = [s for f in result.findings for s in f.data_sources]
            drawn = timeline_figure(timeline, source_line(used) if used else "Sources: no data; energytrade")
        sections.append(
            ClaimSection(
                number=number,
                id=result.id,
                quote=result.quote,
                verdict=result.verdict,
                later_verdict=result.later_verdict,
                bottom_line=result.bottom_line,
                parts=summary_parts(result),
                as_of=result.as_of.isoformat(),
                newest_as_of=_iso(result.newest_as_of),
                first_supported_on=_iso(result.first_supported_on),
                supported_since=_iso(result.supported_since),
                evidence=evidence_frame(result),
                figure=claim_figure(result, flows),
                timeline=drawn,
            )
        )
    return sections


def claim_markdown(section: ClaimSection, names: Mapping[str, str] | None = None, *, quote: bool = True) -> str:
    """The claim's quote, its verdict, its bottom line first, then the detailed summary; what became
    known later and the findings without data are folded (``{{details:...}}`` markers)."""
    words = VERDICT_WORDS.get(section.verdict, "")
    verdict = VERDICT_NAMES.get(section.verdict, section.verdict)
    parts = section.parts
    text = [
        *([f"> {section.quote}"] if quote else []),
        f"**Verdict as of {fmt_date(section.as_of)}: {verdict}**{f' ({words})' if words else ''}",
        f"**Bottom line.** {readers_words(section.bottom_line, names)}",
        readers_words(" ".join(p for p in (parts.known, parts.verdict) if p), names),
    ]
    if parts.later:
        text.append(
            f"{{{{details:What became known later}}}}\n\n{readers_words(parts.later, names)}\n\n{{{{/details}}}}"
        )
    missing = " ".join(p for p in (parts.missing, parts.later_missing) if p)
    if missing:
        text.append(f"{{{{details:Data missing}}}}\n\n{readers_words(missing, names)}\n\n{{{{/details}}}}")
    return "\n\n".join(text)


def bottom_line(section: ClaimSection, names: Mapping[str, str] | None = None) -> str:
    """A claim's bottom line in readers' words (:func:`energytrade.claims.prose.bottom_line`)."""
    return readers_words(section.bottom_line, names)


def overview_table(sections: list[ClaimSection], names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The claims at a glance: one row per claim with its verdict on the as-of date and on the newest
    data, the date it was first supported and the date since which it has stayed supported, and its
    bottom line."""
    return pd.DataFrame(
        {
            "Claim": [f"{s.number}. {s.quote}" for s in sections],
            "Verdict": [f"{VERDICT_NAMES.get(s.verdict, s.verdict)} (as of {fmt_date(s.as_of)})" for s in sections],
            "On the newest data": [
                f"{VERDICT_NAMES.get(s.later_verdict, s.later_verdict)} (as of {fmt_date(s.newest_as_of)})"
                if s.later_verdict and s.newest_as_of
                else ""
                for s in sections
            ],
            "First supported": [fmt_date(s.first_supported_on) if s.first_supported_on else "never" for s in sections],
            "Supported since": [
                fmt_date(s.supported_since) if s.supported_since else "not supported now" for s in sections
            ],
            "Bottom line": [bottom_line(s, names) for s in sections],
        }
    )


def build(context: Context) -> Chapter:
    """The claims chapter: each claim's verdict, summary, evidence table (CSV in full) and figure."""
    names = context.partner_names
    sections = claim_sections(context.flows, as_of=context.article_date)
    parts = [
        "Each claim is evaluated with what could be known on the article's date "
        f"({fmt_date(context.article_date.isoformat())}). Figures count as known from their release: China's "
        "customs publish a month's detail by country around the 20th of the next month, and January together "
        "with February around 20 March; a press figure counts from the day it was printed. Findings that use "
        "later data are folded under each claim: they say whether the claim held up, but not what could be "
        "said at the time. Each claim's timeline shows its verdict on every release day since January 2022: "
        "the date the headline became true."
    ]
    if sections:
        parts.append(
            "Verdicts at a glance:\n\n" + markdown_table(overview_table(sections, names).drop(columns="Bottom line"))
        )
    tables, figures = [], []
    for s in sections:
        parts.append(f"### {s.number}. {s.quote}\n\n{claim_markdown(s, names, quote=False)}")
        parts.append(evidence_markdown(s.evidence, names))
        shown = f"{{{{table:{s.evidence_name}}}}}\n\n{{{{figure:{s.figure_name}}}}}"
        if s.timeline is not None:
            shown += f"\n\n{{{{figure:{s.timeline_name}}}}}"
            figures.append(
                ChapterFigure(
                    s.timeline_name,
                    f"Claim {s.number}: the verdict on each release day",
                    s.timeline,
                    caption="Bands: the claim's verdict on each release day; line: the claimed supplier's lead "
                    "over the runner-up (negative: its gap to the leader) or the change against the baseline [%].",
                    alt=f"Timeline of the verdict on claim {s.number}, release by release",
                )
            )
        parts.append(shown)
        tables.append(
            Table(s.evidence_name, f"Evidence for claim {s.number}", s.evidence, "every finding with its provenance")
        )
        figures.append(
            ChapterFigure(s.figure_name, f"Claim {s.number}", s.figure, alt=f"Figure for claim {s.number}: {s.quote}")
        )
    if not sections:
        parts.append("No claims were evaluated.")
    return Chapter("claims", "The article's claims", "\n\n".join(parts), tables, figures)
