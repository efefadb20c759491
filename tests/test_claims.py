"""Claims: specs, the as-of rule and every verdict path, on small frames built from named constants.

Each test reads as a worked example: a few rows of China's imports, a claim spec, the verdict, and the
expected figures computed from the same constants.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from energytrade.claims import (
    INCONCLUSIVE,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    ClaimSpec,
    Measure,
    Threshold,
    WindowRule,
    evaluate,
    known_from,
    latest_known_month,
    load_specs,
    parse_as_of,
    specs_from_yaml,
    to_table,
)
from energytrade.claims.asof import ARTICLE_DATE, is_known
from energytrade.claims.engine import ClaimMonths, combine, windows_ending
from energytrade.errors import BadDate, ClaimSpecError, EnergyTradeError
from energytrade.periods import Month, parse_period
from energytrade.schema import conform, validate

NAMES = {"RUS": "Russian Federation", "SAU": "Saudi Arabia", "IRQ": "Iraq"}
HS = {"crude_oil": "2709", "lng": "271111", "pipeline_gas": "271121", "coal": "2701"}
KG_PER_T = 1000


# ------------------------------------------------------------------------------------------ builders


def row(
    partner,
    commodity,
    period,
    *,
    t=None,
    usd=None,
    bcm=None,
    source="comtrade_extract",
    freq="M",
    note="",
    outlet="",
    published_on="",
):
    """One clean row of China's imports (``t`` tonnes, ``usd`` dollars, ``bcm`` cubic metres)."""
    return {
        "source": source,
        "reporter_iso3": "CHN",
        "partner_iso3": partner,
        "partner_name": NAMES[partner],
        "flow": "import",
        "hs_code": HS[commodity],
        "commodity": commodity,
        "period": period,
        "freq": freq,
        "net_weight_kg": None if t is None else t * KG_PER_T,
        "volume_bcm": bcm,
        "value_usd": usd,
        "rate_bbl_per_day": None,
        "is_weight_estimated": None,
        "note": note,
        "outlet": outlet,
        "source_url": "",
        "published_on": published_on,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows -> a validated clean table; row i gets provenance ``raw/<source>/test/<commodity>.csv#row=i``."""
    df = pd.DataFrame(rows)
    df["provenance"] = [f"raw/{r['source']}/test/{r['commodity']}.csv#row={i}" for i, r in enumerate(rows, 1)]
    return validate(conform(df))


def months(span: str) -> list[str]:
    return parse_period(span).months()


def ranking_spec(*windows: WindowRule, metrics=("mass", "value")) -> ClaimSpec:
    return ClaimSpec(
        id="test-largest-supplier",
        quote="Russia is China's largest crude supplier.",
        kind="largest_supplier",
        importer="CHN",
        exporter="RUS",
        measures=tuple(Measure(("crude_oil",), m, ("comtrade_extract",)) for m in metrics),
        windows=windows or (WindowRule("latest_month"),),
    )


DRAMATIC = Threshold(25.0, True, "dramatically = at least +25 % year on year")


def change_spec(metrics=("mass", "value"), threshold=DRAMATIC) -> ClaimSpec:
    return ClaimSpec(
        id="test-surge",
        quote="Imports from Russia surged.",
        kind="change_over_period",
        importer="CHN",
        exporter="RUS",
        threshold=threshold,
        measures=tuple(Measure(("crude_oil",), m, ("comtrade_extract",)) for m in metrics),
        windows=(WindowRule("span_to_latest", start="2022-03", max_months=12, baseline="year_earlier"),),
    )


def finding(result, window, metric):
    [f] = [f for f in result.findings if f.window == window and f.metric == metric]
    return f


def evaluate_one(flows, spec, **kw):
    [result] = evaluate(flows=flows, specs=[spec], **kw)
    return result


# --------------------------------------------------------------------------- largest supplier

# November 2022, made-up round figures.
RUS_NOV_T, SAU_NOV_T, IRQ_NOV_T = 8_000_000, 6_000_000, 5_000_000
RUS_NOV_USD, SAU_NOV_USD, IRQ_NOV_USD = 5_000_000_000, 4_000_000_000, 3_000_000_000


def test_russia_first_by_mass_and_value_is_supported_with_margin_and_sources():
    flows = frame(
        [
            row("RUS", "crude_oil", "2022-11", t=RUS_NOV_T, usd=RUS_NOV_USD),
            row("SAU", "crude_oil", "2022-11", t=SAU_NOV_T, usd=SAU_NOV_USD),
            row("IRQ", "crude_oil", "2022-11", t=IRQ_NOV_T, usd=IRQ_NOV_USD),
        ]
    )
    result = evaluate_one(flows, ranking_spec())

    assert result.verdict == SUPPORTED
    assert result.as_of == ARTICLE_DATE
    mass = finding(result, "2022-11", "mass")
    assert (mass.leader_iso3, mass.runner_up_iso3) == ("RUS", "SAU")
    assert (mass.leader_value, mass.runner_up_value) == (RUS_NOV_T, SAU_NOV_T)
    assert mass.margin_pct == pytest.approx((RUS_NOV_T - SAU_NOV_T) / SAU_NOV_T * 100)
    assert mass.unit == "t" and mass.known_at_as_of
    assert mass.claimed_rank == 1
    # Iraq (third) is not part of the comparison: only the leader's and runner-up's rows are cited.
    assert sorted(mass.sources) == [
        "raw/comtrade_extract/test/crude_oil.csv#row=1",
        "raw/comtrade_extract/test/crude_oil.csv#row=2",
    ]
    value = finding(result, "2022-11", "value")
    assert value.margin_pct == pytest.approx((RUS_NOV_USD - SAU_NOV_USD) / SAU_NOV_USD * 100)
    assert "Russia led in November 2022" in result.summary


def test_saudi_first_is_not_supported_and_russias_rank_is_shown():
    flows = frame(
        [
            row("RUS", "crude_oil", "2022-11", t=SAU_NOV_T, usd=SAU_NOV_USD),
            row("SAU", "crude_oil", "2022-11", t=RUS_NOV_T, usd=RUS_NOV_USD),
        ]
    )
    result = evaluate_one(flows, ranking_spec())

    assert result.verdict == NOT_SUPPORTED
    mass = finding(result, "2022-11", "mass")
    assert mass.leader_iso3 == "SAU" and mass.claimed_rank == 2 and mass.claimed_value == SAU_NOV_T


def test_leader_by_tonnes_but_not_by_dollars_is_mixed():
    # Russia ships more tonnes at a discount: Saudi Arabia earns more.
    flows = frame(
        [
            row("RUS", "crude_oil", "2022-11", t=RUS_NOV_T, usd=SAU_NOV_USD),
            row("SAU", "crude_oil", "2022-11", t=SAU_NOV_T, usd=RUS_NOV_USD),
        ]
    )
    result = evaluate_one(flows, ranking_spec())

    assert result.verdict == MIXED
    assert finding(result, "2022-11", "mass").verdict == SUPPORTED
    assert finding(result, "2022-11", "value").verdict == NOT_SUPPORTED


def test_a_month_without_data_in_the_year_to_date_is_inconclusive_and_named():
    gap = "2022-06"
    rows = [
        row(p, "crude_oil", m, t=t, usd=u)
        for m in months("2022-01/2022-11")
        if m != gap
        for p, t, u in (("RUS", RUS_NOV_T, RUS_NOV_USD), ("SAU", SAU_NOV_T, SAU_NOV_USD))
    ]
    result = evaluate_one(frame(rows), ranking_spec(WindowRule("latest_month"), WindowRule("year_to_date")))

    assert finding(result, "2022-11", "mass").verdict == SUPPORTED
    ytd = finding(result, "2022-01/2022-11", "mass")
    assert ytd.verdict == INCONCLUSIVE
    assert ytd.leader_iso3 is None and ytd.leader_value is None  # no partial sums are passed off as totals
    assert any(gap in m for m in ytd.missing)
    # The year to date has no data: it is named, but does not outweigh the month that has data.
    assert result.verdict == SUPPORTED
    assert "January–November 2022" in result.summary and gap in result.summary


def test_a_compared_partner_without_a_figure_makes_that_finding_inconclusive():
    flows = frame(
        [
            row("RUS", "crude_oil", "2022-11", t=RUS_NOV_T, usd=RUS_NOV_USD),
            row("SAU", "crude_oil", "2022-11", t=None, usd=SAU_NOV_USD),  # tonnage not reported
        ]
    )
    result = evaluate_one(flows, ranking_spec())

    mass = finding(result, "2022-11", "mass")
    assert mass.verdict == INCONCLUSIVE
    assert mass.missing == (
        "2022-11: SAU crude_oil row without a mass figure in comtrade_extract; it ranks #2 by value, so it could lead",
    )
    assert finding(result, "2022-11", "value").verdict == SUPPORTED
    assert result.verdict == SUPPORTED  # INCONCLUSIVE only when no counted finding has data


def test_calendar_years_are_the_same_for_every_measure_up_to_the_claims_last_complete_year():
    # Tonnes and dollars for 2021 (UN Comtrade); dollars only for 2022-01..2023-03 (China customs' query).
    comtrade = [
        row(p, "crude_oil", m, t=t, usd=u)
        for m in months("2021")
        for p, t, u in (("RUS", RUS_NOV_T, RUS_NOV_USD), ("SAU", SAU_NOV_T, SAU_NOV_USD))
    ]
    query = [
        row(p, "crude_oil", m, usd=u, source="gacc_query")
        for m in months("2022-01/2023-03")
        for p, u in (("RUS", RUS_NOV_USD), ("SAU", SAU_NOV_USD))
    ]
    spec = two_source_ranking_spec(WindowRule("calendar_years", first_year=2020))
    result = evaluate_one(frame(comtrade + query), spec, as_of="2024-01-01")

    # 2022 is complete in the query, so tonnes are judged over it too; 2023 has no December in any source.
    windows = {metric: [f.window for f in result.findings if f.metric == metric] for metric in ("mass", "value")}
    assert windows == {"mass": ["2020", "2021", "2022"], "value": ["2020", "2021", "2022"]}
    assert finding(result, "2020", "mass").verdict == INCONCLUSIVE  # needed, but before the data start
    assert finding(result, "2021", "mass").leader_value == 12 * RUS_NOV_T
    mass_2022 = finding(result, "2022", "mass")
    assert mass_2022.verdict == INCONCLUSIVE
    assert mass_2022.missing == ("2022-01..2022-12: no crude_oil mass data in comtrade_extract",)
    assert finding(result, "2022", "value").leader_value == 12 * RUS_NOV_USD


# ------------------------------------------------------------ one latest known month for every measure

# Crude from two sources, as in the bundled data: UN Comtrade (tonnes and dollars) ends in 2024-12, China
# customs' query (dollars only) runs 2025-01..2025-05. Made-up round figures, per month.
COMTRADE_LAST, QUERY_MONTHS = "2024-12", months("2025-01/2025-05")
RUS_T, SAU_T = 9_000_000, 7_000_000
RUS_USD, SAU_USD = 4_500_000_000, 4_000_000_000
MID_2025 = "2025-06-30"  # figures up to 2025-05 are known


def two_source_rows():
    comtrade = [
        row(p, "crude_oil", COMTRADE_LAST, t=t, usd=u) for p, t, u in (("RUS", RUS_T, RUS_USD), ("SAU", SAU_T, SAU_USD))
    ]
    query = [
        row(p, "crude_oil", m, usd=u, source="gacc_query")
        for m in QUERY_MONTHS
        for p, u in (("RUS", RUS_USD), ("SAU", SAU_USD))
    ]
    return comtrade + query


def two_source_ranking_spec(*windows: WindowRule) -> ClaimSpec:
    """Tonnes from UN Comtrade only; dollars from UN Comtrade, else China customs' query."""
    return ClaimSpec(
        id="test-largest-supplier",
        quote="Russia is China's largest crude supplier.",
        kind="largest_supplier",
        importer="CHN",
        exporter="RUS",
        measures=(
            Measure(("crude_oil",), "mass", ("comtrade_extract",)),
            Measure(("crude_oil",), "value", ("comtrade_extract", "gacc_query")),
        ),
        windows=windows or (WindowRule("latest_month"), WindowRule("year_to_date")),
    )


def test_tonnes_missing_in_the_latest_known_month_are_inconclusive_not_an_older_month():
    result = evaluate_one(frame(two_source_rows()), two_source_ranking_spec(), as_of=MID_2025)

    latest = "2025-05"
    assert str(latest_known_month(parse_as_of(MID_2025))) == latest
    assert [(f.window, f.metric) for f in result.findings] == [
        (latest, "mass"),
        (latest, "value"),
        ("2025-01/2025-05", "mass"),
        ("2025-01/2025-05", "value"),
    ]
    assert COMTRADE_LAST not in {f.window for f in result.findings}  # no fallback to the tonnes' last month
    mass = finding(result, latest, "mass")
    assert mass.verdict == INCONCLUSIVE and mass.known_at_as_of
    assert mass.missing == (f"{latest}: no crude_oil mass data in comtrade_extract",)
    assert mass.leader_value is None and mass.sources == ()
    value = finding(result, latest, "value")
    assert value.verdict == SUPPORTED and value.data_sources == ("gacc_query",)
    assert (value.leader_value, value.runner_up_value) == (RUS_USD, SAU_USD)
    ytd_mass = finding(result, "2025-01/2025-05", "mass")
    assert ytd_mass.missing == ("2025-01..2025-05: no crude_oil mass data in comtrade_extract",)
    assert result.verdict == SUPPORTED  # dollars support it; the unknown tonnes are named, not held against it
    assert f"May 2025 crude oil tonnes: {latest}: no crude_oil mass data in comtrade_extract" in result.summary


def test_a_later_month_with_values_only_gives_both_measures_a_later_finding():
    result = evaluate_one(
        frame(two_source_rows()), two_source_ranking_spec(WindowRule("latest_month")), as_of="2025-01-20"
    )

    # 2024-12 was the latest known month; 2025-05, the claim's newest month in the data, came later.
    assert [(f.window, f.metric, f.known_at_as_of) for f in result.findings] == [
        (COMTRADE_LAST, "mass", True),
        (COMTRADE_LAST, "value", True),
        ("2025-05", "mass", False),
        ("2025-05", "value", False),
    ]
    assert result.verdict == SUPPORTED
    assert finding(result, "2025-05", "mass").missing == ("2025-05: no crude_oil mass data in comtrade_extract",)
    assert finding(result, "2025-05", "value").verdict == SUPPORTED
    assert result.later_verdict == SUPPORTED  # the verdict on the newest data: dollars, tonnes unknown


def test_an_as_of_date_beyond_the_data_is_capped_at_the_claims_newest_month_and_says_so():
    coal_later = row("RUS", "coal", "2025-09", t=RUS_T, usd=RUS_USD)  # not one of the claim's commodities
    result = evaluate_one(
        frame(two_source_rows() + [coal_later]), two_source_ranking_spec(WindowRule("latest_month")), as_of="2030-06-30"
    )

    assert str(latest_known_month(date(2030, 6, 30))) == "2030-05"
    assert [(f.window, f.metric) for f in result.findings] == [("2025-05", "mass"), ("2025-05", "value")]
    value = finding(result, "2025-05", "value")
    assert value.verdict == SUPPORTED and value.known_at_as_of
    [note] = [n for n in value.notes if "not in the data" in n]
    assert "figures up to 2030-05 were released" in note and "(2025-06..2030-05 not in the data)" in note
    assert finding(result, "2025-05", "mass").verdict == INCONCLUSIVE
    assert "customs figures up to May 2030 released; the data end at May 2025" in result.summary


def test_the_claims_newest_month_counts_every_source_of_its_commodities():
    # A press total for 2025 shows that 2025-12 was published; no customs table here holds it.
    press = row(
        "RUS", "crude_oil", "2025", t=12 * RUS_T, source="gacc_press", freq="A", note="[GACC] 2025", outlet="GACC"
    )
    result = evaluate_one(
        frame(two_source_rows() + [press]), two_source_ranking_spec(WindowRule("latest_month")), as_of="2030-06-30"
    )

    assert [(f.window, f.verdict) for f in result.findings] == [("2025-12", INCONCLUSIVE)] * 2
    assert finding(result, "2025-12", "value").missing == (
        "2025-12: no crude_oil value data in comtrade_extract or gacc_query",
    )


def test_without_any_data_of_the_claims_commodities_the_latest_known_month_is_the_published_one():
    result = evaluate_one(frame([row("RUS", "coal", "2022-11", t=RUS_T, usd=RUS_USD)]), ranking_spec(metrics=("mass",)))

    [f] = result.findings
    assert (f.window, f.verdict, f.known_at_as_of) == ("2022-11", INCONCLUSIVE, True)
    assert f.missing == ("2022-11: no crude_oil mass data in comtrade_extract",)
    assert result.verdict == INCONCLUSIVE and "customs figures up to November 2022" in result.summary


# Russian crude by calendar year: UN Comtrade (tonnes, dollars) 2023-2024, China customs' query (dollars) 2025.
YEAR_T = {2023: 8_000_000, 2024: 9_000_000}  # per month: +12.5 %
YEAR_USD = {2023: 4_000_000_000, 2024: 4_400_000_000, 2025: 3_300_000_000}  # per month: +10 %, then -25 %
LNG_USD = 500_000_000  # per month, UN Comtrade, 2023-2025


def yearly_rows():
    comtrade = [row("RUS", "crude_oil", m, t=YEAR_T[y], usd=YEAR_USD[y]) for y in (2023, 2024) for m in months(str(y))]
    query = [row("RUS", "crude_oil", m, usd=YEAR_USD[2025], source="gacc_query") for m in months("2025")]
    return comtrade + query


def yearly_change_spec(*extra: Measure) -> ClaimSpec:
    return ClaimSpec(
        id="test-surge",
        quote="Imports from Russia surged.",
        kind="change_over_period",
        importer="CHN",
        exporter="RUS",
        threshold=DRAMATIC,
        measures=(
            Measure(("crude_oil",), "mass", ("comtrade_extract",)),
            Measure(("crude_oil",), "value", ("comtrade_extract", "gacc_query")),
        )
        + extra,
        windows=(WindowRule("calendar_years", first_year=2024, baseline="year_earlier"),),
    )


def test_every_measure_gets_every_calendar_year_and_missing_tonnes_are_named():
    result = evaluate_one(frame(yearly_rows()), yearly_change_spec(), as_of="2026-02-01")

    assert [(f.window, f.metric) for f in result.findings] == [
        ("2024", "mass"),
        ("2024", "value"),
        ("2025", "mass"),
        ("2025", "value"),
    ]
    mass_2024 = finding(result, "2024", "mass")
    assert mass_2024.change_pct == pytest.approx((YEAR_T[2024] - YEAR_T[2023]) / YEAR_T[2023] * 100)
    mass_2025 = finding(result, "2025", "mass")
    assert mass_2025.verdict == INCONCLUSIVE and mass_2025.change_pct is None
    assert mass_2025.missing == ("2025-01..2025-12: no crude_oil mass data in comtrade_extract",)
    assert result.verdict == NOT_SUPPORTED  # no change with data passes +25 %; 2025 tonnes unknown, named
    assert "2025 crude oil tonnes: 2025-01..2025-12" in result.summary


def test_a_change_across_sources_is_kept_and_says_so():
    result = evaluate_one(frame(yearly_rows()), yearly_change_spec(), as_of="2026-02-01")

    value = finding(result, "2025", "value")
    assert value.verdict == NOT_SUPPORTED
    assert value.change_pct == pytest.approx((YEAR_USD[2025] - YEAR_USD[2024]) / YEAR_USD[2024] * 100)
    assert value.data_sources == ("gacc_query", "comtrade_extract")
    [note] = [n for n in value.notes if n.startswith("mixed sources")]
    assert "2025 from gacc_query (China customs' online query); 2024 from comtrade_extract (UN Comtrade" in note
    assert (
        "(mixed sources: 2025 from gacc_query against 2024 from comtrade_extract for crude oil value)" in result.summary
    )
    assert "(-25.0 %; gacc_query vs comtrade_extract)" in to_table([result])
    same_source = finding(result, "2024", "value")
    assert same_source.data_sources == ("comtrade_extract",)
    assert not any("mixed sources" in n for n in same_source.notes)
    assert result.summary.count("mixed sources") == 1


def test_a_total_whose_parts_come_from_two_sources_in_one_window_says_so():
    lng = [row("RUS", "lng", m, t=RUS_T / 10, usd=LNG_USD) for m in months("2023-01/2025-12")]
    total = Measure(("crude_oil", "lng"), "value", ("comtrade_extract", "gacc_query"), label="energy_total")
    result = evaluate_one(frame(yearly_rows() + lng), yearly_change_spec(total), as_of="2026-02-01")

    [f] = [f for f in result.findings if f.window == "2025" and f.commodity == "energy_total"]
    assert (f.value, f.baseline_value) == (12 * (YEAR_USD[2025] + LNG_USD), 12 * (YEAR_USD[2024] + LNG_USD))
    assert f.data_sources == ("gacc_query", "comtrade_extract")
    assert any(n.startswith("2025 sums figures from several sources: gacc_query") for n in f.notes)
    [mixed] = [n for n in f.notes if n.startswith("mixed sources")]
    assert "2025 from gacc_query (China customs' online query) and comtrade_extract" in mixed


# ------------------------------------------------------------------------------ change over period

BASE_T, BASE_USD = 5_000_000, 2_000_000_000  # per month, 2021-03..2021-11
WAR_T, WAR_USD = 5_500_000, 3_000_000_000  # per month, 2022-03..2022-11: +10 % tonnes, +50 % dollars
WAR_MONTHS, BASE_MONTHS = months("2022-03/2022-11"), months("2021-03/2021-11")


def surge_rows(war_t=WAR_T, war_usd=WAR_USD, skip=()):
    return [row("RUS", "crude_oil", m, t=BASE_T, usd=BASE_USD) for m in BASE_MONTHS if m not in skip] + [
        row("RUS", "crude_oil", m, t=war_t, usd=war_usd) for m in WAR_MONTHS if m not in skip
    ]


def test_value_up_50_percent_passes_the_25_percent_threshold():
    result = evaluate_one(frame(surge_rows()), change_spec(metrics=("value",)))

    assert result.verdict == SUPPORTED
    f = finding(result, "2022-03/2022-11", "value")
    assert f.baseline_window == "2021-03/2021-11"
    assert f.value == 9 * WAR_USD and f.baseline_value == 9 * BASE_USD
    assert f.change_pct == pytest.approx((WAR_USD - BASE_USD) / BASE_USD * 100)
    assert f.threshold_pct == 25.0
    assert len(f.sources) == 18
    assert "+50.0 %" in result.summary and "at least +25 %" in result.summary


def test_tonnes_up_10_percent_do_not_pass():
    result = evaluate_one(frame(surge_rows()), change_spec(metrics=("mass",)))

    assert result.verdict == NOT_SUPPORTED
    assert finding(result, "2022-03/2022-11", "mass").change_pct == pytest.approx((WAR_T - BASE_T) / BASE_T * 100)


def test_dollars_pass_and_tonnes_do_not_is_mixed():
    result = evaluate_one(frame(surge_rows()), change_spec())
    assert result.verdict == MIXED


def test_exactly_the_threshold_passes_at_least_but_not_above():
    plus_25 = BASE_USD * 1.25
    flows = frame(surge_rows(war_usd=plus_25))
    at_least = evaluate_one(flows, change_spec(metrics=("value",)))
    above = evaluate_one(flows, change_spec(metrics=("value",), threshold=Threshold(25.0, False, "more than +25 %")))

    assert finding(at_least, "2022-03/2022-11", "value").change_pct == pytest.approx(25.0)
    assert at_least.verdict == SUPPORTED
    assert above.verdict == NOT_SUPPORTED


def test_a_baseline_month_without_data_is_inconclusive_and_named():
    result = evaluate_one(frame(surge_rows(skip=("2021-05",))), change_spec(metrics=("value",)))

    f = finding(result, "2022-03/2022-11", "value")
    assert f.verdict == INCONCLUSIVE and f.change_pct is None and f.baseline_value is None
    assert f.missing == ("2021-05: no crude_oil value data in comtrade_extract",)
    assert result.verdict == INCONCLUSIVE
    assert "2021-05" in result.summary


def test_the_span_grows_with_the_as_of_date_up_to_twelve_months():
    rows = (
        surge_rows()
        + [row("RUS", "crude_oil", m, t=WAR_T, usd=WAR_USD) for m in months("2022-12/2023-06")]
        + [row("RUS", "crude_oil", m, t=BASE_T, usd=BASE_USD) for m in months("2021-12/2022-02")]
    )
    result = evaluate_one(frame(rows), change_spec(metrics=("value",)), as_of="2023-06-30")

    # Known on 2023-06-30: up to 2023-05, capped at 12 months from 2022-03.
    assert [f.window for f in result.findings] == ["2022-03/2023-02"]
    assert result.findings[0].baseline_window == "2021-03/2022-02"


# ------------------------------------------------------------------------------------ forecasts

GAZPROM_2022, NOVAK_2022 = 15.4, 15.5  # bcm, two outlets' figures for the same year
GAZPROM_2023, GAZPROM_TG_2023, INTERFAX_2023 = 22.73, 22.7, 23.0


def press_rows(v2022=(GAZPROM_2022, NOVAK_2022), v2023=(GAZPROM_2023, GAZPROM_TG_2023, INTERFAX_2023)):
    outlets_2022 = ("Gazprom via TASS", "RU govt/Novak")
    outlets_2023 = ("Gazprom via TASS", "Gazprom Telegram", "Interfax")
    return [
        row("RUS", "pipeline_gas", "2022", bcm=v, source="gacc_press", freq="A", note=f"[{o}] 2022", outlet=o)
        for v, o in zip(v2022, outlets_2022)
    ] + [
        row("RUS", "pipeline_gas", "2023", bcm=v, source="gacc_press", freq="A", note=f"[{o}] 2023", outlet=o)
        for v, o in zip(v2023, outlets_2023)
    ]


def forecast_spec(*extra: Measure, verdict_metrics=("volume",)) -> ClaimSpec:
    return ClaimSpec(
        id="test-gas-forecast",
        quote="Gas supplies will rise next year.",
        kind="forecast_vs_outcome",
        importer="CHN",
        exporter="RUS",
        threshold=Threshold(0.0, False, "any increase"),
        measures=(Measure(("pipeline_gas",), "volume", ("gacc_press",), press_outlets_preferred=("Gazprom", "GACC")),)
        + extra,
        windows=(WindowRule("fixed", period="2023", baseline="2022"),),
        verdict_metrics=verdict_metrics,
    )


def each_kind_flows_and_specs():
    """``(flows, specs)``: a ranking, a change and a forecast claim, with inconclusive findings among them.

    Russia's crude: the surge rows (2021-03..11 without 2021-05, 2022-03..11); Saudi Arabia leads 2022-11.
    """
    saudi = [row("SAU", "crude_oil", "2022-11", t=SAU_NOV_T, usd=SAU_NOV_USD)]
    flows = frame(surge_rows(skip=("2021-05",)) + saudi + press_rows())
    specs = [ranking_spec(WindowRule("latest_month"), WindowRule("year_to_date")), change_spec(), forecast_spec()]
    return flows, specs


def one_claim_of_each_kind():
    """``(flows, results)``: :func:`each_kind_flows_and_specs`, evaluated as of the article's date."""
    flows, specs = each_kind_flows_and_specs()
    return flows, evaluate(flows=flows, specs=specs)


def test_a_forecast_cannot_be_judged_on_its_date_and_is_judged_later():
    result = evaluate_one(frame(press_rows()), forecast_spec())

    assert result.verdict == INCONCLUSIVE
    assert result.later_verdict == SUPPORTED
    f = finding(result, "2023", "volume")
    assert not f.known_at_as_of and f.known_from == date(2024, 1, 20)
    # Gazprom's two-decimal figure is chosen over its rounded Telegram figure and other outlets.
    assert (f.value, f.baseline_value) == (GAZPROM_2023, GAZPROM_2022)
    assert f.change_pct == pytest.approx((GAZPROM_2023 - GAZPROM_2022) / GAZPROM_2022 * 100)
    lowest = (GAZPROM_TG_2023 - NOVAK_2022) / NOVAK_2022 * 100
    highest = (INTERFAX_2023 - GAZPROM_2022) / GAZPROM_2022 * 100
    assert f.change_pct_range == pytest.approx((lowest, highest))
    assert sorted(a["value"] for a in f.alternatives) == sorted([NOVAK_2022, GAZPROM_TG_2023, INTERFAX_2023])
    assert len(f.sources) == 5  # the chosen figures and every alternative
    assert "none of the windows the claim needs (2023) was known" in result.summary
    assert "From 20 January 2024 on" in result.summary


def test_the_forecast_outcome_counts_from_the_20th_of_january():
    flows = frame(press_rows())
    assert evaluate_one(flows, forecast_spec(), as_of="2024-01-19").verdict == INCONCLUSIVE
    assert evaluate_one(flows, forecast_spec(), as_of="2024-01-20").verdict == SUPPORTED


def test_a_fall_means_the_forecast_did_not_come_true():
    flows = frame(press_rows(v2023=(14.0, 14.1, 14.2)))
    assert evaluate_one(flows, forecast_spec(), as_of="2025-01-01").verdict == NOT_SUPPORTED


def test_values_are_shown_but_only_volumes_count():
    lng_2022_t, lng_2023_t = 6_500_000, 8_000_000
    lng_2022_usd, lng_2023_usd = 6_700_000_000, 5_200_000_000  # more tonnes, cheaper
    rows = press_rows()
    for year, t, usd in ((2022, lng_2022_t, lng_2022_usd), (2023, lng_2023_t, lng_2023_usd)):
        rows += [row("RUS", "lng", f"{year}-{m:02d}", t=t / 12, usd=usd / 12) for m in range(1, 13)]
    spec = forecast_spec(
        Measure(("lng",), "mass", ("comtrade_extract",)),
        Measure(("lng",), "value", ("comtrade_extract",)),
        verdict_metrics=("volume", "mass"),
    )
    result = evaluate_one(frame(rows), spec, as_of="2025-01-01")

    lng_value = finding(result, "2023", "value")
    assert lng_value.verdict == NOT_SUPPORTED and not lng_value.counts_toward_verdict
    assert finding(result, "2023", "mass").change_pct == pytest.approx((lng_2023_t - lng_2022_t) / lng_2022_t * 100)
    assert result.verdict == SUPPORTED


def test_a_missing_press_year_is_inconclusive_and_named():
    result = evaluate_one(frame(press_rows()[:2]), forecast_spec(), as_of="2025-01-01")
    f = finding(result, "2023", "volume")
    assert f.verdict == INCONCLUSIVE
    assert f.missing == ("2023: no RUS pipeline_gas volume figure (A 2023) printed by 2025-01-01 in gacc_press",)


# -------------------------------------------------------------------------------------- the rule


def _finding(verdict, counts=True, known=True):
    base = evaluate_one(
        frame([row("RUS", "crude_oil", "2022-11", t=1, usd=1)]), ranking_spec(metrics=("mass",))
    ).findings[0]
    return replace(base, verdict=verdict, counts_toward_verdict=counts, known_at_as_of=known)


def test_verdict_rule_mixed_wins_over_missing_data_and_uncounted_findings_are_ignored():
    assert combine([_finding(SUPPORTED), _finding(NOT_SUPPORTED), _finding(INCONCLUSIVE)]) == MIXED
    assert combine([_finding(SUPPORTED), _finding(INCONCLUSIVE)]) == SUPPORTED  # data outweigh no data
    assert combine([_finding(INCONCLUSIVE), _finding(INCONCLUSIVE)]) == INCONCLUSIVE
    assert combine([_finding(SUPPORTED), _finding(NOT_SUPPORTED, counts=False)]) == SUPPORTED
    assert combine([_finding(NOT_SUPPORTED), _finding(NOT_SUPPORTED)]) == NOT_SUPPORTED
    assert combine([]) is None


# ---------------------------------------------------------------------------------------- as of


def test_a_month_is_known_from_the_20th_of_the_next_month():
    assert known_from("2022-11") == date(2022, 12, 20)
    assert not is_known("2022-11", date(2022, 12, 19))
    assert is_known("2022-11", date(2022, 12, 20))
    assert known_from("2023-02") == date(2023, 3, 20)
    assert known_from("2022") == date(2023, 1, 20)  # a year: when its December is
    assert known_from("2022-01/2022-11") == date(2022, 12, 20)
    assert known_from("2022-11", lag_days=30) == date(2022, 12, 30)
    assert str(latest_known_month(date(2022, 12, 19))) == "2022-10"
    assert str(latest_known_month(date(2022, 12, 20))) == "2022-11"


OCT_NOV = [
    row("RUS", "crude_oil", "2022-10", t=SAU_NOV_T, usd=SAU_NOV_USD),  # October: Saudi Arabia first
    row("SAU", "crude_oil", "2022-10", t=RUS_NOV_T, usd=RUS_NOV_USD),
    row("RUS", "crude_oil", "2022-11", t=RUS_NOV_T, usd=RUS_NOV_USD),  # November: Russia first
    row("SAU", "crude_oil", "2022-11", t=SAU_NOV_T, usd=SAU_NOV_USD),
]


def test_the_day_before_the_20th_november_is_not_yet_known():
    result = evaluate_one(frame(OCT_NOV), ranking_spec(), as_of="2022-12-19")

    assert result.verdict == NOT_SUPPORTED  # October was the latest month known
    assert finding(result, "2022-10", "mass").known_at_as_of
    november = finding(result, "2022-11", "mass")
    assert not november.known_at_as_of and november.known_from == date(2022, 12, 20)
    assert november.verdict == SUPPORTED  # kept, marked as later
    assert result.later_verdict == SUPPORTED
    assert "From 20 December 2022 on (not known on 19 December 2022)" in result.summary


def test_on_the_20th_november_is_known():
    result = evaluate_one(frame(OCT_NOV), ranking_spec(), as_of=date(2022, 12, 20))

    assert result.verdict == SUPPORTED
    assert [f.window for f in result.findings] == ["2022-11", "2022-11"]
    assert result.later_verdict == SUPPORTED  # the newest data are the ones known


def test_the_lag_is_a_parameter():
    result = evaluate_one(frame(OCT_NOV), ranking_spec(), as_of="2022-12-20", lag_days=25)
    assert result.verdict == NOT_SUPPORTED and result.lag_days == 25


@pytest.mark.parametrize(
    "given, expected",
    [
        (None, ARTICLE_DATE),
        ("2024-06-30", date(2024, 6, 30)),
        (date(2023, 1, 20), date(2023, 1, 20)),
        (datetime(2023, 1, 20, 15, 30), date(2023, 1, 20)),
    ],
)
def test_as_of_accepts_none_a_string_or_a_date(given, expected):
    assert parse_as_of(given) == expected


@pytest.mark.parametrize("bad", ["30/12/2022", "2022-12", "2022-02-30", "yesterday", "2022-13-01"])
def test_a_bad_as_of_date_is_a_typed_error_saying_what_to_write(bad):
    with pytest.raises(BadDate, match="expected") as info:
        evaluate(as_of=bad, flows=frame(OCT_NOV), specs=[ranking_spec()])
    assert isinstance(info.value, EnergyTradeError)


def test_windows_ending_in_a_month_are_the_same_for_every_measure():
    nov = Month(2022, 11)
    assert [w.window for w in windows_ending(WindowRule("year_to_date"), nov)] == ["2022-01/2022-11"]
    assert [w.window for w in windows_ending(WindowRule("last_months", months=3), nov)] == ["2022-09/2022-11"]
    assert [w.window for w in windows_ending(WindowRule("last_months", months=12), nov)] == ["2021-12/2022-11"]
    rule = WindowRule("calendar_years", first_year=2022, baseline="year_earlier")
    assert [(w.window, w.baseline) for w in windows_ending(rule, Month(2024, 12))] == [
        ("2022", "2021"),
        ("2023", "2022"),
        ("2024", "2023"),
    ]
    span = WindowRule("span_to_latest", start="2022-03", max_months=12, baseline="year_earlier")
    assert [w.window for w in windows_ending(span, Month(2023, 6))] == ["2022-03/2023-02"]
    # The data end before what was published: capped, with the months not in the data named.
    capped = ClaimMonths(published=Month(2026, 10), data_end=Month(2026, 7))
    [latest] = windows_ending(WindowRule("latest_month"), capped.latest, note=capped.cap_note)
    assert latest.window == "2026-07" and "(2026-08..2026-10 not in the data)" in latest.note


# ------------------------------------------------------------------------------------------- specs


def test_the_packaged_specs_are_the_articles_three_claims():
    specs = load_specs()
    assert [s.id for s in specs] == [
        "russia-largest-oil-supplier",
        "russia-energy-exports-to-china-surged",
        "russia-gas-supplies-to-china-rise",
    ]
    assert [s.kind for s in specs] == ["largest_supplier", "change_over_period", "forecast_vs_outcome"]
    surge = specs[1]
    assert surge.threshold.change_pct == 25 and surge.threshold.inclusive
    assert {c for m in surge.measures for c in m.commodities} == {"crude_oil", "lng", "pipeline_gas", "coal"}


ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "article.txt"


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article text is kept outside the repo")
def test_every_quote_is_the_articles_own_words():
    text = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    for spec in load_specs():
        assert spec.quote.rstrip(".") in text, spec.id


def _yaml(commodity="crude_oil", exporter="RUS", metric="mass", extra=""):
    return f"""
claims:
  - id: test-claim
    quote: "A claim."
    kind: largest_supplier
    importer: CHN
    exporter: {exporter}
    measures:
      - {{commodity: {commodity}, metric: {metric}, sources: [comtrade_extract]}}
    windows:
      - {{rule: latest_month}}
{extra}"""


def test_the_yaml_form_reads_into_the_same_spec():
    [spec] = specs_from_yaml(_yaml())
    assert spec == ranking_spec(metrics=("mass",)).__class__(
        id="test-claim",
        quote="A claim.",
        kind="largest_supplier",
        importer="CHN",
        exporter="RUS",
        measures=(Measure(("crude_oil",), "mass", ("comtrade_extract",)),),
        windows=(WindowRule("latest_month"),),
    )


def test_an_unknown_commodity_fails_with_the_claim_and_the_known_commodities():
    with pytest.raises(ClaimSpecError) as info:
        specs_from_yaml(_yaml(commodity="crude"))
    message = str(info.value)
    assert "claim 'test-claim'" in message and "'crude'" in message and "crude_oil (2709)" in message


def test_an_unknown_partner_fails_with_a_suggestion():
    with pytest.raises(ClaimSpecError, match=r"exporter: unknown country code 'Rusia' — did you mean .*RUS"):
        specs_from_yaml(_yaml(exporter="Rusia"))
    with pytest.raises(ClaimSpecError, match="exporter: unknown country code 'RUX'"):
        ClaimSpec(
            id="x",
            quote="q",
            kind="largest_supplier",
            importer="CHN",
            exporter="RUX",
            measures=(Measure(("crude_oil",), "mass", ("comtrade_extract",)),),
            windows=(WindowRule("latest_month"),),
        )


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        (_yaml(metric="tonnes"), "unknown metric 'tonnes'; use one of mass, value, bpd, volume"),
        (_yaml(extra="    threshold: {at_least_pct: 25}\n    colour: red\n"), r"unknown field\(s\) \['colour'\]"),
        (_yaml() + _yaml().replace("claims:\n", ""), "claim id 'test-claim' appears twice"),
        (
            _yaml()
            .replace("kind: largest_supplier", "kind: change_over_period")
            .replace("rule: latest_month", "rule: latest_month, baseline: year_earlier"),
            "needs a threshold",
        ),
        (
            _yaml()
            .replace("kind: largest_supplier", "kind: change_over_period")
            .replace("    windows:", "    threshold: {at_least_pct: 25}\n    windows:"),
            "needs a baseline",
        ),
        (_yaml().replace("sources: [comtrade_extract]", "sources: [gacc_press]"), "press_outlets_preferred"),
        (_yaml().replace("rule: latest_month", "rule: last_month"), "unknown window rule 'last_month'"),
        ("claims: nope", "must hold a mapping with a 'claims' list"),
    ],
)
def test_malformed_specs_fail_with_clear_messages(yaml_text, expected):
    with pytest.raises(ClaimSpecError, match=expected):
        specs_from_yaml(yaml_text)
