"""Rows of the clean table (:mod:`energytrade.schema`) for tests: China's imports from one partner in one
period, amounts given in named units.

Imported like ``conftest`` (``from clean_rows import ...``): pytest puts ``tests/`` on the path.
"""

from __future__ import annotations

import itertools

import pandas as pd

from energytrade import units
from energytrade.schema import conform

NAN = float("nan")

#: Partner names as the sources spell them; any other partner is named by its code.
NAMES = {
    "RUS": "Russian Federation",
    "SAU": "Saudi Arabia",
    "IRQ": "Iraq",
    "KAZ": "Kazakhstan",
    "QAT": "Qatar",
    "TKM": "Turkmenistan",
    "WLD": "World",
}
HS_CODES = {"crude_oil": "2709", "lng": "271111", "pipeline_gas": "271121", "coal": "2701"}

_row_numbers = itertools.count(1)


def flow_row(
    partner,
    period,
    *,
    t=NAN,
    usd=NAN,
    bcm=NAN,
    commodity="crude_oil",
    source="comtrade_extract",
    freq="M",
    name=None,
    hs_code=None,
    note="",
    outlet="",
    published_on="",
):
    """One clean row; ``t`` in tonnes (stored as kg like the real table), ``usd`` in US dollars, ``bcm`` in
    billion cubic metres; ``name`` and ``hs_code`` default to :data:`NAMES` and the commodity's code.
    ``is_weight_estimated`` is unknown (NA) for press rows, as the press cleaner leaves it."""
    return {
        "source": source,
        "reporter_iso3": "CHN",
        "partner_iso3": partner,
        "partner_name": name or NAMES.get(partner, partner),
        "flow": "import",
        "hs_code": hs_code or HS_CODES[commodity],
        "commodity": commodity,
        "period": period,
        "freq": freq,
        "net_weight_kg": t * units.KG_PER_TONNE,
        "volume_bcm": bcm,
        "value_usd": usd,
        "rate_bbl_per_day": NAN,
        "is_weight_estimated": False if source != "gacc_press" else pd.NA,
        "note": note,
        "outlet": outlet,
        "source_url": "",
        "published_on": published_on,
        "provenance": f"raw/{source}/test/rows.csv#row={next(_row_numbers)}",
    }


def table(rows: list[dict]) -> pd.DataFrame:
    """Rows -> a clean table with the clean dtypes."""
    return conform(pd.DataFrame(rows))
