"""When figures became public: the release calendar of each source, read from ``release_calendar.yml``.

The calendar is data (``energytrade/release_calendar.yml``, with what the raw files say about it); this
module reads it and answers "from which day was this period's figure known?".

China customs (the rule of every source that republishes its figures): month *m*'s partner detail is known
from the 20th of month *m* + 1; January and February are published together, from 20 March. Press figures
(``gacc_press``) are known from the day the outlet printed them (the clean column ``published_on``); a row
without a date follows China customs' rule. A user can replace the month rule by a fixed lag
(:meth:`ReleaseCalendar.with_lag`, the command line's ``--lag-days``): a month is then known ``lag_days``
days after its last day, January included.

Examples
--------
>>> cal = load_calendar()
>>> cal.known_from("comtrade_extract", "2022-11")
datetime.date(2022, 12, 20)
>>> cal.known_from("comtrade_extract", "2023-01"), cal.known_from("comtrade_extract", "2023-02")
(datetime.date(2023, 3, 20), datetime.date(2023, 3, 20))
>>> cal.known_from("comtrade_extract", "2022")
datetime.date(2023, 1, 20)
>>> str(cal.latest_known_month("comtrade_extract", date(2023, 3, 1)))
'2022-12'
>>> cal.with_lag(20).known_from("comtrade_extract", "2023-01")
datetime.date(2023, 2, 20)
>>> press_known_from("2022-12"), press_known_from("2023-01-15")
(datetime.date(2022, 12, 31), datetime.date(2023, 1, 15))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from energytrade.errors import CalendarError
from energytrade.periods import Month, parse_period
from energytrade.yamlfiles import safe_load

CALENDAR_FILE = "release_calendar.yml"
#: The rule used for a source the calendar does not list (China customs' rule, the file's ``china_customs``).
DEFAULT_RULE = "china_customs"
_RULES = ("monthly_release", "published_on")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class MonthlyRelease:
    """Month *m* known from ``day`` of *m* + 1; ``joint_months`` published with ``with_month``.

    ``lag_days`` (an override) replaces the rule: a month is known ``lag_days`` days after its last day.
    """

    day: int = 20
    joint_months: tuple[int, ...] = ()
    with_month: int | None = None
    lag_days: int | None = None

    def month_known_from(self, month: Month) -> date:
        if self.lag_days is not None:
            return date(month.year, month.month, month.days) + timedelta(days=self.lag_days)
        published = month
        if month.month in self.joint_months and self.with_month is not None:
            published = Month(month.year, self.with_month)
        nxt = published.shift(1)
        return date(nxt.year, nxt.month, min(self.day, nxt.days))

    def known_from(self, period: str) -> date:
        """A period is known when every month of it is (a span: its latest release)."""
        span = parse_period(period)
        return max(self.month_known_from(span.end), self.month_known_from(span.start))

    def latest_known_month(self, as_of: date) -> Month:
        month = Month(as_of.year, as_of.month)
        while self.month_known_from(month) > as_of:
            month = month.shift(-1)
        return month

    def release_dates(self, start: date, end: date) -> list[date]:
        """Every day in ``[start, end]`` on which some month's figures were released, in order."""
        first, last = Month(start.year, start.month).shift(-3), Month(end.year, end.month)
        days = set()
        month = first
        while month <= last:
            day = self.month_known_from(month)
            if start <= day <= end:
                days.add(day)
            month = month.shift(1)
        return sorted(days)


