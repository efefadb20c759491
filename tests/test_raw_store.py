"""The raw store: sidecars, checksums, atomic writes."""

from __future__ import annotations

import pytest

from energytrade.errors import RawFileChanged, RawFileMissing
from energytrade.raw import find_raw_files, read_sidecar, sha256_file, sidecar_path, verify, write_atomic, write_sidecar

CONTENT = "period,partner,value_usd_bn\n202201,Russian Federation,3.8222\n"
META = {"source": "example", "title": "an example", "licence": "CC-BY-4.0"}


def _raw_file(tmp_path):
    path = tmp_path / "raw" / "example" / "2026-01-01" / "figures.csv"
    write_atomic(path, CONTENT)
    write_sidecar(path, META)
    return path


def test_sidecar_records_provenance_checksum_and_size(tmp_path):
    path = _raw_file(tmp_path)
    meta = read_sidecar(path)
    assert meta["title"] == META["title"]
    assert meta["sha256"] == sha256_file(path)
    assert meta["size_bytes"] == len(CONTENT.encode())


def test_verify_refuses_a_changed_file(tmp_path):
    path = _raw_file(tmp_path)
    path.write_text(CONTENT.replace("3.8222", "9.9999"))
    with pytest.raises(RawFileChanged, match="was changed"):
        verify(path)


def test_verify_names_a_missing_file_and_a_missing_sidecar(tmp_path):
    path = _raw_file(tmp_path)
    sidecar_path(path).unlink()
    with pytest.raises(RawFileMissing, match="sidecar"):
        verify(path)
    with pytest.raises(RawFileMissing, match="missing"):
        verify(tmp_path / "nope.csv")


def test_find_raw_files_reads_layout_as_identity(tmp_path):
    path = _raw_file(tmp_path)
    [found] = find_raw_files(tmp_path / "raw", "example")
    assert (found.source, found.vintage, found.name) == ("example", "2026-01-01", "figures.csv")
    assert found.relpath(tmp_path / "raw") == "raw/example/2026-01-01/figures.csv"
    assert found.path == path


def test_failed_atomic_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "out.txt"
    write_atomic(path, "old")

    class Boom(Exception):
        pass

    import os

    real_fsync = os.fsync

    def failing_fsync(fd):
        raise Boom

    os.fsync = failing_fsync
    try:
        with pytest.raises(Boom):
            write_atomic(path, "new")
    finally:
        os.fsync = real_fsync
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_writes_get_the_usual_file_mode_not_owner_only(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "shared.txt", "x")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
