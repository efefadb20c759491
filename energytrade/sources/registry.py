"""Every source energytrade knows, in one place: the layers above ask this module, never keep a list.

One :class:`Source` per source: its name (the folder under ``raw/``, the ``source`` column of the clean
table, the module under ``energytrade.sources`` and the key into ``energytrade/release_calendar.yml``),
its label for readers, publisher, licence and attribution, the module's reader and cleaner, what it covers,
and how the store keeps it (one Parquet file, or one per year for a large source).

Adding a source is one module plus one entry here (see the README, "Adding a source"). A source need
not produce rows of the clean schema (``common_schema=False``): it may write only its own tables through
``extra_writer`` (a function ``write_store(raw_root, processed_dir)`` in its module).

Examples
--------
>>> get("gacc_query").label
'China customs (GACC) online query'
>>> [s.name for s in SOURCES if s.large]
['baci', 'eurostat_coifpm']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from energytrade.errors import UnknownSource


@dataclass(frozen=True)
class Coverage:
    """What a source covers, in readers' words and codes (documentation, not a filter)."""

    commodities: tuple[str, ...]  # clean-schema commodity names, or "HS chapter 27" style words
    reporters: str  # e.g. "CHN", "every country"
    period: str  # e.g. "2020-01..2024-12, monthly"


@dataclass(frozen=True)
class Source:
    """One source and how every layer treats it.

    Attributes
    ----------
    name : str
        Folder under ``raw/``, value of the clean table's ``source`` column, module name under
        ``energytrade.sources`` and key into ``energytrade/release_calendar.yml``.
    label : str
        The source in readers' words (tables, sentences).
    credit : str
        Who to credit under a figure ("UN Comtrade API"); the figure line reads ``Source: <credit>; energytrade``.
    publisher, licence, attribution : str
        As the raw files' sidecars record them (the sidecars stay the authority per file).
    module : str
        Dotted module path holding the reader and cleaner.
    reader : str
        Name of the module's I/O function (verified raw files in, text frames or records out).
    cleaner : str or None
        Name of ``clean(raw_root) -> DataFrame`` (clean schema) for small sources, or of
        ``clean_partitions(raw_root) -> iterator of (year, DataFrame)`` for large ones; ``None`` if the
        source gives no clean-schema rows.
    extra_writer : str or None
        Name of ``write_store(raw_root, processed_dir) -> list[Path]`` for a source's own tables
        (e.g. a grade-level table beside the clean schema), run by the build after the cleaner.
    covers : Coverage
        Commodities, reporters and period.
    large : bool
        Stored one Parquet file per year (``source=<name>/year=<YYYY>/part.parquet``) rather than one file.
    expected : bool
        Files ship with every data root: a build without them fails (``--allow-missing`` to override).
        Sources a user fetches or imports (``comtrade``, ``baci``) are not expected.
    calendar_key : str
        Key into ``energytrade/release_calendar.yml`` (the source name).
    """

    name: str
    label: str
    credit: str
    publisher: str
    licence: str
    attribution: str
    module: str
    reader: str
    cleaner: str | None
    covers: Coverage
    extra_writer: str | None = None
    large: bool = False
    expected: bool = True

    @property
    def calendar_key(self) -> str:
        return self.name

    @property
    def common_schema(self) -> bool:
        """Whether the source gives rows of the clean schema (``energytrade.schema``)."""
        return self.cleaner is not None

    def load(self) -> ModuleType:
        """The source's module."""
        return importlib.import_module(self.module)

    def function(self, attribute: str | None) -> Callable[..., Any]:
        """One of the module's named functions (``source.function(source.cleaner)``)."""
        if attribute is None:
            raise UnknownSource(f"source {self.name!r} declares no such function (energytrade.sources.registry)")
        return getattr(self.load(), attribute)


_COMTRADE_LICENCE = "UN Comtrade terms of use: free to use with attribution"
_GACC_PUBLISHER = "General Administration of Customs of the People's Republic of China (GACC)"

