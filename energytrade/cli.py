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
  energytrade build                      # clean every raw file into data/processed/trade_flows.csv
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
    table, csv_path, parquet_path = build(args.data_dir, progress=_progress)
    _progress(f"wrote {csv_path} and {parquet_path.name}: {len(table)} rows in {time.perf_counter() - start:.1f} s")
    return 0


def _report_formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in ("md", "html", "xlsx")]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or text!r}; choose among md, html, xlsx")
    return formats


def _cmd_report(args: argparse.Namespace) -> int:
    from energytrade.report import write_report

    start = time.perf_counter()
    written = write_report(data_dir=args.data_dir, out_dir=Path(args.out), progress=_progress, formats=args.format)
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
        help="clean every raw file into processed/trade_flows.csv and .parquet",
        description="Verify every raw file's checksum, clean all sources into one validated table and write "
        "processed/trade_flows.csv and trade_flows.parquet.",
        epilog="examples:\n  energytrade build\n  energytrade build --data-dir /tmp/mydata\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.set_defaults(func=_cmd_build)

    p = commands.add_parser(
        "report",
        help="write reports/report.md, report.html, tables and figures (offline)",
        description="Build the clean table, then write the report (Markdown and self-contained HTML), its CSV "
        "tables and PNG figures. Offline, no key; a second run writes identical files.",
        epilog="examples:\n  energytrade report\n  energytrade report --out /tmp/report\n"
        "  energytrade report --format html        # only report.html (plus figures/ and tables/)\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    p.add_argument(
        "--format",
        default=("md", "html", "xlsx"),
        type=_report_formats,
        metavar="LIST",
        help="comma-separated outputs among md, html, xlsx (default: md,html,xlsx; CSV tables and PNG figures "
        "are always written)",
    )
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
