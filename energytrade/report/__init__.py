"""The report (outputs layer): Markdown, self-contained HTML, PNG figures, CSV tables and an Excel workbook.

The report is made of chapters (``energytrade.report.chapters.<name>``, each ``build(context) ->
Chapter``); :mod:`~energytrade.report.plotting` draws every chart in one style; the renderer
(:mod:`~energytrade.report.render`) turns chapters into files, and :mod:`~energytrade.report.display`
shows the same pieces in notebooks. ``energytrade report`` calls :func:`write_report`.

Examples
--------
>>> from energytrade.report import write_report                  # doctest: +SKIP
>>> paths = write_report(out_dir="/tmp/report")                  # doctest: +SKIP
"""

from energytrade.report.render import render_report, write_report

__all__ = ["render_report", "write_report"]
