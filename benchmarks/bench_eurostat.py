"""Wall time of building Eurostat NRG_TI_COIFPM (4,983,281 rows, gzip CSV) into the Parquet grade table, cold.

Each repeat runs in a fresh Python process (imports count, nothing cached in memory) and writes into a fresh
temporary ``processed/`` folder (no earlier store to reuse). Side by side, the baseline: a bare DuckDB
``read_csv`` of the same gzip file that only counts rows (the least any build must do), in its own process.
Prints minimum and median wall times, the ratio to the baseline, and the peak resident memory.

Usage::

    .venv/bin/python benchmarks/bench_eurostat.py              # 3 repeats
    .venv/bin/python benchmarks/bench_eurostat.py --repeat 1

Target (issue 12): the cold build under 20 s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
GZ = RAW / "eurostat_coifpm" / "2026-11-27" / "nrg_ti_coifpm.csv.gz"
TARGET_S = 20.0

BUILD = """
import sys
from energytrade.sources.eurostat_coifpm import write_store
write_store(sys.argv[1], sys.argv[2])
"""
BASELINE = """
import sys, duckdb
print(duckdb.sql(f"SELECT count(*) FROM read_csv('{sys.argv[1]}', header = true)").fetchall()[0][0])
"""


def run(code: str, *args: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (wall time [s], peak RSS of the children so far [MiB])."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    builds, baselines, peak = [], [], 0.0
    for _ in range(args.repeat):
        wall, _ = run(BASELINE, str(GZ))
        baselines.append(wall)
        with tempfile.TemporaryDirectory() as tmp:
            wall, peak = run(BUILD, str(RAW), str(Path(tmp) / "processed"))
            builds.append(wall)
    build_median, base_median = statistics.median(builds), statistics.median(baselines)
    print(f"eurostat_coifpm cold build into the store ({args.repeat} runs, fresh process and folder each)")
    print(f"  build     min {min(builds):6.2f} s   median {build_median:6.2f} s")
    print(f"  baseline  min {min(baselines):6.2f} s   median {base_median:6.2f} s   (DuckDB read_csv + count only)")
    print(f"  ratio build / baseline (medians): {build_median / base_median:.2f}x")
    print(f"  peak resident memory of a child: {peak:,.0f} MiB")
    verdict = "OK" if build_median < TARGET_S else "OVER"
    print(f"  target < {TARGET_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
