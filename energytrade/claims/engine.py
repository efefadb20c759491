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
from energytrade.claims.spec import YEAR_EARLIER, ClaimSpec, Measure, WindowRule
from energytrade.periods import Month, Span, parse_month, parse_period

# ------------------------------------------------------------------------------------------- windows


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


def resolve_windows(rule: WindowRule, latest_known: Month, data_months: Iterable[str]) -> list[ResolvedWindow]:
    """The windows a rule gives, from the latest month known at the as-of date and the data's months.

    Parameters
    ----------
    rule : WindowRule
    latest_known : Month
        The latest month whose figures count as known on the as-of date (:func:`latest_known_month`).
    data_months : iterable of str
        The ``YYYY-MM`` months in which the measure's data hold a figure.

    Returns
    -------
    list of ResolvedWindow
        Windows known at the as-of date first, then later ones (only up to what the data hold).

    Examples
    --------
    >>> rule = WindowRule("latest_month")
    >>> [w.window for w in resolve_windows(rule, Month(2022, 11), ["2022-10", "2022-11", "2022-12"])]
    ['2022-11', '2022-12']
    """
    months = sorted({parse_month(m) for m in data_months})
    known = [m for m in months if m <= latest_known]
    last_known_data = known[-1] if known else None
    last_data = months[-1] if months else None

    def latest_windows() -> list[tuple[Month, str]]:
        out = []
        if last_known_data is None:
            out.append((latest_known, f"no data up to {latest_known}, the latest month known then"))
        else:
            note = ""
            if last_known_data < latest_known:
                note = (f"the data end at {last_known_data}; months up to {latest_known} were published "
                        "by the as-of date but are not in the data")
            out.append((last_known_data, note))
        if last_data is not None and last_data > latest_known:
            out.append((last_data, "the latest month in the data"))
        return out

    out: list[ResolvedWindow] = []
    if rule.rule == "latest_month":
        out = [ResolvedWindow(str(m), None, note) for m, note in latest_windows()]
    elif rule.rule == "year_to_date":
        out = [ResolvedWindow(_label(Month(m.year, 1), m), None, note) for m, note in latest_windows()]
    elif rule.rule == "calendar_years":
        decembers = [m.year for m in months if m.month == 12]
        last_year = max(decembers) if decembers else None
        if last_year is not None:
            out = [ResolvedWindow(str(y)) for y in range(int(rule.first_year), last_year + 1)]
    elif rule.rule == "span_to_latest":
        start = parse_month(str(rule.start))
        cap = start.shift(int(rule.max_months) - 1)
        end_known = None
        if latest_known >= start:
            if last_known_data is not None and last_known_data >= start:
                end_known = min(last_known_data, cap)
                out.append(ResolvedWindow(_label(start, end_known)))
            else:
                end_known = min(latest_known, cap)
                out.append(ResolvedWindow(_label(start, end_known), None,
                                          f"no data from {start} up to {end_known}"))
        if last_data is not None and last_data >= start:
            end_later = min(last_data, cap)
            if end_known is None or end_later > end_known:
                out.append(ResolvedWindow(_label(start, end_later)))
    elif rule.rule == "fixed":
        out = [ResolvedWindow(str(parse_period(str(rule.period))))]
    return [ResolvedWindow(w.window, _baseline(rule, w.window), w.note) for w in out]


# ------------------------------------------------------------------------------------------ findings


def _measure_months(view: TableView, measure: Measure, exporter: str) -> set[str]:
    """Months with data for a measure (a sum: months where every part has data)."""
    if measure.is_press:
        flows = view.flows
        rows = flows[(flows["source"].isin(measure.sources)) & (flows["commodity"] == measure.commodities[0])
                     & (flows["partner_iso3"] == exporter) & (flows["reporter_iso3"] == view.importer)
                     & flows[evidence.SOURCE_COLUMNS[measure.metric]].notna() & (flows["freq"] == "A")]
        return {m for year in rows["period"].unique() for m in parse_period(year).months()}
    per_commodity = [
        set().union(*(view.months_with_data(c, measure.metric, s) for s in measure.sources))
        for c in measure.commodities
    ]
    return set.intersection(*per_commodity)


def _figure(view: TableView, measure: Measure, window: str, partner: str) -> WindowFigure:
    if measure.is_press:
        return evidence.press_partner_figure(view, measure.commodities[0], measure.metric, window, partner,
                                             measure.press_outlets_preferred, measure.sources[0])
    if measure.is_total:
        return evidence.total_partner_figure(view, measure.commodities, measure.metric, window, partner,
                                             measure.sources)
    return evidence.monthly_partner_figure(view, measure.commodities[0], measure.metric, window, partner,
                                           measure.sources)


