"""Cleaning stored UN Comtrade responses into the clean schema (pure mapping, then vintages on disk)."""

from __future__ import annotations

import importlib.util
import math
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from energytrade.errors import RawFileChanged, UnknownCommodity
from energytrade.schema import COLUMNS, validate
from energytrade.sources import comtrade
from energytrade.sources.comtrade import check_query, clean_records
from energytrade.sources.comtrade.errors import ComtradeBadResponse, ComtradeError
from energytrade.sources.comtrade.store import store_response

_spec = importlib.util.spec_from_file_location(
    "comtrade_replay", Path(__file__).resolve().parent / "fixtures" / "comtrade" / "replay.py"
)
replay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replay)

REL = "raw/comtrade/2026-01-05/C-M-HS_CHN_all_2709_M_202205_abc.json"
#: Named figures of the worked examples below (kg, USD).
RUS_KG, RUS_USD = 8_420_000_000.0, 7_470_000_000.0
SAU_KG, SAU_USD = 7_530_000_000.0, 6_210_000_000.0


def may_records():
    return [
        replay.make_record("202205", "RUS", "Russian Federation", RUS_KG, RUS_USD),
        replay.make_record("202205", "RUS", "Russian Federation", 1.0, 2.0, mot_code=2100),  # a by-sea breakdown
        replay.make_record("202205", "SAU", "Saudi Arabia", SAU_KG, SAU_USD, estimated=True),
        replay.make_record("202205", "WLD", "World", RUS_KG + SAU_KG, RUS_USD + SAU_USD),
        replay.make_record("202205", "SAU", "Saudi Arabia", 3.0, 4.0, partner2_code=643),  # a 2nd-partner split
        replay.make_record("202205", "_X", "Areas, nes", None, 5_000_000.0),
    ]


def test_records_map_to_the_clean_schema():
    table = validate(clean_records(may_records(), REL))

    assert list(table.columns) == list(COLUMNS)
    assert table["partner_iso3"].tolist() == ["RUS", "SAU", "WLD", "_X"]  # totals only: 2 breakdowns dropped
    assert table["provenance"].tolist() == [f"{REL}#row={n}" for n in (1, 3, 4, 6)]  # rows as in the file
    rus = table.iloc[0]
    assert (rus.source, rus.reporter_iso3, rus.flow, rus.hs_code, rus.commodity) == (
        "comtrade",
        "CHN",
        "import",
        "2709",
        "crude_oil",
    )
    assert (rus.period, rus.freq, rus.partner_name, rus.note) == ("2022-05", "M", "Russian Federation", "")
    assert (rus.net_weight_kg, rus.value_usd) == (RUS_KG, RUS_USD)
    assert table["is_weight_estimated"].tolist() == [False, True, False, False]
    assert math.isnan(table.iloc[3].net_weight_kg)  # null stays missing, never 0


def test_world_is_marked_wld_and_equals_the_partner_sum_without_being_a_partner():
    table = clean_records(may_records(), REL)
    world = table[table.partner_iso3 == "WLD"].value_usd.item()
    partners = table[~table.partner_iso3.isin(["WLD", "_X"])].value_usd.sum()
    assert world == partners == RUS_USD + SAU_USD


def test_exports_and_annual_periods_are_kept_as_reported():
    records = [replay.make_record("2022", "RUS", "Russian Federation", RUS_KG, 10.0, freq="A", flow="X")]
    row = clean_records(records, REL).iloc[0]
    assert (row.flow, row.period, row.freq, row.net_weight_kg, row.value_usd) == ("export", "2022", "A", RUS_KG, 10.0)


def test_a_zero_weight_is_missing_unless_flagged_as_estimated():
    # data-apis.md 1.8 item 4: Comtrade writes netWgt 0.0 where no weight was reported; only a 0 it flags
    # as estimated (isNetWgtEstimated) is a figure. The value is kept either way.
    unflagged = replay.make_record("202205", "RUS", "Russian Federation", 0.0, RUS_USD)
    flagged = replay.make_record("202205", "SAU", "Saudi Arabia", 0.0, SAU_USD, estimated=True)
    null = replay.make_record("202205", "_X", "Areas, nes", None, 5_000_000.0)

    table = validate(clean_records([unflagged, flagged, null], REL))

    rus, sau, nes = table.itertuples()
    assert math.isnan(rus.net_weight_kg) and (rus.is_weight_estimated, rus.value_usd) == (False, RUS_USD)
    assert (sau.net_weight_kg, sau.is_weight_estimated, sau.value_usd) == (0.0, True, SAU_USD)
    assert math.isnan(nes.net_weight_kg)


