"""The report on another importer than China (``--importer IND``), on a data root of fetched Comtrade data.

The data root is built the way a user builds it: ``fetch`` against a real HTTP server on 127.0.0.1 that
answers in UN Comtrade's exact format (``tests/fixtures/comtrade/replay.py``), with India as reporter.
Every figure below is SYNTHETIC test data, made up so the ranking can be worked out by hand.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from energytrade.build import build
from energytrade.cli import main
from energytrade.countries import iso3_codes
from energytrade.errors import NoImporterData
from energytrade.formatting import fmt_mt
from energytrade.report import write_report
from energytrade.report.chapters.crude_oil import fetch_command
from energytrade.report.render import REPORT_MD, render_report
from energytrade.sources.comtrade import RetryPolicy, check_query, fetch

_spec = importlib.util.spec_from_file_location(
    "comtrade_replay", Path(__file__).resolve().parent / "fixtures" / "comtrade" / "replay.py"
)
replay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replay)

KEY = "test-key-importer-4d2b"  # a made-up key for the local server
DAY = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
API_PATH = re.compile(r"^/(data/v1/get|public/v1/preview)/C/[MA]/HS$")
#: India as the reporter of every record (UN M49 code 699).
INDIA = {"reporterCode": 699, "reporterISO": "IND", "reporterDesc": "India"}
YEARS = (2021, 2022)
MONTHS = [f"{y}{m:02d}" for y in YEARS for m in range(1, 13)]

#: SYNTHETIC monthly crude imports of India [t] by partner and year: Iraq and Saudi Arabia steady,
#: Russia small in 2021 and the largest in 2022.
SYNTHETIC_T_PER_MONTH = {
    ("IRQ", 2021): 4_000_000,
    ("IRQ", 2022): 4_000_000,
    ("SAU", 2021): 3_000_000,
    ("SAU", 2022): 3_000_000,
    ("RUS", 2021): 100_000,
    ("RUS", 2022): 5_000_000,
}
#: SYNTHETIC unit values [USD/t].
SYNTHETIC_USD_PER_T = {"IRQ": 600.0, "SAU": 650.0, "RUS": 550.0}
NAMES = {"IRQ": "Iraq", "SAU": "Saudi Arabia", "RUS": "Russian Federation"}


def india_records(cmd: str = "2709") -> list[dict]:
    """SYNTHETIC records of India's monthly imports, in the API's exact format."""
    records = []
    for period in MONTHS:
        for iso3 in ("IRQ", "SAU", "RUS"):
            tonnes = SYNTHETIC_T_PER_MONTH[(iso3, int(period[:4]))]
            record = replay.make_record(
                period, iso3, NAMES[iso3], tonnes * 1000.0, tonnes * SYNTHETIC_USD_PER_T[iso3], cmd=cmd
            )
            records.append(record | INDIA)
    return records


def fetched_root(tmp_path: Path, httpserver, commodity: str, cmd: str, monkeypatch) -> Path:
    """A data root holding only India's fetched Comtrade data for one commodity."""
    monkeypatch.setenv("ENERGYTRADE_CALL_INTERVAL_S", "0")
    handler = replay.ComtradeReplay(india_records(cmd), api_key=KEY)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"
    request = check_query("IND", "all", commodity, "M", "M", "2021-01", "2022-12", keyed=True)
    fetch(
        request,
        data_dir / "raw",
        api_key=KEY,
        base_url=httpserver.url_for(""),
        retry=RetryPolicy(sleep=lambda s: None, timeout_s=(2.0, 10.0)),
        clock=lambda: DAY,
    )
    assert replay.assert_store_sound(data_dir / "raw")
    return data_dir


