"""`make bench`: in-process throughput of each stage on the dev data, and memory.

Figures, not pass/fail: speed targets are read from here, never asserted in unit tests.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.adapters import SMALL_MODEL
from bench.results import recorded
from schemas.article import Article
from schemas.job import Job
from worker.gazetteer import load_gazetteer
from worker.resources import Resources
from worker.settings import get_settings
from worker.stages.dedup import DedupConfig, MemoryDedupIndex, dedup
from worker.stages.entities import tag
from worker.stages.extract import ExtractConfig, extract
from worker.stages.regions import RegionConfig, RegionModel, classify
from worker.stages.textdump import split_dump

ROOT = Path(__file__).resolve().parents[1]


def _rate(n: int, fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Items per second of `fn` over its fastest of `repeat` runs, and its output.

    The fastest run, as `timeit` advises: the slower ones measure the machine's other tenants.
    """
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return n / max(1e-9, best), out


def dump_growth(blobs: list[str], base_lines: int = 2000) -> dict[str, Any]:
    """Time of the dump splitter on 1x, 2x, 4x and 8x `base_lines` lines of real dumps.

    The growth exponent is the slope of log time over log size (1.0: linear in the lines).
    """
    lines = [x for b in blobs for x in b.splitlines()]
    times = []
    for k in (1, 2, 4, 8):
        text = "\n".join((lines * (1 + k * base_lines // max(1, len(lines))))[: k * base_lines])
        rate, _ = _rate(1, functools.partial(split_dump, text, language="en"), repeat=3)
        times.append(1 / rate)
    exponent = math.log(times[-1] / times[0]) / math.log(8)
    return {"times": times, "exponent": exponent}


def _words(articles: list[Article]) -> int:
    return sum(len(a.text.split()) for a in articles)


_WORKER_RSS = (
    "import sys; from worker.preload import preload; from worker.settings import get_settings; "
    "preload(get_settings()); from worker.resources import Resources; "
    "nlp_for = Resources(get_settings()).nlp_for; "
    "[nlp_for(lang)('Warm-up text about Kampala and Brussels.') for lang in sys.argv[1:]]; "
    "print(next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')) "
    "/ 1024)"
)


def worker_rss_mb(*languages: str) -> float:
    """Peak RSS of a fresh process holding what a worker child holds after the preload.

    The NER pipelines of `languages` are loaded and run once too (English is preloaded). Read
    from VmHWM: ru_maxrss would carry this benchmark's own peak across exec.
    """
    out = subprocess.run(
        [sys.executable, "-c", _WORKER_RSS, "en", *languages],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(out.stdout.strip().splitlines()[-1])


def raw_ner_rate(model: str, texts: list[str], words: int) -> float:
    """Words/s of the model's NER as shipped (shared tok2vec + ner), the issue's reference."""
    import spacy  # noqa: PLC0415

    raw = spacy.load(model)
    raw.select_pipes(enable=[p for p in ("tok2vec", "ner") if p in raw.pipe_names])
    list(raw.pipe(texts[:2]))
    rate, _ = _rate(words, lambda: list(raw.pipe(texts, batch_size=16)))
    return rate


def main() -> None:
    """Print documents/s and words/s per stage, and the RSS with the model loaded."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--limit", type=int, default=109)
    a = ap.parse_args()
    ev = Path(a.shared).resolve() / "eval"
    records = [json.loads(line) for line in (ev / "extraction" / "dev.jsonl").open()]
    pages = [r for r in records if "html" in r][: a.limit]
    dumps = [r for r in records if "text_blob" in r][: a.limit]
    cfg = ExtractConfig()
    html_jobs = [
        Job(job_id=f"h{i}", content=r["html"], url=r.get("url")) for i, r in enumerate(pages)
    ]
    text_jobs = [
        Job(job_id=f"t{i}", content=r["text_blob"], content_type="text/plain")
        for i, r in enumerate(dumps)
    ]
    extract(html_jobs[0], html_jobs[0].content, cfg=cfg)  # warm-up: language models load
    html_rate, html_arts = _rate(
        len(html_jobs),
        lambda: [x for j in html_jobs for x in extract(j, j.content, cfg=cfg)],
        repeat=3,
    )
    text_rate, text_arts = _rate(
        len(text_jobs),
        lambda: [x for j in text_jobs for x in extract(j, j.content, cfg=cfg)],
        repeat=3,
    )
    model_cfg = replace(cfg, dump_splitter="model")
    model_rate, _ = _rate(
        len(text_jobs),
        lambda: [x for j in text_jobs for x in extract(j, j.content, cfg=model_cfg)],
        repeat=3,
    )
    growth = dump_growth([str(r["text_blob"]) for r in dumps])
    articles: list[Article] = html_arts + text_arts
    dedup_rate, articles = _rate(
        len(articles), lambda: dedup(articles, index=MemoryDedupIndex(), cfg=DedupConfig())
    )
    nlp_for = Resources(get_settings()).nlp_for
    gaz = load_gazetteer()
    tag(articles[:2], nlp_for=nlp_for, gazetteer=gaz)
    words = _words(articles)
    tag_rate, articles = _rate(words, lambda: tag(articles, nlp_for=nlp_for, gazetteer=gaz))
    raw_rate = raw_ner_rate(SMALL_MODEL, [a.text for a in articles], words)
    shipped = RegionConfig(model=RegionModel.load())  # as a worker classifies
    cls_rate, _ = _rate(len(articles), lambda: classify(articles, gazetteer=gaz, cfg=shipped))
    from bench.dedup import run as dedup_redis  # noqa: PLC0415

    redis_dedup = dedup_redis(ev / "dedup" / "dev.jsonl", DedupConfig())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mean_words = words / max(1, len(articles))
    print(f"extract html   {html_rate:8.1f} docs/s   ({len(html_jobs)} pages, best of 3 passes)")
    print(f"extract text   {text_rate:8.1f} docs/s   ({len(text_jobs)} dumps, best of 3 passes)")
    print(f"  dump model   {model_rate:8.1f} docs/s   (COPYDESK_DUMP_SPLITTER=model, same dumps)")
    print(
        "dump model     time at 1x/2x/4x/8x lines: "
        + " ".join(f"{t * 1000:.0f}ms" for t in growth["times"])
        + f"; growth exponent {growth['exponent']:.2f} (1.00 = linear)"
    )
    print(f"dedup          {dedup_rate:8.1f} articles/s")
    print(
        f"tag            {tag_rate:8.0f} words/s   ({len(articles)} articles, "
        f"mean {mean_words:.0f} words)"
    )
    print(
        f"  raw model    {raw_rate:8.0f} words/s   (tok2vec+ner as shipped, same texts); "
        f"tag/raw = {tag_rate / raw_rate:.2f}"
    )
    print(
        f"dedup (Redis)  {redis_dedup['articles_s']:8.1f} articles/s   one Lua call per job, "
        f"{redis_dedup['articles']} articles"
    )
    print(
        f"dedup memory   {redis_dedup['bytes_per_article']:8.0f} bytes/article (used_memory), "
        f"{redis_dedup['key_bytes_per_article']:.0f} (MEMORY USAGE of its keys)"
    )
    print(f"classify       {cls_rate:8.1f} articles/s")
    worker_rss = worker_rss_mb()
    worker_rss_3 = worker_rss_mb("fr", "es")
    print(
        f"rss            {worker_rss:8.0f} MB (a process with the model and gazetteer, as a "
        f"worker child); this benchmark holds {rss_mb:.0f} MB with all the dev data"
    )
    print(
        f"rss en+fr+es  {worker_rss_3:8.0f} MB (the same child after French and Spanish "
        "loaded on first use too)"
    )
    print(
        f"bench extract_html_docs_s={html_rate:.1f} extract_text_docs_s={text_rate:.1f} "
        f"extract_text_model_docs_s={model_rate:.1f} "
        f"dedup_articles_s={dedup_rate:.0f} tag_words_s={tag_rate:.0f} "
        f"raw_ner_words_s={raw_rate:.0f} "
        f"classify_articles_s={cls_rate:.0f} worker_rss_mb={worker_rss:.0f} "
        f"worker_rss_3_languages_mb={worker_rss_3:.0f} "
        f"dump_growth_exponent={growth['exponent']:.2f}"
    )


if __name__ == "__main__":
    with recorded("stages"):
        main()
