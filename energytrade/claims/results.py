"""What an evaluation returns: findings and claim results, and their JSON-ready dictionaries.

:meth:`Finding.to_dict` and :meth:`ClaimResult.to_dict` give the objects of ``energytrade claims --json``
(:data:`JSON_SCHEMA`): keys in a fixed order, floats rounded (tonnes, dollars and barrels per day to whole
numbers, bcm to 4 decimals, percentages to 2), no NaN (missing is ``null``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from energytrade.claims.spec import ClaimSpec

SUPPORTED = "SUPPORTED"
NOT_SUPPORTED = "NOT_SUPPORTED"
MIXED = "MIXED"
INCONCLUSIVE = "INCONCLUSIVE"
#: The verdict vocabulary (a finding is never MIXED; a claim can be any of them).
VERDICTS: tuple[str, ...] = (SUPPORTED, NOT_SUPPORTED, MIXED, INCONCLUSIVE)

#: Decimals kept per unit in the JSON (t, USD and bbl/d to whole numbers; bcm to 4 decimals).
_DECIMALS = {"t": 0, "USD": 0, "bbl/d": 0, "bcm": 4}
_PCT_DECIMALS = 2


def round_figure(x: float | None, unit: str) -> float | int | None:
    """A figure for the JSON: ``None`` for missing/NaN, whole numbers as ``int``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    decimals = _DECIMALS.get(unit, 4)
    return int(round(x)) if decimals == 0 else round(float(x), decimals)


def round_pct(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), _PCT_DECIMALS)


@dataclass(frozen=True)
class Finding:
    """One comparison over one window in one measure, with its verdict and evidence.

    ``type`` is ``"ranking"`` (largest supplier: ``leader_*``, ``runner_up_*``, ``margin_pct`` [%],
    ``claimed_*``) or ``"change"`` (``value`` against ``baseline_value`` over ``baseline_window``,
    ``change_pct`` [%] against ``threshold_pct`` [%]). Values are in ``unit`` (t, USD, bcm, bbl/d).
    """

    claim_id: str
    type: str
    commodity: str
    metric: str
    unit: str
    window: str
    verdict: str
    known_at_as_of: bool
    known_from: date
    counts_toward_verdict: bool
    # rankings
    leader_iso3: str | None = None
    leader_name: str | None = None
    leader_value: float | None = None
    runner_up_iso3: str | None = None
    runner_up_name: str | None = None
    runner_up_value: float | None = None
    margin_pct: float | None = None
    claimed_iso3: str | None = None
    claimed_rank: int | None = None
    claimed_value: float | None = None
    claimed_share_pct: float | None = None
    # changes
    partner_iso3: str | None = None
    value: float | None = None
    baseline_window: str | None = None
    baseline_value: float | None = None
    change_pct: float | None = None
    threshold_pct: float | None = None
    change_pct_range: tuple[float, float] | None = None
    alternatives: tuple[dict, ...] = ()
    # evidence
    missing: tuple[str, ...] = ()
    data_sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    #: Changes: ``((window, sources), (baseline_window, sources))``, the sources each side's figure came
    #: from. Not in the JSON: ``data_sources`` lists them all and ``notes`` says which side used which.
    window_sources: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def has_mixed_sources(self) -> bool:
        """Whether a change compares figures from different sources (the notes say so)."""
        return self.verdict != INCONCLUSIVE and len({frozenset(s) for _, s in self.window_sources}) > 1

    def to_dict(self) -> dict:
        """The finding as a JSON-ready dict (see :data:`JSON_SCHEMA`)."""
        out: dict = {
            "type": self.type,
            "commodity": self.commodity,
            "metric": self.metric,
            "unit": self.unit,
            "window": self.window,
            "verdict": self.verdict,
            "known_at_as_of": self.known_at_as_of,
            "known_from": self.known_from.isoformat(),
            "counts_toward_verdict": self.counts_toward_verdict,
        }
        u = self.unit
        if self.type == "ranking":
            out.update(
                {
                    "leader_iso3": self.leader_iso3,
                    "leader_name": self.leader_name,
                    "leader_value": round_figure(self.leader_value, u),
                    "runner_up_iso3": self.runner_up_iso3,
                    "runner_up_name": self.runner_up_name,
                    "runner_up_value": round_figure(self.runner_up_value, u),
                    "margin_pct": round_pct(self.margin_pct),
                    "claimed_iso3": self.claimed_iso3,
                    "claimed_rank": self.claimed_rank,
                    "claimed_value": round_figure(self.claimed_value, u),
                    "claimed_share_pct": round_pct(self.claimed_share_pct),
                }
            )
        else:
            out.update(
                {
                    "partner_iso3": self.partner_iso3,
                    "value": round_figure(self.value, u),
                    "baseline_window": self.baseline_window,
                    "baseline_value": round_figure(self.baseline_value, u),
                    "change_pct": round_pct(self.change_pct),
                    "threshold_pct": round_pct(self.threshold_pct),
                }
            )
            if self.alternatives:
                out["change_pct_range"] = (
                    None if self.change_pct_range is None else [round_pct(x) for x in self.change_pct_range]
                )
                out["alternatives"] = [
                    {
                        "window": a["window"],
                        "value": round_figure(a["value"], u),
                        "outlet": a["outlet"],
                        "provenance": a["provenance"],
                    }
                    for a in self.alternatives
                ]
        out.update(
            {
                "missing": list(self.missing),
                "data_sources": list(self.data_sources),
                "notes": list(self.notes),
                "sources": list(self.sources),
            }
        )
        return out


