"""The build: incremental (sidecar sha256), what it expects of a data root, and one-line errors for bad raw
files, each also through the command line (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from energytrade import store
from energytrade.build import MIN_VINTAGE_ROW_RATIO, build
from energytrade.errors import (
    BadNumber,
    EmptyRawFile,
    MissingColumn,
    MissingSourceFiles,
    RawFileMissing,
    UnknownSource,
    VintageShrank,
)
from energytrade.raw import lock_data_root, read_sidecar, sidecar_path, write_sidecar
from energytrade.sources import eurostat_coifpm

BUNDLED_SOURCES = ["comtrade_extract", "gacc_query", "gacc_press", "eurostat_coifpm", "energy_institute"]


def _raw(data_dir: Path, pattern: str) -> Path:
    return next((data_dir / "raw").glob(pattern))


def _resign(path: Path) -> None:
    """Record a deliberately altered raw file's new checksum, as a new download would have it."""
    meta = {k: v for k, v in read_sidecar(path).items() if k not in ("sha256", "size_bytes")}
    write_sidecar(path, meta)


def _new_vintage(path: Path, text: str, vintage: str = "2026-12-01") -> Path:
    """A newer vintage of a raw file, with its own sidecar (nothing raw is overwritten)."""
    target = path.parent.parent / vintage / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    shutil.copy(sidecar_path(path), sidecar_path(target))
    _resign(target)
    return target


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energytrade", *args], capture_output=True, text=True)


def _assert_one_line_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, (fragment, done.stderr)


def test_a_second_build_with_nothing_changed_rebuilds_nothing(data_copy):
    first = build(data_copy)
    assert first.rebuilt == BUNDLED_SOURCES
    parts = {p: p.stat().st_mtime_ns for p in (data_copy / "processed").glob("source=*/part.parquet")}
    figures = data_copy / "processed" / eurostat_coifpm.FIGURES_DIR / eurostat_coifpm.FIGURES_FILE
    parts[figures] = figures.stat().st_mtime_ns  # Eurostat's figures file is there, and left alone too
    second = build(data_copy)
    assert second.up_to_date and second.unchanged == BUNDLED_SOURCES
    assert {p: p.stat().st_mtime_ns for p in parts} == parts
    assert len(second.table) == len(first.table)


def test_a_new_vintage_rebuilds_only_its_source(built_copy):
    data_copy = built_copy
    lng = _raw(data_copy, "gacc_query/*/gacc_lng.csv")
    lines = lng.read_text(encoding="utf-8").splitlines()
    period, partner, _ = lines[1].split(",")
    _new_vintage(lng, "\n".join([lines[0], f"{period},{partner},9.8765", *lines[2:]]) + "\n")
    result = build(data_copy)
    assert result.rebuilt == ["gacc_query"]
    month = f"{period[:4]}-{period[4:]}"
    got = store.flows(source="gacc_query", commodity="lng", start=month, end=month, data_dir=data_copy)
    assert got.set_index("partner_name").loc[partner, "value_usd"] == 9_876_500_000


def test_a_failed_build_leaves_the_last_good_store(built_copy):
    data_copy = built_copy
    manifest = (data_copy / "processed" / "_manifest.json").read_text()
    before = store.flows(source="comtrade_extract", data_dir=data_copy)
    crude = _raw(data_copy, "comtrade_extract/*/comtrade_crude_oil.csv")
    lines = crude.read_text(encoding="utf-8").splitlines()
    _new_vintage(crude, "\n".join([lines[0], lines[1].replace(lines[1].split(",")[2], "1e400"), *lines[2:]]) + "\n")
    with pytest.raises(BadNumber):
        build(data_copy)
    assert (data_copy / "processed" / "_manifest.json").read_text() == manifest
    assert store.flows(source="comtrade_extract", data_dir=data_copy).equals(before)


# --- what a build expects -----------------------------------------------------------------------------


def test_a_sidecar_without_its_file_fails_the_build_naming_the_file(data_copy):
    _raw(data_copy, "comtrade_extract/*/comtrade_lng.csv").unlink()
    with pytest.raises(RawFileMissing, match="comtrade_lng.csv' is missing but its sidecar is there"):
        build(data_copy)
    _assert_one_line_error(_cli("build", "--data-dir", str(data_copy)), "comtrade_lng.csv", "--allow-missing")


def test_allow_missing_builds_without_the_file_for_users_who_mean_it(built_copy):
    data_copy = built_copy
    full = len(build(data_copy).table)
    lng = _raw(data_copy, "comtrade_extract/*/comtrade_lng.csv")
    lng_rows = len(lng.read_text(encoding="utf-8").splitlines()) - 1
    lng.unlink()
    done = _cli("build", "--data-dir", str(data_copy), "--allow-missing", "comtrade_extract")
    assert done.returncode == 0, done.stderr
    assert len(store.flows(source=["comtrade_extract", "gacc_query", "gacc_press"], data_dir=data_copy)) == (
        full - lng_rows
    )


