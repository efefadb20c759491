"""China customs (GACC) online-query figures (bundled, 2025-01..2026-07).

Raw: ``raw/gacc_query/<vintage>/gacc_<commodity>.csv`` (``period`` YYYYMM, ``partner``, ``value_usd_bn``:
values only, no tonnes) and ``gacc_imports.csv`` (China totals 2026: ``<c>_mt`` million tonnes,
``<c>_usd_bn``; the published year-on-year columns are not carried into the clean table, since they are
derived). Partner names are customs' own ("Republic of Korea"); both spellings map to ISO3.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energytrade.commodities import hs_code
from energytrade.countries import WORLD_ISO3
from energytrade.schema import conform, empty_frame
from energytrade.sources import (
    compact_month,
    monthly_partner_rows,
    read_csv_files,
    require_columns,
    row_provenance,
    scaled,
)

SOURCE = "gacc_query"
PARTNER_FILES: dict[str, str] = {
    "gacc_crude_oil.csv": "crude_oil",
    "gacc_lng.csv": "lng",
    "gacc_pipeline_gas.csv": "pipeline_gas",
}
TOTALS_FILE = "gacc_imports.csv"
#: column prefix in the totals file -> (commodity, HS code as customs counts it)
TOTALS_PREFIXES: dict[str, tuple[str, str]] = {
    "coal": ("coal", "2701+2702"),  # customs' "coal and lignite" total
    "crude_oil": ("crude_oil", hs_code("crude_oil")),
    "gas": ("natural_gas", hs_code("natural_gas")),  # LNG + pipeline gas
}


def clean_partner_values(frame: pd.DataFrame, commodity: str, relpath: str) -> pd.DataFrame:
    """A by-origin values file -> clean rows (value_usd only)."""
    return monthly_partner_rows(frame, source=SOURCE, commodity=commodity, relpath=relpath)


def clean_totals(frame: pd.DataFrame, relpath: str) -> pd.DataFrame:
    """The China-totals file (one row per month, a column pair per commodity) -> long clean rows."""
    columns = [f"{prefix}_{unit}" for prefix in TOTALS_PREFIXES for unit in ("mt", "usd_bn")]
    require_columns(frame, ["period", *columns], relpath)
    provenance = pd.Series(row_provenance(relpath, len(frame)), index=frame.index)
    parts = []
    for prefix, (commodity, code) in TOTALS_PREFIXES.items():
        parts.append(
            pd.DataFrame(
                {
                    "source": SOURCE,
                    "reporter_iso3": "CHN",
                    "partner_iso3": WORLD_ISO3,
                    "partner_name": "World",
                    "flow": "import",
                    "hs_code": code,
                    "commodity": commodity,
                    "period": compact_month(frame["period"]),
                    "freq": "M",
                    "net_weight_kg": scaled(frame[f"{prefix}_mt"], 1e9, relpath),
                    "value_usd": scaled(frame[f"{prefix}_usd_bn"], 1e9, relpath),
                    # one raw row holds three commodities: the column names which figure it is
                    "provenance": provenance + f"&col={prefix}",
                }
            )
        )
    return conform(pd.concat(parts, ignore_index=True))


def clean(raw_root: Path) -> pd.DataFrame:
    parts = []
    for raw_file, frame in read_csv_files(raw_root, SOURCE):
        relpath = raw_file.relpath(raw_root)
        if raw_file.name in PARTNER_FILES:
            parts.append(clean_partner_values(frame, PARTNER_FILES[raw_file.name], relpath))
        elif raw_file.name == TOTALS_FILE:
            parts.append(clean_totals(frame, relpath))
    return pd.concat(parts, ignore_index=True) if parts else empty_frame()
