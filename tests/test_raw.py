"""The raw store: sidecars, checksums, atomic writes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from energytrade.errors import DataRootBusy, DataRootNotWritable, RawFileChanged, RawFileMissing, SidecarInvalid
from energytrade.raw import (
    find_raw_files,
    lock_data_root,
    read_sidecar,
    remove_stale_temporaries,
    sha256_file,
    sidecar_path,
    store_raw,
    verify,
    write_atomic,
    write_sidecar,
)

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


# ------------------------------------------------------------------------------ sidecars that cannot be read
@pytest.mark.parametrize(
    ("sidecar_bytes", "expected"),
    [
        (b"source: example\ntitle: [unclosed\n", r"is not valid YAML at line \d"),
        (b"- source: example\n- sha256: abc\n", r"holds a YAML list, not the mapping"),
        ("source: Comércio\n".encode("latin-1"), r"is not UTF-8 text \(byte 11\)"),
    ],
    ids=["malformed", "list", "latin-1"],
)
def test_an_unreadable_sidecar_is_a_typed_error_naming_it(tmp_path, sidecar_bytes, expected):
    path = _raw_file(tmp_path)
    sidecar_path(path).write_bytes(sidecar_bytes)
    with pytest.raises(SidecarInvalid, match=expected) as caught:
        verify(path)
    assert str(sidecar_path(path)) in str(caught.value)


def test_a_sidecar_without_sha256_says_so_not_recorded_none(tmp_path):
    path = _raw_file(tmp_path)
    sidecar_path(path).write_text("source: example\ntitle: an example\n")
    with pytest.raises(SidecarInvalid, match=r"records no sha256 for figures.csv") as caught:
        verify(path)
    assert "None" not in str(caught.value) and "sha256sum figures.csv" in str(caught.value)


def test_a_changed_fetched_file_says_fetch_again_not_git_checkout(tmp_path):
    stored, _ = store_raw(tmp_path / "raw", "comtrade", "2026-01-05", "answer.json", b"{}", FETCHED_META)
    stored.path.write_bytes(b'{"changed": true}')
    with pytest.raises(RawFileChanged, match=r"it was fetched, so fetch it again") as caught:
        verify(stored.path)
    assert "git checkout" not in str(caught.value)


def test_a_missing_file_with_its_sidecar_is_named(tmp_path):
    path = _raw_file(tmp_path)
    path.unlink()
    with pytest.raises(RawFileMissing, match=r"figures.csv' is missing \(its sidecar is there\); restore it from git"):
        verify(path)


# ---------------------------------------------------------------------------------- locked, unique writes
FETCHED_META = {"source": "comtrade", "client": "energytrade 0.0-test", "urls": ["http://127.0.0.1/x"]}


def test_identical_content_is_stored_once_and_different_content_gets_a_new_name(tmp_path):
    raw = tmp_path / "raw"
    first, written_1 = store_raw(
        raw, "comtrade", "2026-01-05", "answer.json", b'{"elapsedTime":"0.1 secs"}', FETCHED_META
    )
    again, written_2 = store_raw(
        raw, "comtrade", "2026-01-05", "answer.json", b'{"elapsedTime":"0.1 secs"}', FETCHED_META
    )
    other, written_3 = store_raw(
        raw, "comtrade", "2026-01-05", "answer.json", b'{"elapsedTime":"0.2 secs"}', FETCHED_META
    )

    assert (written_1, written_2, written_3) == (True, False, True)
    assert again.path == first.path and other.path.name == "answer-2.json"
    assert first.path.read_bytes() == b'{"elapsedTime":"0.1 secs"}'  # never overwritten
    assert [f.name for f in find_raw_files(raw, "comtrade")] == ["answer-2.json", "answer.json"]


def test_stale_temporary_files_are_removed_and_nothing_else(tmp_path):
    raw = tmp_path / "raw"
    stored, _ = store_raw(raw, "comtrade", "2026-01-05", "answer.json", b"{}", FETCHED_META)
    folder = stored.path.parent
    stale = [folder / ".answer.json.abc123.tmp", folder / ".answer.json.staging"]
    for path in stale:
        path.write_bytes(b"half")

    assert remove_stale_temporaries(raw, "comtrade") == sorted(stale)
    assert sorted(p.name for p in folder.iterdir()) == ["answer.json", "answer.json.meta.yml"]


HOLD_LOCK = """
import sys, time
from energytrade.raw import lock_data_root
with lock_data_root(sys.argv[1], timeout=5):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_lock(root, seconds):
    """Another process holding the data root's lock for ``seconds``; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(root), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_process_waits_for_the_lock_with_a_message(tmp_path):
    holder = _hold_lock(tmp_path, 1.0)
    messages = []
    started = time.monotonic()
    with lock_data_root(tmp_path, timeout=20, what="store an answer", notify=messages.append):
        waited = time.monotonic() - started
    holder.wait(timeout=20)
    assert waited > 0.3
    assert messages == [f"another energytrade process is using '{tmp_path}'; waiting up to 20 s to store an answer"]


def test_a_lock_held_past_the_timeout_is_a_typed_error(tmp_path):
    holder = _hold_lock(tmp_path, 5.0)
    try:
        with pytest.raises(DataRootBusy, match=r"held the lock of .* for over 0.5 s, so this one could not build"):
            with lock_data_root(tmp_path, timeout=0.5, what="build"):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_data_root_that_is_a_file_cannot_be_locked(tmp_path):
    a_file = tmp_path / "data.txt"
    a_file.write_text("not a folder")
    with pytest.raises(DataRootNotWritable, match=r"is a file, not a folder"):
        with lock_data_root(a_file):
            pass
