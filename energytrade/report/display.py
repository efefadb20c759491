"""Figures in notebooks, shown so that nbval notices when the data they draw change.

nbval compares a cell's ``text/plain`` output but skips ``image/png`` (pixels differ between
matplotlib and FreeType versions), so a figure shown as a bare :class:`~matplotlib.figure.Figure`
is never checked. :func:`show` wraps a figure in a :class:`FigureView`, whose rich display is the
PNG (:func:`energytrade.report.plotting.png_bytes`) plus a ``text/plain`` line naming the figure and a
fingerprint of what it draws (:func:`figure_fingerprint`), e.g.::

    Figure: "China's crude imports by supplier" · data fingerprint 3f2a9c1b0d4e

Change one number drawn, a title or a label, and the line changes, so ``make test`` fails on that cell.

Examples
--------
>>> from energytrade.report.display import show                      # doctest: +SKIP
>>> show(plotting.market_share_chart(monthly_top, source=line))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.axes._secondary_axes import SecondaryAxis  # not re-exported; its home since matplotlib 3.1
from matplotlib.axis import Axis
from matplotlib.category import StrCategoryLocator
from matplotlib.collections import Collection, PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation, Text

from energytrade.formatting import METRIC_NAMES, commodity_name, display_name, fmt_amount, fmt_window
from energytrade.report.plotting import png_bytes
from energytrade.report.render import escape_markdown_text, expand_details

#: Significant digits kept of every number drawn: enough to see a 0.01 % change in a series, few enough
#: that float noise between platforms (summation order, libm) does not change the fingerprint.
SIGNIFICANT_DIGITS = 6

#: Hex digits of the sha256 shown (48 bits: a collision between two versions of one figure is not a worry).
FINGERPRINT_HEX_DIGITS = 12

#: Longest title shown in the ``text/plain`` line [characters]; longer ones end in "…".
TITLE_CHARS = 70

#: Tick locators whose ticks depend only on the data and the code, not on the size of the axes in
#: pixels. Their tick labels are fingerprinted; an automatic locator (MaxNLocator, AutoLocator, Log...)
#: picks its number of ticks from the rendered axes length, which depends on the layout and so on font
#: metrics, so for those the locator and formatter are fingerprinted instead (the limits carry the data).
_LAYOUT_FREE_LOCATORS = (
    ticker.FixedLocator,
    ticker.MultipleLocator,
    ticker.IndexLocator,
    mdates.DateLocator,
    StrCategoryLocator,
)


class NotAFigure(TypeError):
    """:func:`show` was given something that is not a matplotlib Figure."""


def _num(value: float) -> str:
    """A number rounded to :data:`SIGNIFICANT_DIGITS` (``-0`` is ``0``; NaN and infinities spelled out)."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    return f"{value + 0.0:.{SIGNIFICANT_DIGITS}g}"


def _nums(values: object) -> list[str]:
    """Every number of an array-like (masked entries as ``nan``), flattened in C order, plus its shape."""
    array = np.ma.asarray(values)
    if array.dtype.kind in "OMm":  # datetimes or objects (Timestamps): matplotlib date numbers [days]
        array = np.ma.asarray(mdates.date2num(np.ma.filled(array, np.nan)), dtype=float)
    floats = np.ma.filled(array.astype(float), np.nan)
    return [f"shape={floats.shape}"] + [_num(v) for v in floats.ravel()]


def _describe(obj: object) -> list[str]:
    """A locator or formatter by class and format (``DateFormatter('%Y')``, ``FuncFormatter(pct)``)."""
    parts = [type(obj).__name__]
    for attr in ("fmt", "xmax", "decimals", "symbol"):  # settings, not state set while drawing
        value = getattr(obj, attr, None)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            parts.append(f"{attr}={value}")
    func = getattr(obj, "func", None)
    if func is not None:
        parts.append(f"func={getattr(func, '__qualname__', type(func).__name__)}")
    return parts


