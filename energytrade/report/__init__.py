"""The report (outputs layer): Markdown and self-contained HTML, PNG figures and CSV tables.

``energytrade report`` calls :func:`write_report`; :func:`render_report` gives the same outputs in
memory. Figures (:mod:`~energytrade.report.figures`) are pure functions from the report's tables
(:mod:`~energytrade.report.tables`, computed by :mod:`energytrade.analysis`) to matplotlib Figures;
headline sentences (:mod:`~energytrade.report.findings`) are written from the same tables.

Examples
--------
>>> from energytrade.report import write_report                  # doctest: +SKIP
>>> paths = write_report(out_dir="/tmp/report")                  # doctest: +SKIP
"""

from energytrade.report.writer import render_report, write_report

__all__ = ["render_report", "write_report"]
