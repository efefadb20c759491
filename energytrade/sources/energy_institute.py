"""Energy Institute Statistical Review of World Energy 2024: trade sheets as tidy tables.

Raw: ``raw/energy_institute/<vintage>/ei_2024_*.csv``, seven sheets of the Review's workbook, each its own
grid (titles, headers, notes, ``n/a``). ``read_sheet`` does the I/O (verified file, every cell as text);
the ``clean_*`` functions are pure: a grid in, a tidy frame out.

Regions keep the Review's own names and definitions: its "Europe" is not the EU (it includes Norway, the
UK, Türkiye and the Balkans), "Other CIS", "Australasia", "Middle East (ex Saudi Arabia)" are its groups.
Only footnote marks are taken off a name (``"Europe1"`` -> ``"Europe"``, footnote ``"1"``; ``"LNG exports*"``).
``n/a`` stays missing. The Review's own total rows and columns ("Total imports", "Total exports",
"Total World") are kept and flagged (``is_total``), never recomputed here; the pipeline sheet's regional
subtotal rows ("Europe", "CIS", "Asia Pacific" ...) are flagged ``is_subtotal``.

Region-level and annual: a cross-check and context source, not a replacement for customs data. Not part
of the clean trade table (no reporter/partner countries); the analysis reads these tables directly.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from energytrade.errors import RawFileMissing
from energytrade.raw import find_raw_files
from energytrade.sources import newest_vintage

SOURCE = "energy_institute"
OIL_INTER_AREA = "ei_2024_oil_inter_area_movements.csv"
OIL_TRADE_22_23 = "ei_2024_oil_trade_movements_in_22_23.csv"
OIL_TRADE = "ei_2024_oil_trade_movements.csv"
GAS_TRADE = "ei_2024_gas_trade_movements.csv"
GAS_PIPELINE = "ei_2024_gas_trade_pipeline.csv"
GAS_LNG = "ei_2024_gas_trade_lng.csv"
COAL_TRADE = "ei_2024_coal_trade_movements.csv"
#: The year the matrices describe.
MATRIX_YEAR = 2023

_FOOTNOTE = re.compile(r"^(?P<name>.*?[^\d*†\s])\s*(?P<mark>[\d*†]*)\s*$")
#: Rows of the pipeline sheet that are regional subtotals of the rows above them.
PIPELINE_SUBTOTALS = ("North America", "S. & Cent. America", "Europe", "CIS", "Middle East", "Africa", "Asia Pacific")


def read_sheet(raw_root: str | os.PathLike, name: str) -> pd.DataFrame:
    """A sheet's grid (newest vintage, checksum verified), every cell as text, empty cells as ``""``."""
    files = newest_vintage(find_raw_files(raw_root, SOURCE, name))
    if not files:
        raise RawFileMissing(
            f"no {SOURCE}/<vintage>/{name} under {str(raw_root)!r}: carry it with "
            f"scripts/import_reference.py --only {SOURCE}"
        )
    return pd.read_csv(files[-1].path, header=None, dtype=str, keep_default_na=False, encoding="utf-8")


def split_footnote(label: str) -> tuple[str, str]:
    """``"Europe1"`` -> ``("Europe", "1")``; ``"LNG exports*"`` -> ``("LNG exports", "*")``; whitespace trimmed."""
    text = " ".join(str(label).split())
    match = _FOOTNOTE.match(text)
    if not match:
        return text, ""
    return match["name"], match["mark"]


def _number(cells: pd.Series) -> pd.Series:
    """Text cells -> floats; ``n/a`` and empty stay missing (never 0)."""
    return pd.to_numeric(cells.replace({"n/a": None, "": None}), errors="raise")


def _find_row(grid: pd.DataFrame | list[str], first_cell: str, start: int = 0) -> int:
    """The first row from ``start`` whose first cell (stripped) is ``first_cell``; ``grid``: a sheet's grid
    (as :func:`read_sheet` gives it: rows numbered from 0) or its stripped first cells."""
    first = _first_cells(grid) if isinstance(grid, pd.DataFrame) else grid
    for i in range(max(start, 0), len(first)):
        if first[i] == first_cell:
            return i
    raise ValueError(f"no row starting with {first_cell!r} in the sheet (from row {start})")


