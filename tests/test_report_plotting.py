"""The report's figures and formatting, as worked examples on tiny frames built from named constants."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from figure_checks import EVENTS, SOURCE, assert_labelled, texts

from energytrade.formatting import display_name, fmt_kbd, fmt_mt, fmt_usd_bbl, markdown_table
from energytrade.report import plotting as figs
from energytrade.report.plotting import png_bytes, source_line

MONTHS = ["2022-01", "2022-02", "2022-03"]
RUS_BPD = [1_600_000.0, 1_700_000.0, 1_900_000.0]
SAU_BPD = [1_800_000.0, 1_750_000.0, 1_500_000.0]


@pytest.fixture
def monthly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": MONTHS * 2,
            "partner_iso3": ["RUS"] * 3 + ["SAU"] * 3,
            "partner_name": ["Russia"] * 3 + ["Saudi Arabia"] * 3,
            "rate_bbl_per_day": RUS_BPD + SAU_BPD,
        }
    )


def test_crude_imports_figure_draws_one_line_per_supplier_in_kbd(monthly):
    fig = figs.crude_imports_by_supplier(monthly, events=EVENTS, source=SOURCE, title="Crude imports")
    assert_labelled(fig, "kb/d")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"Russia", "Saudi Arabia"}
    assert list(lines["Russia"].get_ydata()) == [v / 1000 for v in RUS_BPD]
    assert "article" in texts(fig)  # the article's date is marked and labelled


def test_leader_figure_has_rank_axis_with_one_on_top():
    leaders = pd.DataFrame(
        {
            "period": MONTHS,
            "leader_iso3": ["SAU", "SAU", "RUS"],
            "leader_name": ["Saudi Arabia", "Saudi Arabia", "Russia"],
            "leader_value": [max(r, s) for r, s in zip(RUS_BPD, SAU_BPD)],
            "unit": "bbl/d",
        }
    )
    rank = pd.DataFrame({"period": MONTHS, "rank": [2, 2, 1], "value": RUS_BPD, "n_partners": 30})
    fig = figs.monthly_leader_and_rank(leaders, rank, partner_name="Russia", events=EVENTS, source=SOURCE)
    assert_labelled(fig, "kb/d")
    top, bottom = fig.axes
    assert [round(p.get_height()) for p in top.patches] == [1800, 1750, 1900]
    low, high = bottom.get_ylim()
    assert low > high  # inverted: rank 1 at the top
    assert "rank" in bottom.get_ylabel()


def test_leader_figure_refuses_mixed_units():
    leaders = pd.DataFrame(
        {
            "period": MONTHS[:2],
            "leader_iso3": ["RUS"] * 2,
            "leader_name": ["Russia"] * 2,
            "leader_value": [1.0, 2.0],
            "unit": ["t", "USD"],
        }
    )
    rank = pd.DataFrame({"period": MONTHS[:2], "rank": [1, 1], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="several units"):
        figs.monthly_leader_and_rank(leaders, rank, partner_name="Russia", events=EVENTS, source=SOURCE)


def test_annual_ranking_bars_one_panel_per_window_with_share_labels():
    rankings = pd.DataFrame(
        {
            "window": ["2021", "2021", "2022", "2022"],
            "rank": [1, 2, 1, 2],
            "partner_iso3": ["SAU", "RUS", "RUS", "SAU"],
            "partner_name": ["Saudi Arabia", "Russia", "Russia", "Saudi Arabia"],
            "net_weight_t": [87_000_000.0, 80_000_000.0, 90_000_000.0, 85_000_000.0],
            "share_pct": [17.0, 15.5, 17.5, 16.5],
        }
    )
    fig = figs.annual_ranking_bars(rankings, source=SOURCE, title="Rankings")
    assert_labelled(fig, "Mt")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["2021", "2022"]
    assert "87.0 (17.0 %)" in texts(fig)


def test_unit_value_figure_in_usd_per_barrel():
    prices = pd.DataFrame(
        {
            "period": MONTHS * 2,
            "partner_iso3": ["RUS"] * 3 + [figs.ALL_PARTNERS] * 3,
            "partner_name": ["Russia"] * 3 + ["all suppliers"] * 3,
            "usd_per_bbl": [80.0, 90.0, 85.0, 82.0, 95.0, 100.0],
        }
    )
    discount = pd.DataFrame({"period": MONTHS, "discount_usd_per_bbl": [2.0, 5.0, 15.0]})
    fig = figs.unit_values(
        prices, discount, against_name="Saudi Arabia", partner_name="Russia", events=EVENTS, source=SOURCE
    )
    assert_labelled(fig, "USD/bbl")
    assert [p.get_height() for p in fig.axes[1].patches] == [2.0, 5.0, 15.0]


def test_figures_refuse_frames_without_the_needed_columns(monthly):
    with pytest.raises(ValueError, match="rate_bbl_per_day"):
        figs.crude_imports_by_supplier(monthly.drop(columns="rate_bbl_per_day"), events=EVENTS, source=SOURCE)
    with pytest.raises(ValueError, match="empty"):
        figs.crude_imports_by_supplier(monthly.iloc[:0], events=EVENTS, source=SOURCE)


def test_png_bytes_are_identical_and_carry_no_software_stamp(monthly):
    first = png_bytes(figs.crude_imports_by_supplier(monthly, events=EVENTS, source=SOURCE))
    second = png_bytes(figs.crude_imports_by_supplier(monthly, events=EVENTS, source=SOURCE))
    assert first == second
    assert first.startswith(b"\x89PNG")
    assert b"Software" not in first and b"matplotlib" not in first.lower()


def test_drawing_leaves_the_global_backend_and_rcparams_alone(monthly):
    backend, rc = matplotlib.get_backend(), dict(matplotlib.rcParams)
    png_bytes(figs.crude_imports_by_supplier(monthly, events=EVENTS, source=SOURCE))
    assert matplotlib.get_backend() == backend
    assert dict(matplotlib.rcParams) == rc


def test_source_line_joins_several_sources():
    assert source_line(["comtrade_extract"]).startswith("Source: UN Comtrade")
    joined = source_line(["comtrade_extract", "gacc_press"])
    assert joined.startswith("Sources: UN Comtrade") and "press" in joined and joined.endswith("; energytrade")


def test_number_formats_used_in_sentences():
    assert fmt_mt(86_242_100.0) == "86.2 Mt"
    assert fmt_kbd(1_909_000.0) == "1,909 kb/d"
    assert fmt_usd_bbl(8.689856) == "8.69 USD/bbl"
    assert fmt_mt(float("nan")) == "n/a"
    assert display_name("RUS", "Russian Federation") == "Russia"
    assert display_name("IRQ", "Iraq") == "Iraq"


def test_markdown_table_escapes_pipes_and_leaves_missing_empty():
    table = markdown_table(pd.DataFrame({"name": ["a|b", None], "t": [1234.5, float("nan")]}), floatfmt={"t": ",.0f"})
    assert table.splitlines() == ["| name | t |", "|:---|---:|", "| a\\|b | 1,234 |", "|  |  |"]


def test_crude_figures_draw_each_supplier_and_window_in_order_from_rows_in_any_order(monthly):
    # Each line is its partner's rows in period order (x and y taken together), each panel its window's
    # rows in rank order, whatever order the frames come in.
    shuffled = monthly.iloc[[4, 2, 0, 5, 1, 3]]
    fig = figs.crude_imports_by_supplier(shuffled, events=EVENTS, source=SOURCE, title="Crude imports")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")}
    assert list(lines) == ["Saudi Arabia", "Russia"]  # in the order partners first appear
    assert list(lines["Russia"].get_ydata()) == [v / 1000 for v in RUS_BPD]
    assert list(lines["Saudi Arabia"].get_ydata()) == [v / 1000 for v in SAU_BPD]
    assert [str(x)[:10] for x in lines["Russia"].get_xdata()] == [f"{m}-15" for m in MONTHS]

    prices = shuffled.assign(usd_per_bbl=shuffled["rate_bbl_per_day"] / 1e4)
    discount = pd.DataFrame({"period": MONTHS, "discount_usd_per_bbl": [2.0, 5.0, 15.0]})
    fig = figs.unit_values(
        prices, discount, against_name="Saudi Arabia", partner_name="Russia", events=EVENTS, source=SOURCE
    )
    lines = {line.get_label(): line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")}
    assert list(lines["Russia"].get_ydata()) == [v / 1e4 for v in RUS_BPD]
    assert list(lines["Saudi Arabia"].get_ydata()) == [v / 1e4 for v in SAU_BPD]

    rankings = pd.DataFrame(
        {
            "window": ["2022", "2021", "2022", "2021", "2021"],
            "rank": [2, 3, 1, 1, 2],
            "partner_iso3": ["SAU", "IRQ", "RUS", "SAU", "RUS"],
            "partner_name": ["Saudi Arabia", "Iraq", "Russia", "Saudi Arabia", "Russia"],
            "net_weight_t": [85e6, 50e6, 90e6, 87e6, 80e6],
            "share_pct": [16.5, 9.0, 17.5, 17.0, 15.5],
        }
    )
    fig = figs.annual_ranking_bars(rankings, source=SOURCE, title="Rankings")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["2022", "2021"]
    assert [p.get_width() for p in fig.axes[1].patches] == [87.0, 80.0, 50.0]  # rank 1 drawn first, on top
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["Saudi Arabia", "Russia", "Iraq"]
