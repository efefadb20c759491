"""The report's headline findings: sentences written from the computed tables, never typed-in numbers.

Each :class:`Finding` is a short lead and a Markdown sentence or two. Every number in a sentence
comes from a frame of :class:`energytrade.report.tables.CrudeTables` (and so from
:mod:`energytrade.analysis`), written with :mod:`energytrade.formatting`.

Totals and shares over a window are sums of the figures present (:func:`energytrade.analysis.supplier_ranking`):
where a partner's row lacks the figure, or a month of the window has no data, the sentence says how many
partner-months or months are left out, counted from the ranking's own columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from energytrade import analysis, units
from energytrade.claims.asof import latest_known_month
from energytrade.formatting import (
    display_name,
    fmt_change_pct,
    fmt_kbd,
    fmt_month,
    fmt_mt,
    fmt_pct,
    fmt_usd_bbl,
    fmt_usd_bn,
    join_words,
)
from energytrade.periods import parse_period
from energytrade.report.data_tables import cross_source_counts, distinct_figures, hs_scope_words
from energytrade.report.tables import (
    BENCHMARK_ISO3,
    COMMODITY,
    CROSS_SOURCE_TOLERANCE_PCT,
    FOCUS_ISO3,
    SOURCE,
    CrudeTables,
)


@dataclass(frozen=True)
class Finding:
    """One headline: a short bold ``lead`` and its ``text`` (Markdown)."""

    key: str
    lead: str
    text: str


def _span_words(span: str) -> str:
    s = parse_period(span)
    return f"{fmt_month(str(s.start))} to {fmt_month(str(s.end))}"


def _ranked(frame: pd.DataFrame, window: str) -> pd.DataFrame:
    return frame[frame["window"] == window].sort_values("rank", kind="mergesort").reset_index(drop=True)


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
    lacking = r[r["months_missing_figure"] > 0]
    n_lacking = int(lacking["months_missing_figure"].sum())
    if n_lacking:
        names = join_words(_name(row) for _, row in lacking.iterrows())
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
        f"From {_span_words(t.span)} China imported {fmt_mt(total)} of crude oil (UN Comtrade). "
        f"The largest supplier by tonnage was {_name(first)} with {fmt_mt(first['net_weight_t'])} "
        f"({fmt_pct(first['share_pct'])} of the total, {fmt_kbd(first['rate_bbl_per_day'])} on average), ahead of "
        f"{_name(second)} with {fmt_mt(second['net_weight_t'])} ({fmt_pct(second['share_pct'])})."
    ) + _gap_sentence(gap_clauses(r))
    return Finding("span_leader", "Largest supplier over the whole period", text)


def annual_leaders(t: CrudeTables) -> Finding:
    """Who led each calendar year, by tonnage and by value."""
    by_mass = [(y, _name(_ranked(t.rankings_mass, y).iloc[0])) for y in t.years]
    by_value = [(y, _name(_ranked(t.rankings_value, y).iloc[0])) for y in t.years]
    text = f"By tonnage, China's largest crude supplier was {_group_years(by_mass)}."
    if by_value == by_mass:
        text += " By customs value the leaders were the same."
    else:
        text += f" By customs value: {_group_years(by_value)}."
    for y in t.years:
        clauses = gap_clauses(_ranked(t.rankings_mass, y)) + gap_clauses(_ranked(t.rankings_value, y))
        text += _gap_sentence(clauses, f"In {y}")
    return Finding("annual_leaders", "Leader by calendar year", text)


def article_year(t: CrudeTables, article_date: date) -> Finding | None:
    """The article's calendar year: leader against the focus supplier, by tonnage and value."""
    year = str(article_date.year)
    if year not in t.years:
        return None
    mass, value = _ranked(t.rankings_mass, year), _ranked(t.rankings_value, year)
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
    month = str(latest_known_month(article_date))
    leaders = t.leaders[(t.leaders["metric"] == "bpd") & (t.leaders["period"] == month)]
    if leaders.empty:
        return None
    lead = leaders.iloc[0]
    ytd = f"{month[:4]}-01/{month}"
    r = analysis.supplier_ranking(flows, COMMODITY, ytd, "mass", source=SOURCE)
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
        f"On {article_date.isoformat()} {month_words}; {ytd_words} "
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


def months_led(t: CrudeTables, article_date: date) -> Finding:
    """How many months the focus supplier led, and its runs."""
    leaders = t.leaders[t.leaders["metric"] == "bpd"]
    led = leaders[leaders["leader_iso3"] == FOCUS_ISO3]
    year = str(article_date.year)
    led_year = led[led["period"].str.startswith(year)]
    runs = t.streaks[t.streaks["leader_iso3"] == FOCUS_ISO3]
    longest = runs.sort_values(["n_months", "start"], ascending=[False, True], kind="mergesort").iloc[0]
    name = display_name(FOCUS_ISO3)
    text = (
        f"{name} was China's largest crude supplier (by tonnage) in {len(led)} of the {len(leaders)} months "
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


def focus_growth(t: CrudeTables) -> Finding:
    """The focus supplier's annual tonnage and value with year-on-year change."""
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
        f"China's crude imports from {name} by tonnage: {series(mass, fmt_mt)}. "
        f"By customs value: {series(value, fmt_usd_bn)} (change on the year before in brackets)."
    )
    return Finding("focus_growth", f"Imports from {name}, year by year", text)


def price_discount(t: CrudeTables) -> Finding:
    """The focus supplier's annual unit value against the benchmark and the average."""
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


def cross_source(t: CrudeTables) -> Finding:
    """How the extract compares with the press (GACC) figures.

    A figure printed by several outlets counts once (:func:`energytrade.report.data_tables.distinct_figures`),
    and figures whose HS codes differ between the two sources (the press's coal is HS 2701+2702, the
    extract's HS 2701) are counted apart from the like-for-like ones.
    """
    c = t.cross_source
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
            f" (largest difference {fmt_change_pct(worst['diff_pct'])}: {worst['partner_iso3']} {worst['period']}, "
            f"{worst['metric']})"
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
