"""The report's one renderer: chapters in, ``report.md``, a self-contained ``report.html``, PNG figures,
CSV tables and an Excel workbook out.

Each chapter module in :data:`CHAPTERS` has ``build(context) -> Chapter``
(:mod:`energytrade.report.chapter`); :func:`render_report` builds them in order, draws their figures
(in parallel processes when asked), and writes every output in memory (``{relative path: bytes}``);
:func:`write_report` builds the clean table and writes the files atomically. A second run writes
identical bytes: figures are drawn under fixed rcParams and saved without metadata, tables are sorted,
nothing carries a timestamp or an absolute path.

Escaping: chapters write Markdown in which data-derived text (partner names, notes) may hold ``<``.
The renderer escapes every ``<`` before the Markdown is converted, and converts it with raw HTML
switched off, so nothing from the data becomes a tag; the HTML template is autoescaped. The only
tags the renderer adds itself are ``<details>``/``<summary>`` (from the ``{{details:...}}`` markers),
``<div class="table-scroll">`` around each table, and the embedded images.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from types import ModuleType

import jinja2
import markdown
import pandas as pd
from markupsafe import Markup

from energytrade import __version__
from energytrade.analysis import reusing_selections
from energytrade.build import build
from energytrade.claims.asof import ARTICLE_DATE
from energytrade.countries import check_iso3
from energytrade.formatting import fmt_date
from energytrade.paths import data_paths
from energytrade.raw import write_atomic
from energytrade.report.chapter import Chapter, Context, Table
from energytrade.report.chapters import claims, crude_oil, europe, gas, sources
from energytrade.report.excel import workbook_bytes
from energytrade.report.pauses import collection_paused
from energytrade.report.plotting import png_bytes

Progress = Callable[[str], None]

#: The chapters, in the order the report shows them. A new chapter is a module with
#: ``build(context) -> Chapter`` added here.
CHAPTERS: tuple[ModuleType, ...] = (claims, crude_oil, gas, europe, sources)

FIGURES_DIR = "figures"
TABLES_DIR = "tables"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
REPORT_XLSX = "energytrade_tables.xlsx"
#: The formats ``energytrade report --format`` accepts (CSV tables and PNG figures are always written).
FORMATS: tuple[str, ...] = ("md", "html", "xlsx")
TITLE = "China's energy imports from Russia, and an article's claims"
#: The importer the article (and the default report) is about.
ARTICLE_IMPORTER = "CHN"
#: The raw source the Europe chapter reads (it is included for another importer only where it is present).
EUROPE_SOURCE = "eurostat_coifpm"

_MARKER = re.compile(r"\{\{(table|figure):([A-Za-z0-9_.\-]+)\}\}")
_DETAILS_MD = re.compile(r"^\{\{details:(.*?)\}\}$", re.M)
_DETAILS_HTML = re.compile(r"<p>\{\{details:(.*?)\}\}</p>")
_DETAILS_END = "{{/details}}"


# ------------------------------------------------------------------------------------------ building


def chapters_for(context: Context) -> tuple[ModuleType, ...]:
    """The chapters of a report on ``context.importer``: every chapter for China; for another importer
    its crude oil, its gas and coal where the data root holds any (:func:`energytrade.report.chapters.gas.gas_source`),
    Europe's side where the data root holds its data, and the data and method. The claims are the
    article's about China and are left out."""
    if context.importer == ARTICLE_IMPORTER:
        return CHAPTERS
    has_europe = (data_paths(context.data_dir).raw / EUROPE_SOURCE).is_dir()
    has_gas = gas.gas_source(context.flows, context.importer) is not None
    return tuple(
        m for m in CHAPTERS if m in (crude_oil, sources) or (m is europe and has_europe) or (m is gas and has_gas)
    )


@contextmanager
def building() -> Iterator[None]:
    """How the report builds and draws chapters: the questions share their selections of the clean table
    (:func:`energytrade.analysis.reusing_selections`) and the garbage collector waits
    (:func:`energytrade.report.pauses.collection_paused`)."""
    with reusing_selections(), collection_paused():
        yield


def build_chapters(context: Context, modules: Sequence[ModuleType] = CHAPTERS) -> list[Chapter]:
    """Every chapter of the report, built from ``context`` (in the order of ``modules``), within
    :func:`building`."""
    with building():
        return [module.build(context) for module in modules]


