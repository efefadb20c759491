"""Europe's side of the shift: Russian crude into the EU and Türkiye, who replaced it, the Russian discount,
barrels and tonnes, and where Russia's crude went (Eurostat NRG_TI_COIFPM against China's customs).

Every function is pure: frames in, a new frame out. ``grades`` is the Eurostat grade table
(:mod:`energytrade.sources.eurostat_coifpm`; read it with :func:`load_grades`, which asks DuckDB for the
rows needed); ``flows`` is the clean table (``energytrade.build.load_trade_flows``); ``ei_*`` are the
Energy Institute tables (:mod:`energytrade.sources.energy_institute`).

Honesty rules followed here:

- Totals are Eurostat's own ``TOTAL`` and the EU's own ``EU_V`` series, never sums of cells.
- A sum over grade cells some of which are confidential (flag ``c``) is a **lower bound**: every such
  figure comes with ``*_hidden_cells`` (how many cells are hidden) and ``is_lower_bound``.
- For the EU, the visible member-state cells may give a higher lower bound than the EU's own visible cells
  (e.g. 2023: the EU's Urals cells are confidential, Hungary reports its pipeline crude openly); the
  functions then use the member states' sum and say so (``bound_from`` = ``"member states"``).
- Eurostat writes ``0`` for a grade's price, API gravity and sulphur where it has no volume (zero or
  confidential), e.g. ``RU_MSC`` into the EU in 2023-01. Such zeros are not prices or gravities: the
  functions here use prices and gravities only where they are above 0.
- "Russian crude" is every grade Eurostat codes ``RU_`` (this includes CPC blend, loaded in Russia but
  mostly Kazakh crude; pass ``exclude_grades=("RU_CPC",)`` to leave it out).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from energytrade import units
from energytrade.analysis import price_discount
from energytrade.paths import data_paths
from energytrade.periods import days_in_period
from energytrade.sources import energy_institute as ei
from energytrade.sources import eurostat_coifpm as eurostat

RUSSIA = "RUS"
TURKIYE = "TUR"
EU = eurostat.EU_ISO3
WORLD = eurostat.WORLD_ISO3
#: EU member states since 1 February 2020 (EU27_2020, the EU that Eurostat's ``EU_V`` describes), ISO3.
EU27_ISO3: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "EST", "GRC", "ESP", "FIN", "FRA", "HRV", "HUN",
    "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SWE", "SVN", "SVK",
)  # fmt: skip
#: The first month with origin and grade detail in NRG_TI_COIFPM: before 2020-01 the file holds only each
#: importer's TOTAL (checked on the bundled file: 2005-2019 rows are all ``TOTAL``).
FIRST_GRADE_MONTH = "2020-01"
#: Urals, Eurostat's grade code.
URALS = "RU_URL"
#: The light-sweet benchmark set (stated): Brent (``UK_BRE``, about 38.6 °API, 0.38 % S), West Texas
#: Intermediate (``US_TXA_WTI``, about 43 °API, 0.16 % S) and Saharan Blend (``DZ_SAH_BLN``, about 45 °API,
#: 0.08 % S) - the three marker light-sweet grades with an EU CIF price in at least 34 of the 36 months of
#: 2021-2023 (gravity and sulphur: Eurostat's own figures for those grades into the EU, 2021-2023 means).
LIGHT_SWEET_BENCHMARK: tuple[str, ...] = ("UK_BRE", "US_TXA_WTI", "DZ_SAH_BLN")

#: The grade-table columns the functions here read (:func:`load_grades` ``columns=``; the chapter reads only
#: these: the other columns are provenance, flags and measures no analysis here uses).
ANALYSIS_COLUMNS: tuple[str, ...] = (
    "importer_iso3", "crudeoil_code", "origin_iso3", "period",
    "volume_bbl", "value_usd", "price_usd_per_bbl", "api_gravity_deg", "volume_flag",
)  # fmt: skip

#: Density of water at 60 °F [kg/m³], the reference of API gravity (API MPMS ch. 11.1; ASTM D1250).
WATER_DENSITY_60F_KG_PER_M3 = 999.016
#: One US oil barrel = 42 US gallons = 0.158987294928 m³ (NIST Handbook 44, appendix C).
M3_PER_BARREL = 0.158987294928


# -------------------------------------------------------------------------------------- reading


def load_grades(
    data_dir: str | os.PathLike | None = None,
    *,
    start: str = FIRST_GRADE_MONTH,
    importers: tuple[str, ...] | None = None,
    columns: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The Eurostat grade table of the data root from ``start`` (building the Parquet store first if it is
    missing or older than the raw file). Only rows with a figure or a confidential cell are read
    (:attr:`GradeQuery.figures_only`): visible zeros add nothing to any sum here. The one I/O function of
    this module (Russia's zeros are kept: a reported zero from Russia is a figure).

    ``columns``: only these columns (default: all of ``eurostat_coifpm.GRADE_COLUMNS``);
    :data:`ANALYSIS_COLUMNS` are enough for every function here and read in about a third of the time."""
    paths = data_paths(data_dir)
    eurostat.ensure_store(paths.raw, paths.processed)
    # Russia's reported zeros are kept: "0 from Russia" is a figure, not a gap.
    query = eurostat.GradeQuery(
        start=start, importers=importers, figures_only=True, zeros_of_origins=(RUSSIA,), columns=columns
    )
    return eurostat.read_store(paths.processed, query)


