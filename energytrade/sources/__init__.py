"""One module per source; each exposes ``SOURCE`` (its folder name under ``raw/``) and
``clean(raw_root) -> DataFrame`` (the clean schema, ``energytrade.schema``). Every source is listed once,
in ``energytrade.sources.registry``; the other layers ask the registry.

Within a module, ``read_*`` functions do the I/O (verified raw files) and ``clean_*`` functions are pure
(DataFrame in, DataFrame out). The helpers here refuse what a cleaner must not pass on: empty files,
missing columns, figures that are not finite numbers; each error names the file, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from energytrade.commodities import hs_code
from energytrade.countries import to_iso3
from energytrade.errors import BadNumber, BadPeriod, BadRawFile, EmptyRawFile, MissingColumn
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

    Raises
    ------
    EmptyRawFile
        A file without a header or without data rows.
    BadRawFile
        A file that is not UTF-8 CSV text.
    """
    out = []
    for raw_file in newest_vintage(find_raw_files(raw_root, source, pattern)):
        where = raw_file.relpath(raw_root)
        try:
            frame = pd.read_csv(raw_file.path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
        except pd.errors.EmptyDataError:
            raise EmptyRawFile(f"{where}: the file is empty (no header); restore it or pull a new vintage") from None
        except (UnicodeDecodeError, pd.errors.ParserError) as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise BadRawFile(
                f"{where}: not readable as UTF-8 CSV ({message}); restore it or pull a new vintage"
            ) from None
        if frame.empty:
            raise EmptyRawFile(f"{where}: a header but no data rows; restore it or pull a new vintage")
        frame.attrs["relpath"] = where
        out.append((raw_file, frame))
    return out


def require_columns(frame: pd.DataFrame, columns: Iterable[str], relpath: str) -> pd.DataFrame:
    """``frame`` itself if it has every one of ``columns``; else :class:`MissingColumn` naming the file.

    >>> require_columns(pd.DataFrame({"period": []}), ["period", "partner"], "raw/s/v/f.csv")
    Traceback (most recent call last):
    ...
    energytrade.errors.MissingColumn: raw/s/v/f.csv: column 'partner' is missing (the file has: period)
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumn(
            f"{relpath}: column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing (the file has: {', '.join(map(str, frame.columns))})"
        )
    return frame


def parse_figures(column: pd.Series, relpath: str = "") -> pd.Series:
    """A text column of decimals -> floats; empty stays missing (NaN), anything else must be a finite number.

    Rows are named as data rows (1-based, header not counted), assuming the frame's index is the file's
    row order from 0, as :func:`read_csv_files` gives it.

    >>> parse_figures(pd.Series(["1.5", None], name="qty_mt")).tolist()
    [1.5, nan]
    >>> parse_figures(pd.Series(["1e400"], name="qty_mt"), "raw/s/v/f.csv")
    Traceback (most recent call last):
    ...
    energytrade.errors.BadNumber: raw/s/v/f.csv row 1, column 'qty_mt': '1e400' is not a finite number (1 such value(s) in the column); fix the source file or pull a new vintage
    """
    text = column.astype(object).where(column.notna(), None)
    stripped = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    present = stripped.notna() & (stripped != "")
    numbers = pd.to_numeric(stripped.where(present, None), errors="coerce").astype("float64")
    _refuse_non_finite(present & ~np.isfinite(numbers), text, relpath)
    return numbers.where(present)


def _refuse_non_finite(bad: pd.Series, text: pd.Series, relpath: str) -> None:
    if not bad.any():
        return
    first = bad[bad].index[0]
    row = int(first) + 1 if isinstance(first, (int, np.integer)) else first
    where = f"{relpath} row {row}" if relpath else f"row {row}"
    raise BadNumber(
        f"{where}, column {text.name!r}: {text[first]!r} is not a finite number "
        f"({int(bad.sum())} such value(s) in the column); fix the source file or pull a new vintage"
    )


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
    require_columns(frame, ["period", "partner", "value_usd_bn", *([mass_column] if mass_column else [])], relpath)
    mass = frame[mass_column] if mass_column else pd.Series(None, index=frame.index, dtype=object, name="mass")
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
            "net_weight_kg": scaled(mass, 1e9, relpath),  # million tonnes -> kg
            "value_usd": scaled(frame["value_usd_bn"], 1e9, relpath),  # USD billion -> USD
            "provenance": row_provenance(relpath, len(frame)),
        },
        index=frame.index,
    )
    return conform(out)


def scaled(column: pd.Series, factor: float, relpath: str = "") -> pd.Series:
    """Parse a text column of decimals (:func:`parse_figures`) and scale it (e.g. USD billion -> USD),
    rounded to whole units.

    Sources round their figures to a few decimals, so the product is a whole number of kg or USD up to
    float noise; rounding removes the noise and keeps the figure exact. Missing stays NaN. A product too
    large for a float (``inf``) is refused like any non-finite figure.
    """
    out = (parse_figures(column, relpath) * factor).round()
    _refuse_non_finite(out.notna() & ~np.isfinite(out), column, relpath)
    return out
