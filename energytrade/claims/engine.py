"""The claims engine: one function evaluates every claim kind from its spec and the clean table.

Pure: the clean table and specs in, :class:`~energytrade.claims.results.ClaimResult` objects out, no I/O
(``energytrade.claims.evaluate`` loads the table when it is not given). The rules it applies are written
in the :mod:`energytrade.claims` module docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from energytrade.claims import evidence
from energytrade.claims.asof import DEFAULT_LAG_DAYS, is_known, known_from, latest_known_month
from energytrade.claims.evidence import TableView, WindowFigure, compress_months
from energytrade.claims.results import (
    INCONCLUSIVE,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    ClaimResult,
    Finding,
)
from energytrade.claims.spec import SOURCE_NAMES, YEAR_EARLIER, ClaimSpec, Measure, WindowRule
from energytrade.periods import Month, Span, parse_month, parse_period

# ------------------------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class ClaimMonths:
    """The months a claim's moving windows end in: what was published by the as-of date, what the data hold.

    Attributes
    ----------
    published : Month
        The latest month whose figures count as known on the as-of date (:func:`latest_known_month`),
        whatever the data hold.
    data_end : Month or None
        The newest month for which any source in the table holds a figure of any of the claim's
        commodities (the claim's importer and flow; any partner, metric or frequency; a year counts as
        its December). ``None`` when the table holds none.
    """

    published: Month
    data_end: Month | None

    @property
    def latest(self) -> Month:
        """The claim's latest known month: ``published``, capped at ``data_end`` (same for every measure)."""
        return self.published if self.data_end is None else min(self.published, self.data_end)

    @property
    def last(self) -> Month:
        """The last month any window reaches, later findings included: ``data_end`` (else ``published``)."""
        return self.published if self.data_end is None else self.data_end

    @property
    def is_capped(self) -> bool:
        """Whether months were published by the as-of date beyond what any source in the data holds."""
        return self.data_end is not None and self.data_end < self.published

    @property
    def cap_note(self) -> str:
        if not self.is_capped:
            return ""
        return (
            f"figures up to {self.published} were published by the as-of date, but no source in the data "
            f"goes beyond {self.data_end} for the claim's commodities: {self.data_end} is taken as the latest "
            f"known month ({compress_months(Span(self.data_end.shift(1), self.published).months())} not in "
            "the data)"
        )


def claim_months(spec: ClaimSpec, view: TableView, as_of: date, lag_days: int = DEFAULT_LAG_DAYS) -> ClaimMonths:
    """The :class:`ClaimMonths` of a claim on ``as_of``: one latest known month for all its measures."""
    commodities = tuple(dict.fromkeys(c for m in spec.measures for c in m.commodities))
    return ClaimMonths(latest_known_month(as_of, lag_days), view.newest_month(commodities))


@dataclass(frozen=True)
class ResolvedWindow:
    """A window (and baseline) a finding is computed over; ``note`` says why it is what it is."""

    window: str
    baseline: str | None = None
    note: str = ""


def _label(start: Month, end: Month) -> str:
    return str(Span(start, end))


def _baseline(rule: WindowRule, window: str) -> str | None:
    if rule.baseline is None:
        return None
    if rule.baseline == YEAR_EARLIER:
        span = parse_period(window)
        return _label(span.start.shift(-12), span.end.shift(-12))
    return str(parse_period(rule.baseline))