# -------------------------------------------------------------------------------------- helpers


def _hidden(flags: pd.Series) -> pd.Series:
    return eurostat.is_confidential(flags).astype("int64")


def _origin_sums(grades: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Visible volume/value sums over grade rows per ``by``, with the number of hidden volume cells."""
    frame = grades[[*by, "volume_bbl", "value_usd"]].assign(volume_hidden_cells=_hidden(grades["volume_flag"]))
    # One group-by sum for the three columns (pandas' own sums, to the last bit; a group-by per column cost
    # a few milliseconds each). ``min_count=1``: every group has a row, so the count is whole; a volume
    # or value all of whose cells are hidden stays missing, not 0.
    out = frame.groupby(by, sort=True)[["volume_hidden_cells", "volume_bbl", "value_usd"]].sum(min_count=1)
    return out.reset_index()


def rate_kbd(barrels: pd.Series, periods: pd.Series) -> pd.Series:
    """Barrels over each month -> thousand barrels per day (real days of the month)."""
    return units.barrels_per_day(barrels, periods.reset_index(drop=True).set_axis(barrels.index)) / 1e3


# -------------------------------------------------------------------------------------- Russian crude


def russian_crude_by_importer(
    grades: pd.DataFrame, start: str = FIRST_GRADE_MONTH, exclude_grades: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Russian crude into each importer (the EU, member states, Türkiye ...), monthly.

    Returns
    -------
    DataFrame
        ``importer_iso3``, ``period``, ``russia_volume_bbl`` [bbl, visible cells], ``russia_hidden_cells``,
        ``russia_value_usd`` [USD, visible cells], ``total_volume_bbl`` [bbl, Eurostat's TOTAL as reported;
        missing where confidential], ``russia_share_pct`` [%] (of TOTAL), ``is_lower_bound``; for the EU
        also ``member_states_volume_bbl`` (their visible Russian cells) and ``bound_from``
        (``"EU_V"`` or ``"member states"``: which gave the higher figure, used in ``russia_volume_bbl``).
    """
    # Masks on the whole table, each side selected once (no copy of every row from ``start`` first).
    after = grades["period"] >= start
    russia = grades[after & (grades["origin_iso3"] == RUSSIA) & ~grades["crudeoil_code"].isin(exclude_grades)]
    sums = _origin_sums(russia, ["importer_iso3", "period"]).rename(
        columns={
            "volume_bbl": "russia_volume_bbl",
            "value_usd": "russia_value_usd",
            "volume_hidden_cells": "russia_hidden_cells",
        }
    )
    totals = grades.loc[
        after & (grades["crudeoil_code"] == eurostat.TOTAL_CODE), ["importer_iso3", "period", "volume_bbl"]
    ]
    totals = totals.rename(columns={"volume_bbl": "total_volume_bbl"})
    out = totals.merge(sums, on=["importer_iso3", "period"], how="outer")
    out["russia_hidden_cells"] = out["russia_hidden_cells"].fillna(0).astype("int64")
    members = out[out["importer_iso3"].isin(EU27_ISO3)].groupby("period")["russia_volume_bbl"].sum(min_count=1)
    is_eu = out["importer_iso3"] == EU
    out["member_states_volume_bbl"] = np.where(is_eu, out["period"].map(members), np.nan)
    higher = is_eu & (out["member_states_volume_bbl"] > out["russia_volume_bbl"].fillna(0))
    out["bound_from"] = np.where(higher, "member states", np.where(is_eu, "EU_V", ""))
    out["russia_volume_bbl"] = out["russia_volume_bbl"].where(~higher, out["member_states_volume_bbl"])
    out["is_lower_bound"] = out["russia_hidden_cells"] > 0
    out["russia_share_pct"] = out["russia_volume_bbl"] / out["total_volume_bbl"] * 100
    columns = [
        "importer_iso3", "period", "russia_volume_bbl", "russia_hidden_cells", "is_lower_bound",
        "russia_value_usd", "total_volume_bbl", "russia_share_pct", "member_states_volume_bbl", "bound_from",
    ]  # fmt: skip
    return out[columns].sort_values(["importer_iso3", "period"], kind="mergesort").reset_index(drop=True)


def _share_by_year(monthly: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Calendar-year sums per ``by`` + year over the months where TOTAL is reported."""
    rows = monthly[monthly["total_volume_bbl"].notna()]
    frame = rows[[*by, "russia_volume_bbl", "total_volume_bbl", "russia_hidden_cells"]].assign(
        year=rows["period"].str[:4],
        months=rows["period"].notna().astype("int64"),
        is_lower_bound=rows["is_lower_bound"].astype("int64"),
    )
    # One group-by sum for every column (pandas' own sums, to the last bit) instead of one aggregation per
    # column. ``min_count=1``: every group has a row with a TOTAL, so only a Russian volume all of whose
    # cells are hidden is missing (not 0); the counts stay whole.
    columns = ["months", "russia_volume_bbl", "total_volume_bbl", "is_lower_bound", "russia_hidden_cells"]
    out = frame.groupby([*by, "year"], sort=True)[columns].sum(min_count=1)
    out["is_lower_bound"] = out["is_lower_bound"] > 0
    out = out.reset_index()
    out["russia_share_pct"] = out["russia_volume_bbl"] / out["total_volume_bbl"] * 100
    return out


def russian_share_by_year(monthly: pd.DataFrame, importer_iso3: str = EU) -> pd.DataFrame:
    """Calendar-year Russian share of an importer's crude imports from :func:`russian_crude_by_importer`.

    Both sides summed over the months where TOTAL is reported; ``months`` counts them. A year with any
    lower-bound month is a lower bound.
    """
    return _share_by_year(monthly[monthly["importer_iso3"] == importer_iso3], [])


def russian_share_by_importer(
    monthly: pd.DataFrame,
    years: tuple[str, ...] = ("2021", "2023"),
    importers: tuple[str, ...] = EU27_ISO3 + (TURKIYE,),
) -> pd.DataFrame:
    """Each importer's Russian crude and share of its crude imports in the given years (from
    :func:`russian_crude_by_importer`): one row per importer and year, as :func:`russian_share_by_year`,
    importers in the order given."""
    rows = monthly[monthly["importer_iso3"].isin(importers)]
    out = _share_by_year(rows, ["importer_iso3"])
    out = out[out["year"].isin(years)]
    order = out["importer_iso3"].map({code: i for i, code in enumerate(importers)})
    columns = [c for c in out.columns if c != "importer_iso3"] + ["importer_iso3"]
    out = out.assign(_order=order).sort_values(["_order", "year"], kind="mergesort")[columns]
    out = out.reset_index(drop=True)
    out["importer_name"] = out["importer_iso3"].map(eurostat.place_name)
    return out


def replacement_ranking(
    grades: pd.DataFrame, importer_iso3: str = EU, years: tuple[str, ...] = ("2021", "2022", "2023")
) -> pd.DataFrame:
    """Who supplied the importer's crude, by origin and year, and the change from the first year to the last.

    Volumes are sums of visible grade cells (lower bounds where ``*_hidden_cells`` > 0); ``rank_<year>``
    ranks origins by that figure. Eurostat's TOTAL and "origin unknown" are left out of the ranking.
    """
    rows = grades[grades["importer_iso3"] == importer_iso3]  # the importer first: the years of its rows only
    year = rows["period"].str[:4]
    keep = year.isin(years) & ~rows["origin_iso3"].isin([WORLD])
    rows = rows[keep].assign(year=year[keep].array)
    sums = _origin_sums(rows, ["origin_iso3", "year"])
    wide = sums.pivot(index="origin_iso3", columns="year", values=["volume_bbl", "volume_hidden_cells"])
    out = pd.DataFrame(index=wide.index)
    for year in years:
        out[f"volume_bbl_{year}"] = wide["volume_bbl"].get(year)
        out[f"hidden_cells_{year}"] = wide["volume_hidden_cells"].get(year).fillna(0).astype("int64")
        out[f"rank_{year}"] = out[f"volume_bbl_{year}"].rank(ascending=False, method="min").astype("Int64")
    first, last = years[0], years[-1]
    out[f"change_bbl_{first}_{last}"] = out[f"volume_bbl_{last}"] - out[f"volume_bbl_{first}"]
    out["origin_name"] = [eurostat.place_name(c) for c in out.index]
    out = out.reset_index().sort_values(f"volume_bbl_{last}", ascending=False, kind="mergesort")
    return out.reset_index(drop=True)


# -------------------------------------------------------------------------------------- prices


def _weighted_price(rows: pd.DataFrame) -> pd.DataFrame:
    """Volume-weighted CIF price per month over grade rows with both a visible price and volume."""
    usable = rows[(rows["price_usd_per_bbl"] > 0) & (rows["volume_bbl"] > 0)]
    usable = usable.assign(weighted=usable["price_usd_per_bbl"] * usable["volume_bbl"])
    groups = usable.groupby("period")
    out = groups[["weighted", "volume_bbl"]].sum()  # one group-by sum for both (pandas' own sums)
    out["price_usd_per_bbl"] = out["weighted"] / out["volume_bbl"]
    out["grades_used"] = groups["crudeoil_code"].nunique()
    return out[["price_usd_per_bbl", "grades_used"]]


def urals_discount(grades: pd.DataFrame, start: str = "2021-01") -> pd.DataFrame:
    """The Russian discount from Eurostat's CIF prices into the EU, monthly [USD/bbl].

    ``urals_usd_per_bbl``: EU_V Urals CIF price; ``eu_average_usd_per_bbl``: EU_V TOTAL CIF price (all crude);
    ``benchmark_usd_per_bbl``: volume-weighted CIF price of :data:`LIGHT_SWEET_BENCHMARK` (with
    ``benchmark_grades_used``); ``discount_vs_average_usd_per_bbl`` and ``discount_vs_benchmark_usd_per_bbl``
    = other - Urals (positive = Urals cheaper). Months where Urals' price is confidential stay missing.
    """
    eu = grades[(grades["importer_iso3"] == EU) & (grades["period"] >= start)]
    periods = pd.Index(sorted(eu["period"].unique()), name="period")
    prices = eu["price_usd_per_bbl"].where(eu["price_usd_per_bbl"] > 0)
    urals = prices[eu["crudeoil_code"] == URALS].set_axis(eu.loc[eu["crudeoil_code"] == URALS, "period"])
    total = eu["crudeoil_code"] == eurostat.TOTAL_CODE
    average = prices[total].set_axis(eu.loc[total, "period"]).reindex(periods)
    urals = urals.reindex(periods)
    bench = _weighted_price(eu[eu["crudeoil_code"].isin(LIGHT_SWEET_BENCHMARK)]).reindex(periods)
    out = pd.DataFrame(
        {
            "urals_usd_per_bbl": urals,
            "eu_average_usd_per_bbl": average,
            "benchmark_usd_per_bbl": bench["price_usd_per_bbl"],
            "benchmark_grades_used": bench["grades_used"].fillna(0).astype("int64"),
        },
        index=periods,
    )
    out["discount_vs_average_usd_per_bbl"] = out["eu_average_usd_per_bbl"] - out["urals_usd_per_bbl"]
    out["discount_vs_benchmark_usd_per_bbl"] = out["benchmark_usd_per_bbl"] - out["urals_usd_per_bbl"]
    return out.reset_index()


def discount_comparison(grades: pd.DataFrame, flows: pd.DataFrame, start: str = "2021-01") -> pd.DataFrame:
    """One monthly table: the Urals discount into the EU (Eurostat CIF prices) beside the discount of Russian
    crude against China's average import unit value (customs values / tonnes at 7.33 bbl/t,
    :func:`energytrade.analysis.price_discount` on the Comtrade extract) [USD/bbl]."""
    europe = urals_discount(grades, start)
    china = price_discount(flows, "RUS", "average")[["period", "discount_usd_per_bbl"]]
    china = china.rename(columns={"discount_usd_per_bbl": "china_discount_vs_average_usd_per_bbl"})
    out = europe.merge(china[china["period"] >= start], on="period", how="outer")
    return out.sort_values("period", kind="mergesort").reset_index(drop=True)


# -------------------------------------------------------------------------------------- barrels and tonnes


def barrels_per_tonne_from_api(api_gravity_deg: pd.Series | float) -> pd.Series | float:
    """Barrels per tonne of a crude of the given API gravity.

    Formula: specific gravity at 60 °F ``SG = 141.5 / (API + 131.5)`` (the definition of API gravity,
    API MPMS ch. 11.1); density ``= SG x`` :data:`WATER_DENSITY_60F_KG_PER_M3`; barrels per tonne
    ``= 1000 / (density x`` :data:`M3_PER_BARREL` ``)``. API gravity 0 or missing gives NaN (Eurostat writes
    0 for the gravity of grades whose volume is confidential: not a real gravity).

    >>> round(barrels_per_tonne_from_api(33.24), 2)  # the gravity at which the flat 7.33 bbl/t is right
    7.33
    >>> round(barrels_per_tonne_from_api(30.7), 2)  # Urals' usual gravity
    7.22
    """
    api = pd.Series(api_gravity_deg, dtype="float64") if not np.isscalar(api_gravity_deg) else float(api_gravity_deg)
    if np.isscalar(api):
        if not api > 0:
            return float("nan")
        density = 141.5 / (api + 131.5) * WATER_DENSITY_60F_KG_PER_M3
        return 1000 / (density * M3_PER_BARREL)
    api = api.where(api > 0)
    density = 141.5 / (api + 131.5) * WATER_DENSITY_60F_KG_PER_M3
    return 1000 / (density * M3_PER_BARREL)


def russian_barrels_per_tonne(grades: pd.DataFrame, importer_iso3: str = EU, start: str = "2021-01") -> pd.DataFrame:
    """Russian grades into the importer by year: volume-weighted API gravity (visible volume and gravity
    cells), the barrels per tonne it implies, and how far the flat 7.33 bbl/t is from it [%]."""
    rows = grades[(grades["importer_iso3"] == importer_iso3) & (grades["origin_iso3"] == RUSSIA)]
    rows = rows[(rows["period"] >= start) & (rows["api_gravity_deg"] > 0) & (rows["volume_bbl"] > 0)]
    rows = rows.assign(year=rows["period"].str[:4], weighted=rows["api_gravity_deg"] * rows["volume_bbl"])
    groups = rows.groupby(["year", "crudeoil_code"])
    out = groups[["weighted", "volume_bbl"]].sum()  # one group-by sum for both (pandas' own sums)
    out["api_gravity_deg"] = out["weighted"] / out["volume_bbl"]
    out["bbl_per_tonne"] = barrels_per_tonne_from_api(out["api_gravity_deg"])
    out["tonnes"] = out["volume_bbl"] / out["bbl_per_tonne"]
    out["tonnes_at_flat_factor"] = out["volume_bbl"] / units.BARRELS_PER_TONNE_CRUDE
    out["flat_factor_error_pct"] = (out["tonnes_at_flat_factor"] / out["tonnes"] - 1) * 100
    out = out.drop(columns="weighted").reset_index()
    out["grade_name"] = out["crudeoil_code"].map(eurostat.GRADE_NAMES).fillna("")
    return out


# -------------------------------------------------------------------------------------- redirection


def redirection(
    grades: pd.DataFrame, flows: pd.DataFrame, start: str = "2021-01", *, monthly: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Russia's crude into the EU, into Türkiye (Eurostat) and into China (customs), monthly [kb/d].

    EU: :func:`russian_crude_by_importer` (lower bounds where cells are hidden, member states where they
    say more); Türkiye: its own cells (it stops reporting after 2023-05); China: Comtrade extract tonnes at
    7.33 bbl/t (:func:`energytrade.units.tonnes_to_bpd`). ``monthly``: that function's table of ``grades``
    when the caller has it already (from ``start`` or earlier: each month's figures are the same).
    """
    if monthly is None:
        monthly = russian_crude_by_importer(grades, start)
    monthly = monthly[monthly["period"] >= start]
    parts = {}
    for code, label in ((EU, "eu"), (TURKIYE, "turkiye")):
        rows = monthly[monthly["importer_iso3"] == code].set_index("period")
        parts[f"{label}_kbd"] = rate_kbd(rows["russia_volume_bbl"], pd.Series(rows.index, index=rows.index))
        parts[f"{label}_is_lower_bound"] = rows["is_lower_bound"]
    china = flows[
        (flows["source"] == "comtrade_extract")
        & (flows["commodity"] == "crude_oil")
        & (flows["reporter_iso3"] == "CHN")
        & (flows["partner_iso3"] == RUSSIA)
        & (flows["freq"] == "M")
        & (flows["period"] >= start)
    ].set_index("period")
    china_kbd = (
        units.tonnes_to_bpd(china["net_weight_kg"] / units.KG_PER_TONNE, pd.Series(china.index, index=china.index))
        / 1e3
    )
    out = pd.DataFrame(parts).join(china_kbd.rename("china_kbd"), how="outer")
    out.index.name = "period"
    return out.reset_index()


