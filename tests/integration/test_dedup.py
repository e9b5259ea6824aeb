"""Near-duplicate detection in Redis: the same decisions as in memory, under concurrency and
a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter

import pytest

from schemas.article import Article
from schemas.batch import Batch
from schemas.job import Job
from tests.conftest import SHARED, require_shared
from tests.integration.conftest import (
    articles_of,
    drop_keys,
    fresh_settings,
    start_worker,
    stop_worker,
    wait_for,
)
from worker.client import Producer
from worker.keys import Keys
from worker.pipeline import publish_batch
from worker.resources import Resources
from worker.stages.dedup import DedupConfig, MemoryDedupIndex, claim_for, dedup
from worker.stages.extract import ExtractConfig, extract
from worker.store import RedisDedupIndex, Store, client_for

pytestmark = pytest.mark.integration
DEDUP_DEV = SHARED / "eval" / "dedup" / "dev.jsonl"
STREAM_JOBS = 240


def dev_stream(n: int) -> list[dict]:
    path = require_shared(DEDUP_DEV)
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for _, line in zip(range(n), fh, strict=False)]


def test_redis_index_decides_as_the_memory_index(redis_url):
    """Claim for claim, the Lua script gives the verdicts of the in-memory index."""
    settings = fresh_settings(redis_url)
    cfg = DedupConfig()
    records = dev_stream(400)
    claims = []
    for r in records:
        job = Job(job_id=r["job_id"], content=r["content"], content_type="text/plain")
        claims += [claim_for(a, cfg) for a in extract(job, job.content, cfg=ExtractConfig())]
    store = Store(client_for(redis_url), Keys(settings.key_prefix))
    redis_index = RedisDedupIndex(store, window_s=7 * 86400, bucket_s=86400)
    try:
        in_redis = [v for c in claims for v in redis_index.claim([c], cfg)]
        in_memory = MemoryDedupIndex().claim(claims, cfg)
        assert [(v.original, round(v.similarity, 4)) for v in in_redis] == [
            (v.original, round(v.similarity, 4)) for v in in_memory
        ]
        assert sum(v.original != c.article_id for v, c in zip(in_redis, claims, strict=True)) > 20
        again = redis_index.claim(claims[:50], cfg)
        assert [v.original for v in again] == [v.original for v in in_memory[:50]]
    finally:
        drop_keys(settings)


def flags_by_group(articles, groups):
    """How many jobs of each group were flagged as copies."""
    flagged = {a["job_id"] for a in articles if a["duplicate_of"]}
    return Counter(groups[j] for j in flagged)


def test_the_queue_flags_what_batch_mode_flags(settings, store, producer):
    """The dev stream through two worker processes flags as many copies per story as in-process."""
    records = dev_stream(STREAM_JOBS)
    groups = {r["job_id"]: r["group"] for r in records}
    index = MemoryDedupIndex()
    batch = []
    for r in records:
        job = Job(job_id=r["job_id"], content=r["content"], content_type="text/plain")
        batch += [
            a.model_dump()
            for a in dedup(
                extract(job, job.content, cfg=ExtractConfig()), index=index, cfg=DedupConfig()
            )
        ]
    for r in records:
        producer.submit_envelope({k: v for k, v in r.items() if k != "group"})
    states = wait_for(store, list(groups), timeout_s=300)
    assert set(states.values()) == {"done"}
    queued = [a for j in groups for a in articles_of(store, settings, j)]
    assert flags_by_group(queued, groups) == flags_by_group(batch, groups)
    assert sum(flags_by_group(batch, groups).values()) > 15


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(x) for x in out.stdout.split()]


def test_a_job_whose_worker_is_killed_is_redelivered_and_stays_an_original(redis_url, tmp_path):
    """SIGKILL the worker process in the middle of a job (its dedup claim already written):
    the job is redelivered, completes, and its articles are originals, not copies of themselves."""
    settings = fresh_settings(redis_url)
    records = dev_stream(120)
    proc = start_worker(settings, tmp_path / "worker.log", concurrency=1)
    try:
        producer = Producer(settings)
        store = producer.store
        big = " ".join(r["content"] for r in records)  # long enough to be caught while tagging
        job = Job(
            job_id="killed", content=big, content_type="text/plain", options={"extract": False}
        )
        producer.submit_job(job)
        log_path = tmp_path / "worker.log"
        deadline = time.monotonic() + 60
        while '"stage": "dedup"' not in log_path.read_text():  # dedup done: tagging starts
            assert time.monotonic() < deadline, "the dedup stage never ran"
            time.sleep(0.01)
        time.sleep(0.3)  # tagging this text takes seconds: the kill lands in the middle of it
        (child,) = children(proc.pid)
        os.kill(child, signal.SIGKILL)
        assert wait_for(store, ["killed"], timeout_s=120) == {"killed": "done"}
        log = (tmp_path / "worker.log").read_text()
        assert "SIGKILL" in log or "WorkerLostError" in log, "the worker was not killed mid-job"
        articles = articles_of(store, settings, "killed")
        assert [a["duplicate_of"] for a in articles] == [None]
        # Delivered twice: one task runs every stage and counts its deliveries as the first's.
        assert int(store.client.get(store.keys.deliveries("killed", "extract")) or 0) == 2
    finally:
        stop_worker(proc)
        drop_keys(settings)


def test_dedup_state_expires_with_its_window(redis_url):
    """Every dedup key lives at most one bucket plus the window: the index cannot grow forever."""
    settings = fresh_settings(redis_url)
    store = Store(client_for(redis_url), Keys(settings.key_prefix))
    index = RedisDedupIndex(store, window_s=3600, bucket_s=600)
    arts = [
        Article(
            article_id=f"e{i}#0",
            job_id=f"e{i}",
            position=0,
            text=f"story number {i} about the harbour and its ships " * 5,
        )
        for i in range(5)
    ]
    try:
        dedup(arts, index=index, cfg=DedupConfig())
        bucket = int(store.client.time()[0]) // 600
        keys = {store.keys.dedup(bucket, kind) for kind in ("x", "l", "s")}
        found = set(store.client.scan_iter(f"{settings.key_prefix}:dedup:*"))
        assert found - {f"{settings.key_prefix}:dedup:seq"} == keys  # the names Keys documents
        assert all(0 < store.client.ttl(k) <= 3600 + 600 for k in keys)
    finally:
        drop_keys(settings)


def test_divert_policy_publishes_copies_to_their_own_stream(redis_url):
    """With policy divert, originals go to the output stream and copies to the duplicate one."""
    settings = fresh_settings(redis_url, dedup_policy="divert")
    res = Resources(settings)
    base = "The port of Gdansk handled record volumes of grain this autumn, officials said. " * 6
    arts = dedup(
        [Article(article_id=f"{j}#0", job_id=j, position=0, text=base) for j in "ab"],
        index=res.dedup_index,
        cfg=res.dedup_config,
    )
    try:
        for a in arts:
            publish_batch(res, Batch(job_id=a.job_id, articles=[a]))
        main = [
            a["article_id"] for _, a in res.store.read_stream(settings.output_stream, "article")
        ]
        dups = [
            a["article_id"] for _, a in res.store.read_stream(settings.duplicate_stream, "article")
        ]
        assert (main, dups) == (["a#0"], ["b#0"])
    finally:
        drop_keys(settings)
