"""UN Comtrade API v1 client: fetch into the versioned raw store, and clean stored responses.

Each fetch goes check -> build -> perform -> process (the comtradr pattern), four small steps:

- :func:`check_query` turns human arguments (``reporter="CHN"``, ``partner="all"``, ``commodity="crude_oil"``,
  ``flow="M"``, ``freq="M"``, ``start="2022-01"``) into a validated :class:`ComtradeRequest`, or raises an
  error that lists the allowed values. Pure.
- :func:`plan` splits a request into the fewest calls within the API's limits (periods per call, URL
  length); :meth:`ComtradeRequest.url` builds each call's URL. Pure.
- :func:`perform` sends one call with ``requests``: a timeout on every request, the key only in the
  ``Ocp-Apim-Subscription-Key`` header, bounded retries on 429/403-quota (honouring ``Retry-After``),
  5xx and connection errors (backoff). Anything else is a typed error (``comtrade_errors``).
- :func:`process` checks the JSON envelope and detects truncation (a count that reaches the
  ``maxRecords`` asked for, or the server's cap). Pure.

:func:`fetch` runs a plan against the store (``comtrade_store``): calls already stored are not repeated,
truncated calls are split and re-fetched (never stored as complete), and each response is written
atomically with a sidecar. :func:`clean` maps every stored response into the clean schema
(``energytrade.schema``), taking the newest vintage per query.

API facts (endpoints, parameters, limits, error bodies) follow ``shared/notes/data-apis.md`` section 1;
the tags there ([REAL], [2ND]) are repeated beside the constants below.

The subscription key is read from ``COMTRADE_API_KEY`` (surrounding whitespace stripped, see
:func:`check_api_key`). It is sent only as a header and never appears in a URL, a log line, a sidecar, an
exception message or the command's output: every message built from something that may echo it (a server
body, a ``requests`` exception) goes through ``_redact``.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import requests

from energytrade import __version__
from energytrade.commodities import HS_CODES, check_commodity
from energytrade.countries import WORLD_ISO3, check_iso3, iso_numeric_codes
from energytrade.errors import BadPeriod
from energytrade.periods import parse_month
from energytrade.schema import UNIQUE_KEY, conform, empty_frame, sort_rows
from energytrade.sources.comtrade_errors import (
    ComtradeAuthRefused,
    ComtradeBadKey,
    ComtradeBadQuery,
    ComtradeBadResponse,
    ComtradeConnectionError,
    ComtradeEmptyResult,
    ComtradeError,
    ComtradeQuotaExhausted,
    ComtradeRateLimited,
    ComtradeRequestFailed,
    ComtradeRequestRejected,
    ComtradeServerError,
    ComtradeTruncated,
)
from energytrade.sources.comtrade_store import KIND, StoredCall, StoreIndex, store_response, stored_calls

__all__ = [
    "SOURCE",
    "ComtradeReply",
    "ComtradeRequest",
    "FetchResult",
    "HttpReply",
    "RetryPolicy",
    "add_fetch_arguments",
    "base_url_from_env",
    "check_api_key",
    "check_query",
    "clean",
    "clean_records",
    "comtrade_area_code",
    "fetch",
    "perform",
    "plan",
    "process",
    "read_response",
    "parse_body",
    "run_fetch",
    "sidecar_meta",
    "split",
]

log = logging.getLogger(__name__)

SOURCE = "comtrade"
DEFAULT_BASE_URL = "https://comtradeapi.un.org"
ENV_BASE_URL = "ENERGYTRADE_COMTRADE_URL"
ENV_API_KEY = "COMTRADE_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"  # [REAL] comtradr sends the key in this header

#: Records per call: the public preview returns at most 500 [REAL CAC README]; a free key up to 100,000
#: [2ND comtradr vignette]; the UN package states 250,000 for getFinalData (premium) [REAL CAC README].
PREVIEW_MAX_RECORDS = 500
KEYED_DEFAULT_MAX_RECORDS = 100_000
KEYED_MAX_RECORDS = 250_000
#: Periods per call: the preview takes one [2ND worldmonitor#4646: period=2023,2024 -> HTTP 400];
#: comtradr caps a keyed query at 12 periods [REAL CTR ct_check_params.R].
PREVIEW_MAX_PERIODS = 1
KEYED_MAX_PERIODS = 12
#: comtradr aborts above 4096 characters; the server answers "Request URL Too Long" [REAL CTR].
MAX_URL_CHARS = 4096

TYPE_CODE = "C"  # goods
CL_CODE = "HS"  # combined HS: the server picks the reporter's own HS edition
FLOW_CODES: dict[str, str] = {"M": "import", "X": "export"}
FREQ_CODES: dict[str, str] = {"M": "monthly (periods YYYY-MM)", "A": "annual (periods YYYY)"}
#: Totals only: no second partner, all customs procedures, all modes of transport. Without these,
#: "plus" breakdowns return several rows per partner that would be double counted [REAL CTR URL].
AGGREGATE_PARAMS: tuple[tuple[str, str], ...] = (("partner2Code", "0"), ("customsCode", "C00"), ("motCode", "0"))
COMTRADE_WORLD_ISO = "W00"  # partnerISO of World (partnerCode 0) in the data API [REAL]

#: Comtrade area codes that differ from ISO 3166 numeric, from Comtrade's reference file Reporters.json
#: (recorded 2025-06-05 in comtradr's tests, re_tb2/.../Reporters.json.R), plus the non-country partner
#: areas of ``energytrade.countries.NON_ISO_AREAS`` (partnerAreas.json [REAL], data-apis.md 1.6).
COMTRADE_AREA_CODES: dict[str, int] = {
    WORLD_ISO3: 0,
    "FRA": 251,  # "France, Monaco"
    "IND": 699,  # 356 is "India (...1974)"
    "NOR": 579,  # "Norway, Svalbard and Jan Mayen"
    "CHE": 757,  # "Switzerland, Liechtenstein"
    "USA": 842,  # "USA, Puerto Rico and US Virgin Islands"
    "S19": 490,  # Other Asia, nes
    "TWN": 490,  # Comtrade has no Taiwan entry: it reports it as Other Asia, nes (S19)
    "_X": 899,  # Areas, nes
    "X1": 837,  # Bunkers
    "X2": 838,  # Free Zones
    "XX": 839,  # Special Categories
}

#: Why a 200 answer can have no records (data-apis.md 1.3, 1.8 items 2 and 10).
EMPTY_REASONS = (
    "the period is not released yet (reporters publish monthly data weeks or months late; Russia has not "
    "reported since 2022, ask China's imports from Russia instead)",
    "a period or code in the wrong form (the API answers bad parameter values with an empty result, not "
    "an error: monthly periods are YYYYMM, annual YYYY)",
    "there was no such trade",
)


# --------------------------------------------------------------------------------------------------- check
def comtrade_area_code(iso3: str) -> int:
    """UN Comtrade's numeric area code of an ISO3 code (``"CHN"`` -> 156, ``"USA"`` -> 842, ``"WLD"`` -> 0).

    >>> comtrade_area_code("CHN"), comtrade_area_code("IND"), comtrade_area_code("WLD")
    (156, 699, 0)
    """
    if iso3 in COMTRADE_AREA_CODES:
        return COMTRADE_AREA_CODES[iso3]
    try:
        return iso_numeric_codes()[iso3]
    except KeyError:
        raise ComtradeBadQuery(
            f"no UN Comtrade area code is known for {iso3!r}; use an ISO 3166 alpha-3 country code"
        ) from None


def _as_list(value: str | Sequence[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def _check_areas(value: str | Sequence[str], role: str) -> tuple[str, ...]:
    codes = []
    for item in _as_list(value):
        if item.lower() in ("all", "everything"):
            raise ComtradeBadQuery(f"{role} 'all' must be given alone, not in a list")
        if item.lower() == "world":
            item = WORLD_ISO3
        iso3 = check_iso3(item)
        if role == "reporter" and iso3 == WORLD_ISO3:
            raise ComtradeBadQuery("reporter must be a country (e.g. CHN), not World")
        comtrade_area_code(iso3)
        if iso3 not in codes:
            codes.append(iso3)
    if not codes:
        raise ComtradeBadQuery(f"no {role} given; use ISO3 codes, e.g. CHN or RUS,SAU")
    return tuple(codes)


def _check_commodities(value: str | Sequence[str]) -> tuple[str, ...]:
    codes: list[str] = []
    for item in _as_list(value):
        for code in HS_CODES[check_commodity(item)].split("+"):  # natural_gas = 271111 + 271121
            if code not in codes:
                codes.append(code)
    if not codes:
        allowed = ", ".join(f"{name} ({code})" for name, code in HS_CODES.items())
        raise ComtradeBadQuery(f"no commodity given; known: {allowed}")
    return tuple(codes)


def _check_flows(value: str | Sequence[str]) -> tuple[str, ...]:
    names = {name: code for code, name in FLOW_CODES.items()}
    flows: list[str] = []
    for item in _as_list(value):
        code = names.get(item.lower(), item.upper())
        if code not in FLOW_CODES:
            allowed = ", ".join(f"{c} ({n})" for c, n in FLOW_CODES.items())
            raise ComtradeBadQuery(f"unknown flow {item!r}; allowed: {allowed}, or both as M,X")
        if code not in flows:
            flows.append(code)
    if not flows:
        raise ComtradeBadQuery("no flow given; allowed: M (import), X (export)")
    return tuple(flows)


def _check_freq(value: str) -> str:
    freq = str(value).strip().upper()
    if freq not in FREQ_CODES:
        allowed = ", ".join(f"{c} {d}" for c, d in FREQ_CODES.items())
        raise ComtradeBadQuery(f"unknown frequency {value!r}; allowed: {allowed}")
    return freq


def _check_periods(freq: str, start: str, end: str | None) -> tuple[str, ...]:
    """The Comtrade periods from ``start`` to ``end`` inclusive: ``YYYYMM`` (monthly) or ``YYYY`` (annual)."""
    end = start if end in (None, "") else end
    if freq == "A":
        years = []
        for text in (start, end):
            if not re.fullmatch(r"\d{4}", str(text).strip()):
                raise BadPeriod(f"bad year {text!r}: annual data (--freq A) takes years YYYY, e.g. 2022")
            years.append(int(str(text).strip()))
        if years[1] < years[0]:
            raise BadPeriod(f"bad span {start}..{end}: it ends before it starts")
        return tuple(str(y) for y in range(years[0], years[1] + 1))
    first, last = parse_month(start), parse_month(end)
    if last < first:
        raise BadPeriod(f"bad span {first}..{last}: it ends before it starts")
    months, current = [], first
    while current <= last:
        months.append(f"{current.year:04d}{current.month:02d}")
        current = current.shift(1)
    return tuple(months)


def _check_max_records(max_records: int | None, keyed: bool) -> int:
    if max_records is None:
        return KEYED_DEFAULT_MAX_RECORDS if keyed else PREVIEW_MAX_RECORDS
    cap = KEYED_MAX_RECORDS if keyed else PREVIEW_MAX_RECORDS
    if not isinstance(max_records, int) or isinstance(max_records, bool) or not 1 <= max_records <= cap:
        hint = "" if keyed else f"; set {ENV_API_KEY} for up to {KEYED_DEFAULT_MAX_RECORDS} with a free key"
        raise ComtradeBadQuery(
            f"max records {max_records!r} must be a whole number from 1 to {cap} "
            f"({'keyed data API' if keyed else 'public preview'}){hint}"
        )
    return max_records


@dataclass(frozen=True)
class ComtradeRequest:
    """One validated request to the final-data endpoint (goods, combined HS, totals only).

    Codes are ISO3 (reporters, partners; ``None`` partners means all partners, World included), HS codes as
    strings, Comtrade flow codes (``M``/``X``) and Comtrade periods (``YYYYMM`` or ``YYYY``).
    """

    reporters: tuple[str, ...]
    partners: tuple[str, ...] | None
    hs_codes: tuple[str, ...]
    flows: tuple[str, ...]
    freq: str
    periods: tuple[str, ...]
    max_records: int
    keyed: bool

    @property
    def path(self) -> str:
        """``/data/v1/get/C/M/HS`` (keyed) or ``/public/v1/preview/C/M/HS`` (no key)."""
        family = "data/v1/get" if self.keyed else "public/v1/preview"
        return f"/{family}/{TYPE_CODE}/{self.freq}/{CL_CODE}"

    def params(self) -> list[tuple[str, str]]:
        """The query parameters, in a fixed order (the key is never one of them)."""
        params = [
            ("reporterCode", ",".join(str(comtrade_area_code(r)) for r in self.reporters)),
            ("period", ",".join(self.periods)),
        ]
        if self.partners is not None:
            params.append(("partnerCode", ",".join(str(comtrade_area_code(p)) for p in self.partners)))
        params += [
            ("cmdCode", ",".join(self.hs_codes)),
            ("flowCode", ",".join(self.flows)),
            *AGGREGATE_PARAMS,
            ("maxRecords", str(self.max_records)),
            ("includeDesc", "TRUE"),
        ]
        return params

    def url(self, base_url: str = DEFAULT_BASE_URL) -> str:
        """The full URL of this call (safe to print: the key travels in a header)."""
        return base_url.rstrip("/") + self.path + "?" + urlencode(self.params())

    @property
    def key(self) -> str:
        """Identity of the call in the store: the path and parameters except ``maxRecords``.

        Two calls with the same key ask for the same records, so a complete answer to one serves both.
        """
        same = [(k, v) for k, v in self.params() if k != "maxRecords"]
        return hashlib.sha256((self.path + "?" + urlencode(same)).encode()).hexdigest()[:16]

    @property
    def file_name(self) -> str:
        """``C-M-HS_CHN_all_2709_M_202201-202212_<key>.json``: readable, and unique by the key."""

        def part(values: Sequence[str] | None, many: str) -> str:
            if values is None:
                return "all"
            return "+".join(values) if len(values) <= 3 else f"{len(values)}{many}"

        periods = self.periods[0] if len(self.periods) == 1 else f"{self.periods[0]}-{self.periods[-1]}"
        name = "_".join(
            [
                f"{TYPE_CODE}-{self.freq}-{CL_CODE}",
                part(self.reporters, "reporters"),
                part(self.partners, "partners"),
                part(self.hs_codes, "codes"),
                "+".join(self.flows),
                periods,
                self.key[:10],
            ]
        )
        return name + ".json"

    def describe(self) -> str:
        partners = "all partners" if self.partners is None else ",".join(self.partners)
        periods = self.periods[0] if len(self.periods) == 1 else f"{self.periods[0]}..{self.periods[-1]}"
        return (
            f"{','.join(self.reporters)} {'/'.join(FLOW_CODES[f] for f in self.flows)} of HS "
            f"{','.join(self.hs_codes)} from {partners}, {periods}"
        )


def check_query(
    reporter: str | Sequence[str] = "CHN",
    partner: str | Sequence[str] = "all",
    commodity: str | Sequence[str] = "crude_oil",
    flow: str | Sequence[str] = "M",
    freq: str = "M",
    start: str = "",
    end: str | None = None,
    max_records: int | None = None,
    keyed: bool = False,
) -> ComtradeRequest:
    """Validate human arguments into a :class:`ComtradeRequest` (no network).

    Parameters
    ----------
    reporter
        ISO3 code(s) of the reporting country, e.g. ``"CHN"`` or ``"CHN,IND"``.
    partner
        ``"all"`` (every partner, World included) or ISO3 code(s); ``"WLD"`` is World.
    commodity
        Commodity name(s) or HS code(s) that energytrade knows (``crude_oil`` or ``2709``, ``lng``, ...).
    flow
        ``M`` (import), ``X`` (export), or ``M,X``.
    freq
        ``M`` monthly or ``A`` annual.
    start, end
        First and last period, inclusive: ``YYYY-MM`` (or ``YYYYMM``) monthly, ``YYYY`` annual.
        ``end`` defaults to ``start``.
    max_records
        ``maxRecords`` sent with every call [records]; default 100000 with a key, 500 without.
    keyed
        Whether the call goes to the keyed data API (``COMTRADE_API_KEY`` set) or the public preview.

    Raises
    ------
    UnknownCountry, UnknownCommodity, BadPeriod, ComtradeBadQuery
        With the allowed values.

    Examples
    --------
    >>> request = check_query("CHN", "all", "crude_oil", "M", "M", "2022-01", "2022-03", keyed=True)
    >>> request.periods, request.hs_codes
    (('202201', '202202', '202203'), ('2709',))
    """
    freq = _check_freq(freq)
    if not str(start).strip():
        raise BadPeriod("no start period; give --start YYYY-MM (monthly) or YYYY (annual)")
    partners = None if str(partner).strip().lower() in ("all", "everything") else _check_areas(partner, "partner")
    return ComtradeRequest(
        reporters=_check_areas(reporter, "reporter"),
        partners=partners,
        hs_codes=_check_commodities(commodity),
        flows=_check_flows(flow),
        freq=freq,
        periods=_check_periods(freq, str(start).strip(), None if end is None else str(end).strip()),
        max_records=_check_max_records(max_records, keyed),
        keyed=keyed,
    )


# ---------------------------------------------------------------------------------------------------- plan
def _halves(values: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    middle = (len(values) + 1) // 2
    return values[:middle], values[middle:]


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
    return _split(request)[1]


def _split(request: ComtradeRequest) -> tuple[str, list[ComtradeRequest]]:
    """:func:`split`, and the dimension split (one of :data:`SPLIT_ORDER`)."""
    for name in SPLIT_ORDER:
        values = getattr(request, name)
        if values is not None and len(values) > 1:
            first, second = _halves(values)
            return name, [replace(request, **{name: first}), replace(request, **{name: second})]
    raise ComtradeTruncated(
        f"a single call ({request.describe()}) returned the record cap of {request.max_records} and cannot be "
        "split further: raise --max-records (up to 100000 with a free key), or ask for fewer partners "
        "with a --partner list"
    )


def plan(
    request: ComtradeRequest, base_url: str = DEFAULT_BASE_URL, max_url_chars: int = MAX_URL_CHARS
) -> list[ComtradeRequest]:
    """The fewest calls that cover ``request`` within the API's limits.

    Periods are packed up to 12 per call with a key and 1 without; a URL longer than 4096 characters
    is split further (partner lists first). Record caps cannot be known in advance: :func:`fetch` splits
    a call whose answer reaches the cap.

    >>> request = check_query("CHN", "all", "2709", "M", "M", "2021-01", "2022-12", keyed=True)
    >>> [len(call.periods) for call in plan(request)]
    [12, 12]
    """
    per_call = KEYED_MAX_PERIODS if request.keyed else PREVIEW_MAX_PERIODS
    chunks = [request.periods[i : i + per_call] for i in range(0, len(request.periods), per_call)]
    calls: list[ComtradeRequest] = []
    pending = [replace(request, periods=chunk) for chunk in chunks]
    while pending:
        call = pending.pop(0)
        if len(call.url(base_url)) <= max_url_chars:
            calls.append(call)
            continue
        for name in ("partners", "periods", "hs_codes", "reporters"):
            values = getattr(call, name)
            if values is not None and len(values) > 1:
                first, second = _halves(values)
                pending[:0] = [replace(call, **{name: first}), replace(call, **{name: second})]
                break
        else:
            raise ComtradeBadQuery(f"the URL of one call is over {max_url_chars} characters and cannot be split")
    return calls


def base_url_from_env() -> str:
    """``$ENERGYTRADE_COMTRADE_URL`` (a mirror, or a test server), else ``https://comtradeapi.un.org``."""
    return (os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")


#: A subscription key is sent as a header value, so it may hold only visible ASCII. Keys are a single run of
#: letters and digits, so inner spaces are refused too (a header could carry them, but they are a paste error).
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")


def check_api_key(value: str | None) -> str | None:
    """The subscription key with surrounding whitespace stripped; ``None`` when unset or blank.

    A stray ``\\r`` (a ``.env`` file saved with Windows line endings) or a trailing space is stripped.
    A key with a character inside it that no HTTP header can carry is refused here: sent as it is,
    ``requests`` would raise an error whose text quotes the key.

    Raises
    ------
    ComtradeBadKey
        Naming the offending characters by code point and position, never the key itself.

    Examples
    --------
    >>> check_api_key("0123abcd\\r\\n"), check_api_key("  "), check_api_key(None)
    ('0123abcd', None, None)
    """
    key = (value or "").strip()
    if not key:
        return None
    if not _KEY_CHARS.fullmatch(key):
        bad = [f"U+{ord(char):04X} at position {i + 1}" for i, char in enumerate(key) if not "!" <= char <= "~"]
        raise ComtradeBadKey(
            f"{ENV_API_KEY} holds {len(bad)} character(s) that an HTTP header cannot carry ({', '.join(bad[:5])} "
            f"of {len(key)} characters; the key is not shown). A subscription key is one run of letters and digits: "
            f"set {ENV_API_KEY} again with the key alone, without spaces or line breaks inside it"
        )
    return key


# ------------------------------------------------------------------------------------------------- perform
@dataclass(frozen=True)
class RetryPolicy:
    """How :func:`perform` waits and retries.

    Attributes
    ----------
    max_attempts
        Attempts per call, the first included (429/403-quota, 5xx and connection errors all count).
    backoff_s
        First wait after a 5xx or connection error [s]; doubles per attempt up to ``max_backoff_s``.
    max_wait_s
        Longest ``Retry-After`` sat out [s]; a longer one (a spent daily quota) raises at once.
    timeout_s
        ``(connect, read)`` timeout of every request [s] (the UN's own client uses 120 s).
    sleep
        The wait function (``time.sleep``); tests pass a recorder.
    """

    max_attempts: int = 5
    backoff_s: float = 2.0
    max_backoff_s: float = 60.0
    max_wait_s: float = 120.0
    timeout_s: tuple[float, float] = (10.0, 120.0)
    sleep: Callable[[float], None] = time.sleep

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s)


