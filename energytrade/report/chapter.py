"""What a report chapter is made of: sentences, tables and figures, in readers' words.

Every chapter module (``energytrade.report.chapters.<name>``) returns a :class:`Chapter`; the renderer
(``energytrade.report.render``) is the only code that turns chapters into files. A chapter's ``markdown``
places its tables and figures with the markers ``{{table:<name>}}`` and ``{{figure:<name>}}``.
Text from data (partner names, notes) goes into ``markdown`` only through the renderer's escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure as MplFigure

from energytrade.countries import short_name
from energytrade.formatting import display_name


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


@dataclass(frozen=True)
class Context:
    """What every chapter's ``build(context)`` receives: the clean table and the report's settings.

    ``data_dir`` is the data root the table was built from (``None``: the bundled data); chapters that
    describe the sources read its sidecars through :mod:`energytrade.inventory`. ``importer`` is the
    reporting country whose imports the chapters describe (ISO3; the article is about China's).
    """

    flows: pd.DataFrame
    article_date: date
    data_dir: Path | None = None
    importer: str = "CHN"

    @property
    def importer_name(self) -> str:
        """The importer in readers' words (``"CHN"`` -> ``"China"``, ``"IND"`` -> ``"India"``)."""
        return display_name(self.importer, short_name(self.importer))

    @cached_property
    def partner_names(self) -> dict[str, str]:
        """Partner code -> the source's name, from the clean table (``{"SAU": "Saudi Arabia"}``)."""
        pairs = self.flows[["partner_iso3", "partner_name"]].dropna().drop_duplicates("partner_iso3")
        return dict(zip(pairs["partner_iso3"].astype(str), pairs["partner_name"].astype(str)))
