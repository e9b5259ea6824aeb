"""The plain-text dump splitter on invented pages."""

from worker.stages.textdump import find_dateline, split_dump

HARBOUR = [
    "OSLO: Norway's largest ferry operator cancelled all crossings to Denmark on Monday after a "
    "storm damaged the loading ramps at two harbours, stranding hundreds of passengers.",
    "The company said engineers were inspecting the ramps in Oslo and Larvik and that it hoped to "
    "restore a reduced timetable by Wednesday if the wind eased as forecast.",
    "Passengers were offered hotel rooms or refunds, and freight customers were told to expect "
    "delays of at least two days on routes to Hirtshals and Frederikshavn.",
    "The storm also closed several mountain roads in the south of the country, where snow and "
    "fallen trees blocked traffic for much of the night.",
]
MINES = [
    "LUSAKA: Zambia's copper output rose for a third straight month in October, the mines ministry "
    "said on Thursday, as new smelting capacity came on line in the Copperbelt province.",
    "The ministry said production reached its highest level in four years, helped by a recovery "
    "at two large mines that had been idle during a dispute over power supplies.",
    "Copper accounts for about seventy percent of the country's export earnings, and the "
    "government has set a goal of tripling output within ten years.",
    "Analysts said higher world prices had encouraged investment but warned that electricity "
    "shortages during the dry season remained the main risk to the sector.",
]


def dump(*parts):
    return "\n".join(line for part in parts for line in part)


def test_headline_after_its_body_is_its_title():
    """A headline printed below the body still becomes that article's title."""
    page = dump(
        ["Menu", "News", "Weather"],
        HARBOUR,
        ["Storm halts Norway ferry crossings to Denmark", "Share this article", "Comments"],
    )
    (article,) = split_dump(page, language="en")
    assert article.title == "Storm halts Norway ferry crossings to Denmark"
    assert article.dateline == "OSLO"
    assert "Share this article" not in article.text


def test_two_articles_in_one_dump_are_split_with_their_titles():
    """Infinite scroll: two stories, each with its headline, come back as two articles."""
    page = dump(
        ["Storm halts Norway ferry crossings"],
        HARBOUR,
        ["Related stories", "Zambia copper output hits four-year high"],
        MINES,
        ["© 2026 Example Media. All rights reserved."],
    )
    first, second = split_dump(page, language="en")
    assert first.title == "Storm halts Norway ferry crossings"
    assert second.title == "Zambia copper output hits four-year high"
    assert (first.dateline, second.dateline) == ("OSLO", "LUSAKA")
    assert "copper" not in first.text
    assert "All rights reserved" not in second.text


def test_repeated_article_is_kept_once():
    """An article printed twice (infinite scroll) keeps its first copy only."""
    page = dump(HARBOUR, ["Storm halts Norway ferry crossings"], MINES, MINES[1:])
    articles = split_dump(page, language="en")
    assert len(articles) == 2
    for paragraph in MINES:
        assert articles[1].text.count(paragraph) == 1


def test_teaser_list_is_not_an_article():
    """A list of other stories' headlines around the body is dropped."""
    teasers = [
        "More from World",
        "Floods hit northern Italy",
        "Markets fall on rate fears",
        "Election date set in Chile",
        "Five things to know today",
    ]
    (article,) = split_dump(dump(HARBOUR, teasers), language="en")
    assert not any(t in article.text for t in teasers)


def test_page_without_article_gives_nothing():
    """A section front of links and short lines has no article."""
    page = "\n".join(
        [
            "Home",
            "World",
            "Business",
            "Latest headlines",
            "Floods hit northern Italy",
            "Markets fall on rate fears",
            "Sign in",
            "Subscribe",
        ]
        * 3
    )
    assert split_dump(page, language="en") == []


def test_non_english_article_is_extracted():
    """Prose in another language is found with that language's stopwords."""
    body = [
        "BERLIN: Die Bundesregierung hat am Montag ein neues Programm für den Ausbau der "
        "Bahnstrecken im Osten des Landes beschlossen, das in den nächsten Jahren umgesetzt wird.",
        "Nach Angaben des Verkehrsministeriums sollen dafür mehr als zwei Milliarden Euro zur "
        "Verfügung stehen, die vor allem in die Sanierung alter Brücken fließen.",
        "Die Opposition kritisierte, dass die Mittel nicht ausreichen würden und dass die "
        "Planung der Projekte zu lange dauere.",
    ]
    (article,) = split_dump(
        dump(["Startseite", "Politik"], body, ["Teilen", "Drucken"]), language="de"
    )
    assert article.text.startswith("BERLIN:")
    assert "Drucken" not in article.text


def test_datelines():
    """Common dateline shapes give their place; ordinary sentences give none."""
    assert find_dateline("KAMPALA: Uganda's army denied") == "KAMPALA"
    assert find_dateline("LONDON (Reuters) - Shares fell") == "LONDON"
    assert find_dateline("NEW DELHI, Feb 12 (Reuters) - India said") == "NEW DELHI"
    assert find_dateline("The army denied that claim.") is None


def test_wire_datelines_under_a_capitals_headline():
    """'TAMPA, Fla., Oct 19 -' on the line under the headline is found when asked to look there."""
    text = "ANCHOR GLASS SEES FLAT RESULT\nTAMPA, Fla., Oct 19 - Anchor Glass Container said..."
    assert find_dateline(text) is None
    assert find_dateline(text, lines=2) == "TAMPA"
    assert find_dateline("MANILA, April 1, Reuter - Kidnapped businessman", lines=2) == "MANILA"
