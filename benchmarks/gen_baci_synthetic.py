"""Write a full-size SYNTHETIC CEPII BACI release zip for the import benchmark (no real trade figure).

The zip has BACI's layout exactly: ``BACI_HS17_Y<year>_V<release>.csv`` (``t,i,j,k,v,q``),
``country_codes_V<release>.csv`` and ``product_codes_HS17_V<release>.csv``; the release is named
``SYNTH`` so nobody mistakes it for CEPII's data. The figures are random, drawn to look like BACI's
shape, not its content:

- about 11 million rows (BACI HS17 2020 has 11.1 million), one per (exporter, importer, HS6 product);
- 220 countries with ISO numeric codes (the codes BACI uses), trading with heavy-tailed weights (a few
  large traders appear in most rows, as in BACI);
- 5,000 HS6 products of which chapter 27's 43 (about 1 % of rows, as in BACI); products of chapters
  01-09 written without their leading zero (``10121``), as BACI's files do;
- values (thousand USD) and quantities (tonnes) lognormal with 3 decimals; ``q`` missing (``NA``,
  sometimes padded ``           NA``) in 2 % of rows.

Usage::

    .venv/bin/python benchmarks/gen_baci_synthetic.py /tmp/baci_synth          # 11 million rows
    .venv/bin/python benchmarks/gen_baci_synthetic.py /tmp/baci_small --rows 200000
"""

from __future__ import annotations

import argparse
import time
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from energytrade.countries import iso_numeric_codes

RELEASE = "SYNTH"
HS_REVISION = "17"
YEAR = 2020
ROWS = 11_000_000
N_COUNTRIES = 220
N_PRODUCTS = 5_000
#: the HS 2017 subheadings of chapter 27 (mineral fuels), as BACI HS17 lists them
CHAPTER_27 = (
    270111, 270112, 270119, 270120, 270210, 270220, 270300, 270400, 270500, 270600, 270710, 270720, 270730,
    270740, 270750, 270791, 270799, 270810, 270820, 270900, 271012, 271019, 271020, 271091, 271099, 271111,
    271112, 271113, 271114, 271119, 271121, 271129, 271210, 271220, 271290, 271311, 271312, 271320, 271390,
    271410, 271490, 271500, 271600,
)  # fmt: skip
MISSING_Q_SHARE = 0.02
SEED = 20_221_230


def countries(rng: np.random.Generator) -> pd.DataFrame:
    """220 real ISO numeric codes with their ISO3 codes, in the newer BACI country-file layout."""
    codes = sorted(iso_numeric_codes().items(), key=lambda item: item[1])
    chosen = [codes[i] for i in sorted(rng.choice(len(codes), size=N_COUNTRIES, replace=False))]
    return pd.DataFrame(
        {
            "country_code": [num for _, num in chosen],
            "country_name": [f"Synthetic {iso3}" for iso3, _ in chosen],
            "country_iso2": ["" for _ in chosen],
            "country_iso3": [iso3 for iso3, _ in chosen],
        }
    )


def products(rng: np.random.Generator) -> np.ndarray:
    """5,000 distinct HS6 codes as integers: chapter 27's 43, the rest spread over chapters 01-97."""
    chapter_27 = np.array(CHAPTER_27)
    others = set()
    while len(others) < N_PRODUCTS - len(CHAPTER_27):
        chapter = int(rng.integers(1, 98))
        if chapter != 27:
            others.add(chapter * 10000 + int(rng.integers(100, 10000)))
    return np.array(sorted(set(chapter_27.tolist()) | others), dtype=np.int64)


def flows(rng: np.random.Generator, country_codes: np.ndarray, hs6: np.ndarray, rows: int) -> pd.DataFrame:
    """``rows`` distinct (exporter, importer, product) flows with lognormal values and quantities."""
    weights = 1.0 / np.arange(1, len(country_codes) + 1) ** 0.9  # heavy-tailed: a few big traders
    weights /= weights.sum()
    draw = int(rows * 1.6)
    i = rng.choice(len(country_codes), size=draw, p=weights)
    j = rng.choice(len(country_codes), size=draw, p=weights)
    k = rng.integers(0, len(hs6), size=draw)
    keep = i != j
    key = (i[keep] * len(country_codes) + j[keep]) * len(hs6) + k[keep]
    key = np.unique(key)  # sorted by exporter, importer, product, as BACI's files are
    if len(key) < rows:
        raise SystemExit(f"drew only {len(key)} distinct flows; lower --rows")
    key = np.sort(rng.choice(key, size=rows, replace=False))
    k_idx = key % len(hs6)
    ij = key // len(hs6)
    value = np.round(rng.lognormal(mean=2.0, sigma=2.5, size=rows), 3)
    quantity = np.round(value * rng.lognormal(mean=0.0, sigma=1.5, size=rows), 3)
    return pd.DataFrame(
        {
            "t": YEAR,
            "i": country_codes[ij // len(country_codes)],
            "j": country_codes[ij % len(country_codes)],
            "k": hs6[k_idx],
            "v": np.maximum(value, 0.001),
            "q": quantity,
            "q_missing": rng.random(rows) < MISSING_Q_SHARE,
            "q_padded": rng.random(rows) < 0.5,
        }
    )


def write_release(out_dir: Path, rows: int = ROWS, seed: int = SEED) -> Path:
    """Write ``BACI_HS17_V<release>.zip`` (synthetic) into ``out_dir``; returns its path."""
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    country_table = countries(rng)
    hs6 = products(rng)
    table = flows(rng, country_table["country_code"].to_numpy(), hs6, rows)
    flow_name = f"BACI_HS{HS_REVISION}_Y{YEAR}_V{RELEASE}.csv"
    flow_csv = out_dir / flow_name
    con = duckdb.connect()
    con.register("flows", table)
    con.execute(
        f"""COPY (SELECT t, i, j, k, printf('%.3f', v) AS v,
                  CASE WHEN q_missing AND q_padded THEN '           NA' WHEN q_missing THEN 'NA'
                       ELSE printf('%.3f', q) END AS q
                  FROM flows) TO '{flow_csv.as_posix()}' (HEADER, DELIMITER ',', QUOTE '')"""
    )
    country_csv = country_table.to_csv(index=False, lineterminator="\r\n")
    product_csv = pd.DataFrame(
        {"code": [f"{code:06d}" for code in hs6], "description": [f"synthetic product {c:06d}" for c in hs6]}
    ).to_csv(index=False)
    zip_path = out_dir / f"BACI_HS{HS_REVISION}_V{RELEASE}.zip"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(flow_csv, flow_name)
        archive.writestr(f"country_codes_V{RELEASE}.csv", country_csv)
        archive.writestr(f"product_codes_HS{HS_REVISION}_V{RELEASE}.csv", product_csv)
        archive.writestr(f"Readme_V{RELEASE}.txt", "SYNTHETIC data in CEPII BACI's layout (energytrade benchmark)\n")
    return zip_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, help="folder for the zip (and the unzipped flow CSV beside it)")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"flow rows (default {ROWS:,})")
    args = parser.parse_args()
    start = time.perf_counter()
    path = write_release(args.out_dir, args.rows)
    print(
        f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB, {args.rows:,} SYNTHETIC rows) in "
        f"{time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