def resolve_windows(rule: WindowRule, months: ClaimMonths) -> list[ResolvedWindow]:
    """The windows a rule gives, the same for every measure of a claim.

    The windows depend on the claim's months only, never on which months one measure's data hold: a
    measure lacking data for a window gets an INCONCLUSIVE finding naming the months, not another window.

    Parameters
    ----------
    rule : WindowRule
    months : ClaimMonths
        The claim's latest known month (``months.latest``) and the last month its data reach
        (``months.last``).

    Returns
    -------
    list of ResolvedWindow
        Windows ending in the latest known month first, then later ones (up to ``months.last``).

    Examples
    --------
    >>> months = ClaimMonths(published=Month(2022, 11), data_end=Month(2024, 12))
    >>> [w.window for w in resolve_windows(WindowRule("latest_month"), months)]
    ['2022-11', '2024-12']
    >>> [w.window for w in resolve_windows(WindowRule("calendar_years", first_year=2021), months)]
    ['2021', '2022', '2023', '2024']
    """
    latest, last = months.latest, months.last
    ends = [(latest, months.cap_note)]
    if last > latest:
        ends.append((last, "the latest month any source in the data holds for the claim's commodities"))

    out: list[ResolvedWindow] = []
    if rule.rule == "latest_month":
        out = [ResolvedWindow(str(m), None, note) for m, note in ends]
    elif rule.rule == "year_to_date":
        out = [ResolvedWindow(_label(Month(m.year, 1), m), None, note) for m, note in ends]
    elif rule.rule == "calendar_years":
        # A year is complete when its December is within the claim's months, whichever source holds it.
        last_year = last.year if last.month == 12 else last.year - 1
        out = [ResolvedWindow(str(y)) for y in range(int(rule.first_year), last_year + 1)]
    elif rule.rule == "span_to_latest":
        start = parse_month(str(rule.start))
        cap = start.shift(int(rule.max_months) - 1)
        end_known = None
        if latest >= start:
            end_known = min(latest, cap)
            out.append(ResolvedWindow(_label(start, end_known), None, months.cap_note if end_known == latest else ""))
        if last >= start:
            end_later = min(last, cap)
            if end_known is None or end_later > end_known:
                out.append(ResolvedWindow(_label(start, end_later)))
    elif rule.rule == "fixed":
        out = [ResolvedWindow(str(parse_period(str(rule.period))))]
    return [ResolvedWindow(w.window, _baseline(rule, w.window), w.note) for w in out]


# ------------------------------------------------------------------------------------------ findings


def _figure(view: TableView, measure: Measure, window: str, partner: str) -> WindowFigure:
    if measure.is_press:
        return evidence.press_partner_figure(
            view,
            measure.commodities[0],
            measure.metric,
            window,
            partner,
            measure.press_outlets_preferred,
            measure.sources[0],
        )
    if measure.is_total:
        return evidence.total_partner_figure(
            view, measure.commodities, measure.metric, window, partner, measure.sources
        )
    return evidence.monthly_partner_figure(
        view, measure.commodities[0], measure.metric, window, partner, measure.sources
    )


def _known(spec_window: ResolvedWindow, as_of: date, lag_days: int) -> tuple[bool, date]:
    periods = [spec_window.window] + ([spec_window.baseline] if spec_window.baseline else [])
    first_day = max(known_from(p, lag_days) for p in periods)
    return all(is_known(p, as_of, lag_days) for p in periods), first_day


def _ranking_finding(
    spec: ClaimSpec, view: TableView, measure: Measure, rw: ResolvedWindow, known: bool, first_day: date
) -> Finding:
    fig = evidence.ranking_figures(
        view, measure.commodities[0], measure.metric, rw.window, spec.exporter, measure.sources
    )
    if fig.missing or fig.leader_iso3 is None:
        verdict = INCONCLUSIVE
    else:
        verdict = SUPPORTED if fig.leader_iso3 == spec.exporter else NOT_SUPPORTED
    notes = tuple(n for n in (rw.note,) if n) + fig.notes
    return Finding(
        claim_id=spec.id,
        type="ranking",
        commodity=measure.label,
        metric=measure.metric,
        unit=measure.unit,
        window=rw.window,
        verdict=verdict,
        known_at_as_of=known,
        known_from=first_day,
        counts_toward_verdict=measure.metric in spec.verdict_metrics,
        leader_iso3=fig.leader_iso3,
        leader_name=fig.leader_name,
        leader_value=fig.leader_value,
        runner_up_iso3=fig.runner_up_iso3,
        runner_up_name=fig.runner_up_name,
        runner_up_value=fig.runner_up_value,
        margin_pct=fig.margin_pct,
        claimed_iso3=spec.exporter,
        claimed_rank=fig.claimed_rank,
        claimed_value=fig.claimed_value,
        claimed_share_pct=fig.claimed_share_pct,
        missing=fig.missing
        or ((f"{rw.window}: no partner with a {measure.metric} figure",) if fig.leader_iso3 is None else ()),
        data_sources=fig.data_sources,
        notes=notes,
        sources=fig.sources,
    )


