"""Boilerplate removal and article splitting for plain-text page dumps.

No library turns the visible text of a whole page into its articles, so this one is ours; the
decisions are a trained model's, not hand-written rules. The cascade:

1. Read the dump's lines (`dump_lines.read_lines`): whitespace folded, blank lines dropped,
   a repeat of an earlier line marked (repeat removal: a repeat is never body).
2. Describe every line (`dump_lines.features`) and label the dump with the CRF
   (`dump_model`): chrome `O`, first line of an article `B`, body `I`.
3. Assemble (`dump_starts`): where body resumes after chrome (or the labeller marks `B`), a
   classifier decides from article-level evidence whether a new article starts there.
4. Title each article with the headline-shaped line around it that shares most of its words
   (a long one is its standfirst); the dateline from its first line.
5. Keep articles of `min_article_words` or more; drop one that mostly restates a longer one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from worker.stages.dedup import normalise_text, shingles
from worker.stages.dump_lines import (
    DumpConfig,
    Line,
    content_words,
    count_words,
    features,
    normalise_line,
    read_lines,
    stoplist,
    without_trailing_symbols,
)
from worker.stages.dump_model import DumpModel
from worker.stages.dump_starts import decode

__all__ = [
    "DATELINE",
    "Draft",
    "DumpConfig",
    "all_caps",
    "count_words",
    "drop_restated",
    "find_dateline",
    "normalise_line",
    "split_dump",
    "stoplist",
    "without_trailing_symbols",
]

_WORD = re.compile(r"\w+")
_LEAD_BULLET = re.compile(r"^[-–—•*·|>]+\s*|\s*[-–—•*·|]+$")
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’\- ]{1,40}?[A-Z.])"  # BRUSSELS, NEW DELHI, ST. LOUIS
    r"(?:,\s*[A-Z][\w.' ]{0,30}?){0,3}"  # , Fla. / , Feb 12 / , Reuter
    r"(?:\s*\((?P<agency>[^)]{1,40})\))?"  # (Reuters)
    r"\s*(?::|-|–|—)\s+"
)


@dataclass
class Draft:
    """An article found in a dump, before it becomes an `Article`."""

    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None
    summary: str | None = None
    dateline: str | None = None

    @property
    def text(self) -> str:
        """The body: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


def _telling_words(line: Line, stops: frozenset[str]) -> set[str]:
    """A headline's telling words.

    Its content words and, in a sentence-case headline, its capitalised words after the first
    (names, even where a stoplist lists them: 'Berlin' in German).
    """
    words = content_words(line, stops)
    tokens = _WORD.findall(line.text)
    return words | {t.casefold() for t in tokens[1:] if len(t) > 3 and t[:1].isupper()}


def titles(
    lines: list[Line], articles: list[list[int]], stops: frozenset[str], cfg: DumpConfig
) -> list[tuple[str | None, str | None]]:
    """Step 4: (title, standfirst) of each article from the headline-shaped lines around it.

    A line within `title_reach` lines of an article's first or last line, outside every article,
    goes to the article it shares most words with (at least `title_match` of its telling words);
    over `summary_words` words (or opening with a dash) it is a standfirst.
    """
    body = [{t for i in art for t in lines[i].tokens if len(t) > 3} for art in articles]
    inside = {i for art in articles for i in art}
    edges = [(art[0], art[-1]) for art in articles]
    best: dict[int, tuple[float, int]] = {}
    summaries: dict[int, int] = {}
    for gi, (first, last) in enumerate(edges):
        reach = [
            *range(max(0, first - cfg.title_reach), first),
            *range(last + 1, last + 1 + cfg.title_reach),
        ]
        for i in reach:
            if i >= len(lines) or i in inside or not lines[i].headline_shaped:
                continue
            words = _telling_words(lines[i], stops)
            if len(words) < 2 or "chrome_words" in lines[i].flags:
                continue
            score = len(words & body[gi]) / len(words)
            if score < cfg.title_match:
                continue
            text = lines[i].text
            if lines[i].words > cfg.summary_words or text.lstrip().startswith(("-", "–", "—")):
                summaries.setdefault(gi, i)
            elif score > best.get(gi, (0.0, -1))[0]:
                best[gi] = (score, i)
    return [
        (
            _strip_bullets(lines[best[gi][1]].text) if gi in best else None,
            _strip_bullets(lines[summaries[gi]].text) if gi in summaries else None,
        )
        for gi in range(len(articles))
    ]


