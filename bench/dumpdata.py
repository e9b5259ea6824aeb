r"""Training data for the dump model, built from the dev dumps of ../shared/eval/extraction.

Labels come from aligning each page's `text_blob` with its `expected` body in the scorer's own
tokens (`\\w+`): a token is body when a word 4-gram of the expected body covers it, a line is
body when most of its tokens are, and the first body line of a page opens its article (`B`).
Repeats of an earlier line are chrome (repeat removal stays a rule). Multi-article training
dumps are made as the multi records are: two pages' dumps one after the other, and in every
second one the second body, less its first paragraph, once more at the end.

Folds group pages by site (the URL's host, or fundus's publisher); sites that share a multi
record are one group, so no page is scored by a model that saw its site.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from worker.stages.dump_lines import DumpConfig, Line, describe, features, read_lines, stoplist
from worker.stages.extract import dump_languages, fix_text

SOURCES = {
    "benchmark": "dev.jsonl",
    "fundus": "fundus_dev.jsonl.gz",
    "readability": "readability_dev.jsonl.gz",
}
_TOKEN = re.compile(r"\w+")


@dataclass
class Page:
    """A dev page (or multi record) and where it comes from."""

    id: str
    source: str
    group: str
    text: str
    expected: list[str]  # one body per article


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """Records of a JSONL or JSONL.gz file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _site(record: dict[str, object]) -> str:
    publisher = str(record.get("publisher") or "")
    if publisher:
        return publisher.casefold()
    host = urlparse(str(record.get("url") or "")).netloc.casefold().removeprefix("www.")
    return host or str(record["id"])


def load_source(extraction: Path, source: str) -> tuple[list[Page], list[Page]]:
    """(pages, multi records) of one source, each page with its site group."""
    records = read_jsonl(extraction / SOURCES[source])
    pages = [
        Page(
            id=str(r["id"]),
            source=source,
            group=f"{source}:{_site(r)}",
            text=str(r["text_blob"]),
            expected=[str(r["expected"])],
        )
        for r in records
        if "expected" in r
    ]
    by_id = {p.id: p for p in pages}
    _merge_groups(pages, [[str(i) for i in r["source_ids"]] for r in records if "source_ids" in r])  # type: ignore[attr-defined]
    multi = [
        Page(
            id=str(r["id"]),
            source=source,
            group=by_id[str(r["source_ids"][0])].group,  # type: ignore[index]
            text=str(r["text_blob"]),
            expected=[str(x) for x in r["expected_articles"]],  # type: ignore[attr-defined]
        )
        for r in records
        if "expected_articles" in r
    ]
    return pages, multi


def _merge_groups(pages: list[Page], links: list[list[str]]) -> None:
    """Sites that share a multi record become one group (union-find over the links)."""
    parent: dict[str, str] = {}

    def root(g: str) -> str:
        while parent.get(g, g) != g:
            g = parent[g]
        return g

    by_id = {p.id: p for p in pages}
    for ids in links:
        groups = [root(by_id[i].group) for i in ids if i in by_id]
        for g in groups[1:]:
            if g != groups[0]:
                parent[g] = groups[0]
    for p in pages:
        p.group = root(p.group)


def load_all(extraction: Path) -> tuple[list[Page], list[Page]]:
    """Pages and multi records of the three sources."""
    pages: list[Page] = []
    multi: list[Page] = []
    for source in SOURCES:
        p, m = load_source(extraction, source)
        pages += p
        multi += m
    return pages, multi


def body_mask(lines: list[Line], expected: str) -> list[bool]:
    """Whether each line is article body: most of its tokens lie in a 4-gram of `expected`."""
    exp = _TOKEN.findall(expected)
    grams = {tuple(exp[i : i + 4]) for i in range(len(exp) - 3)}
    line_of: list[int] = []
    toks: list[str] = []
    for li_index, li in enumerate(lines):
        found = _TOKEN.findall(li.text)
        toks += found
        line_of += [li_index] * len(found)
    covered = [False] * len(toks)
    for s in range(len(toks) - 3):
        if tuple(toks[s : s + 4]) in grams:
            covered[s : s + 4] = [True] * 4
    total = [0] * len(lines)
    hit = [0] * len(lines)
    for k, li_index in enumerate(line_of):
        total[li_index] += 1
        hit[li_index] += covered[k]
    return [
        t > 0 and h / t >= 0.5 and not li.repeat for t, h, li in zip(total, hit, lines, strict=True)
    ]


@dataclass
class Labelled:
    """A dump ready for training: features and labels per line."""

    id: str
    group: str
    feats: list[dict[str, float]]
    labels: list[str]
    lines: list[Line]
    stops: frozenset[str]


def _stops(text: str) -> frozenset[str]:
    langs = dump_languages(text)
    return frozenset().union(*(stoplist(x) for x in langs)) if langs else stoplist(None)


