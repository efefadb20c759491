"""Chapter "Europe's side": how fast the EU stopped buying Russian crude, who replaced it, the Russian
discount, and where Russia's crude went (Eurostat NRG_TI_COIFPM against China's customs, with the Energy
Institute's 2023 matrices as a cross-check).

``build(context)`` needs only ``context.data_dir`` (a data root holding ``raw/``, or ``None`` for the
default one); the Eurostat grade table is built into its ``processed/`` folder on first use. The
computed frames are in :class:`EuropeTables` (:func:`europe_tables`), which the notebook shows too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import matplotlib
import pandas as pd

from energytrade import analysis_europe as ae
from energytrade.build import load_trade_flows
from energytrade.events import EU_CRUDE_EMBARGO, EVENT_LABELS, WAR_START
from energytrade.formatting import fmt_pct, fmt_usd_bbl
from energytrade.paths import data_paths
from energytrade.report.chapter import Chapter, Figure, Table
from energytrade.report.plotting import (
    NEUTRAL,
    PARTNER_COLORS,
    RC,
    WIDE,
    add_source_line,
    mark_events,
    month_midpoints,
    new_figure,
)
from energytrade.sources import energy_institute as ei

EUROSTAT_LINE = "Source: Eurostat, NRG_TI_COIFPM (CC BY 4.0)"
SOURCE_EU_CHINA = "Sources: Eurostat, NRG_TI_COIFPM (CC BY 4.0); UN Comtrade (China's customs); energytrade"
#: The events marked on this chapter's time axes.
EVENTS = {WAR_START.isoformat(): EVENT_LABELS[WAR_START], EU_CRUDE_EMBARGO.isoformat(): EVENT_LABELS[EU_CRUDE_EMBARGO]}
#: Months of the detailed discount table (the year of the war and the first months under the cap).
DISCOUNT_TABLE_SPAN = ("2022-01", "2023-06")


@dataclass(frozen=True)
class EuropeTables:
    """Every frame of the chapter, from :mod:`energytrade.analysis_europe`."""

    russian_monthly: pd.DataFrame
    eu_share_by_year: pd.DataFrame
    turkiye_share_by_year: pd.DataFrame
    share_by_importer: pd.DataFrame
    replacement: pd.DataFrame
    discounts: pd.DataFrame
    barrels_per_tonne: pd.DataFrame
    redirection: pd.DataFrame
    redirection_change: pd.DataFrame
    ei_crude: pd.DataFrame
    ei_gas: pd.DataFrame


def europe_tables(data_dir: str | os.PathLike | None = None, flows: pd.DataFrame | None = None) -> EuropeTables:
    """Compute the chapter's frames from the data root (``flows``: its clean table, when already loaded)."""
    grades = ae.load_grades(data_dir, start=ae.FIRST_GRADE_MONTH, columns=ae.ANALYSIS_COLUMNS)
    flows = load_trade_flows(data_dir) if flows is None else flows
    raw = data_paths(data_dir).raw
    monthly = ae.russian_crude_by_importer(grades, start=ae.FIRST_GRADE_MONTH)
    redirection = ae.redirection(grades, flows, monthly=monthly)
    return EuropeTables(
        russian_monthly=monthly,
        eu_share_by_year=ae.russian_share_by_year(monthly, ae.EU),
        turkiye_share_by_year=ae.russian_share_by_year(monthly, ae.TURKIYE),
        share_by_importer=ae.russian_share_by_importer(monthly),
        replacement=ae.replacement_ranking(grades),
        discounts=ae.discount_comparison(grades, flows),
        barrels_per_tonne=ae.russian_barrels_per_tonne(grades),
        redirection=redirection,
        redirection_change=ae.redirection_change(redirection),
        ei_crude=ae.ei_crude_cross_check(flows, ei.oil_inter_area(raw)),
        ei_gas=ae.ei_gas_cross_check(flows, ei.gas_pipeline(raw)),
    )


# ------------------------------------------------------------------------------------------ figures


