"""What the clean schema accepts and what it rejects."""

from __future__ import annotations

import pandas as pd
import pytest

from energytrade.errors import SchemaViolation
from energytrade.schema import COLUMNS, conform, empty_frame, validate

RUS_JAN_2022 = dict(
    source="comtrade_extract",
    reporter_iso3="CHN",
    partner_iso3="RUS",
    partner_name="Russian Federation",
    flow="import",
    hs_code="2709",
    commodity="crude_oil",
    period="2022-01",
    freq="M",
    net_weight_kg=7_463_800_000.0,
    value_usd=3_822_200_000.0,
    provenance="raw/comtrade_extract/v/comtrade_crude_oil.csv#row=1",
)


def _frame(**changes) -> pd.DataFrame:
    return conform(pd.DataFrame([{**RUS_JAN_2022, **changes}]))


def test_a_good_row_passes_and_keeps_missing_figures_missing():
    table = validate(_frame())
    assert list(table.columns) == list(COLUMNS)
    assert pd.isna(table.loc[0, "volume_bcm"])  # not 0


def test_the_empty_frame_is_valid():
    assert len(validate(empty_frame())) == 0


@pytest.mark.parametrize(
    "change, rule",
    [
        ({"net_weight_kg": -1.0}, "greater_than_or_equal_to"),
        ({"period": "2022-13"}, "period must match freq"),
        ({"freq": "A"}, "period must match freq"),  # an annual row needs YYYY
        ({"freq": "Q"}, "isin"),
        ({"commodity": "gasoline"}, "isin"),
        ({"flow": "re-import"}, "isin"),
        ({"partner_iso3": "Russia"}, "str_matches"),
        ({"hs_code": "27.09"}, "str_matches"),
        ({"provenance": "somewhere"}, "str_matches"),
        ({"net_weight_kg": None, "value_usd": None}, "at least one figure"),
    ],
)
def test_rejects(change, rule):
    with pytest.raises(SchemaViolation, match=rule):
        validate(_frame(**change))


def test_rejects_two_rows_for_one_key_of_the_same_source():
    two = pd.concat([_frame(), _frame(provenance="raw/comtrade_extract/v/other.csv#row=9")], ignore_index=True)
    with pytest.raises(SchemaViolation, match="one row per source"):
        validate(two)


def test_press_may_give_several_rows_for_one_key():
    press = {"source": "gacc_press", "note": "CONFLICT"}
    two = pd.concat([_frame(**press), _frame(**press, provenance="raw/gacc_press/v/p.csv#row=2")], ignore_index=True)
    assert len(validate(two)) == 2


def test_rejects_an_extra_column():
    with pytest.raises(SchemaViolation):
        validate(_frame().assign(value_eur=1.0))
