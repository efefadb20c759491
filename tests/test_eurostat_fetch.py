"""The Eurostat client against a real HTTP server on 127.0.0.1 answering like the dissemination API:
gzip SDMX-CSV data, an SDMX-ML code list, JSON error bodies (see tests/fixtures/eurostat/README.md).

Each test reads as a worked example: what the server answers, which requests the client sends, what ends
up in the store. Waits are recorded, not slept.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import requests
from werkzeug import Response

from energytrade.build import check_expected
from energytrade.cli import build_parser, main, run_fetch_eurostat
from energytrade.errors import BadPeriod, MissingSourceFiles
from energytrade.raw import read_sidecar, verify, write_sidecar
from energytrade.sources import eurostat, eurostat_coifpm
from energytrade.sources.eurostat.errors import (
    EurostatBadQuery,
    EurostatBadResponse,
    EurostatNotFound,
    EurostatRequestRejected,
    EurostatTooBig,
)
from energytrade.sources.http import RetryPolicy, Throttle
from energytrade.store import flows

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eurostat"
CODELIST_XML = (FIXTURES / "codelist_CRUDEOIL_constructed.xml").read_bytes()
#: Verbatim from the bundled reference file (Eurostat's SDMX-CSV layout).
HEADER = "DATAFLOW,LAST UPDATE,freq,crudeoil,indic_nrg,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"
DATAFLOW, LAST_UPDATE = "ESTAT:NRG_TI_COIFPM(1.0)", "28/02/24 11:00:00"
DAY_1 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
DAY_2 = datetime(2026, 2, 9, 9, 30, tzinfo=timezone.utc)
DATA_PATH = re.compile(r"^/sdmx/2\.1/data/NRG_TI_COIFPM/(?P<key>[^/]*)$")
CODELIST_PATH = "/sdmx/2.1/codelist/ESTAT/CRUDEOIL"
MONTHS_2022 = [f"2022-{m:02d}" for m in range(1, 13)]
#: Synthetic grid: two grades, two measures, two importers, every month of 2022; a figure per cell.
GRADES, MEASURES, IMPORTERS = ("RU_URL", "TOTAL"), ("VOL_THS_BBL", "AVGPRC_USD_BBL"), ("EU_V", "DE")
ROWS = [
    (grade, measure, geo, month, f"{100 + i}", "")
    for i, (grade, measure, geo, month) in enumerate(
        (g, m, geo, t) for g in GRADES for m in MEASURES for geo in IMPORTERS for t in MONTHS_2022
    )
]


def sdmx_csv(rows) -> bytes:
    """Rows as Eurostat's gzip SDMX-CSV (CRLF line ends, as seen in its answers)."""
    lines = [HEADER] + [",".join([DATAFLOW, LAST_UPDATE, "M", *row]) for row in rows]
    return gzip.compress(("\r\n".join(lines) + "\r\n").encode(), mtime=0)


def error_body(status: int, label: str) -> bytes:
    return json.dumps({"error": [{"status": status, "id": 100, "label": label}]}).encode()


class EurostatReplay:
    """Answers the SDMX data endpoint from :data:`ROWS` (filtered by key and periods) and the code list.

    ``faults`` are answered first, one per data request; a request for more than ``max_months`` months is
    refused with 413 ``EXTRACTION_TOO_BIG``.
    """

    def __init__(self, rows=ROWS, faults=(), max_months=None):
        self.rows, self.faults, self.max_months = list(rows), list(faults), max_months
        self.bodies: list[bytes] = []

    def __call__(self, request):
        if self.faults:
            return self.faults.pop(0)
        key = DATA_PATH.match(request.path).group("key")
        wanted = [set(part.split("+")) if part else None for part in key.split(".")]
        start, end = request.args.get("startPeriod", "0000-00"), request.args.get("endPeriod", "9999-99")
        months = [m for m in MONTHS_2022 if start <= m <= end]
        if self.max_months is not None and len(months) > self.max_months:
            label = f"EXTRACTION_TOO_BIG: The requested extraction is too big ({len(months)} months)"
            return Response(error_body(413, label), status=413, content_type="application/json")
        rows = [
            r
            for r in self.rows
            if start <= r[3] <= end and all(w is None or v in w for w, v in zip(wanted, ("M", *r[:3])))
        ]
        body = sdmx_csv(rows)
        self.bodies.append(body)
        return Response(body, status=200, content_type="application/octet-stream")