def _first_cells(grid: pd.DataFrame) -> list[str]:
    return [cell.strip() for cell in grid[0].tolist()]


def _matrix(cells: np.ndarray, header_row: int, first_data: int, value_column: str) -> pd.DataFrame:
    """Rows under a header row until the first blank label -> long (row label, column label, value), column
    by column (every row of the first labelled column, then of the next). ``cells``: the grid's cells as
    an object array (on arrays: row and column selections of the frame cost more than the rest)."""
    header = [split_footnote(c)[0] for c in cells[header_row]]
    end = first_data
    while end < len(cells) and cells[end, 0].strip():
        end += 1
    block = cells[first_data:end]
    labels = [split_footnote(x)[0] for x in block[:, 0]]
    columns = [j for j in range(1, len(header)) if header[j]]
    # One frame from whole arrays: a frame per column joined with pd.concat cost more than all the rest.
    out = pd.DataFrame(
        {
            "row_label": labels * len(columns),
            "col_label": [header[j] for j in columns for _ in labels],
            value_column: block[:, columns].ravel(order="F"),
        }
    )
    out[value_column] = _number(out[value_column])
    return out


def clean_oil_inter_area(grid: pd.DataFrame) -> pd.DataFrame:
    """The 2023 oil matrix -> ``year``, ``product`` (``crude``/``products``), ``from_region``, ``to_region``,
    ``volume_mt`` [million tonnes], ``is_total`` (the Review's "Total imports" row or "Total" column)."""
    parts = []
    cells, first = grid.to_numpy(dtype=object), _first_cells(grid)
    for product, title in (("crude", "Crude (million tonnes)"), ("products", "Product (million tonnes)")):
        title_row = _find_row(first, title)
        header_row = title_row if product == "crude" else _find_row(first, "Crude (million tonnes)")
        block = _matrix(cells, header_row, _find_row(first, "From", title_row) + 1, "volume_mt")
        parts.append(block.assign(product=product))
    out = pd.concat(parts, ignore_index=True).rename(columns={"row_label": "from_region", "col_label": "to_region"})
    out["is_total"] = out["from_region"].str.startswith("Total") | out["to_region"].str.startswith("Total")
    out["year"] = MATRIX_YEAR
    return out[["year", "product", "from_region", "to_region", "volume_mt", "is_total"]]


