"""The report's tables as one Excel workbook: one sheet per table, for readers who work in a spreadsheet.

:func:`workbook_bytes` turns :class:`~energytrade.report.chapter.Table` objects into the bytes of an
``.xlsx`` file (XlsxWriter, which writes a workbook about three times faster than openpyxl builds one;
the tests read them back with openpyxl); :func:`write_workbook` writes them atomically. Each sheet has the
table's column headers (readers' words with the unit in brackets, ``"Crude oil [Mt]"``) in a bold, frozen
first row, then one row per frame row: numbers stay numbers (to 16 significant digits; Excel computes with
15), missing figures stay empty cells (never 0), text stays text (a text starting with ``=`` is not turned
into a formula). The sheet's first header cell carries the table's title, caption and
full name as a note. The same tables give the same bytes: the zip entries and the workbook's properties carry
a fixed time, not the time of writing.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from energytrade.raw import write_atomic
from energytrade.report.chapter import Table
from energytrade.report.pauses import collection_paused

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

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
#: Control characters XML 1.0 refuses (all below 0x20 except tab, line feed and carriage return); a cell's text
#: has each replaced by U+FFFD.
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: The characters at which ``str.splitlines`` breaks a text (a text without them is one line).
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: Display formats of date and time cells.
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


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
    """A frame cell as the workbook stores it: None for missing, Python numbers, text without control characters."""
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
    return _ILLEGAL_CHARACTERS.sub("\ufffd", str(value))


def _display_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_cells(column: pd.Series) -> tuple[list[object], int]:
    """A column's cells as :func:`_cell_value` gives them, and the display length of the longest.

    Two kinds of column take a shortcut (the same result, tested against the cell-by-cell path). Float and
    integer columns are converted in one step, and the longest is the largest or the smallest number, as a
    longer number never prints shorter. A column of texts only, none with a control character or a line
    break, is its own cells, and the longest is the longest text.
    """
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    if kind in ("f", "i") and len(column):
        array = column.to_numpy()
        finite = np.isfinite(array) if kind == "f" else np.ones(len(array), dtype=bool)
        cells = array.tolist()
        if not finite.all():
            cells = [cell if ok else None for cell, ok in zip(cells, finite.tolist())]
        shown = array[finite]
        extremes = (shown.min().item(), shown.max().item()) if len(shown) else ()
        return cells, max((_display_length(v) for v in extremes), default=0)
    values = column.tolist()
    if all(v.__class__ is str for v in values):
        text = "".join(values)
        if not _ILLEGAL_CHARACTERS.search(text) and not _LINE_BREAKS.search(text):
            return values, max(map(len, values), default=0)
    cells = [_cell_value(v) for v in values]
    return cells, max((_display_length(v) for v in cells), default=0)


def _column_width(header: str, longest: int) -> float:
    return float(min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, max(len(header), longest) + 2)))


def _thousands(dtype: object, values: Sequence[object]) -> bool:
    """Whether an integer column is shown with thousands separators: large counts yes, calendar years no."""
    if not pd.api.types.is_integer_dtype(dtype):  # bool is not an integer dtype
        return False
    numbers = [v for v in values if isinstance(v, int)]
    if not numbers:
        return False
    low, high = min(numbers), max(numbers)
    if FIRST_YEAR <= low and high <= LAST_YEAR:  # all of them calendar years
        return False
    return max(-low, high) >= 10_000


def _add_sheet(workbook: Workbook, formats: dict[str, object], title: str, table: Table) -> None:
    sheet = workbook.add_worksheet(title)
    frame = table.frame
    headers = [str(c) for c in frame.columns]
    for j, header in enumerate(headers):
        sheet.write_string(0, j, _cell_value(header), formats["header"])
    write_string, write_number = sheet.write_string, sheet.write_number
    for j, (header, (_, column)) in enumerate(zip(headers, frame.items())):
        values, longest = _column_cells(column)
        sheet.set_column(j, j, _column_width(header, longest))
        number_format = formats["thousands"] if _thousands(column.dtype, values) else None
        # The cells are None, exact bools, ints, floats and texts (see _cell_value), or dates: the checks go by
        # class, the most frequent first.
        for i, value in enumerate(values, start=1):
            kind = value.__class__
            if kind is str:
                if value:  # an empty text is an empty cell
                    write_string(i, j, value)  # text, never a formula or a number
            elif kind is float or kind is int:
                write_number(i, j, value, number_format)
            elif value is None:
                continue  # an empty cell: missing is not zero
            elif kind is bool:
                sheet.write_boolean(i, j, value)
            else:  # date or datetime
                sheet.write_datetime(i, j, value, formats["datetime" if isinstance(value, datetime) else "date"])
    sheet.freeze_panes(1, 0)
    if headers and len(frame):
        sheet.autofilter(0, 0, len(frame), len(headers) - 1)
    # The full name too: a sheet's name may be cut to 31 characters.
    note = "\n\n".join(part for part in (table.title, table.caption, f"(table {table.name})") if part)
    if headers:
        sheet.write_comment(0, 0, _cell_value(note), {"author": "energytrade"})


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """The ``.xlsx`` bytes of ``tables``: one sheet per table, in the given order (pure)."""
    from xlsxwriter import Workbook  # imported here: the report writes its workbook in a worker process

    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True})  # in memory, XlsxWriter dates every zip entry 1980-01-01
    workbook.set_properties({"author": "energytrade", "created": FIXED_TIME})
    formats = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "thousands": workbook.add_format({"num_format": INTEGER_FORMAT}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
    }
    with collection_paused():  # tens of thousands of cell records, no cycles among them
        for title, table in zip(sheet_names([t.name for t in tables]), tables):
            _add_sheet(workbook, formats, title, table)
        if not tables:
            workbook.add_worksheet("no tables")  # a workbook needs one sheet
        workbook.close()
    return buffer.getvalue()


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
