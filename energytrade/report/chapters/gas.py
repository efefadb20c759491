"""Chapter: gas, coal and energy from Russia (pipeline gas, LNG, coal; changes since the war; Russia's rank).

Windows and outlet rules are those of the claims (:mod:`energytrade.claims.evidence`); numbers come
from :mod:`energytrade.analysis`. The chapter is about China by default; for another importer its partner
figures come from the first of :data:`SOURCES` holding that importer's gas or coal imports (data fetched
with ``energytrade fetch comtrade``), and the parts built on China's press figures (pipeline-gas volumes)
are shown only where the data root holds them for that importer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from energytrade import analysis, units
from energytrade.claims.asof import ARTICLE_DATE, known_from, latest_known_month
from energytrade.claims.evidence import pick_press_figure
from energytrade.commodities import HS_CODES
from energytrade.countries import short_name
from energytrade.errors import NoImporterData
from energytrade.events import WAR_START
from energytrade.formatting import COMMODITY_NAMES, display_name, fmt_change_pct, fmt_date, fmt_window, join_words
from energytrade.periods import Month, Span
from energytrade.report.chapter import Chapter, Context, Figure, Table
from energytrade.report.chapters.crude_oil import CRUDE_SOURCES, FETCH_SPAN, covered_span
from energytrade.report.plotting import article_events, russia_gas_and_coal, russia_rank_among_suppliers, source_line

# ------------------------------------------------------------ (formerly gas_tables.py)

#: The supplier the notebook is about.
FOCUS_ISO3 = "RUS"
#: Partner figures (tonnes, US dollars).
SOURCE = "comtrade_extract"
#: The importer the article is about (the bundled extract and press figures are China's).
ARTICLE_IMPORTER = "CHN"
#: Sources of an importer's partner figures, in order of preference (as the crude chapter's): the bundled
#: extract (China only), then data fetched with ``energytrade fetch comtrade``.
SOURCES: tuple[str, ...] = CRUDE_SOURCES
#: The commodities the chapter is about (crude oil is compared too, but has its own chapter). An importer
#: with no rows of any of them gets no gas chapter.
GAS_COMMODITIES: tuple[str, ...] = ("lng", "pipeline_gas", "coal")
#: Pipeline-gas volumes [bcm]: only the press has them.
PRESS_SOURCE = "gacc_press"
#: Outlets preferred for a pipeline-gas volume, in order (the claims' rule, ``claims.yml``).
PIPELINE_OUTLETS: tuple[str, ...] = ("Gazprom", "GACC")
#: Source line of figures that draw on both: the partner figures and the press's pipeline volumes.
GAS_SOURCE_LINE = (
    "Sources: UN Comtrade (via the china-energy-monitor extract); pipeline-gas volumes: Gazprom (else GACC) "
    "figures as reported in the press; energytrade"
)
#: The first full month of the war (Russia's invasion of Ukraine began on
#: :data:`energytrade.events.WAR_START`, 2022-02-24), as in the claims (``claims.yml``).
WAR_FIRST_MONTH = Month(WAR_START.year, WAR_START.month).shift(1)

#: (commodity, metric) pairs compared before and after the war began. Pipeline gas by value only: China's
#: customs stopped publishing pipeline volumes by country in 2022 (tonnes of different fuels are not added).
CHANGE_MEASURES: tuple[tuple[str, str], ...] = (
    ("crude_oil", "mass"),
    ("crude_oil", "value"),
    ("lng", "mass"),
    ("lng", "value"),
    ("pipeline_gas", "value"),
    ("coal", "mass"),
    ("coal", "value"),
)
#: Russia's rank is measured among LNG suppliers by tonnage and among pipeline suppliers by value.
RANK_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("lng", "mass", "LNG, by tonnage"),
    ("pipeline_gas", "value", "pipeline gas, by value"),
)

_COMMODITY_WORDS = {"crude_oil": "crude oil", "lng": "LNG", "pipeline_gas": "pipeline gas", "coal": "coal"}
_METRIC_WORDS = {"mass": "tonnage", "value": "value", "volume": "volume"}


@dataclass(frozen=True)
class GasTables:
    """The tables of the gas-and-energy notebook (Russia as China's supplier, or another importer's)."""

    #: Calendar years the extract covers completely for LNG (the years shown).
    years: tuple[str, ...]
    #: Russia's pipeline gas to China per year [bcm], press figures: the chosen one and the outlets' range.
    pipeline_volumes: pd.DataFrame
    #: Russia's supplies per year, one column per commodity and unit (Mt, bcm, USD bn).
    annual: pd.DataFrame
    #: Russia's LNG per month: tonnes, bcm (converted), value, share and rank.
    lng_monthly: pd.DataFrame
    #: Russia's coal per month: tonnes, value, share and rank.
    coal_monthly: pd.DataFrame
    #: Imports from Russia since the war began against the same months a year earlier.
    changes: pd.DataFrame
    #: Russia's rank among China's LNG and pipeline suppliers per calendar year.
    rank_annual: pd.DataFrame
    #: The same per month (for the figure).
    rank_monthly: pd.DataFrame
    #: The importer (ISO3) and the clean-table source of its partner figures.
    importer: str = ARTICLE_IMPORTER
    source: str = SOURCE
    #: The commodities (of :data:`GAS_COMMODITIES` and crude oil) the source holds for the importer.
    commodities: tuple[str, ...] = ("crude_oil", *GAS_COMMODITIES)
    #: Those among them of which the focus supplier sold the importer some.
    from_focus: tuple[str, ...] = ("crude_oil", *GAS_COMMODITIES)

    @property
    def importer_name(self) -> str:
        """The importer in readers' words (``"China"``)."""
        return importer_words(self.importer)