def _strip_bullets(text: str) -> str | None:
    return _LEAD_BULLET.sub("", text).strip() or None


def find_dateline(text: str, *, lines: int = 1) -> str | None:
    """The place of a dateline opening `text` ('KAMPALA: ...' gives 'KAMPALA').

    With `lines` > 1 the first lines are tried in turn: wire copy often puts the dateline under
    a headline in capitals ('GULF FERRIES SEES FLAT YEAR' / 'MOBILE, Ala., Oct 19 - ...'). A
    headline in capitals that itself looks like a dateline ('MARKET FOCUS - OSLO'S BUDGET')
    gives way to a dateline on the line under it.
    """
    found: list[tuple[str, str]] = []  # (line, place)
    for line in text.lstrip().split("\n", lines)[:lines]:
        m = DATELINE.match(line[:400])
        if m:
            place = m.group("place").strip()
            if sum(c.isalpha() for c in place) >= 3:
                found.append((line, place))
    if len(found) > 1 and all_caps(found[0][0]):
        return found[1][1]
    return found[0][1] if found else None


def all_caps(line: str) -> bool:
    """A line written in capitals (a wire headline): eight letters or more, over 90% upper."""
    letters = [c for c in line[:400] if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.9


def split_dump(
    dump: str,
    *,
    language: str | Sequence[str] | None,
    cfg: DumpConfig | None = None,
    model: DumpModel | None = None,
) -> list[Draft]:
    """The articles of a plain-text page dump, in order, chrome and repeats removed.

    `language` is the dump's language, or the languages found in its parts (infinite scroll
    can join pages in several): their stopwords are pooled. `model` defaults to the committed
    one.
    """
    cfg = cfg or DumpConfig()
    languages = [language] if language is None or isinstance(language, str) else language
    stops = (
        frozenset().union(*(stoplist(lang) for lang in languages)) if languages else stoplist(None)
    )
    lines = read_lines(dump, stops=stops, cfg=cfg)
    model = model or DumpModel.default()
    feats = features(lines, stops=stops, cfg=cfg)
    labels, p_start = model.label(feats)
    body = [i for i, lab in enumerate(labels) if lab != "O" and not lines[i].repeat]
    articles, _ = decode(
        lines,
        feats,
        body,
        stops,
        p_start=p_start,
        starts=lambda f: model.start_probability(f) >= cfg.start_probability,
    )
    drafts = []
    for art, (title, summary) in zip(articles, titles(lines, articles, stops, cfg), strict=True):
        paragraphs = [lines[i].text for i in art]
        drafts.append(
            Draft(
                paragraphs=paragraphs,
                title=title,
                summary=summary,
                dateline=find_dateline(paragraphs[0]),
            )
        )
    kept = [d for d in drafts if count_words(d.text) >= cfg.min_article_words]
    return drop_restated(kept, cfg.restated_share)


def _grams(text: str) -> set[bytes]:
    return shingles(normalise_text(text), 4)


def drop_restated(drafts: list[Draft], share: float) -> list[Draft]:
    """The drafts less those that mostly restate a longer one, in order.

    A page can carry its article twice in other forms (a print version, a summary box in one
    long line); the longer copy stays. Each draft's 4-grams are looked up in one index of the
    drafts kept so far: linear in the total text.
    """
    if len(drafts) < 2:  # nothing to restate (most dumps): no shingles to make
        return drafts
    grams = [_grams(d.text) for d in drafts]
    order = sorted(range(len(drafts)), key=lambda i: -len(grams[i]))
    owners: dict[bytes, list[int]] = {}
    kept: list[int] = []
    for i in order:
        counts: dict[int, int] = {}
        for g in grams[i]:
            for k in owners.get(g, ()):
                counts[k] = counts.get(k, 0) + 1
        if any(c >= share * len(grams[i]) for c in counts.values()):
            continue
        kept.append(i)
        for g in grams[i]:
            owners.setdefault(g, []).append(i)
    return [drafts[i] for i in sorted(kept)]
