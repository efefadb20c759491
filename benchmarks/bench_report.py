"""Wall time (and peak memory) of ``energytrade build`` and ``energytrade report``, as a user runs them.

Each command runs as a fresh subprocess of the installed CLI (so imports count, as they do for a user),
a few times; the script prints the minimum and the median wall time and the largest peak resident memory
of the child processes. The report goes to a temporary folder, never to the repo's ``reports/``; the
build writes the data root's ``processed/`` as ``energytrade build`` always does.

Usage::

    .venv/bin/python benchmarks/bench_report.py            # 3 repeats of each
    .venv/bin/python benchmarks/bench_report.py --repeat 5 --data-dir /tmp/mydata
    # side by side with an older commit (its own data/ root), runs interleaved, ratios printed:
    git archive <commit> | tar -x -C /tmp/base && .venv/bin/python benchmarks/bench_report.py --baseline /tmp/base

With ``--baseline DIR`` every run of this tree is followed by the same command on the checkout in DIR
(imported first through ``PYTHONPATH``; the same interpreter and packages), so both see the same load;
the script prints both figures and the ratio baseline / this tree. Without ``--data-dir`` each tree uses
its own ``data/`` (build each once before, so both reports read a store that is up to date).

Then one in-process run prints the split (issue 10 item 5), the report's steps run one after another:
imports; compute (loading the clean table, the chapters' tables and sentences and the claims, the
Markdown and HTML, the Excel workbook); drawing (saving the PNGs, timed, plus the part of building the
chapters spent in matplotlib making the figures, apportioned with cProfile on a second build of each
chapter after the report's steps: every call into matplotlib, PIL, fontTools or kiwisolver from outside
them, with everything it calls, such as numpy; the script also prints the compute as it read when only
those libraries' own lines counted). Each chapter is built and drawn as the report does it
(``render.building``: shared selections, the garbage collector waiting; an older tree without it: shared
selections only). XlsxWriter, which the workbook imports on first use, is imported with the imports.

Targets (issue 10): the report's median wall time <= 8 s; everything except imports and drawing <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 8.0
COMPUTE_TARGET_S = 1.0

#: Run in a fresh interpreter: the report's steps in one process, timed one by one. Drawing = saving the
#: PNGs (timed) + the part of building the chapters spent inside matplotlib (the chapters make their
#: figures while they build; that share is measured with cProfile on a second build of each chapter).
SPLIT_SCRIPT = r"""
import cProfile, json, pstats, sys, time
t0 = time.perf_counter()
from energytrade.build import load_trade_flows
from energytrade.report import render
from energytrade.report.chapter import Context
from energytrade.report.excel import workbook_bytes
from energytrade.analysis import reusing_selections
import xlsxwriter  # imported by workbook_bytes when first called: an import, so counted with the imports
# As the report builds a chapter: shared selections and the collector waiting (render.building; older trees
# without it: shared selections only).
building = getattr(render, "building", reusing_selections)
t1 = time.perf_counter()
data_dir = sys.argv[1] or None
flows = load_trade_flows(data_dir)
t2 = time.perf_counter()
ctx = Context(flows=flows, article_date=render.ARTICLE_DATE, data_dir=data_dir, importer="CHN")
DRAWING = ("matplotlib", "PIL", "fontTools", "kiwisolver")
build_s, save_s, chapters = [], 0.0, []
for module in render.CHAPTERS:
    a = time.perf_counter()
    with building():
        chapter = module.build(ctx)
        b = time.perf_counter()
        render._draw(chapter)
        c = time.perf_counter()
    build_s.append(b - a)
    save_s += c - b
    chapters.append(chapter)
d = time.perf_counter()
tables = [t for ch in chapters for t in ch.tables]
meta = [render._meta(ch) for ch in chapters]
images = {}
for ch in chapters:
    images.update({f"{render.FIGURES_DIR}/{f.name}.png": b"" for f in ch.figures})
render._documents(chapters, meta, tables, images, ctx, ("md", "html"))
e = time.perf_counter()
workbook_bytes(tables)
f = time.perf_counter()
# Only after the report's steps (so that its garbage is not mixed with the profiled builds'): each chapter
# built once more under cProfile for the share of its build spent inside matplotlib.
build_mpl_s = build_own_s = 0.0
for module, seconds in zip(render.CHAPTERS, build_s):
    prof = cProfile.Profile()
    prof.enable()
    with building():
        module.build(ctx)
    prof.disable()
    stats = pstats.Stats(prof).stats
    drawing = lambda path: any(d in path for d in DRAWING)
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    # Inclusive: every call from our code (or pandas, numpy...) into matplotlib, with all it calls (numpy,
    # builtins); the drawing libraries' own lines alone would leave their numpy work in the compute.
    mpl = sum(ct for fn, (*_, callers) in stats.items() if drawing(fn[0])
              for caller, (_, _, _, ct) in callers.items() if not drawing(caller[0]))
    own = sum(tt for (path, _, _), (_, _, tt, _, _) in stats.items() if drawing(path))
    build_mpl_s += seconds * mpl / total
    build_own_s += seconds * own / total
