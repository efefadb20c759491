"""The report on another importer than China (``--importer IND``), on a data root of fetched Comtrade data.

The data root is built the way a user builds it: ``fetch`` against a real HTTP server on 127.0.0.1 that
answers in UN Comtrade's exact format (``tests/fixtures/comtrade/replay.py``), with India as reporter.
Every figure below is SYNTHETIC test data, made up so the ranking can be worked out by hand; the gas
chapter's expected figures are computed here from the records the server serves.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from energytrade.build import build
from energytrade.claims.asof import ARTICLE_DATE
from energytrade.cli import main
from energytrade.countries import iso3_codes
from energytrade.errors import NoImporterData
from energytrade.formatting import fmt_change_pct, fmt_mt
from energytrade.report import write_report
from energytrade.report.chapter import Context
from energytrade.report.chapters import gas
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


def _fetch_into(data_dir: Path, base_url: str, commodity: str, start: str, end: str) -> None:
    request = check_query("IND", "all", commodity, "M", "M", start, end, keyed=True)
    fetch(
        request,
        data_dir / "raw",
        api_key=KEY,
        base_url=base_url,
        retry=RetryPolicy(sleep=lambda s: None, timeout_s=(2.0, 10.0)),
        clock=lambda: DAY,
    )


def fetched_root(tmp_path: Path, httpserver, commodity: str, cmd: str, monkeypatch) -> Path:
    """A data root holding only India's fetched Comtrade data for one commodity."""
    monkeypatch.setenv("ENERGYTRADE_CALL_INTERVAL_S", "0")
    handler = replay.ComtradeReplay(india_records(cmd), api_key=KEY)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    data_dir = tmp_path / "data"
    _fetch_into(data_dir, httpserver.url_for(""), commodity, "2021-01", "2022-12")
    assert replay.assert_store_sound(data_dir / "raw")
    return data_dir


# ------------------------------------------------------------------------------------------ gas and coal

#: The gas data cover three years, so that the first 12 months of the war (March 2022 to February 2023)
#: and the year before are complete; the crude data (above) stop in December 2022.
GAS_YEARS = (2021, 2022, 2023)
GAS_MONTHS = [f"{y}{m:02d}" for y in GAS_YEARS for m in range(1, 13)]
#: SYNTHETIC monthly imports of India [t] by commodity (HS code), partner and year: Russia rises in each,
#: overtaking Australia in LNG in 2023.
SYNTHETIC_GAS_T_PER_MONTH: dict[tuple[str, str], tuple[float, float, float]] = {
    ("271111", "QAT"): (800_000, 800_000, 800_000),
    ("271111", "AUS"): (300_000, 300_000, 300_000),
    ("271111", "RUS"): (50_000, 150_000, 400_000),
    ("271121", "TKM"): (60_000, 60_000, 60_000),
    ("271121", "RUS"): (20_000, 30_000, 40_000),
    ("2701", "IDN"): (6_000_000, 6_000_000, 6_000_000),
    ("2701", "AUS"): (5_000_000, 5_000_000, 5_000_000),
    ("2701", "RUS"): (1_000_000, 2_000_000, 3_000_000),
}
#: SYNTHETIC unit values [USD/t] by commodity (HS code) and partner.
SYNTHETIC_GAS_USD_PER_T = {
    ("271111", "QAT"): 500.0,
    ("271111", "AUS"): 550.0,
    ("271111", "RUS"): 450.0,
    ("271121", "TKM"): 320.0,
    ("271121", "RUS"): 300.0,
    ("2701", "IDN"): 80.0,
    ("2701", "AUS"): 120.0,
    ("2701", "RUS"): 100.0,
}
GAS_NAMES = NAMES | {"QAT": "Qatar", "AUS": "Australia", "IDN": "Indonesia", "TKM": "Turkmenistan"}
GAS_HS = {"lng": "271111", "pipeline_gas": "271121", "coal": "2701"}


def india_gas_records() -> list[dict]:
    """SYNTHETIC records of India's monthly LNG, pipeline-gas and coal imports, in the API's exact format."""
    records = []
    for period in GAS_MONTHS:
        for (cmd, iso3), per_year in SYNTHETIC_GAS_T_PER_MONTH.items():
            tonnes = per_year[GAS_YEARS.index(int(period[:4]))]
            usd = tonnes * SYNTHETIC_GAS_USD_PER_T[(cmd, iso3)]
            records.append(replay.make_record(period, iso3, GAS_NAMES[iso3], tonnes * 1000.0, usd, cmd=cmd) | INDIA)
    return records


def served(records: list[dict]) -> pd.DataFrame:
    """The served records as a frame: HS code, ``YYYY-MM``, partner, tonnes, US dollars."""
    return pd.DataFrame(
        {
            "cmd": [r["cmdCode"] for r in records],
            "month": [f"{r['period'][:4]}-{r['period'][4:]}" for r in records],
            "partner": [r["partnerISO"] for r in records],
            "t": [r["netWgt"] / 1000.0 for r in records],
            "usd": [r["primaryValue"] for r in records],
        }
    )


