"""Write the report: ``report.md``, a self-contained ``report.html``, ``figures/*.png`` and ``tables/*.csv``.

:func:`render_report` computes every output in memory (the clean table in, ``{relative path: bytes}``
out); :func:`write_report` builds the clean table, renders and writes the files atomically. A second
run writes identical bytes: figures are drawn under fixed rcParams and saved without metadata, tables
are sorted, nothing carries a timestamp or an absolute path.
"""

from __future__ import annotations

import base64
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import jinja2
import markdown
import pandas as pd
from matplotlib.figure import Figure

from energytrade import __version__, units
from energytrade.build import build
from energytrade.claims.asof import ARTICLE_DATE
from energytrade.events import WAR_START
from energytrade.formatting import (
    display_name,
    fmt_amount,
    fmt_change_pct,
    fmt_month,
    fmt_mt,
    fmt_pct,
    markdown_table,
)
from energytrade.raw import write_atomic
from energytrade.report import figures as figs
from energytrade.report.claim_figures import claim_figure
from energytrade.report.findings import Finding, gap_clauses, headline_findings
from energytrade.report.style import png_bytes, source_line
from energytrade.report.tables import (
    BENCHMARK_ISO3,
    CSV_NAMES,
    FOCUS_ISO3,
    SOURCE,
    CrudeTables,
    crude_tables,
    table_frames,
)

Progress = Callable[[str], None]

FIGURES_DIR = "figures"
TABLES_DIR = "tables"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"

#: What each CSV holds (shown in the report's list of tables).
TABLE_DESCRIPTIONS: dict[str, str] = {
    "rankings_mass": "suppliers ranked by tonnage per calendar year and over the whole span (t, bbl/d, share)",
    "rankings_value": "suppliers ranked by customs value per calendar year and over the whole span (USD, share)",
    "monthly_top": "monthly imports from the largest suppliers (t, bbl/d, share, rank)",
    "leaders": "leader and runner-up of each month, by barrels per day and by value, with the margin",
    "streaks": "runs of consecutive months led by the same supplier",
    "focus_rank": "Russia's rank among suppliers each month, by barrels per day and by value",
    "focus_yoy": "Russia's annual tonnage and value with the change on the year before",
    "unit_values": "unit values of every supplier (USD/t, USD/bbl), monthly and annual",
    "discounts": "Russia's unit value against Saudi Arabia's and the all-supplier average (USD/bbl, %)",
    "concentration": "supplier concentration (Herfindahl-Hirschman index) per calendar year, by tonnage",
    "cross_source": "Comtrade extract figures against the press (GACC) figures, flagged over the tolerance",
}

