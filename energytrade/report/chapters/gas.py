"""Chapter: gas, coal and energy from Russia (pipeline gas, LNG, coal; changes since the war; Russia's rank).

Windows and outlet rules are those of the claims (:mod:`energytrade.claims.evidence`); numbers come
from :mod:`energytrade.analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from energytrade import analysis, units
from energytrade.claims.asof import ARTICLE_DATE, known_from, latest_known_month
from energytrade.claims.evidence import pick_press_figure
from energytrade.events import WAR_START
from energytrade.formatting import fmt_change_pct, fmt_date, fmt_window, join_words
from energytrade.periods import Month, Span
from energytrade.report.chapter import Chapter, Context, Figure, Table
from energytrade.report.chapters.crude_oil import covered_span
from energytrade.report.plotting import article_events, russia_gas_and_coal, russia_rank_among_suppliers, source_line

# ------------------------------------------------------------ (formerly gas_tables.py)

#: The supplier the notebook is about.
FOCUS_ISO3 = "RUS"
#: Partner figures (tonnes, US dollars).
SOURCE = "comtrade_extract"
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
    """The tables of the gas-and-energy notebook (Russia as China's supplier)."""

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


def pipeline_volumes(
    flows: pd.DataFrame,
    years: tuple[str, ...],
    *,
    partner_iso3: str = FOCUS_ISO3,
    prefer: tuple[str, ...] = PIPELINE_OUTLETS,
) -> pd.DataFrame:
    """A partner's pipeline gas to China per calendar year [bcm], from the press.

    Several outlets report each year; the figure shown is chosen as the claims choose it (``prefer``), and
    the range over all outlets is kept so a reader sees how much they disagree.

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
        & (flows["reporter_iso3"] == "CHN")
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
    return out.astype({"n_outlets": "int64"})


def _focus_rows(shares: pd.DataFrame, partner_iso3: str) -> pd.DataFrame:
    return shares[shares["partner_iso3"] == partner_iso3].reset_index(drop=True)


def _monthly(flows: pd.DataFrame, commodity: str, partner_iso3: str) -> pd.DataFrame:
    """A partner's monthly tonnes and value of one commodity, with its share and rank by tonnage."""
    by_mass = _focus_rows(analysis.market_shares(flows, commodity, "mass", "M", source=SOURCE), partner_iso3)
    by_value = _focus_rows(analysis.market_shares(flows, commodity, "value", "M", source=SOURCE), partner_iso3)
    out = by_mass[["period", "net_weight_t", "share_pct", "rank"]].merge(
        by_value[["period", "value_usd"]], on="period", how="outer", validate="one_to_one"
    )
    out = out[["period", "net_weight_t", "value_usd", "share_pct", "rank"]]
    return out.sort_values("period").reset_index(drop=True)


def annual_supplies(
    flows: pd.DataFrame, years: tuple[str, ...], volumes: pd.DataFrame, *, partner_iso3: str = FOCUS_ISO3
) -> pd.DataFrame:
    """A partner's supplies to China per calendar year, one column per commodity and display unit.

    Returns
    -------
    DataFrame
        ``period`` and ``pipeline_gas_bcm`` (press, see :func:`pipeline_volumes`), ``pipeline_gas_usd_bn``,
        ``lng_mt``, ``lng_bcm`` (at :data:`energytrade.units.BCM_PER_MT_LNG`), ``lng_usd_bn``, ``coal_mt``,
        ``coal_usd_bn``, ``crude_oil_mt``, ``crude_oil_usd_bn``. A year with fewer than 12 months of
        data is NaN, never a partial sum.
    """
    out = pd.DataFrame({"period": list(years)})
    out["pipeline_gas_bcm"] = out["period"].map(volumes.set_index("period")["volume_bcm"])

    def annual(commodity: str, metric: str) -> pd.Series:
        shares = analysis.market_shares(flows, commodity, metric, "A", source=SOURCE)
        mine = _focus_rows(shares, partner_iso3)
        mine = mine[mine["months_with_data"] == 12].set_index("period")
        return out["period"].map(mine[analysis.METRIC_COLUMNS[metric]]).astype("float64")

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


def war_windows(as_of: date = ARTICLE_DATE) -> list[tuple[str, str, str]]:
    """The windows compared before and after the war began: ``(label, window, baseline)``.

    From the first full month of the war to the latest month known on ``as_of`` (at most 12 months), and
    the first 12 months of the war; each against the same months a year earlier.
    """
    latest = latest_known_month(as_of)
    twelfth = WAR_FIRST_MONTH.shift(11)
    end = min(latest, twelfth)
    windows = [(f"known on {fmt_date(as_of.isoformat())}", Span(WAR_FIRST_MONTH, end))]
    if end != twelfth:
        first_year = Span(WAR_FIRST_MONTH, twelfth)
        known = fmt_date(known_from(str(first_year)).isoformat())
        windows.append((f"first 12 months of the war, known from {known}", first_year))
    return [(label, str(span), str(Span(span.start.shift(-12), span.end.shift(-12)))) for label, span in windows]


#: The month counts of :func:`energytrade.analysis.change_over_period` that make a window incomplete.
_GAP_COUNTS = (
    "months_missing_figure",
    "months_without_data",
    "baseline_months_missing_figure",
    "baseline_months_without_data",
)


def changes_since_war(
    flows: pd.DataFrame, *, as_of: date = ARTICLE_DATE, partner_iso3: str = FOCUS_ISO3
) -> pd.DataFrame:
    """China's imports from a partner since the war began, against the same months a year earlier.

    Returns
    -------
    DataFrame
        One row per window (:func:`war_windows`) and :data:`CHANGE_MEASURES` pair: ``label``, the columns of
        :func:`energytrade.analysis.change_over_period` that matter to a reader (``commodity``, ``metric``,
        ``unit``, ``window``, ``baseline_window``, ``value``, ``baseline_value``, ``change_pct``,
        ``is_complete`` and the counts of months lacking a figure or any data, ``months_missing_figure``,
        ``months_without_data`` and their ``baseline_`` twins). An incomplete window has no value and so
        no change (NaN): partial sums are never compared.
    """
    frames = []
    for label, window, baseline in war_windows(as_of):
        for commodity, metric in CHANGE_MEASURES:
            change = analysis.change_over_period(
                flows, commodity, window, baseline, metric, partner_iso3, source=SOURCE
            )
            frames.append(change.assign(label=label))
    out = pd.concat(frames, ignore_index=True)
    columns = [
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
    return out[columns]


def _ranks(flows: pd.DataFrame, freq: str, partner_iso3: str) -> pd.DataFrame:
    frames = [
        analysis.partner_rank(flows, commodity, partner_iso3, metric, freq, source=SOURCE).assign(
            commodity=commodity, metric=metric, label=label
        )
        for commodity, metric, label in RANK_MEASURES
    ]
    out = pd.concat(frames, ignore_index=True)
    return out[["label", "commodity", "metric", "period", "rank", "n_partners", "share_pct", "value", "unit"]]


def gas_tables(flows: pd.DataFrame, *, as_of: date = ARTICLE_DATE, partner_iso3: str = FOCUS_ISO3) -> GasTables:
    """Every table of the gas-and-energy notebook from the clean table (pure; see :class:`GasTables`)."""
    _, years = covered_span(flows, "lng", SOURCE)
    volumes = pipeline_volumes(flows, years, partner_iso3=partner_iso3)
    lng = _monthly(flows, "lng", partner_iso3)
    lng.insert(2, "volume_bcm", units.lng_tonnes_to_bcm(lng["net_weight_t"]))
    rank_annual = _ranks(flows, "A", partner_iso3)
    return GasTables(
        years=years,
        pipeline_volumes=volumes,
        annual=annual_supplies(flows, years, volumes, partner_iso3=partner_iso3),
        lng_monthly=lng,
        coal_monthly=_monthly(flows, "coal", partner_iso3),
        changes=changes_since_war(flows, as_of=as_of, partner_iso3=partner_iso3),
        rank_annual=rank_annual[rank_annual["period"].isin(years)].reset_index(drop=True),
        rank_monthly=_ranks(flows, "M", partner_iso3),
    )


# ------------------------------------------------------------------------------------------ sentences


def _span_words(window: str) -> str:
    return fmt_window(window)


def changes_note(changes: pd.DataFrame) -> str:
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
            f"{_span_words(window)} ({label}), China's imports from Russia against the same months a year "
            f"earlier: {join_words(parts)}."
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


def pipeline_note(volumes: pd.DataFrame) -> str:
    """Russia's pipeline gas per year in words (from :func:`pipeline_volumes`)."""
    parts = []
    for r in volumes.itertuples(index=False):
        change = "" if pd.isna(r.change_pct) else f", {fmt_change_pct(r.change_pct)}"
        spread = (
            "" if r.volume_bcm_min == r.volume_bcm_max else f"; outlets {r.volume_bcm_min:g} to {r.volume_bcm_max:g}"
        )
        parts.append(f"{r.volume_bcm:g} bcm in {r.period} ({r.outlet}{change}{spread})")
    return f"Russian pipeline gas to China (Power of Siberia, press figures): {join_words(parts)}."


def rank_note(rank_annual: pd.DataFrame) -> str:
    """Russia's rank per year among LNG and pipeline suppliers, in words (from :attr:`GasTables.rank_annual`)."""
    lines = []
    for label, rows in rank_annual.groupby("label", sort=False):
        parts = [
            f"{'n/a' if pd.isna(r.rank) else f'no. {int(r.rank)}'} of {r.n_partners} in {r.period}"
            + ("" if pd.isna(r.share_pct) else f" ({r.share_pct:.1f} %)")
            for r in rows.itertuples(index=False)
        ]
        lines.append(f"Russia among China's suppliers of {label}: {join_words(parts)}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the chapter


def build(context: Context) -> Chapter:
    """The gas-and-energy chapter: Russia's pipeline gas, LNG and coal to China, the changes since the war
    began, and Russia's rank among China's gas suppliers."""
    g = gas_tables(context.flows, as_of=context.article_date)
    events = article_events(context.article_date)
    figures = [
        Figure(
            "gas_coal_from_russia",
            "China's gas and coal imports from Russia",
            russia_gas_and_coal(
                g.pipeline_volumes, g.annual, g.lng_monthly, g.coal_monthly, events=events, source=GAS_SOURCE_LINE
            ),
            "Top: gas per calendar year in billion cubic metres (pipeline gas as China customs and Gazprom "
            f"reported it to the press, with the outlets' range; LNG converted at {units.BCM_PER_MT_LNG} bcm per "
            "million tonnes). Below: LNG and coal per month in million tonnes.",
            alt="Bars of Russia's gas to China per year, lines of LNG and coal per month",
        ),
        Figure(
            "gas_russia_rank",
            "Russia among China's gas suppliers",
            russia_rank_among_suppliers(g.rank_monthly, events=events, source=source_line([SOURCE])),
            "Top: Russia's share of China's LNG and pipeline gas imports per month; below: its rank "
            "(1 = largest supplier).",
            alt="Lines of Russia's share and rank among China's gas suppliers per month",
        ),
    ]
    tables = [
        Table("gas_russia_annual", "Russia's gas and coal supplies per year", g.annual),
        Table("gas_russia_pipeline_volumes", "Russia's pipeline gas per year (press figures)", g.pipeline_volumes),
        Table("gas_russia_changes_since_war", "Imports from Russia since the war against a year earlier", g.changes),
        Table("gas_russia_rank_annual", "Russia's rank among China's gas suppliers per year", g.rank_annual),
    ]
    md = "\n\n".join(
        [
            pipeline_note(g.pipeline_volumes),
            "{{figure:gas_coal_from_russia}}",
            "### Since the war began\n\n" + changes_note(g.changes),
            "### Russia's rank among China's gas suppliers\n\n" + rank_note(g.rank_annual),
            "{{figure:gas_russia_rank}}",
        ]
    )
    return Chapter("gas", "Gas, coal and energy from Russia", md, tables, figures)
