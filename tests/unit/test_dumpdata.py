"""How the dump model's training labels are made from a page and its expected body."""

import random

from bench.dumpdata import Page, body_mask, chrome_line, cropped, labelled_dump, transplanted
from worker.stages.dump_lines import DumpConfig, describe, read_lines, stoplist

CFG = DumpConfig()
BODY = [
    "The harbour authority in Larvik said on Monday that both ferry ramps would be replaced "
    "before the summer season, after the storm left one of them hanging from its hinges.",
    "Repairs will cost about four million crowns, the authority said, and the town will ask "
    "the regional government to pay half of it.",
    "Ramps and timetables",
    "Until the new ramps are in place, ferries to Denmark will leave from the freight quay, "
    "where passengers board on foot through a covered walkway.",
]
COPPER = [
    "Zambia's copper output rose for a third month in October, the mines ministry said, as "
    "new smelters came on line in the Copperbelt province.",
    "Copper accounts for about seventy percent of export earnings, and the government wants "
    "to triple output within ten years.",
]
CHROME = ["Home", "Travel", "Share this article", "Most read", "Ferries cancelled again"]


def page_text():
    return "\n".join([*CHROME[:2], "Ferry ramps to be replaced", *BODY, *CHROME[2:], BODY[1]])


def test_lines_of_the_expected_body_are_body_and_the_rest_is_not():
    lines = read_lines(page_text(), stops=stoplist("en"), cfg=CFG)
    mask = body_mask(lines, "\n\n".join(BODY))
    texts = [li.text for li, m in zip(lines, mask, strict=True) if m]
    assert texts == BODY  # the subhead too, not the headline, the chrome or the repeat


def test_a_labelled_page_opens_its_article_at_its_first_body_line():
    page = Page(id="p", source="s", group="g", text=page_text(), expected=["\n\n".join(BODY)])
    dump = labelled_dump([page], tail=False, cfg=CFG)
    assert dump.labels.count("B") == 1
    assert dump.labels.index("B") == 3
    assert dump.labels.count("I") == len(BODY) - 1


def test_two_pages_in_one_dump_have_two_starts_and_a_repeated_tail_is_chrome():
    a = Page(id="a", source="s", group="g1", text=page_text(), expected=["\n\n".join(BODY)])
    b = Page(
        id="b",
        source="s",
        group="g2",
        text="\n".join(["Menu", *COPPER, "Footer"]) + "\n",
        expected=["\n\n".join(COPPER)],
    )
    dump = labelled_dump([a, b], tail=True, cfg=CFG)
    assert dump.labels.count("B") == 2
    assert dump.labels[-1] == "O"  # the second body's repeat at the end


def test_a_cropped_page_keeps_its_body_with_a_few_lines_around_it():
    page = Page(id="p", source="s", group="g", text=page_text(), expected=["\n\n".join(BODY)])
    short = cropped(page, before=1, after=0, cfg=CFG)
    assert short.text.splitlines() == ["Ferry ramps to be replaced", *BODY]


def test_invented_chrome_lines_carry_the_chrome_marks():
    rng = random.Random(1)  # noqa: S311 (invented test data)
    lines = [chrome_line(rng) for _ in range(200)]
    assert len(set(lines)) > 100
    marked = [describe(x, stops=frozenset(), repeat=False, cfg=CFG).flags for x in lines]
    assert sum(bool(m) for m in marked) > 100  # links, credits, copyright, e-mail, handles


def test_a_transplanted_page_is_its_article_amid_the_other_pages_chrome():
    page = Page(id="p", source="s", group="g", text=page_text(), expected=["\n\n".join(BODY)])
    header = ["Mining Weekly", "Markets", "Africa", "Copper output rises again", "By J. Banda"]
    footer = ["Related stories", "Gold slips", "Contact us", "© 2026 Mining Weekly"]
    mining = Page(
        id="m",
        source="s",
        group="g2",
        text="\n".join([*header, *COPPER, *footer]) + "\n",
        expected=["\n\n".join(COPPER)],
    )
    moved = transplanted(page, mining, mining, CFG)
    assert moved is not None
    # the other page's header less its own headline region, this page's headline, its
    # article, the other page's footer
    assert moved.text.splitlines() == [
        *header[:2],
        *page_text().splitlines()[:3],
        *BODY,
        *footer,
    ]
    dump = labelled_dump([moved], tail=False, cfg=CFG)
    assert [li.text for li, lab in zip(dump.lines, dump.labels, strict=True) if lab != "O"] == BODY
