"""Chapter: China's crude oil imports by supplier (tables, headline findings, figures).

:func:`crude_tables` computes every number with :mod:`energytrade.analysis`; the headline sentences,
the figures and the CSV files all read those frames, so they always agree. :func:`build` returns the
chapter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pandas as pd

from energytrade import analysis, units
from energytrade.claims.asof import latest_known_month
from energytrade.countries import short_name
from energytrade.errors import NoImporterData
from energytrade.formatting import (
    METRIC_NAMES,
    country_name,
    display_name,
    fmt_change_pct,
    fmt_date,
    fmt_kbd,
    fmt_month,
    fmt_mt,
    fmt_pct,
    fmt_usd_bbl,
    fmt_usd_bn,
    fmt_window,
    join_words,
    markdown_table,
)
from energytrade.periods import parse_period
from energytrade.report.chapter import Chapter, Context, Figure, Table
from energytrade.report.chapters.sources import (
    CROSS_SOURCE_TOLERANCE_PCT,
    cross_source_counts,
    distinct_figures,
    hs_scope_words,
)
from energytrade.report.plotting import (
    ALL_PARTNERS,
    annual_ranking_bars,
    article_events,
    crude_imports_by_supplier,
    market_share_chart,
    monthly_leader_and_rank,
    source_line,
    unit_values,
)

# ------------------------------------------------------------ (formerly tables.py)

#: The commodity of the report's main section.
COMMODITY = "crude_oil"
#: The supplier the article is about, and the benchmark it is compared with.
FOCUS_ISO3 = "RUS"
BENCHMARK_ISO3 = "SAU"
#: The clean-table source of the monthly partner figures (mass and value, 2020-01..2024-12).
SOURCE = "comtrade_extract"
#: How many suppliers the monthly-imports figure draws (the largest over the whole span).
TOP_SUPPLIERS = 5
#: The importer the article is about; the report on it uses the bundled extract.
ARTICLE_IMPORTER = "CHN"
#: Sources of an importer's monthly partner figures, in order of preference: the bundled extract (China
#: only), then data fetched with ``energytrade fetch comtrade``.
CRUDE_SOURCES: tuple[str, ...] = (SOURCE, "comtrade")
#: The HS code of crude oil, as the fetch command takes it.
CRUDE_HS = "2709"
#: The months suggested when an importer's data must be fetched: the bundled extract's span (China's
#: report), so that the reports cover the same months.
FETCH_SPAN: tuple[str, str] = ("2020-01", "2024-12")


@dataclass(frozen=True)
class CrudeTables:
    """The crude-oil tables of the report (every frame is written as a CSV, see :data:`CSV_NAMES`)."""

    #: ``YYYY-MM/YYYY-MM``: the months the extract covers for crude oil.
    span: str
    #: The calendar years the extract covers completely (12 months of data).
    years: tuple[str, ...]
    #: Suppliers ranked by tonnage per calendar year and over the span (with bpd), one window after another.
    rankings_mass: pd.DataFrame
    #: The same ranked by customs value [USD].
    rankings_value: pd.DataFrame
    #: Monthly imports of the :data:`TOP_SUPPLIERS` largest suppliers: tonnes and barrels per day.
    monthly_top: pd.DataFrame
    #: Leader and runner-up of each month, by barrels per day (= by tonnage) and by value (``metric``).
    leaders: pd.DataFrame
    #: Runs of months led by the same supplier (by tonnage).
    streaks: pd.DataFrame
    #: The focus supplier's rank each month, by barrels per day and by value (``metric``).
    focus_rank: pd.DataFrame
    #: Annual totals of the focus supplier with the change on the year before (tonnes and value).
    focus_yoy: pd.DataFrame
    #: Unit values of every supplier, monthly and annual (``freq``).
    unit_values: pd.DataFrame
    #: The focus supplier's unit value against the benchmark and the all-supplier average, monthly and annual.
    discounts: pd.DataFrame
    #: Supplier concentration (HHI) per calendar year, by tonnage.
    concentration: pd.DataFrame
    #: The extract against the press (GACC) figures, every commodity (``None``: no press figures for the
    #: importer, only China's are bundled).
    cross_source: pd.DataFrame | None
    #: The importer (ISO3) and the clean-table source of its partner figures.
    importer: str = ARTICLE_IMPORTER
    source: str = SOURCE

    @property
    def importer_name(self) -> str:
        """The importer in readers' words (``"China"``)."""
        return display_name(self.importer, short_name(self.importer))

    @property
    def has_focus(self) -> bool:
        """Whether the focus supplier (:data:`FOCUS_ISO3`) appears among the importer's suppliers."""
        return self.focus_yoy is not None


#: File name of each table in ``tables/``.
CSV_NAMES: dict[str, str] = {
    "rankings_mass": "crude_rankings_by_mass.csv",
    "rankings_value": "crude_rankings_by_value.csv",
    "monthly_top": "crude_monthly_top_suppliers.csv",
    "leaders": "crude_monthly_leaders.csv",
    "streaks": "crude_leadership_streaks.csv",
    "focus_rank": "crude_russia_rank.csv",
    "focus_yoy": "crude_russia_annual_change.csv",
    "unit_values": "crude_unit_values.csv",
    "discounts": "crude_russia_price_discount.csv",
    "concentration": "crude_hhi_annual.csv",
    "cross_source": "cross_source_comparison.csv",
}


