"""The crude chapter's helpers on tiny rankings: a window's rows in rank order, and what its sums leave out."""

from __future__ import annotations

import pandas as pd
import pytest
from clean_rows import flow_row, table

from energytrade.errors import NoImporterData
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


def test_crude_source_and_covered_span_read_the_importers_partner_rows():
    # The first crude source holding the importer's partner rows (a WLD total alone does not count, nor
    # another commodity); the span of its months and its complete calendar years.
    rows = table(
        [flow_row("WLD", "2023-01", t=1.0), flow_row("SAU", "2023-01", t=1.0, source="comtrade")]
        + [flow_row("RUS", f"2023-{m:02d}", t=1.0, source="comtrade") for m in range(2, 13)]
        + [flow_row("RUS", "2024-01", t=1.0, source="comtrade"), flow_row("QAT", "2024-01", commodity="lng")]
    )
    assert crude_oil.crude_source(rows) == "comtrade"
    assert crude_oil.covered_span(rows, source="comtrade") == ("2023-01/2024-01", ("2023",))
    with pytest.raises(NoImporterData, match="IND"):
        crude_oil.crude_source(rows, "IND")
