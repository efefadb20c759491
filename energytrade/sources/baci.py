"""CEPII BACI: world trade flows by exporter, importer and HS6 product, per year (bulk files).

Raw: ``raw/baci/<vintage>/BACI_HS<rev>_V<release>.zip``, the release zip exactly as downloaded from
CEPII, with its sidecar (``energytrade import baci`` puts it there). The zip holds
``BACI_HS<rev>_Y<year>_V<release>.csv`` (one per year; columns ``t`` year, ``i`` exporter, ``j``
importer, ``k`` HS6 product, ``v`` value [thousand USD], ``q`` quantity [metric tonnes]),
``country_codes_V<release>.csv`` and ``product_codes_HS<rev>_V<release>.csv``.

Clean rows: one per flow, seen from the importer: ``reporter_iso3`` = importer ``j``, ``partner_iso3`` =
exporter ``i``, ``flow = "import"``, ``freq = "A"``, ``period`` = the year. BACI reconciles each flow from
both partners' customs reports (CEPII's method), so these are BACI's figures, not one country's own
report. Kept: HS chapter 27 by default (``--hs all``: every product); ``hs_code`` is the 6-digit code;
``commodity`` is the clean name where one fits (2709 crude_oil, 271111 lng, 271121 pipeline_gas, 2701
coal) and ``hs<code>`` otherwise. Values x 1,000 -> USD, quantities x 1,000 -> kg; a missing ``q``
(``NA``, possibly padded with spaces) stays missing. Provenance: ``raw/baci/<vintage>/<zip>/<csv>#row=<n>``.

Countries are mapped with the release's own country file (both layouts: ``iso_3digit_alpha`` up to
2022, ``country_iso3`` later). Several numeric codes share one ISO3 (58 Belgium-Luxembourg and 56
Belgium -> BEL, 280 and 276 -> DEU): BACI uses one of them per year. Non-countries whose ISO3 is ``N/A``
map through :data:`NON_ISO_CODES` or fail loudly, as do codes the country file lacks.

The heavy lifting (reading the CSV, filtering, joining countries) happens in DuckDB: each year's CSV is
unzipped once, by a background thread, in pieces cut at line ends (:data:`PIECE_BYTES`, each with the header)
to temporary files (:func:`scratch_dir`: ``/dev/shm`` when it has room), while DuckDB reads the piece before
on every core; a piece is removed once read. Row numbers (provenance) count on from piece to piece, so they
are the file's own. pandas only sees the kept rows, in batches, which the pandera schema validates before
they are written.
"""

from __future__ import annotations

import io
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from energytrade.commodities import HS_CODES
from energytrade.errors import BadNumber, CorruptArchive, MissingColumn, UnknownCommodity, UnknownCountry
from energytrade.raw import RawFile, read_sidecar, sidecar_path, write_sidecar
from energytrade.schema import conform
from energytrade.units import KG_PER_TONNE

SOURCE = "baci"
#: BACI's ``v`` is in thousands of current US dollars (BACI readme, "v: value (in thousands USD)").
USD_PER_THOUSAND_USD = 1000
FLOW_FILE = re.compile(r"^BACI_HS(?P<rev>\d{2})_Y(?P<year>\d{4})_V(?P<release>\w+)\.csv$")
COUNTRY_FILE = re.compile(r"^country_codes_V(?P<release>\w+)\.csv$")
PRODUCT_FILE = re.compile(r"^product_codes_HS(?P<rev>\d{2})_V(?P<release>\w+)\.csv$")
FLOW_COLUMNS = ("t", "i", "j", "k", "v", "q")
#: BACI country codes whose ISO3 is ``N/A`` but which have a code in ``energytrade.countries``:
#: 490 "Other Asia, nes" is in practice Taiwan; Comtrade (and energytrade) call it S19.
NON_ISO_CODES: dict[int, str] = {490: "S19"}
#: ``--hs`` values: ``all`` or an HS prefix of 2, 4 or 6 digits (default: chapter 27, mineral fuels)
DEFAULT_HS = "27"
ROWS_PER_BATCH = 1_000_000
#: DuckDB reads a CSV in buffers of this size, one per thread at a time (its default: 16 x its 2 MB longest
#: line); the row numbers stay the file's own (``preserve_insertion_order``), however the file is split
CSV_BUFFER_BYTES = 32 * 1024 * 1024
#: The flow file is unzipped in pieces of about this many bytes (the first a quarter of it, so that DuckDB starts
#: soon), each cut at a line end: DuckDB reads one piece while the next is unzipped (on 2 cores, 2.2 s instead of
#: 3.5 s for unzipping and reading a full year of 354 MB).
PIECE_BYTES = 32 * 1024 * 1024
#: Bytes read from the zip at a time while unzipping.
UNZIP_BLOCK_BYTES = 8 * 1024 * 1024
#: Linux's shared-memory file system (tmpfs, in RAM): the extracted flow file goes there when it has room
RAM_DISK = Path("/dev/shm")
#: where BACI is published (for the sidecar)
URL = "http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"