def redirection_figure(table: pd.DataFrame) -> matplotlib.figure.Figure:
    """Russia's crude into the EU, Türkiye and China, monthly [kb/d], on one chart."""
    fig = new_figure(WIDE)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        x = month_midpoints(table["period"])
        ax.plot(x, table["china_kbd"], color=PARTNER_COLORS["RUS"], label="into China (customs, at 7.33 bbl/t)")
        ax.plot(x, table["eu_kbd"], color="#2874a6", label="into the EU (Eurostat; lower bound)")
        ax.plot(x, table["turkiye_kbd"], color=NEUTRAL, label="into Türkiye (Eurostat; reports to May 2023)")
        ax.set_ylabel("Russian crude [thousand barrels per day]")
        ax.set_ylim(bottom=0)
        ax.set_title("Where Russia's crude went: the EU and Türkiye against China")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=3)
        mark_events(ax, EVENTS)
        add_source_line(fig, SOURCE_EU_CHINA)
    return fig


def discount_figure(table: pd.DataFrame) -> matplotlib.figure.Figure:
    """The Russian discount in the EU (Eurostat CIF prices) and in China (customs unit values) [USD/bbl]."""
    fig = new_figure(WIDE)
    with matplotlib.rc_context(RC):
        ax = fig.add_subplot()
        x = month_midpoints(table["period"])
        ax.plot(x, table["discount_vs_average_usd_per_bbl"], color="#2874a6", label="EU: average crude minus Urals")
        ax.plot(
            x,
            table["discount_vs_benchmark_usd_per_bbl"],
            color="#2874a6",
            linestyle="--",
            label="EU: light-sweet set (Brent, WTI, Saharan Blend) minus Urals",
        )
        ax.plot(
            x,
            table["china_discount_vs_average_usd_per_bbl"],
            color=PARTNER_COLORS["RUS"],
            label="China: average unit value minus Russia's (customs, at 7.33 bbl/t)",
        )
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylabel("Discount of Russian crude [USD per barrel]")
        ax.set_title("The Russian discount: Eurostat CIF prices against China's customs unit values")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2)
        mark_events(ax, EVENTS)
        add_source_line(fig, SOURCE_EU_CHINA)
    return fig


# ------------------------------------------------------------------------------------------ tables


def _share_table(t: EuropeTables) -> pd.DataFrame:
    rows = []
    for name, frame in (("European Union", t.eu_share_by_year), ("Türkiye", t.turkiye_share_by_year)):
        for r in frame.itertuples(index=False):
            rows.append(
                {
                    "Importer": name,
                    "Year": r.year,
                    "Months": r.months,
                    "Russian crude [million bbl]": r.russia_volume_bbl / 1e6,
                    "All crude, Eurostat total [million bbl]": r.total_volume_bbl / 1e6,
                    "Russian share [%]": r.russia_share_pct,
                    "Lower bound (cells confidential)": "yes" if r.is_lower_bound else "no",
                    "Confidential Russian cells": r.russia_hidden_cells,
                }
            )
    return pd.DataFrame(rows)


def _importer_table(t: EuropeTables) -> pd.DataFrame:
    s = t.share_by_importer
    names = [ae.eurostat.place_name(code) for code in (*ae.EU27_ISO3, ae.TURKIYE)]
    columns = {}
    for year in ("2021", "2023"):
        rows = s[s["year"] == year].set_index("importer_name").reindex(names)
        columns[f"Russian crude {year} [million bbl]"] = rows["russia_volume_bbl"].astype("float64") / 1e6
        columns[f"Russian share {year} [%]"] = rows["russia_share_pct"].astype("float64")
        columns[f"Confidential Russian cells {year}"] = rows["russia_hidden_cells"].astype("Int64")
    out = pd.DataFrame(columns, index=pd.Index(names, name="Importer")).reset_index()
    return out.sort_values("Russian crude 2021 [million bbl]", ascending=False, kind="mergesort").reset_index(drop=True)


def _replacement_table(t: EuropeTables, top: int = 12) -> pd.DataFrame:
    r = t.replacement.head(top)
    return pd.DataFrame(
        {
            "Origin": r["origin_name"],
            "2021 [million bbl]": r["volume_bbl_2021"] / 1e6,
            "2023 [million bbl]": r["volume_bbl_2023"] / 1e6,
            "Change 2021-2023 [million bbl]": r["change_bbl_2021_2023"] / 1e6,
            "Rank 2021": r["rank_2021"],
            "Rank 2023": r["rank_2023"],
            "Confidential cells 2023": r["hidden_cells_2023"],
        }
    )


