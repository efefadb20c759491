"""CEPII BACI import, on small release zips written here in BACI's exact format (synthetic figures)."""

from __future__ import annotations

import math
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from energytrade import store
from energytrade.analysis import destinations
from energytrade.build import build, import_baci
from energytrade.errors import BadNumber, CorruptArchive, UnknownCommodity, UnknownCountry
from energytrade.sources import baci

RELEASE = "202201"
YEAR = 2020
#: The release's country file in the layout of BACI up to 2022 (as the real V202201 file: a BOM, CRLF line
#: ends, "N/A" ISO codes for non-countries, two numeric codes for Belgium).
COUNTRIES_V2022 = (
    "\ufeffcountry_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha\r\n"
    "56,Belgium,Belgium,BE,BEL\r\n"
    "58,Belgium-Luxembourg,Belgium-Luxembourg,BE,BEL\r\n"
    "156,China,China,CN,CHN\r\n"
    "276,Germany,Germany,DE,DEU\r\n"
    '490,"Other Asia, nes","Other Asia, not elsewhere specified",N/A,N/A\r\n'
    "516,Namibia,Namibia,NA,NAM\r\n"
    "643,Russian Federation,Russian Federation,RU,RUS\r\n"
    "682,Saudi Arabia,Saudi Arabia,SA,SAU\r\n"
    '697,"Europe EFTA, nes","Europe EFTA, not elsewhere specified",N/A,N/A\r\n'
    "699,India,India,IN,IND\r\n"
)
#: The same in the layout of later releases.
COUNTRIES_V2024 = "country_code,country_name,country_iso2,country_iso3\n" + "\n".join(
    f"{code},{name},{iso2},{iso3}"
    for code, name, iso2, iso3 in [
        (56, "Belgium", "BE", "BEL"),
        (156, "China", "CN", "CHN"),
        (276, "Germany", "DE", "DEU"),
        (516, "Namibia", "NA", "NAM"),
        (643, "Russian Federation", "RU", "RUS"),
        (682, "Saudi Arabia", "SA", "SAU"),
        (699, "India", "IN", "IND"),
    ]
)

# t, i (exporter), j (importer), k (HS6, chapters 01-09 without the leading zero), v [kUSD], q [t]
RUS_CHN_CRUDE = (YEAR, 643, 156, "270900", "41234.567", "80123.456")
RUS_IND_CRUDE = (YEAR, 643, 699, "270900", "12345.678", "           NA")  # q missing, padded as some releases do
SAU_CHN_CRUDE = (YEAR, 682, 156, "270900", "38000.000", "75000.000")
RUS_CHN_LNG = (YEAR, 643, 156, "271111", "3000.500", "4000.250")
RUS_BEL_COAL = (YEAR, 643, 56, "270112", "100.000", "NA")
DEU_BEL_HORSES = (YEAR, 276, 56, "10121", "55.123", "1.500")  # HS 010121, not chapter 27
TWN_CHN_PRODUCTS = (YEAR, 490, 156, "271019", "10.000", "8.000")  # "Other Asia, nes": Taiwan
ROWS = [RUS_CHN_CRUDE, DEU_BEL_HORSES, RUS_IND_CRUDE, SAU_CHN_CRUDE, RUS_CHN_LNG, RUS_BEL_COAL, TWN_CHN_PRODUCTS]
FLOW_MEMBER = f"BACI_HS17_Y{YEAR}_V{RELEASE}.csv"


def write_release(
    path: Path,
    rows=ROWS,
    *,
    countries: str | None = COUNTRIES_V2022,
    release: str = RELEASE,
    year: int = YEAR,
) -> Path:
    """A BACI release zip with one year's flow file, the country file and the product file."""
    flows = "t,i,j,k,v,q\n" + "".join(",".join(str(x) for x in row) + "\n" for row in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"BACI_HS17_Y{year}_V{release}.csv", flows)
        if countries is not None:
            archive.writestr(f"country_codes_V{release}.csv", countries.encode("utf-8"))
        archive.writestr(f"product_codes_HS17_V{release}.csv", "code,description\n270900,Crude petroleum oils\n")
    return path


def _row(row: tuple) -> int:
    """1-based data row of a flow in the file (the header not counted)."""
    return ROWS.index(row) + 1


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    return root


@pytest.fixture
def release_zip(tmp_path: Path) -> Path:
    return write_release(tmp_path / "download" / f"BACI_HS17_V{RELEASE}.zip")


def _flow(rows: pd.DataFrame, exporter: str, importer: str, hs: str) -> pd.Series:
    match = rows[(rows.partner_iso3 == exporter) & (rows.reporter_iso3 == importer) & (rows.hs_code == hs)]
    assert len(match) == 1, (exporter, importer, hs)
    return match.iloc[0]