def fetch_command(importer: str, start: str = FETCH_SPAN[0], end: str = FETCH_SPAN[1]) -> str:
    """The command that fetches an importer's monthly crude-oil imports by partner from UN Comtrade."""
    return (
        f"energytrade fetch comtrade --reporter {importer} --partner all --commodity {CRUDE_HS} "
        f"--start {start} --end {end}"
    )


def crude_source(flows: pd.DataFrame, importer: str = ARTICLE_IMPORTER) -> str:
    """The first of :data:`CRUDE_SOURCES` holding the importer's crude-oil imports by partner.

    Raises
    ------
    NoImporterData
        No source holds them: the message names the importer, the commodity and the fetch command.
    """
    mask = (
        (flows["reporter_iso3"] == importer)
        & (flows["commodity"] == COMMODITY)
        & (flows["flow"] == "import")
        & (flows["partner_iso3"] != "WLD")
    )
    present = set(flows["source"].to_numpy()[mask.to_numpy()].tolist())  # not the rows: their sources only
    for source in CRUDE_SOURCES:
        if source in present:
            return source
    raise NoImporterData(
        f"no crude oil (HS {CRUDE_HS}) imports of {importer} in the data root; fetch them with "
        f"`{fetch_command(importer)}` (then run the report again)"
    )


def covered_span(
    flows: pd.DataFrame, commodity: str = COMMODITY, source: str = SOURCE, reporter: str = ARTICLE_IMPORTER
) -> tuple[str, tuple[str, ...]]:
    """The span of months a source covers for a commodity, and its complete calendar years."""
    rows = analysis.select_flows(flows, commodity, source=source, reporter=reporter)
    months = sorted(set(rows["period"].tolist()))
    per_year = Counter(month[:4] for month in months)
    years = tuple(sorted(y for y, n in per_year.items() if n == 12))
    return f"{months[0]}/{months[-1]}", years


def _rankings(flows: pd.DataFrame, windows: list[str], metric: str, **select) -> pd.DataFrame:
    return analysis.supplier_rankings(flows, COMMODITY, windows, metric, **select)


def _long_by_metric(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f.assign(metric=m) for m, f in frames.items()], ignore_index=True)


def crude_tables(flows: pd.DataFrame, importer: str = ARTICLE_IMPORTER) -> CrudeTables:
    """Every crude-oil table of the report from the clean table (pure; see :class:`CrudeTables`).

    ``importer``'s figures come from the first of :data:`CRUDE_SOURCES` that holds them; the focus
    supplier's tables are ``None`` when it never supplied the importer, the press comparison is ``None``
    for any importer but China. Raises :class:`NoImporterData` when no source holds the importer's imports.
    """
    source = crude_source(flows, importer)
    sel = {"source": source, "reporter": importer}
    span, years = covered_span(flows, source=source, reporter=importer)
    windows = [*years, span]

    by_mass = _rankings(flows, windows, "mass", **sel)
    # The bpd ranking is the mass ranking at the window's average rate (units.tonnes_to_bpd is what
    # supplier_ranking(metric="bpd") applies): converting here saves one ranking per window.
    rate = units.tonnes_to_bpd(by_mass["net_weight_t"], by_mass["window"])
    rankings_mass = by_mass.assign(rate_bbl_per_day=rate)
    cols = list(by_mass.columns)
    cols.insert(cols.index("net_weight_t") + 1, "rate_bbl_per_day")
    rankings_mass = rankings_mass[cols]
    rankings_value = _rankings(flows, windows, "value", **sel)
    has_focus = FOCUS_ISO3 in set(by_mass["partner_iso3"])
    has_benchmark = BENCHMARK_ISO3 in set(by_mass["partner_iso3"])

    top = by_mass[by_mass["window"] == span].nsmallest(TOP_SUPPLIERS, "rank")["partner_iso3"].tolist()
    shares_t = analysis.market_shares(flows, COMMODITY, "mass", "M", **sel)
    shares_bpd = analysis.market_shares(flows, COMMODITY, "bpd", "M", **sel)[
        ["period", "partner_iso3", "rate_bbl_per_day"]
    ]
    monthly = shares_t[shares_t["partner_iso3"].isin(top)].merge(shares_bpd, on=["period", "partner_iso3"], how="left")
    monthly["_order"] = monthly["partner_iso3"].map({code: i for i, code in enumerate(top)})
    monthly_top = monthly.sort_values(["_order", "period"], kind="mergesort")[
        ["period", "partner_iso3", "partner_name", "net_weight_t", "rate_bbl_per_day", "share_pct", "rank"]
    ].reset_index(drop=True)

    leaders_bpd = analysis.monthly_leaders(flows, COMMODITY, "bpd", **sel)
    leaders_value = analysis.monthly_leaders(flows, COMMODITY, "value", **sel)
    leaders = _long_by_metric({"bpd": leaders_bpd, "value": leaders_value})
    streaks = analysis.leadership_streaks(leaders_bpd)
    focus_rank = focus_yoy = discounts = None
    if has_focus:
        focus_rank = _long_by_metric(
            {m: analysis.partner_rank(flows, COMMODITY, FOCUS_ISO3, m, "M", **sel) for m in ("bpd", "value")}
        )
        focus_yoy = _long_by_metric(
            {m: analysis.yoy_change(flows, COMMODITY, m, "A", FOCUS_ISO3, **sel) for m in ("mass", "value")}
        )
    unit_values = pd.concat(
        [analysis.unit_values(flows, COMMODITY, f, **sel).assign(freq=f) for f in ("M", "A")],
        ignore_index=True,
    )
    if has_focus and has_benchmark:
        discounts = pd.concat(
            [
                analysis.price_discount(flows, FOCUS_ISO3, against, f, **sel).assign(freq=f)
                for against in (BENCHMARK_ISO3, "average")
                for f in ("M", "A")
            ],
            ignore_index=True,
        )
    concentration = analysis.hhi(flows, COMMODITY, "mass", "A", **sel)
    cross_source = (
        analysis.cross_source_comparison(flows, tolerance_pct=CROSS_SOURCE_TOLERANCE_PCT)
        if importer == ARTICLE_IMPORTER and source == SOURCE
        else None
    )
    return CrudeTables(
        span=span,
        years=years,
        rankings_mass=rankings_mass,
        rankings_value=rankings_value,
        monthly_top=monthly_top,
        leaders=leaders,
        streaks=streaks,
        focus_rank=focus_rank,
        focus_yoy=focus_yoy,
        unit_values=unit_values,
        discounts=discounts,
        concentration=concentration,
        cross_source=cross_source,
        importer=importer,
        source=source,
    )


