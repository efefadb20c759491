"""Every sentence about the claims: bottom lines, summaries and finding lines (CLI, JSON and report).

The engine returns data (:class:`~energytrade.claims.results.ClaimResult`); this module writes it in
words, with numbers formatted only by :mod:`energytrade.formatting` ("USD 5.11 bn", "+18.1 %", country
names, "January–November 2022").

The bottom line comes first: the verdict on the as-of date in an editor's word (Supported, Not supported,
Premature = MIXED then but SUPPORTED on the newest data, Mixed, Cannot be judged), the windows behind it
with their margins, what followed, and the date from which the claim held on every counted window.
"""

from __future__ import annotations

from dataclasses import dataclass

from energytrade.claims.evidence import window_months
from energytrade.claims.results import INCONCLUSIVE, MIXED, NOT_SUPPORTED, SUPPORTED, ClaimResult, Finding
from energytrade.claims.spec import ClaimSpec
from energytrade.formatting import (
    display_name,
    fmt_amount,
    fmt_change_pct,
    fmt_date,
    fmt_window,
    join_words,
)

#: Readers' words for the metrics.
METRIC_WORDS = {"mass": "tonnes", "value": "value", "volume": "volume", "bpd": "barrels per day"}


def _name(iso3: str | None, name: str | None = None) -> str:
    return display_name(iso3, name) if iso3 else "n/a"


def _commodity(label: str) -> str:
    return label.replace("_", " ")


def _what(f: Finding) -> str:
    return f"{_commodity(f.commodity)} {METRIC_WORDS.get(f.metric, f.metric)}"


def _year_of(window: str) -> bool:
    return len(window) == 4


# ---------------------------------------------------------------------------------------- bottom line


def verdict_words(verdict: str | None) -> str:
    """A verdict in readers' words: ``"NOT_SUPPORTED"`` -> ``"not supported"``.

    >>> verdict_words("NOT_SUPPORTED"), verdict_words("MIXED")
    ('not supported', 'mixed')
    """
    return "" if verdict is None else verdict.replace("_", " ").lower()


def _verdict_word(result: ClaimResult) -> str:
    if result.verdict == SUPPORTED:
        return "Supported"
    if result.verdict == NOT_SUPPORTED:
        return "Not supported"
    if result.verdict == MIXED:
        return "Premature" if result.later_verdict == SUPPORTED else "Mixed"
    return "Cannot be judged"


def _known_counted(result: ClaimResult) -> list[Finding]:
    return [f for f in result.findings if f.known_at_as_of and f.counts_toward_verdict]


def _first_with_data(findings: list[Finding], window: str) -> Finding | None:
    return next((f for f in findings if f.window == window and f.verdict != INCONCLUSIVE), None)


def _ranking_bottom(result: ClaimResult) -> str:
    spec = result.spec
    claimed = _name(spec.exporter)
    counted = _known_counted(result)
    windows = list(dict.fromkeys(f.window for f in counted))
    led, behind = [], []
    for window in windows:
        f = _first_with_data(counted, window)
        if f is None:
            continue
        (led if f.verdict == SUPPORTED else behind).append(f)
    parts = []
    if led:
        parts.append(f"{claimed} led in {join_words(fmt_window(f.window) for f in led)}")
    for f in behind:
        by = ""
        if f.leader_value is not None and f.claimed_value:
            by = f" by {fmt_change_pct((f.leader_value - f.claimed_value) / f.claimed_value * 100).lstrip('+')}"
        parts.append(f"{_name(f.leader_iso3, f.leader_name)} led {fmt_window(f.window)}{by} ({_what(f)})")
    if not parts:
        lacking = [f.window for f in counted]
        return (
            f"no counted window had data ({join_words(fmt_window(w) for w in lacking)})"
            if lacking
            else ("no window the claim needs had been released")
        )
    text = parts[0] if len(parts) == 1 else f"{parts[0]}, but " + join_words(parts[1:])
    later_years = [
        f
        for f in result.findings
        if not f.known_at_as_of
        and _year_of(f.window)
        and f.verdict != INCONCLUSIVE
        and int(f.window) == result.as_of.year
    ]
    if later_years:
        f = later_years[0]
        who = _name(f.leader_iso3, f.leader_name)
        text += f"; {who} went on to lead {f.window} as a whole"
    return text


