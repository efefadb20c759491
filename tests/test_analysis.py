"""energytrade.analysis: worked examples on tiny clean tables built from named constants."""

from __future__ import annotations

import contextlib
import math
import re

import pandas as pd
import pytest
from clean_rows import flow_row, table

from energytrade import analysis as an
from energytrade import units
from energytrade.errors import AmbiguousFigures, BadPeriod, NoData, UnknownCommodity, UnknownCountry, UnknownMetric

# China's crude imports in January and February 2024 (a leap year: February has 29 days).
RUS_JAN_T, SAU_JAN_T, IRQ_JAN_T = 7_000_000, 6_000_000, 4_000_000
RUS_FEB_T, SAU_FEB_T, IRQ_FEB_T = 6_500_000, 7_000_000, 4_500_000
RUS_USD_PER_T, SAU_USD_PER_T, IRQ_USD_PER_T = 500.0, 560.0, 530.0
WLD_JAN_T = 50_000_000  # a reported total: it must never be added to the partners
DAYS_JAN_FEB_2024 = 31 + 29
# A year earlier.
RUS_JAN_2023_T, SAU_JAN_2023_T = 5_000_000, 6_500_000
RUS_FEB_2023_T, SAU_FEB_2023_T = 5_500_000, 6_000_000
RUS_USD_PER_T_2023 = 600.0


def crude(t, usd_per_t):
    return {"t": t, "usd": t * usd_per_t}


@pytest.fixture
def flows():
    return table(
        [
            flow_row("RUS", "2024-01", **crude(RUS_JAN_T, RUS_USD_PER_T)),
            flow_row("SAU", "2024-01", **crude(SAU_JAN_T, SAU_USD_PER_T)),
            flow_row("IRQ", "2024-01", **crude(IRQ_JAN_T, IRQ_USD_PER_T)),
            flow_row("WLD", "2024-01", **crude(WLD_JAN_T, SAU_USD_PER_T)),
            flow_row("RUS", "2024-02", **crude(RUS_FEB_T, RUS_USD_PER_T)),
            flow_row("SAU", "2024-02", **crude(SAU_FEB_T, SAU_USD_PER_T)),
            flow_row("IRQ", "2024-02", **crude(IRQ_FEB_T, IRQ_USD_PER_T)),
            flow_row("RUS", "2023-01", **crude(RUS_JAN_2023_T, RUS_USD_PER_T_2023)),
            flow_row("SAU", "2023-01", **crude(SAU_JAN_2023_T, SAU_USD_PER_T)),
            flow_row("RUS", "2023-02", **crude(RUS_FEB_2023_T, RUS_USD_PER_T_2023)),
            flow_row("SAU", "2023-02", **crude(SAU_FEB_2023_T, SAU_USD_PER_T)),
            # noise that every default selection must leave out
            flow_row("RUS", "2024-01", commodity="lng", t=1, usd=1),
            flow_row("RUS", "2024-01", source="gacc_press", t=1, usd=1),
        ]
    )


RUS_2024_T = RUS_JAN_T + RUS_FEB_T
SAU_2024_T = SAU_JAN_T + SAU_FEB_T
IRQ_2024_T = IRQ_JAN_T + IRQ_FEB_T
PARTNERS_2024_T = RUS_2024_T + SAU_2024_T + IRQ_2024_T


# ------------------------------------------------------------------------------------- select_flows


def test_select_flows_keeps_partner_rows_of_the_defaults(flows):
    rows = an.select_flows(flows, "crude_oil", window="2024-01")
    assert sorted(rows["partner_iso3"]) == ["IRQ", "RUS", "SAU"]  # no WLD, no LNG, no press row
    assert set(rows["source"]) == {"comtrade_extract"}


def test_select_flows_accepts_hs_codes(flows):
    assert len(an.select_flows(flows, "2709")) == len(an.select_flows(flows, "crude_oil"))


def test_select_flows_says_what_is_present(flows):
    with pytest.raises(NoData, match="present: 'comtrade_extract', 'gacc_press'"):
        an.select_flows(flows, "crude_oil", source="comtrade")
    with pytest.raises(NoData, match="cover 2023-01 to 2024-02"):
        an.select_flows(flows, "crude_oil", window="2030")
    with pytest.raises(UnknownCommodity):
        an.select_flows(flows, "crude")
    with pytest.raises(BadPeriod):
        an.select_flows(flows, "crude_oil", freq="YTD")


PRESS_TASS_T, PRESS_REUTERS_T = 7_100_000, 7_040_000


def test_select_flows_refuses_or_takes_the_median_of_several_outlets():
    press = table(
        [
            flow_row("RUS", "2024-01", t=PRESS_TASS_T, source="gacc_press"),
            flow_row("RUS", "2024-01", t=PRESS_REUTERS_T, source="gacc_press"),
        ]
    )
    with pytest.raises(AmbiguousFigures, match="RUS 2024-01"):
        an.select_flows(press, "crude_oil", source="gacc_press")
    one = an.select_flows(press, "crude_oil", source="gacc_press", duplicates="median")
    assert len(one) == 1
    assert one["net_weight_kg"].iloc[0] == (PRESS_TASS_T + PRESS_REUTERS_T) / 2 * units.KG_PER_TONNE
    assert one["provenance"].iloc[0].count("#row=") == 2


# --------------------------------------------------------------------------------- supplier_ranking


def test_supplier_ranking_by_mass(flows):
    ranking = an.supplier_ranking(flows, "crude_oil", "2024-01/2024-02")
    assert list(ranking["partner_iso3"]) == ["RUS", "SAU", "IRQ"]
    assert list(ranking["rank"]) == [1, 2, 3]
    assert list(ranking["net_weight_t"]) == [RUS_2024_T, SAU_2024_T, IRQ_2024_T]
    assert ranking["share_pct"].iloc[0] == pytest.approx(RUS_2024_T / PARTNERS_2024_T * 100)
    assert ranking["share_pct"].sum() == pytest.approx(100)
    assert set(ranking["window"]) == {"2024-01/2024-02"}
    assert list(ranking["months_reported"]) == [2, 2, 2]
    assert set(ranking["months_without_data"]) == {0}
    assert set(ranking["unit"]) == {"t"}


def test_supplier_ranking_in_barrels_per_day_uses_the_window_days(flows):
    ranking = an.supplier_ranking(flows, "crude_oil", "2024-01/2024-02", metric="bpd")
    expected = RUS_2024_T * units.BARRELS_PER_TONNE_CRUDE / DAYS_JAN_FEB_2024
    assert ranking.set_index("partner_iso3").loc["RUS", "rate_bbl_per_day"] == pytest.approx(expected)
    urals = 7.25
    ranking = an.supplier_ranking(flows, "crude_oil", "2024-01/2024-02", metric="bpd", bbl_per_tonne=urals)
    assert ranking.set_index("partner_iso3").loc["RUS", "rate_bbl_per_day"] == pytest.approx(
        RUS_2024_T * urals / DAYS_JAN_FEB_2024
    )