def importer_words(importer: str) -> str:
    """An importer in readers' words (``"CHN"`` -> ``"China"``)."""
    return display_name(importer, short_name(importer))


def fetch_commands(importer: str, commodities: tuple[str, ...] = GAS_COMMODITIES) -> str:
    """The command that fetches an importer's monthly imports by partner of ``commodities`` from UN Comtrade,
    in words (one command, then the same with each further HS code)."""
    first, *more = [HS_CODES[c] for c in commodities]
    command = (
        f"`energytrade fetch comtrade --reporter {importer} --partner all --commodity {first} "
        f"--start {FETCH_SPAN[0]} --end {FETCH_SPAN[1]}`"
    )
    if not more:
        return command
    return f"{command}, then the same with {join_words(f'`--commodity {code}`' for code in more)}"


def _commodity_words(commodities: tuple[str, ...]) -> str:
    """``("lng", "coal")`` -> ``"LNG (HS 271111) or coal (HS 2701)"``."""
    words = [f"{COMMODITY_NAMES[c]} (HS {HS_CODES[c]})" for c in commodities]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _importer_rows(flows: pd.DataFrame, importer: str) -> pd.DataFrame:
    """The importer's import rows by partner (``WLD`` totals left out) of the chapter's sources."""
    return flows[
        (flows["reporter_iso3"] == importer)
        & (flows["flow"] == "import")
        & (flows["freq"] == "M")
        & (flows["partner_iso3"] != "WLD")
        & flows["source"].isin(SOURCES)
        & flows["commodity"].isin(("crude_oil", *GAS_COMMODITIES))
    ]


def gas_source(flows: pd.DataFrame, importer: str = ARTICLE_IMPORTER) -> str | None:
    """The first of :data:`SOURCES` holding the importer's monthly gas or coal imports by partner (``None``:
    no source holds any of :data:`GAS_COMMODITIES`, and the report leaves the chapter out)."""
    return _first_source(_importer_rows(flows, importer))


def _first_source(rows: pd.DataFrame) -> str | None:
    """:func:`gas_source` of the importer's rows (:func:`_importer_rows`)."""
    present = set(rows.loc[rows["commodity"].isin(GAS_COMMODITIES), "source"].unique())
    return next((source for source in SOURCES if source in present), None)


