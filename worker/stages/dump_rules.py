"""The rule-based dump splitter, kept as the default until the dump model replaces it.

`COPYDESK_DUMP_SPLITTER=model` selects the learned splitter (`textdump.split_dump`); this one is
the default while the model still merges wire stories that follow each other with only a
headline between them (the seed page). These rules were fitted to the dev pages one by one; the
model is measured under cross-validation (`make eval`). The cascade:

1. Split the dump into lines; blank lines are paragraph breaks and nothing more.
2. Drop every line that repeats an earlier one (normalised), keeping the first: repeated
   headlines, and the repeated half of an article that infinite scroll gives twice.
3. Describe each line (`LineInfo`): words, sentence punctuation, stopword share in the page's
   language, URL and handle shapes, a vocabulary of page chrome, title-likeness.
4. Mark content lines: long prose, or shorter sentences that sit next to long prose.
5. Group content lines into blocks; short in-body lines (subheads) between two content lines stay.
6. Split blocks into articles at a dateline ('KAMPALA:', 'LONDON (Reuters) -') or where a
   headline-like line separates two blocks that share little vocabulary; beyond a page's worth
   of chrome, look for another page's main text (infinite scroll); join neighbouring pieces of
   one story that a gallery cut apart.
7. Give each article its title (the headline-like line nearest to it that shares most words
   with it, before or after the body), a summary (a standfirst line) and a dateline.
8. Keep articles with enough words; a page with none gives no article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from worker.stages.dedup import normalise_text, shingles
from worker.stages.dump_lines import count_words, normalise_line, prose_shaped, stoplist
from worker.stages.textdump import (
    DATELINE,
    Draft,
    all_caps,
    drop_restated,
    find_dateline,
    without_trailing_symbols,
)

_WORD = re.compile(r"\w+", re.UNICODE)
# Where a link starts or a domain ends: searched, never matched over the whole token, so a
# 50 KB 'a.com/a.com/...' line costs one pass (the old whole-token pattern backtracked, 42 s).
_URL = re.compile(r"https?://|\bwww\.|\w\.(?:com|org|net|news|co|io|ly)\b", re.IGNORECASE)
_HANDLE = re.compile(r"(^|\s)[@#]\w+")
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’)\]]*$")
_LEAD_BULLET = re.compile(r"^[-–—•*·|>]+\s*|\s*[-–—•*·|]+$")
# Words that mark page chrome when a short line is mostly made of them.
_CHROME_WORDS = frozenset(
    [
        "share",
        "tweet",
        "facebook",
        "twitter",
        "whatsapp",
        "linkedin",
        "pinterest",
        "email",
        "print",
        "comment",
        "comments",
        "subscribe",
        "newsletter",
        "sign",
        "login",
        "log",
        "register",
        "follow",
        "advertisement",
        "advertising",
        "sponsored",
        "cookie",
        "cookies",
        "privacy",
        "policy",
        "terms",
        "rights",
        "reserved",
        "copyright",
        "read",
        "more",
        "related",
        "menu",
        "home",
        "search",
        "skip",
        "content",
        "click",
        "here",
        "url",
        "short",
        "link",
        "links",
        "tags",
        "tag",
        "topics",
        "photo",
        "photos",
        "video",
        "videos",
        "image",
        "credit",
        "caption",
        "gallery",
        "watch",
        "listen",
        "podcast",
        "next",
        "previous",
        "share",
        "this",
        "story",
        "recommended",
        "trending",
        "popular",
        "latest",
        "most",
    ]
)
TITLE_CASE_SHARE = 0.7
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++\.\w[\w.]*")  # possessive: linear
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d ()-]{6,}\d(?![\w-])")
_STAMP = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b"
    r"|\b\d{1,2}\.? (jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{1,2}:\d{2}\b"
    r"|\b\d+ (minute|hour|day|week|month|year)s? ago\b",
    re.IGNORECASE,
)
_COOKIE_NOTICE = re.compile(
    r"\bcookies?\b.*\b(site|sito|sitio|website|webseite|seite|browsing|navigation|navigazione|"
    r"experience|esperienza|experiencia|expérience)\b|\b(site|sito|sitio|website|webseite|seite|"
    r"browsing|navigation|navigazione)\b.*\bcookies?\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\((?:[A-Z][\w.]*\s)?Photos?\b[^)]*\)|\((?:Photo|Image|Picture)s?:[^)]*\)"
    r"|^(?:Photos?|(?:Photo |Image )?Credits?)\s?:\s|\bImage Credit:|\[\+\]",
)
_TOGGLE = re.compile(r"\s*(?:\.\.\.|…)?\s*\b(?:more|less)$", re.IGNORECASE)
_CITED_END = re.compile(r"[.!?…][\"'”’]?\s*(?:\[[^\]]{1,40}\]|\([^)]{1,40}\))$")
_BYLINE = re.compile(r"(by|por|von|par|di|door|av|af)\b", re.IGNORECASE)
_TRAILING = frozenset({"So", "Sk", "Sm", "Cf", "Mn", "Co", "Cs"})  # emoji, arrows, selectors
_ITEM = re.compile(r"(\d{1,2})[.)]\s+\S")
_ITEM_SEPARATORS = (" -- ", " – ", " — ", " | ")
_LABELLED = re.compile(r"[^\W\d_][^\s:]*(?: [^\s:]+){0,3}: \S")
# The site speaking to its reader about itself: 'our privacy policy', 'your account'.
_SITE_SPEAK = re.compile(
    r"\b(?:our|this)\s+(?:web\s?)?site\b"
    r"|\bour\s+(?:editors?|newsletters?|privacy\s+policy|policies|terms|cookie\s+policy"
    r"|community\s+(?:standards|guidelines)|readers|users|moderators?)\b"
    r"|\byour\s+(?:account|feedback|comments?|subscription|e-?mail(?:\s+address)?|password"
    r"|browser|consent|personal\s+(?:data|information))\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|all rights reserved|copyright\s+\d{4}", re.IGNORECASE)


@dataclass(frozen=True)
class LineInfo:
    """What one line of a dump looks like."""

    text: str
    words: int
    stop_share: float
    sentence_end: bool
    chrome: bool
    capital_share: float = 0.0

    @property
    def prose(self) -> bool:
        """Long prose: almost surely article text."""
        return not self.chrome and prose_shaped(self.words, self.sentence_end, self.stop_share)

    @property
    def sentence(self) -> bool:
        """A shorter line that reads as a sentence (kept when next to prose)."""
        return not self.chrome and self.words >= 3 and self.sentence_end and not self.title_case

    @property
    def headline_shaped(self) -> bool:
        """A handful of words with no closing full stop, chrome or not."""
        return 4 <= self.words <= 30 and not self.text.endswith(".")

    @property
    def headline(self) -> bool:
        """Shaped like a headline, and not chrome."""
        return not self.chrome and self.headline_shaped

    @property
    def byline(self) -> bool:
        """A short line opening with 'By' (or its like in other languages)."""
        return self.words <= 8 and _BYLINE.match(self.text) is not None

    @property
    def stamp(self) -> bool:
        """A short line with a date or time: a comment's or a masthead's ('May 2 at 9:14 am')."""
        return self.words <= 12 and _STAMP.search(self.text) is not None

    @property
    def dated(self) -> bool:
        """Prose that opens with a dateline: a wire story starts here ('KAMPALA: ...')."""
        return (self.sentence_end or self.words >= 12) and DATELINE.match(self.text) is not None

    @property
    def title_case(self) -> bool:
        """Most words capitalised, as headlines are written ('Is Remote Work Here to Stay?')."""
        return self.words >= 3 and self.capital_share >= TITLE_CASE_SHARE


def _is_chrome(text: str, tokens: list[str]) -> bool:
    n = len(tokens)
    if (
        _COPYRIGHT.search(text)  # a copyright line
        or (n <= 40 and _COOKIE_NOTICE.search(text))  # 'We use cookies ... on our site.'
        or (_EMAIL.search(text) and _PHONE.search(text))  # an address and a number: contact
        or (_URL.search(text) and not any(c.isspace() for c in text.strip()))  # a bare link
        or (n <= 80 and _CREDIT.search(text))  # a credit, or a caption with one: '(AP Photo/..)'
    ):
        return True
    if n <= 6 and (_URL.search(text) or _HANDLE.search(text)):
        return True
    if n <= 6:
        hits = sum(t in _CHROME_WORDS for t in tokens)
        return hits >= max(1, n // 2)
    return False


def _capital_share(text: str) -> float:
    """Share of the words of four letters or more that start with a capital."""
    words = [w for w in _WORD.findall(text) if len(w) >= 4 and w[0].isalpha()]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def describe(text: str, *, stops: frozenset[str]) -> LineInfo:
    """The features of one line."""
    tokens = [t.casefold() for t in _WORD.findall(text)]
    words = count_words(text)
    stop_share = sum(t in stops for t in tokens) / len(tokens) if tokens and stops else 0.3
    return LineInfo(
        text=text,
        words=words,
        stop_share=stop_share,
        sentence_end=bool(_SENTENCE_END.search(without_trailing_symbols(text))),
        chrome=_is_chrome(text, tokens),
        capital_share=_capital_share(text),
    )


def read_lines(dump: str, *, stops: frozenset[str]) -> list[LineInfo]:
    """Steps 1-3: the dump's lines, described, in order; repeats of earlier lines are chrome."""
    seen: set[str] = set()
    out: list[LineInfo] = []
    for raw in dump.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        key = normalise_line(line)
        info = describe(line, stops=stops)
        if key in seen and key:
            # A repeat stays in place as chrome: it still separates what is around it.
            info = replace(info, chrome=True)
        seen.add(key)
        out.append(info)
    for i in range(1, len(out)):
        if _expanded_pair(out[i - 1].text, out[i].text):
            out[i - 1] = replace(out[i - 1], chrome=True)
            out[i] = replace(out[i], chrome=True)
    return out


