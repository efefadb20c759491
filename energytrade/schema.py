"""The clean schema: one tidy table of trade flows, whatever the source.

One row is one figure set (mass, volume, value) of one flow of one commodity between a reporter and a
partner over one period, as one source gives it. Units are in the column names. Missing stays missing
(NaN), never 0. ``partner_iso3 == "WLD"`` rows are a reporter's totals over all partners and are never
summed with partner rows (``energytrade.analysis`` drops them from partner sums).

=====================  ======================================================================
column                 meaning
=====================  ======================================================================
source                 a registered source (``energytrade.sources.registry``)
reporter_iso3          the reporting (importing) country, ISO 3166 alpha-3
partner_iso3           the partner (origin) country; ``WLD`` for totals; Comtrade area codes
                       for non-countries (see ``energytrade.countries.NON_ISO_AREAS``)
partner_name           the partner's name as the source wrote it
flow                   ``import`` or ``export`` (of the reporter)
hs_code                HS code as a string (``2709``, ``271111``, ...)
commodity              ``crude_oil``, ``lng``, ``pipeline_gas``, ``coal``, ``natural_gas``,
                       ``energy_total`` (HS 27, press only); ``hs<code>`` (e.g. ``hs271019``) for
                       any other HS product of a bulk source (BACI)
period                 ``YYYY-MM`` (freq M or YTD: YTD runs January to that month) or ``YYYY`` (A)
freq                   ``M`` month, ``A`` calendar year, ``YTD`` January to ``period``
net_weight_kg          net mass [kg]; every figure is finite and >= 0, or missing
volume_bcm             gas volume [billion cubic metres], where the source reports volume
value_usd              value [US dollars, current]
rate_bbl_per_day       crude rate [barrels per day] as the source printed it (press only)
is_weight_estimated    Comtrade's ``isNetWgtEstimated`` where known
note                   the source's own note on the figure (press), else empty
outlet                 press: who printed the figure (``Reuters``, ``Gazprom via TASS``), else empty
source_url             press: the page the figure was read from, else empty
published_on           press: the day it was printed, ``YYYY-MM-DD`` (``YYYY-MM`` where the raw
                       file gives only the month), else empty
provenance             ``raw/<source>/<vintage>/<file>#row=<n>`` (n = 1-based data row), with
                       ``&col=<prefix>`` when one raw row holds several commodities
=====================  ======================================================================
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from energytrade.commodities import COMMODITIES
from energytrade.errors import SchemaViolation

COLUMNS: tuple[str, ...] = (
    "source",
    "reporter_iso3",
    "partner_iso3",
    "partner_name",
    "flow",
    "hs_code",
    "commodity",
    "period",
    "freq",
    "net_weight_kg",
    "volume_bcm",
    "value_usd",
    "rate_bbl_per_day",
    "is_weight_estimated",
    "note",
    "outlet",
    "source_url",
    "published_on",
    "provenance",
)
#: Text columns where an empty string means "none" (nullable in meaning, ``""`` in the table and its CSV).
OPTIONAL_TEXT_COLUMNS = ("note", "outlet", "source_url", "published_on")
NUMERIC_COLUMNS = ("net_weight_kg", "volume_bcm", "value_usd", "rate_bbl_per_day")
SORT_KEY = ["source", "commodity", "reporter_iso3", "flow", "freq", "period", "partner_iso3", "provenance"]
#: One source gives one figure set per key; the press may give several (each its own provenance).
UNIQUE_KEY = ["source", "reporter_iso3", "partner_iso3", "flow", "commodity", "period", "freq"]
SOURCES_WITH_UNIQUE_KEY = ("comtrade_extract", "comtrade", "gacc_query")

_PERIOD_BY_FREQ = {"M": r"^\d{4}-(0[1-9]|1[0-2])$", "YTD": r"^\d{4}-(0[1-9]|1[0-2])$", "A": r"^\d{4}$"}


def _period_matches_freq(df: pd.DataFrame) -> pd.Series:
    ok = pd.Series(False, index=df.index)
    for freq, pattern in _PERIOD_BY_FREQ.items():
        rows = df["freq"] == freq
        ok |= rows & df["period"].astype(str).str.match(pattern)
    return ok


def _unique_per_source(df: pd.DataFrame) -> pd.Series:
    keyed = df["source"].isin(SOURCES_WITH_UNIQUE_KEY)
    return ~(keyed & df.duplicated(UNIQUE_KEY, keep=False))


def _at_least_one_figure(df: pd.DataFrame) -> pd.Series:
    return df[list(NUMERIC_COLUMNS)].notna().any(axis=1)


def _finite(series: pd.Series) -> pd.Series:
    return series.isna() | np.isfinite(series)


def _known_commodity(series: pd.Series) -> pd.Series:
    return series.isin(COMMODITIES) | series.str.fullmatch(r"hs\d{6}")


@lru_cache(maxsize=1)
def trade_flows_schema():
    """The pandera schema of the clean table, made on first use: pandera takes about a quarter of a
    second to import, which commands that only read the validated store (``energytrade claims``) skip."""
    import pandera.pandas as pa

    _nonneg = [pa.Check.ge(0), pa.Check(_finite, element_wise=False, error="finite (no inf)")]
    return pa.DataFrameSchema(
        {
            "source": pa.Column(str),
            "reporter_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z_][A-Z0-9_]{1,2}$")),
            "partner_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z_][A-Z0-9_]{1,2}$")),
            "partner_name": pa.Column(str),
            "flow": pa.Column(str, pa.Check.isin(["import", "export"])),
            "hs_code": pa.Column(str, pa.Check.str_matches(r"^\d{2,6}(\+\d{2,6})*$")),
            "commodity": pa.Column(
                str, pa.Check(_known_commodity, error="isin the known commodities, or hs<6 digits> (bulk sources)")
            ),
            "period": pa.Column(str),
            "freq": pa.Column(str, pa.Check.isin(list(_PERIOD_BY_FREQ))),
            "net_weight_kg": pa.Column(float, _nonneg, nullable=True),
            "volume_bcm": pa.Column(float, _nonneg, nullable=True),
            "value_usd": pa.Column(float, _nonneg, nullable=True),
            "rate_bbl_per_day": pa.Column(float, _nonneg, nullable=True),
            "is_weight_estimated": pa.Column("boolean", nullable=True),
            "note": pa.Column(str),
            "outlet": pa.Column(str),
            "source_url": pa.Column(str),
            "published_on": pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}(-\d{2})?)?$")),
            "provenance": pa.Column(str, [pa.Check.str_matches(r"^raw/.+#row=\d+(&col=\w+)?$")], unique=True),
        },
        checks=[
            pa.Check(_period_matches_freq, error="period must match freq (M/YTD: YYYY-MM, A: YYYY)"),
            pa.Check(_unique_per_source, error="one row per source/reporter/partner/flow/commodity/period/freq"),
            pa.Check(_at_least_one_figure, error="a row must carry at least one figure"),
        ],
        strict=True,
        ordered=True,
        coerce=False,
    )


def empty_frame() -> pd.DataFrame:
    """A zero-row frame with the clean columns and dtypes."""
    return conform(pd.DataFrame({c: [] for c in COLUMNS}))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Cast a cleaner's output to the clean dtypes and column order (no value is changed or filled)."""
    out = df.reindex(columns=list(COLUMNS)).copy()
    for col in COLUMNS:
        if col in NUMERIC_COLUMNS:
            out[col] = pd.to_numeric(out[col], errors="raise").astype("float64")
        elif col == "is_weight_estimated":
            out[col] = out[col].astype("boolean")
        else:
            if col in OPTIONAL_TEXT_COLUMNS:
                out[col] = out[col].astype(object).fillna("")  # a text column: no note is an empty note
            out[col] = out[col].astype(str)
    return out


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """Validate a clean table; raise :class:`SchemaViolation` listing the failures (at most 20)."""
    from pandera.errors import SchemaErrors

    try:
        return trade_flows_schema().validate(df, lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
        # A frame-wide check reports every column of a bad row: show one line per check and row.
        frame_checks = [check.error for check in trade_flows_schema().checks]
        cases = cases.assign(column=cases["column"].where(~cases["check"].isin(frame_checks), "(row)"))
        cases = cases.drop_duplicates(["column", "check", "index"])
        # Name the raw file and row (the provenance), not a position in a table the user never sees.
        cases = cases.assign(row=[_where(df, index) for index in cases["index"]])
        shown = "; ".join(
            f"{case.row}: "
            + (
                f"{case.check}"
                if case.column == "(row)"
                else f"column {case.column!r} {case.check} ({case.failure_case!r})"
            )
            for case in cases.head(3).itertuples()
        )
        more = f"; and {len(cases) - 3} more" if len(cases) > 3 else ""
        raise SchemaViolation(f"the clean table breaks the schema (energytrade.schema): {shown}{more}") from None


def _where(df: pd.DataFrame, index: object) -> str:
    """The provenance of the row at ``index`` (``raw/<source>/<vintage>/<file>#row=<n>``), else the index."""
    if index is None or (isinstance(index, float) and np.isnan(index)):
        return "(whole table)"
    if "provenance" in df and index in df.index:
        return str(df.at[index, "provenance"])
    return f"row index {index}"


def sort_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The canonical row order, so that every build writes identical files."""
    return df.sort_values(SORT_KEY, kind="mergesort").reset_index(drop=True)
