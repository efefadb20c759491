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
import traceback
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
import requests

from energytrade.cli import run_fetch_comtrade
from energytrade.raw import read_sidecar, sha256_file
from energytrade.schema import COLUMNS, validate
from energytrade.sources import comtrade
from energytrade.sources.comtrade import RetryPolicy, check_query, fetch
from energytrade.sources.comtrade.errors import (
    ComtradeAuthRefused,
    ComtradeBadKey,
    ComtradeBadResponse,
    ComtradeConnectionError,
    ComtradeEmptyResult,
    ComtradeQuotaExhausted,
    ComtradeRateLimited,
    ComtradeRequestFailed,
    ComtradeServerError,
    ComtradeTimedOut,
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
#: Partner-month rows of the bundled extract in 2022, one record each (derived, never copied from data).
N_2022 = len(replay.extract_rows([2022]))
MONTHS_2022 = [f"2022{m:02d}" for m in range(1, 13)]


@pytest.fixture(autouse=True)
def no_throttle(monkeypatch):
    """No pause between calls: the server is local, and waits are asserted through ``sleeps``."""
    monkeypatch.setenv("ENERGYTRADE_CALL_INTERVAL_S", "0")


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

    assert run_fetch_comtrade(args) == 0

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
    # Asking for at most 200 records per call truncates the 12-month call (N_2022 records), not its halves.
    assert len(RECORDS_2022) == N_2022 >= 200
    serve(httpserver, RECORDS_2022)

    result = run(crude("2022-01", "2022-12", max_records=200), raw_root, httpserver, retry)

    assert [q["period"] for _, q, _ in sent(httpserver)] == [
        ",".join(MONTHS_2022),
        ",".join(MONTHS_2022[:6]),
        ",".join(MONTHS_2022[6:]),
    ]
    bodies = replay.assert_store_sound(raw_root)
    assert [read_sidecar(b)["request"]["periods"] for b in bodies] == [MONTHS_2022[:6], MONTHS_2022[6:]]
    assert result.splits == 1 and result.records == N_2022
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
    assert len(replay.assert_store_sound(raw_root)) == 1 and result.records == N_2022


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
    assert len(replay.assert_store_sound(raw_root)) == 1 and result.records == N_2022


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


# A made-up key as pasted from a file saved with Windows line endings, or with spaces around it.
PASTED_KEY = "crkey-51d0e2a79b"


@pytest.mark.parametrize("env_value", [PASTED_KEY + "\r", f"  {PASTED_KEY} \r\n"])
def test_a_key_with_a_stray_cr_or_spaces_is_stripped_and_sent_clean(
    httpserver, tmp_path, monkeypatch, capsys, caplog, env_value
):
    caplog.set_level(logging.DEBUG)
    serve(httpserver, RECORDS_2022, api_key=PASTED_KEY)
    monkeypatch.setenv("ENERGYTRADE_COMTRADE_URL", httpserver.url_for(""))
    monkeypatch.setenv("COMTRADE_API_KEY", env_value)
    data_dir = tmp_path / "data"

    status = cli_main(["--start", "2022-05"], data_dir)

    out, err = capsys.readouterr()
    assert status == 0, err
    ((path, _, headers),) = sent(httpserver)
    assert path == "/data/v1/get/C/M/HS" and headers["Ocp-Apim-Subscription-Key"] == PASTED_KEY
    assert len(replay.assert_store_sound(data_dir / "raw")) == 1
    replay.assert_key_absent(env_value, data_dir / "raw", out, err, caplog.text)


@pytest.mark.parametrize("env_value", ["crkey-51d0\re2a79b", "crkey-51d0 e2a79b", "crkey-51d0\ne2a79b"])
def test_a_key_with_a_break_or_space_inside_is_refused_without_showing_it(
    httpserver, tmp_path, monkeypatch, capsys, caplog, env_value
):
    # Sent as it is, requests would raise InvalidHeader, whose text (and traceback) quotes the key.
    caplog.set_level(logging.DEBUG)
    serve(httpserver, RECORDS_2022, api_key=env_value)
    monkeypatch.setenv("ENERGYTRADE_COMTRADE_URL", httpserver.url_for(""))
    monkeypatch.setenv("COMTRADE_API_KEY", env_value)
    data_dir = tmp_path / "data"

    status = cli_main(["--start", "2022-05"], data_dir)

    out, err = capsys.readouterr()
    assert status == 2 and out == "" and httpserver.log == []
    assert err.startswith("energytrade: error: COMTRADE_API_KEY holds 1 character(s) that an HTTP header cannot")
    assert "at position 11 of 17 characters; the key is not shown" in err
    with pytest.raises(ComtradeBadKey) as caught:
        comtrade.check_api_key(env_value)
    replay.assert_key_absent(env_value, data_dir / "raw", out, err, caplog.text, _formatted(caught.value))


class KeyHeaderWithStrayCR(requests.Session):
    """A session that appends ``\\r`` to the key header, so that requests itself raises ``InvalidHeader``
    (quoting the header value, key and all) before anything is sent."""

    def get(self, url, headers=None, **kwargs):
        headers = dict(headers, **{comtrade.KEY_HEADER: headers[comtrade.KEY_HEADER] + "\r"})
        return super().get(url, headers=headers, **kwargs)


def test_an_unexpected_requests_error_is_typed_and_never_shows_the_key(
    httpserver, raw_root, retry, sleeps, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    serve(httpserver, RECORDS_2022)
    with pytest.raises(requests.exceptions.InvalidHeader) as raw_error:  # what requests raises on its own
        requests.utils.check_header_validity((comtrade.KEY_HEADER, KEY + "\r"))
    assert KEY in str(raw_error.value)

    with pytest.raises(ComtradeRequestFailed, match=r"failed \(InvalidHeader: Invalid leading whitespace") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry, session=KeyHeaderWithStrayCR())

    message = str(caught.value)
    assert "in header value: '***\\r'" in message and "COMTRADE_API_KEY (the key is not shown)" in message
    assert httpserver.log == [] and sleeps == []  # not a network fault: not retried
    assert replay.assert_store_sound(raw_root) == []
    out, err = capsys.readouterr()
    replay.assert_key_absent(KEY, raw_root, _formatted(caught.value), caplog.text, out, err)


def test_a_body_that_cannot_be_decoded_is_a_typed_error_not_a_traceback(httpserver, raw_root, retry, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    not_gzip = replay.fault(200, replay.envelope(RECORDS_2022[:1]), **{"Content-Encoding": "gzip"})
    serve(httpserver, RECORDS_2022, faults=[not_gzip])

    with pytest.raises(ComtradeRequestFailed, match=r"failed \(ContentDecodingError: ") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert len(httpserver.log) == 1 and sleeps == [] and replay.assert_store_sound(raw_root) == []
    replay.assert_key_absent(KEY, raw_root, _formatted(caught.value), caplog.text)


def test_html_error_page_is_a_bad_response_showing_its_first_characters(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022, faults=[replay.fault(200, replay.HTML_PAGE, "text/html")])

    with pytest.raises(
        ComtradeBadResponse, match=r"not JSON \(text/html.* starts with '<!DOCTYPE html PUBLIC"
    ) as caught:
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
    assert len(comtrade.clean(raw_root)) == N_2022


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
    assert len(table) == N_2022 and table["provenance"].str.startswith("raw/comtrade/2026-02-09/").all()
    first = table[(table.period == "2022-01") & (table.partner_iso3 == revised["partnerISO"])].iloc[0]
    assert first.value_usd == revised["primaryValue"]
    assert len(comtrade.clean(raw_root, vintage="2026-01-05")) == N_2022


#: A query whose one-month answer reaches maxRecords (4 partners, 3 records per call), so it is split by
#: partner into RUS,SAU and IRQ,ARE (2 records each).
BY_PARTNER = ("RUS", "SAU", "IRQ", "ARE")


def by_partner(records):
    return [r for r in records if r["period"] == "202205" and r["partnerISO"] in BY_PARTNER]


def may_by_partner():
    return check_query("CHN", ",".join(BY_PARTNER), "crude_oil", "M", "M", "2022-05", keyed=True, max_records=3)


def partner_vintages(table):
    """partner -> the vintage its row came from."""
    return dict(zip(table.partner_iso3, table.provenance.str.split("/").str[2]))


def test_an_interrupted_refresh_of_a_call_split_by_partner_keeps_the_other_partners(httpserver, raw_root, retry):
    handler = serve(httpserver, by_partner(RECORDS_2022))
    run(may_by_partner(), raw_root, httpserver, retry, when=DAY_1)
    assert [q.get("partnerCode") for _, q, _ in sent(httpserver)] == ["643,682,368,784", "643,682", "368,784"]
    assert partner_vintages(comtrade.clean(raw_root)) == dict.fromkeys(BY_PARTNER, "2026-01-05")

    # Comtrade revises every figure; the refresh stores RUS,SAU, then stops before IRQ,ARE.
    handler.records = [dict(r, primaryValue=r["primaryValue"] + 1e6) for r in handler.records]
    with pytest.raises(KeyboardInterrupt):
        run(may_by_partner(), raw_root, httpserver, retry, when=DAY_2, refresh=True, session=InterruptAfter(3))

    # The new vintage holds only half the call: IRQ and ARE stay, from the old vintage, not dropped.
    table = validate(comtrade.clean(raw_root))
    assert partner_vintages(table) == {
        "RUS": "2026-02-09",
        "SAU": "2026-02-09",
        "IRQ": "2026-01-05",
        "ARE": "2026-01-05",
    }
    assert len(comtrade.clean(raw_root, vintage="2026-01-05")) == len(BY_PARTNER)

    # Running the same refresh again asks only for what is missing, and completes the new vintage.
    asked = len(httpserver.log)
    result = run(may_by_partner(), raw_root, httpserver, retry, when=DAY_2, refresh=True)
    assert result.requests_sent == 1 and sent(httpserver)[asked][1]["partnerCode"] == "368,784"
    table = comtrade.clean(raw_root)
    assert partner_vintages(table) == dict.fromkeys(BY_PARTNER, "2026-02-09")
    assert sorted(table.value_usd) == sorted(r["primaryValue"] for r in handler.records)  # the revised figures


def test_a_split_call_resumed_on_a_later_day_is_whole_across_the_two_vintages(httpserver, raw_root, retry, caplog):
    serve(httpserver, by_partner(RECORDS_2022))
    with pytest.raises(KeyboardInterrupt):
        run(may_by_partner(), raw_root, httpserver, retry, when=DAY_1, session=InterruptAfter(3))

    # Half a call stored: its partners are used (better than nothing), with a warning to finish the fetch.
    assert sorted(comtrade.clean(raw_root).partner_iso3) == ["RUS", "SAU"]
    assert "Run the same fetch again to complete it" in caplog.text

    result = run(may_by_partner(), raw_root, httpserver, retry, when=DAY_2)  # no --refresh: a resume

    assert result.requests_sent == 1 and len(result.reused) == 1
    assert partner_vintages(comtrade.clean(raw_root)) == {
        "RUS": "2026-01-05",
        "SAU": "2026-01-05",
        "IRQ": "2026-02-09",
        "ARE": "2026-02-09",
    }


def test_an_interrupted_refresh_split_by_period_takes_the_refreshed_months(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022)
    request = crude("2022-01", "2022-12", max_records=200)
    run(request, raw_root, httpserver, retry, when=DAY_1)
    with pytest.raises(KeyboardInterrupt):  # 12 months (truncated), Jan-Jun stored, Ctrl-C before Jul-Dec
        run(request, raw_root, httpserver, retry, when=DAY_2, refresh=True, session=InterruptAfter(3))

    table = comtrade.clean(raw_root)

    # A split by period needs only the half holding the month: Jan-Jun are new, Jul-Dec old, none missing.
    vintages = table.groupby(table.period.str[5:].astype(int) <= 6).provenance.agg(lambda p: set(p.str[13:23]))
    assert vintages.to_dict() == {True: {"2026-02-09"}, False: {"2026-01-05"}}
    assert len(table) == N_2022


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

    assert run_fetch_comtrade(args, retry=retry, clock=lambda: DAY_1) == 0

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
    assert (merged["_merge"] == "both").all() and len(merged) == N_2022
    assert (merged["value_usd_x"] == merged["value_usd_y"]).all()
    # Weights the extract rounds to 0.0 Mt come back as an unflagged netWgt 0.0, which is missing.
    extract_kg = merged["net_weight_kg_x"]
    assert merged["net_weight_kg_y"].equals(extract_kg.where(extract_kg != 0))
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
    assert run_fetch_comtrade(args, retry=retry, clock=lambda: DAY_2) == 0
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
def _formatted(error):
    """The traceback the user would see for ``error``, chained exceptions included."""
    return "".join(traceback.format_exception(error))


def cli_main(argv, data_dir):
    """``energytrade fetch comtrade --commodity 2709 <argv> --data-dir <data_dir>``, as typed in a shell."""
    from energytrade.cli import main

    return main(["fetch", "comtrade", "--commodity", "2709", *argv, "--data-dir", str(data_dir)])


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


# ------------------------------------------------------------------------------- bounded work, small ones
class TrickleServer:
    """A server on 127.0.0.1 that sends its headers at once, then one byte of a 1000-byte body every
    ``every_s`` seconds: each read returns before any read timeout, so only an overall deadline stops it."""

    def __init__(self, every_s):
        import socket
        import threading

        self.every_s = every_s
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import time

        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
                while not self.stop.wait(self.every_s):
                    try:
                        conn.sendall(b" ")
                    except OSError:
                        break
            time.sleep(0)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_server_trickling_bytes_is_cut_off_at_the_call_deadline(tmp_path, monkeypatch, retry, how):
    import time

    server = TrickleServer(every_s=0.3)
    monkeypatch.setenv("ENERGYTRADE_COMTRADE_URL", server.url)
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    argv = ["--commodity", "2709", "--start", "2022-05"]
    if how == "flag":
        argv += ["--call-deadline", "1.5"]
    else:
        monkeypatch.setenv("ENERGYTRADE_CALL_DEADLINE_S", "1.5")
    args = _parse(argv, tmp_path / "data")
    started = time.monotonic()
    try:
        with pytest.raises(ComtradeTimedOut, match=r"did not arrive within the call deadline of 1.5 s"):
            run_fetch_comtrade(args, retry=retry, clock=lambda: DAY_1)
    finally:
        server.close()
    took = time.monotonic() - started
    assert 1.5 <= took < 1.5 + 1.0  # the deadline, plus at most one 0.3 s trickle step and start-up
    assert replay.assert_store_sound(tmp_path / "data" / "raw") == []


def test_the_total_time_limit_stops_a_fetch_between_calls_and_a_rerun_resumes(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022)
    request = crude("2022-01", "2022-03", keyed=False)
    ticks = iter([0.0, 0.0, 6.0, 12.0])  # start; before call 1; before call 2; before call 3 (over 10 s)

    with pytest.raises(ComtradeTimedOut, match=r"stopped after 12 s, its total time limit of 10 s, with 2 of 3"):
        run(request, raw_root, httpserver, retry, total_deadline_s=10, monotonic=lambda: next(ticks))

    assert len(httpserver.log) == 2 and len(replay.assert_store_sound(raw_root)) == 2
    result = run(request, raw_root, httpserver, retry, total_deadline_s=10)
    assert result.requests_sent == 1 and len(result.reused) == 2


def test_refresh_asks_again_a_call_whose_stored_answer_was_empty(httpserver, raw_root, retry):
    handler = serve(httpserver, records=[])  # May not released yet
    with pytest.raises(ComtradeEmptyResult):
        run(crude("2022-05", "2022-05"), raw_root, httpserver, retry)
    handler.records = RECORDS_2022  # released later the same day

    result = run(crude("2022-05", "2022-05"), raw_root, httpserver, retry, refresh=True)

    assert len(httpserver.log) == 2 and result.requests_sent == 1
    may = [r for r in RECORDS_2022 if r["period"] == "202205"]
    assert result.records == len(may) and len(comtrade.clean(raw_root)) == len(may)
    empty, full = sorted(replay.assert_store_sound(raw_root), key=lambda p: read_sidecar(p)["record_count"])
    assert full.name == empty.name.replace(".json", "-2.json")  # beside the empty answer, not over it


def test_a_temporary_file_left_by_a_killed_write_is_removed_by_the_next_run(httpserver, raw_root, retry):
    serve(httpserver, RECORDS_2022)
    folder = raw_root / "comtrade" / "2026-01-05"
    folder.mkdir(parents=True)
    stale = folder / ".C-M-HS_CHN_all_2709_M_202205_0123456789.json.k3j2h1.tmp"
    stale.write_bytes(b'{"elapsedTime": "0.1')  # half a body

    run(crude("2022-05", "2022-05"), raw_root, httpserver, retry)

    assert not stale.exists()
    assert len(replay.assert_store_sound(raw_root)) == 1


class EchoesTheKey(replay.ComtradeReplay):
    """A server that echoes the key header back in its (successful) body."""

    def __call__(self, request):
        answer = super().__call__(request)
        payload = json.loads(answer.get_data())
        payload["request"] = {
            "headers": {"Ocp-Apim-Subscription-Key": request.headers.get("Ocp-Apim-Subscription-Key")}
        }
        answer.set_data(json.dumps(payload).encode())
        return answer


def test_a_key_echoed_in_a_successful_body_is_redacted_before_it_is_stored(httpserver, raw_root, retry):
    httpserver.expect_request(API_PATH, method="GET").respond_with_handler(EchoesTheKey(RECORDS_2022, api_key=KEY))

    result = run(crude("2022-05", "2022-05"), raw_root, httpserver, retry)

    assert KEY.encode() in httpserver.log[0][1].get_data()  # the server did echo it
    (body,) = replay.assert_store_sound(raw_root)
    assert json.loads(body.read_bytes())["request"]["headers"]["Ocp-Apim-Subscription-Key"] == "***"
    assert result.records == len([r for r in RECORDS_2022 if r["period"] == "202205"])
    replay.assert_key_absent(KEY, raw_root)


def test_a_429_whose_message_asks_for_a_long_wait_raises_at_once_with_the_message(httpserver, raw_root, retry, sleeps):
    body = b'{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 500 seconds." }'
    serve(httpserver, RECORDS_2022, faults=[replay.fault(429, body)])  # no Retry-After header

    with pytest.raises(ComtradeRateLimited, match=r"Try again in 500 seconds\..*retry after 500 s") as caught:
        run(crude("2022-01", "2022-12"), raw_root, httpserver, retry)

    assert sleeps == [] and len(httpserver.log) == 1 and caught.value.retry_after_s == 500.0