def _expanded_pair(a: str, b: str) -> bool:
    """A text shown twice, cut and whole, with its 'more' / 'less' toggle: a caption widget."""
    if not (_TOGGLE.search(a) or _TOGGLE.search(b)):
        return False
    a, b = _TOGGLE.sub("", a), _TOGGLE.sub("", b)
    short, long = sorted((a, b), key=len)
    # the cut copy may end mid-word: compare it without its ellipsis and its last character
    return len(short) >= 40 and long.startswith(short.rstrip(".… ")[:-1])


def mark_content(lines: list[LineInfo]) -> list[bool]:
    """Step 4: prose lines, and sentences or subheads held between prose lines."""
    keep = [li.prose for li in lines]
    for i, li in enumerate(lines):
        if keep[i] or li.chrome:
            continue
        before = next((keep[j] for j in range(i - 1, max(-1, i - 3), -1) if keep[j]), False)
        after = next((keep[j] for j in range(i + 1, min(len(lines), i + 3)) if keep[j]), False)
        if li.sentence and (before or after):
            keep[i] = True
        elif before and after and 2 <= li.words <= 12 and i + 1 < len(lines) and keep[i + 1]:
            keep[i] = not li.text.endswith(":") and not lines[i + 1].dated
    _keep_hidden_ends(lines, keep)
    for i in range(1, len(lines)):
        if _introduces_list(lines, keep, i):
            _keep_list(lines, keep, i)
    return keep