def test_supplier_ranking_by_value_on_one_month(flows):
    ranking = an.supplier_ranking(flows, "crude_oil", "2024-02", metric="value")
    assert ranking["partner_iso3"].iloc[0] == "SAU"
    assert ranking["value_usd"].iloc[0] == SAU_FEB_T * SAU_USD_PER_T


KAZ_JAN_T = 100_000
KAZ_JAN_USD, KAZ_FEB_USD = 50_000_000, 52_000_000


def test_supplier_ranking_reports_missing_figures_and_months(flows):
    extra = table(
        [
            flow_row("KAZ", "2024-01", t=KAZ_JAN_T, usd=KAZ_JAN_USD),
            flow_row("KAZ", "2024-02", usd=KAZ_FEB_USD),  # mass missing: stays missing
            flow_row("USA", "2024-02", usd=KAZ_FEB_USD, name="USA"),  # no mass at all
        ]
    )
    ranking = an.supplier_ranking(pd.concat([flows, extra]), "crude_oil", "2024-01/2024-03").set_index("partner_iso3")
    assert ranking.loc["KAZ", "net_weight_t"] == KAZ_JAN_T  # the known month only, not a 0 for February
    assert ranking.loc["KAZ", "months_reported"] == 1
    assert ranking.loc["KAZ", "months_missing_figure"] == 1
    assert math.isnan(ranking.loc["USA", "net_weight_t"])
    assert pd.isna(ranking.loc["USA", "rank"])
    assert ranking.loc["KAZ", "rank"] == 4
    assert set(ranking["months_in_window"]) == {3}
    assert set(ranking["months_without_data"]) == {1}  # March 2024 is not in the data


def test_supplier_ranking_breaks_ties_by_partner_code():
    tied = table([flow_row("SAU", "2024-01", t=RUS_JAN_T), flow_row("IRQ", "2024-01", t=RUS_JAN_T)])
    ranking = an.supplier_ranking(tied, "crude_oil", "2024-01")
    assert list(ranking["partner_iso3"]) == ["IRQ", "SAU"]
    assert list(ranking["rank"]) == [1, 2]


def test_supplier_ranking_errors(flows):
    with pytest.raises(UnknownMetric, match="'mass'"):
        an.supplier_ranking(flows, "crude_oil", "2024", metric="tonnes")
    with pytest.raises(BadPeriod):
        an.supplier_ranking(flows, "crude_oil", "2024-13")
    with pytest.raises(NoData, match="metric 'volume'"):
        an.supplier_ranking(flows, "crude_oil", "2024", metric="volume")


def ranked_one_by_one(df, windows, metric, **kw):
    return pd.concat([an.supplier_ranking(df, "crude_oil", w, metric, **kw) for w in windows], ignore_index=True)


# One large month and eleven small ones in 2022: a year's sum must add them in row order with compensation,
# as the ranking of the window alone does, to the last digit.
BIG_T, SMALL_T = 1e13, 0.001


@pytest.mark.parametrize("metric", ["mass", "value", "bpd"])
def test_supplier_rankings_are_the_windows_ranked_one_by_one(flows, metric):
    year_2022 = [
        flow_row("KAZ", f"2022-{m:02d}", t=BIG_T if m == 1 else SMALL_T, usd=KAZ_JAN_USD) for m in range(1, 13)
    ]
    year_2022 += [flow_row("RUS", f"2022-{m:02d}", t=RUS_JAN_T, usd=KAZ_JAN_USD * m) for m in (3, 7)]
    extra = [
        flow_row("KAZ", "2024-02", usd=KAZ_FEB_USD),  # mass missing
        flow_row("USA", "2024-02", t=KAZ_JAN_T, name="USA"),  # value missing
    ]
    df = pd.concat([flows, table(year_2022 + extra)], ignore_index=True)
    windows = ["2024", "2022", "2023-01/2024-02", "2023", "2024-02", "2022-01/2022-12"]
    expected = ranked_one_by_one(df, windows, metric)
    pd.testing.assert_frame_equal(an.supplier_rankings(df, "crude_oil", windows, metric), expected, check_exact=True)
    with an.reusing_selections():  # also when the sums are remembered and shared with market_shares
        an.market_shares(df, "crude_oil", metric, "A")
        pd.testing.assert_frame_equal(
            an.supplier_rankings(df, "crude_oil", windows, metric), expected, check_exact=True
        )


def test_supplier_rankings_raise_as_the_window_does(flows):
    with pytest.raises(NoData, match="window 2030"):
        an.supplier_rankings(flows, "crude_oil", ["2024", "2030"])
    with pytest.raises(NoData, match="metric 'value'"):  # 2023 has no value figure at all
        an.supplier_rankings(
            flows.assign(value_usd=flows["value_usd"].where(flows["period"] > "2024")),
            "crude_oil",
            ["2024", "2023"],
            "value",
        )
    press = table(
        [flow_row("RUS", "2023-01", t=RUS_JAN_T, source="gacc_press", outlet=o) for o in ("Reuters", "Bloomberg")]
        + [flow_row("RUS", f"2024-{m:02d}", t=RUS_JAN_T, source="gacc_press") for m in (1, 2)]
    )
    # Two outlets in 2023: ranking 2023 raises, 2024 alone does not (the duplicates lie outside it).
    with pytest.raises(AmbiguousFigures):
        an.supplier_rankings(press, "crude_oil", ["2024", "2023"], source="gacc_press")
    kw = {"source": "gacc_press"}
    ranked = an.supplier_rankings(press, "crude_oil", ["2024", "2024-01"], **kw)
    pd.testing.assert_frame_equal(ranked, ranked_one_by_one(press, ["2024", "2024-01"], "mass", **kw))
    assert ranked["net_weight_t"].tolist() == [2 * RUS_JAN_T, RUS_JAN_T]


def test_supplier_rankings_leave_out_a_row_across_two_years():
    # An annual row over a split year lies in neither calendar year: not keyed by the year it starts in.
    rows = table(
        [flow_row("RUS", "2021", t=RUS_JAN_T, freq="A"), flow_row("SAU", "2021", t=SAU_JAN_T, freq="A")]
        + [flow_row("SAU", "2021-07/2022-06", t=BIG_T, freq="A")]
    )
    ranked = an.supplier_rankings(rows, "crude_oil", ["2021", "2021-01/2022-12"], freq="A")
    pd.testing.assert_frame_equal(ranked, ranked_one_by_one(rows, ["2021", "2021-01/2022-12"], "mass", freq="A"))
    assert ranked["partner_iso3"].tolist()[:2] == ["RUS", "SAU"]