def table_frames(tables: CrudeTables) -> dict[str, pd.DataFrame]:
    """The frames of :class:`CrudeTables` by field name (those written as CSV)."""
    return {
        f.name: getattr(tables, f.name)
        for f in fields(tables)
        if f.name in CSV_NAMES and getattr(tables, f.name) is not None
    }


def span_months(span: str) -> int:
    """Number of months in a ``YYYY-MM/YYYY-MM`` span."""
    return len(parse_period(span).months())


# ------------------------------------------------------------ (formerly findings.py)


@dataclass(frozen=True)
class Finding:
    """One headline: a short bold ``lead`` and its ``text`` (Markdown)."""

    key: str
    lead: str
    text: str


def _span_words(span: str) -> str:
    """Within a year ``'January–November 2022'``, else ``'January 2020 to December 2024'``."""
    s = parse_period(span)
    if str(s.start)[:4] == str(s.end)[:4]:
        return fmt_window(span)
    return f"{fmt_month(str(s.start))} to {fmt_month(str(s.end))}"


def _ranked(frame: pd.DataFrame, window: str) -> pd.DataFrame:
    """The rows of one window, by rank (missing ranks last)."""
    part = frame.take(np.flatnonzero(frame["window"].to_numpy() == window))
    ranks = part["rank"].to_numpy(dtype="float64", na_value=np.inf)
    if (ranks[1:] < ranks[:-1]).any():  # rankings come in rank order: the (stable) sort is rarely needed
        part = part.sort_values("rank", kind="mergesort")
    return part.reset_index(drop=True)


def _row(frame: pd.DataFrame, iso3: str) -> pd.Series:
    return frame[frame["partner_iso3"] == iso3].iloc[0]


def _name(row: pd.Series) -> str:
    return display_name(row["partner_iso3"], row["partner_name"])


#: How each ranking metric is named in the gap sentences.
_FIGURE_WORDS = {"mass": "tonnage", "value": "customs value", "bpd": "tonnage", "volume": "volume"}


