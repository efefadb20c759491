"""The report end to end on the bundled data: files, identical reruns, computed headlines, self-contained HTML.

One report is written in-process (:func:`write_report` on the clean table, once per session by the
``bundled_report`` fixture of tests/conftest.py); the second run is the CLI in a fresh interpreter on a copy
of the data root, so string-hash order or leftover state would show.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from energytrade import analysis
from energytrade.build import load_trade_flows
from energytrade.claims import evaluate
from energytrade.claims.asof import ARTICLE_DATE
from energytrade.countries import iso3_codes
from energytrade.formatting import (
    VERDICT_NAMES,
    display_name,
    fmt_change_pct,
    fmt_date,
    fmt_kbd,
    fmt_mt,
    fmt_pct,
    fmt_usd_bbl,
    fmt_usd_bn,
)
from energytrade.paths import REPO_ROOT
from energytrade.report import render
from energytrade.report.chapters.claims import claim_figure
from energytrade.report.chapters.crude_oil import CSV_NAMES, crude_tables, headline_findings
from energytrade.report.pauses import collection_paused

FIGURES = (
    "crude_imports_top_suppliers",
    "crude_monthly_leader_russia_rank",
    "crude_annual_rankings",
    "crude_unit_values_rus_sau",
    "crude_market_shares",
    "gas_coal_from_russia",
    "gas_russia_rank",
    "europe_redirection",
    "europe_discount",
    "coverage",
)
#: The tables of the gas, Europe and sources chapters (the crude chapter's are :data:`CSV_NAMES`).
OTHER_TABLES = (
    "gas_russia_annual",
    "gas_russia_pipeline_volumes",
    "gas_russia_changes_since_war",
    "gas_russia_rank_annual",
    "europe_russian_share",
    "europe_russian_share_by_importer",
    "europe_replacement",
    "europe_discount",
    "europe_barrels_per_tonne",
    "europe_redirection_change",
    "europe_ei_cross_check",
    "sources_overview",
    "sources_files",
    "cross_source_summary",
)


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    return load_trade_flows()


@pytest.fixture(scope="module")
def results(flows):
    return evaluate(flows=flows)


@pytest.fixture(scope="module")
def report(bundled_report) -> tuple[Path, list[Path]]:
    """The bundled report written in-process, once per session (tests/conftest.py; shared with the browser test)."""
    assert bundled_report.progress, "no progress lines"
    return bundled_report.out, bundled_report.written


@pytest.fixture(scope="module")
def md(report) -> str:
    return (report[0] / "report.md").read_text(encoding="utf-8")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_report_writes_the_expected_files(report, results):
    out, written = report
    expected = {"report.md", "report.html", "energytrade_tables.xlsx"}
    expected |= {f"figures/{name}.png" for name in FIGURES}
    expected |= {f"tables/{name}" for name in CSV_NAMES.values()}
    expected |= {f"tables/{name}.csv" for name in OTHER_TABLES}
    for result in results:
        expected |= {f"figures/claim_{result.id}.png", f"tables/claim_{result.id}_evidence.csv"}
        expected |= {f"figures/claim_{result.id}_timeline.png"}
    assert set(_files(out)) == expected
    assert [p.relative_to(out).as_posix() for p in written][:2] == ["report.md", "report.html"]
    assert {p.relative_to(out).as_posix() for p in written} == expected
    assert all(p.stat().st_size > 0 for p in written)


def test_second_run_by_the_cli_gives_identical_bytes(report, data_copy, tmp_path):
    data = data_copy  # raw/ and Eurostat's grade table (built once per session): the CLI builds the clean table
    out = tmp_path / "again"
    done = subprocess.run(
        [sys.executable, "-m", "energytrade", "report", "--data-dir", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "[energytrade]" in done.stderr  # progress lines
    assert (data / "processed" / "trade_flows.csv").is_file()  # the report builds the clean table
    first, second = _files(report[0]), _files(out)
    assert sorted(first) == sorted(second)
    # The workbook carries its writer's timestamps (energytrade.report.excel's concern, not the renderer's).
    differing = [name for name in first if first[name] != second[name] and not name.endswith(".xlsx")]
    assert differing == []


def test_outputs_hold_no_absolute_paths(report):
    for name, data in _files(report[0]).items():
        if name.endswith((".png", ".xlsx")):
            continue
        text = data.decode("utf-8")
        assert str(REPO_ROOT) not in text, name
        assert str(report[0]) not in text, name


def test_ranking_table_and_headlines_state_the_rankings_computed_by_analysis(md, flows):
    for year in ("2020", "2022", "2023", "2024"):
        for _, row in analysis.supplier_ranking(flows, "crude_oil", year, "mass").head(8).iterrows():
            name = display_name(row["partner_iso3"], row["partner_name"])
            assert f"| {name}: {fmt_mt(row['net_weight_t'])}, {fmt_pct(row['share_pct'])} |" in md
    r2022 = analysis.supplier_ranking(flows, "crude_oil", "2022", "mass").set_index("partner_iso3")
    assert f"Saudi Arabia led by tonnage with {fmt_mt(r2022.loc['SAU', 'net_weight_t'])}" in md
    assert f"Russia's {fmt_mt(r2022.loc['RUS', 'net_weight_t'])}" in md
    value = analysis.supplier_ranking(flows, "crude_oil", "2022", "value").set_index("partner_iso3")
    assert fmt_usd_bn(value.loc["RUS", "value_usd"]) in md


def test_headline_on_the_article_date_uses_november_2022(md, flows):
    leaders = analysis.monthly_leaders(flows, "crude_oil", "bpd").set_index("period")
    nov = leaders.loc["2022-11"]
    assert f"November 2022: Russia led with {fmt_kbd(nov['leader_value'])}, {fmt_pct(nov['margin_pct'])} ahead" in md
    ytd = analysis.supplier_ranking(flows, "crude_oil", "2022-01/2022-11", "mass")
    assert fmt_mt(ytd.iloc[0]["net_weight_t"]) in md


def test_headline_months_led_and_growth(md, flows):
    leaders = analysis.monthly_leaders(flows, "crude_oil", "mass")
    n_led = int((leaders["leader_iso3"] == "RUS").sum())
    assert f"in {n_led} of the {len(leaders)} months" in md
    yoy = analysis.yoy_change(flows, "crude_oil", "mass", "A", "RUS").set_index("period")
    assert f"{fmt_mt(yoy.loc['2023', 'value'])} in 2023 ({fmt_change_pct(yoy.loc['2023', 'change_pct'])})" in md


def test_headline_price_discount_and_cross_source(md, flows):
    discount = analysis.price_discount(flows, "RUS", "SAU", "A").set_index("period")
    row = discount.loc["2022"]
    assert f"{fmt_usd_bbl(row['discount_usd_per_bbl'])} ({fmt_pct(row['discount_pct'])}) in 2022" in md
    cross = analysis.cross_source_comparison(flows)
    figures = cross.drop_duplicates(
        ["commodity", "period", "freq", "partner_iso3", "metric", "other_hs_code", "other_value"]
    )
    like = figures[figures["like_for_like"]]
    unlike = figures[~figures["like_for_like"]]
    assert len(unlike) > 0  # the press's coal is HS 2701+2702, the extract's HS 2701
    assert (
        f"{len(figures)} distinct figures printed in the press (China customs, GACC; {len(cross)} counting each "
        "outlet that printed them)"
    ) in md
    assert f"Of the {len(like)} that cover the same HS codes in both, {int(like['flagged'].sum())} differ" in md
    assert f"the other {len(unlike)} cover different HS codes (coal: HS 2701+2702 in the press, HS 2701 in" in md
    assert f"{int(unlike['flagged'].sum())} of them differ by more than 2 %" in md
    assert "Differences come from" not in md  # no cause asserted without evidence


def test_headlines_say_which_figures_the_sums_leave_out(md, flows):
    span = analysis.supplier_ranking(flows, "crude_oil", "2020-01/2024-12", "mass")
    lacking = int(span["months_missing_figure"].sum())
    assert lacking > 0  # the bundled extract has partner rows without a tonnage figure
    assert f"{fmt_mt(span['net_weight_t'].sum())} of crude oil" in md
    assert f"sums of the figures present; {lacking} partner-months without a tonnage figure (" in md
    by_year = {
        y: int(analysis.supplier_ranking(flows, "crude_oil", y, "mass")["months_missing_figure"].sum())
        for y in ("2020", "2021", "2022", "2023", "2024")
    }
    for year, n in by_year.items():
        assert (f"In {year}, the totals and shares are sums of the figures present; {n} partner-month" in md) == (n > 0)


def test_headlines_follow_the_data_not_typed_in_numbers(flows):
    """Double Russia's 2022 tonnage: the sentences must name Russia the 2022 leader with the new figure."""
    doubled = flows.copy()
    rows = (
        (doubled["partner_iso3"] == "RUS")
        & (doubled["commodity"] == "crude_oil")
        & doubled["period"].str.startswith("2022")
    )
    doubled.loc[rows, "net_weight_kg"] *= 2
    tables = crude_tables(doubled)
    text = " ".join(f.text for f in headline_findings(doubled, tables, ARTICLE_DATE))
    new = analysis.supplier_ranking(doubled, "crude_oil", "2022", "mass").iloc[0]
    assert new["partner_iso3"] == "RUS"
    assert f"In 2022 Russia led by tonnage with {fmt_mt(new['net_weight_t'])}" in text