def test_window_coverage_lists_months_without_data(flows):
    coverage = an.window_coverage(flows, "crude_oil", "2024-01/2024-04")
    assert list(coverage["period"]) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(coverage["has_data"]) == [True, True, False, False]
    assert list(coverage["n_partners"]) == [3, 3, 0, 0]  # WLD is not a partner


# ------------------------------------------------------------------------------------ market_shares


def test_market_shares_per_month_and_year(flows):
    monthly = an.market_shares(flows, "crude_oil", "mass", "M").set_index(["period", "partner_iso3"])
    jan_total = RUS_JAN_T + SAU_JAN_T + IRQ_JAN_T
    assert monthly.loc[("2024-01", "RUS"), "share_pct"] == pytest.approx(RUS_JAN_T / jan_total * 100)
    annual = an.market_shares(flows, "crude_oil", "mass", "A").set_index(["period", "partner_iso3"])
    assert annual.loc[("2024", "RUS"), "net_weight_t"] == RUS_2024_T
    assert annual.loc[("2024", "RUS"), "share_pct"] == pytest.approx(RUS_2024_T / PARTNERS_2024_T * 100)
    assert annual.loc[("2024", "RUS"), "months_with_data"] == 2  # a partial year says so


def test_barrels_per_day_share_the_tonnage_sums_within_reusing_selections(flows, monkeypatch):
    fresh = {
        "shares": an.market_shares(flows, "crude_oil", "bpd"),
        "leaders": an.monthly_leaders(flows, "crude_oil", "bpd"),
        "rank": an.partner_rank(flows, "crude_oil", "RUS", "bpd"),
    }
    sums = []
    by_partner = an._by_partner
    monkeypatch.setattr(an, "_by_partner", lambda *a: sums.append(a[1]) or by_partner(*a))
    with an.reusing_selections():
        an.market_shares(flows, "crude_oil", "mass", source="comtrade_extract")
        shared = {
            "shares": an.market_shares(flows, "crude_oil", "bpd"),
            "leaders": an.monthly_leaders(flows, "crude_oil", "bpd", freq="M"),
            "rank": an.partner_rank(flows, "crude_oil", "RUS", "bpd"),
        }
    assert sums == ["mass"]  # one sum per month and partner, by tonnage, for all four questions
    for name, frame in fresh.items():
        pd.testing.assert_frame_equal(shared[name], frame, check_exact=True)
    jan = shared["shares"].set_index(["period", "partner_iso3"]).loc[("2024-01", "RUS"), "rate_bbl_per_day"]
    assert jan == pytest.approx(RUS_JAN_T * units.BARRELS_PER_TONNE_CRUDE / 31)
    with an.reusing_selections(), pytest.raises(NoData, match="metric 'bpd'"):
        an.market_shares(flows.assign(net_weight_kg=float("nan")), "crude_oil", "bpd")


def test_market_shares_rejects_monthly_output_from_annual_rows():
    annual = table([flow_row("RUS", "2024", t=RUS_2024_T, freq="A")])
    with pytest.raises(BadPeriod, match="monthly output needs monthly rows"):
        an.market_shares(annual, "crude_oil", freq="M", row_freq="A")
    shares = an.market_shares(annual, "crude_oil", freq="A", row_freq="A")
    assert shares["months_reported"].iloc[0] == 12


# ---------------------------------------------------------------------------------- leaders, ranks


def test_monthly_leaders(flows):
    leaders = an.monthly_leaders(flows, "crude_oil", "mass").set_index("period")
    assert leaders.loc["2024-01", "leader_iso3"] == "RUS"
    assert leaders.loc["2024-01", "runner_up_iso3"] == "SAU"
    assert leaders.loc["2024-01", "margin_pct"] == pytest.approx((RUS_JAN_T - SAU_JAN_T) / SAU_JAN_T * 100)
    assert leaders.loc["2024-02", "leader_iso3"] == "SAU"
    assert leaders.loc["2024-02", "leader_value"] == SAU_FEB_T
    assert leaders.loc["2023-01", "leader_iso3"] == "SAU"
    assert set(leaders["unit"]) == {"t"}


def test_monthly_leaders_margin_is_nan_not_inf_when_runner_up_is_zero():
    leaders = an.monthly_leaders(
        table([flow_row("RUS", "2024-01", t=RUS_JAN_T), flow_row("SAU", "2024-01", t=0)]), "crude_oil"
    )
    assert math.isnan(leaders["margin_pct"].iloc[0])


def test_leadership_streaks_break_on_a_change_a_gap_or_no_leader():
    leaders = pd.DataFrame(
        {
            "period": ["2024-01", "2024-02", "2024-03", "2024-04", "2024-06", "2024-07", "2024-08"],
            "leader_iso3": ["RUS", "RUS", "SAU", "RUS", "RUS", None, "RUS"],
        }
    )
    streaks = an.leadership_streaks(leaders)
    assert streaks[["leader_iso3", "start", "end", "n_months"]].values.tolist() == [
        ["RUS", "2024-01", "2024-02", 2],
        ["SAU", "2024-03", "2024-03", 1],
        ["RUS", "2024-04", "2024-04", 1],  # May is missing: the run stops
        ["RUS", "2024-06", "2024-06", 1],  # July has no leader
        ["RUS", "2024-08", "2024-08", 1],
    ]


def test_leadership_streaks_of_leaders_in_any_order_keep_the_last_name_given():
    leaders = pd.DataFrame(
        {
            "period": ["2024-03", "2024-01", "2024-04", "2024-02", "2024-06", "2024-05"],
            "leader_iso3": ["RUS", "RUS", "SAU", "RUS", "SAU", None],
            "leader_name": [None, "Russian Federation", "Saudi Arabia", "Russia", "KSA", None],
        }
    )
    streaks = an.leadership_streaks(leaders)
    assert [tuple(r) for r in streaks.itertuples(index=False)] == [
        ("RUS", "Russia", "2024-01", "2024-03", 3),  # March has no name: February's is the last given
        ("SAU", "Saudi Arabia", "2024-04", "2024-04", 1),
        ("SAU", "KSA", "2024-06", "2024-06", 1),  # May without a leader ends the run
    ]
    assert an.leadership_streaks(leaders.drop(columns="leader_name"))["leader_name"].tolist() == ["", "", ""]


def test_leadership_streaks_from_monthly_leaders(flows):
    streaks = an.leadership_streaks(an.monthly_leaders(flows, "crude_oil"))
    # 2023-01, 2023-02 SAU; a gap until 2024-01 RUS; 2024-02 SAU
    assert streaks["leader_iso3"].tolist() == ["SAU", "RUS", "SAU"]
    assert streaks["n_months"].tolist() == [2, 1, 1]