def _axis(axis: Axis) -> list[object]:
    """Scale, and the tick labels as the reader sees them (or, for automatic ticks, how they are made)."""
    out: list[object] = [axis.axis_name, axis.get_scale(), axis.get_label_text()]
    for which, locator, formatter in (
        ("major", axis.get_major_locator(), axis.get_major_formatter()),
        ("minor", axis.get_minor_locator(), axis.get_minor_formatter()),
    ):
        if isinstance(locator, _LAYOUT_FREE_LOCATORS):
            labels = axis.get_majorticklabels() if which == "major" else axis.get_minorticklabels()
            locs = axis.get_majorticklocs() if which == "major" else axis.get_minorticklocs()
            out.append([which, _nums(locs), [t.get_text() for t in labels]])
        elif not isinstance(locator, ticker.NullLocator):
            out.append([which, _describe(locator), _describe(formatter)])
    return out


def _text(text: Text) -> list[object]:
    """An Axes text's string and where it points: an annotation's ``xy`` (a data point), else its position."""
    where = text.xy if isinstance(text, Annotation) else text.get_position()
    return ["text", text.get_text(), [_num(v) for v in _as_floats(where)]]


def _as_floats(pair: Iterable[object]) -> list[float]:
    """An (x, y) pair as floats; dates and timestamps become matplotlib date numbers [days]."""
    floats = []
    for value in pair:
        try:
            floats.append(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            floats.append(float(mdates.date2num(value)))
    return floats


def _patch(patch: Patch) -> list[object]:
    """A bar as x, y, width, height; any other patch (axvspan polygon, wedge...) as its vertices."""
    if isinstance(patch, Rectangle):
        return [
            "rect",
            *(_num(v) for v in _as_floats([patch.get_x(), patch.get_y()])),
            *(_num(v) for v in _as_floats([patch.get_width(), patch.get_height()])),
        ]
    vertices = patch.get_patch_transform().transform(patch.get_path().vertices)
    return [type(patch).__name__, _nums(vertices)]


def _collection(collection: Collection) -> list[object]:
    """Points (scatter offsets), values (colour arrays) and, for polygons and segments, their vertices."""
    out: list[object] = [type(collection).__name__]
    offsets = collection.get_offsets()
    if np.size(offsets):
        out.append(["offsets", _nums(offsets)])
    array = collection.get_array()
    if array is not None:
        out.append(["array", _nums(array)])
    if not isinstance(collection, PathCollection):  # a scatter's paths are its marker shape, not data
        out.append(["paths", [_nums(path.vertices) for path in collection.get_paths()]])
    return out


def _legend(legend: Legend | None) -> list[object]:
    if legend is None or not legend.get_visible():
        return []
    return ["legend", legend.get_title().get_text(), [t.get_text() for t in legend.get_texts()]]


def _axes(ax: Axes) -> list[object]:
    """Everything an Axes shows, in the order the artists were added."""
    out: list[object] = [
        "axes",
        [ax.get_title(loc=loc) for loc in ("left", "center", "right")],
        ["xlim", *(_num(v) for v in ax.get_xlim())],
        ["ylim", *(_num(v) for v in ax.get_ylim())],
        _axis(ax.xaxis),
        _axis(ax.yaxis),
    ]
    for line in ax.lines:
        if line.get_visible():
            out.append(
                ["line", line.get_label() if not line.get_label().startswith("_") else "", _nums(line.get_xydata())]
            )
    out += [_patch(p) for p in ax.patches if p.get_visible()]
    out += [_collection(c) for c in ax.collections if c.get_visible()]
    for image in ax.images:
        if image.get_visible():
            extent = image.get_extent() if isinstance(image, AxesImage) else []
            out.append(["image", [_num(v) for v in extent], _nums(image.get_array())])
    out += [_text(t) for t in ax.texts if t.get_visible()]
    out.append(_legend(ax.get_legend()))
    for child in ax.child_axes:  # secondary axes (a unit on the right) and insets are not in fig.axes
        out.append(_secondary(child) if isinstance(child, SecondaryAxis) else _axes(child))
    return out


def _secondary(ax: SecondaryAxis) -> list[object]:
    """A secondary axis (the same data in another unit): its label, limits and ticks."""
    ax.apply_aspect()  # its limits follow the parent's only once set, as drawing sets them
    return [
        "secondary",
        ["xlim", *(_num(v) for v in ax.get_xlim())],
        ["ylim", *(_num(v) for v in ax.get_ylim())],
        _axis(ax.xaxis),
        _axis(ax.yaxis),
    ]


def figure_fingerprint(fig: Figure) -> str:
    """A short hash of what a figure draws, independent of how it is rendered.

    Covered: per Axes (in the figure's order) its titles, axis labels, x/y limits and scales, tick labels
    of explicitly placed ticks (categories, dates, ``set_xticks``; for automatic ticks, the locator and
    formatter), every line's data, every bar's x, y, width and height, every other patch's vertices, every
    collection's offsets, colour values and vertices, every image's array, every text and annotation, and
    the legend's texts; plus the figure's suptitle, texts (the source line) and legends. Numbers are
    rounded to :data:`SIGNIFICANT_DIGITS` significant digits.

    Not covered, on purpose: colours, fonts, line widths, dpi, backend, pixel layout, memory addresses —
    so the fingerprint is the same on every machine and changes only when the figure says something else.

    Parameters
    ----------
    fig : Figure
        Any matplotlib figure (it is not drawn or changed, apart from its tick objects being updated).

    Returns
    -------
    str
        :data:`FINGERPRINT_HEX_DIGITS` hex digits of a sha256.
    """
    if not isinstance(fig, Figure):
        raise NotAFigure(f"figure_fingerprint: expected a matplotlib Figure, got {type(fig).__name__}")
    content: list[object] = [
        "figure",
        fig.get_suptitle(),
        # strings only: the layout engine moves the suptitle and supxlabel when it draws
        [t.get_text() for t in fig.texts if t.get_visible()],
        [_legend(legend) for legend in fig.legends],
        [_axes(ax) for ax in fig.axes],
    ]
    payload = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:FINGERPRINT_HEX_DIGITS]


