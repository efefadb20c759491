"""A claim as a reader sees it in a notebook: the quote, the verdict and the generated summary (Markdown).

The sections come from :func:`energytrade.report.writer.claim_sections` (which calls
:func:`energytrade.claims.evaluate`), so the notebooks show the same words and numbers as the report.
"""

from __future__ import annotations

from energytrade.report.writer import ClaimSection

#: How each verdict is explained to a reader.
VERDICT_WORDS: dict[str, str] = {
    "SUPPORTED": "the data support the claim",
    "NOT_SUPPORTED": "the data do not support the claim",
    "MIXED": "it depends on the window and the measure",
    "INCONCLUSIVE": "the data known then cannot settle it",
}


def claim_markdown(section: ClaimSection) -> str:
    """The claim's quote, its verdict as of the section's date and the generated summary, as Markdown."""
    words = VERDICT_WORDS.get(section.verdict, "")
    return (
        f"> {section.quote}\n\n"
        f"**Verdict as of {section.as_of}: {section.verdict}**{f' ({words})' if words else ''}\n\n"
        f"{section.summary}"
    )
