"""Clean stored UN Comtrade answers into the clean schema (``energytrade.schema``).

:func:`clean_records` is pure (records in, clean rows out); :func:`clean` reads every stored answer
(checksums verified) and takes, per original call and period, the newest complete answer.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from energytrade.commodities import check_commodity
from energytrade.countries import WORLD_ISO3
from energytrade.errors import BadPeriod
from energytrade.schema import UNIQUE_KEY, conform, empty_frame, sort_rows
from energytrade.sources.comtrade.errors import ComtradeBadResponse, ComtradeError
from energytrade.sources.comtrade.query import COMTRADE_WORLD_ISO, FLOW_CODES
from energytrade.sources.comtrade.response import parse_body
from energytrade.sources.comtrade.store import SOURCE, StoredCall, stored_calls

log = logging.getLogger(__name__)

#: Record fields the cleaner reads (of the 47 of a final-data record, data-apis.md 1.4).
CLEAN_FIELDS = (
    "freqCode",
    "period",
    "reporterISO",
    "flowCode",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "cmdCode",
    "customsCode",
    "motCode",
    "netWgt",
    "isNetWgtEstimated",
    "primaryValue",
)


def _clean_period(freq: pd.Series, period: pd.Series) -> pd.Series:
    text = period.astype(str).str.strip()
    monthly = (freq == "M") & text.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])")
    annual = (freq == "A") & text.str.fullmatch(r"\d{4}")
    bad = ~(monthly | annual)
    if bad.any():
        examples = sorted(set(zip(freq[bad], text[bad])))[:5]
        raise BadPeriod(f"Comtrade records with a period that does not match freqCode (freq, period): {examples}")
    return text.where(~monthly, text.str[:4] + "-" + text.str[4:])


def clean_records(records: list[dict[str, Any]], relpath: str) -> pd.DataFrame:
    """Comtrade final-data records -> clean rows (pure).

    Only totals are kept (``partner2Code`` 0, ``customsCode`` C00, ``motCode`` 0): other rows are
    breakdowns of them. World (``W00``, code 0) becomes ``WLD``, which analysis keeps out of partner sums.
    ``primaryValue`` [USD] is taken as reported. ``netWgt`` [kg] too, except a 0: Comtrade writes 0.0 where
    no weight was reported, so a 0 counts as missing (NaN) unless ``isNetWgtEstimated`` is true, in which
    case it stays 0 with ``is_weight_estimated`` True (data-apis.md 1.8 item 4). A null stays NaN; nothing
    is filled.

    Parameters
    ----------
    records
        The ``data`` array of one response.
    relpath
        ``raw/comtrade/<vintage>/<file>``; a row's provenance is ``<relpath>#row=<n>``, n the 1-based
        index of the record in the file.

    Raises
    ------
    ComtradeBadResponse
        A record misses a field, has a flow other than M/X, or has no partner ISO code.
    UnknownCommodity
        A ``cmdCode`` that energytrade does not know.

    Examples
    --------
    >>> record = {"freqCode": "M", "period": "202205", "reporterISO": "CHN", "flowCode": "M",
    ...           "partnerCode": 643, "partnerISO": "RUS", "partnerDesc": "Russian Federation",
    ...           "partner2Code": 0, "cmdCode": "2709", "customsCode": "C00", "motCode": 0,
    ...           "netWgt": 8420000000.0, "isNetWgtEstimated": False, "primaryValue": 7470000000.0}
    >>> row = clean_records([record], "raw/comtrade/2026-01-05/f.json").iloc[0]
    >>> row.partner_iso3, row.period, row.commodity, row.provenance
    ('RUS', '2022-05', 'crude_oil', 'raw/comtrade/2026-01-05/f.json#row=1')

    A weight of 0 is missing unless flagged as estimated:

    >>> zero = dict(record, netWgt=0.0)
    >>> rows = clean_records([zero, dict(zero, isNetWgtEstimated=True)], "f.json")
    >>> rows.net_weight_kg.tolist(), rows.is_weight_estimated.tolist()
    ([nan, 0.0], [False, True])
    """
    if not records:
        return empty_frame()
    frame = pd.DataFrame.from_records(records)
    missing = [name for name in CLEAN_FIELDS if name not in frame.columns]
    if missing:
        raise ComtradeBadResponse(f"{relpath}: Comtrade records without the field(s) {missing}")
    frame["row"] = range(1, len(frame) + 1)
    totals = (
        (pd.to_numeric(frame["partner2Code"], errors="coerce") == 0)
        & (frame["customsCode"].astype(str).str.strip() == "C00")
        & (pd.to_numeric(frame["motCode"], errors="coerce") == 0)
    )
    frame = frame[totals]
    if frame.empty:
        return empty_frame()

    flow_code = frame["flowCode"].astype(str).str.strip()
    unknown_flows = sorted(set(flow_code) - set(FLOW_CODES))
    if unknown_flows:
        raise ComtradeBadResponse(f"{relpath}: flows {unknown_flows} are not imports (M) or exports (X)")
    partner_iso = frame["partnerISO"].fillna("").astype(str).str.strip()
    if (partner_iso == "").any():
        codes = sorted(set(frame.loc[partner_iso == "", "partnerCode"].astype(str)))[:5]
        raise ComtradeBadResponse(
            f"{relpath}: records without partnerISO (partner codes {codes}); fetch with includeDesc=TRUE"
        )
    hs = frame["cmdCode"].astype(str).str.strip()
    commodity = hs.map({code: check_commodity(code) for code in hs.unique()})
    freq = frame["freqCode"].astype(str).str.strip()
    estimated = frame["isNetWgtEstimated"].map({True: True, False: False}, na_action="ignore")
    weight_kg = pd.to_numeric(frame["netWgt"], errors="raise")
    # data-apis.md 1.8 item 4 [REAL]: an unreported weight can come as 0.0 instead of null; only a 0
    # that Comtrade flags as estimated is a figure.
    weight_kg = weight_kg.mask((weight_kg == 0) & ~estimated.eq(True))
    out = pd.DataFrame(
        {
            "source": SOURCE,
            "reporter_iso3": frame["reporterISO"].astype(str).str.strip(),
            "partner_iso3": partner_iso.replace(COMTRADE_WORLD_ISO, WORLD_ISO3),
            "partner_name": frame["partnerDesc"].fillna("").astype(str),
            "flow": flow_code.map(FLOW_CODES),
            "hs_code": hs,
            "commodity": commodity,
            "period": _clean_period(freq, frame["period"]),
            "freq": freq,
            "net_weight_kg": weight_kg,
            "value_usd": pd.to_numeric(frame["primaryValue"], errors="raise"),
            "is_weight_estimated": estimated,
            "note": "",
            "provenance": relpath + "#row=" + frame["row"].astype(str),
        },
        index=frame.index,
    )
    return conform(out).reset_index(drop=True)


def read_response(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of one stored response (read as stored; checksum checks are done by the caller)."""
    return parse_body(Path(path).read_bytes(), str(path))[0]


