"""Provenance table and coverage, on a small frame and on the bundled data."""

from __future__ import annotations

import pandas as pd
from conftest import BUNDLED_RAW

from energytrade.inventory import coverage, coverage_matrix, provenance_table
from energytrade.schema import conform

BASE = dict(reporter_iso3="CHN", flow="import", hs_code="2709", commodity="crude_oil", freq="M")
ROWS = [
    dict(
        BASE,
        source="comtrade_extract",
        partner_iso3="RUS",
        partner_name="Russia",
        period="2022-01",
        net_weight_kg=1.0,
        value_usd=2.0,
        provenance="raw/a/v/f.csv#row=1",
    ),
    dict(
        BASE,
        source="gacc_press",
        partner_iso3="RUS",
        partner_name="Russia",
        period="2022-01",
        net_weight_kg=1.0,
        provenance="raw/b/v/f.csv#row=1",
    ),
    # 2022-02 has no row at all; 2022-03 only a total, which is not a partner
    dict(
        BASE,
        source="comtrade_extract",
        partner_iso3="WLD",
        partner_name="World",
        period="2022-03",
        net_weight_kg=5.0,
        provenance="raw/a/v/f.csv#row=2",
    ),
    dict(
        BASE,
        source="comtrade_extract",
        partner_iso3="RUS",
        partner_name="Russia",
        period="2022-04",
        value_usd=3.0,
        provenance="raw/a/v/f.csv#row=3",
    ),
]
FLOWS = conform(pd.DataFrame(ROWS))


def test_coverage_counts_partners_with_each_figure_and_leaves_gaps_out():
    cov = coverage(FLOWS).set_index(["source", "period"])
    assert cov.loc[("comtrade_extract", "2022-01"), "has_mass"] == 1
    assert cov.loc[("comtrade_extract", "2022-04"), "has_mass"] == 0  # value only
    assert ("comtrade_extract", "2022-02") not in cov.index
    assert ("comtrade_extract", "2022-03") not in cov.index  # the total is not a partner


PRESS = dict(BASE, source="gacc_press", period="2022-05")
# Two outlets print Russia's May tonnage; Saudi Arabia has one outlet, with a value only.
TWO_OUTLETS = conform(
    pd.DataFrame(
        [
            dict(
                PRESS, partner_iso3="RUS", partner_name="Russia", net_weight_kg=8.0e9, provenance="raw/b/v/f.csv#row=1"
            ),
            dict(
                PRESS,
                partner_iso3="RUS",
                partner_name="Russia",
                net_weight_kg=8.1e9,
                value_usd=4.0e9,
                provenance="raw/b/v/f.csv#row=2",
            ),
            dict(
                PRESS,
                partner_iso3="SAU",
                partner_name="Saudi Arabia",
                value_usd=5.0e9,
                provenance="raw/b/v/f.csv#row=3",
            ),
        ]
    )
)


def test_coverage_counts_a_partner_printed_by_two_outlets_once():
    row = coverage(TWO_OUTLETS).set_index(["source", "period"]).loc[("gacc_press", "2022-05")]
    assert row["n_partners"] == 2
    assert row["has_mass"] == 1  # two rows, one partner
    assert row["has_value"] == 2  # RUS (one of its two rows) and SAU
    assert row["has_volume"] == 0


def test_coverage_matrix_counts_sources_and_shows_gaps_as_zero():
    matrix = coverage_matrix(FLOWS, ["RUS"])
    assert list(matrix.index) == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert matrix["crude_oil / RUS"].tolist() == [2, 0, 0, 1]


def test_provenance_table_lists_every_bundled_raw_file():
    table = provenance_table()
    bundled = [p for p in BUNDLED_RAW.glob("*/*/*") if not p.name.endswith(".meta.yml")]
    assert sorted(table["file"]) == sorted(p.name for p in bundled)
    assert table["licence"].str.len().gt(0).all()
