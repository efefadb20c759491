"""How numbers are written in the report's sentences and tables (one place, so tests can use the same).

>>> fmt_mt(86_247_300.0)
'86.2 Mt'
>>> fmt_kbd(1_723_456.0)
'1,723 kb/d'
>>> fmt_pct(17.44), fmt_change_pct(-3.06)
('17.4 %', '-3.1 %')
>>> fmt_usd_bbl(-4.567)
'-4.57 USD/bbl'
>>> fmt_usd_bn(58_123_000_000.0)
'USD 58.1 bn'
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from energytrade.countries import short_name


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def fmt_mt(tonnes: float) -> str:
    """Tonnes -> ``'86.2 Mt'`` (million tonnes, one decimal)."""
    return "n/a" if _missing(tonnes) else f"{tonnes / 1e6:,.1f} Mt"


def fmt_kbd(rate_bbl_per_day: float) -> str:
    """Barrels per day -> ``'1,723 kb/d'`` (thousand barrels per day, no decimals)."""
    return "n/a" if _missing(rate_bbl_per_day) else f"{rate_bbl_per_day / 1e3:,.0f} kb/d"


def fmt_usd_bn(usd: float) -> str:
    """US dollars -> ``'USD 58.1 bn'``."""
    return "n/a" if _missing(usd) else f"USD {usd / 1e9:,.1f} bn"


def fmt_pct(pct: float) -> str:
    """A share in percent -> ``'17.4 %'``."""
    return "n/a" if _missing(pct) else f"{pct:.1f} %"


def fmt_change_pct(pct: float) -> str:
    """A change in percent, signed -> ``'+8.2 %'``."""
    return "n/a" if _missing(pct) else f"{pct:+.1f} %"


def fmt_usd_bbl(usd_per_bbl: float) -> str:
    """A unit value or a difference of unit values -> ``'-4.57 USD/bbl'``."""
    return "n/a" if _missing(usd_per_bbl) else f"{usd_per_bbl:.2f} USD/bbl"


def fmt_amount(x: float, unit: str) -> str:
    """A figure in its unit, two decimals at a readable scale: ``t`` -> Mt, ``USD`` -> USD bn, ``bcm``,
    ``bbl/d`` -> kb/d.

    >>> fmt_amount(7_811_300.0, "t"), fmt_amount(5_113_300_000.0, "USD"), fmt_amount(22.73, "bcm")
    ('7.81 Mt', 'USD 5.11 bn', '22.73 bcm')
    """
    if _missing(x):
        return ""
    if unit == "t":
        return f"{x / 1e6:,.2f} Mt"
    if unit == "USD":
        return f"USD {x / 1e9:,.2f} bn"
    if unit == "bbl/d":
        return f"{x / 1e3:,.0f} kb/d"
    return f"{x:,.2f} {unit}"


def fmt_month(period: str) -> str:
    """``'2022-03'`` -> ``'March 2022'``."""
    return pd.Period(period, freq="M").strftime("%B %Y")


def fmt_window(window: str) -> str:
    """A window in words: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM/YYYY-MM`` (en dash between months).

    >>> fmt_window("2022-01/2022-11"), fmt_window("2022-11"), fmt_window("2021-12/2022-11")
    ('January–November 2022', 'November 2022', 'December 2021–November 2022')
    >>> fmt_window("2023"), fmt_window("2023-01/2023-12"), fmt_window("2020/2022")
    ('2023', '2023', '2020–2022')
    """
    text = str(window)
    if "/" not in text:
        return text if len(text) == 4 else fmt_month(text)
    start, end = text.split("/")
    if len(start) == 4 and len(end) == 4:
        return start if start == end else f"{start}–{end}"
    if start == end:
        return fmt_month(start)
    if start[:4] == end[:4]:
        if start[5:] == "01" and end[5:] == "12":
            return start[:4]
        return f"{pd.Period(start, freq='M').strftime('%B')}–{fmt_month(end)}"
    return f"{fmt_month(start)}–{fmt_month(end)}"


def fmt_date(day) -> str:
    """A date in words: ``date(2022, 12, 30)`` or ``'2022-12-30'`` -> ``'30 December 2022'``.

    >>> fmt_date("2022-12-30")
    '30 December 2022'
    """
    stamp = pd.Timestamp(day)
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


def join_words(items: Iterable[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    items = [str(i) for i in items]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def markdown_table(
    df: pd.DataFrame,
    *,
    floatfmt: dict[str, str] | None = None,
    default_floatfmt: str = ",.2f",
    right: Iterable[str] = (),
) -> str:
    """A DataFrame as a GitHub-style Markdown table (no index; pipes escaped; missing as empty).

    ``floatfmt`` maps a column to a format spec for its numbers (default ``default_floatfmt``);
    numeric columns and those named in ``right`` are right-aligned.
    """
    right = set(right)
    floatfmt = floatfmt or {}

    def cell(col: str, value) -> str:
        if _missing(value):
            return ""
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        if isinstance(value, float):
            return format(value, floatfmt.get(col, default_floatfmt))
        return str(value).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(str(c) for c in df.columns) + " |"
    numeric = [
        c in right or (pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]))
        for c in df.columns
    ]
    rule = "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"
    body = [
        "| " + " | ".join(cell(c, v) for c, v in zip(df.columns, row)) + " |"
        for row in df.itertuples(index=False, name=None)
    ]
    return "\n".join([header, rule, *body])


#: Shorter names for the sentences and legends (the tables keep the source's names).
SHORT_NAMES: dict[str, str] = {
    "RUS": "Russia",
    "CHN": "China",
    "ARE": "UAE",
    "USA": "United States",
    "KOR": "South Korea",
    "COD": "DR Congo",
    "COG": "Congo",
}


def display_name(iso3: str, name: str | None = None) -> str:
    """A partner's name for sentences and legends: :data:`SHORT_NAMES`, else the source's name, else the
    country's short English name (``energytrade.countries.short_name``).

    >>> display_name("RUS", "Russian Federation"), display_name("SAU"), display_name("MYS", "Malaysia")
    ('Russia', 'Saudi Arabia', 'Malaysia')
    """
    return SHORT_NAMES.get(iso3, name if name else short_name(iso3))


#: Commodities in readers' words (keys as in :data:`energytrade.commodities.HS_CODES`).
COMMODITY_NAMES: dict[str, str] = {
    "crude_oil": "crude oil",
    "lng": "LNG",
    "pipeline_gas": "pipeline gas",
    "coal": "coal",
    "natural_gas": "natural gas (LNG and pipeline)",
    "energy_total": "all energy (HS 27)",
}

#: Measures in readers' words.
METRIC_NAMES: dict[str, str] = {
    "mass": "tonnage",
    "value": "customs value",
    "volume": "volume",
    "bpd": "barrels per day",
}

#: Verdicts in readers' words.
VERDICT_NAMES: dict[str, str] = {
    "SUPPORTED": "supported",
    "NOT_SUPPORTED": "not supported",
    "MIXED": "mixed",
    "INCONCLUSIVE": "inconclusive",
}


def commodity_name(commodity: str) -> str:
    """``'crude_oil'`` -> ``'crude oil'`` (unknown keys with underscores as spaces).

    >>> commodity_name("crude_oil"), commodity_name("pipeline_gas")
    ('crude oil', 'pipeline gas')
    """
    return COMMODITY_NAMES.get(commodity, str(commodity).replace("_", " "))


def country_name(iso3: str, names: dict[str, str] | None = None) -> str:
    """A country's name for readers: :data:`SHORT_NAMES`, else ``names[iso3]`` (e.g. from the clean
    table's ``partner_name``), else the code itself.

    >>> country_name("RUS"), country_name("SAU", {"SAU": "Saudi Arabia"}), country_name("")
    ('Russia', 'Saudi Arabia', '')
    """
    if _missing(iso3) or iso3 == "":
        return ""
    return display_name(iso3, (names or {}).get(iso3))