@dataclass
class _SplitTree:
    """The stored answers of one original call (``root_key``) over every vintage, as the tree of its splits.

    Splitting is deterministic, so a call key has the same two parts in every vintage that split it.
    """

    answers: dict[str, list[StoredCall]] = field(default_factory=dict)  # call key -> answers, oldest first
    parts: dict[str, set[str]] = field(default_factory=dict)  # call key -> keys of its known parts
    split_by: dict[str, str] = field(default_factory=dict)  # call key -> the dimension it was split by
    periods: dict[str, set[str]] = field(default_factory=dict)  # call key -> periods stored under it

    def add(self, call: StoredCall) -> None:
        self.answers.setdefault(call.call_key, []).append(call)
        path = (*call.parent_keys, call.call_key)
        for depth, key in enumerate(path):
            self.periods.setdefault(key, set()).update(call.periods)
            if depth + 1 < len(path):
                self.parts.setdefault(key, set()).add(path[depth + 1])
                if call.split_by[depth] is not None:
                    self.split_by[key] = call.split_by[depth]

    def resolve(self, key: str, period: str) -> list[StoredCall] | None:
        """The stored answers that together answer call ``key`` for ``period``; ``None`` if none do.

        Either the call's own newest answer, or the answers of its parts when every part holding the
        period is answered (one part for a split by periods, both for any other split; a sidecar that does
        not say how its parent was split counts as the latter). Of the two, the one whose oldest answer is
        newest wins.
        """
        options = []
        whole = [c for c in self.answers.get(key, ()) if period in c.periods]
        if whole:
            options.append([whole[-1]])
        parts = sorted(k for k in self.parts.get(key, ()) if period in self.periods[k])
        if len(parts) >= (1 if self.split_by.get(key) == "periods" else 2):
            answered = [self.resolve(part, period) for part in parts]
            if None not in answered:
                options.append([c for a in answered for c in a or ()])
        if not options:
            return None
        return max(options, key=lambda o: (min(map(_age, o)), max(map(_age, o))))

    def newest(self, period: str) -> list[StoredCall]:
        """The answers holding ``period`` in the newest vintage that holds it, complete or not."""
        holding = [c for answers in self.answers.values() for c in answers if period in c.periods]
        vintage = max(c.vintage for c in holding)
        return [c for c in holding if c.vintage == vintage]


