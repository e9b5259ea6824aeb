"""Hostile input shapes (those `make adversarial` times): what each gives, not how fast.

Every shape ends as clean articles or as a refusal with a reason, never as an exception; names
around hostile runs are still tagged with offsets into the text.
"""

import re

import pytest

from bench.adversarial import SHAPES
from worker.pipeline import InlineRun
from worker.resources import Resources
from worker.settings import Settings

SIZE = 20_000
IN_PROSE = ("email-like run", "quote run", "paren run", "long token", "symbols in prose")
KEPT = (*IN_PROSE, "url chain in html")  # content of the page itself, kept as its text
_RUN = re.compile(r"([^\w\s])\1{99,}|\S{500,}")


@pytest.fixture(scope="module")
def runner():
    return InlineRun(Resources(Settings(max_content_bytes=8 * SIZE)))


def through(runner, name, size=SIZE):
    content, ctype = SHAPES[name](size)
    job_id = name.replace(" ", "-")
    before = len(runner.failures)
    articles = runner.run([{"job_id": job_id, "content": content, "content_type": ctype}])
    return articles, runner.failures[before:]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_shape_ends_as_clean_articles_or_a_reasoned_refusal(runner, name):
    articles, failures = through(runner, name)
    assert all(reason in ("hostile", "empty_content") for _, reason, _ in failures), failures
    for a in articles:
        if name not in KEPT:
            assert not _RUN.search(a.text), f"{name}: a chrome-like run reached the article"
        for m in a.entities:
            assert a.text[m.start : m.end] == m.text


@pytest.mark.parametrize("name", IN_PROSE)
def test_names_around_a_hostile_run_are_tagged(runner, name):
    (article,), _ = through(runner, name)
    names = {m.text for m in article.entities}
    assert {"Nairobi", "William Ruto", "Mombasa"} <= names


def test_the_line_limit_holds_for_html_read_as_text(runner):
    """A fragment (no page structure) is read as a dump: a 150,000-character line is refused."""
    job = {"job_id": "long-line-html", "content": "<p>" + "a.com/" * 25_000 + "</p>",
           "content_type": "text/html"}  # fmt: skip
    runner.run([job])
    assert runner.failures[-1][:2] == ("long-line-html", "hostile")


def test_a_page_of_line_breaks_around_an_article_keeps_the_article():
    """20,000 <br> after the article: the article is read (they used to cost 10x real text)."""
    paragraphs = "".join(
        f"<p>Officials in Nairobi said on day {i} that the rail link to Mombasa would open next "
        f"year after lenders agreed terms, and that freight would move first ({i}).</p>"
        for i in range(4)
    )
    html = f"<html><body><article>{paragraphs}{'<br>' * 20_000}</article></body></html>"
    runner = InlineRun(Resources(Settings(max_content_bytes=8 * SIZE)))
    (article,) = runner.run([{"job_id": "br", "content": html, "content_type": "text/html"}])
    assert "Mombasa" in article.text
