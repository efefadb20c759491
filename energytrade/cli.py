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


def _cmd_report(args: argparse.Namespace) -> int:
    from energytrade.report import write_report

    start = time.perf_counter()
    written = write_report(data_dir=args.data_dir, out_dir=Path(args.out), progress=_progress)
    _progress(f"report written to {args.out}/ ({len(written)} files) in {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    from energytrade import claims
    from energytrade.calendar import load_calendar

    calendar = load_calendar(args.calendar)
    ids = args.claim or None
    if args.timeline:
        timelines = claims.timeline(
            start=args.start,
            end=args.end or args.as_of,
            data_dir=args.data_dir,
            lag_days=args.lag_days,
            calendar=calendar,
            ids=ids,
        )
        print(claims.timeline_json(timelines) if args.json else claims.timeline_table(timelines))
        return 0
    if args.start or args.end:
        raise claims.BadDate("--start and --end go with --timeline; e.g. energytrade claims --timeline --start 2022-01")
    results = claims.evaluate(
        as_of=args.as_of, data_dir=args.data_dir, lag_days=args.lag_days, calendar=calendar, ids=ids
    )
    print(claims.to_json(results) if args.json else claims.to_table(results))
    return 0


def _lag_days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"--lag-days must be a whole number of days >= 0, e.g. 20; got {text!r}")
    return int(text)


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
        epilog="examples:\n  energytrade report\n  energytrade report --out /tmp/report\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    p.set_defaults(func=_cmd_report)

    p = commands.add_parser(
        "claims",
        help="evaluate the article's claims from data, on a date or over time",
        description="Evaluate each quantifiable claim of the December 2022 article from the clean table, as "
        "known on the as-of date (default: the article's date, 2022-12-30). Each claim starts with its bottom "
        "line, then the detailed summary and one line per finding. Figures count as known from their release "
        "(energytrade/release_calendar.yml: China's customs publish month m around the 20th of m+1, January and "
        "February together around 20 March; press figures from the day they were printed). 'On the newest "
        "data' is the verdict on the newest figures in the data. --timeline evaluates every claim on each "
        "release day and says when it first became SUPPORTED and since when it stays so.",
        epilog="examples:\n"
        "  energytrade claims                                   # as of the article's date, 2022-12-30\n"
        "  energytrade claims --as-of 2024-06-30 --json\n"
        "  energytrade claims --timeline --start 2022-01        # up to today\n"
        "  energytrade claims --timeline --claim russia-largest-oil-supplier --start 2022-01 --end 2024-12\n"
        "  energytrade claims --lag-days 30                     # every month known 30 days after its end\n",
        formatter_class=raw,
    )
    _add_data_dir(p)
    p.add_argument("--json", action="store_true", help="print JSON (an array, one object per claim)")
    p.add_argument(
        "--as-of", metavar="YYYY-MM-DD", default=None, help="evaluate what was known on this date (default 2022-12-30)"
    )
    p.add_argument("--timeline", action="store_true", help="the verdict on every release day from --start to --end")
    p.add_argument("--start", metavar="YYYY-MM", default=None, help="first month of the timeline (default 2022-01)")
    p.add_argument("--end", metavar="YYYY-MM", default=None, help="last month of the timeline (default: today)")
    p.add_argument(
        "--claim", metavar="ID", action="append", help="only this claim (repeatable), e.g. russia-largest-oil-supplier"
    )
    p.add_argument(
        "--lag-days",
        metavar="N",
        type=_lag_days,
        default=None,
        help="override the release calendar: every month known N days after its end",
    )
    p.add_argument(
        "--calendar", metavar="FILE", default=None, help="a release calendar YAML (default: the bundled one)"
    )
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