def source_text(sources: tuple[str, ...]) -> str:
    """``("gacc_query",)`` -> ``"gacc_query (China customs' online query)"``; several joined with "and"."""
    return _join([f"{s} ({SOURCE_NAMES[s]})" if s in SOURCE_NAMES else s for s in sources]) or "no source"


def source_notes(window_sources: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """Notes for a comparison whose figures come from different sources.

    One note when a window sums figures from several sources (a total whose parts differ), and one when
    the compared windows' figures come from different sources (e.g. 2025 from China customs' query
    against 2024 from UN Comtrade). The comparison is kept; the notes say it is across sources.
    """
    notes = [
        f"{window} sums figures from several sources: {source_text(sources)}"
        for window, sources in window_sources
        if len(sources) > 1
    ]
    if len({frozenset(s) for _, s in window_sources}) > 1:
        sides = "; ".join(f"{window} from {source_text(sources)}" for window, sources in window_sources)
        notes.append(
            f"mixed sources: {sides}. The comparison is kept, but the sources may differ in coverage, "
            "partner attribution and revisions, so part of the change may come from the change of source"
        )
    return notes


def _pct(value: float, base: float) -> float | None:
    return None if base == 0 else (value - base) / base * 100


def _change_finding(
    spec: ClaimSpec, view: TableView, measure: Measure, rw: ResolvedWindow, known: bool, first_day: date
) -> Finding:
    now = _figure(view, measure, rw.window, spec.exporter)
    base = _figure(view, measure, rw.baseline, spec.exporter)
    missing = now.missing + base.missing
    change = None
    verdict = INCONCLUSIVE
    notes = [n for n in (rw.note,) if n] + list(now.notes) + list(base.notes)
    if not missing:
        change = _pct(now.value, base.value)
        if change is None:
            notes.append(f"the baseline {rw.baseline} is 0: no percentage change")
            verdict = SUPPORTED if now.value > 0 and spec.threshold.change_pct >= 0 else NOT_SUPPORTED
        else:
            verdict = SUPPORTED if spec.threshold.passes(change) else NOT_SUPPORTED
    window_sources = ((rw.window, now.data_sources), (rw.baseline, base.data_sources))
    if not missing:
        notes += source_notes(window_sources)
    change_range = None
    alternatives = now.alternatives + base.alternatives
    if alternatives and not missing:
        # Every outlet's figure against every other: the change whichever outlet one believes.
        nows = [now.value] + [a["value"] for a in now.alternatives]
        bases = [base.value] + [a["value"] for a in base.alternatives]
        changes = [_pct(a, b) for a in nows for b in bases if b]
        change_range = (min(changes), max(changes)) if changes else None
    return Finding(
        claim_id=spec.id,
        type="change",
        commodity=measure.label,
        metric=measure.metric,
        unit=measure.unit,
        window=rw.window,
        verdict=verdict,
        known_at_as_of=known,
        known_from=first_day,
        counts_toward_verdict=measure.metric in spec.verdict_metrics,
        partner_iso3=spec.exporter,
        value=now.value,
        baseline_window=rw.baseline,
        baseline_value=base.value,
        change_pct=change,
        threshold_pct=spec.threshold.change_pct,
        change_pct_range=change_range,
        alternatives=alternatives,
        missing=missing,
        data_sources=tuple(dict.fromkeys(now.data_sources + base.data_sources)),
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(now.sources + base.sources)),
        window_sources=window_sources,
    )


