"""The release calendar (energytrade/release_calendar.yml read by energytrade.calendar), as worked examples."""

from __future__ import annotations

from datetime import date

import pytest

from energytrade.calendar import calendar_from_yaml, load_calendar, press_known_from
from energytrade.errors import CalendarError, EnergyTradeError
from energytrade.periods import Month

#: China customs publish month m's partner detail around the 20th of m + 1 (the bundled calendar).
RELEASE_DAY = 20


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


def test_a_month_is_known_from_the_20th_of_the_next(calendar):
    assert calendar.known_from("comtrade_extract", "2022-11") == date(2022, 12, RELEASE_DAY)
    assert calendar.known_from("gacc_query", "2025-05") == date(2025, 6, RELEASE_DAY)
    assert calendar.known_from("comtrade_extract", "2022") == date(2023, 1, RELEASE_DAY)  # with its December


def test_january_and_february_come_out_together_in_march(calendar):
    assert calendar.known_from("comtrade_extract", "2023-01") == date(2023, 3, RELEASE_DAY)
    assert calendar.known_from("comtrade_extract", "2023-02") == date(2023, 3, RELEASE_DAY)
    # On 1 March 2023 the latest month out was December 2022; on 20 March, February 2023.
    assert calendar.latest_known_month("comtrade_extract", date(2023, 3, 1)) == Month(2022, 12)
    assert calendar.latest_known_month("comtrade_extract", date(2023, 3, 20)) == Month(2023, 2)


def test_release_days_skip_february(calendar):
    days = calendar.rule("comtrade_extract").release_dates(date(2023, 1, 1), date(2023, 4, 30))
    assert days == [date(2023, 1, RELEASE_DAY), date(2023, 3, RELEASE_DAY), date(2023, 4, RELEASE_DAY)]


def test_a_lag_override_replaces_the_rule_january_included(calendar):
    lagged = calendar.with_lag(30)
    assert lagged.known_from("comtrade_extract", "2023-01") == date(2023, 3, 2)  # 31 January + 30 days
    assert lagged.lag_days == 30
    with pytest.raises(CalendarError, match="whole number"):
        calendar.with_lag(-1)


def test_press_rows_are_known_from_the_day_printed():
    assert press_known_from("2023-01-15") == date(2023, 1, 15)
    assert press_known_from("2022-12") == date(2022, 12, 31)  # only the month known: its last day
    assert press_known_from("") is None  # no date: the month rule decides


def test_the_press_source_is_dated_by_row_with_the_customs_rule_as_fallback(calendar):
    assert calendar.is_dated_by_row("gacc_press") and not calendar.is_dated_by_row("comtrade_extract")
    assert calendar.known_from("gacc_press", "2023-01") == date(2023, 3, RELEASE_DAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources: [", "is not valid YAML"),
        ("just text", "must hold a mapping 'sources:'"),
        ("sources:\n  china_customs: {rule: weekly}", "unknown rule 'weekly'"),
        ("sources:\n  china_customs: {rule: monthly_release, day: 40}", "day must be a day of the month"),
        ("sources:\n  x: {rule: monthly_release, day: 20}", "needs a 'china_customs' entry"),
        ("sources:\n  china_customs: {rule: monthly_release, day: 20}\n  p: {rule: published_on}", "fallback"),
    ],
)
def test_a_calendar_that_does_not_parse_is_a_one_line_typed_error(text, expected):
    with pytest.raises(CalendarError, match=expected) as info:
        calendar_from_yaml(text, "my_calendar.yml")
    assert isinstance(info.value, EnergyTradeError)
    assert "my_calendar.yml" in str(info.value) and "\n" not in str(info.value)


def test_a_missing_calendar_file_names_the_file(tmp_path):
    with pytest.raises(CalendarError, match="cannot be read"):
        load_calendar(tmp_path / "nope.yml")