@dataclass(frozen=True)
class FlowMember:
    """One yearly flow file inside a release zip."""

    member: str
    year: int
    hs_revision: str
    release: str


@dataclass(frozen=True)
class Release:
    """A BACI release zip, checked: its flow files and its country table (code -> ISO3, name)."""

    path: Path
    flows: tuple[FlowMember, ...]
    countries: pd.DataFrame
    country_member: str
    release: str


# --- reading ----------------------------------------------------------------------------------------


def check_hs(hs: str) -> str:
    """``all`` or an HS prefix of 2, 4 or 6 digits; else :class:`UnknownCommodity`."""
    text = str(hs).strip().lower()
    if text == "all" or re.fullmatch(r"\d{2}|\d{4}|\d{6}", text):
        return text
    raise UnknownCommodity(f"--hs {hs!r}: give an HS chapter (27), heading (2709), subheading (270900) or 'all'")


def read_country_codes(data: bytes, where: str) -> pd.DataFrame:
    """A BACI country file (either layout) -> ``code`` (int), ``iso3`` (``None`` where ``N/A``), ``name``.

    Read with ``keep_default_na=False``: Namibia's ISO2 ``NA`` is a code, not a missing value.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # older releases; names stay as written
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    table.columns = [c.strip() for c in table.columns]
    if {"country_code", "iso_3digit_alpha"} <= set(table.columns):
        iso3, name = "iso_3digit_alpha", "country_name_abbreviation"
    elif {"country_code", "country_iso3"} <= set(table.columns):
        iso3, name = "country_iso3", "country_name"
    else:
        raise MissingColumn(
            f"{where}: needs country_code and iso_3digit_alpha (or country_iso3); it has {', '.join(table.columns)}"
        )
    codes = pd.to_numeric(table["country_code"].str.strip(), errors="coerce")
    if codes.isna().any():
        row = int(codes.isna().to_numpy().argmax()) + 1
        raise BadNumber(
            f"{where} row {row}, column 'country_code': {table['country_code'].iloc[row - 1]!r} is not a code"
        )
    iso = table[iso3].str.strip().str.upper()
    out = pd.DataFrame({"code": codes.astype("int64"), "iso3": iso, "name": table[name].str.strip()})
    out["iso3"] = out["iso3"].where(~out["iso3"].isin(["N/A", ""]), out["code"].map(NON_ISO_CODES))
    return out


def read_release(path: str | os.PathLike) -> Release:
    """Open a BACI release zip and check it holds flow files and its country file.

    Raises
    ------
    CorruptArchive
        Not a readable zip, no ``BACI_HS*_Y*_V*.csv`` inside, or no ``country_codes_V<release>.csv``.
    """
    path = Path(path)
    if not path.is_file():
        raise CorruptArchive(f"{str(path)!r} is not a file: give the BACI zip as downloaded from CEPII")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            by_base = {Path(n).name: n for n in names if not n.endswith("/")}
            flows = tuple(
                sorted(
                    (
                        FlowMember(full, int(m["year"]), m["rev"], m["release"])
                        for base, full in by_base.items()
                        if (m := FLOW_FILE.match(base))
                    ),
                    key=lambda f: f.year,
                )
            )
            if not flows:
                raise CorruptArchive(
                    f"{path.name}: no BACI_HS<rev>_Y<year>_V<release>.csv inside (it holds: {', '.join(names[:5])}); "
                    "is this a BACI release zip?"
                )
            release = flows[0].release
            country = next((full for base, full in by_base.items() if base == f"country_codes_V{release}.csv"), None)
            if country is None:
                raise CorruptArchive(
                    f"{path.name}: country_codes_V{release}.csv is missing from the zip; the release's own country "
                    "file is needed to map codes to ISO3 (download the complete release from CEPII)"
                )
            countries = read_country_codes(archive.read(country), f"{path.name}/{country}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as err:
        raise CorruptArchive(f"{path.name}: not a readable zip ({err}); download the release again") from None
    return Release(path=path, flows=flows, countries=countries, country_member=country, release=release)


# --- cleaning (SQL in DuckDB, then pure checks on the kept rows) ------------------------------------


def _hs_filter(hs: str) -> str:
    if hs == "all":
        return "TRUE"
    width = len(hs)
    low = int(hs) * 10 ** (6 - width)
    return f"k BETWEEN {low} AND {low + 10 ** (6 - width) - 1}"


def _commodity_sql() -> str:
    """HS6 code -> clean commodity name (the most specific matching code first), else ``hs<code>``."""
    named = sorted(
        ((code, name) for name, code in HS_CODES.items() if code.isdigit() and len(code) >= 4),
        key=lambda item: -len(item[0]),
    )
    cases = " ".join(f"WHEN starts_with(hs_code, '{code}') THEN '{name}'" for code, name in named)
    return f"CASE {cases} ELSE 'hs' || hs_code END"


def flow_query(csv_path: Path, provenance_prefix: str, hs: str, rows_before: int = 0) -> str:
    """The DuckDB query turning one BACI flow CSV (or a piece of one, after ``rows_before`` data rows) into
    clean-schema columns plus check columns."""
    path = csv_path.as_posix().replace("'", "''")
    prefix = provenance_prefix.replace("'", "''")
    columns = "{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'INTEGER', 'v': 'VARCHAR', 'q': 'VARCHAR'}"
    return f"""
    WITH numbered AS (
        SELECT row_number() OVER () + {int(rows_before)} AS row_n, *
        FROM read_csv('{path}', header = true, auto_detect = false, delim = ',', columns = {columns},
                      parallel = true, buffer_size = {CSV_BUFFER_BYTES})
    ), kept AS (
        SELECT row_n, t, i, j, lpad(CAST(k AS VARCHAR), 6, '0') AS hs_code, trim(v) AS v_text, trim(q) AS q_text,
               TRY_CAST(trim(v) AS DOUBLE) AS v_num,
               CASE WHEN trim(q) IN ('NA', '') THEN NULL ELSE TRY_CAST(trim(q) AS DOUBLE) END AS q_num
        FROM numbered WHERE {_hs_filter(hs)}
    )
    SELECT t AS year,
           'baci' AS source,
           imp.iso3 AS reporter_iso3,
           exp.iso3 AS partner_iso3,
           exp.name AS partner_name,
           'import' AS flow,
           hs_code,
           {_commodity_sql()} AS commodity,
           CAST(t AS VARCHAR) AS period,
           'A' AS freq,
           round(q_num * {KG_PER_TONNE}) AS net_weight_kg,
           CAST(NULL AS DOUBLE) AS volume_bcm,
           round(v_num * {USD_PER_THOUSAND_USD}) AS value_usd,
           CAST(NULL AS DOUBLE) AS rate_bbl_per_day,
           CAST(NULL AS BOOLEAN) AS is_weight_estimated,
           '' AS note,
           '{prefix}#row=' || row_n AS provenance,
           i AS exporter_code, j AS importer_code, row_n, v_text, q_text,
           (v_num IS NULL OR NOT isfinite(v_num)) AS v_bad,
           (q_text NOT IN ('NA', '') AND (q_num IS NULL OR NOT isfinite(q_num))) AS q_bad
    FROM kept
    LEFT JOIN countries AS exp ON exp.code = kept.i
    LEFT JOIN countries AS imp ON imp.code = kept.j
    """


def check_batch(batch: pd.DataFrame, where: str, countries: pd.DataFrame, country_file: str) -> pd.DataFrame:
    """Refuse bad figures and unmapped countries in one batch of query output; return the clean columns."""
    for flag, column, text in (("v_bad", "v", "v_text"), ("q_bad", "q", "q_text")):
        bad = batch[flag].fillna(False).astype(bool)
        if bad.any():
            first = batch[bad].iloc[0]
            raise BadNumber(
                f"{where} row {int(first['row_n'])}, column {column!r}: {first[text]!r} is not a finite number "
                f"({int(bad.sum())} such row(s)); BACI {column} must be a decimal (q may be NA)"
            )
    unmapped = batch["partner_iso3"].isna() | batch["reporter_iso3"].isna()
    if unmapped.any():
        codes = sorted(
            set(batch.loc[batch["partner_iso3"].isna(), "exporter_code"])
            | set(batch.loc[batch["reporter_iso3"].isna(), "importer_code"])
        )
        known = countries.set_index("code")["name"]
        named = [f"{c} ({known[c]!r}, ISO3 N/A)" if c in known.index else f"{c} (not in the file)" for c in codes]
        raise UnknownCountry(
            f"{where}: country code(s) {', '.join(named[:10])} have no ISO3 code in {country_file}; add non-countries "
            "to energytrade.sources.baci.NON_ISO_CODES, or use the release's complete country file"
        )
    return batch


def _clean_frame(batch: pd.DataFrame) -> pd.DataFrame:
    return conform(batch.drop(columns=["year"]))


@dataclass(frozen=True)
class Piece:
    """A piece of an unzipped flow file: the header line and whole data lines, after ``rows_before`` data rows
    of the file."""

    path: Path
    rows_before: int


def clean_flow_pieces(
    pieces: Iterable[Piece], provenance_prefix: str, hs: str, release: Release, where: str, country_file: str
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Clean the pieces of one flow file, in order, removing each once read: (year, clean frame) batches of at
    most :data:`ROWS_PER_BATCH` rows."""
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = true")  # the row numbers are the file's rows
        con.execute(f"SET enable_progress_bar = {'true' if sys.stdout.isatty() else 'false'}")
        con.register("countries", release.countries)

        def cleaned(kept: list[pa.RecordBatch]) -> Iterator[tuple[int, pd.DataFrame]]:
            batch = check_batch(pa.Table.from_batches(kept).to_pandas(), where, release.countries, country_file)
            for year, part in batch.groupby("year", sort=True):
                yield int(year), _clean_frame(part)

        try:
            # Kept rows are gathered across pieces up to ROWS_PER_BATCH, so that pieces do not multiply the
            # batches (each is validated and written as a file of its own).
            kept: list[pa.RecordBatch] = []
            n_kept = 0
            for piece in pieces:
                query = flow_query(piece.path, provenance_prefix, hs, piece.rows_before)
                for record_batch in con.sql(query).to_arrow_reader(ROWS_PER_BATCH):
                    kept.append(record_batch)
                    n_kept += record_batch.num_rows
                    if n_kept >= ROWS_PER_BATCH:
                        yield from cleaned(kept)
                        kept, n_kept = [], 0
                piece.path.unlink(missing_ok=True)
            if kept:
                yield from cleaned(kept)
        except duckdb.ConversionException as err:
            first = str(err).splitlines()[0]
            raise BadNumber(f"{where}: a column holds something that is not a number ({first})") from None
        except duckdb.Error as err:
            first = str(err).splitlines()[0]
            raise CorruptArchive(
                f"{where}: not readable as a BACI flow file ({first}); download the release again"
            ) from None


