"""Europe's side, on the bundled data: expected figures derived here from the raw files with gzip + csv
(not with energytrade's DuckDB reading), and checked against the figures the reference README states."""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import BUNDLED_RAW
from eurostat_slices import scan, value

from energytrade import analysis_europe as ae
from energytrade.build import load_trade_flows
from energytrade.report.chapters import europe
from energytrade.sources import energy_institute as ei

#: Eurostat's two-letter codes of the EU27 member states (EL = Greece).
EU27_GEO = "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
COMTRADE_CRUDE = BUNDLED_RAW / "comtrade_extract" / "2026-11-27" / "comtrade_crude_oil.csv"
EI_OIL = BUNDLED_RAW / "energy_institute" / "2026-11-27" / "ei_2024_oil_inter_area_movements.csv"


#: The grade codes these tests read from the raw file (besides every Russian and US one).
CODES = {"TOTAL", "RU_URL", *ae.LIGHT_SWEET_BENCHMARK}


@pytest.fixture(scope="module")
def raw_cells():
    """(geo, crudeoil, measure, period) -> OBS_VALUE (None if empty), EU/members/Türkiye, 2021-2023."""
    wanted_geo = set(EU27_GEO) | {"EU_V", "TR"}
    rows, _ = scan(
        lambda f: (
            f[5] in wanted_geo
            and "2021-01" <= f[6] <= "2023-12"
            and f[4] in ("VOL_THS_BBL", "AVGPRC_USD_BBL")
            and (f[3] in CODES or f[3][:3] in ("RU_", "US_"))
        )
    )
    return {(f[5], f[3], f[4], f[6]): value(f) for _, f in rows}


@pytest.fixture(scope="module")
def russian_kbbl(raw_cells):
    """(geo, period) -> the visible Russian volume [kbbl] (sum over RU_ grade cells with a figure)."""
    sums = defaultdict(float)
    for (geo, code, measure, period), v in raw_cells.items():
        if measure == "VOL_THS_BBL" and code.startswith("RU_") and v is not None:
            sums[(geo, period)] += v
    return sums


@pytest.fixture(scope="module")
def grades():
    # The default data root's grade table, built on first use and reused while the raw file is unchanged
    # (its sha256 stamp), as the report and notebook use it.
    return ae.load_grades(start="2020-01")


@pytest.fixture(scope="module")
def monthly(grades):
    return ae.russian_crude_by_importer(grades)


@pytest.fixture(scope="module")
def flows():
    return load_trade_flows()


def _russian_visible_kbbl(russian_kbbl, geos, period):
    return sum(russian_kbbl.get((geo, period), 0.0) for geo in geos)


def test_russias_share_of_eu_crude_imports_in_2021(raw_cells, russian_kbbl, monthly):
    months = [f"2021-{m:02d}" for m in range(1, 13)]
    russia = total = 0.0
    for month in months:
        # the rule: the EU's own visible cells, or the member states' where they show more
        russia += max(
            _russian_visible_kbbl(russian_kbbl, {"EU_V"}, month),
            _russian_visible_kbbl(russian_kbbl, set(EU27_GEO), month),
        )
        total += raw_cells[("EU_V", "TOTAL", "VOL_THS_BBL", month)]
    assert total == pytest.approx(3_270_243, abs=1)  # the reference README's EU_V TOTAL for 2021 [kbbl]
    year = ae.russian_share_by_year(monthly, ae.EU).set_index("year").loc["2021"]
    assert year["russia_share_pct"] == pytest.approx(russia / total * 100, rel=1e-9)
    assert year["total_volume_bbl"] == pytest.approx(total * 1000)
    assert year["is_lower_bound"]  # some Russian cells of the EU are confidential


def test_eu_russian_crude_january_2022_is_the_readmes_visible_figure(monthly):
    row = monthly.query("importer_iso3 == 'EUU' and period == '2022-01'").iloc[0]
    assert row["russia_volume_bbl"] == pytest.approx(49_698_000, abs=1000)  # 49,698 kbbl (reference README)
    assert row["bound_from"] == "EU_V" and row["is_lower_bound"]


def test_visible_member_states_raise_the_eus_lower_bound_and_say_so(russian_kbbl, monthly):
    eu_own = _russian_visible_kbbl(russian_kbbl, {"EU_V"}, "2022-12")
    members = _russian_visible_kbbl(russian_kbbl, set(EU27_GEO), "2022-12")
    assert eu_own == pytest.approx(7_645, abs=1)  # the reference README's visible EU_V figure
    assert members > eu_own
    row = monthly.query("importer_iso3 == 'EUU' and period == '2022-12'").iloc[0]
    assert row["russia_volume_bbl"] == pytest.approx(members * 1000)
    assert row["bound_from"] == "member states"
    assert row["member_states_volume_bbl"] == pytest.approx(members * 1000)


