"""The claims engine: one evaluator judges every claim kind from its spec, the clean table and the calendar.

Pure: the clean table, specs and the release calendar in, data (:class:`~energytrade.claims.results.ClaimResult`,
:class:`~energytrade.claims.results.ClaimTimeline`) out, no I/O and no sentences (those are written by
:mod:`energytrade.claims.prose`). The rules it applies are written in the :mod:`energytrade.claims`
module docstring.

Speed: a :class:`ClaimEvaluator` cuts the table once per commodity and source and aggregates monthly
partner totals once (:class:`energytrade.claims.cube.MonthCube`); a figure over a window depends on the
data only (press figures also on the day they were printed), so it is computed once and reused by every
as-of date of a timeline, and a finding from the customs tables alone is judged once, whatever the day
(only whether it is known changes). Press rows are read as plain records grouped by the figure they give.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from energytrade.calendar import ReleaseCalendar, load_calendar
from energytrade.claims import evidence
from energytrade.claims.evidence import RankingFigures, TableView, WindowFigure, compress_months
from energytrade.claims.results import (
    INCONCLUSIVE,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    ClaimResult,
    ClaimTimeline,
    Finding,
    TimelinePoint,
)
from energytrade.claims.spec import (
    BEFORE_EVENT,
    MONTHLY_SOURCES,
    SOURCE_NAMES,
    YEAR_EARLIER,
    ClaimSpec,
    Measure,
    WindowRule,
)
from energytrade.formatting import join_words
from energytrade.periods import Month, Span, parse_month, parse_period

# ------------------------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class ClaimMonths:
    """The months a claim's moving windows end in: what was released by the as-of date, what the data hold.

    Attributes
    ----------
    published : Month
        The latest month released by the as-of date (the release calendar), whatever the data hold.
    data_end : Month or None
        The newest month for which any source in the table holds a figure of any of the claim's
        commodities (a year counts as its December). ``None`` when the table holds none.
    """

    published: Month
    data_end: Month | None

    @property
    def latest(self) -> Month:
        """The claim's latest known month: ``published``, capped at ``data_end`` (same for every measure)."""
        return self.published if self.data_end is None else min(self.published, self.data_end)

    @property
    def last(self) -> Month:
        """The newest month of the data (else ``published``): the end of the windows of ``later_verdict``."""
        return self.published if self.data_end is None else self.data_end

    @property
    def is_capped(self) -> bool:
        """Whether months were released by the as-of date beyond what any source in the data holds."""
        return self.data_end is not None and self.data_end < self.published

    @property
    def cap_note(self) -> str:
        if not self.is_capped:
            return ""
        return (
            f"figures up to {self.published} were released by the as-of date, but no source in the data "
            f"goes beyond {self.data_end} for the claim's commodities: {self.data_end} is taken as the latest "
            f"known month ({compress_months(Span(self.data_end.shift(1), self.published).months())} not in "
            "the data)"
        )


@dataclass(frozen=True)
class ResolvedWindow:
    """A window (and baseline) a finding is computed over; ``note`` says why it is what it is."""

    window: str
    baseline: str | None = None
    counts: bool = True
    note: str = ""
    rule_index: int = 0


def _label(start: Month, end: Month) -> str:
    return str(Span(start, end))


def before_event(window: str, since: str) -> str:
    """The same months before the event: ``window`` shifted back by whole years until it ends before
    ``since`` (the first month after the event).

    >>> before_event("2023", "2022-03"), before_event("2022-03/2022-11", "2022-03")
    ('2021', '2021-03/2021-11')
    >>> before_event("2023-06/2024-05", "2022-03")
    '2020-06/2021-05'
    """
    span = parse_period(window)
    first = parse_month(since)
    years = 1
    while span.end.shift(-12 * years) >= first:
        years += 1
    start, end = span.start.shift(-12 * years), span.end.shift(-12 * years)
    return str(start.year) if len(window) == 4 else _label(start, end)


