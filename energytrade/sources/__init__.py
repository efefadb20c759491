"""One module per source; each exposes ``SOURCE`` (its folder name under ``raw/``) and
``clean(raw_root) -> DataFrame`` (the clean schema, ``energytrade.schema``).

Within a module, ``read_*`` functions do the I/O (verified raw files) and ``clean_*`` functions are pure
(DataFrame in, DataFrame out).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energytrade.commodities import hs_code
from energytrade.countries import to_iso3
from energytrade.errors import BadPeriod
from energytrade.raw import RawFile, find_raw_files
from energytrade.schema import conform


def newest_vintage(files: list[RawFile]) -> list[RawFile]:
    """Of several vintages of the same file name, keep the newest (vintage folders sort by date)."""
    by_name: dict[str, RawFile] = {}
    for raw_file in sorted(files, key=lambda f: (f.name, f.vintage)):
        by_name[raw_file.name] = raw_file
    return [by_name[name] for name in sorted(by_name)]


def read_csv_files(raw_root: Path, source: str, pattern: str = "*.csv") -> list[tuple[RawFile, pd.DataFrame]]:
    """Every verified CSV of a source (newest vintage per file name) as text columns.

    Figures are read as text so that cleaners decide how to parse them (nothing is coerced on read).
    """
    out = []
    for raw_file in newest_vintage(find_raw_files(raw_root, source, pattern)):
        frame = pd.read_csv(raw_file.path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
        out.append((raw_file, frame))
    return out


def row_provenance(relpath: str, n_rows: int) -> list[str]:
    """``raw/<source>/<vintage>/<file>#row=<n>`` for data rows 1..n (the header is not counted)."""
    return [f"{relpath}#row={i}" for i in range(1, n_rows + 1)]


def compact_month(period: pd.Series) -> pd.Series:
    """``202203`` -> ``2022-03`` (Comtrade's and GACC's period format)."""
    text = period.astype(str).str.strip()
    if not text.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])").all():
        bad = sorted(set(text[~text.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])")]))[:5]
        raise BadPeriod(f"periods not in YYYYMM form: {bad}")
    return text.str[:4] + "-" + text.str[4:]


def monthly_partner_rows(
    frame: pd.DataFrame, *, source: str, commodity: str, relpath: str, mass_column: str | None = None
) -> pd.DataFrame:
    """China's monthly imports by partner from a ``period`` (YYYYMM) / ``partner`` / ``value_usd_bn``
    (and, if named, a million-tonnes ``mass_column``) file -> clean rows. Shared by the Comtrade extract
    and the GACC query files, which have this shape."""
    mass = frame[mass_column] if mass_column else pd.Series(None, index=frame.index, dtype=object)
    out = pd.DataFrame(
        {
            "source": source,
            "reporter_iso3": "CHN",
            "partner_iso3": to_iso3(frame["partner"]),
            "partner_name": frame["partner"].str.strip(),
            "flow": "import",
            "hs_code": hs_code(commodity),
            "commodity": commodity,
            "period": compact_month(frame["period"]),
            "freq": "M",
            "net_weight_kg": scaled(mass, 1e9),  # million tonnes -> kg
            "value_usd": scaled(frame["value_usd_bn"], 1e9),  # USD billion -> USD
            "provenance": row_provenance(relpath, len(frame)),
        },
        index=frame.index,
    )
    return conform(out)


def scaled(column: pd.Series, factor: float) -> pd.Series:
    """Parse a text column of decimals and scale it (e.g. USD billion -> USD), rounded to whole units.

    Sources round their figures to a few decimals, so the product is a whole number of kg or USD up to
    float noise; rounding removes the noise and keeps the figure exact. Missing stays NaN.
    """
    return (pd.to_numeric(column, errors="raise") * factor).round()