def redirection_change(table: pd.DataFrame, first: str = "2021", last: str = "2023") -> pd.DataFrame:
    """Average kb/d per side in two years, over the months each side reports, and the change."""
    rows = []
    # Each month's year and days once for every side and year (a selection and a map each cost more).
    periods = table["period"]
    years = periods.str[:4]
    month_days = periods.map(days_in_period)
    for column, side in (("eu_kbd", "European Union"), ("turkiye_kbd", "Türkiye"), ("china_kbd", "China")):
        record = {"side": side}
        for year in (first, last):
            inside = (years == year) & table[column].notna()
            months = table[inside]
            weights = month_days[inside].astype("int64")
            days = int(weights.sum())
            barrels = (months[column] * 1e3 * weights).sum()
            record[f"kbd_{year}"] = barrels / days / 1e3 if days else np.nan  # no month reported: no average
            record[f"months_{year}"] = len(months)
            flag = column.replace("_kbd", "_is_lower_bound")
            record[f"lower_bound_{year}"] = bool(months[flag].any()) if flag in months else False
        record["change_kbd"] = record[f"kbd_{last}"] - record[f"kbd_{first}"]
        rows.append(record)
    return pd.DataFrame(rows)


# -------------------------------------------------------------------------------------- Energy Institute


def ei_crude_cross_check(flows: pd.DataFrame, ei_oil: pd.DataFrame, year: str = "2023") -> pd.DataFrame:
    """Russia -> China crude in a year: Comtrade (China's customs, sum of months) against the Energy
    Institute's inter-area matrix [Mt]."""
    rows = flows[
        (flows["source"] == "comtrade_extract")
        & (flows["commodity"] == "crude_oil")
        & (flows["reporter_iso3"] == "CHN")
        & (flows["partner_iso3"] == RUSSIA)
        & (flows["freq"] == "M")
        & (flows["period"].str[:4] == year)
    ]
    comtrade_mt = rows["net_weight_kg"].sum(min_count=1) / 1e9
    matrix = ei_oil[
        (ei_oil["product"] == "crude")
        & (ei_oil["from_region"] == "Russian Federation")
        & (ei_oil["to_region"] == "China")
    ]
    ei_mt = float(matrix["volume_mt"].iloc[0]) if len(matrix) and int(year) == ei.MATRIX_YEAR else np.nan
    return pd.DataFrame(
        {
            "year": [year],
            "comtrade_mt": [comtrade_mt],
            "comtrade_months": [int(rows["net_weight_kg"].notna().sum())],
            "energy_institute_mt": [ei_mt],
            "difference_pct": [(comtrade_mt / ei_mt - 1) * 100],
        }
    )


def ei_gas_cross_check(flows: pd.DataFrame, ei_pipeline: pd.DataFrame, year: str = "2023") -> pd.DataFrame:
    """Russia -> China pipeline gas in a year: the Energy Institute's matrix against the Power of Siberia
    volumes reported in the press (``gacc_press`` annual bcm rows, one per outlet) [bcm]."""
    press = flows[
        (flows["source"] == "gacc_press")
        & (flows["commodity"] == "pipeline_gas")
        & (flows["partner_iso3"] == RUSSIA)
        & (flows["freq"] == "A")
        & (flows["period"] == year)
        & flows["volume_bcm"].notna()
    ]
    matrix = ei_pipeline[(ei_pipeline["from_region"] == "Russian Federation") & (ei_pipeline["to_region"] == "China")]
    ei_bcm = float(matrix["volume_bcm"].iloc[0]) if len(matrix) and int(year) == ei.MATRIX_YEAR else np.nan
    return pd.DataFrame(
        {
            "year": year,
            "press_bcm": press["volume_bcm"].to_numpy(),
            "press_note": press["note"].to_numpy(),
            "energy_institute_bcm": ei_bcm,
            "difference_pct": (ei_bcm / press["volume_bcm"].to_numpy() - 1) * 100,
        }
    )
