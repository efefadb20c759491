"""The raw store: files exactly as fetched or transcribed, each with a provenance sidecar.

Layout: ``<data root>/raw/<source>/<vintage>/<name>`` with ``<name>.meta.yml`` beside it. The folder
path is the identity (source / vintage / name). A new pull is a new vintage folder; nothing raw is
overwritten. Every read verifies the sha256 recorded in the sidecar.

Sidecar keys (YAML): ``source``, ``title``, ``publisher``, ``original_source``, ``intermediary``,
``urls`` (list), ``date_published``, ``date_retrieved``, ``licence``, ``attribution``, ``notes`` (list),
and the two written by :func:`write_sidecar`: ``sha256`` and ``size_bytes``. Fetched files add their
own request details (never an API key).

Concurrency and interruption: writers hold the data root's lock (:func:`lock_data_root`, a
``filelock`` lock file ``<data root>/.energytrade.lock``) around each store write (:func:`store_raw`).
A stored file is published by two renames (sidecar, then body), so a crash leaves at worst a hidden
temporary file (removed by the next write, :func:`remove_stale_temporaries`) and a sidecar without its
body (replaced by the next store under that name). Identical content is stored once; different content
under a taken name gets a new name (``<stem>-2.json``); nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from energytrade.errors import (
    BadSetting,
    DataRootBusy,
    DataRootNotWritable,
    RawFileChanged,
    RawFileMissing,
    SidecarInvalid,
)
from energytrade.yamlfiles import safe_load

SIDECAR_SUFFIX = ".meta.yml"
#: The lock file of a data root (hidden; never part of raw/).
LOCK_NAME = ".energytrade.lock"
#: How long a writer waits for another process's lock by default [s]: longer than any one store write
#: or build takes on a laptop, short enough that a stuck process is reported.
DEFAULT_LOCK_TIMEOUT_S = 600.0
ENV_LOCK_TIMEOUT = "ENERGYTRADE_LOCK_TIMEOUT_S"


def sidecar_path(path: str | os.PathLike) -> Path:
    """``data.csv`` -> ``data.csv.meta.yml``."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A crash leaves either the old file or the new one, never half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; give the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_sidecar(path: str | os.PathLike, meta: dict[str, Any]) -> Path:
    """Write ``<path>.meta.yml`` with ``meta`` plus the file's ``sha256`` and ``size_bytes``."""
    path = Path(path)
    full = dict(meta)
    full["sha256"] = sha256_file(path)
    full["size_bytes"] = path.stat().st_size
    text = yaml.safe_dump(full, sort_keys=False, allow_unicode=True, width=100)
    return write_atomic(sidecar_path(path), text)


def read_sidecar(path: str | os.PathLike) -> dict[str, Any]:
    """The provenance of a raw file (its sidecar), without checking the file itself."""
    meta_path = sidecar_path(path)
    if not meta_path.is_file():
        raise RawFileMissing(
            f"provenance sidecar {str(meta_path)!r} is missing: every raw file needs one "
            "(source, URL or citation, dates, licence, sha256)"
        )
    try:
        text = meta_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise SidecarInvalid(
            f"provenance sidecar {str(meta_path)!r} is not UTF-8 text (byte {err.start}); save it as UTF-8, "
            "or restore it from where it came from"
        ) from None
    try:
        meta = safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or type(err).__name__
        raise SidecarInvalid(
            f"provenance sidecar {str(meta_path)!r} is not valid YAML{where} ({problem}); fix it, "
            "or restore it from where it came from"
        ) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SidecarInvalid(
            f"provenance sidecar {str(meta_path)!r} holds a YAML {type(meta).__name__}, not the mapping of "
            "keys a sidecar is (source: ..., sha256: ...); fix it, or restore it from where it came from"
        )
    return meta


def _is_fetched(meta: dict[str, Any]) -> bool:
    """Whether a sidecar describes a file energytrade fetched (restored by fetching, not from git)."""
    return str(meta.get("client", "")).startswith("energytrade")


def _restore_hint(path: Path, meta: dict[str, Any]) -> str:
    if _is_fetched(meta):
        return (
            f"it was fetched, so fetch it again: move the folder {str(path.parent)!r} away and run the same "
            "energytrade fetch command"
        )
    return f"restore it from git (git checkout -- {path.name}) or from where it came from"


@dataclass(frozen=True)
class RawFile:
    """One verified raw file: where it is, what it is, and its provenance."""

    path: Path
    source: str
    vintage: str
    name: str
    meta: dict[str, Any]

    def relpath(self, raw_root: Path) -> str:
        """``raw/<source>/<vintage>/<name>``, the form stored in the clean table's provenance."""
        return "raw/" + self.path.relative_to(raw_root).as_posix()