def test_headlines_leave_a_gap_where_russias_tonnage_is_missing(flows):
    """Blank Russia's tonnage for March 2022: no 2022 total for Russia, and the 2022 sums say so."""
    blanked = flows.copy()
    rows = (
        (blanked["partner_iso3"] == "RUS")
        & (blanked["commodity"] == "crude_oil")
        & (blanked["source"] == "comtrade_extract")
        & (blanked["period"] == "2022-03")
    )
    assert rows.sum() == 1
    blanked.loc[rows, "net_weight_kg"] = float("nan")
    tables = crude_tables(blanked)
    findings = {f.key: f.text for f in headline_findings(blanked, tables, ARTICLE_DATE)}
    assert "no total in 2022 (1 month without a figure, 12 of 12 months with data)" in findings["focus_growth"]
    yoy = tables.focus_yoy[(tables.focus_yoy["metric"] == "mass")].set_index("period")
    assert pd.isna(yoy.loc["2023", "change_pct"])  # 2023 against a partial 2022: no change
    assert f"{fmt_mt(yoy.loc['2023', 'value'])} in 2023 and" in findings["focus_growth"]
    assert (
        "In 2022, the totals and shares are sums of the figures present; 1 partner-month without a tonnage "
        "figure (Russia) is left out." in findings["annual_leaders"]
    )
    assert "1 partner-month without a tonnage figure (Russia) is left out" in findings["article_year"]