def test_partner_rank(flows):
    ranks = an.partner_rank(flows, "crude_oil", "RUS", "mass", "M").set_index("period")
    assert ranks.loc["2024-01", "rank"] == 1
    assert ranks.loc["2024-02", "rank"] == 2
    assert ranks.loc["2024-02", "value"] == RUS_FEB_T
    assert ranks.loc["2024-02", "n_partners"] == 3
    annual = an.partner_rank(flows, "crude_oil", "IRQ", freq="A").set_index("period")
    assert annual.loc["2024", "rank"] == 3
    assert pd.isna(annual.loc["2023", "rank"])  # no Iraqi row in 2023: no rank, not last
    with pytest.raises(NoData, match="partners present: IRQ, RUS, SAU"):
        an.partner_rank(flows, "crude_oil", "USA")
    with pytest.raises(UnknownCountry):
        an.partner_rank(flows, "crude_oil", "XYZ")


# ------------------------------------------------------------------------------------------ changes

RUS_2024_USD = RUS_2024_T * RUS_USD_PER_T
RUS_2023_USD = (RUS_JAN_2023_T + RUS_FEB_2023_T) * RUS_USD_PER_T_2023


def test_change_over_period_for_a_partner(flows):
    change = an.change_over_period(flows, "crude_oil", "2024-01/2024-02", "2023-01/2023-02").iloc[0]
    assert change["partner_iso3"] == "RUS"
    assert change["value"] == RUS_2024_USD
    assert change["baseline_value"] == RUS_2023_USD
    assert change["change_pct"] == pytest.approx((RUS_2024_USD - RUS_2023_USD) / RUS_2023_USD * 100)
    assert change["unit"] == "USD"
    assert change["is_complete"]


def test_change_over_period_for_all_partners_and_an_incomplete_window(flows):
    change = an.change_over_period(
        flows, "crude_oil", "2024-01/2024-03", "2023-01/2023-03", metric="mass", partner_iso3=None
    ).iloc[0]
    assert change["partner_iso3"] == an.ALL_PARTNERS
    assert change["months_without_data"] == 1  # March has no data in either year
    assert change["baseline_months_without_data"] == 1
    assert not change["is_complete"]
    # two months of three are not a total: no figure, no change
    for column in ("value", "baseline_value", "change", "change_pct"):
        assert math.isnan(change[column]), column
    partial = an.change_over_period(
        flows, "crude_oil", "2024-01/2024-03", "2023-01/2023-03", metric="mass", partner_iso3=None, allow_partial=True
    ).iloc[0]
    assert partial["value"] == PARTNERS_2024_T  # WLD not added
    assert partial["baseline_value"] == RUS_JAN_2023_T + RUS_FEB_2023_T + SAU_JAN_2023_T + SAU_FEB_2023_T
    assert partial["change_pct"] == pytest.approx(
        (partial["value"] - partial["baseline_value"]) / partial["baseline_value"] * 100
    )
    assert not partial["is_complete"]
    with pytest.raises(NoData, match="WLD"):
        an.change_over_period(flows, "crude_oil", "2024", "2023", partner_iso3="WLD")


def test_change_over_period_counts_a_missing_figure(flows):
    gap = table([flow_row("RUS", "2024-03", usd=RUS_FEB_T * RUS_USD_PER_T)])  # value but no mass
    change = an.change_over_period(
        pd.concat([flows, gap]), "crude_oil", "2024-01/2024-03", "2023-01/2023-03", metric="mass"
    ).iloc[0]
    assert math.isnan(change["value"])  # March's mass is unknown: January + February is not the total
    assert math.isnan(change["change_pct"])
    assert change["months_reported"] == 2
    assert change["months_missing_figure"] == 1
    assert not change["is_complete"]
    partial = an.change_over_period(
        pd.concat([flows, gap]), "crude_oil", "2024-01/2024-03", "2023-01/2023-03", metric="mass", allow_partial=True
    ).iloc[0]
    assert partial["value"] == RUS_2024_T


def test_change_over_period_keeps_a_complete_side_and_blanks_only_the_change(flows):
    gap = table([flow_row("RUS", "2024-03", usd=RUS_FEB_T * RUS_USD_PER_T)])  # value but no mass
    march_2023 = table([flow_row("RUS", "2023-03", t=RUS_FEB_2023_T)])
    rows = pd.concat([flows, gap, march_2023])
    change = an.change_over_period(rows, "crude_oil", "2024-01/2024-03", "2023-01/2023-03", metric="mass").iloc[0]
    assert change["baseline_value"] == RUS_JAN_2023_T + 2 * RUS_FEB_2023_T  # three months, all with a figure
    assert change["baseline_months_missing_figure"] == 0
    assert math.isnan(change["value"])
    assert math.isnan(change["change"])
    assert math.isnan(change["change_pct"])


# Press figures of Russia's pipeline gas per year (annual rows), and one month of 2024.
RUS_PIPE_2022_BCM, RUS_PIPE_2023_BCM, RUS_PIPE_2024_01_BCM = 15.5, 22.7, 2.6


@pytest.fixture
def annual_press():
    def press(period, bcm, freq):
        return flow_row("RUS", period, bcm=bcm, commodity="pipeline_gas", source="gacc_press", freq=freq)

    return table([press("2022", RUS_PIPE_2022_BCM, "A"), press("2023", RUS_PIPE_2023_BCM, "A")])


def test_change_over_period_of_annual_rows_counts_the_twelve_months_each_covers(annual_press):
    select = {"source": "gacc_press", "freq": "A"}
    change = an.change_over_period(annual_press, "pipeline_gas", "2023", "2022", "volume", **select).iloc[0]
    assert change["value"] == RUS_PIPE_2023_BCM and change["baseline_value"] == RUS_PIPE_2022_BCM
    assert change["months_reported"] == change["baseline_months_reported"] == 12
    assert change["months_without_data"] == 0 and change["is_complete"]
    # A window that holds part of a year holds no annual row: no figure to compare (as select_flows says).
    with pytest.raises(NoData, match="no rows in window 2023-01/2023-06"):
        an.change_over_period(annual_press, "pipeline_gas", "2023-01/2023-06", "2022", "volume", **select)
    with pytest.raises(TypeError, match="window"):  # the window is change_over_period's to choose
        an.change_over_period(annual_press, "pipeline_gas", "2023", "2022", "volume", window="2023", **select)


