"""The extract stage: a blob in, its clean articles out.

Cascade:
1. `options.extract` is false: the content is one clean article; its text is kept exactly.
2. HTML: parsed once; the page's title, author, date and canonical URL are read from it
   (trafilatura's metadata functions, less the site name, categories, tags and licence that
   no article carries). The body: trafilatura, comments off and precision favoured (measured
   best on the dev pages: F1 0.971 against 0.964 for either switch alone; 0.974 with the
   comparison below limited to short results), first without its
   comparison against readability and jusText (`fast`); that comparison runs only when the
   fast pass gives under `full_cascade_below` characters. It replaces the main extractor's
   text when that is short or readability finds twice as much: run on every dev page, it
   changed 6 of 109 results, the five whose fast pass gave under 350 characters for the
   better, one of 894 for the worse (F1 0.986 to 0.333), and doubled the cost of all.
   When the precise result is under `recall_ratio` of what trafilatura's default balance
   finds, the balanced one is taken (the precise pass can keep a small part of a long
   article); that pass runs only when the precise result is under `recall_ratio` of the
   page's whole text. When that finds too little, trafilatura again with its default balance;
   when that too finds nothing, the page's visible text goes through step 3.
3. Plain text: `textdump.split_dump` strips chrome and repeats and splits the dump into
   articles with the dump model (a CRF over the lines, trained by `make train-extract`).
4. Articles under `min_article_words` are not articles; a page with none gives an empty list
   (a section front or a login wall is not an error).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

import ftfy
import py3langid
import trafilatura
from htmldate import find_date
from lxml import etree, html
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura import metadata as page_meta
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import HTML_PARSER, load_html

from schemas.article import Article, article_id_for
from schemas.job import ContentType, Job
from worker.errors import BadInput, Reason
from worker.stages.dump_lines import DumpConfig
from worker.stages.dump_model import DumpModel
from worker.stages.dump_rules import split_dump as split_by_rules
from worker.stages.textdump import Draft, count_words, find_dateline, split_dump

LANGUAGE_SAMPLE = 1500  # dev articles and dump parts: same language as from 4,000, at half the time
MAX_HTML_DEPTH = 200
MAX_TEXT_LINE = 100_000
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_FTFY = ftfy.TextFixerConfig(normalization="NFC", explain=False)
_PLAIN_LINE = re.compile(r"[\t\x20-\x25\x27-\x7e]*\n?")
# True when an element sits deeper than MAX_HTML_DEPTH: libxml2 evaluates it level by level, in
# time linear in the page (0.15 ms on a news page; the deepest dev page nests 50).
_TOO_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * (MAX_HTML_DEPTH + 1)) + ")")


# trafilatura's parser comes from lxml.html, whose element-class lookup is a Python method called
# for every element Python touches (170,000 calls on the dev pages, 5% of this stage). lxml's C
# default lookup makes every element a plain HtmlElement, all that trafilatura and htmldate use
# (no form-field classes): the same articles, byte for byte, on every dev page.
HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=HtmlComment,
        pi=HtmlProcessingInstruction,
        entity=HtmlEntity,
    )
)


@dataclass(frozen=True)
class ExtractConfig:
    """Thresholds of the extract stage."""

    min_article_words: int = 40
    full_cascade_below: int = 500
    dump_splitter: str = "rules"  # or "model": the learned splitter (textdump.split_dump)
    precise: bool = True  # trafilatura's favor_precision on the first passes
    recall_ratio: float = 0.25  # the precise pass kept less than this share: take the balanced


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text."""
    sample = text[:LANGUAGE_SAMPLE]
    if count_words(sample) < 3:
        return None
    code, _ = py3langid.classify(sample)
    return str(code)


def _article(job: Job, position: int, draft: Draft, language: str | None) -> Article:
    return Article(
        article_id=article_id_for(job.job_id, position),
        job_id=job.job_id,
        position=position,
        url=job.url,
        source=job.source,
        title=draft.title,
        dateline=draft.dateline,
        summary=draft.summary,
        text=draft.text,
        language=language,
    )


def visible_text(markup: str) -> str:
    """The visible text of an HTML page, one block per line (trafilatura's fallback)."""
    try:
        tree = html.fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise BadInput(Reason.UNPARSABLE, f"HTML could not be parsed: {exc}") from exc
    refuse_deep(tree)
    for bad in tree.xpath("//script|//style|//noscript|//template|//svg"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())