def _discount_table(t: EuropeTables) -> pd.DataFrame:
    d = t.discounts[t.discounts["period"].between(*DISCOUNT_TABLE_SPAN)]
    return pd.DataFrame(
        {
            "Month": d["period"],
            "Urals CIF into the EU [USD/bbl]": d["urals_usd_per_bbl"],
            "EU average CIF, all crude [USD/bbl]": d["eu_average_usd_per_bbl"],
            "Light-sweet set CIF [USD/bbl]": d["benchmark_usd_per_bbl"],
            "EU discount vs average [USD/bbl]": d["discount_vs_average_usd_per_bbl"],
            "EU discount vs light-sweet [USD/bbl]": d["discount_vs_benchmark_usd_per_bbl"],
            "China discount vs average [USD/bbl]": d["china_discount_vs_average_usd_per_bbl"],
        }
    )


def _bbl_table(t: EuropeTables) -> pd.DataFrame:
    b = t.barrels_per_tonne
    return pd.DataFrame(
        {
            "Year": b["year"],
            "Grade": b["grade_name"].where(b["grade_name"] != "", b["crudeoil_code"]),
            "API gravity [°API]": b["api_gravity_deg"],
            "Barrels per tonne [bbl/t]": b["bbl_per_tonne"],
            "Tonnes from gravity [Mt]": b["tonnes"] / 1e6,
            "Tonnes at 7.33 bbl/t [Mt]": b["tonnes_at_flat_factor"] / 1e6,
            "Flat factor off by [%]": b["flat_factor_error_pct"],
        }
    )


def _change_table(t: EuropeTables) -> pd.DataFrame:
    c = t.redirection_change
    return pd.DataFrame(
        {
            "Into": c["side"],
            "2021 [kb/d]": c["kbd_2021"],
            "Months 2021": c["months_2021"],
            "2023 [kb/d]": c["kbd_2023"],
            "Months 2023": c["months_2023"],
            "Change [kb/d]": c["change_kbd"],
            "Lower bound 2023": c["lower_bound_2023"].map({True: "yes", False: "no"}),
        }
    )