def _known(spec_window: ResolvedWindow, as_of: date, lag_days: int) -> tuple[bool, date]:
    periods = [spec_window.window] + ([spec_window.baseline] if spec_window.baseline else [])
    first_day = max(known_from(p, lag_days) for p in periods)
    return all(is_known(p, as_of, lag_days) for p in periods), first_day


def _ranking_finding(spec: ClaimSpec, view: TableView, measure: Measure, rw: ResolvedWindow,
                     known: bool, first_day: date) -> Finding:
    fig = evidence.ranking_figures(view, measure.commodities[0], measure.metric, rw.window, spec.exporter,
                                   measure.sources)
    if fig.missing or fig.leader_iso3 is None:
        verdict = INCONCLUSIVE
    else:
        verdict = SUPPORTED if fig.leader_iso3 == spec.exporter else NOT_SUPPORTED
    notes = tuple(n for n in (rw.note,) if n) + fig.notes
    return Finding(
        claim_id=spec.id, type="ranking", commodity=measure.label, metric=measure.metric, unit=measure.unit,
        window=rw.window, verdict=verdict, known_at_as_of=known, known_from=first_day,
        counts_toward_verdict=measure.metric in spec.verdict_metrics,
        leader_iso3=fig.leader_iso3, leader_name=fig.leader_name, leader_value=fig.leader_value,
        runner_up_iso3=fig.runner_up_iso3, runner_up_name=fig.runner_up_name, runner_up_value=fig.runner_up_value,
        margin_pct=fig.margin_pct, claimed_iso3=spec.exporter, claimed_rank=fig.claimed_rank,
        claimed_value=fig.claimed_value, claimed_share_pct=fig.claimed_share_pct,
        missing=fig.missing or ((rw.note,) if fig.leader_iso3 is None and rw.note else ()),
        data_sources=fig.data_sources, notes=notes, sources=fig.sources,
    )


def _pct(value: float, base: float) -> float | None:
    return None if base == 0 else (value - base) / base * 100


def _change_finding(spec: ClaimSpec, view: TableView, measure: Measure, rw: ResolvedWindow,
                    known: bool, first_day: date) -> Finding:
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
    change_range = None
    alternatives = now.alternatives + base.alternatives
    if alternatives and not missing:
        # Every outlet's figure against every other: the change whichever outlet one believes.
        nows = [now.value] + [a["value"] for a in now.alternatives]
        bases = [base.value] + [a["value"] for a in base.alternatives]
        changes = [_pct(a, b) for a in nows for b in bases if b]
        change_range = (min(changes), max(changes)) if changes else None
    return Finding(
        claim_id=spec.id, type="change", commodity=measure.label, metric=measure.metric, unit=measure.unit,
        window=rw.window, verdict=verdict, known_at_as_of=known, known_from=first_day,
        counts_toward_verdict=measure.metric in spec.verdict_metrics,
        partner_iso3=spec.exporter, value=now.value, baseline_window=rw.baseline, baseline_value=base.value,
        change_pct=change, threshold_pct=spec.threshold.change_pct, change_pct_range=change_range,
        alternatives=alternatives, missing=missing,
        data_sources=tuple(dict.fromkeys(now.data_sources + base.data_sources)),
        notes=tuple(notes), sources=tuple(dict.fromkeys(now.sources + base.sources)),
    )


def findings_for(spec: ClaimSpec, flows: pd.DataFrame, as_of: date, lag_days: int = DEFAULT_LAG_DAYS) -> list[Finding]:
    """Every finding of a claim: each measure over each window its rules give (known ones first)."""
    view = TableView(flows, spec.importer, spec.flow)
    latest = latest_known_month(as_of, lag_days)
    # A year to date ending in December is a calendar year: list it with the calendar years.
    year_rule = next((i for i, r in enumerate(spec.windows) if r.rule == "calendar_years"), None)
    keyed = []
    for m_index, measure in enumerate(spec.measures):
        months = _measure_months(view, measure, spec.exporter)
        seen: set[tuple[str, str | None]] = set()
        for w_index, rule in enumerate(spec.windows):
            for rw in resolve_windows(rule, latest, months):
                if (rw.window, rw.baseline) in seen:
                    continue
                seen.add((rw.window, rw.baseline))
                known, first_day = _known(rw, as_of, lag_days)
                make = _ranking_finding if spec.kind == "largest_supplier" else _change_finding
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
    lacking = [f"{f.window} {f.commodity} {f.metric}: {'; '.join(f.missing) or 'no figure'}"
               for f in findings if f.verdict == INCONCLUSIVE]
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
        parts = []
        for f in shown:
            if f.verdict == INCONCLUSIVE:
                parts.append(f"{f.commodity} {f.metric} unknown")
                continue
            counted = "" if f.counts_toward_verdict else ", not counted"
            spread = ""
            if f.change_pct_range:
                spread = f", {fmt_pct(f.change_pct_range[0])} to {fmt_pct(f.change_pct_range[1])} across outlets"
            parts.append(f"{f.commodity} {f.metric} {fmt_amount(f.value, f.unit)} vs "
                         f"{fmt_amount(f.baseline_value, f.unit)} ({fmt_pct(f.change_pct)}{spread}{counted})")
        if shown is not fs:
            parts = [f"headline {parts[0]}"]
        passed = sum(f.verdict == SUPPORTED for f in fs if f.counts_toward_verdict)
        counted_n = sum(f.verdict != INCONCLUSIVE for f in fs if f.counts_toward_verdict)
        out.append(f"{window} against {baseline}: {'; '.join(parts)} — {passed} of {counted_n} counted "
                   "findings pass the threshold")
    return out


