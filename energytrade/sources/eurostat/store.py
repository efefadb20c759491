"""The raw store of Eurostat answers: ``raw/<source>/<vintage>/`` (``raw/eurostat_coifpm/`` for NRG_TI_COIFPM).

Data answers are stored as received (gzip SDMX-CSV, ``.csv.gz``), each code list as SDMX-ML
(``codelist_ESTAT_<ID>.xml``), each with a provenance sidecar, through ``energytrade.raw.store_raw`` holding
the data root's lock: identical bodies stored once, nothing overwritten. Eurostat keeps no versions, so
the dated vintage folders are the only record of revisions.
"""

from __future__ import annotations

import os
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
from energytrade.sources.eurostat.query import Dataset, EurostatRequest

KIND_DATA = "eurostat-sdmx-csv"
KIND_CODELIST = "eurostat-sdmx-codelist"
LICENCE = "Eurostat copyright notice: reuse with attribution (CC BY 4.0)"


@dataclass(frozen=True)
class StoredAnswer:
    """A stored data answer: the verified file and the call it answers."""

    raw_file: RawFile
    call_key: str
    parent_keys: tuple[str, ...]
    row_count: int


def stored_answers(
    raw_root: str | os.PathLike, source: str, vintages: Iterable[str] | None = None
) -> list[StoredAnswer]:
    """Every stored data answer of ``source`` (checksums verified), oldest vintage first."""
    wanted = None if vintages is None else set(vintages)
    answers = []
    for raw_file in find_raw_files(raw_root, source, "*.csv.gz"):
        if raw_file.meta.get("kind") != KIND_DATA or (wanted is not None and raw_file.vintage not in wanted):
            continue
        answers.append(
            StoredAnswer(
                raw_file=raw_file,
                call_key=str(raw_file.meta.get("call_key", "")),
                parent_keys=tuple(str(k) for k in raw_file.meta.get("parent_keys") or ()),
                row_count=int(raw_file.meta.get("row_count") or 0),
            )
        )
    return answers


def stored_codelists(raw_root: str | os.PathLike, source: str, vintages: Iterable[str] | None = None) -> set[str]:
    """The ids of the code lists stored for ``source`` (in ``vintages`` if given)."""
    wanted = None if vintages is None else set(vintages)
    return {
        str(f.meta.get("codelist"))
        for f in find_raw_files(raw_root, source, "codelist_*.xml")
        if wanted is None or f.vintage in wanted
    }


def _base_meta(dataset: Dataset, url: str, retrieved_at: datetime, content_type: str) -> dict[str, Any]:
    return {
        "source": dataset.source,
        "publisher": "Eurostat",
        "original_source": "national statistical authorities reporting to Eurostat",
        "urls": [url],
        "date_retrieved": retrieved_at.date().isoformat(),
        "retrieved_at": retrieved_at.isoformat(timespec="seconds"),
        "licence": LICENCE,
        "attribution": f"Eurostat, {dataset.code.upper()}",
        "client": f"energytrade {__version__}",
        "http_status": 200,
        "content_type": content_type,
    }


def data_meta(
    request: EurostatRequest,
    url: str,
    content_type: str,
    row_count: int,
    retrieved_at: datetime,
    lineage: tuple[str, ...] = (),
    split_by: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The sidecar of a stored data answer (no key exists for Eurostat; nothing secret is recorded)."""
    meta = _base_meta(request.dataset, url, retrieved_at, content_type)
    meta.update(
        kind=KIND_DATA,
        title=f"Eurostat {request.dataset.code.upper()}: {request.dataset.title} ({request.describe()})",
        notes=["gzip SDMX-CSV stored exactly as received; empty OBS_VALUE is missing, never zero"],
        dataset=request.dataset.code,
        request={
            "path": request.path,
            "params": dict(request.params()),
            "filters": {name: list(values) for name, values in request.filters if values},
            "periods": [request.periods[0], request.periods[-1]],
        },
        row_count=row_count,
        call_key=request.key,
        root_key=lineage[0] if lineage else request.key,
        parent_keys=list(lineage),
        split_by=list(split_by),
    )
    return meta


def codelist_meta(
    dataset: Dataset, codelist: str, url: str, content_type: str, retrieved_at: datetime
) -> dict[str, Any]:
    meta = _base_meta(dataset, url, retrieved_at, content_type)
    meta.update(
        kind=KIND_CODELIST,
        title=f"Eurostat code list ESTAT:{codelist} (labels of {dataset.code.upper()}'s codes)",
        notes=["SDMX-ML 2.1 structure message stored exactly as received"],
        dataset=dataset.code,
        codelist=codelist,
    )
    return meta


def prepare_store(
    raw_root: str | os.PathLike,
    source: str,
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Before any call: the data root is writable (its lock can be taken) and stale temporaries are gone."""
    prepare_fetch(raw_root, source, timeout=lock_timeout_s, notify=notify)


def store(
    raw_root: str | os.PathLike,
    source: str,
    vintage: str,
    name: str,
    body: bytes,
    meta: dict[str, Any],
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    notify: Callable[[str], None] | None = None,
) -> RawFile:
    """Store one answer under ``raw/<source>/<vintage>/<name>`` holding the data root's lock."""
    raw_root = Path(raw_root)
    with lock_data_root(raw_root.parent, timeout=lock_timeout_s, what="store a Eurostat answer", notify=notify):
        remove_stale_temporaries(raw_root, source)
        raw_file, _ = store_raw(raw_root, source, vintage, name, body, meta)
    return raw_file
