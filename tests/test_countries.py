"""Country names as our sources write them -> ISO 3166 alpha-3."""

from __future__ import annotations

import pytest

from energytrade.countries import NON_ISO_AREAS, WORLD_ISO3, check_iso3, to_iso3
from energytrade.errors import UnknownCountry

# Names exactly as UN Comtrade and China customs (GACC) write them in the bundled files.
SOURCE_NAMES = {
    "Russian Federation": "RUS",
    "Türkiye": "TUR",
    "Dem. Rep. of the Congo": "COD",
    "Congo": "COG",
    "Rep. of Korea": "KOR",
    "Republic of Korea": "KOR",  # customs' spelling
    "China, Hong Kong SAR": "HKG",
    "Côte d'Ivoire": "CIV",
    "United Rep. of Tanzania": "TZA",
    "Lao People's Dem. Rep.": "LAO",
    "Bolivia (Plurinational State of)": "BOL",
    "Viet Nam": "VNM",
    "USA": "USA",
    "Iran": "IRN",
    "Namibia": "NAM",  # its ISO2 "NA" is what breaks country_converter's own table under pandas 3.1
}


def test_every_name_our_sources_use_maps_to_its_iso3():
    assert to_iso3(list(SOURCE_NAMES)) == list(SOURCE_NAMES.values())


def test_comtrade_areas_that_are_not_countries_keep_comtrade_codes():
    assert to_iso3(["Other Asia, nes", "Areas, nes", "World"]) == [
        NON_ISO_AREAS["Other Asia, nes"],
        NON_ISO_AREAS["Areas, nes"],
        WORLD_ISO3,
    ]


def test_unmapped_names_are_all_listed_in_one_error():
    with pytest.raises(UnknownCountry) as err:
        to_iso3(["Russian Federation", "Rusia", "Atlantis"])
    assert "'Atlantis'" in str(err.value) and "'Rusia'" in str(err.value)


def test_check_iso3_accepts_codes_in_any_case():
    assert check_iso3("rus") == "RUS"


def test_check_iso3_suggests_a_code_for_a_typo():
    with pytest.raises(UnknownCountry, match="did you mean .*RUS"):
        check_iso3("RUZ")


def test_check_iso3_suggests_the_code_for_a_country_name():
    with pytest.raises(UnknownCountry, match="did you mean SAU"):
        check_iso3("Saudi Arabia")