def _n(n: int, noun: str) -> str:
    """``(1, "month")`` -> ``"1 month"``, ``(4, "month")`` -> ``"4 months"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def gap_clauses(r: pd.DataFrame) -> list[str]:
    """What the sums of one ranking window (:func:`energytrade.analysis.supplier_ranking`) leave out, as
    clauses: partner-months whose row lacks the figure (with the partners) and months without any data."""
    if r.empty:
        return []
    clauses = []
    missing = r["months_missing_figure"].to_numpy()
    lacking = np.flatnonzero(missing > 0)
    n_lacking = int(missing[lacking].sum())
    if n_lacking:
        codes, names = r["partner_iso3"].to_numpy()[lacking], r["partner_name"].to_numpy()[lacking]
        names = join_words(display_name(c, n) for c, n in zip(codes, names))
        what = _FIGURE_WORDS.get(str(r["metric"].iloc[0]), str(r["metric"].iloc[0]))
        clauses.append(
            f"{_n(n_lacking, 'partner-month')} without a {what} figure ({names}) "
            f"{'is' if n_lacking == 1 else 'are'} left out"
        )
    no_data = int(r["months_without_data"].iloc[0])
    if no_data:
        clauses.append(f"{_n(no_data, 'month')} of the window {'has' if no_data == 1 else 'have'} no data at all")
    return clauses


def _gap_sentence(clauses: list[str], where: str = "") -> str:
    """``""`` when nothing is left out, else one sentence (``where`` e.g. ``"In 2023"``)."""
    if not clauses:
        return ""
    lead = f"{where}, the" if where else "The"
    return f" {lead} totals and shares are sums of the figures present; {join_words(clauses)}."


def _group_years(leaders: list[tuple[str, str]]) -> str:
    """[(year, name), ...] -> 'Saudi Arabia in 2020 and 2021, Russia in 2023' (in order of first year)."""
    by_name: dict[str, list[str]] = {}
    for year, name in leaders:
        by_name.setdefault(name, []).append(year)
    return "; ".join(f"{name} in {join_words(years)}" for name, years in by_name.items())


def span_leader(t: CrudeTables) -> Finding:
    """The largest suppliers over the whole span, by tonnage."""
    r = _ranked(t.rankings_mass, t.span)
    first, second = r.iloc[0], r.iloc[1]
    total = r["net_weight_t"].sum(min_count=1)
    text = (
        f"From {_span_words(t.span)} {t.importer_name} imported {fmt_mt(total)} of crude oil (UN Comtrade). "
        f"The largest supplier by tonnage was {_name(first)} with {fmt_mt(first['net_weight_t'])} "
        f"({fmt_pct(first['share_pct'])} of the total, {fmt_kbd(first['rate_bbl_per_day'])} on average), ahead of "
        f"{_name(second)} with {fmt_mt(second['net_weight_t'])} ({fmt_pct(second['share_pct'])})."
    ) + _gap_sentence(gap_clauses(r))
    return Finding("span_leader", "Largest supplier over the whole period", text)


def annual_leaders(t: CrudeTables) -> Finding:
    """Who led each calendar year, by tonnage and by value."""
    mass = {y: _ranked(t.rankings_mass, y) for y in t.years}  # each window's rows picked once
    value = {y: _ranked(t.rankings_value, y) for y in t.years}
    by_mass = [(y, _name(mass[y].iloc[0])) for y in t.years]
    by_value = [(y, _name(value[y].iloc[0])) for y in t.years]
    text = f"By tonnage, {t.importer_name}'s largest crude supplier was {_group_years(by_mass)}."
    if by_value == by_mass:
        text += " By customs value the leaders were the same."
    else:
        text += f" By customs value: {_group_years(by_value)}."
    for y in t.years:
        clauses = gap_clauses(mass[y]) + gap_clauses(value[y])
        text += _gap_sentence(clauses, f"In {y}")
    return Finding("annual_leaders", "Leader by calendar year", text)


def article_year(t: CrudeTables, article_date: date) -> Finding | None:
    """The article's calendar year: leader against the focus supplier, by tonnage and value."""
    year = str(article_date.year)
    if year not in t.years:
        return None
    mass, value = _ranked(t.rankings_mass, year), _ranked(t.rankings_value, year)
    if FOCUS_ISO3 not in set(mass["partner_iso3"]) or FOCUS_ISO3 not in set(value["partner_iso3"]):
        return None
    lead, mine = mass.iloc[0], _row(mass, FOCUS_ISO3)
    lead_v, mine_v = value.iloc[0], _row(value, FOCUS_ISO3)
    if lead["partner_iso3"] == FOCUS_ISO3:
        other = mass.iloc[1]
        gap = (lead["net_weight_t"] - other["net_weight_t"]) / other["net_weight_t"] * 100
        mass_words = (
            f"{_name(lead)} led by tonnage with {fmt_mt(lead['net_weight_t'])} ({fmt_pct(lead['share_pct'])}), "
            f"{fmt_pct(gap)} more than {_name(other)}"
        )
    else:
        gap = (lead["net_weight_t"] - mine["net_weight_t"]) / mine["net_weight_t"] * 100
        mass_words = (
            f"{_name(lead)} led by tonnage with {fmt_mt(lead['net_weight_t'])} ({fmt_pct(lead['share_pct'])}) "
            f"against {_name(mine)}'s {fmt_mt(mine['net_weight_t'])} ({fmt_pct(mine['share_pct'])}, rank "
            f"{int(mine['rank'])}): a lead of {fmt_pct(gap)}"
        )
    value_words = f"by customs value {_name(lead_v)} led with {fmt_usd_bn(lead_v['value_usd'])}" + (
        ""
        if lead_v["partner_iso3"] == FOCUS_ISO3
        else f", {_name(mine_v)} had {fmt_usd_bn(mine_v['value_usd'])} (rank {int(mine_v['rank'])})"
    )
    gaps = _gap_sentence(gap_clauses(mass) + gap_clauses(value))
    return Finding("article_year", f"{year}, the year of the article", f"In {year} {mass_words}; {value_words}.{gaps}")


