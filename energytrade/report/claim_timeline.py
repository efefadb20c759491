"""When did a claim become true? One figure per claim: its verdict on each release day, with the margin.

The top band colours each stretch between release days by the claim's verdict on that day (SUPPORTED,
MIXED, NOT_SUPPORTED, INCONCLUSIVE); the line below is the headline figure of each day
(:class:`energytrade.claims.TimelinePoint`): for a largest-supplier claim, the claimed partner's margin
over the runner-up when it leads, or its gap to the leader (negative) [%]; for a change claim, the change
against the baseline [%]. ``supported_since`` is marked with a dashed line.
"""

from __future__ import annotations

from datetime import timedelta

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from energytrade.claims import INCONCLUSIVE, MIXED, NOT_SUPPORTED, SUPPORTED, ClaimTimeline
from energytrade.claims.prose import verdict_words
from energytrade.events import ARTICLE_DATE
from energytrade.formatting import display_name, fmt_date
from energytrade.report.plotting import EVENT_COLOR, NEUTRAL, RC, WIDE, add_source_line, new_figure

#: Verdict -> band colour (green, amber, red, grey).
VERDICT_COLORS: dict[str, str] = {
    SUPPORTED: "#2e8b57",
    MIXED: "#e0a030",
    NOT_SUPPORTED: "#c0392b",
    INCONCLUSIVE: "#bbbbbb",
}
#: Days a band lasts after the last release day (one month, to the next release).
LAST_BAND_DAYS = 30


def timeline_figure(timeline: ClaimTimeline, source: str) -> Figure:
    """The claim's verdict per release day (bands) and its headline margin (line).

    Parameters
    ----------
    timeline : ClaimTimeline
        From :func:`energytrade.claims.timeline`.
    source : str
        The source line printed at the bottom (e.g. from :func:`energytrade.report.plotting.source_line`).

    Returns
    -------
    Figure
        With an Agg canvas; save with ``fig.savefig(path)``.
    """
    fig = new_figure(WIDE)
    with matplotlib.rc_context(RC):
        bands, margin = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 4]})
        points = timeline.points
        for i, point in enumerate(points):
            end = points[i + 1].day if i + 1 < len(points) else point.day + timedelta(days=LAST_BAND_DAYS)
            bands.axvspan(point.day, end, color=VERDICT_COLORS[point.verdict], lw=0)
        bands.set_yticks([])
        bands.set_ylabel("verdict", rotation=0, ha="right", va="center")
        shown = [v for v in VERDICT_COLORS if any(p.verdict == v for p in points)]
        bands.legend(
            handles=[Patch(color=VERDICT_COLORS[v], label=verdict_words(v)) for v in shown],
            loc="lower left",
            bbox_to_anchor=(0, 1.02),
            ncols=max(len(shown), 1),
            frameon=False,
            fontsize=8,
        )
        with_figure = [p for p in points if p.figure_pct is not None]
        margin.plot(
            [p.day for p in with_figure],
            [p.figure_pct for p in with_figure],
            marker="o",
            ms=3,
            color=EVENT_COLOR,
        )
        margin.axhline(0, color=NEUTRAL, lw=0.8)
        for ax in (bands, margin):
            ax.axvline(ARTICLE_DATE, color=NEUTRAL, ls=":", lw=1)
        margin.annotate(
            f"article, {fmt_date(ARTICLE_DATE)}",
            (ARTICLE_DATE, 0),
            xycoords=("data", "axes fraction"),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
            color=NEUTRAL,
        )
        is_ranking = timeline.spec.kind == "largest_supplier"
        margin.set_ylabel(
            f"{display_name(timeline.spec.exporter)}: margin over no. 2 / gap to no. 1 [%]"
            if is_ranking
            else "change against the baseline [%]"
        )
        if timeline.supported_since is not None:
            for ax in (bands, margin):
                ax.axvline(timeline.supported_since, color=EVENT_COLOR, ls="--", lw=1)
            margin.annotate(
                f"supported since {fmt_date(timeline.supported_since)}",
                (timeline.supported_since, 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -12),
                textcoords="offset points",
                fontsize=8,
            )
        fig.suptitle(f"When did it become true? \u201c{timeline.spec.quote}\u201d", x=0.01, ha="left")
        add_source_line(fig, source)
    return fig
