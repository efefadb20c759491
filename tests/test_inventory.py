"""Provenance table and coverage, on a small frame and on the bundled data."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import BUNDLED_RAW

from energytrade import raw
from energytrade.build import build
from energytrade.errors import RawFileChanged
from energytrade.inventory import coverage, coverage_matrix, provenance_table
from energytrade.schema import conform

BASE = dict(reporter_iso3="CHN", flow="import", hs_code="2709", commodity="crude_oil", freq="M")
ROWS = [
    dict(
        BASE,
        source="comtrade_extract",
        partner_iso3="RUS",
        partner_name="Russia",
        period="2022-01",
        net_weight_kg=1.0,
        value_usd=2.0,
        provenance="raw/a/v/f.csv#row=1",
    ),
    dict(
        BASE,
        source="gacc_press",
        partner_iso3="RUS",
        partner_name="Russia",
        period="2022-01",
        net_weight_kg=1.0,
        provenance="raw/b/v/f.csv#row=1",
    ),
    # 2022-02 has no row at all; 2022-03 only a total, which is not a partner
    dict(
        BASE,
        source="comtrade_extract",
        partner_iso3="WLD",
        partner_name="World",
        period="2022-03",
        net_weight_kg=5.0,
        provenance="raw/a/v/f.csv#row=2",
    ),
    dict(
        BASE,
        source="comtrade_extract",
        partner_iso3="RUS",
        partner_name="Russia",
        period="2022-04",
        value_usd=3.0,
        provenance="raw/a/v/f.csv#row=3",
    ),
]
FLOWS = conform(pd.DataFrame(ROWS))


def test_coverage_counts_partners_with_each_figure_and_leaves_gaps_out():
    cov = coverage(FLOWS).set_index(["source", "period"])
    assert cov.loc[("comtrade_extract", "2022-01"), "has_mass"] == 1
    assert cov.loc[("comtrade_extract", "2022-04"), "has_mass"] == 0  # value only
    assert ("comtrade_extract", "2022-02") not in cov.index
    assert ("comtrade_extract", "2022-03") not in cov.index  # the total is not a partner


PRESS = dict(BASE, source="gacc_press", period="2022-05")
# Two outlets print Russia's May tonnage; Saudi Arabia has one outlet, with a value only.
TWO_OUTLETS = conform(
    pd.DataFrame(
        [
            dict(
                PRESS, partner_iso3="RUS", partner_name="Russia", net_weight_kg=8.0e9, provenance="raw/b/v/f.csv#row=1"
            ),
            dict(
                PRESS,
                partner_iso3="RUS",
                partner_name="Russia",
                net_weight_kg=8.1e9,
                value_usd=4.0e9,
                provenance="raw/b/v/f.csv#row=2",
            ),
            dict(
                PRESS,
                partner_iso3="SAU",
                partner_name="Saudi Arabia",
                value_usd=5.0e9,
                provenance="raw/b/v/f.csv#row=3",
            ),
        ]
    )
)


def test_coverage_counts_a_partner_printed_by_two_outlets_once():
    row = coverage(TWO_OUTLETS).set_index(["source", "period"]).loc[("gacc_press", "2022-05")]
    assert row["n_partners"] == 2
    assert row["has_mass"] == 1  # two rows, one partner
    assert row["has_value"] == 2  # RUS (one of its two rows) and SAU
    assert row["has_volume"] == 0


def test_coverage_matrix_counts_sources_and_shows_gaps_as_zero():
    matrix = coverage_matrix(FLOWS, ["RUS"])
    assert list(matrix.index) == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert matrix["crude_oil / RUS"].tolist() == [2, 0, 0, 1]


def test_provenance_table_lists_every_bundled_raw_file():
    table = provenance_table()
    bundled = [p for p in BUNDLED_RAW.glob("*/*/*") if not p.name.endswith(".meta.yml")]
    assert sorted(table["file"]) == sorted(p.name for p in bundled)
    assert table["licence"].str.len().gt(0).all()


def _rewrite_keeping_size_and_mtime(path):
    """Change one byte of a raw file, then put its modification time back (a cheap size-and-time check
    cannot see it; only its bytes or its status-change time tell)."""
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[-2] = ord("7") if data[-2] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_provenance_table_does_not_hash_again_what_the_build_hashed(built_copy, monkeypatch):
    build(built_copy)  # the copy's files have new status-change times: the build hashes them and records them
    expected = provenance_table(built_copy)
    monkeypatch.setattr(raw, "sha256_file", lambda path: pytest.fail(f"hashed {path} again"))
    pd.testing.assert_frame_equal(provenance_table(built_copy), expected)


def test_provenance_table_refuses_a_file_changed_behind_the_manifest(built_copy):
    build(built_copy)
    target = next((built_copy / "raw").glob("comtrade_extract/*/comtrade_crude_oil.csv"))
    _rewrite_keeping_size_and_mtime(target)  # as the build recorded it, but for the status-change time
    with pytest.raises(RawFileChanged, match=r"comtrade_crude_oil.csv' was changed: sha256 is"):
        provenance_table(built_copy)


def test_provenance_table_without_a_manifest_hashes_every_file(data_copy):
    target = next((data_copy / "raw").glob("gacc_press/*/*.csv"))
    _rewrite_keeping_size_and_mtime(target)
    assert not (data_copy / "processed" / "_manifest.json").exists()
    with pytest.raises(RawFileChanged, match=target.name):
        provenance_table(data_copy)


def test_a_build_hashes_a_file_whose_status_change_time_moved(built_copy, monkeypatch):
    build(built_copy)
    target = next((built_copy / "raw").glob("gacc_query/*/*.csv"))
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns))  # the same bytes and times
    hashed = []
    real = raw.sha256_file
    monkeypatch.setattr(raw, "sha256_file", lambda path: hashed.append(Path(path).name) or real(path))
    build(built_copy)
    assert hashed == [target.name]  # checked again, and the new status-change time recorded
    hashed.clear()
    provenance_table(built_copy)
    assert hashed == []