# Evidence shown in the report's tables (the CSV keeps every column): column -> header, per finding type.
_RANKING_COLUMNS = {
    "window": "window",
    "commodity": "commodity",
    "metric": "metric",
    "verdict": "verdict",
    "leader_iso3": "leader",
    "leader_value": "leader's figure",
    "runner_up_iso3": "runner-up",
    "runner_up_value": "runner-up's figure",
    "margin_pct": "margin",
    "claimed_rank": "claimed supplier's rank",
}
_CHANGE_COLUMNS = {
    "window": "window",
    "commodity": "commodity",
    "metric": "metric",
    "verdict": "verdict",
    "value": "figure",
    "baseline_window": "baseline window",
    "baseline_value": "baseline figure",
    "change_pct": "change",
}
_AMOUNT_COLUMNS = ("leader_value", "runner_up_value", "value", "baseline_value")


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: file name (in ``figures/``), title, caption, and the Figure."""

    name: str
    title: str
    caption: str
    figure: Figure

    @property
    def path(self) -> str:
        return f"{FIGURES_DIR}/{self.name}.png"


def _events(article_date: date) -> dict[str, str]:
    return {
        WAR_START.isoformat(): f"invasion of Ukraine, {WAR_START.isoformat()}",
        article_date.isoformat(): f"article, {article_date.isoformat()}",
    }


def _named(frame: pd.DataFrame, code: str = "partner_iso3", name: str = "partner_name") -> pd.DataFrame:
    """Short display names for legends and bar labels."""
    return frame.assign(**{name: [display_name(c, n) for c, n in zip(frame[code], frame[name])]})


def crude_figures(t: CrudeTables, article_date: date) -> list[ReportFigure]:
    """The four crude-oil figures of the report, from its tables (pure)."""
    events = _events(article_date)
    source = source_line([SOURCE])
    focus = display_name(FOCUS_ISO3)
    bench = display_name(BENCHMARK_ISO3, "Saudi Arabia")
    start, end = t.span.split("/")

    monthly = _named(t.monthly_top)
    leaders = t.leaders[t.leaders["metric"] == "bpd"]
    leaders = leaders.assign(
        leader_name=[display_name(c, n) for c, n in zip(leaders["leader_iso3"], leaders["leader_name"])]
    )
    rank = t.focus_rank[t.focus_rank["metric"] == "bpd"]
    windows = [*t.years, t.span]
    rankings = _named(t.rankings_mass[t.rankings_mass["window"].isin(windows)])

    prices_m = t.unit_values[
        (t.unit_values["freq"] == "M") & t.unit_values["partner_iso3"].isin([FOCUS_ISO3, BENCHMARK_ISO3])
    ]
    prices_m = _named(prices_m)[["period", "partner_iso3", "partner_name", "usd_per_bbl"]]
    prices_m = prices_m.assign(_o=prices_m["partner_iso3"].map({FOCUS_ISO3: 0, BENCHMARK_ISO3: 1}))
    prices_m = prices_m.sort_values(["_o", "period"], kind="mergesort").drop(columns="_o")
    avg = t.discounts[(t.discounts["freq"] == "M") & (t.discounts["benchmark"] == "average")]
    average = pd.DataFrame(
        {
            "period": avg["period"],
            "partner_iso3": figs.ALL_PARTNERS,
            "partner_name": "all suppliers (average)",
            "usd_per_bbl": avg["benchmark_usd_per_bbl"],
        }
    )
    prices = pd.concat([prices_m, average], ignore_index=True)
    discount = t.discounts[(t.discounts["freq"] == "M") & (t.discounts["benchmark"] == BENCHMARK_ISO3)]

    n_top = monthly["partner_iso3"].nunique()
    return [
        ReportFigure(
            "crude_imports_top_suppliers",
            f"Monthly crude imports from the {n_top} largest suppliers, {start} to {end}",
            f"China's monthly crude oil imports from its {n_top} largest suppliers over the whole span, in thousand "
            f"barrels per day (tonnes at {units.BARRELS_PER_TONNE_CRUDE} bbl/t over each month's days). Dotted: "
            "the invasion of Ukraine; dashed: the article's date.",
            figs.crude_imports_by_supplier(
                monthly,
                events=events,
                source=source,
                title=f"China's crude oil imports from its {n_top} largest suppliers, monthly {start} to {end}",
            ),
        ),
        ReportFigure(
            "crude_monthly_leader_russia_rank",
            f"The largest supplier each month, and {focus}'s rank",
            f"Bars: the leading supplier's imports each month, coloured by supplier; line: {focus}'s. Below: "
            f"{focus}'s rank among all suppliers (by tonnage, the same order as barrels per day).",
            figs.monthly_leader_and_rank(
                leaders,
                rank,
                partner_name=focus,
                events=events,
                source=source,
                title=f"China's largest crude supplier each month, and {focus}'s rank",
            ),
        ),
        ReportFigure(
            "crude_annual_rankings",
            "Largest suppliers by calendar year",
            "The six largest suppliers of each calendar year and of the whole span, by tonnage; labels give "
            "each supplier's share of China's crude imports.",
            figs.annual_ranking_bars(rankings, source=source),
        ),
        ReportFigure(
            "crude_unit_values_rus_sau",
            f"Unit values: {focus} and {bench}, USD per barrel",
            f"Customs value per barrel of China's crude imports from {focus} and {bench} "
            f"(value / tonnage at {units.BARRELS_PER_TONNE_CRUDE} bbl/t), with the average of all suppliers. Below: "
            f"{focus}'s discount to {bench} (positive: {focus}'s crude cheaper).",
            figs.unit_values(
                prices,
                discount,
                against_name=bench,
                partner_name=focus,
                events=events,
                source=source,
                title=f"Unit value of China's crude imports: {focus} and {bench}",
            ),
        ),
    ]


def ranking_markdown(t: CrudeTables, top: int = 8) -> str:
    """Wide Markdown table: one row per rank, one column per window, 'Supplier: Mt (share)'.

    When a window's sums leave figures out (a partner's row without a tonnage figure, a month without
    data), a line under the table says so, window by window (:func:`energytrade.report.findings.gap_clauses`).
    """
    windows = [*t.years, t.span]
    r = t.rankings_mass[t.rankings_mass["window"].isin(windows) & (t.rankings_mass["rank"] <= top)]
    cells = {
        (w, int(k)): f"{display_name(c, n)}: {fmt_mt(m)}, {fmt_pct(s)}"
        for w, k, c, n, m, s in zip(
            r["window"], r["rank"], r["partner_iso3"], r["partner_name"], r["net_weight_t"], r["share_pct"]
        )
    }
    table = pd.DataFrame(
        {"rank": [str(k) for k in range(1, top + 1)]}
        | {w.replace("/", " to "): [cells.get((w, k), "") for k in range(1, top + 1)] for w in windows}
    )
    gaps = [
        f"{w.replace('/', ' to ')}: {'; '.join(clauses)}"
        for w in windows
        if (clauses := gap_clauses(t.rankings_mass[t.rankings_mass["window"] == w]))
    ]
    note = f"\n\n*Totals and shares are sums of the figures present. {'. '.join(gaps)}.*" if gaps else ""
    return markdown_table(table) + note


# ------------------------------------------------------------------------------------------ claims


@dataclass(frozen=True)
class ClaimSection:
    """One claim as the report shows it."""

    number: int
    id: str
    quote: str
    verdict: str
    summary: str
    as_of: str
    evidence: pd.DataFrame
    figure: Figure

    @property
    def evidence_csv(self) -> str:
        return f"{TABLES_DIR}/claim_{self.id}_evidence.csv"

    @property
    def figure_path(self) -> str:
        return f"{FIGURES_DIR}/claim_{self.id}.png"


def evidence_markdown(evidence: pd.DataFrame) -> str:
    """A claim's evidence as Markdown tables: the findings known on the as-of date, then the later ones.

    Figures are written in their own unit per row (Mt, USD bn, bcm), percentages signed with one decimal.
    """
    blocks = []
    for known, heading in ((True, "Known on the as-of date"), (False, "Known later (not used for the verdict)")):
        part = evidence[evidence["known_at_as_of"] == known]
        for kind, columns in (("ranking", _RANKING_COLUMNS), ("change", _CHANGE_COLUMNS)):
            rows = part[part["type"] == kind] if "type" in part else part
            if rows.empty:
                continue
            shown = rows[[c for c in columns if c in rows.columns]].copy()
            for col in _AMOUNT_COLUMNS:
                if col in shown:
                    shown[col] = [fmt_amount(x, u) for x, u in zip(rows[col], rows["unit"])]
            for col in ("margin_pct", "change_pct"):
                if col in shown:
                    shown[col] = [fmt_change_pct(x) if pd.notna(x) else "" for x in rows[col]]
            right = [columns[c] for c in (*_AMOUNT_COLUMNS, "margin_pct", "change_pct", "claimed_rank") if c in shown]
            table = markdown_table(shown.rename(columns=columns), right=right)
            blocks.append(f"*{heading}:*\n\n{table}")
    return "\n\n".join(blocks) if blocks else "*No findings.*"


def claim_sections(flows: pd.DataFrame, as_of: str | date | None = None) -> list[ClaimSection]:
    """The claims as evaluated by :func:`energytrade.claims.evaluate`, each with its evidence and figure."""
    from energytrade.claims import evaluate, evidence_frame

    sections = []
    for number, result in enumerate(evaluate(as_of=as_of, flows=flows), start=1):
        d = result.to_dict()
        sections.append(
            ClaimSection(
                number=number,
                id=str(d["id"]),
                quote=str(d["quote"]),
                verdict=str(d["verdict"]),
                summary=str(d["summary"]),
                as_of=str(d["as_of"]),
                evidence=evidence_frame(result),
                figure=claim_figure(result, flows),
            )
        )
    return sections


# ---------------------------------------------------------------------------------------- rendering


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV bytes (no index, ``\\n`` line ends, floats in full precision, missing as empty)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _method_lines(t: CrudeTables) -> list[str]:
    return [
        f"Partner figures: UN Comtrade, China's imports by partner, monthly, {t.span.replace('/', ' to ')} "
        "(net weight in kg and customs value in USD; the extract of DoiEnnoson/china-energy-monitor). "
        "Totals are sums over partners; a missing figure stays missing and is counted, never filled with 0.",
        f"Crude oil is HS 2709. Barrels: {units.BARRELS_PER_TONNE_CRUDE} bbl per tonne (Energy Institute, world "
        "average); barrels per day use each period's real number of days.",
        "Unit values are customs value divided by net weight (CIF, as China declares them), so they include "
        "freight and insurance; they are not market prices.",
        "Claims: a month's customs figures count as known from the 20th of the following month; the verdict "
        "uses what was known on the as-of date, later findings are shown and marked.",
        "Press figures (GACC as printed by Reuters, Bloomberg and others) are used for the cross-source check "
        "and by the claims where the extract has no figure (pipeline gas volumes).",
        "Every raw file carries a provenance sidecar (data/raw/<source>/<vintage>/<file>.meta.yml) and is "
        "checked against its sha256 before use.",
    ]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("energytrade.report", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML: the HTML comes from the markdown package
    )


_IMG_SRC = re.compile(r'src="((?:figures)/[A-Za-z0-9_.\-]+\.png)"')


def markdown_to_html(md_text: str, images: dict[str, bytes], css: str, title: str) -> str:
    """The Markdown report as one self-contained HTML page: CSS inline, PNGs embedded as base64."""
    body = markdown.markdown(md_text, extensions=["tables"], output_format="html")

    def embed(match: re.Match) -> str:
        path = match.group(1)
        if path not in images:
            raise KeyError(f"report.md shows {path!r} but no such figure was rendered")
        return f'src="data:image/png;base64,{base64.b64encode(images[path]).decode("ascii")}"'

    body = _IMG_SRC.sub(embed, body)
    page = _environment().get_template("report.html.j2").render(title=title, css=css.strip(), body=body)
    return page


def render_report(
    flows: pd.DataFrame,
    *,
    article_date: date = ARTICLE_DATE,
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """Every output of the report, in memory: ``{relative path: bytes}`` (pure apart from drawing).

    Parameters
    ----------
    flows : DataFrame
        The clean table (:func:`energytrade.build.load_trade_flows`).
    article_date : date
        The as-of date of the claims and the date marked on the figures.
    progress : callable, optional
        Receives short progress lines.
    """
    say = progress or (lambda message: None)
    t = crude_tables(flows)
    say(f"computed {len(CSV_NAMES)} tables ({t.span.replace('/', ' to ')})")
    findings: list[Finding] = headline_findings(flows, t, article_date)
    claims = claim_sections(flows, as_of=article_date)
    say(f"evaluated {len(claims)} claims: " + ", ".join(f"{c.id} {c.verdict}" for c in claims))

    outputs: dict[str, bytes] = {}
    report_figures = crude_figures(t, article_date)
    for fig in report_figures:
        outputs[fig.path] = png_bytes(fig.figure)
    for claim in claims:
        outputs[claim.figure_path] = png_bytes(claim.figure)
    say(f"drew {len(report_figures) + len(claims)} figures")
    for field, frame in table_frames(t).items():
        outputs[f"{TABLES_DIR}/{CSV_NAMES[field]}"] = csv_bytes(frame)
    for claim in claims:
        outputs[claim.evidence_csv] = csv_bytes(claim.evidence)

    env = _environment()
    md_text = env.get_template("report.md.j2").render(
        version=__version__,
        span_words=f"{fmt_month(t.span.split('/')[0])} to {fmt_month(t.span.split('/')[1])}",
        article_date=article_date.isoformat(),
        findings=findings,
        claims=[
            {
                "number": c.number,
                "id": c.id,
                "quote": c.quote,
                "verdict": c.verdict,
                "summary": c.summary,
                "as_of": c.as_of,
                "evidence_md": evidence_markdown(c.evidence),
                "evidence_csv": c.evidence_csv,
                "figure": c.figure_path,
                "figure_alt": f"figure for claim {c.id}",
            }
            for c in claims
        ],
        figures=[{"title": f.title, "caption": f.caption, "path": f.path} for f in report_figures],
        ranking_md=ranking_markdown(t),
        tables=[{"path": f"{TABLES_DIR}/{CSV_NAMES[k]}", "description": TABLE_DESCRIPTIONS[k]} for k in CSV_NAMES],
        method=_method_lines(t),
    )
    md_text = re.sub(r"\n{3,}", "\n\n", md_text)
    outputs[REPORT_MD] = md_text.encode("utf-8")
    css = resources.files("energytrade.report").joinpath("templates/report.css").read_text(encoding="utf-8")
    images = {path: data for path, data in outputs.items() if path.endswith(".png")}
    title = "China's crude oil imports by supplier, and the article's claims"
    outputs[REPORT_HTML] = markdown_to_html(md_text, images, css, title).encode("utf-8")
    return outputs


def write_report(
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike = "reports",
    progress: Progress | None = None,
    *,
    flows: pd.DataFrame | None = None,
    article_date: date = ARTICLE_DATE,
) -> list[Path]:
    """Build the clean table (``processed/``) and write the report into ``out_dir``.

    Parameters
    ----------
    data_dir : path, optional
        The data root (``--data-dir``; default ``$ENERGYTRADE_DATA_DIR`` or the bundled ``data/``).
    out_dir : path, default "reports"
        Output folder; ``report.md``, ``report.html``, ``figures/`` and ``tables/`` are written inside.
    progress : callable, optional
        Receives short progress lines.
    flows : DataFrame, optional
        A clean table to report on instead of building one from ``data_dir`` (nothing is written to
        ``processed/`` then).
    article_date : date
        As-of date of the claims.

    Returns
    -------
    list of Path
        Every file written, in a fixed order (report.md, report.html, figures, tables).
    """
    say = progress or (lambda message: None)
    if flows is None:
        flows, csv_path, _ = build(data_dir, progress=say)
        say(f"clean table: {len(flows)} rows (written to processed/{csv_path.name})")
    outputs = render_report(flows, article_date=article_date, progress=say)
    out = Path(out_dir)
    order = sorted(outputs, key=lambda p: (p not in (REPORT_MD, REPORT_HTML), p != REPORT_MD, p))
    written = [write_atomic(out / rel, outputs[rel]) for rel in order]
    say(f"wrote {len(written)} files: {REPORT_MD}, {REPORT_HTML}, {FIGURES_DIR}/, {TABLES_DIR}/")
    return written
