"""Checks shared by the figure tests: what a Figure says (texts, titles, axis labels, the source line)
and the labelling every report and notebook figure must have.

Imported like ``conftest`` (``from figure_checks import ...``): pytest puts ``tests/`` on the path.
"""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from energytrade.report.plotting import SOURCE_GID, png_bytes

SOURCE = "Source: test data; energytrade"
EVENTS = {"2022-02-24": "invasion", "2022-12-30": "article"}


def texts(fig: Figure) -> list[str]:
    """Every text drawn in the figure (titles, labels, ticks, annotations, legend entries)."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def source_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_gid() == SOURCE_GID]


def titles(fig: Figure) -> list[str]:
    found = [ax.get_title(loc="left") for ax in fig.axes] + [ax.get_title() for ax in fig.axes]
    if fig._suptitle is not None:
        found.append(fig._suptitle.get_text())
    return [t for t in found if t]


def labels(fig: Figure) -> list[str]:
    return [ax.get_ylabel() for ax in fig.axes] + [ax.get_xlabel() for ax in fig.axes]


def assert_labelled(fig: Figure, *units: str) -> None:
    """A title, an axis label per unit (in brackets), the source line :data:`SOURCE`, and it renders to PNG."""
    assert titles(fig), "figure has no title"
    found = labels(fig)
    for unit in units:
        assert any(f"[{unit}]" in label for label in found), f"no axis label with [{unit}] in {found}"
    assert source_texts(fig) == [SOURCE]
    assert png_bytes(fig).startswith(b"\x89PNG")
