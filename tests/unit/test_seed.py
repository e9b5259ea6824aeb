"""The canonical page dump from ../shared, through every stage in-process."""

from worker.pipeline import InlineRun, run_inline
from worker.resources import Resources
from worker.settings import Settings

TITLES = [
    "US defense chief suggests Ukraine should abandon hope of winning all territory back "
    "from Russia",
    "Uganda army denies seizing opposition leader as vote result looms",
]


def seed_articles(text):
    job = {"job_id": "seed", "content": text, "content_type": "text/plain"}
    return list(run_inline(InlineRun(Resources(Settings())), [job]))


def test_seed_gives_the_two_articles(seed_text):
    """Two articles, with titles, datelines and regions, repeat and chrome gone."""
    articles = seed_articles(seed_text)
    assert [a.title for a in articles] == TITLES
    assert [a.dateline for a in articles] == ["BRUSSELS", "KAMPALA"]
    assert [a.primary_region for a in articles] == ["Europe", "Africa"]
    for a in articles:
        for chrome in ("Short Url", "arab.news", "All Rights Reserved", "SAUDI RESEARCH"):
            assert chrome not in a.text
        for title in TITLES:
            assert title not in a.text
    kampala = articles[1].text
    assert kampala.count("President Yoweri Museveni, 81, looked set") == 1
    assert "Africa" not in {r.region for r in articles[0].regions}
    assert "Europe" not in {r.region for r in articles[1].regions}


PEOPLE = [
    "Pete Hegseth",
    "Donald Trump",
    "Vladimir Putin",
    "Volodymyr Zelensky",
    "JD Vance",
    "Jean-Noël Barrot",
    "John Healey",
    "Scott Bessent",
    "Yoweri Museveni",
    "Bobi Wine",
    "Robert Kyagulanyi",
    "Chris Magezi",
    "Muwanga Kivumbi",
]
ORGS = ["NATO", "AFP", "United Nations", "Electoral Commission"]
PLACES = {"Brussels": "BE", "Kyiv": "UA", "Munich": "DE", "Kampala": "UG", "Nairobi": "KE"}


def test_seed_entities_and_region_scores(seed_text):
    """The people, organisations and places a desk expects, with countries; scores >= 0.8."""
    articles = seed_articles(seed_text)
    found: dict[str, set[tuple[str, str | None]]] = {}
    for a in articles:
        for e in a.entity_summary:
            found.setdefault(e.name, set()).add((e.label, e.country))
    for name in PEOPLE:
        assert ("PERSON", None) in found.get(name, set()), name
    for name in ORGS:
        assert {label for label, _ in found.get(name, set())} == {"ORG"}, name
    for name, country in PLACES.items():
        assert ("GPE", country) in found.get(name, set()), name
    assert "GMT" not in found  # a time zone in a timestamp, not an organisation
    europe, africa = ({r.region: r.score for r in a.regions} for a in articles)
    assert europe["Europe"] >= 0.8
    assert africa["Africa"] >= 0.8
