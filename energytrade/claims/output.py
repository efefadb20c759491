"""Claim results as JSON, as a plain-text table for the terminal, and as a DataFrame of evidence."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd

from energytrade.claims import prose
from energytrade.claims.results import ClaimResult, ClaimTimeline
from energytrade.formatting import commodity_name, country_name, fmt_date, fmt_window

_WIDTH = 110


def to_json(results: Iterable[ClaimResult]) -> str:
    """A JSON array, one object per claim (:data:`energytrade.claims.JSON_SCHEMA`).

    Deterministic: keys in a fixed order, floats rounded, missing as ``null`` (never NaN), 2-space indent.
    """
    return json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False, allow_nan=False)


def _plain_table(rows: list[dict]) -> list[str]:
    """Left-aligned columns separated by two spaces; numbers right-aligned."""
    columns = list(rows[0])
    cells = [[str(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[c], int) for r in rows) for c in columns]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    return [line(columns), line(["-" * w for w in widths])] + [line(row) for row in cells]


def to_table(results: Iterable[ClaimResult]) -> str:
    """A readable plain-text report: per claim its verdict, quote, summary and one line per finding."""
    blocks = []
    for r in results:
        later = f", on the newest data {prose.verdict_words(r.later_verdict)}" if r.later_verdict else ""
        lines = [f"{r.id}: {prose.verdict_words(r.verdict)}{later} (as of {fmt_date(r.as_of)})", f'  "{r.quote}"']
        lines += textwrap.wrap(r.bottom_line, _WIDTH, initial_indent="  ", subsequent_indent="  ")
        lines += [""] + textwrap.wrap(r.summary, _WIDTH, initial_indent="  ", subsequent_indent="  ")
        rows = [
            {
                "window": fmt_window(f.window),
                "commodity": commodity_name(f.commodity),
                "measure": prose.METRIC_WORDS.get(f.metric, f.metric),
                "verdict": prose.verdict_words(f.verdict) + ("" if f.counts_toward_verdict else " (context)"),
                "known": "yes" if f.known_at_as_of else f"from {fmt_date(f.known_from)}",
                "figures": prose.finding_line(f),
                "rows": len(f.sources),
            }
            for f in r.findings
        ]
        if rows:
            lines += [""] + ["  " + line for line in _plain_table(rows)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def timeline_json(timelines: Iterable[ClaimTimeline]) -> str:
    """A JSON array, one object per claim: ``id``, ``start``, ``end``, ``first_supported_on``,
    ``supported_since`` and ``points`` (``date``, ``verdict``, ``window``, ``metric``, ``leader_iso3``,
    ``figure_pct``)."""
    return json.dumps([t.to_dict() for t in timelines], indent=2, ensure_ascii=False, allow_nan=False)


def timeline_table(timelines: Iterable[ClaimTimeline]) -> str:
    """Per claim: its timeline sentence, then one line per release day."""
    blocks = []
    for t in timelines:
        lines = textwrap.wrap(prose.timeline_line(t), _WIDTH)
        rows = [
            {
                "release": fmt_date(p.day),
                "verdict": prose.verdict_words(p.verdict),
                "window": fmt_window(p.window) if p.window else "",
                "measure": prose.METRIC_WORDS.get(p.metric, p.metric) if p.metric else "",
                "leader": country_name(p.leader_iso3) if p.leader_iso3 else "",
                "margin or change": "" if p.figure_pct is None else f"{p.figure_pct:+.1f} %",
            }
            for p in t.points
        ]
        if rows:
            lines += [""] + ["  " + line for line in _plain_table(rows)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


#: Columns of :func:`evidence_frame`, in order.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "type",
    "commodity",
    "metric",
    "unit",
    "window",
    "verdict",
    "known_at_as_of",
    "known_from",
    "counts_toward_verdict",
    "leader_iso3",
    "leader_value",
    "runner_up_iso3",
    "runner_up_value",
    "margin_pct",
    "claimed_iso3",
    "claimed_rank",
    "claimed_value",
    "claimed_share_pct",
    "partner_iso3",
    "value",
    "baseline_window",
    "baseline_value",
    "change_pct",
    "threshold_pct",
    "missing",
    "notes",
    "n_sources",
    "sources",
)


def evidence_frame(result: ClaimResult) -> pd.DataFrame:
    """One row per finding of a claim, for the report and notebooks.

    Returns
    -------
    DataFrame
        :data:`EVIDENCE_COLUMNS`: figures in ``unit`` (t, USD, bcm, bbl/d; full precision), percentages
        [%], ``missing`` and ``notes`` joined with ``"; "``, ``n_sources`` (raw rows behind the finding)
        and ``sources`` (their provenance joined with ``" "``).
    """
    findings = result.findings
    floats = (
        "leader_value",
        "runner_up_value",
        "margin_pct",
        "claimed_value",
        "claimed_share_pct",
        "value",
        "baseline_value",
        "change_pct",
        "threshold_pct",
    )
    # Columns built directly (the dtypes the records gave: text, float64, Int64, int64).
    data: dict[str, object] = {
        "claim_id": [f.claim_id for f in findings],
        "type": [f.type for f in findings],
        "commodity": [f.commodity for f in findings],
        "metric": [f.metric for f in findings],
        "unit": [f.unit for f in findings],
        "window": [f.window for f in findings],
        "verdict": [f.verdict for f in findings],
        "known_at_as_of": [f.known_at_as_of for f in findings],
        "known_from": [f.known_from.isoformat() for f in findings],
        "counts_toward_verdict": [f.counts_toward_verdict for f in findings],
        "leader_iso3": [f.leader_iso3 for f in findings],
        "runner_up_iso3": [f.runner_up_iso3 for f in findings],
        "claimed_iso3": [f.claimed_iso3 for f in findings],
        "claimed_rank": pd.array([f.claimed_rank for f in findings], dtype="Int64"),
        "partner_iso3": [f.partner_iso3 for f in findings],
        "baseline_window": [f.baseline_window for f in findings],
        "missing": ["; ".join(f.missing) for f in findings],
        "notes": ["; ".join(f.notes) for f in findings],
        "n_sources": np.array([len(f.sources) for f in findings], dtype="int64"),
        "sources": [" ".join(f.sources) for f in findings],
    }
    for name in floats:
        data[name] = np.array([getattr(f, name) for f in findings], dtype="float64")
    if not findings:  # no values to tell text from numbers: text columns stay object, as from records
        data = {c: np.array([], dtype=object) if isinstance(v, list) else v for c, v in data.items()}
    return pd.DataFrame({c: data[c] for c in EVIDENCE_COLUMNS})