@dataclass(frozen=True)
class ReleaseCalendar:
    """Source -> release rule. Press sources (``published_on``) date each row; others follow a month rule."""

    rules: Mapping[str, MonthlyRelease]
    dated_by_row: frozenset[str] = frozenset()
    lag_days: int | None = None

    def rule(self, source: str) -> MonthlyRelease:
        return self.rules.get(source, self.rules[DEFAULT_RULE])

    def known_from(self, source: str, period: str) -> date:
        """The first day ``period``'s figures of ``source`` count as known (press: the month rule, used
        for rows without a publication date)."""
        return self.rule(source).known_from(period)

    def latest_known_month(self, source: str, as_of: date) -> Month:
        return self.rule(source).latest_known_month(as_of)

    def is_dated_by_row(self, source: str) -> bool:
        return source in self.dated_by_row

    def with_lag(self, lag_days: int) -> ReleaseCalendar:
        """The user's override: every month known ``lag_days`` days after its last day (no joint release)."""
        if isinstance(lag_days, bool) or not isinstance(lag_days, int) or lag_days < 0:
            raise CalendarError(f"--lag-days must be a whole number of days >= 0, got {lag_days!r}; e.g. 20")
        rule = MonthlyRelease(lag_days=lag_days)
        return ReleaseCalendar({s: rule for s in self.rules}, self.dated_by_row, lag_days)


def press_known_from(published_on: str) -> date | None:
    """A press row's publication date -> the day it counts as known: the day itself, or for a date known
    only to the month (``YYYY-MM``) the month's last day; ``None`` for an empty value."""
    text = str(published_on or "").strip()
    if _DAY.match(text):
        return date.fromisoformat(text)
    if _MONTH.match(text):
        month = Month(int(text[:4]), int(text[5:7]))
        return date(month.year, month.month, month.days)
    return None


def _fail(where: str, message: str) -> CalendarError:
    return CalendarError(f"release calendar {where}: {message}")


def _monthly(where: str, name: str, raw: Any) -> MonthlyRelease:
    if not isinstance(raw, Mapping) or raw.get("rule") != "monthly_release":
        raise _fail(where, f"source {name!r} needs rule: monthly_release (with day: 20) or published_on")
    day = raw.get("day")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise _fail(where, f"source {name!r}: day must be a day of the month 1-31, e.g. day: 20")
    joint = raw.get("joint_release") or {}
    months = tuple(joint.get("months") or ())
    with_month = joint.get("with_month")
    if months and (with_month not in range(1, 13) or any(m not in range(1, 13) for m in months)):
        raise _fail(where, f"source {name!r}: joint_release needs months (1-12) and with_month, e.g. months: [1, 2]")
    return MonthlyRelease(day=day, joint_months=months, with_month=with_month)


def calendar_from_yaml(text: str, where: str = CALENDAR_FILE) -> ReleaseCalendar:
    """Calendar YAML text -> a :class:`ReleaseCalendar`; :class:`CalendarError` naming what to write."""
    try:
        doc = safe_load(text)
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else "syntax error"
        raise _fail(where, f"is not valid YAML ({first}); fix it or restore the bundled file") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("sources"), Mapping):
        raise _fail(where, "must hold a mapping 'sources:' of source name -> {rule: monthly_release, day: 20}")
    raw_rules = doc["sources"]
    rules: dict[str, MonthlyRelease] = {}
    dated: set[str] = set()
    for name, raw in raw_rules.items():
        if isinstance(raw, Mapping) and raw.get("rule") == "published_on":
            fallback = raw.get("fallback")
            if fallback not in raw_rules or fallback == name:
                raise _fail(where, f"source {name!r}: published_on needs fallback: <a monthly_release source>")
            rules[name] = _monthly(where, str(fallback), raw_rules[fallback])
            dated.add(name)
        elif isinstance(raw, Mapping) and raw.get("rule") not in _RULES:
            raise _fail(where, f"source {name!r}: unknown rule {raw.get('rule')!r}; use one of {', '.join(_RULES)}")
        else:
            rules[name] = _monthly(where, name, raw)
    if DEFAULT_RULE not in rules:
        raise _fail(where, f"needs a {DEFAULT_RULE!r} entry (the rule for sources not listed)")
    return ReleaseCalendar(rules, frozenset(dated))


def load_calendar(path: str | Path | None = None) -> ReleaseCalendar:
    """The release calendar of ``path`` (default: the package's ``release_calendar.yml``)."""
    if path is None:
        text = resources.files("energytrade").joinpath(CALENDAR_FILE).read_text(encoding="utf-8")
        return calendar_from_yaml(text)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise _fail(str(path), f"cannot be read ({err.strerror}); give an existing YAML file") from None
    return calendar_from_yaml(text, str(path))
