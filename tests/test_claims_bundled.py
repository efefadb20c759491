"""Claims on the bundled data, end to end: every number traces to a raw file row, and the facts behind the
verdicts are recomputed here from the raw CSVs themselves (not typed in)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import BUNDLED_RAW

from energytrade.build import load_trade_flows
from energytrade.calendar import press_known_from
from energytrade.claims import (
    ARTICLE_DATE,
    INCONCLUSIVE,
    MIXED,
    SUPPORTED,
    evaluate,
    known_from,
    latest_known_month,
    parse_as_of,
)
from energytrade.cli import main

CRUDE_CSV = BUNDLED_RAW / "comtrade_extract" / "2026-11-27" / "comtrade_crude_oil.csv"
QUERY_CRUDE_CSV = BUNDLED_RAW / "gacc_query" / "2026-11-27" / "gacc_crude_oil.csv"
PRESS_GAS_CSV = BUNDLED_RAW / "gacc_press" / "2026-11-27" / "china_gas_energy_reported.csv"
PROVENANCE = re.compile(r"^raw/(?P<path>[^#]+)#row=(?P<row>\d+)(&col=\w+)?$")
MT = 1e6  # tonnes per million tonnes (the extract's qty_mt)
BN = 1e9  # dollars per billion (value_usd_bn)


@pytest.fixture(scope="module")
def flows():
    return load_trade_flows()


@pytest.fixture(scope="module")
def results(flows):
    return {r.id: r for r in evaluate(flows=flows)}


@pytest.fixture(scope="module")
def crude_raw():
    return pd.read_csv(CRUDE_CSV, dtype={"period": str})


def raw_row(provenance: str) -> pd.Series:
    """The raw CSV row a provenance string points at (row n = the n-th data row)."""
    match = PROVENANCE.match(provenance)
    assert match, provenance
    table = pd.read_csv(BUNDLED_RAW / match["path"], dtype={"period": str})
    return table.iloc[int(match["row"]) - 1]


def finding(result, window, metric, commodity=None):
    [f] = [
        f
        for f in result.findings
        if f.window == window and f.metric == metric and (commodity is None or f.commodity == commodity)
    ]
    return f


def test_three_claims_as_of_the_articles_date(results):
    assert list(results) == [
        "russia-largest-oil-supplier",
        "russia-energy-exports-to-china-surged",
        "russia-gas-supplies-to-china-rise",
    ]
    assert all(r.as_of == ARTICLE_DATE for r in results.values())


def test_the_crude_leader_of_november_2022_is_the_largest_qty_in_the_raw_csv(results, crude_raw):
    november = crude_raw[crude_raw["period"] == "202211"].sort_values("qty_mt", ascending=False)
    first, second = november.iloc[0], november.iloc[1]

    f = finding(results["russia-largest-oil-supplier"], "2022-11", "mass")
    assert f.known_at_as_of  # November figures were out on 2022-12-20
    assert f.leader_name == first["partner"] and f.runner_up_name == second["partner"]
    assert f.leader_value == pytest.approx(first["qty_mt"] * MT)
    assert f.runner_up_value == pytest.approx(second["qty_mt"] * MT)
    cited = {raw_row(p)["partner"]: raw_row(p)["qty_mt"] for p in f.sources}
    assert cited == {first["partner"]: first["qty_mt"], second["partner"]: second["qty_mt"]}


def test_the_oil_verdict_follows_from_the_raw_csv(results, crude_raw):
    """Who led each window known on 2022-12-30, by tonnes and by dollars, straight from the raw CSV."""
    # The state on the as-of date (counted): the latest release, quarter, twelve months and year to date;
    # earlier calendar years are context only.
    state = {
        "2022-11": ["202211"],
        "2022-09/2022-11": ["202209", "202210", "202211"],
        "2021-12/2022-11": ["202112"] + [f"2022{m:02d}" for m in range(1, 12)],
        "2022-01/2022-11": [f"2022{m:02d}" for m in range(1, 12)],
    }
    context = {"2020": [f"2020{m:02d}" for m in range(1, 13)], "2021": [f"2021{m:02d}" for m in range(1, 13)]}
    russia_led = set()
    result = results["russia-largest-oil-supplier"]
    for window, periods in {**state, **context}.items():
        rows = crude_raw[crude_raw["period"].isin(periods)]
        for metric, column in (("mass", "qty_mt"), ("value", "value_usd_bn")):
            leader = rows.groupby("partner")[column].sum().idxmax()
            f = finding(result, window, metric)
            assert f.leader_name == leader, (window, metric)
            assert f.counts_toward_verdict == (window in state)
            if window in state:
                russia_led.add(leader == "Russian Federation")
    expected = MIXED if russia_led == {True, False} else (SUPPORTED if russia_led == {True} else "NOT_SUPPORTED")
    assert result.verdict == expected == MIXED
    assert {f.window for f in result.findings if f.known_at_as_of} == set(state) | set(context)


def test_russian_crude_value_since_march_2022_is_the_raw_sum(results, crude_raw):
    russia = crude_raw[crude_raw["partner"] == "Russian Federation"]
    war = russia[russia["period"].between("202203", "202211")]["value_usd_bn"].sum() * BN
    before = russia[russia["period"].between("202103", "202111")]["value_usd_bn"].sum() * BN

    f = finding(results["russia-energy-exports-to-china-surged"], "2022-03/2022-11", "value", "crude_oil")
    assert (f.value, f.baseline_value) == (pytest.approx(war), pytest.approx(before))
    assert f.change_pct == pytest.approx((war - before) / before * 100)
    assert f.verdict == (SUPPORTED if f.change_pct >= 25 else "NOT_SUPPORTED")
    assert len(f.sources) == 18  # nine months, twice


def test_the_gas_forecast_is_judged_on_gazproms_figures_from_2024(results):
    result = results["russia-gas-supplies-to-china-rise"]
    assert result.verdict == INCONCLUSIVE  # the outcome (2023) was not known on 2022-12-30
    f = finding(result, "2023", "volume")
    assert not f.known_at_as_of
    chosen_2023, chosen_2022 = (
        raw_row(f.sources[0]),
        raw_row(f.sources[1 + len([a for a in f.alternatives if a["window"] == "2023"])]),
    )
    assert chosen_2023["note"].startswith("[Gazprom") and chosen_2023["unit"] == "bcm"
    assert (chosen_2023["period"], chosen_2022["period"]) == ("2023", "2022")
    assert f.value == chosen_2023["value"] and f.baseline_value == chosen_2022["value"]
    raw = pd.read_csv(PRESS_GAS_CSV, dtype={"period": str})
    outlets = raw[
        (raw["commodity"] == "pipeline_gas")
        & (raw["partner_iso3"] == "RUS")
        & (raw["freq"] == "A")
        & (raw["unit"] == "bcm")
    ]
    assert len(f.alternatives) == len(outlets[outlets["period"].isin(["2022", "2023"])]) - 2
    # Known from the first day an outlet printed each year's figure (the later of the two years).
    first_printed = [
        min(press_known_from(d) or known_from(y) for d in outlets.loc[outlets["period"] == y, "source_date"])
        for y in ("2023", "2022")
    ]
    assert f.known_from == max(first_printed)
    # The verdict counts bcm and LNG tonnes: recompute both rises from the raw files.
    lng = pd.read_csv(BUNDLED_RAW / "comtrade_extract" / "2026-11-27" / "comtrade_lng.csv", dtype={"period": str})
    lng = lng[lng["partner"] == "Russian Federation"]
    lng_2023, lng_2022 = (lng[lng["period"].str.startswith(y)]["qty_mt"].sum() for y in ("2023", "2022"))
    assert finding(result, "2023", "mass").change_pct == pytest.approx((lng_2023 - lng_2022) / lng_2022 * 100)
    rises = {f.value > f.baseline_value, lng_2023 > lng_2022}
    expected = SUPPORTED if rises == {True} else MIXED if rises == {True, False} else "NOT_SUPPORTED"
    assert result.later_verdict == expected


def test_in_mid_2025_crude_tonnes_are_inconclusive_for_2025_05_not_judged_on_2024_12(flows, crude_raw):
    """The review's case: on 2025-06-30 figures up to 2025-05 were out; the query has dollars for it, no tonnes."""
    as_of = "2025-06-30"
    latest = str(latest_known_month(parse_as_of(as_of)))
    query = pd.read_csv(QUERY_CRUDE_CSV, dtype={"period": str})
    compact = latest.replace("-", "")
    assert compact in set(query["period"]) and "qty_mt" not in query.columns  # dollars only
    comtrade_last = crude_raw["period"].max()
    assert comtrade_last < compact  # UN Comtrade's tonnes end earlier
    [result] = [r for r in evaluate(as_of=as_of, flows=flows) if r.id == "russia-largest-oil-supplier"]

    mass = finding(result, latest, "mass")
    assert mass.verdict == INCONCLUSIVE and mass.known_at_as_of
    assert mass.missing[0] == f"{latest}: no crude_oil mass data in comtrade_extract"
    assert "press mass figures" in mass.missing[1]  # the press figures tried in their stead
    month = query[query["period"] == compact].sort_values("value_usd_bn", ascending=False)
    value = finding(result, latest, "value")
    assert value.leader_name == month.iloc[0]["partner"]
    assert value.leader_value == pytest.approx(month.iloc[0]["value_usd_bn"] * BN)
    # No finding falls back to the month UN Comtrade's tonnes end in.
    assert f"{comtrade_last[:4]}-{comtrade_last[4:]}" not in {f.window for f in result.findings}


