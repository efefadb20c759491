"""Cleaning each bundled source, on small frames written the way the raw files are."""

from __future__ import annotations

import pandas as pd
import pytest

from energytrade.errors import UnknownCountry
from energytrade.sources.comtrade_extract import clean_extract
from energytrade.sources.gacc_press import clean_crude, clean_gas_energy
from energytrade.sources.gacc_query import clean_totals

REL = "raw/example/2026-11-27/file.csv"
RUS_QTY_MT, RUS_VALUE_BN = "7.4638", "3.8222"


def _text(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, dtype=object)


def test_extract_scales_million_tonnes_to_kg_and_billions_to_usd_exactly():
    raw = _text(
        [{"period": "202201", "partner": "Russian Federation", "value_usd_bn": RUS_VALUE_BN, "qty_mt": RUS_QTY_MT}]
    )
    row = clean_extract(raw, "crude_oil", REL).iloc[0]
    assert row.net_weight_kg == 7_463_800_000
    assert row.value_usd == 3_822_200_000
    assert (row.partner_iso3, row.period, row.freq, row.hs_code) == ("RUS", "2022-01", "M", "2709")
    assert row.provenance == f"{REL}#row=1"


def test_extract_keeps_an_empty_quantity_missing_not_zero():
    raw = _text([{"period": "202308", "partner": "Niger", "value_usd_bn": "0.0", "qty_mt": None}])
    row = clean_extract(raw, "crude_oil", REL).iloc[0]
    assert pd.isna(row.net_weight_kg)
    assert row.value_usd == 0


def test_pipeline_gas_values_file_has_no_mass_column_and_gets_none():
    raw = _text([{"period": "202101", "partner": "Turkmenistan", "value_usd_bn": "0.4564"}])
    row = clean_extract(raw, "pipeline_gas", REL).iloc[0]
    assert pd.isna(row.net_weight_kg) and row.value_usd == 456_400_000


def test_an_unmappable_partner_name_stops_the_clean():
    raw = _text([{"period": "202201", "partner": "Atlantis", "value_usd_bn": "1.0", "qty_mt": "1.0"}])
    with pytest.raises(UnknownCountry, match="Atlantis"):
        clean_extract(raw, "crude_oil", REL)


def test_gacc_totals_become_one_world_row_per_commodity_with_column_provenance():
    raw = _text(
        [
            {
                "period": "202601",
                "coal_mt": "46.28",
                "coal_usd_bn": "3.53",
                "crude_oil_mt": "48.89",
                "crude_oil_usd_bn": "22.12",
                "gas_mt": "11.48",
                "gas_usd_bn": "5.04",
            }
        ]
    )
    out = clean_totals(raw, REL).set_index("commodity")
    assert set(out.index) == {"coal", "crude_oil", "natural_gas"}
    assert (out["partner_iso3"] == "WLD").all()
    assert out.loc["crude_oil", "net_weight_kg"] == 48_890_000_000
    assert out.loc["natural_gas", "provenance"] == f"{REL}#row=1&col=gas"


PRESS_CRUDE = {
    "period": "2022-05",
    "freq": "M",
    "partner": "Russia",
    "partner_iso3": "RUS",
    "tonnes": "8420000.0",
    "bpd": "1980000.0",
    "usd": None,
    "source_url": "https://example.org/a",
    "source_date": "2022-06-20",
    "note": "Reuters",
}


def test_press_crude_keeps_tonnes_and_the_printed_rate():
    row = clean_crude(_text([PRESS_CRUDE]), REL).iloc[0]
    assert row.net_weight_kg == 8_420_000_000
    assert row.rate_bbl_per_day == 1_980_000
    assert pd.isna(row.value_usd)
    assert "https://example.org/a" in row.note


def _gas(**changes) -> dict:
    base = {
        "period": "2022",
        "freq": "A",
        "commodity": "pipeline_gas",
        "partner": "Russia",
        "partner_iso3": "RUS",
        "value": "15.5",
        "unit": "bcm",
        "source_url": "https://example.org/g",
        "source_date": "2023-01-10",
        "note": "[Gazprom]",
    }
    return {**base, **changes}


def test_press_gas_puts_each_figure_in_the_column_of_its_unit():
    raw = _text(
        [
            _gas(),
            _gas(unit="million_tonnes", value="1.2", commodity="lng"),
            _gas(unit="usd_million", value="250"),
            _gas(unit="thousand_tonnes", value="755.65", commodity="lng"),
        ]
    )
    out = clean_gas_energy(raw, REL)
    assert out.loc[0, "volume_bcm"] == 15.5
    assert out.loc[1, "net_weight_kg"] == 1_200_000_000 and out.loc[1, "commodity"] == "lng"
    assert out.loc[2, "value_usd"] == 250_000_000
    assert out.loc[3, "net_weight_kg"] == 755_650_000
    assert list(out["provenance"]) == [f"{REL}#row={i}" for i in (1, 2, 3, 4)]


def test_press_coal_is_coal_and_lignite_not_the_extracts_hs_2701():
    row = clean_gas_energy(_text([_gas(commodity="coal", unit="million_tonnes", value="7.0")]), REL).iloc[0]
    assert (row.commodity, row.hs_code) == ("coal", "2701+2702")


@pytest.mark.parametrize(
    "change",
    [
        {"freq": "PER"},  # a span described only in words
        {"commodity": "pipeline_gas_plan"},  # a plan, not an actual
        {"unit": "pct_yoy"},  # not a figure of the flow
        {"partner": "Central Asia", "partner_iso3": None},  # a region, not a partner
    ],
)
def test_press_rows_out_of_scope_are_left_out(change):
    assert len(clean_gas_energy(_text([_gas(**change)]), REL)) == 0
