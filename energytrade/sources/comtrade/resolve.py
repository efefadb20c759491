"""Fetch a planned request into the store, resolving truncated answers by splitting them.

:func:`fetch` runs a plan (``query.plan``) call by call: calls already stored are not repeated, an answer
that reaches the record cap is split into two smaller calls (:func:`split`) and never stored, and each
answer is stored atomically with a sidecar (``store``). Work is bounded: one call by the per-call
deadline (``RetryPolicy.deadline_s``), the whole fetch by ``total_deadline_s``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import requests

from energytrade.raw import DEFAULT_LOCK_TIMEOUT_S
from energytrade.sources.comtrade.errors import (
    ComtradeBadResponse,
    ComtradeEmptyResult,
    ComtradeTimedOut,
    ComtradeTruncated,
)
from energytrade.sources.comtrade.http import perform, redact, redact_body
from energytrade.sources.comtrade.query import ComtradeRequest, base_url_from_env, halves, plan
from energytrade.sources.comtrade.response import process
from energytrade.sources.comtrade.store import (
    SOURCE,
    StoreIndex,
    prepare_store,
    sidecar_meta,
    store_response,
    stored_calls,
)
from energytrade.sources.http import DEFAULT_TOTAL_DEADLINE_S, RetryPolicy, Throttle

log = logging.getLogger(__name__)

#: Why a 200 answer can have no records (data-apis.md 1.3, 1.8 items 2 and 10).
EMPTY_REASONS = (
    "the period is not released yet (reporters publish monthly data weeks or months late; Russia has not "
    "reported since 2022, ask China's imports from Russia instead)",
    "a period or code in the wrong form (the API answers bad parameter values with an empty result, not "
    "an error: monthly periods are YYYYMM, annual YYYY)",
    "there was no such trade",
)


#: The order in which a call is split: periods first (each half keeps every partner of a period
#: together), then explicit partner lists, commodities, flows, reporters.
SPLIT_ORDER = ("periods", "partners", "hs_codes", "flows", "reporters")


def split(request: ComtradeRequest) -> list[ComtradeRequest]:
    """Two calls that together ask for the same records as ``request`` (deterministic).

    Raises
    ------
    ComtradeTruncated
        If the call is down to one value of every dimension.
    """
    return split_by(request)[1]


def split_by(request: ComtradeRequest) -> tuple[str, list[ComtradeRequest]]:
    """:func:`split`, and the dimension split (one of :data:`SPLIT_ORDER`)."""
    for name in SPLIT_ORDER:
        values = getattr(request, name)
        if values is not None and len(values) > 1:
            first, second = halves(values)
            return name, [replace(request, **{name: first}), replace(request, **{name: second})]
    raise ComtradeTruncated(
        f"a single call ({request.describe()}) returned the record cap of {request.max_records} and cannot be "
        "split further: raise --max-records (up to 100000 with a free key), or ask for fewer partners "
        "with a --partner list"
    )


@dataclass
class FetchResult:
    """What a :func:`fetch` did. Paths are stored responses; URLs never carry the key."""

    vintage: str
    stored: list[Path] = field(default_factory=list)
    reused: list[Path] = field(default_factory=list)
    requests_sent: int = 0
    splits: int = 0  # truncated answers split in this run
    records: int = 0
    empty: list[str] = field(default_factory=list)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def fetch(
    request: ComtradeRequest,
    raw_root: str | os.PathLike,
    *,
    api_key: str | None = None,
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
    """Fetch ``request`` into ``<raw_root>/comtrade/<today>/`` and return what was done.

    Calls already in the store (any vintage; with ``refresh`` only today's, so an interrupted refresh
    resumes) are not repeated, except that ``refresh`` asks again a call whose stored answer had no records
    (``count: 0``: the data may have been released since). A truncated answer is split into smaller calls
    and never stored.

    Parameters
    ----------
    request
        From ``query.check_query``.
    raw_root
        The data root's ``raw/`` folder (``energytrade.paths.data_paths(...).raw``).
    api_key
        Needed when ``request.keyed``; sent only in the ``Ocp-Apim-Subscription-Key`` header, and replaced
        by ``***`` in a body that echoes it before the body is stored.
    base_url
        Default ``query.base_url_from_env``.
    refresh
        Pull a new vintage beside the old ones instead of reusing stored calls.
    session, retry, throttle
        HTTP session, retry policy (waits, per-call deadline) and pause between calls (default
        ``Throttle.from_env()``); injectable for tests.
    total_deadline_s
        No call starts after this many seconds from the start [s]; what is stored stays, and running the
        same fetch again resumes.
    lock_timeout_s
        Longest wait for another process's lock on the data root [s].
    clock, monotonic
        UTC clock (the vintage, ``retrieved_at``) and elapsed-time clock; injectable for tests.
    progress
        Called with one line per event (a call made or reused, a split, a wait for the lock).

    Raises
    ------
    ComtradeError
        The typed errors of ``http.perform`` and ``response.process``; :class:`ComtradeEmptyResult` when every
        call came back with ``count: 0`` (those answers are stored, so the fact is on record);
        :class:`ComtradeTimedOut` when the total time runs out.
    energytrade.errors.DataRootNotWritable, energytrade.errors.DataRootBusy
        Before any call is made.
    """
    started = monotonic()
    tell = progress or (lambda message: None)
    base_url = (base_url or base_url_from_env()).rstrip("/")
    retry = retry or RetryPolicy()
    throttle = throttle or Throttle.from_env()
    session = session or requests.Session()
    prepare_store(raw_root, lock_timeout_s=lock_timeout_s, notify=tell)
    vintage = clock().date().isoformat()
    calls = stored_calls(raw_root, [vintage] if refresh else None)
    if refresh:  # an empty answer is a fact of its day, not data: a refresh asks again
        calls = [c for c in calls if c.record_count > 0]
    index = StoreIndex.from_calls(calls)
    result = FetchResult(vintage=vintage)
    # Each pending call with its lineage: the keys of the calls it was split from, and how each was split.
    pending: list[tuple[ComtradeRequest, tuple[str, ...], tuple[str, ...]]] = [
        (call, (), ()) for call in plan(request, base_url)
    ]
    total = len(pending)
    done = 0
    leaves_empty: list[bool] = []
    while pending:
        call, lineage, dims = pending.pop(0)
        stored = index.by_key.get(call.key)
        if stored is not None:
            result.reused.append(stored.path)
            leaves_empty.append(stored.record_count == 0)
            if stored.record_count == 0:
                result.empty.append(call.url(base_url))
            done += 1
            tell(f"comtrade call {done}/{total}: already stored ({stored.path.name})")
            continue
        if call.key in index.split_keys:
            dimension, children = split_by(call)
        else:
            elapsed = monotonic() - started
            if elapsed >= total_deadline_s:
                raise ComtradeTimedOut(
                    f"the fetch stopped after {elapsed:.0f} s, its total time limit of {total_deadline_s:g} s, with "
                    f"{done} of {total} call(s) done ({len(result.stored)} stored now); what is stored stays: run "
                    "the same command again to resume, or raise --total-deadline ($ENERGYTRADE_TOTAL_DEADLINE_S)"
                )
            throttle.wait()
            reply = perform(call, base_url=base_url, api_key=api_key, session=session, retry=retry)
            reply = replace(reply, body=redact_body(reply.body, api_key))
            result.requests_sent += 1
            try:
                answer = process(call, reply)
            except ComtradeBadResponse as err:  # its text quotes the body, which might echo the key
                raise ComtradeBadResponse(redact(str(err), api_key)) from None
            if not answer.truncated:
                meta = sidecar_meta(call, reply, answer.count, lineage, clock(), split_by=dims)
                raw_file = store_response(
                    raw_root, vintage, call.file_name, reply.body, meta, lock_timeout_s=lock_timeout_s, notify=tell
                )
                result.stored.append(raw_file.path)
                result.records += answer.count
                leaves_empty.append(answer.count == 0)
                if answer.count == 0:
                    result.empty.append(reply.url)
                done += 1
                tell(f"comtrade call {done}/{total}: {answer.count} records stored in {raw_file.path.name}")
                continue
            log.warning("%d records (the cap) for %s: splitting the call", answer.count, reply.url)
            tell(f"comtrade: {answer.count} records (the cap) for {call.describe()}: split by {split_by(call)[0]}")
            dimension, children = split_by(call)
            result.splits += 1
        pending[:0] = [(child, lineage + (call.key,), dims + (dimension,)) for child in children]
        total += len(children) - 1
    if leaves_empty and all(leaves_empty):
        reasons = "; ".join(f"({i}) {reason}" for i, reason in enumerate(EMPTY_REASONS, start=1))
        raise ComtradeEmptyResult(
            f"UN Comtrade returned no records (count: 0) for {request.describe()} "
            f"({len(leaves_empty)} call(s), e.g. {result.empty[0]}). Likely reasons: {reasons}. "
            f"The empty answers are kept in the store (raw/{SOURCE}/) as a record of what was asked; once "
            "data is released, fetch again with --refresh"
        )
    return result