@pytest.fixture(scope="module")
def india_gas_report(tmp_path_factory, make_httpserver):
    """India's data root with crude oil (2021-2022) and LNG, pipeline gas and coal (2021-2023) fetched
    from the replay server, and the report written on it once for the module's tests."""
    records = india_records("2709") + india_gas_records()
    make_httpserver.clear()  # the session's server: earlier tests' handlers may still be registered
    make_httpserver.expect_request(API_PATH, method="GET").respond_with_handler(
        replay.ComtradeReplay(records, api_key=KEY)
    )
    root = tmp_path_factory.mktemp("india_gas")
    data_dir = root / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ENERGYTRADE_CALL_INTERVAL_S", "0")
        _fetch_into(data_dir, make_httpserver.url_for(""), "crude_oil", "2021-01", "2022-12")
        for commodity in GAS_HS:
            _fetch_into(data_dir, make_httpserver.url_for(""), commodity, "2021-01", "2023-12")
    make_httpserver.clear()
    assert replay.assert_store_sound(data_dir / "raw")
    out = root / "out"
    write_report(data_dir, out, importer="IND", formats=("md",), workers=1)
    return {"data_dir": data_dir, "out": out, "md": (out / REPORT_MD).read_text(), "served": served(records)}


def test_report_on_india_names_india_and_its_suppliers(tmp_path, httpserver, monkeypatch):
    data_dir = fetched_root(tmp_path, httpserver, "crude_oil", "2709", monkeypatch)

    # Two workers: the importer reaches the chapters built in other processes too.
    written = write_report(data_dir, tmp_path / "out", importer="IND", formats=("md",), workers=2)

    md = (tmp_path / "out" / REPORT_MD).read_text()
    assert tmp_path / "out" / REPORT_MD in written
    assert md.startswith("# India's crude oil imports\n")
    assert "## Crude oil: India's suppliers" in md
    # Left out, and said so in the opening: the claims (about China), and the gas chapter for want of
    # India's gas and coal rows, with the command that fetches them.
    headings = re.findall(r"^## (.*)$", md, re.M)
    assert "The article's claims" not in headings and "Gas, coal and energy from Russia" not in headings
    intro = next(line for line in md.splitlines() if line.startswith("*This report is about India's imports"))
    assert intro == (
        "*This report is about India's imports: the chapter on the article's claims (about China) is left out. "
        "The gas chapter is left out: the data root holds none of India's imports of LNG (HS 271111), pipeline "
        "gas (HS 271121) or coal (HS 2701); fetch them with `energytrade fetch comtrade --reporter IND --partner "
        "all --commodity 271111 --start 2020-01 --end 2024-12`, then the same with `--commodity 271121` and "
        "`--commodity 2701`.*"
    )
    assert "China" not in md.split("## Data and method")[0].split(intro)[1]

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


def _chapter(md: str, title: str) -> str:
    return md.split(f"## {title}\n\n", 1)[1].split("\n## ", 1)[0]