def serve(httpserver, **kwargs):
    handler = EurostatReplay(**kwargs)
    httpserver.expect_request(DATA_PATH, method="GET").respond_with_handler(handler)
    httpserver.expect_request(CODELIST_PATH, method="GET").respond_with_data(
        CODELIST_XML, content_type="application/vnd.sdmx.structure+xml;version=2.1"
    )
    return handler


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def retry(sleeps):
    return RetryPolicy(sleep=sleeps.append, timeout_s=(2.0, 10.0))


def request_2022(filters=("geo=EU_V,DE", "indic_nrg=VOL_THS_BBL"), start="2022-01", end="2022-12"):
    return eurostat.check_query("nrg_ti_coifpm", list(filters), start, end, today=date(2026, 12, 2))


def run(request, raw_root, httpserver, retry, when=DAY_1, **kwargs):
    return eurostat.fetch(
        request,
        raw_root,
        base_url=httpserver.url_for("/"),
        retry=retry,
        throttle=Throttle(0),
        clock=lambda: when,
        **kwargs,
    )


def sent(httpserver):
    return [(req.path, dict(req.args)) for req, _ in httpserver.log]


def stored(raw_root, pattern="*.csv.gz"):
    return sorted((raw_root / "eurostat_coifpm").glob(f"*/{pattern}"))


# ----------------------------------------------------------------------------------------- normal fetches
def test_a_filtered_fetch_stores_the_gzip_as_received_and_the_grade_code_list_beside_it(httpserver, tmp_path, retry):
    handler = serve(httpserver)
    raw_root = tmp_path / "raw"

    result = run(request_2022(), raw_root, httpserver, retry)

    assert sent(httpserver) == [
        (
            "/sdmx/2.1/data/NRG_TI_COIFPM/..VOL_THS_BBL.EU_V+DE",
            {"format": "SDMX-CSV", "compressed": "true", "startPeriod": "2022-01", "endPeriod": "2022-12"},
        ),
        (CODELIST_PATH, {}),
    ]
    (data,) = stored(raw_root)
    assert data.parent == raw_root / "eurostat_coifpm" / "2026-01-05"
    assert data.read_bytes() == handler.bodies[0]  # byte for byte, still gzip
    # Rows: both grades x both importers x 12 months of one measure.
    expected_rows = len(GRADES) * len(IMPORTERS) * 12
    meta = verify(data)
    assert meta["row_count"] == expected_rows == result.rows
    assert meta["kind"] == "eurostat-sdmx-csv" and meta["source"] == "eurostat_coifpm"
    assert meta["urls"] == [
        httpserver.url_for("/sdmx/2.1/data/NRG_TI_COIFPM/..VOL_THS_BBL.EU_V+DE")
        + "?format=SDMX-CSV&compressed=true&startPeriod=2022-01&endPeriod=2022-12"
    ]
    assert meta["request"]["filters"] == {"indic_nrg": ["VOL_THS_BBL"], "geo": ["EU_V", "DE"]}
    (codelist,) = stored(raw_root, "codelist_*.xml")
    assert codelist.parent == data.parent and codelist.read_bytes() == CODELIST_XML
    assert read_sidecar(codelist)["codelist"] == "CRUDEOIL"
    # Read back as the cleaner will: the bundled file's layout.
    lines = gzip.decompress(data.read_bytes()).decode().splitlines()
    assert lines[0] == HEADER and len(lines) == 1 + expected_rows

    again = run(request_2022(), raw_root, httpserver, retry, when=DAY_2)

    assert len(httpserver.log) == 2 and again.requests_sent == 0 and len(again.reused) == 1


def test_refresh_pulls_a_new_vintage_beside_the_old_one(httpserver, tmp_path, retry):
    serve(httpserver)
    raw_root = tmp_path / "raw"
    run(request_2022(), raw_root, httpserver, retry)

    result = run(request_2022(), raw_root, httpserver, retry, when=DAY_2, refresh=True)

    assert result.requests_sent == 2  # the data and the code list, again
    assert [p.parent.name for p in stored(raw_root)] == ["2026-01-05", "2026-02-09"]
    assert [p.parent.name for p in stored(raw_root, "codelist_*.xml")] == ["2026-01-05", "2026-02-09"]


