"""Carry the reference statistics in ../shared/reference into data/raw/ with provenance sidecars.

Run once per new vintage: ``python scripts/import_reference.py [--vintage YYYY-MM-DD]``. It refuses to
overwrite an existing vintage folder (raw data is never edited; a new carry is a new vintage).

Files are copied byte for byte, with one exception: the pipeline-gas extract, whose tonnages and unit
values are not Comtrade figures and whose 2020 rows are placeholders (shared/reference/README.md). Only its
real figures (values, 2021 on) are transcribed, into ``comtrade_pipeline_gas_values.csv``; its sidecar
records the original file's sha256 and the rule.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from energytrade.raw import write_atomic, write_sidecar  # noqa: E402

REFERENCE = REPO.parent / "shared" / "reference"

COMTRADE_COMMON = {
    "publisher": "United Nations Statistics Division (UN Comtrade)",
    "original_source": "UN Comtrade Database, https://comtradeplus.un.org — data API "
    "(reporter 156 China, flowCode M, clCode HS, partner2Code 0, customsCode C00, motCode 0)",
    "intermediary": "GitHub repository DoiEnnoson/china-energy-monitor (MIT licence), "
    "data/fuel-imports/comtrade_*.csv at commit c89b58914f226edab8ae2d1229db913c41a7fbdd",
    "urls": [
        "https://comtradeplus.un.org",
        "https://github.com/DoiEnnoson/china-energy-monitor/tree/c89b58914f226edab8ae2d1229db913c41a7fbdd/data/fuel-imports",
    ],
    "date_published": None,
    "licence": "UN Comtrade terms of use: free to use with attribution; extract files MIT licence",
    "attribution": "UN Comtrade Database (United Nations Statistics Division), via DoiEnnoson/china-energy-monitor",
}
EXTRACT_NOTES = [
    "Columns: period (YYYYMM), partner (Comtrade English name), value_usd_bn (primaryValue / 1e9, rounded "
    "to 4 decimals = USD 0.1 million), qty_mt (netWgt kg / 1e9 = million tonnes, 4 decimals = 100 t), "
    "value_per_mt_usd (the extract's own ratio; not used: energytrade recomputes unit values).",
    "World rows were dropped by the extract: a month's total is the sum over partners.",
]

GACC_COMMON = {
    "publisher": "General Administration of Customs of the People's Republic of China (GACC)",
    "original_source": "GACC online statistics query (http://stats.customs.gov.cn), imports by country of origin",
    "intermediary": "GitHub repository DoiEnnoson/china-energy-monitor (MIT licence), data/fuel-imports/ "
    "at commit c89b58914f226edab8ae2d1229db913c41a7fbdd",
    "urls": [
        "http://stats.customs.gov.cn",
        "https://github.com/DoiEnnoson/china-energy-monitor/tree/c89b58914f226edab8ae2d1229db913c41a7fbdd/data/fuel-imports",
    ],
    "date_published": None,
    "licence": "Official statistics of the PRC (facts); extract files MIT licence",
    "attribution": "China General Administration of Customs, via DoiEnnoson/china-energy-monitor",
}

PRESS_COMMON = {
    "publisher": "General Administration of Customs of the People's Republic of China (GACC), as reported "
    "by news agencies and trade press (mostly Reuters; also TASS, Interfax, MEES, S&P Global, Bloomberg, "
    "national outlets); Gazprom and the Russian government for Power of Siberia volumes",
    "original_source": "GACC monthly and annual trade releases; each row cites the article it was read from "
    "(column source_url, with source_date)",
    "intermediary": "energytrade reference collection (shared/reference/gacc_press), one row per figure per source",
    "date_published": "per row (column source_date)",
    "licence": "Facts (figures) reported in the press, cited with attribution to each outlet per row",
    "attribution": "China customs (GACC) via the outlet named in each row's source_url and note",
}

EUROSTAT_COMMON = {
    "publisher": "Eurostat (European Commission)",
    "original_source": "Eurostat dataset NRG_TI_COIFPM, Imports of crude oil by field of production - monthly data "
    "(last updated by Eurostat 2024-02-28 11:00), SDMX-CSV 1.0 layout",
    "intermediary": "GitHub repository OehlingerP/NotAllOilTypesAreAlike (code GPL-3), file "
    "'data/eurostat_eu_crude_oil_imports (update).Rdata' at commit 65b1f690c0ad822c47f50ce3f61ca4766301878c "
    "(sha256 57d58b7b8aeadc403baf176d550f7675e7bb708c331352e4b418955d8f0cc57f), an R data frame of Eurostat's "
    "rows, re-serialised to gzip CSV by the energytrade reference collection with no row or value changed",
    "urls": [
        "https://ec.europa.eu/eurostat/databrowser/view/nrg_ti_coifpm/default/table",
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/NRG_TI_COIFPM?format=SDMX-CSV&compressed=true",
        "https://github.com/OehlingerP/NotAllOilTypesAreAlike/tree/65b1f690c0ad822c47f50ce3f61ca4766301878c/data",
    ],
    "date_published": "2024-02-28 (Eurostat's last update of the dataset)",
    "licence": "CC BY 4.0 (Eurostat copyright notice: reuse with attribution)",
    "attribution": "Source: Eurostat, NRG_TI_COIFPM",
}

EI_COMMON = {
    "publisher": "Energy Institute",
    "original_source": "Energy Institute Statistical Review of World Energy 2024 (data to 2023), 'all data' "
    "workbook EI-Stats-Review-All-Data.xlsx; one sheet written cell by cell to CSV (the sheet's own grid)",
    "intermediary": "GitHub repository rajaeian-fatemeh/VisualCommunication, file EI-Stats-Review-All-Data.xlsx "
    "at commit 8b52f0a105047bf885cac625f7a8f918daef35b6 (sha256 "
    "f5c27446a6995448a84e943a22c7d9dd5812d3775b85cd0836df1e3b8dae729)",
    "urls": [
        "https://www.energyinst.org/statistical-review/resources-and-data-downloads",
        "https://github.com/rajaeian-fatemeh/VisualCommunication/tree/8b52f0a105047bf885cac625f7a8f918daef35b6",
    ],
    "date_published": "2024-06 (Statistical Review 2024)",
    "licence": "Energy Institute Statistical Review of World Energy terms: data may be used with attribution",
    "attribution": "Energy Institute Statistical Review of World Energy 2024",
}
EI_NOTES = [
    "The sheet's grid as it stands: title rows, header rows, notes and n/a cells; numbers in full precision.",
    "Regions are the Review's own (its 'Europe' is not the EU; 'Other CIS', 'Australasia', ...).",
]
EI_SHEETS = [
    (
        "ei_2024_oil_trade_movements.csv",
        "Oil trade movements: imports and exports by region, thousand barrels daily, 1980-2023",
    ),
    (
        "ei_2024_oil_inter_area_movements.csv",
        "Oil - Inter-area movements: 2023 from-to matrix, crude and products, million tonnes",
    ),
    (
        "ei_2024_oil_trade_movements_in_22_23.csv",
        "Oil - Trade movements in 22-23: crude and product imports/exports by region, million tonnes",
    ),
    (
        "ei_2024_gas_trade_movements.csv",
        "Gas - Trade movements: pipeline and LNG imports/exports by region, bcm, 2000-2023",
    ),
    ("ei_2024_gas_trade_pipeline.csv", "Gas trade - pipeline: 2023 pipeline gas from-to, bcm"),
    ("ei_2024_gas_trade_lng.csv", "Gas trade - LNG: 2023 LNG from-to, bcm"),
    (
        "ei_2024_coal_trade_movements.csv",
        "Coal - Trade movements: coal imports/exports by region, exajoules, 2000-2023",
    ),
]

FILES = [
    (
        "comtrade_extract",
        "comtrade_crude_oil.csv",
        "comtrade_extract/comtrade_crude_oil.csv",
        COMTRADE_COMMON,
        "China imports of crude oil (HS 2709) by partner, monthly 2020-01..2024-12",
        EXTRACT_NOTES
        + [
            "4 rows have an empty qty_mt (kept missing); about 40 rows have qty_mt 0.0 (flows below "
            "50 t after rounding); 'China' appears once as a partner (re-import)."
        ],
    ),
    (
        "comtrade_extract",
        "comtrade_lng.csv",
        "comtrade_extract/comtrade_lng.csv",
        COMTRADE_COMMON,
        "China imports of LNG (HS 271111) by partner, monthly 2020-01..2024-12",
        EXTRACT_NOTES + ["A few unit-value outliers on single small cargoes (kept as published)."],
    ),
    (
        "comtrade_extract",
        "comtrade_coal.csv",
        "comtrade_extract/comtrade_coal.csv",
        COMTRADE_COMMON,
        "China imports of coal (HS 2701, not lignite 2702) by partner, monthly 2020-01..2024-12",
        EXTRACT_NOTES
        + [
            "HS 2701 only: totals are below China's all-coal imports.",
            "6 rows have value 0 and no qty (kept; qty missing).",
        ],
    ),
    (
        "gacc_query",
        "gacc_crude_oil.csv",
        "comtrade_extract/gacc_crude_oil.csv",
        GACC_COMMON,
        "China imports of crude oil by country of origin, values, monthly 2025-01..2026-07",
        [
            "Columns: period (YYYYMM), partner, value_usd_bn. Values only (no tonnes). CRLF line ends (kept).",
            "Partner names differ slightly from Comtrade's ('Republic of Korea').",
        ],
    ),
    (
        "gacc_query",
        "gacc_lng.csv",
        "comtrade_extract/gacc_lng.csv",
        GACC_COMMON,
        "China imports of LNG by country of origin, values, monthly 2025-01..2026-07",
        ["Columns: period (YYYYMM), partner, value_usd_bn. Values only. CRLF line ends (kept)."],
    ),
    (
        "gacc_query",
        "gacc_pipeline_gas.csv",
        "comtrade_extract/gacc_pipeline_gas.csv",
        GACC_COMMON,
        "China imports of pipeline natural gas by country of origin, values, monthly 2025-01..2026-07",
        ["Columns: period (YYYYMM), partner, value_usd_bn. Values only. CRLF line ends (kept)."],
    ),
    (
        "gacc_query",
        "gacc_imports.csv",
        "comtrade_extract/gacc_imports.csv",
        GACC_COMMON,
        "China total imports of coal, crude oil and natural gas (mass, value), monthly 2026-01..2026-07",
        [
            "China totals only (all origins). *_mt = million tonnes, *_usd_bn = USD billion, *_yoy_pct = "
            "year-on-year change as published (some blank). gas = natural gas (LNG + pipeline). CRLF line ends (kept)."
        ],
    ),
    (
        "gacc_press",
        "china_crude_imports_reported.csv",
        "gacc_press/china_crude_imports_reported.csv",
        PRESS_COMMON,
        "China crude oil imports by origin as reported in the press (GACC figures), 2015-2025",
        [
            "Columns: period, freq (M/A), partner, partner_iso3 (WLD = China total), tonnes, bpd (as printed: Reuters "
            "converts at 7.3 bbl/t, S&P at 7.33), usd, source_url, source_date, note.",
            "Monthly rows are a subset; gaps are real gaps (China often publishes Jan-Feb only combined).",
            "Where outlets disagree each has its own row (CONFLICT in note); nothing was estimated.",
        ],
    ),
    (
        "gacc_press",
        "china_gas_energy_reported.csv",
        "gacc_press/china_gas_energy_reported.csv",
        PRESS_COMMON,
        "China gas and energy imports from Russia and others as reported (GACC, Gazprom, Russian government)",
        [
            "Columns: period, freq (A/M/YTD/PER), commodity, partner, partner_iso3, value, unit (filter on it), "
            "source_url, source_date, note (starts with a provenance tag such as [GACC via TASS], [Gazprom]).",
            "pipeline_gas_plan rows are plans and forecasts, not actuals; some Interfax monthly rows appear to be "
            "labelled one month early and say so in the note.",
        ],
    ),
    (
        "eurostat_coifpm",
        "nrg_ti_coifpm.csv.gz",
        "eurostat_coifpm/nrg_ti_coifpm.csv.gz",
        EUROSTAT_COMMON,
        "EU member states', the EU's and Turkiye's crude oil imports by origin and grade, monthly 2005-01..2024-01",
        [
            "Gzip CSV, every row of NRG_TI_COIFPM, 4,983,281 rows (393 MB uncompressed; sha256 of the uncompressed "
            "CSV c9ce6fdf490a7d320c3fe833473f7f444024199946b7c379097ecd193d14524d). Columns DATAFLOW, LAST UPDATE "
            "(R had renamed it LAST.UPDATE; the name is restored), freq, crudeoil, indic_nrg, geo, TIME_PERIOD, "
            "OBS_VALUE (empty = missing; numbers in shortest form), OBS_FLAG.",
            "geo = importer (Eurostat 2-letter codes: EL = Greece, UK; EU_V = the EU as a whole, its own series: "
            "never sum member states to get it). crudeoil = <origin>_<grade> (AUH_, DXB_, SHJ_ are UAE emirates; "
            "AFR_OTH, ASI_OTH, EUR_OTH other by continent), TOTAL = all crude (the only right total), UNK = origin "
            "unknown. indic_nrg: VOL_THS_BBL kbbl, VAL_THS_USD CIF thousand USD, AVGPRC_USD_BBL CIF USD/bbl, API_DEG, "
            "SULPH_PC %, COMP_NR companies reporting.",
            "OBS_FLAG: z not applicable (empty), c confidential (empty), b break in series. Empty is never zero; a "
            "sum over cells some of which are confidential is a lower bound.",
            "CPC blend (RU_CPC) is loaded in Russia but is mostly Kazakh crude.",
        ],
    ),
    *[("energy_institute", name, f"energy_institute/{name}", EI_COMMON, title, EI_NOTES) for name, title in EI_SHEETS],
]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pipeline_gas_values(original: bytes) -> bytes:
    """Only the real figures of the pipeline-gas extract: period, partner, value_usd_bn, from 2021-01."""
    rows = list(csv.DictReader(io.StringIO(original.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "partner", "value_usd_bn"])
    for row in rows:
        if int(row["period"]) >= 202101:
            writer.writerow([row["period"], row["partner"], row["value_usd_bn"]])
    return out.getvalue().encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vintage", default="2026-11-27", help="vintage folder name (the carry date)")
    parser.add_argument("--raw", default=str(REPO / "data" / "raw"))
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="SOURCE",
        help="carry only these sources (e.g. --only eurostat_coifpm energy_institute: a source added later)",
    )
    args = parser.parse_args()
    raw = Path(args.raw)
    files = [f for f in FILES if args.only is None or f[0] in args.only]
    with_pipeline_gas = args.only is None or "comtrade_extract" in args.only
    targets = {raw / source / args.vintage for source, *_ in files}
    if with_pipeline_gas:
        targets.add(raw / "comtrade_extract" / args.vintage)
    existing = [t for t in targets if t.exists()]
    if existing:
        raise SystemExit(f"vintage folder(s) already exist, refusing to overwrite: {sorted(map(str, existing))}")
    retrieved = f"{args.vintage} (carried from the energytrade reference collection, shared/reference)"
    for source, name, ref, common, title, notes in files:
        data = (REFERENCE / ref).read_bytes()
        dest = raw / source / args.vintage / name
        write_atomic(dest, data)
        write_sidecar(
            dest,
            {
                "source": source,
                "title": title,
                **common,
                "date_retrieved": retrieved,
                "reference_file": f"shared/reference/{ref}",
                "notes": notes,
            },
        )
        print(f"wrote {dest.relative_to(REPO)}")
    if not with_pipeline_gas:
        return 0
    original = (REFERENCE / "comtrade_extract/comtrade_pipeline_gas.csv").read_bytes()
    dest = raw / "comtrade_extract" / args.vintage / "comtrade_pipeline_gas_values.csv"
    write_atomic(dest, _pipeline_gas_values(original))
    write_sidecar(
        dest,
        {
            "source": "comtrade_extract",
            "title": "China imports of natural gas in gaseous state (HS 271121) by partner, values, monthly 2021-01..2024-12",
            **COMTRADE_COMMON,
            "date_retrieved": retrieved,
            "reference_file": "shared/reference/comtrade_extract/comtrade_pipeline_gas.csv",
            "reference_sha256": _sha256(original),
            "notes": [
                "Transcribed, not copied: only period, partner and value_usd_bn (primaryValue / 1e9, 4 decimals) "
                "for 2021-01 on. The extract's qty_mt and value_per_mt_usd are not Comtrade figures (value divided "
                "by one assumed price per period) and its 2020 rows are placeholders (one set of values repeated "
                "every month): both left out, per shared/reference/README.md.",
                "China's customs stopped publishing pipeline-gas volumes by country in 2022; volumes (bcm) come "
                "from the gacc_press source.",
            ],
        },
    )
    print(f"wrote {dest.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
