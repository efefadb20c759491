"""Press rows keep outlet, page and publication date as columns (issue 9): read once by the cleaner from
the raw columns, so no later layer parses the note."""

from __future__ import annotations

import pandas as pd

from energytrade.sources.gacc_press import clean_crude, clean_gas_energy, outlet_of_lead, outlet_of_tag

REL = "raw/gacc_press/test/rows.csv"
URL, PRINTED = "https://example.org/russia-top-supplier", "2022-06-20"


def raw(rows: list[dict]) -> pd.DataFrame:
    """Raw CSV rows as the reader gives them (text)."""
    return pd.DataFrame(rows).astype(object)


CRUDE = {
    "period": "2022-05",
    "freq": "M",
    "partner": "Russia",
    "partner_iso3": "RUS",
    "tonnes": "8420000.0",
    "bpd": "1980000.0",
    "usd": None,
    "source_url": URL,
    "source_date": PRINTED,
    "note": "Reuters; record 8.42 Mt (about 1.98 mbpd), +55% y/y",
}
GAS = {
    "period": "2023",
    "freq": "A",
    "commodity": "pipeline_gas",
    "partner": "Russia",
    "partner_iso3": "RUS",
    "value": "22.73",
    "unit": "bcm",
    "source_url": URL,
    "source_date": "2025-12",
    "note": "[Gazprom via TASS] Power of Siberia 2023",
}


def test_crude_rows_carry_the_outlet_url_and_day_printed():
    row = clean_crude(raw([CRUDE]), REL).iloc[0]
    assert (row.outlet, row.source_url, row.published_on) == ("Reuters", URL, PRINTED)


def test_gas_rows_take_the_outlet_from_the_tag_and_keep_a_month_only_date():
    row = clean_gas_energy(raw([GAS]), REL).iloc[0]
    assert (row.outlet, row.source_url, row.published_on) == ("Gazprom via TASS", URL, "2025-12")


def test_a_note_that_opens_with_a_figure_names_no_outlet():
    assert outlet_of_lead("6.62 Mt / 1.61 mbpd (-11%)") == ""
    assert outlet_of_lead("Reuters (7.3 bbl/t); 48.36 Mt") == "Reuters"
    assert outlet_of_tag("no tag here") == ""


def test_rows_without_a_date_or_url_leave_them_empty():
    row = clean_crude(raw([{**CRUDE, "source_url": None, "source_date": None}]), REL).iloc[0]
    assert (row.source_url, row.published_on) == ("", "")