def verify(path: str | os.PathLike) -> dict[str, Any]:
    """Check a raw file against its sidecar's sha256 and return the sidecar.

    Raises
    ------
    RawFileMissing
        The file or its sidecar does not exist.
    RawFileChanged
        The file's bytes differ from what the sidecar recorded (raw files are never edited:
        a new pull is a new vintage folder).
    """
    path = Path(path)
    if not path.is_file():
        meta_path = sidecar_path(path)
        meta = read_sidecar(path) if meta_path.is_file() else {}
        what = "is a folder, not a file" if path.is_dir() else "is missing"
        raise RawFileMissing(
            f"raw file {str(path)!r} {what} (its sidecar is there); {_restore_hint(path, meta)}, "
            "or point --data-dir / ENERGYTRADE_DATA_DIR at a data root that has it"
        )
    meta = read_sidecar(path)
    expected = meta.get("sha256")
    if not expected:
        raise SidecarInvalid(
            f"provenance sidecar {str(sidecar_path(path))!r} records no sha256 for {path.name}, so the file "
            f"cannot be verified; add the line 'sha256: <hex digest>' (sha256sum {path.name})"
        )
    actual = sha256_file(path)
    if expected != actual:
        raise RawFileChanged(
            f"raw file {str(path)!r} was changed: sha256 is {actual[:12]}…, its sidecar recorded "
            f"{str(expected)[:12]}…. Raw files are never edited; {_restore_hint(path, meta)}, or add the new "
            "figures as a new vintage folder with its own sidecar"
        )
    return meta


def find_raw_files(
    raw_root: str | os.PathLike,
    source: str,
    pattern: str = "*",
    *,
    check_bytes: bool = True,
    trusted: Callable[[Path, dict[str, Any]], bool] | None = None,
) -> list[RawFile]:
    """Every raw file of ``source`` matching ``pattern``, over all vintages, verified, sorted by path.

    Files are found by their sidecars, so a file without provenance is reported, not skipped.
    ``check_bytes=False`` lists them with their sidecars without reading the files (:func:`read_sidecar`
    instead of :func:`verify`): for a caller that compares sizes and times with those of a verified read.
    ``trusted(path, sidecar)``: a file it vouches for (e.g. from a record of an earlier verified read) is
    not hashed again; every other one is verified, in the same order and with the same errors.
    """
    raw_root = Path(raw_root)
    found: list[RawFile] = []
    source_dir = raw_root / source
    if not source_dir.is_dir():
        return found
    for vintage_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
        for path in sorted(vintage_dir.glob(pattern)):
            if path.name.endswith(SIDECAR_SUFFIX) or path.name.startswith(".") or not path.is_file():
                continue
            if not check_bytes:
                meta = read_sidecar(path)
            elif trusted is None:
                meta = verify(path)
            else:
                meta = read_sidecar(path)
                if not trusted(path, meta):
                    meta = verify(path)
            found.append(RawFile(path=path, source=source, vintage=vintage_dir.name, name=path.name, meta=meta))
    return found


