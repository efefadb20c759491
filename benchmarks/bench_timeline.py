"""Speed of the claims: the oil claim's timeline (2022-01 to the newest data) and ``energytrade claims``.

Two figures, each the minimum and median over a few repeats, wall time and CPU time (the machine is shared:
CPU time says what the code costs when other jobs compete for the cores):

1. ``claims.timeline(start="2022-01", ids=["russia-largest-oil-supplier"])`` in this process, on a clean
   table loaded once (the data entry point ``energytrade.build.load_trade_flows``, timed separately).
   Target (issue 8): under 5 s.
2. ``claims.evaluate()`` in this process (the claims' own share of the command), then
   ``energytrade claims`` as a user runs it: a fresh subprocess of the installed CLI (imports and loading
   the table count). Target (issue 10): at most 1.5 s.

Usage::

    .venv/bin/python benchmarks/bench_timeline.py              # 3 repeats of each
    .venv/bin/python benchmarks/bench_timeline.py --repeat 5
    # the fresh-process figure side by side with an older commit's checkout (runs interleaved):
    git archive <commit> | tar -x -C /tmp/base && .venv/bin/python benchmarks/bench_timeline.py --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from energytrade import claims
from energytrade.build import load_trade_flows

TIMELINE_TARGET_S = 5.0
CLI_TARGET_S = 1.5
OIL_CLAIM = "russia-largest-oil-supplier"
TIMELINE_START = "2022-01"


def cli_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m energytrade``."""
    script = Path(sys.executable).with_name("energytrade")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "energytrade"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(args: list[str], tree: str | None = None) -> tuple[float, float]:
    """Run the CLI once (of the checkout ``tree``, first on ``PYTHONPATH``, if given); (wall [s], CPU [s])."""
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (tree, env.get("PYTHONPATH")) if p)
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(cli_command() + args, check=True, stdout=subprocess.DEVNULL, env=env, cwd=tree)
    return time.perf_counter() - start, _children_cpu() - cpu


def time_timeline(flows) -> tuple[float, float, int]:
    """One timeline of the oil claim, from scratch (no figure reused between repeats)."""
    cpu, start = time.process_time(), time.perf_counter()
    [line] = claims.timeline(start=TIMELINE_START, flows=flows, ids=[OIL_CLAIM])
    return time.perf_counter() - start, time.process_time() - cpu, len(line.points)


def summary(name: str, runs: list[tuple[float, float]], target: float) -> str:
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    verdict = "meets" if min(walls) <= target else ("meets by CPU" if min(cpus) <= target else "MISSES")
    return (
        f"{name}: wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
        f"CPU min {min(cpus):.2f} s (target {target:g} s: {verdict})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--baseline", default=None, help="a checkout of an older commit: its CLI runs side by side")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    flows = load_trade_flows()
    load_s = time.perf_counter() - start
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}"
    )
    print(f"load_trade_flows: {load_s:.2f} s ({len(flows)} rows)")

    timeline_runs = []
    for _ in range(args.repeat):
        wall, cpu, points = time_timeline(flows)
        timeline_runs.append((wall, cpu))
    print(
        summary(
            f"oil-claim timeline {TIMELINE_START} -> newest ({points} release days)", timeline_runs, TIMELINE_TARGET_S
        )
    )

    evaluate_runs = []
    for _ in range(args.repeat):
        cpu, start = time.process_time(), time.perf_counter()
        claims.evaluate(flows=flows)
        evaluate_runs.append((time.perf_counter() - start, time.process_time() - cpu))
    print(
        summary("claims.evaluate() of the 3 claims, with their timelines (table loaded)", evaluate_runs, CLI_TARGET_S)
    )

    baseline = str(Path(args.baseline).resolve()) if args.baseline else None
    cli_runs, base_runs = [], []
    for _ in range(args.repeat):
        cli_runs.append(time_cli(["claims"]))
        if baseline:
            base_runs.append(time_cli(["claims"], baseline))
    print(summary("energytrade claims (fresh process)", cli_runs, CLI_TARGET_S))
    if baseline:
        print(summary("energytrade claims (fresh process, baseline)", base_runs, CLI_TARGET_S))
        ratio = statistics.median(r[0] for r in base_runs) / statistics.median(r[0] for r in cli_runs)
        cpu_ratio = min(r[1] for r in base_runs) / min(r[1] for r in cli_runs)
        print(
            f"energytrade claims: baseline / this tree = {ratio:.2f}x (wall medians), {cpu_ratio:.2f}x (CPU minimums)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
