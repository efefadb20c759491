"""The raw store: files exactly as fetched or transcribed, each with a provenance sidecar.

Layout: ``<data root>/raw/<source>/<vintage>/<name>`` with ``<name>.meta.yml`` beside it. The folder
path is the identity (source / vintage / name). A new pull is a new vintage folder; nothing raw is
overwritten. Every read verifies the sha256 recorded in the sidecar.

Sidecar keys (YAML): ``source``, ``title``, ``publisher``, ``original_source``, ``intermediary``,
``urls`` (list), ``date_published``, ``date_retrieved``, ``licence``, ``attribution``, ``notes`` (list),
and the two written by :func:`write_sidecar`: ``sha256`` and ``size_bytes``. Fetched files add their
own request details (never an API key).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from energytrade.errors import RawFileChanged, RawFileMissing

SIDECAR_SUFFIX = ".meta.yml"


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
    with open(meta_path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


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
        raise RawFileMissing(
            f"raw file {str(path)!r} is missing; restore it from git (git checkout -- {path.name}) "
            "or point --data-dir / ENERGYTRADE_DATA_DIR at a data root that has it"
        )
    meta = read_sidecar(path)
    expected = meta.get("sha256")
    actual = sha256_file(path)
    if expected != actual:
        raise RawFileChanged(
            f"raw file {str(path)!r} was changed: sha256 is {actual[:12]}…, its sidecar recorded "
            f"{str(expected)[:12]}…. Raw files are never edited; restore it (git checkout) or add the new "
            "figures as a new vintage folder with its own sidecar"
        )
    return meta


def find_raw_files(raw_root: str | os.PathLike, source: str, pattern: str = "*") -> list[RawFile]:
    """Every raw file of ``source`` matching ``pattern``, over all vintages, verified, sorted by path.

    Files are found by their sidecars, so a file without provenance is reported, not skipped.
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
            meta = verify(path)
            found.append(RawFile(path=path, source=source, vintage=vintage_dir.name, name=path.name, meta=meta))
    return found