def known_at_article(flows: pd.DataFrame, t: CrudeTables, article_date: date) -> Finding | None:
    """What the customs figures could show on the article's date: the latest month and the year to date."""
    if t.importer != ARTICLE_IMPORTER:  # the release lag below is China customs'; another importer's differs
        return None
    month = str(latest_known_month(article_date))
    leaders = t.leaders[(t.leaders["metric"] == "bpd") & (t.leaders["period"] == month)]
    if leaders.empty:
        return None
    lead = leaders.iloc[0]
    ytd = f"{month[:4]}-01/{month}"
    r = analysis.supplier_ranking(flows, COMMODITY, ytd, "mass", source=t.source, reporter=t.importer)
    if FOCUS_ISO3 not in set(r["partner_iso3"]):
        return None
    ytd_lead, mine = r.iloc[0], _row(r, FOCUS_ISO3)
    month_words = (
        f"the latest month with published figures was {fmt_month(month)}: {display_name(lead['leader_iso3'], lead['leader_name'])} "
        f"led with {fmt_kbd(lead['leader_value'])}, {fmt_pct(lead['margin_pct'])} ahead of "
        f"{display_name(lead['runner_up_iso3'], lead['runner_up_name'])}"
    )
    if ytd_lead["partner_iso3"] == FOCUS_ISO3:
        ytd_words = f"over {_span_words(ytd)} {_name(ytd_lead)} led with {fmt_mt(ytd_lead['net_weight_t'])}"
    else:
        ytd_words = (
            f"over {_span_words(ytd)} {_name(ytd_lead)} led with {fmt_mt(ytd_lead['net_weight_t'])} "
            f"({fmt_pct(ytd_lead['share_pct'])}) and {_name(mine)} was number {int(mine['rank'])} with "
            f"{fmt_mt(mine['net_weight_t'])} ({fmt_pct(mine['share_pct'])})"
        )
    text = (
        f"On {fmt_date(article_date.isoformat())} {month_words}; {ytd_words} "
        f"(figures count as known from the 20th of the following month)."
    )
    lacking = int(lead["n_partners_missing_figure"])
    if lacking:
        text += (
            f" In {fmt_month(month)} {_n(lacking, 'supplier')} had a row without a tonnage figure: the leader is "
            "the largest of the suppliers with one."
        )
    text += _gap_sentence(gap_clauses(r), f"Over {_span_words(ytd)}")
    return Finding("known_at_article", "What the figures showed on the article's date", text)


def months_led(t: CrudeTables, article_date: date) -> Finding | None:
    """How many months the focus supplier led, and its runs (``None`` when it led none)."""
    leaders = t.leaders[t.leaders["metric"] == "bpd"]
    led = leaders[leaders["leader_iso3"] == FOCUS_ISO3]
    if led.empty:
        return None
    year = str(article_date.year)
    led_year = led[led["period"].str.startswith(year)]
    runs = t.streaks[t.streaks["leader_iso3"] == FOCUS_ISO3]
    longest = runs.sort_values(["n_months", "start"], ascending=[False, True], kind="mergesort").iloc[0]
    name = display_name(FOCUS_ISO3)
    text = (
        f"{name} was {t.importer_name}'s largest crude supplier (by tonnage) in {len(led)} of the {len(leaders)} months "
        f"from {_span_words(t.span)}"
    )
    if year in t.years:
        months = [fmt_month(p).split()[0] for p in led_year["period"]]
        text += f"; in {year} in {len(led_year)} months ({join_words(months)})"
    text += (
        f". Its longest run as leader: {fmt_month(longest['start'])} to {fmt_month(longest['end'])} "
        f"({int(longest['n_months'])} months)."
    )
    last = t.streaks.iloc[-1]
    if last["leader_iso3"] == FOCUS_ISO3 and last["end"] == leaders["period"].max():
        text += f" It has led every month since {fmt_month(last['start'])}."
    lacking = leaders[leaders["n_partners_missing_figure"] > 0]
    if len(lacking):
        text += (
            f" In {_n(len(lacking), 'month')} ({join_words(fmt_month(p) for p in lacking['period'])}) some supplier "
            "had a row without a tonnage figure; there the leader is the largest of the suppliers with one."
        )
    return Finding("months_led", f"Months led by {name}", text)


def focus_growth(t: CrudeTables) -> Finding | None:
    """The focus supplier's annual tonnage and value with year-on-year change."""
    if t.focus_yoy is None:
        return None
    mass = t.focus_yoy[(t.focus_yoy["metric"] == "mass") & t.focus_yoy["period"].isin(t.years)]
    value = t.focus_yoy[(t.focus_yoy["metric"] == "value") & t.focus_yoy["period"].isin(t.years)]

    def series(frame: pd.DataFrame, fmt) -> str:
        parts = []
        for row in frame.itertuples(index=False):
            if pd.isna(row.value):  # an incomplete year has no total: say what is missing, not a partial sum
                parts.append(
                    f"no total in {row.period} ({_n(int(row.months_missing_figure), 'month')} without a figure, "
                    f"{row.months_with_data} of {len(parse_period(row.period).months())} months with data)"
                )
                continue
            change = "" if pd.isna(row.change_pct) else f" ({fmt_change_pct(row.change_pct)})"
            parts.append(f"{fmt(row.value)} in {row.period}{change}")
        return join_words(parts)

    name = display_name(FOCUS_ISO3)
    text = (
        f"{t.importer_name}'s crude imports from {name} by tonnage: {series(mass, fmt_mt)}. "
        f"By customs value: {series(value, fmt_usd_bn)} (change on the year before in brackets)."
    )
    return Finding("focus_growth", f"Imports from {name}, year by year", text)