def _keep_hidden_ends(lines: list[LineInfo], keep: list[bool]) -> None:
    """Keep sentences whose end is hidden, between kept lines.

    A quotation set off with a colon ('..., the Prophet said:'), a sentence closed by a
    reference ('... and be just." [Al-Maidah 8]'): inside an article such lines are its text,
    and the kept lines on both sides say where they sit.
    """
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and not keep[j] and _hidden_end(lines[j]):
            j += 1
        if 0 < j - i <= 4 and i > 0 and j < len(lines) and keep[i - 1] and keep[j]:
            keep[i:j] = [True] * (j - i)
        i = max(j, i + 1)


def _hidden_end(li: LineInfo) -> bool:
    return (
        not li.chrome
        and li.words >= 8
        and li.stop_share >= 0.2
        and (li.text.endswith(":") or _CITED_END.search(li.text) is not None)
        and not li.stamp  # a comment's header: 'Ann on May 2 at 9:14 said:'
    )


def _introduces_list(lines: list[LineInfo], keep: list[bool], i: int) -> bool:
    """A line of prose ending in a colon, right after article text, before a list."""
    li = lines[i]
    return (
        not li.chrome
        and li.words >= 5
        and li.text.endswith(":")
        and any(keep[j] for j in range(max(0, i - 2), i + 1))
        and i + 1 < len(lines)
    )


