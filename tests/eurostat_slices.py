"""Slices of the real Eurostat file, cut with the standard library (gzip + csv), not with DuckDB, so that the
tests check energytrade's DuckDB reading against an independent reading of the same bytes."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from pathlib import Path

from conftest import BUNDLED_RAW

from energytrade.raw import write_sidecar

EUROSTAT_GZ = BUNDLED_RAW / "eurostat_coifpm" / "2026-11-27" / "nrg_ti_coifpm.csv.gz"
HEADER = "DATAFLOW,LAST UPDATE,freq,crudeoil,indic_nrg,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"


def scan(keep: Callable[[list[str]], bool]) -> tuple[list[tuple[int, list[str]]], set[str]]:
    """Every data row (1-based row number, fields) that ``keep`` accepts, and every ``crudeoil`` code seen.

    The file has no quoted fields (no field holds a comma or a quote), so a line splits on commas.
    """
    rows: list[tuple[int, list[str]]] = []
    codes: set[str] = set()
    with gzip.open(EUROSTAT_GZ, "rt", encoding="utf-8", newline="") as handle:
        assert handle.readline().rstrip("\r\n") == HEADER
        for n, line in enumerate(handle, start=1):
            fields = line.rstrip("\r\n").split(",")
            codes.add(fields[3])
            if keep(fields):
                rows.append((n, fields))
    return rows, codes


def write_slice(raw_root: Path, rows: list[list[str]], *, vintage: str = "2026-11-27") -> Path:
    """A raw folder holding a gzip file of ``rows`` in the real file's layout, with its sidecar."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    writer.writerows(rows)
    path = raw_root / "eurostat_coifpm" / vintage / "nrg_ti_coifpm.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    write_sidecar(path, {"source": "eurostat_coifpm", "title": "test slice of the real file", "notes": []})
    return path


def value(fields: list[str]) -> float | None:
    """A row's OBS_VALUE as a float, or None when empty (missing is not zero)."""
    return float(fields[7]) if fields[7] != "" else None
