"""Chapter: sources and data (what each source holds, coverage, the cross-source check, data and method).

Pure functions: the clean table (and :func:`energytrade.inventory.provenance_table`) in, small frames
or sentences out, sorted so that every run prints the same thing.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd

from energytrade import analysis, units
from energytrade.countries import WORLD_ISO3
from energytrade.formatting import METRIC_NAMES, commodity_name, country_name, fmt_date, fmt_window, join_words
from energytrade.inventory import RAW_SOURCES, coverage_matrix, provenance_table
from energytrade.report.chapter import Chapter, Context, Figure, Table
from energytrade.report.plotting import article_events, coverage_heatmap, source_line
from energytrade.sources import registry

#: Differences between the extract and the press larger than this are flagged [%].
CROSS_SOURCE_TOLERANCE_PCT = 2.0

# ------------------------------------------------------------ (formerly data_tables.py)

#: How each clean-table source is named for readers (from the source registry).
SOURCE_NAMES: dict[str, str] = {source.name: source.label for source in registry.SOURCES}

#: Row frequencies in words.
FREQ_NAMES: dict[str, str] = {"M": "monthly", "A": "annual", "YTD": "year to date"}

_OVERVIEW_COLUMNS = [
    "source",
    "commodity",
    "freq",
    "first_period",
    "last_period",
    "n_periods",
    "n_partners",
    "n_rows",
    "vintage",
    "date_retrieved",
]


def _source_order(sources: pd.Series) -> pd.Series:
    order = {name: i for i, name in enumerate(RAW_SOURCES)}
    return sources.map(order).fillna(len(order)).astype("int64")


def source_overview(flows: pd.DataFrame, provenance: pd.DataFrame) -> pd.DataFrame:
    """What each source holds: one row per source, commodity and row frequency.

    Parameters
    ----------
    flows : DataFrame
        The clean table (``energytrade.schema``).
    provenance : DataFrame
        :func:`energytrade.inventory.provenance_table` (for each source's vintage and retrieval date).

    Returns
    -------
    DataFrame
        ``source``, ``commodity``, ``freq`` (``M``, ``A``, ``YTD``), ``first_period``, ``last_period``,
        ``n_periods`` (distinct periods with a row), ``n_partners`` (partners other than the ``WLD``
        totals), ``n_rows``, ``vintage`` and ``date_retrieved`` (the latest of the source's raw files),
        in the order of :data:`energytrade.inventory.RAW_SOURCES`, then commodity and frequency.
    """
    # On factorised codes (sorted, so codes order as the text does): a group-by with five aggregations of
    # text columns cost about 20 ms. Groups as a sorted group-by makes them, rows with a missing key in none.
    keys = [pd.factorize(flows[k], sort=True) for k in ("source", "commodity", "freq")]
    combined = np.zeros(len(flows), dtype="int64")
    for codes, uniques in keys:
        combined = combined * max(len(uniques), 1) + codes
    rows = np.flatnonzero(np.logical_and.reduce([codes >= 0 for codes, _ in keys])) if len(flows) else np.zeros(0, int)
    groups, first_row, group = np.unique(combined[rows], return_index=True, return_inverse=True)
    n = len(groups)
    period, periods = pd.factorize(flows["period"].to_numpy()[rows], sort=True)
    partner = flows["partner_iso3"].to_numpy()[rows]
    partner, _ = pd.factorize(np.where(partner == WORLD_ISO3, None, partner))
    first, last = np.full(n, len(periods)), np.full(n, -1)
    np.minimum.at(first, group[period >= 0], period[period >= 0])
    np.maximum.at(last, group[period >= 0], period[period >= 0])
    # A row of each period (code), and -1 (missing) for a group without any.
    period_row = np.append(rows[np.unique(period, return_index=True)[1][np.unique(period) >= 0]], -1)

    def distinct(codes: np.ndarray) -> np.ndarray:
        """Per group, the number of distinct codes (-1: missing, not counted)."""
        width = codes.max(initial=0) + 1
        pairs = np.unique(group[codes >= 0] * width + codes[codes >= 0])
        return np.bincount(pairs // width, minlength=n).astype("int64")

    out = pd.DataFrame(
        {
            **{k: flows[k].array.take(rows[first_row]) for k in ("source", "commodity", "freq")},
            "first_period": flows["period"].array.take(period_row[np.minimum(first, len(periods))], allow_fill=True),
            "last_period": flows["period"].array.take(period_row[last], allow_fill=True),
            "n_periods": distinct(period),
            "n_partners": distinct(partner),
            "n_rows": np.bincount(group, minlength=n).astype("int64"),
        }
    )
    dates = provenance.groupby("source").agg(vintage=("vintage", "max"), date_retrieved=("date_retrieved", "max"))
    out = out.join(dates, on="source")
    freq_order = out["freq"].map({f: i for i, f in enumerate(FREQ_NAMES)})
    out = out.assign(_s=_source_order(out["source"]), _f=freq_order)
    out = out.sort_values(["_s", "commodity", "_f"], kind="mergesort").drop(columns=["_s", "_f"])
    return out[_OVERVIEW_COLUMNS].reset_index(drop=True)


def _period_words(period: str) -> str:
    """``'2022-03'`` -> ``'March 2022'``, ``'2022'`` -> ``'2022'`` (anything else as it is)."""
    try:
        return fmt_window(str(period))
    except ValueError:
        return str(period)


def _day_words(day: str) -> str:
    """``'2026-11-27'`` -> ``'27 November 2026'`` (anything else as it is)."""
    try:
        return fmt_date(str(day))
    except ValueError:
        return str(day)


def _count_words(n_periods: int, n_partners: int, freq: str) -> str:
    unit = {"M": "month", "A": "year"}.get(freq, "period")
    unit = unit if n_periods == 1 else unit + "s"
    partners = f", {n_partners} partner{'' if n_partners == 1 else 's'}" if n_partners else ", totals only"
    return f" ({n_periods} {unit}{partners})"


def sources_note(overview: pd.DataFrame, commodities: Iterable[str] | None = None, *, by_commodity: bool = True) -> str:
    """Sentences naming each source, what it covers and when it was retrieved (for a notebook's opening).

    Parameters
    ----------
    overview : DataFrame
        :func:`source_overview`.
    commodities : iterable of str, optional
        Only these commodities (default: all).
    by_commodity : bool, default True
        One span per commodity and frequency; ``False``: the commodities and the overall span only.

    Returns
    -------
    str
        One line per source, e.g. ``"- UN Comtrade (china-energy-monitor extract) [comtrade_extract],
        vintage 2026-11-27, retrieved 2026-11-27: crude_oil monthly 2020-01 to 2024-12 (60 periods,
        66 partners)."``
    """
    rows = overview if commodities is None else overview[overview["commodity"].isin(list(commodities))]
    lines = []
    for _, part in rows.groupby(_source_order(rows["source"]), sort=True):
        name = part["source"].iloc[0]
        if by_commodity:
            spans = "; ".join(
                f"{commodity_name(r.commodity)} {FREQ_NAMES.get(r.freq, r.freq)}, {_period_words(r.first_period)} "
                f"to {_period_words(r.last_period)}{_count_words(r.n_periods, r.n_partners, r.freq)}"
                for r in part.itertuples(index=False)
            )
        else:
            freqs = ", ".join(FREQ_NAMES.get(f, f) for f in dict.fromkeys(part["freq"]))
            spans = (
                f"{join_words(commodity_name(c) for c in sorted(part['commodity'].unique()))} ({freqs}), from "
                f"{_period_words(part['first_period'].min())} to {_period_words(part['last_period'].max())}"
            )
        lines.append(
            f"- {SOURCE_NAMES.get(name, name)}, retrieved {_day_words(part['date_retrieved'].iloc[0])}: {spans}."
        )
    return "\n".join(lines)


def coverage_gaps(matrix: pd.DataFrame) -> pd.DataFrame:
    """The months without any figure, per ``commodity / partner`` of a coverage matrix.

    Parameters
    ----------
    matrix : DataFrame
        :func:`energytrade.inventory.coverage_matrix` (months × ``commodity / partner``, number of sources).

    Returns
    -------
    DataFrame
        ``key`` (``commodity / partner``), ``months_with_figure``, ``months_without``, ``most_sources``
        (the largest number of sources for one month), ``gaps`` (the months without a figure, runs written
        ``first..last``).
    """
    records = []
    for key in matrix.columns:
        counts = matrix[key]
        gaps = [str(m) for m in counts.index[counts == 0]]
        records.append(
            {
                "key": str(key),
                "months_with_figure": int((counts > 0).sum()),
                "months_without": len(gaps),
                "most_sources": int(counts.max()),
                "gaps": _month_runs(gaps),
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["key", "months_with_figure", "months_without", "most_sources", "gaps"]
    )


def _month_runs(months: list[str]) -> str:
    """``["2019-01", "2019-02", "2019-05"]`` -> ``"2019-01..2019-02, 2019-05"``."""
    runs: list[list[str]] = []
    for month in months:
        year, mon = int(month[:4]), int(month[5:7])
        if runs:
            last = runs[-1][-1]
            ly, lm = int(last[:4]), int(last[5:7])
            if year * 12 + mon == ly * 12 + lm + 1:
                runs[-1].append(month)
                continue
        runs.append([month])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


# ------------------------------------------------------------------------------- cross-source check

_URL_TAIL = re.compile(r"\s*\((?:https?://|www\.)[^)]*\)\s*$")


def short_note(note: str, width: int = 80) -> str:
    """A press note without its trailing ``(url, date)``, shortened to ``width`` characters."""
    text = _URL_TAIL.sub("", str(note)).strip()
    return textwrap.shorten(text, width=width, placeholder=" …") if text else ""


#: What makes one printed figure: the same number for the same thing, whichever outlet printed it.
FIGURE_KEY: list[str] = ["commodity", "period", "freq", "partner_iso3", "metric", "other_hs_code", "other_value"]


def distinct_figures(comparison: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct press figure of a cross-source comparison.

    :func:`energytrade.analysis.cross_source_comparison` gives one row per outlet, so a figure that two
    outlets printed appears twice; here it appears once (the first outlet's row, in the comparison's
    order). Outlets printing different numbers for the same thing stay separate figures.
    """
    missing = [c for c in FIGURE_KEY if c not in comparison.columns]
    if missing:
        raise KeyError(f"the comparison lacks column(s) {missing}; pass analysis.cross_source_comparison()")
    return comparison.drop_duplicates(FIGURE_KEY).reset_index(drop=True)


def cross_source_counts(comparison: pd.DataFrame) -> dict[str, int]:
    """How many press figures were compared and flagged, like for like and not.

    Returns
    -------
    dict
        ``n_rows`` (comparison rows: one per outlet and figure), ``n_figures`` (distinct figures, see
        :func:`distinct_figures`), ``n_flagged``; ``n_like`` and ``n_like_flagged`` for figures that cover
        the same HS codes in both sources; ``n_unlike`` and ``n_unlike_flagged`` for those that do not.
    """
    figures = distinct_figures(comparison)
    like = figures["like_for_like"].astype(bool)
    flagged = figures["flagged"].astype(bool)
    return {
        "n_rows": len(comparison),
        "n_figures": len(figures),
        "n_flagged": int(flagged.sum()),
        "n_like": int(like.sum()),
        "n_like_flagged": int((like & flagged).sum()),
        "n_unlike": int((~like).sum()),
        "n_unlike_flagged": int((~like & flagged).sum()),
    }


def hs_scope_words(comparison: pd.DataFrame, base: str = "the extract", other: str = "the press") -> str:
    """The commodities whose HS codes differ between the two sources, in words (``""`` when none).

    >>> hs_scope_words(pd.DataFrame({"commodity": ["coal"], "base_hs_code": ["2701"],
    ...                              "other_hs_code": ["2701+2702"], "like_for_like": [False]}))
    'coal: HS 2701+2702 in the press, HS 2701 in the extract'
    """
    unlike = comparison.loc[~comparison["like_for_like"].astype(bool), ["commodity", "other_hs_code", "base_hs_code"]]
    pairs = unlike.drop_duplicates().sort_values(["commodity", "other_hs_code", "base_hs_code"], kind="mergesort")
    return "; ".join(
        f"{c}: HS {o} in {other}, HS {b} in {base}" for c, o, b in pairs.itertuples(index=False, name=None)
    )


def cross_source_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """How well two sources agree, per commodity and metric.

    Parameters
    ----------
    comparison : DataFrame
        :func:`energytrade.analysis.cross_source_comparison`.

    Returns
    -------
    DataFrame
        ``commodity``, ``metric``, ``unit``, ``like_for_like`` (both sources cover the same HS codes),
        ``n_compared`` (comparison rows: one per outlet), ``n_figures`` (distinct figures, an outlet
        repeating another's counted once), ``n_flagged`` (of the distinct figures),
        ``median_abs_diff_pct`` [%] and ``max_abs_diff_pct`` [%] (of the distinct figures).
    """
    keys = ["commodity", "metric", "unit", "like_for_like"]
    rows = comparison.groupby(keys, sort=True).size().rename("n_compared")
    figures = distinct_figures(comparison)
    groups = figures.assign(_abs=figures["diff_pct"].abs()).groupby(keys, sort=True)
    out = groups.agg(
        n_figures=("flagged", "size"),
        n_flagged=("flagged", "sum"),
        median_abs_diff_pct=("_abs", "median"),
        max_abs_diff_pct=("_abs", "max"),
    ).join(rows)
    out = out.reset_index()[keys + ["n_compared", "n_figures", "n_flagged", "median_abs_diff_pct", "max_abs_diff_pct"]]
    return out.astype({"n_compared": "int64", "n_figures": "int64", "n_flagged": "int64", "like_for_like": bool})


def flagged_differences(comparison: pd.DataFrame, *, note_width: int = 70) -> pd.DataFrame:
    """The flagged figures of a cross-source comparison, largest difference first.

    Parameters
    ----------
    comparison : DataFrame
        :func:`energytrade.analysis.cross_source_comparison`.
    note_width : int, default 70
        The press note is shortened to this many characters (its URL dropped).

    Returns
    -------
    DataFrame
        ``commodity``, ``period``, ``freq``, ``partner_iso3``, ``metric``, ``unit``, ``base_value``,
        ``other_value``, ``diff_pct`` [%] and ``note`` (the press's note, shortened). Ties in the size of
        the difference keep the comparison's order.
    """
    rows = comparison[comparison["flagged"]]
    order = rows["diff_pct"].abs().sort_values(ascending=False, kind="mergesort").index
    rows = rows.loc[order]
    out = rows[
        ["commodity", "period", "freq", "partner_iso3", "metric", "unit", "base_value", "other_value", "diff_pct"]
    ].assign(note=[short_note(n, note_width) for n in rows["other_note"]])
    return out.reset_index(drop=True)


def _differ(n: int) -> str:
    return "differs" if n == 1 else "differ"


def _count(n: int, noun: str) -> str:
    """``(1, "figure")`` -> ``"1 figure"``, ``(2, "figure")`` -> ``"2 figures"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cross_source_note(comparison: pd.DataFrame, tolerance_pct: float, names: dict[str, str] | None = None) -> str:
    """The cross-source check in a few sentences (from :func:`energytrade.analysis.cross_source_comparison`).

    Figures are counted once however many outlets printed them (:func:`distinct_figures`); those that
    cover different HS codes in the two sources are counted apart, and the largest and median
    differences are of the like-for-like figures.
    """
    if comparison.empty:
        return "No press figure has a counterpart in the Comtrade extract."
    k = cross_source_counts(comparison)
    text = (
        f"{_count(k['n_figures'], 'distinct figure')} printed in the press ({k['n_rows']} counting each outlet "
        f"that printed them) {'has' if k['n_figures'] == 1 else 'have'} a counterpart in the Comtrade extract."
    )
    figures = distinct_figures(comparison)
    like = figures[figures["like_for_like"].astype(bool)]
    if k["n_like"]:
        text += (
            f" Of the {k['n_like']} that cover the same HS codes in both, {k['n_like_flagged']} "
            f"({k['n_like_flagged'] / k['n_like'] * 100:.1f} %) {_differ(k['n_like_flagged'])} by more than "
            f"{tolerance_pct:g} %"
        )
        if k["n_like_flagged"]:
            worst = like.loc[like["diff_pct"].abs().idxmax()]
            text += (
                f"; the largest difference is {worst['diff_pct']:+.1f} % ({commodity_name(worst['commodity'])}, "
                f"{country_name(worst['partner_iso3'], names)}, {_period_words(worst['period'])}, "
                f"{METRIC_NAMES.get(worst['metric'], worst['metric'])})"
            )
        text += f". Their median absolute difference is {like['diff_pct'].abs().median():.2f} %."
    if k["n_unlike"]:
        text += (
            f" {'The other ' if k['n_like'] else ''}{k['n_unlike']} cover different HS codes ({hs_scope_words(comparison)}), so they are not like "
            f"for like; {k['n_unlike_flagged']} of them {_differ(k['n_unlike_flagged'])} by more than "
            f"{tolerance_pct:g} %."
        )
    return text


# ------------------------------------------------------------------------------------------ the chapter


def sources_described(provenance: pd.DataFrame, overview: pd.DataFrame) -> list[str]:
    """One line per source the report uses: its name, publisher and licence (from the raw files'
    sidecars, ``data/raw/<source>/<vintage>/<file>.meta.yml``) and what it covers."""
    lines = []
    for source in dict.fromkeys(provenance["source"]):
        part = provenance[provenance["source"] == source]
        publishers = join_words(dict.fromkeys(p for p in part["publisher"] if p))
        licences = "; ".join(dict.fromkeys(str(x) for x in part["licence"] if x))
        rows = overview[overview["source"] == source]
        covers = (
            f" Covers {join_words(commodity_name(c) for c in dict.fromkeys(rows['commodity']))}, "
            f"{_period_words(rows['first_period'].min())} to {_period_words(rows['last_period'].max())}."
            if not rows.empty
            else ""
        )
        lines.append(
            f"**{SOURCE_NAMES.get(source, source)}**: published by {publishers}; licence: {licences}; "
            f"{len(part)} file(s), retrieved {_day_words(part['date_retrieved'].max())}.{covers}"
        )
    return lines


def method_lines(importer_name: str = "China") -> list[str]:
    """How the numbers are made, once for the whole report (the claims and press lines only for China's)."""
    lines = [
        "Totals are sums over partners; a missing figure stays missing and is counted, never filled with 0.",
        f"Crude oil is HS 2709. Barrels: {units.BARRELS_PER_TONNE_CRUDE} bbl per tonne (Energy Institute, world "
        "average); barrels per day use each period's real number of days.",
        f"Unit values are customs value divided by net weight (CIF, as {importer_name} declares them), so they "
        "include freight and insurance; they are not market prices.",
        "Claims: a month's customs figures count as known from the 20th of the following month; the verdict "
        "uses what was known on the as-of date, later findings are shown and marked.",
        "Press figures (China customs as printed by Reuters, Bloomberg and others) are used for the cross-source "
        "check and by the claims where the extract has no figure (pipeline gas volumes).",
        "Every raw file carries a provenance sidecar (data/raw/<source>/<vintage>/<file>.meta.yml: where it came "
        "from, when, licence, sha256) and is checked against its sha256 before use.",
    ]
    if importer_name == "China":
        return lines
    return [line for line in lines if not line.startswith(("Claims:", "Press figures"))]


def build(context: Context) -> Chapter:
    """The sources-and-data chapter: each source with publisher and licence, what it holds, the months
    with figures, the cross-source check, and how the numbers are made."""
    flows = context.flows
    provenance = provenance_table(context.data_dir)
    overview = source_overview(flows, provenance)
    # The press (GACC) figures are China's: another importer's report has no cross-source check.
    compare = context.importer == "CHN"
    comparison = analysis.cross_source_comparison(flows, tolerance_pct=CROSS_SOURCE_TOLERANCE_PCT) if compare else None
    matrix = coverage_matrix(flows, ["RUS", "SAU"])
    heatmap = coverage_heatmap(
        matrix, events=article_events(context.article_date), source=source_line(overview["source"].unique())
    )
    sources = "\n".join(f"- {line}" for line in sources_described(provenance, overview))
    method = "\n".join(f"- {line}" for line in method_lines(context.importer_name))
    md = "\n\n".join(
        [
            "### Sources\n\n" + sources,
            "### What each source holds\n\n" + sources_note(overview),
            "{{figure:coverage}}",
            *(
                [
                    "### Comtrade against the press\n\n"
                    + cross_source_note(comparison, CROSS_SOURCE_TOLERANCE_PCT, context.partner_names)
                ]
                if compare
                else []
            ),
            "### Method\n\n" + method,
        ]
    )
    return Chapter(
        "sources",
        "Data and method",
        md,
        [
            Table("sources_overview", "What each source holds", overview),
            Table("sources_files", "Raw files with publisher and licence", provenance),
            *(
                [
                    Table(
                        "cross_source_summary",
                        "Comtrade against the press, by commodity",
                        cross_source_summary(comparison),
                    )
                ]
                if compare
                else []
            ),
        ],
        [
            Figure(
                "coverage",
                "Which months have figures",
                heatmap,
                "Months across, one row per commodity and partner (Russia, Saudi Arabia); the colour gives the "
                "number of sources with a figure that month (light grey: none).",
                alt="Heatmap of the months with figures per source",
            )
        ],
    )