def test_change_over_period_counts_months_with_another_partners_data(flows):
    # Russia has no row in March 2024; Saudi Arabia has: the month has data, Russia's total is complete.
    march = table([flow_row("SAU", "2024-03", **crude(SAU_FEB_T, SAU_USD_PER_T))])
    march_2023 = table([flow_row("RUS", "2023-03", **crude(RUS_FEB_2023_T, RUS_USD_PER_T_2023))])
    rows = pd.concat([flows, march, march_2023])
    change = an.change_over_period(rows, "crude_oil", "2024-01/2024-03", "2023-01/2023-03", metric="mass").iloc[0]
    assert change["months_reported"] == 2 and change["months_without_data"] == 0
    assert change["value"] == RUS_2024_T
    assert change["baseline_value"] == RUS_JAN_2023_T + RUS_FEB_2023_T + RUS_FEB_2023_T
    assert change["baseline_months_reported"] == 3 and change["is_complete"]


def test_change_over_periods_gives_one_row_per_comparison_as_change_over_period_does(flows):
    comparisons = [
        ("crude_oil", "2024-01/2024-02", "2023-01/2023-02", "value"),
        ("crude_oil", "2024-01/2024-03", "2023-01/2023-03", "mass"),
        ("2709", "2024-01", "2023-01", "bpd"),
    ]
    one_by_one = [an.change_over_period(flows, *c[:3], metric=c[3]) for c in comparisons]
    for remembering in (False, True):
        with an.reusing_selections() if remembering else contextlib.nullcontext():
            together = an.change_over_periods(flows, comparisons)
        pd.testing.assert_frame_equal(together, pd.concat(one_by_one, ignore_index=True))
    assert together["value"].iloc[0] == RUS_2024_USD and math.isnan(together["value"].iloc[1])
    assert together["value"].iloc[2] == pytest.approx(units.tonnes_to_bpd(RUS_JAN_T, "2024-01"))
    assert an.change_over_periods(flows, []).empty
    with pytest.raises(NoData, match="partner QAT has no rows"):
        an.change_over_periods(flows, comparisons, partner_iso3="QAT")


def test_yoy_change_per_month(flows):
    yoy = an.yoy_change(flows, "crude_oil", "mass", "M", partner_iso3="RUS").set_index("period")
    assert yoy.loc["2024-01", "value_year_earlier"] == RUS_JAN_2023_T
    assert yoy.loc["2024-01", "change_pct"] == pytest.approx((RUS_JAN_T - RUS_JAN_2023_T) / RUS_JAN_2023_T * 100)
    assert yoy.loc["2024-01", "is_complete"]
    assert math.isnan(yoy.loc["2023-01", "value_year_earlier"])


def test_yoy_change_per_year_flags_partial_years(flows):
    yoy = an.yoy_change(flows, "crude_oil", "value", "A").set_index("period")
    assert math.isnan(yoy.loc["2024", "value"])  # two months of data are not a year
    assert math.isnan(yoy.loc["2024", "change_pct"])
    assert yoy.loc["2024", "months_with_data"] == 2
    assert not yoy.loc["2024", "is_complete"]
    partial = an.yoy_change(flows, "crude_oil", "value", "A", allow_partial=True).set_index("period")
    total_2024 = RUS_2024_USD + SAU_2024_T * SAU_USD_PER_T + IRQ_2024_T * IRQ_USD_PER_T
    assert partial.loc["2024", "value"] == pytest.approx(total_2024)


def test_yoy_change_blanks_a_month_with_a_missing_figure_and_the_change_a_year_later(flows):
    march = table(
        [
            flow_row("RUS", "2023-03", usd=RUS_FEB_2023_T * RUS_USD_PER_T_2023),  # Russia's tonnage missing
            flow_row("SAU", "2023-03", t=SAU_FEB_2023_T),
            flow_row("RUS", "2024-03", t=RUS_FEB_T),
            flow_row("SAU", "2024-03", t=SAU_FEB_T),
        ]
    )
    yoy = an.yoy_change(pd.concat([flows, march]), "crude_oil", "mass", "M").set_index("period")
    assert math.isnan(yoy.loc["2023-03", "value"])  # Saudi Arabia's tonnage alone is not the total
    assert yoy.loc["2023-03", "months_missing_figure"] == 1
    assert yoy.loc["2024-03", "value"] == RUS_FEB_T + SAU_FEB_T  # its own month is complete ...
    assert math.isnan(yoy.loc["2024-03", "value_year_earlier"])  # ... but a year earlier is not
    assert math.isnan(yoy.loc["2024-03", "change_pct"])
    assert not yoy.loc["2024-03", "is_complete"]
    assert yoy.loc["2024-01", "change_pct"] == pytest.approx(
        (RUS_JAN_T + SAU_JAN_T + IRQ_JAN_T - RUS_JAN_2023_T - SAU_JAN_2023_T) / (RUS_JAN_2023_T + SAU_JAN_2023_T) * 100
    )
    partial = an.yoy_change(pd.concat([flows, march]), "crude_oil", "mass", "M", allow_partial=True)
    assert partial.set_index("period").loc["2023-03", "value"] == SAU_FEB_2023_T


# ------------------------------------------------------------------------------------ concentration


def test_hhi(flows):
    index = an.hhi(flows, "crude_oil", "mass", "M").set_index("period")
    jan_total = RUS_JAN_T + SAU_JAN_T + IRQ_JAN_T
    expected = sum((t / jan_total * 100) ** 2 for t in (RUS_JAN_T, SAU_JAN_T, IRQ_JAN_T))
    assert index.loc["2024-01", "hhi"] == pytest.approx(expected)
    assert index.loc["2024-01", "n_partners"] == 3


def test_hhi_of_a_single_supplier_is_10000():
    index = an.hhi(table([flow_row("RUS", "2024-01", t=RUS_JAN_T)]), "crude_oil")
    assert index["hhi"].iloc[0] == pytest.approx(100**2)


# ------------------------------------------------------------------------------------------- prices


def test_unit_values(flows):
    values = an.unit_values(flows, "crude_oil", "M").set_index(["period", "partner_iso3"])
    assert values.loc[("2024-01", "RUS"), "usd_per_t"] == pytest.approx(RUS_USD_PER_T)
    assert values.loc[("2024-01", "RUS"), "usd_per_bbl"] == pytest.approx(RUS_USD_PER_T / units.BARRELS_PER_TONNE_CRUDE)


ZERO_MASS_USD = 40_000  # a tiny flow rounded to 0.0 kt in the extract


