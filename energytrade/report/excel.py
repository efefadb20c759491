"""The report's tables as one Excel workbook: one sheet per table, for readers who work in a spreadsheet.

:func:`workbook_bytes` turns :class:`~energytrade.report.chapter.Table` objects into the bytes of an
``.xlsx`` file (openpyxl); :func:`write_workbook` writes them atomically. Each sheet has the table's
column headers (readers' words with the unit in brackets, ``"Crude oil [Mt]"``) in a bold, frozen first
row, then one row per frame row: numbers stay numbers (to openpyxl's 16 significant digits; Excel computes
with 15), missing figures stay empty cells (never 0), text
stays text (a text starting with ``=`` is not turned into a formula). The sheet's first header cell
carries the table's title, caption and full name as a note. The same tables give the same bytes: the zip entries
and the workbook's properties carry a fixed time, not the time of writing.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from energytrade.raw import write_atomic
from energytrade.report.chapter import Table

if TYPE_CHECKING:
    from openpyxl import Workbook


@lru_cache(maxsize=1)
def _xl() -> SimpleNamespace:
    """openpyxl's parts used here, imported on first use: the report writes its workbook in a worker
    process, so the main process need not spend the tenth of a second openpyxl takes to import."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    return SimpleNamespace(
        Workbook=Workbook,
        ILLEGAL_CHARACTERS_RE=ILLEGAL_CHARACTERS_RE,
        Comment=Comment,
        Alignment=Alignment,
        Font=Font,
        get_column_letter=get_column_letter,
    )


#: Excel refuses sheet names longer than this (Excel's specifications and limits).
MAX_SHEET_NAME = 31
#: Characters Excel refuses in a sheet name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Sheet names Excel reserves for itself (case-insensitive).
_SHEET_RESERVED = {"history"}
#: Column widths in characters: at least a short number, at most a readable paragraph.
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60
#: The time written into the workbook's properties and zip entries, so that equal tables give equal bytes
#: (the zip format's earliest date).
FIXED_TIME = datetime(1980, 1, 1)
#: Display format of integer columns of 10,000 and more (thousands separated); floats keep Excel's "General" so that no
#: figure is shown rounded to fewer digits than it has.
INTEGER_FORMAT = "#,##0"
#: Integer columns whose every value lies in this range are taken for calendar years (no separator: 2022,
#: not 2,022).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def sheet_names(names: Sequence[str]) -> list[str]:
    """Excel-safe, unique sheet names for tables named ``names``, in the same order.

    Forbidden characters become ``_``, names are cut to 31 characters, and a name already taken
    (Excel compares case-insensitively) gets a ``~2``, ``~3``... suffix within the 31 characters.

    >>> sheet_names(["rankings_mass", "claim_russia-largest-oil-supplier_evidence", "a/b", "A_B"])
    ['rankings_mass', 'claim_russia-largest-oil-suppli', 'a_b', 'A_B~2']
    """
    taken: set[str] = set()
    result = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip("'") or "table"
        if base.lower() in _SHEET_RESERVED:
            base = f"{base}_"
        candidate = base[:MAX_SHEET_NAME]
        n = 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"~{n}"
            candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def _cell_value(value: object) -> object:
    """A frame cell as openpyxl should store it: None for missing, Python numbers, text without control characters."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (datetime, date)):
        return value
    return _xl().ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))


def _display_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_width(header: str, values: Iterable[object]) -> float:
    longest = max([len(header), *(_display_length(v) for v in values)])
    return float(min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, longest + 2)))


def _thousands(dtype: object, values: Sequence[object]) -> bool:
    """Whether an integer column is shown with thousands separators: large counts yes, calendar years no."""
    if not pd.api.types.is_integer_dtype(dtype):  # bool is not an integer dtype
        return False
    numbers = [v for v in values if isinstance(v, int)]
    if not numbers or all(FIRST_YEAR <= v <= LAST_YEAR for v in numbers):
        return False
    return max(abs(v) for v in numbers) >= 10_000


def _add_sheet(workbook: Workbook, title: str, table: Table) -> None:
    sheet = workbook.create_sheet(title)
    frame = table.frame
    headers = [str(c) for c in frame.columns]
    sheet.append(headers)
    xl = _xl()
    bold = xl.Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = xl.Alignment(wrap_text=True, vertical="top")
    columns = [[_cell_value(v) for v in frame.iloc[:, j].tolist()] for j in range(frame.shape[1])]
    for row in zip(*columns):
        sheet.append(row)
    for j, (header, values) in enumerate(zip(headers, columns), start=1):
        sheet.column_dimensions[xl.get_column_letter(j)].width = _column_width(header, values)
        if _thousands(frame.dtypes.iloc[j - 1], values):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = INTEGER_FORMAT
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    sheet.freeze_panes = "A2"
    if headers and len(frame):
        sheet.auto_filter.ref = sheet.dimensions
    # The full name too: a sheet's name may be cut to 31 characters.
    note = "\n\n".join(part for part in (table.title, table.caption, f"(table {table.name})") if part)
    if headers:
        sheet["A1"].comment = xl.Comment(note, "energytrade")


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _deterministic_zip(data: bytes) -> bytes:
    """The same zip with every entry dated :data:`FIXED_TIME`, and the workbook's "modified" property too
    (openpyxl stamps both with the clock)."""
    stamp = FIXED_TIME.timetuple()[:6]
    fixed = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _MODIFIED.sub(rb"\g<1>" + fixed + rb"\g<2>", payload)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, payload)
    return out.getvalue()


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """The ``.xlsx`` bytes of ``tables``: one sheet per table, in the given order (pure)."""
    workbook = _xl().Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "energytrade"
    workbook.properties.created = FIXED_TIME
    for title, table in zip(sheet_names([t.name for t in tables]), tables):
        _add_sheet(workbook, title, table)
    if not tables:
        workbook.create_sheet("no tables")  # a workbook needs one sheet
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def write_workbook(tables: Sequence[Table], path: str | os.PathLike) -> Path:
    """Write ``tables`` as one Excel workbook at ``path`` (temporary file, then rename); returns the path.

    Parameters
    ----------
    tables : sequence of Table
        The tables, one sheet each, named after ``Table.name`` (made Excel-safe by :func:`sheet_names`).
    path : path
        The ``.xlsx`` file to write; its folder is created if missing.
    """
    return write_atomic(path, workbook_bytes(tables))
