"""The article's claims, evaluated from data: as known on the article's date, and with what came later.

The article (``shared/article.txt``, 2022-12-30, on the Putin–Xi video summit) makes three claims that
trade statistics can check. They are data, in ``energytrade/claims/claims.yml``; one engine evaluates
every kind, so a new claim of these kinds is a new YAML entry, not new code.

=====================================  ===================  =============================================
claim                                  kind                 judged on
=====================================  ===================  =============================================
``russia-largest-oil-supplier``        largest_supplier     China's crude oil (HS 2709) imports by partner:
                                                            is Russia first? tonnes and dollars; the latest
                                                            known month, its year to date, each calendar
                                                            year from 2020 to the last complete one
``russia-energy-exports-to-china-      change_over_period   China's imports from Russia of crude, LNG,
surged``                                                    pipeline gas and coal, per commodity (tonnes and
                                                            dollars; pipeline gas dollars only) and in total
                                                            (dollars): 2022-03 (first full month of the war)
                                                            to the latest known month, against the same
                                                            months a year earlier; "dramatically" = at least
                                                            +25 %. Later: the first 12 war months, and each
                                                            calendar year from 2022 against the one before
``russia-gas-supplies-to-china-rise``  forecast_vs_outcome  2023 against 2022: pipeline gas bcm (press,
                                                            Gazprom), pipeline gas dollars, LNG tonnes and
                                                            dollars, gas in total (dollars); "increase" =
                                                            any rise; judged on bcm and tonnes only
=====================================  ===================  =============================================

The as-of rule
--------------
A month's customs figures count as known from ``lag_days`` days after the month ends (default 20: the 20th
of the following month). A span (year to date, calendar year) is known when its last month is, so an annual
figure is known when its December is. The same rule dates press figures. The default as-of date is the
article's, 2022-12-30: figures up to 2022-11 were known then. Findings over windows not yet known on the
as-of date are still computed and kept, with ``known_at_as_of: false`` and the date they became known
(``known_from``).

The windows of a claim (the same for every measure)
---------------------------------------------------
"The latest known month" is one month for the whole claim: the latest month whose figures count as known
on the as-of date, capped at the claim's newest month, the newest month for which any source in the data
holds a figure of any of the claim's commodities (its importer and flow; any partner, metric or frequency;
a year counts as its December). The cap lets an as-of date beyond the data (today, say) judge the newest
figures there are; when it applies, the summary says so and the notes of the windows it shortens name the
published months that are not in the data. The latest month, its year to date and a span up to the latest
month end there for every measure: a measure without data for such a window gets an INCONCLUSIVE finding
naming the measure and the months, never a window ending in an older month of its own. Calendar years run
from the spec's ``first_year`` to the last year whose December is no later than the claim's newest month,
again the same for every measure. When the claim's newest month is later than the latest known month, the
same windows ending in it are evaluated as later findings.

How a finding is judged
-----------------------
largest_supplier
    SUPPORTED when the exporter ranks first over the window, NOT_SUPPORTED when another partner does.
change_over_period, forecast_vs_outcome
    ``change_pct = (value - baseline_value) / baseline_value * 100``; SUPPORTED when it passes the spec's
    threshold (``>=`` for ``at_least_pct``, ``>`` for ``above_pct``), NOT_SUPPORTED otherwise. The actual
    change is always shown, so readers can apply their own threshold.
INCONCLUSIVE
    A month of the window (or baseline) has no data in any of the measure's sources (e.g. tonnes in a month
    for which only values were published), or a compared figure is missing (a row with no figure; for
    rankings: the leader's, runner-up's or exporter's, or that of any partner ranking in the top three by
    the other metric, which could be the leader). ``missing`` names the months and the measure. Nothing is
    ever filled or interpolated.

The verdict rule (a claim's overall verdict)
--------------------------------------------
Take the findings known on the as-of date whose metric counts (the spec's ``verdict_metrics``, default all):

1. none -> INCONCLUSIVE (the summary names the windows needed and when they became known);
2. some SUPPORTED and some NOT_SUPPORTED -> MIXED (whatever the inconclusive ones would say);
3. else any INCONCLUSIVE -> INCONCLUSIVE (the summary names the missing months);
4. else all SUPPORTED -> SUPPORTED; all NOT_SUPPORTED -> NOT_SUPPORTED.

The same rule over the later findings gives ``later_verdict`` and the summary's "From <date> on, ..."
sentence; it never changes ``verdict``.

Data choices
------------
- Sources per window: a measure lists sources in order of preference (UN Comtrade extract 2020-2024, then
  China customs' query 2025 on, values only); each window uses the first that covers all its months.
- Mixed sources: a change whose window and baseline come from different sources (2025 from China customs'
  query against 2024 from UN Comtrade) is kept, but says so: ``data_sources`` lists both, a note names the
  source of each window, and the summary sentence of that window says "mixed sources". A total whose parts
  come from different sources within one window gets a note too.
- A partner absent from a month that has data is summed as reported (customs list only partners with trade);
  the finding's note names the month.
- Pipeline-gas volumes (bcm) exist only as press figures (``gacc_press``); several outlets report the same
  year. Rule: the figure tagged ``[Gazprom...]`` (else ``[GACC...]``); among those, the most precise (most
  decimals). Every other outlet's figure is kept in ``alternatives``, and ``change_pct_range`` gives the
  change whichever outlets one takes.
- Tonnes of different fuels are not added: totals are in dollars only. Barrels per day are not a separate
  metric for the crude ranking: within one window they rank suppliers exactly as tonnes do.

Python
------
>>> from energytrade import claims                                    # doctest: +SKIP
>>> results = claims.evaluate()                     # as of 2022-12-30  # doctest: +SKIP
>>> results = claims.evaluate(as_of="2024-06-30", flows=flows)        # doctest: +SKIP
>>> print(claims.to_table(results))                                   # doctest: +SKIP
>>> claims.evidence_frame(results[0])                                 # doctest: +SKIP

JSON (``energytrade claims --json``): an array, one object per claim: ``id``, ``quote``, ``kind``,
``verdict``, ``later_verdict``, ``summary``, ``as_of``, ``lag_days``, ``threshold``, ``findings``. Each finding:
``type`` (``ranking`` | ``change``), ``commodity``, ``metric`` (``mass`` | ``value`` | ``volume`` | ``bpd``),
``unit`` (t, USD, bcm, bbl/d), ``window`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM``), ``verdict``,
``known_at_as_of``, ``known_from``, ``counts_toward_verdict``; rankings: ``leader_iso3``, ``leader_name``,
``leader_value``, ``runner_up_iso3``, ``runner_up_name``, ``runner_up_value``, ``margin_pct``,
``claimed_iso3``, ``claimed_rank``, ``claimed_value``, ``claimed_share_pct``; changes: ``partner_iso3``,
``value``, ``baseline_window``, ``baseline_value``, ``change_pct``, ``threshold_pct`` (press figures also
``change_pct_range``, ``alternatives``); then ``missing``, ``data_sources``, ``notes`` and ``sources`` (the
provenance of every raw row behind the numbers, ``raw/<source>/<vintage>/<file>#row=<n>``). The full JSON
Schema is :data:`JSON_SCHEMA`.
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
    for spec in specs:
        result = ClaimEvaluator(spec, flows, cal).evaluate(day)
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
    return [ClaimEvaluator(spec, flows, cal).timeline(first, last) for spec in specs]


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
