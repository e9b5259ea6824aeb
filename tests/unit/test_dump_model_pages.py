"""The learned dump splitter (`COPYDESK_DUMP_SPLITTER=model`) on invented pages."""

from tests.unit.test_seed import TITLES
from tests.unit.test_textdump import GERMAN, HARBOUR, NAV, RAIL, dump
from worker.stages.textdump import split_dump


def test_the_article_is_kept_and_the_chrome_around_it_dropped():
    page = dump(
        NAV,
        ["Storm halts Norway ferry crossings", "By Kari Nordmann", "December 1, 2026"],
        HARBOUR,
        ["Share this article", "Most read", *NAV[:4], "© 2026 Example Media. All rights reserved."],
    )
    (article,) = split_dump(page, language="en")
    assert article.paragraphs == HARBOUR
    assert article.dateline == "OSLO"


def test_a_headline_around_the_body_is_its_title():
    page = dump(NAV, ["Valley railway to reopen after forty years"], RAIL, ["Share", *NAV[:3]])
    (article,) = split_dump(page, language="en")
    assert article.title == "Valley railway to reopen after forty years"


def test_a_page_of_links_has_no_article():
    page = "\n".join(
        ["Home", "World", "Latest headlines", "Floods hit northern Italy", "Sign in"] * 4
    )
    assert split_dump(page, language="en") == []


def test_a_german_article_is_found_with_german_stopwords():
    page = dump(["Startseite", "Politik", "Wirtschaft"], GERMAN, ["Teilen", "Drucken"])
    (article,) = split_dump(page, language="de")
    assert article.paragraphs == GERMAN


def test_the_seed_gives_its_two_articles_with_titles_and_datelines(seed_text):
    """Two wire stories back to back: two articles, the repeat of the second removed."""
    first, second = split_dump(seed_text, language="en")
    assert [first.title, second.title] == TITLES
    assert [first.dateline, second.dateline] == ["BRUSSELS", "KAMPALA"]
    assert "Kampala" not in first.text
    assert second.text.count("President Yoweri Museveni, 81, looked set") == 1


def test_two_whole_pages_in_a_row_give_two_articles():
    """Infinite scroll: each page with its menus, links and footer, one article from each."""
    footer = [
        "Most read",
        "Council approves budget for new swimming pool in the town centre",
        "Five things to do this weekend across the region",
        "Weather warning extended as heavy rain moves north",
        "© 2026 Example Media. All rights reserved.",
    ]
    page = dump(
        NAV,
        ["Valley railway to reopen after forty years", "By Tom Ellis"],
        RAIL,
        ["Share this article", *footer],
        NAV,
        ["Storm halts Norway ferry crossings", "By Kari Nordmann", "December 1, 2026"],
        ["Share", "Tweet", "Email", "Print"],
        HARBOUR,
        ["Share this article", *footer],
    )
    first, second = split_dump(page, language="en")
    assert first.paragraphs == RAIL
    assert second.paragraphs == HARBOUR
    assert (first.title, second.dateline) == ("Valley railway to reopen after forty years", "OSLO")
