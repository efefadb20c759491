"""The ``energytrade`` command line (also ``python -m energytrade``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from energytrade import __version__
from energytrade.errors import EnergyTradeError

EPILOG = """\
examples:
  energytrade build                      # clean the raw files into the Parquet store in data/processed/
  energytrade import baci BACI_HS17_V202401b.zip   # a CEPII BACI release, HS chapter 27
  energytrade report                     # the report and figures in reports/ (offline, bundled data)
  energytrade claims                     # the article's claims, evaluated as of its date (2022-12-30)
  energytrade claims --json --as-of 2024-06-30
  energytrade fetch comtrade --reporter CHN --partner all --commodity 2709 --start 2022-01 --end 2022-12 --dry-run

The data root (raw/ and processed/) is the repo's data/ unless ENERGYTRADE_DATA_DIR or --data-dir says otherwise.
"""


def _progress(message: str) -> None:
    print(f"[energytrade] {message}", file=sys.stderr, flush=True)


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data root holding raw/ and processed/ (default: $ENERGYTRADE_DATA_DIR, else the bundled data/)",
    )


def _cmd_build(args: argparse.Namespace) -> int:
    from energytrade.build import build

    start = time.perf_counter()
    result = build(args.data_dir, progress=_progress, allow_missing=args.allow_missing, force=args.force)
    if result.rebuilt:
        _progress(
            f"rebuilt {', '.join(result.rebuilt)} in {result.store_path}; {len(result.table):,} rows of the small "
            f"sources also in {result.csv_path.name} ({time.perf_counter() - start:.1f} s)"
        )
    return 0


def _cmd_import_baci(args: argparse.Namespace) -> int:
    from energytrade.build import import_baci

    start = time.perf_counter()
    result = import_baci(args.path, args.data_dir, hs=args.hs, progress=_progress)
    years = f"{result.years[0]}-{result.years[-1]}" if result.years else "no year"
    _progress(f"BACI in the store: {result.rows:,} rows, {years} ({time.perf_counter() - start:.1f} s)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from energytrade.report import write_report

    start = time.perf_counter()
    written = write_report(data_dir=args.data_dir, out_dir=Path(args.out), progress=_progress)
    _progress(f"report written to {args.out}/ ({len(written)} files) in {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    from energytrade.claims import evaluate, to_json, to_table

    results = evaluate(as_of=args.as_of, data_dir=args.data_dir)
    print(to_json(results) if args.json else to_table(results))
    return 0


def _cmd_fetch_comtrade(args: argparse.Namespace) -> int:
    from energytrade.sources import comtrade

    return comtrade.run_fetch(args, args.data_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="energytrade",
        description="Public oil and gas trade statistics, cleaned, analysed and turned into evidence on claims.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"energytrade {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    raw = argparse.RawDescriptionHelpFormatter

    p = commands.add_parser(
        "build",
        help="clean the raw files into the Parquet store under processed/ (only what changed)",
        description="Verify the raw files' checksums and clean every source whose raw files changed since the "
        "last build into the store (processed/source=<name>/..., Parquet, validated), plus "
        "processed/trade_flows.csv. With nothing changed it says 'up to date'. A sidecar without its file, a "
        "bundled source without files, or a newer vintage with fewer than half the rows of the one it "
        "supersedes stops the build; --allow-missing SOURCE accepts that for one source.",
        epilog="examples:\n  energytrade build\n  energytrade build --data-dir /tmp/mydata\n"
        "  energytrade build --allow-missing gacc_press      # you removed raw/gacc_press/ on purpose\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="SOURCE",
        help="build without this source's missing files or shrunk vintage (repeatable)",
    )
    p.add_argument("--force", action="store_true", help="rebuild every source even if nothing changed")
    p.set_defaults(func=_cmd_build)

    p = commands.add_parser(
        "import",
        help="import a bulk file (CEPII BACI release zip) into raw/ and the store",
        description="Import a bulk trade file as downloaded: it is copied into raw/<source>/<date>/ with a "
        "provenance sidecar and cleaned into the store. A corrupt file leaves everything as it was.",
        epilog="examples:\n  energytrade import baci ~/Downloads/BACI_HS17_V202401b.zip\n"
        "  energytrade import baci BACI_HS17_V202401b.zip --hs 2709      # crude oil only\n"
        "  energytrade import baci BACI_HS17_V202401b.zip --hs all       # every product (large)\n",
        formatter_class=raw,
    )
    bulk = p.add_subparsers(dest="source", metavar="SOURCE")
    bulk.required = True
    q = bulk.add_parser(
        "baci",
        help="CEPII BACI release zip (BACI_HS<rev>_V<release>.zip)",
        description="Read a CEPII BACI release zip (BACI_HS<rev>_Y<year>_V<release>.csv with t,i,j,k,v,q, "
        "country_codes_V<release>.csv, product_codes_HS<rev>_V<release>.csv), keep HS chapter 27 (or --hs), map "
        "country codes to ISO3 with the release's own country file, and store it as source 'baci': one row per "
        "importer, exporter, HS6 product and year; values in USD, quantities in kg (missing stays missing).",
        epilog="examples:\n  energytrade import baci BACI_HS17_V202401b.zip\n"
        "  energytrade import baci BACI_HS17_V202401b.zip --hs all --data-dir /tmp/mydata\n",
        formatter_class=raw,
    )
    q.add_argument("path", metavar="PATH", help="the release zip as downloaded from CEPII")
    q.add_argument(
        "--hs",
        default="27",
        metavar="27|all",
        help="HS chapter, heading or subheading to keep (default 27, mineral fuels), or 'all'",
    )
    _add_data_dir(q)
    q.set_defaults(func=_cmd_import_baci)

    p = commands.add_parser(
        "report",
        help="write reports/report.md, report.html, tables and figures (offline)",
        description="Build the clean table, then write the report (Markdown and self-contained HTML), its CSV "
        "tables and PNG figures. Offline, no key; a second run writes identical files.",
        epilog="examples:\n  energytrade report\n  energytrade report --out /tmp/report\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    p.set_defaults(func=_cmd_report)

    p = commands.add_parser(
        "claims",
        help="evaluate the article's claims from data",
        description="Evaluate each quantifiable claim of the December 2022 article from the clean table, as "
        "known on the as-of date (default: the article's date, 2022-12-30). A month's customs figures count "
        "as known from the 20th of the following month. Findings that use later data are kept and marked.",
        epilog="examples:\n  energytrade claims\n  energytrade claims --json\n"
        "  energytrade claims --json --as-of 2024-06-30\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.add_argument("--json", action="store_true", help="print a JSON array, one object per claim")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="evaluate what was known on this date")
    p.set_defaults(func=_cmd_claims)

    p = commands.add_parser(
        "fetch",
        help="fetch statistics from a public API into raw/",
        description="Fetch statistics from a public API into the raw store (a new vintage folder per pull).",
        epilog="examples:\n  energytrade fetch comtrade --reporter CHN --partner all --commodity 2709 "
        "--start 2022-01 --end 2022-12 --dry-run\n",
        formatter_class=raw,
    )
    sources = p.add_subparsers(dest="source", metavar="SOURCE")
    sources.required = True
    from energytrade.sources import comtrade

    q = sources.add_parser(
        "comtrade",
        help="UN Comtrade (keyed data API with COMTRADE_API_KEY, else the public preview)",
        formatter_class=raw,
    )
    _add_data_dir(q)
    comtrade.add_fetch_arguments(q)
    q.set_defaults(func=_cmd_fetch_comtrade)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EnergyTradeError as err:
        print(f"energytrade: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("energytrade: interrupted; nothing half-written is left (writes are atomic)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