_VERDICT_WORDS = {
    "largest_supplier": {SUPPORTED: "the exporter led in every window", NOT_SUPPORTED: "it led in none",
                         MIXED: "it depends on the window and measure", INCONCLUSIVE: "data are missing"},
    "change_over_period": {SUPPORTED: "every counted change passes the threshold",
                           NOT_SUPPORTED: "no counted change passes the threshold",
                           MIXED: "some counted changes pass the threshold, some do not",
                           INCONCLUSIVE: "data are missing"},
    "forecast_vs_outcome": {SUPPORTED: "the forecast came true", NOT_SUPPORTED: "the forecast did not come true",
                            MIXED: "the forecast came true by some counted measures, not others",
                            INCONCLUSIVE: "the outcome cannot be judged"},
}


def summarize(spec: ClaimSpec, findings: list[Finding], verdict: str, later_verdict: str | None,
              as_of: date, lag_days: int) -> str:
    """The claim's summary, written from the numbers: what was known on the as-of date, then what came later."""
    known = [f for f in findings if f.known_at_as_of]
    later = [f for f in findings if not f.known_at_as_of]
    latest = latest_known_month(as_of, lag_days)
    words = _VERDICT_WORDS[spec.kind]
    text = []
    if known:
        if spec.kind == "largest_supplier":
            body = "; ".join(_ranking_sentences(spec, known))
        else:
            body = "; ".join(_change_sentences(spec, known))
        head = f"As known on {as_of} (customs figures up to {latest})"
        text.append(f"{head}: {body}." if body else f"{head}.")
        missing = _missing_text([f for f in known if f.counts_toward_verdict])
        if missing:
            text.append(missing)
    else:
        needed = sorted({f.window for f in later})
        when = min((f.known_from for f in later), default=None)
        text.append(f"On {as_of} none of the windows the claim needs ({', '.join(needed) or 'none'}) was known"
                    + (f"; the first became known on {when}." if when else "."))
    if spec.threshold is not None:
        text.append(f"Threshold: {spec.threshold.text}.")
    counted = "" if set(spec.verdict_metrics) >= {m.metric for m in spec.measures} else \
        f" (counted: {', '.join(spec.verdict_metrics)})"
    text.append(f"Verdict {verdict}{counted}: {words[verdict]}.")
    if later:
        when = min(f.known_from for f in later)
        if spec.kind == "largest_supplier":
            body = "; ".join(_ranking_sentences(spec, later))
        else:
            body = "; ".join(_change_sentences(spec, later))
        tail = f" Later verdict {later_verdict}: {words[later_verdict]}." if later_verdict else ""
        missing = _missing_text([f for f in later if f.counts_toward_verdict])
        text.append(f"From {when} on (not known on {as_of}): {body or 'no figures'}.{tail}"
                    + (f" {missing}" if missing else ""))
    return " ".join(text)


# --------------------------------------------------------------------------------------------- claims


def evaluate_claim(spec: ClaimSpec, flows: pd.DataFrame, as_of: date, lag_days: int = DEFAULT_LAG_DAYS) -> ClaimResult:
    """One claim, as known on ``as_of``, with its later findings."""
    findings = findings_for(spec, flows, as_of, lag_days)
    verdict, later_verdict = claim_verdicts(findings)
    summary = summarize(spec, findings, verdict, later_verdict, as_of, lag_days)
    return ClaimResult(spec=spec, as_of=as_of, lag_days=lag_days, verdict=verdict, later_verdict=later_verdict,
                       summary=summary, findings=tuple(findings))


__all__ = ["ResolvedWindow", "claim_verdicts", "combine", "evaluate_claim", "findings_for", "resolve_windows",
           "summarize", "compress_months"]
