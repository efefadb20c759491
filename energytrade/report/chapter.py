"""What a report chapter is made of: sentences, tables and figures, in readers' words.

Every chapter module (``energytrade.report.chapters.<name>``) returns a :class:`Chapter`; the renderer
(``energytrade.report.writer``) is the only code that turns chapters into files. A chapter's ``markdown``
places its tables and figures with the markers ``{{table:<name>}}`` and ``{{figure:<name>}}``.
Text from data (partner names, notes) goes into ``markdown`` only through the renderer's escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure as MplFigure


@dataclass(frozen=True)
class Table:
    """A table of a chapter. ``name`` is its file name (``tables/<name>.csv``, an Excel sheet); the
    frame's column headers are in readers' words with the unit in brackets (``"Crude oil [Mt]"``)."""

    name: str
    title: str
    frame: pd.DataFrame
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure of a chapter: ``name`` is its file name (``figures/<name>.png``); ``alt`` describes it."""

    name: str
    title: str
    figure: MplFigure
    caption: str = ""
    alt: str = ""


@dataclass(frozen=True)
class Chapter:
    """One chapter: a key (``"crude_oil"``), a title, Markdown with table/figure markers, its pieces."""

    key: str
    title: str
    markdown: str
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