# ------------------------------------------------------------------------------------------------ refusals
def test_a_request_refused_as_too_big_is_split_and_says_so(httpserver, tmp_path, retry):
    serve(httpserver, max_months=6)
    raw_root = tmp_path / "raw"
    told = []

    result = run(request_2022(), raw_root, httpserver, retry, progress=told.append)

    periods = [(q.get("startPeriod"), q.get("endPeriod")) for path, q in sent(httpserver) if "data" in path]
    assert periods == [("2022-01", "2022-12"), ("2022-01", "2022-06"), ("2022-07", "2022-12")]
    assert result.splits == 1 and len(stored(raw_root)) == 2
    assert any(
        "refused NRG_TI_COIFPM (indic_nrg=VOL_THS_BBL, geo=EU_V+DE), 2022-01..2022-12 as too big "
        "(EXTRACTION_TOO_BIG: The requested extraction is too big (12 months)); splitting it by periods" in m
        for m in told
    )
    root = request_2022().key
    assert all(read_sidecar(p)["parent_keys"] == [root] for p in stored(raw_root))
    assert sum(read_sidecar(p)["row_count"] for p in stored(raw_root)) == len(GRADES) * len(IMPORTERS) * 12


def test_one_month_of_one_code_refused_as_too_big_is_a_typed_error(httpserver, tmp_path, retry):
    serve(httpserver, max_months=0)
    request = request_2022(filters=("geo=EU_V",), start="2022-03", end="2022-03")

    with pytest.raises(EurostatTooBig, match=r"cannot be split further; narrow it with --filter"):
        run(request, tmp_path / "raw", httpserver, retry)
    assert stored(tmp_path / "raw") == []


def test_a_503_with_retry_after_is_waited_out_and_retried(httpserver, tmp_path, retry, sleeps):
    busy = Response(error_body(503, "Service temporarily unavailable"), status=503, headers={"Retry-After": "3"})
    serve(httpserver, faults=[busy])

    result = run(request_2022(), tmp_path / "raw", httpserver, retry)

    assert sleeps == [3.0] and result.requests_sent == 2 and len(stored(tmp_path / "raw")) == 1
    assert len([1 for path, _ in sent(httpserver) if "data" in path]) == 2


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (
            Response(error_body(404, "ERR_NOT_FOUND_4: NRG_TI_COIFPM is not available for dissemination."), 404),
            EurostatNotFound,
            r"HTTP 404 \(ERR_NOT_FOUND_4: NRG_TI_COIFPM is not available",
        ),
        (Response(error_body(400, "Invalid key"), 400), EurostatRequestRejected, r"HTTP 400 \(Invalid key\)"),
        (
            Response(b"<!DOCTYPE html><html><body>Maintenance</body></html>", 200, content_type="text/html"),
            EurostatBadResponse,
            r"sent an HTML page instead of SDMX-CSV",
        ),
        (Response(sdmx_csv(ROWS[:3])[:40], 200), EurostatBadResponse, r"broken or cut-off gzip"),
        (Response(gzip.compress(b"a,b\n1,2\n"), 200), EurostatBadResponse, r"is not SDMX-CSV \(header 'a,b'"),
    ],
    ids=["404", "400", "html", "cut-gzip", "other-csv"],
)
def test_bad_answers_are_typed_errors_and_store_nothing(httpserver, tmp_path, retry, fault, error, message):
    serve(httpserver, faults=[fault])
    with pytest.raises(error, match=message):
        run(request_2022(), tmp_path / "raw", httpserver, retry)
    assert stored(tmp_path / "raw") == []