def _draw(chapter: Chapter) -> dict[str, bytes]:
    return {f"{FIGURES_DIR}/{f.name}.png": png_bytes(f.figure) for f in chapter.figures}


FigureMeta = tuple[str, str, str, str]  # name, title, caption, alt


def _meta(chapter: Chapter) -> list[FigureMeta]:
    return [(f.name, f.title, f.caption, f.alt) for f in chapter.figures]


def _build_and_draw(module_name: str, context: Context) -> tuple[Chapter, list[FigureMeta], dict[str, bytes]]:
    """Worker: build one chapter and draw its figures (the matplotlib Figures stay in the worker)."""
    module = next(m for m in CHAPTERS if m.__name__ == module_name)
    with building():
        chapter = module.build(context)
        drawn = _draw(chapter)
    light = Chapter(chapter.key, chapter.title, chapter.markdown, chapter.tables, [])
    return light, _meta(chapter), drawn


# ------------------------------------------------------------------------------------------ Markdown


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV bytes (no index, ``\\n`` line ends, floats in full precision, missing as empty)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def escape_markdown_text(text: str) -> str:
    """Make ``<`` harmless in Markdown: ``&lt;`` shows as ``<`` in every Markdown viewer and in the
    HTML, and no tag from the data survives.

    >>> escape_markdown_text("<script>alert(1)</script>Saudi Arabia")
    '&lt;script>alert(1)&lt;/script>Saudi Arabia'
    """
    return text.replace("<", "&lt;")


def _figure_markdown(name: str, title: str, caption: str, alt: str) -> str:
    alt_text = (alt or title).replace("[", "(").replace("]", ")")
    return (
        f"#### {title}\n\n![{alt_text}]({FIGURES_DIR}/{name}.png)\n\n*{caption}*"
        if caption
        else (f"#### {title}\n\n![{alt_text}]({FIGURES_DIR}/{name}.png)")
    )


def chapter_markdown(chapter: Chapter, figures: Sequence[FigureMeta] | None = None) -> str:
    """A chapter as Markdown: its heading, its text with the table and figure markers replaced
    (figures as images with their caption, tables as a link to their CSV), ``<`` escaped."""
    figs = (
        {f[0]: f for f in figures}
        if figures is not None
        else {f.name: (f.name, f.title, f.caption, f.alt) for f in chapter.figures}
    )
    tables = {t.name: t for t in chapter.tables}
    text = escape_markdown_text(chapter.markdown)

    def replace(match: re.Match) -> str:
        kind, name = match.groups()
        if kind == "figure":
            if name not in figs:
                raise KeyError(f"chapter {chapter.key!r} places figure {name!r} but has no such figure")
            return _figure_markdown(*figs[name])
        if name not in tables:
            raise KeyError(f"chapter {chapter.key!r} places table {name!r} but has no such table")
        t = tables[name]
        return f"Table: [{t.title}]({TABLES_DIR}/{name}.csv) (CSV{f'; {t.caption}' if t.caption else ''})."

    return f"## {chapter.title}\n\n" + _MARKER.sub(replace, text)


def tables_markdown(tables: Sequence[Table]) -> str:
    """The appendix: every CSV table with its title (units are in the column names)."""
    lines = [f"- [{t.title}]({TABLES_DIR}/{t.name}.csv)" for t in tables]
    return (
        "## Tables\n\nEvery number above is in these CSV files (units in the column names; `provenance` and "
        "`sources` columns name the raw file and row), and in the Excel workbook "
        f"[(Excel)]({REPORT_XLSX}), one sheet per table:\n\n" + escape_markdown_text("\n".join(lines))
    )


def expand_details(md_text: str) -> str:
    """``{{details:S}}`` ... ``{{/details}}`` -> ``<details><summary>S</summary>`` ... ``</details>``."""
    md_text = _DETAILS_MD.sub(lambda m: f"<details><summary>{m[1]}</summary>", md_text)
    return md_text.replace(_DETAILS_END, "</details>")


# ------------------------------------------------------------------------------------------ HTML


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("energytrade.report", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
    )