@dataclass(frozen=True)
class HttpReply:
    """A 200 answer: the URL asked (no key), status, content type and the body exactly as received."""

    url: str
    status: int
    content_type: str
    body: bytes


def _redact(text: str, api_key: str | None) -> str:
    """``text`` with the key replaced by ``***``, in every form an error text may quote it.

    The forms: as given and stripped, each also as Python's ``repr`` writes it (``requests`` quotes a bad
    header value with ``!r``, so ``KEY\\r`` shows as ``KEY\\\\r``) and as a bytes repr.

    >>> _redact("Invalid ... in header value: 'abc123\\\\r'", "abc123\\r")
    "Invalid ... in header value: '***'"
    """
    if not api_key:
        return text
    forms: set[str] = set()
    for key in (api_key, api_key.strip()):
        if key:
            forms |= {key, repr(key)[1:-1], ascii(key)[1:-1], repr(key.encode("utf-8", "replace"))[2:-1]}
    for form in sorted(forms, key=len, reverse=True):  # longest first, so no tail of the key is left
        text = text.replace(form, "***")
    return text


def _snippet(body: bytes | str, limit: int = 200) -> str:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def _message(body: bytes) -> str:
    """The ``message`` of an Azure API Management error body, else the body's first characters."""
    try:
        payload = json.loads(body.decode("utf-8-sig"))
        if isinstance(payload, dict) and payload.get("message"):
            return str(payload["message"])
    except (ValueError, UnicodeDecodeError):
        pass
    return _snippet(body)


