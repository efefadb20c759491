"""What is in the data root: the provenance of every raw file and the coverage of the clean table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from energytrade.build import is_verified
from energytrade.errors import StoreError
from energytrade.paths import data_paths
from energytrade.raw import find_raw_files
from energytrade.sources import registry
from energytrade.store import read_manifest

#: every registered source, in display order (``energytrade.sources.registry``)
RAW_SOURCES: tuple[str, ...] = registry.NAMES


def provenance_table(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per raw file (checksum verified): source, vintage, file, title, publisher, licence,
    date retrieved, sha256 (first 12 hex digits) and size in bytes.

    A file the store's manifest vouches for (:func:`energytrade.build.is_verified`: its size, modification
    and status-change times are those recorded when the build hashed it, and its sidecar records the same
    sha256) is not hashed again; any other is (:func:`energytrade.raw.verify`), so a changed file is
    refused with :class:`energytrade.errors.RawFileChanged` as before.
    """
    paths = data_paths(data_dir)
    raw_root = paths.raw
    seen = _verified_files(paths.processed)

    def trusted(path: Path, meta: dict[str, Any]) -> bool:
        return is_verified(seen.get(path.relative_to(raw_root).as_posix()), path.stat(), meta)

    rows = []
    for source in RAW_SOURCES:
        for raw_file in find_raw_files(raw_root, source, trusted=trusted):
            meta = raw_file.meta
            rows.append(
                {
                    "source": source,
                    "vintage": raw_file.vintage,
                    "file": raw_file.name,
                    "title": meta.get("title", ""),
                    "publisher": meta.get("publisher", ""),
                    "licence": meta.get("licence", ""),
                    "date_retrieved": str(meta.get("date_retrieved", "")).split(" ")[0],
                    "sha256_12": str(meta.get("sha256", ""))[:12],
                    "size_bytes": meta.get("size_bytes"),
                }
            )
    return pd.DataFrame(rows)


def _verified_files(processed: Path) -> dict[str, dict[str, Any]]:
    """The manifest's record of every raw file the build hashed (``{raw-relative path: state}``); empty
    when there is no readable manifest (then every file is hashed)."""
    try:
        manifest = read_manifest(processed) if processed.is_dir() else {"sources": {}}
    except StoreError:
        return {}
    return {
        rel: state
        for entry in manifest["sources"].values()
        if isinstance(entry, dict) and isinstance(entry.get("files"), dict)
        for rel, state in entry["files"].items()
        if isinstance(state, dict)
    }


def coverage(flows: pd.DataFrame, *, freq: str = "M", reporter: str = "CHN", flow: str = "import") -> pd.DataFrame:
    """Partners with at least one figure, per source, commodity and month (partner rows only, not totals).

    Returns a long frame: ``source``, ``commodity``, ``period``, ``n_partners`` (partners with a row),
    ``has_mass``, ``has_value``, ``has_volume`` (each: number of distinct partners with that figure in
    at least one row; a partner printed by several press outlets counts once). Months without any row do
    not appear: a gap stays a gap.
    """
    rows = flows[(flows["freq"] == freq) & (flows["reporter_iso3"] == reporter) & (flows["flow"] == flow)]
    rows = rows[rows["partner_iso3"] != "WLD"]
    # The partner code where the row carries the figure, else NaN: nunique then counts partners, not rows.
    with_figure = {
        f"has_{name}": rows["partner_iso3"].where(rows[column].notna())
        for name, column in (("mass", "net_weight_kg"), ("value", "value_usd"), ("volume", "volume_bcm"))
    }
    grouped = rows.assign(**with_figure).groupby(["source", "commodity", "period"], sort=True)
    return grouped.agg(
        n_partners=("partner_iso3", "nunique"),
        has_mass=("has_mass", "nunique"),
        has_value=("has_value", "nunique"),
        has_volume=("has_volume", "nunique"),
    ).reset_index()


def coverage_matrix(flows: pd.DataFrame, partners: list[str], **kwargs) -> pd.DataFrame:
    """Months × (commodity, partner): how many sources have a figure for that partner and month (0 = a gap).

    For a heatmap of what data exist for the partners that matter (e.g. RUS, SAU): index = months
    ``YYYY-MM`` over the whole span present, columns = ``commodity / partner``.
    """
    freq = kwargs.get("freq", "M")
    rows = flows[(flows["freq"] == freq) & flows["partner_iso3"].isin(partners)]
    has_figure = rows[["net_weight_kg", "value_usd", "volume_bcm"]].notna().any(axis=1)
    rows = rows[has_figure]
    if rows.empty:
        return pd.DataFrame()
    months = pd.period_range(rows["period"].min(), rows["period"].max(), freq="M").strftime("%Y-%m")
    present = rows.assign(key=rows["commodity"] + " / " + rows["partner_iso3"])
    matrix = present.pivot_table(index="period", columns="key", values="source", aggfunc="nunique")
    return matrix.reindex(months).fillna(0).astype(int).sort_index(axis=1)
