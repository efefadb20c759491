"""UN Comtrade monthly extract of China's energy imports by partner (bundled, 2020-01..2024-12).

Raw: ``raw/comtrade_extract/<vintage>/comtrade_<commodity>.csv`` with columns ``period`` (YYYYMM),
``partner`` (Comtrade English name), ``value_usd_bn`` (primaryValue / 1e9, 4 decimals), ``qty_mt``
(netWgt / 1e9 kg = million tonnes, 4 decimals) and ``value_per_mt_usd`` (the extract's own ratio, not
used). Pipeline gas is ``comtrade_pipeline_gas_values.csv``: values only, 2021 on (see its sidecar).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energytrade.commodities import hs_code
from energytrade.countries import to_iso3
from energytrade.schema import conform, empty_frame
from energytrade.sources import compact_month, read_csv_files, row_provenance, scaled

SOURCE = "comtrade_extract"
#: raw file name -> commodity
FILES: dict[str, str] = {
    "comtrade_crude_oil.csv": "crude_oil",
    "comtrade_lng.csv": "lng",
    "comtrade_coal.csv": "coal",
    "comtrade_pipeline_gas_values.csv": "pipeline_gas",
}
KG_PER_MILLION_TONNES = 1e9
USD_PER_BILLION = 1e9


def clean_extract(frame: pd.DataFrame, commodity: str, relpath: str) -> pd.DataFrame:
    """One extract file (text columns) -> clean rows.

    ``qty_mt`` is used only when the file has it; an empty ``qty_mt`` stays missing (never 0).

    >>> raw = pd.DataFrame({"period": ["202201"], "partner": ["Russian Federation"],
    ...                     "value_usd_bn": ["3.8222"], "qty_mt": ["7.4638"]})
    >>> row = clean_extract(raw, "crude_oil", "raw/comtrade_extract/v/f.csv").iloc[0]
    >>> row.partner_iso3, row.period, int(row.net_weight_kg), int(row.value_usd)
    ('RUS', '2022-01', 7463800000, 3822200000)
    """
    n = len(frame)
    mass = frame["qty_mt"] if "qty_mt" in frame else pd.Series([None] * n, index=frame.index, dtype=object)
    out = pd.DataFrame(
        {
            "source": SOURCE,
            "reporter_iso3": "CHN",
            "partner_iso3": to_iso3(frame["partner"]),
            "partner_name": frame["partner"].str.strip(),
            "flow": "import",
            "hs_code": hs_code(commodity),
            "commodity": commodity,
            "period": compact_month(frame["period"]),
            "freq": "M",
            "net_weight_kg": scaled(mass, KG_PER_MILLION_TONNES),
            "value_usd": scaled(frame["value_usd_bn"], USD_PER_BILLION),
            "provenance": row_provenance(relpath, n),
        },
        index=frame.index,
    )
    return conform(out)


def clean(raw_root: Path) -> pd.DataFrame:
    """All extract files under ``raw_root`` (newest vintage of each), cleaned."""
    parts = [
        clean_extract(frame, FILES[raw_file.name], raw_file.relpath(raw_root))
        for raw_file, frame in read_csv_files(raw_root, SOURCE)
        if raw_file.name in FILES
    ]
    return pd.concat(parts, ignore_index=True) if parts else empty_frame()
