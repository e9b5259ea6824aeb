"""Where articles start: the second stage of the dump model.

The line labeller says which lines are body. Where body resumes after chrome, this stage
decides whether the text there continues the article open above it or starts a new one, from
evidence that only a whole article gives: how much of the vocabulary of the text ahead the
article so far already holds, how long the chrome between them is and whether it repeats
earlier lines, a headline about the text ahead, a dateline, how far into the dump it is. A
maximum-entropy classifier (CRFsuite on one-item sequences) trained on the dev dumps, decoded
left to right so that 'the article so far' is the one it has built.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from worker.stages.dump_lines import Line, bucket, content_words

_EDGES = (0.05, 0.15, 0.25, 0.35, 0.5, 0.7, 0.9)
_GAPS = (1, 2, 3, 5, 8, 13, 21, 41, 81)
_WORDS = (50, 100, 200, 400, 800, 1600)
AHEAD = 30  # body lines read ahead of a candidate start
LAG = 6  # lines just above a candidate left out of 'the article so far'
MARK = 0.05  # a body line where the labeller gives a start at least this likely is a candidate


def candidate_features(
    lines: list[Line],
    feats: list[dict[str, float]],
    *,
    body: list[int],
    k: int,
    article_words: set[str],
    article_names: set[str],
    article_size: int,
    p_start: float,
    stops: frozenset[str],
) -> dict[str, float]:
    """Features of body line `body[k]` as the start of a new article (vs. the article so far)."""
    i, prev = body[k], body[k - 1]
    gap = range(prev + 1, i)
    ahead_lines = body[k : k + AHEAD]
    ahead: set[str] = set()
    names: set[str] = set()
    ahead_size = 0
    for j in ahead_lines:
        ahead |= content_words(lines[j], stops)
        names |= lines[j].names
        ahead_size += lines[j].words
    shared = len(ahead & article_words) / len(ahead) if ahead else 0.0
    named = len(names & article_names) / len(names) if names else -1.0
    f: dict[str, float] = {
        "bias": 1.0,
        f"gap{bucket(len(gap), _GAPS)}": 1.0,
        "loggap": math.log1p(len(gap)) / 4,
        f"shared{bucket(shared, _EDGES)}": 1.0,
        "sharedv": shared,
        f"sofar{bucket(article_size, _WORDS)}": 1.0,
        f"shared{bucket(shared, _EDGES)}|sofar{bucket(article_size, _WORDS)}": 1.0,
        f"ahead{bucket(ahead_size, _WORDS)}": 1.0,
        f"pos{min(9, 10 * i // max(1, len(lines)))}": 1.0,
        f"pstart{bucket(p_start, _EDGES)}": 1.0,
        "pstartv": p_start,
    }
    if named >= 0:
        f[f"named{bucket(named, _EDGES)}"] = 1.0
        f["namedv"] = named
    else:
        f["no_names"] = 1.0
    if len(gap) > 0:
        f[f"gaprep{bucket(sum(lines[j].repeat for j in gap) / len(gap), _EDGES)}"] = 1.0
        if any("heads" in feats[j] for j in gap):
            f["gapheads"] = 1.0
        if any("chrome_words" in feats[j] or "copyright" in feats[j] for j in gap):
            f["gapchrome"] = 1.0
    for name in ("dateline", "headed", "byline", "prose", "repeat"):
        if name in feats[i]:
            f["at_" + name] = 1.0
    return f


def decode(
    lines: list[Line],
    feats: list[dict[str, float]],
    body: list[int],
    stops: frozenset[str],
    *,
    p_start: list[float],
    starts: Callable[[dict[str, float]], bool],
    gold: set[int] | None = None,
) -> tuple[list[list[int]], list[tuple[int, dict[str, float], bool]]]:
    """Articles (line indexes) from the body lines, and every candidate (line, features, outcome).

    A candidate is a body line after chrome, one where the line labeller gives a start
    (`p_start`, its marginal probability of `B`) at least `MARK`, or one that opens with a
    dateline or stands under a headline about it. With `gold` (the true first lines of
    articles, for training) a candidate starts an article when one of them lies between the
    body line before it and itself, and `starts` is not asked.
    """
    articles: list[list[int]] = []
    seen: list[tuple[int, dict[str, float], bool]] = []
    words: set[str] = set()
    names: set[str] = set()
    size = 0
    pending: deque[int] = deque()  # the article's lines not yet in `words` and `names`
    for k, i in enumerate(body):
        new = not articles
        resumes = k > 0 and (
            i - body[k - 1] > 1
            or p_start[i] >= MARK
            or "dateline" in feats[i]
            or "headed" in feats[i]
        )
        # the article so far, less its last LAG lines: a new story's headline and standfirst,
        # taken for body, must not make the story look like the article above it
        while pending and pending[0] < i - LAG:
            j = pending.popleft()
            words |= content_words(lines[j], stops)
            names |= lines[j].names
        if articles and resumes:
            f = candidate_features(
                lines,
                feats,
                body=body,
                k=k,
                article_words=words,
                article_names=names,
                article_size=size,
                p_start=p_start[i],
                stops=stops,
            )
            if gold is None:
                new = starts(f)
            else:
                new = any(j in gold for j in range(body[k - 1] + 1, i + 1))
            seen.append((i, f, new))
        if new:
            articles.append([i])
            words, names, size = set(), set(), 0
            pending.clear()
        else:
            articles[-1].append(i)
        pending.append(i)
        size += lines[i].words
    return articles, seen
