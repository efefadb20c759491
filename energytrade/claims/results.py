"""What an evaluation returns: findings and claim results, and their JSON-ready dictionaries.

:meth:`Finding.to_dict` and :meth:`ClaimResult.to_dict` give the objects of ``energytrade claims --json``
(:data:`JSON_SCHEMA`): keys in a fixed order, floats rounded (tonnes, dollars and barrels per day to whole
numbers, bcm to 4 decimals, percentages to 2), no NaN (missing is ``null``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

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


# ------------------------------------------------------------------------------------- JSON Schema
# The JSON output declared as models: the schema is generated from them (never kept by hand), and a test
# validates the output against it.

_Window = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(/\d{4}-\d{2})?)?$")]
_Provenance = Annotated[str, Field(pattern=r"^raw/.+#row=\d+(&col=\w+)?$")]
_FindingVerdict = Literal["SUPPORTED", "NOT_SUPPORTED", "INCONCLUSIVE"]
_Verdict = Literal["SUPPORTED", "NOT_SUPPORTED", "MIXED", "INCONCLUSIVE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FindingJSON(_Strict):
    commodity: str
    metric: Literal["mass", "value", "volume", "bpd"]
    unit: Literal["t", "USD", "bcm", "bbl/d"]
    window: _Window
    verdict: _FindingVerdict
    known_at_as_of: bool
    known_from: date
    counts_toward_verdict: bool
    missing: list[str]
    data_sources: list[str]
    notes: list[str]
    sources: list[_Provenance]


class RankingFindingJSON(_FindingJSON):
    """A ranking finding of ``energytrade claims --json`` (values in ``unit``, percentages in %)."""

    type: Literal["ranking"]
    leader_iso3: str | None
    leader_name: str | None
    leader_value: float | None
    runner_up_iso3: str | None
    runner_up_name: str | None
    runner_up_value: float | None
    margin_pct: float | None
    claimed_iso3: str | None
    claimed_rank: int | None
    claimed_value: float | None
    claimed_share_pct: float | None


class AlternativeJSON(_Strict):
    window: _Window
    value: float
    outlet: str
    provenance: str


class ChangeFindingJSON(_FindingJSON):
    """A change finding of ``energytrade claims --json`` (press figures add the outlets' range)."""

    type: Literal["change"]
    partner_iso3: str | None
    value: float | None
    baseline_window: _Window
    baseline_value: float | None
    change_pct: float | None
    threshold_pct: float
    change_pct_range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    alternatives: list[AlternativeJSON] = []


class ClaimJSON(_Strict):
    """One claim of ``energytrade claims --json``."""

    id: str
    quote: str
    bottom_line: str
    kind: Literal["largest_supplier", "change_over_period", "forecast_vs_outcome"]
    verdict: _Verdict
    later_verdict: _Verdict | None
    first_supported_on: date | None
    supported_since: date | None
    summary: str
    as_of: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    lag_days: Annotated[int, Field(ge=0)] | None
    threshold: str | None
    findings: list[Annotated[RankingFindingJSON | ChangeFindingJSON, Field(discriminator="type")]]


#: JSON Schema (draft 2020-12) of ``energytrade claims --json``: an array, one object per claim, generated
#: from :class:`ClaimJSON`.
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "energytrade claims --json",
    **TypeAdapter(list[ClaimJSON]).json_schema(),
}
