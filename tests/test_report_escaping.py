"""Nothing from the data becomes live HTML: hostile partner names and notes in a small data root.

The data root is a copy of the bundled raw files with two edits, each with a sidecar whose sha256 and
size are brought up to date (so the raw store accepts them): a partner of the Comtrade extract renamed
``<script>alert(1)</script>Saudi Arabia`` (still recognised as Saudi Arabia), and a press note holding
``<img src=x onerror=alert(1)>``.

The report on it is rendered in the HTML format alone, so the same render also shows that only the formats
asked for are rendered (a render of the bundled data in one format would cost as much again).
"""

from __future__ import annotations

import hashlib
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from energytrade.build import build
from energytrade.paths import data_paths
from energytrade.report.chapter import Table
from energytrade.report.render import render_report

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def _rewrite(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a raw file and update its sidecar's checksum and size."""
    data = path.read_bytes()
    assert old.encode() in data, f"{old!r} not in {path.name}"
    data = data.replace(old.encode(), new.encode())
    path.write_bytes(data)
    sidecar = path.with_name(path.name + ".meta.yml")
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    meta["size_bytes"] = len(data)
    sidecar.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory, eurostat_grade_table) -> tuple[dict[str, bytes], list[Table]]:
    """The report's outputs ``{relative path: bytes}`` and tables, rendered in the HTML format only."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(data_paths().raw, root / "raw")
    # Eurostat's raw file is not altered: its grade table, built once per session, is copied, not rebuilt.
    shutil.copytree(eurostat_grade_table, root / "processed" / eurostat_grade_table.name)
    (crude,) = (root / "raw" / "comtrade_extract").glob("*/comtrade_crude_oil.csv")
    _rewrite(crude, ",Saudi Arabia,", f",{SCRIPT}Saudi Arabia,")
    (press,) = (root / "raw" / "gacc_press").glob("*/china_crude_imports_reported.csv")
    _rewrite(press, "page date approx", f"page date approx {IMG}")
    flows, _, _ = build(root)
    return render_report(flows, data_dir=root, formats=("html",), workers=1)


def test_hostile_names_are_shown_as_text_never_as_tags(hostile_report):
    outputs, _ = hostile_report
    html = outputs["report.html"].decode("utf-8")
    parser = _Tags()
    parser.feed(html)
    assert [t for t, _ in parser.tags if t == "script"] == []
    images = [dict(attrs) for t, attrs in parser.tags if t == "img"]
    assert images and all(a["src"].startswith("data:image/png;base64,") for a in images)
    assert not any("onerror" in a for a in images)
    assert "<script>" not in html and "onerror=alert(1)>" not in html
    # the hostile name did reach the page, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Saudi Arabia" in html


def test_only_the_formats_asked_for_are_written(hostile_report):
    outputs, tables = hostile_report
    assert "report.html" in outputs and "report.md" not in outputs
    assert {f"tables/{t.name}.csv" for t in tables} <= set(outputs)