def test_unit_values_ignore_months_with_missing_or_zero_mass():
    rows = table(
        [
            flow_row("RUS", "2024-01", **crude(RUS_JAN_T, RUS_USD_PER_T)),
            flow_row("RUS", "2024-02", t=0, usd=ZERO_MASS_USD),
            flow_row("RUS", "2024-03", usd=ZERO_MASS_USD),
        ]
    )
    monthly = an.unit_values(rows, freq="M").set_index("period")
    assert math.isnan(monthly.loc["2024-02", "usd_per_t"])  # not inf
    assert math.isnan(monthly.loc["2024-03", "usd_per_t"])
    annual = an.unit_values(rows, freq="A").iloc[0]
    assert annual["usd_per_t"] == pytest.approx(RUS_USD_PER_T)  # the two unusable months change nothing
    assert annual["months_used"] == 1
    assert annual["months_unusable"] == 2


def test_price_discount_against_a_partner_and_the_average(flows):
    against_sau = an.price_discount(flows, "RUS", "SAU", "M").set_index("period")
    per_bbl = units.BARRELS_PER_TONNE_CRUDE
    discount_usd_per_t = SAU_USD_PER_T - RUS_USD_PER_T
    assert against_sau.loc["2024-01", "discount_usd_per_bbl"] == pytest.approx(discount_usd_per_t / per_bbl)
    assert against_sau.loc["2024-01", "discount_pct"] == pytest.approx(
        (SAU_USD_PER_T - RUS_USD_PER_T) / SAU_USD_PER_T * 100
    )
    average = an.price_discount(flows, "RUS", "average", "M").set_index("period")
    jan_t = RUS_JAN_T + SAU_JAN_T + IRQ_JAN_T
    jan_usd = RUS_JAN_T * RUS_USD_PER_T + SAU_JAN_T * SAU_USD_PER_T + IRQ_JAN_T * IRQ_USD_PER_T
    assert average.loc["2024-01", "benchmark_usd_per_bbl"] == pytest.approx(jan_usd / jan_t / per_bbl)
    assert average.loc["2024-01", "benchmark"] == "average"


# ------------------------------------------------------------------------------------- cross-source

MONTHLY_T = 7_000_000  # a supplier shipping the same every month
PRESS_CLOSE_T = MONTHLY_T * 1.01  # within a 2 % tolerance
PRESS_FAR_T = MONTHLY_T * 1.05  # beyond it


def year_of_base(partner, year, t, months=range(1, 13)):
    return [flow_row(partner, f"{year}-{m:02d}", t=t, usd=t * RUS_USD_PER_T) for m in months]


def test_cross_source_comparison_monthly_each_outlet():
    rows = table(
        year_of_base("RUS", 2024, MONTHLY_T)
        + [
            flow_row("RUS", "2024-03", t=PRESS_CLOSE_T, source="gacc_press"),
            flow_row("RUS", "2024-03", t=PRESS_FAR_T, source="gacc_press"),
        ]
    )
    compared = an.cross_source_comparison(rows)
    assert len(compared) == 2  # one line per outlet; the press gave mass only
    assert set(compared["metric"]) == {"mass"}
    assert sorted(compared["diff_pct"]) == pytest.approx([1.0, 5.0])
    assert compared.set_index("other_value").loc[PRESS_FAR_T, "flagged"]
    assert not compared.set_index("other_value").loc[PRESS_CLOSE_T, "flagged"]
    assert set(compared["base_value"]) == {MONTHLY_T}


def test_cross_source_comparison_annual_needs_twelve_months():
    rows = table(
        year_of_base("RUS", 2024, MONTHLY_T)
        + year_of_base("SAU", 2024, MONTHLY_T, months=range(1, 12))  # no December figure for SAU
        + [
            flow_row("RUS", "2024", t=12 * MONTHLY_T, freq="A", source="gacc_press"),
            flow_row("SAU", "2024", t=12 * MONTHLY_T, freq="A", source="gacc_press"),
        ]
    )
    compared = an.cross_source_comparison(rows)
    assert compared["partner_iso3"].tolist() == ["RUS"]
    assert compared["base_value"].iloc[0] == 12 * MONTHLY_T
    assert compared["base_months"].iloc[0] == 12
    assert compared["diff_pct"].iloc[0] == pytest.approx(0)


def test_cross_source_comparison_of_press_totals_with_partner_sums():
    rows = table(
        year_of_base("RUS", 2024, MONTHLY_T, months=[1])
        + year_of_base("SAU", 2024, MONTHLY_T, months=[1])
        + [flow_row("WLD", "2024-01", t=2 * MONTHLY_T * 1.05, source="gacc_press")]
    )
    compared = an.cross_source_comparison(rows, tolerance_pct=10)
    assert compared["partner_iso3"].tolist() == ["WLD"]
    assert compared["base_value"].iloc[0] == 2 * MONTHLY_T
    assert not compared["flagged"].iloc[0]
    assert "sum of 2 partner rows" in compared["base_provenance"].iloc[0]
    assert an.cross_source_comparison(rows, base_totals_from_partners=False).empty


COAL_T = 20_000_000  # HS 2701 in the extract
LIGNITE_T = 1_000_000  # HS 2702: in the press's "coal", not in the extract's


def test_cross_source_comparison_marks_rows_whose_hs_codes_differ():
    rows = table(
        [
            flow_row("RUS", "2024-01", t=COAL_T, commodity="coal"),
            flow_row(
                "RUS", "2024-01", t=COAL_T + LIGNITE_T, commodity="coal", source="gacc_press", hs_code="2701+2702"
            ),
            flow_row("RUS", "2024-01", t=MONTHLY_T),
            flow_row("RUS", "2024-01", t=MONTHLY_T, source="gacc_press"),
        ]
    )
    compared = an.cross_source_comparison(rows).set_index("commodity")
    assert len(compared) == 2  # kept, not dropped
    coal, crude = compared.loc["coal"], compared.loc["crude_oil"]
    assert (coal["base_hs_code"], coal["other_hs_code"], coal["like_for_like"]) == ("2701", "2701+2702", False)
    assert coal["diff_pct"] == pytest.approx(LIGNITE_T / COAL_T * 100)
    assert (crude["base_hs_code"], crude["other_hs_code"], crude["like_for_like"]) == ("2709", "2709", True)


def test_cross_source_comparison_carries_the_hs_code_of_partner_sums():
    rows = table(
        [flow_row(p, "2024-01", t=COAL_T, commodity="coal") for p in ("RUS", "IDN")]
        + [flow_row("WLD", "2024-01", t=2 * COAL_T, commodity="coal", source="gacc_press", hs_code="2701+2702")]
    )
    total = an.cross_source_comparison(rows).iloc[0]
    assert total["partner_iso3"] == "WLD"
    assert (total["base_hs_code"], total["other_hs_code"], total["like_for_like"]) == ("2701", "2701+2702", False)


def test_cross_source_comparison_needs_both_sources(flows):
    with pytest.raises(NoData, match="'comtrade'"):
        an.cross_source_comparison(flows, other_source="comtrade")