def findings_for(
    spec: ClaimSpec,
    flows: pd.DataFrame,
    as_of: date,
    lag_days: int = DEFAULT_LAG_DAYS,
    months: ClaimMonths | None = None,
) -> list[Finding]:
    """Every finding of a claim: each measure over each window its rules give (known ones first).

    Every measure is judged over the same windows (:func:`resolve_windows` on the claim's
    :class:`ClaimMonths`); a measure without data for one gets an INCONCLUSIVE finding naming the months.
    """
    view = TableView(flows, spec.importer, spec.flow)
    months = claim_months(spec, view, as_of, lag_days) if months is None else months
    windows = [(w_index, rw) for w_index, rule in enumerate(spec.windows) for rw in resolve_windows(rule, months)]
    # A year to date ending in December is a calendar year: list it with the calendar years.
    year_rule = next((i for i, r in enumerate(spec.windows) if r.rule == "calendar_years"), None)
    make = _ranking_finding if spec.kind == "largest_supplier" else _change_finding
    keyed = []
    for m_index, measure in enumerate(spec.measures):
        seen: set[tuple[str, str | None]] = set()
        for w_index, rw in windows:
            if (rw.window, rw.baseline) in seen:
                continue
            seen.add((rw.window, rw.baseline))
            known, first_day = _known(rw, as_of, lag_days)
            finding = make(spec, view, measure, rw, known, first_day)
            span = parse_period(rw.window)
            is_year = span.start.month == 1 and span.end.month == 12 and span.start.year == span.end.year
            order = year_rule if is_year and year_rule is not None else w_index
            keyed.append(((not known, order, span.start, m_index), finding))
    return [f for _, f in sorted(keyed, key=lambda kf: kf[0])]


# ------------------------------------------------------------------------------------------- verdicts


def combine(findings: Iterable[Finding]) -> str | None:
    """The verdict rule (module docstring of :mod:`energytrade.claims`) over findings that count.

    ``None`` when no finding counts; MIXED when counted findings include both SUPPORTED and
    NOT_SUPPORTED (whatever the inconclusive ones would say); else INCONCLUSIVE if any is; else the
    verdict they share.
    """
    verdicts = {f.verdict for f in findings if f.counts_toward_verdict}
    if not verdicts:
        return None
    if {SUPPORTED, NOT_SUPPORTED} <= verdicts:
        return MIXED
    if INCONCLUSIVE in verdicts:
        return INCONCLUSIVE
    return verdicts.pop()


def claim_verdicts(findings: list[Finding]) -> tuple[str, str | None]:
    """``(verdict, later_verdict)``: the rule over findings known at the as-of date (INCONCLUSIVE when
    none is), and over the later ones (``None`` when there are none)."""
    known = combine(f for f in findings if f.known_at_as_of)
    later = combine(f for f in findings if not f.known_at_as_of)
    return known or INCONCLUSIVE, later


# -------------------------------------------------------------------------------------------- summary


def fmt_amount(x: float | None, unit: str) -> str:
    """``86_250_000, "t"`` -> ``"86.25 Mt"``; ``5.9e9, "USD"`` -> ``"5.90 bn USD"``."""
    if x is None:
        return "n/a"
    if unit == "t":
        return f"{x / 1e6:.2f} Mt" if abs(x) >= 1e6 else f"{x / 1e3:.1f} kt"
    if unit == "USD":
        return f"{x / 1e9:.2f} bn USD" if abs(x) >= 1e9 else f"{x / 1e6:.1f} m USD"
    if unit == "bbl/d":
        return f"{x / 1e6:.2f} mb/d" if abs(x) >= 1e6 else f"{x / 1e3:.0f} kb/d"
    if unit == "bcm":
        return f"{x:g} bcm"
    return f"{x:g} {unit}"


def fmt_pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f} %".replace("-", "−")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _missing_text(findings: list[Finding]) -> str:
    lacking = [
        f"{f.window} {f.commodity} {f.metric}: {'; '.join(f.missing) or 'no figure'}"
        for f in findings
        if f.verdict == INCONCLUSIVE
    ]
    return "Data missing — " + " | ".join(lacking) + "." if lacking else ""


