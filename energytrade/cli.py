"""The ``energytrade`` command line (also ``python -m energytrade``)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from energytrade import __version__
from energytrade.commodities import HS_CODES
from energytrade.errors import EnergyTradeError, TooManyCalls
from energytrade.paths import data_paths
from energytrade.raw import check_writable, lock_timeout_from_env

if TYPE_CHECKING:  # the API clients (requests, pandas, pandera) load only when a fetch runs: fast start-up
    import requests

    from energytrade.sources.http import RetryPolicy, Throttle

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


def _report_formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in ("md", "html", "xlsx")]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or text!r}; choose among md, html, xlsx")
    return formats


def _cmd_report(args: argparse.Namespace) -> int:
    from energytrade.report import write_report

    start = time.perf_counter()
    written = write_report(
        data_dir=args.data_dir, out_dir=Path(args.out), progress=_progress, formats=args.format, importer=args.importer
    )
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


def _fetch_manners(
    args: argparse.Namespace,
    session: requests.Session | None,
    retry: RetryPolicy | None,
    throttle: Throttle | None,
    call_deadline: float,
    total_deadline: float,
    clock: Callable[[], datetime] | None,
) -> dict:
    """The keyword arguments every API client's ``fetch`` shares: refresh, session, retries with the
    per-call deadline, throttle, total deadline, lock timeout, progress (and a test clock)."""
    from energytrade.sources import http

    return {
        "refresh": args.refresh,
        "session": session,
        "retry": replace(retry or http.RetryPolicy(), deadline_s=call_deadline),
        "throttle": throttle,
        "total_deadline_s": total_deadline,
        "lock_timeout_s": lock_timeout_from_env(),
        "progress": _progress,
        **({"clock": clock} if clock is not None else {}),
    }


def _deadlines(args: argparse.Namespace) -> tuple[float, float]:
    """(per-call, total) deadlines [s] from --call-deadline/--total-deadline, else the environment or defaults."""
    from energytrade.sources import http

    call = http.setting_s(args.call_deadline, http.ENV_CALL_DEADLINE, http.DEFAULT_CALL_DEADLINE_S, "--call-deadline")
    total = http.setting_s(
        args.total_deadline, http.ENV_TOTAL_DEADLINE, http.DEFAULT_TOTAL_DEADLINE_S, "--total-deadline"
    )
    return call, total


# ------------------------------------------------------------------------------------- fetch comtrade
#: A plan over this many calls asks for --yes: a tenth of a free key's 500 calls a day [2ND comtradr
#: vignette], and more than a casual query needs (two years of monthly data is 2 keyed calls).
CONFIRM_OVER_CALLS = 50

FETCH_COMTRADE_DESCRIPTION = """\
Fetch UN Comtrade final data (goods, HS, totals only) into <data-dir>/raw/comtrade/<today>/, one JSON
response per call with a provenance sidecar. With COMTRADE_API_KEY set, the keyed data API is used (up to
12 periods and 100000 records per call; the key goes only in a request header); without it, the public
preview (one period and at most 500 records per call). Calls already stored are not repeated, so an
interrupted fetch resumes where it stopped; --refresh pulls a new vintage beside the old one (and asks
again calls whose stored answer was empty). Answers that reach the record cap are split and fetched again,
never stored truncated. Periods before {first_year} or after the current month are refused; a plan
of more than {confirm_over_calls} calls needs --yes. Several fetches may run on one data root at once: each
store write holds the data root's lock.
"""

FETCH_COMTRADE_EPILOG = """\
examples:
  # what would be fetched (URLs, no key), without fetching
  energytrade fetch comtrade --reporter CHN --partner all --commodity 2709 --flow M --freq M \\
      --start 2022-01 --end 2022-12 --dry-run
  # China's monthly crude imports from every partner in 2022, into a separate data folder
  COMTRADE_API_KEY=... energytrade fetch comtrade --reporter CHN --commodity crude_oil \\
      --start 2022-01 --end 2022-12 --data-dir /tmp/ctdata
  energytrade build --data-dir /tmp/ctdata
  # annual LNG imports from Russia and Qatar, pulling a fresh vintage
  energytrade fetch comtrade --reporter CHN --partner RUS,QAT --commodity lng --freq A \\
      --start 2020 --end 2023 --refresh