def _change_bottom(result: ClaimResult) -> str:
    spec = result.spec
    counted = _known_counted(result)
    with_data = [f for f in counted if f.verdict != INCONCLUSIVE]
    if not with_data:
        needed = [f.window for f in result.findings if f.counts_toward_verdict]
        return (
            f"no counted figure was known ({join_words(fmt_window(w) for w in dict.fromkeys(needed))})"
            if needed
            else "no window the claim needs had been released"
        )
    # The headline: the newest window with data (then the longest), as an analyst reading the data would.
    window = max(
        dict.fromkeys(f.window for f in with_data),
        key=lambda w: (window_months(w)[-1], len(window_months(w))),
    )
    in_window = [f for f in with_data if f.window == window]
    headline = _headline(spec, in_window)
    passed = sum(f.verdict == SUPPORTED for f in in_window)
    threshold = ""
    if spec.threshold:
        threshold = f" {'≥' if spec.threshold.inclusive else '>'} {fmt_change_pct(spec.threshold.change_pct)}"
    total = sum(f.verdict == SUPPORTED for f in with_data)
    overall = "" if len(with_data) == len(in_window) else f"; {total} of {len(with_data)} over every counted window"
    return (
        f"{_name(spec.exporter)}'s {_what(headline)} to {_name(spec.importer)} in {fmt_window(headline.window)} was "
        f"{fmt_amount(headline.value, headline.unit)}, {fmt_change_pct(headline.change_pct)} on "
        f"{fmt_window(headline.baseline_window)} ({fmt_amount(headline.baseline_value, headline.unit)}); "
        f"{passed} of {len(in_window)} counted measures changed by{threshold} there{overall}"
    )


def _headline(spec: ClaimSpec, findings: list[Finding]) -> Finding:
    totals = {m.label for m in spec.measures if m.is_total}
    return next((f for f in findings if f.commodity in totals), findings[0])


def bottom_line(result: ClaimResult) -> str:
    """One sentence an editor could print, from the numbers.

    E.g. "Premature on 30 December 2022: Russia led in November 2022 and September–November 2022, but
    Saudi Arabia led January–November 2022 by 0.8 % (crude oil tonnes); ...; it has held on every
    counted window since 20 February 2023."
    """
    spec = result.spec
    head = f"{_verdict_word(result)} on {fmt_date(result.as_of)}"
    body = _ranking_bottom(result) if spec.kind == "largest_supplier" else _change_bottom(result)
    tail = []
    if result.later_verdict is not None and result.newest_as_of and result.newest_as_of > result.as_of:
        tail.append(f"on the newest data ({fmt_date(result.newest_as_of)}) it is {verdict_words(result.later_verdict)}")
    if result.supported_since is not None:
        tail.append(f"supported on every release since {fmt_date(result.supported_since)}")
    elif result.first_supported_on is not None:
        tail.append(f"first supported on {fmt_date(result.first_supported_on)}, but not since")
    elif result.timeline is not None and result.timeline.points:
        tail.append(f"never supported on a release from {fmt_date(result.timeline.start)} on")
    return f"{head}: {body}" + (f"; {'; '.join(tail)}." if tail else ".")


# --------------------------------------------------------------------------------------------- summary


def _ranking_sentences(spec: ClaimSpec, findings: list[Finding]) -> list[str]:
    """'Russia led in November 2022 (tonnes 7.81 Mt, +18.1 % over Saudi Arabia; value USD 5.11 bn, ...)'."""
    groups: dict[str, dict[str, list[Finding]]] = {}
    names: dict[str, str] = {}
    for f in findings:
        if f.verdict == INCONCLUSIVE:
            continue
        groups.setdefault(f.leader_iso3, {}).setdefault(f.window, []).append(f)
        names[f.leader_iso3] = _name(f.leader_iso3, f.leader_name)
    out = []
    for leader, windows in sorted(groups.items(), key=lambda kv: kv[0] != spec.exporter):
        parts = []
        for window, fs in windows.items():
            detail = "; ".join(
                f"{METRIC_WORDS.get(f.metric, f.metric)} {fmt_amount(f.leader_value, f.unit)}, "
                f"{fmt_change_pct(f.margin_pct)} over {_name(f.runner_up_iso3, f.runner_up_name)}"
                + ("" if f.counts_toward_verdict else ", context")
                for f in fs
            )
            parts.append(f"{fmt_window(window)} ({detail})")
        out.append(f"{names[leader]} led in {join_words(parts)}")
    return out