def test_import_maps_codes_keeps_chapter_27_and_converts_units(data_dir, release_zip):
    result = import_baci(release_zip, data_dir)
    rows = store.flows(source="baci", data_dir=data_dir)

    assert result.newly_stored and result.years == [YEAR]
    assert len(rows) == len(ROWS) - 1  # the horses (HS 01) are left out by default
    crude = _flow(rows, "RUS", "CHN", "270900")
    assert crude.commodity == "crude_oil" and crude.flow == "import" and crude.freq == "A" and crude.period == "2020"
    assert crude.value_usd == 41_234_567  # thousand USD -> USD
    assert crude.net_weight_kg == 80_123_456  # tonnes -> kg
    assert crude.partner_name == "Russian Federation"
    assert crude.provenance == (
        f"raw/baci/{result.raw_path.parent.name}/BACI_HS17_V{RELEASE}.zip/{FLOW_MEMBER}#row={_row(RUS_CHN_CRUDE)}"
    )
    assert math.isnan(_flow(rows, "RUS", "IND", "270900").net_weight_kg)  # NA stays missing, never 0
    assert _flow(rows, "RUS", "CHN", "271111").commodity == "lng"
    assert _flow(rows, "RUS", "BEL", "270112").commodity == "coal"
    assert _flow(rows, "S19", "CHN", "271019").commodity == "hs271019"  # no clean name: named by its code


def test_hs_all_keeps_every_product_with_its_leading_zero(data_dir, release_zip):
    import_baci(release_zip, data_dir, hs="all")
    rows = store.flows(source="baci", data_dir=data_dir)
    horses = _flow(rows, "DEU", "BEL", "010121")
    assert len(rows) == len(ROWS) and horses.commodity == "hs010121" and horses.net_weight_kg == 1_500


def test_a_heading_keeps_only_that_heading(data_dir, release_zip):
    import_baci(release_zip, data_dir, hs="2709")
    assert set(store.flows(source="baci", data_dir=data_dir).hs_code) == {"270900"}


def test_the_newer_country_file_layout_is_read_too(data_dir, tmp_path):
    rows = [RUS_CHN_CRUDE, RUS_IND_CRUDE]
    path = write_release(tmp_path / "BACI_HS17_V202401.zip", rows, countries=COUNTRIES_V2024, release="202401")
    import_baci(path, data_dir)
    assert set(store.flows(source="baci", data_dir=data_dir).reporter_iso3) == {"CHN", "IND"}


def test_where_russias_crude_went_by_importer(data_dir, release_zip):
    import_baci(release_zip, data_dir)
    went = destinations("RUS", "crude_oil", start="2020", end="2020", data_dir=data_dir)
    chn, ind = 41_234_567, 12_345_678
    assert list(went.importer_iso3) == ["CHN", "IND"]
    assert list(went.value_usd) == [chn, ind]
    assert went.share_pct.tolist() == pytest.approx([100 * chn / (chn + ind), 100 * ind / (chn + ind)])
    by_mass = destinations("RUS", "2709", metric="mass", data_dir=data_dir).set_index("importer_iso3")
    assert by_mass.loc["CHN", "net_weight_t"] == pytest.approx(80_123.456)
    assert math.isnan(by_mass.loc["IND", "net_weight_t"]) and by_mass.loc["IND", "rows_missing_figure"] == 1