def _item_shape(text: str) -> str | None:
    """What marks a line as a list item.

    Its number ('1)', '2.'), a separator it carries, or a short label before a colon ('Path A:
    ...', 'Monday: ...').
    """
    if (m := _ITEM.match(text)) is not None:
        return f"#{m.group(1)}"
    sep = next((sep for sep in _ITEM_SEPARATORS if sep in text), None)
    return sep if sep is not None or _LABELLED.match(text) is None else ": "


def _keep_list(lines: list[LineInfo], keep: list[bool], intro: int) -> None:
    """Step 4b: keep a list an article introduces, with the line that introduces it.

    'Here are the offers:' / '1) ...': items numbered in order; 'The tour dates:' / 'June 9 --
    Arena, City': three or more short lines sharing one separator. Article text, links and other
    chrome between items are passed over.
    """
    first = _item_shape(lines[intro + 1].text)
    numbered = first is not None and first.startswith("#")
    if first is None or (numbered and first != "#1"):
        return
    items: list[int] = []
    for j in range(intro + 1, len(lines)):
        li = lines[j]
        expected = f"#{len(items) + 1}" if numbered else first  # the next number, or the separator
        if not li.chrome and li.words <= 25 and _item_shape(li.text) == expected:
            items.append(j)
        elif not li.chrome and not keep[j]:
            break
    if len(items) >= (2 if numbered else 3):
        for j in (intro, *items):
            keep[j] = True


def _content_words(text: str, stops: frozenset[str]) -> set[str]:
    return {t for t in (w.casefold() for w in _WORD.findall(text)) if len(t) > 3 and t not in stops}


def overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller set's words found in the other."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def group_blocks(lines: list[LineInfo], keep: list[bool]) -> list[tuple[int, int]]:
    """Step 5: runs of content lines as (first, last) line indexes, split at datelines."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for i, k in enumerate([*keep, False]):
        dated = k and start is not None and lines[i].dated
        if start is not None and (not k or dated):
            blocks.append((start, i - 1))
            start = None
        if k and start is None:
            start = i
    return blocks


@dataclass(frozen=True)
class SplitConfig:
    """Thresholds of the splitter."""

    same_topic: float = 0.25  # segments sharing more of their words than this: one story
    small_gap: int = 3  # blocks this few lines apart are one segment
    near_gap: int = 8  # a same-topic segment this close to the main text joins it
    min_segment_words: int = 50  # smaller isolated segments are teasers or captions
    min_paragraphs: int = 3  # a separate article has at least this many paragraphs
    min_density: float = 0.6  # ... and they fill this share of its lines (not a teaser list)
    min_article_words: int = 40
    page_gap: int = 8  # lines of chrome between two pages' articles, at least
    headline_reach: int = 12  # lines above a text searched for its headline
    headline_match: float = 0.5  # share of a headline's words found in the text it heads
    restated_share: float = 0.5  # an article with this share of its 4-grams in a longer one
    thread_stamps: int = 3  # date lines among a text's paragraphs that make it a thread
    other_page_words: int = 300  # another page's main text has a segment this long
    other_page_paragraph_words: float = 18.0  # ... and paragraphs this long on average
    site_notice_share: float = 0.4  # a text with this share of its words in site-speak lines


Segment = list[tuple[int, int]]


def _rows(seg: Segment) -> set[int]:
    """The line indexes a segment's blocks cover."""
    return {i for b in seg for i in range(b[0], b[1] + 1)}


def _words_of(lines: list[LineInfo], block: tuple[int, int]) -> int:
    return sum(li.words for li in lines[block[0] : block[1] + 1])


def _segments(
    lines: list[LineInfo], blocks: list[tuple[int, int]], cfg: SplitConfig
) -> list[Segment]:
    """Blocks a few lines apart joined; a dateline always opens a new segment."""
    segments: list[Segment] = []
    for b in blocks:
        dated = lines[b[0]].dated
        if segments and not dated and _bridged(lines[segments[-1][-1][1] + 1 : b[0]], cfg):
            segments[-1].append(b)
        else:
            segments.append([b])
    return segments


def _bridged(between: list[LineInfo], cfg: SplitConfig) -> bool:
    """Whether the lines between two blocks leave them one text.

    A few lines of anything (an advert, a caption); or a longer run of short lines written as
    sentence fragments, not as a menu ('Bugs fixed', 'Better Android support': a list of the
    text's, where menus and headlines capitalise their words).
    """
    return len(between) <= cfg.small_gap or (
        len(between) <= 2 * cfg.small_gap
        and all(
            not li.chrome
            and 2 <= li.words <= 12
            and li.capital_share < TITLE_CASE_SHARE
            and not all_caps(li.text)
            for li in between
        )
    )


