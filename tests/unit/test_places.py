"""Place evidence a news desk relies on: datelines with states, exonyms, wire headlines."""

import pytest

from schemas.article import Article
from worker.gazetteer import load_gazetteer
from worker.stages.entities import dateline_country
from worker.stages.regions import headline
from worker.stages.textdump import find_dateline


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def article(text: str) -> Article:
    return Article(
        article_id="j#0",
        job_id="j",
        position=0,
        text=text,
        language="en",
        dateline=find_dateline(text, lines=2),
    )


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("HORSHAM, Pa., June 18 - Keystone Thrift said it agreed to be sold.", "US"),
        ("HORSHAM, June 18 - The council said the bypass would open in spring.", "GB"),
        ("TAUPO, New Zealand, March 24 - Trade ministers met on Tuesday.", "NZ"),
        ("LONDON, Ont., May 2 - The plant will close next year, the firm said.", "CA"),
        ("KAMPALA: The Electoral Commission announced the results on Saturday.", "UG"),
    ],
)
def test_a_state_or_country_after_the_dateline_place_decides(gaz, text, country):
    assert dateline_country(article(text), gaz) == country


@pytest.mark.parametrize(
    ("name", "country"),
    [("Peking", "CN"), ("Berne", "CH"), ("Basle", "CH"), ("Bombay", "IN"), ("Frankfurt", "DE")],
)
def test_older_and_english_names_of_large_cities_resolve(gaz, name, country):
    assert gaz.country(name) == country


def test_primary_names_are_not_displaced_by_another_citys_alternate_name(gaz):
    assert (gaz.country("Paris"), gaz.country("London"), gaz.country("Lagos")) == ("FR", "GB", "NG")


def test_a_dateline_under_a_headline_in_capitals_wins_over_the_headline():
    text = "MARKET FOCUS - OSLO'S BUDGET GAP\nOSLO, March 3 - The finance ministry said."
    assert find_dateline(text, lines=2) == "OSLO"
    assert find_dateline("KAMPALA: Results came in late.\nNAIROBI - Other line", lines=2) == (
        "KAMPALA"
    )


def test_a_wire_headline_in_capitals_counts_as_the_title():
    assert headline(article("GHANA COCOA PURCHASES FALL\nLONDON, March 9 - The board said.")) == (
        "Ghana Cocoa Purchases Fall"
    )
    assert headline(article("The board said purchases fell.\nMore text.")) == ""


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("S. Africa", "ZA"),
        ("S. African", "ZA"),
        ("N. Korea", "KP"),
        ("South Korean", "KR"),
        ("Zaire", "CD"),
        ("West Germany", "DE"),
        ("Soviet", "RU"),
        ("Sierra Leonean", "SL"),
        ("Aotearoa", "NZ"),
        ("St. Louis", "US"),
    ],
)
def test_wire_abbreviations_former_names_and_demonyms_resolve(gaz, name, country):
    assert gaz.country(name) == country


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Gujarat", "IN"),
        ("Gauteng", "ZA"),
        ("Nyamira County", "KE"),
        ("Lagos State", "NG"),
        ("Central", None),  # a province of Ghana, Zambia, Paraguay, ...: of no one country
        ("Western", None),
        ("North", None),
        ("Sahel", None),  # a region's name, counted for its region (Africa), not a province
    ],
)
def test_a_province_places_english_text_when_its_name_is_its_own(gaz, name, country):
    """A local story often names only its province or county."""
    assert gaz.country(name) == country


def test_an_organisation_named_after_a_place_is_evidence_for_it(gaz):
    """'Football Kenya Federation' points at Kenya; 'White House' points nowhere."""
    from schemas.article import Mention
    from worker.stages.regions import RegionConfig, region_evidence

    text = (
        "The Football Kenya Federation met the White House envoy on Monday to agree the fixtures."
    )
    a = article(text).model_copy(
        update={
            "entities": [
                Mention(
                    text="Football Kenya Federation", label="ORG", start=4, end=29, normalized="x"
                ),
                Mention(text="White House", label="ORG", start=38, end=49, normalized="y"),
            ]
        }
    )
    ev = region_evidence(a, gazetteer=gaz, cfg=RegionConfig())
    assert set(ev.countries) == {"KE"}
    assert gaz.country("White House") is None
