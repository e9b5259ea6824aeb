"""The plain-text dump splitter on invented pages."""

from worker.stages.dump_rules import SplitConfig, describe, split_dump
from worker.stages.textdump import find_dateline, stoplist

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


GERMAN = [
    "BERLIN: Die Bundesregierung hat am Montag ein neues Programm für den Ausbau der "
    "Bahnstrecken im Osten des Landes beschlossen, das in den nächsten Jahren umgesetzt wird.",
    "Nach Angaben des Verkehrsministeriums sollen dafür mehr als zwei Milliarden Euro zur "
    "Verfügung stehen, die vor allem in die Sanierung alter Brücken fließen.",
    "Die Opposition kritisierte, dass die Mittel nicht ausreichen würden und dass die "
    "Planung der Projekte zu lange dauere.",
]


def test_non_english_article_is_extracted():
    """Prose in another language is found with that language's stopwords."""
    (article,) = split_dump(
        dump(["Startseite", "Politik"], GERMAN, ["Teilen", "Drucken"]), language="de"
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
    """'MOBILE, Ala., Oct 19 -' on the line under the headline is found when asked to look there."""
    text = "GULF FERRIES SEES FLAT YEAR\nMOBILE, Ala., Oct 19 - Gulf Ferries Inc said..."
    assert find_dateline(text) is None
    assert find_dateline(text, lines=2) == "MOBILE"
    assert find_dateline("LIMA, April 1, Reuter - A detained trader was freed", lines=2) == "LIMA"


RAIL = [
    "The regional government approved a plan on Tuesday to reopen the Kessel Valley railway "
    "between Aldwick and Morley, closed to passengers for more than forty years, after a long "
    "campaign by residents who said the valley road was no longer safe in winter.",
    "Transport minister Ruth Brandt said the first trains between Aldwick and Morley could run "
    "within three years if the survey confirms that the Kessel tunnels and the iron bridge can "
    "be repaired rather than rebuilt, keeping the railway within its budget.",
    "Businesses in Aldwick welcomed the decision, saying the Kessel Valley railway would bring "
    "visitors back and let young people from Morley reach the college without a car, while "
    "farmers asked Brandt for a freight siding at Aldwick station.",
    "Opponents on the council argued that buses would serve Aldwick and Morley better for the "
    "same money and called the passenger figures for the Kessel Valley railway optimistic, but "
    "the motion passed by a clear majority after a long debate.",
    "The company that owns the Kessel Valley line said it would hand the railway to the regional "
    "government for a symbolic sum, and Brandt said volunteers who run heritage trains near "
    "Morley would be offered places in the new operating company.",
    "A public meeting on the timetable and the stations at Aldwick, Kessel and Morley is planned "
    "for next month, where residents will see the drawings and put questions to Brandt and the "
    "railway engineers.",
    "Brandt said the Aldwick to Morley service would use battery trains charged at Morley, so "
    "that the Kessel Valley line would not need overhead wires through the tunnels, and that "
    "the railway would connect with the main line at Aldwick.",
    "Campaigners who collected signatures in Aldwick and Morley for a decade said they would "
    "keep watching the Kessel Valley railway plan until the first train runs, and thanked Brandt "
    "for visiting the valley before the vote.",
]
FERRY = [
    "Hundreds of ferry passengers were stranded in Oslo and Larvik on Monday after the storm "
    "closed both harbours and damaged the loading ramps used by the ferries to Denmark.",
    "The ferry company said stranded passengers would be offered hotel rooms in Oslo and Larvik "
    "until the storm passed and the harbours reopened, or a full refund of their tickets.",
    "Harbour staff in Larvik said the storm had torn two ferry ramps from their moorings, and "
    "that passengers stranded overnight had been given blankets in the terminal.",
    "By Tuesday the storm had eased in Oslo, and the ferry company said the first stranded "
    "passengers could leave the harbour on a reduced timetable to Denmark in the evening.",
    "Passengers stranded in Larvik will have to wait longer: the harbour there stays closed "
    "until engineers have repaired the ferry ramps damaged by the storm.",
    "The storm also closed roads near the harbours, and the ferry company asked stranded "
    "passengers in Oslo and Larvik not to travel to the terminals until told to.",
]
GADGETS = [
    (
        "Heated gloves with a battery pack",
        "Winter cycling is miserable with cold fingers, and these gloves solve it with a "
        "thin heating element in each finger that runs for about four hours on one "
        "charge, which covered my whole commute for a week of frost without a single "
        "recharge.",
    ),
    (
        "A pocket hand warmer that charges your phone",
        "This small brick doubles as a hand warmer and a power bank, and on the coldest "
        "mornings of the winter it kept both my hands and my phone going through a long "
        "wait on the station platform while the trains were delayed by ice.",
    ),
    (
        "A smart thermostat for the old radiator",
        "Replacing the valve on an old radiator with this smart thermostat took ten "
        "minutes, and the room now warms up before I get home, which made a noticeable "
        "difference to the winter gas bill without any change to the heating system "
        "itself.",
    ),
    (
        "A lamp that fakes the morning sun",
        "Dark winter mornings make it hard to get up, and this lamp brightens slowly over"
        " half an hour before the alarm, so that waking up feels less like a shock; it "
        "also works as a reading light in the evening with a warmer colour.",
    ),
    (
        "Insulated bottle that keeps tea hot all day",
        "Of all the gadgets on this list this is the simplest, a steel bottle with a "
        "double wall that still held hot tea after a full day on a winter walk in the "
        "hills, and it fits in the side pocket of most rucksacks without leaking.",
    ),
    (
        "Thermal socks for the coldest days",
        "Good socks matter more than any gadget in winter, but these thermal socks with a"
        " thin merino layer earned their place on this list by staying warm and dry "
        "through a whole day of snow on the hills, and they survived thirty washes "
        "without shrinking.",
    ),
    (
        "Boot dryer for wet winter days",
        "Wet boots are the worst part of winter walking, and this quiet dryer with two "
        "warm prongs dries a soaked pair overnight without cracking the leather, which is"
        " more than can be said for leaving them next to a hot radiator.",
    ),
]

NAV = ["Home", "News", "Sport", "Weather", "Business", "Culture", "Travel", "Sign in", "Search"]


def test_another_page_article_without_dateline_or_dense_paragraphs_is_found():
    """Infinite scroll: a second page's reviews, each under its own heading and shop link, are
    another article (its headline is above it), not dropped for their gaps."""
    items = [line for name, text in GADGETS for line in (name, "See it at Example Shop", text)]
    page = dump(
        ["Valley railway to reopen after forty years"],
        RAIL,
        ["Share this article", "© 2026 Example Media. All rights reserved.", *NAV],
        ["The winter gadgets worth buying: heated gloves, warm bottles and more"],
        items,
        ["Example Reviews is supported by its readers."],
    )
    first, second = split_dump(page, language="en")
    assert first.title == "Valley railway to reopen after forty years"
    assert first.text == "\n\n".join(RAIL)
    assert all(text in second.text for _, text in GADGETS)
    assert "railway" not in second.text


def test_a_heading_shaped_like_a_dateline_does_not_start_an_article():
    """A subhead in capitals with a dash is not a wire dateline opening another story."""
    page = dump(NAV, HARBOUR[:2], ["RAMPS – What the engineers found"], HARBOUR[2:], NAV[:3])
    (article,) = split_dump(page, language="en")
    assert article.dateline == "OSLO"
    assert all(p in article.text for p in HARBOUR)


def test_a_story_cut_by_a_gallery_is_one_article():
    """A gallery inside the second page's story leaves it one article, not two."""
    gallery = [f"Photo {i} of 8: the harbour front" for i in range(1, 9)]
    page = dump(
        ["Zambia copper output hits four-year high"],
        MINES,
        ["Share this article", *NAV],
        ["Ferry passengers stranded as storm closes harbours"],
        FERRY[:3],
        gallery,
        FERRY[3:],
    )
    first, second = split_dump(page, language="en")
    assert first.text == "\n\n".join(MINES)
    assert second.title == "Ferry passengers stranded as storm closes harbours"
    assert second.text == "\n\n".join(FERRY)


def test_a_contact_block_is_chrome():
    """A line with an address to write to and a number to call is page furniture, however long."""
    stops = stoplist("en")
    contact = (
        "Our reader service can be contacted with any questions or requests: telephone "
        "+44 20 7946 0958, e-mail help@example.org. The centre is staffed on weekdays between "
        "07:00 and 18:00 and handles delivery requests on Saturdays."
    )
    assert describe(contact, stops=stops).chrome
    assert not describe("Write to the reporter at desk@example.org with tips.", stops=stops).chrome
    assert not describe(HARBOUR[2], stops=stops).chrome


def test_comments_longer_than_the_article_are_not_an_article():
    """A comment thread (a name and a time before each comment) is dropped, however long."""
    comments = []
    for n, (_, text) in enumerate(GADGETS):
        comments += [f"reader{n}", f"{n + 1} days ago at 07:5{n} am", text, "Reply"]
    page = dump(
        ["Valley railway to reopen after forty years"],
        RAIL[:4],
        ["Share this article", "[ 12 comments ]", "Top Rated Comments"],
        comments,
    )
    (article,) = split_dump(page, language="en")
    assert article.title == "Valley railway to reopen after forty years"
    assert article.text == "\n\n".join(RAIL[:4])


def test_a_short_story_is_found_by_the_names_its_headline_shares_with_it():
    """Infinite scroll across languages: the headline's words are stopwords in the pooled
    German list ('former', 'president', 'Berlin'), but its names still mark the short story."""
    german = [
        "Der Stadtrat von Leipzig hat am Dienstag ein neues Netz von Radwegen beschlossen, das in "
        "den kommenden fünf Jahren die Innenstadt mit allen Vororten verbinden soll.",
        "Nach Angaben der Verwaltung kostet das Vorhaben rund vierzig Millionen Euro, von denen "
        "ein großer Teil aus Fördermitteln des Landes Sachsen kommen soll.",
        "Die Händler in der Innenstadt äußerten sich zurückhaltend, weil auf mehreren Straßen "
        "Parkplätze wegfallen, während Verbände der Radfahrer den Beschluss lobten.",
        "Die ersten Abschnitte sollen schon im nächsten Frühjahr gebaut werden, zunächst entlang "
        "der großen Ausfallstraßen im Norden und im Westen der Stadt.",
    ]
    story = [
        "A former German president died on Sunday at his home in Berlin at the age of 94, his "
        "family said, after a short illness that had kept him in hospital for a week.",
        "Tributes came from across Berlin and from abroad; the German government ordered flags "
        "on public buildings flown at half mast until the state funeral next month.",
    ]
    page = dump(
        ["Leipzig baut ein Netz von Radwegen"],
        german,
        ["Teilen", "Drucken", *NAV],
        ["Former German president dies in Berlin"],
        story,
        NAV[:4],
    )
    first, second = split_dump(page, language=["de", "en"])
    assert first.text == "\n\n".join(german)
    assert second.title == "Former German president dies in Berlin"
    assert second.text == "\n\n".join(story)


def test_a_list_the_article_introduces_is_part_of_it():
    """A listicle: numbered items (links between them skipped), short lines sharing a separator,
    or short lines each under a label ('Route 1: ...'), under a line of the article ending in a
    colon; without that line, a list stays out, and a numbered list stops at the first item out
    of order."""
    offers = [
        "Bargain hunters, here are the offers on camping gear worth a look this weekend:",
        "1) Two-person dome tent with porch",
        "https://shop.example/t1",
        "2) Folding camp stove, three burners",
        "https://shop.example/t2",
        "3) Down sleeping bag for minus five degrees",
        "https://shop.example/t3",
    ]
    page = dump(["Ferry strike ends"], HARBOUR, offers, ["Related", "1) Most read story"])
    (article,) = split_dump(page, language="en")
    assert article.paragraphs == [*HARBOUR, offers[0], offers[1], offers[3], offers[5]]

    dates = [
        "The ferry company gave the restored winter timetable as follows:",
        "Dec. 2 -- Oslo to Frederikshavn, morning crossing",
        "Dec. 3 -- Larvik to Hirtshals, evening crossing",
        "Dec. 5 -- Oslo to Kiel, overnight crossing",
    ]
    routes = [
        "The company said crossings would resume route by route, in this order:",
        "Route 1: Oslo to Frederikshavn",
        "Route 2: Larvik to Hirtshals",
        "Route 3: Oslo to Kiel, freight only",
    ]
    for items in (dates, routes):  # a separator in each item; a label before a colon
        (article,) = split_dump(dump(HARBOUR, items), language="en")
        assert article.paragraphs == HARBOUR + items

    teasers = ["More from the desk", *offers[1:]]
    (article,) = split_dump(dump(HARBOUR, teasers), language="en")
    assert article.paragraphs == HARBOUR


def test_a_cookie_notice_is_chrome():
    """A site's cookie notice reads like prose but is page furniture; cookies in a story stay."""
    stops = stoplist("en")
    notice = (
        "We use cookies to make sure you get the best experience on our website. If you keep "
        "using this site we will assume that you are happy with it."
    )
    assert describe(notice, stops=stops).chrome
    bakery = "The bakery sold more than four thousand cookies on the first day of the fair."
    assert not describe(bakery, stops=stops).chrome


def test_photo_credits_and_expandable_captions_are_chrome():
    """A credit line, a caption carrying a credit, and a caption shown cut and whole with its
    'more' / 'less' toggle are page furniture; a story that mentions a photo is not."""
    stops = stoplist("en")
    for credit in (
        "Photo: Jane Doe, AP",
        "Image Credit: Harbour Authority",
        "Crews clear a fallen tree in Larvik on Monday. (AP Photo/Jane Doe)",
    ):
        assert describe(credit, stops=stops).chrome, credit
    story = "The photo, taken by a passenger on Monday, shows waves breaking over the ramp."
    assert not describe(story, stops=stops).chrome
    caption = (
        "Passengers wait at the ferry terminal in Oslo, Norway, on Monday, Dec. 1, after the "
        "storm damaged the loading ramps at two harbours. The company said that it hoped to "
        "restore a reduced timetable by the middle of the week."
    )
    page = dump(
        ["Ferry strike ends"],
        HARBOUR[:2],
        [caption + " less", caption[:90] + " ... more"],
        HARBOUR[2:],
    )
    (article,) = split_dump(page, language="en")
    assert article.paragraphs == HARBOUR


def test_sentences_ending_in_a_colon_or_a_reference_stay_inside_an_article():
    """A line that introduces a quotation with a colon, and a quoted sentence closed by its
    source in brackets, are article text between article paragraphs; a comment's header
    ('Name on date at time said:') is not."""
    inner = [
        "At a briefing in Oslo on Monday the harbour master put it to reporters this way:",
        '"We would rather keep the ships in port for another day than send them into that sea." '
        "[Harbour bulletin 14]",
    ]
    page = dump(HARBOUR[:2], inner, HARBOUR[2:])
    (article,) = split_dump(page, language="en")
    assert article.paragraphs == [*HARBOUR[:2], *inner, *HARBOUR[2:]]

    header = "Kari Nordmann on December 2, 2026 at 9:14 am said:"
    (article,) = split_dump(dump(HARBOUR[:2], [header], HARBOUR[2:]), language="en")
    assert header not in article.paragraphs


def test_a_paywalled_stub_under_a_byline_and_time_is_an_article():
    """Another page's opinion piece cut by its paywall after two paragraphs: its headline shares
    no word with them, but a byline and a time over them mark an article, with the headline
    above as its title and the line under that as its standfirst. A teaser with a byline and
    one paragraph is still not one."""
    stub = [
        "Should a harbour pay for the storm?",
        "Insurers and port authorities disagree about who covers damage to public ramps.",
        "By",
        "Ola Nordmann",
        "Dec. 2, 2026 7:04 pm ET",
        "When the wind tore two loading ramps from their hinges last week, the bill landed on "
        "the desk of a municipal authority that had cancelled its own insurance in the spring.",
        "The ferry company, whose passengers waited for two days, says the ramps are public "
        "property and that the town should have kept them insured against exactly this.",
        "To Read the Full Story",
        "Subscribe Sign In",
    ]
    page = dump(["Ferry strike ends"], HARBOUR, ["Share this article", *NAV], stub, NAV)
    first, second = split_dump(page, language="en")
    assert first.paragraphs == HARBOUR
    assert second.paragraphs == stub[5:7]
    assert second.title == "Should a harbour pay for the storm?"
    assert second.summary == stub[1]

    teaser = [*stub[:5], stub[5], "Most read", *NAV]
    (only,) = split_dump(dump(["Ferry strike ends"], HARBOUR, NAV, teaser), language="en")
    assert only.paragraphs == HARBOUR


def test_a_sentence_ending_in_an_emoji_is_a_sentence():
    """'See you at the harbour festival! 🙂' ends a sentence; the emoji does not hide it."""
    stops = stoplist("en")
    assert describe(
        "We hope to see you all at the harbour festival next week! 🙂", stops=stops
    ).sentence_end
    assert describe(
        "Tickets go on sale at the harbour office on Monday. ⬇️", stops=stops
    ).sentence_end
    assert not describe("Harbour festival tickets 🙂", stops=stops).sentence_end


ACCOUNT_NOTICE = [
    "Are you sure you want to delete your account? Deleting it removes your saved articles, "
    "your comments and your newsletter choices from our site for good.",
    "We are committed to protecting your personal information, and we have updated our privacy "
    "policy to explain which data we collect, why, and how long we keep it.",
    "If you do not want us to go on processing your data, you can close your account at any "
    "time from the settings page of this site, or ask us to do it for you.",
    "If you have questions about our privacy policy or about your account, please write to the "
    "readers' desk, which answers every message within two working days.",
]


def test_an_account_and_privacy_notice_is_not_an_article():
    """The site talking to its reader about itself, headed like a story, is chrome."""
    page = dump(
        ["Storm halts Norway ferry crossings"],
        HARBOUR,
        ["Share", "Most read", "Sign in", "Register", "Newsletters", "Contact", "Jobs", "Archive"],
        ["Delete your account"],
        ACCOUNT_NOTICE,
        ["© 2026 Example Media. All rights reserved."],
    )
    [article] = split_dump(page, language="en")
    assert article.title == "Storm halts Norway ferry crossings"
    assert "privacy" not in article.text
    unchecked = split_dump(page, language="en", cfg=SplitConfig(site_notice_share=2.0))
    assert len(unchecked) == 2  # the same page, the notice taken for a story without the rule


def test_a_story_cut_by_a_gallery_repeating_its_headline_is_one_article():
    """A gallery that repeats the headline sits further inside a story than an advert does."""
    more = [
        "Harbour officials in Larvik said engineers would inspect the damaged loading ramps on "
        "Tuesday, and that ferry crossings to Denmark could restart once the storm eased.",
        "Hotels near the ferry harbours in Oslo and Larvik said stranded passengers had taken "
        "most of their rooms, and freight customers waited for the crossings to restart.",
        "The ferry operator said it would publish a reduced timetable for crossings to Hirtshals "
        "and Frederikshavn, and asked passengers not to travel to the harbours before checking it.",
    ]
    gallery = [
        "Photo 1 of 6",
        "Ferry at the quay in Larvik",
        "Expand",
        "Photo 2 of 6",
        "Waves over the harbour wall",
        "Storm halts Norway ferry crossings",
        "Share this gallery",
        "Next",
        "Previous",
        "Close",
    ]
    page = dump(["Storm halts Norway ferry crossings"], HARBOUR, gallery, more)
    [article] = split_dump(page, language="en")
    assert article.title == "Storm halts Norway ferry crossings"
    assert article.text.startswith("OSLO:")
    assert "asked passengers not to travel" in article.text
    assert "Photo 2 of 6" not in article.text
    without_repeat = dump(
        ["Storm halts Norway ferry crossings"], HARBOUR, gallery[:5], gallery[6:], more
    )
    [cut] = split_dump(without_repeat, language="en")  # that far, without the repeat: a teaser
    assert "asked passengers not to travel" not in cut.text


def test_blocks_either_side_of_a_list_of_sentence_fragments_are_one_text():
    """A changelog between two parts of a text keeps them together; a menu does not."""
    intro = [
        "Version 3.2 of the Harbour ferry app is out today for phones and tablets.",
        "Here is what changed since the summer release!",
    ]
    changes = [
        "Tickets stored offline",
        "Faster seat booking at busy times",
        "Dark mode for night crossings",
        "Bugs fixed in the payment screen",
        "Better support for older phones",
    ]
    body = [
        "Commuters who cross the fjord every day can keep a season pass in the app and show it "
        "at the gate without a paper copy, even when the signal drops at the quay.",
        "Families travelling in summer can choose cabins, book meals on board and add a car to "
        "the booking in one place, then share the tickets with everyone in the group.",
        "Lorry drivers get their own booking screen with vehicle lengths, freight lanes and the "
        "loading times of every sailing on the routes they use most often.",
    ]
    (article,) = split_dump(dump(["Harbour app 3.2 released"], intro, changes, body), language="en")
    assert article.paragraphs[:2] == intro
    assert article.paragraphs[-3:] == body
    menu = ["Ferry Times", "Season Tickets", "Port Guides", "Contact Us", "Help Centre"]
    (article,) = split_dump(dump(["Harbour app 3.2 released"], intro, menu, body), language="en")
    assert article.paragraphs == body
