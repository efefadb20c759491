"""The report's tables as an Excel workbook: one sheet per table, the frames' numbers as numbers, units in
the header, missing as empty cells, a frozen bold header, the same bytes for the same tables."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from energytrade.build import load_trade_flows
from energytrade.report import excel
from energytrade.report.chapter import Table
from energytrade.report.chapters.crude_oil import CSV_NAMES, crude_tables, table_frames
from energytrade.report.excel import MAX_COLUMN_WIDTH, MAX_SHEET_NAME, sheet_names, workbook_bytes, write_workbook
from energytrade.report.render import csv_bytes

# A two-supplier, two-year example in the report's column style (readers' words, unit in brackets).
SAUDI_MT = (87.6, 81.0)
RUSSIA_MT = (79.6, np.nan)  # Russia's 2022 tonnage missing: an empty cell, not 0
SAUDI_SHARE_PCT = (17.1, 16.0)
YEARS = (2021, 2022)
SUPPLIERS = pd.DataFrame(
    {
        "Year": list(YEARS) * 2,
        "Supplier": ["Saudi Arabia", "Saudi Arabia", "Russia", "Russia"],
        "Crude oil [Mt]": [*SAUDI_MT, *RUSSIA_MT],
        "Share of imports [%]": [*SAUDI_SHARE_PCT, np.nan, np.nan],
    }
)
MONTHS = pd.DataFrame({"Month": ["January 2022", "February 2022"], "Leader": ["Russia", "=HYPERLINK(1)"]})
TABLES = [
    Table("suppliers", "Largest suppliers", SUPPLIERS, caption="Tonnage by calendar year."),
    Table("leaders", "Leader each month", MONTHS),
]


@pytest.fixture
def xlsx(tmp_path):
    return write_workbook(TABLES, tmp_path / "tables.xlsx")


def test_one_sheet_per_table_in_order_named_after_the_table(xlsx):
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["suppliers", "leaders"]


def test_the_sheets_hold_the_frames_numbers_with_units_in_the_header(xlsx):
    read = pd.read_excel(xlsx, sheet_name="suppliers")
    assert list(read.columns) == ["Year", "Supplier", "Crude oil [Mt]", "Share of imports [%]"]
    assert read["Year"].tolist() == [*YEARS, *YEARS]
    assert read["Crude oil [Mt]"].tolist()[:3] == [*SAUDI_MT, RUSSIA_MT[0]]
    pd.testing.assert_frame_equal(read, SUPPLIERS)


def test_numbers_are_numeric_cells_and_missing_figures_are_empty_cells(xlsx):
    sheet = openpyxl.load_workbook(xlsx)["suppliers"]
    # rows: header, Saudi 2021, Saudi 2022, Russia 2021, Russia 2022; column C is the tonnage
    assert [sheet[f"C{r}"].value for r in range(2, 6)] == [*SAUDI_MT, RUSSIA_MT[0], None]
    assert all(sheet[f"C{r}"].data_type == "n" for r in range(2, 5))
    assert sheet["A2"].value == YEARS[0] and sheet["A2"].data_type == "n"
    assert sheet["D4"].value is None and sheet["D5"].value is None


def test_header_row_is_bold_and_frozen_and_carries_title_and_caption(xlsx):
    sheet = openpyxl.load_workbook(xlsx)["suppliers"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert "Largest suppliers" in sheet["A1"].comment.text
    assert "Tonnage by calendar year." in sheet["A1"].comment.text
    assert "(table suppliers)" in sheet["A1"].comment.text


def test_text_starting_with_an_equals_sign_stays_text(xlsx):
    cell = openpyxl.load_workbook(xlsx)["leaders"]["B3"]
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_columns_are_wide_enough_for_their_longest_entry_and_no_wider_than_the_cap(tmp_path):
    long_text = "a note of one hundred characters " * 3
    frame = pd.DataFrame({"Supplier": ["Saudi Arabia", "Russia"], "Note": ["short", long_text]})
    path = write_workbook([Table("notes", "Notes", frame)], tmp_path / "notes.xlsx")
    sheet = openpyxl.load_workbook(path)["notes"]
    assert sheet.column_dimensions["A"].width >= len("Saudi Arabia")
    # The file stores a width with Excel's cell padding (5 pixels of a 7-pixel digit), as Excel does itself: a
    # column Excel shows as 60 characters wide is stored as 60.71.
    assert MAX_COLUMN_WIDTH < sheet.column_dimensions["B"].width < MAX_COLUMN_WIDTH + 1


def test_sheet_names_are_unique_excel_safe_and_at_most_31_characters():
    names = ["claim_russia-largest-oil-supplier_evidence", "claim_russia-largest-oil-supplier_other", "a:b?", "A_B_"]
    safe = sheet_names(names)
    assert all(len(n) <= MAX_SHEET_NAME for n in safe)
    assert len({n.lower() for n in safe}) == len(names)
    assert safe[0] == names[0][:MAX_SHEET_NAME]
    assert safe[2] == "a_b_"
    assert not any(c in n for n in safe for c in "[]:*?/\\")


def test_long_table_names_still_give_one_sheet_each(tmp_path):
    tables = [Table(f"claim_{'x' * 40}_{i}", f"Table {i}", SUPPLIERS) for i in range(3)]
    path = write_workbook(tables, tmp_path / "long.xlsx")
    assert len(pd.read_excel(path, sheet_name=None)) == 3


def test_same_tables_give_the_same_bytes():
    first = workbook_bytes(TABLES)
    assert workbook_bytes(TABLES) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out" / "tables.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert write_workbook(TABLES, target) == target
    assert target.read_bytes() == workbook_bytes(TABLES)
    assert [p.name for p in target.parent.iterdir()] == ["tables.xlsx"]


def test_the_bundled_reports_tables_read_back_as_their_csv_files(tmp_path):
    frames = table_frames(crude_tables(load_trade_flows()))
    tables = [Table(CSV_NAMES[k].removesuffix(".csv"), k, frame) for k, frame in frames.items()]
    sheets = pd.read_excel(write_workbook(tables, tmp_path / "report.xlsx"), sheet_name=None)
    assert len(sheets) == len(frames)
    for table in tables:
        from_csv = pd.read_csv(io.BytesIO(csv_bytes(table.frame)))
        from_excel = sheets[table.name]
        assert list(from_excel.columns) == list(from_csv.columns), table.name
        numeric = from_csv.select_dtypes("number").columns
        assert len(numeric), table.name
        # The workbook stores 16 significant digits (Excel computes with 15); the CSV keeps float noise such as
        # 1070000000.0000001 from summing, so compare to within one part in 10**15.
        pd.testing.assert_frame_equal(
            from_excel[numeric], from_csv[numeric], check_dtype=False, check_exact=False, rtol=1e-15, obj=table.name
        )
        text = from_csv.columns.difference(numeric)
        pd.testing.assert_frame_equal(from_excel[text].astype(str), from_csv[text].astype(str), obj=table.name)


def test_large_integers_get_thousands_separators_and_calendar_years_do_not(tmp_path):
    frame = pd.DataFrame({"Year": [2021, 2022], "Tonnage [t]": [84_928_700, 79_640_000], "Rank": [1, 2]})
    sheet = openpyxl.load_workbook(write_workbook([Table("t", "T", frame)], tmp_path / "t.xlsx"))["t"]
    assert sheet["A2"].number_format == "General"
    assert sheet["B2"].number_format == "#,##0"
    assert sheet["B2"].value == 84_928_700
    assert sheet["C2"].number_format == "General"


def test_control_characters_are_replaced_and_empty_text_is_an_empty_cell(tmp_path):
    frame = pd.DataFrame({"Note": ["bell\x07here", "", "tab\tstays"]})
    sheet = openpyxl.load_workbook(write_workbook([Table("n", "N", frame)], tmp_path / "n.xlsx"))["n"]
    assert sheet["A2"].value == "bell\ufffdhere"  # XML 1.0 cannot hold U+0007
    assert sheet["A3"].value is None
    assert sheet["A4"].value == "tab\tstays"


def test_number_columns_are_written_as_cell_by_cell_conversion_would_write_them():
    # Float and integer columns take a shortcut (whole-column conversion; width from the extremes): the
    # cells and widths must be those of the one-cell-at-a-time path, NaN and infinities empty.
    columns = {
        "floats": pd.Series([1.5, np.nan, -12345.678, np.inf, 0.004, -np.inf]),
        "ints": pd.Series([3, -1_234_567, 20, 0, 7, 99]),
        "negative small": pd.Series([-0.001, 0.5, 1.0, 2.0, 3.0, 4.0]),
        "nullable": pd.Series([1, None, 3, 4, 5, 6], dtype="Int64"),
        "text": pd.Series(["a", "", None, "bb\nccc", "=1", "x"]),
    }
    for name, column in columns.items():
        cells, longest = excel._column_cells(column)
        expected = [excel._cell_value(v) for v in column.tolist()]
        assert cells == expected, name
        assert [type(c) for c in cells] == [type(c) for c in expected], name
        assert longest == max(excel._display_length(v) for v in expected), name


def test_text_columns_are_written_as_cell_by_cell_conversion_would_write_them():
    # A column of texts only, none with a control character or a line break, takes a shortcut (its own cells;
    # width from the longest text): every kind of text that must leave the shortcut is here, one per column.
    columns = {
        "plain": pd.Series(["Saudi Arabia", "Russia", "=1", ""]),
        "str dtype with a gap": pd.Series(["Saudi Arabia", None, "Iraq"], dtype="str"),
        "line feed": pd.Series(["short", "a much longer first line\nend"]),
        "carriage return": pd.Series(["short", "a much longer first line\rend"]),
        "line separator": pd.Series(["short", "a much longer first line\u2028end"]),
        "next line": pd.Series(["short", "a much longer first line\x85end"]),
        "form feed": pd.Series(["short", "a much longer first line\x0cend"]),
        "control character": pd.Series(["bell\x07here", "ok"]),
        "not only texts": pd.Series(["a", 1, 2.5, True, None], dtype=object),
        "empty": pd.Series([], dtype="str"),
    }
    for name, column in columns.items():
        cells, longest = excel._column_cells(column)
        expected = [excel._cell_value(v) for v in column.tolist()]
        assert cells == expected, name
        assert [type(c) for c in cells] == [type(c) for c in expected], name
        assert longest == max((excel._display_length(v) for v in expected), default=0), name
    assert excel._column_cells(columns["line feed"])[1] == len("a much longer first line")


def test_thousands_separators_go_by_the_largest_magnitude_and_years_by_the_range():
    int64 = np.dtype("int64")
    assert excel._thousands(int64, [-20_000, 5])  # the largest magnitude is negative
    assert excel._thousands(int64, [5, 10_000])
    assert not excel._thousands(int64, [-9_999, 9_999])
    assert not excel._thousands(int64, [excel.FIRST_YEAR, excel.LAST_YEAR])  # calendar years
    assert not excel._thousands(int64, [1999, 5])  # not all years, but small
    assert excel._thousands(pd.Int64Dtype(), [None, 12_345])
    assert not excel._thousands(pd.Int64Dtype(), [None])
    assert not excel._thousands(np.dtype("float64"), [12_345.0])


def test_each_kind_of_cell_is_written_as_its_kind(tmp_path):
    frame = pd.DataFrame(
        {
            "Sanctioned": [True, False, None],
            "Published": pd.to_datetime(["2022-03-08 14:30:00", None, "2023-01-02 00:00:00"]),
            "Mixed": pd.Series([date(2022, 3, 8), 7, "text"], dtype=object),
            "Tonnage [t]": pd.Series([84_928_700, None, 5], dtype="Int64"),
        }
    )
    sheet = openpyxl.load_workbook(write_workbook([Table("k", "K", frame)], tmp_path / "k.xlsx"))["k"]
    assert [sheet[f"A{r}"].value for r in (2, 3, 4)] == [True, False, None]
    assert sheet["A2"].data_type == "b"
    assert sheet["B2"].value == datetime(2022, 3, 8, 14, 30) and sheet["B2"].number_format == excel.DATETIME_FORMAT
    assert sheet["B3"].value is None
    assert sheet["C2"].value == datetime(2022, 3, 8) and sheet["C2"].number_format == excel.DATE_FORMAT
    assert sheet["C3"].value == 7 and sheet["C3"].data_type == "n" and sheet["C3"].number_format == "General"
    assert sheet["C4"].value == "text" and sheet["C4"].data_type == "s"
    assert sheet["D2"].value == 84_928_700 and sheet["D2"].number_format == excel.INTEGER_FORMAT
    assert sheet["D3"].value is None