def test_turkiyes_russian_crude_january_2022(monthly):
    row = monthly.query("importer_iso3 == 'TUR' and period == '2022-01'").iloc[0]
    assert row["russia_volume_bbl"] == pytest.approx(3_499_000, abs=1000)  # 3,499 kbbl (reference README)


def test_the_urals_discount_in_mid_2022(raw_cells, grades):
    table = ae.urals_discount(grades).set_index("period")
    urals = raw_cells[("EU_V", "RU_URL", "AVGPRC_USD_BBL", "2022-06")]
    average = raw_cells[("EU_V", "TOTAL", "AVGPRC_USD_BBL", "2022-06")]
    assert table.loc["2022-06", "discount_vs_average_usd_per_bbl"] == pytest.approx(average - urals)
    weighted = volume = 0.0
    for code in ae.LIGHT_SWEET_BENCHMARK:
        price = raw_cells.get(("EU_V", code, "AVGPRC_USD_BBL", "2022-06"))
        barrels = raw_cells.get(("EU_V", code, "VOL_THS_BBL", "2022-06"))
        if price and barrels:
            weighted += price * barrels
            volume += barrels
    assert table.loc["2022-06", "benchmark_usd_per_bbl"] == pytest.approx(weighted / volume)
    # The reference README's checked prices: Urals 50.70 against 82.79 for all crude in December 2022.
    assert table.loc["2022-12", "discount_vs_average_usd_per_bbl"] == pytest.approx(82.79 - 50.70, abs=0.01)


def test_discounts_of_both_sides_sit_in_one_monthly_table(grades, flows):
    table = ae.discount_comparison(grades, flows).set_index("period")
    assert {"discount_vs_average_usd_per_bbl", "china_discount_vs_average_usd_per_bbl"} <= set(table.columns)
    assert table.loc["2022-06"].notna().all()


def _comtrade_russia_mt(year: str) -> tuple[float, int]:
    with open(COMTRADE_CRUDE, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["partner"] == "Russian Federation" and r["period"][:4] == year]
    return sum(float(r["qty_mt"]) for r in rows), len(rows)


def _ei_crude(from_region: str, to_region: str) -> float:
    with open(EI_OIL, encoding="utf-8", newline="") as handle:
        grid = list(csv.reader(handle))
    header = next(r for r in grid if r[0] == "Crude (million tonnes)")
    crude_rows = grid[grid.index(header) : next(i for i, r in enumerate(grid) if r[0].startswith("Product"))]
    row = next(r for r in crude_rows if r[0] == from_region)
    return float(row[header.index(to_region)])


def test_russia_to_china_crude_2023_comtrade_against_the_energy_institute_matrix(flows):
    comtrade_mt, months = _comtrade_russia_mt("2023")
    ei_mt = _ei_crude("Russian Federation", "China")
    assert ei_mt == pytest.approx(107.02, abs=0.005)  # the reference README's figure
    check = ae.ei_crude_cross_check(flows, ei.oil_inter_area(BUNDLED_RAW)).iloc[0]
    assert check["comtrade_mt"] == pytest.approx(comtrade_mt)
    assert check["comtrade_months"] == months == 12
    assert check["energy_institute_mt"] == pytest.approx(ei_mt)
    assert check["difference_pct"] == pytest.approx((comtrade_mt / ei_mt - 1) * 100)


def test_pipeline_gas_matrix_against_power_of_siberia(flows):
    check = ae.ei_gas_cross_check(flows, ei.gas_pipeline(BUNDLED_RAW))
    assert len(check) >= 1
    assert (check["press_bcm"].between(22.0, 23.0)).all()  # Gazprom: 22.7 bcm in 2023
    assert check["energy_institute_bcm"].iloc[0] == pytest.approx(21.29, abs=0.01)


#: Worked example of the API-gravity conversion (API MPMS ch. 11.1; NIST barrel), Urals at 30.5 °API.
URALS_API = 30.5
SG = 141.5 / (URALS_API + 131.5)
DENSITY_KG_PER_M3 = SG * 999.016
BARREL_M3 = 0.158987294928


def test_barrels_per_tonne_from_api_gravity():
    assert ae.barrels_per_tonne_from_api(URALS_API) == pytest.approx(1000 / (DENSITY_KG_PER_M3 * BARREL_M3))
    assert ae.barrels_per_tonne_from_api(0.0) != ae.barrels_per_tonne_from_api(0.0)  # 0 = no gravity: NaN
    # the flat 7.33 bbl/t is the factor of a crude of about 33 °API (energytrade.units)
    assert ae.barrels_per_tonne_from_api(33.24) == pytest.approx(7.33, abs=0.005)


