"""energytrade.units: each factor, leap years, Series and period Series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energytrade import units
from energytrade.errors import BadPeriod

# Worked example: one very large tanker's worth, about 2 million barrels.
CARGO_T = 270_000
CARGO_KG = CARGO_T * 1000
DAYS_2023 = 365
DAYS_2024 = 366  # leap year
DAYS_FEB_2023 = 28
DAYS_FEB_2024 = 29  # leap February
DAYS_JAN_FEB_2024 = 31 + 29


def test_factors_are_the_published_ones():
    # EI Statistical Review approximate conversion factors: 1 t crude = 7.33 bbl; 1 Mt LNG = 1.360 bcm.
    assert units.BARRELS_PER_TONNE_CRUDE == 7.33
    assert units.BCM_PER_MT_LNG == 1.36
    assert units.KG_PER_TONNE == 1000
    assert units.TONNES_PER_MT == 1_000_000


def test_kg_to_tonnes():
    assert units.kg_to_tonnes(CARGO_KG) == CARGO_T


def test_tonnes_to_barrels_and_back():
    barrels = CARGO_T * units.BARRELS_PER_TONNE_CRUDE
    assert units.tonnes_to_barrels(CARGO_T) == pytest.approx(barrels)
    assert units.barrels_to_tonnes(barrels) == pytest.approx(CARGO_T)


def test_tonnes_to_barrels_with_a_grade_specific_factor():
    urals_bbl_per_t = 7.25
    assert units.tonnes_to_barrels(CARGO_T, bbl_per_tonne=urals_bbl_per_t) == pytest.approx(CARGO_T * urals_bbl_per_t)


def test_factor_must_be_positive():
    with pytest.raises(ValueError, match="bbl_per_tonne"):
        units.tonnes_to_barrels(CARGO_T, bbl_per_tonne=0)


@pytest.mark.parametrize(
    "period, days",
    [
        ("2023", DAYS_2023),
        ("2024", DAYS_2024),
        ("2023-02", DAYS_FEB_2023),
        ("2024-02", DAYS_FEB_2024),
        ("2024-01/2024-02", DAYS_JAN_FEB_2024),
    ],
)
def test_barrels_per_day_uses_the_real_days(period, days):
    barrels = units.tonnes_to_barrels(CARGO_T)
    assert units.barrels_per_day(barrels, period) == pytest.approx(barrels / days)
    assert units.tonnes_to_bpd(CARGO_T, period) == pytest.approx(CARGO_T * units.BARRELS_PER_TONNE_CRUDE / days)


def test_leap_year_rate_is_lower_than_common_year_rate():
    assert units.tonnes_to_bpd(CARGO_T, "2024") == pytest.approx(
        units.tonnes_to_bpd(CARGO_T, "2023") * DAYS_2023 / DAYS_2024
    )


def test_bpd_round_trips_to_tonnes():
    rate = units.tonnes_to_bpd(CARGO_T, "2024-02")
    assert units.bpd_to_tonnes(rate, "2024-02") == pytest.approx(CARGO_T)
    assert units.bpd_to_barrels(rate, "2024-02") == pytest.approx(CARGO_T * units.BARRELS_PER_TONNE_CRUDE)


def test_bpd_with_a_series_of_periods():
    tonnes = pd.Series([CARGO_T, CARGO_T, np.nan], index=[10, 11, 12])
    periods = pd.Series(["2023-02", "2024-02", "2024"], index=[10, 11, 12])
    rate = units.tonnes_to_bpd(tonnes, periods)
    bbl = CARGO_T * units.BARRELS_PER_TONNE_CRUDE
    assert list(rate.index) == [10, 11, 12]
    assert rate[10] == pytest.approx(bbl / DAYS_FEB_2023)
    assert rate[11] == pytest.approx(bbl / DAYS_FEB_2024)
    assert np.isnan(rate[12])  # missing stays missing


def test_bpd_with_a_scalar_period_keeps_the_series_index():
    tonnes = pd.Series([CARGO_T, 2 * CARGO_T], index=["a", "b"])
    rate = units.tonnes_to_bpd(tonnes, "2024")
    assert rate["b"] == pytest.approx(2 * CARGO_T * units.BARRELS_PER_TONNE_CRUDE / DAYS_2024)


def test_bpd_refuses_misaligned_period_series():
    tonnes = pd.Series([CARGO_T, CARGO_T], index=[0, 1])
    periods = pd.Series(["2023-02", "2024-02"], index=[1, 2])
    with pytest.raises(ValueError, match="different indexes"):
        units.tonnes_to_bpd(tonnes, periods)


def test_bpd_rejects_a_bad_period():
    with pytest.raises(BadPeriod):
        units.tonnes_to_bpd(CARGO_T, "2024-13")


LNG_CARGO_T = 70_000  # a Q-Flex-size cargo


def test_lng_tonnes_to_bcm_and_back():
    bcm = LNG_CARGO_T / units.TONNES_PER_MT * units.BCM_PER_MT_LNG
    assert units.lng_tonnes_to_bcm(LNG_CARGO_T) == pytest.approx(bcm)
    assert units.bcm_to_lng_tonnes(bcm) == pytest.approx(LNG_CARGO_T)


def test_lng_conversion_on_a_series():
    tonnes = pd.Series([units.TONNES_PER_MT, np.nan])
    bcm = units.lng_tonnes_to_bcm(tonnes)
    assert bcm[0] == pytest.approx(units.BCM_PER_MT_LNG)
    assert np.isnan(bcm[1])