def _retry_after_s(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date); ``None`` if absent or ``0``."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return seconds if seconds > 0 else None


def _wait_in_message(message: str) -> float | None:
    """``Try again in 2 seconds.`` -> 2; ``replenished in 03:14:17`` -> 11657 [data-apis.md 1.5]."""
    match = re.search(r"in (\d+) seconds?", message)
    if match:
        return float(match.group(1))
    match = re.search(r"in (\d+):(\d{2}):(\d{2})", message)
    if match:
        hours, minutes, seconds = (int(g) for g in match.groups())
        return float(hours * 3600 + minutes * 60 + seconds)
    return None


def perform(
    request: ComtradeRequest,
    *,
    base_url: str = DEFAULT_BASE_URL,
    api_key: str | None = None,
    session: requests.Session | None = None,
    retry: RetryPolicy = RetryPolicy(),
) -> HttpReply:
    """Send one call and return its 200 answer, retrying what is worth retrying.

    Raises
    ------
    ComtradeRateLimited, ComtradeQuotaExhausted
        429 or 403-with-``Retry-After`` after ``retry.max_attempts``, or a wait over ``retry.max_wait_s``.
    ComtradeAuthRefused
        401, or a 403 that is not about quota.
    ComtradeServerError, ComtradeConnectionError
        5xx, or no connection, on every attempt.
    ComtradeRequestRejected
        Any other status (400, 404, 414, a redirect).
    ComtradeBadKey
        A key with a character no header can carry (see :func:`check_api_key`).
    ComtradeRequestFailed
        Any other ``requests`` error (not retried); its text is kept, with the key redacted.
    """
    key = check_api_key(api_key) if request.keyed else None
    if request.keyed and key is None:
        raise ComtradeAuthRefused(f"the keyed data API needs a subscription key: set {ENV_API_KEY}")
    session = session or requests.Session()
    url = request.url(base_url)
    headers = {"Accept": "application/json", "User-Agent": f"energytrade/{__version__}"}
    if key is not None:
        headers[KEY_HEADER] = key
    attempt = 0
    while True:
        attempt += 1
        log.info("GET %s (attempt %d)", url, attempt)
        try:
            # No redirects: a redirect to another host would carry the key header along.
            response = session.get(url, headers=headers, timeout=retry.timeout_s, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
            if attempt >= retry.max_attempts:
                raise ComtradeConnectionError(
                    f"could not reach UN Comtrade at {url} after {attempt} attempts ({type(err).__name__}); "
                    f"check the network or {ENV_BASE_URL}, then run the same command again to resume"
                ) from None
            wait = retry.backoff(attempt)
            log.warning("%s on %s; retrying in %.3g s", type(err).__name__, url, wait)
            retry.sleep(wait)
            continue
        except requests.RequestException as err:
            # Not a network fault (an invalid header or URL, a body that cannot be decoded): retrying would
            # not help. Its text may quote the key header, so it is redacted and the original is not chained.
            raise ComtradeRequestFailed(
                f"the request to UN Comtrade at {url} failed ({type(err).__name__}: "
                f"{_redact(str(err), api_key)}); check {ENV_API_KEY} (the key is not shown) and "
                f"{ENV_BASE_URL}, then run the same command again to resume"
            ) from None

        status = response.status_code
        if status == 200:
            return HttpReply(url, status, response.headers.get("Content-Type", ""), response.content)
        message = _redact(_message(response.content), api_key)
        retry_after = _retry_after_s(response)
        if status == 429 or (status == 403 and retry_after is not None):
            wait = retry_after or _wait_in_message(message) or retry.backoff(attempt)
            quota = status == 403
            if wait > retry.max_wait_s or attempt >= retry.max_attempts:
                kind = ComtradeQuotaExhausted if quota else ComtradeRateLimited
                what = "the key's call quota is used up" if quota else "rate limited"
                raise kind(
                    f"UN Comtrade answered HTTP {status} ({what}: {message}) for {url} after {attempt} "
                    f"attempt(s); retry after {wait:.0f} s, then run the same command again to resume",
                    retry_after_s=wait,
                )
            log.warning("HTTP %d on %s; waiting %.3g s (Retry-After)", status, url, wait)
            retry.sleep(wait)
            continue
        if status == 401:
            raise ComtradeAuthRefused(
                f"UN Comtrade refused the subscription key (HTTP 401: {message}) for {url}; check "
                f"{ENV_API_KEY} (the key is not shown), or unset it to use the public preview"
            )
        if status == 403:
            if "quota" in message.lower():
                wait = _wait_in_message(message)
                raise ComtradeQuotaExhausted(
                    f"UN Comtrade answered HTTP 403 (the key's call quota is used up: {message}) for {url}; "
                    "run the same command again once it is replenished",
                    retry_after_s=wait,
                )
            raise ComtradeAuthRefused(
                f"UN Comtrade refused the call (HTTP 403: {message}) for {url}; check {ENV_API_KEY} "
                "(the key is not shown) and that its subscription covers this endpoint"
            )
        if 500 <= status < 600:
            if attempt >= retry.max_attempts:
                raise ComtradeServerError(
                    f"UN Comtrade answered HTTP {status} ({message}) for {url} on all {attempt} attempts; "
                    "the service may be down: run the same command again later to resume"
                )
            wait = retry.backoff(attempt)
            log.warning("HTTP %d on %s; retrying in %.3g s", status, url, wait)
            retry.sleep(wait)
            continue
        raise ComtradeRequestRejected(
            f"UN Comtrade answered HTTP {status} ({message}) for {url}; "
            + ("the URL is too long: ask for fewer partners" if status == 414 else "check the query's codes")
        )


# ------------------------------------------------------------------------------------------------- process
@dataclass(frozen=True)
class ComtradeReply:
    """A checked answer: its records, ``count``, and whether it hit the record cap."""

    records: list[dict[str, Any]]
    count: int
    truncated: bool


def parse_body(body: bytes, where: str, content_type: str = "") -> tuple[list[dict[str, Any]], int]:
    """The records and ``count`` of a response body (``{"elapsedTime", "count", "data", "error"}``).

    Raises
    ------
    ComtradeBadResponse
        The body is not JSON (an HTML error page), not the envelope, reports an ``error``, or its
        ``count`` differs from the number of records (a cut-off body).
    """
    try:
        payload = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        kind = f" ({content_type})" if content_type else ""
        raise ComtradeBadResponse(
            f"UN Comtrade sent a body that is not JSON{kind} for {where}; it starts with {_snippet(body)}. "
            "An HTML page usually means a wrong base URL or a service outage"
        ) from None
    if not isinstance(payload, dict) or "data" not in payload or "count" not in payload:
        raise ComtradeBadResponse(
            f"UN Comtrade sent JSON without the count/data envelope for {where}; it starts with {_snippet(body)}"
        )
    if payload.get("error"):
        raise ComtradeBadResponse(f"UN Comtrade reported an error for {where}: {_snippet(str(payload['error']))}")
    records, count = payload["data"], payload["count"]
    if not isinstance(records, list) or not isinstance(count, int) or count != len(records):
        raise ComtradeBadResponse(
            f"UN Comtrade's answer for {where} is inconsistent (count {count!r}, "
            f"{len(records) if isinstance(records, list) else 'no'} records); run the command again"
        )
    return records, count


def process(request: ComtradeRequest, reply: HttpReply) -> ComtradeReply:
    """Check a 200 answer and flag truncation.

    A count that reaches the ``maxRecords`` asked for, or the endpoint's own cap (500 preview, 100000 free
    key: the server may cap below what was asked), means the answer may be cut off: the API says nothing
    else when it truncates [REAL CTR ct_process_response.R].
    """
    records, count = parse_body(reply.body, reply.url, reply.content_type)
    server_cap = KEYED_DEFAULT_MAX_RECORDS if request.keyed else PREVIEW_MAX_RECORDS
    truncated = count > 0 and (count >= request.max_records or count >= server_cap)
    return ComtradeReply(records=records, count=count, truncated=truncated)


# --------------------------------------------------------------------------------------------------- fetch
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


def fetch(
    request: ComtradeRequest,
    raw_root: str | os.PathLike,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    refresh: bool = False,
    session: requests.Session | None = None,
    retry: RetryPolicy = RetryPolicy(),
    clock: Callable[[], datetime] = _utc_now,
    progress: bool = False,
) -> FetchResult:
    """Fetch ``request`` into ``<raw_root>/comtrade/<today>/`` and return what was done.

    Calls already in the store (any vintage; with ``refresh`` only today's, so an interrupted refresh
    resumes) are not repeated. A truncated answer is split into smaller calls and never stored.

    Parameters
    ----------
    request
        From :func:`check_query`.
    raw_root
        The data root's ``raw/`` folder (``energytrade.paths.data_paths(...).raw``).
    api_key
        Needed when ``request.keyed``; sent only in the ``Ocp-Apim-Subscription-Key`` header.
    base_url
        Default :func:`base_url_from_env`.
    refresh
        Pull a new vintage beside the old ones instead of reusing stored calls.
    session, retry, clock
        HTTP session, retry policy (waits) and UTC clock; injectable for tests.
    progress
        Show a progress bar over calls on stderr.

    Raises
    ------
    ComtradeError
        The typed errors of :func:`perform` and :func:`process`; :class:`ComtradeEmptyResult` when every
        call came back with ``count: 0`` (those answers are stored, so the fact is on record).
    """
    from tqdm import tqdm

    base_url = (base_url or base_url_from_env()).rstrip("/")
    session = session or requests.Session()
    vintage = clock().date().isoformat()
    index = StoreIndex.from_calls(stored_calls(raw_root, [vintage] if refresh else None))
    result = FetchResult(vintage=vintage)
    # Each pending call with its lineage: the keys of the calls it was split from, and how each was split.
    pending: list[tuple[ComtradeRequest, tuple[str, ...], tuple[str, ...]]] = [
        (call, (), ()) for call in plan(request, base_url)
    ]
    leaves_empty: list[bool] = []
    bar = tqdm(total=len(pending), unit="call", desc="comtrade", file=sys.stderr, disable=not progress, leave=False)
    try:
        while pending:
            call, lineage, split_by = pending.pop(0)
            stored = index.by_key.get(call.key)
            if stored is not None:
                result.reused.append(stored.path)
                leaves_empty.append(stored.record_count == 0)
                if stored.record_count == 0:
                    result.empty.append(call.url(base_url))
                bar.update(1)
                continue
            if call.key in index.split_keys:
                dimension, children = _split(call)
            else:
                reply = perform(call, base_url=base_url, api_key=api_key, session=session, retry=retry)
                result.requests_sent += 1
                try:
                    answer = process(call, reply)
                except ComtradeBadResponse as err:  # its text quotes the body, which might echo the key
                    raise ComtradeBadResponse(_redact(str(err), api_key)) from None
                if not answer.truncated:
                    meta = sidecar_meta(call, reply, answer.count, lineage, clock(), split_by=split_by)
                    raw_file = store_response(raw_root, vintage, call.file_name, reply.body, meta)
                    result.stored.append(raw_file.path)
                    result.records += answer.count
                    leaves_empty.append(answer.count == 0)
                    if answer.count == 0:
                        result.empty.append(reply.url)
                    bar.update(1)
                    continue
                log.warning("%d records (the cap) for %s: splitting the call", answer.count, reply.url)
                dimension, children = _split(call)
                result.splits += 1
            pending[:0] = [(child, lineage + (call.key,), split_by + (dimension,)) for child in children]
            bar.total += len(children) - 1
            bar.refresh()
    finally:
        bar.close()
    if leaves_empty and all(leaves_empty):
        reasons = "; ".join(f"({i}) {reason}" for i, reason in enumerate(EMPTY_REASONS, start=1))
        raise ComtradeEmptyResult(
            f"UN Comtrade returned no records (count: 0) for {request.describe()} "
            f"({len(leaves_empty)} call(s), e.g. {result.empty[0]}). Likely reasons: {reasons}. "
            f"The empty answers are kept in the store (raw/{SOURCE}/) as a record of what was asked; once "
            "data is released, fetch again with --refresh"
        )
    return result


# --------------------------------------------------------------------------------------------------- clean
#: Record fields the cleaner reads (of the 47 of a final-data record, data-apis.md 1.4).
CLEAN_FIELDS = (
    "freqCode",
    "period",
    "reporterISO",
    "flowCode",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "cmdCode",
    "customsCode",
    "motCode",
    "netWgt",
    "isNetWgtEstimated",
    "primaryValue",
)


def _clean_period(freq: pd.Series, period: pd.Series) -> pd.Series:
    text = period.astype(str).str.strip()
    monthly = (freq == "M") & text.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])")
    annual = (freq == "A") & text.str.fullmatch(r"\d{4}")
    bad = ~(monthly | annual)
    if bad.any():
        examples = sorted(set(zip(freq[bad], text[bad])))[:5]
        raise BadPeriod(f"Comtrade records with a period that does not match freqCode (freq, period): {examples}")
    return text.where(~monthly, text.str[:4] + "-" + text.str[4:])