def test_russian_grades_in_tonnes_differ_from_the_flat_factor(grades):
    table = ae.russian_barrels_per_tonne(grades).set_index(["year", "crudeoil_code"])
    urals = table.loc[("2021", "RU_URL")]
    assert 30 < urals["api_gravity_deg"] < 31.5
    assert urals["flat_factor_error_pct"] == pytest.approx((urals["bbl_per_tonne"] / 7.33 - 1) * 100)
    assert urals["flat_factor_error_pct"] < 0  # Urals is heavier than average: 7.33 bbl/t understates its tonnes


def test_redirection_change_2021_to_2023(monthly, grades, flows):
    table = ae.redirection(grades, flows)
    change = ae.redirection_change(table).set_index("side")
    comtrade_2021, _ = _comtrade_russia_mt("2021")
    china_2021_kbd = comtrade_2021 * 1e6 * 7.33 / 365 / 1e3
    assert change.loc["China", "kbd_2021"] == pytest.approx(china_2021_kbd, rel=1e-6)
    eu = monthly.query("importer_iso3 == 'EUU' and period.str.startswith('2023')")
    assert change.loc["European Union", "kbd_2023"] == pytest.approx(eu["russia_volume_bbl"].sum() / 365 / 1e3)
    assert change.loc["European Union", "lower_bound_2023"]
    assert change.loc["Türkiye", "months_2023"] == 5  # Türkiye reports to Eurostat until May 2023
    assert change.loc["European Union", "change_kbd"] < 0 < change.loc["China", "change_kbd"]


def test_the_chapters_columns_give_the_same_tables_as_the_whole_grade_table(grades, monthly, flows):
    narrow = ae.load_grades(start="2020-01", columns=ae.ANALYSIS_COLUMNS)
    pd.testing.assert_frame_equal(narrow, grades[list(ae.ANALYSIS_COLUMNS)])
    narrow_monthly = ae.russian_crude_by_importer(narrow)
    pd.testing.assert_frame_equal(narrow_monthly, monthly)
    for table in (ae.replacement_ranking, ae.urals_discount, ae.russian_barrels_per_tonne):
        pd.testing.assert_frame_equal(table(narrow), table(grades))
    # The monthly table from 2020 handed to redirection (which starts in 2021) gives what it computes itself.
    pd.testing.assert_frame_equal(ae.redirection(narrow, flows, monthly=narrow_monthly), ae.redirection(grades, flows))


def test_replacement_ranking_2021_to_2023(raw_cells, grades):
    ranking = ae.replacement_ranking(grades).set_index("origin_iso3")
    by_origin = defaultdict(float)
    for (g, code, m, p), v in raw_cells.items():
        if g == "EU_V" and m == "VOL_THS_BBL" and p.startswith("2023") and code.startswith("US_") and v is not None:
            by_origin["USA"] += v
    assert ranking.loc["USA", "volume_bbl_2023"] == pytest.approx(by_origin["USA"] * 1000)
    assert ranking.loc["USA", "rank_2023"] == 1
    assert ranking.loc["USA", "change_bbl_2021_2023"] > 0


def test_the_chapter_places_every_table_and_figure_with_units_and_country_names():
    chapter = europe.build(SimpleNamespace(data_dir=None))
    markers = set(re.findall(r"\{\{(table|figure):(\w+)\}\}", chapter.markdown))
    assert markers == {("table", t.name) for t in chapter.tables} | {("figure", f.name) for f in chapter.figures}
    for table in chapter.tables:
        numeric = [c for c in table.frame.columns if pd.api.types.is_float_dtype(table.frame[c])]
        assert all("[" in c for c in numeric), (table.name, numeric)  # a unit in every figure's header
    importers = next(t for t in chapter.tables if t.name == "europe_russian_share_by_importer").frame
    assert {"Germany", "Hungary", "Türkiye"} <= set(importers["Importer"])  # names, not codes
    assert "2022-12" in set(next(t for t in chapter.tables if t.name == "europe_discount").frame["Month"])


# A tiny monthly table (as russian_crude_by_importer writes it): two importers, two years. In 2022 the EU's
# Russian cells are all hidden; one month lacks Eurostat's TOTAL and is left out of the year's sums.
TINY_MONTHLY = pd.DataFrame(
    {
        "importer_iso3": ["EUU", "EUU", "EUU", "EUU", "TUR", "TUR"],
        "period": ["2021-01", "2021-02", "2022-01", "2022-02", "2021-01", "2021-03"],
        "russia_volume_bbl": [1.5, 2.25, float("nan"), float("nan"), 4.0, 1.0],
        "russia_hidden_cells": [0, 2, 1, 1, 0, 0],
        "is_lower_bound": [False, True, True, True, False, False],
        "total_volume_bbl": [10.0, 20.0, 30.0, float("nan"), 8.0, 8.0],
    }
)


