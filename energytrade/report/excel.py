"""PLACEHOLDER (report helper's branch only): the Excel workbook is written by another helper's
``energytrade.report.excel`` module, which replaces this file at merge. This stand-in keeps the
renderer runnable and testable until then: one sheet per table, nothing more."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from energytrade.report.chapter import Table


def write_workbook(tables: Sequence[Table], path: str | os.PathLike) -> None:
    """Write ``tables`` into one workbook at ``path``, one sheet per table (sheet name: the table's name)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for t in tables:
            t.frame.to_excel(writer, sheet_name=t.name[:31], index=False)