def test_unknown_commodity_and_foreign_flows_are_clear_errors():
    with pytest.raises(UnknownCommodity, match="'270900'"):
        clean_records([replay.make_record("202205", "RUS", "Russian Federation", 1.0, 1.0, cmd="270900")], REL)
    odd = dict(replay.make_record("202205", "RUS", "Russian Federation", 1.0, 1.0), flowCode="RX")
    with pytest.raises(ComtradeBadResponse, match=r"\['RX'\]"):
        clean_records([odd], REL)
    no_iso = dict(replay.make_record("202205", "RUS", "Russian Federation", 1.0, 1.0), partnerISO=None)
    with pytest.raises(ComtradeBadResponse, match="includeDesc"):
        clean_records([no_iso], REL)


def test_no_records_is_an_empty_clean_frame():
    assert list(clean_records([], REL).columns) == list(COLUMNS)


# ---------------------------------------------------------------------------------------- on disk
def put(raw_root, vintage, request, records, lineage=()):
    """Store ``records`` as the answer to ``request`` on ``vintage`` (as fetch would)."""
    reply = comtrade.HttpReply(request.url(), 200, "application/json", replay.envelope(records))
    when = datetime.fromisoformat(vintage).replace(hour=9, tzinfo=timezone.utc)
    meta = comtrade.sidecar_meta(request, reply, len(records), tuple(lineage), when)
    return store_response(raw_root, vintage, request.file_name, reply.body, meta).path


def crude(partner="all", start="2022-05", end=None):
    return check_query("CHN", partner, "crude_oil", "M", "M", start, end, keyed=True)


def test_clean_takes_the_newest_vintage_per_query_and_period(tmp_path):
    raw_root = tmp_path / "raw"
    may, june = may_records()[:4], [replay.make_record("202206", "RUS", "Russian Federation", 1.0, 100.0)]
    put(raw_root, "2026-01-05", crude(end="2022-06"), may + june)
    revised = [dict(may[0], primaryValue=RUS_USD + 1)]
    put(raw_root, "2026-02-09", crude(start="2022-05"), revised)  # another query: May only, Russia only

    table = validate(comtrade.clean(raw_root))

    # Russia in May is in both vintages: the newest figure wins; the rest stay from the first vintage.
    rus_may = table[(table.partner_iso3 == "RUS") & (table.period == "2022-05")]
    assert rus_may.value_usd.tolist() == [RUS_USD + 1]
    assert rus_may.provenance.str.startswith("raw/comtrade/2026-02-09/").all()
    assert sorted(table.partner_iso3[table.period == "2022-05"]) == ["RUS", "SAU", "WLD"]
    assert table[table.period == "2022-06"].value_usd.tolist() == [100.0]
    assert len(comtrade.clean(raw_root, vintage="2026-01-05")) == 4
    with pytest.raises(ComtradeError, match="stored vintages: \\['2026-01-05', '2026-02-09'\\]"):
        comtrade.clean(raw_root, vintage="2025-12-31")


def test_a_refetched_query_replaces_partners_that_the_revision_dropped(tmp_path):
    raw_root = tmp_path / "raw"
    put(raw_root, "2026-01-05", crude(), may_records()[:4])
    put(raw_root, "2026-02-09", crude(), [may_records()[0]])  # the same query, newer: Russia only
    assert comtrade.clean(raw_root).partner_iso3.tolist() == ["RUS"]


def test_nothing_stored_is_an_empty_frame_with_the_clean_columns(tmp_path):
    table = comtrade.clean(tmp_path / "raw")
    assert table.empty and list(table.columns) == list(COLUMNS)
    assert isinstance(table, pd.DataFrame)


def test_a_changed_stored_file_is_refused(tmp_path):
    path = put(tmp_path / "raw", "2026-01-05", crude(), may_records()[:1])
    path.write_bytes(path.read_bytes().replace(b"Russian", b"Prussian"))
    with pytest.raises(RawFileChanged):
        comtrade.clean(tmp_path / "raw")