def test_every_measure_of_a_claim_is_judged_over_the_same_windows(results):
    for result in results.values():
        windows: dict[tuple[str, str], set] = {}
        for f in result.findings:
            windows.setdefault((f.commodity, f.metric), set()).add((f.window, f.known_at_as_of))
        assert len({frozenset(w) for w in windows.values()}) == 1, result.id
    surge = results["russia-energy-exports-to-china-surged"]
    assert len([f for f in surge.findings if f.window == "2025"]) == len(surge.spec.measures)
    for f in surge.findings:
        if f.window == "2025" and f.verdict == INCONCLUSIVE:
            assert f.missing and all(m.startswith("2025") for m in f.missing), (f.commodity, f.metric, f.missing)


def test_changes_across_sources_are_kept_and_say_so(results):
    surge = results["russia-energy-exports-to-china-surged"]
    mixed = [f for f in surge.findings if f.verdict != INCONCLUSIVE and len(set(f.data_sources)) > 1]
    assert mixed  # 2025 from China customs' query against 2024 from UN Comtrade
    for f in mixed:
        assert f.data_sources == ("gacc_query", "comtrade_extract"), (f.window, f.commodity)
        assert any(n.startswith(f"mixed sources: {f.window} from gacc_query") for n in f.notes), (f.window, f.commodity)
    # Since the war: 2025 against 2021, the same months before it.
    assert "mixed sources: 2025 from gacc_query against 2021 from comtrade_extract" in surge.summary


