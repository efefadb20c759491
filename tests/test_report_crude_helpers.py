"""The crude chapter's helpers on tiny rankings: a window's rows in rank order, and what its sums leave out."""

from __future__ import annotations

import pandas as pd

from energytrade.report.chapters import crude_oil

RANKING = pd.DataFrame(
    {
        "window": ["2023", "2024", "2023", "2024", "2024", "2023"],
        "rank": pd.array([2, None, 1, 1, 2, None], dtype="Int64"),
        "partner_iso3": ["SAU", "USA", "RUS", "RUS", "SAU", "KAZ"],
        "partner_name": [
            "Saudi Arabia",
            "USA",
            "Russian Federation",
            "Russian Federation",
            "Saudi Arabia",
            "Kazakhstan",
        ],
        "months_missing_figure": [0, 2, 0, 1, 0, 3],
        "months_without_data": [0, 1, 0, 1, 1, 0],
        "metric": "mass",
    }
)


def test_ranked_gives_a_window_in_rank_order_missing_ranks_last():
    ranked = crude_oil._ranked(RANKING, "2023")
    assert ranked["partner_iso3"].tolist() == ["RUS", "SAU", "KAZ"]
    assert ranked.index.tolist() == [0, 1, 2]
    in_order = crude_oil._ranked(RANKING.sort_values("rank", kind="mergesort"), "2024")
    assert in_order["partner_iso3"].tolist() == ["RUS", "SAU", "USA"]


def test_gap_clauses_name_the_partners_lacking_figures_and_the_months_without_data():
    window = RANKING[RANKING["window"] == "2024"]
    assert crude_oil.gap_clauses(window) == [
        "3 partner-months without a tonnage figure (United States and Russia) are left out",
        "1 month of the window has no data at all",
    ]
    assert crude_oil.gap_clauses(RANKING[RANKING["window"] == "2023"].iloc[:2]) == []
