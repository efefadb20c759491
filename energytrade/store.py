"""The columnar store: the clean table as Parquet under ``<data root>/processed/``, queried with DuckDB.

Layout (hive-style, so DuckDB, Polars, pyarrow, Spark or Dask open it as it is)::

    processed/source=<name>/part.parquet                  small sources, one file
    processed/source=<name>/year=<YYYY>/part-<n>.parquet   large sources (``registry.Source.large``)
    processed/_manifest.json                             what each partition was built from

The files hold the clean-schema columns (``energytrade.schema``) except the partition keys, which are
the folder names (``source``, and ``year`` for large sources). Every frame is validated by the pandera
schema before it is written.

Writes are atomic per source: a source's new partitions are written in a hidden staging folder and
renamed into place, so a reader (or an interrupted build) never sees half a partition. The manifest
records each source's raw-file fingerprint (sidecar sha256 of every raw file, plus the cleaner's code),
so a build rebuilds only what changed.

Examples
--------
>>> from energytrade import store
>>> store.flows(reporter="CHN", partner="RUS", commodity="crude_oil", start="2022-01", end="2022-12",
...             source="comtrade_extract")                                         # doctest: +SKIP
>>> store.totals(["reporter_iso3"], partner="RUS", commodity="crude_oil", source="baci")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from energytrade.database import connection
from energytrade.errors import AmbiguousFigures, StoreError, UnknownMetric
from energytrade.paths import DataPaths, data_paths
from energytrade.raw import write_atomic
from energytrade.schema import COLUMNS, NUMERIC_COLUMNS, conform, empty_frame, sort_rows, validate
from energytrade.sources import registry

MANIFEST = "_manifest.json"
PART_FILE = "part.parquet"
#: the columns kept in the files: every clean column but the ``source`` partition key
FILE_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != "source")
#: the clean-schema dtypes as Arrow types (so an empty partition has the same schema as a full one)
_ARROW_TYPES = {
    **{c: pa.string() for c in COLUMNS},
    **{c: pa.float64() for c in NUMERIC_COLUMNS},
    "is_weight_estimated": pa.bool_(),
}
ARROW_SCHEMA = pa.schema([(c, _ARROW_TYPES[c]) for c in FILE_COLUMNS])
#: the metrics :func:`totals` can sum
SUMMABLE = ("net_weight_kg", "volume_bcm", "value_usd")
_FILTERS = {"reporter": "reporter_iso3", "partner": "partner_iso3", "commodity": "commodity", "flow": "flow"}


# --- paths and manifest -----------------------------------------------------------------------------


def source_dir(processed: Path, name: str) -> Path:
    """``processed/source=<name>``."""
    return Path(processed) / f"source={name}"


def read_manifest(processed: Path) -> dict[str, Any]:
    """The manifest (``{"sources": {name: entry}}``); empty if none was written yet."""
    path = Path(processed) / MANIFEST
    if not path.is_file():
        return {"sources": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StoreError(
            f"store manifest {str(path)!r} is unreadable ({err}); delete it and run energytrade build"
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sources"), dict):
        raise StoreError(f"store manifest {str(path)!r} is malformed; delete it and run energytrade build")
    return manifest


def write_manifest(processed: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically."""
    text = json.dumps(manifest, indent=1, sort_keys=True)
    return write_atomic(Path(processed) / MANIFEST, text + "\n")


# --- writing ----------------------------------------------------------------------------------------


def _table(frame: pd.DataFrame) -> pa.Table:
    """A validated clean frame -> an Arrow table of the file columns (no pandas index)."""
    return pa.Table.from_pandas(frame[list(FILE_COLUMNS)], schema=ARROW_SCHEMA, preserve_index=False)


class SourceWriter:
    """Writes one source's partitions into a staging folder; :meth:`commit` renames them into place.

    Use as a context manager: leaving it by an exception removes the staging folder and leaves the
    store as it was.

    >>> with SourceWriter(processed, "gacc_query") as writer:     # doctest: +SKIP
    ...     writer.write(frame)
    ...     writer.commit(entry)
    """

    def __init__(self, processed: Path, name: str):
        self.processed = Path(processed)
        self.name = name
        self.large = registry.get(name).large if name in registry.NAMES else False
        self.staging = self.processed / f".staging-{name}-{uuid.uuid4().hex[:8]}"
        self.rows = 0
        self._parts: dict[str, int] = {}

    def __enter__(self) -> SourceWriter:
        self.staging.mkdir(parents=True, exist_ok=False)
        return self

    def __exit__(self, *exc_info) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def write(self, frame: pd.DataFrame, year: str | int | None = None) -> None:
        """Validate ``frame`` (clean schema, this source only) and write it as one Parquet file.

        Large sources need ``year`` (the partition); several calls with one year write several files.
        """
        if self.large and year is None:
            raise StoreError(f"source {self.name!r} is partitioned by year: write() needs year=")
        frame = validate(conform(frame))
        others = sorted(set(frame["source"]) - {self.name})
        if others:
            raise StoreError(f"rows of source(s) {others} handed to the writer of {self.name!r}")
        folder = self.staging if year is None else self.staging / f"year={int(year):04d}"
        folder.mkdir(exist_ok=True)
        key = str(folder)
        n = self._parts.get(key, 0)
        self._parts[key] = n + 1
        name = PART_FILE if year is None else f"part-{n:05d}.parquet"
        if year is None and n:
            raise StoreError(f"source {self.name!r} is not partitioned by year: write it in one call")
        pq.write_table(_table(frame), folder / name, compression="zstd")
        self.rows += len(frame)

    def commit(self, entry: dict[str, Any]) -> Path:
        """Swap the staged partitions in for the source's current ones and record ``entry`` in the manifest."""
        if not self._parts and not self.large:
            self.write(empty_frame().assign(source=self.name))
        target = source_dir(self.processed, self.name)
        old = self.processed / f".old-{self.name}-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, old)
        os.replace(self.staging, target)
        shutil.rmtree(old, ignore_errors=True)
        manifest = read_manifest(self.processed)
        manifest["sources"][self.name] = {**entry, "rows": self.rows}
        write_manifest(self.processed, manifest)
        return target


