"""China customs (GACC) figures as reported in the press, one row per figure per outlet.

Raw: ``raw/gacc_press/<vintage>/china_crude_imports_reported.csv`` (crude by origin: ``tonnes``, ``bpd``
as printed, ``usd``) and ``china_gas_energy_reported.csv`` (one ``value`` per row with its ``unit``).

What is left out of the clean table, and why (each row stays in the raw file):

- ``freq == "PER"`` rows: a span described only in words in the note; not machine-readable.
- commodities outside the clean schema (``bilateral_trade_total``, ``pipeline_gas_plan`` — plans and
  forecasts, not actuals —, ``ru_crude_exports``, ``coking_coal``, EU context series, ...);
- regional aggregates without an ISO3 code (``North America``, ``Central Asia``): not a partner country;
- units that are not a level of mass, volume or value of the flow: changes and shares (``pct_yoy``,
  ``ratio_yoy``, ``pct_share``), rates of other series (``bcf_d``, ``mb_d``) and ``eur_billion`` (euro sums
  of Russia's export revenue, not China's import values).

Press "coal" is customs' coal and lignite (HS 2701 + 2702), so its rows carry ``hs_code`` ``2701+2702``:
not like for like with the Comtrade extract's HS 2701.

Where outlets disagree, both rows are kept (the note says CONFLICT); nothing is reconciled here.

Outlet, page and date are columns (``outlet``, ``source_url``, ``published_on``), read once here so later
layers never parse the note. ``outlet``: in the gas/energy file the ``[...]`` tag that opens the note
(``[Gazprom via TASS]`` -> ``Gazprom via TASS``); in the crude file the note's first ``;``-separated part
when it names an outlet (``Reuters; 7.81 Mt ...`` -> ``Reuters``; parentheses dropped; a part holding
digits is a figure, not an outlet, and gives an empty outlet). ``published_on`` is the raw ``source_date``
(``YYYY-MM-DD``, or ``YYYY-MM`` where only the month is known).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from energytrade.commodities import hs_code
from energytrade.countries import check_iso3
from energytrade.schema import conform, empty_frame
from energytrade.sources import read_csv_files, row_provenance

SOURCE = "gacc_press"
CRUDE_FILE = "china_crude_imports_reported.csv"
GAS_ENERGY_FILE = "china_gas_energy_reported.csv"

#: press commodity -> clean commodity
GAS_ENERGY_COMMODITIES: dict[str, str] = {
    "crude_oil": "crude_oil",
    "lng": "lng",
    "pipeline_gas": "pipeline_gas",
    "coal": "coal",
    "natural_gas_total": "natural_gas",
    "energy_total_value": "energy_total",
}
#: HS code as customs counts each commodity in its releases: its "coal" is coal and lignite (2701 + 2702),
#: unlike the Comtrade extract's HS 2701, so the two are not like for like.
PRESS_HS_CODES: dict[str, str] = {**{c: hs_code(c) for c in GAS_ENERGY_COMMODITIES.values()}, "coal": "2701+2702"}
#: press unit -> (clean column, factor to the column's unit)
UNITS: dict[str, tuple[str, float]] = {
    "bcm": ("volume_bcm", 1.0),
    "million_tonnes": ("net_weight_kg", 1e9),
    "thousand_tonnes": ("net_weight_kg", 1e6),
    "tonnes": ("net_weight_kg", 1e3),
    "usd_billion": ("value_usd", 1e9),
    "usd_million": ("value_usd", 1e6),
}
KEPT_FREQS = ("M", "A", "YTD")


def _note(frame: pd.DataFrame) -> pd.Series:
    note = frame["note"].fillna("")
    url = frame["source_url"].fillna("")
    date = frame["source_date"].fillna("")
    return (note + " (" + url + ", " + date + ")").str.replace(r" \(, \)$", "", regex=True)


_TAG = re.compile(r"^\s*\[([^\]]+)\]")
_PARENS = re.compile(r"\s*\([^)]*\)")
#: A crude-file note's first part names an outlet only when it is this short (words) and holds no digit.
MAX_OUTLET_WORDS = 4


def outlet_of_tag(note: str) -> str:
    """Gas/energy file: ``"[Gazprom via TASS] Power of Siberia ..."`` -> ``"Gazprom via TASS"``."""
    match = _TAG.match(str(note))
    return match.group(1).strip() if match else ""


def outlet_of_lead(note: str) -> str:
    """Crude file: ``"Reuters; 7.81 Mt ..."`` -> ``"Reuters"``; ``"6.62 Mt / 1.61 mbpd"`` -> ``""``.

    >>> outlet_of_lead("Reuters (7.3 bbl/t); 48.36 Mt"), outlet_of_lead("6.62 Mt / 1.61 mbpd (-11%)")
    ('Reuters', '')
    """
    lead = _PARENS.sub("", str(note).split(";")[0]).strip()
    if not lead or any(ch.isdigit() for ch in lead) or len(lead.split()) > MAX_OUTLET_WORDS:
        return ""
    return lead


def _press_columns(frame: pd.DataFrame, outlet) -> dict:
    return {
        "outlet": frame["note"].fillna("").map(outlet),
        "source_url": frame["source_url"].fillna("").str.strip(),
        "published_on": frame["source_date"].fillna("").astype(str).str.strip(),
    }


def _partner_codes(frame: pd.DataFrame) -> list[str]:
    return [check_iso3(code) for code in frame["partner_iso3"]]


def clean_crude(frame: pd.DataFrame, relpath: str) -> pd.DataFrame:
    """Press crude figures -> clean rows: ``tonnes`` -> kg, ``bpd`` kept as printed, ``usd``."""
    out = pd.DataFrame(
        {
            "source": SOURCE,
            "reporter_iso3": "CHN",
            "partner_iso3": _partner_codes(frame),
            "partner_name": frame["partner"],
            "flow": "import",
            "hs_code": hs_code("crude_oil"),
            "commodity": "crude_oil",
            "period": frame["period"].str.strip(),
            "freq": frame["freq"].str.strip(),
            "net_weight_kg": (pd.to_numeric(frame["tonnes"]) * 1e3).round(),
            "rate_bbl_per_day": pd.to_numeric(frame["bpd"]),
            "value_usd": pd.to_numeric(frame["usd"]),
            "note": _note(frame),
            **_press_columns(frame, outlet_of_lead),
            "provenance": row_provenance(relpath, len(frame)),
        },
        index=frame.index,
    )
    return conform(out)


def clean_gas_energy(frame: pd.DataFrame, relpath: str) -> pd.DataFrame:
    """Press gas/energy figures -> clean rows, one figure per row, in the column its unit names."""
    frame = frame.assign(provenance=row_provenance(relpath, len(frame)))
    kept = frame[
        frame["freq"].isin(KEPT_FREQS)
        & frame["commodity"].isin(GAS_ENERGY_COMMODITIES)
        & frame["unit"].isin(UNITS)
        & frame["partner_iso3"].notna()
    ]
    values = pd.to_numeric(kept["value"])
    out = pd.DataFrame(
        {
            "source": SOURCE,
            "reporter_iso3": "CHN",
            "partner_iso3": _partner_codes(kept),
            "partner_name": kept["partner"],
            "flow": "import",
            "hs_code": kept["commodity"].map(GAS_ENERGY_COMMODITIES).map(PRESS_HS_CODES),
            "commodity": kept["commodity"].map(GAS_ENERGY_COMMODITIES),
            "period": kept["period"].str.strip(),
            "freq": kept["freq"],
            "note": _note(kept),
            **_press_columns(kept, outlet_of_tag),
            "provenance": kept["provenance"],
        },
        index=kept.index,
    )
    for unit, (column, factor) in UNITS.items():
        rows = kept["unit"] == unit
        out.loc[rows, column] = values[rows] * factor
    if "net_weight_kg" in out:
        out["net_weight_kg"] = pd.to_numeric(out["net_weight_kg"]).round()
    return conform(out)


def clean(raw_root: Path) -> pd.DataFrame:
    parts = []
    for raw_file, frame in read_csv_files(raw_root, SOURCE):
        relpath = raw_file.relpath(raw_root)
        if raw_file.name == CRUDE_FILE:
            parts.append(clean_crude(frame, relpath))
        elif raw_file.name == GAS_ENERGY_FILE:
            parts.append(clean_gas_energy(frame, relpath))
    return pd.concat(parts, ignore_index=True) if parts else empty_frame()
