"""The columnar store: partitions written atomically and validated, read by DuckDB (and any Parquet reader)."""

from __future__ import annotations

import math
import multiprocessing
import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest
from clean_rows import flow_row, table

from energytrade import database, store
from energytrade.errors import AmbiguousFigures, SchemaViolation, StoreError, UnknownMetric

# Three months of China's crude imports from two partners, in one source (figures made up for the test).
RUS_JAN, RUS_FEB, SAU_JAN = 4_000_000_000.0, 3_500_000_000.0, 5_000_000_000.0
RUS_JAN_T = 7_000_000.0
RUS_JAN_KG = RUS_JAN_T * 1000
SOURCE = "comtrade_extract"


def _rows() -> pd.DataFrame:
    rows = table(
        [
            flow_row("RUS", "2022-01", usd=RUS_JAN, t=RUS_JAN_T),
            flow_row("RUS", "2022-02", usd=RUS_FEB),  # no tonnage that month
            flow_row("SAU", "2022-01", usd=SAU_JAN),
            flow_row("WLD", "2022-01", usd=RUS_JAN + SAU_JAN),
        ]
    )
    return rows.assign(provenance=[f"raw/{SOURCE}/v/f.csv#row={n}" for n in range(1, 5)])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "raw").mkdir(parents=True)
    store.write_source(root / "processed", SOURCE, _rows(), {"files": {}, "code": "test"})
    return root


def test_a_source_is_one_hive_partition_that_any_parquet_reader_opens(data_dir):
    part = data_dir / "processed" / f"source={SOURCE}" / "part.parquet"
    assert part.is_file()
    dataset = ds.dataset(data_dir / "processed" / f"source={SOURCE}", format="parquet")
    assert dataset.to_table().num_rows == 4
    glob = (data_dir / "processed" / "source=*" / "*.parquet").as_posix()
    counted = duckdb.sql(f"SELECT source, count(*) FROM read_parquet('{glob}', hive_partitioning=true) GROUP BY 1")
    assert counted.fetchall() == [(SOURCE, 4)]


def test_flows_filters_inside_duckdb_and_returns_the_clean_schema(data_dir):
    got = store.flows(partner="RUS", start="2022-02", end="2022-12", source=SOURCE, data_dir=data_dir)
    assert list(got.columns) == list(_rows().columns)
    assert got.period.tolist() == ["2022-02"] and got.value_usd.tolist() == [RUS_FEB]
    assert math.isnan(got.net_weight_kg.iloc[0])  # missing stays missing
    assert store.flows(partner=["RUS", "SAU"], end="2022-01", data_dir=data_dir).partner_iso3.tolist() == [
        "RUS",
        "SAU",
    ]


def test_a_year_as_end_bound_keeps_that_years_months(data_dir):
    assert len(store.flows(start="2022", end="2022", partner="RUS", data_dir=data_dir)) == 2


def test_totals_leave_out_world_rows_and_say_when_a_sum_is_a_lower_bound(data_dir):
    sums = store.totals(["partner_iso3"], source=SOURCE, data_dir=data_dir).set_index("partner_iso3")
    assert "WLD" not in sums.index
    assert sums.loc["RUS", "value_usd"] == RUS_JAN + RUS_FEB
    assert sums.loc["RUS", "net_weight_kg"] == RUS_JAN_KG
    assert sums.loc["RUS", "n_net_weight_kg"] == 1 and sums.loc["RUS", "n_rows"] == 2  # one month lacks mass
    assert math.isnan(sums.loc["SAU", "net_weight_kg"])  # no figure at all: NaN, not 0
    by_month = store.totals(["period"], "value_usd", data_dir=data_dir).set_index("period")
    assert by_month.loc["2022-01", "value_usd"] == RUS_JAN + SAU_JAN


def test_totals_refuse_repeated_figures_and_unknown_metrics(data_dir):
    press = pd.concat([_rows().iloc[[0]]] * 2, ignore_index=True).assign(
        source="gacc_press", provenance=["raw/gacc_press/v/p.csv#row=1", "raw/gacc_press/v/p.csv#row=2"]
    )
    store.write_source(data_dir / "processed", "gacc_press", press, {"files": {}, "code": "test"})
    with pytest.raises(AmbiguousFigures, match="1 row"):
        store.totals(["period"], source="gacc_press", data_dir=data_dir)
    with pytest.raises(UnknownMetric, match="rate_bbl_per_day"):
        store.totals(["period"], "rate_bbl_per_day", data_dir=data_dir)


def test_a_source_that_is_not_stored_is_named(data_dir):
    with pytest.raises(StoreError, match="baci"):
        store.flows(source="baci", data_dir=data_dir)


def test_a_frame_breaking_the_schema_is_not_written_and_the_old_partition_stays(data_dir):
    processed = data_dir / "processed"
    before = (processed / f"source={SOURCE}" / "part.parquet").read_bytes()
    bad = _rows().assign(value_usd=[1.0, float("inf"), 1.0, 1.0])
    with pytest.raises(SchemaViolation, match=f"raw/{SOURCE}/v/f.csv#row=2: column 'value_usd'"):
        store.write_source(processed, SOURCE, bad, {"files": {}, "code": "test"})
    assert (processed / f"source={SOURCE}" / "part.parquet").read_bytes() == before
    assert not [p for p in processed.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_an_interrupted_write_leaves_no_partition_visible(data_dir):
    processed = data_dir / "processed"
    before = store.flows(data_dir=data_dir)
    with pytest.raises(KeyboardInterrupt):
        with store.SourceWriter(processed, SOURCE) as writer:
            writer.write(_rows().iloc[:1])
            raise KeyboardInterrupt  # e.g. Ctrl-C between writing and committing
    pd.testing.assert_frame_equal(store.flows(data_dir=data_dir), before)
    assert store.stored_sources(processed) == [SOURCE]


def test_a_large_source_stored_without_rows_reads_as_empty(data_dir):
    with store.SourceWriter(data_dir / "processed", "baci") as writer:
        writer.commit({"files": {}, "code": "test"})  # e.g. a release with nothing in chapter 27
    assert store.flows(source="baci", data_dir=data_dir).empty
    assert store.totals(["period"], source="baci", data_dir=data_dir).empty


def test_queries_share_one_database_per_process_but_each_connection_keeps_what_it_registers():
    first, second = database.connection(), database.connection()
    with first, second:
        first.register("mine", pd.DataFrame({"x": [1]}))
        assert first.sql("SELECT x FROM mine").fetchall() == [(1,)]
        with pytest.raises(duckdb.CatalogException):
            second.sql("SELECT x FROM mine")
    assert database._DATABASE is not None and database._DATABASE[0] == os.getpid()
    opened = database._DATABASE[1]
    with database.connection():
        assert database._DATABASE[1] is opened  # opened once per process


def test_the_database_is_closed_before_a_fork_and_a_forked_child_opens_its_own(data_dir):
    # A child forked while DuckDB has a database open in the parent can hang (the report's workers did).
    before = store.flows(data_dir=data_dir)  # the parent's database is open
    assert database._DATABASE is not None
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert database._DATABASE is None  # closed before the fork
        child_pid, child_rows = pool.apply(_query_in_child, (str(data_dir),))
    assert child_pid != os.getpid() and child_rows == len(before)
    pd.testing.assert_frame_equal(store.flows(data_dir=data_dir), before)  # the parent opens a new one


def _query_in_child(data_dir: str) -> tuple[int, int]:
    rows = len(store.flows(data_dir=data_dir))
    assert database._DATABASE is not None
    return database._DATABASE[0], rows
