"""The lines of a plain-text page dump and what each looks like: the dump model's features.

A dump is read into `Line`s (whitespace folded, blank lines dropped, repeats of earlier lines
marked), and every line is described by the features the sequence labeller (`dump_model`) reads:
its own shape (length, sentence punctuation, stopword share in the page's language, capitals,
digits, chrome vocabulary and patterns), its neighbourhood (the shape of the lines around it,
distance to the nearest long prose, prose density, whether the text after it changes topic) and
its place in the page.

Every pattern runs on at most `DumpConfig.pattern_chars` characters of a line and every window is
of fixed size, so describing a dump is linear in its length. Word lists and patterns are data in
`dump_words.json`; every threshold is a field of `DumpConfig`.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import justext
import pycountry

WORDS_FILE = Path(__file__).with_name("dump_words.json")
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_TRAILING = frozenset({"So", "Sk", "Sm", "Cf", "Mn", "Co", "Cs"})  # emoji, arrows, selectors


@dataclass(frozen=True)
class DumpConfig:
    """Every parameter of the dump splitter, in one place."""

    pattern_chars: int = 400  # patterns read at most this much of a line (linear time)
    max_line_chars: int = 100_000  # a longer line is cut here before anything reads it
    word_cap: int = 60  # content words of a line used for topic and headline tests
    topic_before: int = 40  # lines before a line whose prose is its context
    topic_after: int = 8  # lines from a line on whose prose is the text it starts
    density_window: int = 5  # lines either side counted for prose density
    headline_below: int = 10  # lines under a headline-shaped line it must be about
    headline_match: float = 0.5  # share of a headline's words found in the text under it
    title_reach: int = 8  # lines around an article searched for its title
    title_match: float = 0.3  # share of a title's words found in its article
    summary_words: int = 18  # a headline-shaped line longer than this is a standfirst
    start_probability: float = 0.85  # a candidate this likely to start an article starts one (CV)
    lexical_words: int = 5  # a line this short gives its words as features (chrome vocabulary)
    min_article_words: int = 40  # a smaller piece is no article
    restated_share: float = 0.5  # an article with this share of its 4-grams in a longer one


@dataclass(frozen=True)
class WordLists:
    """The vocabularies and patterns the features read (`dump_words.json`)."""

    chrome: frozenset[str]
    # (name, one of the characters it needs, case-blind, pattern): a pattern that needs
    # characters is tried only on a line that holds one; a case-blind one reads the line in
    # lower case (a lowered pattern on lowered text: 2-3x faster than re.IGNORECASE)
    patterns: tuple[tuple[str, re.Pattern[str] | None, bool, re.Pattern[str]], ...]

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> WordLists:
        """The lists shipped with the package."""
        data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
        patterns = []
        for name, spec in data["patterns"].items():
            caseless = spec.get("flags") == "i"
            needs = re.compile(f"[{re.escape(spec['needs'])}]") if spec.get("needs") else None
            pattern = lowered(spec["pattern"]) if caseless else spec["pattern"]
            patterns.append((name, needs, caseless, re.compile(pattern)))
        return cls(chrome=frozenset(data["chrome_words"]), patterns=tuple(patterns))


def lowered(pattern: str) -> str:
    r"""A regex in lower case, its escapes (`\S`, `\W`, `\D`) left as they are."""
    return re.sub(r"\\.|[^\\]+", lambda m: m[0] if m[0][0] == "\\" else m[0].lower(), pattern)


class Line(NamedTuple):
    """One non-blank line of a dump and the facts every feature is computed from.

    A named tuple: a dump makes one per line, and a tuple is built in C (a frozen dataclass
    sets each field through `object.__setattr__`).
    """

    text: str
    tokens: tuple[str, ...]  # case-folded \\w+ tokens (at most `word_cap` kept)
    names: frozenset[str]  # case-folded capitalised words after the first (names, places)
    words: int
    sentence_end: bool
    repeat: bool  # the same line (normalised) stands earlier in the dump
    flags: frozenset[str]  # names of the patterns that match it
    capital_share: float
    stop_share: float
    digit_share: float

    @property
    def prose(self) -> bool:
        """Long prose, and not a repeat."""
        return not self.repeat and prose_shaped(self.words, self.sentence_end, self.stop_share)

    @property
    def headline_shaped(self) -> bool:
        """A handful of words with no closing full stop."""
        return 4 <= self.words <= 30 and not self.text.endswith(".")


def prose_shaped(words: int, sentence_end: bool, stop_share: float) -> bool:  # noqa: FBT001
    """Long prose: a sentence of 15 words or more, or a long line with many stopwords."""
    return (
        (words >= 15 and sentence_end)
        or (words >= 30 and stop_share >= 0.25)
        or (words >= 8 and sentence_end and stop_share >= 0.15)
    )


def normalise_line(line: str) -> str:
    """A comparison key for a line: NFKC, case-folded, words only."""
    folded = unicodedata.normalize("NFKC", line).casefold()
    return " ".join(_WORD.findall(folded))


def count_words(text: str) -> int:
    """Words in `text`; CJK script counts about one word per two characters."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(text)) if cjk < 4 else max(len(_WORD.findall(text)), cjk // 2)


