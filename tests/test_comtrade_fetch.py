"""The UN Comtrade client against a real HTTP server on 127.0.0.1 replaying the API's exact format.

Each test reads as a worked example: what the server answers, which requests the client must send
(path, query, headers), what ends up in the store, and that the key is nowhere it should not be.
Waits are recorded, not slept (``RetryPolicy(sleep=...)``), so the file runs in a few seconds.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
import requests

from energytrade.raw import read_sidecar, sha256_file
from energytrade.schema import COLUMNS, validate
from energytrade.sources import comtrade
from energytrade.sources.comtrade import RetryPolicy, check_query, fetch
from energytrade.sources.comtrade_errors import (
    ComtradeAuthRefused,
    ComtradeBadResponse,
    ComtradeConnectionError,
    ComtradeEmptyResult,
    ComtradeQuotaExhausted,
    ComtradeRateLimited,
    ComtradeServerError,
)

_spec = importlib.util.spec_from_file_location(
    "comtrade_replay", Path(__file__).resolve().parent / "fixtures" / "comtrade" / "replay.py"
)
replay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replay)

KEY = "test-key-7f3a9c1e5b"  # a made-up key; the tests check this string never leaks
DAY_1 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
DAY_2 = datetime(2026, 2, 9, 9, 30, tzinfo=timezone.utc)
API_PATH = re.compile(r"^/(data/v1/get|public/v1/preview)/C/[MA]/HS$")
#: The totals-only parameters every call must carry [REAL CTR recorded URL].
AGGREGATES = {"partner2Code": "0", "customsCode": "C00", "motCode": "0"}
RECORDS_2022 = replay.extract_records([2022])
MONTHS_2022 = [f"2022{m:02d}" for m in range(1, 13)]


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def retry(sleeps):
    return RetryPolicy(sleep=sleeps.append, timeout_s=(2.0, 10.0))


@pytest.fixture
def raw_root(tmp_path):
    return tmp_path / "data" / "raw"


def serve(httpserver, records, api_key=KEY, faults=()):
    handler = replay.ComtradeReplay(records, api_key=api_key, faults=faults)
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(handler)
    return handler


def sent(httpserver):
    """The requests the server received: (path, query dict, headers)."""
    return [(req.path, dict(req.args), req.headers) for req, _ in httpserver.log]


def query(periods, max_records=100000, partner=None, cmd="2709"):
    """The query the client must send, in its order."""
    expected = {"reporterCode": "156", "period": ",".join(periods)}
    if partner is not None:
        expected["partnerCode"] = partner
    expected.update(cmdCode=cmd, flowCode="M", **AGGREGATES, maxRecords=str(max_records), includeDesc="TRUE")
    return expected


def crude(start, end, keyed=True, **kwargs):
    return check_query("CHN", "all", "crude_oil", "M", "M", start, end, keyed=keyed, **kwargs)


def run(request, raw_root, httpserver, retry, when=DAY_1, **kwargs):
    return fetch(
        request,
        raw_root,
        api_key=KEY if request.keyed else None,
        base_url=httpserver.url_for(""),
        retry=retry,
        clock=lambda: when,
        **kwargs,
    )


# ------------------------------------------------------------------------------------ normal fetches
def test_two_years_monthly_is_two_calls_of_twelve_periods(httpserver, raw_root, retry, caplog):
    caplog.set_level(logging.DEBUG)
    records = replay.extract_records([2021, 2022])
    serve(httpserver, records)

    result = run(crude("2021-01", "2022-12"), raw_root, httpserver, retry)

    requests_sent = sent(httpserver)
    assert [path for path, _, _ in requests_sent] == ["/data/v1/get/C/M/HS"] * 2
    assert requests_sent[0][1] == query([f"2021{m:02d}" for m in range(1, 13)])
    assert requests_sent[1][1] == query(MONTHS_2022)
    assert all(headers["Ocp-Apim-Subscription-Key"] == KEY for _, _, headers in requests_sent)
    # The exact query string, commas encoded as the API's own recordings show (%2C).
    raw_query = httpserver.log[1][0].query_string.decode()
    assert raw_query == urlencode(query(MONTHS_2022))
    assert "%2C" in raw_query and KEY not in raw_query

    bodies = replay.assert_store_sound(raw_root)
    assert len(bodies) == 2 and result.requests_sent == 2 and result.records == len(records)
    assert {p.parent.name for p in bodies} == {"2026-01-05"}
    meta = read_sidecar(bodies[1])
    assert meta["urls"] == [httpserver.url_for("/data/v1/get/C/M/HS") + "?" + raw_query]
    assert meta["request"]["params"]["period"] == ",".join(MONTHS_2022)
    assert meta["http_status"] == 200 and meta["record_count"] == len(RECORDS_2022)
    assert meta["retrieved_at"] == "2026-01-05T09:30:00+00:00" and meta["sha256"] == sha256_file(bodies[1])
    # The body is stored byte for byte as the server sent it.
    assert bodies[1].read_bytes() == httpserver.log[1][1].get_data()
    replay.assert_key_absent(KEY, raw_root, caplog.text)


def test_preview_without_key_is_one_call_per_period_and_sends_no_key(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022)

    result = run(crude("2022-01", "2022-03", keyed=False), raw_root, httpserver, retry)

    assert [(path, q) for path, q, _ in sent(httpserver)] == [
        ("/public/v1/preview/C/M/HS", query([month], max_records=500)) for month in MONTHS_2022[:3]
    ]
    assert all("Ocp-Apim-Subscription-Key" not in headers for _, _, headers in sent(httpserver))
    assert len(replay.assert_store_sound(raw_root)) == 3 and result.requests_sent == 3


def test_dry_run_prints_the_planned_urls_and_makes_no_call(httpserver, tmp_path, monkeypatch, capsys):
    serve(httpserver, RECORDS_2022)
    monkeypatch.setenv("ENERGYTRADE_COMTRADE_URL", httpserver.url_for(""))
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    data_dir = tmp_path / "not-created"
    args = _parse(["--commodity", "2709", "--start", "2021-01", "--end", "2022-12", "--dry-run"], data_dir)

    assert comtrade.run_fetch(args, args.data_dir) == 0

    out, err = capsys.readouterr()
    urls = [line for line in out.splitlines() if line.startswith("http")]
    assert urls == [
        httpserver.url_for("/data/v1/get/C/M/HS") + "?" + urlencode(query([f"{y}{m:02d}" for m in range(1, 13)]))
        for y in (2021, 2022)
    ]
    assert httpserver.log == [] and not data_dir.exists()
    replay.assert_key_absent(KEY, None, out, err)


# ------------------------------------------------------------------------------------------- faults
def test_truncated_answer_is_split_and_never_stored(httpserver, raw_root, retry):
    # 345 records in 2022; asking for at most 200 per call truncates the 12-month call.
    serve(httpserver, RECORDS_2022)

    result = run(crude("2022-01", "2022-12", max_records=200), raw_root, httpserver, retry)

    assert [q["period"] for _, q, _ in sent(httpserver)] == [
        ",".join(MONTHS_2022),
        ",".join(MONTHS_2022[:6]),
        ",".join(MONTHS_2022[6:]),
    ]
    bodies = replay.assert_store_sound(raw_root)
    assert [read_sidecar(b)["request"]["periods"] for b in bodies] == [MONTHS_2022[:6], MONTHS_2022[6:]]
    assert result.splits == 1 and result.records == len(RECORDS_2022) == 345
    root = crude("2022-01", "2022-12").key
    assert all(read_sidecar(b)["parent_keys"] == [root] for b in bodies)


@pytest.mark.parametrize(
    ("status", "body", "retry_after", "waited"),
    [
        (429, replay.BODY_429, "2", 2.0),
        (429, replay.BODY_429, None, 2.0),  # no header: the message's "Try again in 2 seconds."
        (403, replay.BODY_403_QUOTA, "1", 1.0),  # 403 with Retry-After is transient too (as comtradr)
    ],
)
def test_429_with_retry_after_waits_that_long_then_retries(
    httpserver, raw_root, retry, sleeps, status, body, retry_after, waited
):
    headers = {"Retry-After": retry_after} if retry_after else {}
    serve(httpserver, RECORDS_2022, faults=[replay.fault(status, body, **headers)])

    result = run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert sleeps == [waited]
    assert [q for _, q, _ in sent(httpserver)] == [query(MONTHS_2022)] * 2
    assert len(replay.assert_store_sound(raw_root)) == 1 and result.records == 345


def test_429_on_every_attempt_is_a_typed_error_and_stores_nothing(httpserver, raw_root, retry, sleeps):
    limited = [replay.fault(429, replay.BODY_429, **{"Retry-After": "2"}) for _ in range(5)]
    serve(httpserver, RECORDS_2022, faults=limited)

    with pytest.raises(ComtradeRateLimited, match=r"retry after 2 s") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert sleeps == [2.0] * 4 and len(httpserver.log) == retry.max_attempts == 5
    assert caught.value.retry_after_s == 2.0
    assert replay.assert_store_sound(raw_root) == []
    replay.assert_key_absent(KEY, raw_root, str(caught.value))


def test_403_quota_spent_raises_at_once_with_when_to_retry(httpserver, raw_root, retry, sleeps):
    spent = replay.fault(403, replay.BODY_403_QUOTA, **{"Retry-After": "11657"})
    serve(httpserver, RECORDS_2022, faults=[spent])

    with pytest.raises(ComtradeQuotaExhausted, match=r"quota.*retry after 11657 s") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert sleeps == [] and len(httpserver.log) == 1  # hours are not sat out
    assert "Quota will be replenished in 03:14:17" in str(caught.value)
    assert replay.assert_store_sound(raw_root) == []


def test_500_then_success_backs_off_once(httpserver, raw_root, retry, sleeps):
    serve(httpserver, RECORDS_2022, faults=[replay.fault(500, b'{"statusCode": 500, "message": "Internal error"}')])

    result = run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert sleeps == [retry.backoff_s] and len(httpserver.log) == 2
    assert len(replay.assert_store_sound(raw_root)) == 1 and result.records == 345


def test_5xx_on_every_attempt_is_a_server_error(httpserver, raw_root, retry, sleeps):
    serve(httpserver, RECORDS_2022, faults=[replay.fault(503, b"Service Unavailable", "text/plain")] * 5)

    with pytest.raises(ComtradeServerError, match=r"HTTP 503 .* on all 5 attempts"):
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert sleeps == [2.0, 4.0, 8.0, 16.0]  # bounded exponential backoff
    assert replay.assert_store_sound(raw_root) == []


def test_unreachable_server_is_a_connection_error(raw_root, retry, sleeps):
    with socket_closed_port() as port:
        with pytest.raises(ComtradeConnectionError, match=r"could not reach UN Comtrade .* after 5 attempts"):
            fetch(
                crude("2022-01", "2022-12"),
                raw_root,
                api_key=KEY,
                base_url=f"http://127.0.0.1:{port}",
                retry=retry,
                clock=lambda: DAY_1,
            )
    assert len(sleeps) == 4 and replay.assert_store_sound(raw_root) == []


def test_401_says_the_key_was_refused_without_showing_it(httpserver, raw_root, retry, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    serve(httpserver, RECORDS_2022, api_key="the-right-key")

    with pytest.raises(ComtradeAuthRefused, match=r"refused the subscription key \(HTTP 401") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert len(httpserver.log) == 1 and replay.assert_store_sound(raw_root) == []
    assert "invalid subscription key" in str(caught.value) and "COMTRADE_API_KEY" in str(caught.value)
    out, err = capsys.readouterr()
    replay.assert_key_absent(KEY, raw_root, str(caught.value), caplog.text, out, err)


def test_html_error_page_is_a_bad_response_showing_its_first_characters(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022, faults=[replay.fault(200, replay.HTML_PAGE, "text/html")])

    with pytest.raises(ComtradeBadResponse, match=r"not JSON \(text/html.* starts with '<!DOCTYPE html PUBLIC") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert "(text/html" in str(caught.value) and "</html>" not in str(caught.value)  # the start, not the page
    assert replay.assert_store_sound(raw_root) == []


def test_cut_off_json_is_a_bad_response(httpserver, raw_root, retry):
    body = replay.envelope(RECORDS_2022[:3])
    serve(httpserver, RECORDS_2022, faults=[replay.fault(200, body[: len(body) // 2])])

    with pytest.raises(ComtradeBadResponse, match=r"not JSON"):
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)
    assert replay.assert_store_sound(raw_root) == []


def test_count_zero_everywhere_is_an_empty_result_with_reasons(httpserver, raw_root, retry):
    serve(httpserver, records=[])  # e.g. a month not yet released

    with pytest.raises(ComtradeEmptyResult, match=r"no records \(count: 0\)") as caught:
        run(crude("2026-11", "2026-12"), raw_root, httpserver, retry)

    message = str(caught.value)
    assert "not released yet" in message and "wrong form" in message and "no such trade" in message
    # The empty answer is on record (a fact as of that day); a second run asks nothing and says the same.
    (body,) = replay.assert_store_sound(raw_root)
    assert read_sidecar(body)["record_count"] == 0
    with pytest.raises(ComtradeEmptyResult):
        run(crude("2026-11", "2026-12"), raw_root, httpserver, retry)
    assert len(httpserver.log) == 1
    assert comtrade.clean(raw_root).empty


def test_one_empty_month_among_others_is_reported_not_raised(httpserver, raw_root, retry):
    records = [r for r in RECORDS_2022 if r["period"] != "202202"]
    serve(httpserver, records)

    result = run(crude("2022-01", "2022-03", keyed=False), raw_root, httpserver, retry)

    assert result.empty == [httpserver.url_for("/public/v1/preview/C/M/HS") + "?" + urlencode(query(["202202"], 500))]
    assert len(replay.assert_store_sound(raw_root)) == 3


# ------------------------------------------------------------------------------------ resume, refresh
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


def test_interrupted_run_resumes_without_repeating_stored_calls(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022)
    request = crude("2022-01", "2022-03", keyed=False)

    with pytest.raises(KeyboardInterrupt):
        run(request, raw_root, httpserver, retry, session=InterruptAfter(2))
    assert len(replay.assert_store_sound(raw_root)) == 1

    result = run(request, raw_root, httpserver, retry)

    assert [q["period"] for _, q, _ in sent(httpserver)] == ["202201", "202202", "202203"]
    assert len(result.reused) == 1 and result.requests_sent == 2
    assert len(replay.assert_store_sound(raw_root)) == 3


def test_interrupted_split_resumes_without_asking_the_truncated_call_again(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022)
    request = crude("2022-01", "2022-12", max_records=200)

    with pytest.raises(KeyboardInterrupt):  # 12 months (truncated), Jan-Jun stored, Ctrl-C before Jul-Dec
        run(request, raw_root, httpserver, retry, session=InterruptAfter(3))
    assert len(replay.assert_store_sound(raw_root)) == 1

    result = run(request, raw_root, httpserver, retry)

    assert [q["period"] for _, q, _ in sent(httpserver)] == [
        ",".join(MONTHS_2022),
        ",".join(MONTHS_2022[:6]),
        ",".join(MONTHS_2022[6:]),
    ]
    assert result.requests_sent == 1 and len(result.reused) == 1
    assert len(comtrade.clean(raw_root)) == 345


def test_refresh_pulls_a_new_vintage_beside_the_old_and_clean_takes_the_newest(httpserver, raw_root, retry):
    handler = serve(httpserver, RECORDS_2022)
    request = crude("2022-01", "2022-12")
    run(request, raw_root, httpserver, retry, when=DAY_1)
    (old,) = replay.assert_store_sound(raw_root)
    old_sha = sha256_file(old)

    run(request, raw_root, httpserver, retry, when=DAY_2)  # no --refresh: nothing asked
    assert len(httpserver.log) == 1

    # Comtrade revises a figure; --refresh stores the new answer in a new vintage folder.
    revised = dict(RECORDS_2022[0], primaryValue=RECORDS_2022[0]["primaryValue"] + 1e6)
    handler.records = [revised] + RECORDS_2022[1:]
    result = run(request, raw_root, httpserver, retry, when=DAY_2, refresh=True)

    bodies = replay.assert_store_sound(raw_root)
    assert [b.parent.name for b in bodies] == ["2026-01-05", "2026-02-09"] and result.vintage == "2026-02-09"
    assert sha256_file(old) == old_sha  # never overwritten
    table = comtrade.clean(raw_root)
    assert len(table) == 345 and table["provenance"].str.startswith("raw/comtrade/2026-02-09/").all()
    first = table[(table.period == "2022-01") & (table.partner_iso3 == revised["partnerISO"])].iloc[0]
    assert first.value_usd == revised["primaryValue"]
    assert len(comtrade.clean(raw_root, vintage="2026-01-05")) == 345


# ----------------------------------------------------------------------------------------- done when
def test_done_when_crude_2022_through_faults_reproduces_the_bundled_extract(
    httpserver, tmp_path, monkeypatch, retry, sleeps, capsys, caplog
):
    """China's monthly 2022 crude imports, fetched through a 429, a 500 and a truncation, then cleaned,
    equal the bundled extract's figures; a second identical fetch makes no call."""
    caplog.set_level(logging.DEBUG)
    faults = [
        replay.fault(429, replay.BODY_429, **{"Retry-After": "2"}),
        replay.fault(500, b'{"statusCode": 500, "message": "Internal server error"}'),
    ]
    serve(httpserver, replay.extract_records([2022], world=True), faults=faults)
    monkeypatch.setenv("ENERGYTRADE_COMTRADE_URL", httpserver.url_for(""))
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    data_dir = tmp_path / "fetched"  # a data directory that holds only fetched data
    argv = ["--reporter", "CHN", "--partner", "all", "--commodity", "2709", "--flow", "M", "--freq", "M"]
    argv += ["--start", "2022-01", "--end", "2022-12", "--max-records", "200"]
    args = _parse(argv, data_dir)

    assert comtrade.run_fetch(args, args.data_dir, retry=retry, clock=lambda: DAY_1) == 0

    assert sleeps == [2.0, retry.backoff(2)]  # Retry-After, then backoff for the 2nd attempt
    assert [q["period"] for _, q, _ in sent(httpserver)] == [",".join(MONTHS_2022)] * 3 + [
        ",".join(MONTHS_2022[:6]),
        ",".join(MONTHS_2022[6:]),
    ]
    raw_root = data_dir / "raw"
    assert len(replay.assert_store_sound(raw_root)) == 2

    table = validate(comtrade.clean(raw_root))
    partners = table[table.partner_iso3 != "WLD"]
    expected = replay.extract_rows([2022])
    merged = expected.assign(period=expected.period.str[:4] + "-" + expected.period.str[4:]).merge(
        partners, on=["period", "partner_iso3"], how="outer", validate="1:1", indicator=True
    )
    assert (merged["_merge"] == "both").all() and len(merged) == 345
    assert (merged["value_usd_x"] == merged["value_usd_y"]).all()
    assert (merged["net_weight_kg_x"] == merged["net_weight_kg_y"]).all()
    assert ((merged["value_usd_y"] / 1e9).round(4) == merged["value_usd_bn"].astype(float)).all()
    assert (merged["partner_name"] == merged["partner"]).all()
    # World is kept apart: its rows equal the sum of the partners, never one more partner to add.
    world = table[table.partner_iso3 == "WLD"].set_index("period")["value_usd"]
    assert len(world) == 12 and (world == partners.groupby("period")["value_usd"].sum()).all()
    assert set(table.source) == {"comtrade"} and set(table.commodity) == {"crude_oil"}

    # `energytrade build --data-dir` on a data directory that holds only fetched data.
    from energytrade.build import build

    built, csv_path, _ = build(data_dir)
    assert csv_path == data_dir / "processed" / "trade_flows.csv"
    assert len(built) == len(table) and set(built.source) == {"comtrade"}

    # A second identical fetch makes no call.
    calls_before = len(httpserver.log)
    assert comtrade.run_fetch(args, args.data_dir, retry=retry, clock=lambda: DAY_2) == 0
    assert len(httpserver.log) == calls_before
    out, err = capsys.readouterr()
    assert "0 call(s) made" in out.splitlines()[-1] and "2 already in the store" in out.splitlines()[-1]
    replay.assert_key_absent(KEY, raw_root, out, err, caplog.text)