def _ranking_sentences(spec: ClaimSpec, findings: list[Finding]) -> list[str]:
    """'Russian Federation led in 2022-11 (mass: 7.90 Mt, +17.8 % over Saudi Arabia; value: ...)'."""
    groups: dict[str, dict[str, list[Finding]]] = {}
    names: dict[str, str] = {}
    for f in findings:
        if f.verdict == INCONCLUSIVE:
            continue
        groups.setdefault(f.leader_iso3, {}).setdefault(f.window, []).append(f)
        names[f.leader_iso3] = f.leader_name or f.leader_iso3
    out = []
    for leader, windows in sorted(groups.items(), key=lambda kv: kv[0] != spec.exporter):
        parts = []
        for window, fs in windows.items():
            detail = "; ".join(
                f"{f.metric} {fmt_amount(f.leader_value, f.unit)}, {fmt_pct(f.margin_pct)} over {f.runner_up_iso3}"
                for f in fs
            )
            parts.append(f"{window} ({detail})")
        out.append(f"{names[leader]} led in {_join(parts)}")
    return out


def _change_sentences(spec: ClaimSpec, findings: list[Finding], full_windows: int = 2) -> list[str]:
    """'2022-03/2022-11 against 2021-03/2021-11: energy_total value 40.1 bn USD vs 24.6 bn USD (+63.0 %); ...'.

    The first ``full_windows`` windows list every measure; later ones only the headline measure (the first
    sum of commodities, else the first measure) and how many counted findings pass.
    """
    by_window: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        by_window.setdefault((f.window, f.baseline_window), []).append(f)
    out = []
    for n, ((window, baseline), fs) in enumerate(by_window.items()):
        shown = fs
        if n >= full_windows:
            total_labels = {m.label for m in spec.measures if m.is_total}
            totals = [f for f in fs if f.commodity in total_labels]
            shown = (totals or fs)[:1]
            if shown[0].verdict == INCONCLUSIVE:
                # The headline measure is unknown: say so, and show the first measure that is known.
                shown += [f for f in fs if f.verdict != INCONCLUSIVE][:1]
        parts = []
        for f in shown:
            if f.verdict == INCONCLUSIVE:
                parts.append(f"{f.commodity} {f.metric} unknown")
                continue
            counted = "" if f.counts_toward_verdict else ", not counted"
            spread = ""
            if f.change_pct_range:
                spread = f", {fmt_pct(f.change_pct_range[0])} to {fmt_pct(f.change_pct_range[1])} across outlets"
            parts.append(
                f"{f.commodity} {f.metric} {fmt_amount(f.value, f.unit)} vs "
                f"{fmt_amount(f.baseline_value, f.unit)} ({fmt_pct(f.change_pct)}{spread}{counted})"
            )
        if shown is not fs:
            parts[0] = f"headline {parts[0]}"
        passed = sum(f.verdict == SUPPORTED for f in fs if f.counts_toward_verdict)
        counted_n = sum(f.verdict != INCONCLUSIVE for f in fs if f.counts_toward_verdict)
        sentence = (
            f"{window} against {baseline}: {'; '.join(parts)} — {passed} of {counted_n} counted "
            "findings pass the threshold"
        )
        out.append(sentence + _mixed_sources_text(fs))
    return out


def _mixed_sources_text(findings: list[Finding]) -> str:
    """``" (mixed sources: 2025 from gacc_query against 2024 from comtrade_extract for crude_oil value, ...)"``."""
    by_sides: dict[tuple, list[str]] = {}
    for f in findings:
        if f.has_mixed_sources:
            by_sides.setdefault(f.window_sources, []).append(f"{f.commodity} {f.metric}")
    texts = [
        " against ".join(f"{w} from {'+'.join(src) or 'no source'}" for w, src in sides) + f" for {_join(measures)}"
        for sides, measures in by_sides.items()
    ]
    return f" (mixed sources: {'; '.join(texts)})" if texts else ""


_VERDICT_WORDS = {
    "largest_supplier": {
        SUPPORTED: "the exporter led in every window",
        NOT_SUPPORTED: "it led in none",
        MIXED: "it depends on the window and measure",
        INCONCLUSIVE: "data are missing",
    },
    "change_over_period": {
        SUPPORTED: "every counted change passes the threshold",
        NOT_SUPPORTED: "no counted change passes the threshold",
        MIXED: "some counted changes pass the threshold, some do not",
        INCONCLUSIVE: "data are missing",
    },
    "forecast_vs_outcome": {
        SUPPORTED: "the forecast came true",
        NOT_SUPPORTED: "the forecast did not come true",
        MIXED: "the forecast came true by some counted measures, not others",
        INCONCLUSIVE: "the outcome cannot be judged",
    },
}