def test_gas_chapter_for_india_holds_its_figures_computed_from_the_served_records(india_gas_report):
    md, rows = india_gas_report["md"], india_gas_report["served"]
    out = india_gas_report["out"]
    assert md.startswith("# India's crude oil, gas and coal imports\n")
    assert re.findall(r"^## (.*)$", md, re.M)[:2] == [
        "Crude oil: India's suppliers",
        "Gas, coal and energy from Russia",
    ]
    intro = next(line for line in md.splitlines() if line.startswith("*This report is about India's imports"))
    assert intro.endswith("the chapter on the article's claims (about China) is left out.*")
    chapter = _chapter(md, "Gas, coal and energy from Russia")

    # China's press figures and pipeline are not India's: one plain sentence says what is missing.
    assert "Power of Siberia" not in chapter and "Russian pipeline gas to" not in chapter
    assert chapter.startswith(
        "There are no pipeline-gas volumes in billion cubic metres for India: these come from press figures "
        "(Gazprom, China's customs), which the data root holds for China only, so Russia's pipeline gas is "
        "shown by customs value.\n"
    )
    assert "fetch them with" not in chapter  # every gas commodity is in the data root

    # Per calendar year, Russia's supplies: the sums of the served records.
    annual = pd.read_csv(out / "tables" / "gas_russia_annual.csv", dtype={"period": str})
    russia = rows[rows["partner"] == "RUS"].assign(year=lambda f: f["month"].str[:4])
    by_year = russia.groupby(["cmd", "year"])[["t", "usd"]].sum()
    assert annual["period"].tolist() == [str(y) for y in GAS_YEARS]
    for year in annual["period"]:
        row = annual.set_index("period").loc[year]
        assert row["lng_mt"] == pytest.approx(by_year.loc[("271111", year), "t"] / 1e6)
        assert row["lng_usd_bn"] == pytest.approx(by_year.loc[("271111", year), "usd"] / 1e9)
        assert row["pipeline_gas_usd_bn"] == pytest.approx(by_year.loc[("271121", year), "usd"] / 1e9)
        assert row["coal_mt"] == pytest.approx(by_year.loc[("2701", year), "t"] / 1e6)
        assert pd.isna(row["pipeline_gas_bcm"])  # no press volumes for India
    # Crude oil was served for 2021 and 2022 only: 2023 is empty, never a partial sum.
    assert annual["crude_oil_mt"].isna().tolist() == [False, False, True]
    assert pd.read_csv(out / "tables" / "gas_russia_pipeline_volumes.csv").empty

    # Since the war: the first 12 months of the war against the 12 months before (no release lag of
    # China's customs applied to India), per commodity and measure, from the served records.
    window = [str(m) for m in pd.period_range("2022-03", "2023-02", freq="M")]
    baseline = [str(m) for m in pd.period_range("2021-03", "2022-02", freq="M")]

    def change(cmd: str, column: str) -> str:
        mine = russia[russia["cmd"] == cmd]
        now, before = (mine.loc[mine["month"].isin(months), column].sum() for months in (window, baseline))
        return fmt_change_pct((now - before) / before * 100)

    crude_gap = sum(m.replace("-", "") not in MONTHS for m in window + baseline)
    assert crude_gap == 2  # January and February 2023
    expected = (
        "March 2022–February 2023 (first 12 months of the war), India's imports from Russia against the same "
        f"months a year earlier: crude oil by tonnage no change ({crude_gap} months without data in the two "
        f"windows), crude oil by value no change ({crude_gap} months without data in the two windows), "
        f"LNG by tonnage {change('271111', 't')}, LNG by value {change('271111', 'usd')}, pipeline gas by value "
        f"{change('271121', 'usd')}, coal by tonnage {change('2701', 't')} and coal by value {change('2701', 'usd')}."
    )
    assert "### Since the war began\n\n" + expected + "\n" in chapter

    # Russia's rank per year among India's LNG suppliers by tonnage and pipeline suppliers by value.
    def ranks(cmd: str, column: str, label: str) -> str:
        parts = []
        for year in (str(y) for y in GAS_YEARS):
            sums = rows[(rows["cmd"] == cmd) & rows["month"].str.startswith(year)].groupby("partner")[column].sum()
            rank = int((sums > sums["RUS"]).sum()) + 1
            parts.append(f"no. {rank} of {len(sums)} in {year} ({sums['RUS'] / sums.sum() * 100:.1f} %)")
        return f"Russia among India's suppliers of {label}: {parts[0]}, {parts[1]} and {parts[2]}."

    assert ranks("271111", "t", "LNG, by tonnage").startswith(
        "Russia among India's suppliers of LNG, by tonnage: no. 3 of 3 in 2021"
    )  # the synthetic data: third in 2021, second in 2023
    assert "no. 2 of 3 in 2023" in ranks("271111", "t", "LNG, by tonnage")
    assert ranks("271111", "t", "LNG, by tonnage") + "\n" in chapter
    assert ranks("271121", "usd", "pipeline gas, by value") + "\n" in chapter

    figures = {p.name for p in (out / "figures").iterdir()}
    assert {"gas_coal_from_russia.png", "gas_russia_rank.png"} <= figures
    assert "#### India's gas and coal imports from Russia" in chapter
    assert "#### Russia among India's gas suppliers" in chapter
    # Readers' words: no ISO3 code in the prose, link targets and code spans aside.
    prose = re.sub(r"`[^`]*`", "", re.sub(r"\]\([^)]*\)", "]", md))
    assert sorted({w for w in re.findall(r"\b[A-Z]{3}\b", prose) if w in iso3_codes()}) == []


def test_gas_chapter_says_which_commodities_are_missing_and_which_russia_did_not_sell(india_gas_report):
    flows, _, _ = build(india_gas_report["data_dir"])
    # India's pipeline gas not fetched, and Russia not among its coal suppliers.
    partial = flows[
        (flows["commodity"] != "pipeline_gas") & ~((flows["commodity"] == "coal") & (flows["partner_iso3"] == "RUS"))
    ]

    g = gas.gas_tables(partial, importer="IND")

    assert g.source == "comtrade" and g.commodities == ("crude_oil", "lng", "coal")
    assert g.from_focus == ("crude_oil", "lng")
    assert gas.missing_note(g) == (
        "The data root holds none of India's imports of pipeline gas (HS 271121); fetch them with "
        "`energytrade fetch comtrade --reporter IND --partner all --commodity 271121 --start 2020-01 "
        "--end 2024-12`. Russia does not appear among India's suppliers of coal in these figures."
    )
    assert set(g.changes["commodity"]) == {"crude_oil", "lng"}
    assert set(g.rank_annual["commodity"]) == {"lng"}
    assert g.annual["pipeline_gas_usd_bn"].isna().all() and g.annual["coal_mt"].isna().all()
    # The chapter opens with that sentence; without Russia's coal the gas-and-coal figure is left out.
    chapter = gas.build(Context(flows=partial, article_date=ARTICLE_DATE, importer="IND"))
    assert chapter.markdown.startswith(gas.missing_note(g) + "\n\n### Since the war began\n\n")
    assert [f.name for f in chapter.figures] == ["gas_russia_rank"]
    # An importer without any gas or coal rows gets no chapter.
    assert gas.gas_source(partial, "PAK") is None