def test_cross_source_comparison_skips_totals_with_an_unknown_part():
    rows = table(
        year_of_base("RUS", 2024, MONTHLY_T, months=[1])
        + [flow_row("SAU", "2024-01", usd=MONTHLY_T * SAU_USD_PER_T)]  # SAU mass unknown
        + [flow_row("WLD", "2024-01", t=2 * MONTHLY_T, source="gacc_press")]
    )
    assert an.cross_source_comparison(rows).empty


# A large month and eleven small ones: added one after another in floating point the small ones vanish
# (1e16 + 1 rounds back to 1e16); pandas' group-by sum keeps them with Kahan compensation, and so must the
# comparison (the report's CSVs print every digit).
BIG_USD, SMALL_USD = 1e16, 1.0


def test_cross_source_comparison_sums_months_with_compensation_as_pandas_does():
    monthly = [BIG_USD] + [SMALL_USD] * 11
    rows = table(
        [flow_row("RUS", f"2024-{m:02d}", usd=usd) for m, usd in enumerate(monthly, start=1)]
        + [flow_row("RUS", "2024", usd=sum(monthly), freq="A", source="gacc_press")]
    )
    naive = 0.0
    for usd in monthly:
        naive += usd
    total = an.cross_source_comparison(rows)["base_value"].iloc[0]
    assert total == pd.Series(monthly).groupby(["2024"] * len(monthly)).sum().iloc[0]
    assert total != naive  # the example tells the two apart


def test_cross_source_comparison_prefers_a_reported_total_to_the_partner_sum():
    reported_t = 3 * MONTHLY_T  # more than the two partners: the base's own total wins
    rows = table(
        [flow_row(p, "2024-01", t=MONTHLY_T) for p in ("RUS", "SAU")]
        + [flow_row("WLD", "2024-01", t=reported_t)]
        + [flow_row(p, "2024-02", t=MONTHLY_T) for p in ("RUS", "SAU")]
        + [flow_row("WLD", m, t=reported_t, source="gacc_press") for m in ("2024-01", "2024-02")]
    )
    compared = an.cross_source_comparison(rows).set_index("period")
    assert compared.loc["2024-01", "base_value"] == reported_t
    assert compared.loc["2024-02", "base_value"] == 2 * MONTHLY_T
    assert "sum of 2 partner rows" in compared.loc["2024-02", "base_provenance"]
    assert "sum of" not in compared.loc["2024-01", "base_provenance"]


def test_cross_source_comparison_rows_in_order_whatever_the_input_order():
    base = year_of_base("RUS", 2024, MONTHLY_T, months=[1, 2]) + year_of_base("SAU", 2024, MONTHLY_T, months=[1, 2])
    base += [flow_row(p, "2024-01", t=MONTHLY_T, usd=MONTHLY_T, commodity="lng") for p in ("RUS", "QAT")]
    printed = [("crude_oil", "SAU", "2024-02"), ("lng", "RUS", "2024-01"), ("crude_oil", "RUS", "2024-01")]
    printed += [("crude_oil", "SAU", "2024-01"), ("lng", "QAT", "2024-01"), ("crude_oil", "RUS", "2024-02")]

    def outlet(figures):
        return [flow_row(p, m, t=MONTHLY_T, usd=MONTHLY_T, commodity=c, source="gacc_press") for c, p, m in figures]

    compared = an.cross_source_comparison(table(base + outlet(printed[::-1]) + outlet(printed)))
    key = ["commodity", "freq", "period", "partner_iso3", "metric", "other_provenance"]
    assert len(compared) == 2 * 2 * len(printed)  # two outlets each, mass and value
    assert compared[key].equals(compared[key].sort_values(key, kind="mergesort").reset_index(drop=True))
    assert compared["commodity"].tolist()[:4] == ["crude_oil"] * 4 and compared["commodity"].iloc[-1] == "lng"


PIPELINE_RUS_2023_BCM, PIPELINE_RUS_2024_BCM = 22.7, 31.06


def test_volume_from_annual_press_rows():
    press = table(
        [
            flow_row("RUS", "2023", bcm=PIPELINE_RUS_2023_BCM, freq="A", source="gacc_press", commodity="pipeline_gas"),
            flow_row("RUS", "2024", bcm=PIPELINE_RUS_2024_BCM, freq="A", source="gacc_press", commodity="pipeline_gas"),
        ]
    )
    kw = {"source": "gacc_press", "row_freq": "A"}
    yoy = an.yoy_change(press, "pipeline_gas", "volume", "A", partner_iso3="RUS", **kw).set_index("period")
    assert yoy.loc["2024", "change_pct"] == pytest.approx(
        (PIPELINE_RUS_2024_BCM - PIPELINE_RUS_2023_BCM) / PIPELINE_RUS_2023_BCM * 100
    )
    assert yoy.loc["2024", "is_complete"]
    ranking = an.supplier_ranking(press, "pipeline_gas", "2024", "volume", source="gacc_press", freq="A")
    assert ranking["volume_bcm"].iloc[0] == PIPELINE_RUS_2024_BCM
    assert ranking["months_reported"].iloc[0] == 12
    with pytest.raises(NoData, match="no rows in window 2024-01/2024-06"):
        an.supplier_ranking(press, "pipeline_gas", "2024-01/2024-06", "volume", source="gacc_press", freq="A")


def test_window_coverage_of_one_metric():
    rows = table([flow_row("RUS", "2024-01", t=RUS_JAN_T), flow_row("RUS", "2024-02", usd=KAZ_FEB_USD)])
    coverage = an.window_coverage(rows, "crude_oil", "2024-01/2024-02", metric="mass")
    assert coverage["has_data"].tolist() == [True, False]


# ------------------------------------------------------------------------------------ remembering

# Every question the report repeats within reusing_selections (a window's selection and the results kept
# in memory), called alike twice.
REMEMBERED = {
    "window": lambda f: an.select_flows(f, "crude_oil", window="2024"),
    "ranking": lambda f: an.supplier_ranking(f, "crude_oil", "2024", "mass"),
    "shares": lambda f: an.market_shares(f, "crude_oil", "bpd", "M"),
    "leaders": lambda f: an.monthly_leaders(f, "crude_oil", "value"),
    "rank": lambda f: an.partner_rank(f, "crude_oil", "RUS", "mass", "A"),
    "unit_values": lambda f: an.unit_values(f, "crude_oil", "A"),
}


def _vandalise(frame):
    """Overwrite every value of ``frame`` in place and add a column, as a careless caller might."""
    for j in range(frame.shape[1]):
        frame.iloc[:, j] = frame.iloc[::-1, j].to_numpy()
        frame.iloc[0, j] = frame.iloc[-1, j]
    frame["added"] = 1