def figure_title(fig: Figure) -> str:
    """The figure's suptitle, else its first Axes title (centre, left, right), else ``""``."""
    if fig.get_suptitle():
        return fig.get_suptitle()
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            if ax.get_title(loc=loc):
                return ax.get_title(loc=loc)
    return ""


def _shorten(text: str, limit: int = TITLE_CHARS) -> str:
    text = " ".join(text.split())  # a two-line title on one line
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, eq=False)
class FigureView:
    """A figure as a notebook shows it: the PNG, and a ``text/plain`` line nbval compares.

    Build it with :func:`show`. The PNG and the fingerprint are computed when displayed, from the figure
    as it is then.
    """

    figure: Figure

    @property
    def fingerprint(self) -> str:
        """:func:`figure_fingerprint` of the figure."""
        return figure_fingerprint(self.figure)

    def __repr__(self) -> str:
        return f'Figure: "{_shorten(figure_title(self.figure))}" · data fingerprint {self.fingerprint}'

    def _repr_png_(self) -> bytes:
        return png_bytes(self.figure)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, object]:
        """IPython's rich display: ``image/png`` (bytes, IPython base64-encodes them) and ``text/plain``."""
        bundle: dict[str, object] = {"image/png": self._repr_png_(), "text/plain": repr(self)}
        if include is not None:
            bundle = {k: v for k, v in bundle.items() if k in set(include)}
        if exclude is not None:
            bundle = {k: v for k, v in bundle.items() if k not in set(exclude)}
        return bundle


def show(fig: Figure) -> FigureView:
    """Wrap a figure for display in a notebook, so nbval checks what it draws (see module docstring).

    Raises
    ------
    NotAFigure
        If ``fig`` is not a :class:`matplotlib.figure.Figure` (e.g. ``None`` for a claim without a figure).
    """
    if not isinstance(fig, Figure):
        raise NotAFigure(
            f"show: expected a matplotlib Figure, got {type(fig).__name__}; "
            "pass a figure from energytrade.report (a chapter's figures, or energytrade.report.plotting)"
        )
    return FigureView(fig)


# ------------------------------------------------------------------------------------------ notebooks

#: pandas display options of every notebook: bounded tables, two decimals with thousands separators.
PANDAS_OPTIONS: dict[str, object] = {
    "display.float_format": "{:,.2f}".format,
    "display.max_rows": 50,
    "display.min_rows": 20,
    "display.max_columns": 20,
    "display.max_colwidth": 90,
    "display.width": 140,
}


