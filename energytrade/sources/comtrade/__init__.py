"""UN Comtrade API v1 client: fetch into the versioned raw store, and clean stored responses.

Each fetch goes check -> build -> perform -> process (the comtradr pattern), one module per job:

- ``query``: :func:`check_query` validates human arguments into a :class:`ComtradeRequest`; :func:`plan`
  splits it into the fewest calls within the API's limits. Pure.
- ``http``: :func:`perform` sends one call (``requests`` with urllib3 retries honouring ``Retry-After``,
  a per-call deadline; the key only in the ``Ocp-Apim-Subscription-Key`` header).
- ``response``: :func:`process` checks the JSON envelope and flags truncation. Pure.
- ``resolve``: :func:`fetch` runs a plan against the store, splitting truncated answers (:func:`split`),
  with a polite throttle and a total-time limit.
- ``store``: the raw store of answers (``raw/comtrade/<vintage>/``), locked writes, sidecars.
- ``clean``: :func:`clean` maps every stored answer into the clean schema, newest vintage per query.
- ``errors``: the typed errors.

The command line (``energytrade fetch comtrade``) lives in ``energytrade.cli``; nothing here prints.
The subscription key is read from ``COMTRADE_API_KEY`` by the caller and never appears in a URL, a log
line, a sidecar, a stored body, an exception message or the command's output.
"""

from __future__ import annotations

from energytrade.sources.comtrade.clean import CLEAN_FIELDS, clean, clean_records, read_response
from energytrade.sources.comtrade.http import HttpReply, perform, redact
from energytrade.sources.comtrade.query import (
    DEFAULT_BASE_URL,
    ENV_API_KEY,
    ENV_BASE_URL,
    FIRST_YEAR,
    KEY_HEADER,
    KEYED_DEFAULT_MAX_RECORDS,
    KEYED_MAX_PERIODS,
    KEYED_MAX_RECORDS,
    PREVIEW_MAX_PERIODS,
    PREVIEW_MAX_RECORDS,
    ComtradeRequest,
    base_url_from_env,
    check_api_key,
    check_query,
    comtrade_area_code,
    plan,
)
from energytrade.sources.comtrade.resolve import EMPTY_REASONS, FetchResult, fetch, split
from energytrade.sources.comtrade.response import ComtradeReply, parse_body, process
from energytrade.sources.comtrade.store import KIND, SOURCE, sidecar_meta, store_response, stored_calls
from energytrade.sources.http import RetryPolicy, Throttle

__all__ = [
    "CLEAN_FIELDS",
    "DEFAULT_BASE_URL",
    "EMPTY_REASONS",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "FIRST_YEAR",
    "KEYED_DEFAULT_MAX_RECORDS",
    "KEYED_MAX_PERIODS",
    "KEYED_MAX_RECORDS",
    "KEY_HEADER",
    "KIND",
    "PREVIEW_MAX_PERIODS",
    "PREVIEW_MAX_RECORDS",
    "SOURCE",
    "ComtradeReply",
    "ComtradeRequest",
    "FetchResult",
    "HttpReply",
    "RetryPolicy",
    "Throttle",
    "base_url_from_env",
    "check_api_key",
    "check_query",
    "clean",
    "clean_records",
    "comtrade_area_code",
    "fetch",
    "parse_body",
    "perform",
    "plan",
    "process",
    "read_response",
    "redact",
    "sidecar_meta",
    "split",
    "store_response",
    "stored_calls",
]