def left_out_note(importer: str) -> str:
    """Why the chapter is left out of the report on an importer without gas or coal rows, and the command
    that fetches them (one sentence)."""
    return (
        f"The gas chapter is left out: the data root holds none of {importer_words(importer)}'s imports of "
        f"{_commodity_words(GAS_COMMODITIES)}; fetch them with {fetch_commands(importer)}."
    )


def pipeline_volumes(
    flows: pd.DataFrame,
    years: tuple[str, ...],
    *,
    partner_iso3: str = FOCUS_ISO3,
    prefer: tuple[str, ...] = PIPELINE_OUTLETS,
    importer: str = ARTICLE_IMPORTER,
) -> pd.DataFrame:
    """A partner's pipeline gas to an importer (China) per calendar year [bcm], from the press.

    Several outlets report each year; the figure shown is chosen as the claims choose it (``prefer``), and
    the range over all outlets is kept so a reader sees how much they disagree. The bundled press figures
    are China's: for another importer the frame is empty unless the data root holds its press figures.

    Returns
    -------
    DataFrame
        ``period`` (``YYYY``), ``volume_bcm`` (the chosen figure), ``outlet`` (its tag), ``n_outlets``,
        ``volume_bcm_min``, ``volume_bcm_max``, ``change_pct`` [%] (on the year before, chosen figures),
        ``provenance`` (of the chosen figure). Years without a figure are left out.
    """
    rows = flows[
        (flows["source"] == PRESS_SOURCE)
        & (flows["commodity"] == "pipeline_gas")
        & (flows["freq"] == "A")
        & (flows["reporter_iso3"] == importer)
        & (flows["flow"] == "import")
        & (flows["partner_iso3"] == partner_iso3)
        & flows["volume_bcm"].notna()
        & flows["period"].isin(years)
    ]
    records = []
    for period, key_rows in rows.groupby("period", sort=True):
        chosen, _others, _rule = pick_press_figure(key_rows, "volume_bcm", prefer)
        records.append(
            {
                "period": period,
                "volume_bcm": float(chosen["volume_bcm"]),
                "outlet": chosen["outlet"],
                "n_outlets": len(key_rows),
                "volume_bcm_min": float(key_rows["volume_bcm"].min()),
                "volume_bcm_max": float(key_rows["volume_bcm"].max()),
                "provenance": chosen["provenance"],
            }
        )
    out = pd.DataFrame.from_records(
        records,
        columns=["period", "volume_bcm", "outlet", "n_outlets", "volume_bcm_min", "volume_bcm_max", "provenance"],
    )
    earlier = out.set_index("period")["volume_bcm"].reindex([str(int(p) - 1) for p in out["period"]])
    out.insert(6, "change_pct", (out["volume_bcm"].to_numpy() - earlier.to_numpy()) / earlier.to_numpy() * 100)
    return out.astype({"n_outlets": "int64", "volume_bcm": "float64", "change_pct": "float64"})


def _focus_rows(shares: pd.DataFrame, partner_iso3: str) -> pd.DataFrame:
    return shares[shares["partner_iso3"] == partner_iso3].reset_index(drop=True)


_MONTHLY_COLUMNS = ["period", "net_weight_t", "value_usd", "share_pct", "rank"]


