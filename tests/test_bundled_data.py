"""End to end on the bundled data: facts anyone can check by hand in data/raw/."""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import BUNDLED_RAW

from energytrade import store
from energytrade.build import build, load_trade_flows, read_trade_flows
from energytrade.errors import DataDirNotFound, RawFileChanged, RawFileMissing
from energytrade.raw import find_raw_files
from energytrade.sources import registry

CRUDE_CSV = next(BUNDLED_RAW.glob("comtrade_extract/*/comtrade_crude_oil.csv"))


@pytest.fixture(scope="module")
def flows():
    return load_trade_flows()


def _raw_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_bundled_raw_file_has_a_complete_sidecar():
    for source in (s.name for s in registry.SOURCES if s.expected):
        for raw_file in find_raw_files(BUNDLED_RAW, source):
            for key in ("publisher", "title", "original_source", "licence", "attribution", "date_retrieved", "sha256"):
                assert raw_file.meta.get(key), (raw_file.name, key)


def test_crude_imports_reproduce_the_extract_to_the_kilogram_and_dollar(flows):
    crude = flows[(flows.source == "comtrade_extract") & (flows.commodity == "crude_oil")].set_index("provenance")
    rows = _raw_rows(CRUDE_CSV)
    assert len(crude) == len(rows)
    rel = "raw/" + CRUDE_CSV.relative_to(BUNDLED_RAW).as_posix()
    for n, row in enumerate(rows, start=1):
        clean = crude.loc[f"{rel}#row={n}"]
        assert clean.period == f"{row['period'][:4]}-{row['period'][4:]}"
        assert clean.partner_name == row["partner"]
        assert clean.value_usd == int(Decimal(row["value_usd_bn"]) * 10**9)
        if row["qty_mt"] == "":
            assert clean.net_weight_kg != clean.net_weight_kg  # NaN: missing stays missing
        else:
            assert clean.net_weight_kg == int(Decimal(row["qty_mt"]) * 10**9)


def test_no_pipeline_gas_tonnage_and_no_2020_placeholder_reaches_the_clean_table(flows):
    gas = flows[(flows.source == "comtrade_extract") & (flows.commodity == "pipeline_gas")]
    assert gas.net_weight_kg.isna().all()
    assert gas.period.min() == "2021-01"


def test_world_totals_are_marked_and_not_mixed_with_partners(flows):
    assert set(flows[flows.source == "comtrade_extract"].partner_iso3) >= {"RUS", "SAU"}
    assert "WLD" not in set(flows[flows.source == "comtrade_extract"].partner_iso3)


def _written(data_dir: Path) -> dict[str, bytes]:
    processed = data_dir / "processed"
    return {p.relative_to(processed).as_posix(): p.read_bytes() for p in sorted(processed.rglob("*.parquet"))}


def test_build_writes_identical_files_twice(built_copy):
    data_copy = built_copy  # built once for the session; the second build below is forced
    _, csv1, _ = build(data_copy)
    first = (csv1.read_bytes(), _written(data_copy))
    _, csv2, _ = build(data_copy, force=True)
    assert (csv2.read_bytes(), _written(data_copy)) == first
    small = [name for name in first[1] if name.startswith("source=") and "/year=" not in name]
    assert len(small) == 3  # one partition per small bundled source; Eurostat's are by year
    assert any(name.startswith("source=eurostat_coifpm/year=2023/") for name in first[1])
    assert len(read_trade_flows(csv2)) == len(load_trade_flows(data_copy))


def test_the_store_holds_exactly_what_load_trade_flows_cleans(built_copy):
    data_copy = built_copy
    table, _, _ = build(data_copy)
    pd.testing.assert_frame_equal(table, load_trade_flows(data_copy))
    small = [s.name for s in registry.clean_schema_sources() if not s.large and s.expected]
    pd.testing.assert_frame_equal(store.flows(source=small, data_dir=data_copy), load_trade_flows(data_copy))
    europe = store.flows(
        source="eurostat_coifpm", reporter="EUU", partner="RUS", start="2021", end="2021", data_dir=data_copy
    )
    assert len(europe) == 12 and set(europe.freq) == {"M"}  # large sources are in the store, not in load_trade_flows


def test_an_altered_raw_file_is_refused(data_copy):
    target = next((data_copy / "raw").glob("comtrade_extract/*/comtrade_crude_oil.csv"))
    target.write_text(target.read_text().replace("Russian Federation,3.8222", "Russian Federation,9.9999"))
    with pytest.raises(RawFileChanged, match="comtrade_crude_oil.csv"):
        load_trade_flows(data_copy)


def test_a_raw_file_without_sidecar_is_refused(data_copy):
    sidecar = next((data_copy / "raw").glob("gacc_query/*/gacc_lng.csv.meta.yml"))
    sidecar.unlink()
    with pytest.raises(RawFileMissing, match="sidecar"):
        load_trade_flows(data_copy)


def test_environment_variable_points_every_command_at_another_data_root(built_copy, monkeypatch):
    data_copy = built_copy
    monkeypatch.setenv("ENERGYTRADE_DATA_DIR", str(data_copy))
    _, csv_path, _ = build()
    assert csv_path == data_copy / "processed" / "trade_flows.csv"


def test_a_data_dir_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(DataDirNotFound, match="does-not-exist"):
        load_trade_flows(tmp_path / "does-not-exist")


def test_a_data_dir_without_raw_folder_is_refused_not_analysed_as_empty(tmp_path):
    with pytest.raises(RawFileMissing, match="no raw/ folder"):
        load_trade_flows(tmp_path)


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energytrade", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_build_reports_a_missing_data_dir_without_a_traceback(tmp_path):
    result = _cli("build", "--data-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_cli_build_prints_progress_and_writes_the_table_then_says_up_to_date(data_copy):
    result = _cli("build", "--data-dir", str(data_copy))
    assert result.returncode == 0, result.stderr
    assert "cleaned comtrade_extract" in result.stderr
    assert (data_copy / "processed" / "trade_flows.csv").is_file()
    # A second run with nothing changed (was tests/test_build.py's test_the_cli_says_up_to_date).
    done = _cli("build", "--data-dir", str(data_copy))
    assert done.returncode == 0 and "up to date" in done.stderr and "cleaned" not in done.stderr


@pytest.mark.parametrize("command", ["build", "report", "claims"])
def test_every_help_shows_runnable_examples(command):
    result = _cli(command, "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and f"energytrade {command}" in result.stdout


def test_import_from_outside_the_repo_finds_the_bundled_data(tmp_path, flows):
    code = "from energytrade.build import load_trade_flows; print(len(load_trade_flows()))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(flows)  # flows: load_trade_flows() in this process
