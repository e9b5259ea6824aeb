"""The tag stage: people, organisations and places with offsets, names resolved, places placed.

Each language's spaCy NER pipeline is the base (English: our own, trained on CoNLL-2003 news
by `make train-ner`); its CoNLL labels are published as OntoNotes ones (`published_label`). On
top of it, each rule kept because it helps on documents the tagger never saw: the dateline's
place with its country, possessives trimmed, and people's surnames (a later bare surname of a
person named in full is that person, and short names resolve to the fullest name in the
article: 'Hegseth' -> 'Pete Hegseth').
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from schemas.article import Article, EntitySummary, Mention
from worker.gazetteer import MAX_NAME_WORDS, STATE_ABBREVIATIONS, Gazetteer, candidate_names
from worker.stages.dump_lines import stoplist

if TYPE_CHECKING:
    from spacy.language import Language


LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
GAZETTEER = "gazetteer"
_POSSESSIVE = ("'s", "’s", "'", "’")
_ARTICLES = ("the ", "The ")
# Long texts go to the model in pieces of about this many characters, cut at line breaks, a
# few pieces per batch: a 3,600-word article tagged whole took 65 MB more, three in a batch
# 137 MB, and padding to the longest text of a batch wasted time. Entities are local (the
# model sees a few tokens either side), so a cut at a paragraph changes almost none of them
# (21 of 22,113 spans on the dev articles).
CHUNK_CHARS = 4000
BATCH_SIZE = 8


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without a leading article ('the Federal Reserve') or a trailing possessive."""
    span = text[start:end]
    for article in _ARTICLES:
        if span.startswith(article) and len(span) > len(article) + 1:
            start += len(article)
            span = span[len(article) :]
            break
    for suffix in _POSSESSIVE:
        if span.endswith(suffix) and len(span) > len(suffix) + 1:
            return start, end - len(suffix)
    return start, end


def _canonical_people(mentions: list[Mention]) -> dict[str, str]:
    """Each person's name to the longest name in the article that ends with it.

    Every token suffix of every name is indexed once (longest name first), so the cost is the
    number of name tokens, not the square of the number of names.
    """
    names = sorted({m.text for m in mentions if m.label == "PERSON"}, key=len, reverse=True)
    longest: dict[tuple[str, ...], str] = {}
    for name in names:
        tokens = tuple(name.split())
        for k in range(1, len(tokens)):
            longest.setdefault(tokens[-k:], name)
    return {name: longest.get(tuple(name.split()), name) for name in names}


DATELINE_REACH = 400


def dateline_span(article: Article) -> tuple[int, int] | None:
    """Where the article's dateline stands: at the start of one of its first lines."""
    if not article.dateline:
        return None
    at = article.text.find(article.dateline, 0, DATELINE_REACH)
    if at < 0 or (at > 0 and article.text[at - 1] != "\n"):
        return None
    return at, at + len(article.dateline)


_DATELINE_END = re.compile(r"\s+(?:-|--|–|—)\s|:\s|\(")


def dateline_country(article: Article, gazetteer: Gazetteer) -> str | None:
    """The dateline's country: a state or country written after the place decides.

    'HORSHAM, Pa.' is in the US, 'TAUPO, New Zealand' in New Zealand; else the place's own.
    """
    if not article.dateline:
        return None
    span = dateline_span(article)
    if span is not None:
        rest = article.text[span[1] : span[1] + 80].split("\n", 1)[0]
        rest = _DATELINE_END.split(rest, 1)[0]
        for part in rest.split(",")[1:]:
            qualifier = part.strip()
            if code := STATE_ABBREVIATIONS.get(qualifier) or gazetteer.country(qualifier):
                return code
    return gazetteer.country(article.dateline.title())


Span = tuple[int, int, str]


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]?(?= )")


