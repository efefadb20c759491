"""``energytrade build`` on the bundled data: a cold build (empty ``processed/``) and a build with nothing
changed (which must say "up to date"), side by side, each in a fresh process as a user runs it.

Usage::

    .venv/bin/python benchmarks/bench_build.py             # 3 runs of each
    .venv/bin/python benchmarks/bench_build.py --repeat 5

Target (issue 10): the no-change build finishes in about a second (<= 1.5 s here, imports included).
The data root is a temporary copy of the bundled ``data/raw``; the repository's ``data/processed`` is not
touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
from pathlib import Path

from child import cli, run

REPO = Path(__file__).resolve().parents[1]
TARGET_NO_CHANGE_S = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()
    walls: dict[str, list[float]] = {"cold": [], "no change": []}
    peaks: dict[str, float] = dict.fromkeys(walls, 0.0)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp) / "data"
        shutil.copytree(REPO / "data" / "raw", root / "raw")
        for _ in range(args.repeat):
            shutil.rmtree(root / "processed", ignore_errors=True)
            for name in walls:
                wall, peak, _ = run([*cli(), "build", "--data-dir", str(root)])
                walls[name].append(wall)
                peaks[name] = max(peaks[name], peak)
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for name, w in walls.items():
        print(
            f"  build {name:<9} median {statistics.median(w):5.2f} s   min {min(w):5.2f} s   "
            f"peak RSS {peaks[name]:4.0f} MiB   ({len(w)} runs)"
        )
    ratio = statistics.median(walls["cold"]) / statistics.median(walls["no change"])
    no_change = statistics.median(walls["no change"])
    print(f"cold / no change = {ratio:4.1f}x")
    print(
        f"no-change build  = {no_change:.2f} s (target <= {TARGET_NO_CHANGE_S} s: {'met' if no_change <= TARGET_NO_CHANGE_S else 'OVER'})"
    )


if __name__ == "__main__":
    main()
