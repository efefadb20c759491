"""Shared test helpers. No test touches the network."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from energytrade.build import build
from energytrade.sources import eurostat_coifpm

REPO = Path(__file__).resolve().parents[1]
BUNDLED_RAW = REPO / "data" / "raw"


#: The repo's own data root's processed/ folder: the default data root that analyses of the bundled data read.
BUNDLED_PROCESSED = BUNDLED_RAW.parent / "processed"


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