def _ei_table(t: EuropeTables) -> pd.DataFrame:
    crude = t.ei_crude.iloc[0]
    rows = [
        {
            "Flow, 2023": "Russia -> China, crude oil",
            "Customs / press figure": f"{crude['comtrade_mt']:.2f} Mt (UN Comtrade, 12 months)",
            "Energy Institute matrix": f"{crude['energy_institute_mt']:.2f} Mt",
            "Difference [%]": crude["difference_pct"],
        }
    ]
    for r in t.ei_gas.itertuples(index=False):
        rows.append(
            {
                "Flow, 2023": "Russia -> China, pipeline gas (Power of Siberia)",
                "Customs / press figure": f"{r.press_bcm:.2f} bcm ({r.press_note.split(']')[0].lstrip('[')})",
                "Energy Institute matrix": f"{r.energy_institute_bcm:.2f} bcm",
                "Difference [%]": r.difference_pct,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------ chapter


def _markdown(t: EuropeTables) -> str:
    share = t.eu_share_by_year.set_index("year")
    monthly, by_importer = t.russian_monthly, t.share_by_importer
    eu_2023 = monthly[(monthly["importer_iso3"] == ae.EU) & monthly["period"].str.startswith("2023")]
    eu_from_members = int((eu_2023["bound_from"] == "member states").sum())
    members_2023 = by_importer[(by_importer["year"] == "2023") & (by_importer["importer_iso3"] != ae.TURKIYE)]
    top = members_2023.sort_values("russia_volume_bbl", ascending=False, kind="mergesort").iloc[0]
    top_2023, top_2023_mbbl = top["importer_name"], top["russia_volume_bbl"] / 1e6
    change = t.redirection_change.set_index("side")
    discounts = t.discounts.set_index("period")
    mid, dec = discounts.loc["2022-06"], discounts.loc["2022-12"]
    bpt = t.barrels_per_tonne.set_index(["year", "crudeoil_code"]).loc[("2021", "RU_URL")]
    urals_api, urals_bpt, urals_err = bpt["api_gravity_deg"], bpt["bbl_per_tonne"], bpt["flat_factor_error_pct"]
    return f"""Eurostat's crude-import statistics by field of production (NRG_TI_COIFPM) show the other end of Russia's
turn to China. Many cells are confidential, so every sum over them is a **lower bound** and says so; the
EU's and each importer's totals are Eurostat's own, never rebuilt by adding cells up. The file breaks
imports down by origin only from January 2020 (before that it holds each importer's total alone), so the
series start there.

Russian crude was at least {fmt_pct(share.loc["2021", "russia_share_pct"])} of the EU's crude imports in 2021
and at least {fmt_pct(share.loc["2023", "russia_share_pct"])} in 2023 (visible cells). In {eu_from_members} of
2023's 12 months the member states' open cells show more Russian crude than the EU's own visible cells, and
the bound comes from them; the largest in 2023 is {top_2023} ({top_2023_mbbl:,.1f} million bbl; Hungary's and
Slovakia's pipeline crude is exempt from the embargo).

{{{{table:europe_russian_share}}}}

Each member state and Türkiye. A figure with confidential Russian cells is a lower bound (a 0 beside hidden
cells is not a zero); an empty row means Eurostat's total for that importer is confidential or missing.
Türkiye's 2023 covers January to May.

{{{{table:europe_russian_share_by_importer}}}}

Who replaced Russia in the EU's imports (visible cells; lower bounds where cells are hidden):

{{{{table:europe_replacement}}}}

Where Russia's crude went: into the EU about {change.loc["European Union", "kbd_2021"]:,.0f} kb/d in 2021 and
{change.loc["European Union", "kbd_2023"]:,.0f} kb/d in 2023 (lower bounds); into China
{change.loc["China", "kbd_2021"]:,.0f} kb/d and {change.loc["China", "kbd_2023"]:,.0f} kb/d. Türkiye stopped
reporting to Eurostat after May 2023.

{{{{figure:europe_redirection}}}}

{{{{table:europe_redirection_change}}}}

The Russian discount, from prices rather than unit values: in June 2022 Urals cost
{fmt_usd_bbl(mid["discount_vs_average_usd_per_bbl"])} less than the EU's average crude (CIF), in December 2022
{fmt_usd_bbl(dec["discount_vs_average_usd_per_bbl"])}. China's customs unit values put Russian crude
{fmt_usd_bbl(mid["china_discount_vs_average_usd_per_bbl"])} below China's average in June 2022 and
{fmt_usd_bbl(dec["china_discount_vs_average_usd_per_bbl"])} in December 2022 (unit values at 7.33 bbl/t,
not prices).

{{{{figure:europe_discount}}}}

{{{{table:europe_discount}}}}

Barrels and tonnes: Eurostat gives each grade's API gravity, so barrels convert to tonnes with the grade's
own density (SG = 141.5 / (API + 131.5); density = SG x 999.016 kg/m³; 1 bbl = 0.158987 m³). Urals, at about
{urals_api:.1f} °API in 2021, is {urals_bpt:.2f} bbl/t, so the flat 7.33 bbl/t understates its tonnes by
{-urals_err:.1f} %.

{{{{table:europe_barrels_per_tonne}}}}

Cross-checks against the Energy Institute's 2023 matrices (region to region; its "Europe" is not the EU):

{{{{table:europe_ei_cross_check}}}}
"""


def build(context: Any) -> Chapter:
    """The chapter "Europe's side". ``context.data_dir``: the data root (``None`` = the default one)."""
    t = europe_tables(getattr(context, "data_dir", None), getattr(context, "flows", None))
    tables = [
        Table("europe_russian_share", "Russian crude in the EU's and Türkiye's crude imports", _share_table(t)),
        Table(
            "europe_russian_share_by_importer",
            "Russian crude into each member state and Türkiye, 2021 and 2023",
            _importer_table(t),
        ),
        Table("europe_replacement", "Who supplied the EU's crude, 2021 and 2023", _replacement_table(t)),
        Table("europe_redirection_change", "Russia's crude into the EU, Türkiye and China", _change_table(t)),
        Table("europe_discount", "The Russian discount, monthly", _discount_table(t)),
        Table("europe_barrels_per_tonne", "Russian grades: barrels per tonne from API gravity", _bbl_table(t)),
        Table("europe_ei_cross_check", "Cross-checks with the Energy Institute 2023 matrices", _ei_table(t)),
    ]
    figures = [
        Figure(
            "europe_redirection",
            "Where Russia's crude went",
            redirection_figure(t.redirection),
            alt="Monthly Russian crude into the EU, Türkiye and China in thousand barrels per day, 2021 to 2024.",
        ),
        Figure(
            "europe_discount",
            "The Russian discount",
            discount_figure(t.discounts),
            alt="Monthly discount of Russian crude in US dollars per barrel, EU prices against China's unit values.",
        ),
    ]
    return Chapter(key="europe", title="Europe's side", markdown=_markdown(t), tables=tables, figures=figures)
