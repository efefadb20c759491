"""Build the clean table from every source's raw files: ``data/processed/trade_flows.csv`` (+ Parquet).

``load_trade_flows()`` is what scripts, the report and the notebooks call: it verifies every raw file's
checksum and cleans it in memory (a second or so), so results never come from a stale processed file.
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from energytrade.errors import RawFileMissing
from energytrade.paths import DataPaths, data_paths
from energytrade.raw import write_atomic
from energytrade.schema import COLUMNS, NUMERIC_COLUMNS, conform, empty_frame, sort_rows, validate

#: Source modules under energytrade.sources, in build order. Adding a source is adding its module here.
SOURCE_NAMES: tuple[str, ...] = ("comtrade_extract", "gacc_query", "gacc_press", "comtrade")


def clean_all(raw_root: Path, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Every source cleaned, concatenated, validated and in canonical order."""
    parts = []
    for name in SOURCE_NAMES:
        module = importlib.import_module(f"energytrade.sources.{name}")
        part = module.clean(raw_root)
        if progress:
            progress(f"cleaned {name}: {len(part)} rows")
        parts.append(part)
    parts = [p for p in parts if len(p)]
    table = pd.concat(parts, ignore_index=True) if parts else empty_frame()
    return sort_rows(validate(conform(table)))


def load_trade_flows(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The clean table of the data root (see ``energytrade.paths``), built from verified raw files.

    Examples
    --------
    >>> flows = load_trade_flows()                                   # doctest: +SKIP
    >>> flows.query("commodity == 'crude_oil' and period == '2022-12'")  # doctest: +SKIP
    """
    return clean_all(_raw_root(data_dir))


def _raw_root(data_dir: str | os.PathLike | None) -> Path:
    """The data root's raw/ folder; an error if there is none (nothing to analyse)."""
    paths = data_paths(data_dir)
    if not paths.raw.is_dir():
        raise RawFileMissing(
            f"no raw/ folder in the data root {str(paths.raw.parent)!r}: nothing to build. Point --data-dir "
            "(or ENERGYTRADE_DATA_DIR) at a folder holding raw/, or fetch data into it (energytrade fetch)"
        )
    return paths.raw


def to_csv_text(table: pd.DataFrame) -> str:
    """The clean table as CSV text (floats in full precision, missing as empty)."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_trade_flows(table: pd.DataFrame, paths: DataPaths) -> tuple[Path, Path]:
    """Write the validated table to ``processed/trade_flows.csv`` and ``.parquet`` (atomically)."""
    validate(table)
    paths.processed.mkdir(parents=True, exist_ok=True)
    csv_path = write_atomic(paths.trade_flows_csv, to_csv_text(table))
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    parquet_path = write_atomic(paths.trade_flows_parquet, buffer.getvalue())
    return csv_path, parquet_path


def read_trade_flows(path: str | os.PathLike) -> pd.DataFrame:
    """Read a written ``trade_flows.csv`` back with the clean dtypes."""
    dtypes = {c: str for c in COLUMNS if c not in NUMERIC_COLUMNS and c != "is_weight_estimated"}
    table = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in NUMERIC_COLUMNS})
    table["is_weight_estimated"] = (
        table["is_weight_estimated"].replace("", pd.NA).map({"True": True, "False": False}, na_action="ignore")
    )
    return validate(conform(table))


def build(data_dir: str | os.PathLike | None = None, progress: Callable[[str], None] | None = None):
    """Clean every source of the data root and write the processed files; returns (table, csv, parquet)."""
    paths = data_paths(data_dir)
    table = clean_all(_raw_root(data_dir), progress)
    csv_path, parquet_path = write_trade_flows(table, paths)
    return table, csv_path, parquet_path
