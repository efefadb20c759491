"""What the claims remember while they evaluate can never be stale or shared: a finding from press figures is
judged afresh on each day (the press prints on days of its own), and a window's totals, computed once and
shared by every finding that asks, are read-only."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_claims import DRAMATIC, frame, months, row

from energytrade.claims import ClaimSpec, Measure, WindowRule, evaluate, timeline
from energytrade.claims.cube import MonthCube

# Made-up round tonnes: 8 Mt a month in 2021 (96 Mt), and 2025 only as the press printed it, twice.
MONTHLY_2021_T = 8_000_000
FIRST_PRINT_T, FIRST_PRINTED = 100_000_000, "2026-01-14"
SECOND_PRINT_T, SECOND_PRINTED = 108_000_000, "2026-02-03"
BASELINE_T = 12 * MONTHLY_2021_T


def press_row(tonnes: int, published_on: str) -> dict:
    return row(
        "RUS",
        "crude_oil",
        "2025",
        t=tonnes,
        source="gacc_press",
        freq="A",
        outlet="GACC",
        published_on=published_on,
    )


def reprinted_flows() -> pd.DataFrame:
    """The later print listed first: once printed, it is the one chosen (equal precision: the first row)."""
    rows = [row("RUS", "crude_oil", m, t=MONTHLY_2021_T) for m in months("2021")]
    return frame(rows + [press_row(SECOND_PRINT_T, SECOND_PRINTED), press_row(FIRST_PRINT_T, FIRST_PRINTED)])


SPEC = ClaimSpec(
    id="test-press-reprinted",
    quote="Imports from Russia surged since the war.",
    kind="change_over_period",
    importer="CHN",
    exporter="RUS",
    threshold=DRAMATIC,
    measures=(Measure(("crude_oil",), "mass", ("comtrade_extract",), press_fallback="gacc_press"),),
    windows=(WindowRule("fixed", period="2025", baseline="2021"),),
)


def change_pct(tonnes: int) -> float:
    return (tonnes - BASELINE_T) / BASELINE_T * 100


def test_a_finding_from_press_figures_is_judged_afresh_on_each_day():
    flows = reprinted_flows()
    [line] = timeline("2026-01", "2026-03", flows=flows, specs=[SPEC])
    figures = {p.day: p.figure_pct for p in line.points}
    # Each day as the press stood then, in one timeline (one evaluator, remembering what it computed) ...
    assert figures[date(2026, 1, 20)] == pytest.approx(change_pct(FIRST_PRINT_T))
    assert figures[date(2026, 3, 20)] == pytest.approx(change_pct(SECOND_PRINT_T))
    # ... and the same as evaluating each day on its own.
    for day, figure in figures.items():
        [result] = evaluate(as_of=day, flows=flows, specs=[SPEC])
        [f] = [f for f in result.findings if f.known_at_as_of]
        assert f.change_pct == pytest.approx(figure)


def test_a_windows_totals_are_remembered_and_read_only():
    rows = frame(
        [
            row("RUS", "crude_oil", "2022-11", t=7_810_000),
            row("SAU", "crude_oil", "2022-11", t=6_620_000),
            row("RUS", "crude_oil", "2022-12", t=6_470_000),
        ]
    )
    cube = MonthCube(rows, "mass")
    window = cube.window(("2022-11", "2022-12"))
    assert cube.window(("2022-11", "2022-12")) is window  # computed once, shared by every finding
    for array in (window.total, window.months_reported, window.months_missing_figure, cube.total):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    again = cube.window(("2022-11", "2022-12"))
    assert [again.partners[i] for i in again.order()] == ["RUS", "SAU"]
    assert again.totals == pytest.approx((7_810_000 + 6_470_000, 6_620_000))