def _monthly(flows: pd.DataFrame, commodity: str, partner_iso3: str, **select) -> pd.DataFrame:
    """A partner's monthly tonnes and value of one commodity, with its share and rank by tonnage."""
    by_mass = _focus_rows(analysis.market_shares(flows, commodity, "mass", "M", **select), partner_iso3)
    by_value = _focus_rows(analysis.market_shares(flows, commodity, "value", "M", **select), partner_iso3)
    periods = by_mass["period"].to_numpy(dtype=object)
    if len(periods) == len(by_value) and (periods == by_value["period"].to_numpy(dtype=object)).all():
        # Both rankings group the same rows by (month, partner): the partner's months are the same, in
        # month order, and its values line up without a merge (the merge and sort cost more than the rest).
        columns = {"period": by_mass["period"], "net_weight_t": by_mass["net_weight_t"]}
        columns |= {"value_usd": by_value["value_usd"], "share_pct": by_mass["share_pct"], "rank": by_mass["rank"]}
        out = pd.DataFrame({name: column.array for name, column in columns.items()}, copy=True)
        if (periods[1:] >= periods[:-1]).all():
            return out
    else:
        out = by_mass[["period", "net_weight_t", "share_pct", "rank"]].merge(
            by_value[["period", "value_usd"]], on="period", how="outer", validate="one_to_one"
        )
    out = out[_MONTHLY_COLUMNS]
    return out.sort_values("period").reset_index(drop=True)


def _no_months() -> pd.DataFrame:
    """The frame of :func:`_monthly` for a commodity the source does not hold for the importer."""
    return pd.DataFrame({c: pd.Series(dtype="object" if c == "period" else "float64") for c in _MONTHLY_COLUMNS})


def annual_supplies(
    flows: pd.DataFrame,
    years: tuple[str, ...],
    volumes: pd.DataFrame,
    *,
    partner_iso3: str = FOCUS_ISO3,
    importer: str = ARTICLE_IMPORTER,
    source: str = SOURCE,
    commodities: tuple[str, ...] = ("crude_oil", *GAS_COMMODITIES),
) -> pd.DataFrame:
    """A partner's supplies to an importer (China) per calendar year, one column per commodity and display unit.

    Returns
    -------
    DataFrame
        ``period`` and ``pipeline_gas_bcm`` (press, see :func:`pipeline_volumes`), ``pipeline_gas_usd_bn``,
        ``lng_mt``, ``lng_bcm`` (at :data:`energytrade.units.BCM_PER_MT_LNG`), ``lng_usd_bn``, ``coal_mt``,
        ``coal_usd_bn``, ``crude_oil_mt``, ``crude_oil_usd_bn``. A year with fewer than 12 months of
        data is NaN, never a partial sum; so is every year of a commodity not in ``commodities`` (those
        ``source`` holds for the importer).
    """
    out = pd.DataFrame({"period": list(years)})
    out["pipeline_gas_bcm"] = out["period"].map(volumes.set_index("period")["volume_bcm"]).astype("float64")

    def annual(commodity: str, metric: str) -> pd.Series:
        if commodity not in commodities:
            return pd.Series(float("nan"), index=out.index)
        shares = analysis.market_shares(flows, commodity, metric, "A", source=source, reporter=importer)
        # The partner's whole years, by period, on arrays (one figure per partner and year).
        mine = (shares["partner_iso3"].to_numpy(dtype=object) == partner_iso3) & (
            shares["months_with_data"].to_numpy() == 12
        )
        figures = shares[analysis.METRIC_COLUMNS[metric]].to_numpy(dtype="float64", na_value=np.nan)[mine]
        by_period = dict(zip(shares["period"].to_numpy(dtype=object)[mine].tolist(), figures.tolist()))
        return pd.Series([by_period.get(p, np.nan) for p in out["period"]], index=out.index, dtype="float64")

    out["pipeline_gas_usd_bn"] = annual("pipeline_gas", "value") / 1e9
    lng_t = annual("lng", "mass")
    out["lng_mt"] = lng_t / units.TONNES_PER_MT
    out["lng_bcm"] = units.lng_tonnes_to_bcm(lng_t)
    out["lng_usd_bn"] = annual("lng", "value") / 1e9
    out["coal_mt"] = annual("coal", "mass") / units.TONNES_PER_MT
    out["coal_usd_bn"] = annual("coal", "value") / 1e9
    out["crude_oil_mt"] = annual("crude_oil", "mass") / units.TONNES_PER_MT
    out["crude_oil_usd_bn"] = annual("crude_oil", "value") / 1e9
    return out