def refuse_deep(tree: HtmlElement) -> None:
    """`BadInput(HOSTILE)` when the parsed page nests elements deeper than `MAX_HTML_DEPTH`.

    Checked on the tree: libxml2 parses any depth in linear time and caps the tree at 255 levels.
    """
    if _TOO_DEEP(tree):
        raise BadInput(
            Reason.HOSTILE,
            f"HTML nests elements more than {MAX_HTML_DEPTH} deep: not a page",
        )


def page_metadata(tree: HtmlElement, url: str | None) -> Document:
    """Title, author, date and canonical URL of a page, as trafilatura's metadata reader finds them.

    Less the site name, categories, tags and licence `extract_metadata` also reads (a third of
    its time), which no article carries.
    """
    meta = page_meta.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a handle or a first name alone, as trafilatura rules
    with contextlib.suppress(Exception):  # trafilatura's JSON-LD reader raises on odd data
        meta = page_meta.extract_meta_json(tree, meta)
    meta.title = meta.title or page_meta.extract_title(tree)
    meta.author = meta.author or page_meta.extract_author(tree)
    meta.url = meta.url or page_meta.extract_url(tree, url)
    meta.date = find_date(tree, **(set_date_params(True) | {"url": meta.url}))
    meta.clean_and_trim()
    return meta


def _trafilatura(tree: HtmlElement, url: str | None, *, precise: bool, fast: bool) -> Any:
    try:
        return trafilatura.bare_extraction(
            tree, url=url, include_comments=False, favor_precision=precise, fast=fast
        )
    except (RecursionError, ValueError, etree.LxmlError) as exc:
        raise BadInput(Reason.UNPARSABLE, f"HTML could not be parsed: {exc}") from exc


def _body(tree: HtmlElement, url: str | None, cfg: ExtractConfig) -> Any:
    doc = _trafilatura(tree, url, precise=cfg.precise, fast=True)
    if doc is None or len(doc.text or "") < cfg.full_cascade_below:
        doc = _trafilatura(tree, url, precise=cfg.precise, fast=False) or doc
    kept = len((doc.text if doc is not None else "") or "")
    # The precise pass can keep a small part of a long article: when it kept under
    # `recall_ratio` of what the balanced pass finds, the balanced one is taken. The page's
    # whole text bounds the balanced pass's, so that pass runs only when it could matter.
    if cfg.precise and kept < cfg.recall_ratio * len(tree.text_content()):
        wide = _trafilatura(tree, url, precise=False, fast=True)
        if wide is not None and kept < cfg.recall_ratio * len(wide.text or ""):
            doc = wide
    if doc is None or not has_words(doc.text or "", cfg.min_article_words):
        doc = _trafilatura(tree, url, precise=False, fast=False) or doc
    return doc


# A run of line breaks shows as one blank line; trafilatura walks each <br> as an element (a
# page of 10,000 of them took 10x the time of as much real text, 2 MB of them 627 MB).
_BR_RUN = re.compile(r"(?:<br\s*/?>\s*){3,}", re.IGNORECASE)


def _from_html(job: Job, markup: str, cfg: ExtractConfig) -> list[Article]:
    markup = _BR_RUN.sub("<br><br>", markup)
    try:
        tree = load_html(markup)
    except (ValueError, etree.LxmlError) as exc:
        raise BadInput(Reason.UNPARSABLE, f"HTML could not be parsed: {exc}") from exc
    if tree is None:  # not a whole page (a fragment, or text): read what it shows
        return _from_text(job, fix_text(visible_text(markup)), cfg)
    refuse_deep(tree)
    doc = _body(tree, job.url, cfg)
    body = fix_text(doc.text or "") if doc is not None else ""
    if not has_words(body, cfg.min_article_words):
        return _from_text(job, fix_text(visible_text(markup)), cfg)
    try:
        meta = page_metadata(tree, job.url)
    except (TypeError, ValueError, etree.LxmlError):  # as bare_extraction treated them: the
        meta = Document()  # page keeps its text, without title, author, date or canonical URL
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    draft = Draft(
        paragraphs=paragraphs,
        title=fix_text(meta.title) if meta.title else None,
        dateline=next((d for p in paragraphs[:2] if (d := find_dateline(p))), None),
    )
    article = _article(job, 0, draft, detect_language(body))
    return [
        article.model_copy(
            update={"author": meta.author, "published": meta.date, "url": meta.url or job.url}
        )
    ]