def _baseline(rule: WindowRule, window: str, since: str | None) -> str | None:
    if rule.baseline is None:
        return None
    if rule.baseline == YEAR_EARLIER:
        span = parse_period(window)
        return _label(span.start.shift(-12), span.end.shift(-12))
    if rule.baseline == BEFORE_EVENT:
        return before_event(window, str(since))
    return str(parse_period(rule.baseline))


def release_months(end: Month, calendar_rule) -> tuple[Month, Month]:
    """The months released together with ``end`` (January-February when they are published jointly)."""
    joint = getattr(calendar_rule, "joint_months", ())
    with_month = getattr(calendar_rule, "with_month", None)
    if getattr(calendar_rule, "lag_days", None) is None and end.month == with_month and end.month in joint:
        return Month(end.year, min(joint)), end
    return end, end


def windows_ending(
    rule: WindowRule, end: Month, since: str | None = None, calendar_rule=None, note: str = ""
) -> list[ResolvedWindow]:
    """The windows a rule gives when the claim's latest month is ``end`` (the same for every measure).

    A measure lacking data for a window gets an INCONCLUSIVE finding naming the months, never another
    window. Windows of a claim with ``since`` never start before it.

    Examples
    --------
    >>> [w.window for w in windows_ending(WindowRule("last_months", months=3), Month(2022, 11))]
    ['2022-09/2022-11']
    >>> [w.window for w in windows_ending(WindowRule("calendar_years", first_year=2021), Month(2023, 11))]
    ['2021', '2022']
    >>> [w.window for w in windows_ending(WindowRule("last_months", months=12), Month(2022, 11), "2022-03")]
    ['2022-03/2022-11']
    """
    starts: list[tuple[Month, Month]] = []
    if rule.rule == "latest_month":
        starts = [(end, end)]
    elif rule.rule == "latest_release":
        starts = [release_months(end, calendar_rule)]
    elif rule.rule == "last_months":
        starts = [(end.shift(1 - int(rule.months)), end)]
    elif rule.rule == "year_to_date":
        starts = [(Month(end.year, 1), end)]
    elif rule.rule == "calendar_years":
        last_year = end.year if end.month == 12 else end.year - 1
        starts = [(Month(y, 1), Month(y, 12)) for y in range(int(rule.first_year), last_year + 1)]
    elif rule.rule == "span_to_latest":
        start = parse_month(str(rule.start))
        if end >= start:
            starts = [(start, min(end, start.shift(int(rule.max_months) - 1)))]
    elif rule.rule == "fixed":
        span = parse_period(str(rule.period))
        return [ResolvedWindow(str(span), _baseline(rule, str(span), since), rule.counts_toward_verdict)]
    out = []
    for start, stop in starts:
        if since is not None and rule.rule != "calendar_years":
            start = max(start, parse_month(since))
            if start > stop:
                continue
        whole_year = start.month == 1 and stop.month == 12 and start.year == stop.year
        window = str(start.year) if whole_year else _label(start, stop)
        ends_latest = stop == end and rule.rule != "calendar_years"
        out.append(
            ResolvedWindow(
                window, _baseline(rule, window, since), rule.counts_toward_verdict, note if ends_latest else ""
            )
        )
    return out


# ------------------------------------------------------------------------------------------ verdicts


def combine(findings: Iterable[Finding]) -> str | None:
    """The verdict rule over the findings that count (module docstring of :mod:`energytrade.claims`).

    ``None`` when no finding counts; INCONCLUSIVE only when no counted finding has data; MIXED when
    counted findings with data include both SUPPORTED and NOT_SUPPORTED; else the verdict they share.
    Counted findings without data are not outweighed by, and do not outweigh, those with data (the
    summary names them).
    """
    counted = [f.verdict for f in findings if f.counts_toward_verdict]
    if not counted:
        return None
    with_data = {v for v in counted if v != INCONCLUSIVE}
    if not with_data:
        return INCONCLUSIVE
    if {SUPPORTED, NOT_SUPPORTED} <= with_data:
        return MIXED
    return with_data.pop()