def _store_state(data_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


def test_a_code_missing_from_the_country_file_is_named_and_nothing_is_stored(data_dir, release_zip, tmp_path):
    import_baci(release_zip, data_dir)
    before = _store_state(data_dir)
    unknown = (YEAR, 999, 156, "270900", "1.000", "1.000")
    bad = write_release(tmp_path / "other" / "BACI_HS17_V202301.zip", [*ROWS, unknown], release="202301")
    with pytest.raises(UnknownCountry, match=r"999 \(not in the file\)"):
        import_baci(bad, data_dir)
    assert _store_state(data_dir) == before


def test_a_non_country_without_iso3_is_named_with_its_name(data_dir, tmp_path):
    efta = (YEAR, 697, 156, "270900", "1.000", "1.000")
    path = write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", [RUS_CHN_CRUDE, efta])
    with pytest.raises(UnknownCountry, match="697 \\('Europe EFTA, nes', ISO3 N/A\\)"):
        import_baci(path, data_dir)
    assert not (data_dir / "raw" / "baci").exists() or not any((data_dir / "raw" / "baci").rglob("*.zip"))


@pytest.mark.parametrize(
    "q, shown",
    [("abc", "'abc'"), ("NaN", "'NaN'"), ("1e400", "'1e400'"), ("inf", "'inf'")],
)
def test_a_quantity_that_is_not_a_finite_number_names_file_row_and_column(data_dir, tmp_path, q, shown):
    bad = (YEAR, 643, 156, "271121", "1.000", q)
    path = write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", [RUS_CHN_CRUDE, bad])
    with pytest.raises(BadNumber, match=f"{FLOW_MEMBER} row 2, column 'q': {shown}"):
        import_baci(path, data_dir)


def test_a_corrupt_zip_is_a_typed_error_and_leaves_the_store_as_it_was(data_dir, release_zip, tmp_path):
    import_baci(release_zip, data_dir)
    before = _store_state(data_dir)
    corrupt = tmp_path / "BACI_HS17_V202301.zip"
    corrupt.write_bytes(release_zip.read_bytes()[:200])  # a download cut short
    with pytest.raises(CorruptArchive, match="BACI_HS17_V202301.zip: not a readable zip"):
        import_baci(corrupt, data_dir)
    assert _store_state(data_dir) == before


def test_a_zip_without_its_country_file_is_refused(data_dir, tmp_path):
    path = write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", countries=None)
    with pytest.raises(CorruptArchive, match=f"country_codes_V{RELEASE}.csv is missing"):
        import_baci(path, data_dir)
    assert not (data_dir / "processed" / "source=baci").exists()


def test_a_bad_hs_option_is_refused():
    with pytest.raises(UnknownCommodity, match="--hs '27x'"):
        baci.check_hs("27x")


def test_importing_the_same_zip_twice_stores_it_once_and_build_is_then_up_to_date(data_dir, release_zip):
    first = import_baci(release_zip, data_dir)
    second = import_baci(release_zip, data_dir)
    assert not second.newly_stored and second.raw_path == first.raw_path and second.rows == first.rows
    result = build(data_dir)
    assert result.up_to_date and "baci" in result.unchanged


def test_a_newer_release_gives_the_year_it_shares_with_an_older_one(data_dir, release_zip, tmp_path):
    import_baci(release_zip, data_dir)
    revised = (YEAR, 643, 156, "270900", "50000.000", "90000.000")
    newer = write_release(tmp_path / "BACI_HS17_V202401.zip", [revised], release="202401")
    import_baci(newer, data_dir)
    rows = store.flows(source="baci", data_dir=data_dir)
    assert len(rows) == 1 and rows.iloc[0].value_usd == 50_000_000


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energytrade", *args], capture_output=True, text=True)


def test_cli_imports_and_refuses_a_corrupt_zip_in_one_line(data_dir, release_zip, tmp_path):
    done = _cli("import", "baci", str(release_zip), "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "BACI in the store: 6 rows, 2020-2020" in done.stderr
    corrupt = tmp_path / "broken.zip"
    corrupt.write_bytes(b"PK\x03\x04 this is not a zip")
    done = _cli("import", "baci", str(corrupt), "--data-dir", str(data_dir))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "broken.zip" in done.stderr


def test_damaged_bytes_inside_the_flow_file_are_a_typed_error(data_dir, tmp_path):
    path = write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", ROWS * 50)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(FLOW_MEMBER)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(FLOW_MEMBER)
    data[start + 20 : start + 60] = bytes(40)  # the directory is intact, the compressed flows are not
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptArchive, match=FLOW_MEMBER):
        import_baci(path, data_dir)
    assert not any((data_dir / "raw").rglob("*.zip"))


def test_an_uncompressed_zip_is_read_too(data_dir, tmp_path):
    path = tmp_path / f"BACI_HS17_V{RELEASE}.zip"
    with zipfile.ZipFile(write_release(tmp_path / "deflated.zip")) as source:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as stored:
            for name in source.namelist():
                stored.writestr(name, source.read(name))
    import_baci(path, data_dir)
    assert len(store.flows(source="baci", data_dir=data_dir)) == len(ROWS) - 1


def test_import_help_teaches_with_examples():
    done = _cli("import", "baci", "--help")
    assert done.returncode == 0 and "examples:" in done.stdout and "energytrade import baci" in done.stdout
    assert "--hs" in done.stdout


#: filler rows outside chapter 27 (HS 010121, live horses) that push the energy flows deep into the file
FILLER_ROWS = 20_000


def test_provenance_rows_stay_the_files_own_when_the_file_is_read_in_parallel_pieces(data_dir, tmp_path, monkeypatch):
    # 4 KiB buffers split this ~0.5 MB file into over a hundred pieces read by several threads
    monkeypatch.setattr(baci, "CSV_BUFFER_BYTES", 4096)
    filler = [DEU_BEL_HORSES] * FILLER_ROWS
    rows = [RUS_CHN_CRUDE, *filler, SAU_CHN_CRUDE, *filler, RUS_CHN_LNG]
    path = write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", rows)
    result = import_baci(path, data_dir)
    stored = store.flows(source="baci", data_dir=data_dir)
    prefix = f"raw/baci/{result.raw_path.parent.name}/BACI_HS17_V{RELEASE}.zip/{FLOW_MEMBER}#row="
    assert _flow(stored, "RUS", "CHN", "270900").provenance == prefix + "1"
    assert _flow(stored, "SAU", "CHN", "270900").provenance == prefix + str(1 + FILLER_ROWS + 1)
    assert _flow(stored, "RUS", "CHN", "271111").provenance == prefix + str(2 * FILLER_ROWS + 3)


@pytest.mark.parametrize("ram_disk", [True, False], ids=["RAM disk", "no RAM disk: next to the store"])
def test_the_flow_file_is_extracted_only_for_the_import_and_removed_after(
    data_dir, release_zip, tmp_path, monkeypatch, ram_disk
):
    ram = tmp_path / "shm"
    if ram_disk:
        ram.mkdir()
    monkeypatch.setattr(baci, "RAM_DISK", ram)
    result = import_baci(release_zip, data_dir)
    assert result.rows == len(ROWS) - 1
    assert list(data_dir.rglob("*.zip")) and not list(tmp_path.rglob(FLOW_MEMBER))  # the zip is kept, its CSV not


def _unzipped_in_small_pieces(monkeypatch) -> None:
    """Pieces of about 2 KB read 512 bytes at a time: a small file is unzipped in many pieces, cut mid-line."""
    monkeypatch.setattr(baci, "PIECE_BYTES", 2048)
    monkeypatch.setattr(baci, "UNZIP_BLOCK_BYTES", 512)


def test_provenance_rows_count_on_across_the_unzipped_pieces(data_dir, tmp_path, monkeypatch):
    _unzipped_in_small_pieces(monkeypatch)
    filler = [DEU_BEL_HORSES] * 500  # about 15 KB: several pieces before each energy flow
    rows = [RUS_CHN_CRUDE, *filler, SAU_CHN_CRUDE, *filler, RUS_CHN_LNG]
    result = import_baci(write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", rows), data_dir)
    stored = store.flows(source="baci", data_dir=data_dir)
    prefix = f"raw/baci/{result.raw_path.parent.name}/BACI_HS17_V{RELEASE}.zip/{FLOW_MEMBER}#row="
    assert _flow(stored, "RUS", "CHN", "270900").provenance == prefix + "1"
    assert _flow(stored, "SAU", "CHN", "270900").provenance == prefix + "502"
    assert _flow(stored, "RUS", "CHN", "271111").provenance == prefix + "1003"


def test_blank_lines_crlf_ends_and_a_last_line_without_its_end_number_rows_as_one_piece_does(
    data_dir, tmp_path, monkeypatch
):
    # DuckDB skips blank lines, so they are not rows; the file's rows are numbered as if read in one piece.
    filler = "".join(",".join(str(x) for x in DEU_BEL_HORSES) + "\r\n" for _ in range(300))
    line = ",".join(str(x) for x in SAU_CHN_CRUDE)
    flows = "t,i,j,k,v,q\r\n" + filler + "\r\n\r\n" + filler + line  # 600 rows, 2 blank lines, no last line end
    path = tmp_path / f"BACI_HS17_V{RELEASE}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(FLOW_MEMBER, flows)
        archive.writestr(f"country_codes_V{RELEASE}.csv", COUNTRIES_V2022.encode("utf-8"))
    one_piece = import_baci(path, data_dir)
    whole = store.flows(source="baci", data_dir=data_dir)
    _unzipped_in_small_pieces(monkeypatch)
    other_root = tmp_path / "pieces"
    other_root.mkdir()
    import_baci(path, other_root)
    pieces = store.flows(source="baci", data_dir=other_root)
    assert one_piece.rows == 1 and _flow(whole, "SAU", "CHN", "270900").provenance.endswith("#row=601")
    assert _flow(pieces, "SAU", "CHN", "270900").provenance == _flow(whole, "SAU", "CHN", "270900").provenance


def test_a_bad_figure_in_a_later_piece_names_the_files_row_and_leaves_no_piece_behind(data_dir, tmp_path, monkeypatch):
    _unzipped_in_small_pieces(monkeypatch)
    ram = tmp_path / "shm"
    ram.mkdir()
    monkeypatch.setattr(baci, "RAM_DISK", ram)
    bad = (YEAR, 643, 156, "271121", "1.000", "abc")
    rows = [RUS_CHN_CRUDE, *[DEU_BEL_HORSES] * 400, bad, *[DEU_BEL_HORSES] * 400]
    with pytest.raises(BadNumber, match=f"{FLOW_MEMBER} row 402, column 'q': 'abc'"):
        import_baci(write_release(tmp_path / f"BACI_HS17_V{RELEASE}.zip", rows), data_dir)
    assert not any(ram.iterdir())  # every piece removed, the unzipping thread stopped
    assert not any((data_dir / "raw").rglob("*.zip"))
