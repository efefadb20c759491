"""The raw store of UN Comtrade API responses.

Layout: ``<data root>/raw/comtrade/<retrieval date YYYY-MM-DD>/<name>.json``, each body exactly as the
API sent it, with ``<name>.json.meta.yml`` beside it (see :func:`store_response`). A new pull on another
day is a new vintage folder; nothing stored is ever overwritten.

A response is published in two renames: the sidecar first, then the body. Until the body's rename the
store shows nothing new (``energytrade.raw.find_raw_files`` lists bodies, and hidden staging files are
skipped), so a crash at any point leaves the store complete and verifiable: at worst an unused sidecar
without a body, which the next store of that call replaces.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from energytrade.raw import RawFile, find_raw_files, read_sidecar, sidecar_path, write_atomic, write_sidecar
from energytrade.sources.comtrade_errors import ComtradeBadResponse, ComtradeError

SOURCE = "comtrade"
#: The ``kind`` written into every sidecar of a stored API response.
KIND = "comtrade-api-response"


@dataclass(frozen=True)
class StoredCall:
    """One stored response: the verified file and the request details from its sidecar.

    ``parent_keys`` are the calls this one was split from (root first); ``split_by[i]`` is the dimension
    (``periods``, ``partners``, ...) by which ``parent_keys[i]`` was split, ``None`` where a sidecar written
    before that was recorded does not say.
    """

    raw_file: RawFile
    call_key: str
    root_key: str
    parent_keys: tuple[str, ...]
    periods: tuple[str, ...]
    record_count: int
    retrieved_at: str
    split_by: tuple[str | None, ...] = ()

    @property
    def vintage(self) -> str:
        return self.raw_file.vintage

    @property
    def path(self) -> Path:
        return self.raw_file.path


def _stored_call(raw_file: RawFile) -> StoredCall:
    meta = raw_file.meta
    if meta.get("kind") != KIND:
        raise ComtradeBadResponse(
            f"{str(raw_file.path)!r} is under raw/{SOURCE}/ but its sidecar is not that of a stored "
            f"UN Comtrade response (kind: {meta.get('kind')!r}, expected {KIND!r}); move it elsewhere"
        )
    request = meta.get("request") or {}
    parent_keys = tuple(str(k) for k in meta.get("parent_keys") or ())
    split_by = [str(d) for d in meta.get("split_by") or ()]
    return StoredCall(
        raw_file=raw_file,
        call_key=str(meta["call_key"]),
        root_key=str(meta.get("root_key") or meta["call_key"]),
        parent_keys=parent_keys,
        periods=tuple(str(p) for p in request.get("periods") or ()),
        record_count=int(meta.get("record_count") or 0),
        retrieved_at=str(meta.get("retrieved_at", "")),
        split_by=tuple(split_by[i] if i < len(split_by) else None for i in range(len(parent_keys))),
    )


def stored_calls(raw_root: str | os.PathLike, vintages: Iterable[str] | None = None) -> list[StoredCall]:
    """Every stored response (checksums verified), oldest vintage first; only ``vintages`` if given.

    Raises
    ------
    energytrade.errors.RawFileChanged
        A stored body no longer matches the sha256 in its sidecar.
    """
    wanted = None if vintages is None else set(vintages)
    calls = []
    for raw_file in find_raw_files(raw_root, SOURCE, "*.json"):
        if wanted is not None and raw_file.vintage not in wanted:
            continue
        calls.append(_stored_call(raw_file))
    return sorted(calls, key=lambda c: (c.vintage, c.retrieved_at, c.raw_file.name))


@dataclass(frozen=True)
class StoreIndex:
    """What a fetch can reuse: stored calls by key (newest vintage wins) and calls known to have been split.

    A call whose key appears among the ``parent_keys`` of a stored response was truncated in an earlier
    run and split; a resumed run splits it again (splitting is deterministic) without asking the API.
    """

    by_key: dict[str, StoredCall]
    split_keys: frozenset[str]

    @classmethod
    def from_calls(cls, calls: Iterable[StoredCall]) -> StoreIndex:
        by_key: dict[str, StoredCall] = {}
        split: set[str] = set()
        for call in sorted(calls, key=lambda c: (c.vintage, c.retrieved_at)):
            by_key[call.call_key] = call
            split.update(call.parent_keys)
        return cls(by_key=by_key, split_keys=frozenset(split))


def store_response(raw_root: str | os.PathLike, vintage: str, name: str, body: bytes, meta: dict[str, Any]) -> RawFile:
    """Write one response body and its sidecar under ``raw/comtrade/<vintage>/<name>``.

    The body is stored byte for byte; the sidecar gets ``meta`` plus ``sha256`` and ``size_bytes``.

    Raises
    ------
    ComtradeError
        If a verified response is already stored under that name (raw files are never overwritten).
    """
    folder = Path(raw_root) / SOURCE / vintage
    final = folder / name
    if final.exists():
        raise ComtradeError(
            f"{str(final)!r} is already stored and raw files are never overwritten; "
            "use --refresh on another day for a new vintage, or move the folder away"
        )
    staging = folder / f".{name}.staging"
    write_atomic(staging, body)
    write_sidecar(staging, meta)
    os.replace(sidecar_path(staging), sidecar_path(final))
    os.replace(staging, final)
    return RawFile(path=final, source=SOURCE, vintage=vintage, name=name, meta=read_sidecar(final))