def _vocab(lines: list[LineInfo], seg: Segment, stops: frozenset[str]) -> set[str]:
    return _content_words(" ".join(li.text for b in seg for li in lines[b[0] : b[1] + 1]), stops)


def _article_shaped(seg: Segment, cfg: SplitConfig, headed: bool) -> bool:  # noqa: FBT001
    """Paragraphs close together (not teasers or captions); a headed text may be one long one."""
    paragraphs = sum(b[1] - b[0] + 1 for b in seg)
    span = seg[-1][1] - seg[0][0] + 1
    enough = paragraphs >= cfg.min_paragraphs or headed
    return enough and paragraphs / span >= cfg.min_density


def _headed(
    lines: list[LineInfo], seg: Segment, vocab: set[str], stops: frozenset[str], cfg: SplitConfig
) -> bool:
    """A headline about this text stands near its top: the mark of a page's own article."""
    start = seg[0][0]
    inside = _rows(seg)
    every = vocab | _words_of_text(lines, seg)
    reach = range(max(0, start - cfg.headline_reach), min(len(lines), start + cfg.headline_reach))
    return any(i not in inside and _heads(lines[i], every, stops, cfg) for i in reach)


def _masthead(lines: list[LineInfo], seg: Segment) -> tuple[int, int] | None:
    """A byline and a date or time around a text's first lines: an article's masthead.

    ('By' / 'Jane Doe' / 'Nov. 18, 2026 7:04 pm ET'), over two paragraphs or more: it marks
    an article even when it is a paywalled stub of two paragraphs (a teaser has one). Gives the
    masthead's first and last line.
    """
    inside = _rows(seg)
    start = seg[0][0]
    reach = [i for i in range(max(0, start - 4), min(len(lines), start + 6)) if i not in inside]
    bylines = [i for i in reach if lines[i].byline]
    stamps = [i for i in reach if lines[i].stamp]
    if not (bylines and stamps):
        return None
    first, last = min(bylines + stamps), max(bylines + stamps)
    return (first, last) if sum(i > last for i in inside) >= 2 else None


def _under_masthead(
    lines: list[LineInfo], seg: Segment, paragraphs: list[int]
) -> tuple[str | None, str | None, list[int]]:
    """(title, standfirst, paragraphs) of a text under a masthead.

    The headline just above it, and a line between headline and byline as the standfirst
    rather than the first paragraph.
    """
    mast = _masthead(lines, seg)
    if mast is None:
        return None, None, paragraphs
    before = [i for i in paragraphs if i < mast[0]]
    if len(before) > 2:
        return None, None, paragraphs
    if len(before) == 2 and lines[before[0]].words > 15:
        return None, None, paragraphs
    head = before[0] if len(before) == 2 else None  # a question headline reads as a sentence
    standfirst = before[-1] if before else None
    top = before[0] if before else mast[0]
    if head is None:
        head = next((i for i in range(top - 1, max(-1, top - 4), -1) if lines[i].headline), None)
    title = lines[head].text if head is not None else None
    rest = [i for i in paragraphs if i not in before]
    return title, (lines[standfirst].text if standfirst is not None else None), rest


def _heads(line: LineInfo, text_words: set[str], stops: frozenset[str], cfg: SplitConfig) -> bool:
    """Whether a headline-shaped line is about a text: most of its telling words are in it."""
    if not line.headline:
        return False
    words = _headline_words(line, stops)
    return len(words) >= 2 and len(words & text_words) / len(words) >= cfg.headline_match


def _headline_words(line: LineInfo, stops: frozenset[str]) -> set[str]:
    """A headline's telling words.

    Its content words and, in a headline in sentence case, its capitalised words after the
    first: names and places, even where a stoplist lists them ('Berlin' in the German one).
    """
    words = _content_words(line.text, stops)
    if line.title_case:
        return words
    tokens = _WORD.findall(line.text)
    return words | {t.casefold() for t in tokens[1:] if len(t) > 3 and t[:1].isupper()}


