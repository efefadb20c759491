"""Check and plan UN Comtrade requests (pure: no network, no files).

- :func:`check_query` turns human arguments (``reporter="CHN"``, ``partner="all"``, ``commodity="crude_oil"``,
  ``flow="M"``, ``freq="M"``, ``start="2022-01"``) into a validated :class:`ComtradeRequest`, or raises an
  error that lists the allowed values. Periods outside what Comtrade can hold (before 1962, after the
  current month) are refused.
- :func:`plan` splits a request into the fewest calls within the API's limits (periods per call, URL
  length); :meth:`ComtradeRequest.url` builds each call's URL.

API facts (endpoints, parameters, limits) follow ``shared/notes/data-apis.md`` section 1; the tags there
([REAL], [2ND]) are repeated beside the constants below.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from urllib.parse import urlencode

from energytrade.commodities import HS_CODES, check_commodity
from energytrade.countries import WORLD_ISO3, check_iso3, iso_numeric_codes
from energytrade.errors import BadPeriod
from energytrade.periods import parse_month
from energytrade.sources.comtrade.errors import ComtradeBadKey, ComtradeBadQuery

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

#: The first year UN Comtrade holds (its bulk listings start at 1962 [REAL CTR bulk recording:
#: ``"period": 1962``]); earlier periods cannot have data, so asking for them only spends calls.
FIRST_YEAR = 1962


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


def _current_month(today: date | None) -> tuple[int, int]:
    today = today or datetime.now(timezone.utc).date()
    return today.year, today.month


def _check_range(freq: str, periods: tuple[str, ...], today: date | None) -> None:
    """Refuse periods before :data:`FIRST_YEAR` or after the current month (no data can exist there)."""
    year, month = _current_month(today)
    last = f"{year:04d}" if freq == "A" else f"{year:04d}{month:02d}"
    first = f"{FIRST_YEAR:04d}" if freq == "A" else f"{FIRST_YEAR:04d}01"
    shown = {"A": lambda p: p, "M": lambda p: f"{p[:4]}-{p[4:]}"}[freq]
    if int(periods[0]) < int(first):
        raise BadPeriod(
            f"start {shown(periods[0])} is before {FIRST_YEAR}, the first year UN Comtrade holds; "
            f"start at {shown(first)} or later"
        )
    if int(periods[-1]) > int(last):
        raise BadPeriod(
            f"end {shown(periods[-1])} is after the current month ({shown(last)}): no data can exist yet; "
            f"end at {shown(last)} or earlier"
        )


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
        return tuple(f"{y:04d}" for y in range(years[0], years[1] + 1))
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
    today: date | None = None,
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
    today
        The date that decides the current month (default: today, UTC); later periods are refused.

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
    periods = _check_periods(freq, str(start).strip(), None if end is None else str(end).strip())
    _check_range(freq, periods, today)
    return ComtradeRequest(
        reporters=_check_areas(reporter, "reporter"),
        partners=partners,
        hs_codes=_check_commodities(commodity),
        flows=_check_flows(flow),
        freq=freq,
        periods=periods,
        max_records=_check_max_records(max_records, keyed),
        keyed=keyed,
    )


# ---------------------------------------------------------------------------------------------------- plan
def halves(values: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first and second half of ``values`` (the first gets the odd one)."""
    middle = (len(values) + 1) // 2
    return values[:middle], values[middle:]


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
                first, second = halves(values)
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
