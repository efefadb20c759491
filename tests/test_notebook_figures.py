"""The notebooks' own figures and tables, as worked examples on tiny frames built from named constants.

Figures: each has a title, units in brackets and the source line. Tables: each number is the one the
constants give. The notebooks themselves are checked by nbval (``make test``).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from clean_rows import NAN, flow_row, table
from figure_checks import EVENTS, SOURCE, assert_labelled, source_texts, texts, titles

from energytrade import units
from energytrade.report import plotting
from energytrade.report.chapters import gas, sources


def months(start: str, end: str) -> list[str]:
    return list(pd.period_range(start, end, freq="M").strftime("%Y-%m"))


# ------------------------------------------------------------------------------------ data figures

GAP_MONTHS = ["2022-02"]
COVERAGE = pd.DataFrame(
    {"crude_oil / RUS": [1, 0, 2], "lng / RUS": [1, 1, 1]}, index=pd.Index(["2022-01", "2022-02", "2022-03"])
)


def test_coverage_heatmap_has_a_row_per_key_and_a_legend_in_counts():
    fig = plotting.coverage_heatmap(COVERAGE, events=EVENTS, source=SOURCE, title="Coverage")
    assert titles(fig) == ["Coverage"]
    assert source_texts(fig) == [SOURCE]
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(COVERAGE.columns)
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "sources [count]"
    # counts 0, 1 and 2 occur: three legend entries, the first for gaps
    assert [t.get_text() for t in legend.get_texts()] == ["no figure (gap)", "1 source", "2 sources"]
    image = ax.get_images()[0].get_array()
    assert image.shape == (2, 3)  # keys across rows, months across columns
    assert image[0, 1] == 0  # the gap stays a gap


def test_coverage_heatmap_marks_only_events_inside_its_months():
    fig = plotting.coverage_heatmap(COVERAGE, events=EVENTS, source=SOURCE)
    drawn = texts(fig)
    assert "invasion" in drawn  # 2022-02-24 lies in the span
    assert "article" not in drawn  # 2022-12-30 does not


def test_coverage_heatmap_refuses_an_empty_matrix():
    with pytest.raises(ValueError, match="empty"):
        plotting.coverage_heatmap(pd.DataFrame(), source=SOURCE)


RUS_SHARES = [16.0, 18.5, 20.0]
SAU_SHARES = [18.0, 17.0, 15.5]


def test_market_share_chart_draws_a_line_per_supplier_in_percent():
    shares = pd.DataFrame(
        {
            "period": ["2022-01", "2022-02", "2022-03"] * 2,
            "partner_iso3": ["RUS"] * 3 + ["SAU"] * 3,
            "partner_name": ["Russian Federation"] * 3 + ["Saudi Arabia"] * 3,
            "share_pct": RUS_SHARES + SAU_SHARES,
        }
    )
    fig = plotting.market_share_chart(shares, events=EVENTS, source=SOURCE)
    assert_labelled(fig, "%")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"Russia", "Saudi Arabia"}  # display names in the legend
    assert list(lines["Russia"].get_ydata()) == RUS_SHARES
    assert lines["Russia"].get_linewidth() > lines["Saudi Arabia"].get_linewidth()  # the focus stands out


def test_market_share_chart_says_which_column_is_missing():
    with pytest.raises(ValueError, match="share_pct"):
        plotting.market_share_chart(pd.DataFrame({"period": ["2022-01"]}), events=EVENTS, source=SOURCE)


def test_article_events_mark_the_invasion_then_the_article():
    events = plotting.article_events(date(2022, 12, 30))
    assert list(events) == ["2022-02-24", "2022-12-30"]
    assert events["2022-12-30"] == "article, 2022-12-30"


# ------------------------------------------------------------------------------------- gas figures

PIPE_BCM = {"2021": 10.39, "2022": 15.4}
PIPE_MIN = {"2021": 10.39, "2022": 15.0}
PIPE_MAX = {"2021": 10.4, "2022": 15.5}
LNG_MT = {"2021": 4.5, "2022": 6.5}
LNG_MONTH_T = [400_000.0, 500_000.0]
COAL_MONTH_T = [5_000_000.0, 6_000_000.0]


@pytest.fixture
def gas_frames():
    volumes = pd.DataFrame(
        {
            "period": list(PIPE_BCM),
            "volume_bcm": list(PIPE_BCM.values()),
            "volume_bcm_min": list(PIPE_MIN.values()),
            "volume_bcm_max": list(PIPE_MAX.values()),
        }
    )
    annual = pd.DataFrame({"period": list(LNG_MT), "lng_bcm": [mt * units.BCM_PER_MT_LNG for mt in LNG_MT.values()]})
    lng = pd.DataFrame({"period": ["2022-01", "2022-02"], "net_weight_t": LNG_MONTH_T})
    coal = pd.DataFrame({"period": ["2022-01", "2022-02"], "net_weight_t": COAL_MONTH_T})
    return volumes, annual, lng, coal


def test_russia_gas_and_coal_has_bcm_and_mt_panels(gas_frames):
    fig = plotting.russia_gas_and_coal(*gas_frames, events=EVENTS, source=SOURCE, title="Gas and coal")
    assert_labelled(fig, "bcm", "Mt")
    assert "Gas and coal" in titles(fig)
    top = fig.axes[0]
    heights = [round(p.get_height(), 6) for p in top.patches]
    pipe = list(PIPE_BCM.values())
    lng = [round(mt * units.BCM_PER_MT_LNG, 6) for mt in LNG_MT.values()]
    assert heights == pipe + lng
    assert [t.get_text() for t in top.get_xticklabels()] == list(PIPE_BCM)
    lng_ax, coal_ax = fig.axes[1], fig.axes[2]
    assert list(lng_ax.get_lines()[0].get_ydata()) == [t / units.TONNES_PER_MT for t in LNG_MONTH_T]
    assert list(coal_ax.get_lines()[0].get_ydata()) == [t / units.TONNES_PER_MT for t in COAL_MONTH_T]


def test_russia_gas_and_coal_whiskers_span_the_outlets_range(gas_frames):
    fig = plotting.russia_gas_and_coal(*gas_frames, events=EVENTS, source=SOURCE)
    whiskers = fig.axes[0].collections[0].get_segments()
    spans = [(round(seg[0][1], 6), round(seg[1][1], 6)) for seg in whiskers]
    assert spans == [(PIPE_MIN[y], PIPE_MAX[y]) for y in PIPE_BCM]


RANKS = pd.DataFrame(
    {
        "label": ["LNG, by tonnage"] * 2 + ["pipeline gas, by value"] * 2,
        "period": ["2022-01", "2022-02"] * 2,
        "rank": pd.array([4, 3, 2, 2], dtype="Int64"),
        "share_pct": [8.0, 10.0, 22.0, 23.0],
    }
)


def test_russia_rank_figure_puts_rank_one_on_top_and_shares_in_percent():
    fig = plotting.russia_rank_among_suppliers(RANKS, events=EVENTS, source=SOURCE)
    assert_labelled(fig, "%", "1 = largest supplier")
    top, bottom = fig.axes
    low, high = bottom.get_ylim()
    assert low > high and high == 0.5  # inverted: rank 1 at the top
    assert low == 4.5  # room for the worst rank drawn
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["LNG, by tonnage", "pipeline gas, by value"]


# -------------------------------------------------------------------------------------- data tables


def test_source_overview_counts_periods_and_partners_without_the_world_totals():
    flows = table(
        [
            flow_row("RUS", "2022-01", t=1.0, commodity="lng"),
            flow_row("QAT", "2022-01", t=1.0, commodity="lng"),
            flow_row("WLD", "2022-01", t=3.0, commodity="lng"),
            flow_row("RUS", "2022-02", t=1.0, commodity="lng"),
            flow_row("RUS", "2022", t=12.0, commodity="lng", source="gacc_press", freq="A"),
        ]
    )
    provenance = pd.DataFrame(
        {
            "source": ["comtrade_extract", "gacc_press"],
            "vintage": ["2026-01-01", "2026-02-02"],
            "date_retrieved": ["2026-01-03", "2026-02-04"],
        }
    )
    out = sources.source_overview(flows, provenance)
    assert out["source"].tolist() == ["comtrade_extract", "gacc_press"]
    first = out.iloc[0]
    assert (first["first_period"], first["last_period"], first["n_periods"]) == ("2022-01", "2022-02", 2)
    assert (first["n_partners"], first["n_rows"]) == (2, 4)
    assert first["date_retrieved"] == "2026-01-03"
    note = sources.sources_note(out, ["lng"])
    assert note.splitlines()[0] == (
        "- UN Comtrade (china-energy-monitor extract), retrieved 3 January 2026: LNG monthly, January 2022 "
        "to February 2022 (2 months, 2 partners)."
    )
    assert "LNG annual, 2022 to 2022 (1 year, 1 partner)" in note.splitlines()[1]


def test_source_overview_groups_rows_in_any_order():
    flows = table(
        [
            flow_row("WLD", "2023-07", t=9.0, commodity="lng", source="gacc_press", freq="YTD"),
            flow_row("SAU", "2023-05", t=1.0),
            flow_row("RUS", "2022-11", t=1.0),
            flow_row("RUS", "2022", t=5.0, commodity="lng", source="gacc_press", freq="A"),
            flow_row("RUS", "2023-01", t=1.0, commodity="coal"),
            flow_row("WLD", "2023-01", t=3.0),
            flow_row("RUS", "2023-01", t=1.0),
            flow_row("QAT", "2021", t=5.0, commodity="lng", source="gacc_press", freq="A"),
            flow_row("RUS", "2022-11", t=1.0, commodity="lng", source="gacc_press", freq="YTD"),
        ]
    )
    provenance = pd.DataFrame({"source": ["comtrade_extract"], "vintage": ["v1"], "date_retrieved": ["d1"]})
    out = sources.source_overview(flows, provenance)
    columns = ["source", "commodity", "freq", "first_period", "last_period", "n_periods", "n_partners", "n_rows"]
    assert [tuple(r) for r in out[columns].itertuples(index=False)] == [
        ("comtrade_extract", "coal", "M", "2023-01", "2023-01", 1, 1, 1),
        ("comtrade_extract", "crude_oil", "M", "2022-11", "2023-05", 3, 2, 4),
        ("gacc_press", "lng", "A", "2021", "2022", 2, 2, 2),
        ("gacc_press", "lng", "YTD", "2022-11", "2023-07", 2, 1, 2),
    ]
    assert out["vintage"].tolist()[:2] == ["v1", "v1"] and out["vintage"].isna().tolist()[2:] == [True, True]


def test_coverage_gaps_writes_runs_of_missing_months():
    matrix = pd.DataFrame({"lng / RUS": [0, 0, 1, 0, 2]}, index=months("2022-01", "2022-05"))
    out = sources.coverage_gaps(matrix)
    assert out.to_dict("records") == [
        {
            "key": "lng / RUS",
            "months_with_figure": 2,
            "months_without": 3,
            "most_sources": 2,
            "gaps": "2022-01..2022-02, 2022-04",
        }
    ]


def test_short_note_drops_the_url_and_shortens():
    note = "[GACC via TASS] 2022 +44% (https://tass.com/economy/1649467, 2023-07-20)"
    assert sources.short_note(note) == "[GACC via TASS] 2022 +44%"
    assert sources.short_note("word " * 40, width=20).endswith("…")


BASE_T, PRESS_T = 100.0, 110.0  # a 10 % difference: flagged at a 2 % tolerance
COAL_BASE_T, COAL_PRESS_T = 100.0, 70.0  # press coal is HS 2701+2702, the extract's HS 2701


def _comparison() -> pd.DataFrame:
    """A cross-source comparison: LNG January printed by two outlets, LNG February, and annual coal."""
    return pd.DataFrame(
        {
            "commodity": ["lng", "lng", "lng", "coal"],
            "period": ["2022-01", "2022-01", "2022-02", "2022"],
            "freq": ["M", "M", "M", "A"],
            "partner_iso3": ["RUS"] * 4,
            "metric": ["mass"] * 4,
            "unit": ["t"] * 4,
            "base_hs_code": ["271111", "271111", "271111", "2701"],
            "other_hs_code": ["271111", "271111", "271111", "2701+2702"],
            "like_for_like": [True, True, True, False],
            "base_value": [BASE_T, BASE_T, BASE_T, COAL_BASE_T],
            "other_value": [PRESS_T, PRESS_T, BASE_T + 1, COAL_PRESS_T],
            "diff_pct": [10.0, 10.0, 1.0, -30.0],
            "flagged": [True, True, False, True],
            "other_note": ["[GACC] Jan (https://x.org/a, )", "[Reuters] Jan", "[GACC] Feb", "[Bloomberg] 2022"],
        }
    )


def test_cross_source_summary_and_flagged_rows():
    comparison = _comparison()
    summary = sources.cross_source_summary(comparison)
    assert summary[["commodity", "like_for_like", "n_compared", "n_figures", "n_flagged"]].to_dict("records") == [
        {"commodity": "coal", "like_for_like": False, "n_compared": 1, "n_figures": 1, "n_flagged": 1},
        {"commodity": "lng", "like_for_like": True, "n_compared": 3, "n_figures": 2, "n_flagged": 1},
    ]
    assert summary.loc[summary["commodity"] == "lng", "max_abs_diff_pct"].item() == 10.0
    flagged = sources.flagged_differences(comparison)
    assert flagged["diff_pct"].tolist() == [-30.0, 10.0, 10.0]  # largest difference first
    assert flagged["note"].tolist() == ["[Bloomberg] 2022", "[GACC] Jan", "[Reuters] Jan"]


def test_cross_source_counts_a_figure_once_and_hs_scopes_apart():
    comparison = _comparison()
    assert len(sources.distinct_figures(comparison)) == 3  # two outlets, one January figure
    assert sources.cross_source_counts(comparison) == {
        "n_rows": 4,
        "n_figures": 3,
        "n_flagged": 2,
        "n_like": 2,
        "n_like_flagged": 1,
        "n_unlike": 1,
        "n_unlike_flagged": 1,
    }
    assert sources.hs_scope_words(comparison) == "coal: HS 2701+2702 in the press, HS 2701 in the extract"
    # outlets printing different numbers are different figures
    differing = comparison.assign(other_value=[PRESS_T, PRESS_T + 1, BASE_T + 1, COAL_PRESS_T])
    assert sources.cross_source_counts(differing)["n_figures"] == 4


def test_cross_source_note_counts_distinct_figures_and_hs_scopes_apart():
    note = sources.cross_source_note(_comparison(), 2.0)
    assert note.startswith(
        "3 distinct figures printed in the press (4 counting each outlet that printed them) have a counterpart"
    )
    assert "Of the 2 that cover the same HS codes in both, 1 (50.0 %) differs by more than 2 %" in note
    assert "+10.0 % (LNG, Russia, January 2022, tonnage)" in note  # the largest like-for-like difference, not coal's
    assert "The other 1 cover different HS codes (coal: HS 2701+2702 in the press, HS 2701 in the extract)" in note
    assert "1 of them differs by more than 2 %" in note
    assert "revisions" not in note


# ------------------------------------------------------------------------------------- gas tables

GAZPROM_2022, GOVT_2022, GAZPROM_2021 = 15.4, 15.5, 10.39


def test_pipeline_volumes_take_gazprom_and_keep_the_outlets_range():
    flows = table(
        [
            flow_row(
                "RUS",
                "2022",
                bcm=GOVT_2022,
                commodity="pipeline_gas",
                source="gacc_press",
                freq="A",
                note="[RU govt/Novak] 2022",
                outlet="RU govt/Novak",
            ),
            flow_row(
                "RUS",
                "2022",
                bcm=GAZPROM_2022,
                commodity="pipeline_gas",
                source="gacc_press",
                freq="A",
                note="[Gazprom via TASS] 2022",
                outlet="Gazprom via TASS",
            ),
            flow_row(
                "RUS",
                "2021",
                bcm=GAZPROM_2021,
                commodity="pipeline_gas",
                source="gacc_press",
                freq="A",
                note="[Gazprom via TASS] 2021",
                outlet="Gazprom via TASS",
            ),
            flow_row(
                "TKM",
                "2022",
                bcm=34.0,
                commodity="pipeline_gas",
                source="gacc_press",
                freq="A",
                note="[Turkmen state media] 2022",
                outlet="Turkmen state media",
            ),
        ]
    )
    out = gas.pipeline_volumes(flows, ("2021", "2022", "2023"))
    assert out["period"].tolist() == ["2021", "2022"]  # no figure for 2023: left out
    row = out.set_index("period").loc["2022"]
    assert (row["volume_bcm"], row["outlet"], row["n_outlets"]) == (GAZPROM_2022, "Gazprom via TASS", 2)
    assert (row["volume_bcm_min"], row["volume_bcm_max"]) == (GAZPROM_2022, GOVT_2022)
    assert row["change_pct"] == pytest.approx((GAZPROM_2022 - GAZPROM_2021) / GAZPROM_2021 * 100)
    assert math.isnan(out.set_index("period").loc["2021", "change_pct"])


def test_war_windows_on_the_article_date():
    assert gas.war_windows(date(2022, 12, 30)) == [
        ("known on 30 December 2022", "2022-03/2022-11", "2021-03/2021-11"),
        ("first 12 months of the war, known from 20 March 2023", "2022-03/2023-02", "2021-03/2022-02"),
    ]
    # once the first twelve war months are known, they are the only window
    assert gas.war_windows(date(2024, 1, 1)) == [("known on 1 January 2024", "2022-03/2023-02", "2021-03/2022-02")]


BEFORE_T, BEFORE_USD = 1_000.0, 500_000.0
AFTER_T, AFTER_USD = 1_500.0, 1_000_000.0  # +50 % by tonnage, +100 % by value


def test_changes_since_war_compare_the_same_months_a_year_earlier():
    rows = []
    for commodity in ("crude_oil", "lng", "pipeline_gas", "coal"):
        t_before = NAN if commodity == "pipeline_gas" else BEFORE_T
        t_after = NAN if commodity == "pipeline_gas" else AFTER_T
        rows += [
            flow_row("RUS", m, t=t_before, usd=BEFORE_USD, commodity=commodity) for m in months("2021-03", "2022-02")
        ]
        rows += [
            flow_row("RUS", m, t=t_after, usd=AFTER_USD, commodity=commodity) for m in months("2022-03", "2023-02")
        ]
    out = gas.changes_since_war(table(rows), as_of=date(2022, 12, 30))
    assert len(out) == 2 * len(gas.CHANGE_MEASURES)
    assert out.loc[out["metric"] == "mass", "change_pct"].round(6).unique().tolist() == [50.0]
    assert out.loc[out["metric"] == "value", "change_pct"].round(6).unique().tolist() == [100.0]
    assert out["is_complete"].all()
    first = out[out["window"] == "2022-03/2022-11"]
    assert first.loc[first["commodity"] == "coal", "value"].tolist()[0] == 9 * AFTER_T  # nine months summed
    note = gas.changes_note(out)
    assert note.splitlines()[0].startswith("March–November 2022 (known on 30 December 2022)")
    assert "crude oil by tonnage +50.0 %" in note


def test_changes_since_war_give_no_change_for_an_incomplete_window():
    rows = []
    for commodity in ("crude_oil", "lng", "pipeline_gas", "coal"):
        rows += [
            flow_row("RUS", m, t=BEFORE_T, usd=BEFORE_USD, commodity=commodity) for m in months("2021-03", "2022-02")
        ]
        after = months("2022-03", "2023-02")
        rows += [
            flow_row(
                "RUS",
                m,
                t=NAN if (commodity, m) == ("coal", "2022-05") else AFTER_T,
                usd=AFTER_USD,
                commodity=commodity,
            )
            for m in after
        ]
    out = gas.changes_since_war(table(rows), as_of=date(2022, 12, 30))
    coal = out[(out["commodity"] == "coal") & (out["metric"] == "mass")]
    assert not coal["is_complete"].any()
    assert coal["value"].isna().all() and coal["change_pct"].isna().all()  # no partial sum, no change
    assert (coal["baseline_value"] == [9 * BEFORE_T, 12 * BEFORE_T]).all()  # the complete side keeps its total
    assert coal["months_missing_figure"].tolist() == [1, 1]
    note = gas.changes_note(out)
    assert "coal by tonnage no change (1 month without a figure in the two windows)" in note
    assert "coal by value +100.0 %" in note


def test_annual_supplies_leave_partial_years_empty():
    rows = [
        flow_row("RUS", m, t=BEFORE_T, usd=BEFORE_USD, commodity=c)
        for c in ("crude_oil", "lng", "coal")
        for m in months("2021-01", "2021-12")
    ]
    rows += [flow_row("RUS", m, usd=BEFORE_USD, commodity="pipeline_gas") for m in months("2021-07", "2021-12")]
    flows = table(rows)
    volumes = pd.DataFrame({"period": ["2021"], "volume_bcm": [GAZPROM_2021]})
    out = gas.annual_supplies(flows, ("2021",), volumes).iloc[0]
    assert out["lng_mt"] == pytest.approx(12 * BEFORE_T / units.TONNES_PER_MT)
    assert out["lng_bcm"] == pytest.approx(units.lng_tonnes_to_bcm(12 * BEFORE_T))
    assert out["coal_usd_bn"] == pytest.approx(12 * BEFORE_USD / 1e9)
    assert out["pipeline_gas_bcm"] == GAZPROM_2021
    assert math.isnan(out["pipeline_gas_usd_bn"])  # six months of pipeline data: not a year


def test_monthly_lines_up_a_partners_tonnes_and_values_month_by_month():
    rows = [
        flow_row("RUS", "2022-01", t=3.0, usd=30.0, commodity="lng"),
        flow_row("QAT", "2022-01", t=1.0, usd=50.0, commodity="lng"),
        flow_row("RUS", "2022-02", t=2.0, commodity="lng"),  # no value this month
        flow_row("QAT", "2022-02", t=4.0, usd=40.0, commodity="lng"),
        flow_row("QAT", "2022-03", t=4.0, usd=40.0, commodity="lng"),  # Russia sold nothing: no row
        flow_row("RUS", "2022-04", usd=20.0, commodity="lng"),  # no tonnes this month
    ]
    out = gas._monthly(table(rows), "lng", "RUS", source="comtrade_extract", reporter="CHN")
    assert out.columns.tolist() == ["period", "net_weight_t", "value_usd", "share_pct", "rank"]
    assert out["period"].tolist() == ["2022-01", "2022-02", "2022-04"]
    assert out["net_weight_t"].tolist()[:2] == [3.0, 2.0] and math.isnan(out["net_weight_t"].iloc[2])
    assert (
        out["value_usd"].iloc[0] == 30.0 and math.isnan(out["value_usd"].iloc[1]) and out["value_usd"].iloc[2] == 20.0
    )
    assert out["share_pct"].tolist()[:2] == [75.0, pytest.approx(100 / 3)]
    assert out["rank"].tolist()[:2] == [1, 2] and pd.isna(out["rank"].iloc[2])


def test_ranks_name_each_rows_measure():
    rows = [
        flow_row(p, m, t=1.0, usd=2.0, commodity="lng") for p in ("RUS", "QAT") for m in months("2022-01", "2022-02")
    ]
    rows += [
        flow_row(p, m, usd=3.0, commodity="pipeline_gas") for p in ("RUS", "TKM") for m in months("2022-01", "2022-03")
    ]
    out = gas._ranks(table(rows), "M", "RUS", ("lng", "pipeline_gas"), source="comtrade_extract", reporter="CHN")
    assert out.columns.tolist() == gas._RANK_COLUMNS
    assert out["commodity"].tolist() == ["lng"] * 2 + ["pipeline_gas"] * 3
    assert out["metric"].tolist() == ["mass"] * 2 + ["value"] * 3
    assert out["label"].tolist() == ["LNG, by tonnage"] * 2 + ["pipeline gas, by value"] * 3
    assert out["period"].tolist() == months("2022-01", "2022-02") + months("2022-01", "2022-03")
    assert gas._ranks(table(rows), "M", "RUS", ("coal",)).columns.tolist() == gas._RANK_COLUMNS
