from __future__ import annotations

import pytest

from energytrade.commodities import HS_CODES, check_commodity, hs_code
from energytrade.errors import BadPeriod, UnknownCommodity
from energytrade.periods import days_in_period, parse_month, parse_period


def test_month_and_compact_month_parse_the_same():
    assert parse_month("2022-03") == parse_month("202203")


@pytest.mark.parametrize("bad", ["2022-13", "2022-00", "22-03", "March 2022", "2022/03"])
def test_bad_periods_are_refused_with_the_expected_forms(bad):
    with pytest.raises(BadPeriod, match="YYYY"):
        parse_period(bad)


def test_span_that_ends_before_it_starts_is_refused():
    with pytest.raises(BadPeriod, match="ends before"):
        parse_period("2022-05/2022-01")


def test_days_follow_the_calendar_including_leap_years():
    assert days_in_period("2024") == 366
    assert days_in_period("2023") == 365
    assert days_in_period("2024-02") == 29
    assert days_in_period("2023-02") == 28
    assert days_in_period("2024-01/2024-02") == 31 + 29


def test_a_full_year_span_prints_as_the_year():
    assert str(parse_period("2022-01/2022-12")) == "2022"
    assert parse_period("2022-01/2022-03").months() == ["2022-01", "2022-02", "2022-03"]


def test_commodities_by_name_or_hs_code():
    assert check_commodity("2709") == "crude_oil"
    assert check_commodity("Crude_Oil") == "crude_oil"
    assert hs_code("lng") == HS_CODES["lng"]


def test_unknown_commodity_lists_the_known_ones():
    with pytest.raises(UnknownCommodity, match=r"crude_oil \(2709\)"):
        check_commodity("2710")