def _markdown_converter() -> markdown.Markdown:
    """Python-Markdown with raw HTML switched off: ``<tag>`` in the text stays text."""
    md = markdown.Markdown(extensions=["tables"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


_IMG_SRC = re.compile(r'src="((?:figures)/[A-Za-z0-9_.\-]+\.png)"')


def markdown_to_html(md_text: str, images: dict[str, bytes], css: str, title: str) -> str:
    """The report's Markdown (with ``{{details:...}}`` markers) as one self-contained HTML page: CSS
    inline, PNGs embedded as base64, each table in its own scrolling box."""
    body = _markdown_converter().convert(md_text)
    body = _DETAILS_HTML.sub(lambda m: f"<details><summary>{m[1]}</summary>", body)
    body = body.replace(f"<p>{_DETAILS_END}</p>", "</details>")
    body = body.replace("<table>", '<div class="table-scroll">\n<table>').replace("</table>", "</table>\n</div>")

    def embed(match: re.Match) -> str:
        path = match.group(1)
        if path not in images:
            raise KeyError(f"report.md shows {path!r} but no such figure was rendered")
        return f'src="data:image/png;base64,{base64.b64encode(images[path]).decode("ascii")}"'

    body = _IMG_SRC.sub(embed, body)
    return _environment().get_template("report.html.j2").render(title=title, css=Markup(css.strip()), body=Markup(body))


# ------------------------------------------------------------------------------------------ the report


def render_report(
    flows: pd.DataFrame,
    *,
    article_date: date = ARTICLE_DATE,
    data_dir: str | os.PathLike | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    formats: Sequence[str] = ("md", "html"),
    importer: str = ARTICLE_IMPORTER,
) -> tuple[dict[str, bytes], list[Table]]:
    """Every output of the report in memory, and its tables (for the Excel workbook).

    Parameters
    ----------
    flows : DataFrame
        The clean table (:func:`energytrade.build.load_trade_flows`).
    article_date : date
        The as-of date of the claims and the date marked on the figures.
    data_dir : path, optional
        The data root the table came from (for the sources' sidecars).
    progress : callable, optional
        Receives short progress lines.
    workers : int, default 1
        Processes building chapters and drawing their figures at once (1: all in this process).
    formats : sequence of str
        Any of :data:`FORMATS`: ``"md"``, ``"html"``, ``"xlsx"`` (CSV tables and PNG figures are always
        rendered). With several workers the workbook is made in a worker while the HTML is made here.
    importer : str, default "CHN"
        The importer (ISO3) whose imports the report describes (see :func:`chapters_for`).

    Returns
    -------
    (dict, list of Table)
        ``{relative path: bytes}`` and every chapter's tables in report order.
    """
    say = progress or (lambda message: None)
    importer = check_iso3(importer)
    context = Context(
        flows=flows, article_date=article_date, data_dir=Path(data_dir) if data_dir else None, importer=importer
    )
    modules = chapters_for(context)
    # Fail at once, in one line, when the importer's crude imports are not in the data root.
    crude_oil.crude_source(flows, importer)
    outputs: dict[str, bytes] = {}
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            jobs = [pool.submit(_build_and_draw, m.__name__, context) for m in modules]
            results = [job.result() for job in jobs]
            chapters = [chapter for chapter, _, _ in results]
            figure_meta = [meta for _, meta, _ in results]
            for _, _, pngs in results:
                outputs.update(pngs)
            say(f"built {len(chapters)} chapters and drew {sum(len(m) for m in figure_meta)} figures")
            tables = [t for c in chapters for t in c.tables]
            workbook = pool.submit(workbook_bytes, tables) if "xlsx" in formats else None
            outputs.update(_documents(chapters, figure_meta, tables, outputs, context, formats))
            if workbook is not None:
                outputs[REPORT_XLSX] = workbook.result()
    else:
        chapters = build_chapters(context, modules)
        figure_meta = [_meta(c) for c in chapters]
        with collection_paused():
            for chapter in chapters:
                outputs.update(_draw(chapter))
        say(f"built {len(chapters)} chapters and drew {sum(len(m) for m in figure_meta)} figures")
        tables = [t for c in chapters for t in c.tables]
        outputs.update(_documents(chapters, figure_meta, tables, outputs, context, formats))
        if "xlsx" in formats:
            outputs[REPORT_XLSX] = workbook_bytes(tables)
    return outputs, tables


def _documents(
    chapters: Sequence[Chapter],
    figure_meta: Sequence[Sequence[FigureMeta]],
    tables: Sequence[Table],
    images: dict[str, bytes],
    context: Context,
    formats: Sequence[str],
) -> dict[str, bytes]:
    """The CSV tables, ``report.md`` and ``report.html`` (as ``formats`` asks) of built chapters;
    ``images``: the drawn figures ``{relative path: PNG bytes}``."""
    outputs: dict[str, bytes] = {f"{TABLES_DIR}/{t.name}.csv": csv_bytes(t.frame) for t in tables}
    article_date, importer = context.article_date, context.importer
    intro = (
        f"*energytrade {__version__}: built offline from the bundled public statistics (see “Data and method”). "
        f"The article under review (on the Putin–Xi video summit) is dated {fmt_date(article_date.isoformat())}.*"
    )
    title = TITLE
    if importer != ARTICLE_IMPORTER:
        who = context.importer_name
        has_gas = any(c.key == "gas" for c in chapters)
        title = f"{who}'s crude oil, gas and coal imports" if has_gas else f"{who}'s crude oil imports"
        intro = intro.replace("the bundled public statistics", "the public statistics in the data root")
        left_out = "" if has_gas else f" {gas.left_out_note(importer)}"
        intro += (
            f"\n\n*This report is about {who}'s imports: the chapter on the article's claims (about China) is "
            f"left out.{left_out}*"
        )
    parts = [chapter_markdown(c, meta) for c, meta in zip(chapters, figure_meta)]
    md_text = "\n\n".join([f"# {title}", intro, *parts, tables_markdown(tables)]) + "\n"
    md_text = re.sub(r"\n{3,}", "\n\n", md_text)
    if "md" in formats:
        outputs[REPORT_MD] = expand_details(md_text).encode("utf-8")
    if "html" in formats:
        css = resources.files("energytrade.report").joinpath("templates/report.css").read_text(encoding="utf-8")
        pngs = {path: data for path, data in images.items() if path.endswith(".png")}
        outputs[REPORT_HTML] = markdown_to_html(md_text, pngs, css, html.unescape(title)).encode("utf-8")
    return outputs


def write_report(
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike = "reports",
    progress: Progress | None = None,
    *,
    flows: pd.DataFrame | None = None,
    article_date: date = ARTICLE_DATE,
    formats: Sequence[str] = FORMATS,
    workers: int | None = None,
    importer: str = ARTICLE_IMPORTER,
) -> list[Path]:
    """Build the clean table (``processed/``) and write the report into ``out_dir``.

    Parameters
    ----------
    data_dir : path, optional
        The data root (``--data-dir``; default ``$ENERGYTRADE_DATA_DIR`` or the bundled ``data/``).
    out_dir : path, default "reports"
        Output folder; ``report.md``, ``report.html``, ``energytrade_tables.xlsx``, ``figures/`` and
        ``tables/`` are written inside.
    progress : callable, optional
        Receives short progress lines.
    flows : DataFrame, optional
        A clean table to report on instead of building one from ``data_dir`` (nothing is written to
        ``processed/`` then).
    article_date : date
        As-of date of the claims.
    formats : sequence of str, default ("md", "html", "xlsx")
        Which of :data:`FORMATS` to write (CSV tables and PNG figures are always written).
    workers : int, optional
        Processes drawing the chapters at once (default: the number of CPUs, at most the chapters).
    importer : str, default "CHN"
        The importer (ISO3) whose imports the report describes; its crude imports must be in the data
        root (``energytrade fetch comtrade --reporter IND ...``), else :class:`energytrade.errors.NoImporterData`.

    Returns
    -------
    list of Path
        Every file written, in a fixed order (report.md, report.html, workbook, figures, tables).
    """
    say = progress or (lambda message: None)
    importer = check_iso3(importer)  # a bad code fails before the build
    if flows is None:
        flows, csv_path, _ = build(data_dir, progress=say)
        say(f"clean table: {len(flows)} rows (written to processed/{csv_path.name})")
    if workers is None:
        workers = min(len(CHAPTERS), os.cpu_count() or 1)
    outputs, tables = render_report(
        flows,
        article_date=article_date,
        data_dir=data_dir,
        progress=say,
        workers=workers,
        formats=formats,
        importer=importer,
    )
    out = Path(out_dir)
    first = (REPORT_MD, REPORT_HTML, REPORT_XLSX)
    order = sorted(outputs, key=lambda p: (first.index(p) if p in first else len(first), p))
    written = [write_atomic(out / rel, outputs[rel]) for rel in order]
    say(f"wrote {len(written)} files into {out}/")
    return written