def summarize(
    spec: ClaimSpec,
    findings: list[Finding],
    verdict: str,
    later_verdict: str | None,
    as_of: date,
    lag_days: int,
    months: ClaimMonths | None = None,
) -> str:
    """The claim's summary, written from the numbers: what was known on the as-of date, then what came later.

    ``months``: the claim's :class:`ClaimMonths` (default: as if the data reached every published month).
    """
    known = [f for f in findings if f.known_at_as_of]
    later = [f for f in findings if not f.known_at_as_of]
    if months is None:
        months = ClaimMonths(latest_known_month(as_of, lag_days), None)
    words = _VERDICT_WORDS[spec.kind]
    text = []
    if known:
        if spec.kind == "largest_supplier":
            body = "; ".join(_ranking_sentences(spec, known))
        else:
            body = "; ".join(_change_sentences(spec, known))
        if months.is_capped and any(r.rule != "fixed" for r in spec.windows):
            head = (
                f"As known on {as_of} (customs figures up to {months.published} published; the data end at "
                f"{months.data_end}, taken as the latest known month)"
            )
        else:
            head = f"As known on {as_of} (customs figures up to {months.latest})"
        text.append(f"{head}: {body}." if body else f"{head}.")
        missing = _missing_text([f for f in known if f.counts_toward_verdict])
        if missing:
            text.append(missing)
    else:
        needed = sorted({f.window for f in later})
        when = min((f.known_from for f in later), default=None)
        text.append(
            f"On {as_of} none of the windows the claim needs ({', '.join(needed) or 'none'}) was known"
            + (f"; the first became known on {when}." if when else ".")
        )
    if spec.threshold is not None:
        text.append(f"Threshold: {spec.threshold.text}.")
    counted = (
        ""
        if set(spec.verdict_metrics) >= {m.metric for m in spec.measures}
        else f" (counted: {', '.join(spec.verdict_metrics)})"
    )
    text.append(f"Verdict {verdict}{counted}: {words[verdict]}.")
    if later:
        when = min(f.known_from for f in later)
        if spec.kind == "largest_supplier":
            body = "; ".join(_ranking_sentences(spec, later))
        else:
            body = "; ".join(_change_sentences(spec, later))
        tail = f" Later verdict {later_verdict}: {words[later_verdict]}." if later_verdict else ""
        missing = _missing_text([f for f in later if f.counts_toward_verdict])
        text.append(
            f"From {when} on (not known on {as_of}): {body or 'no figures'}.{tail}" + (f" {missing}" if missing else "")
        )
    return " ".join(text)


# --------------------------------------------------------------------------------------------- claims


def evaluate_claim(spec: ClaimSpec, flows: pd.DataFrame, as_of: date, lag_days: int = DEFAULT_LAG_DAYS) -> ClaimResult:
    """One claim, as known on ``as_of``, with its later findings."""
    months = claim_months(spec, TableView(flows, spec.importer, spec.flow), as_of, lag_days)
    findings = findings_for(spec, flows, as_of, lag_days, months)
    verdict, later_verdict = claim_verdicts(findings)
    summary = summarize(spec, findings, verdict, later_verdict, as_of, lag_days, months)
    return ClaimResult(
        spec=spec,
        as_of=as_of,
        lag_days=lag_days,
        verdict=verdict,
        later_verdict=later_verdict,
        summary=summary,
        findings=tuple(findings),
    )


__all__ = [
    "ClaimMonths",
    "ResolvedWindow",
    "claim_months",
    "claim_verdicts",
    "combine",
    "evaluate_claim",
    "findings_for",
    "resolve_windows",
    "source_notes",
    "source_text",
    "summarize",
    "compress_months",
]
