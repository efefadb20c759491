"""Claim results as JSON (schema), a terminal table and an evidence frame (the figure: ``test_claim_figures``)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from test_claims import one_claim_of_each_kind

from energytrade.claims import (
    EVIDENCE_COLUMNS,
    JSON_SCHEMA,
    VERDICTS,
    evidence_frame,
    to_json,
    to_table,
)

CLAIM_KEYS = ["id", "quote", "kind", "verdict", "later_verdict", "summary", "as_of", "lag_days", "threshold",
              "findings"]
COMMON = {"type": str, "commodity": str, "metric": str, "unit": str, "window": str, "verdict": str,
          "known_at_as_of": bool, "known_from": str, "counts_toward_verdict": bool, "missing": list,
          "data_sources": list, "notes": list, "sources": list}
RANKING = ["leader_iso3", "leader_name", "leader_value", "runner_up_iso3", "runner_up_name", "runner_up_value",
           "margin_pct", "claimed_iso3", "claimed_rank", "claimed_value", "claimed_share_pct"]
CHANGE = ["partner_iso3", "value", "baseline_window", "baseline_value", "change_pct", "threshold_pct"]
NUMBER_OR_NULL = (int, float, type(None))


@pytest.fixture(scope="module")
def results():
    """One claim of each kind, with inconclusive findings (a missing month) among them."""
    return one_claim_of_each_kind()


def check_structure(doc: list) -> None:
    """The JSON schema, asserted by hand (works without the jsonschema package)."""
    assert isinstance(doc, list)
    for claim in doc:
        assert list(claim) == CLAIM_KEYS
        assert claim["verdict"] in VERDICTS
        assert claim["later_verdict"] in VERDICTS + (None,)
        assert len(claim["as_of"]) == 10 and isinstance(claim["summary"], str) and claim["summary"]
        for f in claim["findings"]:
            for key, kind in COMMON.items():
                assert isinstance(f[key], kind), key
            assert f["metric"] in ("mass", "value", "volume", "bpd")
            assert f["verdict"] in ("SUPPORTED", "NOT_SUPPORTED", "INCONCLUSIVE")
            specific = RANKING if f["type"] == "ranking" else CHANGE
            for key in specific:
                assert key in f
            for key in ("leader_value", "runner_up_value", "margin_pct", "value", "baseline_value", "change_pct"):
                if key in f:
                    assert isinstance(f[key], NUMBER_OR_NULL) and not (isinstance(f[key], float) and math.isnan(f[key]))
            assert all(s.startswith("raw/") and "#row=" in s for s in f["sources"])


def test_json_is_an_array_of_claims_with_the_documented_fields(results):
    _, evaluated = results
    text = to_json(evaluated)
    doc = json.loads(text)
    check_structure(doc)
    assert [c["id"] for c in doc] == ["test-largest-supplier", "test-surge", "test-gas-forecast"]
    assert "NaN" not in text


def test_json_validates_against_the_published_schema(results):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(to_json(results[1]))
    jsonschema.validate(doc, JSON_SCHEMA, format_checker=jsonschema.FormatChecker())


def test_json_writes_missing_figures_as_null_and_rounds(results):
    doc = json.loads(to_json(results[1]))
    surge = doc[1]
    [gap] = [f for f in surge["findings"] if f["verdict"] == "INCONCLUSIVE" and f["metric"] == "value"]
    assert gap["baseline_value"] is None and gap["change_pct"] is None
    assert gap["missing"] == ["2021-05: no crude_oil value data in comtrade_extract"]
    forecast = doc[2]["findings"][0]
    assert forecast["value"] == 22.73 and forecast["change_pct"] == round((22.73 - 15.4) / 15.4 * 100, 2)
    assert {a["outlet"] for a in forecast["alternatives"]} == {"RU govt/Novak", "Gazprom Telegram", "Interfax"}


def test_json_is_deterministic(results):
    assert to_json(results[1]) == to_json(results[1])


def test_table_shows_each_claim_verdict_and_findings(results):
    text = to_table(results[1])
    for result in results[1]:
        assert f"{result.id}: {result.verdict}" in text
        assert f'"{result.quote}"' in text
    assert "not counted" not in text.split("test-gas-forecast")[0]
    assert "SAU 6.00 Mt > RUS 5.50 Mt (+9.1 %); RUS #2 5.50 Mt" in text
    assert "2022-01..2022-02: no crude_oil mass data in comtrade_extract" in text


def test_evidence_frame_has_one_row_per_finding(results):
    for result in results[1]:
        evidence = evidence_frame(result)
        assert list(evidence.columns) == list(EVIDENCE_COLUMNS)
        assert len(evidence) == len(result.findings)
        assert evidence["n_sources"].tolist() == [len(f.sources) for f in result.findings]
        assert pd.api.types.is_float_dtype(evidence["change_pct"])