def clean_records(records: list[dict[str, Any]], relpath: str) -> pd.DataFrame:
    """Comtrade final-data records -> clean rows (pure).

    Only totals are kept (``partner2Code`` 0, ``customsCode`` C00, ``motCode`` 0): other rows are
    breakdowns of them. World (``W00``, code 0) becomes ``WLD``, which analysis keeps out of partner sums.
    ``primaryValue`` [USD] is taken as reported. ``netWgt`` [kg] too, except a 0: Comtrade writes 0.0 where
    no weight was reported, so a 0 counts as missing (NaN) unless ``isNetWgtEstimated`` is true, in which
    case it stays 0 with ``is_weight_estimated`` True (data-apis.md 1.8 item 4). A null stays NaN; nothing
    is filled.

    Parameters
    ----------
    records
        The ``data`` array of one response.
    relpath
        ``raw/comtrade/<vintage>/<file>``; a row's provenance is ``<relpath>#row=<n>``, n the 1-based
        index of the record in the file.

    Raises
    ------
    ComtradeBadResponse
        A record misses a field, has a flow other than M/X, or has no partner ISO code.
    UnknownCommodity
        A ``cmdCode`` that energytrade does not know.

    Examples
    --------
    >>> record = {"freqCode": "M", "period": "202205", "reporterISO": "CHN", "flowCode": "M",
    ...           "partnerCode": 643, "partnerISO": "RUS", "partnerDesc": "Russian Federation",
    ...           "partner2Code": 0, "cmdCode": "2709", "customsCode": "C00", "motCode": 0,
    ...           "netWgt": 8420000000.0, "isNetWgtEstimated": False, "primaryValue": 7470000000.0}
    >>> row = clean_records([record], "raw/comtrade/2026-01-05/f.json").iloc[0]
    >>> row.partner_iso3, row.period, row.commodity, row.provenance
    ('RUS', '2022-05', 'crude_oil', 'raw/comtrade/2026-01-05/f.json#row=1')

    A weight of 0 is missing unless flagged as estimated:

    >>> zero = dict(record, netWgt=0.0)
    >>> rows = clean_records([zero, dict(zero, isNetWgtEstimated=True)], "f.json")
    >>> rows.net_weight_kg.tolist(), rows.is_weight_estimated.tolist()
    ([nan, 0.0], [False, True])
    """
    if not records:
        return empty_frame()
    frame = pd.DataFrame.from_records(records)
    missing = [name for name in CLEAN_FIELDS if name not in frame.columns]
    if missing:
        raise ComtradeBadResponse(f"{relpath}: Comtrade records without the field(s) {missing}")
    frame["row"] = range(1, len(frame) + 1)
    totals = (
        (pd.to_numeric(frame["partner2Code"], errors="coerce") == 0)
        & (frame["customsCode"].astype(str).str.strip() == "C00")
        & (pd.to_numeric(frame["motCode"], errors="coerce") == 0)
    )
    frame = frame[totals]
    if frame.empty:
        return empty_frame()

    flow_code = frame["flowCode"].astype(str).str.strip()
    unknown_flows = sorted(set(flow_code) - set(FLOW_CODES))
    if unknown_flows:
        raise ComtradeBadResponse(f"{relpath}: flows {unknown_flows} are not imports (M) or exports (X)")
    partner_iso = frame["partnerISO"].fillna("").astype(str).str.strip()
    if (partner_iso == "").any():
        codes = sorted(set(frame.loc[partner_iso == "", "partnerCode"].astype(str)))[:5]
        raise ComtradeBadResponse(
            f"{relpath}: records without partnerISO (partner codes {codes}); fetch with includeDesc=TRUE"
        )
    hs = frame["cmdCode"].astype(str).str.strip()
    commodity = hs.map({code: check_commodity(code) for code in hs.unique()})
    freq = frame["freqCode"].astype(str).str.strip()
    estimated = frame["isNetWgtEstimated"].map({True: True, False: False}, na_action="ignore")
    weight_kg = pd.to_numeric(frame["netWgt"], errors="raise")
    # data-apis.md 1.8 item 4 [REAL]: an unreported weight can come as 0.0 instead of null; only a 0
    # that Comtrade flags as estimated is a figure.
    weight_kg = weight_kg.mask((weight_kg == 0) & ~estimated.eq(True))
    out = pd.DataFrame(
        {
            "source": SOURCE,
            "reporter_iso3": frame["reporterISO"].astype(str).str.strip(),
            "partner_iso3": partner_iso.replace(COMTRADE_WORLD_ISO, WORLD_ISO3),
            "partner_name": frame["partnerDesc"].fillna("").astype(str),
            "flow": flow_code.map(FLOW_CODES),
            "hs_code": hs,
            "commodity": commodity,
            "period": _clean_period(freq, frame["period"]),
            "freq": freq,
            "net_weight_kg": weight_kg,
            "value_usd": pd.to_numeric(frame["primaryValue"], errors="raise"),
            "is_weight_estimated": estimated,
            "note": "",
            "provenance": relpath + "#row=" + frame["row"].astype(str),
        },
        index=frame.index,
    )
    return conform(out).reset_index(drop=True)


