"""Eurostat NRG_TI_COIFPM: crude oil imports of EU member states, the EU and Türkiye, by origin and grade.

Raw: gzip SDMX-CSV files under ``raw/eurostat_coifpm/<vintage>/``, one row per cell (``crudeoil``
origin_grade, ``indic_nrg`` measure, ``geo`` importer, ``TIME_PERIOD``, ``OBS_VALUE``, ``OBS_FLAG``): the
bundled ``nrg_ti_coifpm.csv.gz`` (4,983,281 rows) and/or the answers ``energytrade fetch eurostat`` stored
(``nrg_ti_coifpm_<key>_<span>_<call key>.csv.gz``, several when a request was split), plus the grade code
list ``codelist_ESTAT_CRUDEOIL.xml`` the client stores beside them. DuckDB reads the gzip files directly
(no pandas pass over five million rows).

Which files are read (:func:`raw_files`): every ``*.csv.gz`` of the source, of each file name the newest
vintage. A fetched answer's name holds its request's key, so this is **the newest answer per request**
across vintages (a request fetched on an earlier day and not refreshed still counts). A cell (``crudeoil``,
``indic_nrg``, ``geo``, ``TIME_PERIOD``) found in more than one file is taken from the newest file only
(vintage, then retrieval time, then name), "not applicable" (``z``) answers included, so a refreshed answer
replaces what an older one said. Grade names come from the newest stored code list where it names the
code, else from :data:`GRADE_NAMES`.

Two products:

1. **The grade table** (:func:`write_store`, :func:`read_store`): one row per importer, crude grade and
   month, the six measures side by side with each cell's Eurostat flag and raw row number, written as
   hive-partitioned Parquet under ``processed/eurostat_coifpm_grades/year=<YYYY>/``. Columns:
   ``importer_code`` (Eurostat ``geo``), ``importer_iso3`` (``EUU`` for ``EU_V``), ``crudeoil_code``,
   ``origin_iso3``, ``grade_name`` (where known, :data:`GRADE_NAMES`), ``period`` (``YYYY-MM``),
   ``volume_bbl`` [bbl], ``value_usd`` [USD, CIF], ``price_usd_per_bbl`` [USD/bbl, CIF],
   ``api_gravity_deg`` [°API], ``sulphur_pct`` [% mass], ``companies_reporting``, a ``*_flag``, a
   ``*_row`` and a ``*_file`` column per measure (``volume_flag``, ``volume_row``, ``volume_file``: the
   cell's 1-based data row in raw file number ``volume_file``, listed by :func:`store_raw_paths`). A flag is Eurostat's ``OBS_FLAG``
   (``c`` confidential, ``b`` break in series, ``bc`` both; empty = none). A cell flagged ``c`` has no
   value: **confidential is never zero**. Cells flagged ``z`` (not applicable, no value) are not kept,
   and a grade row exists only if at least one of its cells is not ``z``. In a folder of its own beside
   the table (:data:`FIGURES_DIR`, so that a reader of the table's folder never reads its rows twice),
   ``figures.parquet`` holds the rows that carry a figure (and Russia's zeros), all years: the 4 % of the
   table a figures-only read needs (:func:`read_store` opens it for such reads).
2. **The clean table** (:func:`clean`): the common schema (``energytrade.schema``) at origin-country level,
   reporter = importer, partner = origin. The common schema has no barrels column, so it carries
   ``value_usd`` only (CIF) — barrels, prices, gravity and sulphur stay in the grade table.
   Eurostat's ``TOTAL`` is the importer's ``WLD`` row, as reported (never a sum of grades: named grades
   add up to about half of it because of confidential cells). An origin's row is the sum of its visible
   grade cells; if any of its grade cells is confidential the sum is a **lower bound** and its ``note``
   says so and how many cells are hidden. An origin whose cells are all confidential has no figure and so
   no clean row (it stays in the grade table, flagged). The EU (``EU_V``) is Eurostat's own series,
   reporter ``EUU``; it is never rebuilt from member states.

Origins: ``crudeoil`` is ``<origin>_<grade>`` (or ``<origin>-<grade>``); the origin is mapped by
:func:`origin_iso3`: ISO 3166 alpha-2 codes through ``energytrade.countries``, plus the exceptions in
:data:`ORIGIN_EXCEPTIONS` (emirates, Eurostat's continent buckets, and codes whose prefix is not the ISO
code). An origin code that maps to nothing fails the build, naming it (:class:`UnknownCountry`). The
check covers every code that carries a cell (a figure or a flag other than ``z``); a code whose cells
are all "not applicable" carries nothing into any product and is skipped with its cells (scanning them
too would double the build time). All 820 codes of the bundled file map (tested).

Provenance: ``raw/eurostat_coifpm/<vintage>/<file>.csv.gz#row=<n>`` (``n`` = 1-based data row of the value
cell in the file it was read from) for ``TOTAL`` rows; ``...#row=<n>&col=origin_sum`` for an origin's sum,
naming the first raw row (lowest file number, then row) of the value cells summed (all of them share
importer, origin and month).

The grade table's stamp (:data:`STORE_STAMP`) lists the sha256 and path of every file read, the code list
included, so the table is rebuilt when any of them changes, appears or goes.
"""

from __future__ import annotations

