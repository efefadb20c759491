"""The commodities energytrade knows, with their HS codes (Harmonized System, 2017/2022 editions)."""

from __future__ import annotations

from energytrade.errors import UnknownCommodity

#: commodity name -> HS code (string, so leading zeros and 6-digit subheadings survive)
HS_CODES: dict[str, str] = {
    "crude_oil": "2709",  # petroleum oils and oils from bituminous minerals, crude
    "lng": "271111",  # natural gas, liquefied
    "pipeline_gas": "271121",  # natural gas, in gaseous state
    "coal": "2701",  # coal; briquettes, ovoids and similar solid fuels made from coal (not lignite 2702)
    # China customs' "natural gas" total = LNG + pipeline gas; no single HS code, so both are named.
    "natural_gas": "271111+271121",
    # Energy imports in all (HS chapter 27, mineral fuels: crude, products, gas, coal), as the press
    # (Bloomberg's sums of GACC data) reports them for Russia; press figures only.
    "energy_total": "27",
}
COMMODITIES: tuple[str, ...] = tuple(HS_CODES)
_BY_CODE = {code: name for name, code in HS_CODES.items()}


def check_commodity(commodity: str) -> str:
    """Return the commodity name for a name or HS code, or raise :class:`UnknownCommodity`.

    >>> check_commodity("2709")
    'crude_oil'
    >>> check_commodity("LNG")
    'lng'
    """
    key = str(commodity).strip()
    if key.lower() in HS_CODES:
        return key.lower()
    if key in _BY_CODE:
        return _BY_CODE[key]
    allowed = ", ".join(f"{name} ({code})" for name, code in HS_CODES.items())
    raise UnknownCommodity(f"unknown commodity or HS code {commodity!r}; known: {allowed}")


def hs_code(commodity: str) -> str:
    """HS code of a commodity name (or of an HS code, checked)."""
    return HS_CODES[check_commodity(commodity)]
