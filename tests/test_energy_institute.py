"""Energy Institute Statistical Review 2024 sheets -> tidy tables, checked cell by cell against the raw
grids read with the csv module."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
from conftest import BUNDLED_RAW

from energytrade.sources import energy_institute as ei

EI_DIR = BUNDLED_RAW / "energy_institute" / "2026-11-27"


def _grid(name: str) -> list[list[str]]:
    with open(EI_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Europe1", ("Europe", "1")),
        ("Middle East (ex Saudi Arabia)2", ("Middle East (ex Saudi Arabia)", "2")),
        ("LNG exports*", ("LNG exports", "*")),
        ("Europe ", ("Europe", "")),
        ("Trinidad & Tobago", ("Trinidad & Tobago", "")),
    ],
)
def test_footnote_marks_come_off_region_names_and_nothing_else(label, expected):
    assert ei.split_footnote(label) == expected


def test_oil_matrix_russia_to_china_india_europe_2023():
    grid = _grid(ei.OIL_INTER_AREA)
    header = next(r for r in grid if r[0] == "Crude (million tonnes)")
    russia = next(r for r in grid if r[0] == "Russian Federation")  # the first one is in the crude block
    matrix = ei.oil_inter_area(BUNDLED_RAW)
    crude = matrix[(matrix["product"] == "crude") & (matrix["from_region"] == "Russian Federation")].set_index(
        "to_region"
    )
    for region in ("China", "India", "Europe"):
        assert crude.loc[region, "volume_mt"] == float(russia[header.index(region)])
    assert crude.loc["China", "volume_mt"] == pytest.approx(107.02, abs=0.005)  # reference README
    assert crude.loc["Europe", "volume_mt"] == pytest.approx(32.40, abs=0.005)  # the Review's Europe, not the EU
    assert (matrix["year"] == 2023).all()


def test_oil_matrix_keeps_products_apart_and_flags_the_reviews_totals():
    matrix = ei.oil_inter_area(BUNDLED_RAW)
    assert set(matrix["product"]) == {"crude", "products"}
    totals = matrix[matrix["is_total"]]
    assert set(totals["from_region"]) | set(totals["to_region"]) >= {"Total imports", "Total"}
    products = matrix[(matrix["product"] == "products") & ~matrix["is_total"]]
    russia_products = products[products["from_region"] == "Russian Federation"].set_index("to_region")
    grid = _grid(ei.OIL_INTER_AREA)
    header = next(r for r in grid if r[0] == "Crude (million tonnes)")
    product_rows = grid[next(i for i, r in enumerate(grid) if r[0].startswith("Product")) :]
    russia = next(r for r in product_rows if r[0] == "Russian Federation")
    assert russia_products.loc["China", "volume_mt"] == float(russia[header.index("China")])


def test_pipeline_matrix_russia_to_china_and_subtotal_rows():
    grid = _grid(ei.GAS_PIPELINE)
    header = next(r for r in grid if r[0] == "To")
    china = next(r for r in grid if r[0] == "China")
    pipeline = ei.gas_pipeline(BUNDLED_RAW)
    row = pipeline[(pipeline["from_region"] == "Russian Federation") & (pipeline["to_region"] == "China")]
    assert row["volume_bcm"].item() == float(china[header.index("Russian Federation")])
    flags = pipeline.drop_duplicates("to_region").set_index("to_region")["is_subtotal"]
    assert flags["Europe"] and flags["CIS"] and not flags["China"] and not flags["EU"]


def test_lng_header_split_over_two_rows_is_joined():
    lng = ei.gas_lng(BUNDLED_RAW)
    assert {"Trinidad & Tobago", "Papua New Guinea", "Russian Federation"} <= set(lng["from_region"])
    assert not any(name.endswith(" ") or name.startswith(" ") for name in lng["from_region"])


def test_oil_trade_2022_2023_years_follow_the_merged_header():
    grid = _grid(ei.OIL_TRADE_22_23)
    russia = next(r for r in grid if r[0] == "Russian Federation")
    table = ei.oil_trade_22_23(BUNDLED_RAW).set_index(["region", "year", "product", "flow"])
    # columns 1-4 are 2022 (crude imports, product imports, crude exports, product exports), 5-8 are 2023
    assert table.loc[("Russian Federation", 2022, "crude", "export"), "volume_mt"] == float(russia[3])
    assert table.loc[("Russian Federation", 2023, "crude", "export"), "volume_mt"] == float(russia[7])
    assert table.loc[("Russian Federation", 2023, "products", "import"), "volume_mt"] == float(russia[6])


def test_series_keep_na_missing_and_drop_the_reviews_growth_and_share_columns():
    oil = ei.oil_trade_series(BUNDLED_RAW)
    china_1980 = oil.query("group == 'Imports' and item == 'China' and year == 1980")["rate_kbd"].item()
    assert math.isnan(china_1980)  # "n/a" in the sheet: missing, not zero
    assert oil["year"].max() == 2023
    assert oil.groupby(["group", "item"])["year"].count().max() == 2023 - 1980 + 1  # one value per year only
    grid = _grid(ei.OIL_TRADE)
    china = next(r for r in grid if r[0] == "China")
    header = next(r for r in grid if r[0] == "Thousand barrels daily")
    assert oil.query("group == 'Imports' and item == 'China' and year == 2023")["rate_kbd"].item() == float(
        china[header.index("2023")]
    )


def test_gas_series_groups_are_regions_with_their_rows():
    gas = ei.gas_trade_series(BUNDLED_RAW)
    china = gas[(gas["group"] == "China") & (gas["year"] == 2023)].set_index("item")["volume_bcm"]
    assert china["Pipeline imports"] + china["LNG imports"] == pytest.approx(china["Total imports"])
    assert isinstance(gas, pd.DataFrame) and gas["is_total"].any()


def test_a_tiny_gas_grid_is_read_column_by_column_to_the_first_blank_label():
    grid = pd.DataFrame(
        [
            ["Title", "", "", ""],
            ["To", "Russia1", "", "Total exports"],
            ["China", "22.7", "", "n/a"],
            [" Europe2 ", "", "", "30"],
            ["", "", "", ""],
            ["Notes", "1 footnote", "", ""],
        ]
    )
    out = ei.clean_gas_matrix(grid, "pipeline")
    assert out["to_region"].tolist() == ["China", "Europe", "China", "Europe"]
    assert out["from_region"].tolist() == ["Russia", "Russia", "Total exports", "Total exports"]
    assert out["volume_bcm"].tolist()[::3] == [22.7, 30.0] and out["volume_bcm"].iloc[1:3].isna().all()
    assert out["is_subtotal"].tolist() == [False, True, False, True]
    with pytest.raises(ValueError, match="no row starting with 'To' in the sheet"):
        ei.clean_gas_matrix(grid.iloc[2:].reset_index(drop=True), "pipeline")