def _cut(text: str, start: int, size: int) -> int:
    """Where the piece from `start` ends, within `size` characters.

    At the last line break, else the last sentence end, else the last space, else at `size`.
    """
    limit = start + size
    cut = text.rfind("\n", start + 1, limit)
    if cut > start:
        return cut
    ends = [m.end() for m in _SENTENCE_END.finditer(text, start + 1, limit)]
    if ends:
        return ends[-1]
    cut = text.rfind(" ", start + 1, limit)
    return cut if cut > start else limit


def pieces(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """`text` cut into (offset, piece) of at most `size` characters, at line breaks where it can.

    A paragraph longer than `size` is cut after a sentence (else at a space): the model's memory
    grows with the length of what it is given, by 45 MB for one 12,000-character paragraph.
    """
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > size:
        cut = _cut(text, start, size)
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


# spaCy's tokenizer splits prefixes and suffixes off a token one at a time, rescanning the rest:
# a token of 4,000 '"' or '★' takes seconds, 16,000 '★' 24 s. No name is that long: a token of
# `LONG_TOKEN` characters or more is blanked before the model reads the text (spaces of the
# same length, so every offset still indexes the original text).
LONG_TOKEN = 100
_LONG_TOKEN = re.compile(rf"\S{{{LONG_TOKEN},}}")


def defused(text: str) -> str:
    """The text with every token of `LONG_TOKEN` characters or more blanked, offsets unchanged."""
    return _LONG_TOKEN.sub(lambda m: " " * len(m.group(0)), text)


def ner_spans(nlp: Language, texts: Sequence[str]) -> list[list[Span]]:
    """(start, end, label) of the model's entities in each text, offsets into that text."""
    parts = [(i, off, piece) for i, t in enumerate(texts) for off, piece in pieces(defused(t))]
    out: list[list[Span]] = [[] for _ in texts]
    docs = nlp.pipe((p for _, _, p in parts), batch_size=BATCH_SIZE)
    for (i, off, _), doc in zip(parts, docs, strict=True):
        out[i].extend((e.start_char + off, e.end_char + off, e.label_) for e in doc.ents)
    return out


CONLL_LABELS = frozenset({"PER", "ORG", "LOC", "MISC"})


def uses_conll_labels(nlp: Language) -> bool:
    """Whether a pipeline tags with CoNLL/WikiNER labels (PER, ORG, LOC, MISC)."""
    return "PER" in getattr(nlp.get_pipe("ner"), "labels", ())


def _mention(surface: str, label: str, start: int, end: int, country: str | None) -> Mention:
    """A mention as found: its text is its normalized name until names are resolved."""
    return Mention(
        text=surface, label=label, start=start, end=end, normalized=surface, country=country
    )


def published_label(label: str, surface: str, gazetteer: Gazetteer, *, conll: bool) -> str | None:
    """The label copydesk publishes for a tagger's label, or None to drop the span.

    OntoNotes labels (`conll` False) pass as they are. CoNLL/WikiNER labels (our trained
    pipelines, spaCy's French one): PER is a PERSON, ORG an ORG; LOC a GPE when the gazetteer
    places it in a country (a state, a city), else a LOC (a river, a region); MISC a NORP when
    it is a demonym the gazetteer knows ('German', 'Ugandan'), which regions use; other MISC
    (events, works) is dropped.
    """
    if not conll:
        return label if label in LABELS else None
    if label == "PER":
        return "PERSON"
    if label == "ORG":
        return "ORG"
    if label == "LOC":
        return "GPE" if gazetteer.country(surface) else "LOC"
    if label == "MISC" and gazetteer.demonym(surface):
        return "NORP"
    return None


def mentions_of(
    article: Article, ents: Sequence[Span], gazetteer: Gazetteer, *, conll: bool = True
) -> list[Mention]:
    """The article's mentions from the model's entity spans, plus its dateline's place.

    `conll`: the spans carry CoNLL labels (else OntoNotes ones).
    """
    text = article.text
    out: list[Mention] = []
    span = dateline_span(article)
    if span and article.dateline:
        place = article.dateline.title()
        country = dateline_country(article, gazetteer)
        if country:
            out.append(
                Mention(
                    text=article.dateline,
                    label="GPE",
                    start=span[0],
                    end=span[1],
                    normalized=place,
                    country=country,
                )
            )
    for ent_start, ent_end, ent_label in ents:
        overlaps = span is not None and ent_start < span[1] and span[0] < ent_end
        start, end = _trim(text, ent_start, ent_end)
        surface = text[start:end]
        label = published_label(ent_label, surface, gazetteer, conll=conll)
        if label is None or overlaps:
            continue
        if label in ("PERSON", "ORG") and surface in gazetteer.countries_by_name:
            label = "GPE"  # 'Kyiv's backers', 'Kampala said': a capital standing for its state
        country = (
            _place_country(surface, article.language, gazetteer) if label in PLACE_LABELS else None
        )
        out.append(_mention(surface, label, start, end, country))
    out = _short_names(_surnames(text, out))
    canon = _canonical_people(out)
    return [
        m.model_copy(update={"normalized": canon[m.text]}) if m.label == "PERSON" else m
        for m in out
    ]


def _full_name_words(mentions: list[Mention], label: str, index: int) -> set[str]:
    """The word at `index` of each name of several words with `label` ('Pete Hegseth', -1)."""
    return {m.text.split()[index] for m in mentions if m.label == label and " " in m.text}


def _surnames(text: str, mentions: list[Mention]) -> list[Mention]:
    """Later bare surnames of people named in full, which the model missed or mislabelled."""
    surnames = {
        s for s in _full_name_words(mentions, "PERSON", -1) if len(s) > 2 and s[0].isupper()
    }
    if not surnames:
        return mentions
    fixed = [
        m.model_copy(update={"label": "PERSON", "country": None})
        if m.text in surnames and m.label in ("ORG", "GPE", "NORP")
        else m
        for m in mentions
    ]
    taken = sorted((m.start, m.end) for m in fixed)
    starts = [s for s, _ in taken]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(surnames))) + r")\b")
    fixed.extend(
        _mention(f.group(0), "PERSON", f.start(), f.end(), None)
        for f in pattern.finditer(text)
        if not _overlaps(taken, starts, f.start(), f.end())
    )
    return sorted(fixed, key=lambda m: m.start)


