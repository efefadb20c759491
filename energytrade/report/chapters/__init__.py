"""The report's chapters: one module per chapter, each with a ``build(context) -> Chapter`` function.

A chapter returns its pieces (``energytrade.report.chapter``): the renderer alone turns them into Markdown,
HTML, CSV, Excel and PNG/SVG files, and the notebooks show the same pieces.
"""