def write_source(processed: Path, name: str, frame: pd.DataFrame, entry: dict[str, Any]) -> Path:
    """Replace a small source's partition with ``frame`` (validated) and record ``entry``."""
    with SourceWriter(processed, name) as writer:
        writer.write(frame)
        return writer.commit(entry)


def drop_source(processed: Path, name: str) -> None:
    """Remove a source's partitions and its manifest entry (e.g. its raw files were removed on purpose)."""
    target = source_dir(processed, name)
    if target.exists():
        old = Path(processed) / f".old-{name}-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    manifest = read_manifest(processed)
    if manifest["sources"].pop(name, None) is not None:
        write_manifest(processed, manifest)


def remove_stale_staging(processed: Path) -> None:
    """Remove staging and old folders an interrupted build left behind (never visible to readers)."""
    processed = Path(processed)
    if processed.is_dir():
        for path in processed.iterdir():
            if path.is_dir() and (path.name.startswith(".staging-") or path.name.startswith(".old-")):
                shutil.rmtree(path, ignore_errors=True)


# --- reading ----------------------------------------------------------------------------------------


def stored_sources(processed: Path) -> list[str]:
    """Sources with partitions in the store, in registry order (then any others by name)."""
    processed = Path(processed)
    found = {p.name.split("=", 1)[1] for p in processed.glob("source=*") if p.is_dir()} if processed.is_dir() else set()
    order = {name: i for i, name in enumerate(registry.NAMES)}
    return sorted(found, key=lambda n: (order.get(n, len(order)), n))


def _sql_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _scan(processed: Path, name: str) -> str:
    folder = source_dir(processed, name)
    if registry.get(name).large if name in registry.NAMES else any(folder.glob("year=*")):
        files = _sql_text((folder / "year=*" / "*.parquet").as_posix())
        return (
            # Hive partitioning reads every key=value folder of the path, ``source=`` included: keep the file
            # columns and name the source once.
            f"SELECT {_sql_text(name)} AS source, {', '.join(FILE_COLUMNS)} "
            f"FROM read_parquet({files}, hive_partitioning=true)"
        )
    files = _sql_text((folder / "*.parquet").as_posix())
    return f"SELECT {_sql_text(name)} AS source, * FROM read_parquet({files}, hive_partitioning=false)"


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _where(filters: dict[str, Any], start: str | None, end: str | None, freq: str | None) -> tuple[str, list]:
    clauses, params = [], []
    for argument, column in _FILTERS.items():
        values = _as_list(filters.get(argument))
        if values is not None:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if freq is not None:
        clauses.append("freq = ?")
        params.append(freq)
    # Periods compare as text: "2022" < "2022-01" < "2022-12" < "2023", so a year bound works for months too.
    if start is not None:
        clauses.append("period >= ?")
        params.append(str(start))
    if end is not None:
        clauses.append("(period <= ? OR starts_with(period, ?))")
        params.extend([str(end), str(end)])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _relation(processed: Path, source: str | Iterable[str] | None, start: str | None, end: str | None) -> str:
    """The UNION of the asked sources' scans (a large source reads only the years in [start, end])."""
    names = _as_list(source)
    present = stored_sources(processed)
    if names is None:
        names = present
    missing = [n for n in names if n not in present]
    if missing:
        raise StoreError(
            f"no partitions for source(s) {missing} in {str(processed)!r}; run energytrade build "
            f"(or energytrade import baci for BACI); stored: {present or 'none'}"
        )
    scans = []
    for name in names:
        if not any(source_dir(processed, name).rglob("*.parquet")):
            continue  # a source stored with no rows (e.g. a release with nothing in the chosen HS codes)
        scan = _scan(processed, name)
        if "hive_partitioning=true" in scan and (start or end):
            bounds = []
            if start:
                bounds.append(f"year >= {int(str(start)[:4])}")
            if end:
                bounds.append(f"year <= {int(str(end)[:4])}")
            scan += " WHERE " + " AND ".join(bounds)
        scans.append(scan)
    if not scans:
        return "SELECT * FROM empty_clean_table"
    return " UNION ALL BY NAME ".join(f"({s})" for s in scans)


