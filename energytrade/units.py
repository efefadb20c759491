"""Unit conversions for trade figures: kilograms, tonnes, barrels, barrels per day, LNG tonnes and bcm.

Every factor is a named constant with its source. Every function takes a scalar, a numpy array or a
pandas Series, and returns the same kind; NaN stays NaN. Rates per day use the real number of days of
the period (``"2024"`` has 366 days, ``"2023-02"`` has 28), from :mod:`energytrade.periods`.

Examples
--------
>>> tonnes_to_barrels(1_000_000)  # 1 Mt of crude at the world-average 7.33 bbl/t
7330000.0
>>> round(tonnes_to_bpd(1_000_000, "2023-02"))  # that tonnage shipped over February 2023 (28 days)
261786
>>> lng_tonnes_to_bcm(1_000_000)
1.36
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

from energytrade.periods import days_in_period

#: Crude oil, barrels per tonne at world-average gravity (≈ 33° API). Source: Energy Institute,
#: Statistical Review of World Energy, "Approximate conversion factors" (the table BP published before
#: 2023), crude oil: 1 tonne = 7.33 barrels. Grade-specific factors differ (Urals ≈ 7.2-7.3,
#: ESPO ≈ 7.4, Brent ≈ 7.5); Reuters converts China customs tonnes at 7.3.
BARRELS_PER_TONNE_CRUDE = 7.33

#: LNG, billion cubic metres of natural gas per million tonnes of LNG. Source: Energy Institute / BP,
#: "Approximate conversion factors" (updated July 2021): 1 million tonnes LNG = 1.360 bcm
#: (bcm at 15 °C, 1013 mbar, gross calorific value 40 MJ/m³).
BCM_PER_MT_LNG = 1.36

#: Kilograms per (metric) tonne, by definition (SI). Comtrade's ``netWgt`` is in kg.
KG_PER_TONNE = 1000

#: Tonnes per million tonnes (Mt), by definition.
TONNES_PER_MT = 1_000_000

Numeric = TypeVar("Numeric", float, np.ndarray, pd.Series)


def _check_factor(name: str, factor: float) -> None:
    if not factor > 0:
        raise ValueError(f"{name} must be a positive number, got {factor!r}")


def kg_to_tonnes(kg: Numeric) -> Numeric:
    """Kilograms -> tonnes.

    Parameters
    ----------
    kg : float, array or Series
        Mass [kg].

    Returns
    -------
    float, array or Series
        Mass [t].
    """
    return kg / KG_PER_TONNE


def tonnes_to_barrels(tonnes: Numeric, bbl_per_tonne: float = BARRELS_PER_TONNE_CRUDE) -> Numeric:
    """Crude oil tonnes -> barrels.

    Parameters
    ----------
    tonnes : float, array or Series
        Mass of crude [t].
    bbl_per_tonne : float, default :data:`BARRELS_PER_TONNE_CRUDE`
        Barrels per tonne [bbl/t]; depends on the crude's density.

    Returns
    -------
    float, array or Series
        Volume [bbl].
    """
    _check_factor("bbl_per_tonne", bbl_per_tonne)
    return tonnes * bbl_per_tonne


def barrels_to_tonnes(barrels: Numeric, bbl_per_tonne: float = BARRELS_PER_TONNE_CRUDE) -> Numeric:
    """Crude oil barrels -> tonnes (the inverse of :func:`tonnes_to_barrels`).

    Parameters
    ----------
    barrels : float, array or Series
        Volume [bbl].
    bbl_per_tonne : float, default :data:`BARRELS_PER_TONNE_CRUDE`
        Barrels per tonne [bbl/t].

    Returns
    -------
    float, array or Series
        Mass [t].
    """
    _check_factor("bbl_per_tonne", bbl_per_tonne)
    return barrels / bbl_per_tonne


def _days(period: str | pd.Series, values: object):
    """Days of ``period`` (a string, or a Series of period strings aligned with ``values``)."""
    if isinstance(period, str):
        return days_in_period(period)
    periods = pd.Series(period)
    if isinstance(values, pd.Series):
        if not periods.index.equals(values.index):
            raise ValueError(
                "period and values are Series with different indexes; pass periods aligned with the values "
                "(same index), or one period string for all of them"
            )
        periods = periods.set_axis(values.index)
    elif np.ndim(values) and len(periods) != len(values):
        raise ValueError(f"{len(periods)} periods for {len(values)} values; pass one period per value")
    days_by_period = {p: days_in_period(p) for p in pd.unique(periods)}
    days = periods.map(days_by_period).astype("float64")
    return days if isinstance(values, pd.Series) or not np.ndim(values) else days.to_numpy()


def barrels_per_day(barrels: Numeric, period: str | pd.Series) -> Numeric:
    """Barrels over a period -> average rate over that period's real number of days.

    Parameters
    ----------
    barrels : float, array or Series
        Volume over the period [bbl].
    period : str or Series of str
        ``YYYY`` (365 or 366 days), ``YYYY-MM`` (28-31 days) or ``YYYY-MM/YYYY-MM`` (the span's days);
        a Series must have the same index as ``barrels``.

    Returns
    -------
    float, array or Series
        Rate [bbl/d].

    Raises
    ------
    BadPeriod
        A period string that is not one of the forms above.
    """
    return barrels / _days(period, barrels)


def bpd_to_barrels(rate_bbl_per_day: Numeric, period: str | pd.Series) -> Numeric:
    """Average rate over a period -> barrels over the period (the inverse of :func:`barrels_per_day`).

    Parameters
    ----------
    rate_bbl_per_day : float, array or Series
        Rate [bbl/d].
    period : str or Series of str
        As in :func:`barrels_per_day`.

    Returns
    -------
    float, array or Series
        Volume [bbl].
    """
    return rate_bbl_per_day * _days(period, rate_bbl_per_day)


def tonnes_to_bpd(tonnes: Numeric, period: str | pd.Series, bbl_per_tonne: float = BARRELS_PER_TONNE_CRUDE) -> Numeric:
    """Crude tonnes over a period -> average barrels per day over the period's real days.

    Parameters
    ----------
    tonnes : float, array or Series
        Mass of crude over the period [t].
    period : str or Series of str
        As in :func:`barrels_per_day`.
    bbl_per_tonne : float, default :data:`BARRELS_PER_TONNE_CRUDE`
        Barrels per tonne [bbl/t].

    Returns
    -------
    float, array or Series
        Rate [bbl/d].
    """
    return barrels_per_day(tonnes_to_barrels(tonnes, bbl_per_tonne), period)


def bpd_to_tonnes(
    rate_bbl_per_day: Numeric, period: str | pd.Series, bbl_per_tonne: float = BARRELS_PER_TONNE_CRUDE
) -> Numeric:
    """Average barrels per day over a period -> crude tonnes over the period (inverse of :func:`tonnes_to_bpd`).

    Parameters
    ----------
    rate_bbl_per_day : float, array or Series
        Rate [bbl/d].
    period : str or Series of str
        As in :func:`barrels_per_day`.
    bbl_per_tonne : float, default :data:`BARRELS_PER_TONNE_CRUDE`
        Barrels per tonne [bbl/t].

    Returns
    -------
    float, array or Series
        Mass [t].
    """
    return barrels_to_tonnes(bpd_to_barrels(rate_bbl_per_day, period), bbl_per_tonne)


def lng_tonnes_to_bcm(tonnes: Numeric) -> Numeric:
    """LNG tonnes -> billion cubic metres of natural gas, at :data:`BCM_PER_MT_LNG`.

    Parameters
    ----------
    tonnes : float, array or Series
        Mass of LNG [t].

    Returns
    -------
    float, array or Series
        Gas volume [bcm].
    """
    return tonnes / TONNES_PER_MT * BCM_PER_MT_LNG


def bcm_to_lng_tonnes(bcm: Numeric) -> Numeric:
    """Billion cubic metres of natural gas -> LNG tonnes (the inverse of :func:`lng_tonnes_to_bcm`).

    Parameters
    ----------
    bcm : float, array or Series
        Gas volume [bcm].

    Returns
    -------
    float, array or Series
        Mass of LNG [t].
    """
    return bcm / BCM_PER_MT_LNG * TONNES_PER_MT
