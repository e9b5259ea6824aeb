"""The tag stage: people, organisations and places with offsets, names resolved, places placed.

spaCy's NER is the base. On top of it: the dateline's place (all capitals, which the model
misses), possessives trimmed, and short names resolved to the fullest name of the same entity
in the article ('Hegseth' -> 'Pete Hegseth').
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pycountry

from schemas.article import Article, EntitySummary, Mention
from worker.gazetteer import STATE_ABBREVIATIONS, Gazetteer

if TYPE_CHECKING:
    from spacy.language import Language


LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
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
    """Each person's name to the longest name in the article that ends with it."""
    names = sorted({m.text for m in mentions if m.label == "PERSON"}, key=len, reverse=True)
    canon: dict[str, str] = {}
    for name in names:
        tokens = name.split()
        full = next(
            (
                n
                for n in names
                if len(n.split()) > len(tokens) and n.split()[-len(tokens) :] == tokens
            ),
            None,
        )
        canon[name] = canon.get(full, full) if full else name
    return canon


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


def ner_spans(nlp: Language, texts: Sequence[str]) -> list[list[Span]]:
    """(start, end, label) of the model's entities in each text, offsets into that text."""
    parts = [(i, off, piece) for i, t in enumerate(texts) for off, piece in pieces(t)]
    out: list[list[Span]] = [[] for _ in texts]
    docs = nlp.pipe((p for _, _, p in parts), batch_size=BATCH_SIZE)
    for (i, off, _), doc in zip(parts, docs, strict=True):
        out[i].extend((e.start_char + off, e.end_char + off, e.label_) for e in doc.ents)
    return out


def mentions_of(article: Article, ents: Sequence[Span], gazetteer: Gazetteer) -> list[Mention]:
    """The article's mentions from the model's entity spans, plus its dateline's place."""
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
        if ent_label not in LABELS or overlaps:
            continue
        start, end = _trim(text, ent_start, ent_end)
        surface = text[start:end]
        label = ent_label
        if label in ("PERSON", "ORG") and surface in gazetteer.countries_by_name:
            label = "GPE"  # 'Kyiv's backers', 'Kampala said': a capital standing for its state
        country = gazetteer.country(surface) if label in PLACE_LABELS else None
        out.append(
            Mention(
                text=surface,
                label=label,
                start=start,
                end=end,
                normalized=surface,
                country=country,
            )
        )
    out = _teams(text, _surnames(text, out), gazetteer)
    canon = _canonical_people(out)
    return [
        m.model_copy(update={"normalized": canon[m.text]}) if m.label == "PERSON" else m
        for m in out
    ]


# A place named as a side in a result is a team: 'Essex beat Kent', 'Leicestershire v Somerset',
# 'Surrey 320 for 5'. National sides keep their country's label (a country stands for its team
# as for its government), so only places that are not countries become organisations.
_VERSUS_BEFORE = re.compile(
    r"\b(?:v|vs|beat|beats|defeated|thrashed|edged|drew with|lost to)\.?\s+$"
)
_RESULT_AFTER = re.compile(
    r"^(?:\s+(?:v|vs)\.?\s|\s+\d{1,3}(?:-\d{1,3})?(?:\s|[,;.)]|$)|"
    r"\s+(?:beat|beats|defeated|drew|lost|won|thrashed|edged)\b)"
)
HOME_NATIONS = frozenset({"England", "Scotland", "Wales", "Northern Ireland"})


def _is_country(name: str) -> bool:
    if name in HOME_NATIONS:
        return True
    try:
        pycountry.countries.lookup(name)
    except LookupError:
        return False
    return True


def _teams(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """Places that are sides in a sports result, relabelled as organisations."""
    out = []
    for m in mentions:
        side = _VERSUS_BEFORE.search(text, 0, m.start) or _RESULT_AFTER.match(
            text[m.end : m.end + 40]
        )
        if (
            side
            and m.label in ("GPE", "LOC", "PERSON")
            and gazetteer.country(m.text)
            and not _is_country(m.text)
        ):
            m = m.model_copy(update={"label": "ORG", "country": None})  # noqa: PLW2901
        out.append(m)
    return out


def _surnames(text: str, mentions: list[Mention]) -> list[Mention]:
    """Later bare surnames of people named in full, which the model missed or mislabelled."""
    surnames = {m.text.split()[-1] for m in mentions if m.label == "PERSON" and " " in m.text}
    surnames = {s for s in surnames if len(s) > 2 and s[0].isupper()}
    if not surnames:
        return mentions
    fixed = [
        m.model_copy(update={"label": "PERSON", "country": None})
        if m.text in surnames and m.label in ("ORG", "GPE", "NORP")
        else m
        for m in mentions
    ]
    taken = [(m.start, m.end) for m in fixed]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(surnames))) + r")\b")
    fixed.extend(
        Mention(
            text=f.group(0), label="PERSON", start=f.start(), end=f.end(), normalized=f.group(0)
        )
        for f in pattern.finditer(text)
        if not any(s < f.end() and f.start() < e for s, e in taken)
    )
    return sorted(fixed, key=lambda m: m.start)


def summarise(mentions: Sequence[Mention]) -> list[EntitySummary]:
    """Canonical entities with counts, most mentioned first."""
    counts = Counter((m.normalized, m.label) for m in mentions)
    country = {(m.normalized, m.label): m.country for m in mentions}
    return [
        EntitySummary(name=name, label=label, count=n, country=country[(name, label)])
        for (name, label), n in counts.most_common()
    ]


_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’.-]+\b")
MIN_CAPS_SHARE = 0.6


def _recase(match: re.Match[str]) -> str:
    word = match.group(0)
    cased = word[0] + word[1:].lower()
    return cased if len(cased) == len(word) else word


def decapitalise(text: str) -> str:
    """Lines written in capitals (headlines, datelines) in ordinary case, offsets unchanged.

    The model reads 'SOCCER - JAPAN GET LUCKY WIN' as a row of organisations; 'Soccer - Japan
    Get Lucky Win' it reads well. Every replacement has the same length, so the spans found in
    the copy index the original text.
    """
    out = []
    for line in text.split("\n"):
        letters = [c for c in line if c.isalpha()]
        caps = sum(c.isupper() for c in letters)
        shouting = len(letters) >= 3 and caps / len(letters) >= MIN_CAPS_SHARE
        out.append(_CAPS_WORD.sub(_recase, line) if shouting else line)
    return "\n".join(out)


def tag(articles: Sequence[Article], *, nlp: Language, gazetteer: Gazetteer) -> list[Article]:
    """Articles with their entities; articles not in English are passed through untagged."""
    english = [a for a in articles if a.language in (None, "en")]
    spans = dict(
        zip(
            (a.article_id for a in english),
            ner_spans(nlp, [decapitalise(a.text) for a in english]),
            strict=True,
        )
    )
    out = []
    for article in articles:
        ents = spans.get(article.article_id)
        if ents is None:
            out.append(article)
            continue
        mentions = mentions_of(article, ents, gazetteer)
        out.append(
            article.model_copy(update={"entities": mentions, "entity_summary": summarise(mentions)})
        )
    return out
