"""Periods as energytrade writes them: ``YYYY`` (calendar year), ``YYYY-MM`` (month) and
``YYYY-MM/YYYY-MM`` (an inclusive span of months, e.g. a year to date)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from energytrade.errors import BadPeriod

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})$")  # Comtrade's 202201


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def days(self) -> int:
        """Days in this month (29 in a leap February)."""
        return calendar.monthrange(self.year, self.month)[1]

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)


def parse_month(text: str) -> Month:
    """``"2022-03"`` (or Comtrade's ``"202203"``) -> ``Month(2022, 3)``; raises :class:`BadPeriod`.

    >>> parse_month("2022-03")
    Month(year=2022, month=3)
    """
    text = str(text).strip()
    match = _MONTH.match(text) or _COMPACT.match(text)
    if not match:
        raise BadPeriod(f"bad month {text!r}: expected YYYY-MM, e.g. 2022-03")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise BadPeriod(f"bad month {text!r}: month {month} is not 01..12")
    return Month(year, month)


@dataclass(frozen=True)
class Span:
    """An inclusive span of months."""

    start: Month
    end: Month

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise BadPeriod(f"bad span {self.start}/{self.end}: it ends before it starts")

    def __str__(self) -> str:
        if self.start.month == 1 and self.end.month == 12 and self.start.year == self.end.year:
            return f"{self.start.year:04d}"
        if self.start == self.end:
            return str(self.start)
        return f"{self.start}/{self.end}"

    def months(self) -> list[str]:
        """Every month in the span as ``YYYY-MM``."""
        out, current = [], self.start
        while current <= self.end:
            out.append(str(current))
            current = current.shift(1)
        return out

    @property
    def days(self) -> int:
        return sum(parse_month(m).days for m in self.months())


def parse_period(text: str) -> Span:
    """Any period energytrade writes -> the span of months it covers.

    >>> str(parse_period("2022"))
    '2022'
    >>> parse_period("2022-01/2022-11").months()[-1]
    '2022-11'
    """
    text = str(text).strip()
    if _YEAR.match(text):
        year = int(text)
        return Span(Month(year, 1), Month(year, 12))
    if "/" in text:
        left, _, right = text.partition("/")
        return Span(parse_month(left), parse_month(right))
    try:
        month = parse_month(text)
    except BadPeriod:
        raise BadPeriod(
            f"bad period {text!r}: expected YYYY (a year), YYYY-MM (a month) or YYYY-MM/YYYY-MM (a span)"
        ) from None
    return Span(month, month)


def days_in_period(text: str) -> int:
    """Days in a period (``2024`` -> 366, ``2023-02`` -> 28, ``2024-01/2024-02`` -> 60)."""
    return parse_period(text).days
