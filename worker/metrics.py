"""Prometheus metrics: counted in every prefork child, served by the worker's main process.

Off unless COPYDESK_METRICS_PORT is set. prometheus_client's multiprocess mode is chosen when
it is first imported, so nothing here imports it before `serve` has set
PROMETHEUS_MULTIPROC_DIR (in the worker's main process, before the children fork).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from worker.ops import QueueDepth, snapshot

if TYPE_CHECKING:
    from celery import Celery

    from schemas.article import Article
    from worker.settings import Settings

log = structlog.get_logger("copydesk.metrics")
DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0)


def enabled() -> bool:
    """Whether this process records metrics (a worker started with a metrics port)."""
    return bool(os.environ.get(DIR_ENV))


@cache
def _metrics() -> dict[str, Any]:
    from prometheus_client import Counter, Histogram  # noqa: PLC0415 - after DIR_ENV is set

    return {
        "jobs": Counter("copydesk_jobs", "Jobs finished, by outcome.", ["outcome"]),
        "articles": Counter(
            "copydesk_articles", "Articles published, by primary region.", ["region"]
        ),
        "duplicates": Counter(
            "copydesk_duplicates", "Duplicate articles published, by kind.", ["kind"]
        ),
        "dead": Counter(
            "copydesk_dead_letters",
            "Dead letters written, by reason and stage.",
            ["reason", "stage"],
        ),
        "stage": Histogram(
            "copydesk_stage_seconds",
            "Time a stage took for one job.",
            ["stage"],
            buckets=STAGE_BUCKETS,
        ),
    }


def observe_stage(stage: str, seconds: float) -> None:
    """Record how long a stage took."""
    if enabled():
        _metrics()["stage"].labels(stage=stage).observe(seconds)


def count_published(articles: Sequence[Article], new: Sequence[bool]) -> None:
    """Count a finished job and the articles it newly published."""
    if not enabled():
        return
    m = _metrics()
    m["jobs"].labels(outcome="done" if articles else "no_article").inc()
    for article, is_new in zip(articles, new, strict=True):
        if not is_new:
            continue
        m["articles"].labels(region=article.primary_region or "none").inc()
        if article.duplicate_of:
            kind = "exact" if (article.similarity or 0) >= 1.0 else "near"
            m["duplicates"].labels(kind=kind).inc()


def count_dead(reason: str, stage: str) -> None:
    """Count a dead letter (and its job's outcome)."""
    if enabled():
        m = _metrics()
        m["dead"].labels(reason=reason, stage=stage).inc()
        m["jobs"].labels(outcome="dead").inc()


class RedisCollector:
    """Gauges read from Redis at scrape time: stream lengths and the queue depth."""

    def __init__(self, settings: Settings, app: Celery) -> None:
        """Collect for the streams and queue `settings` name, through `app`'s broker."""
        self.settings = settings
        self.app = app
        self._depth: QueueDepth | None = None  # one broker connection for every scrape

    def collect(self) -> Iterator[Any]:
        """One gauge family per figure."""
        from prometheus_client.core import GaugeMetricFamily  # noqa: PLC0415

        if self._depth is None:
            self._depth = QueueDepth(self.app, self.settings.queue)
        try:
            snap = snapshot(self.settings, self._depth)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail because Redis is down
            log.warning("metrics_redis_unreachable", error_type=type(exc).__name__)
            return
        streams = GaugeMetricFamily(
            "copydesk_stream_length", "Entries on each copydesk stream.", labels=["stream"]
        )
        for name, info in snap.streams.items():
            streams.add_metric([name], info.length)
        yield streams
        yield GaugeMetricFamily(
            "copydesk_queue_depth", "Messages waiting on the Celery queue.", value=snap.queue_depth
        )


def serve(settings: Settings, app: Celery) -> None:
    """Start the metrics endpoint for this worker's processes (main process, before forking)."""
    if settings.metrics_port is None:
        return
    path = os.environ.get(DIR_ENV) or tempfile.mkdtemp(prefix="copydesk-metrics-")
    Path(path).mkdir(parents=True, exist_ok=True)
    for stale in Path(path).glob("*.db"):  # counts of an earlier run must not be summed in
        stale.unlink()
    os.environ[DIR_ENV] = path
    from prometheus_client import CollectorRegistry, start_http_server  # noqa: PLC0415
    from prometheus_client.multiprocess import MultiProcessCollector  # noqa: PLC0415

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    registry.register(RedisCollector(settings, app))
    start_http_server(settings.metrics_port, addr=settings.metrics_addr, registry=registry)
    log.info("metrics_serving", port=settings.metrics_port)


def child_exited(pid: int | None) -> None:
    """A prefork child left: its counts stay, its live gauges go (multiprocess mode)."""
    if enabled():
        from prometheus_client import multiprocess  # noqa: PLC0415

        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