def claim_verdicts(findings: list[Finding]) -> tuple[str, str | None]:
    """``(verdict over the findings known at the as-of date, verdict over the rest)`` (compatibility)."""
    known = combine(f for f in findings if f.known_at_as_of)
    later = combine(f for f in findings if not f.known_at_as_of)
    return known or INCONCLUSIVE, later


def stretches(points: list[tuple[date, str]]) -> tuple[date | None, date | None]:
    """``(first_supported_on, supported_since)`` of dated verdicts in date order.

    ``supported_since`` is the first date of the last run of SUPPORTED that lasts to the last point
    (``None`` when the last verdict is not SUPPORTED).

    >>> d = [date(2023, m, 20) for m in (1, 2, 3, 4)]
    >>> stretches(list(zip(d, ["MIXED", "SUPPORTED", "MIXED", "SUPPORTED"])))
    (datetime.date(2023, 2, 20), datetime.date(2023, 4, 20))
    """
    first = next((day for day, v in points if v == SUPPORTED), None)
    since = None
    for day, verdict in points:
        if verdict == SUPPORTED:
            since = since or day
        else:
            since = None
    return first, since


# --------------------------------------------------------------------------------------------- evaluator


class ClaimEvaluator:
    """Evaluates one claim on any as-of date; figures are computed once and reused across dates.

    Parameters
    ----------
    spec : ClaimSpec
    flows : DataFrame
        The clean table.
    calendar : ReleaseCalendar, optional
        Default: the bundled ``release_calendar.yml``.
    view : TableView, optional
        Cuts of ``flows`` already made for another claim with the same importer, flow and calendar
        (claims about one importer share them: each cut and aggregate is then made once).
    """

    def __init__(
        self,
        spec: ClaimSpec,
        flows: pd.DataFrame,
        calendar: ReleaseCalendar | None = None,
        view: TableView | None = None,
    ) -> None:
        self.spec = spec
        self.calendar = calendar if calendar is not None else load_calendar()
        if view is None or view.flows is not flows or (view.importer, view.flow) != (spec.importer, spec.flow):
            view = TableView(flows, spec.importer, spec.flow, self.calendar)
        elif view.calendar is not self.calendar:
            raise ValueError("a shared TableView must use the evaluator's calendar")
        self.view = view
        commodities = tuple(dict.fromkeys(c for m in spec.measures for c in m.commodities))
        self.data_end = self.view.newest_month(commodities)
        self.primary_source = spec.measures[0].sources[0]
        #: Everything computed once per evaluator (release days of windows, resolved windows, figures), by key
        #: (:meth:`_cached`; each key starts with what it names).
        self._memo: dict[tuple, Any] = {}
        #: (measure, window) -> (finding, known from) of findings that do not depend on the day (:meth:`_judge`).
        self._judged: dict[tuple[int, ResolvedWindow], tuple[Finding, date]] = {}

    # ---- dates

    def months(self, as_of: date) -> ClaimMonths:
        return ClaimMonths(self.calendar.latest_known_month(self.primary_source, as_of), self.data_end)

    def known_from(self, rw: ResolvedWindow) -> date:
        periods = [rw.window] + ([rw.baseline] if rw.baseline else [])
        return self._cached(
            ("known", rw.window, rw.baseline),
            lambda: max(self.calendar.known_from(self.primary_source, p) for p in periods),
        )

    def newest_as_of(self) -> date:
        """The day the newest month of the data was released (at least the calendar's date of it)."""
        end = self.data_end or Month(2000, 1)
        return self.calendar.known_from(self.primary_source, str(end))

    def release_dates(self, start: date, end: date) -> list[date]:
        """Release days in ``[start, end]``: the calendar's, and the days press figures of the claim's
        press measures were printed."""
        days = set(self.calendar.rule(self.primary_source).release_dates(start, end))
        for measure in self.spec.measures:
            if measure.is_press:
                for records in self.view.press_records(measure.sources[0]).values():
                    days |= {
                        r["known_on"]
                        for r in records
                        if r["commodity"] in measure.commodities
                        and r["partner_iso3"] == self.spec.exporter
                        and start <= r["known_on"] <= end
                    }
        return sorted(days)

    def resolved(self, end: Month, note: str = "") -> list[ResolvedWindow]:
        return self._cached(("resolved", end, note), lambda: self._resolve(end, note))

    def _resolve(self, end: Month, note: str) -> list[ResolvedWindow]:
        rule = self.calendar.rule(self.primary_source)
        out, seen = [], set()
        for index, window_rule in enumerate(self.spec.windows):
            for rw in windows_ending(window_rule, end, self.spec.since, rule, note):
                if (rw.window, rw.baseline) not in seen:
                    seen.add((rw.window, rw.baseline))
                    out.append(replace(rw, rule_index=index))
        return out

    # ---- figures (cached: they depend on the data, and for press rows on the day)

    def _cached(self, key: tuple, make):
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def _customs_figure(self, m_index: int, window: str) -> tuple[tuple, WindowFigure]:
        """``(key, figure)``: the exporter's figure from the customs tables (monthly sources), cached under key."""
        measure = self.spec.measures[m_index]
        if measure.is_total:
            key = ("total", m_index, window)
            make = lambda: evidence.total_partner_figure(  # noqa: E731
                self.view, measure.commodities, measure.metric, window, self.spec.exporter, measure.sources
            )
        else:
            key = ("monthly", m_index, window)
            make = lambda: evidence.monthly_partner_figure(  # noqa: E731
                self.view, measure.commodities[0], measure.metric, window, self.spec.exporter, measure.sources
            )
        return key, self._cached(key, make)

    def _press_figure(
        self, tag: str, m_index: int, window: str, source: str, press_as_of: date | None
    ) -> tuple[tuple, WindowFigure]:
        """``(key, figure)``: the exporter's figure over ``window`` as ``source`` (a press source) printed it by
        ``press_as_of``, cached under ``(tag, m_index, window, the rows printed)``."""
        measure = self.spec.measures[m_index]
        printed = evidence.printed_by(self.view, source, measure.commodities[0], window, press_as_of)
        key = (tag, m_index, window, printed)
        return key, self._cached(
            key,
            lambda: evidence.press_partner_figure(
                self.view,
                measure.commodities[0],
                measure.metric,
                window,
                self.spec.exporter,
                measure.press_outlets_preferred,
                source,
                press_as_of,
            ),
        )

    def _partner_figure(self, m_index: int, window: str, press_as_of: date | None) -> tuple[tuple, WindowFigure]:
        """``(key, figure)``: the exporter's figure over ``window``, cached under key (press figures: per set of
        rows printed by ``press_as_of``), so that a key names one figure for the evaluator's life."""
        measure = self.spec.measures[m_index]
        if measure.is_press:
            return self._press_figure("press", m_index, window, measure.sources[0], press_as_of)
        key, fig = self._customs_figure(m_index, window)
        if not _figure_falls_back(measure, fig):
            return key, fig
        (_, _, _, printed), press = self._press_figure("fallback", m_index, window, measure.press_fallback, press_as_of)
        if press.value is not None:
            key = ("fallback-used", m_index, window, printed)
            make = lambda: replace(  # noqa: E731
                press, notes=press.notes + tuple(f"instead of customs tables: {m}" for m in fig.missing)
            )
        else:
            key = ("fallback-missing", m_index, window, printed)
            make = lambda: replace(fig, missing=fig.missing + press.missing)  # noqa: E731
        return key, self._cached(key, make)

    def _customs_ranking(self, m_index: int, window: str) -> tuple[tuple, RankingFigures]:
        measure = self.spec.measures[m_index]
        key = ("ranking", m_index, window)
        return key, self._cached(
            key,
            lambda: evidence.ranking_figures(
                self.view, measure.commodities[0], measure.metric, window, self.spec.exporter, measure.sources
            ),
        )

    def _ranking(self, m_index: int, window: str, press_as_of: date | None) -> tuple[tuple, RankingFigures]:
        """``(key, figures)`` of the ranking over ``window``, cached under key (as :meth:`_partner_figure`)."""
        measure = self.spec.measures[m_index]
        key, fig = self._customs_ranking(m_index, window)
        if not _ranking_falls_back(measure, fig):
            return key, fig
        value_sources = (
            tuple(dict.fromkeys(s for m in self.spec.measures if m.metric == "value" for s in m.sources))
            or MONTHLY_SOURCES
        )
        printed = evidence.printed_by(self.view, measure.press_fallback, measure.commodities[0], window, press_as_of)
        key = ("press-ranking", m_index, window, printed)
        press = self._cached(
            key,
            lambda: evidence.press_ranking_figures(
                self.view,
                measure.commodities[0],
                measure.metric,
                window,
                self.spec.exporter,
                measure.press_fallback,
                measure.press_outlets_preferred,
                value_sources,
                press_as_of,
            ),
        )
        if press.leader_iso3 is not None:
            return key, press
        key = ("press-ranking-missing", m_index, window, printed)
        return key, self._cached(key, lambda: replace(fig, missing=fig.missing + press.missing))

    def _dated(self, m_index: int, rw: ResolvedWindow) -> bool:
        """Whether a finding can change with the as-of date other than by becoming known: when it uses press
        figures (its own, or standing in for the customs tables), which count from the day printed."""
        measure = self.spec.measures[m_index]
        if self.spec.kind == "largest_supplier":
            return _ranking_falls_back(measure, self._customs_ranking(m_index, rw.window)[1])
        if measure.is_press:
            return True
        windows = (rw.window, str(rw.baseline))
        return any(_figure_falls_back(measure, self._customs_figure(m_index, w)[1]) for w in windows)

    # ---- findings

    def finding(self, m_index: int, rw: ResolvedWindow, as_of: date | None) -> Finding:
        """One measure over one window; ``as_of`` limits press figures to those printed by then
        (``None``: every figure in the data, for the later findings)."""
        base, first_day, known = self._judge(m_index, rw, as_of)
        return replace(base, known_at_as_of=known, known_from=first_day)

    def _judge(self, m_index: int, rw: ResolvedWindow, as_of: date | None) -> tuple[Finding, date, bool]:
        """``(finding without its dates, known from, known on as_of)``: the timeline needs no more.

        A finding from the customs tables alone is the same on every as-of date (only whether it is known
        changes): it is judged once per window and measure. Findings using press figures are judged per
        set of rows printed by the day (:meth:`_dated`)."""
        judged = self._judged.get((m_index, rw))
        if judged is None:
            judged = self._judge_on(m_index, rw, as_of)
            if not self._dated(m_index, rw):
                self._judged[(m_index, rw)] = judged
        base, first_day = judged
        return base, first_day, as_of is not None and first_day <= as_of

    def _judge_on(self, m_index: int, rw: ResolvedWindow, as_of: date | None) -> tuple[Finding, date]:
        measure = self.spec.measures[m_index]
        counts = rw.counts and measure.metric in self.spec.verdict_metrics
        first_day = self.known_from(rw)
        if self.spec.kind == "largest_supplier":
            key, fig = self._ranking(m_index, rw.window, as_of)
            base = self._cached(
                ("finding", m_index, rw, key), lambda: _ranking_finding(self.spec, measure, rw, fig, counts)
            )
            known_on = fig.known_on
        else:
            now_key, now = self._partner_figure(m_index, rw.window, as_of)
            before_key, before = self._partner_figure(m_index, str(rw.baseline), as_of)
            base = self._cached(
                ("finding", m_index, rw, now_key, before_key),
                lambda: _change_finding(self.spec, measure, rw, now, before, counts),
            )
            dated = [d for d in (now.known_on, before.known_on) if d is not None]
            known_on = max(dated) if dated else None
        press = measure.is_press or measure.press_fallback in base.data_sources
        if known_on is not None and press and not base.missing:
            first_day = known_on  # a press figure is known from the day it was first printed
        return base, first_day

    def findings_at(self, as_of: date, months: ClaimMonths | None = None) -> list[Finding]:
        """The findings known on ``as_of`` (windows ending in the latest known month, and fixed or past
        windows already released), each measure over each window."""
        months = months or self.months(as_of)
        out = []
        for rw in self.resolved(months.latest, months.cap_note):
            for m_index in range(len(self.spec.measures)):
                out.append(self.finding(m_index, rw, as_of))
        return out

    def verdict_on(self, as_of: date) -> tuple[str, list[Finding]]:
        """The verdict on ``as_of`` and the known findings behind it (without their dates: speed)."""
        months = self.months(as_of)
        findings = []
        for rw in self.resolved(months.latest, months.cap_note):
            for m_index in range(len(self.spec.measures)):
                base, _, known = self._judge(m_index, rw, as_of)
                if known:
                    findings.append(base)
        return combine(findings) or INCONCLUSIVE, findings

    def evaluate(self, as_of: date, timeline_start: date | None = None) -> ClaimResult:
        """The claim on ``as_of``: findings known then, findings on the newest data, both verdicts, and
        the timeline from ``timeline_start`` (default :data:`TIMELINE_START`) to the newest release."""
        months = self.months(as_of)
        at_as_of = self.findings_at(as_of, months)
        known = [f for f in at_as_of if f.known_at_as_of]
        verdict = combine(known) or INCONCLUSIVE
        newest_day = max(as_of, self.newest_as_of())
        newest = []
        for rw in self.resolved(months.last):
            for m_index in range(len(self.spec.measures)):
                newest.append(self.finding(m_index, rw, None))
        later_verdict = combine(newest)
        seen = {_key(f) for f in known}
        later = []
        for f in newest + at_as_of:  # a window's figures on the newest data, not as printed by the as-of date
            if not f.known_at_as_of and _key(f) not in seen:
                seen.add(_key(f))
                later.append(f)
        timeline = self.timeline(timeline_start or TIMELINE_START, newest_day)
        order = {rw.window: rw.rule_index for rw in self.resolved(months.last)}
        order.update({rw.window: rw.rule_index for rw in self.resolved(months.latest)})
        later.sort(key=lambda f: (order.get(f.window, 99), parse_period(f.window).start))
        return ClaimResult(
            spec=self.spec,
            as_of=as_of,
            lag_days=self.calendar.lag_days,
            verdict=verdict,
            later_verdict=later_verdict,
            findings=tuple(known + later),
            months=months,
            newest_as_of=newest_day,
            timeline=timeline,
        )

    def timeline(self, start: date, end: date) -> ClaimTimeline:
        """The verdict on each release day in ``[start, end]``, with the leader's margin."""
        points = []
        for day in self.release_dates(start, end):
            verdict, findings = self.verdict_on(day)
            points.append(_point(self.spec, day, verdict, findings))
        first, since = stretches([(p.day, p.verdict) for p in points])
        return ClaimTimeline(self.spec, start, end, tuple(points), first, since)