def _connect(sql: str) -> duckdb.DuckDBPyConnection:
    """A connection (:func:`energytrade.database.connection`) for ``sql``, which knows an empty clean table if ``sql`` reads it (a
    selection without files; registering it costs more than most reads, so only then)."""
    con = connection()
    if "empty_clean_table" in sql:
        con.register("empty_clean_table", empty_frame())
    return con


def flows(
    reporter: str | Iterable[str] | None = None,
    partner: str | Iterable[str] | None = None,
    commodity: str | Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    source: str | Iterable[str] | None = None,
    freq: str | None = None,
    flow: str | Iterable[str] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Rows of the clean table from the store, filtered inside DuckDB; a pandas frame in the clean schema.

    Parameters
    ----------
    reporter, partner : str or list of str, optional
        ISO3 codes (``reporter_iso3``, ``partner_iso3``).
    commodity : str or list of str, optional
        Clean commodity names (``crude_oil``, ...).
    start, end : str, optional
        Inclusive period bounds, ``YYYY`` or ``YYYY-MM`` (compared as text: ``end="2022"`` keeps 2022's
        months too).
    source : str or list of str, optional
        Registered source names; default every stored source.
    freq : str, optional
        ``M``, ``A`` or ``YTD``.
    flow : str or list of str, optional
        ``import`` or ``export``.
    data_dir : path, optional
        The data root (see ``energytrade.paths``).

    Returns
    -------
    pandas.DataFrame
        Clean-schema columns and dtypes, in the canonical row order.
    """
    processed = data_paths(data_dir).processed
    filters = {"reporter": reporter, "partner": partner, "commodity": commodity, "flow": flow}
    where, params = _where(filters, start, end, freq)
    sql = f"SELECT * FROM ({_relation(processed, source, start, end)}){where}"
    with _connect(sql) as con:
        # Fetched as Arrow: a quarter faster than DuckDB's own pandas conversion; conform gives the dtypes.
        frame = con.sql(sql, params=params).to_arrow_table().to_pandas()
    if frame.empty:
        return empty_frame()
    return sort_rows(conform(frame))


def totals(
    by: Sequence[str],
    metric: str | Sequence[str] = SUMMABLE,
    *,
    reporter: str | Iterable[str] | None = None,
    partner: str | Iterable[str] | None = None,
    commodity: str | Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    source: str | Iterable[str] | None = None,
    freq: str | None = None,
    flow: str | Iterable[str] | None = None,
    include_world: bool = False,
    data_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Sums of figures grouped by ``by`` (e.g. ``["reporter_iso3", "period"]``), computed inside DuckDB.

    Missing is not zero: each metric's sum is over the rows that have it, ``n_rows`` counts the rows of the
    group and ``n_<metric>`` the rows that carry the metric, so a sum with ``n_<metric> < n_rows`` is a
    lower bound; a group where no row has the metric gets NaN, not 0. ``WLD`` rows (a reporter's total
    over all partners) are left out unless ``include_world`` is set, so totals never double count.

    Raises
    ------
    AmbiguousFigures
        If the selection holds several rows for one figure (e.g. press outlets quoting one month).
    UnknownMetric
        If ``metric`` is not one of :data:`SUMMABLE` or ``by`` names an unknown column.
    """
    metrics = [metric] if isinstance(metric, str) else list(metric)
    bad = [m for m in metrics if m not in SUMMABLE] + [c for c in by if c not in COLUMNS]
    if bad:
        raise UnknownMetric(f"cannot sum or group by {bad}; sums: {', '.join(SUMMABLE)}; groups: clean columns")
    processed = data_paths(data_dir).processed
    filters = {"reporter": reporter, "partner": partner, "commodity": commodity, "flow": flow}
    where, params = _where(filters, start, end, freq)
    if not include_world:
        where += (" AND " if where else " WHERE ") + "partner_iso3 <> 'WLD'"
    relation = f"(SELECT * FROM ({_relation(processed, source, start, end)}){where})"
    key = "source, reporter_iso3, partner_iso3, flow, hs_code, period, freq"
    groups = ", ".join(by)
    sums = ", ".join(f"sum({m}) AS {m}, count({m}) AS n_{m}" for m in metrics)
    cte = f"WITH selected AS (SELECT * FROM {relation}) "
    with _connect(cte) as con:
        (duplicated,) = con.execute(cte + f"SELECT count(*) - count(DISTINCT ({key})) FROM selected", params).fetchone()
        if duplicated:
            raise AmbiguousFigures(
                f"{duplicated} row(s) repeat a figure another row already gives (same source, reporter, partner, "
                "flow, HS code and period: e.g. several press outlets); choose one source without repeats"
            )
        select = f"{groups + ', ' if groups else ''}count(*) AS n_rows, {sums}"
        group_by = f" GROUP BY {groups} ORDER BY {groups}" if groups else ""
        return con.execute(cte + f"SELECT {select} FROM selected{group_by}", params).fetch_df()


def processed_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data root's ``processed/`` folder (where the store lives)."""
    paths: DataPaths = data_paths(data_dir)
    return paths.processed
