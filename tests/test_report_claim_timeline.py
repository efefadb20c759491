"""The timeline figure (energytrade.report.claim_timeline) from a small timeline of known verdicts."""

from __future__ import annotations

from datetime import date

import matplotlib
from figure_checks import SOURCE, assert_labelled, texts
from test_claims import frame, months, ranking_spec, row

from energytrade.claims import NOT_SUPPORTED, SUPPORTED, WindowRule, timeline
from energytrade.report.claim_timeline import VERDICT_COLORS, timeline_figure

AHEAD_T, BEHIND_T = 10_000_000, 8_000_000  # tonnes a month (made up): the leader's and the runner-up's
# Saudi Arabia leads to June 2022, Russia from July.
LEADERS = {m: ("SAU" if m <= "2022-06" else "RUS") for m in months("2022-01/2022-12")}


def small_timeline():
    rows = []
    for month, leader in LEADERS.items():
        other = "SAU" if leader == "RUS" else "RUS"
        rows += [row(leader, "crude_oil", month, t=AHEAD_T), row(other, "crude_oil", month, t=BEHIND_T)]
    [line] = timeline(
        "2022-02", "2022-12", flows=frame(rows), specs=[ranking_spec(WindowRule("latest_release"), metrics=("mass",))]
    )
    return line


def test_the_timeline_has_one_band_per_release_day_coloured_by_verdict():
    line = small_timeline()
    fig = timeline_figure(line, SOURCE)
    bands = fig.axes[0]
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in bands.patches]
    expected = [VERDICT_COLORS[p.verdict] for p in line.points]
    assert colors == expected and len(colors) == len(line.points)
    assert {p.verdict for p in line.points} == {NOT_SUPPORTED, SUPPORTED}
    assert "mixed" not in texts(fig)  # the legend shows only the verdicts drawn, in words


def test_the_margin_line_and_the_date_it_became_true():
    line = small_timeline()
    assert line.supported_since == date(2022, 8, 20)  # July (Russia first) was released on 20 August
    fig = timeline_figure(line, SOURCE)
    assert_labelled(fig, "%")
    [curve] = fig.axes[1].get_lines()[:1]
    margins = list(curve.get_ydata())
    lead = (AHEAD_T - BEHIND_T) / BEHIND_T * 100  # Russia's margin when it leads
    gap = (BEHIND_T - AHEAD_T) / AHEAD_T * 100  # Russia's gap to Saudi Arabia when it trails
    assert margins[0] == gap and margins[-1] == lead
    assert "supported since 20 August 2022" in texts(fig)