#: The label of the first 12 months of the war (without a release date: another importer's).
FIRST_YEAR_OF_WAR = "first 12 months of the war"


def war_windows(as_of: date = ARTICLE_DATE, importer: str = ARTICLE_IMPORTER) -> list[tuple[str, str, str]]:
    """The windows compared before and after the war began: ``(label, window, baseline)``.

    For China: from the first full month of the war to the latest month known on ``as_of`` (China's release
    dates; at most 12 months), and the first 12 months of the war. For another importer, whose release
    dates energytrade does not know, the first 12 months of the war only. Each against the same months a
    year earlier.
    """
    twelfth = WAR_FIRST_MONTH.shift(11)
    first_year = Span(WAR_FIRST_MONTH, twelfth)
    if importer != ARTICLE_IMPORTER:
        windows = [(FIRST_YEAR_OF_WAR, first_year)]
    else:
        latest = latest_known_month(as_of)
        end = min(latest, twelfth)
        windows = [(f"known on {fmt_date(as_of.isoformat())}", Span(WAR_FIRST_MONTH, end))]
        if end != twelfth:
            known = fmt_date(known_from(str(first_year)).isoformat())
            windows.append((f"{FIRST_YEAR_OF_WAR}, known from {known}", first_year))
    return [(label, str(span), str(Span(span.start.shift(-12), span.end.shift(-12)))) for label, span in windows]


#: The month counts of :func:`energytrade.analysis.change_over_period` that make a window incomplete.
_GAP_COUNTS = (
    "months_missing_figure",
    "months_without_data",
    "baseline_months_missing_figure",
    "baseline_months_without_data",
)
_CHANGE_COLUMNS = [
    "label",
    "commodity",
    "metric",
    "unit",
    "window",
    "baseline_window",
    "value",
    "baseline_value",
    "change_pct",
    "is_complete",
    *_GAP_COUNTS,
]


def changes_since_war(
    flows: pd.DataFrame,
    *,
    as_of: date = ARTICLE_DATE,
    partner_iso3: str = FOCUS_ISO3,
    importer: str = ARTICLE_IMPORTER,
    source: str = SOURCE,
    commodities: tuple[str, ...] = ("crude_oil", *GAS_COMMODITIES),
) -> pd.DataFrame:
    """An importer's (China's) imports from a partner since the war began, against the same months a year
    earlier.

    Returns
    -------
    DataFrame
        One row per window (:func:`war_windows`) and :data:`CHANGE_MEASURES` pair whose commodity is in
        ``commodities`` (those the partner sold the importer): ``label``, the columns of
        :func:`energytrade.analysis.change_over_period` that matter to a reader (``commodity``, ``metric``,
        ``unit``, ``window``, ``baseline_window``, ``value``, ``baseline_value``, ``change_pct``,
        ``is_complete`` and the counts of months lacking a figure or any data, ``months_missing_figure``,
        ``months_without_data`` and their ``baseline_`` twins). An incomplete window has no value and so
        no change (NaN): partial sums are never compared.
    """
    labels, comparisons = [], []
    for label, window, baseline in war_windows(as_of, importer):
        for commodity, metric in CHANGE_MEASURES:
            if commodity in commodities:
                labels.append(label)
                comparisons.append((commodity, window, baseline, metric))
    if not comparisons:
        return pd.DataFrame(columns=_CHANGE_COLUMNS)
    out = analysis.change_over_periods(flows, comparisons, partner_iso3, source=source, reporter=importer)
    return out.assign(label=labels)[_CHANGE_COLUMNS]


_RANK_COLUMNS = ["label", "commodity", "metric", "period", "rank", "n_partners", "share_pct", "value", "unit"]