def _words_of_text(lines: list[LineInfo], seg: Segment) -> set[str]:
    """Every word of four letters or more in a text, case-folded."""
    return {
        w.casefold()
        for b in seg
        for li in lines[b[0] : b[1] + 1]
        for w in _WORD.findall(li.text)
        if len(w) > 3
    }


def _separate(
    lines: list[LineInfo],
    *,
    segments: list[Segment],
    i: int,
    vocab: set[str],
    stops: frozenset[str],
    cfg: SplitConfig,
) -> bool:
    """Whether segment i (on another topic than the main text) is an article of its own.

    It opens with a dateline and has a run of paragraphs; or it stands apart from the text
    before it (another page's chrome between them, not a section heading) and has a headline
    of its own near its top.
    """
    seg = segments[i]
    if _thread(lines, seg, cfg):
        return False
    headed = _headed(lines, seg, vocab, stops, cfg)
    bylined = _masthead(lines, seg) is not None
    if not (_article_shaped(seg, cfg, headed) or bylined):
        return False
    if lines[seg[0][0]].dated:
        return True
    apart = i == 0 or _gap(segments[i - 1], seg) >= cfg.page_gap
    return (headed or bylined) and apart


def _site_notice(lines: list[LineInfo], seg: Segment, cfg: SplitConfig) -> bool:
    """The site talking to its reader: account, privacy and feedback notices, not a story.

    Lines naming the site's own policies or the reader's account ('our Privacy Policy', 'your
    feedback') hold `site_notice_share` of its words (on the dev dumps: 0.46 and 0.58 for two
    such notices, under 0.15 for every article).
    """
    rows = [li for b in seg for li in lines[b[0] : b[1] + 1]]
    speak = sum(li.words for li in rows if _SITE_SPEAK.search(li.text))
    return speak >= cfg.site_notice_share * max(1, sum(li.words for li in rows))


def _thread(lines: list[LineInfo], seg: Segment, cfg: SplitConfig) -> bool:
    """Comments (or dated teasers): a date or time line before each of several paragraphs."""
    inside = _rows(seg)
    stamps = sum(
        1 for i in range(max(0, seg[0][0] - 3), seg[-1][1]) if i not in inside and lines[i].stamp
    )
    return stamps >= cfg.thread_stamps


def _gap(a: Segment, b: Segment) -> int:
    """Lines between two segments, whichever comes first."""
    first, second = (a, b) if a[0][0] < b[0][0] else (b, a)
    return second[0][0] - first[-1][1] - 1


def assemble(
    lines: list[LineInfo], blocks: list[tuple[int, int]], stops: frozenset[str], cfg: SplitConfig
) -> list[Segment]:
    """Step 6: segments grouped into articles around the main text.

    The segment with most words is the main text. Another segment joins it when it is close and
    on the same topic (an article broken by an advert); it is an article of its own when it is
    on another topic (or opens with a dateline) and has a run of paragraphs; else it is dropped
    (comments, teasers, captions, footers). A comment thread (a date line before each of its
    paragraphs) or a site notice (account, privacy, feedback) is never the main text, however
    long. Then other pages' main texts, and pieces joined.
    """
    segments = _segments(lines, blocks, cfg)
    if not segments:
        return []
    words = [sum(_words_of(lines, b) for b in seg) for seg in segments]
    not_stories = {
        i
        for i, seg in enumerate(segments)
        if _thread(lines, seg, cfg) or _site_notice(lines, seg, cfg)
    }
    main = max(
        range(len(segments)),
        key=lambda i: (i not in not_stories or len(not_stories) == len(segments), words[i]),
    )
    vocab = [_vocab(lines, seg, stops) for seg in segments]
    joined: Segment = []
    articles: list[Segment] = []
    for i, seg in enumerate(segments):
        dated = lines[seg[0][0]].dated
        if i == main:
            joined.extend(seg)
        elif words[i] < cfg.min_segment_words or i in not_stories:
            continue
        elif overlap(vocab[i], vocab[main]) >= cfg.same_topic and not dated:
            if _continues(lines, seg, segments[main], cfg):
                joined.extend(seg)
        elif _separate(lines, segments=segments, i=i, vocab=vocab[i], stops=stops, cfg=cfg):
            articles.append(list(seg))
    articles.append(sorted(joined))
    articles.extend(
        _other_page(
            lines,
            segments,
            words=words,
            vocab=vocab,
            main=main,
            found=articles,
            stops=stops,
            cfg=cfg,
        )
    )
    return _join_broken(lines, sorted(articles, key=lambda a: a[0][0]), stops, cfg)