@pytest.mark.parametrize("name", sorted(REMEMBERED))
def test_reusing_selections_answers_from_memory_with_copies(flows, name):
    ask = REMEMBERED[name]
    fresh = ask(flows)
    with an.reusing_selections():
        ask(flows)  # computed and remembered
        first = ask(flows)  # from memory
        _vandalise(first)
        again = ask(flows)
        assert again is not first
    pd.testing.assert_frame_equal(again, fresh)


def test_reusing_selections_forgets_outside_the_block(flows):
    with an.reusing_selections():
        before = an.unit_values(flows, "crude_oil", "A")
    flows.loc[flows["partner_iso3"] == "RUS", "value_usd"] *= 2  # the table edited in place after the block
    after = an.unit_values(flows, "crude_oil", "A")
    rus = after["partner_iso3"] == "RUS"
    assert after.loc[rus, "usd_per_t"].tolist() == pytest.approx((2 * before.loc[rus, "usd_per_t"]).tolist())


def test_select_flows_within_reusing_selections_takes_the_rows_a_fresh_selection_gives():
    # Within the block a selection is a take of remembered row positions (sorted once for the whole
    # table); it must give a fresh selection's rows, order and errors: rows out of order, a WLD total, two
    # sources, frequencies and commodities, a partner's duplicate and a period lacking a partner.
    rows = table(
        [
            flow_row("SAU", "2024-02", t=3.0),
            flow_row("RUS", "2024-02", t=2.0),
            flow_row("WLD", "2024-01", t=9.0),
            flow_row("RUS", "2024-01", t=1.0, source="gacc_query"),
            flow_row("RUS", "2024-01", t=1.5),
            flow_row("AGO", "2024-01", t=4.0),
            flow_row("AGO", "2024", t=40.0, freq="A"),
            flow_row("QAT", "2024-01", t=5.0, commodity="lng"),
            flow_row("RUS", "2024-01", t=1.6, source="gacc_query"),
            flow_row(None, "2024-03", t=7.0),
        ]
    )
    asked = [
        {"commodity": "crude_oil"},
        {"commodity": "crude_oil", "freq": "A"},
        {"commodity": "lng"},
        {"commodity": "crude_oil", "source": "gacc_query", "duplicates": "median"},
        {"commodity": "crude_oil", "source": "gacc_query"},
        {"commodity": "coal"},
        {"commodity": "lng", "freq": "A"},
        {"commodity": "crude_oil", "reporter": "IND"},
    ]
    for question in asked:
        try:
            fresh = an.select_flows(rows, **question)
        except Exception as error:  # noqa: BLE001 - the same error expected from memory
            with an.reusing_selections(), pytest.raises(type(error), match=f"^{re.escape(str(error))}$"):
                an.select_flows(rows, **question)
            continue
        with an.reusing_selections():
            pd.testing.assert_frame_equal(an.select_flows(rows, **question), fresh, check_exact=True)
    with an.reusing_selections():
        selected = an.select_flows(rows, "crude_oil")
    assert selected["partner_iso3"].tolist()[:4] == ["AGO", "RUS", "RUS", "SAU"]
    assert selected["net_weight_kg"].tolist() == [4000.0, 1500.0, 2000.0, 3000.0, 7000.0]


def test_yoy_change_takes_the_counts_of_the_period_a_year_earlier_and_zero_without_one():
    rows = table(
        [
            flow_row("RUS", "2023-01", t=1.0),
            flow_row("RUS", "2023-02"),  # no figure: a month missing it
            flow_row("RUS", "2024-01", t=2.0),
            flow_row("RUS", "2024-02", t=4.0),
        ]
    )
    yoy = an.yoy_change(rows, "crude_oil", "mass", "M").set_index("period")
    assert yoy["months_with_data_year_earlier"].tolist() == [0, 0, 1, 1]
    assert yoy["months_missing_figure_year_earlier"].tolist() == [0, 0, 0, 1]
    assert yoy["value_year_earlier"].tolist()[2] == 1.0 and math.isnan(yoy["value_year_earlier"].iloc[3])
    assert yoy["change_pct"].tolist()[2] == 100.0 and math.isnan(yoy["change_pct"].iloc[1])
    assert yoy["is_complete"].tolist() == [False, False, True, False]


def test_price_discount_per_period_with_figures_missing():
    # The average of the suppliers with both figures; none in March (no average, not 0); Saudi Arabia
    # has no unit value in February: no discount against it there. Russia ships nothing in December.
    rows = table(
        [
            flow_row("IRQ", "2023-12", t=1.0, usd=600.0),
            flow_row("RUS", "2024-01", t=2.0, usd=1000.0),
            flow_row("SAU", "2024-01", t=1.0, usd=700.0),
            flow_row("RUS", "2024-02", t=2.0, usd=900.0),
            flow_row("SAU", "2024-02", t=3.0),
            flow_row("SAU", "2024-03", t=1.0),
        ]
    )
    average = an.price_discount(rows, "RUS", "average", "M")
    assert average["period"].tolist() == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert average["benchmark_usd_per_t"].tolist()[:3] == [600.0, 1700.0 / 3.0, 450.0]
    assert average["partner_usd_per_t"].tolist()[1:3] == [500.0, 450.0]
    assert average[["partner_usd_per_t", "benchmark_usd_per_t"]].iloc[3].isna().all()
    assert math.isnan(average["partner_usd_per_t"].iloc[0])
    against = an.price_discount(rows, "RUS", "SAU", "M")
    assert against["discount_usd_per_t"].tolist()[1] == 200.0
    assert against["discount_pct"].iloc[[0, 2, 3]].isna().all()


def test_hhi_per_period_counts_suppliers_with_and_without_a_figure():
    # February first in the table; in January Saudi Arabia's row lacks the tonnage, Qatar ships no figure in
    # February either: counted as missing, not as suppliers; a period with no figure at all has no index.
    rows = table(
        [
            flow_row("RUS", "2024-02", t=3.0),
            flow_row("QAT", "2024-02"),
            flow_row("SAU", "2024-02", t=1.0),
            flow_row("RUS", "2024-01", t=2.0),
            flow_row("SAU", "2024-01"),
            flow_row("RUS", "2024-03"),
        ]
    )
    index = an.hhi(rows, "crude_oil", "mass", "M")
    assert index["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert index["hhi"].tolist()[:2] == [100.0**2, 75.0**2 + 25.0**2] and math.isnan(index["hhi"].iloc[2])
    assert index["n_partners"].tolist() == [1, 2, 0]
    assert index["n_partners_missing_figure"].tolist() == [1, 1, 1]
    assert index["months_with_data"].tolist() == [1, 1, 1]