def _ranks(flows: pd.DataFrame, freq: str, partner_iso3: str, commodities: tuple[str, ...], **select) -> pd.DataFrame:
    measures = [m for m in RANK_MEASURES if m[0] in commodities]
    frames = [analysis.partner_rank(flows, c, partner_iso3, metric, freq, **select) for c, metric, _ in measures]
    if not frames:
        return pd.DataFrame(columns=_RANK_COLUMNS)
    # The measure's names added once to the joined frame (an assign per frame cost more than the join).
    out = pd.concat(frames, ignore_index=True)
    sizes = [len(frame) for frame in frames]
    for j, column in enumerate(("commodity", "metric", "label")):
        out[column] = pd.array(np.repeat([m[j] for m in measures], sizes).tolist(), dtype="str")
    return out[_RANK_COLUMNS]


def gas_tables(
    flows: pd.DataFrame,
    *,
    as_of: date = ARTICLE_DATE,
    partner_iso3: str = FOCUS_ISO3,
    importer: str = ARTICLE_IMPORTER,
) -> GasTables:
    """Every table of the gas-and-energy notebook from the clean table (pure; see :class:`GasTables`).

    ``importer``'s partner figures come from :func:`gas_source`; a commodity the source does not hold for
    the importer, or that the partner never sold it, has no rows (and NaN columns in ``annual``).

    Raises
    ------
    NoImporterData
        No source holds the importer's gas or coal imports (the message names the fetch command).
    """
    rows = _importer_rows(flows, importer)
    source = _first_source(rows)
    if source is None:
        raise NoImporterData(left_out_note(importer))
    rows = rows[rows["source"] == source]
    held = set(rows["commodity"].unique())
    sold = set(rows.loc[rows["partner_iso3"] == partner_iso3, "commodity"].unique())
    commodities = tuple(c for c in ("crude_oil", *GAS_COMMODITIES) if c in held)
    from_focus = tuple(c for c in commodities if c in sold)
    sel = {"source": source, "reporter": importer}
    first = next(c for c in GAS_COMMODITIES if c in commodities)
    _, years = covered_span(flows, first, source, reporter=importer)
    volumes = pipeline_volumes(flows, years, partner_iso3=partner_iso3, importer=importer)
    lng = _monthly(flows, "lng", partner_iso3, **sel) if "lng" in commodities else _no_months()
    lng.insert(2, "volume_bcm", units.lng_tonnes_to_bcm(lng["net_weight_t"]))
    coal = _monthly(flows, "coal", partner_iso3, **sel) if "coal" in commodities else _no_months()
    rank_annual = _ranks(flows, "A", partner_iso3, from_focus, **sel)
    return GasTables(
        years=years,
        pipeline_volumes=volumes,
        annual=annual_supplies(
            flows, years, volumes, partner_iso3=partner_iso3, importer=importer, source=source, commodities=commodities
        ),
        lng_monthly=lng,
        coal_monthly=coal,
        changes=changes_since_war(
            flows, as_of=as_of, partner_iso3=partner_iso3, importer=importer, source=source, commodities=from_focus
        ),
        rank_annual=rank_annual[rank_annual["period"].isin(years)].reset_index(drop=True),
        rank_monthly=_ranks(flows, "M", partner_iso3, from_focus, **sel),
        importer=importer,
        source=source,
        commodities=commodities,
        from_focus=from_focus,
    )


# ------------------------------------------------------------------------------------------ sentences


def _span_words(window: str) -> str:
    return fmt_window(window)


def changes_note(changes: pd.DataFrame, importer_name: str = "China") -> str:
    """One sentence per window: the change of each measure on a year earlier (from :func:`changes_since_war`).

    A measure whose window or baseline is incomplete gets no change, but the count of months that lack a
    figure or any data.
    """
    lines = []
    for label, rows in changes.groupby("label", sort=False):
        parts = [
            f"{_COMMODITY_WORDS.get(r.commodity, r.commodity)} by {_METRIC_WORDS.get(r.metric, r.metric)} "
            + (fmt_change_pct(r.change_pct) if r.is_complete else _gap_words(r))
            for r in rows.itertuples(index=False)
        ]
        window = rows["window"].iloc[0]
        lines.append(
            f"{_span_words(window)} ({label}), {importer_name}'s imports from Russia against the same months a "
            f"year earlier: {join_words(parts)}."
        )
    return "\n".join(lines)


