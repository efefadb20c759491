"""Check and plan Eurostat dissemination API requests (pure: no network, no files).

Data come from the SDMX 2.1 data endpoint as gzip SDMX-CSV (the layout of the bundled
``nrg_ti_coifpm.csv.gz``), code lists from the SDMX 2.1 code list endpoint as SDMX-ML
(``shared/notes/data-apis.md``, "Eurostat dissemination API"):

    <base>/sdmx/2.1/data/<DATASET>/<key>?format=SDMX-CSV&compressed=true&startPeriod=YYYY-MM&endPeriod=YYYY-MM
    <base>/sdmx/2.1/codelist/ESTAT/<CODELIST>

``<key>`` holds one value list per dimension in the dataset's order, dot-separated, ``+`` between values,
empty for all.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from urllib.parse import urlencode

from energytrade.errors import BadPeriod
from energytrade.periods import parse_month
from energytrade.sources.eurostat.errors import EurostatBadQuery, EurostatTooBig

DEFAULT_BASE_URL = "https://ec.europa.eu/eurostat/api/dissemination"
ENV_BASE_URL = "ENERGYTRADE_EUROSTAT_URL"


@dataclass(frozen=True)
class Dataset:
    """What the client knows of one Eurostat dataset.

    Attributes
    ----------
    code
        Eurostat's dataset code, lower case (``nrg_ti_coifpm``); upper case in SDMX URLs.
    source
        The raw store folder its files go to (``raw/<source>/<vintage>/``), read by that source's cleaner.
    dimensions
        The key's dimensions in the dataset's order (``TIME_PERIOD`` is not one).
    codelists
        Code lists fetched and stored beside the data: dimension -> Eurostat code list id.
    first_period
        The first month the dataset holds (``YYYY-MM``); earlier periods are refused.
    """

    code: str
    source: str
    dimensions: tuple[str, ...]
    codelists: dict[str, str]
    first_period: str
    title: str


#: NRG_TI_COIFPM: key order freq.crudeoil.indic_nrg.geo (data-apis.md); monthly from 2005-01 (the
#: bundled file, shared/reference/README.md). The grade code list's id is the dimension's name in upper
#: case, as for Eurostat's other dimension code lists [UNCERTAIN: not seen in a recorded answer].
DATASETS: dict[str, Dataset] = {
    "nrg_ti_coifpm": Dataset(
        code="nrg_ti_coifpm",
        source="eurostat_coifpm",
        dimensions=("freq", "crudeoil", "indic_nrg", "geo"),
        codelists={"crudeoil": "CRUDEOIL"},
        first_period="2005-01",
        title="Imports of crude oil by field of production - monthly data",
    ),
}


def check_dataset(name: str) -> Dataset:
    """The :class:`Dataset` called ``name`` (any case).

    Raises
    ------
    EurostatBadQuery
        An unknown dataset, listing the known ones.
    """
    dataset = DATASETS.get(str(name).strip().lower())
    if dataset is None:
        known = ", ".join(f"{d.code} ({d.title})" for d in DATASETS.values())
        raise EurostatBadQuery(f"unknown Eurostat dataset {name!r}; known: {known}")
    return dataset


_CODE = re.compile(r"[A-Za-z0-9_\-]+")


def _check_filters(dataset: Dataset, filters: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``["geo=EU_V,DE", "indic_nrg=VOL_THS_BBL"]`` -> one value tuple per dimension (empty = all)."""
    chosen: dict[str, list[str]] = {name: [] for name in dataset.dimensions}
    for text in filters:
        name, sep, values = str(text).partition("=")
        name = name.strip()
        if not sep or name not in chosen:
            raise EurostatBadQuery(
                f"bad --filter {text!r}: give DIMENSION=CODE[,CODE], dimension one of {', '.join(dataset.dimensions)} "
                f"(e.g. geo=EU_V,DE)"
            )
        for value in values.split(","):
            value = value.strip()
            if not value:
                continue
            if not _CODE.fullmatch(value):
                raise EurostatBadQuery(f"bad code {value!r} in --filter {text!r}: codes are letters, digits, _ and -")
            if value not in chosen[name]:
                chosen[name].append(value)
        if not chosen[name]:
            raise EurostatBadQuery(f"--filter {text!r} gives no code; e.g. {name}=CODE or drop the filter")
    return tuple((name, tuple(values)) for name, values in chosen.items())


def _months(first: str, last: str) -> tuple[str, ...]:
    months, current, end = [], parse_month(first), parse_month(last)
    while current <= end:
        months.append(f"{current.year:04d}-{current.month:02d}")
        current = current.shift(1)
    return tuple(months)