def test_every_number_traces_to_an_existing_raw_row(results):
    for result in results.values():
        for f in result.findings:
            if f.verdict != INCONCLUSIVE:
                assert f.sources, (result.id, f.window, f.metric)
            for provenance in f.sources:
                match = PROVENANCE.match(provenance)
                path = BUNDLED_RAW / match["path"]
                assert path.exists(), provenance
                n_rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
                assert 1 <= int(match["row"]) <= n_rows, provenance


def test_known_findings_are_exactly_those_published_by_the_as_of_date(results):
    for result in results.values():
        for f in result.findings:
            assert f.known_at_as_of == (f.known_from <= ARTICLE_DATE)


def test_cli_prints_json_and_rejects_a_bad_date(capsys, results):
    assert main(["claims", "--json", "--as-of", "2024-06-30"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["as_of"] for c in doc] == ["2024-06-30"] * 3
    gas = doc[2]
    # By mid-2024 the 2023 outcome was known: the later verdict of 2022-12-30 has become the verdict.
    assert gas["later_verdict"] == gas["verdict"] == results["russia-gas-supplies-to-china-rise"].later_verdict

    assert main(["claims", "--as-of", "30.12.2022"]) == 2
    assert "bad as-of date '30.12.2022'" in capsys.readouterr().err