def _ranking_falls_back(measure: Measure, fig: RankingFigures) -> bool:
    """Whether press figures stand in for a ranking the customs tables cannot give (no source has the metric)."""
    return fig.leader_iso3 is None and bool(measure.press_fallback) and not fig.sources


def _figure_falls_back(measure: Measure, fig: WindowFigure) -> bool:
    """Whether press figures stand in for a figure the customs tables cannot give (no source has the metric)."""
    return fig.value is None and bool(measure.press_fallback) and not fig.sources


def _key(f: Finding) -> tuple:
    return (f.commodity, f.metric, f.window, f.baseline_window)


#: Where a claim's timeline starts by default: January 2022, the months before the war and the article.
TIMELINE_START = date(2022, 1, 1)


def _point(spec: ClaimSpec, day: date, verdict: str, findings: list[Finding]) -> TimelinePoint:
    """A timeline point; its headline figure is the first counted finding with data of the longest window
    (rankings: the claimed partner's margin, + when it leads; changes: the change)."""
    counted = [f for f in findings if f.counts_toward_verdict and f.verdict != INCONCLUSIVE]
    if not counted:
        return TimelinePoint(day, verdict)
    f = max(counted, key=lambda f: (len(evidence.window_months(f.window)), -_measure_pos(spec, f)))
    if f.type == "ranking":
        if f.leader_iso3 == f.claimed_iso3:
            margin = f.margin_pct
        elif f.claimed_value is not None and f.leader_value:
            margin = (f.claimed_value - f.leader_value) / f.leader_value * 100
        else:
            margin = None
        return TimelinePoint(day, verdict, f.window, f.metric, f.leader_iso3, margin)
    return TimelinePoint(day, verdict, f.window, f.metric, f.partner_iso3, f.change_pct)