_SITES = ("example", "dailyobserver", "lanacion", "tagesbote", "lesoir", "nairobinews", "news24")
_TLDS = ("com", "co.uk", "de", "fr", "es", "co.ke", "news", "org")
_NAMES = ("Jane Doe", "A. Keller", "M. Ndlovu", "P. Garcia", "L. Martin", "K. Otieno")
_AGENCIES = ("AP", "AFP", "Reuters", "dpa", "EPA", "Getty Images")


def chrome_line(rng: random.Random) -> str:
    """An invented line of chrome that real dumps keep and the dev dumps lack.

    The dev dumps hold no URLs, share bars or photo counters, so nothing there teaches the
    model that a link or 'Photo 3 of 12' inside an article is chrome.
    """
    site, tld, name = rng.choice(_SITES), rng.choice(_TLDS), rng.choice(_NAMES)
    slug = "".join(
        rng.choice("abcdefghjkmnpqrstuvwxyz0123456789") for _ in range(rng.randint(4, 9))
    )
    n = rng.randint(3, 20)
    return rng.choice(
        (
            f"https://{site}.{tld}/{slug}",
            f"https://www.{site}.{tld}/news/{slug}-{rng.randint(1000, 99999)}",
            f"{site}.{tld}/{slug}",
            f"www.{site}.{tld}",
            rng.choice(("Advertisement", "Anzeige", "Publicité", "Publicidad", "Advertentie")),
            f"Photo {rng.randint(1, n)} of {n}",
            f"Foto {rng.randint(1, n)} von {n}",
            f"({rng.choice(_AGENCIES)} Photo/{name})",
            f"Photo: {name}/{rng.choice(_AGENCIES)}",
            f"Bild: {rng.choice(_AGENCIES)}",
            rng.choice(("Share", "Tweet", "Share this article", "Teilen", "Partager", "Compartir")),
            rng.choice(("Copy link", "Link copied", "Print", "Email", "Save", "Comments")),
            f"{name.split()[-1].lower()}@{site}.{tld}",
            f"@{site}{slug[:3]}",
            f"© {rng.randint(2015, 2026)} {site.title()} Media",
        )
    )


