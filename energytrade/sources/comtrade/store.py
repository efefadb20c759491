"""The raw store of UN Comtrade API responses.

Layout: ``<data root>/raw/comtrade/<retrieval date YYYY-MM-DD>/<name>.json``, each body exactly as the
API sent it, with ``<name>.json.meta.yml`` beside it (see :func:`store_response`). A new pull on another
day is a new vintage folder; nothing stored is ever overwritten.

Each write holds the data root's lock (``energytrade.raw.lock_data_root``) and goes through
``energytrade.raw.store_raw``: published in two renames (sidecar, then body), identical bodies stored
once, a different body under a taken name stored as ``<name>-2.json``, nothing overwritten. Until the
body's rename the store shows nothing new, so a crash at any point leaves the store complete and
verifiable: at worst a hidden temporary file (removed by the next write) and a sidecar without a body
(replaced by the next store of that call).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from energytrade import __version__
from energytrade.raw import (
    DEFAULT_LOCK_TIMEOUT_S,
    RawFile,
    find_raw_files,
    lock_data_root,
    prepare_fetch,
    remove_stale_temporaries,
    store_raw,
)
from energytrade.sources.comtrade.errors import ComtradeBadResponse
from energytrade.sources.comtrade.http import HttpReply
from energytrade.sources.comtrade.query import ComtradeRequest

log = logging.getLogger(__name__)

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
    return sorted(calls, key=lambda c: (c.vintage, c.retrieved_at, *_name_order(c.raw_file.name)))


def _name_order(name: str) -> tuple[str, int]:
    """``a.json`` -> (``a``, 1), ``a-2.json`` -> (``a``, 2): a later store of one call sorts after it."""
    match = re.fullmatch(r"(.*?)(?:-(\d+))?\.json", name)
    if match is None:
        return name, 1
    return match.group(1), int(match.group(2) or 1)


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
        for call in sorted(calls, key=lambda c: (c.vintage, c.retrieved_at, *_name_order(c.raw_file.name))):
            by_key[call.call_key] = call
            split.update(call.parent_keys)
        return cls(by_key=by_key, split_keys=frozenset(split))


def prepare_store(
    raw_root: str | os.PathLike,
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Before a fetch spends any call: check the data root can be written (taking its lock) and remove
    the temporary files a killed write left under ``raw/comtrade/``.

    Raises
    ------
    energytrade.errors.DataRootNotWritable, energytrade.errors.DataRootBusy
    """
    for path in prepare_fetch(raw_root, SOURCE, timeout=lock_timeout_s, notify=notify):
        log.warning("removed %s, left by a write that was interrupted", path)


def store_response(
    raw_root: str | os.PathLike,
    vintage: str,
    name: str,
    body: bytes,
    meta: dict[str, Any],
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    notify: Callable[[str], None] | None = None,
) -> RawFile:
    """Write one response body and its sidecar under ``raw/comtrade/<vintage>/<name>``, holding the lock.

    The body is stored byte for byte; the sidecar gets ``meta`` plus ``sha256`` and ``size_bytes``. An
    identical body already stored under ``name`` is reused; a different one (another process fetched the
    same call a moment earlier, and the server's ``elapsedTime`` differs) is stored beside it as
    ``<name-without-.json>-2.json``. Raw files are never overwritten.

    Raises
    ------
    energytrade.errors.DataRootBusy
        Another process held the lock for ``lock_timeout_s``.
    """
    raw_root = Path(raw_root)
    with lock_data_root(raw_root.parent, timeout=lock_timeout_s, what="store a Comtrade answer", notify=notify):
        remove_stale_temporaries(raw_root, SOURCE)
        raw_file, written = store_raw(raw_root, SOURCE, vintage, name, body, meta)
    if not written:
        log.info("%s: the same answer is already stored; not stored twice", raw_file.path)
    return raw_file


def sidecar_meta(
    request: ComtradeRequest,
    reply: HttpReply,
    count: int,
    lineage: tuple[str, ...],
    retrieved_at: datetime,
    *,
    split_by: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The provenance sidecar of a stored answer: URL (no key), parameters, time, status, record count.

    ``lineage`` holds the keys of the calls this one was split from (root first), so that a resumed run
    splits them again without asking the API, and :func:`clean` groups vintages by the original call.
    ``split_by`` holds, for each of them, the dimension it was split by (``periods``, ``partners``, ...):
    with it :func:`clean` can tell whether every part of a split call is stored.
    """
    return {
        "kind": KIND,
        "source": SOURCE,
        "title": f"UN Comtrade final data: {request.describe()}",
        "publisher": "United Nations Statistics Division (UN Comtrade)",
        "original_source": "national customs statistics reported to UN Comtrade",
        "urls": [reply.url],
        "date_retrieved": retrieved_at.date().isoformat(),
        "retrieved_at": retrieved_at.isoformat(timespec="seconds"),
        "licence": "UN Comtrade terms of use (https://comtradeplus.un.org)",
        "attribution": "UN Comtrade Database, https://comtradeplus.un.org",
        "notes": [
            "response body stored exactly as received; totals only (partner2Code=0, customsCode=C00, motCode=0)",
            "netWgt in kg, primaryValue in USD (CIF for imports, FOB for exports)",
        ],
        "client": f"energytrade {__version__}",
        "endpoint": "data" if request.keyed else "preview",
        "request": {
            "method": "GET",
            "path": request.path,
            "params": dict(request.params()),
            "periods": list(request.periods),
        },
        "http_status": reply.status,
        "content_type": reply.content_type,
        "record_count": count,
        "max_records": request.max_records,
        "truncated": False,
        "call_key": request.key,
        "root_key": lineage[0] if lineage else request.key,
        "parent_keys": list(lineage),
        "split_by": list(split_by),
    }