@dataclass(frozen=True)
class EurostatRequest:
    """One validated SDMX-CSV data request: a dataset, a value list per dimension, and a span of months."""

    dataset: Dataset
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    periods: tuple[str, ...]  # YYYY-MM, consecutive
    whole_span: bool = False  # no --start/--end: ask without startPeriod/endPeriod

    @property
    def sdmx_key(self) -> str:
        """``M..VOL_THS_BBL.EU_V+DE`` (dimension order, ``+`` between codes, empty for all)."""
        return ".".join("+".join(values) for _, values in self.filters)

    @property
    def path(self) -> str:
        return f"/sdmx/2.1/data/{self.dataset.code.upper()}/{self.sdmx_key}"

    def params(self) -> list[tuple[str, str]]:
        params = [("format", "SDMX-CSV"), ("compressed", "true")]
        if not self.whole_span:
            params += [("startPeriod", self.periods[0]), ("endPeriod", self.periods[-1])]
        return params

    def url(self, base_url: str = DEFAULT_BASE_URL) -> str:
        return base_url.rstrip("/") + self.path + "?" + urlencode(self.params())

    @property
    def key(self) -> str:
        """Identity of the call in the store (path and parameters)."""
        return hashlib.sha256((self.path + "?" + urlencode(self.params())).encode()).hexdigest()[:16]

    @property
    def file_name(self) -> str:
        """``nrg_ti_coifpm___VOL_THS_BBL_EU_V-DE_2022-01_2022-12_<key>.csv.gz`` (a long key is shortened)."""
        key = self.sdmx_key.replace(".", "_").replace("+", "-") if len(self.sdmx_key) <= 60 else "many"
        span = "all" if self.whole_span else f"{self.periods[0]}_{self.periods[-1]}"
        return f"{self.dataset.code}_{key or 'all'}_{span}_{self.key[:10]}.csv.gz"

    def describe(self) -> str:
        chosen = ", ".join(f"{name}={'+'.join(values)}" for name, values in self.filters if values) or "everything"
        span = "all periods" if self.whole_span else f"{self.periods[0]}..{self.periods[-1]}"
        return f"{self.dataset.code.upper()} ({chosen}), {span}"


def _current_month(today: date | None) -> str:
    today = today or datetime.now(timezone.utc).date()
    return f"{today.year:04d}-{today.month:02d}"


def check_query(
    dataset: str,
    filters: Sequence[str] = (),
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> EurostatRequest:
    """Validate human arguments into an :class:`EurostatRequest` (no network).

    Parameters
    ----------
    dataset
        ``nrg_ti_coifpm``.
    filters
        ``DIMENSION=CODE[,CODE]`` strings, e.g. ``["geo=EU_V,DE", "indic_nrg=VOL_THS_BBL"]``.
    start, end
        First and last month ``YYYY-MM``, inclusive; neither: every period; only ``start``: up to the
        current month.
    today
        The date that decides the current month (default today, UTC); later months are refused.

    Raises
    ------
    EurostatBadQuery, BadPeriod

    Examples
    --------
    >>> request = check_query("nrg_ti_coifpm", ["geo=EU_V,DE", "indic_nrg=VOL_THS_BBL"], "2022-01", "2022-03",
    ...                       today=date(2026, 12, 2))
    >>> request.path, request.periods
    ('/sdmx/2.1/data/NRG_TI_COIFPM/..VOL_THS_BBL.EU_V+DE', ('2022-01', '2022-02', '2022-03'))
    """
    info = check_dataset(dataset)
    chosen = _check_filters(info, filters)
    last_allowed = _current_month(today)
    whole = start in (None, "") and end in (None, "")
    first = info.first_period if start in (None, "") else str(start).strip()
    last = last_allowed if end in (None, "") else str(end).strip()
    for text in (first, last):
        if not re.fullmatch(r"\d{4}-\d{2}", text):
            raise BadPeriod(f"bad month {text!r}: Eurostat monthly periods are YYYY-MM, e.g. 2022-01")
        parse_month(text)
    if last < first:
        raise BadPeriod(f"bad span {first}..{last}: it ends before it starts")
    if first < info.first_period:
        raise BadPeriod(f"start {first} is before {info.first_period}, the first month {info.code} holds")
    if last > last_allowed:
        raise BadPeriod(f"end {last} is after the current month ({last_allowed}): no data can exist yet")
    return EurostatRequest(dataset=info, filters=chosen, periods=_months(first, last), whole_span=whole)


def split(request: EurostatRequest) -> tuple[str, list[EurostatRequest]]:
    """Two requests that together ask for what a refused (too big) one asked, and what was split.

    Periods are halved first (down to one month), then the first dimension with several codes.

    Raises
    ------
    EurostatTooBig
        One month and one code in every filtered dimension: nothing left to split.
    """
    if len(request.periods) > 1:
        middle = (len(request.periods) + 1) // 2
        return "periods", [
            replace(request, periods=request.periods[:middle], whole_span=False),
            replace(request, periods=request.periods[middle:], whole_span=False),
        ]
    for i, (name, values) in enumerate(request.filters):
        if len(values) > 1:
            middle = (len(values) + 1) // 2
            halves = []
            for part in (values[:middle], values[middle:]):
                filters = list(request.filters)
                filters[i] = (name, part)
                halves.append(replace(request, filters=tuple(filters)))
            return name, halves
    raise EurostatTooBig(
        f"Eurostat refused {request.describe()} as too big and it cannot be split further; "
        "narrow it with --filter (e.g. --filter geo=EU_V --filter indic_nrg=VOL_THS_BBL)"
    )


def codelist_path(codelist: str) -> str:
    """``/sdmx/2.1/codelist/ESTAT/CRUDEOIL``."""
    return f"/sdmx/2.1/codelist/ESTAT/{codelist}"


def base_url_from_env() -> str:
    """``$ENERGYTRADE_EUROSTAT_URL`` (a mirror, or a test server), else Eurostat's dissemination API."""
    return (os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