def _measure_pos(spec: ClaimSpec, f: Finding) -> int:
    for i, m in enumerate(spec.measures):
        if m.label == f.commodity and m.metric == f.metric:
            return i
    return len(spec.measures)


# ------------------------------------------------------------------------------------------ findings


def _ranking_finding(
    spec: ClaimSpec, measure: Measure, rw: ResolvedWindow, fig: RankingFigures, counts: bool
) -> Finding:
    if fig.missing or fig.leader_iso3 is None:
        verdict = INCONCLUSIVE
    else:
        verdict = SUPPORTED if fig.leader_iso3 == spec.exporter else NOT_SUPPORTED
    notes = tuple(n for n in (rw.note,) if n) + fig.notes
    return _finding(
        "ranking",
        spec,
        measure,
        rw,
        verdict,
        counts,
        leader_iso3=fig.leader_iso3,
        leader_name=fig.leader_name,
        leader_value=fig.leader_value,
        runner_up_iso3=fig.runner_up_iso3,
        runner_up_name=fig.runner_up_name,
        runner_up_value=fig.runner_up_value,
        margin_pct=fig.margin_pct,
        claimed_iso3=spec.exporter,
        claimed_rank=fig.claimed_rank,
        claimed_value=fig.claimed_value,
        claimed_share_pct=fig.claimed_share_pct,
        missing=fig.missing
        or ((f"{rw.window}: no partner with a {measure.metric} figure",) if fig.leader_iso3 is None else ()),
        data_sources=fig.data_sources,
        notes=notes,
        sources=fig.sources,
    )