def _join_broken(
    lines: list[LineInfo], articles: list[Segment], stops: frozenset[str], cfg: SplitConfig
) -> list[Segment]:
    """Neighbouring articles on one topic, a few lines apart, joined.

    They are one article that a gallery or an embed cut in two; one that opens with a dateline
    stays apart (`_continues`).
    """
    out: list[Segment] = []
    for art in articles:
        if (
            out
            and not lines[art[0][0]].dated
            and _continues(lines, out[-1], art, cfg)
            and overlap(_vocab(lines, out[-1], stops), _vocab(lines, art, stops)) >= cfg.same_topic
        ):
            out[-1] = sorted([*out[-1], *art])
        else:
            out.append(art)
    return out


def _continues(lines: list[LineInfo], a: Segment, b: Segment, cfg: SplitConfig) -> bool:
    """Whether two texts (on one topic) are close enough to be one article cut in two.

    A few lines apart (an advert, an embed); or up to twice as far when the headline-shaped
    line above the first one is repeated between them: a gallery or a share bar that repeats
    the story's headline cuts it further apart, and another story has a headline of its own.
    """
    first, second = (a, b) if a[0][0] < b[0][0] else (b, a)
    gap = _gap(first, second)
    return gap <= cfg.near_gap or (
        gap <= 2 * cfg.near_gap and _headline_repeated(lines, first, second, cfg)
    )


def _headline_repeated(
    lines: list[LineInfo], first: Segment, second: Segment, cfg: SplitConfig
) -> bool:
    """Between two texts, a headline-shaped line from above the first one again."""
    start = first[0][0]
    above = {
        normalise_line(li.text)
        for li in lines[max(0, start - cfg.headline_reach) : start]
        # a byline or its date, repeated under the text, is no headline
        if li.headline_shaped and not li.stamp and not li.byline
    }
    between = lines[first[-1][1] + 1 : second[0][0]]
    return any(normalise_line(li.text) in above for li in between)


def _other_page(
    lines: list[LineInfo],
    segments: list[Segment],
    *,
    words: list[int],
    vocab: list[set[str]],
    main: int,
    found: list[Segment],
    stops: frozenset[str],
    cfg: SplitConfig,
) -> list[Segment]:
    """Articles of other pages joined before or after this one (infinite scroll).

    On each side of the main text, beyond a page's worth of chrome, the largest segment nobody
    took, with its same-topic neighbours, is a story when it is long prose in long paragraphs.
    A story on the topic of an article found already is a part of it that chrome cut off (added
    to it, in place) unless it only restates it; else it is another page's article when its
    paragraphs sit close together or a headline about it stands at its top (a list of product
    reviews has a heading per item; comments and teasers have none about them).
    """
    taken = {b for a in found for b in a}
    out: list[Segment] = []
    first, last = segments[main][0][0], segments[main][-1][1]
    for side in (
        [i for i, s in enumerate(segments) if s[-1][1] < first - cfg.page_gap],
        [i for i, s in enumerate(segments) if s[0][0] > last + cfg.page_gap],
    ):
        free = [i for i in side if not any(b in taken for b in segments[i])]
        top = max(free, key=words.__getitem__, default=None)
        if top is None or words[top] < cfg.other_page_words:
            continue
        story = sorted(
            b
            for i in free
            if i == top
            or (
                words[i] >= cfg.min_segment_words
                and overlap(vocab[i], vocab[top]) >= cfg.same_topic
                and _gap(segments[i], segments[top]) <= cfg.near_gap
            )
            for b in segments[i]
        )
        if _thread(lines, story, cfg) or _site_notice(lines, story, cfg):
            continue
        paragraphs = sum(b[1] - b[0] + 1 for b in story)
        if sum(_words_of(lines, b) for b in story) < cfg.other_page_paragraph_words * paragraphs:
            continue  # a list of teasers or links, not prose
        topic = _vocab(lines, story, stops)
        kin = next(
            (
                a
                for a in [*found, *out]
                if overlap(topic, _vocab(lines, a, stops)) >= cfg.same_topic
            ),
            None,
        )
        close = paragraphs / (story[-1][1] - story[0][0] + 1) >= cfg.min_density
        if kin is not None:
            if close and not _restates(lines, story, kin, cfg.restated_share):
                kin.extend(story)
                kin.sort()
        elif close or _headline_above(lines, story, stops, cfg):
            out.append(story)
    return out