#: Every registered source, in build and display order.
SOURCES: tuple[Source, ...] = (
    Source(
        name="comtrade_extract",
        label="UN Comtrade (china-energy-monitor extract)",
        credit="UN Comtrade (via the china-energy-monitor extract)",
        publisher="United Nations Statistics Division (UN Comtrade)",
        licence=_COMTRADE_LICENCE + "; extract files MIT licence",
        attribution="UN Comtrade Database (United Nations Statistics Division), via DoiEnnoson/china-energy-monitor",
        module="energytrade.sources.comtrade_extract",
        reader="read_csv_files",
        cleaner="clean",
        covers=Coverage(("crude_oil", "lng", "coal", "pipeline_gas"), "CHN", "2020-01..2024-12, monthly"),
    ),
    Source(
        name="gacc_query",
        label="China customs (GACC) online query",
        credit="China customs (GACC) online query",
        publisher=_GACC_PUBLISHER,
        licence="Official statistics of the PRC (facts); extract files MIT licence",
        attribution="China General Administration of Customs, via DoiEnnoson/china-energy-monitor",
        module="energytrade.sources.gacc_query",
        reader="read_csv_files",
        cleaner="clean",
        covers=Coverage(
            ("crude_oil", "lng", "pipeline_gas", "coal", "natural_gas"), "CHN", "2025-01..2026-07, monthly"
        ),
    ),
    Source(
        name="gacc_press",
        label="China customs (GACC) and Gazprom figures as printed in the press",
        credit="China customs (GACC) and Gazprom figures as reported in the press",
        publisher=_GACC_PUBLISHER + ", as reported by the press",
        licence="Facts (figures) reported in the press, cited with attribution to each outlet per row",
        attribution="China customs (GACC) via the outlet named in each row",
        module="energytrade.sources.gacc_press",
        reader="read_csv_files",
        cleaner="clean",
        covers=Coverage(
            ("crude_oil", "lng", "pipeline_gas", "coal", "natural_gas", "energy_total"),
            "CHN",
            "2015..2025, monthly, year to date and annual",
        ),
    ),
    Source(
        name="comtrade",
        label="UN Comtrade (API)",
        credit="UN Comtrade API",
        publisher="United Nations Statistics Division (UN Comtrade)",
        licence=_COMTRADE_LICENCE,
        attribution="UN Comtrade Database, https://comtradeplus.un.org",
        module="energytrade.sources.comtrade",
        reader="read_response",
        cleaner="clean",
        covers=Coverage(("any HS code fetched",), "any reporter fetched", "as fetched (energytrade fetch comtrade)"),
        expected=False,
    ),
    Source(
        name="baci",
        label="CEPII BACI (reconciled UN Comtrade flows)",
        credit="CEPII BACI",
        publisher="CEPII (Centre d'études prospectives et d'informations internationales)",
        licence="Etalab Open Licence 2.0 (CEPII BACI); cite Gaulier and Zignago (2010), CEPII WP 2010-23",
        attribution="CEPII BACI database (Gaulier and Zignago, 2010)",
        module="energytrade.sources.baci",
        reader="read_release",
        cleaner="clean_partitions",
        covers=Coverage(
            ("HS chapter 27 by default; every HS6 product with --hs all",),
            "every country (importers)",
            "as imported (energytrade import baci), annual",
        ),
        large=True,
        expected=False,
    ),
    Source(
        name="eurostat_coifpm",
        label="Eurostat, EU crude oil imports by origin and grade (NRG_TI_COIFPM)",
        credit="Eurostat (NRG_TI_COIFPM)",
        publisher="Eurostat, the statistical office of the European Union",
        licence="CC BY 4.0 (Eurostat copyright notice and free re-use policy)",
        attribution="Source: Eurostat, NRG_TI_COIFPM",
        module="energytrade.sources.eurostat_coifpm",
        reader="read_grades_from_raw",
        cleaner="clean_partitions",
        extra_writer="ensure_store",
        covers=Coverage(
            ("crude_oil",),
            "EU member states, the EU as a whole (EUU) and Türkiye",
            "2005-01..2024-01, monthly (origin detail from 2020-01)",
        ),
        large=True,
    ),
    Source(
        name="energy_institute",
        label="Energy Institute, Statistical Review of World Energy 2024 (trade tables)",
        credit="Energy Institute Statistical Review of World Energy 2024",
        publisher="Energy Institute",
        licence="Free to use with attribution (Energy Institute Statistical Review terms of use)",
        attribution="Energy Institute Statistical Review of World Energy 2024",
        module="energytrade.sources.energy_institute",
        reader="read_sheet",
        cleaner=None,
        covers=Coverage(
            ("crude oil and oil products (Mt)", "natural gas by pipeline and as LNG (bcm)", "coal"),
            "world regions as the Review defines them (its Europe is not the EU)",
            "2023 region-to-region matrices; regional series",
        ),
    ),
)

_BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
#: Source names in build and display order.
NAMES: tuple[str, ...] = tuple(_BY_NAME)


def get(name: str) -> Source:
    """The registered source called ``name``; :class:`UnknownSource` names the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownSource(
            f"unknown source {name!r}; registered sources: {', '.join(NAMES)} (energytrade.sources.registry)"
        ) from None


def label(name: str) -> str:
    """A source in readers' words (its name itself if it is not registered, e.g. a user's own frame)."""
    return _BY_NAME[name].label if name in _BY_NAME else name


def figure_credit(name: str) -> str:
    """The line under a figure: ``"Source: UN Comtrade API; energytrade"``."""
    return f"Source: {_BY_NAME[name].credit if name in _BY_NAME else name}; energytrade"


def clean_schema_sources() -> tuple[Source, ...]:
    """The sources that give rows of the clean schema, in build order."""
    return tuple(source for source in SOURCES if source.common_schema)
