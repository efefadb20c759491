"""The bundled raw files are the reference collection's figures, carried as the sidecars say.

Runs where ``../shared/reference`` sits beside the repo (the developers' machines and CI); elsewhere the
sidecars' recorded checksums are all there is to check against, and the run ends with a warning naming the
tests it skipped (``conftest.needs_shared``), never silently.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from conftest import BUNDLED_RAW, REPO, SHARED, SHARED_MISSING, needs_shared

from energytrade.raw import find_raw_files, sha256_file

REFERENCE = SHARED / "reference"
needs_reference = needs_shared("reference")


def _import_script():
    spec = importlib.util.spec_from_file_location("import_reference", REPO / "scripts" / "import_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_reference
@pytest.mark.parametrize(
    "source", ["comtrade_extract", "gacc_query", "gacc_press", "eurostat_coifpm", "energy_institute"]
)
def test_copied_files_are_byte_identical_to_the_reference(source):
    for raw_file in find_raw_files(BUNDLED_RAW, source):
        if "reference_sha256" in raw_file.meta:
            continue  # transcribed, checked below
        original = REPO.parent / raw_file.meta["reference_file"]
        assert sha256_file(original) == raw_file.meta["sha256"], raw_file.name


@needs_reference
def test_pipeline_gas_values_are_the_reference_rows_from_2021_without_its_invented_columns():
    [raw_file] = [f for f in find_raw_files(BUNDLED_RAW, "comtrade_extract") if "reference_sha256" in f.meta]
    original = REPO.parent / raw_file.meta["reference_file"]
    assert sha256_file(original) == raw_file.meta["reference_sha256"]
    derived = _import_script()._pipeline_gas_values(original.read_bytes())
    assert derived == raw_file.path.read_bytes()
    header = derived.decode().splitlines()[0]
    assert header == "period,partner,value_usd_bn"  # no qty_mt, no value_per_mt_usd


def test_a_run_without_shared_ends_with_a_warning_naming_the_skipped_tests(tmp_path):
    missing = tmp_path / "no-shared-here"
    env = {**os.environ, "ENERGYTRADE_SHARED_DIR": str(missing)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "not run_without_shared"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"WARNING: 8 tests skipped, {SHARED_MISSING} ({missing})" in run.stdout, run.stdout
    assert "skipped: tests/test_reference_carry.py::test_pipeline_gas_values_are_the_reference_rows" in run.stdout
    assert str(missing / "reference") in run.stdout


@needs_reference
@pytest.mark.parametrize(
    ("source", "n_files", "attribution"),
    [
        ("eurostat_coifpm", 1, "Source: Eurostat, NRG_TI_COIFPM"),
        ("energy_institute", 7, "Energy Institute Statistical Review of World Energy 2024"),
    ],
)
def test_europe_sources_are_carried_whole_with_their_attribution(source, n_files, attribution):
    files = find_raw_files(BUNDLED_RAW, source)
    assert len(files) == n_files
    for raw_file in files:
        original = REPO.parent / raw_file.meta["reference_file"]
        assert original.read_bytes() == raw_file.path.read_bytes(), raw_file.name  # byte for byte, gz included
        assert raw_file.meta["attribution"] == attribution
        assert raw_file.meta["size_bytes"] == original.stat().st_size
