"""Shared test helpers. No test touches the network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED_RAW = REPO / "data" / "raw"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the bundled data root (raw/ only), for tests that alter or add files."""
    root = tmp_path / "data"
    shutil.copytree(BUNDLED_RAW, root / "raw")
    return root


@pytest.fixture(autouse=True)
def _no_data_dir_env(monkeypatch):
    """Tests start from the default data root unless they set ENERGYTRADE_DATA_DIR themselves."""
    monkeypatch.delenv("ENERGYTRADE_DATA_DIR", raising=False)
