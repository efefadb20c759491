"""Build the store: every registered source's raw files cleaned into Parquet under ``processed/``.

``energytrade build`` rebuilds only the sources whose raw files (or cleaning code) changed since the last
build, writes each source's partitions atomically (``energytrade.store``), and exports the small sources'
rows as ``processed/trade_flows.csv`` for spreadsheets.

``load_trade_flows()`` is what scripts, the report and the notebooks call for the small sources. It
reads the store when the store is current for every small source (:func:`store_is_current`: each raw
file's sidecar sha256, size and modification time are what the build that wrote the partition verified
and recorded, and the cleaning code is the same); otherwise it verifies every raw file's checksum and
cleans it in memory (a second or so), so results never come from a stale processed file. The cheap check
trusts a raw file rewritten with the same size and modification time without re-hashing it; the
incremental build (and the report's list of raw files) also compare the status-change time recorded when
the bytes were last hashed, which any rewrite moves, and hash the file again when it moved
(``energytrade build --force`` re-reads everything). Large sources (BACI) are read from the store with
``energytrade.store.flows``.

What a build expects (each failure is a one-line error naming the file; ``--allow-missing SOURCE``
lets a user who means it build without that source's files):

- every sidecar has its raw file beside it;
- the bundled sources come together: a data root holding any of their shipped files holds all of them (a
  root holding only files energytrade fetched, e.g. Eurostat answers, is not asked for the others);
- a source the store was built from before still has raw files;
- a newer vintage of a CSV file has at least half the data rows of the vintage it supersedes
  (:data:`MIN_VINTAGE_ROW_RATIO`): a re-pull that lost most of its rows is a broken download, not news.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from energytrade.errors import MissingSourceFiles, RawFileMissing, UnknownSource, VintageShrank
from energytrade.paths import DataPaths, data_paths
from energytrade.raw import (
    SIDECAR_SUFFIX,
    _is_fetched,
    lock_data_root,
    lock_timeout_from_env,
    read_sidecar,
    verify,
    write_atomic,
)
from energytrade.schema import (
    COLUMNS,
    NUMERIC_COLUMNS,
    conform,
    empty_frame,
    sort_rows,
    trade_flows_schema,
    validate,
)
from energytrade.sources import baci, registry
from energytrade.store import (
    SourceWriter,
    drop_source,
    flows,
    read_manifest,
    remove_stale_staging,
    source_dir,
    write_manifest,
    write_source,
)

#: A newer vintage of a CSV with fewer than this share of the rows of the one it supersedes fails the build.
MIN_VINTAGE_ROW_RATIO = 0.5
_CODE_FILES = (Path(__file__).with_name("schema.py"), Path(__file__).parent / "sources" / "__init__.py")

Progress = Callable[[str], None]


# --- what the raw store holds -----------------------------------------------------------------------


def _raw_files(raw_root: Path, name: str) -> list[Path]:
    """Every raw data file of a source (all vintages), by path; sidecars and hidden files left out."""
    folder = raw_root / name
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("*/*")
        if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX) and not p.name.startswith(".")
    )


def _orphan_sidecars(raw_root: Path, name: str) -> list[Path]:
    folder = raw_root / name
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.glob(f"*/*{SIDECAR_SUFFIX}") if not p.with_name(p.name[: -len(SIDECAR_SUFFIX)]).exists()
    )


def _data_rows(path: Path) -> int:
    with open(path, "rb") as handle:
        return max(sum(1 for line in handle if line.strip()) - 1, 0)


def _shrunk_vintages(files: list[Path]) -> list[str]:
    """``newer (n rows) supersedes older (m rows)`` for CSVs whose newest vintage lost over half its rows."""
    by_name: dict[str, list[Path]] = {}
    for path in files:
        if path.suffix.lower() == ".csv":
            by_name.setdefault(path.name, []).append(path)
    found = []
    for paths in by_name.values():
        if len(paths) < 2:
            continue
        older, newer = sorted(paths, key=lambda p: p.parent.name)[-2:]
        old_rows, new_rows = _data_rows(older), _data_rows(newer)
        if new_rows < MIN_VINTAGE_ROW_RATIO * old_rows:
            found.append(f"{newer} ({new_rows} rows) supersedes {older} ({old_rows} rows)")
    return found


def _has_shipped_files(raw_root: Path, name: str) -> bool:
    """Whether a source holds a raw file that came with the data root (not one energytrade fetched: a fetched
    file's sidecar names energytrade as its ``client``, as ``energytrade.raw`` tells fetched files apart)."""
    return any(not _is_fetched(read_sidecar(path)) for path in _raw_files(raw_root, name))


def check_expected(raw_root: Path, built_before: Iterable[str] = (), allow_missing: Iterable[str] = ()) -> None:
    """Fail on what a build must not pass over silently (see the module docstring).

    Raises
    ------
    RawFileMissing
        A sidecar whose raw file is gone.
    MissingSourceFiles
        A bundled source missing beside the others, or a source built before that has no raw files now.
    VintageShrank
        A newer vintage of a CSV with fewer than half the rows of the one it supersedes.
    UnknownSource
        ``allow_missing`` names a source that is not registered.
    """
    allowed = set(allow_missing)
    unknown = sorted(allowed - set(registry.NAMES))
    if unknown:
        raise UnknownSource(f"--allow-missing {unknown[0]}: not a registered source ({', '.join(registry.NAMES)})")
    present = {s.name for s in registry.SOURCES if _raw_files(raw_root, s.name)}
    for source in registry.SOURCES:
        if source.name in allowed:
            continue
        orphans = _orphan_sidecars(raw_root, source.name)
        if orphans:
            raise RawFileMissing(
                f"raw file {str(orphans[0])[: -len(SIDECAR_SUFFIX)]!r} is missing but its sidecar is there"
                f"{f' ({len(orphans) - 1} more)' if len(orphans) > 1 else ''}: restore the file, or run "
                f"energytrade build --allow-missing {source.name} if you removed it on purpose"
            )
    bundled = [s.name for s in registry.SOURCES if s.expected]
    # Only files that came with the data root call for the other bundled sources: a root holding just what
    # energytrade fetched (e.g. `energytrade fetch eurostat` into an empty root) is a legitimate root.
    shipped = {name for name in present & set(bundled) if _has_shipped_files(raw_root, name)}
    expected = (set(bundled) if shipped else set()) | set(built_before)
    for name in registry.NAMES:
        if name in expected and name not in present and name not in allowed:
            why = (
                "the other bundled sources are here"
                if name in bundled and shipped
                else "the store was built from it before"
            )
            raise MissingSourceFiles(
                f"source {name!r} has no raw files in {str(raw_root / name)!r} ({why}): restore the folder, or "
                f"run energytrade build --allow-missing {name} to build without it"
            )
    for name in sorted(present - allowed):
        shrunk = _shrunk_vintages(_raw_files(raw_root, name))
        if shrunk:
            raise VintageShrank(
                f"{shrunk[0]}: a newer vintage must keep at least {MIN_VINTAGE_ROW_RATIO:.0%} of the rows; check the "
                f"download, or run energytrade build --allow-missing {name} if the drop is real"
            )


# --- cleaning ---------------------------------------------------------------------------------------


def clean_all(raw_root: Path, progress: Progress | None = None, allow_missing: Iterable[str] = ()) -> pd.DataFrame:
    """Every small clean-schema source cleaned in memory, concatenated, validated, in canonical order."""
    check_expected(raw_root, allow_missing=allow_missing)
    parts = []
    for source in registry.clean_schema_sources():
        if source.large or not _raw_files(raw_root, source.name):
            continue
        part = source.function(source.cleaner)(raw_root)
        if progress:
            progress(f"cleaned {source.name}: {len(part)} rows")
        parts.append(part)
    parts = [p for p in parts if len(p)]
    table = pd.concat(parts, ignore_index=True) if parts else empty_frame()
    return sort_rows(validate(conform(table)))


def load_trade_flows(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The clean table of the data root's small sources (see ``energytrade.paths``), from verified raw files.

    Sources a build was told to do without (``--allow-missing``) are allowed here too. Large sources
    (BACI) are not included: ask the store (``energytrade.store.flows``).

    Examples
    --------
    >>> flows = load_trade_flows()                                   # doctest: +SKIP
    >>> flows.query("commodity == 'crude_oil' and period == '2022-12'")  # doctest: +SKIP
    """
    paths = data_paths(data_dir)
    manifest = read_manifest(paths.processed) if paths.processed.is_dir() else {"sources": {}}
    allowed = manifest.get("allow_missing", [])
    raw_root = _raw_root(data_dir)
    small = _small_sources_present(raw_root)
    if small and store_is_current(raw_root, paths.processed, manifest, small):
        check_expected(raw_root, allow_missing=allowed)
        return flows(source=small, data_dir=data_dir)
    return clean_all(raw_root, allow_missing=allowed)


def _small_sources_present(raw_root: Path) -> list[str]:
    """The small clean-schema sources with raw files in ``raw_root`` (what :func:`clean_all` cleans)."""
    return [s.name for s in registry.clean_schema_sources() if not s.large and _raw_files(raw_root, s.name)]


def store_is_current(raw_root: Path, processed: Path, manifest: dict[str, Any], names: Iterable[str]) -> bool:
    """Whether the store's partitions of ``names`` were built from exactly the raw files there now.

    Cheap (no raw file is read): for every source, its partition exists, the manifest lists the same raw
    files, and each file's size and modification time and its sidecar's sha256 are what the build recorded
    after verifying the file's bytes against that sha256; the cleaning code's digest is unchanged.
    """
    for name in names:
        entry = manifest["sources"].get(name)
        if not entry or not source_dir(processed, name).is_dir():
            return False
        source = registry.get(name)
        files = _raw_files(raw_root, name)
        known = entry.get("files", {})
        if sorted(known) != sorted(path.relative_to(raw_root).as_posix() for path in files):
            return False
        for path in files:
            seen = known[path.relative_to(raw_root).as_posix()]
            stat = path.stat()
            if (seen.get("size"), seen.get("mtime_ns")) != (stat.st_size, stat.st_mtime_ns):
                return False
            if seen.get("sha256") != read_sidecar(path).get("sha256"):
                return False
        if entry.get("code") != _code_digest(source):
            return False
    return True


def _raw_root(data_dir: str | os.PathLike | None) -> Path:
    """The data root's raw/ folder; an error if there is none (nothing to analyse)."""
    paths = data_paths(data_dir)
    if not paths.raw.is_dir():
        raise RawFileMissing(
            f"no raw/ folder in the data root {str(paths.raw.parent)!r}: nothing to build. Point --data-dir "
            "(or ENERGYTRADE_DATA_DIR) at a folder holding raw/, or fetch data into it (energytrade fetch)"
        )
    return paths.raw


# --- incremental build ------------------------------------------------------------------------------


def _code_digest(source: registry.Source) -> str:
    """sha256 over the source module's code and the schema's, so a changed cleaner rebuilds."""
    digest = hashlib.sha256()
    module_file = getattr(source.load(), "__file__", None)
    for path in (*_CODE_FILES, Path(module_file) if module_file else None):
        if path is not None and path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_state(path: Path, raw_root: Path, known: dict[str, Any]) -> dict[str, Any]:
    """A raw file's fingerprint: the sidecar's sha256, checked against the file's bytes unless its size,
    modification time and status-change time are what the last build saw (so unchanged large files are
    not re-read).

    The status-change time (``ctime_ns``) is recorded only for bytes that were checked at that time: any
    write to the file (or a reset of its modification time) moves it, so the report can trust a file whose
    three are as recorded without hashing it again (:func:`energytrade.inventory.provenance_table`).
    """
    rel = path.relative_to(raw_root).as_posix()
    stat = path.stat()
    meta = read_sidecar(path)
    if not is_verified(known.get(rel), stat, meta):
        meta = verify(path)
    return {
        "sha256": meta.get("sha256"),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
    }


def is_verified(seen: dict[str, Any] | None, stat: os.stat_result, meta: dict[str, Any]) -> bool:
    """Whether a manifest's record of a raw file (``seen``) vouches for its bytes now: the file's size,
    modification and status-change times are those recorded when its bytes were checked against the
    sidecar's sha256, and the sidecar still records that sha256."""
    return bool(
        seen
        and meta.get("sha256")
        and seen.get("sha256") == meta.get("sha256")
        and (seen.get("size"), seen.get("mtime_ns"), seen.get("ctime_ns"))
        == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    )


def fingerprint(raw_root: Path, source: registry.Source, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a source's partitions are built from: every raw file's state and the cleaning code's digest."""
    known = known or {}
    files = {
        path.relative_to(raw_root).as_posix(): _file_state(path, raw_root, known.get("files", {}))
        for path in _raw_files(raw_root, source.name)
    }
    return {"files": files, "code": _code_digest(source)}


def _same(entry: dict[str, Any] | None, current: dict[str, Any]) -> bool:
    if not entry or entry.get("code") != current["code"]:
        return False
    old = {k: v.get("sha256") for k, v in entry.get("files", {}).items()}
    return old == {k: v["sha256"] for k, v in current["files"].items()}


@dataclass
class BuildResult:
    """What a build did. Unpacks as ``table, csv_path, store_path`` (the report's and scripts' old form)."""

    table: pd.DataFrame
    csv_path: Path
    store_path: Path
    rebuilt: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter((self.table, self.csv_path, self.store_path))

    @property
    def up_to_date(self) -> bool:
        return not self.rebuilt


def build_source(raw_root: Path, processed: Path, source: registry.Source, entry: dict[str, Any]) -> int:
    """Clean one source into the store (atomically); returns the rows written.

    A source's own tables (``extra_writer``) are written first: its cleaner may read them (Eurostat's
    origin rows are sums over its grade table)."""
    if source.extra_writer:
        source.function(source.extra_writer)(raw_root, processed)
    if source.common_schema:
        cleaner = source.function(source.cleaner)
        if source.large:
            with SourceWriter(processed, source.name) as writer:
                for year, frame in cleaner(raw_root):
                    writer.write(frame, year=year)
                writer.commit(entry)
                rows = writer.rows
        else:
            frame = cleaner(raw_root)
            write_source(processed, source.name, frame, entry)
            rows = len(frame)
    else:  # only its own tables: record what they were built from, as a partition's commit does
        manifest = read_manifest(processed)
        manifest["sources"][source.name] = {**entry, "rows": 0}
        write_manifest(processed, manifest)
        rows = 0
    return rows


def build(
    data_dir: str | os.PathLike | None = None,
    progress: Progress | None = None,
    *,
    allow_missing: Iterable[str] = (),
    force: bool = False,
) -> BuildResult:
    """Clean the sources whose raw files changed into the store and export ``trade_flows.csv``.

    Parameters
    ----------
    data_dir : path, optional
        The data root (see ``energytrade.paths``).
    progress : callable, optional
        Called with one line per step ("cleaned gacc_query: 1,234 rows", "up to date").
    allow_missing : iterable of str
        Sources whose missing files (or shrunk vintages) are accepted.
    force : bool
        Rebuild every source even if nothing changed.

    Returns
    -------
    BuildResult
        ``table`` (the small sources' rows, as :func:`load_trade_flows` gives them), ``csv_path``,
        ``store_path`` (``processed/``), and which sources were rebuilt.
    """
    paths = data_paths(data_dir)
    raw_root = _raw_root(data_dir)
    with lock_data_root(raw_root.parent, timeout=lock_timeout_from_env(), what="build", notify=progress):
        return _build_locked(paths, raw_root, data_dir, progress, allow_missing, force)


def _build_locked(
    paths: DataPaths,
    raw_root: Path,
    data_dir: str | os.PathLike | None,
    progress: Progress | None,
    allow_missing: Iterable[str],
    force: bool,
) -> BuildResult:
    """:func:`build`'s work, run holding the data root's lock."""
    paths.processed.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(paths.processed)
    manifest = read_manifest(paths.processed)
    allowed = sorted(set(allow_missing))
    check_expected(raw_root, built_before=manifest["sources"], allow_missing=allowed)

    rebuilt, unchanged = [], []
    sources = list(registry.SOURCES)
    bar = tqdm(sources, desc="build", unit="source", disable=None, leave=False)
    for source in bar:
        bar.set_postfix_str(source.name)
        entry = manifest["sources"].get(source.name)
        if not _raw_files(raw_root, source.name):
            if entry is not None:  # allowed to be missing: its old partitions would be stale
                drop_source(paths.processed, source.name)
                rebuilt.append(source.name)
            continue
        current = fingerprint(raw_root, source, entry)
        stored = not source.common_schema or source_dir(paths.processed, source.name).is_dir()
        if not force and _same(entry, current) and stored:
            unchanged.append(source.name)
            if current["files"] != entry.get("files"):  # the same bytes, checked again (a new ctime_ns)
                manifest = read_manifest(paths.processed)
                manifest["sources"][source.name] = {**entry, "files": current["files"]}
                write_manifest(paths.processed, manifest)
            continue
        rows = build_source(raw_root, paths.processed, source, current)
        rebuilt.append(source.name)
        if progress and source.common_schema:
            progress(f"cleaned {source.name}: {rows:,} rows")
    bar.close()

    manifest = read_manifest(paths.processed)
    if manifest.get("allow_missing", []) != allowed:
        manifest["allow_missing"] = allowed
        write_manifest(paths.processed, manifest)
    small = [s.name for s in registry.clean_schema_sources() if not s.large and s.name in manifest["sources"]]
    table = flows(source=small, data_dir=data_dir) if small else empty_frame()
    if rebuilt or not paths.trade_flows_csv.is_file():
        write_trade_flows(table, paths)
    if progress and not rebuilt:
        progress(f"up to date: {', '.join(unchanged) or 'no sources'} unchanged since the last build")
    return BuildResult(table, paths.trade_flows_csv, paths.processed, rebuilt, unchanged)


# --- importing bulk files ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: the raw file (new or already stored) and the rows now in the store."""

    raw_path: Path
    newly_stored: bool
    rows: int
    years: list[int]


def import_baci(
    path: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    hs: str = baci.DEFAULT_HS,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CEPII BACI release zip: copy it into ``raw/baci/<date>/`` (with a sidecar) and clean every
    stored release into the store (``processed/source=baci/year=<YYYY>/``).

    The zip and its country file are checked before anything is written; if cleaning fails (an unknown
    country code, a bad figure), the copy just made is removed again and the store is left as it was.

    Raises
    ------
    CorruptArchive
        Not a readable zip, or no flow file or country file inside.
    UnknownCountry, BadNumber
        A code the release's country file cannot map, or a figure that is not a finite number.
    """
    hs = baci.check_hs(hs)
    release = baci.read_release(path)
    paths = data_paths(data_dir)
    with lock_data_root(paths.raw.parent, timeout=lock_timeout_from_env(), what="import", notify=progress):
        return _import_baci_locked(release, paths, hs, progress)


def _import_baci_locked(release, paths: DataPaths, hs: str, progress: Progress | None) -> ImportResult:
    """:func:`import_baci`'s work, run holding the data root's lock."""
    paths.raw.mkdir(parents=True, exist_ok=True)
    paths.processed.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(paths.processed)
    raw_file, new = baci.store_release(release, paths.raw, hs)
    if progress:
        state = "copied to" if new else "already in"
        progress(f"{release.path.name} (release V{release.release}, HS {hs}) {state} {raw_file.relpath(paths.raw)}")
    source = registry.get(baci.SOURCE)
    try:
        known = read_manifest(paths.processed)["sources"].get(source.name) or {"files": {}}
        if new:  # just hashed while storing: its size and time identify it without reading it again
            stat = raw_file.path.stat()
            rel = raw_file.path.relative_to(paths.raw).as_posix()
            state = {
                "sha256": raw_file.meta["sha256"],
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "ctime_ns": stat.st_ctime_ns,
            }
            known = {**known, "files": {**known.get("files", {}), rel: state}}
        entry = fingerprint(paths.raw, source, known)
        # The schema check (importing pandera and building the schema, about 0.15 s) is made ready while DuckDB
        # reads the file, instead of after it.
        threading.Thread(target=trade_flows_schema, name="schema", daemon=True).start()
        rows = build_source(paths.raw, paths.processed, source, entry)
    except BaseException:
        if new:
            baci.unstore_release(raw_file)
        raise
    years = sorted(int(p.name.split("=", 1)[1]) for p in source_dir(paths.processed, source.name).glob("year=*"))
    return ImportResult(raw_file.path, new, rows, years)


# --- the CSV export ---------------------------------------------------------------------------------


def to_csv_text(table: pd.DataFrame) -> str:
    """The clean table as CSV text (floats in full precision, missing as empty)."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_trade_flows(table: pd.DataFrame, paths: DataPaths) -> Path:
    """Write the validated table to ``processed/trade_flows.csv`` (atomically), a convenience export."""
    validate(table)
    paths.processed.mkdir(parents=True, exist_ok=True)
    return write_atomic(paths.trade_flows_csv, to_csv_text(table))


def read_trade_flows(path: str | os.PathLike) -> pd.DataFrame:
    """Read a written ``trade_flows.csv`` back with the clean dtypes."""
    dtypes = {c: str for c in COLUMNS if c not in NUMERIC_COLUMNS and c != "is_weight_estimated"}
    table = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in NUMERIC_COLUMNS})
    table["is_weight_estimated"] = (
        table["is_weight_estimated"].replace("", pd.NA).map({"True": True, "False": False}, na_action="ignore")
    )
    return validate(conform(table))