import os
import shutil
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from energytrade.commodities import hs_code
from energytrade.countries import iso2_to_iso3, short_name
from energytrade.database import connection
from energytrade.errors import BadRawFile, RawFileMissing, SchemaViolation, UnknownCountry
from energytrade.raw import RawFile, find_raw_files
from energytrade.schema import conform, empty_frame
from energytrade.sources import newest_vintage

SOURCE = "eurostat_coifpm"
#: The bundled file's name; fetched answers are other ``*.csv.gz`` names (see :data:`DATA_PATTERN`).
FILE_NAME = "nrg_ti_coifpm.csv.gz"
#: Every data file of the source: the bundled file and the answers ``energytrade fetch eurostat`` stored.
DATA_PATTERN = "*.csv.gz"
#: The grade code list the client stores beside the data (SDMX-ML 2.1), and its id.
CODELIST_ID = "CRUDEOIL"
CODELIST_FILE = f"codelist_ESTAT_{CODELIST_ID}.xml"
#: Folder of the grade table under ``processed/``.
GRADES_DIR = "eurostat_coifpm_grades"
#: The file inside the grade table's folder recording the table's layout version and the sha256 and path of
#: every raw file it was built from (data files in ``*_file`` number order, then the code list); bump
#: :data:`STORE_VERSION` when the columns change, so old tables are rebuilt.
STORE_STAMP = "_raw_sha256.txt"
STORE_VERSION = "grades-v5"
#: The grade table's figures: its rows that carry a figure (:attr:`GradeQuery.figures_only`) and every row of
#: :data:`FIGURES_ZEROS_OF`, all years, the same columns (and ``year``), ordered as :func:`read_store` orders.
#: About 4 % of the rows: a read that wants figures only opens it instead of scanning the million visible
#: zeros of the year partitions. It lives in a folder beside the table's (:data:`FIGURES_DIR`), not inside
#: it: any Parquet reader opens the table's folder as one hive-partitioned dataset, and would read these
#: rows twice. The folder holds a copy of the table's stamp; the file is used only when the two are equal.
FIGURES_DIR = "eurostat_coifpm_grades_figures"
FIGURES_FILE = "figures.parquet"
#: Origins whose visible zeros the figures file keeps too: Russia's, which the analyses of Europe's side read
#: (a reported zero from Russia is a figure, :mod:`energytrade.analysis_europe`).
FIGURES_ZEROS_OF: tuple[str, ...] = ("RUS",)

#: Eurostat's code for the EU as a whole (its own series), and the code it gets in energytrade: ``EUU`` is
#: the World Bank's code for the European Union (ISO 3166 has no alpha-3 code for it).
EU_CODE = "EU_V"
EU_ISO3 = "EUU"
#: Eurostat's total over all origins (the only right total) and its "origin unknown" code.
TOTAL_CODE = "TOTAL"
UNKNOWN_CODE = "UNK"
WORLD_ISO3 = "WLD"

#: indic_nrg -> (grade-table column, factor to the column's unit, flag/row column stem)
MEASURES: dict[str, tuple[str, float, str]] = {
    "VOL_THS_BBL": ("volume_bbl", 1000.0, "volume"),  # thousand barrels -> barrels
    "VAL_THS_USD": ("value_usd", 1000.0, "value"),  # thousand USD (CIF) -> USD
    "AVGPRC_USD_BBL": ("price_usd_per_bbl", 1.0, "price"),
    "API_DEG": ("api_gravity_deg", 1.0, "api_gravity"),
    "SULPH_PC": ("sulphur_pct", 1.0, "sulphur"),
    "COMP_NR": ("companies_reporting", 1.0, "companies"),
}
#: Eurostat flag letter for a confidential cell (``c``; ``bc`` = break in series and confidential).
CONFIDENTIAL = "c"
#: Arrow integer types and the nullable pandas dtype :func:`arrow_frame` gives a column of them with a gap (Arrow
#: hands it over as float64 first, exact for row numbers far below 2**53).
_NULLABLE_INTEGERS = {pa.int32(): "Int32", pa.int64(): "Int64"}

#: Buckets for origins that are not one country (user-assigned ISO 3166 alpha-3 range X..).
OTHER_BUCKETS: dict[str, str] = {
    "XAF": "Other Africa",
    "XAS": "Other Asia",
    "XEU": "Other Europe",
    "XLA": "Other Latin America",
    "XME": "Other Middle East",
    "XUN": "Origin unknown",
}
#: Origin prefixes that are not (or not the right) ISO 3166 alpha-2 code -> ISO3 or bucket. Judgements
#: (2026-12, from the grade codes; the code list itself is not bundled):
#: ``AG_`` grades are Argentinian (Medanito, Cañadón Seco, Escalante, Hydra, Tierra del Fuego), not
#: Antigua; ``LA_OTH`` and ``ME_OTH`` sit beside ``AFR_OTH``/``ASI_OTH``/``EUR_OTH`` and neither Laos nor
#: Montenegro exports crude, so they are read as "Latin America, other" and "Middle East, other";
#: ``LRS_MED`` matches no country code and goes to "origin unknown".
ORIGIN_EXCEPTIONS: dict[str, str] = {
    "AUH": "ARE",  # Abu Dhabi
    "DXB": "ARE",  # Dubai
    "SHJ": "ARE",  # Sharjah
    "AG": "ARG",
    "AFR": "XAF",
    "ASI": "XAS",
    "EUR": "XEU",
    "LA": "XLA",
    "ME": "XME",
    "LRS": "XUN",
    UNKNOWN_CODE: "XUN",
    TOTAL_CODE: WORLD_ISO3,
}
#: Names of the grades the analysis names; other grades keep an empty name (the code is always there).
GRADE_NAMES: dict[str, str] = {
    "RU_URL": "Urals",
    "RU_ESPO_BLN": "ESPO blend",
    "RU_CPC": "CPC blend (loaded in Russia, mostly Kazakh crude)",
    "RU_SIB_LGHT": "Siberian Light",
    "RU_EXP_BLN": "Russian export blend",
    "RU_MSC": "Russia, other grades",
    "UK_BRE": "Brent",
    "UK_FTI": "Forties",
    "NO_EFK": "Ekofisk",
    "NO_OBG": "Oseberg",
    "NO_JSP": "Johan Sverdrup",
    "US_TXA_WTI": "West Texas Intermediate",
    "AZ_AZR_BTC": "Azeri BTC",
    "KZ_CPC_BLN": "CPC blend",
    "SA_LGHT": "Arab Light",
    "IQ_BHS_PG": "Basrah (Persian Gulf)",
    TOTAL_CODE: "All crude (Eurostat total)",
    UNKNOWN_CODE: "Origin unknown",
}

