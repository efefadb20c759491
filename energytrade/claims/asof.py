"""Dates: the as-of date's parser, and the fixed-lag rule the report's tables still use.

The claims themselves date figures by the release calendar (:mod:`energytrade.calendar`: January and
February together in March, press figures by the day printed); this module's fixed lag is what
``--lag-days`` / ``evaluate(lag_days=...)`` selects.

The fixed-lag rule
------------------
A month's customs figures count as known from ``lag_days`` days after the month's last day — with the
default of 20 days, from the 20th of the following month (China's customs publish partner detail for a
month around the 20th of the next one; 2022-11 figures are known from 2022-12-20, 2023-02 figures from
2023-03-20). A span of months (a year to date, a calendar year, ``YYYY-MM/YYYY-MM``) is known when its
last month is known, so an annual figure is known when its December is (2022 from 2023-01-20). The same
rule dates press figures (``gacc_press``): a figure for 2022 counts as known from 2023-01-20 whatever
day the outlet printed it.

Examples
--------
>>> from datetime import date
>>> known_from("2022-11")
datetime.date(2022, 12, 20)
>>> known_from("2022")
datetime.date(2023, 1, 20)
>>> str(latest_known_month(date(2022, 12, 30)))
'2022-11'
>>> str(latest_known_month(date(2022, 12, 19)))
'2022-10'
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from energytrade.errors import BadDate
from energytrade.events import ARTICLE_DATE
from energytrade.periods import Month, parse_period

#: Days after a month's last day from which its customs figures count as known (20 -> the 20th of the
#: next month). A parameter of :func:`energytrade.claims.evaluate`.
DEFAULT_LAG_DAYS = 20

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(as_of: str | date | None) -> date:
    """``None`` (the article's date), a ``YYYY-MM-DD`` string or a date -> a :class:`datetime.date`.

    Raises
    ------
    BadDate
        For any other text or an impossible date, saying what to write instead.

    Examples
    --------
    >>> parse_as_of(None)
    datetime.date(2022, 12, 30)
    >>> parse_as_of("2024-06-30")
    datetime.date(2024, 6, 30)
    """
    if as_of is None:
        return ARTICLE_DATE
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    text = str(as_of).strip()
    if not _ISO_DATE.match(text):
        raise BadDate(f"bad as-of date {as_of!r}: expected YYYY-MM-DD, e.g. 2022-12-30 (the article's date)")
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise BadDate(f"bad as-of date {as_of!r}: {err}; expected a real calendar day as YYYY-MM-DD") from None


def _check_lag(lag_days: int) -> int:
    if isinstance(lag_days, bool) or not isinstance(lag_days, int) or lag_days < 0:
        raise ValueError(f"lag_days must be a whole number of days >= 0, got {lag_days!r}")
    return lag_days


def month_known_from(month: Month, lag_days: int = DEFAULT_LAG_DAYS) -> date:
    """The first day on which ``month``'s customs figures count as known [date]."""
    last_day = date(month.year, month.month, month.days)
    return last_day + timedelta(days=_check_lag(lag_days))


def known_from(period: str, lag_days: int = DEFAULT_LAG_DAYS) -> date:
    """The first day a period's figures count as known: its last month's day of publication.

    Parameters
    ----------
    period : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM``.
    lag_days : int, default :data:`DEFAULT_LAG_DAYS`
        Days after the last month's end [d].
    """
    return month_known_from(parse_period(period).end, lag_days)


def is_known(period: str, as_of: date, lag_days: int = DEFAULT_LAG_DAYS) -> bool:
    """Whether all of ``period``'s figures count as known on ``as_of`` (the day itself included)."""
    return known_from(period, lag_days) <= as_of


def latest_known_month(as_of: date, lag_days: int = DEFAULT_LAG_DAYS) -> Month:
    """The latest month whose figures count as known on ``as_of`` (whatever data a table holds)."""
    month = Month(as_of.year, as_of.month)
    while month_known_from(month, lag_days) > as_of:
        month = month.shift(-1)
    return month