def _finding(kind: str, spec, measure, rw, verdict: str, counts: bool, **figures) -> Finding:
    """A finding of ``kind`` (``"ranking"`` or ``"change"``) for one measure and window; when it is known
    is set later, by the release calendar."""
    return Finding(
        claim_id=spec.id,
        type=kind,
        commodity=measure.label,
        metric=measure.metric,
        unit=measure.unit,
        window=rw.window,
        verdict=verdict,
        known_at_as_of=False,
        known_from=date.min,
        counts_toward_verdict=counts,
        **figures,
    )


def source_text(sources: tuple[str, ...]) -> str:
    """``("gacc_query",)`` -> ``"gacc_query (China customs' online query)"``; several joined with "and"."""
    return (
        join_words([f"{s} ({SOURCE_NAMES[s]})" if s in SOURCE_NAMES else s for s in sources])
        if sources
        else "no source"
    )


def source_notes(window_sources: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """Notes for a comparison whose figures come from different sources.

    One note when a window sums figures from several sources (a total whose parts differ), and one when
    the compared windows' figures come from different sources (e.g. 2025 from China customs' query
    against 2024 from UN Comtrade). The comparison is kept; the notes say it is across sources.
    """
    notes = [
        f"{window} sums figures from several sources: {source_text(sources)}"
        for window, sources in window_sources
        if len(sources) > 1
    ]
    if len({frozenset(s) for _, s in window_sources}) > 1:
        sides = "; ".join(f"{window} from {source_text(sources)}" for window, sources in window_sources)
        notes.append(
            f"mixed sources: {sides}. The comparison is kept, but the sources may differ in coverage, "
            "partner attribution and revisions, so part of the change may come from the change of source"
        )
    return notes


def _pct(value: float, base: float) -> float | None:
    return None if base == 0 else (value - base) / base * 100


def _change_finding(
    spec: ClaimSpec,
    measure: Measure,
    rw: ResolvedWindow,
    now: WindowFigure,
    base: WindowFigure,
    counts: bool,
) -> Finding:
    missing = now.missing + base.missing
    change = None
    verdict = INCONCLUSIVE
    notes = [n for n in (rw.note,) if n] + list(now.notes) + list(base.notes)
    if not missing:
        change = _pct(now.value, base.value)
        if change is None:
            notes.append(f"the baseline {rw.baseline} is 0: no percentage change")
            verdict = SUPPORTED if now.value > 0 and spec.threshold.change_pct >= 0 else NOT_SUPPORTED
        else:
            verdict = SUPPORTED if spec.threshold.passes(change) else NOT_SUPPORTED
    window_sources = ((rw.window, now.data_sources), (rw.baseline, base.data_sources))
    if not missing:
        notes += source_notes(window_sources)
    change_range = None
    alternatives = now.alternatives + base.alternatives
    if alternatives and not missing:
        # Every outlet's figure against every other: the change whichever outlet one believes.
        nows = [now.value] + [a["value"] for a in now.alternatives]
        bases = [base.value] + [a["value"] for a in base.alternatives]
        changes = [_pct(a, b) for a in nows for b in bases if b]
        change_range = (min(changes), max(changes)) if changes else None
    return _finding(
        "change",
        spec,
        measure,
        rw,
        verdict,
        counts,
        partner_iso3=spec.exporter,
        value=now.value,
        baseline_window=rw.baseline,
        baseline_value=base.value,
        change_pct=change,
        threshold_pct=spec.threshold.change_pct,
        change_pct_range=change_range,
        alternatives=alternatives,
        missing=missing,
        data_sources=tuple(dict.fromkeys(now.data_sources + base.data_sources)),
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(now.sources + base.sources)),
        window_sources=window_sources,
    )


# --------------------------------------------------------------------------------------------- claims


def evaluate_claim(
    spec: ClaimSpec, flows: pd.DataFrame, as_of: date, calendar: ReleaseCalendar | None = None
) -> ClaimResult:
    """One claim, as known on ``as_of``, with the findings on the newest data."""
    return ClaimEvaluator(spec, flows, calendar).evaluate(as_of)


def findings_for(
    spec: ClaimSpec, flows: pd.DataFrame, as_of: date, calendar: ReleaseCalendar | None = None
) -> list[Finding]:
    """Every finding of a claim on ``as_of`` (known ones first, then those on newer data)."""
    return list(evaluate_claim(spec, flows, as_of, calendar).findings)


__all__ = [
    "TIMELINE_START",
    "ClaimEvaluator",
    "ClaimMonths",
    "ResolvedWindow",
    "before_event",
    "claim_verdicts",
    "combine",
    "compress_months",
    "evaluate_claim",
    "findings_for",
    "source_notes",
    "source_text",
    "stretches",
    "windows_ending",
]