# ------------------------------------------------------------------------------------------ checks, CLI
def test_queries_are_checked_before_any_call():
    with pytest.raises(EurostatBadQuery, match=r"unknown Eurostat dataset 'nrg_ti_gasm'; known: nrg_ti_coifpm"):
        eurostat.check_query("nrg_ti_gasm")
    with pytest.raises(EurostatBadQuery, match=r"bad --filter 'country=DE'.*dimension one of freq, crudeoil"):
        eurostat.check_query("nrg_ti_coifpm", ["country=DE"])
    with pytest.raises(BadPeriod, match=r"start 2004-12 is before 2005-01"):
        eurostat.check_query("nrg_ti_coifpm", [], "2004-12", "2005-01")
    with pytest.raises(BadPeriod, match=r"end 2027-01 is after the current month \(2026-12\)"):
        eurostat.check_query("nrg_ti_coifpm", [], "2026-01", "2027-01", today=date(2026, 12, 2))


def test_the_command_line_fetches_into_a_data_dir(httpserver, tmp_path, monkeypatch, retry, capsys):
    from energytrade.cli import build_parser, run_fetch_eurostat

    serve(httpserver)
    monkeypatch.setenv("ENERGYTRADE_EUROSTAT_URL", httpserver.url_for("/"))
    monkeypatch.setenv("ENERGYTRADE_CALL_INTERVAL_S", "0")
    argv = ["fetch", "eurostat", "--dataset", "nrg_ti_coifpm", "--filter", "geo=EU_V,DE"]
    argv += ["--filter", "indic_nrg=VOL_THS_BBL", "--start", "2022-01", "--end", "2022-12"]
    args = build_parser().parse_args([*argv, "--data-dir", str(tmp_path / "data")])

    assert run_fetch_eurostat(args, retry=retry, clock=lambda: DAY_1) == 0

    out = capsys.readouterr().out
    assert "2 call(s) made, 1 file(s) stored" in out and "1 code list(s) stored" in out
    assert len(stored(tmp_path / "data" / "raw")) == 1

    dry = build_parser().parse_args([*argv, "--dry-run", "--data-dir", str(tmp_path / "dry")])
    assert run_fetch_eurostat(dry) == 0
    urls = [line for line in capsys.readouterr().out.splitlines() if line.startswith("http")]
    assert urls == [request_2022().url(httpserver.url_for("/"))]
    assert not (tmp_path / "dry").exists()


class InterruptAfter(requests.Session):
    """A session interrupted (Ctrl-C) on its n-th request, before sending it."""

    def __init__(self, n):
        super().__init__()
        self.n, self.count = n, 0

    def get(self, *args, **kwargs):
        self.count += 1
        if self.count == self.n:
            raise KeyboardInterrupt
        return super().get(*args, **kwargs)


def test_an_interrupted_split_resumes_without_asking_the_refused_request_again(httpserver, tmp_path, retry):
    serve(httpserver, max_months=6)
    raw_root = tmp_path / "raw"
    with pytest.raises(KeyboardInterrupt):  # refused, first half stored, Ctrl-C before the second half
        run(request_2022(), raw_root, httpserver, retry, session=InterruptAfter(3))
    assert len(stored(raw_root)) == 1

    result = run(request_2022(), raw_root, httpserver, retry)

    periods = [(q.get("startPeriod"), q.get("endPeriod")) for path, q in sent(httpserver) if "data" in path]
    assert periods == [("2022-01", "2022-12"), ("2022-01", "2022-06"), ("2022-07", "2022-12")]
    assert len(result.reused) == 1 and len(stored(raw_root)) == 2
    assert [p.name for p in stored(raw_root, "codelist_*.xml")] == ["codelist_ESTAT_CRUDEOIL.xml"]


# ------------------------------------------------------------------- a data root of fetched data only, built
#: Synthetic CIF values (thousand USD) for the build: Eurostat's TOTAL, two Russian grades (RU_CPC is not in
#: the constructed code list, so its name falls back to GRADE_NAMES) and a Norwegian one, Jan-Jun 2022.
BUILD_GRADES = ("TOTAL", "RU_URL", "RU_CPC", "NO_JS")
BUILD_MONTHS = MONTHS_2022[:6]
#: One confidential cell and one "not applicable" cell in the first answers.
CONFIDENTIAL_CELL = ("RU_CPC", "DE", "2022-03")
NOT_APPLICABLE_CELL = ("NO_JS", "DE", "2022-02")