def price_discount(t: CrudeTables) -> Finding | None:
    """The focus supplier's annual unit value against the benchmark and the average."""
    if t.discounts is None:
        return None
    annual = t.discounts[(t.discounts["freq"] == "A") & t.discounts["period"].isin(t.years)]
    bench = annual[annual["benchmark"] == BENCHMARK_ISO3]
    average = annual[annual["benchmark"] == "average"]
    bench_name = display_name(BENCHMARK_ISO3, "Saudi Arabia")
    name = display_name(FOCUS_ISO3)

    def series(frame: pd.DataFrame) -> str:
        return join_words(
            f"{fmt_usd_bbl(r.discount_usd_per_bbl)} ({fmt_pct(r.discount_pct)}) in {r.period}"
            for r in frame.itertuples(index=False)
        )

    monthly = t.discounts[(t.discounts["freq"] == "M") & (t.discounts["benchmark"] == BENCHMARK_ISO3)]
    deepest = monthly.loc[monthly["discount_usd_per_bbl"].idxmax()]
    text = (
        f"{name}'s discount to {bench_name} per barrel of crude (customs unit value at "
        f"{units.BARRELS_PER_TONNE_CRUDE} bbl/t; positive: {name}'s crude was cheaper): {series(bench)}. "
        f"Against the average of all suppliers: {series(average)}. The widest monthly discount to {bench_name}: "
        f"{fmt_usd_bbl(deepest['discount_usd_per_bbl'])} in {fmt_month(deepest['period'])} "
        f"({fmt_usd_bbl(deepest['partner_usd_per_bbl'])} against {fmt_usd_bbl(deepest['benchmark_usd_per_bbl'])})."
    )
    return Finding("price_discount", f"{name}'s price discount", text)


def cross_source(t: CrudeTables) -> Finding | None:
    """How the extract compares with the press (GACC) figures (``None`` without press figures).

    A figure printed by several outlets counts once (:func:`energytrade.report.chapters.sources.distinct_figures`),
    and figures whose HS codes differ between the two sources (the press's coal is HS 2701+2702, the
    extract's HS 2701) are counted apart from the like-for-like ones.
    """
    c = t.cross_source
    if c is None:
        return None
    k = cross_source_counts(c)
    tol = f"{CROSS_SOURCE_TOLERANCE_PCT:g} %"
    text = (
        f"{_n(k['n_figures'], 'distinct figure')} printed in the press (China customs, GACC; "
        f"{k['n_rows']} counting each outlet that printed them) {'has' if k['n_figures'] == 1 else 'have'} a "
        f"counterpart in the Comtrade extract. Of the {k['n_like']} that cover the same HS codes in both, "
        f"{k['n_like_flagged']} {_differ(k['n_like_flagged'])} by more than {tol}"
    )
    if k["n_unlike"]:
        text += (
            f"; the other {k['n_unlike']} cover different HS codes ({hs_scope_words(c)}) and "
            f"{k['n_unlike_flagged']} of them {_differ(k['n_unlike_flagged'])} by more than {tol}"
        )
    figures = distinct_figures(c)
    crude = figures[figures["commodity"] == COMMODITY]
    n_crude = int(crude["flagged"].sum())
    text += f". For crude oil {n_crude} of the {len(crude)} {_differ(n_crude)} by more than {tol}"
    if len(crude):
        worst = crude.loc[crude["diff_pct"].abs().idxmax()]
        text += (
            f" (largest difference {fmt_change_pct(worst['diff_pct'])}: {country_name(worst['partner_iso3'], dict(zip(t.rankings_mass['partner_iso3'], t.rankings_mass['partner_name'])))}, "
            f"{fmt_window(worst['period'])}, {METRIC_NAMES.get(worst['metric'], worst['metric'])})"
        )
    text += "."
    return Finding("cross_source", "Comtrade against the press", text)


def _differ(n: int) -> str:
    return "differs" if n == 1 else "differ"


def headline_findings(flows: pd.DataFrame, t: CrudeTables, article_date: date) -> list[Finding]:
    """Every headline finding, in reading order (pure)."""
    found = [
        span_leader(t),
        annual_leaders(t),
        article_year(t, article_date),
        known_at_article(flows, t, article_date),
        months_led(t, article_date),
        focus_growth(t),
        price_discount(t),
        cross_source(t),
    ]
    return [f for f in found if f is not None]


# ------------------------------------------------------------ figures and the chapter

