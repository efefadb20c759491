"""Eurostat dissemination API client (no key): SDMX-CSV data and SDMX-ML code lists into the raw store.

- ``query``: :func:`check_query` validates a dataset, ``--filter`` codes and months into an
  :class:`EurostatRequest`; :func:`split` halves a request Eurostat refused as too big. Pure.
- ``fetch``: :func:`perform` (one call, retries and deadlines from ``energytrade.sources.http``),
  :func:`check_sdmx_csv`, and :func:`fetch` (resume, split on refusal, code lists stored beside the data).
- ``store``: the raw store (``raw/eurostat_coifpm/<vintage>/`` for NRG_TI_COIFPM), locked writes, sidecars.
- ``errors``: the typed errors.

This is the client only: cleaning the stored files is the job of the source's cleaner
(``energytrade.sources.eurostat_coifpm``). The command line is ``energytrade fetch eurostat``.
"""

from __future__ import annotations

from energytrade.sources.eurostat.fetch import FetchResult, check_sdmx_csv, error_label, fetch, perform
from energytrade.sources.eurostat.query import (
    DATASETS,
    DEFAULT_BASE_URL,
    ENV_BASE_URL,
    Dataset,
    EurostatRequest,
    base_url_from_env,
    check_dataset,
    check_query,
    split,
)

__all__ = [
    "DATASETS",
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "Dataset",
    "EurostatRequest",
    "FetchResult",
    "base_url_from_env",
    "check_dataset",
    "check_query",
    "check_sdmx_csv",
    "error_label",
    "fetch",
    "perform",
    "split",
]