def _headline_above(
    lines: list[LineInfo], seg: Segment, stops: frozenset[str], cfg: SplitConfig
) -> bool:
    """A headline above the text about more than its first paragraph (not a teaser's own)."""
    first = seg[0]
    rest = [(first[0] + 1, first[1]), *seg[1:]] if first[1] > first[0] else seg[1:]
    rest_words = _words_of_text(lines, rest)
    above = lines[max(0, first[0] - cfg.headline_reach) : first[0]]
    return any(_heads(li, rest_words, stops, cfg) for li in above)


def _titles(
    lines: list[LineInfo], groups: list[list[tuple[int, int]]], stops: frozenset[str]
) -> list[tuple[str | None, str | None]]:
    """Step 7: (title, summary) of each article from the headline-like lines around it."""
    bodies = [_words_of_text(lines, g) for g in groups]
    best: dict[int, tuple[float, int]] = {}  # group -> (score, line index)
    summaries: dict[int, int] = {}
    for i, li in enumerate(lines):
        if not li.headline:
            continue
        near = [
            gi
            for gi, g in enumerate(groups)
            if g[0][0] - 8 <= i < g[0][0] or g[-1][1] < i <= g[-1][1] + 8
        ]
        words = _headline_words(li, stops)
        scored = [(overlap(words, bodies[gi]), gi) for gi in near]
        if not scored:
            continue
        score, gi = max(scored)
        if score < 0.3:
            continue
        is_summary = li.words > 18 or li.text.lstrip().startswith(("-", "–", "—"))
        if is_summary:
            summaries.setdefault(gi, i)
        elif score > best.get(gi, (0.0, -1))[0]:
            best[gi] = (score, i)
    out = []
    for gi in range(len(groups)):
        title = lines[best[gi][1]].text if gi in best else None
        summary = lines[summaries[gi]].text if gi in summaries else None
        out.append((_strip_bullets(title), _strip_bullets(summary)))
    return out


def _strip_bullets(text: str | None) -> str | None:
    return _LEAD_BULLET.sub("", text).strip() or None if text else None


def split_dump(
    dump: str, *, language: str | Sequence[str] | None, cfg: SplitConfig | None = None
) -> list[Draft]:
    """The articles of a plain-text page dump, in order, chrome and repeats removed.

    `language` is the dump's language, or the languages found in its parts (infinite scroll
    can join pages in several): their stopwords are pooled.
    """
    cfg = cfg or SplitConfig()
    languages = [language] if language is None or isinstance(language, str) else language
    stops = (
        frozenset().union(*(stoplist(lang) for lang in languages)) if languages else stoplist(None)
    )
    lines = read_lines(dump, stops=stops)
    keep = mark_content(lines)
    groups = assemble(lines, group_blocks(lines, keep), stops, cfg)
    drafts = []
    for g, (found, summary) in zip(groups, _titles(lines, groups, stops), strict=True):
        rows = [i for b in g for i in range(b[0], b[1] + 1) if keep[i]]
        title, standfirst = found, None
        if found is None:
            title, standfirst, rows = _under_masthead(lines, g, rows)
        paragraphs = [lines[i].text for i in rows]
        drafts.append(
            Draft(
                paragraphs=paragraphs,
                title=title,
                summary=summary or standfirst,
                dateline=find_dateline(paragraphs[0]),
            )
        )
    kept = [d for d in drafts if count_words(d.text) >= cfg.min_article_words]
    return drop_restated(kept, cfg.restated_share)


def _grams(text: str) -> set[bytes]:
    return shingles(normalise_text(text), 4)


def _contained(a: set[bytes], b: set[bytes], share: float) -> bool:
    """Whether at least `share` of the 4-grams `a` are also in `b`."""
    return len(a & b) >= share * len(a)


def _restates(lines: list[LineInfo], a: Segment, b: Segment, share: float) -> bool:
    """Whether text `a` mostly repeats text `b`."""

    def text(seg: Segment) -> str:
        return " ".join(li.text for x in seg for li in lines[x[0] : x[1] + 1])

    return _contained(_grams(text(a)), _grams(text(b)), share)
