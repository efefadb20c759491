"""The figures a finding compares, taken from the clean table with their provenance.

Pure functions on the clean table (``energytrade.schema``); the monthly selections come from
:func:`energytrade.analysis.select_flows`, and window totals, rankings and coverage from their monthly
partner totals (:class:`energytrade.claims.cube.MonthCube`). Nothing is filled or interpolated: a window
lacking data gives no figure and names the months it lacks.

Rules
-----
Source per window
    A measure lists sources in order of preference; for each window the first source with a figure of
    the metric (any partner) in every month of the window is used. When none covers the window, the one
    covering most months is named and the months it lacks are listed.
A partner absent from a month
    Customs tables list only partners with trade, so a partner with no row in a month that has data is
    summed as reported (the month is named in the finding's note, never filled in). A partner with a
    row but no figure (NaN) in a month makes its window total unknown. In a ranking that blocks the
    verdict when the partner is the leader, runner-up or claimed exporter, or when it ranks in the top
    three by the other metric (value for tonnes, tonnes for value), since it could then be the leader;
    smaller partners lacking a figure are named in the notes.
Press figures (``gacc_press``)
    Several outlets may report one figure, each its own row. :func:`pick_press_figure` takes the rows of
    the first preferred outlet tag (the clean column ``outlet``: ``Gazprom`` matches
    ``Gazprom via TASS``) that has a figure, and among them the most precise (most decimals; ties: the
    first row of the raw file). Every other outlet's figure is kept as an alternative, so the spread is
    shown beside the chosen figure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from energytrade import analysis, metrics
from energytrade.calendar import ReleaseCalendar, load_calendar, press_known_from
from energytrade.claims.cube import MonthCube, RowIndex
from energytrade.countries import WORLD_ISO3
from energytrade.errors import NoData
from energytrade.metrics import FIGURE_COLUMNS, SOURCE_COLUMNS
from energytrade.periods import Month, parse_period


@functools.lru_cache(maxsize=4096)
def window_months(window: str) -> tuple[str, ...]:
    """The ``YYYY-MM`` months of a window, memoised (a timeline asks for the same windows many times)."""
    return tuple(parse_period(window).months())


def compress_months(months: list[str] | tuple[str, ...]) -> str:
    """``["2020-01", "2020-02", "2020-03", "2020-05"]`` -> ``"2020-01..2020-03, 2020-05"``."""
    return _compress_months(tuple(months))


@functools.lru_cache(maxsize=4096)
def _compress_months(months: tuple[str, ...]) -> str:
    """:func:`compress_months`, memoised (a timeline names the same lacking months many times)."""
    parsed = sorted({Month(int(m[:4]), int(m[5:7])) for m in months})
    runs: list[list[Month]] = []
    for month in parsed:
        if runs and runs[-1][-1].shift(1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


_to_metric = metrics.tonnes_to_metric
_press_to_metric = metrics.clean_to_metric

#: The columns of a press row the claims read (:meth:`TableView.press_records`).
PRESS_RECORD_COLUMNS = (
    "commodity",
    "freq",
    "period",
    "partner_iso3",
    "partner_name",
    "outlet",
    "published_on",
    "provenance",
    "known_on",
    *FIGURE_COLUMNS,
)


@dataclass(frozen=True)
class WindowFigure:
    """One partner's figure over one window, or why there is none.

    Attributes
    ----------
    value : float or None
        In the metric's unit; ``None`` when any month lacks data or a figure.
    missing : tuple of str
        What is missing, each naming months (``"2020-01..2020-12: no pipeline_gas value data"``).
    sources : tuple of str
        Provenance of every row summed (``raw/<source>/<vintage>/<file>#row=<n>``).
    data_sources : tuple of str
        The sources used.
    notes : tuple of str
    alternatives : tuple of dict
        Press only: the other outlets' figures (``value``, ``outlet``, ``provenance``).
    """

    value: float | None
    missing: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    data_sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    alternatives: tuple[dict, ...] = field(default=())
    #: Press figures: the first day any outlet printed this window's figure (``None``: customs tables, dated
    #: by the calendar).
    known_on: date | None = None


class SharedViews:
    """One :class:`TableView` per importer and flow of one clean table and calendar, handed to every claim
    about them (the article's claims are all about China's imports: the cuts and aggregates are made once)."""

    def __init__(self, flows: pd.DataFrame, calendar: ReleaseCalendar) -> None:
        self.flows = flows
        self.calendar = calendar
        self._views: dict[tuple[str, str], TableView] = {}

    def of(self, spec) -> TableView:
        """The view of ``spec.importer`` and ``spec.flow``."""
        key = (spec.importer, spec.flow)
        if key not in self._views:
            self._views[key] = TableView(self.flows, spec.importer, spec.flow, self.calendar)
        return self._views[key]


class TableView:
    """The clean table, cut once per commodity and source to the claim's importer and flow.

    Every window of every as-of date is answered from these small cuts (a few hundred rows each), so a
    timeline of many release dates never filters the whole table again. Memoisation only, no other state.
    """

    def __init__(self, flows: pd.DataFrame, importer: str, flow: str, calendar: ReleaseCalendar | None = None) -> None:
        self.flows = flows
        self.calendar = calendar if calendar is not None else load_calendar()
        self.importer = importer
        self.flow = flow
        self._months: dict[tuple[str, str, str], frozenset[str]] = {}
        self._rows: dict[tuple[str, str], pd.DataFrame] = {}
        self._press: dict[str, pd.DataFrame] = {}
        self._cubes: dict[tuple[str, str, str], MonthCube] = {}
        self._row_index: dict[tuple[str, str], RowIndex] = {}
        self._press_records: dict[str, dict[tuple[str, str, str], tuple[dict, ...]]] = {}
        self._newest: dict[str, Month] | None = None

    def select_kw(self, source: str) -> dict:
        return {"reporter": self.importer, "flow": self.flow, "source": source, "freq": "M"}

    def rows(self, commodity: str, source: str) -> pd.DataFrame:
        """Monthly partner rows of ``commodity`` from ``source`` (every period; empty when none)."""
        key = (commodity, source)
        if key not in self._rows:
            try:
                self._rows[key] = analysis.select_flows(self.flows, commodity, **self.select_kw(source))
            except NoData:
                self._rows[key] = self.flows.iloc[0:0]
        return self._rows[key]

    def press_rows(self, source: str) -> pd.DataFrame:
        """Every row of a press source for the view's importer and flow (all frequencies and partners)."""
        if source not in self._press:
            flows = self.flows
            rows = flows[
                (flows["source"] == source) & (flows["reporter_iso3"] == self.importer) & (flows["flow"] == self.flow)
            ]
            # The day each row counts as known: its publication date, else the calendar's rule (once per
            # distinct pair: many rows share a date and period).
            pairs = list(zip(rows["published_on"].tolist(), rows["period"].tolist()))
            known_of = {
                (published, period): press_known_from(published) or self.calendar.known_from(source, period)
                for published, period in set(pairs)
            }
            known = [known_of[pair] for pair in pairs]
            self._press[source] = rows.assign(known_on=known)
        return self._press[source]

    def press_records(self, source: str) -> dict[tuple[str, str, str], tuple[dict, ...]]:
        """The rows of :meth:`press_rows` as plain records (column -> value, ``known_on`` included), grouped
        by ``(commodity, freq, period)`` in table order: a window's figure is chosen among a handful of
        rows, read without pandas (speed). Handed out read-only: callers never edit a record."""
        if source not in self._press_records:
            rows = self.press_rows(source)
            columns = {c: rows[c].tolist() for c in PRESS_RECORD_COLUMNS}
            groups: dict[tuple[str, str, str], list[dict]] = {}
            for values in zip(*columns.values()):
                record = dict(zip(columns, values))
                groups.setdefault((record["commodity"], record["freq"], record["period"]), []).append(record)
            self._press_records[source] = {key: tuple(group) for key, group in groups.items()}
        return self._press_records[source]

    def cube(self, commodity: str, metric: str, source: str) -> MonthCube:
        """Monthly partner totals of one commodity, metric and source, aggregated once."""
        key = (commodity, metric, source)
        if key not in self._cubes:
            if (commodity, source) not in self._row_index:
                self._row_index[(commodity, source)] = RowIndex(self.rows(commodity, source))
            self._cubes[key] = MonthCube(self.rows(commodity, source), metric, self._row_index[(commodity, source)])
        return self._cubes[key]

    def months_with_data(self, commodity: str, metric: str, source: str) -> frozenset[str]:
        """Months in which ``source`` gives a figure of ``metric`` for any partner (``WLD`` excluded)."""
        key = (commodity, metric, source)
        if key not in self._months:
            self._months[key] = self.cube(commodity, metric, source).months_with_figure()
        return self._months[key]

    def newest_month(self, commodities: tuple[str, ...]) -> Month | None:
        """The newest month for which any source holds a figure of any of ``commodities`` (the view's
        importer and flow; any partner, ``WLD`` included; any frequency: a year ends in its December, a
        year to date in its month). ``None`` when there is none."""
        newest = self._newest_by_commodity()
        return max((newest[c] for c in commodities if c in newest), default=None)

    def _newest_by_commodity(self) -> dict[str, Month]:
        """Commodity -> the newest month with a figure (:meth:`newest_month`), from one pass over the table."""
        if self._newest is None:
            flows = self.flows
            mask = (flows["reporter_iso3"] == self.importer) & (flows["flow"] == self.flow)
            mask &= flows[list(FIGURE_COLUMNS)].notna().any(axis=1)
            rows = flows.loc[mask, ["commodity", "period"]]
            newest: dict[str, Month] = {}
            for commodity, period in set(zip(rows["commodity"].tolist(), rows["period"].tolist())):
                end = parse_period(period).end
                if commodity not in newest or end > newest[commodity]:
                    newest[commodity] = end
            self._newest = newest
        return self._newest

    def choose_source(self, commodity: str, metric: str, window: str, sources: tuple[str, ...]):
        """``(source, months lacking data)``: the first source covering the window, else the best one."""
        months = window_months(window)
        best: tuple[str | None, list[str]] = (None, months)
        for source in sources:
            have = self.months_with_data(commodity, metric, source)
            lacking = [m for m in months if m not in have]
            if not lacking:
                return source, []
            if len(lacking) < len(best[1]):
                best = (source, lacking)
        return best

    def window_rows(self, commodity: str, window: str, source: str) -> pd.DataFrame:
        rows = self.rows(commodity, source)
        if rows.empty:
            return rows
        try:
            return analysis.select_flows(rows, commodity, window=window, **self.select_kw(source))
        except NoData:
            return rows.iloc[0:0]


def _lacking_text(months: list[str], commodity: str, metric: str, sources: tuple[str, ...]) -> str:
    return f"{compress_months(months)}: no {commodity} {metric} data in {' or '.join(sources)}"


def monthly_partner_figure(
    view: TableView, commodity: str, metric: str, window: str, partner: str, sources: tuple[str, ...]
) -> WindowFigure:
    """A partner's total of one commodity over a window, from monthly customs tables.

    Parameters
    ----------
    view : TableView
    commodity, metric : str
    window : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM``.
    partner : str
        ISO3 of the partner (the exporter).
    sources : tuple of str
        Monthly sources in order of preference.

    Returns
    -------
    WindowFigure
        ``value`` in the metric's unit (t, USD, bcm, bbl/d), or ``None`` with ``missing`` filled.
    """
    source, lacking = view.choose_source(commodity, metric, window, sources)
    if lacking:
        return WindowFigure(
            None,
            missing=(_lacking_text(lacking, commodity, metric, sources),),
            data_sources=(source,) if source else (),
        )
    cube = view.cube(commodity, metric, source)
    months = window_months(window)
    present = cube.row_months(months, partner)
    if not present:
        return WindowFigure(
            None,
            missing=(
                f"{window}: {partner} has no {commodity} row in {source} (customs omit zero flows, so most "
                "likely none, but it is not filled in)",
            ),
            data_sources=(source,),
        )
    provenance = cube.rows_of(months, [partner])
    no_figure = cube.blank_months(months, partner)
    if no_figure:
        return WindowFigure(
            None,
            missing=(f"{compress_months(no_figure)}: {partner} {commodity} row without a {metric} figure in {source}",),
            sources=provenance,
            data_sources=(source,),
        )
    notes = []
    absent = sorted(set(months) - set(present))
    if absent:
        notes.append(f"{partner} has no {commodity} row in {compress_months(absent)} (summed as reported)")
    totals = cube.window(months)
    value = _to_metric(totals.totals[totals.of(partner)], metric, window)
    return WindowFigure(value, sources=provenance, data_sources=(source,), notes=tuple(notes))


def total_partner_figure(
    view: TableView,
    commodities: tuple[str, ...],
    metric: str,
    window: str,
    partner: str,
    sources: tuple[str, ...],
) -> WindowFigure:
    """The sum over several commodities (value only) of :func:`monthly_partner_figure`; unknown if any part is."""
    parts = [monthly_partner_figure(view, c, metric, window, partner, sources) for c in commodities]
    missing = tuple(m for p in parts for m in p.missing)
    value = None if missing else float(sum(p.value for p in parts))  # type: ignore[misc]
    return WindowFigure(
        value,
        missing=missing,
        sources=tuple(s for p in parts for s in p.sources),
        data_sources=tuple(dict.fromkeys(s for p in parts for s in p.data_sources)),
        notes=tuple(n for p in parts for n in p.notes),
    )


# ------------------------------------------------------------------------------------------- press


@functools.lru_cache(maxsize=4096)
def press_key(window: str) -> tuple[str, str] | None:
    """The press row (freq, period) that gives a window's figure: a year (A), January to a month (YTD),
    a month (M); ``None`` for other spans (memoised, as :func:`window_months`)."""
    span = parse_period(window)
    if span.start.month == 1 and span.end.month == 12 and span.start.year == span.end.year:
        return "A", str(span.start.year)
    if span.start == span.end:
        return "M", str(span.end)
    if span.start.month == 1 and span.start.year == span.end.year:
        return "YTD", str(span.end)
    return None


def outlet_tag(row: pd.Series) -> str:
    """The outlet of a press row (the clean column ``outlet``, e.g. ``"Gazprom via TASS"``)."""
    return str(row["outlet"])


def _decimals(x: float) -> int:
    text = f"{x:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def pick_press_figure(rows: pd.DataFrame, column: str, prefer: tuple[str, ...]):
    """Choose one figure among outlets' rows for the same key.

    Parameters
    ----------
    rows : DataFrame
        Clean-schema press rows of one key (partner, commodity, period, freq), in raw-file order.
    column : str
        The figure's clean column (e.g. ``volume_bcm``).
    prefer : tuple of str
        Outlet tags in order of preference; a tag matches a row whose ``outlet`` starts with it.

    Returns
    -------
    (chosen, others, rule) : (Series or None, DataFrame, str)
        The chosen row, every other row with a figure, and the rule applied in words.

    Examples
    --------
    Gazprom's 22.73 bcm (two decimals) is chosen over Gazprom's rounded 22.7 and the ministry's 22.7.
    """
    have = rows[rows[column].notna()]
    if have.empty:
        return None, have, "no outlet gives this figure"
    position, rule = _choose_press(have[column].tolist(), have["outlet"].tolist(), prefer)
    chosen_index = have.index[position]
    return have.loc[chosen_index], have.drop(index=chosen_index), rule


def _choose_press(figures: list[float], outlets: list, prefer: tuple[str, ...]) -> tuple[int, str]:
    """The rule of :func:`pick_press_figure` on the rows with a figure (at least one), in order: the
    chosen row's position and the rule applied in words."""
    for tag in prefer:
        matched = [i for i, outlet in enumerate(outlets) if isinstance(outlet, str) and outlet.startswith(tag)]
        if matched:
            rule = f"the most precise '{tag}' figure"
            break
    else:
        matched, rule = list(range(len(figures))), f"no {'/'.join(prefer)} figure: the most precise of all outlets"
    precision = [_decimals(figures[i]) for i in matched]
    return matched[precision.index(max(precision))], rule


def _pick_press_record(records: list[dict], column: str, prefer: tuple[str, ...]):
    """:func:`pick_press_figure` on records (:meth:`TableView.press_records`): ``(chosen or None, others
    with a figure, rule)``."""
    have = [r for r in records if not _isnan(r[column])]
    if not have:
        return None, [], "no outlet gives this figure"
    position, rule = _choose_press([r[column] for r in have], [r["outlet"] for r in have], prefer)
    return have[position], have[:position] + have[position + 1 :], rule


def _isnan(x) -> bool:
    return x != x


def _press_key_records(
    view: TableView, source: str, commodity: str, window: str, as_of: date | None
) -> tuple[dict, ...] | list[dict]:
    """Records of the press rows giving ``window``'s figure (every partner), printed by ``as_of``
    (``None``: all), in table order."""
    key = press_key(window)
    records = () if key is None else view.press_records(source).get((commodity, *key), ())
    if as_of is not None:
        return [r for r in records if r["known_on"] <= as_of]
    return records


def printed_by(view: TableView, source: str, commodity: str, window: str, as_of: date | None) -> tuple[str, ...]:
    """Provenance of the press rows of ``window`` printed by ``as_of``: a figure chosen from them changes
    only when this changes (so it can be memoised on it)."""
    return tuple(r["provenance"] for r in _press_key_records(view, source, commodity, window, as_of))


def press_partner_figure(
    view: TableView,
    commodity: str,
    metric: str,
    window: str,
    partner: str,
    prefer: tuple[str, ...],
    source: str = "gacc_press",
    as_of: date | None = None,
) -> WindowFigure:
    """A partner's press-reported figure for a window (see :func:`pick_press_figure`), with alternatives.

    Only rows printed by ``as_of`` are used (``None``: every row): a press figure is known from the day
    the outlet printed it (the row's ``published_on``), not from a month rule.
    """
    if press_key(window) is None:
        return WindowFigure(
            None,
            missing=(f"{window}: the press reports years, years to date and months, not this span",),
            data_sources=(source,),
        )
    rows = [r for r in _press_key_records(view, source, commodity, window, as_of) if r["partner_iso3"] == partner]
    column = SOURCE_COLUMNS[metric]
    chosen, others, rule = _pick_press_record(rows, column, prefer)
    if chosen is None:
        freq, period = press_key(window)
        printed = "" if as_of is None else f" printed by {as_of}"
        return WindowFigure(
            None,
            missing=(f"{window}: no {partner} {commodity} {metric} figure ({freq} {period}){printed} in {source}",),
            data_sources=(source,),
        )
    value = _press_to_metric(float(chosen[column]), metric, window)
    alternatives = tuple(
        {
            "window": window,
            "value": _press_to_metric(float(r[column]), metric, window),
            "outlet": outlet_tag(r),
            "provenance": r["provenance"],
        }
        for r in others
    )
    printed = f", printed {chosen['published_on']}" if chosen["published_on"] else ""
    note = f"{window}: press figure, {rule} ({outlet_tag(chosen)}{printed}) of {len(others) + 1} outlet figure(s)"
    return WindowFigure(
        value,
        sources=(chosen["provenance"],) + tuple(a["provenance"] for a in alternatives),
        data_sources=(source,),
        notes=(note,),
        alternatives=alternatives,
        known_on=min([chosen["known_on"], *(r["known_on"] for r in others)]),
    )


# ----------------------------------------------------------------------------------------- rankings


@dataclass(frozen=True)
class RankingFigures:
    """The comparison behind a largest-supplier finding (values in the metric's unit)."""

    leader_iso3: str | None = None
    leader_name: str | None = None
    leader_value: float | None = None
    runner_up_iso3: str | None = None
    runner_up_name: str | None = None
    runner_up_value: float | None = None
    margin_pct: float | None = None
    claimed_rank: int | None = None
    claimed_value: float | None = None
    claimed_share_pct: float | None = None
    missing: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    data_sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: Press figures: the latest day any compared figure was printed (``None``: customs tables).
    known_on: date | None = None


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


#: The metric that stands in for a missing figure when judging whether its partner could lead.
OTHER_METRIC = {"mass": "value", "bpd": "value", "value": "mass", "volume": "value"}
#: A partner lacking a figure blocks a ranking when it ranks this high or higher by the other metric.
BLOCKING_RANK = 3


def _ranks_by_other_metric(view: TableView, commodity: str, metric: str, months: list[str], source: str) -> dict:
    """Partner -> rank by :data:`OTHER_METRIC` over the window (partners lacking such a figure left out)."""
    totals = view.cube(commodity, OTHER_METRIC[metric], source).window(months)
    order = totals.order()
    missing = totals.missing_counts
    return {totals.partners[i]: rank for rank, i in enumerate(order, start=1) if missing[i] == 0}


def ranking_figures(
    view: TableView, commodity: str, metric: str, window: str, claimed: str, sources: tuple[str, ...]
) -> RankingFigures:
    """Leader, runner-up and the claimed partner of a window, ranked as
    :func:`energytrade.analysis.supplier_ranking` ranks them (from :class:`~energytrade.claims.cube.MonthCube`).

    The comparison is unknown (``missing`` filled) when a month of the window has no data, when the
    leader, the runner-up or the claimed partner has a row without the figure in some month, or when
    another partner lacking the figure ranks in the top :data:`BLOCKING_RANK` by :data:`OTHER_METRIC`
    (it could be the leader); smaller partners lacking a figure are named in the notes.
    """
    source, lacking = view.choose_source(commodity, metric, window, sources)
    if lacking:
        return RankingFigures(
            missing=(_lacking_text(lacking, commodity, metric, sources),), data_sources=(source,) if source else ()
        )
    cube = view.cube(commodity, metric, source)
    months = window_months(window)
    totals = cube.window(months)
    order = totals.order()
    partners = totals.partners
    leader = partners[order[0]] if order else None
    runner = partners[order[1]] if len(order) > 1 else None
    mine = totals.of(claimed)
    sums = totals.totals

    def value(partner: str | None) -> float | None:
        i = None if partner is None else totals.of(partner)
        return None if i is None or _isnan(sums[i]) else _to_metric(sums[i], metric, window)

    compared = [p for p in dict.fromkeys((leader, runner, claimed)) if p is not None and p in partners]
    missing, notes = [], []
    for partner in sorted(compared):
        blank = cube.blank_months(months, partner)
        if blank:
            missing.append(f"{compress_months(blank)}: {partner} {commodity} row without a {metric} figure in {source}")
    others = [partners[i] for i, n in enumerate(totals.missing_counts) if n > 0]
    others = [p for p in others if p not in compared]
    if others:
        ranks = _ranks_by_other_metric(view, commodity, metric, months, source)
        for partner in others:
            blank = compress_months(cube.blank_months(months, partner))
            rank = ranks.get(partner)
            if rank is None or rank <= BLOCKING_RANK:
                by = "unknown by any other metric" if rank is None else f"#{rank} by {OTHER_METRIC[metric]}"
                missing.append(
                    f"{blank}: {partner} {commodity} row without a {metric} figure in {source}; it "
                    f"ranks {by}, so it could lead"
                )
            else:
                notes.append(
                    f"{partner} lacks a {metric} figure in {blank} (#{rank} by {OTHER_METRIC[metric]}: "
                    "too small to lead)"
                )
    if mine is None:
        notes.append(f"{claimed} has no {commodity} row in {window}")
    leader_value, runner_value = value(leader), value(runner)
    margin = None
    if leader_value is not None and runner_value:
        margin = (leader_value - runner_value) / runner_value * 100
    all_total = float(np.nansum(totals.total)) if order else 0.0
    claimed_rank = order.index(mine) + 1 if mine is not None and mine in order else None
    claimed_total = None if mine is None or _isnan(sums[mine]) else sums[mine]
    return RankingFigures(
        leader_iso3=leader,
        leader_name=None if leader is None else cube.names.get(leader, leader),
        leader_value=leader_value,
        runner_up_iso3=runner,
        runner_up_name=None if runner is None else cube.names.get(runner, runner),
        runner_up_value=runner_value,
        margin_pct=margin,
        claimed_rank=claimed_rank,
        claimed_value=value(claimed) if mine is not None else None,
        claimed_share_pct=None if claimed_total is None or all_total <= 0 else claimed_total / all_total * 100,
        missing=tuple(missing),
        sources=cube.rows_of(months, compared),
        data_sources=(source,),
        notes=tuple(notes),
    )


def press_ranking_figures(
    view: TableView,
    commodity: str,
    metric: str,
    window: str,
    claimed: str,
    source: str,
    prefer: tuple[str, ...],
    value_sources: tuple[str, ...],
    as_of: date | None = None,
) -> RankingFigures:
    """A ranking from press figures (China customs' own, as outlets printed them), where the customs
    tables in the data lack the metric.

    The press prints only some partners. The ranking is accepted only when it includes the claimed
    partner and every partner in the top :data:`BLOCKING_RANK` by value over the same window (customs
    tables, ``value_sources``): otherwise a partner the press left out could lead, and the finding is
    unknown (``missing`` says which).
    """
    column = SOURCE_COLUMNS[metric]
    groups: dict[str, list[dict]] = {}
    for r in _press_key_records(view, source, commodity, window, as_of):
        partner = r["partner_iso3"]
        if isinstance(partner, str) and partner != WORLD_ISO3 and not _isnan(r[column]):
            groups.setdefault(partner, []).append(r)
    printed: dict[str, dict] = {}
    for partner in sorted(groups):
        chosen, _, _ = _pick_press_record(groups[partner], column, prefer)
        if chosen is not None:
            printed[partner] = chosen
    label = f"{window}: press {metric} figures"
    if claimed not in printed or len(printed) < 2:
        have = ", ".join(printed) or "none"
        return RankingFigures(
            missing=(
                f"{label} (printed by {as_of}) for {have}: not enough to rank"
                if as_of
                else f"{label} for {have}: not enough to rank",
            ),
            data_sources=(source,),
        )
    value_source, lacking = view.choose_source(commodity, "value", window, value_sources)
    if lacking:
        return RankingFigures(
            missing=(f"{label} cover {', '.join(printed)} only, and no value ranking tells whether others could lead",),
            data_sources=(source,),
        )
    totals = view.cube(commodity, "value", value_source).window(window_months(window))
    top = [totals.partners[i] for i in totals.order()[:BLOCKING_RANK]]
    absent = [p for p in top if p not in printed]
    if absent:
        return RankingFigures(
            missing=(
                f"{label} cover {', '.join(printed)} only; {', '.join(absent)} rank(s) in the top "
                f"{BLOCKING_RANK} by value, so could lead",
            ),
            data_sources=(source,),
        )
    ordered = sorted(printed.items(), key=lambda kv: (-float(kv[1][column]), kv[0]))
    values = {p: _press_to_metric(float(r[column]), metric, window) for p, r in ordered}
    (leader, leader_row), (runner, runner_row) = ordered[0], ordered[1]
    margin = (values[leader] - values[runner]) / values[runner] * 100 if values[runner] > 0 else None
    outlets = ", ".join(f"{p} {outlet_tag(r) or 'outlet unnamed'}" for p, r in ordered)
    return RankingFigures(
        leader_iso3=leader,
        leader_name=leader_row["partner_name"],
        leader_value=values[leader],
        runner_up_iso3=runner,
        runner_up_name=runner_row["partner_name"],
        runner_up_value=values[runner],
        margin_pct=margin,
        claimed_rank=[p for p, _ in ordered].index(claimed) + 1,
        claimed_value=values[claimed],
        claimed_share_pct=None,
        sources=tuple(r["provenance"] for _, r in ordered),
        data_sources=(source,),
        notes=(
            f"{window}: press figures (China customs as printed: {outlets}); the customs tables in the data "
            f"have no {metric} for this window; partners the press did not print are not ranked, but none "
            f"of them is in the top {BLOCKING_RANK} by value",
        ),
        known_on=max(r["known_on"] for _, r in ordered),
    )