# ------------------------------------------------------------------------------------- writing safely
def check_writable(folder: str | os.PathLike, what: str = "the data root") -> Path:
    """Create ``folder`` if needed and check a file can be written in it (before any work is spent).

    Raises
    ------
    DataRootNotWritable
        ``folder`` (or a parent) is a file, or the folder cannot be created or written.
    """
    folder = Path(folder)
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise DataRootNotWritable(
                f"{what} {str(folder)!r} cannot be created: {str(parent)!r} is a file, not a folder; "
                "give --data-dir a folder"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise DataRootNotWritable(
            f"{what} {str(folder)!r} cannot be written ({err.strerror or type(err).__name__}); make it "
            "writable, or give --data-dir a folder you can write to"
        ) from None
    return folder


#: Data roots whose lock this process holds, with the nesting depth (the lock is re-entrant in-process).
_HELD: dict[Path, int] = {}


@contextmanager
def lock_data_root(
    root: str | os.PathLike,
    *,
    timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    what: str = "write to it",
    notify: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the data root's lock (``<root>/.energytrade.lock``) for the ``with`` block.

    A second process waits: ``notify`` (if given) is told once that it is waiting, and after ``timeout``
    seconds it gives up with :class:`DataRootBusy`. The lock is released when the block ends, also on an
    error or Ctrl-C, and by the operating system if the process dies.

    Parameters
    ----------
    root
        The data root (the folder holding ``raw/`` and ``processed/``); created if missing.
    timeout
        Longest wait for another process [s].
    what
        What the lock is for, in the messages ("store a Comtrade answer", "build").
    notify
        Called with a one-line message if the lock is held by another process.

    Raises
    ------
    DataRootBusy
        Another process held the lock for ``timeout`` seconds.
    DataRootNotWritable
        The lock file cannot be created (a read-only data root, or ``root`` is a file).
    """
    root = check_writable(root)
    key = root.resolve()
    if _HELD.get(key):  # this process holds it already (a build that stores raw files): no second wait
        _HELD[key] += 1
        try:
            yield root
        finally:
            _HELD[key] -= 1
        return
    lock = FileLock(root / LOCK_NAME)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if notify is not None:
                notify(f"another energytrade process is using {str(root)!r}; waiting up to {timeout:g} s to {what}")
            lock.acquire(timeout=timeout)
    except Timeout:
        raise DataRootBusy(
            f"another energytrade process held the lock of {str(root)!r} for over {timeout:g} s, so this one "
            f"could not {what}; wait for it to finish and run the command again (set ${ENV_LOCK_TIMEOUT} "
            "to wait longer)"
        ) from None
    except OSError as err:
        raise DataRootNotWritable(
            f"cannot create the lock file {str(root / LOCK_NAME)!r} ({err.strerror or type(err).__name__}); "
            "make the data root writable, or give --data-dir a folder you can write to"
        ) from None
    _HELD[key] = 1
    try:
        yield root
    finally:
        _HELD.pop(key, None)
        lock.release()


def lock_timeout_from_env() -> float:
    """``$ENERGYTRADE_LOCK_TIMEOUT_S`` [s], else :data:`DEFAULT_LOCK_TIMEOUT_S`."""
    value = os.environ.get(ENV_LOCK_TIMEOUT)
    try:
        seconds = float(value) if value else DEFAULT_LOCK_TIMEOUT_S
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise BadSetting(f"${ENV_LOCK_TIMEOUT} is {value!r}; give a number of seconds, e.g. 600")
    return seconds


def prepare_fetch(
    raw_root: str | os.PathLike,
    source: str,
    *,
    timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    notify: Callable[[str], None] | None = None,
) -> list[Path]:
    """Before a fetch spends any call: check the data root can be written (by taking its lock), create
    ``raw/`` and remove the temporary files a killed write left under ``raw/<source>/``; returns those.

    Raises
    ------
    DataRootNotWritable, DataRootBusy
    """
    raw_root = Path(raw_root)
    with lock_data_root(raw_root.parent, timeout=timeout, what="fetch into it", notify=notify):
        raw_root.mkdir(parents=True, exist_ok=True)
        return remove_stale_temporaries(raw_root, source)


def remove_stale_temporaries(raw_root: str | os.PathLike, source: str) -> list[Path]:
    """Remove the hidden temporary files a killed write left under ``raw/<source>/``; return them.

    Call it holding the data root's lock: every writer writes under the lock, so any temporary file found
    then belongs to a process that died mid-write.
    """
    removed = []
    source_dir = Path(raw_root) / source
    if not source_dir.is_dir():
        return removed
    for path in sorted(source_dir.glob("*/.*")):
        if path.is_file() and (path.name.endswith(".tmp") or ".staging" in path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _candidate_names(name: str) -> Iterator[str]:
    """``a.json``, ``a-2.json``, ``a-3.json``, ..."""
    yield name
    stem, dot, suffix = name.partition(".")
    n = 2
    while True:
        yield f"{stem}-{n}{dot}{suffix}"
        n += 1


def store_raw(
    raw_root: str | os.PathLike, source: str, vintage: str, name: str, body: bytes, meta: dict[str, Any]
) -> tuple[RawFile, bool]:
    """Publish ``body`` with its sidecar as ``raw/<source>/<vintage>/<name>``; call it holding the lock.

    The sidecar gets ``meta`` plus ``sha256`` and ``size_bytes``. If a file with the same bytes is stored
    under ``name`` (or one of its numbered variants) it is reused; if different bytes are, the next free
    variant ``<stem>-2.<ext>``, ``-3`` ... is used. Nothing is ever overwritten.

    Returns
    -------
    (RawFile, bool)
        The stored file, and whether it was written now (``False``: identical content already stored).
    """
    folder = Path(raw_root) / source / vintage
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(body).hexdigest()
    for candidate in _candidate_names(name):
        final = folder / candidate
        if final.exists():
            if sha256_file(final) == digest:
                stored = RawFile(path=final, source=source, vintage=vintage, name=candidate, meta=verify(final))
                return stored, False
            continue
        full = dict(meta, sha256=digest, size_bytes=len(body))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{candidate}.", suffix=".tmp")
        try:
            os.chmod(tmp, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            # Sidecar first, then the body: until the body's rename nothing new is visible.
            write_atomic(sidecar_path(final), yaml.safe_dump(full, sort_keys=False, allow_unicode=True, width=100))
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return RawFile(path=final, source=source, vintage=vintage, name=candidate, meta=full), True
    raise AssertionError("unreachable: _candidate_names never ends")