def build_cells(revised=False) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(grade, geo, month) -> (OBS_VALUE, OBS_FLAG) as the server holds them on day 1 (or, revised, on day 2)."""
    cells = {}
    for i, (grade, geo, month) in enumerate(
        (g, geo, t) for g in BUILD_GRADES for geo in IMPORTERS for t in BUILD_MONTHS
    ):
        cells[(grade, geo, month)] = (f"{1000 + 10 * i}", "")
    cells[CONFIDENTIAL_CELL] = ("", "c")
    cells[NOT_APPLICABLE_CELL] = ("", "z")
    if revised:  # day 2: Germany's February total revised up, its Urals February cell now confidential
        cells[("TOTAL", "DE", "2022-02")] = ("99999", "")
        cells[("RU_URL", "DE", "2022-02")] = ("", "c")
    return cells


def as_rows(cells):
    return [(grade, "VAL_THS_USD", geo, month, v, flag) for (grade, geo, month), (v, flag) in cells.items()]


def stored_cells(raw_root):
    """(grade, geo, month) -> (value, flag, raw path, 1-based data row), read with gzip + csv from the stored
    files, oldest vintage first so a newer answer overwrites an older one's cell."""
    found = {}
    for path in sorted(stored(raw_root), key=lambda p: p.parent.name):
        text = gzip.decompress(path.read_bytes()).decode()
        for n, line in enumerate(text.splitlines()[1:], start=1):
            fields = line.split(",")
            found[(fields[3], fields[5], fields[6])] = (
                fields[7],
                fields[8],
                f"raw/{path.relative_to(raw_root).as_posix()}",
                n,
            )
    return found


#: The fetches of the build test: six months of the EU's and Germany's values (refused as too big, so stored as
#: two answers); Germany's February and March again on day 2 (revised); one more month of the EU's.
FIRST_PULL = "--filter indic_nrg=VAL_THS_USD --filter geo=EU_V,DE --start 2022-01 --end 2022-06"
REVISED_PULL = "--filter indic_nrg=VAL_THS_USD --filter geo=DE --start 2022-02 --end 2022-03"
LATER_PULL = "--filter indic_nrg=VAL_THS_USD --filter geo=EU_V --start 2022-01 --end 2022-01"


def fetch_cli(data_dir, retry, when, options: str):
    """``energytrade fetch eurostat --dataset nrg_ti_coifpm <options> --data-dir <data_dir>`` on day ``when``."""
    argv = ["fetch", "eurostat", "--dataset", "nrg_ti_coifpm", *options.split(), "--data-dir", str(data_dir)]
    return run_fetch_eurostat(build_parser().parse_args(argv), retry=retry, clock=lambda: when)