def _change_sentences(spec: ClaimSpec, findings: list[Finding], full_windows: int = 2) -> list[str]:
    """'March–November 2022 against March–November 2021: energy total value USD 40.10 bn vs ...'.

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
            shown = [_headline(spec, fs)]
            if shown[0].verdict == INCONCLUSIVE:
                shown += [f for f in fs if f.verdict != INCONCLUSIVE][:1]
        parts = []
        for f in shown:
            if f.verdict == INCONCLUSIVE:
                parts.append(f"{_what(f)} unknown")
                continue
            counted = "" if f.counts_toward_verdict else ", not counted"
            spread = ""
            if f.change_pct_range:
                spread = (
                    f", {fmt_change_pct(f.change_pct_range[0])} to {fmt_change_pct(f.change_pct_range[1])} "
                    "across outlets"
                )
            press = ", press figure" if "gacc_press" in f.data_sources else ""
            parts.append(
                f"{_what(f)} {fmt_amount(f.value, f.unit)} vs "
                f"{fmt_amount(f.baseline_value, f.unit)} ({fmt_change_pct(f.change_pct)}{spread}{counted}{press})"
            )
        if shown is not fs:
            parts[0] = f"headline {parts[0]}"
        passed = sum(f.verdict == SUPPORTED for f in fs if f.counts_toward_verdict)
        counted_n = sum(f.verdict != INCONCLUSIVE for f in fs if f.counts_toward_verdict)
        sentence = (
            f"{fmt_window(window)} against {fmt_window(baseline)}: {'; '.join(parts)} — {passed} of {counted_n} "
            "counted findings pass the threshold"
        )
        out.append(sentence + _mixed_sources_text(fs))
    return out


def _mixed_sources_text(findings: list[Finding]) -> str:
    """``" (mixed sources: 2025 from gacc_query against 2024 from comtrade_extract for crude oil value)"``."""
    by_sides: dict[tuple, list[str]] = {}
    for f in findings:
        if f.has_mixed_sources:
            by_sides.setdefault(f.window_sources, []).append(_what(f))
    texts = [
        " against ".join(f"{w} from {'+'.join(src) or 'no source'}" for w, src in sides)
        + f" for {join_words(measures)}"
        for sides, measures in by_sides.items()
    ]
    return f" (mixed sources: {'; '.join(texts)})" if texts else ""


def _missing_text(findings: list[Finding]) -> str:
    """The counted findings without data, each with the sources' reasons (months, source)."""
    lacking = [
        f"{fmt_window(f.window)} {_what(f)}: {'; '.join(f.missing) or 'no figure'}"
        for f in findings
        if f.verdict == INCONCLUSIVE
    ]
    return "No data for — " + " | ".join(lacking) + "." if lacking else ""


VERDICT_WORDS = {
    "largest_supplier": {
        SUPPORTED: "the exporter led in every counted window with data",
        NOT_SUPPORTED: "it led in no counted window with data",
        MIXED: "it led in some counted windows, not in others",
        INCONCLUSIVE: "no counted window has data",
    },
    "change_over_period": {
        SUPPORTED: "every counted change with data passes the threshold",
        NOT_SUPPORTED: "no counted change with data passes the threshold",
        MIXED: "some counted changes pass the threshold, some do not",
        INCONCLUSIVE: "no counted change has data",
    },
    "forecast_vs_outcome": {
        SUPPORTED: "the forecast came true",
        NOT_SUPPORTED: "the forecast did not come true",
        MIXED: "the forecast came true by some counted measures, not others",
        INCONCLUSIVE: "the outcome cannot be judged",
    },
}


def _sentences(spec: ClaimSpec, findings: list[Finding]) -> str:
    if spec.kind == "largest_supplier":
        return "; ".join(_ranking_sentences(spec, findings))
    return "; ".join(_change_sentences(spec, findings))


@dataclass(frozen=True)
class SummaryParts:
    """A claim's detailed summary in its parts, so outputs can place and fold them without parsing text.

    ``known``: what was known on the as-of date; ``missing``: the counted findings then without data;
    ``verdict``: the threshold and the verdict in words; ``later``: what the newer data say (empty if
    nothing newer); ``later_missing``: the newer counted findings without data.
    """

    known: str
    missing: str
    verdict: str
    later: str
    later_missing: str

    def text(self) -> str:
        """The parts as one paragraph (the JSON's ``summary``)."""
        return " ".join(p for p in (self.known, self.missing, self.verdict, self.later, self.later_missing) if p)