def _gap_words(r) -> str:
    """``'no change (1 month without a figure, 2 months without data)'`` for an incomplete comparison."""
    lacking = int(r.months_missing_figure + r.baseline_months_missing_figure)
    no_data = int(r.months_without_data + r.baseline_months_without_data)
    parts = [
        f"{n} month{'' if n == 1 else 's'} without {what}"
        for n, what in ((lacking, "a figure"), (no_data, "data"))
        if n
    ]
    return f"no change ({', '.join(parts)} in the two windows)"


def pipeline_note(volumes: pd.DataFrame, importer_name: str = "China") -> str:
    """Russia's pipeline gas per year in words (from :func:`pipeline_volumes`)."""
    parts = []
    for r in volumes.itertuples(index=False):
        change = "" if pd.isna(r.change_pct) else f", {fmt_change_pct(r.change_pct)}"
        spread = (
            "" if r.volume_bcm_min == r.volume_bcm_max else f"; outlets {r.volume_bcm_min:g} to {r.volume_bcm_max:g}"
        )
        parts.append(f"{r.volume_bcm:g} bcm in {r.period} ({r.outlet}{change}{spread})")
    # Power of Siberia is the pipeline from Russia to China; another importer's pipeline is not named.
    route = "Power of Siberia, press figures" if importer_name == "China" else "press figures"
    return f"Russian pipeline gas to {importer_name} ({route}): {join_words(parts)}."


def rank_note(rank_annual: pd.DataFrame, importer_name: str = "China") -> str:
    """Russia's rank per year among LNG and pipeline suppliers, in words (from :attr:`GasTables.rank_annual`)."""
    lines = []
    for label, rows in rank_annual.groupby("label", sort=False):
        parts = [
            f"{'n/a' if pd.isna(r.rank) else f'no. {int(r.rank)}'} of {r.n_partners} in {r.period}"
            + ("" if pd.isna(r.share_pct) else f" ({r.share_pct:.1f} %)")
            for r in rows.itertuples(index=False)
        ]
        lines.append(f"Russia among {importer_name}'s suppliers of {label}: {join_words(parts)}.")
    return "\n".join(lines)


def missing_note(g: GasTables) -> str:
    """What the chapter lacks for the importer, in plain sentences (``""`` when nothing: China's report).

    The pipeline-gas volumes (press figures, bundled for China only), the commodities the data root does
    not hold for the importer (with the command that fetches them), and those Russia did not sell it.
    """
    who = g.importer_name
    sentences = []
    if g.pipeline_volumes.empty and "pipeline_gas" in g.from_focus:
        sentences.append(
            f"There are no pipeline-gas volumes in billion cubic metres for {who}: these come from press "
            "figures (Gazprom, China's customs), which the data root holds for China only, so Russia's "
            "pipeline gas is shown by customs value."
        )
    absent = tuple(c for c in GAS_COMMODITIES if c not in g.commodities)
    if absent:
        sentences.append(
            f"The data root holds none of {who}'s imports of {_commodity_words(absent)}; "
            f"fetch them with {fetch_commands(g.importer, absent)}."
        )
    not_sold = tuple(c for c in GAS_COMMODITIES if c in g.commodities and c not in g.from_focus)
    if not_sold:
        sentences.append(
            f"Russia does not appear among {who}'s suppliers of "
            f"{join_words(COMMODITY_NAMES[c] for c in not_sold)} in these figures."
        )
    return " ".join(sentences)


# ------------------------------------------------------------------------------------------ the chapter


def _no_volumes(years: tuple[str, ...]) -> pd.DataFrame:
    """Years without a pipeline volume, for the figure (which draws the LNG bars alone then)."""
    nan = float("nan")
    return pd.DataFrame({"period": list(years), "volume_bcm": nan, "volume_bcm_min": nan, "volume_bcm_max": nan})