def test_a_data_root_holding_only_fetched_eurostat_data_builds(httpserver, tmp_path, monkeypatch, retry):
    handler = serve(httpserver, rows=as_rows(build_cells()), max_months=3)
    monkeypatch.setenv("ENERGYTRADE_EUROSTAT_URL", httpserver.url_for("/"))
    monkeypatch.setenv("ENERGYTRADE_CALL_INTERVAL_S", "0")
    data_dir = tmp_path / "data"
    raw_root = data_dir / "raw"
    # Day 1: six months refused as too big, stored as two answers; day 2: Germany's Feb-Mar again, revised.
    assert fetch_cli(data_dir, retry, DAY_1, FIRST_PULL) == 0
    handler.rows = as_rows(build_cells(revised=True))
    assert fetch_cli(data_dir, retry, DAY_2, REVISED_PULL) == 0
    assert [p.parent.name for p in stored(raw_root)] == ["2026-01-05", "2026-01-05", "2026-02-09"]
    assert sorted(p.name for p in (raw_root).iterdir()) == ["eurostat_coifpm"]  # nothing bundled

    assert main(["build", "--data-dir", str(data_dir)]) == 0

    # Expected rows, from the stored bytes (gzip + csv), the newest answer winning for a cell in two files.
    cells = stored_cells(raw_root)
    assert cells[("TOTAL", "DE", "2022-02")][:2] == ("99999", "")  # the revision, not day 1's figure
    expected = {}
    for (grade, geo, month), (v, flag, path, n) in cells.items():
        reporter = "EUU" if geo == "EU_V" else "DEU"
        if grade == "TOTAL":
            expected[(reporter, "WLD", month)] = (
                float(v) * 1000,
                "Eurostat TOTAL (all crude), as reported",
                {(path, n)},
            )
            continue
        origin = {"RU": "RUS", "NO": "NOR"}[grade[:2]]
        expected[(reporter, origin, month)] = _add(expected.get((reporter, origin, month)), v, flag, path, n)
    rows = {}
    for key, item in expected.items():
        if key[1] == "WLD":
            rows[key] = item
            continue
        value, visible, hidden, where = item
        if visible == 0:
            continue  # no visible figure, no row (confidential is not zero; "z" carries nothing)
        note = f"sum of {visible} visible grade cell(s)"
        if hidden:
            note = f"lower bound: {note}; {hidden} confidential grade cell(s) hidden"
        rows[key] = (value * 1000, note, where)

    got = flows(source="eurostat_coifpm", data_dir=data_dir)

    assert len(got) == len(rows)
    for r in got.itertuples():
        value, note, where = rows[(r.reporter_iso3, r.partner_iso3, r.period)]
        assert r.value_usd == pytest.approx(value) and r.note == note
        path, _, row = r.provenance.removesuffix("&col=origin_sum").partition("#row=")
        assert (path, int(row)) in where  # the cell (or one of the cells summed) it came from
    de_feb_rus = rows[("DEU", "RUS", "2022-02")]
    assert de_feb_rus[1] == "lower bound: sum of 1 visible grade cell(s); 1 confidential grade cell(s) hidden"
    assert ("DEU", "NOR", "2022-02") not in rows  # its only cell is "not applicable"

    # Grade names: the stored code list's where it names the code, GRADE_NAMES otherwise.
    grades = eurostat_coifpm.read_store(data_dir / "processed")
    names = dict(zip(grades["crudeoil_code"], grades["grade_name"]))
    assert names["RU_URL"] == "Russia - Urals" and names["TOTAL"] == "Total"
    assert names["RU_CPC"] == eurostat_coifpm.GRADE_NAMES["RU_CPC"]

    # The grade table's stamp covers every file read: a new answer makes it stale, the build rebuilds it.
    assert eurostat_coifpm.store_is_current(raw_root, data_dir / "processed")
    assert fetch_cli(data_dir, retry, DAY_2, LATER_PULL) == 0
    assert not eurostat_coifpm.store_is_current(raw_root, data_dir / "processed")
    assert main(["build", "--data-dir", str(data_dir)]) == 0
    assert eurostat_coifpm.store_is_current(raw_root, data_dir / "processed")


def _add(item, v, flag, path, n):
    """Add one grade cell to an origin's (value, visible cells, hidden cells, {(path, row)}) running sum."""
    value, visible, hidden, where = item or (0.0, 0, 0, set())
    if v != "":
        return value + float(v), visible + 1, hidden, where | {(path, n)}
    if "c" in flag:
        return value, visible, hidden + 1, where | {(path, n)}
    return value, visible, hidden, where


def test_fetched_files_alone_do_not_call_for_the_bundled_sources_but_a_shipped_file_does(tmp_path):
    raw_root = tmp_path / "raw"
    fetched = raw_root / "eurostat_coifpm" / "2026-01-05" / "answer.csv.gz"
    fetched.parent.mkdir(parents=True)
    fetched.write_bytes(sdmx_csv(ROWS[:1]))
    write_sidecar(fetched, {"source": "eurostat_coifpm", "client": "energytrade 0.1.0"})

    check_expected(raw_root)  # a root holding only what energytrade fetched is legitimate

    shipped = raw_root / "eurostat_coifpm" / "2026-11-27" / "nrg_ti_coifpm.csv.gz"
    shipped.parent.mkdir(parents=True)
    shipped.write_bytes(sdmx_csv(ROWS[:1]))
    write_sidecar(shipped, {"source": "eurostat_coifpm", "title": "as bundled, no client"})
    with pytest.raises(MissingSourceFiles, match=r"source 'comtrade_extract' has no raw files .*other bundled sources"):
        check_expected(raw_root)
