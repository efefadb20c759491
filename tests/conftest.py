"""Shared test helpers. No test touches the network."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from energytrade.build import build, load_trade_flows
from energytrade.sources import eurostat_coifpm

REPO = Path(__file__).resolve().parents[1]
BUNDLED_RAW = REPO / "data" / "raw"


#: The repo's own data root's processed/ folder: the default data root that analyses of the bundled data read.
BUNDLED_PROCESSED = BUNDLED_RAW.parent / "processed"


#: Test files and notebooks from the slowest down (seconds of setup + call + teardown summed per file by
#: `--durations=0`, in a two-process `make test` on 2026-12-05, each about 17 s down to 1.5 s). The items are
#: sorted in this order, so pytest-xdist (`--dist loadfile --no-loadscope-reorder`, the Makefile) hands out
#: the long files first and the two processes end together on the short ones; files not named follow in
#: collection order. Re-measure after adding a slow file.
SLOWEST_FILES = (
    "tests/test_report.py",
    "tests/test_build.py",
    "tests/test_cli_errors.py",
    "tests/test_report_escaping.py",
    "tests/test_comtrade_store.py",
    "tests/test_bundled_data.py",
    "tests/test_report_browser.py",
    "tests/test_eurostat_coifpm.py",
    "notebooks/02_russia_largest_oil_supplier.ipynb",
    "tests/test_report_importer.py",
    "tests/test_analysis_europe.py",
    "notebooks/04_claims_report.ipynb",
    "notebooks/03_gas_and_energy_from_russia.ipynb",
    "tests/test_comtrade_fetch.py",
    "tests/test_reference_carry.py",
    "tests/test_baci.py",
    "tests/test_report_display.py",
    "notebooks/05_europe_and_the_redirection.ipynb",
    "notebooks/01_data_and_sources.ipynb",
    "tests/test_report_excel.py",
    "tests/test_claims_output.py",
    "tests/test_report_chapters_claims.py",
    "tests/test_raw.py",
    "tests/test_claims_bundled.py",
    "tests/test_claims.py",
    "tests/test_claims_rules.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the files of :data:`SLOWEST_FILES` first, slowest first; a file's own items keep their order."""
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Build Eurostat's grade table of the repo's data root (about 13 s) once, before any test, unless it is
    current already (a warm run). Done here, by the main process only, so that pytest-xdist's workers find it
    built and never write it at the same time; tests only read it."""
    if not hasattr(session.config, "workerinput"):
        eurostat_coifpm.ensure_store(BUNDLED_RAW, BUNDLED_PROCESSED)


@pytest.fixture(scope="session")
def eurostat_grade_table() -> Path:
    """Eurostat's grade table of the repo's data root (built from the bundled raw file at session start), for
    :func:`data_copy` to copy: every build of a copy would otherwise rebuild it. Read-only."""
    return eurostat_coifpm.ensure_store(BUNDLED_RAW, BUNDLED_PROCESSED)


@pytest.fixture
def data_copy(tmp_path: Path, eurostat_grade_table: Path) -> Path:
    """A throwaway copy of the bundled data root, for tests that alter or add files: raw/, plus Eurostat's
    grade table already built from the same raw file (a build checks its sha256 stamp and keeps it)."""
    root = tmp_path / "data"
    shutil.copytree(BUNDLED_RAW, root / "raw")
    shutil.copytree(eurostat_grade_table, root / "processed" / eurostat_grade_table.name)
    return root


@pytest.fixture(scope="session")
def built_data_root(tmp_path_factory, eurostat_grade_table) -> Path:
    """A copy of the bundled data root with every bundled source built once per test session (a full build
    takes a few seconds). Read-only: tests that alter or build it take :func:`built_copy` instead."""
    root = tmp_path_factory.mktemp("built") / "data"
    shutil.copytree(BUNDLED_RAW, root / "raw")
    shutil.copytree(eurostat_grade_table, root / "processed" / eurostat_grade_table.name)
    build(root)
    return root


@pytest.fixture
def built_copy(tmp_path: Path, built_data_root: Path) -> Path:
    """A throwaway copy of :func:`built_data_root`, for tests that start from a built store (its manifest names
    raw files relative to the root by sha256, so a build of the copy finds it up to date)."""
    root = tmp_path / "data"
    shutil.copytree(built_data_root, root)
    return root


@dataclass(frozen=True)
class BundledReport:
    """The report on the bundled data as :func:`energytrade.report.render.write_report` wrote it."""

    #: The folder holding report.md, report.html, the workbook, figures/ and tables/.
    out: Path
    #: Every file written, in the writer's order.
    written: list[Path]
    #: The writer's progress lines.
    progress: list[str]


def _write_bundled_report(out: Path) -> BundledReport:
    from energytrade.report import render  # here: a run of one small test file need not import the renderer

    progress: list[str] = []
    written = render.write_report(out_dir=out, progress=progress.append, flows=load_trade_flows())
    return BundledReport(out, written, progress)


@pytest.fixture(scope="session")
def bundled_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BundledReport:
    """The report on the bundled data in every format, written once per test session (about 13 s of CPU) for
    tests/test_report.py and tests/test_report_browser.py. Read-only.

    Under pytest-xdist the two files may run in different processes: the first to ask writes the report into
    the session's folder shared by all workers (the parent of each worker's base temp folder) under a file
    lock, the others wait for the lock and read what it wrote (pytest-xdist's recipe for "making
    session-scoped fixtures execute only once")."""
    if not hasattr(request.config, "workerinput"):
        return _write_bundled_report(tmp_path_factory.mktemp("bundled_report"))
    shared = tmp_path_factory.getbasetemp().parent
    out, done = shared / "bundled_report", shared / "bundled_report.json"
    with FileLock(shared / "bundled_report.lock"):
        if not done.is_file():
            report = _write_bundled_report(out)
            names = [path.relative_to(out).as_posix() for path in report.written]
            done.write_text(json.dumps({"written": names, "progress": report.progress}), encoding="utf-8")
    record = json.loads(done.read_text(encoding="utf-8"))
    return BundledReport(out, [out / name for name in record["written"]], record["progress"])


@pytest.fixture(autouse=True)
def _no_data_dir_env(monkeypatch):
    """Tests start from the default data root unless they set ENERGYTRADE_DATA_DIR themselves."""
    monkeypatch.delenv("ENERGYTRADE_DATA_DIR", raising=False)


# ------------------------------------------------------------------ tests that need ../shared

#: The workspace folder beside the repo holding the reference collection and the article's text. Tests that
#: read it skip without it, and the run ends with a warning naming them (never a silent skip).
#: ``ENERGYTRADE_SHARED_DIR`` points elsewhere (the guard's own test points it at a missing folder).
SHARED = Path(os.environ.get("ENERGYTRADE_SHARED_DIR") or REPO.parent / "shared")
#: Every skip for a missing shared folder says this, so the end of the run can count and name them.
SHARED_MISSING = "../shared missing"
#: Skip reasons of tests written before :func:`needs_shared` that also mean "../shared is missing"
#: (tests/test_claims.py's check of the quotes against ../shared/article.txt).
_OLDER_SHARED_REASONS = ("the article text is kept outside the repo",)


def needs_shared(relative: str) -> pytest.MarkDecorator:
    """Mark for a test that reads ``../shared/<relative>``: skipped, with a reason naming the path, when missing."""
    path = SHARED / relative
    return pytest.mark.skipif(not path.exists(), reason=f"{SHARED_MISSING}: no {path} beside the repo")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def pytest_terminal_summary(terminalreporter) -> None:
    """End the run with a warning line naming every test skipped because ../shared is missing."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if any(reason in _skip_reason(report) for reason in (SHARED_MISSING, *_OLDER_SHARED_REASONS))
    ]
    if not skipped:
        return
    terminalreporter.write_sep(
        "!",
        f"WARNING: {len(skipped)} tests skipped, {SHARED_MISSING} ({SHARED}): put the workspace's shared folder "
        "beside the repo to run them",
        yellow=True,
        bold=True,
    )
    for report in skipped:
        terminalreporter.write_line(f"  skipped: {report.nodeid} ({_skip_reason(report).removeprefix('Skipped: ')})")