def build(context: Context) -> Chapter:
    """The gas-and-energy chapter: Russia's pipeline gas, LNG and coal to China (or ``context.importer``),
    the changes since the war began, and Russia's rank among the importer's gas suppliers."""
    g = gas_tables(context.flows, as_of=context.article_date, importer=context.importer)
    who = g.importer_name
    is_china = g.importer == ARTICLE_IMPORTER
    has_press = not g.pipeline_volumes.empty
    events = article_events(context.article_date)
    top_what = "gas" if has_press else "LNG"
    if is_china:
        gas_source_line = GAS_SOURCE_LINE
        top_words = "pipeline gas as China customs and Gazprom reported it to the press, with the outlets' range; "
    else:
        gas_source_line = source_line([g.source, PRESS_SOURCE] if has_press else [g.source])
        top_words = "pipeline gas as reported to the press, with the outlets' range; " if has_press else ""
    figures = []
    # The figure's panels need Russia's LNG and coal and a complete year; without them the chapter's
    # opening sentences say what is missing.
    if g.years and {"lng", "coal"} <= set(g.from_focus):
        figures.append(
            Figure(
                "gas_coal_from_russia",
                f"{who}'s gas and coal imports from Russia",
                russia_gas_and_coal(
                    g.pipeline_volumes if has_press else _no_volumes(g.years),
                    g.annual,
                    g.lng_monthly,
                    g.coal_monthly,
                    events=events,
                    source=gas_source_line,
                    title=f"{who}'s gas and coal imports from Russia",
                ),
                f"Top: {top_what} per calendar year in billion cubic metres ({top_words}LNG converted at "
                f"{units.BCM_PER_MT_LNG} bcm per million tonnes). Below: LNG and coal per month in million tonnes.",
                alt=f"Bars of Russia's gas to {who} per year, lines of LNG and coal per month",
            )
        )
    if not g.rank_monthly.empty:
        series = join_words(COMMODITY_NAMES[c] for c in dict.fromkeys(g.rank_monthly["commodity"]))
        figures.append(
            Figure(
                "gas_russia_rank",
                f"Russia among {who}'s gas suppliers",
                russia_rank_among_suppliers(
                    g.rank_monthly,
                    events=events,
                    source=source_line([g.source]),
                    title=f"Russia among {who}'s gas suppliers: share and rank, monthly",
                    importer_name=who,
                ),
                f"Top: Russia's share of {who}'s {series} imports per month; below: its rank (1 = largest supplier).",
                alt=f"Lines of Russia's share and rank among {who}'s gas suppliers per month",
            )
        )
    tables = [
        Table("gas_russia_annual", "Russia's gas and coal supplies per year", g.annual),
        Table("gas_russia_pipeline_volumes", "Russia's pipeline gas per year (press figures)", g.pipeline_volumes),
        Table("gas_russia_changes_since_war", "Imports from Russia since the war against a year earlier", g.changes),
        Table("gas_russia_rank_annual", f"Russia's rank among {who}'s gas suppliers per year", g.rank_annual),
    ]
    parts = [
        pipeline_note(g.pipeline_volumes, who) if has_press else "",
        missing_note(g),
        "{{figure:gas_coal_from_russia}}" if any(f.name == "gas_coal_from_russia" for f in figures) else "",
        "### Since the war began\n\n" + changes_note(g.changes, who) if not g.changes.empty else "",
        f"### Russia's rank among {who}'s gas suppliers\n\n" + rank_note(g.rank_annual, who)
        if not g.rank_annual.empty
        else "",
        "{{figure:gas_russia_rank}}" if any(f.name == "gas_russia_rank" for f in figures) else "",
    ]
    md = "\n\n".join(p for p in parts if p)
    return Chapter("gas", "Gas, coal and energy from Russia", md, tables, figures)
