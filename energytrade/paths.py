"""Where the data lives.

The data root holds ``raw/`` (bundled or fetched, never edited) and ``processed/`` (generated).
It is chosen, first match wins:

1. an explicit ``data_dir`` argument (the CLI's ``--data-dir``);
2. the environment variable ``ENERGYTRADE_DATA_DIR``;
3. the repository's ``data/`` when energytrade runs from a source checkout (editable install);
4. for an installed wheel: the raw data bundled inside the package, with ``processed/`` written to
   ``$XDG_CACHE_HOME/energytrade/processed`` (default ``~/.cache/energytrade/processed``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from energytrade.errors import DataDirNotFound

ENV_DATA_DIR = "ENERGYTRADE_DATA_DIR"
_PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = _PACKAGE_DIR.parent
_REPO_DATA = REPO_ROOT / "data"
_WHEEL_RAW = _PACKAGE_DIR / "_bundled" / "raw"


@dataclass(frozen=True)
class DataPaths:
    """The raw and processed folders of one data root."""

    raw: Path
    processed: Path

    @property
    def trade_flows_csv(self) -> Path:
        return self.processed / "trade_flows.csv"

    @property
    def trade_flows_parquet(self) -> Path:
        return self.processed / "trade_flows.parquet"


def data_paths(data_dir: str | os.PathLike | None = None) -> DataPaths:
    """Resolve the data root (see the module docstring for the order).

    Raises
    ------
    DataDirNotFound
        If an explicitly given directory (argument or environment) does not exist or is a file.
    """
    chosen = data_dir if data_dir is not None else os.environ.get(ENV_DATA_DIR) or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        origin = "--data-dir" if data_dir is not None else f"${ENV_DATA_DIR}"
        if root.exists() and not root.is_dir():
            raise DataDirNotFound(
                f"data directory {str(root)!r} (from {origin}) is a file, not a folder; point it at a folder "
                "holding raw/ (the bundled data is the repo's data/)"
            )
        if not root.is_dir():
            raise DataDirNotFound(
                f"data directory {str(root)!r} (from {origin}) does not exist; create it with a raw/ "
                "folder inside, or point it at a folder that has one (the bundled data is the repo's data/)"
            )
        return DataPaths(raw=root / "raw", processed=root / "processed")
    if (_REPO_DATA / "raw").is_dir():
        return DataPaths(raw=_REPO_DATA / "raw", processed=_REPO_DATA / "processed")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "energytrade" / "processed"
    return DataPaths(raw=_WHEEL_RAW, processed=cache)