GRADE_COLUMNS: tuple[str, ...] = (
    "importer_code",
    "importer_iso3",
    "crudeoil_code",
    "origin_iso3",
    "grade_name",
    "period",
    *[column for column, _, _ in MEASURES.values()],
    *[f"{stem}_flag" for _, _, stem in MEASURES.values()],
    *[f"{stem}_row" for _, _, stem in MEASURES.values()],
    *[f"{stem}_file" for _, _, stem in MEASURES.values()],
)

_CSV_COLUMNS = (
    "{'DATAFLOW': 'VARCHAR', 'LAST UPDATE': 'VARCHAR', 'freq': 'VARCHAR', 'crudeoil': 'VARCHAR', "
    "'indic_nrg': 'VARCHAR', 'geo': 'VARCHAR', 'TIME_PERIOD': 'VARCHAR', 'OBS_VALUE': 'DOUBLE', "
    "'OBS_FLAG': 'VARCHAR'}"
)


# ------------------------------------------------------------------------------------------ code maps


def origin_prefix(crudeoil_code: str) -> str:
    """``RU_URL`` -> ``RU``; ``ID-BMU`` -> ``ID``; ``TOTAL`` -> ``TOTAL``."""
    return str(crudeoil_code).replace("-", "_").split("_", 1)[0]


def origin_iso3(crudeoil_codes: list[str]) -> dict[str, str]:
    """Each ``crudeoil`` code -> its origin's ISO3 code or bucket (:data:`OTHER_BUCKETS`, ``WLD``).

    Raises
    ------
    UnknownCountry
        Naming every code whose origin maps to nothing, so a new Eurostat vintage is fixed in one go.

    Examples
    --------
    >>> origin_iso3(["RU_URL", "AUH_MRB", "EL_MSC", "AFR_OTH", "TOTAL"])
    {'RU_URL': 'RUS', 'AUH_MRB': 'ARE', 'EL_MSC': 'GRC', 'AFR_OTH': 'XAF', 'TOTAL': 'WLD'}
    """
    out: dict[str, str] = {}
    unmapped: list[str] = []
    for code in crudeoil_codes:
        prefix = origin_prefix(code)
        if prefix in ORIGIN_EXCEPTIONS:
            out[code] = ORIGIN_EXCEPTIONS[prefix]
            continue
        try:
            out[code] = iso2_to_iso3([prefix])[0]
        except UnknownCountry:
            unmapped.append(code)
    if unmapped:
        raise UnknownCountry(
            f"Eurostat crudeoil code(s) with an origin that maps to no country: {', '.join(sorted(unmapped))}. "
            "Add the prefix to energytrade.sources.eurostat_coifpm.ORIGIN_EXCEPTIONS (a country's ISO3 or an "
            "'other/unknown' bucket) and say why"
        )
    return out


def importer_iso3(geo_codes: list[str]) -> dict[str, str]:
    """Each Eurostat ``geo`` code -> ISO3 (``EL`` Greece, ``UK``; ``EU_V`` -> ``EUU``).

    >>> importer_iso3(["EU_V", "EL", "DE", "TR"])
    {'EU_V': 'EUU', 'EL': 'GRC', 'DE': 'DEU', 'TR': 'TUR'}
    """
    out = {EU_CODE: EU_ISO3} if EU_CODE in geo_codes else {}
    others = [g for g in geo_codes if g != EU_CODE]
    try:
        out.update(zip(others, iso2_to_iso3(others)))
    except UnknownCountry as err:
        raise UnknownCountry(f"Eurostat geo code(s) not known as importers: {err}") from None
    return out


def place_name(iso3: str) -> str:
    """A reader's name for an importer or origin code: the EU, a bucket, or a country's short name."""
    if iso3 == EU_ISO3:
        return "European Union"
    if iso3 == WORLD_ISO3:
        return "All origins"
    return OTHER_BUCKETS.get(iso3) or short_name(iso3)


# ------------------------------------------------------------------------------------------ reading


