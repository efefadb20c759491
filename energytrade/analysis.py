"""Analysis of the clean table: supplier rankings, market shares, leaders, changes, concentration, unit
values, price discounts and cross-source checks.

Every function is pure: the clean table (``energytrade.schema``) in, a new DataFrame out, no I/O.

Conventions
-----------
Selection
    By default the rows are China's (``reporter="CHN"``) imports (``flow="import"``) in the UN Comtrade
    extract (``source="comtrade_extract"``), monthly rows (``freq="M"``). Any of these can be changed with
    keyword arguments, which every function passes on to :func:`select_flows`. ``WLD`` rows (totals) are
    never summed with partner rows: they are dropped, and totals are sums over partners.
Windows
    ``YYYY-MM`` (a month), ``YYYY`` (a calendar year) or ``YYYY-MM/YYYY-MM`` (an inclusive span, e.g. a
    year to date). A window's figure is the sum of the rows whose whole period lies inside it. Window
    labels in outputs are normalised (``"2022-01/2022-12"`` is written ``"2022"``).
Metrics (:data:`METRIC_COLUMNS`, :data:`METRIC_UNITS`)
    ``"mass"`` -> ``net_weight_t`` [t]; ``"value"`` -> ``value_usd`` [USD]; ``"volume"`` -> ``volume_bcm``
    [bcm]; ``"bpd"`` -> ``rate_bbl_per_day`` [bbl/d], the mass over the period converted with
    :func:`energytrade.units.tonnes_to_bpd` over the period's real number of days (``bbl_per_tonne``
    keyword, default 7.33). The press's own printed bpd figures are never used: outlets convert at
    different factors.
Missing figures
    A NaN figure stays NaN and is never filled. Rankings, market shares, leaders and HHI are sums of the
    figures present (``min_count=1``: all missing -> NaN), so a sum over months or partners where some
    row lacks the figure is a *partial* sum: every aggregate says how many months it summed
    (``months_reported``), how many had a row with no figure (``months_missing_figure``) and, for
    windows, how many months had no data at all (``months_without_data``), and callers must say so.
    Changes (:func:`change_over_period`, :func:`yoy_change`) are stricter: a side with any such gap has
    no figure (NaN) and so no change, unless the caller passes ``allow_partial=True``. A month with data
    where a partner has no row counts as neither: Comtrade omits zero flows, so it is most likely zero,
    but it is never filled in.

Examples
--------
>>> from energytrade.build import load_trade_flows                     # doctest: +SKIP
>>> flows = load_trade_flows()                                          # doctest: +SKIP
>>> supplier_ranking(flows, "crude_oil", "2022", metric="bpd").head(3)  # doctest: +SKIP
>>> change_over_period(flows, "lng", "2022-01/2022-11", "2021-01/2021-11", partner_iso3="RUS")  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energytrade import store, units
from energytrade.commodities import check_commodity
from energytrade.countries import WORLD_ISO3, check_iso3
from energytrade.errors import (
    AmbiguousFigures,
    BadPeriod,
    EnergyTradeError,
    NoData,
    SchemaViolation,
    UnknownMetric,
)
from energytrade.metrics import ALL_PARTNERS, METRIC_COLUMNS, METRIC_UNITS, SOURCE_COLUMNS
from energytrade.periods import Month, Span, parse_month, parse_period
from energytrade.schema import COLUMNS

# Metric -> unit / column maps and the partner-set label live once, in energytrade.metrics.
#: Row frequencies that can be summed (YTD rows overlap each other, so they cannot).
SUMMABLE_FREQS: tuple[str, ...] = ("M", "A")
#: Output frequencies of the period functions.
OUTPUT_FREQS: tuple[str, ...] = ("M", "A")

# The clean column each metric is computed from (bpd is computed from the mass).
_SOURCE_COLUMN = SOURCE_COLUMNS
_PAIR_KEY = ["partner_iso3", "period"]


# --------------------------------------------------------------------------------------------- checks


def _check_metric(metric: str) -> str:
    if metric not in METRIC_COLUMNS:
        allowed = ", ".join(f"{m!r} ({METRIC_COLUMNS[m]} [{METRIC_UNITS[m]}])" for m in METRIC_COLUMNS)
        raise UnknownMetric(f"unknown metric {metric!r}; use one of {allowed}")
    return metric


def _check_output_freq(freq: str) -> str:
    if freq not in OUTPUT_FREQS:
        raise BadPeriod(f"unknown freq {freq!r}; use 'M' (per month) or 'A' (per calendar year)")
    return freq


def _require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaViolation(f"{what} lacks column(s) {missing}; expected at least {list(columns)}")


def _check_partner(rows: pd.DataFrame, partner_iso3: str | None, what: str) -> str | None:
    """``None`` (all partners) or a known ISO3 code that has rows in ``rows``."""
    if partner_iso3 is None:
        return None
    if str(partner_iso3).strip().upper() == WORLD_ISO3:
        raise NoData(
            f"{WORLD_ISO3} rows are reported totals and are left out of partner analyses; "
            "pass partner_iso3=None for the sum over all partners"
        )
    code = check_iso3(partner_iso3)
    if not (rows["partner_iso3"] == code).any():
        present = ", ".join(sorted(rows["partner_iso3"].unique()))
        raise NoData(f"partner {code} has no rows in {what}; partners present: {present}")
    return code


# ------------------------------------------------------------------------------------------ periods


def _months_of(period: str, freq: str) -> list[str]:
    """The months a row covers: its month (M), its year (A) or January to its month (YTD)."""
    if freq == "A":
        return parse_period(period).months()
    month = parse_month(period)
    if freq == "YTD":
        return Span(Month(month.year, 1), month).months()
    return [str(month)]


def _period_keys(rows: pd.DataFrame) -> pd.Series:
    """``period|freq`` of each row: few distinct values, so per-key work is done once (speed)."""
    return rows["period"].astype(str) + "|" + rows["freq"].astype(str)


def _row_months(rows: pd.DataFrame) -> pd.Series:
    """For each row, the list of months it covers (index of ``rows``)."""
    keys = _period_keys(rows)
    lookup = {key: _months_of(*key.split("|")) for key in keys.unique()}
    return pd.Series([lookup[key] for key in keys.to_numpy(dtype=object)], index=rows.index, dtype=object)


def _period_pairs(rows: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """The distinct ``(period, freq)`` pairs of ``rows`` and, per row, the position of its pair: few
    distinct values, so per-pair work (the months a row covers) is done once."""
    period_codes, periods = pd.factorize(rows["period"], use_na_sentinel=False)
    freq_codes, freqs = pd.factorize(rows["freq"], use_na_sentinel=False)
    n_freqs = max(len(freqs), 1)
    distinct, codes = np.unique(period_codes * n_freqs + freq_codes, return_inverse=True)
    periods, freqs = periods.tolist(), freqs.tolist()
    pairs = [(str(periods[d // n_freqs]), str(freqs[d % n_freqs])) for d in distinct.tolist()]
    return codes, pairs


def _inside(rows: pd.DataFrame, span: Span) -> pd.Series:
    """Rows whose whole period lies inside ``span``."""
    months = set(span.months())
    codes, pairs = _period_pairs(rows)
    inside = np.array([all(m in months for m in _months_of(period, freq)) for period, freq in pairs], dtype=bool)
    return pd.Series(inside[codes], index=rows.index, dtype=bool)


def _explode_months(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per (row, month it covers), with a ``month`` column; keeps the other columns."""
    return rows.assign(month=_row_months(rows)).explode("month")


def _n_months(key: str) -> int:
    return len(parse_period(key).months())


def _year_earlier(key: str) -> str:
    if len(key) == 4:
        return f"{int(key) - 1:04d}"
    return str(parse_month(key).shift(-12))


# ---------------------------------------------------------------------------------------- selection

#: While :func:`reusing_selections` is active: ``{key: (frame, ...)}``, selections (with or without a window)
#: and results of the aggregations (the frame is kept so that its ``id`` in the key cannot be reused by
#: another frame).
_SELECTIONS: ContextVar[dict | None] = ContextVar("energytrade_selections", default=None)


@contextmanager
def reusing_selections() -> Iterator[None]:
    """Within the block, :func:`select_flows` remembers each selection (per frame and arguments, a window's
    too) and answers a repeated one from memory, and so do the aggregations behind the rankings, market
    shares, leaders and ranks (per selection, metric and output period) and :func:`unit_values`. For
    callers that ask many questions of one clean table that nothing changes meanwhile (the report asks
    about a hundred); outside the block nothing is remembered, so a frame edited in place is always read
    afresh. Selections and results are handed out as copies; errors are never remembered.

    >>> with reusing_selections():                                             # doctest: +SKIP
    ...     shares = market_shares(flows, "crude_oil", "mass", "A")
    ...     ranks = partner_rank(flows, "crude_oil", "RUS", "mass", "A")
    """
    token = _SELECTIONS.set({})
    try:
        yield
    finally:
        _SELECTIONS.reset(token)