@dataclass(frozen=True)
class TimelinePoint:
    """A claim's verdict on one release day, with its headline figure.

    ``figure_pct``: rankings, the claimed partner's margin over the runner-up when it leads, else its
    gap to the leader (negative) [%]; changes, the change against the baseline [%]. From the first counted
    finding with data over the longest window (``window``, ``metric``); ``leader_iso3`` is that window's
    leader (changes: the partner).
    """

    day: date
    verdict: str
    window: str | None = None
    metric: str | None = None
    leader_iso3: str | None = None
    figure_pct: float | None = None

    def to_dict(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "verdict": self.verdict,
            "window": self.window,
            "metric": self.metric,
            "leader_iso3": self.leader_iso3,
            "figure_pct": round_pct(self.figure_pct),
        }


@dataclass(frozen=True)
class ClaimTimeline:
    """A claim evaluated on every release day from ``start`` to ``end``.

    ``first_supported_on``: the first day it was SUPPORTED; ``supported_since``: the first day of the
    SUPPORTED run that lasts to ``end`` (``None`` when none, or when the last verdict is not SUPPORTED).
    """

    spec: ClaimSpec
    start: date
    end: date
    points: tuple[TimelinePoint, ...]
    first_supported_on: date | None
    supported_since: date | None

    @property
    def id(self) -> str:
        return self.spec.id

    def to_dict(self) -> dict:
        return {
            "id": self.spec.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "first_supported_on": _iso(self.first_supported_on),
            "supported_since": _iso(self.supported_since),
            "points": [p.to_dict() for p in self.points],
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class ClaimResult:
    """A claim's verdict as known on ``as_of``, with every finding (known then, or on newer data).

    Data only: ``summary`` and ``bottom_line`` are written by :mod:`energytrade.claims.prose` (filled by
    :func:`energytrade.claims.evaluate`). ``later_verdict`` is the verdict on the newest data;
    ``timeline`` runs from :data:`energytrade.claims.engine.TIMELINE_START` to ``newest_as_of``.
    """

    spec: ClaimSpec
    as_of: date
    lag_days: int | None
    verdict: str
    later_verdict: str | None
    findings: tuple[Finding, ...] = field(default=())
    months: object = None
    newest_as_of: date | None = None
    timeline: ClaimTimeline | None = None
    summary: str = ""
    bottom_line: str = ""

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def quote(self) -> str:
        return self.spec.quote

    @property
    def first_supported_on(self) -> date | None:
        return None if self.timeline is None else self.timeline.first_supported_on

    @property
    def supported_since(self) -> date | None:
        return None if self.timeline is None else self.timeline.supported_since

    def to_dict(self) -> dict:
        """The claim as the JSON object of ``energytrade claims --json`` (see :data:`JSON_SCHEMA`)."""
        return {
            "id": self.spec.id,
            "quote": self.spec.quote,
            "bottom_line": self.bottom_line,
            "kind": self.spec.kind,
            "verdict": self.verdict,
            "later_verdict": self.later_verdict,
            "first_supported_on": _iso(self.first_supported_on),
            "supported_since": _iso(self.supported_since),
            "summary": self.summary,
            "as_of": self.as_of.isoformat(),
            "lag_days": self.lag_days,
            "threshold": None if self.spec.threshold is None else self.spec.threshold.text,
            "findings": [f.to_dict() for f in self.findings],
        }


_NUM = {"type": "number"}
_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}
_STR_LIST = {"type": "array", "items": {"type": "string"}}
_WINDOW = {"type": "string", "pattern": r"^\d{4}(-\d{2}(/\d{4}-\d{2})?)?$"}
_VERDICT = {"enum": list(VERDICTS)}
_FINDING_COMMON = {
    "type": {"enum": ["ranking", "change"]},
    "commodity": {"type": "string"},
    "metric": {"enum": ["mass", "value", "volume", "bpd"]},
    "unit": {"enum": ["t", "USD", "bcm", "bbl/d"]},
    "window": _WINDOW,
    "verdict": {"enum": [SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE]},
    "known_at_as_of": {"type": "boolean"},
    "known_from": {"type": "string", "format": "date"},
    "counts_toward_verdict": {"type": "boolean"},
    "missing": _STR_LIST,
    "data_sources": _STR_LIST,
    "notes": _STR_LIST,
    "sources": {"type": "array", "items": {"type": "string", "pattern": r"^raw/.+#row=\d+(&col=\w+)?$"}},
}
_RANKING = {
    "leader_iso3": _STR_OR_NULL,
    "leader_name": _STR_OR_NULL,
    "leader_value": _NUM_OR_NULL,
    "runner_up_iso3": _STR_OR_NULL,
    "runner_up_name": _STR_OR_NULL,
    "runner_up_value": _NUM_OR_NULL,
    "margin_pct": _NUM_OR_NULL,
    "claimed_iso3": _STR_OR_NULL,
    "claimed_rank": {"type": ["integer", "null"]},
    "claimed_value": _NUM_OR_NULL,
    "claimed_share_pct": _NUM_OR_NULL,
}
_CHANGE = {
    "partner_iso3": _STR_OR_NULL,
    "value": _NUM_OR_NULL,
    "baseline_window": _WINDOW,
    "baseline_value": _NUM_OR_NULL,
    "change_pct": _NUM_OR_NULL,
    "threshold_pct": _NUM,
}
_CHANGE_OPTIONAL = {
    "change_pct_range": {"type": ["array", "null"], "items": _NUM, "minItems": 2, "maxItems": 2},
    "alternatives": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["window", "value", "outlet", "provenance"],
            "properties": {
                "window": _WINDOW,
                "value": _NUM,
                "outlet": {"type": "string"},
                "provenance": {"type": "string"},
            },
        },
    },
}