def clean_gas_matrix(grid: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A 2023 gas sheet (``kind`` ``"pipeline"`` or ``"lng"``; rows = to, columns = from) -> ``year``,
    ``kind``, ``from_region``, ``to_region``, ``volume_bcm`` [bcm], ``is_total``, ``is_subtotal``."""
    to_row = _find_row(grid, "To")
    if kind == "lng":
        # The LNG sheet splits long exporter names over two header rows ("Trinidad & " / " Tobago").
        above = grid.iloc[to_row - 1]
        joined = [
            " ".join((a + " " + b).split()) if j else "To" for j, (a, b) in enumerate(zip(above, grid.iloc[to_row]))
        ]
        grid = grid.copy()
        grid.iloc[to_row] = joined
    block = _matrix(grid.to_numpy(dtype=object), to_row, to_row + 1, "volume_bcm")
    out = block.rename(columns={"row_label": "to_region", "col_label": "from_region"})
    out["is_total"] = out["from_region"].str.startswith("Total") | out["to_region"].str.startswith("Total")
    out["is_subtotal"] = out["to_region"].isin(PIPELINE_SUBTOTALS) if kind == "pipeline" else False
    out["year"] = MATRIX_YEAR
    out["kind"] = kind
    return out[["year", "kind", "from_region", "to_region", "volume_bcm", "is_total", "is_subtotal"]]


def clean_oil_trade_22_23(grid: pd.DataFrame) -> pd.DataFrame:
    """Crude and product imports/exports by region, 2022 and 2023 -> ``region``, ``year``, ``product``,
    ``flow``, ``volume_mt`` [million tonnes], ``is_total``."""
    # The year is a merged cell over four columns, its text not above the first of them: the four
    # (product, flow) columns repeat once per year, in the order the years are written.
    years = [int(c) for c in grid.iloc[1] if c.strip().isdigit()]
    products, flows = grid.iloc[2].tolist(), grid.iloc[3].tolist()
    pairs = [(products[j].strip().lower(), flows[j].strip().lower()) for j in range(1, grid.shape[1])]
    group = -1
    columns = []
    for j, pair in enumerate(pairs, start=1):
        if not pair[0]:
            continue
        group += pair == pairs[0]
        columns.append((j, years[group], *pair))
    parts = []
    block = grid.iloc[4:]
    block = block.iloc[: (block[0].str.strip() == "").to_numpy().argmax() or len(block)]
    regions = [split_footnote(x)[0] for x in block[0]]
    for j, yr, product, flow in columns:
        parts.append(
            pd.DataFrame(
                {
                    "region": regions,
                    "year": yr,
                    "product": product,
                    "flow": flow,
                    "volume_mt": _number(block[j]).to_numpy(),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["product"] = out["product"].replace({"product": "products"})
    out["flow"] = out["flow"].replace({"imports": "import", "exports": "export"})
    out["is_total"] = out["region"].str.startswith("Total")
    return out


def clean_series(grid: pd.DataFrame, value_column: str) -> pd.DataFrame:
    """A regional time-series sheet (oil kb/d, gas bcm, coal EJ) -> ``group``, ``item``, ``footnote``,
    ``year``, ``<value_column>``, ``is_total``.

    A row without figures is a group label (oil: ``Imports``/``Exports``; gas: a region). Only the year
    columns are kept (the Review's growth-rate and share columns are its own derived figures).
    """
    header_row = next(i for i in range(len(grid)) if grid.iat[i, 1].strip().isdigit())
    header = grid.iloc[header_row].tolist()
    year_columns = []
    for j in range(1, len(header)):
        text = header[j].strip()
        if not text.isdigit() or (year_columns and int(text) <= year_columns[-1][1]):
            break
        year_columns.append((j, int(text)))
    records = []
    group = ""
    for i in range(header_row + 1, len(grid)):
        label = grid.iat[i, 0]
        if not label.strip():
            break
        cells = [grid.iat[i, j].strip() for j, _ in year_columns]
        if not any(cells):
            group = split_footnote(label)[0]
            continue
        item, mark = split_footnote(label)
        item = item.removeprefix("of which: ").strip() if label.strip().startswith("of which") else item
        for (_, year), cell in zip(year_columns, cells):
            records.append((group, item, mark, year, cell))
    out = pd.DataFrame(records, columns=["group", "item", "footnote", "year", value_column])
    out[value_column] = _number(out[value_column])
    out["is_total"] = out["item"].str.startswith("Total")
    return out


def oil_inter_area(raw_root: str | os.PathLike) -> pd.DataFrame:
    """The 2023 oil from→to matrix (Mt), tidy."""
    return clean_oil_inter_area(read_sheet(raw_root, OIL_INTER_AREA))


def gas_pipeline(raw_root: str | os.PathLike) -> pd.DataFrame:
    """The 2023 pipeline-gas from→to matrix (bcm), tidy."""
    return clean_gas_matrix(read_sheet(raw_root, GAS_PIPELINE), "pipeline")


def gas_lng(raw_root: str | os.PathLike) -> pd.DataFrame:
    """The 2023 LNG from→to matrix (bcm), tidy."""
    return clean_gas_matrix(read_sheet(raw_root, GAS_LNG), "lng")


def oil_trade_22_23(raw_root: str | os.PathLike) -> pd.DataFrame:
    """Crude and product trade by region, 2022 and 2023 (Mt), tidy."""
    return clean_oil_trade_22_23(read_sheet(raw_root, OIL_TRADE_22_23))


def oil_trade_series(raw_root: str | os.PathLike) -> pd.DataFrame:
    """Oil imports and exports by region, 1980-2023 [thousand barrels daily], tidy."""
    return clean_series(read_sheet(raw_root, OIL_TRADE), "rate_kbd")


def gas_trade_series(raw_root: str | os.PathLike) -> pd.DataFrame:
    """Pipeline and LNG imports and exports by region, 2000-2023 [bcm], tidy."""
    return clean_series(read_sheet(raw_root, GAS_TRADE), "volume_bcm")


def coal_trade_series(raw_root: str | os.PathLike) -> pd.DataFrame:
    """Coal imports and exports by region, 2000-2023 [exajoules], tidy."""
    return clean_series(read_sheet(raw_root, COAL_TRADE), "energy_ej")