def _age(call: StoredCall) -> tuple[str, str]:
    return call.vintage, call.retrieved_at


def _chosen_periods(calls: list[StoredCall]) -> dict[Path, set[str]]:
    """Stored answer -> the periods whose rows to take from it (see :func:`clean`)."""
    trees: dict[str, _SplitTree] = {}
    for call in calls:
        trees.setdefault(call.root_key, _SplitTree()).add(call)
    chosen: dict[Path, set[str]] = {}
    for root, tree in trees.items():
        for period in sorted(tree.periods[root]):
            answer = tree.resolve(root, period)
            if answer is None:
                # The parts were never all stored (a first fetch stopped part-way): what is stored is
                # better than nothing, and running the same fetch again completes it.
                answer = tree.newest(period)
                log.warning(
                    "Comtrade %s: the stored parts of call %s do not cover it (a fetch stopped part-way); "
                    "using the parts stored on %s. Run the same fetch again to complete it",
                    period,
                    root,
                    answer[0].vintage,
                )
            for call in answer:
                chosen.setdefault(call.path, set()).add(period)
    return chosen


def clean(raw_root: Path, vintage: str | None = None) -> pd.DataFrame:
    """Every stored Comtrade response under ``raw_root``, in the clean schema.

    By default the newest complete answer of each query is used, period by period: for each original call
    (``root_key`` in the sidecars, whatever splits it needed) and each period, the rows come from the
    newest stored answer to that call, so a revision that drops a partner drops it here too. A call that
    was split (its answer reached the record cap) counts as answered only where all its parts holding the
    period are stored, in whichever vintages: a ``--refresh`` interrupted after some parts of a call split
    by partner leaves the other partners to the older vintage instead of dropping them (run the same
    refresh again to complete the new vintage), and a fetch resumed on a later day is whole across the two
    vintages. Of two complete answers (the call whole, or its parts), the one whose oldest part is newest
    wins. If the parts were never all stored (a first fetch stopped part-way), the newest vintage's parts
    are used and a warning says to run the fetch again. A figure fetched by two different queries (say
    all partners, and Russia alone) is kept once, from the newest vintage.

    Parameters
    ----------
    raw_root
        The data root's ``raw/`` folder.
    vintage
        Use only this vintage (``YYYY-MM-DD``) instead.

    Returns
    -------
    pandas.DataFrame
        Conformed to ``energytrade.schema``; an empty frame with the clean columns when nothing is stored.
    """
    calls = stored_calls(raw_root)
    if vintage is not None:
        known = sorted({c.vintage for c in calls})
        calls = [c for c in calls if c.vintage == vintage]
        if not calls:
            raise ComtradeError(f"no Comtrade vintage {vintage!r} is stored; stored vintages: {known or 'none'}")
    if not calls:
        return empty_frame()
    chosen = _chosen_periods(calls)
    parts = []
    for order, call in enumerate(calls):  # calls are sorted oldest first
        keep = chosen.get(call.path, set())
        if not keep or call.record_count == 0:
            continue
        rows = clean_records(read_response(call.path), call.raw_file.relpath(raw_root))
        rows = rows[rows["period"].str.replace("-", "", regex=False).isin(keep)]
        parts.append(rows.assign(_order=order))
    if not parts:
        return empty_frame()
    table = pd.concat(parts, ignore_index=True)
    # A figure in several stored files: keep the newest file's rows (duplicates within one file are left
    # for schema validation to report).
    last = table.groupby(UNIQUE_KEY, dropna=False)["_order"].transform("max")
    table = table[table["_order"] == last].drop(columns="_order")
    return sort_rows(conform(table))