def test_a_bundled_source_folder_removed_fails_the_build(data_copy):
    shutil.rmtree(data_copy / "raw" / "gacc_press")
    with pytest.raises(MissingSourceFiles, match="'gacc_press' has no raw files"):
        build(data_copy)
    _assert_one_line_error(_cli("build", "--data-dir", str(data_copy)), "gacc_press")
    result = build(data_copy, allow_missing=["gacc_press"])
    assert "gacc_press" not in set(result.table.source)


def test_a_source_built_before_and_gone_now_fails_the_build(built_copy):
    data_copy = built_copy
    shutil.rmtree(data_copy / "raw" / "gacc_press")
    with pytest.raises(MissingSourceFiles, match="gacc_press"):
        build(data_copy)
    result = build(data_copy, allow_missing=["gacc_press"])
    assert "gacc_press" in result.rebuilt and not (data_copy / "processed" / "source=gacc_press").exists()
    assert "gacc_press" not in json.loads((data_copy / "processed" / "_manifest.json").read_text())["sources"]


def test_a_vintage_with_far_fewer_rows_than_the_one_it_supersedes_fails_the_build(data_copy):
    crude = _raw(data_copy, "comtrade_extract/*/comtrade_crude_oil.csv")
    lines = crude.read_text(encoding="utf-8").splitlines()
    kept = 19
    assert kept < MIN_VINTAGE_ROW_RATIO * (len(lines) - 1)
    _new_vintage(crude, "\n".join(lines[: kept + 1]) + "\n")
    with pytest.raises(VintageShrank, match=f"comtrade_crude_oil.csv \\({kept} rows\\) supersedes"):
        build(data_copy)
    _assert_one_line_error(_cli("build", "--data-dir", str(data_copy)), "comtrade_crude_oil.csv", "19 rows")


def test_allow_missing_names_only_registered_sources(data_copy):
    with pytest.raises(UnknownSource, match="--allow-missing gacc_pres"):
        build(data_copy, allow_missing=["gacc_pres"])


def test_a_data_root_holding_only_fetched_data_needs_no_bundled_source(tmp_path):
    (tmp_path / "data" / "raw" / "comtrade").mkdir(parents=True)
    assert build(tmp_path / "data").table.empty


# --- bad raw files: one typed line naming file, row and column ------------------------------------------

CRUDE = "comtrade_extract/*/comtrade_crude_oil.csv"
TOTALS = "gacc_query/*/gacc_imports.csv"


def _set_cell(text: str, row: int, column: str, value: str) -> str:
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n"


def _drop_column(text: str, column: str) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    at = rows[0].index(column)
    return "\n".join(",".join(c for i, c in enumerate(r) if i != at) for r in rows) + "\n"


BAD_FILES = {
    "infinity": (CRUDE, lambda t: _set_cell(t, 3, "value_usd_bn", "1e400"), BadNumber, "row 3, column 'value_usd_bn'"),
    "nan_text": (CRUDE, lambda t: _set_cell(t, 2, "qty_mt", "NaN"), BadNumber, "row 2, column 'qty_mt': 'NaN'"),
    "not_a_number": (CRUDE, lambda t: _set_cell(t, 5, "qty_mt", "12t"), BadNumber, "row 5, column 'qty_mt'"),
    "inf_in_totals": (TOTALS, lambda t: _set_cell(t, 1, "coal_mt", "inf"), BadNumber, "row 1, column 'coal_mt'"),
    "missing_quantity": (CRUDE, lambda t: _drop_column(t, "qty_mt"), MissingColumn, "column 'qty_mt' is missing"),
    "missing_totals_column": (TOTALS, lambda t: _drop_column(t, "gas_usd_bn"), MissingColumn, "'gas_usd_bn'"),
    "empty_file": (CRUDE, lambda t: "", EmptyRawFile, "the file is empty"),
    "header_only": (CRUDE, lambda t: t.splitlines()[0] + "\n", EmptyRawFile, "a header but no data rows"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_raw_file_is_one_typed_error_naming_the_file(data_copy, case):
    pattern, alter, error, message = BAD_FILES[case]
    path = _raw(data_copy, pattern)
    path.write_text(alter(path.read_text(encoding="utf-8")), encoding="utf-8")
    _resign(path)
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        build(data_copy)
    _assert_one_line_error(_cli("build", "--data-dir", str(data_copy)), path.name, message)


def test_a_build_waits_for_the_data_roots_lock_and_then_gives_up_with_one_line(data_copy):
    # This test process holds the lock, as another `energytrade fetch` or `build` would.
    with lock_data_root(data_copy, timeout=1, what="hold it for the test"):
        env = {**os.environ, "ENERGYTRADE_LOCK_TIMEOUT_S": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "energytrade", "build", "--data-dir", str(data_copy)],
            capture_output=True,
            text=True,
            env=env,
        )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "another energytrade process held the lock" in done.stderr
    assert not (data_copy / "processed" / "trade_flows.csv").exists()


def test_the_lock_is_reentrant_within_one_process(data_copy):
    with lock_data_root(data_copy, timeout=1, what="build"):
        assert build(data_copy).rebuilt == BUNDLED_SOURCES  # build takes the same lock again: no wait
