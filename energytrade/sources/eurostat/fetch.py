"""Perform Eurostat calls and fetch a request into the raw store (HTTP manners: ``energytrade.sources.http``).

:func:`perform` sends one GET (urllib3 retries on 429/5xx honouring ``Retry-After``, a per-call deadline)
and turns any answer but a 200 into a typed error, reading Eurostat's JSON error bodies
(``{"error": {"status": 413, "label": "EXTRACTION_TOO_BIG: ..."}}``). :func:`check_sdmx_csv` checks a data
answer (gzip, the SDMX-CSV header, a whole last line). :func:`fetch` runs a request: stored calls are not
repeated, a request refused as too big is split (``query.split``) and said so, each answer is stored with a
sidecar, and the dataset's code lists are fetched and stored beside the data.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
from urllib3.exceptions import HTTPError

from energytrade import __version__
from energytrade.errors import DeadlineExceeded
from energytrade.raw import DEFAULT_LOCK_TIMEOUT_S
from energytrade.sources.eurostat.errors import (
    EurostatBadResponse,
    EurostatConnectionError,
    EurostatNotFound,
    EurostatRateLimited,
    EurostatRequestRejected,
    EurostatServerError,
    EurostatTimedOut,
    EurostatTooBig,
)
from energytrade.sources.eurostat.query import ENV_BASE_URL, EurostatRequest, base_url_from_env, codelist_path, split
from energytrade.sources.eurostat.store import (
    codelist_meta,
    data_meta,
    prepare_store,
    store,
    stored_answers,
    stored_codelists,
)
from energytrade.sources.http import (
    DEFAULT_TOTAL_DEADLINE_S,
    RetryPolicy,
    Throttle,
    attempts,
    mount_retries,
    read_body,
)

log = logging.getLogger(__name__)

#: The SDMX-CSV header starts so (the bundled file's layout, shared/reference/README.md).
SDMX_CSV_START = "DATAFLOW,LAST UPDATE,"
SDMX_CSV_NEEDS = ("TIME_PERIOD", "OBS_VALUE")
TOO_BIG_STATUS = 413
TOO_BIG_LABEL = "EXTRACTION_TOO_BIG"  # data-apis.md: unfiltered / too wide requests [2ND]


@dataclass(frozen=True)
class Answer:
    """A 200 answer: URL, content type and the body exactly as received."""

    url: str
    content_type: str
    body: bytes


def _snippet(body: bytes, limit: int = 160) -> str:
    text = " ".join(body[: limit * 4].decode("utf-8", errors="replace").split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def error_label(body: bytes) -> str:
    """The ``label`` text(s) of a Eurostat JSON error body, else the body's first characters.

    >>> error_label(b'{"error":{"status":413,"id":1,"label":"EXTRACTION_TOO_BIG: too many rows"}}')
    'EXTRACTION_TOO_BIG: too many rows'
    """
    try:
        payload = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return _snippet(body)
    errors = payload.get("error") if isinstance(payload, dict) else None
    items = errors if isinstance(errors, list) else [errors] if isinstance(errors, dict) else []
    labels = [str(item.get("label")) for item in items if isinstance(item, dict) and item.get("label")]
    return "; ".join(labels) if labels else _snippet(body)


class _TooBig(Exception):
    """Eurostat refused the request as too big (split it); internal to :func:`fetch`."""


def perform(
    url: str,
    *,
    session: requests.Session,
    base_url: str,
    retry: RetryPolicy,
    accept: str,
    clock: Callable[[], float] = time.monotonic,
) -> Answer:
    """GET ``url`` and return its 200 answer; raise a typed error (or :class:`_TooBig`) otherwise."""
    mount_retries(session, base_url, retry)
    # identity: the gzip file is the payload; a transport-level gzip on top would be undone by the client.
    headers = {"Accept": accept, "Accept-Encoding": "identity", "User-Agent": f"energytrade/{__version__}"}
    connect_s, read_s = retry.timeout_s
    log.info("GET %s", url)
    try:
        response = session.get(
            url, headers=headers, timeout=(connect_s, min(read_s, retry.deadline_s)), allow_redirects=True, stream=True
        )
    except (requests.ConnectionError, requests.Timeout) as err:
        raise EurostatConnectionError(
            f"could not reach Eurostat at {url} after {retry.max_attempts} attempts ({type(err).__name__}); check the "
            f"network or {ENV_BASE_URL}, then run the same command again to resume"
        ) from None
    try:
        try:
            body = read_body(response, clock() + retry.deadline_s, read_s, clock)
        except DeadlineExceeded as err:
            raise EurostatTimedOut(
                f"Eurostat's answer for {url} did not arrive within the call deadline of {retry.deadline_s:g} s ({err}); "
                "raise --call-deadline (or $ENERGYTRADE_CALL_DEADLINE_S), ask for less with --filter, or run again"
            ) from None
        except (requests.RequestException, OSError, HTTPError) as err:
            raise EurostatConnectionError(
                f"the connection to Eurostat broke while reading the answer for {url} ({type(err).__name__}); "
                "run the same command again to resume"
            ) from None
    finally:
        response.close()
    status = response.status_code
    if status == 200:
        return Answer(url, response.headers.get("Content-Type", ""), body)
    label = error_label(body)
    if status == TOO_BIG_STATUS or TOO_BIG_LABEL in label:
        raise _TooBig(label)
    n = attempts(response)
    if status == 404:
        raise EurostatNotFound(
            f"Eurostat answered HTTP 404 ({label}) for {url}; check the dataset code and the --filter codes"
        )
    if status == 429:
        raise EurostatRateLimited(
            f"Eurostat answered HTTP 429 ({label}) for {url} after {n} attempt(s); wait a few minutes, then run the "
            "same command again to resume"
        )
    if 500 <= status < 600:
        raise EurostatServerError(
            f"Eurostat answered HTTP {status} ({label}) for {url} on all {n} attempts; the service may be down: run "
            "the same command again later to resume"
        )
    raise EurostatRequestRejected(f"Eurostat answered HTTP {status} ({label}) for {url}; check the --filter codes")


def check_sdmx_csv(body: bytes, url: str) -> int:
    """The number of data rows of a gzip (or plain) SDMX-CSV answer.

    Raises
    ------
    EurostatBadResponse
        An HTML page or XML message instead of CSV, a broken or cut-off gzip, another header, or a last
        line cut off.
    """
    try:
        text = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    except (OSError, EOFError, zlib.error) as err:
        raise EurostatBadResponse(
            f"Eurostat's answer for {url} is a broken or cut-off gzip file ({type(err).__name__}: {err}); run the "
            "same command again"
        ) from None
    head = text[:2000].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("<"):
        kind = "an HTML page" if "<html" in head[:500].lower() or "<!doctype" in head[:50].lower() else "XML"
        raise EurostatBadResponse(
            f"Eurostat sent {kind} instead of SDMX-CSV for {url}; it starts with {_snippet(text)}. A wrong base URL "
            f"({ENV_BASE_URL}) or an asynchronous answer to a very large request: narrow it with --filter"
        )
    header = head.splitlines()[0] if head else ""
    if not header.startswith(SDMX_CSV_START) or not all(name in header.split(",") for name in SDMX_CSV_NEEDS):
        raise EurostatBadResponse(
            f"Eurostat's answer for {url} is not SDMX-CSV (header {header[:120]!r}, expected it to start with "
            f"{SDMX_CSV_START!r} and hold TIME_PERIOD and OBS_VALUE)"
        )
    if not text.endswith(b"\n"):
        raise EurostatBadResponse(f"Eurostat's answer for {url} ends in the middle of a line (cut off); run again")
    return max(text.count(b"\n") - 1, 0)


@dataclass
class FetchResult:
    """What a :func:`fetch` did."""

    vintage: str
    stored: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)
    codelists: list[Path] = field(default_factory=list)
    requests_sent: int = 0
    splits: int = 0
    rows: int = 0


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def fetch(
    request: EurostatRequest,
    raw_root: str | os.PathLike,
    *,
    base_url: str | None = None,
    refresh: bool = False,
    session: requests.Session | None = None,
    retry: RetryPolicy | None = None,
    throttle: Throttle | None = None,
    total_deadline_s: float = DEFAULT_TOTAL_DEADLINE_S,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    clock: Callable[[], datetime] = _utc_now,
    monotonic: Callable[[], float] = time.monotonic,
    progress: Callable[[str], None] | None = None,
) -> FetchResult:
    """Fetch ``request`` and the dataset's code lists into ``<raw_root>/<source>/<today>/``.

    Calls already stored (any vintage; with ``refresh`` only today's, so an interrupted refresh resumes)
    are not repeated; a code list is fetched once per vintage written. A request Eurostat refuses as too
    big is split in two (periods first, then codes) and ``progress`` is told so; the refused call is never
    stored, and a resumed run splits it again without asking.

    Raises
    ------
    EurostatError
        The typed errors of :func:`perform` and :func:`check_sdmx_csv`; :class:`EurostatTooBig` when a
        refused request cannot be split further; :class:`EurostatTimedOut` when the total time runs out.
    energytrade.errors.DataRootNotWritable, energytrade.errors.DataRootBusy
        Before any call is made.
    """
    started = monotonic()
    tell = progress or (lambda message: None)
    base_url = (base_url or base_url_from_env()).rstrip("/")
    retry = retry or RetryPolicy()
    throttle = throttle or Throttle.from_env()
    session = session or requests.Session()
    source = request.dataset.source
    prepare_store(raw_root, source, lock_timeout_s=lock_timeout_s, notify=tell)
    vintage = clock().date().isoformat()
    answers = stored_answers(raw_root, source, [vintage] if refresh else None)
    by_key = {a.call_key: a for a in answers}
    split_keys = {k for a in answers for k in a.parent_keys}
    result = FetchResult(vintage=vintage)

    def call(url: str, accept: str) -> Answer:
        elapsed = monotonic() - started
        if elapsed >= total_deadline_s:
            raise EurostatTimedOut(
                f"the fetch stopped after {elapsed:.0f} s, its total time limit of {total_deadline_s:g} s "
                f"({len(result.stored)} answer(s) stored now); what is stored stays: run the same command again to "
                "resume, or raise --total-deadline ($ENERGYTRADE_TOTAL_DEADLINE_S)"
            )
        throttle.wait()
        result.requests_sent += 1
        return perform(url, session=session, base_url=base_url, retry=retry, accept=accept, clock=monotonic)

    def save(name: str, body: bytes, meta: dict) -> Path:
        return store(raw_root, source, vintage, name, body, meta, lock_timeout_s=lock_timeout_s, notify=tell).path

    pending: list[tuple[EurostatRequest, tuple[str, ...], tuple[str, ...]]] = [(request, (), ())]
    while pending:
        part, lineage, dims = pending.pop(0)
        if part.key in by_key:
            result.reused.append(by_key[part.key].raw_file.path)
            tell(f"eurostat: {part.describe()} already stored ({by_key[part.key].raw_file.name})")
            continue
        if part.key not in split_keys:
            url = part.url(base_url)
            try:
                answer = call(url, "application/vnd.sdmx.data+csv, */*")
            except _TooBig as refusal:
                dimension, halves = split(part)
                tell(
                    f"eurostat: Eurostat refused {part.describe()} as too big ({refusal}); splitting it by "
                    f"{dimension} into {halves[0].describe()} and {halves[1].describe()}"
                )
                result.splits += 1
                pending[:0] = [(half, lineage + (part.key,), dims + (dimension,)) for half in halves]
                continue
            rows = check_sdmx_csv(answer.body, url)
            meta = data_meta(part, url, answer.content_type, rows, clock(), lineage, dims)
            path = save(part.file_name, answer.body, meta)
            result.stored.append(path)
            result.rows += rows
            tell(f"eurostat: {rows} rows of {part.describe()} stored in {path.name}")
            continue
        dimension, halves = split(part)
        pending[:0] = [(half, lineage + (part.key,), dims + (dimension,)) for half in halves]

    have = stored_codelists(raw_root, source, [vintage] if (refresh or result.stored) else None)
    for dimension, codelist in request.dataset.codelists.items():
        if codelist in have:
            continue
        url = base_url + codelist_path(codelist)
        try:
            answer = call(url, "application/vnd.sdmx.structure+xml;version=2.1, application/xml")
        except _TooBig as refusal:
            raise EurostatTooBig(f"Eurostat refused the code list {codelist} as too big ({refusal})") from None
        check_codelist(answer.body, url, codelist)
        meta = codelist_meta(request.dataset, codelist, url, answer.content_type, clock())
        path = save(f"codelist_ESTAT_{codelist}.xml", answer.body, meta)
        result.codelists.append(path)
        tell(f"eurostat: code list {codelist} (labels of {dimension}) stored in {path.name}")
    return result


def check_codelist(body: bytes, url: str, codelist: str) -> None:
    """A code list answer must be an SDMX-ML structure message holding that code list.

    Raises
    ------
    EurostatBadResponse
    """
    head = body[:4000].decode("utf-8-sig", errors="replace")
    if "Structure" not in head or "Codelist" not in body.decode("utf-8", errors="replace"):
        raise EurostatBadResponse(
            f"Eurostat's answer for the code list {codelist} at {url} is not an SDMX-ML structure message; it starts "
            f"with {_snippet(body)}"
        )
    if f'id="{codelist}"' not in body.decode("utf-8", errors="replace"):
        raise EurostatBadResponse(f"Eurostat's SDMX-ML answer at {url} does not hold the code list {codelist}")
