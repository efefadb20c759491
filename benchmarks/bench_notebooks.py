"""Wall time of the notebook check in ``make test``: nbval executing every notebook in ``notebooks/``.

Runs exactly the command of the Makefile's ``test`` target (``pytest --nbval notebooks --nbval-current-env
--nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider`` with ``MPLBACKEND=Agg``) as a fresh
subprocess, a few times, and prints each wall time, the minimum and the median, and whether it passed.
Kernel start-up and imports count, as they do in ``make test``.

Usage::

    .venv/bin/python benchmarks/bench_notebooks.py             # 2 repeats
    .venv/bin/python benchmarks/bench_notebooks.py --repeat 3

Target (issue 4): all notebooks together in under 60 s on a 2-core machine.

Measured (2 cores, Linux, the repo's venv, four notebooks, 60 cells checked): 28-30 s wall per nbval run
(pytest itself reports 26-28 s); most of it is cell execution (claims evaluation, crude tables, figure
rendering), the rest four kernels starting and stopping. With other test suites running on the same two
cores it took 40-44 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 60.0
REPO = Path(__file__).resolve().parents[1]


def nbval_command() -> list[str]:
    """The Makefile's nbval command, with this interpreter."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "notebooks",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "notebooks/sanitize.cfg",
        "-p",
        "no:cacheprovider",
        "-q",
    ]


def run_once() -> tuple[float, bool, str]:
    """Run nbval once; return (wall time [s], passed, pytest's last line)."""
    env = dict(os.environ, MPLBACKEND="Agg")
    start = time.perf_counter()
    done = subprocess.run(nbval_command(), cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return wall, done.returncode == 0, lines[-1] if lines else done.stderr.strip()[-200:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of nbval (default 2)")
    args = parser.parse_args(argv)
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    print(f"nbval over {len(notebooks)} notebooks: {', '.join(notebooks)}")
    print(f"cpus: {os.cpu_count()}")
    walls, ok = [], True
    for i in range(args.repeat):
        wall, passed, last = run_once()
        walls.append(wall)
        ok &= passed
        print(f"run {i + 1}: {wall:5.1f} s  {'passed' if passed else 'FAILED'}  ({last})")
    best, median = min(walls), statistics.median(walls)
    verdict = "within" if median < TARGET_S else "OVER"
    print(f"min {best:.1f} s, median {median:.1f} s: {verdict} the {TARGET_S:.0f} s target")
    return 0 if ok and median < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