#: What each CSV holds (shown in the report's list of tables).
TABLE_DESCRIPTIONS: dict[str, str] = {
    "rankings_mass": "suppliers ranked by tonnage per calendar year and over the whole span (t, bbl/d, share)",
    "rankings_value": "suppliers ranked by customs value per calendar year and over the whole span (USD, share)",
    "monthly_top": "monthly imports from the largest suppliers (t, bbl/d, share, rank)",
    "leaders": "leader and runner-up of each month, by barrels per day and by value, with the margin",
    "streaks": "runs of consecutive months led by the same supplier",
    "focus_rank": "Russia's rank among suppliers each month, by barrels per day and by value",
    "focus_yoy": "Russia's annual tonnage and value with the change on the year before",
    "unit_values": "unit values of every supplier (USD/t, USD/bbl), monthly and annual",
    "discounts": "Russia's unit value against Saudi Arabia's and the all-supplier average (USD/bbl, %)",
    "concentration": "supplier concentration (Herfindahl-Hirschman index) per calendar year, by tonnage",
    "cross_source": "Comtrade extract figures against the press (GACC) figures, flagged over the tolerance",
}


def _named(frame: pd.DataFrame, code: str = "partner_iso3", name: str = "partner_name") -> pd.DataFrame:
    """Short display names for legends and bar labels."""
    return frame.assign(**{name: [display_name(c, n) for c, n in zip(frame[code], frame[name])]})


def crude_figures(t: CrudeTables, article_date: date, names: dict[str, str] | None = None) -> list[Figure]:
    """The crude-oil figures of the report, from its tables (pure). Crude oil is in thousand barrels per
    day [kb/d] in every figure (ranking bars: the year's average rate)."""
    events = article_events(article_date)
    source = source_line([t.source])
    who = t.importer_name
    focus = display_name(FOCUS_ISO3)
    bench = display_name(BENCHMARK_ISO3, "Saudi Arabia")
    start, end = t.span.split("/")

    monthly = _named(t.monthly_top)
    leaders = t.leaders[t.leaders["metric"] == "bpd"]
    leaders = leaders.assign(
        leader_name=[display_name(c, n) for c, n in zip(leaders["leader_iso3"], leaders["leader_name"])]
    )
    windows = [*t.years, t.span]
    rankings = _named(t.rankings_mass[t.rankings_mass["window"].isin(windows)])

    n_top = monthly["partner_iso3"].nunique()
    figures = [
        Figure(
            "crude_imports_top_suppliers",
            f"Monthly crude imports from the {n_top} largest suppliers, {fmt_window(t.span)}",
            caption=f"{who}'s monthly crude oil imports from its {n_top} largest suppliers over the whole span, in thousand "
            f"barrels per day (tonnes at {units.BARRELS_PER_TONNE_CRUDE} bbl/t over each month's days). Dotted: "
            "the invasion of Ukraine; dashed: the article's date.",
            figure=crude_imports_by_supplier(
                monthly,
                events=events,
                source=source,
                title=f"{who}'s crude oil imports from its {n_top} largest suppliers, monthly {fmt_window(t.span)}",
            ),
        )
    ]
    if t.focus_rank is not None:
        rank = t.focus_rank[t.focus_rank["metric"] == "bpd"]
        figures.append(
            Figure(
                "crude_monthly_leader_russia_rank",
                f"The largest supplier each month, and {focus}'s rank",
                caption=f"Bars: the leading supplier's imports each month [kb/d], coloured by supplier; line: {focus}'s. Below: "
                f"{focus}'s rank among all suppliers (by tonnage, the same order as barrels per day).",
                figure=monthly_leader_and_rank(
                    leaders,
                    rank,
                    partner_name=focus,
                    events=events,
                    source=source,
                    title=f"{who}'s largest crude supplier each month, and {focus}'s rank",
                ),
            )
        )
    figures.append(
        Figure(
            "crude_annual_rankings",
            "Largest suppliers by calendar year",
            caption="The six largest suppliers of each calendar year and of the whole span, by tonnage, drawn as the "
            "period's average rate in thousand barrels per day; labels give "
            f"each supplier's share of {who}'s crude imports"
            + (" (on Malaysia, see the ranking below)." if t.importer == ARTICLE_IMPORTER else "."),
            figure=annual_ranking_bars(
                rankings,
                value_column="rate_bbl_per_day",
                unit="bbl/d",
                source=source,
                title=f"{who}'s largest crude oil suppliers by year: thousand barrels per day (share of {who}'s imports)",
            ),
        )
    )
    if t.discounts is None:
        return figures
    prices_m = t.unit_values[
        (t.unit_values["freq"] == "M") & t.unit_values["partner_iso3"].isin([FOCUS_ISO3, BENCHMARK_ISO3])
    ]
    prices_m = _named(prices_m)[["period", "partner_iso3", "partner_name", "usd_per_bbl"]]
    prices_m = prices_m.assign(_o=prices_m["partner_iso3"].map({FOCUS_ISO3: 0, BENCHMARK_ISO3: 1}))
    prices_m = prices_m.sort_values(["_o", "period"], kind="mergesort").drop(columns="_o")
    avg = t.discounts[(t.discounts["freq"] == "M") & (t.discounts["benchmark"] == "average")]
    average = pd.DataFrame(
        {
            "period": avg["period"],
            "partner_iso3": ALL_PARTNERS,
            "partner_name": "all suppliers (average)",
            "usd_per_bbl": avg["benchmark_usd_per_bbl"],
        }
    )
    prices = pd.concat([prices_m, average], ignore_index=True)
    discount = t.discounts[(t.discounts["freq"] == "M") & (t.discounts["benchmark"] == BENCHMARK_ISO3)]

    figures.append(
        Figure(
            "crude_unit_values_rus_sau",
            f"Unit values: {focus} and {bench}, USD per barrel",
            caption=f"Customs value per barrel of {who}'s crude imports from {focus} and {bench} "
            f"(value / tonnage at {units.BARRELS_PER_TONNE_CRUDE} bbl/t), with the average of all suppliers. Below: "
            f"{focus}'s discount to {bench} (positive: {focus}'s crude cheaper).",
            figure=unit_values(
                prices,
                discount,
                against_name=bench,
                partner_name=focus,
                events=events,
                source=source,
                title=f"Unit value of {who}'s crude imports: {focus} and {bench}",
            ),
        )
    )
    return figures


