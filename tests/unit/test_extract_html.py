"""The HTML path of the extract stage, on invented pages."""

from __future__ import annotations

from typing import Any

import ftfy
import pytest
import trafilatura
from trafilatura.utils import load_html

from schemas.job import Job
from worker.demo import DEMO_HTML
from worker.errors import BadInput, Reason
from worker.stages.extract import ExtractConfig, extract, fix_text, page_metadata

_PARAGRAPHS = [
    "NAIROBI: Kenya's central bank held its benchmark rate at 9.5 percent on Wednesday, saying "
    "inflation had eased for a third month but that the shilling remained exposed to swings in "
    "global fuel prices.",
    "Governor Amos Kiprono told reporters the committee saw room to cut later in the year if "
    "food prices kept falling after the long rains, which farmers in the Rift Valley said had "
    "arrived on time for the first season in three years.",
    "The decision was expected by most of the economists polled before the meeting, although two "
    "had forecast a quarter-point cut to support lending to small businesses.",
    "Commercial banks have tightened credit since the start of the year, and private-sector "
    "lending grew by less than four percent in the twelve months to March, the bank said.",
    "The Treasury has asked lenders to extend repayment periods for traders hit by the closure of "
    "the border crossing at Malaba, which handles most of the freight bound for Uganda.",
    "Analysts in Nairobi said the bank would watch the budget due in June closely, as the "
    "government tries to narrow a deficit that the International Monetary Fund has urged it to "
    "cut by raising revenue rather than by delaying payments to suppliers.",
    "The shilling traded at 129 to the dollar on Wednesday afternoon, little changed on the day.",
    "Tea and horticulture exporters, who earn most of the country's foreign currency, said a "
    "steady rate helped them plan, but asked the bank to act on the backlog of payments for "
    "shipments to Europe held up at the port of Mombasa.",
]

LONG_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Kenya central bank holds rate as inflation eases - Rift Post</title>
<link rel="canonical" href="https://riftpost.example/business/cbk-holds-rate">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Kenya central bank holds rate as inflation eases",
"datePublished": "2026-04-08T10:15:00+03:00",
"author": {{"@type": "Person", "name": "Wanjiru Otieno"}}}}</script>
</head><body>
<header><a href="/">Rift Post</a> <a href="/business">Business</a>
<a href="/sport">Sport</a></header>
<main><article><h1>Kenya central bank holds rate as inflation eases</h1>
<p><span class="author-name">Wanjiru Otieno</span>
<time datetime="2026-04-08">8 April 2026</time></p>
{"".join(f"<p>{p}</p>" for p in _PARAGRAPHS)}
</article></main>
<footer><p>Copyright 2026 Rift Post Media. All rights reserved.</p></footer>
</body></html>"""


SHORT_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry service resumes - Isle Times</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Ferry service resumes after storm</h1>
<p>KIRKWALL: Ferries between the Orkney mainland and the northern isles sailed again on Sunday
after two days in port, the operator said.</p>
<p>Crossings to Westray and Sanday ran to the winter timetable, with extra freight sailings for
shops that had run short of milk and bread.</p></article>
<footer><p>Isle Times 2026</p></footer></body></html>"""


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def _job(content: str) -> Job:
    return Job(job_id="html", content=content, content_type="text/html")


@pytest.mark.parametrize("page", [DEMO_HTML, LONG_PAGE])
def test_page_metadata_is_what_trafilatura_reads(page: str) -> None:
    """Title, author, date and URL as trafilatura's full metadata reader gives them."""
    ours = page_metadata(load_html(page), None)
    theirs = trafilatura.extract_metadata(page)
    for field in ("title", "author", "date", "url"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.author in {"Jo Whitlam", "Wanjiru Otieno"}


def test_a_long_article_takes_one_pass_and_a_short_one_the_comparison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The readability/jusText comparison runs only when the fast pass found little text."""
    passes: list[bool] = []
    real = trafilatura.bare_extraction

    def spy(*args: Any, **kwargs: Any) -> Any:
        passes.append(kwargs["fast"])
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    [long] = extract(_job(LONG_PAGE), LONG_PAGE, cfg=ExtractConfig())
    assert passes == [True]
    assert long.title == "Kenya central bank holds rate as inflation eases"
    assert long.author == "Wanjiru Otieno"
    assert long.published == "2026-04-08"
    assert long.url == "https://riftpost.example/business/cbk-holds-rate"
    assert long.dateline == "NAIROBI"
    assert _lines(long.text) == [long.title, *_PARAGRAPHS]
    passes.clear()
    [short] = extract(_job(SHORT_PAGE), SHORT_PAGE, cfg=ExtractConfig())
    assert passes == [True, False]
    assert _lines(short.text)[1].startswith("KIRKWALL: Ferries between the Orkney mainland")
    assert "Isle Times 2026" not in short.text


def test_a_page_nested_past_the_limit_is_hostile_and_a_long_flat_svg_is_not() -> None:
    deep = "<html><body>" + "<div>" * 300 + "<p>x</p>" + "</div>" * 300 + "</body></html>"
    with pytest.raises(BadInput) as err:
        extract(_job(deep), deep, cfg=ExtractConfig())
    assert err.value.reason is Reason.HOSTILE
    icons = "<svg>" + '<path d="M0 0h24v24H0z"/>' * 3000 + "</svg>"
    page = LONG_PAGE.replace("<header>", "<header>" + icons)
    [article] = extract(_job(page), page, cfg=ExtractConfig())
    assert _lines(article.text)[1:] == _PARAGRAPHS


@pytest.mark.parametrize(
    "text",
    [
        "Plain line\ncafÃ© au lait\n\tTabbed &amp; escaped\r\nnext\n",
        "A <b> tag first\nthen &amp; stays\nâ€œquotedâ€\x9d\n",
        "ﬁne ligature\n\x1b[31mred\x1b[0m\nctrl\x00char\nＷＩＤＥ\n",
        "no newline at the end: Ã©tÃ©",
        "",
        "\n\n",
    ],
)
def test_fix_text_is_ftfy_line_for_line(text: str) -> None:
    """Skipping the lines ftfy leaves alone changes nothing it would have fixed."""
    assert fix_text(text) == ftfy.fix_text(text, normalization="NFC")
    assert fix_text("cafÃ© au lait\n") == "café au lait\n"


def test_metadata_that_trips_on_a_page_leaves_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura's metadata readers raising on odd markup cost the metadata, not the article."""

    def broken(*_: Any, **__: Any) -> None:
        raise ValueError("odd date markup")

    monkeypatch.setattr("worker.stages.extract.find_date", broken)
    [article] = extract(_job(LONG_PAGE), LONG_PAGE, cfg=ExtractConfig())
    assert _lines(article.text)[1:] == _PARAGRAPHS
    assert article.title is None
    assert article.published is None
