"""Claim results as JSON (schema), a terminal table and an evidence frame (the figure: ``test_report_chapters_claims``)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_claims import each_kind_flows_and_specs, one_claim_of_each_kind

from energytrade.claims import (
    EVIDENCE_COLUMNS,
    JSON_SCHEMA,
    VERDICTS,
    evaluate,
    evidence_frame,
    to_json,
    to_table,
)

CLAIM_KEYS = [
    "id",
    "quote",
    "bottom_line",
    "kind",
    "verdict",
    "later_verdict",
    "first_supported_on",
    "supported_since",
    "summary",
    "as_of",
    "lag_days",
    "threshold",
    "findings",
]
COMMON = {
    "type": str,
    "commodity": str,
    "metric": str,
    "unit": str,
    "window": str,
    "verdict": str,
    "known_at_as_of": bool,
    "known_from": str,
    "counts_toward_verdict": bool,
    "missing": list,
    "data_sources": list,
    "notes": list,
    "sources": list,
}
RANKING = [
    "leader_iso3",
    "leader_name",
    "leader_value",
    "runner_up_iso3",
    "runner_up_name",
    "runner_up_value",
    "margin_pct",
    "claimed_iso3",
    "claimed_rank",
    "claimed_value",
    "claimed_share_pct",
]
CHANGE = ["partner_iso3", "value", "baseline_window", "baseline_value", "change_pct", "threshold_pct"]
NUMBER_OR_NULL = (int, float, type(None))
#: How a bottom line starts (energytrade.claims.prose).
BOTTOM_LINE_WORDS = ("Supported", "Not supported", "Premature", "Mixed", "Cannot be judged")
TESTS = Path(__file__).resolve().parent


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
        assert claim["bottom_line"].split(" on ")[0] in BOTTOM_LINE_WORDS
        for key in ("first_supported_on", "supported_since"):
            assert claim[key] is None or len(claim[key]) == 10
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


# Evaluates the same constructed claims in a fresh interpreter and prints their JSON.
FRESH_PROCESS = (
    "from test_claims import one_claim_of_each_kind; from energytrade.claims import to_json; "
    "print(to_json(one_claim_of_each_kind()[1]))"
)


def test_json_is_the_same_from_a_second_evaluation_and_from_fresh_processes():
    flows, specs = each_kind_flows_and_specs()
    before = flows.copy()
    first = to_json(evaluate(flows=flows, specs=specs))
    # Again on the same frame: an evaluation neither changes its input nor leaves state behind.
    assert to_json(evaluate(flows=flows, specs=specs)) == first
    pd.testing.assert_frame_equal(flows, before)
    # From scratch in other interpreters, with other string-hash seeds (the order of sets of strings).
    for seed in ("1", "2"):
        path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": path}
        done = subprocess.run(
            [sys.executable, "-c", FRESH_PROCESS],
            env=env,
            cwd=TESTS,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        assert done.stdout == first + "\n", f"PYTHONHASHSEED={seed}"


def test_table_shows_each_claim_verdict_and_findings(results):
    text = to_table(results[1])
    for result in results[1]:
        assert f"{result.id}: {result.verdict.replace('_', ' ').lower()}" in text  # verdicts in words
        assert f'"{result.quote}"' in text
    assert "(context)" not in text.split("test-gas-forecast")[0]
    assert "Saudi Arabia 6.00 Mt > Russia 5.50 Mt (+9.1 %); Russia #2 5.50 Mt" in text
    assert "2022-01..2022-02: no crude_oil mass data in comtrade_extract" in text


def test_evidence_frame_has_one_row_per_finding(results):
    for result in results[1]:
        evidence = evidence_frame(result)
        assert list(evidence.columns) == list(EVIDENCE_COLUMNS)
        assert len(evidence) == len(result.findings)
        assert evidence["n_sources"].tolist() == [len(f.sources) for f in result.findings]
        assert pd.api.types.is_float_dtype(evidence["change_pct"])