@pytest.mark.network
@pytest.mark.skipif(not os.environ.get("COMTRADE_API_KEY"), reason="needs COMTRADE_API_KEY (live UN Comtrade)")
def test_live_china_crude_imports_one_month(tmp_path):
    request = check_query("CHN", "all", "crude_oil", "M", "M", "2022-12", keyed=True)
    result = fetch(request, tmp_path / "raw", api_key=os.environ["COMTRADE_API_KEY"])
    table = validate(comtrade.clean(tmp_path / "raw"))
    assert result.records > 0 and (table["partner_iso3"] == "RUS").any()
    assert list(table.columns) == list(COLUMNS)


# -------------------------------------------------------------------------------------------- helpers
def _parse(argv, data_dir):
    from energytrade.cli import build_parser

    return build_parser().parse_args(["fetch", "comtrade", *argv, "--data-dir", str(data_dir)])


class socket_closed_port:
    """A local port with nothing listening (bound, then released)."""

    def __enter__(self):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def __exit__(self, *exc):
        return False


def test_replay_records_have_the_api_shape():
    record = RECORDS_2022[0]
    assert len(record) == 47 and list(record) == list(replay.REAL_RECORD)
    assert isinstance(record["period"], str) and isinstance(record["motCode"], int)
    assert json.loads(replay.envelope([record]))["count"] == 1
    assert pd.notna(record["primaryValue"])
