"""Figures shown through ``show``: a fingerprint of the data drawn, so nbval notices a changed figure.

Worked examples on a tiny two-panel figure (a line and bars) built from the constants below: the
fingerprint is the same for the same figure, different when one number, a title, a label or a bar
changes, and blind to dpi and to drawing.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from energytrade.report import plotting
from energytrade.report.display import (
    FINGERPRINT_HEX_DIGITS,
    PANDAS_OPTIONS,
    TITLE_CHARS,
    FigureView,
    NotAFigure,
    figure_fingerprint,
    markdown,
    readable,
    setup_notebook,
    show,
)
from energytrade.report.plotting import RC, add_source_line, new_figure, png_bytes

TITLE = "China's imports from Russia"
SOURCE = "Source: test data; energytrade"
MONTHS = ["2022-01", "2022-02", "2022-03"]
LINE_MT = [4.0, 5.5, 6.25]
BAR_BCM = {"2021": 10.39, "2022": 15.4}
CELLS = [[0, 1, 2], [1, 1, 0]]
BCM_PER_MT = 1.36


def figure(
    *, line=LINE_MT, bars=BAR_BCM, cells=CELLS, title=TITLE, ylabel="LNG [Mt]", source=SOURCE, bcm_per_mt=BCM_PER_MT
):
    """A line panel (bcm on a right axis), a bar panel and a small heatmap, drawn as the report draws."""
    fig = new_figure()
    with matplotlib.rc_context(RC):
        top, middle, bottom = fig.subplots(3, 1)
        top.plot(pd.to_datetime([m + "-15" for m in MONTHS[: len(line)]]), line, label="LNG")
        top.set_ylabel(ylabel)
        right = top.secondary_yaxis("right", functions=(lambda mt: mt * bcm_per_mt, lambda bcm: bcm / bcm_per_mt))
        right.set_ylabel("gas [bcm]")
        top.legend(title="commodity")
        middle.bar(list(bars), list(bars.values()), width=0.6)
        middle.annotate(f"{max(bars.values()):g}", xy=(1, max(bars.values())))
        middle.set_ylabel("pipeline gas [bcm]")
        bottom.imshow(np.asarray(cells, dtype=float), aspect="auto")
        bottom.set_yticks(range(len(cells)), ["crude_oil / RUS", "lng / RUS"])
        fig.suptitle(title)
    add_source_line(fig, source)
    return fig


BASE = figure()


def test_fingerprint_is_short_hex():
    assert re.fullmatch(f"[0-9a-f]{{{FINGERPRINT_HEX_DIGITS}}}", figure_fingerprint(BASE))


def test_the_same_figure_built_twice_has_the_same_fingerprint():
    assert figure_fingerprint(figure()) == figure_fingerprint(figure())


def test_a_package_figure_built_twice_has_the_same_fingerprint():
    shares = pd.DataFrame(
        {"period": MONTHS, "partner_iso3": "RUS", "partner_name": "Russian Federation", "share_pct": [16.0, 18.5, 20.0]}
    )
    first = plotting.market_share_chart(shares, events={}, source=SOURCE)
    second = plotting.market_share_chart(shares, events={}, source=SOURCE)
    assert figure_fingerprint(first) == figure_fingerprint(second)


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param({"line": [4.0, 5.5, 6.26]}, id="one data point"),
        pytest.param({"line": LINE_MT[:2]}, id="one data point fewer"),
        pytest.param({"bars": {"2021": 10.39, "2022": 15.5}}, id="a bar height"),
        pytest.param({"bars": {"2021": 10.39, "2023": 15.4}}, id="a bar's category"),
        pytest.param({"cells": [[0, 1, 2], [1, 1, 1]]}, id="a heatmap cell"),
        pytest.param({"title": TITLE + ", monthly"}, id="the title"),
        pytest.param({"ylabel": "LNG [bcm]"}, id="an axis label"),
        pytest.param({"source": "Source: other data; energytrade"}, id="the source line"),
        pytest.param({"bcm_per_mt": 1.38}, id="the factor of the right axis"),
    ],
)
def test_the_fingerprint_changes_when_what_is_drawn_changes(changed):
    assert figure_fingerprint(figure(**changed)) != figure_fingerprint(BASE)


def test_float_noise_below_six_significant_digits_does_not_change_it():
    noisy = [v * (1 + 1e-9) for v in LINE_MT]
    assert figure_fingerprint(figure(line=noisy)) == figure_fingerprint(BASE)


def test_dpi_and_drawing_do_not_change_the_fingerprint():
    fig = figure()
    before = figure_fingerprint(fig)
    png_bytes(fig)  # draws: constrained layout moves the axes and the suptitle, ticks get their labels
    assert figure_fingerprint(fig) == before
    fig.set_dpi(300)
    assert figure_fingerprint(fig) == before


def test_fingerprinting_leaves_the_png_alone():
    fig = figure()
    figure_fingerprint(fig)
    assert png_bytes(fig) == png_bytes(figure())


def test_the_view_shows_the_png_and_a_line_with_title_and_fingerprint():
    view = show(figure())
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    assert bundle["image/png"] == png_bytes(figure())  # a fresh figure: its first drawing, as in a notebook
    assert bundle["text/plain"] == f'Figure: "{TITLE}" · data fingerprint {figure_fingerprint(BASE)}'
    assert repr(view) == bundle["text/plain"]


def test_ipython_displays_the_view_with_both_mime_types():
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(show(BASE))
    assert {"image/png", "text/plain"} <= set(data)
    assert data["text/plain"].startswith(f'Figure: "{TITLE}"')


def test_a_long_title_is_shortened_on_one_line():
    long_title = "Shares of China's crude oil imports by supplier,\nmonthly, " + "and more " * 10
    text = repr(show(figure(title=long_title)))
    title = text.split('"')[1]
    assert len(title) == TITLE_CHARS and title.endswith("…") and "\n" not in title


def test_show_refuses_what_is_not_a_figure():
    with pytest.raises(NotAFigure, match="got NoneType"):
        show(None)
    assert isinstance(show(BASE), FigureView)


# ------------------------------------------------------------------------------------------ notebook helpers

#: One supplier-month as the analysis layer gives it: 7,811,300 t and 1,909,000 bbl/d.
TONNES, RATE_BBL_PER_DAY, VALUE_USD = 7_811_300.0, 1_909_000.0, 5_113_300_000.0


def test_readable_shows_readers_units_and_names():
    frame = pd.DataFrame(
        {
            "period": ["2022-11"],
            "commodity": ["crude_oil"],
            "partner_iso3": ["RUS"],
            "partner_name": ["Russian Federation"],
            "net_weight_t": [TONNES],
            "rate_bbl_per_day": [RATE_BBL_PER_DAY],
            "value_usd": [VALUE_USD],
            "share_pct": [18.054],
        }
    )
    shown = readable(frame)
    assert list(shown.columns) == [
        "Period",
        "Commodity",
        "Partner",
        "Net weight [Mt]",
        "Rate [kb/d]",
        "Value [USD bn]",
        "Share [%]",
    ]
    row = shown.iloc[0]
    assert (row["Period"], row["Commodity"], row["Partner"]) == ("November 2022", "crude oil", "Russia")
    assert row["Net weight [Mt]"] == round(TONNES / 1e6, 2)
    assert row["Rate [kb/d]"] == round(RATE_BBL_PER_DAY / 1e3)
    assert row["Value [USD bn]"] == round(VALUE_USD / 1e9, 2)
    assert row["Share [%]"] == 18.1


def test_readable_writes_a_figure_in_its_rows_unit():
    frame = pd.DataFrame({"metric": ["mass", "value"], "value": [TONNES, VALUE_USD], "unit": ["t", "USD"]})
    shown = readable(frame)
    assert list(shown.columns) == ["Measure", "Figure"]
    assert list(shown["Figure"]) == ["7.81 Mt", "USD 5.11 bn"]


def test_setup_notebook_sets_the_shared_display_options():
    try:
        setup_notebook()
        assert pd.get_option("display.max_rows") == 50
        assert pd.get_option("display.float_format")(1234.5) == "1,234.50"
    finally:
        for option in PANDAS_OPTIONS:
            pd.reset_option(option)


def test_markdown_view_escapes_tags_and_folds_details():
    view = markdown("Partner <b>x</b>\n\n{{details:Later}}\n\ntext\n\n{{/details}}")
    assert view._repr_markdown_() == (
        "Partner &lt;b>x&lt;/b>\n\n<details><summary>Later</summary>\n\ntext\n\n</details>"
    )