def test_share_by_year_sums_each_column_per_importer_and_year():
    out = ae.russian_share_by_importer(TINY_MONTHLY, years=("2021", "2022"), importers=("TUR", "EUU"))
    assert out["importer_iso3"].tolist() == ["TUR", "EUU", "EUU"]
    assert out["year"].tolist() == ["2021", "2021", "2022"]
    assert out["months"].tolist() == [2, 2, 1] and out["months"].dtype == "int64"
    assert out["russia_volume_bbl"].tolist()[:2] == [5.0, 3.75]
    assert pd.isna(out["russia_volume_bbl"].iloc[2])  # every Russian cell hidden: missing, not 0
    assert out["total_volume_bbl"].tolist() == [16.0, 30.0, 30.0]
    assert out["is_lower_bound"].tolist() == [False, True, True] and out["is_lower_bound"].dtype == bool
    assert out["russia_hidden_cells"].tolist() == [0, 2, 1] and out["russia_hidden_cells"].dtype == "int64"
    assert out["russia_share_pct"].iloc[1] == pytest.approx(3.75 / 30 * 100)


def test_origin_sums_keep_hidden_only_groups_missing_and_count_hidden_cells():
    grades = pd.DataFrame(
        {
            "origin_iso3": ["RUS", "RUS", "NOR", "NOR"],
            "period": ["2021-01", "2021-01", "2021-01", "2021-02"],
            "volume_bbl": [3.0, float("nan"), float("nan"), 7.0],
            "value_usd": [30.0, float("nan"), float("nan"), float("nan")],
            "volume_flag": ["", "c", "c", ""],
        }
    )
    out = ae._origin_sums(grades, ["origin_iso3", "period"])
    assert out["origin_iso3"].tolist() == ["NOR", "NOR", "RUS"]
    assert out["volume_hidden_cells"].tolist() == [1, 0, 1] and out["volume_hidden_cells"].dtype == "int64"
    assert pd.isna(out["volume_bbl"].iloc[0]) and out["volume_bbl"].iloc[1:].tolist() == [7.0, 3.0]
    assert pd.isna(out["value_usd"].iloc[1]) and out["value_usd"].iloc[2] == 30.0


def test_redirection_change_weights_each_month_by_its_days():
    table = pd.DataFrame(
        {
            "period": ["2021-01", "2021-02", "2023-01", "2023-02"],
            "eu_kbd": [100.0, 200.0, 50.0, float("nan")],
            "eu_is_lower_bound": [False, True, False, False],
            "turkiye_kbd": [10.0, 10.0, 20.0, 30.0],
            "turkiye_is_lower_bound": [False, False, False, False],
            "china_kbd": [1.0, 2.0, 3.0, 4.0],
        }
    )
    out = ae.redirection_change(table).set_index("side")
    assert out.loc["European Union", "kbd_2021"] == pytest.approx((100 * 31 + 200 * 28) / 59)
    assert out.loc["European Union", "kbd_2023"] == 50.0 and out.loc["European Union", "months_2023"] == 1
    assert out.loc["European Union", "lower_bound_2021"] and not out.loc["China", "lower_bound_2021"]
    assert out.loc["Türkiye", "change_kbd"] == pytest.approx((20 * 31 + 30 * 28) / 59 - 10)
    assert out.loc["China", "kbd_2023"] == pytest.approx((3 * 31 + 4 * 28) / 59)


def test_a_side_without_months_in_a_year_has_no_average_for_it():
    table = pd.DataFrame(
        {
            "period": ["2021-01", "2023-01"],
            "eu_kbd": [100.0, float("nan")],
            "turkiye_kbd": [float("nan"), float("nan")],
            "china_kbd": [1.0, 3.0],
        }
    )
    out = ae.redirection_change(table).set_index("side")
    assert out.loc["European Union", "kbd_2021"] == 100.0
    assert math.isnan(out.loc["European Union", "kbd_2023"]) and out.loc["European Union", "months_2023"] == 0
    assert math.isnan(out.loc["European Union", "change_kbd"])  # a change against nothing is no change
    assert out.loc["Türkiye", ["months_2021", "months_2023"]].tolist() == [0, 0]
    assert ae.redirection_change(table.iloc[0:0])["months_2021"].tolist() == [0, 0, 0]  # nothing at all