def setup_notebook() -> None:
    """The display settings every notebook starts with, so every run prints the same: fixed float format,
    bounded tables (figures are shown with :func:`show`, which needs no backend settings)."""
    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)


#: Column suffix -> (divisor, unit shown, decimals): raw units become readers' units.
_READABLE_UNITS: tuple[tuple[str, float, str, int], ...] = (
    ("_bbl_per_day", 1e3, "kb/d", 0),
    ("_usd_bn", 1.0, "USD bn", 2),
    ("_mt", 1.0, "Mt", 2),
    ("_usd_per_bbl", 1.0, "USD/bbl", 2),
    ("_usd_per_t", 1.0, "USD/t", 0),
    ("_kg", 1e9, "Mt", 2),
    ("_t", 1e6, "Mt", 2),
    ("_usd", 1e9, "USD bn", 2),
    ("_bcm", 1.0, "bcm", 2),
    ("_pct", 1.0, "%", 1),
)
_WORDS = {"iso3": "code", "bbl": "barrels", "usd": "USD", "hhi": "HHI", "n": "number of", "lng": "LNG"}
#: Columns holding a month, a year or a window (``2022-01``, ``2022``, ``2022-01/2022-11``), shown in words.
_PERIOD_COLUMNS = ("period", "window", "start", "end", "first_period", "last_period", "baseline_window")


def _header(stem: str) -> str:
    words = [_WORDS.get(w, w) for w in stem.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else stem


def _period_words(value: object) -> object:
    try:
        return fmt_window(str(value))
    except ValueError:
        return value


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for readers: figures in Mt, kb/d, USD bn, bcm and % with sensible decimals (the unit in the
    header, e.g. ``net_weight_t`` -> ``Net weight [Mt]``), commodity names, no code columns beside names.

    >>> frame = pd.DataFrame(
    ...     {"period": ["2022-11"], "partner_iso3": ["RUS"], "partner_name": ["Russian Federation"],
    ...      "net_weight_t": [84_928_700.0]}
    ... )
    >>> readable(frame)
              Period Partner  Net weight [Mt]
    0  November 2022  Russia            84.93
    """
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        if col.endswith("_iso3") and col.replace("_iso3", "_name") in frame.columns:
            continue
        values = frame[col]
        if col == "commodity":
            out["Commodity"] = values.map(commodity_name)
            continue
        if col == "metric":
            out["Measure"] = values.map(lambda m: METRIC_NAMES.get(m, m))
            continue
        if col == "unit" and "value" in frame.columns:
            continue
        if col == "value" and "unit" in frame.columns:  # a figure in its row's unit: "5.05 Mt", "USD 1.72 bn"
            out["Figure"] = [fmt_amount(v, u) for v, u in zip(values, frame["unit"])]
            continue
        if col.endswith("_name") and col.replace("_name", "_iso3") in frame.columns:
            codes = frame[col.replace("_name", "_iso3")]
            out[_header(col.removesuffix("_name"))] = [
                display_name(c, n) if isinstance(c, str) else n for c, n in zip(codes, values)
            ]
            continue
        if col in _PERIOD_COLUMNS:
            out[_header(col)] = values.map(_period_words)
            continue
        for suffix, divisor, unit, decimals in _READABLE_UNITS:
            if (
                col.endswith(suffix)
                and pd.api.types.is_numeric_dtype(values)
                and not pd.api.types.is_bool_dtype(values)
            ):
                scaled = (values / divisor).round(decimals)
                out[f"{_header(col.removesuffix(suffix) or col)} [{unit}]"] = (
                    scaled.astype("Int64") if decimals == 0 else scaled
                )
                break
        else:
            out[_header(col)] = values
    return out


@dataclass(frozen=True)
class MarkdownView:
    """Markdown as a notebook shows it (rendered), with the same text as ``text/plain`` for nbval."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def markdown(text: str) -> MarkdownView:
    """Show a chapter's Markdown in a notebook as the report shows it: ``<`` from the data escaped,
    ``{{details:...}}`` sections folded."""
    return MarkdownView(expand_details(escape_markdown_text(text)))