def _remembered(df: pd.DataFrame, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``; within :func:`reusing_selections` computed once per frame and ``key`` and handed out
    as a copy (copy-on-write: a caller's edit never reaches the memory). ``key`` names the function and
    every argument the result depends on besides the frame."""
    memory = _SELECTIONS.get()
    if memory is None:
        return compute()
    full = ("result", id(df), *key)
    if full not in memory:
        memory[full] = (df, compute())
    return memory[full][1].copy(deep=False)


def select_flows(
    df: pd.DataFrame,
    commodity: str,
    *,
    reporter: str = "CHN",
    flow: str = "import",
    source: str = "comtrade_extract",
    freq: str = "M",
    window: str | None = None,
    duplicates: str = "raise",
) -> pd.DataFrame:
    """The partner rows (``WLD`` totals excluded) of one commodity, reporter, flow, source and frequency.

    Parameters
    ----------
    df : DataFrame
        The clean table (``energytrade.schema``).
    commodity : str
        A commodity name or HS code (``"crude_oil"``, ``"2709"``, ``"lng"``, ...).
    reporter : str, default "CHN"
        Reporting country, ISO3.
    flow : {"import", "export"}, default "import"
    source : str, default "comtrade_extract"
        ``comtrade_extract``, ``comtrade``, ``gacc_query`` or ``gacc_press``.
    freq : {"M", "A"}, default "M"
        Row frequency. YTD rows overlap each other and cannot be summed, so they are not selectable here.
    window : str, optional
        Keep only rows whose whole period lies in this window (``YYYY``, ``YYYY-MM``, ``YYYY-MM/YYYY-MM``).
    duplicates : {"raise", "median"}, default "raise"
        What to do with several rows for one partner and period (the press: one row per outlet).
        ``"raise"`` raises :class:`AmbiguousFigures`; ``"median"`` keeps one row per key with the median
        of each figure (provenances and notes joined with ``" | "``).

    Returns
    -------
    DataFrame
        Clean-schema rows, sorted by period and partner, index reset.

    Raises
    ------
    UnknownCommodity, UnknownCountry, BadPeriod
        Bad commodity, reporter or window.
    NoData
        Nothing matches; the message lists the values present at the step that emptied the selection.
    AmbiguousFigures
        Several rows per partner and period with ``duplicates="raise"``.
    """
    span = parse_period(window) if window is not None else None
    memory = _SELECTIONS.get()
    if memory is None:
        rows = _select(df, commodity, reporter, flow, source, freq, duplicates)
        if span is not None:
            rows = _in_window(rows, span, (source, commodity, reporter, flow, freq))
        if duplicates == "raise":
            _refuse_duplicates(rows, source)  # within the window: duplicates outside it do not matter
        return rows
    key = (id(df), commodity, reporter, flow, source, freq, duplicates)
    if key not in memory:
        selected = _select_indexed(df, memory, commodity, reporter, flow, source, freq, duplicates)
        memory[key] = (df, selected, bool(selected.duplicated(_PAIR_KEY).any()))
    _, selected, may_repeat = memory[key]
    window_key = (*key, str(span))
    if span is not None and window_key in memory:
        return memory[window_key][1].copy(deep=False)  # copy-on-write: a caller's edit never reaches the memory
    rows = selected if span is None else _in_window(selected, span, (source, commodity, reporter, flow, freq))
    if duplicates == "raise" and may_repeat:
        _refuse_duplicates(rows, source)
    if span is not None:
        memory[window_key] = (df, rows)  # only a window without duplicates to refuse is remembered
    return rows.copy(deep=False)


def _in_window(rows: pd.DataFrame, span: Span, chosen: tuple[str, str, str, str, str]) -> pd.DataFrame:
    """The rows of a selection whose whole period lies inside ``span`` (index reset); :class:`NoData` when
    there are none (``chosen``: source, commodity, reporter, flow and freq, for the message)."""
    inside = _inside(rows, span)
    if not inside.any():
        raise NoData(
            f"no rows in window {span} among rows with {_chosen(*chosen)}; "
            f"they cover {rows['period'].min()} to {rows['period'].max()}"
        )
    # select_flows' rows are sorted by period, so a window's rows are one block: a slice, not a copy.
    where = np.flatnonzero(inside.to_numpy())
    block = where[-1] - where[0] + 1 == len(where)
    return (rows.iloc[where[0] : where[-1] + 1] if block else rows[inside]).reset_index(drop=True)


def _chosen(source: str, commodity: str, reporter: str, flow: str, freq: str) -> str:
    return ", ".join(
        f"{column}={wanted!r}"
        for column, wanted in (
            ("source", source),
            ("commodity", check_commodity(commodity)),
            ("reporter_iso3", check_iso3(reporter)),
            ("flow", flow),
            ("freq", freq),
        )
    )


#: The columns that name a selection, in the order :func:`_select` narrows by them.
_SELECTED_BY = ("source", "commodity", "reporter_iso3", "flow", "freq")


def _selection_index(df: pd.DataFrame, memory: dict) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """Where each selection's partner rows are, computed once per frame within :func:`reusing_selections`:
    ``(per column of _SELECTED_BY {value: code}, group per row (its codes combined; -1: a ``WLD`` total or a
    missing value), row positions in the order :func:`_select` sorts its rows)``."""
    key = ("selection index", id(df))
    if key not in memory:
        codes, groups = [], np.zeros(len(df), dtype="int64")
        for column in _SELECTED_BY:
            column_codes, values = pd.factorize(df[column])
            codes.append({value: code for code, value in enumerate(values.tolist())})
            groups = np.where((groups < 0) | (column_codes < 0), -1, groups * max(len(values), 1) + column_codes)
        groups[~(df["partner_iso3"] != WORLD_ISO3).to_numpy()] = -1
        # One stable sort of the whole table (by period, then partner; missing ones last, as pandas sorts):
        # a selection's rows, taken in this order, are its rows sorted stably.
        by = [pd.factorize(df[column], sort=True) for column in _PAIR_KEY]
        order = np.lexsort([np.where(c < 0, len(values), c) for c, values in by])
        memory[key] = (df, (codes, groups, order))
    return memory[key][1]


def _select_indexed(
    df: pd.DataFrame,
    memory: dict,
    commodity: str,
    reporter: str,
    flow: str,
    source: str,
    freq: str,
    duplicates: str,
) -> pd.DataFrame:
    """:func:`_select` from :func:`_selection_index` (a take of known positions instead of five comparisons
    over the whole table, a boolean index and a sort); :func:`_select` itself when it has something to say
    (an error) or to do (medians of duplicates)."""
    commodity, reporter = _check_selection(df, commodity, reporter, freq, duplicates)
    codes, groups, order = _selection_index(df, memory)
    group = 0
    for known, wanted in zip(codes, (source, commodity, reporter, flow, freq)):
        if wanted not in known:
            return _select(df, commodity, reporter, flow, source, freq, duplicates)
        group = group * max(len(known), 1) + known[wanted]
    where = order[groups[order] == group]
    if len(where) == 0:
        return _select(df, commodity, reporter, flow, source, freq, duplicates)
    rows = df.take(where).reset_index(drop=True)
    if duplicates == "median" and rows.duplicated(_PAIR_KEY).any():
        return _select(df, commodity, reporter, flow, source, freq, duplicates)
    return rows


def _check_selection(df: pd.DataFrame, commodity: str, reporter: str, freq: str, duplicates: str) -> tuple[str, str]:
    """:func:`select_flows`' arguments checked: the commodity's and the reporter's codes."""
    _require_columns(df, COLUMNS, "the clean table")
    commodity = check_commodity(commodity)
    reporter = check_iso3(reporter)
    if freq not in SUMMABLE_FREQS:
        raise BadPeriod(
            f"freq {freq!r} cannot be selected for sums; use one of {SUMMABLE_FREQS} "
            "(YTD rows overlap each other: compare them with cross_source_comparison(freqs=...))"
        )
    if duplicates not in ("raise", "median"):
        raise ValueError(f"duplicates must be 'raise' or 'median', got {duplicates!r}")
    return commodity, reporter


def _select(
    df: pd.DataFrame, commodity: str, reporter: str, flow: str, source: str, freq: str, duplicates: str
) -> pd.DataFrame:
    """:func:`select_flows` without its window: the partner rows of one selection, sorted, index reset."""
    commodity, reporter = _check_selection(df, commodity, reporter, freq, duplicates)

    # One combined mask, indexed once (each boolean index copies every column); only when it selects
    # nothing are the steps replayed, to say which one emptied the selection.
    mask, chosen = pd.Series(True, index=df.index), []
    for column, wanted in (
        ("source", source),
        ("commodity", commodity),
        ("reporter_iso3", reporter),
        ("flow", flow),
        ("freq", freq),
    ):
        step = mask & (df[column] == wanted).to_numpy()
        if not step.any():
            among = f" among rows with {', '.join(chosen)}" if chosen else ""
            present = ", ".join(repr(v) for v in sorted(df.loc[mask, column].astype(str).unique()))
            raise NoData(f"no rows with {column}={wanted!r}{among}; present: {present or 'nothing'}")
        mask = step
        chosen.append(f"{column}={wanted!r}")
    rows = df[mask & (df["partner_iso3"] != WORLD_ISO3).to_numpy()]
    if rows.empty:
        raise NoData(f"only {WORLD_ISO3} totals among rows with {', '.join(chosen)}; no partner rows")

    if duplicates == "median" and rows.duplicated(_PAIR_KEY).any():
        rows = _median_per_key(rows)
    return rows.sort_values(_PAIR_KEY[::-1], kind="mergesort").reset_index(drop=True)


def _refuse_duplicates(rows: pd.DataFrame, source: str) -> None:
    """:class:`AmbiguousFigures` when several rows share a partner and period (``duplicates="raise"``)."""
    dup = rows.duplicated(_PAIR_KEY, keep=False)
    if dup.any():
        examples = rows.loc[dup, _PAIR_KEY].drop_duplicates().head(5)
        shown = ", ".join(f"{p} {q}" for p, q in examples.itertuples(index=False))
        raise AmbiguousFigures(
            f"{int(dup.sum())} rows of {source} share a partner and period with another row "
            f"(e.g. {shown}): several outlets give the same figure. Pass duplicates='median' to keep "
            "the median per key, or compare them with cross_source_comparison"
        )


def _median_per_key(rows: pd.DataFrame) -> pd.DataFrame:
    numeric = ["net_weight_kg", "volume_bcm", "value_usd", "rate_bbl_per_day"]
    joined = {c: (c, lambda s: " | ".join(s.astype(str))) for c in ("note", "provenance")}
    firsts = [c for c in COLUMNS if c not in numeric and c not in joined and c not in _PAIR_KEY]
    spec = {c: (c, "first") for c in firsts} | {c: (c, "median") for c in numeric} | joined
    out = rows.groupby(_PAIR_KEY, sort=False, as_index=False).agg(**spec)
    out["is_weight_estimated"] = out["is_weight_estimated"].astype("boolean")
    return out[list(COLUMNS)]


def window_coverage(
    df: pd.DataFrame, commodity: str, window: str, *, metric: str | None = None, **select_kw
) -> pd.DataFrame:
    """Which months of a window have any data, so callers can say a window is incomplete.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    window : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM``.
    metric : str, optional
        Count only rows carrying a figure for this metric (default: any row).
    **select_kw
        Passed to :func:`select_flows` (reporter, flow, source, freq, duplicates).

    Returns
    -------
    DataFrame
        One row per month of the window: ``window``, ``period`` (``YYYY-MM``), ``has_data`` (bool),
        ``n_partners`` (partners with a row covering that month).

    Examples
    --------
    >>> cov = window_coverage(flows, "crude_oil", "2024-07/2025-06")   # doctest: +SKIP
    >>> cov.loc[~cov["has_data"], "period"].tolist()                   # doctest: +SKIP
    ['2025-01', ..., '2025-06']
    """
    span = parse_period(window)
    rows = select_flows(df, commodity, **select_kw)
    if metric is not None:
        rows = rows[rows[_SOURCE_COLUMN[_check_metric(metric)]].notna()]
    months = _explode_months(rows[["partner_iso3", "period", "freq"]])
    counts = months.groupby("month")["partner_iso3"].nunique()
    out = pd.DataFrame({"window": str(span), "period": span.months()})
    out["n_partners"] = out["period"].map(counts).fillna(0).astype("int64")
    out["has_data"] = out["n_partners"] > 0
    return out[["window", "period", "has_data", "n_partners"]]


# ------------------------------------------------------------------------------------- aggregation


def _figure_array(rows: pd.DataFrame, metric: str, *, require: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Per row, as arrays: ``x`` (tonnes for mass and bpd, else the metric's figure) and ``n_months`` covered.

    Raises :class:`NoData` when no row carries the metric (``require``) and :class:`BadPeriod` for rows that
    cannot be summed. Arrays, not a frame: a pandas group-by costs milliseconds on frames of a few hundred rows.
    """
    column = _SOURCE_COLUMN[metric]
    x = rows[column].to_numpy(dtype="float64", na_value=np.nan)
    if metric in ("mass", "bpd"):
        x = units.kg_to_tonnes(x)
    if require and len(rows) and np.isnan(x).all():
        carried = [m for m, c in _SOURCE_COLUMN.items() if rows[c].notna().any() and m != "bpd"]
        raise NoData(
            f"no row of the selection carries a figure for metric {metric!r} ({column}); "
            f"metrics with figures here: {', '.join(carried) or 'none'}"
        )
    freq = rows["freq"].to_numpy(dtype=object)
    n_months = np.select([freq == "M", freq == "A"], [1, 12], 0).astype("int64")
    if (n_months == 0).any():
        raise BadPeriod(f"only monthly (M) and annual (A) rows can be summed; got freq {sorted(set(freq))}")
    return x, n_months


def _group_sum(codes: np.ndarray, x: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group (``codes`` in ``0 .. n_groups - 1``): the sum of the non-NaN ``x`` and their count.

    The values are added in row order with Kahan compensation, as pandas' group-by ``sum`` adds them, so
    the sums agree with ``groupby(...).sum()`` to the last bit (the report's CSVs print every digit). One
    vectorised step per position within a group: every group adds its k-th value at once.
    """
    have = ~np.isnan(x)
    codes, x = codes[have], x[have]
    count = np.bincount(codes, minlength=n_groups)
    total = np.zeros(n_groups)
    if not len(x):
        return total, count
    order = np.argsort(codes, kind="stable")
    codes, x = codes[order], x[order]
    position = np.arange(len(codes)) - (np.cumsum(count) - count)[codes]
    by_position = np.argsort(position, kind="stable")
    compensation = np.zeros(n_groups)
    start = 0
    for end in np.cumsum(np.bincount(position)):
        take = by_position[start:end]
        group = codes[take]
        y = x[take] - compensation[group]
        before = total[group]
        t = before + y
        c = (t - before) - y
        c[np.isnan(c)] = 0.0  # an infinite value: pandas resets the compensation
        compensation[group] = c
        total[group] = t
        start = end
    return total, count


def _key_array(rows: pd.DataFrame, by: str | Span, period: np.ndarray) -> np.ndarray:
    """The output period of each row: its month (``"M"``), its year (``"A"``) or the window label, as an object
    array (``period``: the periods to key, e.g. the distinct periods of ``rows``)."""
    if isinstance(by, Span):
        return np.full(len(period), str(by), dtype=object)
    if by == "M":
        if (rows["freq"] != "M").any():
            raise BadPeriod("monthly output needs monthly rows: select freq='M' rows (row_freq='M') or use freq='A'")
        return period
    return np.array([str(p)[:4] for p in period], dtype=object)


def _coverage(rows: pd.DataFrame, by: str | Span) -> pd.Series:
    """Distinct months with any row, per output period (index sorted)."""
    # Distinct (period, freq) pairs cover the same months as every row: each pair is looked at once
    # (in Python: a few hundred pairs at most, where a pandas group-by costs milliseconds).
    _, pairs = _period_pairs(rows)
    months = {month for period, freq in pairs for month in _months_of(period, freq)}
    if isinstance(by, Span):
        counts = {str(by): len(months)} if months else {}
    elif by == "M":
        counts = dict.fromkeys(months, 1)
    else:
        counts = Counter(month[:4] for month in months)
    return pd.Series(dict(sorted(counts.items())), dtype="int64")


@dataclass(frozen=True)
class _PartnerGroups:
    """Rows grouped by (output period, partner) on arrays, as a sorted pandas group-by groups them (rows
    without a partner code are in no group)."""

    #: Positions of the grouped rows, in period order (stable: rows of one period keep their order).
    rows: np.ndarray
    #: The group of each of those rows; groups are numbered in (output period, partner) order.
    codes: np.ndarray
    #: Per group: the code of its output period in ``keys``, of its partner in ``partners``.
    key: np.ndarray
    partner: np.ndarray
    #: The output periods and the partner codes, sorted.
    keys: np.ndarray
    partners: np.ndarray
    #: Per group: the row of the partner's name (its last row with a name, as group-by ``last`` skips
    #: missing names), -1 when none has one.
    name_rows: np.ndarray

    def sum(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per group: the sum of the non-NaN ``x`` (per row of the frame) in row order, and their count."""
        return _group_sum(self.codes, x[self.rows], len(self.key))

    def count(self, weights: np.ndarray) -> np.ndarray:
        """Per group: the sum of integer ``weights`` (per row of the frame)."""
        return np.bincount(self.codes, weights=weights[self.rows], minlength=len(self.key)).astype("int64")


def _partner_groups(rows: pd.DataFrame, by: str | Span) -> _PartnerGroups:
    """Group ``rows`` by output period (:func:`_key_array`) and partner (:class:`BadPeriod` as there)."""
    period_codes, periods = pd.factorize(rows["period"], sort=True)
    order = np.argsort(period_codes, kind="stable")
    key_codes, keys = pd.factorize(_key_array(rows, by, periods.to_numpy(dtype=object)), sort=True)
    key_codes = key_codes[period_codes[order]]
    partner_codes, partners = pd.factorize(rows["partner_iso3"].to_numpy(dtype=object)[order], sort=True)
    keep = partner_codes >= 0  # a row without a partner code is in no group (as pandas' group-by drops it)
    groups, codes = np.unique((key_codes * len(partners) + partner_codes)[keep], return_inverse=True)
    grouped = order[keep]
    named = rows["partner_name"].notna().to_numpy()[grouped]
    last = np.full(len(groups), -1)
    np.maximum.at(last, codes[named], np.flatnonzero(named))
    key, partner = np.divmod(groups, len(partners))
    name_rows = np.where(last >= 0, grouped[last], -1)
    return _PartnerGroups(grouped, codes, key, partner, keys, partners, name_rows)


def _by_partner(rows: pd.DataFrame, metric: str, by: str | Span, bbl_per_tonne: float) -> pd.DataFrame:
    """Sum per output period and partner: period, partner_iso3, partner_name, value, months_reported,
    months_missing_figure, months_with_data, share_pct, rank (1 = largest; ties by partner_iso3).

    The sums leave out missing figures (a partial sum where ``months_missing_figure > 0``; NaN when
    every figure is missing), and so do the totals the shares are taken of: callers must show the counts.
    """
    x, n_months = _figure_array(rows, metric)
    # On arrays of the few columns needed, with the result a pandas group-by gave: groups sorted by
    # (period, partner), sums in row order (a group-by costs milliseconds on frames this small).
    g = _partner_groups(rows, by)
    n = len(g.key)
    has = ~np.isnan(x)
    reported = g.count(np.where(has, n_months, 0))
    missing = g.count(np.where(has, 0, n_months))
    total, count = g.sum(x)
    total = np.where(count > 0, total, np.nan)
    period_out = g.keys[g.key]
    coverage = _coverage(rows, by).to_dict()
    with_data = np.array([coverage[k] for k in g.keys], dtype="int64")[g.key]
    # A period whose figures are all missing sums to 0 here, and 0 gives no share, as NaN does.
    period_total, _ = _group_sum(g.key, total, len(g.keys))
    period_total = period_total[g.key]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = total / np.where(period_total > 0, period_total, np.nan) * 100
    value = total if metric != "bpd" else units.tonnes_to_bpd(total, pd.Series(period_out), bbl_per_tonne)
    # Largest first within each period, ties (and partners without a figure, last) by partner code.
    lacking = np.isnan(total)
    ranked = np.lexsort((g.partner, np.where(lacking, 0.0, -total), lacking, g.key))
    block = g.key[ranked]
    first = np.ones(n, dtype=bool)
    first[1:] = block[1:] != block[:-1]
    block_start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else np.zeros(0, dtype="int64")
    position = np.arange(n) - block_start + 1
    return pd.DataFrame(
        {
            "period": pd.Index(period_out[ranked]),
            "partner_iso3": pd.Index(g.partners[g.partner[ranked]]),
            "partner_name": rows["partner_name"].array.take(g.name_rows[ranked], allow_fill=True),
            "months_reported": reported[ranked],
            "months_missing_figure": missing[ranked],
            "value": np.asarray(value, dtype="float64")[ranked],
            "months_with_data": with_data[ranked],
            "share_pct": share[ranked],
            "rank": pd.arrays.IntegerArray(position.astype("int64"), mask=lacking[ranked]),
        }
    )


def _ranked(
    df: pd.DataFrame, rows: pd.DataFrame, metric: str, by: str | Span, bbl_per_tonne: float, selection: dict
) -> pd.DataFrame:
    """:func:`_by_partner` of ``rows``, the selection of ``df`` made with the arguments ``selection`` (every
    argument given to :func:`select_flows`), remembered within :func:`reusing_selections`.

    A selection is named with :func:`select_flows`' defaults filled in, so that callers naming a default and
    callers leaving it out share one sum. Barrels per day are the tonnage's sums and ranks at each period's
    rate (:func:`_by_partner` ranks and shares them by tonnage): the tonnage's, converted."""
    selection = _SELECT_DEFAULTS | selection
    key = ("by_partner", metric, by, bbl_per_tonne, tuple(sorted(selection.items())))
    if metric != "bpd":
        return _remembered(df, key, lambda: _by_partner(rows, metric, by, bbl_per_tonne))

    def from_tonnage() -> pd.DataFrame:
        try:
            tonnage = _ranked(df, rows, "mass", by, bbl_per_tonne, selection)
        except NoData:  # no tonnage at all: raised as bpd's
            return _by_partner(rows, metric, by, bbl_per_tonne)
        rate = units.tonnes_to_bpd(tonnage["value"].to_numpy(), pd.Series(tonnage["period"].to_numpy()), bbl_per_tonne)
        return tonnage.assign(value=np.asarray(rate, dtype="float64"))

    return _remembered(df, key, from_tonnage)


#: :func:`select_flows`' defaults, by argument (how :func:`_ranked` names a selection).
_SELECT_DEFAULTS = {
    "reporter": "CHN",
    "flow": "import",
    "source": "comtrade_extract",
    "freq": "M",
    "duplicates": "raise",
}


def _summary(rows: pd.DataFrame, metric: str, by: str | Span, bbl_per_tonne: float) -> pd.DataFrame:
    """Sum over all given rows per output period: period, value, months_reported (months with a
    figure), months_missing_figure (months with a row lacking it).

    ``value`` leaves out missing figures (a partial sum where ``months_missing_figure > 0``); the change
    functions blank it unless asked for partial sums. ``rows`` needs only ``period``, ``freq`` and the
    metric's column.
    """
    x, _ = _figure_array(rows, metric, require=False)
    codes, pairs = _period_pairs(rows)
    pair_keys = _key_array(rows, by, np.array([period for period, _ in pairs], dtype=object))
    key_codes, keys = pd.factorize(pair_keys, sort=True)
    total, count = _group_sum(key_codes[codes], x, len(keys))
    # Only whether a row has a figure matters for the month counts: each distinct (pair, has figure) is
    # looked at once instead of every row.
    months: dict[bool, dict[int, set[str]]] = {True: {}, False: {}}
    for seen in np.unique(codes * 2 + ~np.isnan(x)).tolist():
        pair, has = divmod(seen, 2)
        months[bool(has)].setdefault(int(key_codes[pair]), set()).update(_months_of(*pairs[pair]))
    value = np.where(count > 0, total, np.nan)
    if metric == "bpd":
        value = units.tonnes_to_bpd(value, pd.Series(keys, dtype=object), bbl_per_tonne)
    return pd.DataFrame(
        {
            "period": pd.Index(keys, dtype=object),
            "value": np.asarray(value, dtype="float64"),
            "months_reported": np.array([len(months[True].get(k, ())) for k in range(len(keys))], dtype="int64"),
            "months_missing_figure": np.array([len(months[False].get(k, ())) for k in range(len(keys))], dtype="int64"),
        }
    )


# -------------------------------------------------------------------------------------- rankings


def supplier_ranking(
    df: pd.DataFrame,
    commodity: str,
    window: str,
    metric: str = "mass",
    *,
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """Suppliers of a commodity ranked by their total over a window.

    Totals are sums of the figures present: a month where a partner's row lacks the figure is left out
    of that partner's total and of the sum over partners (``months_missing_figure`` counts them, per
    partner), and a month of the window with no row at all is simply absent (``months_without_data``).
    Both are partial sums, never filled; say so wherever the totals are shown.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    window : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM`` (inclusive).
    metric : {"mass", "value", "bpd", "volume"}, default "mass"
    bbl_per_tonne : float, default 7.33
        Barrels per tonne for ``metric="bpd"`` [bbl/t].
    **select_kw
        Passed to :func:`select_flows` (reporter, flow, source, freq, duplicates).

    Returns
    -------
    DataFrame
        ``rank`` (1 = largest, ties broken by ``partner_iso3``; ``<NA>`` for partners with no figure),
        ``partner_iso3``, ``partner_name``, the metric column (e.g. ``net_weight_t`` [t];
        ``rate_bbl_per_day`` is the average over the window's days), ``share_pct`` [%] of the sum over
        partners with a figure (an upper bound for everyone when some partner has
        ``months_missing_figure > 0``), ``months_reported``, ``months_missing_figure``, ``months_in_window``,
        ``months_without_data`` (months of the window with no row at all: the window is incomplete),
        ``window``, ``metric``, ``unit``.
    """
    _check_metric(metric)
    span = parse_period(window)
    rows = select_flows(df, commodity, window=window, **select_kw)
    ranked = _ranked(df, rows, metric, span, bbl_per_tonne, {"commodity": commodity, "window": window, **select_kw})
    return _ranking_frame(ranked, metric, np.full(len(ranked), str(span), dtype=object), len(span.months()))


def _ranking_frame(ranked: pd.DataFrame, metric: str, window: np.ndarray, months_in_window: int) -> pd.DataFrame:
    """:func:`supplier_ranking`'s frame from :func:`_by_partner`'s rows of one window or several windows of
    the same length (``window``: the label of each row)."""
    return pd.DataFrame(
        {
            "rank": ranked["rank"].array,
            "partner_iso3": ranked["partner_iso3"].array,
            "partner_name": ranked["partner_name"].array,
            METRIC_COLUMNS[metric]: ranked["value"].to_numpy(),
            "share_pct": ranked["share_pct"].to_numpy(),
            "months_reported": ranked["months_reported"].to_numpy(),
            "months_missing_figure": ranked["months_missing_figure"].to_numpy(),
            "months_in_window": months_in_window,
            "months_without_data": months_in_window - ranked["months_with_data"].to_numpy(),
            "window": pd.array(window, dtype="str"),
            "metric": metric,
            "unit": METRIC_UNITS[metric],
        },
        copy=True,  # the aggregation may be remembered (reusing_selections): never share its arrays
    )


def supplier_rankings(
    df: pd.DataFrame,
    commodity: str,
    windows: Iterable[str],
    metric: str = "mass",
    *,
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """:func:`supplier_ranking` of several windows, one after another (index reset): the same frame as
    ``pd.concat([supplier_ranking(df, commodity, w, metric, ...) for w in windows], ignore_index=True)``,
    errors included.

    Calendar-year windows (``"2022"``, ``"2022-01/2022-12"``) are ranked together, from one sum per year
    and partner over the whole selection: the rows of a year are the rows whose whole period lies in it,
    summed in the same order. A selection with several rows for one partner and period, or a year without
    rows or without a figure, is ranked window by window (so that the error is the one that window raises).

    Parameters
    ----------
    windows : iterable of str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM`` each; the other parameters as :func:`supplier_ranking`'s.
    """
    windows = list(windows)
    if windows:  # (no windows: nothing to concatenate, pandas' error)
        _check_metric(metric)
    by_year = _yearly_ranked(df, commodity, metric, bbl_per_tonne, select_kw) if len(windows) > 1 else None
    frames, run = [], []  # run: consecutive calendar years answered from the yearly sums

    def flush() -> None:
        if run:
            ranked, blocks = by_year
            positions = np.concatenate([np.arange(*blocks[year]) for year in run])
            frames.append(_ranking_frame(ranked.take(positions), metric, ranked["period"].to_numpy()[positions], 12))
            run.clear()

    for window in windows:
        label = str(parse_period(window))
        if by_year is not None and label in by_year[1]:
            run.append(label)
            continue
        flush()
        frames.append(supplier_ranking(df, commodity, window, metric, bbl_per_tonne=bbl_per_tonne, **select_kw))
    flush()
    return pd.concat(frames, ignore_index=True)


def _yearly_ranked(
    df: pd.DataFrame, commodity: str, metric: str, bbl_per_tonne: float, select_kw: dict
) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]] | None:
    """:func:`_by_partner` per calendar year of the whole selection, and per year with a figure its rows
    (start, end). ``None`` when the years cannot be ranked this way: any error (the windows are then ranked
    one by one, and raise as they did: several rows for a partner and period in some year, say), or a row
    whose period does not lie within the calendar year it is keyed by."""
    try:
        rows = select_flows(df, commodity, **select_kw)  # AmbiguousFigures for duplicates in any year
        for period, freq in _period_pairs(rows)[1]:
            if any(month[:4] != period[:4] for month in _months_of(period, freq)):
                return None
        # The selection market_shares(freq="A") names: one aggregation for both within reusing_selections.
        selection = {"commodity": commodity, "freq": select_kw.get("freq", "M"), **select_kw}
        ranked = _ranked(df, rows, metric, "A", bbl_per_tonne, selection)
    except EnergyTradeError:
        return None
    starts, ends = _period_blocks(ranked)
    reported = ranked["months_reported"].to_numpy()
    periods = ranked["period"].to_numpy(dtype=object)
    return ranked, {str(periods[a]): (a, b) for a, b in zip(starts.tolist(), ends.tolist()) if reported[a:b].any()}


def market_shares(
    df: pd.DataFrame,
    commodity: str,
    metric: str = "mass",
    freq: str = "M",
    *,
    row_freq: str = "M",
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """Each partner's share of the sum over partners, per month or per calendar year.

    Sums and shares leave out missing figures: a partner with ``months_missing_figure > 0`` has a partial
    sum (NaN if every figure is missing) and the period's total is the sum of the figures present, so
    every share of that period is taken of a partial total. ``months_with_data`` below the period's
    months means a partial period.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    metric : {"mass", "value", "bpd", "volume"}, default "mass"
    freq : {"M", "A"}, default "M"
        Output period: month, or calendar year (the sum of its monthly rows).
    row_freq : {"M", "A"}, default "M"
        Frequency of the rows summed (``"A"`` for annual rows, then ``freq`` must be ``"A"``).
    bbl_per_tonne : float, default 7.33
        Barrels per tonne for ``metric="bpd"`` [bbl/t].
    **select_kw
        Passed to :func:`select_flows` (reporter, flow, source, window, duplicates).

    Returns
    -------
    DataFrame
        Long: ``period``, ``partner_iso3``, ``partner_name``, the metric column, ``share_pct`` [%] (of the
        sum over partners with a figure; see ``months_missing_figure``), ``rank`` (1 = largest), ``months_reported``, ``months_missing_figure``, ``months_with_data`` (months of the
        period with any row: below 12 means a partial year).
    """
    _check_metric(metric)
    _check_output_freq(freq)
    rows = select_flows(df, commodity, freq=row_freq, **select_kw)
    selection = {"commodity": commodity, "freq": row_freq, **select_kw}
    ranked = _ranked(df, rows, metric, freq, bbl_per_tonne, selection)
    names = {"value": METRIC_COLUMNS[metric]}
    columns = ["period", "partner_iso3", "partner_name", "value", "share_pct", "rank"]
    columns += ["months_reported", "months_missing_figure", "months_with_data"]
    # One frame built from the columns (a rename and a selection cost more than the aggregation here).
    return pd.DataFrame({names.get(c, c): ranked[c].array for c in columns}, copy=True)


def monthly_leaders(
    df: pd.DataFrame,
    commodity: str,
    metric: str = "mass",
    *,
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """The largest and second-largest supplier of each period (each month for monthly rows).

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    metric : {"mass", "value", "bpd", "volume"}, default "mass"
    bbl_per_tonne : float, default 7.33
        Barrels per tonne for ``metric="bpd"`` [bbl/t].
    **select_kw
        Passed to :func:`select_flows` (``freq="A"`` gives yearly leaders from annual rows).

    Returns
    -------
    DataFrame
        One row per period with any row: ``period``, ``leader_iso3``, ``leader_name``, ``leader_value``,
        ``runner_up_iso3``, ``runner_up_name``, ``runner_up_value``, ``margin_pct`` [%]
        (``(leader - runner_up) / runner_up * 100``; NaN when the runner-up is 0 or missing), ``unit``,
        ``n_partners`` (partners with a figure), ``n_partners_missing_figure`` (partners with a row but no
        figure: the leader could be wrong when this is not 0). Ties are broken by ``partner_iso3``.
    """
    _check_metric(metric)
    rows = select_flows(df, commodity, **select_kw)
    by = select_kw.get("freq", "M")
    ranked = _ranked(df, rows, metric, by, bbl_per_tonne, {"commodity": commodity, **select_kw})
    starts, ends = _period_blocks(ranked)
    ranks = ranked["rank"].to_numpy(dtype="float64", na_value=np.nan)
    # Rows are in blocks of one period, ranked: the leader is a block's first row, the runner-up its second.
    first = np.where(ranks[starts] == 1, starts, -1)
    second = np.where((starts + 1 < ends) & (ranks[np.minimum(starts + 1, len(ranks) - 1)] == 2), starts + 1, -1)
    value = ranked["value"].to_numpy()
    leader = np.where(first >= 0, value[first], np.nan)
    runner = np.where(second >= 0, value[second], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = (leader - runner) / np.where(runner > 0, runner, np.nan) * 100
    lacking = np.add.reduceat(ranked["months_missing_figure"].to_numpy() > 0, starts) if len(starts) else starts
    return pd.DataFrame(
        {
            "period": ranked["period"].array.take(starts),
            "leader_iso3": ranked["partner_iso3"].array.take(first, allow_fill=True),
            "leader_name": ranked["partner_name"].array.take(first, allow_fill=True),
            "leader_value": leader,
            "runner_up_iso3": ranked["partner_iso3"].array.take(second, allow_fill=True),
            "runner_up_name": ranked["partner_name"].array.take(second, allow_fill=True),
            "runner_up_value": runner,
            "margin_pct": margin,
            "unit": METRIC_UNITS[metric],
            "n_partners": np.add.reduceat(~np.isnan(ranks), starts).astype("int64") if len(starts) else starts,
            "n_partners_missing_figure": np.asarray(lacking).astype("int64"),
        }
    )


def _period_blocks(ranked: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each period's block of rows in :func:`_by_partner`'s output."""
    periods = ranked["period"].to_numpy(dtype=object)
    n = len(periods)
    starts = np.flatnonzero(np.r_[True, periods[1:] != periods[:-1]]) if n else np.zeros(0, dtype="int64")
    return starts, np.r_[starts[1:], n].astype("int64")


def partner_rank(
    df: pd.DataFrame,
    commodity: str,
    partner_iso3: str,
    metric: str = "mass",
    freq: str = "M",
    *,
    row_freq: str = "M",
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """One partner's rank among suppliers, per month or calendar year.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    partner_iso3 : str
        The partner, ISO3 (must have rows in the selection).
    metric : {"mass", "value", "bpd", "volume"}, default "mass"
    freq : {"M", "A"}, default "M"
    row_freq : {"M", "A"}, default "M"
        Frequency of the rows summed.
    bbl_per_tonne : float, default 7.33
        Barrels per tonne for ``metric="bpd"`` [bbl/t].
    **select_kw
        Passed to :func:`select_flows`.

    Returns
    -------
    DataFrame
        One row per period of the selection: ``period``, ``partner_iso3``, ``rank`` (``<NA>`` when the
        partner has no figure that period), ``value`` (in ``unit``), ``share_pct`` [%], ``n_partners``
        (partners with a figure), ``unit``, ``months_reported``, ``months_missing_figure``.
    """
    _check_metric(metric)
    _check_output_freq(freq)
    rows = select_flows(df, commodity, freq=row_freq, **select_kw)
    partner = _check_partner(rows, partner_iso3, f"the {commodity} selection")
    ranked = _ranked(df, rows, metric, freq, bbl_per_tonne, {"commodity": commodity, "freq": row_freq, **select_kw})
    starts, ends = _period_blocks(ranked)
    # The partner's row in each period's block (-1: none); a partner has at most one row per period.
    mine = np.flatnonzero((ranked["partner_iso3"] == partner).to_numpy())
    block_of = np.searchsorted(starts, mine, side="right") - 1
    row = np.full(len(starts), -1)
    row[block_of] = mine
    ranks = ranked["rank"].to_numpy(dtype="float64", na_value=np.nan)
    found = row >= 0

    def take(column: str, fill: float) -> np.ndarray:
        return np.where(found, ranked[column].to_numpy()[row], fill)

    return pd.DataFrame(
        {
            "period": ranked["period"].array.take(starts),
            "partner_iso3": partner,
            "rank": ranked["rank"].array.take(row, allow_fill=True),
            "value": take("value", np.nan).astype("float64"),
            "share_pct": take("share_pct", np.nan).astype("float64"),
            "n_partners": (np.add.reduceat(~np.isnan(ranks), starts) if len(starts) else starts).astype("int64"),
            "unit": METRIC_UNITS[metric],
            "months_reported": take("months_reported", 0).astype("int64"),
            "months_missing_figure": take("months_missing_figure", 0).astype("int64"),
        }
    )


def leadership_streaks(leaders: pd.DataFrame) -> pd.DataFrame:
    """Runs of consecutive months led by the same partner.

    A month without a leader (no figure) or a month absent from ``leaders`` ends a run.

    Parameters
    ----------
    leaders : DataFrame
        The output of :func:`monthly_leaders` (columns ``period`` ``YYYY-MM`` and ``leader_iso3``;
        ``leader_name`` is carried along when present).

    Returns
    -------
    DataFrame
        ``leader_iso3``, ``leader_name``, ``start``, ``end`` (``YYYY-MM``), ``n_months``, in time order.
    """
    _require_columns(leaders, ["period", "leader_iso3"], "leaders (from monthly_leaders)")
    try:
        months = [parse_month(p) for p in leaders["period"]]
    except BadPeriod:
        raise BadPeriod("leadership_streaks needs monthly leaders (period YYYY-MM); got other periods") from None
    # On arrays (a group-by with five aggregations cost milliseconds here): rows in time order, a run
    # starting at a month without a leader, a change of leader or a gap; per run its first row's leader and
    # period, its last row's period and its last name given (as a group-by's "last" skips missing names).
    index = np.array([m.year * 12 + m.month - 1 for m in months], dtype="int64")
    order = np.argsort(index, kind="stable")
    index = index[order]
    leader = leaders["leader_iso3"].to_numpy(dtype=object)[order]
    led = ~pd.isna(leader)
    n = len(order)
    new_run = ~led.copy()
    if n:
        new_run[0] = True
        changed = np.array([a != b for a, b in zip(leader[1:].tolist(), leader[:-1].tolist())], dtype=bool)
        new_run[1:] |= changed | ~led[:-1] | (index[1:] != index[:-1] + 1)
    run = np.cumsum(new_run)[led]
    rows = order[led]
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else np.zeros(0, dtype="int64")
    ends = np.append(starts[1:], len(run)).astype("int64") - 1 if len(starts) else starts
    if "leader_name" in leaders:
        names = leaders["leader_name"].array
        named = ~pd.isna(names.to_numpy(dtype=object)[rows])
        last_named = np.full(len(starts), -1)
        np.maximum.at(
            last_named, np.searchsorted(starts, np.flatnonzero(named), side="right") - 1, np.flatnonzero(named)
        )
        leader_name = names.take(np.where(last_named >= 0, rows[np.maximum(last_named, 0)], -1), allow_fill=True)
    else:
        leader_name = pd.array([""] * len(starts), dtype="str")
    periods = leaders["period"].array
    return pd.DataFrame(
        {
            "leader_iso3": leaders["leader_iso3"].array.take(rows[starts]),
            "leader_name": leader_name,
            "start": periods.take(rows[starts]),
            "end": periods.take(rows[ends]),
            "n_months": (ends - starts + 1).astype("int64"),
        }
    )


# --------------------------------------------------------------------------------------- changes


def change_over_period(
    df: pd.DataFrame,
    commodity: str,
    window: str,
    baseline_window: str,
    metric: str = "value",
    partner_iso3: str | None = "RUS",
    *,
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    allow_partial: bool = False,
    **select_kw,
) -> pd.DataFrame:
    """A partner's (or all partners') total over a window against a baseline window.

    A window is complete when every one of its months has data and none of the summed rows lacks the
    figure. An incomplete window has no total (``value`` or ``baseline_value`` NaN), so ``change`` and
    ``change_pct`` are NaN whenever either window is incomplete: a partial sum is not a change. The
    month counts say what is missing. ``allow_partial=True`` gives the partial sums (the figures
    present) and their change instead; ``is_complete`` then still says whether they are partial.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    window, baseline_window : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM`` (e.g. ``"2022-01/2022-11"`` vs ``"2021-01/2021-11"``).
    metric : {"mass", "value", "bpd", "volume"}, default "value"
    partner_iso3 : str or None, default "RUS"
        ``None`` compares the sum over all partners (labelled :data:`ALL_PARTNERS`).
    bbl_per_tonne : float, default 7.33
        Barrels per tonne for ``metric="bpd"`` [bbl/t].
    allow_partial : bool, default False
        Opt in to partial sums: the total of the figures present in an incomplete window (and the change
        computed from it) instead of NaN.
    **select_kw
        Passed to :func:`select_flows`.

    Returns
    -------
    DataFrame
        One row: ``commodity``, ``partner_iso3``, ``metric``, ``unit``, ``window``, ``baseline_window``,
        ``value``, ``baseline_value`` (each NaN when its window is incomplete, unless ``allow_partial``),
        ``change`` (value - baseline, in ``unit``), ``change_pct`` [%] (NaN when the baseline is 0 or
        missing, or either window is incomplete without ``allow_partial``), then for each window (``baseline_`` prefix for the
        baseline): ``months_in_window``, ``months_reported`` (months with a figure),
        ``months_missing_figure`` (months with a row lacking the figure), ``months_without_data``
        (months with no row of the selection at all); ``is_complete`` is True when no month of either
        window lacks data or a figure.

    Raises
    ------
    NoData
        A window with no rows at all, or a partner without rows in the selection.
    """
    return change_over_periods(
        df,
        [(commodity, window, baseline_window, metric)],
        partner_iso3,
        bbl_per_tonne=bbl_per_tonne,
        allow_partial=allow_partial,
        **select_kw,
    )


#: One comparison of :func:`change_over_periods`: commodity, window, baseline window, metric.
Comparison = tuple[str, str, str, str]


def change_over_periods(
    df: pd.DataFrame,
    comparisons: Iterable[Comparison],
    partner_iso3: str | None = "RUS",
    *,
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    allow_partial: bool = False,
    **select_kw,
) -> pd.DataFrame:
    """:func:`change_over_period` of several ``(commodity, window, baseline_window, metric)`` comparisons,
    one row each in the order given: the frame ``pd.concat`` of the one-row frames gives (``ignore_index``),
    made at once (a one-row frame costs more than its figures). The first comparison that fails raises
    what :func:`change_over_period` raises for it; no comparison gives a frame with no rows.
    """
    records: list[dict[str, object]] = []
    chosen: dict[str, tuple] = {}  # per commodity: its selection, the partner and the rows' months
    for commodity, window, baseline_window, metric in comparisons:
        _check_metric(metric)
        commodity = check_commodity(commodity)
        spans = {"": parse_period(window), "baseline_": parse_period(baseline_window)}
        if commodity not in chosen:
            whole = select_flows(df, commodity, **select_kw)
            partner = _check_partner(whole, partner_iso3, f"the {commodity} selection")
            months = None if "window" in select_kw else _row_months_of(df, whole, commodity, select_kw)
            mine = None if partner is None else (whole["partner_iso3"] == partner).to_numpy()
            chosen[commodity] = (whole, partner, months, mine)
        whole, partner, months, mine = chosen[commodity]
        record: dict[str, object] = {
            "commodity": commodity,
            "partner_iso3": partner or ALL_PARTNERS,
            "metric": metric,
            "unit": METRIC_UNITS[metric],
            "window": str(spans[""]),
            "baseline_window": str(spans["baseline_"]),
        }
        counts: dict[str, object] = {}
        for prefix, span in spans.items():
            inside = None if months is None else _rows_inside(months, span)
            if inside is not None and inside.any():
                figures = _window_figures(whole, inside, months, mine, metric, span, bbl_per_tonne)
            else:  # the window selection itself, and its error (NoData) when the window holds no row
                rows = select_flows(df, commodity, window=str(span), **select_kw)
                figures = _window_total(rows, partner, metric, span, bbl_per_tonne)
            total, reported, missing_figure, with_data = figures
            months_in_window = len(span.months())
            complete = missing_figure == 0 and with_data == months_in_window
            record[f"{prefix}value"] = total if complete or allow_partial else np.nan
            counts[f"{prefix}months_in_window"] = months_in_window
            counts[f"{prefix}months_reported"] = reported
            counts[f"{prefix}months_missing_figure"] = missing_figure
            counts[f"{prefix}months_without_data"] = months_in_window - with_data
        value, baseline = record["value"], record["baseline_value"]
        record["change"] = value - baseline
        record["change_pct"] = (value - baseline) / baseline * 100 if baseline > 0 else np.nan
        record.update(counts)
        gaps = ("months_missing_figure", "months_without_data")
        record["is_complete"] = all(counts[f"{prefix}{gap}"] == 0 for prefix in spans for gap in gaps)
        records.append(record)
    if not records:
        return pd.DataFrame()
    return pd.DataFrame({column: [r[column] for r in records] for column in records[0]})


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _row_months_of(df: pd.DataFrame, whole: pd.DataFrame, commodity: str, select_kw: dict) -> pd.DataFrame:
    """Per row of ``whole`` (the selection of ``df`` made with ``commodity`` and ``select_kw``): the first and
    the last month it covers (``first``, ``last``, as ``year * 12 + month - 1``; a row covers every month
    between), remembered within :func:`reusing_selections` (one selection is asked about many windows)."""

    return _remembered(df, ("row_months", commodity, tuple(sorted(select_kw.items()))), lambda: _month_ends(whole))


def _month_ends(rows: pd.DataFrame) -> pd.DataFrame:
    """Per row: the first and the last month it covers (``first``, ``last``, as ``year * 12 + month - 1``)."""
    codes, pairs = _period_pairs(rows)
    ends = np.array(
        [(_month_index(months[0]), _month_index(months[-1])) for months in (_months_of(*p) for p in pairs)],
        dtype="int64",
    ).reshape(-1, 2)
    return pd.DataFrame({"first": ends[codes, 0], "last": ends[codes, 1]})


def _rows_inside(months: pd.DataFrame, span: Span) -> np.ndarray:
    """The rows whose whole period lies inside ``span`` (as :func:`_inside`, from :func:`_row_months_of`)."""
    start, end = _month_index(str(span.start)), _month_index(str(span.end))
    return (months["first"].to_numpy() >= start) & (months["last"].to_numpy() <= end)


def _window_figures(
    whole: pd.DataFrame,
    inside: np.ndarray,
    months: pd.DataFrame,
    mine: np.ndarray | None,
    metric: str,
    span: Span,
    bbl_per_tonne: float,
) -> tuple[float, int, int, int]:
    """:func:`_window_total` of the rows of ``whole`` ``inside`` the window (at least one), on the selection's
    arrays (``mine``: the partner's rows of ``whole``, ``None`` for all partners): the months a set of rows
    covers are the union of each row's ``first`` to ``last``."""
    x, _ = _figure_array(whole, metric, require=False)
    first, last = months["first"].to_numpy(), months["last"].to_numpy()

    def n_months(rows: np.ndarray) -> int:
        covered = set()
        for a, b in set(zip(first[rows].tolist(), last[rows].tolist())):
            covered.update(range(a, b + 1))
        return len(covered)

    with_data = n_months(inside)
    mine = inside if mine is None else inside & mine
    has = ~np.isnan(x)
    total, count = _group_sum(np.zeros(int(mine.sum()), dtype="int64"), x[mine], 1)
    value = total if count[0] else np.full(1, np.nan)
    if metric == "bpd" and count[0]:
        value = units.tonnes_to_bpd(value, pd.Series([str(span)], dtype=object), bbl_per_tonne)
    return float(value[0]), n_months(mine & has), n_months(mine & ~has), with_data


def _window_total(
    rows: pd.DataFrame, partner: str | None, metric: str, span: Span, bbl_per_tonne: float
) -> tuple[float, int, int, int]:
    """One window's figure for :func:`change_over_period` (``rows``: the selection in the window, at least one
    row): the sum of the partner's figures present (of all partners' for ``None``; NaN without any), the months
    with a figure, the months with a row lacking it, and the months with a row of any partner
    (:func:`_window_figures` of every row)."""
    mine = None if partner is None else (rows["partner_iso3"] == partner).to_numpy()
    inside = np.ones(len(rows), dtype=bool)
    return _window_figures(rows, inside, _month_ends(rows), mine, metric, span, bbl_per_tonne)


def yoy_change(
    df: pd.DataFrame,
    commodity: str,
    metric: str = "value",
    freq: str = "M",
    partner_iso3: str | None = None,
    *,
    row_freq: str = "M",
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    allow_partial: bool = False,
    **select_kw,
) -> pd.DataFrame:
    """Year-on-year change per month or calendar year, for one partner or the sum over partners.

    A period is complete when each of its months has data and none of the summed rows lacks the figure.
    An incomplete period has no total (``value`` NaN, and so ``value_year_earlier`` NaN a year later), so
    its change, and the change of the period a year after it, are NaN: a partial sum is not a change.
    ``allow_partial=True`` gives the partial sums (the figures present) and their changes instead.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    metric : {"mass", "value", "bpd", "volume"}, default "value"
    freq : {"M", "A"}, default "M"
    partner_iso3 : str or None, default None
        ``None``: the sum over all partners (labelled :data:`ALL_PARTNERS`).
    row_freq : {"M", "A"}, default "M"
    bbl_per_tonne : float, default 7.33
    allow_partial : bool, default False
        Opt in to partial sums for incomplete periods (the figures present) instead of NaN.
    **select_kw
        Passed to :func:`select_flows`.

    Returns
    -------
    DataFrame
        One row per period of the selection: ``period``, ``partner_iso3``, ``value`` (NaN when the period
        is incomplete, unless ``allow_partial``), ``value_year_earlier`` (the same for the period a year
        earlier; NaN when the selection has no such period), ``change_pct`` [%], ``unit``,
        ``months_with_data``, ``months_missing_figure`` and the same two with ``_year_earlier``, and
        ``is_complete`` (both periods fully covered, no missing figure).
    """
    _check_metric(metric)
    _check_output_freq(freq)
    rows = select_flows(df, commodity, freq=row_freq, **select_kw)
    partner = _check_partner(rows, partner_iso3, f"the {commodity} selection")
    _figure_array(rows, metric)  # raises NoData when the metric has no figure at all
    needed = ["period", "freq", _SOURCE_COLUMN[metric]]
    mine = rows[needed] if partner is None else rows.loc[(rows["partner_iso3"] == partner).to_numpy(), needed]
    summary = _summary(mine, metric, freq, bbl_per_tonne)
    coverage = _coverage(rows, freq)
    # On arrays (a dozen small pandas steps cost milliseconds): each period's figures, then the same figures
    # a year earlier, taken by position (periods are unique).
    periods = sorted(coverage.index)
    position = {period: i for i, period in enumerate(periods)}
    value = np.full(len(periods), np.nan)
    missing = np.zeros(len(periods), dtype="int64")
    at = np.array([position.get(period, -1) for period in summary["period"].tolist()], dtype="int64")
    found = at >= 0
    value[at[found]] = summary["value"].to_numpy(dtype="float64")[found]
    missing[at[found]] = summary["months_missing_figure"].to_numpy(dtype="int64")[found]
    with_data = coverage.reindex(periods).to_numpy(dtype="int64")
    full = np.array([_n_months(p) for p in periods], dtype="int64")
    if not allow_partial:
        value = np.where((with_data == full) & (missing == 0), value, np.nan)
    earlier = np.array([position.get(_year_earlier(p), -1) for p in periods], dtype="int64")
    has_earlier = earlier >= 0

    def year_earlier(x: np.ndarray, absent: float) -> np.ndarray:
        return np.where(has_earlier, x[np.maximum(earlier, 0)] if len(x) else x, absent)

    base = year_earlier(value, np.nan)
    with_data_earlier = year_earlier(with_data, 0).astype("int64")
    missing_earlier = year_earlier(missing, 0).astype("int64")
    return pd.DataFrame(
        {
            "period": pd.Index(periods, name="period"),
            "partner_iso3": partner or ALL_PARTNERS,
            "value": value,
            "value_year_earlier": base,
            "change_pct": (value - base) / np.where(base > 0, base, np.nan) * 100,
            "unit": METRIC_UNITS[metric],
            "months_with_data": with_data,
            "months_missing_figure": missing,
            "months_with_data_year_earlier": with_data_earlier,
            "months_missing_figure_year_earlier": missing_earlier,
            "is_complete": (with_data == full) & (with_data_earlier == full) & (missing == 0) & (missing_earlier == 0),
        }
    )


# --------------------------------------------------------------------------------- concentration


def hhi(
    df: pd.DataFrame,
    commodity: str,
    metric: str = "mass",
    freq: str = "M",
    *,
    row_freq: str = "M",
    **select_kw,
) -> pd.DataFrame:
    """Herfindahl-Hirschman index of supplier concentration per month or calendar year.

    HHI = sum over partners of (share in percent)^2: 10 000 for a single supplier, 10 000 / n for
    n equal suppliers.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str
        Commodity name or HS code.
    metric : {"mass", "value", "bpd", "volume"}, default "mass"
    freq : {"M", "A"}, default "M"
    row_freq : {"M", "A"}, default "M"
    **select_kw
        Passed to :func:`select_flows`.

    Returns
    -------
    DataFrame
        ``period``, ``hhi`` [0-10 000], ``n_partners`` (partners with a figure above 0),
        ``n_partners_missing_figure`` (partners with a row but no figure: their share is unknown, so the
        HHI is approximate when this is not 0), ``months_with_data``.
    """
    shares = market_shares(df, commodity, metric, freq, row_freq=row_freq, **select_kw)
    column = METRIC_COLUMNS[metric]
    # On arrays, with the results of a group-by by period (sorted): sums of squares, counts, and each
    # period's first months_with_data.
    codes, periods = pd.factorize(shares["period"], sort=True)
    n = len(periods)
    squares = shares["share_pct"].to_numpy(dtype="float64", na_value=np.nan) ** 2
    # pandas' group-by sum itself (_group_sum's compensated sums differ from it in the last bit now and then).
    hhi = pd.Series(squares).groupby(codes).sum(min_count=1).to_numpy()

    def how_many(flags: pd.Series) -> np.ndarray:
        return np.bincount(codes, weights=flags.to_numpy(dtype=bool), minlength=n).astype("int64")

    _, first = np.unique(codes, return_index=True)
    return pd.DataFrame(
        {
            "period": periods,
            "hhi": hhi,
            "n_partners": how_many(shares[column] > 0),
            "n_partners_missing_figure": how_many(shares["months_missing_figure"] > 0),
            "months_with_data": shares["months_with_data"].to_numpy()[first],
        }
    )


# ----------------------------------------------------------------------------------------- prices


def unit_values(
    df: pd.DataFrame,
    commodity: str = "crude_oil",
    freq: str = "M",
    *,
    row_freq: str = "M",
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """Unit values (value / mass) per partner and month or calendar year.

    Only months with both a value and a mass above 0 are used (in both sums), so a month with a
    missing or zero mass neither inflates nor deflates the unit value: alone it gives NaN, never inf.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    commodity : str, default "crude_oil"
    freq : {"M", "A"}, default "M"
    row_freq : {"M", "A"}, default "M"
    bbl_per_tonne : float, default 7.33
        Barrels per tonne [bbl/t] for ``usd_per_bbl`` (crude oil only; NaN for other commodities).
    **select_kw
        Passed to :func:`select_flows`.

    Returns
    -------
    DataFrame
        ``period``, ``partner_iso3``, ``partner_name``, ``net_weight_t`` [t] and ``value_usd`` [USD] of the
        months used, ``usd_per_t`` [USD/t], ``usd_per_bbl`` [USD/bbl], ``months_used``, ``months_unusable``.
    """
    _check_output_freq(freq)
    commodity = check_commodity(commodity)
    key = ("unit_values", commodity, freq, row_freq, bbl_per_tonne, tuple(sorted(select_kw.items())))
    return _remembered(df, key, lambda: _unit_values(df, commodity, freq, row_freq, bbl_per_tonne, select_kw))


def _unit_values(
    df: pd.DataFrame, commodity: str, freq: str, row_freq: str, bbl_per_tonne: float, select_kw: dict
) -> pd.DataFrame:
    rows = select_flows(df, commodity, freq=row_freq, **select_kw)
    tonnes, n_months = _figure_array(rows, "mass")
    value, _ = _figure_array(rows, "value")
    usable = (tonnes > 0) & ~np.isnan(value)
    g = _partner_groups(rows, freq)
    net_weight_t, n_t = g.sum(np.where(usable, tonnes, np.nan))
    value_usd, n_usd = g.sum(np.where(usable, value, np.nan))
    out = pd.DataFrame(
        {
            "period": pd.Index(g.keys[g.key]),
            "partner_iso3": pd.Index(g.partners[g.partner]),
            "partner_name": rows["partner_name"].array.take(g.name_rows, allow_fill=True),
            "months_used": g.count(np.where(usable, n_months, 0)),
            "months_unusable": g.count(np.where(usable, 0, n_months)),
            "net_weight_t": np.where(n_t > 0, net_weight_t, np.nan),
            "value_usd": np.where(n_usd > 0, value_usd, np.nan),
        }
    )
    out["usd_per_t"] = out["value_usd"] / out["net_weight_t"]
    out["usd_per_bbl"] = out["usd_per_t"] / bbl_per_tonne if commodity == "crude_oil" else np.nan
    columns = [
        "period",
        "partner_iso3",
        "partner_name",
        "net_weight_t",
        "value_usd",
        "usd_per_t",
        "usd_per_bbl",
        "months_used",
        "months_unusable",
    ]
    return out[columns].astype({"months_used": "int64", "months_unusable": "int64", "usd_per_bbl": "float64"})


def price_discount(
    df: pd.DataFrame,
    partner_iso3: str = "RUS",
    against: str = "SAU",
    freq: str = "M",
    *,
    commodity: str = "crude_oil",
    row_freq: str = "M",
    bbl_per_tonne: float = units.BARRELS_PER_TONNE_CRUDE,
    **select_kw,
) -> pd.DataFrame:
    """A partner's unit value against another partner's or the average of all suppliers.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    partner_iso3 : str, default "RUS"
    against : str, default "SAU"
        A partner's ISO3 code, or ``"average"``: the value-weighted average of all suppliers (their
        total value / total mass, the partner included).
    freq : {"M", "A"}, default "M"
    commodity : str, default "crude_oil"
    row_freq : {"M", "A"}, default "M"
    bbl_per_tonne : float, default 7.33
        Barrels per tonne [bbl/t]; the same factor for both crudes, so the per-barrel discount is the
        per-tonne discount divided by it.
    **select_kw
        Passed to :func:`select_flows`.

    Returns
    -------
    DataFrame
        One row per period of the selection: ``period``, ``partner_iso3``, ``benchmark`` (``against``),
        ``partner_usd_per_t``, ``benchmark_usd_per_t``, ``partner_usd_per_bbl``, ``benchmark_usd_per_bbl``,
        ``discount_usd_per_t`` and ``discount_usd_per_bbl`` (benchmark - partner; positive = the partner
        is cheaper), ``discount_pct`` [%] (discount / benchmark * 100).
    """
    values = unit_values(df, commodity, freq, row_freq=row_freq, bbl_per_tonne=bbl_per_tonne, **select_kw)
    what = f"the {check_commodity(commodity)} unit values"
    partner = _check_partner(values, partner_iso3, what)
    # On arrays (the pandas steps, set_index, reindex, a group-by and column by column, cost milliseconds):
    # each period's position in order of first appearance, the rows of the unit values are one per partner
    # and period.
    codes, _ = pd.factorize(values["period"])
    periods = pd.Index(values["period"].unique(), name="period")
    usd_per_t = values["usd_per_t"].to_numpy(dtype="float64", na_value=np.nan)

    def per_period(code: str) -> np.ndarray:
        mine = (values["partner_iso3"] == code).to_numpy()
        out = np.full(len(periods), np.nan)
        out[codes[mine]] = usd_per_t[mine]
        return out

    partner_t = per_period(partner)
    if str(against).strip().lower() == "average":
        label = "average"
        # pandas' group-by sum itself (on the period codes): _group_sum's compensated sums differ from it in
        # the last bit now and then.
        sums = [
            pd.Series(values[column].to_numpy(dtype="float64", na_value=np.nan))
            .groupby(codes)
            .sum(min_count=1)
            .to_numpy()
            for column in ("value_usd", "net_weight_t")
        ]
        bench_t = sums[0] / np.where(sums[1] > 0, sums[1], np.nan)
    else:
        label = _check_partner(values, against, what)
        bench_t = per_period(label)
    per_bbl = 1 / bbl_per_tonne if check_commodity(commodity) == "crude_oil" else np.nan
    discount_t = bench_t - partner_t
    return pd.DataFrame(
        {
            "period": periods,
            "partner_iso3": partner,
            "benchmark": label,
            "partner_usd_per_t": partner_t,
            "benchmark_usd_per_t": bench_t,
            "partner_usd_per_bbl": partner_t * per_bbl,
            "benchmark_usd_per_bbl": bench_t * per_bbl,
            "discount_usd_per_t": discount_t,
            "discount_usd_per_bbl": discount_t * per_bbl,
            "discount_pct": discount_t / bench_t * 100,
        }
    )


# ----------------------------------------------------------------------------------- cross-source

# Figures compared across sources (the press's printed bpd is not: outlets convert at 7.3 or 7.33 bbl/t).
_COMPARED = {"mass": "net_weight_kg", "value": "value_usd", "volume": "volume_bcm"}
_COMPARED_UNITS = {"mass": "t", "value": "USD", "volume": "bcm"}


def _compared_figures(rows: pd.DataFrame) -> np.ndarray:
    """Per row and compared metric (columns in the order of :data:`_COMPARED`): the figure, mass in tonnes."""
    figures = np.empty((len(rows), len(_COMPARED)))
    for i, (metric, column) in enumerate(_COMPARED.items()):
        figure = rows[column].to_numpy(dtype="float64", na_value=np.nan)
        figures[:, i] = units.kg_to_tonnes(figure) if metric == "mass" else figure
    return figures


@dataclass(frozen=True)
class _BaseFigures:
    """The base source's figures: one entry per base row, then one per partner sum (a ``WLD`` total of a
    commodity and month summed from the partner rows, where the base reports none). Keys are codes in the
    base's commodities, partners and months; a missing key value matches a missing one (as a merge does)."""

    commodities: pd.Index
    partners: pd.Index
    months: pd.Index
    #: The entries' combined keys, sorted, and the entry of each.
    keys: np.ndarray
    entry_of_key: np.ndarray
    #: Per entry and compared metric (:data:`_COMPARED`): the figure, NaN when missing.
    values: np.ndarray
    #: Per entry: the HS code(s) (``None`` when missing) and the provenance (``None`` when missing).
    hs_code: list
    provenance: list

    def entries(self, commodity: pd.Series, partner: pd.Series, month: pd.Series) -> np.ndarray:
        """The entry of each ``(commodity, partner, month)``, -1 where the base has none."""
        c = self.commodities.get_indexer(commodity)
        p = self.partners.get_indexer(partner)
        m = self.months.get_indexer(month)
        key = (c * len(self.partners) + p) * len(self.months) + m
        at = np.minimum(np.searchsorted(self.keys, key), max(len(self.keys) - 1, 0))
        found = (c >= 0) & (p >= 0) & (m >= 0) & (self.keys[at] == key) if len(self.keys) else np.zeros(len(key), bool)
        return np.where(found, self.entry_of_key[at] if len(self.keys) else -1, -1)


def _nullable(values: list) -> list:
    return [None if v is None or v != v else v for v in values]


def _base_figures(base: pd.DataFrame, base_source: str, totals_from_partners: bool) -> _BaseFigures:
    """The figures of the base rows (no two share a commodity, partner and month) and, with
    ``totals_from_partners``, the partner sums: per commodity-month without a reported ``WLD`` row and per
    metric, the sum of the partner rows' figures in row order when none of them lacks it."""
    c, commodities = pd.factorize(base["commodity"], use_na_sentinel=False)
    p, partners = pd.factorize(base["partner_iso3"], use_na_sentinel=False)
    m, months = pd.factorize(base["period"], use_na_sentinel=False)
    commodities, partners, months = pd.Index(commodities), pd.Index(partners), pd.Index(months)
    if WORLD_ISO3 not in partners:
        partners = partners.append(pd.Index([WORLD_ISO3], dtype=partners.dtype))
    n_p, n_m = len(partners), len(months)
    world = partners.get_loc(WORLD_ISO3)
    values = _compared_figures(base)
    hs_code, provenance = _nullable(base["hs_code"].tolist()), _nullable(base["provenance"].tolist())
    keys = [(c * n_p + p) * n_m + m]
    if totals_from_partners:
        # A group-by drops keys with a missing commodity or month: so are these rows.
        summed = np.flatnonzero((p != world) & ~commodities.isna()[c] & ~months.isna()[m])
        reported = np.unique((c * n_m + m)[p == world])
        groups, codes = np.unique((c * n_m + m)[summed], return_inverse=True)
        sizes = np.bincount(codes, minlength=len(groups))
        sums = np.full((len(groups), len(_COMPARED)), np.nan)
        for k in range(len(_COMPARED)):
            total, count = _group_sum(codes, values[summed, k], len(groups))
            sums[:, k] = np.where(count == sizes, total, np.nan)  # a total with an unknown part is unknown
        # Each distinct (group, HS code) is looked at once.
        h, codes_of = pd.factorize(base["hs_code"], use_na_sentinel=True)
        with_code = h[summed] >= 0
        pairs = np.unique(codes[with_code] * max(len(codes_of), 1) + h[summed][with_code])
        found: dict[int, set[str]] = {}
        code_names = [str(code) for code in codes_of.tolist()]
        for group, code in zip(*(part.tolist() for part in np.divmod(pairs, max(len(codes_of), 1)))):
            found.setdefault(group, set()).add(code_names[code])
        new = np.flatnonzero(~np.isin(groups, reported))
        sum_c, sum_m = np.divmod(groups[new], n_m)
        names, labels = commodities.tolist(), months.tolist()
        for group, ci, mi in zip(new.tolist(), sum_c.tolist(), sum_m.tolist()):
            hs_code.append(", ".join(sorted(found.get(group, ()))))
            provenance.append(f"sum of {sizes[group]} partner rows of {base_source} ({names[ci]} {labels[mi]})")
        keys.append((sum_c * n_p + world) * n_m + sum_m)
        values = np.concatenate([values, sums[new]])
    keys = np.concatenate(keys)
    order = np.argsort(keys, kind="stable")
    return _BaseFigures(commodities, partners, months, keys[order], order, values, hs_code, provenance)


def _stable_order(frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """The positions that sort ``frame`` by the columns ``by`` as ``sort_values(by, kind="mergesort")`` does
    (missing values last, ties in frame order)."""
    codes = []
    for column in reversed(by):
        code, uniques = pd.factorize(frame[column], sort=True)
        codes.append(np.where(code < 0, len(uniques), code))
    return np.lexsort(codes) if codes and len(frame) else np.arange(len(frame))


def cross_source_comparison(
    df: pd.DataFrame,
    *,
    base_source: str = "comtrade_extract",
    other_source: str = "gacc_press",
    tolerance_pct: float = 2.0,
    reporter: str = "CHN",
    flow: str = "import",
    freqs: Iterable[str] = ("M", "A"),
    base_totals_from_partners: bool = True,
) -> pd.DataFrame:
    """The same figure in two sources, side by side, flagged where they differ by more than a tolerance.

    Every ``other_source`` row (each press outlet separately) is compared with the ``base_source``
    figure of the same commodity, partner and period: a monthly row with the base's month; an annual
    (``A``) row with the sum of the base's 12 months, and a ``YTD`` row (when ``"YTD"`` is in ``freqs``)
    with the sum of January to its month, only when the base has data for every one of those months and
    none of the partner's rows lacks the figure. Figures compared: mass [t], value [USD], volume [bcm].

    Rows are matched by commodity, not by HS code, so a pair may cover different goods: the press's (GACC)
    coal is coal and lignite (HS 2701+2702) while the Comtrade extract's is HS 2701 only. Such rows are kept
    but marked ``like_for_like=False``; count their differences apart from the like-for-like ones.

    Parameters
    ----------
    df : DataFrame
        The clean table.
    base_source, other_source : str
        Source names (``comtrade_extract``, ``comtrade``, ``gacc_query``, ``gacc_press``).
    tolerance_pct : float, default 2.0
        Differences above this (in percent of the base) are flagged.
    reporter, flow : str
        As in :func:`select_flows`.
    freqs : iterable of {"M", "A", "YTD"}, default ("M", "A")
        Frequencies of ``other_source`` rows to compare.
    base_totals_from_partners : bool, default True
        When the base has no ``WLD`` row for a commodity and month, compare the other source's ``WLD``
        totals with the sum of the base's partner rows (only where no partner row lacks the figure).

    Returns
    -------
    DataFrame
        ``commodity``, ``period``, ``freq``, ``partner_iso3``, ``metric``, ``unit``, ``base_hs_code`` and
        ``other_hs_code`` (the HS codes each side's figure covers, e.g. ``"2701"`` and ``"2701+2702"``),
        ``like_for_like`` (the two HS codes are the same), ``base_value``, ``other_value``, ``diff_pct``
        [%] ((other - base) / base * 100), ``flagged`` (``abs(diff_pct) > tolerance_pct``, or a base of 0
        against a non-zero figure), ``base_months`` (months summed), ``base_provenance``,
        ``other_provenance``, ``other_note``. One row per ``other_source`` row: a figure printed by two
        outlets gives two rows.
    """
    _require_columns(df, COLUMNS, "the clean table")
    reporter = check_iso3(reporter)
    freqs = tuple(freqs)
    unknown = [f for f in freqs if f not in ("M", "A", "YTD")]
    if unknown:
        raise BadPeriod(f"unknown freqs {unknown}; use 'M', 'A' and/or 'YTD'")
    in_scope = ((df["reporter_iso3"] == reporter) & (df["flow"] == flow)).to_numpy()
    source = (df["source"] == base_source).to_numpy(), (df["source"] == other_source).to_numpy()
    needed = ["commodity", "partner_iso3", "period", "freq", "hs_code", "provenance", "note", *_COMPARED.values()]
    base = df[needed].iloc[np.flatnonzero(in_scope & source[0] & (df["freq"] == "M").to_numpy())]
    other = df[needed].iloc[np.flatnonzero(in_scope & source[1] & df["freq"].isin(freqs).to_numpy())]
    for name, rows in ((base_source, base), (other_source, other)):
        if rows.empty:
            present = ", ".join(sorted(df.loc[in_scope, "source"].unique()))
            raise NoData(f"no {reporter} {flow} rows of source {name!r} to compare; sources present: {present}")
    dup = base.duplicated(["commodity", "partner_iso3", "period"], keep=False)
    if dup.any():
        raise AmbiguousFigures(
            f"base source {base_source!r} has {int(dup.sum())} rows sharing a commodity, partner and month; "
            "the base must give one figure per key"
        )
    found = _base_figures(base, base_source, base_totals_from_partners)

    # One line per other row and compared figure it carries, metric after metric; a line covers the months
    # of its row's period, each matched with the base's figure of the same commodity, partner and month.
    other_values = _compared_figures(other)
    carried = np.flatnonzero(~np.isnan(other_values).all(axis=1))
    periods, row_freqs = other["period"].tolist(), other["freq"].tolist()
    months_of: dict[tuple[str, str], list[str]] = {}
    for k in range(len(_COMPARED)):  # in line order, so that a bad period is met where it was before
        for r in np.flatnonzero(~np.isnan(other_values[:, k])).tolist():
            pair = (str(periods[r]), str(row_freqs[r]))
            if pair not in months_of:
                months_of[pair] = _months_of(*pair)
    row_months = [months_of[(str(periods[r]), str(row_freqs[r]))] for r in carried.tolist()]
    n_months = np.array([len(ms) for ms in row_months], dtype="int64")
    item_row = np.repeat(carried, n_months)  # one item per carried row and month it covers
    entry = found.entries(
        other["commodity"].array.take(item_row),
        other["partner_iso3"].array.take(item_row),
        pd.Index([month for ms in row_months for month in ms], dtype=object),
    )
    first_item = np.cumsum(n_months) - n_months
    # Compare only sums over complete base data: a base figure for every month (a partner absent all year
    # is not a zero to compare with), and a known commodity.
    has_commodity = other["commodity"].notna().to_numpy()[carried]
    metrics, rows = [], []
    for k in range(len(_COMPARED)):
        lacking = (entry < 0) | np.isnan(found.values[entry, k])
        complete = np.add.reduceat(lacking, first_item) == 0 if len(carried) else np.zeros(0, bool)
        keep = np.flatnonzero(complete & has_commodity & ~np.isnan(other_values[carried, k]))
        metrics.append(np.full(len(keep), k))
        rows.append(keep)
    metrics, rows = np.concatenate(metrics), np.concatenate(rows)  # rows: positions in ``carried``
    line_items = np.repeat(first_item[rows] - np.cumsum(n_months[rows]) + n_months[rows], n_months[rows])
    line_items = line_items + np.arange(len(line_items))
    line_of = np.repeat(np.arange(len(rows)), n_months[rows])
    line_entries = entry[line_items]
    base_value, _ = _group_sum(line_of, found.values[line_entries, metrics[line_of]], len(rows))
    # A row's HS codes and provenances are those of its entries, the same for each of its metrics.
    hs_codes, provenances = {}, {}
    for r in np.unique(rows).tolist():
        entries = entry[first_item[r] : first_item[r] + n_months[r]].tolist()
        codes = {str(found.hs_code[e]) for e in entries if found.hs_code[e] is not None}
        hs_codes[r] = ", ".join(sorted(codes))
        provenances[r] = _join_provenance(
            [found.provenance[e] for e in entries if found.provenance[e] is not None], base_source
        )
    picked = other.iloc[carried[rows]]
    names, units_of = list(_COMPARED), [_COMPARED_UNITS[m] for m in _COMPARED]
    base_value = pd.Series(base_value)
    other_value = pd.Series(other_values[carried[rows], metrics])
    diff_pct = (other_value - base_value) / base_value.where(base_value != 0) * 100
    base_hs_code = pd.Series([hs_codes[r] for r in rows.tolist()], dtype="str")
    other_hs_code = picked["hs_code"].astype(str).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "commodity": picked["commodity"].array,
            "period": picked["period"].array,
            "freq": picked["freq"].array,
            "partner_iso3": picked["partner_iso3"].array,
            "metric": pd.array([names[k] for k in metrics.tolist()], dtype="str"),
            "unit": pd.array([units_of[k] for k in metrics.tolist()], dtype="str"),
            "base_hs_code": base_hs_code.array,
            "other_hs_code": other_hs_code.array,
            "like_for_like": (base_hs_code == other_hs_code).to_numpy(dtype=bool),
            "base_value": base_value.to_numpy(),
            "other_value": other_value.to_numpy(),
            "diff_pct": diff_pct.to_numpy(),
            "flagged": ((diff_pct.abs() > tolerance_pct) | ((base_value == 0) & (other_value != 0))).to_numpy(),
            "base_months": n_months[rows],
            "base_provenance": pd.array(
                [provenances[r] for r in rows.tolist()],
                # as the frame this replaced: float (empty) when no other row carries a compared figure
                dtype="str" if len(carried) else "float64",
            ),
            "other_provenance": picked["provenance"].array,
            "other_note": picked["note"].array,
        }
    )
    order = _stable_order(out, ["commodity", "freq", "period", "partner_iso3", "metric", "other_provenance"])
    return out.take(order).reset_index(drop=True)


def _join_provenance(provenances: Iterable[str], base_source: str) -> str:
    """One provenance, or ``sum of n months: <file>#row=a,b,c; ...`` (rows grouped by file)."""
    items = [str(p) for p in provenances]
    if len(items) <= 1:
        return "".join(items)
    rows_by_file: dict[str, list[str]] = {}
    sums = 0
    for item in items:
        path, sep, row = item.partition("#row=")
        if sep:
            rows_by_file.setdefault(path, []).append(row)
        else:
            sums += 1
    parts = [f"{path}#row={','.join(rows)}" for path, rows in rows_by_file.items()]
    if sums:
        parts.append(f"{sums} monthly partner sums of {base_source}")
    return f"sum of {len(items)} months: " + "; ".join(parts)


# ------------------------------------------------------------------------------ store-backed questions
# The functions above are pure (a frame in, a frame out). The ones below ask the columnar store
# (``energytrade.store``) for aggregates computed inside DuckDB, for sources too large to hold in memory
# (BACI: every importer and exporter in the world).


def destinations(
    exporter: str,
    commodity: str,
    *,
    start: str | None = None,
    end: str | None = None,
    metric: str = "value",
    source: str = "baci",
    data_dir: str | None = None,
) -> pd.DataFrame:
    """Where an exporter's goods went: each importer's imports from ``exporter``, per period.

    Read from the importers' side of the store (``flow == "import"``, ``partner_iso3 == exporter``), e.g.
    where Russia's crude oil went in 2022 according to BACI.

    Parameters
    ----------
    exporter : str
        ISO3 code of the exporting country (``"RUS"``).
    commodity : str
        Clean commodity name or HS code (``"crude_oil"``, ``"2709"``).
    start, end : str, optional
        Inclusive period bounds (``YYYY`` or ``YYYY-MM``).
    metric : {"value", "mass"}
        ``value_usd`` [USD] or ``net_weight_t`` [t].
    source : str, default "baci"
        A stored source with one row per figure.
    data_dir : path, optional
        The data root.

    Returns
    -------
    pandas.DataFrame
        ``importer_iso3``, ``period``, the metric column, ``share_pct`` (of the period's total over the
        importers with a figure [%]) and ``rows_missing_figure`` (rows in the store without the figure:
        if any, the total is a lower bound). Sorted by period, then largest first.

    Raises
    ------
    NoData
        If the store holds no such flow.
    """
    metric = _check_metric(metric)
    if metric not in ("value", "mass"):
        raise UnknownMetric(f"destinations() sums value or mass, not {metric!r}")
    column = _SOURCE_COLUMN[metric]
    sums = store.totals(
        ["reporter_iso3", "period"],
        column,
        partner=check_iso3(exporter),
        commodity=check_commodity(commodity),
        flow="import",
        start=start,
        end=end,
        source=source,
        data_dir=data_dir,
    )
    if sums.empty:
        raise NoData(f"no {commodity} imports from {exporter} in source {source!r} between {start} and {end}")
    out = pd.DataFrame(
        {
            "importer_iso3": sums["reporter_iso3"],
            "period": sums["period"],
            METRIC_COLUMNS[metric]: units.kg_to_tonnes(sums[column]) if metric == "mass" else sums[column],
            "rows_missing_figure": (sums["n_rows"] - sums[f"n_{column}"]).astype("int64"),
        }
    )
    value = out[METRIC_COLUMNS[metric]]
    out["share_pct"] = 100 * value / value.groupby(out["period"]).transform("sum")
    out = out.sort_values(["period", METRIC_COLUMNS[metric]], ascending=[True, False], kind="mergesort")
    return out[["importer_iso3", "period", METRIC_COLUMNS[metric], "share_pct", "rows_missing_figure"]].reset_index(
        drop=True
    )
