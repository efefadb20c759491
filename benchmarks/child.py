"""Run one command as a fresh child process and measure it: wall time and that child's own peak memory.

Shared by the benchmark scripts (``python benchmarks/bench_*.py`` puts this folder on the path).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cli() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m energytrade``."""
    script = Path(sys.executable).with_name("energytrade")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "energytrade"]


def run(args: list[str]) -> tuple[float, float, str]:
    """Run ``args``; return (wall time [s], the child's own peak resident memory [MiB], its stdout).

    ``os.wait4`` gives this child's rusage (``RUSAGE_CHILDREN`` would give the largest child so far).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(f"{' '.join(args[:4])} ... failed ({child.returncode}):\n{err.read()}")
        peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # KiB on Linux
        return wall, peak, out.read().strip()