def _short_names(mentions: list[Mention]) -> list[Mention]:
    """Later one-word short names of organisations named in full, which the model took for people.

    'Ruch SA' then 'Ruch', 'Magna International Inc' then 'Magna': a one-word person, or a
    place the gazetteer cannot place, whose word opens a longer organisation name in the same
    text is that organisation. Not a surname of a person named in full.
    """
    first = _full_name_words(mentions, "ORG", 0) - _full_name_words(mentions, "PERSON", -1)
    if not first:
        return mentions
    return [
        m.model_copy(update={"label": "ORG", "country": None})
        if m.text in first and (m.label == "PERSON" or (m.label in PLACE_LABELS and not m.country))
        else m
        for m in mentions
    ]


def _overlaps(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans` (sorted, not overlapping each other)."""
    i = bisect.bisect_left(starts, end)
    return i > 0 and spans[i - 1][1] > start


def summarise(mentions: Sequence[Mention]) -> list[EntitySummary]:
    """Canonical entities with counts, most mentioned first."""
    counts = Counter((m.normalized, m.label) for m in mentions)
    country = {(m.normalized, m.label): m.country for m in mentions}
    return [
        EntitySummary(name=name, label=label, count=n, country=country[(name, label)])
        for (name, label), n in counts.most_common()
    ]


def _place_country(surface: str, language: str | None, gazetteer: Gazetteer) -> str | None:
    """The country of a place the model found; past a leading article ('la France', 'die USA')."""
    found = gazetteer.country(surface, language)
    head, _, rest = surface.partition(" ")
    if found is None and rest and head.islower():
        found = gazetteer.country(rest, language)
    return found


def _doubtful(
    surface: str,
    country: str | None,
    language: str | None,
    gazetteer: Gazetteer,
    *,
    followed: bool,
    common: frozenset[str],
) -> bool:
    """Whether a one-word name is likely something else in this text.

    Not when it is the language's own name of a country or region. Else when it is part of a
    longer name ('Vladimir Putin', 'David Van Goethem'), or a common word of the language where
    the place's country does not speak it ('Ende', 'Kuna').
    """
    if gazetteer.is_local(surface, language):
        return False
    if followed:
        return True
    return surface.casefold() in common and not (country and gazetteer.speaks(country, language))


def _place_at(
    text: str,
    run: list[tuple[int, int]],
    i: int,
    *,
    language: str | None,
    gazetteer: Gazetteer,
    common: frozenset[str],
) -> tuple[Mention, int] | None:
    """The longest place (up to four words) starting at word `i` of a run, and its word count."""
    for n in range(min(MAX_NAME_WORDS, len(run) - i), 0, -1):
        start, end = run[i][0], run[i + n - 1][1]
        surface = text[start:end]
        country = gazetteer.country(surface, language)
        followed = i + 1 < len(run)
        if n == 1 and _doubtful(
            surface, country, language, gazetteer, followed=followed, common=common
        ):
            continue
        if country or gazetteer.region_name(surface, language):
            return _mention(surface, "GPE" if country else "LOC", start, end, country), n
    return None


def places_in_text(text: str, language: str | None, gazetteer: Gazetteer) -> list[Mention]:
    """Places the gazetteer knows in the text's language, for a language without a model.

    Each run of name-like words is matched longest name first at each word; a country or city
    is a GPE with its country, a continent or body ('Afrique', 'EU') a LOC.
    """
    common = stoplist(language) if language else frozenset()
    out: list[Mention] = []
    for run in candidate_names(text):
        i = 0
        while i < len(run):
            found = _place_at(text, run, i, language=language, gazetteer=gazetteer, common=common)
            if found is None:
                i += 1
                continue
            out.append(found[0])
            i += found[1]
    return corroborated(out, language, gazetteer)


def corroborated(
    mentions: list[Mention], language: str | None, gazetteer: Gazetteer
) -> list[Mention]:
    """The places less the one-word alternate city names no other place of their country backs.

    A name known only as some city's alternate name in geonames (no language attached) is
    often a word of the text's own language ('Media', 'Sala'); it counts when the text also
    names its country, or another place in it, by a name that is not such a name.
    """
    weak = [gazetteer.only_foreign_city_name(m.text, language) for m in mentions]
    backed = {m.country for m, w in zip(mentions, weak, strict=True) if not w and m.country}
    return [m for m, w in zip(mentions, weak, strict=True) if not w or m.country in backed]


def tag(
    articles: Sequence[Article],
    *,
    nlp_for: Callable[[str | None], Language | None],
    gazetteer: Gazetteer,
) -> list[Article]:
    """Articles with their entities, each language by its own pipeline.

    A language without a pipeline gets the places the gazetteer knows in that language
    (`entities_source` says which).
    """
    by_language: dict[str | None, list[Article]] = {}
    for a in articles:
        by_language.setdefault(a.language, []).append(a)
    spans: dict[str, tuple[list[Span], bool, str]] = {}
    for language, group in by_language.items():
        nlp = nlp_for(language)
        if nlp is None:
            continue
        conll = uses_conll_labels(nlp)
        source = f"model:{nlp.meta.get('copydesk_name') or nlp.meta.get('name', '')}"
        found = ner_spans(nlp, [a.text for a in group])
        spans.update((a.article_id, (f, conll, source)) for a, f in zip(group, found, strict=True))
    out = []
    for article in articles:
        if article.article_id in spans:
            ents, conll, source = spans[article.article_id]
            mentions = mentions_of(article, ents, gazetteer, conll=conll)
        else:
            mentions = places_in_text(article.text, article.language, gazetteer)
            source = GAZETTEER
        update = {"entities": mentions, "entity_summary": summarise(mentions)}
        out.append(article.model_copy(update={**update, "entities_source": source}))
    return out
