"""The source registry: one entry per source, and every layer takes its source facts from it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import BUNDLED_RAW

from energytrade import inventory
from energytrade.build import build_source
from energytrade.errors import UnknownSource
from energytrade.report import plotting as style
from energytrade.report.chapters import sources as data_tables
from energytrade.sources import registry
from energytrade.sources.registry import Coverage, Source


def test_every_entry_names_a_module_whose_functions_exist():
    for source in registry.SOURCES:
        module = source.load()
        assert module.SOURCE == source.name
        assert callable(getattr(module, source.reader)), source.name
        for function in (source.cleaner, source.extra_writer):
            assert function is None or callable(getattr(module, function)), (source.name, function)
    assert any(s.cleaner is None for s in registry.SOURCES)  # a source may give only its own tables


def test_the_bundled_folders_are_exactly_the_expected_sources():
    bundled = sorted(p.name for p in BUNDLED_RAW.iterdir() if p.is_dir())
    assert bundled == sorted(s.name for s in registry.SOURCES if s.expected)


def test_an_unknown_source_names_the_known_ones():
    with pytest.raises(UnknownSource, match="comtrade_extract, gacc_query"):
        registry.get("gacc")


def test_the_release_calendar_key_is_the_source_name():
    assert [s.calendar_key for s in registry.SOURCES] == list(registry.NAMES)


def test_only_baci_is_partitioned_by_year_and_fetched_sources_are_not_expected():
    assert [s.name for s in registry.SOURCES if s.large] == ["baci", "eurostat_coifpm"]
    assert {s.name for s in registry.SOURCES if not s.expected} == {"comtrade", "baci"}


def test_the_report_and_inventory_take_labels_and_credits_from_the_registry():
    assert data_tables.SOURCE_NAMES["gacc_query"] == "China customs (GACC) online query"
    assert style.SOURCE_LINES["comtrade"] == "Source: UN Comtrade API; energytrade"
    assert style.SOURCE_LINES["comtrade_extract"] == (
        "Source: UN Comtrade (via the china-energy-monitor extract); energytrade"
    )
    assert set(data_tables.SOURCE_NAMES) == set(style.SOURCE_LINES) == set(registry.NAMES)
    assert inventory.RAW_SOURCES == registry.NAMES


def test_a_user_frame_with_an_unregistered_source_keeps_its_own_name():
    assert registry.label("my_spreadsheet") == "my_spreadsheet"
    assert registry.figure_credit("my_spreadsheet") == "Source: my_spreadsheet; energytrade"


# A source that gives no clean-schema rows, only its own table (as the Energy Institute's will): the
# registry entry names its writer, the build calls it, and nothing is written to the common store.
WRITTEN: list[Path] = []
SOURCE = "own_tables_only"


def read_tables(raw_root: Path) -> pd.DataFrame:
    return pd.DataFrame({"year": [2022], "crude_exports_mt": [12.5]})


def write_store(raw_root: Path, processed_dir: Path) -> list[Path]:
    target = processed_dir / SOURCE / "table.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    read_tables(raw_root).to_parquet(target)
    WRITTEN.append(target)
    return [target]


def test_a_source_without_common_schema_rows_writes_its_own_table(tmp_path):
    source = Source(
        name=SOURCE,
        label="Own tables only",
        credit="Own tables",
        publisher="Test",
        licence="CC0",
        attribution="Test",
        module=__name__,
        reader="read_tables",
        cleaner=None,
        extra_writer="write_store",
        covers=Coverage(("crude_oil",), "every country", "2022, annual"),
    )
    assert not source.common_schema
    rows = build_source(tmp_path / "raw", tmp_path / "processed", source, {"files": {}})
    assert rows == 0 and WRITTEN == [tmp_path / "processed" / SOURCE / "table.parquet"]
    assert not list((tmp_path / "processed").glob("source=*"))
