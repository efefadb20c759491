"""The rules of issue 8 as worked examples: state windows, the pre-war baseline, the January-February release,
press figures dated by the day printed, press tonnes where the tables have none, the verdict rule, the timeline
(first_supported_on, supported_since) and the bottom line; then the same rules on the bundled data."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import BUNDLED_RAW
from pydantic import TypeAdapter
from test_claims import DRAMATIC, evaluate_one, finding, forecast_spec, frame, months, ranking_spec, row

from energytrade.build import load_trade_flows
from energytrade.claims import (
    INCONCLUSIVE,
    JSON_SCHEMA,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    ClaimSpec,
    Measure,
    WindowRule,
    evaluate,
    specs_from_yaml,
    timeline,
)
from energytrade.claims.results import ClaimJSON
from energytrade.cli import main
from energytrade.errors import ClaimSpecError

# Made-up round monthly tonnes: Saudi Arabia ahead in 2021, Russia ahead from 2022.
AHEAD_T, BEHIND_T = 10_000_000, 8_000_000
STATE_WINDOWS = (
    WindowRule("latest_release"),
    WindowRule("last_months", months=3),
    WindowRule("last_months", months=12),
    WindowRule("year_to_date"),
    WindowRule("calendar_years", first_year=2021, counts_toward_verdict=False),
)


def lead_rows(leaders: dict[str, str]) -> list[dict]:
    """Monthly crude tonnes: in each month the partner given leads (``AHEAD_T``), the other trails."""
    rows = []
    for month, leader in leaders.items():
        other = "SAU" if leader == "RUS" else "RUS"
        rows += [row(leader, "crude_oil", month, t=AHEAD_T), row(other, "crude_oil", month, t=BEHIND_T)]
    return rows


SAUDI_2021_RUSSIA_2022 = {m: ("SAU" if m < "2022-01" else "RUS") for m in months("2021-01/2022-12")}


def test_a_state_claim_is_judged_on_the_state_and_earlier_years_are_context():
    result = evaluate_one(
        frame(lead_rows(SAUDI_2021_RUSSIA_2022)), ranking_spec(*STATE_WINDOWS, metrics=("mass",)), as_of="2023-01-20"
    )
    counted = {f.window for f in result.findings if f.counts_toward_verdict and f.known_at_as_of}
    # The latest release (December), the quarter, and the trailing twelve months = the year to date = 2022.
    assert counted == {"2022-12", "2022-10/2022-12", "2022"}
    context = finding(result, "2021", "mass")
    assert context.verdict == NOT_SUPPORTED and not context.counts_toward_verdict
    assert result.verdict == SUPPORTED  # 2021, the "before" of "has become", does not count against it


def test_the_month_leads_but_the_year_to_date_does_not_is_mixed_and_premature():
    # Russia leads only November 2022 (as on the article's date), then every month of 2023.
    leaders = {m: "SAU" for m in months("2022-01/2022-10")} | {"2022-11": "RUS"}
    leaders |= {m: "RUS" for m in months("2022-12/2023-12")}
    result = evaluate_one(frame(lead_rows(leaders)), ranking_spec(*STATE_WINDOWS[:4], metrics=("mass",)))
    assert result.verdict == MIXED and result.later_verdict == SUPPORTED
    assert result.bottom_line.startswith("Premature on 30 December 2022: Russia led in November 2022")
    assert "Saudi Arabia led January–November 2022 by" in result.bottom_line


def test_since_the_war_compares_with_the_same_months_before_it():
    monthly = {"2021": 10_000, "2022": 12_000, "2023": 13_400}  # tonnes a month
    rows = [row("RUS", "crude_oil", m, t=t) for year, t in monthly.items() for m in months(year)]
    spec = ClaimSpec(
        id="test-since-war",
        quote="Imports from Russia surged since the war.",
        kind="change_over_period",
        importer="CHN",
        exporter="RUS",
        threshold=DRAMATIC,
        measures=(Measure(("crude_oil",), "mass", ("comtrade_extract",)),),
        windows=(WindowRule("calendar_years", first_year=2023, baseline="before_event"),),
        since="2022-03",
    )
    result = evaluate_one(frame(rows), spec, as_of="2024-06-30")
    f = finding(result, "2023", "mass")
    assert f.baseline_window == "2021"  # not 2022, which is partly the war
    assert f.change_pct == pytest.approx((monthly["2023"] - monthly["2021"]) / monthly["2021"] * 100)
    assert f.verdict == SUPPORTED  # +34 % on 2021 (against 2022 it would be +11.7 %)


def test_january_and_february_are_not_known_before_their_joint_release():
    rows = lead_rows({m: "RUS" for m in months("2022-10/2023-02")})
    spec = ranking_spec(WindowRule("latest_release"), metrics=("mass",))
    on_first_march = evaluate_one(frame(rows), spec, as_of="2023-03-01")
    assert [f.window for f in on_first_march.findings if f.known_at_as_of] == ["2022-12"]
    on_twentieth = evaluate_one(frame(rows), spec, as_of="2023-03-20")
    assert [f.window for f in on_twentieth.findings if f.known_at_as_of] == ["2023-01/2023-02"]


PRINTED_2023, PRINTED_2022 = "2024-01-05", "2023-01-10"


def test_press_figures_are_known_from_the_day_they_were_printed():
    press = [
        row(
            "RUS",
            "pipeline_gas",
            "2022",
            bcm=15.4,
            source="gacc_press",
            freq="A",
            outlet="Gazprom",
            published_on=PRINTED_2022,
        ),
        row(
            "RUS",
            "pipeline_gas",
            "2023",
            bcm=22.7,
            source="gacc_press",
            freq="A",
            outlet="Gazprom",
            published_on=PRINTED_2023,
        ),
    ]
    before = evaluate_one(frame(press), forecast_spec(), as_of="2024-01-04")
    after = evaluate_one(frame(press), forecast_spec(), as_of="2024-01-05")  # before the customs' 20 January
    assert before.verdict == INCONCLUSIVE and after.verdict == SUPPORTED
    assert finding(after, "2023", "volume").known_from == date.fromisoformat(PRINTED_2023)


def test_press_tonnes_stand_in_where_the_tables_have_none_and_say_so():
    rows = [row("RUS", "crude_oil", m, t=8_000_000) for m in months("2021")]
    rows += [
        row(
            "RUS",
            "crude_oil",
            "2025",
            t=108_000_000,
            source="gacc_press",
            freq="A",
            outlet="GACC",
            published_on="2026-01-20",
        )
    ]
    spec = ClaimSpec(
        id="test-press-fallback",
        quote="Imports from Russia surged since the war.",
        kind="change_over_period",
        importer="CHN",
        exporter="RUS",
        threshold=DRAMATIC,
        measures=(Measure(("crude_oil",), "mass", ("comtrade_extract",), press_fallback="gacc_press"),),
        windows=(WindowRule("fixed", period="2025", baseline="2021"),),
    )
    result = evaluate_one(frame(rows), spec, as_of="2026-02-01")
    f = finding(result, "2025", "mass")
    assert f.value == pytest.approx(108_000_000) and f.data_sources == ("gacc_press", "comtrade_extract")
    assert any("press figure" in n for n in f.notes)
    assert "press figure" in result.summary


def test_a_claim_is_inconclusive_only_when_no_counted_finding_has_data():
    rows = [row("RUS", "crude_oil", "2022-11", usd=5e9), row("SAU", "crude_oil", "2022-11", usd=4e9)]
    both = evaluate_one(frame(rows), ranking_spec())  # tonnes: no data; dollars: Russia first
    assert finding(both, "2022-11", "mass").verdict == INCONCLUSIVE
    assert both.verdict == SUPPORTED and "November 2022 crude oil tonnes" in both.summary
    tonnes_only = evaluate_one(frame(rows), ranking_spec(metrics=("mass",)))
    assert tonnes_only.verdict == INCONCLUSIVE


def test_the_timeline_says_when_the_claim_became_true_and_since_when_it_holds():
    leaders = {m: "SAU" for m in months("2022-01/2022-06")} | {m: "RUS" for m in months("2022-07/2022-12")}
    leaders |= {"2023-01": "SAU", "2023-02": "SAU", "2023-03": "RUS"}
    spec = ranking_spec(WindowRule("latest_release"), metrics=("mass",))
    [line] = timeline("2022-01", "2023-04", flows=frame(lead_rows(leaders)), specs=[spec])
    verdicts = {p.day: p.verdict for p in line.points}
    assert verdicts[date(2022, 7, 20)] == NOT_SUPPORTED  # June, Saudi Arabia
    assert line.first_supported_on == date(2022, 8, 20)  # July, out on 20 August
    # January and February 2023 (Saudi Arabia) came out together on 20 March; March (Russia) on 20 April.
    assert verdicts[date(2023, 3, 20)] == NOT_SUPPORTED
    assert line.supported_since == date(2023, 4, 20)
    assert date(2023, 2, 20) not in verdicts  # no release in February


# ------------------------------------------------------------------------------------------ bundled


@pytest.fixture(scope="module")
def flows():
    return load_trade_flows()


def oil(flows, as_of):
    [result] = evaluate(as_of=as_of, flows=flows, ids=["russia-largest-oil-supplier"])
    return result


def test_bundled_oil_claim_is_premature_on_the_articles_date(flows):
    result = oil(flows, "2022-12-30")
    assert result.verdict == MIXED
    assert result.bottom_line.startswith("Premature on 30 December 2022: Russia led in November 2022")


def test_bundled_on_1_march_2023_no_known_finding_uses_january_or_february_2023(flows):
    for result in evaluate(as_of="2023-03-01", flows=flows):
        for f in result.findings:
            if f.known_at_as_of:
                used = set(months(f.window)) | set(months(f.baseline_window or f.window))
                assert not used & {"2023-01", "2023-02"}, (result.id, f.window)


def test_bundled_oil_claim_is_supported_in_mid_2024(flows):
    assert oil(flows, "2024-06-30").verdict == SUPPORTED


def test_bundled_crude_tonnes_from_russia_2023_against_2021():
    raw = pd.read_csv(BUNDLED_RAW / "comtrade_extract" / "2026-11-27" / "comtrade_crude_oil.csv", dtype={"period": str})
    russia = raw[raw["partner"] == "Russian Federation"]
    t_2023, t_2021 = (russia[russia["period"].str.startswith(y)]["qty_mt"].sum() * 1e6 for y in ("2023", "2021"))
    [surge] = evaluate(as_of="2024-06-30", ids=["russia-energy-exports-to-china-surged"])
    f = next(f for f in surge.findings if f.window == "2023" and f.commodity == "crude_oil" and f.metric == "mass")
    assert f.baseline_window == "2021"
    assert (f.value, f.baseline_value) == (pytest.approx(t_2023), pytest.approx(t_2021))
    assert f.change_pct == pytest.approx(34.4, abs=0.1)  # 107.02 against 79.64 Mt


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["claims", "--timeline", "--start", "2023-01", "--end", "2022-01"], "is after --end"),
        (["claims", "--claim", "russia-is-big"], "unknown claim id 'russia-is-big'; use one of"),
        (["claims", "--as-of", "0001-01-01"], "outside 1990-2100"),
        (["claims", "--as-of", "9999-12-31"], "outside 1990-2100"),
        (["claims", "--start", "2022-01"], "go with --timeline"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_calendar_that_does_not_parse_is_one_line_and_exit_2(capsys, tmp_path):
    bad = tmp_path / "calendar.yml"
    bad.write_text("sources: [\n", encoding="utf-8")
    assert main(["claims", "--calendar", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "is not valid YAML" in err and str(bad) in err and err.count("\n") == 1


def test_the_spec_shape_is_a_declared_model_and_the_json_schema_is_generated():
    bad = """claims:
  - id: test-claim
    quote: "Russia is first."
    kind: largest_supplier
    importer: CHN
    exporter: RUS
    measures: [{commodity: crude_oil, metric: mass}]
    windows: [{rule: calendar_years, first_year: twenty}]
"""
    with pytest.raises(ClaimSpecError, match=r"windows\.0\.first_year"):
        specs_from_yaml(bad)
    generated = TypeAdapter(list[ClaimJSON]).json_schema()
    assert {k: v for k, v in JSON_SCHEMA.items() if k not in ("$schema", "title")} == generated