def _finding_schema(kind: str, props: dict, optional: dict | None = None) -> dict:
    properties = {**_FINDING_COMMON, **props, **(optional or {})}
    properties["type"] = {"const": kind}
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": list(_FINDING_COMMON) + list(props),
    }


#: JSON Schema (draft 2020-12) of ``energytrade claims --json``: an array, one object per claim.
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "energytrade claims --json",
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": [
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
        ],
        "properties": {
            "id": {"type": "string"},
            "quote": {"type": "string"},
            "bottom_line": {"type": "string"},
            "first_supported_on": {"type": ["string", "null"], "format": "date"},
            "supported_since": {"type": ["string", "null"], "format": "date"},
            "kind": {"enum": ["largest_supplier", "change_over_period", "forecast_vs_outcome"]},
            "verdict": _VERDICT,
            "later_verdict": {"anyOf": [_VERDICT, {"type": "null"}]},
            "summary": {"type": "string"},
            "as_of": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "lag_days": {"type": ["integer", "null"], "minimum": 0},
            "threshold": _STR_OR_NULL,
            "findings": {
                "type": "array",
                "items": {
                    "oneOf": [
                        _finding_schema("ranking", _RANKING),
                        _finding_schema("change", _CHANGE, _CHANGE_OPTIONAL),
                    ]
                },
            },
        },
    },
}
