"""Claim specs: the article's claims as data (``claims.yml``), read into checked frozen dataclasses.

A spec says what a claim is about (importer, exporter, commodities, metrics, sources), over which windows
it is judged and, for changes, the threshold a change must reach. It holds no code: the engine
(:mod:`energytrade.claims.engine`) evaluates every kind in :data:`KINDS`. Every spec is checked when it
is built; an unknown commodity, country, metric, source or window rule raises :class:`ClaimSpecError`
naming the claim, the field and what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from energytrade import events
from energytrade.commodities import check_commodity
from energytrade.countries import WORLD_ISO3, check_iso3
from energytrade.errors import BadPeriod, ClaimSpecError, EnergyTradeError
from energytrade.metrics import METRIC_UNITS
from energytrade.periods import parse_month, parse_period
from energytrade.yamlfiles import safe_load

#: Claim kinds the engine evaluates.
KINDS: tuple[str, ...] = ("largest_supplier", "change_over_period", "forecast_vs_outcome")
#: Kinds judged by a change against a baseline (they need a threshold and baselines).
CHANGE_KINDS: tuple[str, ...] = ("change_over_period", "forecast_vs_outcome")
#: Metrics, with their units (:mod:`energytrade.metrics`, one place for every layer).
METRICS: dict[str, str] = METRIC_UNITS
#: Sources whose rows are monthly customs figures, one per partner and month (summed over windows).
MONTHLY_SOURCES: tuple[str, ...] = ("comtrade_extract", "comtrade", "gacc_query")
#: Sources of figures as reported by outlets (several rows may give one figure): need an outlet rule.
PRESS_SOURCES: tuple[str, ...] = ("gacc_press",)
#: Short names of the sources, for notes and summaries that say which source gave which window.
SOURCE_NAMES: dict[str, str] = {
    "comtrade_extract": "UN Comtrade, via the china-energy-monitor extract",
    "comtrade": "UN Comtrade API",
    "gacc_query": "China customs' online query",
    "gacc_press": "press reports",
}
#: Window rules (see :class:`WindowRule`).
WINDOW_RULES: tuple[str, ...] = (
    "latest_release",
    "latest_month",
    "last_months",
    "year_to_date",
    "calendar_years",
    "span_to_latest",
    "fixed",
)
#: Rules whose windows move with the as-of date (their baseline must move too).
MOVING_RULES: tuple[str, ...] = WINDOW_RULES[:-1]
YEAR_EARLIER = "year_earlier"
#: Baseline: the same months before the claim's event (``since``), whole years earlier.
BEFORE_EVENT = "before_event"

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SPEC_FILE = "claims.yml"


def _fail(claim_id: str, message: str) -> ClaimSpecError:
    return ClaimSpecError(f"claim {claim_id!r}: {message}")


@dataclass(frozen=True)
class Threshold:
    """The change a claim's word stands for, e.g. "dramatically" = at least +25 %.

    Attributes
    ----------
    change_pct : float
        The threshold [%] on ``(value - baseline) / baseline * 100``.
    inclusive : bool
        ``True``: a change of exactly ``change_pct`` passes (``>=``); ``False``: it must be above (``>``).
    meaning : str
        The rule in words, shown with every verdict.
    """

    change_pct: float
    inclusive: bool
    meaning: str

    def passes(self, change_pct: float) -> bool:
        return change_pct >= self.change_pct if self.inclusive else change_pct > self.change_pct

    @property
    def text(self) -> str:
        op = ">=" if self.inclusive else ">"
        return f"{self.meaning} (change {op} {self.change_pct:+g} %)"


@dataclass(frozen=True)
class Measure:
    """One thing a claim compares: a commodity (or a sum of commodities) in one metric.

    Attributes
    ----------
    commodities : tuple of str
        One commodity, or several summed into one total (value only makes sense across commodities).
    metric : str
        ``mass`` [t], ``value`` [USD], ``volume`` [bcm] or ``bpd`` [bbl/d].
    sources : tuple of str
        In order of preference; for each window the first source with data in every month is used.
    label : str
        The name shown for the measure (the commodity, or e.g. ``energy_total`` for a sum).
    press_outlets_preferred : tuple of str
        For press sources: outlets (the start of a row's ``outlet`` column, e.g. ``Gazprom`` for
        ``Gazprom via TASS``) in order of preference. See :func:`energytrade.claims.evidence.pick_press_figure`.
    """

    commodities: tuple[str, ...]
    metric: str
    sources: tuple[str, ...]
    label: str = ""
    press_outlets_preferred: tuple[str, ...] = ()
    #: A press source whose figures (China customs' own, as outlets printed them) stand in for windows
    #: where none of ``sources`` has the metric; labelled as press figures wherever shown.
    press_fallback: str | None = None

    @property
    def unit(self) -> str:
        return METRICS[self.metric]

    @property
    def is_press(self) -> bool:
        return any(s in PRESS_SOURCES for s in self.sources)

    @property
    def is_total(self) -> bool:
        return len(self.commodities) > 1


@dataclass(frozen=True)
class WindowRule:
    """How a claim's windows follow from the as-of date and the data.

    Windows are the same for every measure of a claim (:class:`energytrade.claims.engine.ClaimMonths`):
    the latest known month is the latest month known at the as-of date, capped at the newest month any
    source in the data holds for the claim's commodities; a measure without data for a window is
    INCONCLUSIVE there.

    Rules
    -----
    ``latest_month``
        The claim's latest known month (and, as a later finding, the claim's newest month in the data
        when that is later).
    ``latest_release``
        The months of the latest release: the latest known month, or January-February when China's
        customs published them together (:mod:`energytrade.calendar`).
    ``last_months``
        The ``months`` months up to the latest known month (3: the latest quarter; 12: the trailing year).
    ``year_to_date``
        January to each ``latest_month`` window.
    ``calendar_years``
        Each year from ``first_year`` to the last year whose December is no later than the claim's newest
        month in the data.
    ``span_to_latest``
        From ``start`` (``YYYY-MM``) to the latest known month, at most ``max_months`` months (and, as a
        later finding, up to the claim's newest month in the data, at most ``max_months``).
    ``fixed``
        ``period`` as written (``YYYY``, ``YYYY-MM``, ``YYYY-MM/YYYY-MM``).

    ``baseline`` (change kinds): ``year_earlier`` (the same months a year earlier), ``before_event`` (the
    same months before the claim's event, ``since``: shifted back by whole years until they end before
    it, so 2023 is compared with 2021 for a war that began in February 2022) or a fixed period. For a claim
    with ``since``, moving windows never start before it.

    ``counts_toward_verdict`` (default true): false shows the windows as context only.
    """

    rule: str
    first_year: int | None = None
    start: str | None = None
    max_months: int | None = None
    period: str | None = None
    baseline: str | None = None
    months: int | None = None
    counts_toward_verdict: bool = True


@dataclass(frozen=True)
class ClaimSpec:
    """A claim as data. Built (and checked) from one entry of ``claims.yml`` by :func:`spec_from_dict`,
    or directly; construction raises :class:`ClaimSpecError` on anything the engine could not evaluate."""

    id: str
    quote: str
    kind: str
    importer: str
    exporter: str
    measures: tuple[Measure, ...]
    windows: tuple[WindowRule, ...]
    threshold: Threshold | None = None
    verdict_metrics: tuple[str, ...] = ()
    flow: str = "import"
    notes: tuple[str, ...] = field(default=())
    #: The first month after the claim's event (``YYYY-MM``), for ``since <event>`` claims; in the YAML the
    #: name of a constant of :mod:`energytrade.events` (``WAR_FIRST_FULL_MONTH``).
    since: str | None = None

    def __post_init__(self) -> None:
        cid = self.id if isinstance(self.id, str) else repr(self.id)
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise _fail(cid, "id must be lower-case words joined by '-', e.g. 'russia-largest-oil-supplier'")
        if not str(self.quote).strip():
            raise _fail(cid, "quote is empty; give the article's own sentence")
        if self.kind not in KINDS:
            raise _fail(cid, f"unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if self.flow not in ("import", "export"):
            raise _fail(cid, f"flow must be 'import' or 'export', got {self.flow!r}")
        object.__setattr__(self, "importer", _country(cid, "importer", self.importer))
        object.__setattr__(self, "exporter", _country(cid, "exporter", self.exporter))
        if not self.measures:
            raise _fail(cid, "no measures: list at least one {commodity, metric, sources}")
        object.__setattr__(self, "measures", tuple(_checked_measure(cid, m) for m in self.measures))
        if not self.windows:
            raise _fail(cid, "no windows: list at least one {rule: ...}")
        object.__setattr__(self, "windows", tuple(_checked_window(cid, self.kind, w) for w in self.windows))
        if self.kind in CHANGE_KINDS and self.threshold is None:
            raise _fail(cid, f"kind {self.kind} needs a threshold, e.g. {{at_least_pct: 25, meaning: ...}}")
        if self.kind == "largest_supplier":
            if any(m.is_total for m in self.measures):
                raise _fail(cid, "a largest_supplier claim ranks one commodity per measure; sums are not ranked")
            if any(m.is_press for m in self.measures):
                raise _fail(cid, "a largest_supplier claim ranks monthly customs figures; press figures are not ranked")
        metrics = {m.metric for m in self.measures}
        unknown = [m for m in self.verdict_metrics if m not in metrics]
        if unknown:
            raise _fail(cid, f"verdict_metrics {unknown} are not metrics of its measures ({sorted(metrics)})")
        object.__setattr__(
            self,
            "verdict_metrics",
            tuple(self.verdict_metrics) or tuple(dict.fromkeys(m.metric for m in self.measures)),
        )
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.since is not None:
            try:
                object.__setattr__(self, "since", str(parse_month(str(self.since))))
            except BadPeriod as err:
                raise _fail(cid, f"since: {err}") from err
        if any(w.baseline == BEFORE_EVENT for w in self.windows) and self.since is None:
            raise _fail(
                cid, f"baseline {BEFORE_EVENT} needs since: <first month after the event>, e.g. WAR_FIRST_FULL_MONTH"
            )


def _country(cid: str, what: str, code: Any) -> str:
    try:
        iso3 = check_iso3(code)
    except EnergyTradeError as err:
        raise _fail(cid, f"{what}: {err}") from err
    if iso3 == WORLD_ISO3:
        raise _fail(cid, f"{what} must be a country, not the {WORLD_ISO3} total")
    return iso3


def _checked_measure(cid: str, measure: Measure) -> Measure:
    if not isinstance(measure, Measure):
        raise _fail(cid, f"a measure must be a Measure, got {type(measure).__name__}")
    commodities = (measure.commodities,) if isinstance(measure.commodities, str) else tuple(measure.commodities)
    if not commodities:
        raise _fail(cid, "a measure has no commodity")
    try:
        commodities = tuple(check_commodity(c) for c in commodities)
    except EnergyTradeError as err:
        raise _fail(cid, f"measure commodity: {err}") from err
    if measure.metric not in METRICS:
        raise _fail(cid, f"unknown metric {measure.metric!r}; use one of {', '.join(METRICS)}")
    sources = (measure.sources,) if isinstance(measure.sources, str) else tuple(measure.sources)
    known = MONTHLY_SOURCES + PRESS_SOURCES
    bad = [s for s in sources if s not in known]
    if not sources or bad:
        raise _fail(
            cid,
            f"measure {'+'.join(commodities)}/{measure.metric}: unknown or no source(s) {bad}; use {', '.join(known)}",
        )
    press = [s for s in sources if s in PRESS_SOURCES]
    if measure.press_fallback is not None and measure.press_fallback not in PRESS_SOURCES:
        raise _fail(
            cid, f"press_fallback {measure.press_fallback!r} is not a press source; use {', '.join(PRESS_SOURCES)}"
        )
    if press and len(sources) > 1:
        raise _fail(
            cid,
            f"press figures ({press}) cannot be mixed with customs tables in one measure; give them their own measure",
        )
    if press and not measure.press_outlets_preferred:
        raise _fail(
            cid,
            f"measure {'+'.join(commodities)}/{measure.metric} uses {press[0]}, where several "
            "outlets report one figure: say which outlets to prefer (press_outlets_preferred)",
        )
    if press and len(commodities) > 1:
        raise _fail(cid, "press figures are taken one commodity at a time; a sum needs customs tables")
    if len(commodities) > 1 and measure.metric not in ("value",):
        raise _fail(
            cid, f"a sum of commodities ({'+'.join(commodities)}) is only meaningful by value, not {measure.metric}"
        )
    label = measure.label or "+".join(commodities)
    return Measure(
        commodities, measure.metric, sources, label, tuple(measure.press_outlets_preferred), measure.press_fallback
    )


def _checked_window(cid: str, kind: str, window: WindowRule) -> WindowRule:
    if window.rule not in WINDOW_RULES:
        raise _fail(cid, f"unknown window rule {window.rule!r}; use one of {', '.join(WINDOW_RULES)}")
    try:
        if window.rule == "calendar_years" and not isinstance(window.first_year, int):
            raise _fail(cid, "window rule calendar_years needs first_year (e.g. 2020)")
        if window.rule == "last_months" and (not isinstance(window.months, int) or window.months < 1):
            raise _fail(cid, "window rule last_months needs months >= 1 (e.g. 3 or 12)")
        if window.rule == "span_to_latest":
            parse_month(str(window.start))
            if not isinstance(window.max_months, int) or window.max_months < 1:
                raise _fail(cid, "window rule span_to_latest needs max_months >= 1 (e.g. 12)")
        if window.rule == "fixed":
            parse_period(str(window.period))
        if kind in CHANGE_KINDS:
            if window.baseline is None:
                raise _fail(cid, f"window {window.rule}: kind {kind} needs a baseline ('{YEAR_EARLIER}' or a period)")
            if window.baseline not in (YEAR_EARLIER, BEFORE_EVENT):
                parse_period(str(window.baseline))
            if window.rule in MOVING_RULES and window.baseline not in (YEAR_EARLIER, BEFORE_EVENT):
                raise _fail(
                    cid,
                    f"window rule {window.rule} moves with the data: its baseline must be '{YEAR_EARLIER}' "
                    f"or '{BEFORE_EVENT}'",
                )
        elif window.baseline is not None:
            raise _fail(cid, f"kind {kind} compares within a window; drop the baseline {window.baseline!r}")
    except BadPeriod as err:
        raise _fail(cid, f"window {window.rule}: {err}") from err
    return window


# ------------------------------------------------------------------------------------------ reading


def _threshold(cid: str, raw: Mapping[str, Any] | None) -> Threshold | None:
    if raw is None:
        return None
    keys = {"at_least_pct", "above_pct"} & set(raw)
    if len(keys) != 1:
        raise _fail(cid, "threshold needs exactly one of at_least_pct (>=) or above_pct (>), and a meaning")
    key = keys.pop()
    try:
        pct = float(raw[key])
    except (TypeError, ValueError):
        raise _fail(cid, f"threshold {key} must be a number of percent, got {raw[key]!r}") from None
    return Threshold(pct, key == "at_least_pct", str(raw.get("meaning", "")).strip() or f"{key} {pct:g}")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeasureEntry(_Entry):
    """A measure as written in ``claims.yml``."""

    commodity: str | list[str]
    metric: str
    sources: list[str] = ["comtrade_extract"]
    label: str = ""
    press_outlets_preferred: list[str] = []
    press_fallback: str | None = None


class WindowEntry(_Entry):
    """A window rule as written in ``claims.yml`` (see :class:`WindowRule`)."""

    rule: str
    first_year: int | None = None
    start: str | None = None
    max_months: int | None = None
    period: str | None = None
    baseline: str | None = None
    months: int | None = None
    counts_toward_verdict: bool = True


class ThresholdEntry(_Entry):
    """``{at_least_pct: 25, meaning: ...}`` (``>=``) or ``{above_pct: 0, meaning: ...}`` (``>``)."""

    at_least_pct: float | None = None
    above_pct: float | None = None
    meaning: str = ""


class ClaimEntry(_Entry):
    """One claim as written in ``claims.yml``: the declared shape every entry is validated against (types
    and field names); :class:`ClaimSpec` then checks what the values mean (kinds, codes, rules)."""

    id: str
    quote: str
    kind: str
    importer: str
    exporter: str
    measures: list[MeasureEntry]
    windows: list[WindowEntry]
    threshold: ThresholdEntry | None = None
    verdict_metrics: list[str] = []
    flow: str = "import"
    notes: list[str] = []
    since: str | None = None


class ClaimsFile(_Entry):
    """``claims.yml``: ``claims:``, a list of :class:`ClaimEntry`."""

    claims: list[dict]


def _validation_message(err: ValidationError) -> str:
    """A pydantic error -> one line saying which field and what to write."""
    extra = [str(e["loc"][-1]) for e in err.errors() if e["type"] == "extra_forbidden"]
    missing = [".".join(str(x) for x in e["loc"]) for e in err.errors() if e["type"] == "missing"]
    if extra:
        return f"unknown field(s) {sorted(extra)}; a claim has {sorted(ClaimEntry.model_fields)}"
    if missing:
        return f"missing field(s) {missing}"
    first = err.errors()[0]
    where = ".".join(str(x) for x in first["loc"])
    return f"{where}: {first['msg']} (got {first.get('input')!r})"


def spec_from_dict(raw: Mapping[str, Any]) -> ClaimSpec:
    """One claim entry (as in ``claims.yml``) -> a checked :class:`ClaimSpec` (shape: :class:`ClaimEntry`)."""
    cid = str(raw.get("id", "?")) if isinstance(raw, Mapping) else "?"
    try:
        entry = ClaimEntry.model_validate(raw)
    except ValidationError as err:
        raise _fail(cid, _validation_message(err)) from None
    measures = [
        Measure(
            commodities=(m.commodity,) if isinstance(m.commodity, str) else tuple(m.commodity),
            metric=m.metric,
            sources=tuple(m.sources),
            label=m.label,
            press_outlets_preferred=tuple(m.press_outlets_preferred),
            press_fallback=m.press_fallback,
        )
        for m in entry.measures
    ]
    windows = [WindowRule(**w.model_dump()) for w in entry.windows]
    threshold = None if entry.threshold is None else entry.threshold.model_dump(exclude_none=True)
    return ClaimSpec(
        id=entry.id,
        quote=entry.quote.strip(),
        kind=entry.kind,
        importer=entry.importer,
        exporter=entry.exporter,
        measures=tuple(measures),
        windows=tuple(windows),
        threshold=_threshold(cid, threshold),
        verdict_metrics=tuple(entry.verdict_metrics),
        flow=entry.flow,
        notes=tuple(entry.notes),
        since=_since(cid, entry.since),
    )


def _since(cid: str, name: Any) -> str | None:
    """``since:`` names a constant of :mod:`energytrade.events` (one place for event dates), or a month."""
    if name is None:
        return None
    value = getattr(events, str(name), name) if str(name).isupper() else name
    if not isinstance(value, str):
        raise _fail(cid, f"since: {name!r} is not a month; name a YYYY-MM constant of energytrade.events")
    return value


def specs_from_yaml(text: str) -> tuple[ClaimSpec, ...]:
    """``claims.yml`` text -> checked specs (ids must be unique)."""
    try:
        doc = safe_load(text)
    except yaml.YAMLError as err:
        raise ClaimSpecError(f"the claims file is not valid YAML: {err}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("claims"), list):
        raise ClaimSpecError("the claims file must hold a mapping with a 'claims' list")
    try:
        ClaimsFile.model_validate(doc)
    except ValidationError as err:
        raise ClaimSpecError(f"the claims file: {_validation_message(err)}") from None
    specs = tuple(spec_from_dict(entry) for entry in doc["claims"])
    return check_unique(specs)


def check_unique(specs: Iterable[ClaimSpec]) -> tuple[ClaimSpec, ...]:
    specs = tuple(specs)
    seen: set[str] = set()
    for spec in specs:
        if not isinstance(spec, ClaimSpec):
            raise ClaimSpecError(f"specs must be ClaimSpec objects, got {type(spec).__name__}")
        if spec.id in seen:
            raise ClaimSpecError(f"claim id {spec.id!r} appears twice; ids must be unique")
        seen.add(spec.id)
    return specs


def load_specs(path: str | Path | None = None) -> tuple[ClaimSpec, ...]:
    """The claims of ``path`` (default: the package's ``claims.yml``, the article's three claims)."""
    if path is None:
        text = resources.files("energytrade.claims").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return specs_from_yaml(text)
