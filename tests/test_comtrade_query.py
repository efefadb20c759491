"""Pure steps of the UN Comtrade client: check (validation), build (URL), plan/split, process (no network)."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from energytrade.errors import BadPeriod, UnknownCommodity, UnknownCountry
from energytrade.sources import comtrade
from energytrade.sources.comtrade import (
    HttpReply,
    check_query,
    comtrade_area_code,
    parse_body,
    plan,
    process,
    split,
)
from energytrade.sources.comtrade.errors import ComtradeBadQuery, ComtradeBadResponse, ComtradeTruncated

BASE = "https://comtradeapi.un.org"
MONTHS_2022 = tuple(f"2022{m:02d}" for m in range(1, 13))


def crude_2022(**kwargs):
    args = dict(reporter="CHN", partner="all", commodity="2709", flow="M", freq="M", start="2022-01", end="2022-12")
    args.update(kwargs)
    return check_query(**args)


# ----------------------------------------------------------------------------------------------- check
def test_human_arguments_become_comtrade_codes():
    request = crude_2022(keyed=True)
    assert request.reporters == ("CHN",) and request.partners is None
    assert request.hs_codes == ("2709",) and request.flows == ("M",) and request.freq == "M"
    assert request.periods == MONTHS_2022
    assert request.max_records == comtrade.KEYED_DEFAULT_MAX_RECORDS == 100_000
    assert crude_2022().max_records == comtrade.PREVIEW_MAX_RECORDS == 500


def test_names_lists_and_lower_case_are_accepted():
    request = check_query("chn", "rus, sau,WLD", "natural_gas", "import,export", "a", "2020", "2022", keyed=True)
    assert request.partners == ("RUS", "SAU", "WLD")
    assert request.hs_codes == ("271111", "271121")  # natural gas = LNG + pipeline gas
    assert request.flows == ("M", "X") and request.freq == "A"
    assert request.periods == ("2020", "2021", "2022")
    assert check_query(commodity="crude_oil", start="202203").periods == ("202203",)  # Comtrade's own form


@pytest.mark.parametrize(
    ("iso3", "code"),
    [("CHN", 156), ("RUS", 643), ("SAU", 682), ("USA", 842), ("IND", 699), ("FRA", 251), ("WLD", 0), ("_X", 899)],
)
def test_comtrade_area_codes_follow_its_reference_list(iso3, code):
    assert comtrade_area_code(iso3) == code


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"reporter": "Rusia"}, UnknownCountry, "did you mean"),
        ({"reporter": "WLD"}, ComtradeBadQuery, "not World"),
        ({"partner": "RUS,all"}, ComtradeBadQuery, "alone"),
        ({"commodity": "oil"}, UnknownCommodity, "crude_oil (2709)"),
        ({"flow": "RX"}, ComtradeBadQuery, "M (import), X (export)"),
        ({"freq": "Q"}, ComtradeBadQuery, "M monthly (periods YYYY-MM), A annual (periods YYYY)"),
        ({"start": "2022-13"}, BadPeriod, "month 13 is not 01..12"),
        ({"start": "2022-12", "end": "2022-01"}, BadPeriod, "ends before it starts"),
        ({"freq": "A", "start": "2022-01"}, BadPeriod, "takes years YYYY"),
        ({"start": ""}, BadPeriod, "--start"),
        ({"max_records": 0}, ComtradeBadQuery, "from 1 to 500"),
        ({"max_records": 1000}, ComtradeBadQuery, "set COMTRADE_API_KEY for up to 100000"),
        ({"max_records": 300_000, "keyed": True}, ComtradeBadQuery, "from 1 to 250000"),
    ],
)
def test_bad_arguments_fail_before_any_call_and_say_what_is_allowed(kwargs, error, says):
    with pytest.raises(error) as caught:
        crude_2022(**kwargs)
    assert says in str(caught.value)


# ----------------------------------------------------------------------------------------------- build
def test_keyed_url_is_the_final_data_endpoint_with_totals_only():
    url = crude_2022(keyed=True).url(BASE)
    assert url == (
        "https://comtradeapi.un.org/data/v1/get/C/M/HS?reporterCode=156"
        "&period=202201%2C202202%2C202203%2C202204%2C202205%2C202206%2C202207%2C202208%2C202209%2C202210"
        "%2C202211%2C202212&cmdCode=2709&flowCode=M&partner2Code=0&customsCode=C00&motCode=0"
        "&maxRecords=100000&includeDesc=TRUE"
    )


def test_preview_url_and_partner_list():
    request = check_query("CHN", "RUS,SAU", "crude_oil", "M", "M", "2023-01")
    parts = urlsplit(request.url(BASE + "/"))
    assert parts.path == "/public/v1/preview/C/M/HS"
    assert dict(parse_qsl(parts.query)) == {
        "reporterCode": "156",
        "period": "202301",
        "partnerCode": "643,682",
        "cmdCode": "2709",
        "flowCode": "M",
        "partner2Code": "0",
        "customsCode": "C00",
        "motCode": "0",
        "maxRecords": "500",
        "includeDesc": "TRUE",
    }


def test_the_key_of_a_call_ignores_max_records_and_names_its_file():
    assert crude_2022(keyed=True).key == crude_2022(keyed=True, max_records=200).key
    assert crude_2022(keyed=True).key != crude_2022(keyed=False).key  # another endpoint
    name = crude_2022(keyed=True).file_name
    assert name.startswith("C-M-HS_CHN_all_2709_M_202201-202212_") and name.endswith(".json")


# ------------------------------------------------------------------------------------------ plan/split
def test_plan_packs_twelve_periods_per_keyed_call_and_one_per_preview_call():
    keyed = crude_2022(keyed=True, start="2020-01", end="2022-06")
    assert [c.periods[0] + ".." + c.periods[-1] for c in plan(keyed)] == [
        "202001..202012",
        "202101..202112",
        "202201..202206",
    ]
    assert [c.periods for c in plan(crude_2022(end="2022-03"))] == [("202201",), ("202202",), ("202203",)]


def test_plan_keeps_urls_within_the_length_limit_by_splitting_partner_lists():
    partners = "RUS,SAU,IRQ,ARE,OMN,KWT,BRA,AGO,MYS,NOR,COL,LBY"
    request = crude_2022(keyed=True, partner=partners)
    calls = plan(request, BASE, max_url_chars=350)
    assert all(len(c.url(BASE)) <= 350 for c in calls)
    assert sum((c.partners for c in calls), ()) == request.partners
    assert all(c.periods == MONTHS_2022 for c in calls)
    assert plan(request, BASE) == [request]  # the real limit, 4096, is not reached


def test_split_halves_periods_first_then_partners_and_stops_at_one_of_each():
    request = crude_2022(keyed=True, partner="RUS,SAU,IRQ")
    first, second = split(request)
    assert (first.periods, second.periods) == (MONTHS_2022[:6], MONTHS_2022[6:])
    one_month = crude_2022(keyed=True, partner="RUS,SAU,IRQ", end="2022-01")
    assert [c.partners for c in split(one_month)] == [("RUS", "SAU"), ("IRQ",)]
    with pytest.raises(ComtradeTruncated, match="raise --max-records"):
        split(crude_2022(keyed=True, end="2022-01"))


# --------------------------------------------------------------------------------------------- process
def reply(body, content_type="application/json; charset=utf-8"):
    return HttpReply(url=BASE + "/x", status=200, content_type=content_type, body=body)


def body(count, records=None):
    records = [{"i": i} for i in range(count)] if records is None else records
    return json.dumps({"elapsedTime": "0.1 secs", "count": len(records), "data": records, "error": ""}).encode()


@pytest.mark.parametrize(
    ("keyed", "max_records", "count", "truncated"),
    [
        (True, 200, 199, False),
        (True, 200, 200, True),  # reached the maxRecords asked for
        (False, 500, 500, True),  # the preview's cap
        (True, 250_000, 100_000, True),  # a free key's cap, below what was asked
        (True, 200, 0, False),
    ],
)
def test_a_count_that_reaches_a_cap_is_truncated(keyed, max_records, count, truncated):
    request = crude_2022(keyed=keyed, max_records=max_records)
    assert process(request, reply(body(count))).truncated is truncated


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"<html><body>Request URL Too Long</body></html>", "not JSON (text/html) for"),
        (b'{"statusCode": 500}', "without the count/data envelope"),
        (b'{"elapsedTime":"0.1 secs","count":3,"data":[{}],"error":""}', "inconsistent (count 3, 1 records)"),
        (b'{"elapsedTime":"0.1 secs","count":0,"data":[],"error":"bad request"}', "reported an error"),
    ],
)
def test_bodies_that_are_not_the_api_envelope_are_bad_responses(payload, says):
    with pytest.raises(ComtradeBadResponse) as caught:
        parse_body(payload, BASE + "/x", "text/html")
    assert says in str(caught.value)


def test_a_body_with_a_byte_order_mark_is_read():
    assert parse_body(b"\xef\xbb\xbf" + body(2), "x") == ([{"i": 0}, {"i": 1}], 2)


# ------------------------------------------------------------------------------------------ bounded work
TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("freq", "start", "end", "message"),
    [
        ("M", "1961-12", "1962-01", r"start 1961-12 is before 1962, the first year UN Comtrade holds"),
        ("A", "0001", "1970", r"start 0001 is before 1962"),
        ("M", "2026-11", "2027-01", r"end 2027-01 is after the current month \(2026-12\)"),
        ("A", "2020", "9999", r"end 9999 is after the current month \(2026\)"),
    ],
)
def test_periods_outside_what_comtrade_can_hold_are_refused(freq, start, end, message):
    with pytest.raises(BadPeriod, match=message):
        crude_2022(freq=freq, start=start, end=end, today=TODAY)


def test_the_first_year_and_the_current_month_are_allowed():
    assert crude_2022(start="1962-01", end="1962-01", today=TODAY).periods == ("196201",)
    assert crude_2022(start="2026-12", end="2026-12", today=TODAY).periods == ("202612",)