def raw_files(raw_root: str | os.PathLike, *, check_bytes: bool = True) -> list[RawFile]:
    """The data files read, newest first (checksums checked against their sidecars unless ``check_bytes``
    is false, :func:`energytrade.raw.find_raw_files`).

    Every ``*.csv.gz`` of the source, of each file name the newest vintage: the bundled file and the
    newest answer per fetched request. Newest first = vintage, then the sidecar's retrieval time, then name,
    all descending: the order in which a cell found in several files is taken (first wins).

    Raises
    ------
    RawFileMissing
        No data file at all, saying how to get one.
    """
    files = newest_vintage(find_raw_files(raw_root, SOURCE, DATA_PATTERN, check_bytes=check_bytes))
    if not files:
        raise RawFileMissing(
            f"no {SOURCE}/<vintage>/*.csv.gz under {str(raw_root)!r}: carry the bundled file with "
            f"scripts/import_reference.py --only {SOURCE}, or fetch with energytrade fetch eurostat"
        )
    return sorted(files, key=lambda f: (f.vintage, str(f.meta.get("retrieved_at", "")), f.name), reverse=True)


def codelist_file(raw_root: str | os.PathLike, *, check_bytes: bool = True) -> RawFile | None:
    """The newest stored grade code list (:data:`CODELIST_FILE`), or ``None`` if none is stored."""
    files = newest_vintage(find_raw_files(raw_root, SOURCE, CODELIST_FILE, check_bytes=check_bytes))
    return files[-1] if files else None


def read_codelist_names(path: str | os.PathLike, codelist: str = CODELIST_ID) -> dict[str, str]:
    """Code -> English name from an SDMX-ML 2.1 structure message holding ``codelist`` (the first name
    if a code has no English one).

    Raises
    ------
    BadRawFile
        Not XML, or no code list ``codelist`` in it.
    """
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as err:
        raise BadRawFile(f"{path}: not readable as SDMX-ML ({err}); fetch the code list again") from None
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "Codelist" or element.get("id") != codelist:
            continue
        names = {}
        for code in element:
            if code.tag.rsplit("}", 1)[-1] != "Code" or not code.get("id"):
                continue
            labels = [n for n in code if n.tag.rsplit("}", 1)[-1] == "Name" and (n.text or "").strip()]
            english = [n for n in labels if n.get(lang) == "en"]
            if labels:
                names[code.get("id")] = (english or labels)[0].text.strip()
        return names
    raise BadRawFile(f"{path}: holds no code list {codelist!r}; fetch the code list again")


def grade_names(raw_root: str | os.PathLike) -> dict[str, str]:
    """Grade code -> name: the stored code list's names where it names the code, else :data:`GRADE_NAMES`."""
    codelist = codelist_file(raw_root)
    return {**GRADE_NAMES, **(read_codelist_names(codelist.path) if codelist else {})}


