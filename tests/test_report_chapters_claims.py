"""The per-claim figure (:func:`energytrade.report.chapters.claims.claim_figure`), one claim of each kind,
built on the small frames of ``test_claims``."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.figure import Figure
from test_claims import change_spec, evaluate_one, frame, one_claim_of_each_kind, row

from energytrade.report.chapters.claims import claim_figure
from energytrade.report.plotting import SOURCE_GID, SOURCE_LINES, png_bytes


@pytest.fixture(scope="module")
def results():
    """One claim of each kind, with inconclusive findings (a missing month) among them."""
    return one_claim_of_each_kind()


def _source_text(fig: Figure) -> str:
    [source] = [t for t in fig.texts if t.get_gid() == SOURCE_GID]
    return source.get_text().replace("\n", " ")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_claim_has_a_figure_with_title_units_and_source_line(results, index):
    flows, evaluated = results
    result = evaluated[index]
    fig = claim_figure(result, flows)
    assert isinstance(fig, Figure)
    assert result.verdict in fig._suptitle.get_text()
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert labels and all("[" in label for label in labels)  # units in brackets
    if result.spec.kind != "forecast_vs_outcome":  # time on the x-axis: the as-of date is marked
        marks = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert f"as of {result.as_of.day} {result.as_of:%b %Y}" in marks  # the as-of date in words
    assert png_bytes(fig).startswith(b"\x89PNG")  # draws without pyplot


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_source_line_names_each_source_the_findings_used(results, index):
    flows, evaluated = results
    result = evaluated[index]
    text = _source_text(claim_figure(result, flows))
    used = {s for f in result.findings for s in f.data_sources}
    assert used
    for name in used:
        assert SOURCE_LINES[name].removeprefix("Source: ").removesuffix("; energytrade") in text
    assert f"Claims evaluated as of {result.as_of}" in text


def test_a_figure_for_a_claim_without_any_data_still_draws():
    flows = frame([row("SAU", "crude_oil", "2022-11", t=1, usd=1)])
    result = evaluate_one(flows, change_spec())
    assert result.verdict == "INCONCLUSIVE"
    fig = claim_figure(result, flows)
    assert isinstance(fig, Figure)
    assert _source_text(fig).startswith("Source")


def test_drawing_a_claim_leaves_the_global_rcparams_alone(results):
    flows, evaluated = results
    rc = dict(matplotlib.rcParams)
    png_bytes(claim_figure(evaluated[1], flows))
    assert dict(matplotlib.rcParams) == rc