def has_words(text: str, least: int) -> bool:
    """Whether `text` holds at least `least` words, counting only as far as it needs to."""
    return count_words(text[: least * 40]) >= least or count_words(text) >= least


def dump_languages(text: str, *, chunk_chars: int = 3000, most: int = 3) -> list[str]:
    """The languages of a dump's parts, most common first (pages joined by infinite scroll)."""
    counts: dict[str, int] = {}
    chunk: list[str] = []
    size = 0
    for line in [*text.splitlines(), None]:
        if line is not None:
            chunk.append(line)
            size += len(line)
        if size >= chunk_chars or (line is None and chunk):
            if (code := detect_language("\n".join(chunk))) is not None:
                counts[code] = counts.get(code, 0) + 1
            chunk, size = [], 0
    return sorted(counts, key=lambda c: -counts[c])[:most]


def dump_drafts(
    text: str,
    *,
    min_words: int,
    splitter: str = "model",
    model: DumpModel | None = None,
    dump_cfg: DumpConfig | None = None,
) -> tuple[list[Draft], str | None]:
    """The articles of a dump (drafts of `min_words` or more) and the dump's main language.

    `splitter`: "model" (the learned splitter, with `model` or the committed one) or "rules".
    """
    languages = dump_languages(text)
    if splitter == "rules":
        drafts = split_by_rules(text, language=languages)
    else:
        drafts = split_dump(text, language=languages, model=model, cfg=dump_cfg)
    kept = [d for d in drafts if count_words(d.text) >= min_words]
    return kept, (languages[0] if languages else None)


def _from_text(job: Job, text: str, cfg: ExtractConfig) -> list[Article]:
    """The dump path, with the line limit of plain text.

    HTML whose visible text is read as a dump comes here too, so the limit holds for it as well
    (a 50 KB line in a comments block took 150 s).
    """
    guard(text, ContentType.TEXT)
    drafts, language = dump_drafts(
        text, min_words=cfg.min_article_words, splitter=cfg.dump_splitter
    )
    return [_article(job, i, d, detect_language(d.text) or language) for i, d in enumerate(drafts)]


def fix_text(text: str) -> str:
    """Mojibake repaired and Unicode composed (NFC): `ftfy.fix_text`, on text rather than markup.

    ftfy fixes each line on its own and leaves a line of printable ASCII without '&' as it is,
    so only the other lines go through it (a quarter of a news page's lines; a third of ftfy's
    time saved). A text with a '<' goes through whole: after a line with one, ftfy stops
    unescaping HTML entities in the lines that follow.
    """
    if "<" in text:
        return ftfy.fix_text(text, _FTFY)
    out = []
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        line = text[start:end]
        out.append(line if _PLAIN_LINE.fullmatch(line) else ftfy.fix_text(line, _FTFY))
        start = end
    return "".join(out)


def guard(content: str, content_type: ContentType) -> None:
    """Refuse content built to exhaust a parser: `BadInput(HOSTILE)` with what was found."""
    if content_type is ContentType.HTML:
        if _ENTITY.search(content, 0, 65536):
            raise BadInput(Reason.HOSTILE, "HTML declares entities (<!ENTITY): not accepted")
    else:
        longest = max((len(line) for line in content.splitlines()), default=0)
        if longest > MAX_TEXT_LINE:
            raise BadInput(
                Reason.HOSTILE,
                f"a line of {longest} characters is not page text (limit {MAX_TEXT_LINE})",
            )


def extract(job: Job, content: str, *, cfg: ExtractConfig) -> list[Article]:
    """The articles of a job's decoded content, in order (an empty list: no article on the page)."""
    if not job.options.extract:
        draft = Draft(paragraphs=[content], dateline=find_dateline(content, lines=2))
        return [_article(job, 0, draft, detect_language(content))]
    guard(content, job.content_type)
    if job.content_type is ContentType.HTML:
        return _from_html(job, content, cfg)
    return _from_text(job, fix_text(content), cfg)
