"""The article's claims, evaluated from data: as known on a date, on the newest data, and over time.

The article (``shared/article.txt``, 2022-12-30, on the Putin–Xi video summit) makes three claims that
trade statistics can check. They are data, in ``energytrade/claims/claims.yml``; one engine evaluates
every kind, so a new claim of these kinds is a new YAML entry, not new code. Evaluation returns data
(:class:`ClaimResult`, :class:`ClaimTimeline`); :mod:`energytrade.claims.prose` writes every sentence.

=====================================  ===================  =============================================
claim                                  kind                 judged on
=====================================  ===================  =============================================
``russia-largest-oil-supplier``        largest_supplier     a STATE claim: is Russia China's first crude
                                                            supplier (tonnes and dollars) over the latest
                                                            release, the latest 3 months, the trailing 12
                                                            months and the year to date (all counted);
                                                            calendar years from 2020 as context only
``russia-energy-exports-to-china-      change_over_period   a CHANGE since the war: crude, LNG, pipeline
surged``                                                    gas, coal and their total against the same
                                                            months before the war (2023 against 2021);
                                                            "dramatically" = at least +25 %
``russia-gas-supplies-to-china-rise``  forecast_vs_outcome  2023 against 2022: pipeline gas bcm (press,
                                                            Gazprom), LNG tonnes (counted); values shown
=====================================  ===================  =============================================

When figures are known
----------------------
From their release (:mod:`energytrade.calendar`, ``energytrade/release_calendar.yml``): China customs'
month *m* from the 20th of *m* + 1, January and February together from 20 March; press figures from the
day an outlet first printed them (``published_on``). ``lag_days`` overrides the calendar (every month
known that many days after its end). The default as-of date is the article's, 2022-12-30.

Windows
-------
A claim's windows end in its latest known month: the latest month released by the as-of date, capped at
the newest month any source in the data holds for the claim's commodities (the same for every measure; a
measure without data there is INCONCLUSIVE, naming the months). Rules: ``latest_release``,
``latest_month``, ``last_months`` (``months``), ``year_to_date``, ``calendar_years`` (``first_year``),
``span_to_latest`` (``start``, ``max_months``), ``fixed`` (``period``); ``counts_toward_verdict: false``
marks context. Baselines: ``year_earlier``, ``before_event`` (the same months before the claim's
``since`` month, whole years earlier) or a period. The findings known on the as-of date give
``verdict``; the same windows ending in the newest month of the data give ``later_verdict`` (the verdict
on the newest data).

How a finding is judged
-----------------------
largest_supplier
    SUPPORTED when the exporter ranks first over the window, NOT_SUPPORTED when another partner does.
change_over_period, forecast_vs_outcome
    ``change_pct = (value - baseline_value) / baseline_value * 100``; SUPPORTED when it passes the spec's
    threshold (``>=`` for ``at_least_pct``, ``>`` for ``above_pct``), NOT_SUPPORTED otherwise.
INCONCLUSIVE
    A month of the window (or baseline) has no data in any of the measure's sources, or a compared figure
    is missing; ``missing`` names the months and the measure. Nothing is ever filled or interpolated.
    Where a measure has ``press_fallback`` and the tables lack the metric, China customs' figure as the
    press printed it is used (labelled as a press figure; a press ranking only when the press printed
    every partner in the top three by value).

The verdict rule (a claim's overall verdict)
--------------------------------------------
Over the counted findings (``counts_toward_verdict``: the window counts and the metric is one of the
spec's ``verdict_metrics``): INCONCLUSIVE only when none has data; SUPPORTED and NOT_SUPPORTED both among
those with data -> MIXED; else the verdict they share. Findings without data are named in the summary.

Timeline
--------
:func:`timeline` evaluates each claim on every release day in a range: the verdict per day, the headline
margin, ``first_supported_on`` and ``supported_since`` (the first day of the SUPPORTED run lasting to the
end). :func:`evaluate` fills both dates from 2022-01 to the newest release, and the bottom line from them.

Python
------
>>> from energytrade import claims                                    # doctest: +SKIP
>>> results = claims.evaluate()                     # as of 2022-12-30  # doctest: +SKIP
>>> results = claims.evaluate(as_of="2024-06-30", flows=flows)        # doctest: +SKIP
>>> print(results[0].bottom_line)                                     # doctest: +SKIP
>>> lines = claims.timeline(start="2022-01", ids=["russia-largest-oil-supplier"])  # doctest: +SKIP

JSON (``energytrade claims --json``): an array, one object per claim: ``id``, ``quote``, ``bottom_line``,
``kind``, ``verdict``, ``later_verdict``, ``first_supported_on``, ``supported_since``, ``summary``,
``as_of``, ``lag_days``, ``threshold``, ``findings`` (each with ``type``, ``commodity``, ``metric``,
``unit``, ``window``, ``verdict``, ``known_at_as_of``, ``known_from``, ``counts_toward_verdict``, the
ranking or change figures, ``missing``, ``data_sources``, ``notes`` and ``sources``, the provenance of
every raw row behind the numbers). The full JSON Schema is :data:`JSON_SCHEMA`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

import pandas as pd

from energytrade.build import load_trade_flows
from energytrade.calendar import ReleaseCalendar, load_calendar
from energytrade.claims import prose
from energytrade.claims.asof import (
    ARTICLE_DATE,
    DEFAULT_LAG_DAYS,
    is_known,
    known_from,
    latest_known_month,
    parse_as_of,
)
from energytrade.claims.engine import TIMELINE_START, ClaimEvaluator, claim_verdicts, combine, evaluate_claim
from energytrade.claims.evidence import SharedViews
from energytrade.claims.output import EVIDENCE_COLUMNS, evidence_frame, timeline_json, timeline_table, to_json, to_table
from energytrade.claims.results import (
    INCONCLUSIVE,
    JSON_SCHEMA,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    VERDICTS,
    ClaimResult,
    ClaimTimeline,
    Finding,
    TimelinePoint,
)
from energytrade.claims.spec import (
    ClaimSpec,
    Measure,
    Threshold,
    WindowRule,
    check_unique,
    load_specs,
    spec_from_dict,
    specs_from_yaml,
)
from energytrade.errors import BadDate, UnknownClaim


def _calendar(calendar: ReleaseCalendar | None, lag_days: int | None) -> ReleaseCalendar:
    calendar = load_calendar() if calendar is None else calendar
    return calendar if lag_days is None else calendar.with_lag(lag_days)


def _specs(specs: Iterable[ClaimSpec] | None, ids: Iterable[str] | None) -> tuple[ClaimSpec, ...]:
    specs = load_specs() if specs is None else check_unique(specs)
    if ids is None:
        return specs
    known = {s.id: s for s in specs}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UnknownClaim(f"unknown claim id {unknown[0]!r}; use one of: {', '.join(known)}")
    return tuple(known[i] for i in ids)


def evaluate(
    as_of: str | date | None = None,
    data_dir: str | os.PathLike | None = None,
    flows: pd.DataFrame | None = None,
    lag_days: int | None = None,
    specs: Iterable[ClaimSpec] | None = None,
    calendar: ReleaseCalendar | None = None,
    ids: Iterable[str] | None = None,
) -> list[ClaimResult]:
    """Evaluate claims from the clean table, as known on ``as_of``.

    Parameters
    ----------
    as_of : str, date or None
        ``YYYY-MM-DD`` or a date; ``None`` is the article's date, 2022-12-30.
    data_dir : path, optional
        Data root to load the clean table from (ignored when ``flows`` is given).
    flows : DataFrame, optional
        The clean table (``energytrade.build.load_trade_flows()``); pass it to avoid reloading.
    lag_days : int, optional
        Override the release calendar: every month known this many days after its end [d].
    specs : iterable of ClaimSpec, optional
        Default: the article's claims (``claims.yml``).
    calendar : ReleaseCalendar, optional
        Default: ``energytrade/release_calendar.yml``.
    ids : iterable of str, optional
        Only these claims (by id), in this order.

    Returns
    -------
    list of ClaimResult
        One per spec, in spec order, with ``bottom_line`` and ``summary`` written by
        :mod:`energytrade.claims.prose`.

    Raises
    ------
    BadDate
        ``as_of`` is not ``YYYY-MM-DD`` or lies outside the years the data could describe.
    ClaimSpecError, CalendarError, UnknownClaim
        A malformed spec or calendar, or an unknown claim id.
    """
    day = check_day(parse_as_of(as_of), "--as-of")
    cal = _calendar(calendar, lag_days)
    specs = _specs(specs, ids)
    flows = load_trade_flows(data_dir) if flows is None else flows
    results = []
    views = SharedViews(flows, cal)
    for spec in specs:
        result = ClaimEvaluator(spec, flows, cal, views.of(spec)).evaluate(day)
        results.append(replace(result, summary=prose.summary(result), bottom_line=prose.bottom_line(result)))
    return results


#: The as-of dates the claims can be asked about: customs tables by partner exist from the 1990s; a date
#: beyond this century is a typo.
EARLIEST_AS_OF, LATEST_AS_OF = date(1990, 1, 1), date(2100, 12, 31)


def check_day(day: date, what: str) -> date:
    """Reject dates no data can describe (``0001-01-01``, ``9999-12-31``) with a one-line :class:`BadDate`."""
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise BadDate(
            f"{what} {day.isoformat()} is outside {EARLIEST_AS_OF.year}-{LATEST_AS_OF.year}; give a date such as "
            "2022-12-30 (the article's) or today's"
        )
    return day


def _month_bound(text: str | date | None, end: bool, what: str) -> date | None:
    if text is None or isinstance(text, date):
        return text
    value = str(text).strip()
    if len(value) == 7:
        try:
            month = pd.Period(value, freq="M")
        except ValueError:
            month = None
        if month is None or value[4] != "-":
            raise BadDate(f"bad {what} {text!r}: expected YYYY-MM or YYYY-MM-DD, e.g. 2022-01")
        return (month.end_time if end else month.start_time).date()
    try:
        return parse_as_of(value)
    except BadDate:
        raise BadDate(f"bad {what} {text!r}: expected YYYY-MM or YYYY-MM-DD, e.g. 2022-01") from None


def timeline(
    start: str | date | None = None,
    end: str | date | None = None,
    data_dir: str | os.PathLike | None = None,
    flows: pd.DataFrame | None = None,
    lag_days: int | None = None,
    specs: Iterable[ClaimSpec] | None = None,
    calendar: ReleaseCalendar | None = None,
    ids: Iterable[str] | None = None,
    today: date | None = None,
) -> list[ClaimTimeline]:
    """Each claim's verdict on every release day from ``start`` to ``end``.

    Parameters
    ----------
    start, end : str or date, optional
        ``YYYY-MM`` (the month's first / last day) or ``YYYY-MM-DD``; default 2022-01 to today.
    today : date, optional
        The default end (default: the machine's date).

    Returns
    -------
    list of ClaimTimeline
        Per claim: the points (day, verdict, headline figure), ``first_supported_on``, ``supported_since``.

    Raises
    ------
    BadDate
        A bad date, or ``start`` after ``end``.
    """
    first = check_day(_month_bound(start, False, "--start") or TIMELINE_START, "--start")
    last = check_day(_month_bound(end, True, "--end") or today or date.today(), "--end")
    if first > last:
        raise BadDate(f"--start {first} is after --end {last}; give a start before the end, e.g. --start 2022-01")
    cal = _calendar(calendar, lag_days)
    specs = _specs(specs, ids)
    flows = load_trade_flows(data_dir) if flows is None else flows
    views = SharedViews(flows, cal)
    return [ClaimEvaluator(spec, flows, cal, views.of(spec)).timeline(first, last) for spec in specs]


__all__ = [
    "ARTICLE_DATE",
    "DEFAULT_LAG_DAYS",
    "EVIDENCE_COLUMNS",
    "INCONCLUSIVE",
    "JSON_SCHEMA",
    "MIXED",
    "NOT_SUPPORTED",
    "SUPPORTED",
    "TIMELINE_START",
    "VERDICTS",
    "ClaimEvaluator",
    "ClaimResult",
    "ClaimSpec",
    "ClaimTimeline",
    "Finding",
    "Measure",
    "Threshold",
    "TimelinePoint",
    "WindowRule",
    "BadDate",
    "check_day",
    "check_unique",
    "claim_verdicts",
    "combine",
    "evaluate",
    "evaluate_claim",
    "evidence_frame",
    "is_known",
    "known_from",
    "latest_known_month",
    "load_specs",
    "parse_as_of",
    "prose",
    "spec_from_dict",
    "specs_from_yaml",
    "timeline",
    "timeline_json",
    "timeline_table",
    "to_json",
    "to_table",
]
