"""Monthly partner totals of one commodity, metric and source, from which the claims answer any window.

A claim's timeline asks for hundreds of windows (every release day's latest quarter, trailing year, year
to date, ...) of a handful of monthly selections. :class:`MonthCube` aggregates a selection once into a
months x partners array; a window's per-partner totals are then the sum of a few rows (tonnes for mass
and bpd: a window's tonnes convert to bbl/d with ``units.tonnes_to_bpd``); what the claims ask of a window besides the sums (which months a partner has a
row in, which lack a figure, the provenance of its rows) is kept per partner in plain Python, and each
window's totals are computed once (the claims ask for one window from several findings).

The arrays handed out are read-only: a window's totals are shared by every finding that asks for them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from energytrade import units
from energytrade.errors import BadPeriod
from energytrade.metrics import SOURCE_COLUMNS


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class WindowTotals:
    """Per partner totals over one window (arrays aligned on ``partners``, read-only).

    ``total`` sums the figures present (NaN for a partner with no figure in the window: never 0),
    ``months_reported`` counts months with a figure, ``months_missing_figure`` months whose row lacks it.
    ``months_without_data`` are months of the window in which no partner has a row with the figure.
    """

    window: str
    partners: tuple[str, ...]
    total: np.ndarray
    months_reported: np.ndarray
    months_missing_figure: np.ndarray
    months_without_data: tuple[str, ...]
    #: ``partner -> position`` (the cube's, shared by its windows; built here when not given).
    partner_positions: Mapping[str, int] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def totals(self) -> tuple[float, ...]:
        """``total`` as Python floats (read one by one without numpy's overhead)."""
        return tuple(self.total.tolist())

    @functools.cached_property
    def missing_counts(self) -> tuple[int, ...]:
        """``months_missing_figure`` as Python integers."""
        return tuple(self.months_missing_figure.tolist())

    @functools.cached_property
    def _ranked(self) -> tuple[int, ...]:
        totals = self.totals
        have = [i for i, t in enumerate(totals) if t == t]  # NaN: no figure, left out of the ranking
        return tuple(sorted(have, key=lambda i: (-totals[i], self.partners[i])))

    @functools.cached_property
    def _positions(self) -> Mapping[str, int]:
        if self.partner_positions is not None:
            return self.partner_positions
        return {p: i for i, p in enumerate(self.partners)}

    def order(self) -> list[int]:
        """Partner positions ranked as :func:`energytrade.analysis.supplier_ranking` ranks them: largest
        total first, ties by ``partner_iso3``, partners without a figure left out."""
        return list(self._ranked)

    def of(self, partner: str) -> int | None:
        return self._positions.get(partner)


class RowIndex:
    """Where the rows of one selection are, whatever the metric (the cubes of a selection's metrics share it).

    ``months`` and ``partners`` sorted, each row's position in them (``m_index``, ``p_index``), the
    provenance of the rows of each (month, partner), the months each partner has a row in, partner names.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        self.periods: list[str] = rows["period"].tolist() if len(rows) else []
        self.codes: list[str] = rows["partner_iso3"].tolist() if len(rows) else []
        self.months = tuple(sorted(set(self.periods)))
        self.partners = tuple(sorted(set(self.codes)))
        self.month_pos = {m: i for i, m in enumerate(self.months)}
        self.partner_pos = {p: j for j, p in enumerate(self.partners)}
        self.m_index = _frozen(np.array([self.month_pos[m] for m in self.periods], dtype=np.intp))
        self.p_index = _frozen(np.array([self.partner_pos[p] for p in self.codes], dtype=np.intp))
        self.names: dict[str, str] = dict(zip(self.codes, rows["partner_name"].tolist())) if len(rows) else {}
        provenance: dict[tuple[str, str], tuple[str, ...]] = {}
        for key, prov in zip(zip(self.periods, self.codes), rows["provenance"].tolist() if len(rows) else []):
            provenance[key] = provenance.get(key, ()) + (prov,)
        self.provenance = provenance
        with_row: dict[str, set[str]] = {}
        for period, partner in provenance:
            with_row.setdefault(partner, set()).add(period)
        self.with_row = {p: frozenset(m) for p, m in with_row.items()}


class MonthCube:
    """Monthly totals per partner of one metric, aggregated once.

    Parameters
    ----------
    rows : DataFrame
        Monthly partner rows of one commodity and source (:func:`energytrade.analysis.select_flows` with
        ``freq="M"``), in the order it returns them.
    metric : {"mass", "value", "volume", "bpd"}
        Mass and bpd are summed in tonnes (convert a window's tonnes to bbl/d with ``units.tonnes_to_bpd``).

    Examples
    --------
    >>> rows = pd.DataFrame({"partner_iso3": ["RUS", "SAU", "RUS"], "partner_name": ["Russia", "Saudi Arabia",
    ...     "Russia"], "period": ["2022-11", "2022-11", "2022-12"], "freq": "M",
    ...     "net_weight_kg": [7.81e9, 6.62e9, 6.47e9], "value_usd": [5.1e9, 4.7e9, float("nan")],
    ...     "volume_bcm": float("nan"), "provenance": ["r#row=1", "r#row=2", "r#row=3"]})
    >>> w = MonthCube(rows, "mass").window(("2022-11", "2022-12"))
    >>> [(w.partners[i], round(w.totals[i] / 1e6, 2)) for i in w.order()]
    [('RUS', 14.28), ('SAU', 6.62)]
    >>> MonthCube(rows, "value").window(("2022-11", "2022-12")).months_missing_figure.tolist()
    [1, 0]
    """

    def __init__(self, rows: pd.DataFrame, metric: str, index: RowIndex | None = None) -> None:
        if metric not in SOURCE_COLUMNS:
            raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(SOURCE_COLUMNS)}")
        index = RowIndex(rows) if index is None else index
        self.metric = metric
        self.months, self.partners = index.months, index.partners
        self.names, self.provenance = index.names, index.provenance
        self._month_pos, self._partner_pos, self._with_row = index.month_pos, index.partner_pos, index.with_row
        self._windows: dict[tuple[str, ...], WindowTotals] = {}
        self._blank: dict[str, frozenset[str]] = {}
        shape = (len(self.months), len(self.partners))
        if not len(rows):
            self.total = _frozen(np.zeros(shape))
            self.has_figure = self.has_blank = _frozen(np.zeros(shape, dtype=bool))
            self._months_with_figure: frozenset[str] = frozenset()
            return
        freqs = set(rows["freq"].tolist())
        if not freqs <= {"M", "A"}:
            raise BadPeriod(f"only monthly (M) and annual (A) rows can be summed; got freq {sorted(freqs)}")
        x = rows[SOURCE_COLUMNS[metric]].to_numpy(dtype="float64")
        if metric in ("mass", "bpd"):
            x = units.kg_to_tonnes(x)
        m_index, p_index = index.m_index, index.p_index
        have = ~np.isnan(x)
        total = np.zeros(shape)
        np.add.at(total, (m_index[have], p_index[have]), x[have])
        has_figure = np.zeros(shape, dtype=bool)
        has_figure[m_index[have], p_index[have]] = True
        has_blank = np.zeros(shape, dtype=bool)
        has_blank[m_index[~have], p_index[~have]] = True
        self.total, self.has_figure, self.has_blank = _frozen(total), _frozen(has_figure), _frozen(has_blank)
        blank: dict[str, set[str]] = {}
        for i in np.flatnonzero(~have).tolist():
            blank.setdefault(index.codes[i], set()).add(index.periods[i])
        self._blank = {p: frozenset(m) for p, m in blank.items()}
        self._months_with_figure = frozenset(m for m, any_ in zip(self.months, has_figure.any(axis=1).tolist()) if any_)

    def months_with_figure(self) -> frozenset[str]:
        """Months in which some partner has a figure."""
        return self._months_with_figure

    def window(self, months: tuple[str, ...]) -> WindowTotals:
        """Per partner totals over ``months`` (``YYYY-MM`` strings, in order), computed once per window."""
        totals = self._windows.get(months)
        if totals is None:
            totals = self._windows[months] = self._window(months)
        return totals

    def _window(self, months: tuple[str, ...]) -> WindowTotals:
        label = months[0] if len(months) == 1 else f"{months[0]}/{months[-1]}"
        pos = self._month_pos
        idx = [pos[m] for m in months if m in pos]
        without = tuple(m for m in months if m not in self._months_with_figure)
        n = len(self.partners)
        if not idx:
            nan, zeros = np.full(n, np.nan), np.zeros(n, int)
            return WindowTotals(label, self.partners, _frozen(nan), _frozen(zeros), _frozen(zeros.copy()), without)
        # A run of months is a slice (a view: no copy); its sums are those of the same rows picked by index.
        rows = slice(idx[0], idx[-1] + 1) if idx[-1] - idx[0] + 1 == len(idx) else idx
        reported = self.has_figure[rows].sum(axis=0)
        total = np.where(reported > 0, self.total[rows].sum(axis=0), np.nan)
        missing = self.has_blank[rows].sum(axis=0)
        return WindowTotals(
            label, self.partners, _frozen(total), _frozen(reported), _frozen(missing), without, self._partner_pos
        )

    def rows_of(self, months: Iterable[str], partners: Iterable[str]) -> tuple[str, ...]:
        """Provenance of every row of ``partners`` in ``months``, month by month."""
        partners = list(partners)
        get = self.provenance.get
        return tuple(p for m in months for partner in partners for p in get((m, partner), ()))

    def blank_months(self, months: Iterable[str], partner: str) -> list[str]:
        """Months among ``months`` where ``partner`` has a row without the figure."""
        blank = self._blank.get(partner)
        return [m for m in months if m in blank] if blank else []

    def row_months(self, months: Iterable[str], partner: str) -> list[str]:
        """Months among ``months`` where ``partner`` has any row."""
        with_row = self._with_row.get(partner)
        return [m for m in months if m in with_row] if with_row else []
