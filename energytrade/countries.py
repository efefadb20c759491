"""Country names and codes -> ISO 3166-1 alpha-3, through ``country_converter``.

Why the table is loaded here: country_converter 1.3.2 reads its own table with pandas' default NA
handling, so Namibia's ISO2 code "NA" becomes missing and, under pandas 3.1, ``coco.convert`` raises
``TypeError`` (2026-11; works under pandas 2.3). We load the same table with ``keep_default_na=False``
and hand it to ``CountryConverter``, which works under both.

Comtrade also reports partners that are not countries; they keep Comtrade's own codes
(UN Comtrade reference list ``partnerAreas``), listed in :data:`NON_ISO_AREAS`.
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from energytrade.errors import UnknownCountry

WORLD_ISO3 = "WLD"  # China's total over all partners; never summed with the partners themselves

#: Partner areas that are not ISO 3166 countries, with Comtrade's own codes (partnerISO).
NON_ISO_AREAS: dict[str, str] = {
    "World": WORLD_ISO3,
    "Other Asia, nes": "S19",  # Comtrade 490: in practice Taiwan, Province of China
    "Areas, nes": "_X",  # Comtrade 899 (its ISO field is "_X " with a trailing space)
    "Bunkers": "X1",
    "Free Zones": "X2",
    "Special Categories": "XX",
}


def _table_path() -> Path:
    """country_converter's table, found without importing the package (its import takes 0.4 s)."""
    spec = importlib.util.find_spec("country_converter")
    return Path(spec.origin).with_name("country_data.tsv")


@lru_cache(maxsize=1)
def _converter():
    import country_converter as coco

    # Its "X not found in regex" warnings would reach the user's terminal; our errors say it better.
    logging.getLogger(coco.country_converter.__name__).setLevel(logging.ERROR)

    table = pd.read_csv(_table_path(), sep="\t", encoding="utf-8", keep_default_na=False, na_values=[""])
    return coco.CountryConverter(country_data=table)


@lru_cache(maxsize=8)
def _code_columns(*columns: str) -> tuple[tuple[str, ...], ...]:
    """Rows of country_converter's table, only ``columns``, for current countries (as its converter
    leaves out obsolete ones: the Soviet Union, the Netherlands Antilles) where each column is filled.
    The same table as :func:`_converter`'s, read with :mod:`csv`: code lookups need no regex matcher,
    and building one costs a tenth of a second on every start."""
    with _table_path().open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return tuple(
            tuple(row[c] for c in columns)
            for row in rows
            if not (row["obsolete"] or "").strip() and all((row[c] or "").strip() for c in columns)
        )


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code country_converter knows, plus :data:`NON_ISO_AREAS` codes."""
    codes = {iso3 for (iso3,) in _code_columns("ISO3")}
    return frozenset(codes | set(NON_ISO_AREAS.values()))


@lru_cache(maxsize=4096)
def _name_to_iso3(name: str) -> str | None:
    if name in NON_ISO_AREAS:
        return NON_ISO_AREAS[name]
    if len(name) == 3 and name.isupper() and name in iso3_codes():
        return name
    code = _converter().convert(name, to="ISO3", not_found=None)
    if isinstance(code, list) or code is None or code == name:
        return None  # ambiguous (several matches) or not found
    return str(code)


@lru_cache(maxsize=1)
def iso_numeric_codes() -> dict[str, int]:
    """ISO 3166-1 numeric code of every ISO3 code country_converter knows (``"CHN"`` -> 156)."""
    return {iso3: int(float(num)) for iso3, num in _code_columns("ISO3", "ISOnumeric")}


def to_iso3(names: Iterable[str]) -> list[str]:
    """Map country names (any common spelling, or ISO3 codes) to ISO3 codes, in order.

    Raises
    ------
    UnknownCountry
        Listing every name that did not map, so a new source's names are fixed in one go.

    Examples
    --------
    >>> to_iso3(["Russian Federation", "Türkiye", "Rep. of Korea", "China, Hong Kong SAR"])
    ['RUS', 'TUR', 'KOR', 'HKG']
    """
    names = [str(n).strip() for n in names]
    codes = [_name_to_iso3(n) for n in names]
    unmapped = sorted({n for n, c in zip(names, codes) if c is None})
    if unmapped:
        raise UnknownCountry(
            f"{len(unmapped)} country name(s) could not be mapped to ISO 3166 alpha-3: "
            + ", ".join(repr(n) for n in unmapped)
            + ". Add them to energytrade.countries.NON_ISO_AREAS if they are not countries."
        )
    return codes  # type: ignore[return-value]


def check_iso3(code: str) -> str:
    """Return ``code`` upper-cased if it is a known ISO3 code; else raise with suggestions.

    >>> check_iso3("rus")
    'RUS'
    """
    upper = str(code).strip().upper()
    if upper in iso3_codes():
        return upper
    guess = _name_to_iso3(str(code).strip())
    hint = f" — did you mean {guess}?" if guess else ""
    if not hint:
        close = difflib.get_close_matches(upper, sorted(iso3_codes()), n=3)
        hint = f" — did you mean {' or '.join(close)}?" if close else ""
    raise UnknownCountry(f"unknown country code {code!r}{hint} (use ISO 3166 alpha-3, e.g. RUS, SAU, CHN)")


@lru_cache(maxsize=1)
def _iso2_table() -> dict[str, str]:
    # A few ISO2 cells are alternatives written as a regex ("^GR$|^EL$", "^GB$|^UK$"): EL and UK are the
    # EU's codes for Greece and the United Kingdom, so they map too.
    out: dict[str, str] = {}
    for iso2, iso3 in _code_columns("ISO2", "ISO3"):
        for code in str(iso2).split("|"):
            out[code.strip("^$")] = str(iso3)
    return out


def iso2_to_iso3(codes: Iterable[str]) -> list[str]:
    """Map ISO 3166-1 alpha-2 codes to alpha-3, in order (Namibia's ``"NA"`` included; the EU's ``"EL"``
    Greece and ``"UK"`` United Kingdom too).

    Raises
    ------
    UnknownCountry
        Listing every code that is not an ISO alpha-2 code.

    Examples
    --------
    >>> iso2_to_iso3(["RU", "NA", "EL", "GR"])
    ['RUS', 'NAM', 'GRC', 'GRC']
    """
    codes = [str(c).strip().upper() for c in codes]
    table = _iso2_table()
    unmapped = sorted({c for c in codes if c not in table})
    if unmapped:
        raise UnknownCountry(
            f"{len(unmapped)} code(s) are not ISO 3166 alpha-2: " + ", ".join(repr(c) for c in unmapped)
        )
    return [table[c] for c in codes]


@lru_cache(maxsize=1)
def _short_names() -> dict[str, str]:
    return dict(_code_columns("ISO3", "name_short"))


def short_name(iso3: str) -> str:
    """A country's short English name (``"RUS"`` -> ``"Russia"``); the code itself if it is not a country.

    >>> short_name("DEU"), short_name("XYZ")
    ('Germany', 'XYZ')
    """
    return _short_names().get(str(iso3), str(iso3))
