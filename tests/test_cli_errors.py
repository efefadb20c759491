"""Every bad input through the real command line (a subprocess, as a user types it): exit status 2, one
line on stderr starting ``energytrade: error:``, no traceback, and no API call spent on a doomed fetch.
Output into a closed pipe ends quietly with status 0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from energytrade.raw import store_raw

API_PATH = re.compile(r"^/(data/v1/get|public/v1/preview)/C/[MA]/HS$")
FETCH = ["fetch", "comtrade", "--commodity", "2709", "--start", "2022-05"]
STORED = "C-M-HS_CHN_all_2709_M_202205_0123456789.json"


def energytrade(*argv: str, url: str = "http://127.0.0.1:9", **env: str) -> subprocess.CompletedProcess:
    """``energytrade <argv>`` in a subprocess, with the Comtrade URL pointed at ``url`` and no key."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COMTRADE_API_KEY", "ENERGYTRADE_DATA_DIR")}
    environment.update(ENERGYTRADE_COMTRADE_URL=url, ENERGYTRADE_CALL_INTERVAL_S="0", **env)
    return subprocess.run(
        [sys.executable, "-m", "energytrade", *argv], env=environment, capture_output=True, text=True, timeout=120
    )


def assert_one_line_error(done: subprocess.CompletedProcess, pattern: str) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("energytrade: error: ")
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


@pytest.fixture
def server(httpserver):
    """A Comtrade stand-in that must not be called: any request it gets fails the test."""
    httpserver.expect_request(API_PATH).respond_with_data("{}", status=500)
    yield httpserver
    assert httpserver.log == [], "an API call was spent on a fetch that could not succeed"


def _data_root_with_sidecar(tmp_path: Path, sidecar: bytes) -> Path:
    data = tmp_path / "data"
    stored, _ = store_raw(data / "raw", "comtrade", "2026-01-05", STORED, b"{}", {"client": "energytrade test"})
    Path(str(stored.path) + ".meta.yml").write_bytes(sidecar)
    return data


@pytest.mark.parametrize(
    ("sidecar", "pattern"),
    [
        (b"kind: comtrade-api-response\nurls: [unclosed\n", r"sidecar '.*\.meta\.yml' is not valid YAML at line 3"),
        (b"- kind: comtrade-api-response\n", r"sidecar '.*\.meta\.yml' holds a YAML list, not the mapping"),
        ("title: Comércio\n".encode("latin-1"), r"sidecar '.*\.meta\.yml' is not UTF-8 text"),
        (b"kind: comtrade-api-response\nsource: comtrade\n", rf"records no sha256 for {STORED}"),
    ],
    ids=["malformed-yaml", "a-list", "not-utf8", "no-sha256"],
)
def test_a_bad_sidecar_is_one_line_and_no_call_is_made(server, tmp_path, sidecar, pattern):
    data = _data_root_with_sidecar(tmp_path, sidecar)
    line = assert_one_line_error(energytrade(*FETCH, "--data-dir", str(data), url=server.url_for("")), pattern)
    assert "recorded None" not in line


def test_a_read_only_data_root_fails_before_any_call(server, tmp_path):
    if os.geteuid() == 0:  # root writes through permission bits: use a folder no one can write in
        data = Path("/proc/1/fdinfo")
    else:
        data = tmp_path / "read-only"
        data.mkdir()
        data.chmod(0o555)
    try:
        assert_one_line_error(
            energytrade(*FETCH, "--data-dir", str(data), url=server.url_for("")),
            r"the data directory \(--data-dir\) '.*' cannot be written \(.*\); make it writable",
        )
    finally:
        if data.is_relative_to(tmp_path):
            data.chmod(0o755)


@pytest.mark.parametrize("command", [FETCH, ["claims"], ["build"]], ids=["fetch", "claims", "build"])
def test_data_dir_pointing_at_a_file_says_it_is_a_file(server, tmp_path, command):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a data root")
    line = assert_one_line_error(
        energytrade(*command, "--data-dir", str(a_file), url=server.url_for("")), r"is a file, not a folder"
    )
    assert "does not exist" not in line


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["--start", "1900-01", "--end", "1962-03"], r"start 1900-01 is before 1962"),
        (["--start", "2022-01", "--end", "9999-12"], r"end 9999-12 is after the current month"),
        (["--start", "2019-01", "--end", "2024-12"], r"needs 72 calls .* over 50; .* add --yes"),
        (["--start", "2022-05", "--call-deadline", "soon"], r"--call-deadline is 'soon'; give a number of seconds"),
        (["--start", "2022-05", "--total-deadline", "-5"], r"--total-deadline is '-5'"),
    ],
    ids=["before-1962", "after-this-month", "too-many-calls", "bad-call-deadline", "negative-total-deadline"],
)
def test_unbounded_or_bad_fetch_requests_are_refused_before_any_call(server, tmp_path, argv, pattern):
    command = ["fetch", "comtrade", "--commodity", "2709", *argv, "--data-dir", str(tmp_path / "data")]
    assert_one_line_error(energytrade(*command, url=server.url_for("")), pattern)


def test_a_bad_deadline_in_the_environment_names_the_variable(server, tmp_path):
    done = energytrade(
        *FETCH, "--data-dir", str(tmp_path / "d"), url=server.url_for(""), ENERGYTRADE_TOTAL_DEADLINE_S="x"
    )
    assert_one_line_error(done, r"\$ENERGYTRADE_TOTAL_DEADLINE_S is 'x'")


@pytest.mark.parametrize(
    "command",
    [["fetch", "comtrade", "--commodity", "2709", "--start", "2000-01", "--end", "2022-12", "--dry-run"], ["claims"]],
    ids=["fetch-dry-run", "claims"],
)
def test_output_into_a_closed_pipe_ends_quietly(command):
    """``energytrade claims | head -0``: the reader is gone before the first line is written."""
    environment = {k: v for k, v in os.environ.items() if k != "COMTRADE_API_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "energytrade", *command],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # long before the interpreter has started
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
