"""The report's tables: every number the report shows, computed by :mod:`energytrade.analysis`.

:func:`crude_tables` is pure (the clean table in, frames out). The figures, the headline sentences and
the CSV files all read these frames, so the three always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from energytrade import analysis, units
from energytrade.periods import parse_period

#: The commodity of the report's main section.
COMMODITY = "crude_oil"
#: The supplier the article is about, and the benchmark it is compared with.
FOCUS_ISO3 = "RUS"
BENCHMARK_ISO3 = "SAU"
#: The clean-table source of the monthly partner figures (mass and value, 2020-01..2024-12).
SOURCE = "comtrade_extract"
#: How many suppliers the monthly-imports figure draws (the largest over the whole span).
TOP_SUPPLIERS = 5
#: Differences between the extract and the press larger than this are flagged [%].
CROSS_SOURCE_TOLERANCE_PCT = 2.0


@dataclass(frozen=True)
class CrudeTables:
    """The crude-oil tables of the report (every frame is written as a CSV, see :data:`CSV_NAMES`)."""

    #: ``YYYY-MM/YYYY-MM``: the months the extract covers for crude oil.
    span: str
    #: The calendar years the extract covers completely (12 months of data).
    years: tuple[str, ...]
    #: Suppliers ranked by tonnage per calendar year and over the span (with bpd), one window after another.
    rankings_mass: pd.DataFrame
    #: The same ranked by customs value [USD].
    rankings_value: pd.DataFrame
    #: Monthly imports of the :data:`TOP_SUPPLIERS` largest suppliers: tonnes and barrels per day.
    monthly_top: pd.DataFrame
    #: Leader and runner-up of each month, by barrels per day (= by tonnage) and by value (``metric``).
    leaders: pd.DataFrame
    #: Runs of months led by the same supplier (by tonnage).
    streaks: pd.DataFrame
    #: The focus supplier's rank each month, by barrels per day and by value (``metric``).
    focus_rank: pd.DataFrame
    #: Annual totals of the focus supplier with the change on the year before (tonnes and value).
    focus_yoy: pd.DataFrame
    #: Unit values of every supplier, monthly and annual (``freq``).
    unit_values: pd.DataFrame
    #: The focus supplier's unit value against the benchmark and the all-supplier average, monthly and annual.
    discounts: pd.DataFrame
    #: Supplier concentration (HHI) per calendar year, by tonnage.
    concentration: pd.DataFrame
    #: The extract against the press (GACC) figures, every commodity.
    cross_source: pd.DataFrame


#: File name of each table in ``tables/``.
CSV_NAMES: dict[str, str] = {
    "rankings_mass": "crude_rankings_by_mass.csv",
    "rankings_value": "crude_rankings_by_value.csv",
    "monthly_top": "crude_monthly_top_suppliers.csv",
    "leaders": "crude_monthly_leaders.csv",
    "streaks": "crude_leadership_streaks.csv",
    "focus_rank": "crude_russia_rank.csv",
    "focus_yoy": "crude_russia_annual_change.csv",
    "unit_values": "crude_unit_values.csv",
    "discounts": "crude_russia_price_discount.csv",
    "concentration": "crude_hhi_annual.csv",
    "cross_source": "cross_source_comparison.csv",
}


def covered_span(flows: pd.DataFrame, commodity: str = COMMODITY, source: str = SOURCE) -> tuple[str, tuple[str, ...]]:
    """The span of months a source covers for a commodity, and its complete calendar years."""
    rows = analysis.select_flows(flows, commodity, source=source)
    months = sorted(rows["period"].unique())
    per_year = pd.Series(months).str[:4].value_counts()
    years = tuple(sorted(y for y, n in per_year.items() if n == 12))
    return f"{months[0]}/{months[-1]}", years


def _rankings(flows: pd.DataFrame, windows: list[str], metric: str) -> pd.DataFrame:
    return pd.concat(
        [analysis.supplier_ranking(flows, COMMODITY, w, metric, source=SOURCE) for w in windows], ignore_index=True
    )


def _long_by_metric(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f.assign(metric=m) for m, f in frames.items()], ignore_index=True)


def crude_tables(flows: pd.DataFrame) -> CrudeTables:
    """Every crude-oil table of the report from the clean table (pure; see :class:`CrudeTables`)."""
    span, years = covered_span(flows)
    windows = [*years, span]

    by_mass = _rankings(flows, windows, "mass")
    # The bpd ranking is the mass ranking at the window's average rate (units.tonnes_to_bpd is what
    # supplier_ranking(metric="bpd") applies): converting here saves one ranking per window.
    rate = units.tonnes_to_bpd(by_mass["net_weight_t"], by_mass["window"])
    rankings_mass = by_mass.assign(rate_bbl_per_day=rate)
    cols = list(by_mass.columns)
    cols.insert(cols.index("net_weight_t") + 1, "rate_bbl_per_day")
    rankings_mass = rankings_mass[cols]
    rankings_value = _rankings(flows, windows, "value")

    top = by_mass[by_mass["window"] == span].nsmallest(TOP_SUPPLIERS, "rank")["partner_iso3"].tolist()
    shares_t = analysis.market_shares(flows, COMMODITY, "mass", "M", source=SOURCE)
    shares_bpd = analysis.market_shares(flows, COMMODITY, "bpd", "M", source=SOURCE)[
        ["period", "partner_iso3", "rate_bbl_per_day"]
    ]
    monthly = shares_t[shares_t["partner_iso3"].isin(top)].merge(shares_bpd, on=["period", "partner_iso3"], how="left")
    monthly["_order"] = monthly["partner_iso3"].map({code: i for i, code in enumerate(top)})
    monthly_top = monthly.sort_values(["_order", "period"], kind="mergesort")[
        ["period", "partner_iso3", "partner_name", "net_weight_t", "rate_bbl_per_day", "share_pct", "rank"]
    ].reset_index(drop=True)

    leaders_bpd = analysis.monthly_leaders(flows, COMMODITY, "bpd", source=SOURCE)
    leaders_value = analysis.monthly_leaders(flows, COMMODITY, "value", source=SOURCE)
    leaders = _long_by_metric({"bpd": leaders_bpd, "value": leaders_value})
    streaks = analysis.leadership_streaks(leaders_bpd)
    focus_rank = _long_by_metric(
        {m: analysis.partner_rank(flows, COMMODITY, FOCUS_ISO3, m, "M", source=SOURCE) for m in ("bpd", "value")}
    )
    focus_yoy = _long_by_metric(
        {m: analysis.yoy_change(flows, COMMODITY, m, "A", FOCUS_ISO3, source=SOURCE) for m in ("mass", "value")}
    )
    unit_values = pd.concat(
        [analysis.unit_values(flows, COMMODITY, f, source=SOURCE).assign(freq=f) for f in ("M", "A")],
        ignore_index=True,
    )
    discounts = pd.concat(
        [
            analysis.price_discount(flows, FOCUS_ISO3, against, f, source=SOURCE).assign(freq=f)
            for against in (BENCHMARK_ISO3, "average")
            for f in ("M", "A")
        ],
        ignore_index=True,
    )
    concentration = analysis.hhi(flows, COMMODITY, "mass", "A", source=SOURCE)
    cross_source = analysis.cross_source_comparison(flows, tolerance_pct=CROSS_SOURCE_TOLERANCE_PCT)
    return CrudeTables(
        span=span,
        years=years,
        rankings_mass=rankings_mass,
        rankings_value=rankings_value,
        monthly_top=monthly_top,
        leaders=leaders,
        streaks=streaks,
        focus_rank=focus_rank,
        focus_yoy=focus_yoy,
        unit_values=unit_values,
        discounts=discounts,
        concentration=concentration,
        cross_source=cross_source,
    )


def table_frames(tables: CrudeTables) -> dict[str, pd.DataFrame]:
    """The frames of :class:`CrudeTables` by field name (those written as CSV)."""
    return {f.name: getattr(tables, f.name) for f in fields(tables) if f.name in CSV_NAMES}


def span_months(span: str) -> int:
    """Number of months in a ``YYYY-MM/YYYY-MM`` span."""
    return len(parse_period(span).months())