@lru_cache(maxsize=64)
def stoplist(language: str | None) -> frozenset[str]:
    """JusText's stopword list for an ISO 639-1 code (English when unknown; empty if none)."""
    name = "English"
    if language:
        lang = pycountry.languages.get(alpha_2=language)
        if lang is not None:
            name = lang.name.split(";")[0].split(" (")[0]
    try:
        return frozenset(justext.get_stoplist(name))
    except ValueError:
        return frozenset()


def without_trailing_symbols(text: str) -> str:
    """The line without the emoji and symbols it ends on ('See you soon! 🙂' ends a sentence)."""
    end = len(text)
    while end and (text[end - 1].isspace() or unicodedata.category(text[end - 1]) in _TRAILING):
        end -= 1
    return text[:end]


def _sentence_end(text: str) -> bool:
    tail = without_trailing_symbols(text[-200:]).rstrip("\"'”’)] ")
    return tail.endswith((".", "!", "?", "。", "！", "？", "…"))


def describe(
    text: str,
    *,
    stops: frozenset[str],
    repeat: bool,
    cfg: DumpConfig,
    all_tokens: list[str] | None = None,
) -> Line:
    """The facts of one line (`all_tokens`: its word tokens, when the caller has them)."""
    lists = WordLists.load()
    head = text[: cfg.pattern_chars]
    if all_tokens is None:
        all_tokens = _WORD.findall(text)
    capped = all_tokens[: cfg.word_cap]
    tokens = tuple(t.casefold() for t in capped)
    long_words = [w for w in capped if len(w) >= 4 and w[0].isalpha()]
    letters = sum(map(str.isalnum, head)) or 1
    low = head.lower()
    flags = {
        name
        for name, needs, caseless, rx in lists.patterns
        if (needs is None or needs.search(head)) and rx.search(low if caseless else head)
    }
    if tokens and len(tokens) <= 8:
        hits = sum(t in lists.chrome for t in tokens)
        if hits >= max(1, len(tokens) // 2):
            flags.add("chrome_words")
    capitals = [w for w in long_words[1:] if w[0].isupper()]
    return Line(
        text=text,
        tokens=tokens,
        names=frozenset(w.casefold() for w in capitals),
        words=len(all_tokens) if _CJK.search(head) is None else count_words(text),
        sentence_end=_sentence_end(text),
        repeat=repeat,
        flags=frozenset(flags),
        capital_share=(
            (len(capitals) + (long_words[0][0].isupper() if long_words else 0)) / len(long_words)
            if long_words
            else 0.0
        ),
        stop_share=(sum(t in stops for t in tokens) / len(tokens) if tokens and stops else -1.0),
        digit_share=sum(map(str.isdigit, head)) / letters,
    )


def read_lines(dump: str, *, stops: frozenset[str], cfg: DumpConfig) -> list[Line]:
    """The dump's non-blank lines, described, in order; a repeat of an earlier line is marked.

    Lines are compared by their case-folded words (a repeat with other spacing or punctuation
    is still a repeat).
    """
    seen: set[str] = set()
    out: list[Line] = []
    for raw in dump.splitlines():
        line = " ".join(raw[: cfg.max_line_chars].split())
        if not line:
            continue
        all_tokens = _WORD.findall(line)
        key = " ".join(all_tokens).casefold()
        repeat = bool(key) and key in seen
        out.append(describe(line, stops=stops, repeat=repeat, cfg=cfg, all_tokens=all_tokens))
        seen.add(key)
    return out


def bucket(value: float, edges: tuple[float, ...]) -> int:
    """The index of the first edge above `value` (len(edges) when none is)."""
    return bisect.bisect_right(edges, value)


_WORD_EDGES = (1, 2, 3, 4, 7, 11, 16, 26, 41, 81)
_SHARE_EDGES = (0.05, 0.15, 0.25, 0.35, 0.5, 0.7, 0.9)
_GAP_EDGES = (1, 2, 3, 5, 8, 13, 21, 41)


def _names(prefix: str, edges: tuple[float, ...]) -> tuple[str, ...]:
    """The feature name of each bucket of `edges` ('w0', 'w1', ...), made once."""
    return tuple(f"{prefix}{i}" for i in range(len(edges) + 1))


_W = _names("w", _WORD_EDGES)
_CAP = _names("cap", _SHARE_EDGES)
_DIG = _names("dig", _SHARE_EDGES)
_STOP = _names("stop", _SHARE_EDGES)
_SINCE = _names("since", _GAP_EDGES)
_UNTIL = _names("until", _GAP_EDGES)
_DENS = _names("dens", _SHARE_EDGES)
_TOPIC = _names("topic", _SHARE_EDGES)
_BEFORE_EDGES = (1, 50, 150, 400, 1000)
_BEFORE = _names("before", _BEFORE_EDGES)
_ENDS = '.!?:;,)"”’-|»'


def _shape(line: Line, lexical_words: int) -> dict[str, float]:
    """Features of a line on its own."""
    bisect_right = bisect.bisect_right
    f: dict[str, float] = {
        _W[bisect_right(_WORD_EDGES, line.words)]: 1.0,
        "logw": math.log1p(line.words) / 5,
        _CAP[bisect_right(_SHARE_EDGES, line.capital_share)]: 1.0,
        _DIG[bisect_right(_SHARE_EDGES, line.digit_share)]: 1.0,
    }
    if line.stop_share >= 0:
        f[_STOP[bisect_right(_SHARE_EDGES, line.stop_share)]] = 1.0
        f["stopv"] = line.stop_share
    else:
        f["nostops"] = 1.0
    end = line.text[-1]
    f["end=" + (end if end in _ENDS else ("a" if end.isalnum() else "other"))] = 1.0
    if line.sentence_end:
        f["sent"] = 1.0
    if line.repeat:
        f["repeat"] = 1.0
    if line.prose:
        f["prose"] = 1.0
    if line.headline_shaped:
        f["headshape"] = 1.0
    letters = [c for c in line.text[:200] if c.isalpha()]
    if len(letters) >= 8 and sum(map(str.isupper, letters)) / len(letters) > 0.9:
        f["allcaps"] = 1.0
    # sorted: a set's order changes with the process's hash seed, and CRFsuite numbers
    # features in the order it meets them (the trained model changed from run to run)
    f.update(dict.fromkeys(sorted(line.flags), 1.0))
    if line.words <= lexical_words:
        f.update({"t=" + t: 1.0 for t in line.tokens})
    return f


_CONTEXT_KEYS = ("w", "sent", "prose", "repeat", "stop", "headshape", "end=", "chrome_words")


def content_words(line: Line, stops: frozenset[str]) -> set[str]:
    """A line's telling words: case-folded, longer than three letters, not stopwords."""
    return {t for t in line.tokens if len(t) > 3 and t not in stops}


def _topic_shift(
    lines: list[Line], since: list[int], stops: frozenset[str], cfg: DumpConfig
) -> list[float]:
    """At the first prose line after a break, the share of the prose ahead already seen above.

    Low where a new story starts; -1 on other lines.

    Computed only where prose resumes, over windows of fixed size: linear time.
    """
    words = [content_words(li, stops) if li.prose else set() for li in lines]
    out = [-1.0] * len(lines)
    for i, li in enumerate(lines):
        if not li.prose or since[i] < 2:
            continue
        after = set().union(*words[i : i + cfg.topic_after])
        before = set().union(*words[max(0, i - cfg.topic_before) : i])
        if len(after) >= 5 and before:
            out[i] = len(after & before) / len(after)
    return out


def _heads_below(lines: list[Line], stops: frozenset[str], cfg: DumpConfig) -> list[bool]:
    """Whether each line is a headline about the text under it (most of its words are there)."""
    out = []
    for i, li in enumerate(lines):
        words = content_words(li, stops) if li.headline_shaped and not li.repeat else set()
        if len(words) < 2:
            out.append(False)
            continue
        below = {t for lj in lines[i + 1 : i + 1 + cfg.headline_below] for t in lj.tokens}
        out.append(len(words & below) / len(words) >= cfg.headline_match)
    return out


def _gaps(prose: list[bool]) -> tuple[list[int], list[int]]:
    """Lines since the last prose line and until the next one (a large number when none)."""
    n = len(prose)
    since, until = [10**6] * n, [10**6] * n
    last = -(10**6)
    for i in range(n):
        since[i] = i - last
        if prose[i]:
            last = i
    nxt = 10**6 * 2
    for i in range(n - 1, -1, -1):
        until[i] = nxt - i
        if prose[i]:
            nxt = i
    return since, until


_POS = tuple(f"pos{k}" for k in range(10))
_FIRST = ("first0", "first1", "first2")
_LAST = ("last0", "last1", "last2")


def _place(f: dict[str, float], i: int, n: int) -> None:
    """Where a line sits in the dump: its tenth, one of the first or last three (into `f`)."""
    f[_POS[min(9, 10 * i // max(1, n))]] = 1.0
    if i < 3:
        f[_FIRST[i]] = 1.0
    if i >= n - 3:
        f[_LAST[n - 1 - i]] = 1.0


_OFFSETS = ((-2, "-2:"), (-1, "-1:"), (1, "+1:"), (2, "+2:"))


@cache
def _context_names(key: str) -> tuple[str, ...]:
    """A feature's name as each neighbour sees it ('-2:w3', '-1:w3', ...): few, made once."""
    return tuple(name + key for _, name in _OFFSETS)


def _seen_by_neighbours(shapes: list[dict[str, float]]) -> dict[int, list[dict[str, float]]]:
    """For each offset, each line's main features as the line at that offset sees them."""
    main = [
        [(_context_names(k), v) for k, v in f.items() if k.startswith(_CONTEXT_KEYS)]
        for f in shapes
    ]
    return {off: [{ns[j]: v for ns, v in m} for m in main] for j, (off, _) in enumerate(_OFFSETS)}


def features(
    lines: list[Line], *, stops: frozenset[str], cfg: DumpConfig
) -> list[dict[str, float]]:
    """The feature dictionary of every line, in order (what the dump model reads)."""
    n = len(lines)
    shapes = [_shape(li, cfg.lexical_words) for li in lines]
    seen = _seen_by_neighbours(shapes)
    prose = [li.prose for li in lines]
    since, until = _gaps(prose)
    topic = _topic_shift(lines, since, stops, cfg)
    heads = _heads_below(lines, stops, cfg)
    prefix = [0]
    for p in prose:
        prefix.append(prefix[-1] + p)
    before = 0  # words of prose above the line
    out = []
    w = cfg.density_window
    bisect_right = bisect.bisect_right
    for i in range(n):
        lo, hi = max(0, i - w), min(n, i + w + 1)
        f = shapes[i].copy()
        _place(f, i, n)
        for off, name in _OFFSETS:
            if 0 <= i + off < n:
                f.update(seen[off][i + off])
            else:
                f[name + "none"] = 1.0
        f["bias"] = 1.0
        f[_SINCE[bisect_right(_GAP_EDGES, since[i])]] = 1.0
        f[_UNTIL[bisect_right(_GAP_EDGES, until[i])]] = 1.0
        f[_DENS[bisect_right(_SHARE_EDGES, (prefix[hi] - prefix[lo]) / (hi - lo))]] = 1.0
        f[_BEFORE[bisect_right(_BEFORE_EDGES, before)]] = 1.0
        if topic[i] >= 0:
            f[_TOPIC[bisect_right(_SHARE_EDGES, topic[i])]] = 1.0
        if heads[i]:
            f["heads"] = 1.0
        if any(heads[max(0, i - 3) : i]):
            f["headed"] = 1.0
        before += lines[i].words if prose[i] else 0
        out.append(f)
    return out
