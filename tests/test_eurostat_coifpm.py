"""Eurostat NRG_TI_COIFPM: reading, the grade table, and cleaning, pinned on slices of the real file.

The slices are cut with gzip + csv (tests/eurostat_slices.py), so the expected figures come from the raw
bytes by a different reader than the DuckDB one under test.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from eurostat_slices import HEADER, scan, value, write_slice

from energytrade import raw
from energytrade.errors import BadRawFile, RawFileChanged, SchemaViolation, UnknownCountry
from energytrade.raw import write_sidecar
from energytrade.schema import validate
from energytrade.sources import eurostat_coifpm as eurostat

#: The slice: the EU as a whole, Hungary and Türkiye, three months around the embargo.
SLICE_GEOS = {"EU_V", "HU", "TR"}
SLICE_MONTHS = {"2022-01", "2022-12", "2023-01"}
EUROSTAT_REL = "raw/eurostat_coifpm/2026-11-27/nrg_ti_coifpm.csv.gz"


@pytest.fixture(scope="module")
def real_slice():
    """(rows kept with their real row numbers, every crudeoil code of the whole file)."""
    return scan(lambda f: f[5] in SLICE_GEOS and f[6] in SLICE_MONTHS)


@pytest.fixture(scope="module")
def slice_root(real_slice, tmp_path_factory) -> Path:
    rows, _ = real_slice
    root = tmp_path_factory.mktemp("eurostat") / "raw"
    write_slice(root, [fields for _, fields in rows])
    return root


@pytest.fixture(scope="module")
def slice_grades(slice_root):
    return eurostat.read_grades_from_raw(slice_root)


def _cells(real_slice, geo, crudeoil, measure, period):
    rows, _ = real_slice
    return [(n, f) for n, f in rows if f[5] == geo and f[3] == crudeoil and f[4] == measure and f[6] == period]


# ---------------------------------------------------------------------------------------- origins


def test_every_origin_code_of_the_real_file_maps_to_a_country_or_a_named_bucket(real_slice):
    _, codes = real_slice
    assert len(codes) == 820  # as the reference README counts them
    mapped = eurostat.origin_iso3(sorted(codes))
    allowed = set(eurostat.OTHER_BUCKETS) | {eurostat.WORLD_ISO3}
    for code, iso3 in mapped.items():
        assert len(iso3) == 3 and iso3.isupper(), code
        assert iso3 in allowed or not iso3.startswith("X"), code
    assert mapped["RU_URL"] == "RUS" and mapped["AUH_MRB"] == "ARE" and mapped["DXB_FAT"] == "ARE"
    assert mapped["ID-BMU"] == "IDN" and mapped["UK_BRE"] == "GBR" and mapped["AG_MED"] == "ARG"
    assert mapped["UNK"] == "XUN" and mapped["AFR_OTH"] == "XAF" and mapped["TOTAL"] == "WLD"


def test_an_unknown_origin_code_fails_naming_it():
    with pytest.raises(UnknownCountry, match="QQ_NEWGRADE"):
        eurostat.origin_iso3(["RU_URL", "QQ_NEWGRADE"])


def test_the_build_fails_on_an_unknown_origin_code_naming_it(real_slice, tmp_path):
    rows, _ = real_slice
    a_figure = next(f for _, f in rows if f[7] != "")
    fields = list(a_figure)
    fields[3] = "QQ_NEWGRADE"
    root = tmp_path / "raw"
    write_slice(root, [a_figure, fields])
    with pytest.raises(UnknownCountry, match="QQ_NEWGRADE"):
        eurostat.write_store(root, tmp_path / "processed")
    assert not (tmp_path / "processed" / eurostat.GRADES_DIR).exists()  # nothing half-written left


# ---------------------------------------------------------------------------------------- grade table


def test_grade_rows_carry_the_cells_values_flags_and_row_numbers(real_slice, slice_grades):
    [(n_vol, vol)] = _cells(real_slice, "EU_V", "RU_URL", "VOL_THS_BBL", "2022-01")
    [(n_prc, prc)] = _cells(real_slice, "EU_V", "RU_URL", "AVGPRC_USD_BBL", "2022-01")
    row = slice_grades.query("importer_code == 'EU_V' and crudeoil_code == 'RU_URL' and period == '2022-01'")
    assert len(row) == 1
    row = row.iloc[0]
    assert row["volume_bbl"] == pytest.approx(value(vol) * 1000)  # thousand barrels -> barrels
    assert row["price_usd_per_bbl"] == pytest.approx(value(prc))
    assert row["grade_name"] == "Urals" and row["importer_iso3"] == "EUU" and row["origin_iso3"] == "RUS"
    # the slice keeps whole rows in file order, so row numbers inside the slice count its own rows
    rows, _ = real_slice
    slice_numbers = {n: i for i, (n, _) in enumerate(rows, start=1)}
    assert row["volume_row"] == slice_numbers[n_vol]
    assert row["price_row"] == slice_numbers[n_prc]


def test_confidential_cells_are_missing_with_their_flag_never_zero(real_slice, slice_grades):
    # The EU's Urals volume is confidential in every month of 2023 (reference README).
    [(_, cell)] = _cells(real_slice, "EU_V", "RU_URL", "VOL_THS_BBL", "2023-01")
    assert cell[7] == "" and cell[8] == "c"
    row = slice_grades.query("importer_code == 'EU_V' and crudeoil_code == 'RU_URL' and period == '2023-01'").iloc[0]
    assert row["volume_flag"] == "c"
    assert row["volume_bbl"] != row["volume_bbl"]  # NaN, not 0


def test_every_cell_with_a_figure_or_flag_lands_in_the_grade_table_and_no_not_applicable_one(real_slice, slice_grades):
    rows, _ = real_slice
    z_rows = {i for i, (_, f) in enumerate(rows, start=1) if f[7] == "" and f[8] == "z"}
    other_rows = {i for i, (_, f) in enumerate(rows, start=1)} - z_rows
    row_columns = [c for c in slice_grades.columns if c.endswith("_row")]
    used = {int(n) for column in row_columns for n in slice_grades[column].dropna()}
    assert z_rows and not (z_rows & used)
    assert used == other_rows


def test_write_store_is_hive_partitioned_by_year_and_stamped(slice_root, tmp_path, slice_grades):
    files = eurostat.write_store(slice_root, tmp_path)
    folder = tmp_path / eurostat.GRADES_DIR
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["year=2022", "year=2023"]
    assert files and all(f.suffix == ".parquet" and f.parent.parent == folder for f in files)
    assert eurostat.store_is_current(slice_root, tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left
    back = eurostat.read_store(tmp_path, eurostat.GradeQuery(start="2022-12", importers=("HUN",)))
    assert set(back["period"]) == {"2022-12", "2023-01"} and set(back["importer_iso3"]) == {"HUN"}
    expected = slice_grades.query("importer_code == 'HU' and period >= '2022-12'")
    assert len(back) == len(expected)


# ---------------------------------------------------------------------------------------- clean table


def test_clean_uses_eurostats_total_as_the_total_not_a_sum(real_slice, slice_root):
    clean = eurostat.clean(slice_root)
    validate(clean)
    [(n_total, total)] = _cells(real_slice, "EU_V", "TOTAL", "VAL_THS_USD", "2022-01")
    rows, _ = real_slice
    visible_grades = sum(
        value(f) for _, f in rows if f[5] == "EU_V" and f[6] == "2022-01" and f[4] == "VAL_THS_USD"
        and f[3] != "TOTAL" and f[7] != ""
    )  # fmt: skip
    wld = clean.query("reporter_iso3 == 'EUU' and partner_iso3 == 'WLD' and period == '2022-01'").iloc[0]
    assert wld["value_usd"] == pytest.approx(value(total) * 1000)
    assert wld["value_usd"] > visible_grades * 1000  # the named cells fall short of the total
    slice_numbers = {n: i for i, (n, _) in enumerate(rows, start=1)}
    assert wld["provenance"] == f"{EUROSTAT_REL}#row={slice_numbers[n_total]}"


def test_origin_sums_with_hidden_cells_are_labelled_lower_bounds(real_slice, slice_root):
    clean = eurostat.clean(slice_root)
    rows, _ = real_slice
    # Iraq into the EU, January 2022: count its value cells by hand.
    iraq = [
        f for _, f in rows if f[5] == "EU_V" and f[6] == "2022-01" and f[4] == "VAL_THS_USD" and f[3].startswith("IQ_")
    ]
    visible = [value(f) for f in iraq if f[7] != ""]
    hidden = [f for f in iraq if "c" in f[8]]
    assert visible and hidden
    row = clean.query("reporter_iso3 == 'EUU' and partner_iso3 == 'IRQ' and period == '2022-01'").iloc[0]
    assert row["value_usd"] == pytest.approx(sum(visible) * 1000)
    assert row["note"] == (
        f"lower bound: sum of {len(visible)} visible grade cell(s); {len(hidden)} confidential grade cell(s) hidden"
    )
    assert row["provenance"].endswith("&col=origin_sum")


def test_an_origin_with_only_confidential_value_cells_has_no_clean_row(real_slice, slice_root):
    clean = eurostat.clean(slice_root)
    rows, _ = real_slice
    # Albania into the EU, January 2022: its only value cell is confidential.
    albania = [
        f for _, f in rows if f[5] == "EU_V" and f[6] == "2022-01" and f[4] == "VAL_THS_USD" and f[3].startswith("AL_")
    ]
    assert albania and all(f[7] == "" and f[8] == "c" for f in albania)
    assert clean.query("reporter_iso3 == 'EUU' and partner_iso3 == 'ALB' and period == '2022-01'").empty


def test_clean_without_the_file_is_empty(tmp_path):
    assert eurostat.clean(tmp_path).empty


def test_a_read_of_some_columns_gives_those_columns_of_the_full_read(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    wanted = ("period", "origin_iso3", "volume_bbl", "volume_flag")
    query = {"figures_only": True, "zeros_of_origins": ("RUS",)}
    every = eurostat.read_store(tmp_path, eurostat.GradeQuery(**query))
    some = eurostat.read_store(tmp_path, eurostat.GradeQuery(**query, columns=wanted))
    assert list(some.columns) == list(wanted)
    pd.testing.assert_frame_equal(some, every[list(wanted)])


def test_a_read_of_an_unknown_column_says_which_columns_exist(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    with pytest.raises(SchemaViolation, match=r"names \['price_usd'\]; choose among .*price_usd_per_bbl"):
        eurostat.read_store(tmp_path, eurostat.GradeQuery(columns=("period", "price_usd")))


def test_figures_only_reads_keep_every_hidden_cell_and_russias_zeros(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    every = eurostat.read_store(tmp_path)
    some = eurostat.read_store(tmp_path, eurostat.GradeQuery(figures_only=True, zeros_of_origins=("RUS",)))
    hidden = every[
        eurostat.is_confidential(every["volume_flag"])
        | eurostat.is_confidential(every["value_flag"])
        | eurostat.is_confidential(every["price_flag"])
    ]
    positive = every[(every["volume_bbl"] > 0) | (every["value_usd"] > 0) | (every["price_usd_per_bbl"] > 0)]
    russian = every[every["origin_iso3"] == "RUS"]
    key = ["importer_code", "crudeoil_code", "period"]
    expected = set(map(tuple, pd.concat([hidden, positive, russian])[key].to_numpy()))
    assert set(map(tuple, some[key].to_numpy())) == expected
    assert len(some) < len(every)  # visible zeros of other origins are left out
    assert (russian["volume_bbl"] == 0).any()  # and Russia's reported zeros are kept


def test_the_figures_file_holds_the_rows_with_a_figure_and_russias_zeros_in_read_order(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    every = eurostat.read_store(tmp_path)
    figures = pd.read_parquet(tmp_path / eurostat.FIGURES_DIR / eurostat.FIGURES_FILE)
    assert set(figures.columns) == {*eurostat.GRADE_COLUMNS, "year"}
    assert (figures["year"] == figures["period"].str[:4].astype("int64")).all()
    hidden = (
        eurostat.is_confidential(every["volume_flag"])
        | eurostat.is_confidential(every["value_flag"])
        | eurostat.is_confidential(every["price_flag"])
    )
    positive = (every["volume_bbl"] > 0) | (every["value_usd"] > 0) | (every["price_usd_per_bbl"] > 0)
    expected = every[hidden | positive | (every["origin_iso3"] == "RUS")].reset_index(drop=True)
    assert 0 < len(expected) < len(every)
    pd.testing.assert_frame_equal(
        figures[list(eurostat.GRADE_COLUMNS)], expected, check_dtype=False
    )  # the same rows and figures, in the order read_store gives them


FIGURES_QUERIES = [
    {"figures_only": True},
    {"figures_only": True, "zeros_of_origins": ("RUS",)},
    {"figures_only": True, "zeros_of_origins": ("RUS",), "start": "2022-12", "columns": ("period", "volume_bbl")},
    {"figures_only": True, "importers": ("HUN", "EUU"), "origins": ("RUS", "WLD"), "end": "2022-12"},
    {"figures_only": True, "zeros_of_origins": ("RUS",), "start": "2023-01", "importers": ("TUR",)},
]


def test_figures_only_reads_are_answered_from_the_figures_file_with_the_rows_of_the_whole_table(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    folder = tmp_path / eurostat.GRADES_DIR
    from_whole = tmp_path / "whole"
    shutil.copytree(folder, from_whole / eurostat.GRADES_DIR)  # no figures folder: read_store scans the years
    for year in folder.glob("year=*"):
        shutil.rmtree(year)  # only the figures file can answer now
    for query in FIGURES_QUERIES:
        fast = eurostat.read_store(tmp_path, eurostat.GradeQuery(**query))
        pd.testing.assert_frame_equal(fast, eurostat.read_store(from_whole, eurostat.GradeQuery(**query)))
    assert len(eurostat.read_store(tmp_path, eurostat.GradeQuery(**FIGURES_QUERIES[1]))) > 0
    # Zeros of another origin are not in the figures file: such a read goes to the (here removed) partitions.
    with pytest.raises(duckdb.IOException):
        eurostat.read_store(tmp_path, eurostat.GradeQuery(figures_only=True, zeros_of_origins=("NOR",)))


def test_any_parquet_reader_opens_the_grade_tables_folder_and_reads_each_row_once(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    pattern = str(tmp_path / eurostat.GRADES_DIR / "**" / "*.parquet")  # as the README shows it
    [(n_rows,)] = duckdb.sql(f"SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning = true)").fetchall()
    assert n_rows == len(eurostat.read_store(tmp_path))  # the figures file is not among them


def test_a_figures_file_of_another_build_is_not_read_and_the_table_is_not_current(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    query = eurostat.GradeQuery(figures_only=True, zeros_of_origins=("RUS",))
    expected = eurostat.read_store(tmp_path, query)
    stamp = tmp_path / eurostat.FIGURES_DIR / eurostat.STORE_STAMP
    stamp.write_text(stamp.read_text(encoding="utf-8") + "older\n", encoding="utf-8")  # e.g. an interrupted build
    figures = tmp_path / eurostat.FIGURES_DIR / eurostat.FIGURES_FILE
    figures.write_bytes(b"not parquet")  # would fail if it were read
    pd.testing.assert_frame_equal(eurostat.read_store(tmp_path, query), expected)  # read from the years
    assert not eurostat.store_is_current(slice_root, tmp_path)  # the next build writes both again


def test_a_current_table_is_known_without_reading_the_raw_bytes_again(slice_root, tmp_path, monkeypatch):
    eurostat.write_store(slice_root, tmp_path)
    monkeypatch.setattr(raw, "sha256_file", lambda path: pytest.fail(f"read {path} again"))
    assert eurostat.store_is_current(slice_root, tmp_path)  # sizes, times and sidecars as the build saw them


def test_a_touched_raw_file_is_checked_and_an_edited_one_refused(real_slice, tmp_path):
    rows, _ = real_slice
    root = tmp_path / "raw"
    write_slice(root, [f for _, f in rows])
    processed = tmp_path / "processed"
    eurostat.write_store(root, processed)
    data_file = next((root / "eurostat_coifpm").glob("*/*.csv.gz"))
    os.utime(data_file, ns=(1, 1))  # the same bytes, another time: checked, and still current
    assert eurostat.store_is_current(root, processed)
    data_file.write_bytes(gzip.compress(gzip.decompress(data_file.read_bytes()) + b"\n", mtime=0))
    with pytest.raises(RawFileChanged):
        eurostat.store_is_current(root, processed)


def test_clean_gives_the_same_rows_from_the_store_as_from_the_raw_file(slice_root):
    from_raw = eurostat.clean(slice_root)  # no processed/ beside it yet
    eurostat.write_store(slice_root, slice_root.parent / "processed")
    from_store = eurostat.clean(slice_root)
    pd.testing.assert_frame_equal(
        from_raw.sort_values("provenance").reset_index(drop=True),
        from_store.sort_values("provenance").reset_index(drop=True),
    )


def test_a_failed_rebuild_leaves_the_previous_table_in_place(slice_root, real_slice, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    before = eurostat.read_store(tmp_path)
    rows, _ = real_slice
    bad = list(next(f for _, f in rows if f[7] != ""))
    bad[3] = "QQ_NEWGRADE"
    broken = tmp_path / "broken_raw"
    write_slice(broken, [bad])
    with pytest.raises(UnknownCountry):
        eurostat.write_store(broken, tmp_path)
    pd.testing.assert_frame_equal(eurostat.read_store(tmp_path), before)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------------ fetched answers beside the file
FETCHED_VINTAGE = "2026-12-01"
FETCHED_NAME = "nrg_ti_coifpm___VAL_THS_USD_EU_V_2022-01_2022-01_0123456789.csv.gz"
#: A revised figure (thousand USD) a later answer gives for the EU's January 2022 TOTAL value (synthetic).
REVISED_THS_USD = "12345"
CODELIST_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "eurostat" / "codelist_CRUDEOIL_constructed.xml"


def _write_answer(raw_root: Path, rows: list[list[str]], name: str = FETCHED_NAME) -> Path:
    """A stored answer as ``energytrade fetch eurostat`` leaves it: gzip SDMX-CSV plus a sidecar."""
    path = raw_root / "eurostat_coifpm" / FETCHED_VINTAGE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [",".join(fields) for fields in rows]
    path.write_bytes(gzip.compress(("\r\n".join(lines) + "\r\n").encode(), mtime=0))
    write_sidecar(path, {"source": "eurostat_coifpm", "kind": "eurostat-sdmx-csv", "client": "energytrade test"})
    return path


def test_a_newer_fetched_answer_replaces_the_bundled_files_cell_and_names_itself(real_slice, tmp_path):
    rows, _ = real_slice
    fields = [f for _, f in rows]
    root = tmp_path / "raw"
    write_slice(root, fields)
    n_jan = next(i for i, f in enumerate(fields, 1) if f[3:7] == ["TOTAL", "VAL_THS_USD", "EU_V", "2022-01"])
    n_dec = next(i for i, f in enumerate(fields, 1) if f[3:7] == ["TOTAL", "VAL_THS_USD", "EU_V", "2022-12"])
    revised = [*fields[n_jan - 1][:7], REVISED_THS_USD, ""]
    _write_answer(root, [revised])

    table = eurostat.clean(root)

    eu = table.query("reporter_iso3 == 'EUU' and partner_iso3 == 'WLD'").set_index("period")
    assert eu.loc["2022-01", "value_usd"] == float(REVISED_THS_USD) * 1000
    assert eu.loc["2022-01", "provenance"] == f"raw/eurostat_coifpm/{FETCHED_VINTAGE}/{FETCHED_NAME}#row=1"
    assert eu.loc["2022-12", "value_usd"] == value(fields[n_dec - 1]) * 1000  # not in the answer: the file's
    assert eu.loc["2022-12", "provenance"] == f"{EUROSTAT_REL}#row={n_dec}"
    assert (eu.index == "2022-01").sum() == 1  # the cell counted once, not once per file


def test_the_stamp_covers_every_file_read_and_the_code_list(real_slice, tmp_path):
    rows, _ = real_slice
    fields = [f for _, f in rows]
    root = tmp_path / "raw"
    write_slice(root, fields)
    processed = tmp_path / "processed"
    eurostat.write_store(root, processed)
    assert eurostat.store_raw_paths(processed) == [EUROSTAT_REL]

    _write_answer(root, [fields[0]])
    assert not eurostat.store_is_current(root, processed)  # a new answer
    eurostat.write_store(root, processed)
    assert eurostat.store_raw_paths(processed) == [
        f"raw/eurostat_coifpm/{FETCHED_VINTAGE}/{FETCHED_NAME}",
        EUROSTAT_REL,
    ]

    codelist = root / "eurostat_coifpm" / FETCHED_VINTAGE / eurostat.CODELIST_FILE
    codelist.write_bytes(CODELIST_FIXTURE.read_bytes())
    write_sidecar(codelist, {"source": "eurostat_coifpm", "codelist": "CRUDEOIL"})
    assert not eurostat.store_is_current(root, processed)  # a code list, newly stored
    eurostat.ensure_store(root, processed)
    assert eurostat.store_is_current(root, processed)
    grades = eurostat.read_store(processed, eurostat.GradeQuery(importers=("EUU",)))
    names = dict(zip(grades["crudeoil_code"], grades["grade_name"]))
    assert names["RU_URL"] == "Russia - Urals" and names["TOTAL"] == "Total"  # the code list's
    assert names["UK_BRE"] == eurostat.GRADE_NAMES["UK_BRE"] == "Brent"  # not in it: the hand-written name


def test_grade_names_are_read_from_an_sdmx_ml_code_list(tmp_path):
    # Expected: the three codes and English names written in tests/fixtures/eurostat/codelist_CRUDEOIL_constructed.xml.
    assert eurostat.read_codelist_names(CODELIST_FIXTURE) == {
        "TOTAL": "Total",
        "RU_URL": "Russia - Urals",
        "NO_JS": "Norway - Johan Sverdrup",
    }
    broken = tmp_path / "codelist_ESTAT_CRUDEOIL.xml"
    broken.write_text("<m:Structure", encoding="utf-8")
    with pytest.raises(BadRawFile, match="codelist_ESTAT_CRUDEOIL.xml: not readable as SDMX-ML"):
        eurostat.read_codelist_names(broken)
    other = tmp_path / "other.xml"
    other.write_text('<Structure><Codelist id="GEO"><Code id="DE"/></Codelist></Structure>', encoding="utf-8")
    with pytest.raises(BadRawFile, match="holds no code list 'CRUDEOIL'"):
        eurostat.read_codelist_names(other)


def test_reads_through_the_figures_file_keep_its_order_without_sorting_again(slice_root, tmp_path):
    eurostat.write_store(slice_root, tmp_path)
    figures = tmp_path / eurostat.FIGURES_DIR / eurostat.FIGURES_FILE
    # Many small row groups, as a large file would have: DuckDB scans them in parallel and keeps their order.
    pq.write_table(pq.read_table(figures), figures, row_group_size=64)
    assert pq.read_metadata(figures).num_row_groups > 4
    out = eurostat.read_store(tmp_path, eurostat.GradeQuery(figures_only=True, zeros_of_origins=("RUS",)))
    keys = ["importer_code", "crudeoil_code", "period"]
    assert len(out) > 256
    pd.testing.assert_frame_equal(out, out.sort_values(keys, kind="mergesort").reset_index(drop=True))