build_s = sum(build_s)
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "chapters": build_s - build_mpl_s,
                  "figures": build_mpl_s, "figures_own": build_own_s, "save": save_s, "documents": e - d,
                  "excel": f - e}))
"""


def cli_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m energytrade``."""
    script = Path(sys.executable).with_name("energytrade")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "energytrade"]


def _env(tree: str | None) -> dict[str, str]:
    """The environment of a child: this tree's, or a baseline checkout's package first on the path."""
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (tree, env.get("PYTHONPATH")) if p)
    return env


def run_once(args: list[str], tree: str | None = None) -> tuple[float, float]:
    """Run the CLI once (of ``tree`` if given); return (wall time [s], peak RSS of this child [MiB])."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cli_command() + args, capture_output=True, text=True, env=_env(tree), cwd=tree)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"energytrade {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far [KiB on Linux, bytes on macOS]: it is
    # exact for a child that sets a new maximum, a lower bound otherwise.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    per_mib = 1024 * 1024 if sys.platform == "darwin" else 1024
    return wall, peak / per_mib


def _line(name: str, walls: list[float], peaks: list[float]) -> str:
    return (
        f"energytrade {name:<16} min {min(walls):6.2f} s   median {statistics.median(walls):6.2f} s   "
        f"peak RSS {max(peaks):6.0f} MiB   ({len(walls)} runs)"
    )


def bench(name: str, args: list[str], repeat: int, baseline: str | None = None) -> float:
    """Median wall time of this tree's runs; with ``baseline``, each run is followed by the baseline's."""
    runs: dict[str | None, list[tuple[float, float]]] = {None: [], baseline: []} if baseline else {None: []}
    for _ in range(repeat):
        for tree in runs:
            runs[tree].append(run_once(args, tree))
    medians = {}
    for tree, results in runs.items():
        walls, peaks = [r[0] for r in results], [r[1] for r in results]
        print(_line(f"{name} ({'baseline' if tree else 'this tree'})" if baseline else name, walls, peaks))
        medians[tree] = (statistics.median(walls), min(walls))
    if baseline:
        (med, low), (base_med, base_low) = medians[None], medians[baseline]
        print(f"  {name}: baseline / this tree = {base_med / med:.2f}x (medians), {base_low / low:.2f}x (minimums)")
    return medians[None][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument("--data-dir", default=None, help="data root passed to both commands")
    parser.add_argument("--baseline", default=None, help="a checkout of an older commit to run side by side")
    opts = parser.parse_args(argv)
    if opts.baseline:
        opts.baseline = str(Path(opts.baseline).resolve())
    data = ["--data-dir", opts.data_dir] if opts.data_dir else []
    print(f"{' '.join(cli_command())} on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    out = Path(tempfile.mkdtemp(prefix="energytrade-bench-"))
    try:
        bench("build", ["build", *data], opts.repeat, opts.baseline)
        median = bench("report", ["report", *data, "--out", str(out / "report")], opts.repeat, opts.baseline)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    verdict = "within" if median <= TARGET_S else "OVER"
    print(f"report median {median:.2f} s: {verdict} the {TARGET_S:g} s target")
    split(opts.data_dir)
    if opts.baseline:
        split(opts.data_dir, opts.baseline)
    return 0


def split(data_dir: str | None, tree: str | None = None) -> None:
    """Print imports / compute / drawing of one report's steps run one after another in one process."""
    done = subprocess.run(
        [sys.executable, "-c", SPLIT_SCRIPT, data_dir or ""], capture_output=True, text=True, env=_env(tree), cwd=tree
    )
    if done.returncode != 0:
        if tree:  # an older tree may lack the functions the split calls
            print(f"split (baseline): not measurable on this tree ({done.stderr.strip().splitlines()[-1]})")
            return
        raise SystemExit(f"split run failed:\n{done.stderr}")
    f = json.loads(done.stdout.strip().splitlines()[-1])
    compute = f["load"] + f["chapters"] + f["documents"] + f["excel"]
    drawing = f["figures"] + f["save"]
    verdict = "within" if compute <= COMPUTE_TARGET_S else "OVER"
    print(
        f"split{' (baseline)' if tree else ''} (one process): imports {f['imports']:.2f} s; compute {compute:.2f} s "
        f"(loading the table {f['load']:.2f}, chapters' tables and text {f['chapters']:.2f}, Markdown and HTML "
        f"{f['documents']:.2f}, Excel {f['excel']:.2f}); drawing {drawing:.2f} s (making the figures "
        f"{f['figures']:.2f}, saving the PNGs {f['save']:.2f}); compute {verdict} the {COMPUTE_TARGET_S:g} s target"
    )
    # The earlier measure, for comparison with figures printed before 2026-12-06's second session.
    print(
        f"  (with only the drawing libraries' own lines counted as making the figures, {f['figures_own']:.2f} s, "
        f"compute would read {compute + f['figures'] - f['figures_own']:.2f} s)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