def read_response(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of one stored response (read as stored; checksum checks are done by the caller)."""
    return parse_body(Path(path).read_bytes(), str(path))[0]


@dataclass
class _SplitTree:
    """The stored answers of one original call (``root_key``) over every vintage, as the tree of its splits.

    Splitting is deterministic, so a call key has the same two parts in every vintage that split it.
    """

    answers: dict[str, list[StoredCall]] = field(default_factory=dict)  # call key -> answers, oldest first
    parts: dict[str, set[str]] = field(default_factory=dict)  # call key -> keys of its known parts
    split_by: dict[str, str] = field(default_factory=dict)  # call key -> the dimension it was split by
    periods: dict[str, set[str]] = field(default_factory=dict)  # call key -> periods stored under it

    def add(self, call: StoredCall) -> None:
        self.answers.setdefault(call.call_key, []).append(call)
        path = (*call.parent_keys, call.call_key)
        for depth, key in enumerate(path):
            self.periods.setdefault(key, set()).update(call.periods)
            if depth + 1 < len(path):
                self.parts.setdefault(key, set()).add(path[depth + 1])
                if call.split_by[depth] is not None:
                    self.split_by[key] = call.split_by[depth]

    def resolve(self, key: str, period: str) -> list[StoredCall] | None:
        """The stored answers that together answer call ``key`` for ``period``; ``None`` if none do.

        Either the call's own newest answer, or the answers of its parts when every part holding the
        period is answered (one part for a split by periods, both for any other split; a sidecar that does
        not say how its parent was split counts as the latter). Of the two, the one whose oldest answer is
        newest wins.
        """
        options = []
        whole = [c for c in self.answers.get(key, ()) if period in c.periods]
        if whole:
            options.append([whole[-1]])
        parts = sorted(k for k in self.parts.get(key, ()) if period in self.periods[k])
        if len(parts) >= (1 if self.split_by.get(key) == "periods" else 2):
            answered = [self.resolve(part, period) for part in parts]
            if None not in answered:
                options.append([c for a in answered for c in a or ()])
        if not options:
            return None
        return max(options, key=lambda o: (min(map(_age, o)), max(map(_age, o))))

    def newest(self, period: str) -> list[StoredCall]:
        """The answers holding ``period`` in the newest vintage that holds it, complete or not."""
        holding = [c for answers in self.answers.values() for c in answers if period in c.periods]
        vintage = max(c.vintage for c in holding)
        return [c for c in holding if c.vintage == vintage]


def _age(call: StoredCall) -> tuple[str, str]:
    return call.vintage, call.retrieved_at


def _chosen_periods(calls: list[StoredCall]) -> dict[Path, set[str]]:
    """Stored answer -> the periods whose rows to take from it (see :func:`clean`)."""
    trees: dict[str, _SplitTree] = {}
    for call in calls:
        trees.setdefault(call.root_key, _SplitTree()).add(call)
    chosen: dict[Path, set[str]] = {}
    for root, tree in trees.items():
        for period in sorted(tree.periods[root]):
            answer = tree.resolve(root, period)
            if answer is None:
                # The parts were never all stored (a first fetch stopped part-way): what is stored is
                # better than nothing, and running the same fetch again completes it.
                answer = tree.newest(period)
                log.warning(
                    "Comtrade %s: the stored parts of call %s do not cover it (a fetch stopped part-way); "
                    "using the parts stored on %s. Run the same fetch again to complete it",
                    period,
                    root,
                    answer[0].vintage,
                )
            for call in answer:
                chosen.setdefault(call.path, set()).add(period)
    return chosen


def clean(raw_root: Path, vintage: str | None = None) -> pd.DataFrame:
    """Every stored Comtrade response under ``raw_root``, in the clean schema.

    By default the newest complete answer of each query is used, period by period: for each original call
    (``root_key`` in the sidecars, whatever splits it needed) and each period, the rows come from the
    newest stored answer to that call, so a revision that drops a partner drops it here too. A call that
    was split (its answer reached the record cap) counts as answered only where all its parts holding the
    period are stored, in whichever vintages: a ``--refresh`` interrupted after some parts of a call split
    by partner leaves the other partners to the older vintage instead of dropping them (run the same
    refresh again to complete the new vintage), and a fetch resumed on a later day is whole across the two
    vintages. Of two complete answers (the call whole, or its parts), the one whose oldest part is newest
    wins. If the parts were never all stored (a first fetch stopped part-way), the newest vintage's parts
    are used and a warning says to run the fetch again. A figure fetched by two different queries (say
    all partners, and Russia alone) is kept once, from the newest vintage.

    Parameters
    ----------
    raw_root
        The data root's ``raw/`` folder.
    vintage
        Use only this vintage (``YYYY-MM-DD``) instead.

    Returns
    -------
    pandas.DataFrame
        Conformed to ``energytrade.schema``; an empty frame with the clean columns when nothing is stored.
    """
    calls = stored_calls(raw_root)
    if vintage is not None:
        known = sorted({c.vintage for c in calls})
        calls = [c for c in calls if c.vintage == vintage]
        if not calls:
            raise ComtradeError(f"no Comtrade vintage {vintage!r} is stored; stored vintages: {known or 'none'}")
    if not calls:
        return empty_frame()
    chosen = _chosen_periods(calls)
    parts = []
    for order, call in enumerate(calls):  # calls are sorted oldest first
        keep = chosen.get(call.path, set())
        if not keep or call.record_count == 0:
            continue
        rows = clean_records(read_response(call.path), call.raw_file.relpath(raw_root))
        rows = rows[rows["period"].str.replace("-", "", regex=False).isin(keep)]
        parts.append(rows.assign(_order=order))
    if not parts:
        return empty_frame()
    table = pd.concat(parts, ignore_index=True)
    # A figure in several stored files: keep the newest file's rows (duplicates within one file are left
    # for schema validation to report).
    last = table.groupby(UNIQUE_KEY, dropna=False)["_order"].transform("max")
    table = table[table["_order"] == last].drop(columns="_order")
    return sort_rows(conform(table))


# ----------------------------------------------------------------------------------------------------- CLI
FETCH_DESCRIPTION = """\
Fetch UN Comtrade final data (goods, HS, totals only) into <data-dir>/raw/comtrade/<today>/, one JSON
response per call with a provenance sidecar. With COMTRADE_API_KEY set, the keyed data API is used (up to
12 periods and 100000 records per call; the key goes only in a request header); without it, the public
preview (one period and at most 500 records per call). Calls already stored are not repeated, so an
interrupted fetch resumes where it stopped; --refresh pulls a new vintage beside the old one. Answers
that reach the record cap are split and fetched again, never stored truncated.
"""

FETCH_EPILOG = """\
examples:
  # what would be fetched (URLs, no key), without fetching
  energytrade fetch comtrade --reporter CHN --partner all --commodity 2709 --flow M --freq M \\
      --start 2022-01 --end 2022-12 --dry-run
  # China's monthly crude imports from every partner in 2022, into a separate data folder
  COMTRADE_API_KEY=... energytrade fetch comtrade --reporter CHN --commodity crude_oil \\
      --start 2022-01 --end 2022-12 --data-dir /tmp/ctdata
  energytrade build --data-dir /tmp/ctdata
  # annual LNG imports from Russia and Qatar, pulling a fresh vintage
  energytrade fetch comtrade --reporter CHN --partner RUS,QAT --commodity lng --freq A \\
      --start 2020 --end 2023 --refresh

environment:
  COMTRADE_API_KEY            subscription key (comtradedeveloper.un.org); unset = public preview
  ENERGYTRADE_COMTRADE_URL    API base URL (default https://comtradeapi.un.org)
"""


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``fetch comtrade`` options (``--data-dir`` is added by the CLI itself)."""
    parser.description = parser.description or FETCH_DESCRIPTION
    parser.epilog = parser.epilog or FETCH_EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    known = ", ".join(f"{name} ({code})" for name, code in HS_CODES.items())
    parser.add_argument("--reporter", default="CHN", metavar="ISO3[,ISO3]", help="reporting country (default CHN)")
    parser.add_argument(
        "--partner",
        default="all",
        metavar="all|ISO3[,ISO3]",
        help="partners: all (default, World included) or ISO3 codes",
    )
    parser.add_argument("--commodity", required=True, metavar="NAME|HS", help=f"commodity name or HS code: {known}")
    parser.add_argument("--flow", default="M", metavar="M|X|M,X", help="M imports (default), X exports")
    parser.add_argument("--freq", default="M", metavar="M|A", help="M monthly (default) or A annual")
    parser.add_argument("--start", required=True, metavar="PERIOD", help="first period: YYYY-MM (monthly) or YYYY")
    parser.add_argument("--end", default=None, metavar="PERIOD", help="last period, inclusive (default: --start)")
    parser.add_argument(
        "--max-records",
        type=int,
        default=None,
        metavar="N",
        help=f"maxRecords per call (default {KEYED_DEFAULT_MAX_RECORDS} with a key, {PREVIEW_MAX_RECORDS} without)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="pull a new vintage even if the store has these calls; if it stops part-way, run the same command "
        "again to complete it (until then, the parts not yet re-fetched come from the older vintage)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the planned calls (URLs, no key) and make none")


def run_fetch(
    args: argparse.Namespace,
    data_dir: str | os.PathLike | None,
    *,
    session: requests.Session | None = None,
    retry: RetryPolicy | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> int:
    """Run ``energytrade fetch comtrade``: plan, fetch (or print the plan with ``--dry-run``), report.

    Errors are raised as typed exceptions (the CLI prints them); returns 0 on success.
    """
    from energytrade.paths import data_paths

    api_key = check_api_key(os.environ.get(ENV_API_KEY))
    request = check_query(
        reporter=args.reporter,
        partner=args.partner,
        commodity=args.commodity,
        flow=args.flow,
        freq=args.freq,
        start=args.start,
        end=args.end,
        max_records=args.max_records,
        keyed=api_key is not None,
    )
    base_url = base_url_from_env()
    calls = plan(request, base_url)
    endpoint = "keyed data API" if request.keyed else f"public preview ({ENV_API_KEY} not set)"
    if args.dry_run:
        print(f"# {len(calls)} planned call(s) to the UN Comtrade {endpoint}; none made (--dry-run)")
        for call in calls:
            print(call.url(base_url))
        return 0
    if data_dir is not None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    paths = data_paths(data_dir)
    result = fetch(
        request,
        paths.raw,
        api_key=api_key,
        base_url=base_url,
        refresh=args.refresh,
        session=session,
        retry=retry or RetryPolicy(),
        clock=clock,
        progress=True,
    )
    for url in result.empty:
        print(f"warning: no records (count: 0) for {url}", file=sys.stderr)
    folder = paths.raw / SOURCE / result.vintage
    print(
        f"comtrade: {request.describe()} via the {endpoint}: {result.requests_sent} call(s) made, "
        f"{len(result.stored)} response(s) stored in {folder} ({result.records} records), "
        f"{len(result.reused)} already in the store"
        + (f", {result.splits} split(s) after truncation" if result.splits else "")
    )
    if args.refresh and result.reused:
        print(
            f"note: --refresh re-fetches calls stored before today; the {len(result.reused)} reused call(s) are "
            f"already in today's vintage ({result.vintage})",
            file=sys.stderr,
        )
    return 0