def summary_parts(result: ClaimResult) -> SummaryParts:
    """The detailed summary (below the bottom line): what was known on the as-of date, then the newest data."""
    spec, as_of, months = result.spec, result.as_of, result.months
    known = [f for f in result.findings if f.known_at_as_of]
    later = [f for f in result.findings if not f.known_at_as_of]
    words = VERDICT_WORDS[spec.kind]
    day = fmt_date(as_of)
    known_text = missing_text = ""
    if known:
        body = _sentences(spec, known)
        if months is not None and months.is_capped and any(r.rule != "fixed" for r in spec.windows):
            head = (
                f"As known on {day} (customs figures up to {fmt_window(str(months.published))} released; the data "
                f"end at {fmt_window(str(months.data_end))}, taken as the latest known month)"
            )
        elif months is not None:
            head = f"As known on {day} (customs figures up to {fmt_window(str(months.latest))})"
        else:
            head = f"As known on {day}"
        known_text = f"{head}: {body}." if body else f"{head}."
        missing_text = _missing_text([f for f in known if f.counts_toward_verdict])
    else:
        needed = list(dict.fromkeys(f.window for f in later))
        when = min((f.known_from for f in later), default=None)
        known_text = (
            f"On {day} none of the windows the claim needs ({', '.join(fmt_window(w) for w in needed) or 'none'}) "
            "was known" + (f"; the first became known on {fmt_date(when)}." if when else ".")
        )
    verdict = []
    if spec.threshold is not None:
        verdict.append(f"Threshold: {spec.threshold.text}.")
    counted = (
        ""
        if set(spec.verdict_metrics) >= {m.metric for m in spec.measures}
        else f" (counted: {join_words(METRIC_WORDS.get(m, m) for m in spec.verdict_metrics)})"
    )
    verdict.append(f"Verdict: {verdict_words(result.verdict)}{counted}; {words[result.verdict]}.")
    later_text = later_missing = ""
    if later:
        when = min(f.known_from for f in later)
        body = _sentences(spec, later)
        tail = (
            f" Verdict on the newest data: {verdict_words(result.later_verdict)}; {words[result.later_verdict]}."
            if result.later_verdict
            else ""
        )
        later_text = f"From {fmt_date(when)} on (not known on {day}): {body or 'no figures'}.{tail}"
        later_missing = _missing_text([f for f in later if f.counts_toward_verdict])
    return SummaryParts(known_text, missing_text, " ".join(verdict), later_text, later_missing)


def summary(result: ClaimResult) -> str:
    """The detailed summary as one paragraph (:func:`summary_parts` joined)."""
    return summary_parts(result).text()


def finding_line(f: Finding) -> str:
    """The figures of one finding, for the CLI table and the report."""
    if f.type == "ranking":
        if f.leader_iso3 is None:
            return "; ".join(f.missing) or "no figures"
        text = (
            f"{_name(f.leader_iso3, f.leader_name)} {fmt_amount(f.leader_value, f.unit)} > "
            f"{_name(f.runner_up_iso3, f.runner_up_name)} {fmt_amount(f.runner_up_value, f.unit)} "
            f"({fmt_change_pct(f.margin_pct)})"
        )
        if f.claimed_iso3 != f.leader_iso3:
            rank = "no row" if f.claimed_rank is None else f"#{f.claimed_rank}"
            text += f"; {_name(f.claimed_iso3)} {rank} {fmt_amount(f.claimed_value, f.unit)}"
        if "gacc_press" in f.data_sources:
            text += " (press figures)"
        return text
    if f.missing:
        return "; ".join(f.missing)
    mixed = ""
    if f.has_mixed_sources:
        mixed = "; " + " vs ".join("+".join(sources) for _, sources in f.window_sources)
    press = "; press figure" if "gacc_press" in f.data_sources else ""
    return (
        f"{fmt_amount(f.value, f.unit)} vs {fmt_amount(f.baseline_value, f.unit)} in {fmt_window(f.baseline_window)} "
        f"({fmt_change_pct(f.change_pct)}{mixed}{press})"
    )


def timeline_line(timeline) -> str:
    """A claim's timeline in one sentence: when it was first SUPPORTED and since when it stays so."""
    if not timeline.points:
        return f"{timeline.id}: no release between {fmt_date(timeline.start)} and {fmt_date(timeline.end)}."
    first = fmt_date(timeline.first_supported_on) if timeline.first_supported_on else "never"
    since = fmt_date(timeline.supported_since) if timeline.supported_since else "not supported at the end"
    return (
        f"{timeline.id}: {len(timeline.points)} releases from {fmt_date(timeline.points[0].day)} to "
        f"{fmt_date(timeline.points[-1].day)}; first supported: {first}; supported since: {since}."
    )