def test_report_on_india_names_india_and_its_suppliers(tmp_path, httpserver, monkeypatch):
    data_dir = fetched_root(tmp_path, httpserver, "crude_oil", "2709", monkeypatch)

    # Two workers: the importer reaches the chapters built in other processes too.
    written = write_report(data_dir, tmp_path / "out", importer="IND", formats=("md",), workers=2)

    md = (tmp_path / "out" / REPORT_MD).read_text()
    assert tmp_path / "out" / REPORT_MD in written
    assert md.startswith("# India's crude oil imports\n")
    assert "## Crude oil: India's suppliers" in md
    # Left out, and said so in the opening: the claims (about China) and the gas chapter.
    assert "## The article's claims" not in md and "Gas" not in re.findall(r"^## (.*)$", md, re.M)
    opening = "the chapter on the article's claims (about China) and the gas chapter (so far built on China's"
    assert opening in md
    assert "China" not in md.split("## Data and method")[0].split(opening)[1].split("\n", 1)[1]

    # Over 24 months: Iraq 24 x 4.0 Mt = 96 Mt, Saudi Arabia 24 x 3.0 Mt = 72 Mt, Russia 12 x 0.1 + 12 x 5.0 Mt.
    iraq_t = 24 * 4_000_000
    saudi_t = 24 * 3_000_000
    russia_t = 12 * 100_000 + 12 * 5_000_000
    total_t = iraq_t + saudi_t + russia_t
    assert f"India imported {fmt_mt(total_t)} of crude oil (UN Comtrade)" in md
    assert f"The largest supplier by tonnage was Iraq with {fmt_mt(iraq_t)}" in md
    assert f"ahead of Saudi Arabia with {fmt_mt(saudi_t)}" in md
    # Each year's leader: Iraq (48 Mt) in 2021, Russia (60 Mt against Iraq's 48 Mt) in 2022.
    assert "By tonnage, India's largest crude supplier was Iraq in 2021; Russia in 2022." in md
    # No press figures for India: no cross-source check, no China-only caveat; China's release lag and
    # the claims are not applied to India's figures.
    assert "Comtrade against the press" not in md and "Malaysia" not in md
    assert "What the figures showed on the article's date" not in md and "- Claims:" not in md
    assert "built offline from the public statistics in the data root" in md
    # Readers' words: no ISO3 code (IND, IRQ, RUS) in the prose, link targets and code spans aside.
    prose = re.sub(r"`[^`]*`", "", re.sub(r"\]\([^)]*\)", "]", md))
    assert sorted({w for w in re.findall(r"\b[A-Z]{3}\b", prose) if w in iso3_codes()}) == []
    tables = {p.name for p in (tmp_path / "out" / "tables").iterdir()}
    assert "crude_rankings_by_mass.csv" in tables and "cross_source_comparison.csv" not in tables


def test_report_without_the_importers_crude_data_is_one_line_naming_the_fetch_command(
    tmp_path, httpserver, monkeypatch, capsys
):
    # India's LNG was fetched, but not its crude oil.
    data_dir = fetched_root(tmp_path, httpserver, "lng", "271111", monkeypatch)

    status = main(["report", "--data-dir", str(data_dir), "--importer", "IND", "--out", str(tmp_path / "out")])

    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    # Progress lines ("[energytrade] ...") come first; the error is one line, the last.
    (error,) = [line for line in err.splitlines() if not line.startswith("[energytrade]")]
    assert err.splitlines()[-1] == error and error.startswith("energytrade: error: ")
    assert "IND" in error and "crude oil" in error
    command = "energytrade fetch comtrade --reporter IND --partner all --commodity 2709 --start 2020-01 --end 2024-12"
    assert command in error
    assert not (tmp_path / "out").exists()


def test_missing_importer_is_a_typed_error_in_the_api_too(tmp_path, httpserver, monkeypatch):
    data_dir = fetched_root(tmp_path, httpserver, "crude_oil", "2709", monkeypatch)
    flows, _, _ = build(data_dir)

    with pytest.raises(NoImporterData, match=re.escape(fetch_command("PAK"))):
        render_report(flows, data_dir=data_dir, importer="PAK")


def test_an_unknown_importer_code_fails_before_the_build(tmp_path, capsys):
    status = main(["report", "--data-dir", str(tmp_path), "--importer", "XYZ", "--out", str(tmp_path / "out")])

    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1  # no "[energytrade] cleaned ..." line: nothing was built
    assert err.startswith("energytrade: error: unknown country code 'XYZ'")
    assert not (tmp_path / "out").exists() and not (tmp_path / "processed").exists()