def _augment(
    lines: list[Line], labels: list[str], stops: frozenset[str], rng: random.Random, cfg: DumpConfig
) -> None:
    """Insert a chrome line (or two) every 25 lines or so, anywhere, labelled `O`, in place."""
    for _ in range(max(1, len(lines) // 25)):
        at = rng.randrange(len(lines) + 1)
        for _ in range(rng.choice((1, 1, 2))):
            lines.insert(at, describe(chrome_line(rng), stops=stops, repeat=False, cfg=cfg))
            labels.insert(at, "O")


def labelled_dump(
    pages: list[Page], *, tail: bool, cfg: DumpConfig, augment: random.Random | None = None
) -> Labelled:
    """One dump of the given pages in a row, labelled; `tail`: the last body again at the end.

    With `augment` (a seeded generator), invented chrome lines are inserted (`_augment`).
    """
    text = "".join(fix_text(p.text) for p in pages)
    if tail:
        text += "\n".join(pages[-1].expected[0].split("\n\n")[1:]) + "\n"
    stops = _stops(text)
    lines = read_lines(text, stops=stops, cfg=cfg)
    labels = ["O"] * len(lines)
    # the lines of each page: re-read each page alone to know its line count
    start = 0
    for p in pages:
        n = len(read_lines(fix_text(p.text), stops=stops, cfg=cfg))
        mask = body_mask(lines[start : start + n], p.expected[0])
        opened = False
        for k, body in enumerate(mask):
            if body:
                labels[start + k] = "I" if opened else "B"
                opened = True
        start += n
    if augment is not None and lines:
        _augment(lines, labels, stops, augment, cfg)
    return Labelled(
        id="+".join(p.id for p in pages),
        group=pages[0].group,
        feats=features(lines, stops=stops, cfg=cfg),
        labels=labels,
        lines=lines,
        stops=stops,
    )


Span = tuple[list[str], int, int] | None  # a page's lines and its body's first and end line


def cropped(
    page: Page,
    *,
    before: int,
    after: int,
    cfg: DumpConfig,
    memo: dict[str, Span] | None = None,
) -> Page:
    """The page with only `before` lines of chrome above its body and `after` below it.

    Pages joined in a feed or a wire dump sit closer together than two whole pages: these make
    that case in training (the chrome between articles a few lines, not a page's worth).
    `memo`: aligned spans by page id, as for `transplanted`.
    """
    span = _aligned(page, cfg, memo)
    if span is None:
        return page
    raw, first, end = span
    lo, hi = max(0, first - before), end + after
    return Page(
        id=f"{page.id}[{lo}:{hi}]",
        source=page.source,
        group=page.group,
        text="\n".join(raw[lo:hi]) + "\n",
        expected=page.expected,
    )


def _aligned(page: Page, cfg: DumpConfig, memo: dict[str, Span] | None) -> Span:
    """`_body_span` of the page, through `memo` (by page id) when one is given."""
    if memo is None:
        return _body_span(page, cfg)
    if page.id not in memo:
        memo[page.id] = _body_span(page, cfg)
    return memo[page.id]


def _body_span(page: Page, cfg: DumpConfig) -> Span:
    """A page's non-blank lines (whitespace folded) and the span of its body lines, or None."""
    raw = [" ".join(x.split()) for x in fix_text(page.text).splitlines()]
    raw = [x for x in raw if x]
    mask = body_mask(read_lines("\n".join(raw), stops=_stops(page.text), cfg=cfg), page.expected[0])
    body = [i for i, m in enumerate(mask) if m]
    return (raw, body[0], body[-1] + 1) if body else None


AROUND = 3  # lines above an article that belong to it (headline, byline, date)


def transplanted(
    body: Page,
    head: Page,
    tail: Page,
    cfg: DumpConfig,
    *,
    memo: dict[str, Span] | None = None,
) -> Page | None:
    """`body`'s article (with the chrome inside it) between `head`'s header and `tail`'s footer.

    The dev pages are few, and each shows its article amid one site's chrome; a page's article
    amid other sites' chrome (same source and language) is a new single page to learn from,
    labelled by the same alignment. None when a page has no body. `memo` keeps each page's
    aligned span by id, for a caller that moves many pages among the same partners.
    """
    own, top, end = (_aligned(p, cfg, memo) for p in (body, head, tail))
    if own is None or top is None or end is None:
        return None
    (b, b0, b1), (h, h0, _), (t, _, t1) = own, top, end
    return Page(
        id=f"{body.id}<{head.id}|{tail.id}>",
        source=body.source,
        group=body.group,
        # the few lines above each article (its headline, byline, date) go with it
        text="\n".join([*h[: max(0, h0 - AROUND)], *b[max(0, b0 - AROUND) : b1], *t[t1:]]) + "\n",
        expected=body.expected,
    )


_WIRE_DATELINE = re.compile(r"^([A-Z][A-Z .'-]{2,40}?) \d{4}-\d{2}-\d{2}$")
_WIRE_FORMS = (
    "{place}: {text}",
    "{place} (Reuters) - {text}",
    "{place}, {text}",
    "{place} - {text}",
)


def wire_stories(records: list[dict[str, object]]) -> list[tuple[str, list[str]]]:
    """(headline, body lines) of each news story with a dateline and three sentences of prose.

    CoNLL-2003 documents are Reuters wire copy: a headline, sometimes a byline, a dateline line
    ('BRUSSELS 1996-08-22'), then one sentence a line. Sports results tables are left out.
    """
    out = []
    for r in records:
        lines = str(r["text"]).split("\n")
        at = next((i for i, x in enumerate(lines[:4]) if _WIRE_DATELINE.match(x)), None)
        if at is None or at == 0:
            continue
        body = lines[at + 1 :]
        prose = [x for x in body if len(x.split()) >= 8 and x.rstrip().endswith((".", '"'))]
        if len(body) < 3 or len(prose) < 0.8 * len(body):
            continue
        place = _WIRE_DATELINE.match(lines[at]).group(1).strip()  # type: ignore[union-attr]
        out.append((lines[0], [place, *body]))
    return out


def wire_dump(
    stories: list[tuple[str, list[str]]], *, rng: random.Random, cfg: DumpConfig
) -> Labelled:
    """Wire stories back to back, as a feed or a wire page dumps them, labelled by construction.

    Each story: maybe a chrome line or two, its headline, its body with the dateline written in
    one of the usual forms ('BRUSSELS: ...', 'BRUSSELS (Reuters) - ...'), maybe a share line.
    """
    texts: list[str] = []
    labels: list[str] = []
    for headline, (place, first, *rest) in stories:
        for _ in range(rng.choice((0, 0, 1, 2))):
            texts.append(chrome_line(rng))
            labels.append("O")
        texts.append(headline)
        labels.append("O")
        texts.append(rng.choice(_WIRE_FORMS).format(place=place, text=first))
        labels.append("B")
        texts += rest
        labels += ["I"] * len(rest)
        if rng.random() < 0.3:
            texts.append(chrome_line(rng))
            labels.append("O")
    text = "\n".join(texts)
    stops = stoplist("en")
    lines = read_lines(text, stops=stops, cfg=cfg)
    if len(lines) != len(labels):  # a blank or folded line: keep the labels in step
        raise ValueError("wire dump lines out of step with their labels")
    labels = ["O" if li.repeat else lab for li, lab in zip(lines, labels, strict=True)]
    return Labelled(
        id="wire:" + "+".join(h[:20] for h, _ in stories),
        group="wire",
        feats=features(lines, stops=stops, cfg=cfg),
        labels=labels,
        lines=lines,
        stops=stops,
    )


def wire_dumps(path: Path, *, count: int, seed: int, cfg: DumpConfig) -> list[Labelled]:
    """`count` wire dumps of one to three stories from CoNLL-2003's training documents."""
    rng = random.Random(seed)  # noqa: S311 (reproducible training dumps)
    stories = wire_stories(read_jsonl(path))
    out = []
    for _ in range(count):
        picked = rng.sample(stories, rng.choice((1, 2, 2, 3)))
        try:
            out.append(wire_dump(picked, rng=rng, cfg=cfg))
        except ValueError:
            continue
    return out
