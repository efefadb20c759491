"""The Comtrade raw store under concurrent use: several real ``energytrade fetch comtrade`` processes on one
data root, against a local server whose answers differ per call as the real API's do (``elapsedTime``).

What must hold after every round: each answer the server sent is stored exactly once and never
overwritten, every stored body matches its sidecar, no temporary file is left, and every process exits 0.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from energytrade.raw import read_sidecar
from energytrade.sources import comtrade

_spec = importlib.util.spec_from_file_location(
    "comtrade_replay", Path(__file__).resolve().parent / "fixtures" / "comtrade" / "replay.py"
)
replay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replay)

API_PATH = re.compile(r"^/(data/v1/get|public/v1/preview)/C/[MA]/HS$")
PROCESSES = 6
MAY_2022 = [r for r in replay.extract_records([2022]) if r["period"] == "202205"]


class ElapsedDiffers(replay.ComtradeReplay):
    """The replay, with ``elapsedTime`` different in every answer (the real API's does), and each body kept."""

    def __init__(self, records, vary=True, together=None):
        super().__init__(records)
        self.vary = vary
        self.sent: list[bytes] = []
        self._lock = threading.Lock()
        # With ``together``, no answer leaves before that many requests have arrived: every process has
        # looked at the store and found nothing, so all of them store an answer to the same call.
        self._barrier = threading.Barrier(together, timeout=60) if together else None

    def __call__(self, request):
        with self._lock:
            n = len(self.sent) + 1
            elapsed = f"0.{n:02d} secs" if self.vary else "0.11 secs"
            body = replay.envelope(self.records, elapsed=elapsed)
            self.sent.append(body)
        if self._barrier is not None:
            self._barrier.wait()
        return Response(body, status=200, content_type="application/json; charset=utf-8")


@pytest.fixture
def threaded_server():
    """A local server answering requests in parallel threads (as the real API does)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def _fetch_argv_env(httpserver, data_dir, extra=()):
    env = {k: v for k, v in os.environ.items() if k not in ("COMTRADE_API_KEY", "ENERGYTRADE_DATA_DIR")}
    env.update(ENERGYTRADE_COMTRADE_URL=httpserver.url_for(""), ENERGYTRADE_CALL_INTERVAL_S="0")
    argv = [sys.executable, "-m", "energytrade", "fetch", "comtrade", "--commodity", "2709", "--start", "2022-05"]
    return [*argv, "--data-dir", str(data_dir), *extra], env


def _fetch_processes(httpserver, data_dir, n, extra=()):
    argv, env = _fetch_argv_env(httpserver, data_dir, extra)
    running = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(n)]
    return [(p.wait(timeout=120), *(s.decode() for s in p.communicate())) for p in running]


def test_six_processes_asking_at_once_each_store_their_answer_and_none_is_overwritten(threaded_server, tmp_path):
    handler = ElapsedDiffers(MAY_2022, together=PROCESSES)
    threaded_server.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"

    outcomes = _fetch_processes(threaded_server, data_dir, PROCESSES)

    assert [code for code, _, _ in outcomes] == [0] * PROCESSES, [err for _, _, err in outcomes]
    assert not any("Traceback" in err for _, _, err in outcomes)
    bodies = replay.assert_store_sound(data_dir / "raw")  # sidecars match, no temporary file left
    # Six different answers to one call, all kept: the name, then -2 ... -6 beside it.
    assert len(handler.sent) == PROCESSES and sorted(b.read_bytes() for b in bodies) == sorted(handler.sent)
    first = bodies[0].name.replace("-2.json", ".json")
    assert sorted(b.name for b in bodies) == sorted(
        [first] + [first.replace(".json", f"-{n}.json") for n in range(2, PROCESSES + 1)]
    )
    # The answers are one call's, so the clean table holds May 2022 once, whichever answer it reads.
    table = comtrade.clean(data_dir / "raw")
    assert len(table) == len(MAY_2022) and set(table.period) == {"2022-05"}


def test_six_processes_started_together_store_every_answer_once(httpserver, tmp_path):
    """Without holding answers back, later processes may find an earlier answer stored and reuse it."""
    handler = ElapsedDiffers(MAY_2022)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"

    outcomes = _fetch_processes(httpserver, data_dir, PROCESSES)

    assert [code for code, _, _ in outcomes] == [0] * PROCESSES, [err for _, _, err in outcomes]
    bodies = replay.assert_store_sound(data_dir / "raw")
    assert 1 <= len(handler.sent) <= PROCESSES
    assert sorted(b.read_bytes() for b in bodies) == sorted(handler.sent)
    assert len(comtrade.clean(data_dir / "raw")) == len(MAY_2022)


def test_identical_answers_fetched_by_several_processes_are_stored_once(httpserver, tmp_path):
    handler = ElapsedDiffers(MAY_2022, vary=False)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"

    outcomes = _fetch_processes(httpserver, data_dir, 3)

    assert [code for code, _, _ in outcomes] == [0, 0, 0]
    (body,) = replay.assert_store_sound(data_dir / "raw")
    assert body.read_bytes() == handler.sent[0] and read_sidecar(body)["record_count"] == len(MAY_2022)


def test_a_fetch_waits_for_another_process_and_says_so(httpserver, tmp_path):
    handler = ElapsedDiffers(MAY_2022)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # The holder lets go when told (its stdin closes), once the fetch has said it waits: no sleep to outlast.
    hold = "import sys\nfrom energytrade.raw import lock_data_root\nwith lock_data_root(sys.argv[1]):\n"
    hold += "    print('locked', flush=True); sys.stdin.readline()\n"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(data_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"

    argv, env = _fetch_argv_env(httpserver, data_dir)
    fetch = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = []
    for line in fetch.stderr:  # up to its "waiting" line (or the end, if it never waited)
        said.append(line)
        if "another energytrade process is using" in line:
            break
    holder.stdin.close()
    holder.wait(timeout=30)
    out, rest = fetch.communicate(timeout=120)
    code, err = fetch.returncode, "".join(said) + rest
    assert code == 0 and "another energytrade process is using" in err and "waiting up to 600 s" in err
    assert len(handler.sent) == 1 and len(replay.assert_store_sound(data_dir / "raw")) == 1


def test_a_fetch_that_cannot_get_the_lock_in_time_fails_before_any_call(httpserver, tmp_path, monkeypatch):
    handler = ElapsedDiffers(MAY_2022)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    hold = "import sys,time\nfrom energytrade.raw import lock_data_root\nwith lock_data_root(sys.argv[1]):\n"
    hold += "    print('locked', flush=True); time.sleep(20)\n"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(data_dir)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    monkeypatch.setenv("ENERGYTRADE_LOCK_TIMEOUT_S", "1")
    try:
        ((code, out, err),) = _fetch_processes(httpserver, data_dir, 1)
    finally:
        holder.kill()
        holder.wait()

    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("energytrade: error: another energytrade process held the lock")
    assert handler.sent == []
