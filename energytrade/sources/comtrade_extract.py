"""UN Comtrade monthly extract of China's energy imports by partner (bundled, 2020-01..2024-12).

Raw: ``raw/comtrade_extract/<vintage>/comtrade_<commodity>.csv`` with columns ``period`` (YYYYMM),
``partner`` (Comtrade English name), ``value_usd_bn`` (primaryValue / 1e9, 4 decimals), ``qty_mt``
(netWgt / 1e9 kg = million tonnes, 4 decimals) and ``value_per_mt_usd`` (the extract's own ratio, not
used). Pipeline gas is ``comtrade_pipeline_gas_values.csv``: values only, 2021 on (see its sidecar).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energytrade.schema import empty_frame
from energytrade.sources import monthly_partner_rows, read_csv_files

SOURCE = "comtrade_extract"
#: raw file name -> commodity
FILES: dict[str, str] = {
    "comtrade_crude_oil.csv": "crude_oil",
    "comtrade_lng.csv": "lng",
    "comtrade_coal.csv": "coal",
    "comtrade_pipeline_gas_values.csv": "pipeline_gas",
}
#: commodities whose extract carries values only (no ``qty_mt``: the pipeline-gas tonnages are not Comtrade
#: figures, see the module docstring); every other file must have ``qty_mt``, so a file that lost it is
#: refused instead of emptying all tonnages
VALUES_ONLY: frozenset[str] = frozenset({"pipeline_gas"})


def clean_extract(frame: pd.DataFrame, commodity: str, relpath: str) -> pd.DataFrame:
    """One extract file (text columns) -> clean rows.

    ``qty_mt`` is required unless the commodity's file is values only (:data:`VALUES_ONLY`); an empty
    ``qty_mt`` stays missing (never 0).

    >>> raw = pd.DataFrame({"period": ["202201"], "partner": ["Russian Federation"],
    ...                     "value_usd_bn": ["3.8222"], "qty_mt": ["7.4638"]})
    >>> row = clean_extract(raw, "crude_oil", "raw/comtrade_extract/v/f.csv").iloc[0]
    >>> row.partner_iso3, row.period, int(row.net_weight_kg), int(row.value_usd)
    ('RUS', '2022-01', 7463800000, 3822200000)
    """
    mass_column = None if commodity in VALUES_ONLY else "qty_mt"
    return monthly_partner_rows(frame, source=SOURCE, commodity=commodity, relpath=relpath, mass_column=mass_column)


def clean(raw_root: Path) -> pd.DataFrame:
    """All extract files under ``raw_root`` (newest vintage of each), cleaned."""
    parts = [
        clean_extract(frame, FILES[raw_file.name], raw_file.relpath(raw_root))
        for raw_file, frame in read_csv_files(raw_root, SOURCE)
        if raw_file.name in FILES
    ]
    return pd.concat(parts, ignore_index=True) if parts else empty_frame()