environment:
  COMTRADE_API_KEY               subscription key (comtradedeveloper.un.org); unset = public preview
  ENERGYTRADE_COMTRADE_URL       API base URL (default https://comtradeapi.un.org)
  ENERGYTRADE_CALL_DEADLINE_S    longest time for one call, request to last byte (default 300)
  ENERGYTRADE_TOTAL_DEADLINE_S   no call starts after this many seconds (default 3600)
  ENERGYTRADE_CALL_INTERVAL_S    pause between calls (default 1; 0 = none)
  ENERGYTRADE_LOCK_TIMEOUT_S     longest wait for another process's lock on the data root (default 600)
"""


def _add_fetch_comtrade_arguments(parser: argparse.ArgumentParser) -> None:
    from energytrade.sources import comtrade, http

    known = ", ".join(f"{name} ({code})" for name, code in HS_CODES.items())
    parser.add_argument("--reporter", default="CHN", metavar="ISO3[,ISO3]", help="reporting country (default CHN)")
    parser.add_argument(
        "--partner",
        default="all",
        metavar="all|ISO3[,ISO3]",
        help="partners: all (default, World included) or ISO3 codes",
    )
    parser.add_argument("--commodity", required=True, metavar="NAME|HS", help=f"commodity name or HS code: {known}")
    parser.add_argument("--flow", default="M", metavar="M|X|M,X", help="M imports (default), X exports")
    parser.add_argument("--freq", default="M", metavar="M|A", help="M monthly (default) or A annual")
    parser.add_argument("--start", required=True, metavar="PERIOD", help="first period: YYYY-MM (monthly) or YYYY")
    parser.add_argument("--end", default=None, metavar="PERIOD", help="last period, inclusive (default: --start)")
    parser.add_argument(
        "--max-records",
        type=int,
        default=None,
        metavar="N",
        help=f"maxRecords per call (default {comtrade.KEYED_DEFAULT_MAX_RECORDS} with a key, "
        f"{comtrade.PREVIEW_MAX_RECORDS} without)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="pull a new vintage even if the store has these calls; if it stops part-way, run the same command "
        "again to complete it (until then, the parts not yet re-fetched come from the older vintage)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the planned calls (URLs, no key) and make none")
    parser.add_argument(
        "--yes", action="store_true", help=f"go ahead with a plan of more than {CONFIRM_OVER_CALLS} calls"
    )
    parser.add_argument(
        "--call-deadline",
        metavar="SECONDS",
        default=None,
        help=f"longest time for one call, request to last byte (default ${http.ENV_CALL_DEADLINE}, else "
        f"{http.DEFAULT_CALL_DEADLINE_S:g})",
    )
    parser.add_argument(
        "--total-deadline",
        metavar="SECONDS",
        default=None,
        help=f"no call starts after this many seconds (default ${http.ENV_TOTAL_DEADLINE}, else "
        f"{http.DEFAULT_TOTAL_DEADLINE_S:g})",
    )


def _data_root_for_writing(data_dir: str | os.PathLike | None) -> Path:
    """The raw/ folder a fetch writes into; the data root is created when --data-dir names a new folder."""
    if data_dir is not None:
        check_writable(data_dir, "the data directory (--data-dir)")
    return data_paths(data_dir).raw


def run_fetch_comtrade(
    args: argparse.Namespace,
    *,
    session: requests.Session | None = None,
    retry: RetryPolicy | None = None,
    throttle: Throttle | None = None,
    clock: Callable[[], datetime] | None = None,
) -> int:
    """Run ``energytrade fetch comtrade``: check, plan, fetch (or print the plan with ``--dry-run``), report.

    Errors are raised as typed exceptions (:func:`main` prints them); returns 0 on success.
    """
    from energytrade.sources import comtrade

    api_key = comtrade.check_api_key(os.environ.get(comtrade.ENV_API_KEY))
    today = clock().date() if clock is not None else None
    request = comtrade.check_query(
        reporter=args.reporter,
        partner=args.partner,
        commodity=args.commodity,
        flow=args.flow,
        freq=args.freq,
        start=args.start,
        end=args.end,
        max_records=args.max_records,
        keyed=api_key is not None,
        today=today,
    )
    call_deadline, total_deadline = _deadlines(args)
    base_url = comtrade.base_url_from_env()
    calls = comtrade.plan(request, base_url)
    endpoint = "keyed data API" if request.keyed else f"public preview ({comtrade.ENV_API_KEY} not set)"
    if args.dry_run:
        print(f"# {len(calls)} planned call(s) to the UN Comtrade {endpoint}; none made (--dry-run)")
        for call in calls:
            print(call.url(base_url))
        return 0
    if len(calls) > CONFIRM_OVER_CALLS and not args.yes:
        raise TooManyCalls(
            f"the plan for {request.describe()} needs {len(calls)} calls to the UN Comtrade {endpoint}, over "
            f"{CONFIRM_OVER_CALLS}; check it with --dry-run, narrow --start/--end, or add --yes to go ahead"
        )
    raw_root = _data_root_for_writing(args.data_dir)
    manners = _fetch_manners(args, session, retry, throttle, call_deadline, total_deadline, clock)
    result = comtrade.fetch(request, raw_root, api_key=api_key, base_url=base_url, **manners)
    for url in result.empty:
        print(f"warning: no records (count: 0) for {url}", file=sys.stderr)
    folder = raw_root / comtrade.SOURCE / result.vintage
    print(
        f"comtrade: {request.describe()} via the {endpoint}: {result.requests_sent} call(s) made, "
        f"{len(result.stored)} response(s) stored in {folder} ({result.records} records), "
        f"{len(result.reused)} already in the store"
        + (f", {result.splits} split(s) after truncation" if result.splits else "")
    )
    if args.refresh and result.reused:
        print(
            f"note: --refresh re-fetches calls stored before today; the {len(result.reused)} reused call(s) are "
            f"already in today's vintage ({result.vintage})",
            file=sys.stderr,
        )
    return 0


def _cmd_fetch_comtrade(args: argparse.Namespace) -> int:
    return run_fetch_comtrade(args)


# ------------------------------------------------------------------------------------- fetch eurostat
FETCH_EUROSTAT_DESCRIPTION = """\
Fetch a Eurostat dataset from the dissemination API (no key) as gzip SDMX-CSV into
<data-dir>/raw/<source>/<today>/ (raw/eurostat_coifpm/ for nrg_ti_coifpm), one file per call with a
provenance sidecar, and the dataset's code list of grades (SDMX-ML) beside it. Eurostat keeps no versions:
each pull is a dated vintage. Calls already stored are not repeated (an interrupted fetch resumes);
--refresh pulls a new vintage. A request Eurostat refuses as too big is split (periods first, then codes)
and the command says so.
"""

FETCH_EUROSTAT_EPILOG = """\
examples:
  # what would be fetched, without fetching
  energytrade fetch eurostat --dataset nrg_ti_coifpm --filter geo=EU_V,DE --filter indic_nrg=VOL_THS_BBL \\
      --start 2019-01 --end 2023-12 --dry-run
  # Russian Urals into the EU: volumes and CIF prices, into a separate data folder
  energytrade fetch eurostat --dataset nrg_ti_coifpm --filter crudeoil=RU_URL,TOTAL \\
      --filter indic_nrg=VOL_THS_BBL,AVGPRC_USD_BBL --filter geo=EU_V --start 2021-01 --data-dir /tmp/es
  energytrade build --data-dir /tmp/es

environment:
  ENERGYTRADE_EUROSTAT_URL       API base URL (default https://ec.europa.eu/eurostat/api/dissemination)
  ENERGYTRADE_CALL_DEADLINE_S, ENERGYTRADE_TOTAL_DEADLINE_S, ENERGYTRADE_CALL_INTERVAL_S,
  ENERGYTRADE_LOCK_TIMEOUT_S     as for fetch comtrade
"""


def _add_fetch_eurostat_arguments(parser: argparse.ArgumentParser) -> None:
    from energytrade.sources import eurostat

    known = ", ".join(eurostat.DATASETS)
    parser.add_argument("--dataset", required=True, metavar="CODE", help=f"Eurostat dataset code: {known}")
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="DIM=CODE[,CODE]",
        help="keep only these codes of a dimension (repeatable), e.g. geo=EU_V,DE; default: every code",
    )
    parser.add_argument("--start", default=None, metavar="YYYY-MM", help="first month (default: the dataset's first)")
    parser.add_argument("--end", default=None, metavar="YYYY-MM", help="last month, inclusive (default: latest)")
    parser.add_argument("--refresh", action="store_true", help="pull a new vintage even if the store has these calls")
    parser.add_argument("--dry-run", action="store_true", help="print the planned calls and make none")
    parser.add_argument("--call-deadline", metavar="SECONDS", default=None, help="longest time for one call")
    parser.add_argument("--total-deadline", metavar="SECONDS", default=None, help="no call starts after this")


def run_fetch_eurostat(
    args: argparse.Namespace,
    *,
    session: requests.Session | None = None,
    retry: RetryPolicy | None = None,
    throttle: Throttle | None = None,
    clock: Callable[[], datetime] | None = None,
) -> int:
    """Run ``energytrade fetch eurostat``; errors are raised as typed exceptions, returns 0 on success."""
    from energytrade.sources import eurostat

    today = clock().date() if clock is not None else None
    request = eurostat.check_query(args.dataset, args.filter, args.start, args.end, today=today)
    call_deadline, total_deadline = _deadlines(args)
    base_url = eurostat.base_url_from_env()
    if args.dry_run:
        print("# 1 planned data call to Eurostat (more if it is refused as too big), plus its code lists; none made")
        print(request.url(base_url))
        return 0
    raw_root = _data_root_for_writing(args.data_dir)
    manners = _fetch_manners(args, session, retry, throttle, call_deadline, total_deadline, clock)
    result = eurostat.fetch(request, raw_root, base_url=base_url, **manners)
    folder = raw_root / request.dataset.source / result.vintage
    print(
        f"eurostat: {request.describe()}: {result.requests_sent} call(s) made, {len(result.stored)} file(s) stored in "
        f"{folder} ({result.rows} rows), {len(result.reused)} already in the store, {len(result.codelists)} code "
        "list(s) stored" + (f", {result.splits} split(s) after refusals as too big" if result.splits else "")
    )
    return 0


def _cmd_fetch_eurostat(args: argparse.Namespace) -> int:
    return run_fetch_eurostat(args)


def build_parser(*, with_fetch: bool = True) -> argparse.ArgumentParser:
    """The command line's parser. ``with_fetch=False`` leaves out the options of ``fetch comtrade`` and
    ``fetch eurostat`` (what :func:`main` does for every other command, so that they start fast)."""
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
        epilog="examples:\n  energytrade report\n  energytrade report --out /tmp/report\n"
        "  energytrade report --format html        # only report.html (plus figures/ and tables/)\n"
        "  energytrade fetch comtrade --reporter IND --partner all --commodity 2709 --start 2020-01 --end 2024-12\n"
        "  energytrade report --importer IND --out /tmp/india   # India's imports, from the fetched data\n",
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
    p.add_argument(
        "--importer",
        default="CHN",
        metavar="ISO3",
        help="the importer whose imports the report describes (default CHN, the article's); another "
        "importer's Comtrade data must be fetched first (the error says how); its gas chapter is shown when "
        "its gas or coal data are fetched too, and the chapter on the article's claims is left out",
    )
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
        "--start 2022-01 --end 2022-12 --dry-run\n"
        "  energytrade fetch eurostat --dataset nrg_ti_coifpm --filter geo=EU_V --start 2022-01 --dry-run\n",
        formatter_class=raw,
    )
    sources = p.add_subparsers(dest="source", metavar="SOURCE")
    sources.required = True
    if with_fetch:
        _add_fetch_parsers(sources)
    return parser


def _add_fetch_parsers(sources: argparse._SubParsersAction) -> None:
    """``fetch comtrade`` and ``fetch eurostat``: their help reads the clients' own limits, so building them
    imports the clients (requests, pandas); other commands skip this."""
    from energytrade.sources import comtrade

    raw = argparse.RawDescriptionHelpFormatter
    description = FETCH_COMTRADE_DESCRIPTION.format(
        first_year=comtrade.FIRST_YEAR, confirm_over_calls=CONFIRM_OVER_CALLS
    )
    q = sources.add_parser(
        "comtrade",
        help="UN Comtrade (keyed data API with COMTRADE_API_KEY, else the public preview)",
        description=description,
        epilog=FETCH_COMTRADE_EPILOG,
        formatter_class=raw,
    )
    _add_data_dir(q)
    _add_fetch_comtrade_arguments(q)
    q.set_defaults(func=_cmd_fetch_comtrade)

    q = sources.add_parser(
        "eurostat",
        help="Eurostat dissemination API (no key): SDMX-CSV data and the grade code list",
        description=FETCH_EUROSTAT_DESCRIPTION,
        epilog=FETCH_EUROSTAT_EPILOG,
        formatter_class=raw,
    )
    _add_data_dir(q)
    _add_fetch_eurostat_arguments(q)
    q.set_defaults(func=_cmd_fetch_eurostat)


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """Run the command line. A typed error is one line on stderr and exit status 2, never a traceback;
    output into a closed pipe (``energytrade claims | head -3``) ends quietly with status 0."""
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(with_fetch="fetch" in argv)
        args = parser.parse_args(argv)
        status = args.func(args)
        sys.stdout.flush()
        return status
    except EnergyTradeError as err:
        print(f"energytrade: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (head, less quit): stop quietly. Point stdout at /dev/null so that the
        # interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("energytrade: interrupted; nothing half-written is left (writes are atomic)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