def ranking_markdown(t: CrudeTables, top: int = 8) -> str:
    """Wide Markdown table: one row per rank, one column per window, 'Supplier: Mt (share)'.

    When a window's sums leave figures out (a partner's row without a tonnage figure, a month without
    data), a line under the table says so, window by window (:func:`energytrade.report.chapters.crude_oil.gap_clauses`).
    """
    windows = [*t.years, t.span]
    r = t.rankings_mass[t.rankings_mass["window"].isin(windows) & (t.rankings_mass["rank"] <= top)]
    cells = {
        (w, int(k)): f"{display_name(c, n)}: {fmt_mt(m)}, {fmt_pct(s)}"
        for w, k, c, n, m, s in zip(
            r["window"], r["rank"], r["partner_iso3"], r["partner_name"], r["net_weight_t"], r["share_pct"]
        )
    }
    table = pd.DataFrame(
        {"rank": [str(k) for k in range(1, top + 1)]}
        | {fmt_window(w): [cells.get((w, k), "") for k in range(1, top + 1)] for w in windows}
    )
    gaps = [
        f"{fmt_window(w)}: {'; '.join(clauses)}"
        for w in windows
        if (clauses := gap_clauses(t.rankings_mass.take(np.flatnonzero(t.rankings_mass["window"].to_numpy() == w))))
    ]
    note = f"\n\n*Totals and shares are sums of the figures present. {'. '.join(gaps)}.*" if gaps else ""
    return markdown_table(table) + note


#: Said once, wherever suppliers are ranked.
MALAYSIA_CAVEAT = (
    "Malaysia's volumes are widely read as Iranian crude relabelled through ship-to-ship transfers off "
    "Malaysia; China's customs record them as Malaysian."
)


def build(context: Context) -> Chapter:
    """The crude-oil chapter of ``context.importer``: headline findings, the figures, the annual ranking
    and the CSV tables (:class:`NoImporterData` when the data root holds none of its crude imports)."""
    t = crude_tables(context.flows, context.importer)
    who = t.importer_name
    findings = headline_findings(context.flows, t, context.article_date)
    figures = crude_figures(t, context.article_date, context.partner_names)
    share = market_share_chart(
        t.monthly_top,
        events=article_events(context.article_date),
        source=source_line([t.source]),
        title=f"Shares of {who}'s crude oil imports by supplier, monthly",
        ylabel=f"share of {who}'s imports by tonnage [%]",
    )
    figures.append(
        Figure(
            "crude_market_shares",
            f"Shares of {who}'s crude imports, monthly",
            share,
            f"Each of the largest suppliers' share of {who}'s crude oil imports by tonnage, month by month "
            "(Russia drawn thicker).",
            alt=f"Line chart of the monthly shares of {who}'s crude imports by supplier",
        )
    )
    tables = [
        Table(CSV_NAMES[k].removesuffix(".csv"), TABLE_DESCRIPTIONS[k], frame, TABLE_DESCRIPTIONS[k])
        for k, frame in table_frames(t).items()
    ]
    lines = "\n".join(f"- **{f.lead}.** {f.text}" for f in findings)
    figure_md = "\n\n".join(f"{{{{figure:{f.name}}}}}" for f in figures)
    caveat = f" {MALAYSIA_CAVEAT}" if t.importer == ARTICLE_IMPORTER else ""
    md = (
        f"### Headline findings\n\n{lines}\n\n### Figures\n\nCrude oil is shown in thousand barrels per day "
        f"(kb/d) in every figure ({units.BARRELS_PER_TONNE_CRUDE} barrels per tonne).\n\n{figure_md}\n\n"
        "### Annual ranking of suppliers\n\nThe eight largest suppliers by tonnage (million tonnes, and share "
        f"of {who}'s crude imports).{caveat}\n\n{ranking_markdown(t)}"
    )
    return Chapter("crude_oil", f"Crude oil: {who}'s suppliers", md, tables, figures)