def _connect(*, shared: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection without its progress bar (energytrade's own output stays clean):
    with ``shared``, a connection to the process's database (:func:`energytrade.database.connection`, for
    reads), else a database of its own (for the build's big temporary tables)."""
    con = connection() if shared else duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        # Under Jupyter without ipywidgets DuckDB refuses to change the setting; it shows no bar there anyway.
        pass
    return con


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """A DuckDB result fetched as Arrow, as pandas with the dtypes DuckDB's ``.df()`` gives (an integer column
    with a missing value nullable, ``Int64``; without, ``int64``), in about a third of ``.df()``'s time (which
    converts text cell by cell)."""
    nullable = {
        field.name: _NULLABLE_INTEGERS[field.type]
        for field, column in zip(table.schema, table.columns)
        if field.type in _NULLABLE_INTEGERS and column.null_count
    }
    return table.to_pandas().astype(nullable) if nullable else table.to_pandas()


def _sql_text(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


_KEY = ("crudeoil", "indic_nrg", "geo", "period")
#: ``cell_n = file number * _FILE_STRIDE + data row``: one BIGINT orders cells by file, then row (2**40 rows
#: is far beyond any Eurostat file; the bundled one has five million).
_FILE_STRIDE = 2**40


def _load_cells(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], measures: tuple[str, ...]) -> None:
    """Table ``cells``: every non-``z`` cell of the wanted measures, with ``cell_n`` = file number (index into
    ``paths``, newest first) x :data:`_FILE_STRIDE` + 1-based raw data row; a cell already read from a newer
    file is skipped.

    Newer files' cells (``z`` cells too) are gathered first, so an older file cannot bring back a cell a newer
    answer says is not applicable; the last (oldest) file, usually the big bundled one, is read once,
    anti-joined against them."""
    wanted = ", ".join(_sql_text(m) for m in measures)

    def rows(i: int) -> str:
        return f"""
            SELECT {i} * {_FILE_STRIDE} + ordinality AS cell_n, crudeoil, indic_nrg, geo, TIME_PERIOD AS period,
                   OBS_VALUE AS v, coalesce(OBS_FLAG, '') AS flag
            FROM read_csv({_sql_text(str(paths[i]))}, header = true, auto_detect = false, columns = {_CSV_COLUMNS})
                 WITH ORDINALITY
            WHERE indic_nrg IN ({wanted})
        """

    not_z = "(v IS NOT NULL OR flag <> 'z')"
    last = len(paths) - 1
    if last == 0:  # one file (the bundled one): nothing to de-duplicate
        con.execute(f"CREATE TEMP TABLE cells AS SELECT * FROM ({rows(0)}) WHERE {not_z}")
        return
    key = ", ".join(_KEY)
    con.execute(f"CREATE TEMP TABLE newer AS {rows(0)}")
    for i in range(1, last):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE this_file AS SELECT n.* FROM ({rows(i)}) n ANTI JOIN newer USING ({key})"
        )
        con.execute("INSERT INTO newer SELECT * FROM this_file")
    con.execute(
        f"CREATE TEMP TABLE cells AS SELECT * FROM newer WHERE {not_z} "
        f"UNION ALL SELECT * FROM (SELECT n.* FROM ({rows(last)}) n ANTI JOIN newer USING ({key})) WHERE {not_z}"
    )
    con.execute("DROP TABLE IF EXISTS this_file")
    con.execute("DROP TABLE newer")


def _register_codes(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> None:
    codes = [c for (c,) in con.execute("SELECT DISTINCT crudeoil FROM cells ORDER BY 1").fetchall()]
    geos = [g for (g,) in con.execute("SELECT DISTINCT geo FROM cells ORDER BY 1").fetchall()]
    origins = origin_iso3(codes)
    origin_frame = pd.DataFrame(
        {
            "crudeoil": codes,
            "origin_iso3": [origins[c] for c in codes],
            "grade_name": [names.get(c, "") for c in codes],
        }
    )
    importers = importer_iso3(geos)
    importer_frame = pd.DataFrame({"geo": geos, "importer_iso3": [importers[g] for g in geos]})
    con.register("origin_codes", origin_frame)
    con.register("importer_codes", importer_frame)


def _grades_sql(measures: tuple[str, ...]) -> str:
    inner, outer = [], []
    for measure in measures:
        column, factor, stem = MEASURES[measure]
        where = f"FILTER (WHERE c.indic_nrg = {_sql_text(measure)})"
        inner.append(f"max(c.v) {where} * {factor} AS {column}")
        inner.append(f"max(c.flag) {where} AS {stem}_flag")
        inner.append(f"min(c.cell_n) {where} AS {stem}_cell")
        # One aggregate gives both: file number and row are packed into cell_n (see _load_cells).
        outer.append(f"{stem}_cell % {_FILE_STRIDE} AS {stem}_row")
        outer.append(f"CAST({stem}_cell // {_FILE_STRIDE} AS INTEGER) AS {stem}_file")
    return f"""
        SELECT * EXCLUDE ({", ".join(f"{MEASURES[m][2]}_cell" for m in measures)}), {", ".join(outer)} FROM (
            SELECT c.geo AS importer_code, i.importer_iso3, c.crudeoil AS crudeoil_code, o.origin_iso3,
                   o.grade_name, c.period, {", ".join(inner)}
            FROM cells c JOIN origin_codes o USING (crudeoil) JOIN importer_codes i USING (geo)
            GROUP BY ALL
        )
    """


def read_grades_from_raw(raw_root: str | os.PathLike, measures: tuple[str, ...] = tuple(MEASURES)) -> pd.DataFrame:
    """The grade table straight from the raw files (only the given measures), as a pandas frame.

    For small jobs and tests; the store (:func:`write_store`) is the way to keep all of it. The paths of
    the files the ``*_file`` numbers point to are in ``frame.attrs["raw_paths"]``.
    """
    files = raw_files(raw_root)
    with _connect() as con:
        _load_cells(con, [f.path for f in files], measures)
        _register_codes(con, grade_names(raw_root))
        frame = con.execute(_grades_sql(measures) + " ORDER BY 1, 3, 6").df()
    frame.attrs["raw_paths"] = [f.relpath(Path(raw_root)) for f in files]
    return frame


def write_store(raw_root: str | os.PathLike, processed_dir: str | os.PathLike) -> list[Path]:
    """Build the grade table into ``processed_dir/eurostat_coifpm_grades/year=<YYYY>/*.parquet``.

    Written to a temporary folder beside it and renamed into place, so an interrupted or failed build
    never leaves a half-written table visible (the previous table stays). The figures file
    (:data:`FIGURES_FILE`) is written the same way into :data:`FIGURES_DIR`, with a copy of the table's
    stamp, after the table (an interruption between the two leaves a figures folder whose stamp differs:
    it is not read, and the next build writes both again). Returns the year partitions' Parquet files (the
    shape of a registry ``extra_writer``).
    """
    files = raw_files(raw_root)
    codelist = codelist_file(raw_root)
    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    final = processed_dir / GRADES_DIR
    tmp = processed_dir / f".{GRADES_DIR}.{uuid.uuid4().hex}.tmp"
    tmp_figures = processed_dir / f".{FIGURES_DIR}.{uuid.uuid4().hex}.tmp"
    try:
        with _connect() as con:
            _load_cells(con, [f.path for f in files], tuple(MEASURES))
            _register_codes(con, grade_names(raw_root))
            grades = _grades_sql(tuple(MEASURES))
            con.execute(
                f"CREATE TEMP TABLE grades AS SELECT *, CAST(substr(period, 1, 4) AS INTEGER) AS year FROM ({grades})"
            )
            con.execute(f"COPY grades TO {_sql_text(str(tmp))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd)")
            tmp.mkdir(exist_ok=True)  # (no rows: no partition folder written)
            # The hive reader gives ``year`` as BIGINT: the figures file stores it so, and the same WHERE fits both.
            figures = (
                f"SELECT * REPLACE (CAST(year AS BIGINT) AS year) FROM grades WHERE {_figures_sql(FIGURES_ZEROS_OF)}"
            )
            tmp_figures.mkdir()
            con.execute(
                f"COPY ({figures} ORDER BY {_ORDER}) TO {_sql_text(str(tmp_figures / FIGURES_FILE))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
        stamp = _stamp(raw_root, files, codelist)
        (tmp / STORE_STAMP).write_text(stamp, encoding="utf-8")
        (tmp_figures / STORE_STAMP).write_text(stamp, encoding="utf-8")
        _swap(tmp, final)
        _swap(tmp_figures, processed_dir / FIGURES_DIR)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(tmp_figures, ignore_errors=True)
    return sorted(final.glob("*/*.parquet"))


def _swap(new: Path, final: Path) -> None:
    """Put the folder ``new`` in place of ``final`` (the old one renamed aside first, then removed)."""
    old = final.parent / f".{final.name}.{uuid.uuid4().hex}.old"
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _figures_current(processed_dir: Path) -> bool:
    """Whether :data:`FIGURES_DIR` holds the figures of the grade table as it is (the same stamp)."""
    figures, table = processed_dir / FIGURES_DIR, processed_dir / GRADES_DIR
    try:
        return (figures / FIGURES_FILE).is_file() and (figures / STORE_STAMP).read_bytes() == (
            table / STORE_STAMP
        ).read_bytes()
    except OSError:
        return False


def _stamp(raw_root: str | os.PathLike, files: list[RawFile], codelist: RawFile | None) -> str:
    """:data:`STORE_VERSION` then ``data <n> <sha256> <size> <mtime_ns> <path>`` per data file (``n`` = its
    ``*_file`` number) and ``codelist <sha256> <size> <mtime_ns> <path>`` if a code list was read (size in
    bytes and modification time as the build saw them, after checking the bytes)."""
    raw_root = Path(raw_root)

    def state(f: RawFile) -> str:
        stat = f.path.stat()
        return f"{f.meta.get('sha256')} {stat.st_size} {stat.st_mtime_ns} {f.relpath(raw_root)}"

    lines = [STORE_VERSION]
    lines += [f"data {n} {state(f)}" for n, f in enumerate(files)]
    if codelist is not None:
        lines.append(f"codelist {state(codelist)}")
    return "\n".join(lines) + "\n"


def _without_times(stamp: str) -> list[str]:
    """A stamp's lines without each file's size and modification time (what the table was built from)."""
    out = []
    for line in stamp.splitlines():
        head, fields = (2, line.split(" ", 5)) if line.startswith("data ") else (1, line.split(" ", 4))
        out.append(" ".join(fields[: head + 1] + fields[head + 3 :]) if len(fields) > head + 3 else line)
    return out


def store_is_current(raw_root: str | os.PathLike, processed_dir: str | os.PathLike) -> bool:
    """True if the grade table exists, with its figures file, and was built from the raw files as they are
    now (every data file read and the code list: sha256 and path, :func:`_stamp`).

    Cheap when nothing changed: files of the size and modification time the build saw (whose bytes it
    checked) with the same sidecar checksums are not read again, as the build trusts them
    (:func:`energytrade.build.store_is_current`); otherwise every file's bytes are checked against its
    sidecar (:class:`~energytrade.errors.RawFileChanged` for an edited one) and the checksums compared."""
    stamp = Path(processed_dir) / GRADES_DIR / STORE_STAMP
    if not stamp.is_file() or not _figures_current(Path(processed_dir)):
        return False
    recorded = stamp.read_text(encoding="utf-8")
    listed = raw_files(raw_root, check_bytes=False)
    if recorded == _stamp(raw_root, listed, codelist_file(raw_root, check_bytes=False)):
        return True
    now = _stamp(raw_root, raw_files(raw_root), codelist_file(raw_root))
    return _without_times(recorded) == _without_times(now)


def store_raw_paths(processed_dir: str | os.PathLike) -> list[str]:
    """The raw paths (``raw/eurostat_coifpm/<vintage>/<name>``) the grade table's ``*_file`` numbers point to."""
    stamp = Path(processed_dir) / GRADES_DIR / STORE_STAMP
    lines = stamp.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != STORE_VERSION:
        raise RawFileMissing(
            f"the Eurostat grade table in {str(stamp.parent)!r} is of an older layout: run energytrade build"
        )
    rows = [line.split(" ", 5) for line in lines[1:] if line.startswith("data ")]
    return [path for _, _, _, _, _, path in sorted(rows, key=lambda r: int(r[1]))]


def ensure_store(raw_root: str | os.PathLike, processed_dir: str | os.PathLike) -> Path:
    """The grade table's folder, (re)built first if it is missing or older than the raw files."""
    if not store_is_current(raw_root, processed_dir):
        write_store(raw_root, processed_dir)
    return Path(processed_dir) / GRADES_DIR


@dataclass(frozen=True)
class GradeQuery:
    """Which rows of the grade table to read (``None`` = all)."""

    start: str | None = None  # first month, YYYY-MM
    end: str | None = None  # last month, YYYY-MM
    importers: tuple[str, ...] | None = None  # importer ISO3 codes (EUU for the EU)
    origins: tuple[str, ...] | None = None  # origin ISO3 codes (WLD for Eurostat's TOTAL)
    #: Only rows with a positive volume, value or price, or a confidential volume, value or price cell. Most
    #: rows (about 97 % from 2020) are visible zeros: Eurostat lists every grade for every importer, and a
    #: zero adds nothing to a sum. Analyses read with this on; it keeps every hidden cell.
    figures_only: bool = False
    #: With ``figures_only``: origins whose rows are all kept, zeros included (a reported zero is a figure).
    #: Those of :data:`FIGURES_ZEROS_OF` (or none) are read from the figures file, others from the whole table.
    zeros_of_origins: tuple[str, ...] = ()
    #: The columns to read, in this order (``None``: every column of :data:`GRADE_COLUMNS`). Parquet is read
    #: column by column, so an analysis that needs a third of the columns reads in about a third of the time.
    columns: tuple[str, ...] | None = None


def read_store(processed_dir: str | os.PathLike, query: GradeQuery | None = None) -> pd.DataFrame:
    """Rows of the grade table, filtered in DuckDB (only the year partitions needed are opened)."""
    query = query or GradeQuery()
    columns = GRADE_COLUMNS if query.columns is None else tuple(query.columns)
    unknown = [c for c in columns if c not in GRADE_COLUMNS]
    if unknown or not columns:
        raise SchemaViolation(
            f"GradeQuery(columns=...) names {unknown or 'no column'}; choose among {', '.join(GRADE_COLUMNS)}"
        )
    folder = Path(processed_dir) / GRADES_DIR
    if not (folder / STORE_STAMP).is_file():
        raise RawFileMissing(
            f"no Eurostat grade table in {str(folder)!r}: build it with "
            "energytrade.sources.eurostat_coifpm.write_store(raw_root, processed_dir)"
        )
    where = ["TRUE"]
    if query.start:
        where += [f"year >= {int(query.start[:4])}", f"period >= {_sql_text(query.start)}"]
    if query.end:
        where += [f"year <= {int(query.end[:4])}", f"period <= {_sql_text(query.end)}"]
    if query.importers:
        where.append(f"importer_iso3 IN ({', '.join(_sql_text(c) for c in query.importers)})")
    if query.origins:
        where.append(f"origin_iso3 IN ({', '.join(_sql_text(c) for c in query.origins)})")
    if query.figures_only:
        where.append(_figures_sql(query.zeros_of_origins))
    table = _table_sql(folder, query)
    # The figures file is written in :data:`_ORDER` (write_store) and DuckDB keeps a scan's rows in the file's
    # order (``preserve_insertion_order``, on by default): sorting its rows again cost a third of the read.
    order = "" if table == _figures_sql_table(folder) else f" ORDER BY {_ORDER}"
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {' AND '.join(where)}{order}"
    with _connect(shared=True) as con:
        return arrow_frame(con.sql(sql).to_arrow_table())


#: The order of :func:`read_store`'s rows (one row per importer, grade and month: a total order).
_ORDER = "importer_code, crudeoil_code, period"


def _figures_sql(zeros_of_origins: tuple[str, ...]) -> str:
    """The condition of :attr:`GradeQuery.figures_only`: a positive volume, value or price, a confidential
    volume, value or price cell, or an origin of ``zeros_of_origins``."""
    # One test per flag (a missing flag tests NULL, which OR passes over): joining the three flags into one
    # text first made DuckDB build a string for each of the million rows.
    hidden = " OR ".join(f"contains({f}, '{CONFIDENTIAL}')" for f in ("volume_flag", "value_flag", "price_flag"))
    keep = [f"volume_bbl > 0 OR value_usd > 0 OR price_usd_per_bbl > 0 OR {hidden}"]
    if zeros_of_origins:
        keep.append(f"origin_iso3 IN ({', '.join(_sql_text(c) for c in zeros_of_origins)})")
    return "(" + " OR ".join(keep) + ")"


def _table_sql(folder: Path, query: GradeQuery) -> str:
    """Where :func:`read_store` reads ``query``'s rows (``folder``: the grade table's): the figures file when
    it holds every one of them (a figures-only read keeping no zeros beyond :data:`FIGURES_ZEROS_OF`, and
    the file is the table's as it is; the query's own conditions still apply, so the rows are the same),
    else the year partitions."""
    if query.figures_only and set(query.zeros_of_origins) <= set(FIGURES_ZEROS_OF) and _figures_current(folder.parent):
        return _figures_sql_table(folder.parent / FIGURES_DIR)
    return f"read_parquet({_sql_text(str(folder / '*' / '*.parquet'))}, hive_partitioning = true)"


def _figures_sql_table(folder: Path) -> str:
    return f"read_parquet({_sql_text(str(folder / FIGURES_FILE))})"


# ------------------------------------------------------------------------------------------ cleaning


def is_confidential(flags: pd.Series) -> pd.Series:
    """True where a flag marks the cell confidential (``c``, ``bc``)."""
    return flags.fillna("").astype(str).str.contains(CONFIDENTIAL, regex=False)


def clean_origins(grades: pd.DataFrame, raw_paths: str | Sequence[str]) -> pd.DataFrame:
    """Grade rows (at least ``importer_iso3``, ``crudeoil_code``, ``origin_iso3``, ``period``, ``value_usd``,
    ``value_flag``, ``value_row``; ``value_file`` where several files were read) -> clean rows at origin
    level, CIF value only.

    ``raw_paths`` is the raw path of the one file read, or the list the ``value_file`` numbers index.
    ``TOTAL`` -> the ``WLD`` row as reported. Other grades are summed per importer, origin and month over
    their visible value cells; with any confidential cell among them the note says the sum is a lower
    bound and how many cells are hidden. Origins with no visible value get no row (no figure to carry).
    """
    if grades.empty:
        return empty_frame()
    paths = [raw_paths] if isinstance(raw_paths, str) else list(raw_paths)
    file_n = grades["value_file"] if "value_file" in grades else pd.Series(0, index=grades.index)
    hidden = is_confidential(grades["value_flag"])
    frame = grades.assign(
        hidden=hidden.astype("int64"),
        visible=grades["value_usd"].notna().astype("int64"),
        value_file=file_n.fillna(0).astype("int64"),
    )
    frame = frame[(frame["visible"] == 1) | (frame["hidden"] == 1)]
    total = frame[frame["crudeoil_code"] == TOTAL_CODE]
    total = total[total["visible"] == 1]
    totals = pd.DataFrame(
        {
            "reporter_iso3": total["importer_iso3"],
            "partner_iso3": WORLD_ISO3,
            "period": total["period"],
            "value_usd": total["value_usd"],
            "note": "Eurostat TOTAL (all crude), as reported",
            "provenance": _provenance(paths, total["value_file"], total["value_row"]),
        }
    )
    grades_only = frame[frame["crudeoil_code"] != TOTAL_CODE].sort_values(["value_file", "value_row"])
    groups = grades_only.groupby(["importer_iso3", "origin_iso3", "period"], sort=True)
    sums = groups.agg(
        value_usd=("value_usd", lambda s: s.sum(min_count=1)),
        n_visible=("visible", "sum"),
        n_hidden=("hidden", "sum"),
        first_file=("value_file", "first"),
        first_row=("value_row", "first"),
    ).reset_index()
    sums = sums[sums["n_visible"] > 0]
    lower = sums["n_hidden"] > 0
    note = ("sum of " + sums["n_visible"].astype(str) + " visible grade cell(s)").where(
        ~lower,
        "lower bound: sum of "
        + sums["n_visible"].astype(str)
        + " visible grade cell(s); "
        + sums["n_hidden"].astype(str)
        + " confidential grade cell(s) hidden",
    )
    origins = pd.DataFrame(
        {
            "reporter_iso3": sums["importer_iso3"],
            "partner_iso3": sums["origin_iso3"],
            "period": sums["period"],
            "value_usd": sums["value_usd"],
            "note": note,
            "provenance": _provenance(paths, sums["first_file"], sums["first_row"]) + "&col=origin_sum",
        }
    )
    out = pd.concat([totals, origins], ignore_index=True)
    names = {code: place_name(code) for code in out["partner_iso3"].unique()}
    out = out.assign(
        source=SOURCE,
        partner_name=out["partner_iso3"].map(names),
        flow="import",
        hs_code=hs_code("crude_oil"),
        commodity="crude_oil",
        freq="M",
    )
    return conform(out)


def _provenance(paths: list[str], file_n: pd.Series, row_n: pd.Series) -> pd.Series:
    """``raw/.../<file>#row=<n>`` per cell, from its file number (index into ``paths``) and data row."""
    files = file_n.astype("int64").map(dict(enumerate(paths)))
    return files + "#row=" + row_n.astype("int64").astype(str)


def read_value_cells(processed_dir: str | os.PathLike) -> pd.DataFrame:
    """The grade rows that have a value cell (visible or flagged), from the store: what :func:`clean_origins`
    needs, the same rows :func:`read_grades_from_raw` gives for ``VAL_THS_USD`` (``attrs["raw_paths"]`` too)."""
    pattern = _sql_text(str(Path(processed_dir) / GRADES_DIR / "*" / "*.parquet"))
    columns = (
        "importer_code, importer_iso3, crudeoil_code, origin_iso3, grade_name, period, value_usd, value_flag, "
        "value_row, value_file"
    )
    sql = f"SELECT {columns} FROM read_parquet({pattern}, hive_partitioning = true) WHERE value_row IS NOT NULL"
    with _connect() as con:
        frame = con.execute(sql + " ORDER BY 1, 3, 6").df()
    frame.attrs["raw_paths"] = store_raw_paths(processed_dir)
    return frame


def clean(raw_root: Path) -> pd.DataFrame:
    """The clean table's Eurostat rows (CIF values by importer, origin and month); empty without data files.

    Reads the grade table when the data root's ``processed/`` holds one built from these very raw files
    (sha256 stamp), else the gzip files themselves (a few seconds); both give the same rows (tested).
    """
    if not newest_vintage(find_raw_files(raw_root, SOURCE, DATA_PATTERN)):
        return empty_frame()
    processed = Path(raw_root).parent / "processed"
    if store_is_current(raw_root, processed):
        grades = read_value_cells(processed)
    else:
        grades = read_grades_from_raw(raw_root, measures=("VAL_THS_USD",))
    return clean_origins(grades, grades.attrs["raw_paths"])


def clean_partitions(raw_root: Path):
    """:func:`clean` by calendar year, ``(year, frame)`` pairs: how the store keeps a large source
    (``processed/source=eurostat_coifpm/year=<YYYY>/``)."""
    table = clean(raw_root)
    for year, part in table.groupby(table["period"].str[:4], sort=True):
        yield int(year), part.reset_index(drop=True)
