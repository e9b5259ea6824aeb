"""The stage chain: as Celery signatures for the queue, and in-process for batch mode."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from schemas.article import Article, Region
from schemas.batch import Batch
from worker import metrics
from worker.chain import STAGES
from worker.decode import decode_content, parse_envelope
from worker.errors import BadInput, Reason
from worker.settings import DedupPolicy
from worker.stages.dedup import DedupIndex, MemoryDedupIndex, dedup
from worker.stages.entities import tag
from worker.stages.extract import extract
from worker.stages.regions import classify

if TYPE_CHECKING:
    from worker.resources import Resources

HOST = socket.gethostname()
log = structlog.get_logger("copydesk.pipeline")


def region_stream(output_stream: str, region: Region) -> str:
    """The per-region stream of a region: `copydesk:articles:north-america` and so on."""
    return f"{output_stream}:{region.value.lower().replace(' ', '-')}"


def timed(stage: str, fn: Callable[[], list[Article]]) -> list[Article]:
    """Run a stage and record its duration on each article it returns."""
    started = time.perf_counter()
    articles = fn()
    return _stamped(articles, stage, _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _stamped(articles: Sequence[Article], stage: str, ms: float) -> list[Article]:
    """The articles with `stage`'s duration added to their timings."""
    return [a.model_copy(update={"timings_ms": {**a.timings_ms, stage: ms}}) for a in articles]


def _dedup_step(res: Resources, batches: Sequence[Batch], index: DedupIndex) -> list[list[Article]]:
    """Each job's articles against the index, in order; a job may turn dedup off."""
    return [
        dedup(b.articles, index=index, cfg=res.dedup_config) if b.options.dedup else b.articles
        for b in batches
    ]


def _tag_step(res: Resources, articles: list[Article]) -> list[Article]:
    return tag(articles, nlp_for=res.nlp_for, gazetteer=res.gazetteer)


def _classify_step(res: Resources, articles: list[Article]) -> list[Article]:
    return classify(articles, gazetteer=res.gazetteer, cfg=res.region_config)


_PER_ARTICLE = {"tag": _tag_step, "classify": _classify_step}
MIDDLE_STAGES = STAGES[1:-1]  # between extract and publish, in the one order `chain` defines
if set(MIDDLE_STAGES) != {"dedup", *_PER_ARTICLE}:
    raise RuntimeError(f"pipeline has no step for every stage of {STAGES}")


def run_step(
    stage: str, res: Resources, batches: Sequence[Batch], index: DedupIndex | None = None
) -> list[Batch]:
    """One of `MIDDLE_STAGES` over the batches of one or more jobs, timed on every article.

    Tag and classify see the articles of every batch at once (spaCy batches them); dedup claims
    each job's articles in turn against `index` (the shared Redis one when None).
    """
    started = time.perf_counter()
    if stage == "dedup":
        outs = _dedup_step(res, batches, index if index is not None else res.dedup_index)
    else:
        flat = _PER_ARTICLE[stage](res, [a for b in batches for a in b.articles])
        outs, at = [], 0
        for b in batches:
            outs.append(flat[at : at + len(b.articles)])
            at += len(b.articles)
    ms = _ms_since(started)
    return [
        b.model_copy(update={"articles": _stamped(out, stage, ms)})
        for b, out in zip(batches, outs, strict=True)
    ]


def publish_batch(res: Resources, batch: Batch) -> int:
    """Publish a job's articles once each and record how the job ended; how many were new."""
    s = res.settings
    divert = s.dedup_policy is DedupPolicy.DIVERT
    stream_for = {
        a.article_id: s.duplicate_stream if divert and a.duplicate_of else s.output_stream
        for a in batch.articles
    }
    also_to = (
        {
            a.article_id: [region_stream(s.output_stream, r.region) for r in a.regions]
            for a in batch.articles
            if not (divert and a.duplicate_of)
        }
        if s.region_streams
        else None
    )
    ids = res.store.publish(
        batch.articles,
        stream_for=stream_for,
        maxlen=s.stream_maxlen,
        ttl_s=s.dedup_window_s,
        also_to=also_to,
    )
    fresh = [i is not None for i in ids]
    new = sum(fresh)
    res.store.record_finished(
        HOST,
        job=(batch.job_id, "done" if batch.articles else "no_article"),
        jobs=1,
        articles=new,
        duplicates=sum(
            f and a.duplicate_of is not None for f, a in zip(fresh, batch.articles, strict=True)
        ),
    )
    metrics.count_published(batch.articles, fresh)
    log.info(
        "job_published",
        article_ids=[a.article_id for a in batch.articles],
        articles=len(batch.articles),
        new=new,
        duplicates=sum(a.duplicate_of is not None for a in batch.articles),
    )
    return new


@dataclass
class InlineRun:
    """Batch mode: every stage in this process, dedup state in memory."""

    res: Resources
    index: MemoryDedupIndex = field(default_factory=MemoryDedupIndex)
    failures: list[tuple[str | None, str, str]] = field(default_factory=list)

    def _extract(self, raw: dict[str, Any] | str) -> Batch | None:
        s = self.res.settings
        job_id = raw.get("job_id") if isinstance(raw, dict) else None
        try:
            job = parse_envelope(raw, max_bytes=s.max_content_bytes)
            job_id = job.job_id
            content = decode_content(job, max_bytes=s.max_content_bytes)
            arts = timed("extract", lambda: extract(job, content, cfg=self.res.extract_config))
        except BadInput as exc:
            self.failures.append((str(job_id) if job_id else None, exc.reason, exc.message))
            log.warning("job_dead", job_id=job_id, reason=exc.reason)
            return None
        return Batch(job_id=job.job_id, options=job.options, articles=arts)

    def _finish(self, batches: Sequence[Batch]) -> list[Article]:
        for stage in MIDDLE_STAGES:
            batches = run_step(stage, self.res, batches, self.index)
        return [a for b in batches for a in b.articles]

    def run(self, jobs: Sequence[dict[str, Any] | str]) -> list[Article]:
        """Articles of a chunk of jobs, in input order; spaCy sees the chunk as one batch.

        When a stage fails on the chunk, each job is run alone, so one job that breaks a stage
        is recorded as failed (reason `poison`) and the others are still published.
        """
        batches = [b for b in (self._extract(j) for j in jobs) if b is not None]
        try:
            return self._finish(batches)
        except Exception:  # noqa: BLE001 - any stage error: isolate the job that causes it
            out: list[Article] = []
            for b in batches:
                try:
                    out.extend(self._finish([b]))
                except Exception as exc:  # noqa: BLE001 - recorded as this job's failure
                    message = f"{type(exc).__name__} in a stage: {str(exc)[:200]}"
                    self.failures.append((b.job_id, Reason.POISON, message))
                    log.warning("job_dead", job_id=b.job_id, reason=Reason.POISON)
            return out


def run_inline(
    runner: InlineRun, jobs: Iterable[dict[str, Any] | str], *, chunk: int = 32
) -> Iterator[Article]:
    """Every job through every stage in this process, articles in input order."""
    buf: list[dict[str, Any] | str] = []
    for job in jobs:
        buf.append(job)
        if len(buf) >= chunk:
            yield from runner.run(buf)
            buf = []
    if buf:
        yield from runner.run(buf)