def test_claims_section_has_each_quote_verdict_table_and_figure(md, results):
    assert results, "no claims evaluated"
    for result in results:
        d = result.to_dict()
        assert d["quote"] in md
        assert f"**Verdict as of {fmt_date(d['as_of'])}: {VERDICT_NAMES[d['verdict']]}**" in md
        assert f"(figures/claim_{d['id']}.png)" in md
        assert f"tables/claim_{d['id']}_evidence.csv" in md


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.refs.append((tag, name, value))


def test_html_is_self_contained(report):
    html = (report[0] / "report.html").read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(html)
    srcs = [v for tag, name, v in parser.refs if name == "src"]
    assert srcs and all(v.startswith("data:image/png;base64,") for v in srcs)
    assert len(srcs) == html.count("data:image/png;base64,")
    external = [v for _, _, v in parser.refs if v.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "link" not in parser.tags and "script" not in parser.tags
    assert "<style>" in html and "<table>" in html
    # every table scrolls in its own box (the CSS gives .table-scroll overflow-x: auto)
    assert html.count('<div class="table-scroll">\n<table>') == html.count("<table>")


@pytest.mark.parametrize("name", FIGURES)
def test_figures_are_pngs_of_a_readable_size(report, name):
    data = (report[0] / "figures" / f"{name}.png").read_bytes()
    assert data.startswith(b"\x89PNG")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 1000 and height >= 400  # the coverage heatmap is the flattest


#: snake_case identifiers (``crude_oil``, ``energy_total``) have no place in what a reader reads.
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: Three capitals: an ISO3 code when it is one (``SAU``), else a word such as USD or LNG.
THREE_CAPITALS = re.compile(r"\b[A-Z]{3}\b")


def prose(md_text: str) -> str:
    """The report's prose: headings, paragraphs, list items and table cells, without link targets,
    image paths and code spans (file names such as ``tables/crude_rankings_by_mass.csv`` are fine there)."""
    text = re.sub(r"\]\([^)]*\)", "]", md_text)
    return re.sub(r"`[^`]*`", "", text)


def test_prose_scan_catches_codes_and_identifiers():
    """The scan itself: a snake_case word and an ISO3 code in prose are found; the same in a link or
    code span are not."""
    text = prose("Russia led over SAU in crude_oil. See [the table](tables/crude_oil.csv) or `energy_total`.")
    assert SNAKE_CASE.findall(text) == ["crude_oil"]
    assert [w for w in THREE_CAPITALS.findall(text) if w in iso3_codes()] == ["SAU"]


def test_report_prose_has_no_identifiers_or_iso3_codes(md):
    text = prose(md)
    assert SNAKE_CASE.findall(text) == []
    codes = sorted({w for w in THREE_CAPITALS.findall(text) if w in iso3_codes()})
    assert codes == []
    assert re.findall(r"\b\d{4}-\d{2}(?:-\d{2})?\b", text) == []  # months and days in words
    assert re.findall(r"\b\d{4}-\d{2}/\d{4}-\d{2}\b", text) == []  # windows in words


def test_every_source_is_described_with_publisher_and_licence(md):
    method = md.split("## Data and method", 1)[1]
    for name in ("UN Comtrade", "China customs (GACC) online query", "as printed in the press"):
        line = next(line for line in method.splitlines() if name in line and "published by" in line)
        assert "licence:" in line
    assert "data/raw/&lt;source>/&lt;vintage>/&lt;file>.meta.yml" in method  # shows as <source> in HTML


def test_later_findings_are_folded(md, report):
    assert md.count("<details><summary>Known later, not used for the verdict") >= 2
    html = (report[0] / "report.html").read_text(encoding="utf-8")
    assert html.count("<details>") == md.count("<details>")
    assert "data/raw/&lt;source&gt;/&lt;vintage&gt;/&lt;file&gt;.meta.yml" in html


def test_malaysia_caveat_once_where_rankings_are_shown(md):
    assert md.count("relabelled") == 1
    ranking = md.split("### Annual ranking of suppliers", 1)[1]
    assert "Iranian crude relabelled" in ranking.split("\n\n")[1]


def test_report_format_option_refuses_unknown_formats(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "energytrade", "report", "--format", "md,pdf", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "unknown format 'pdf'; choose among md, html, xlsx" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_marker_is_left_unreplaced(md, report):
    html = (report[0] / "report.html").read_text(encoding="utf-8")
    assert "{{" not in md and "}}" not in md
    assert "{{" not in html and "}}" not in html


def test_oil_claim_figure_panels_share_one_time_axis(results, flows):
    """The "as of" line must sit at the same place in both panels: one x range for all."""
    from_claims = {r.id: r for r in results}
    fig = claim_figure(from_claims["russia-largest-oil-supplier"], flows)
    ranges = {tuple(round(x, 6) for x in ax.get_xlim()) for ax in fig.axes if ax.get_lines()}
    assert len([ax for ax in fig.axes if ax.get_lines()]) == 2
    assert len(ranges) == 1
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_lines()]
    assert labels[0] == "crude oil, rate per month [kb/d]"  # crude oil in kb/d, as in every figure


def test_the_collector_waits_while_chapters_are_built_and_is_restored_after():
    assert gc.isenabled()
    with render.building():
        assert not gc.isenabled()
        with collection_paused():  # a nested pause does not turn the collector back on when it ends
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failed build")
    assert gc.isenabled()