def scratch_dir(workdir: Path, size: int) -> Path:
    """Where a flow file of ``size`` bytes is extracted: the RAM disk :data:`RAM_DISK` if it has room for
    twice that (writing 350 MB there costs a memory copy, on this VM's disk 2-6 s), else ``workdir`` (local
    disk, next to the store). The file lives only while the import reads it."""
    try:
        if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK) and shutil.disk_usage(RAM_DISK).free > 2 * size:
            return RAM_DISK
    except OSError:
        pass
    return workdir


def _without_blank_lines(lines: bytes) -> bytes:
    """Whole lines (from a line start) without the blank ones, which DuckDB skips and so must not be counted."""
    if not (lines.startswith((b"\n", b"\r\n")) or b"\n\n" in lines or b"\n\r\n" in lines):
        return lines
    return b"".join(line + b"\n" for line in lines.split(b"\n")[:-1] if line not in (b"", b"\r"))


def _unzip_pieces(
    archive: zipfile.ZipFile, member: str, folder: Path, where: str, stop: threading.Event
) -> Iterator[Piece]:
    """Unzip one flow file into pieces of about :data:`PIECE_BYTES` in ``folder`` (each the header plus whole
    lines), yielding each once it is written; stops early when ``stop`` is set.

    (Handing DuckDB the member's deflate stream as a gzip file saves the disk write but makes the read
    single-threaded: on 2 cores that was about 2.5x slower for a full year.) The zip's CRC-32 is checked
    as the member is read; a damaged member is :class:`CorruptArchive` naming it."""
    info = archive.getinfo(member)
    name = Path(member).name
    bar = tqdm(total=info.file_size, unit="B", unit_scale=True, desc=name, disable=None, leave=False)
    index, rows_before, rows, size = 0, 0, 0, 0
    try:
        with archive.open(info) as source, bar:
            header = source.readline()
            bar.update(len(header))
            path = folder / f"{name}.{index}"
            out = open(path, "wb")
            try:
                out.write(header)
                carry = b""  # the start of a line whose end is still in the zip
                for block in iter(lambda: source.read(UNZIP_BLOCK_BYTES), b""):
                    if stop.is_set():
                        return
                    bar.update(len(block))
                    data = carry + block
                    cut = data.rfind(b"\n") + 1
                    lines, carry = _without_blank_lines(data[:cut]), data[cut:]
                    out.write(lines)
                    rows += lines.count(b"\n")
                    size += len(lines)
                    if size >= (PIECE_BYTES // 4 if index == 0 else PIECE_BYTES):  # DuckDB starts soon
                        out.close()
                        yield Piece(path, rows_before)
                        index, rows_before, rows, size = index + 1, rows_before + rows, 0, 0
                        path = folder / f"{name}.{index}"
                        out = open(path, "wb")
                        out.write(header)
                out.write(carry)  # a last line without a line end
            finally:
                out.close()
            if rows or carry.strip() or index == 0:
                yield Piece(path, rows_before)
            else:
                path.unlink()  # nothing after the last full piece
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise CorruptArchive(
            f"{where}: the compressed flow file is damaged ({err}); download the release again"
        ) from None


#: What the unzipping thread puts last
_UNZIPPED = object()


def _unzip_in_background(archive: zipfile.ZipFile, member: str, folder: Path, where: str) -> Iterator[Piece]:
    """:func:`_unzip_pieces` run in a thread (zlib and file writes let go of the GIL), so that the caller
    reads one piece while the next is unzipped. An error in the thread is raised here; closing this generator
    early stops the thread and waits for it."""
    pieces: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run() -> None:
        try:
            for piece in _unzip_pieces(archive, member, folder, where, stop):
                pieces.put(piece)
            pieces.put(_UNZIPPED)
        except BaseException as err:  # handed to the reading thread, which raises it
            pieces.put(err)

    thread = threading.Thread(target=run, name=f"unzip {Path(member).name}", daemon=True)
    thread.start()
    try:
        while (item := pieces.get()) is not _UNZIPPED:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def clean_release(
    release: Release, relpath: str, hs: str, workdir: Path, years: set[int] | None = None
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Every (or the chosen) year's flows of a release, cleaned, as (year, frame) batches."""
    try:
        with zipfile.ZipFile(release.path) as archive:
            for flow in release.flows:
                if years is not None and flow.year not in years:
                    continue
                where = f"{relpath}/{flow.member}"
                size = archive.getinfo(flow.member).file_size
                with tempfile.TemporaryDirectory(dir=scratch_dir(workdir, size), prefix=".baci-") as tmp:
                    pieces = _unzip_in_background(archive, flow.member, Path(tmp), where)
                    try:
                        yield from clean_flow_pieces(pieces, where, hs, release, where, release.country_member)
                    finally:
                        pieces.close()
    except (zipfile.BadZipFile, EOFError) as err:
        raise CorruptArchive(f"{relpath}: the zip is damaged ({err}); download the release again") from None


def stored_releases(raw_root: Path) -> list[RawFile]:
    """The release zips under ``raw/baci/`` with their sidecars.

    Checksums are not recomputed here (a release is hundreds of MB): ``energytrade build`` and
    ``energytrade import`` verify each zip's sha256 against its sidecar (or its unchanged size and
    modification time since a verified build) before they call the cleaner.
    """
    folder = Path(raw_root) / SOURCE
    found = []
    for path in sorted(folder.glob("*/*.zip")) if folder.is_dir() else []:
        if not path.name.startswith("."):
            found.append(
                RawFile(path=path, source=SOURCE, vintage=path.parent.name, name=path.name, meta=read_sidecar(path))
            )
    return found


def _hs_of(raw_file: RawFile) -> str:
    return check_hs(str((raw_file.meta.get("import_options") or {}).get("hs", DEFAULT_HS)))


def clean_partitions(raw_root: Path) -> Iterator[tuple[int, pd.DataFrame]]:
    """Every imported release, cleaned: (year, frame) batches. Where two releases cover a year, the newer
    release (then the newer vintage) gives it; a year is never taken from two releases."""
    raw_root = Path(raw_root)
    choices: dict[int, tuple[tuple[str, str], RawFile, Release]] = {}
    for raw_file in stored_releases(raw_root):
        release = read_release(raw_file.path)
        for flow in release.flows:
            rank = (flow.release, raw_file.vintage)
            if flow.year not in choices or rank > choices[flow.year][0]:
                choices[flow.year] = (rank, raw_file, release)
    by_file: dict[Path, tuple[RawFile, Release, set[int]]] = {}
    for year, (_, raw_file, release) in choices.items():
        by_file.setdefault(raw_file.path, (raw_file, release, set()))[2].add(year)
    workdir = raw_root.parent / "processed"
    workdir.mkdir(parents=True, exist_ok=True)
    for raw_file, release, years in by_file.values():
        yield from clean_release(release, raw_file.relpath(raw_root), _hs_of(raw_file), workdir, years)


# --- storing a downloaded release in the raw store ---------------------------------------------------


def sidecar_meta(release: Release, hs: str, now: datetime) -> dict:
    """Provenance of an imported release (the user's local path is not recorded, only the file name)."""
    years = sorted({f.year for f in release.flows})
    return {
        "source": SOURCE,
        "title": f"CEPII BACI HS{release.flows[0].hs_revision} release V{release.release}, "
        f"{years[0]}-{years[-1]} (as downloaded)",
        "publisher": "CEPII (Centre d'études prospectives et d'informations internationales)",
        "original_source": "BACI: International Trade Database at the Product-Level (Gaulier and Zignago, 2010)",
        "urls": [URL],
        "date_published": None,
        "date_retrieved": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "licence": "Etalab Open Licence 2.0 (CEPII BACI)",
        "attribution": "CEPII BACI database; Gaulier, G. and Zignago, S. (2010), CEPII Working Paper 2010-23",
        "notes": [f"imported with energytrade import baci --hs {hs} from a file named {release.path.name}"],
        "import_options": {"hs": hs},
    }


def store_release(release: Release, raw_root: Path, hs: str, now: datetime | None = None) -> tuple[RawFile, bool]:
    """Copy a release zip into ``raw/baci/<date>/`` with its sidecar; returns (raw file, newly stored).

    A zip already stored with the same content and ``--hs`` is kept once (the fresh copy is removed). A same-named zip with
    other content (or another ``--hs``) goes to a new vintage folder (``<date>``, ``<date>-2``, ...).
    """
    now = now or datetime.now(timezone.utc)
    stored = stored_releases(raw_root)
    base = now.strftime("%Y-%m-%d")
    n = 1
    while (folder := raw_root / SOURCE / (base if n == 1 else f"{base}-{n}")) and (folder / release.path.name).exists():
        n += 1
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / release.path.name
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(release.path, tmp)  # in the kernel where it can (sendfile), not through Python
        os.replace(tmp, target)
        # The sidecar's sha256 is read from the copy once; it also tells whether this zip is stored already.
        write_sidecar(target, sidecar_meta(release, hs, now))
        meta = read_sidecar(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        sidecar_path(target).unlink(missing_ok=True)
        raise
    new = RawFile(path=target, source=SOURCE, vintage=folder.name, name=target.name, meta=meta)
    for raw_file in stored:
        if raw_file.meta.get("sha256") == meta["sha256"] and _hs_of(raw_file) == hs:
            unstore_release(new)
            return raw_file, False
    return new, True


def unstore_release(raw_file: RawFile) -> None:
    """Undo :func:`store_release` of a file stored by this very import (the import failed after it)."""
    sidecar_path(raw_file.path).unlink(missing_ok=True)
    raw_file.path.unlink(missing_ok=True)
    try:
        raw_file.path.parent.rmdir()
    except OSError:
        pass  # the vintage folder holds other files
