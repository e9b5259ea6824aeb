"""Faults a worker meets: a poison job that kills it every time, and a warm shutdown."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from schemas.job import Job
from tests.integration.conftest import drop_keys, fresh_settings, start_worker, stop_worker
from worker.chain import STAGES
from worker.client import Producer
from worker.demo import DEMO_JOBS

pytestmark = pytest.mark.integration
PARA = (
    "<p>The council of the northern district met on Tuesday to discuss the budget for roads, "
    "schools and the harbour, officials said.</p>\n"
)
SLOW_PAGE = "<html><body><article>" + PARA * 12_000 + "</article></body></html>"  # seconds


def uid(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_job_that_kills_its_worker_every_time_is_dead_lettered_as_poison(redis_url, tmp_path):
    """Each delivery of the job dies (SIGKILL); after max_deliveries it is a poison dead letter."""
    s = fresh_settings(redis_url, max_deliveries=2, max_content_bytes=5_000_000)
    proc = start_worker(s, tmp_path / "worker.log", concurrency=1)
    try:
        producer = Producer(s)
        store = producer.store
        job = Job(job_id=uid("poison"), content=SLOW_PAGE)
        producer.submit_job(job)
        key = store.keys.deliveries(job.job_id, "extract")
        seen = kills = 0
        deadline = time.monotonic() + 180
        while store.job_state(job.job_id) is None and time.monotonic() < deadline:
            n = int(store.client.get(key) or 0)
            if n > seen:
                seen = n
                if n <= s.max_deliveries:  # this delivery is running: the worker dies on it
                    time.sleep(0.5)
                    for child in children(proc.pid):
                        os.kill(child, signal.SIGKILL)
                    kills += 1
            time.sleep(0.05)
        assert store.job_state(job.job_id) == "dead"
        (letter,) = [d for _, d in store.read_stream(s.dead_stream, "dead")]
        assert (letter["reason"], letter["stage"], letter["attempts"]) == ("poison", "extract", 3)
        assert kills == s.max_deliveries
        good = Job(**{**DEMO_JOBS[1], "job_id": uid("after")})
        producer.submit_job(good)  # the worker goes on
        assert store.wait_for_jobs([good.job_id], timeout_s=90) == {good.job_id: "done"}
    finally:
        stop_worker(proc)
        drop_keys(s)


def test_sigterm_finishes_the_task_in_hand_and_takes_no_new_one(redis_url, tmp_path):
    """Warm shutdown: the job in hand completes; the rest of the queue waits for a worker."""
    s = fresh_settings(redis_url, max_content_bytes=5_000_000)
    log = tmp_path / "worker.log"
    proc = start_worker(s, log, concurrency=1)
    producer = Producer(s)
    store = producer.store
    try:
        slow = Job(job_id=uid("slow"), content=SLOW_PAGE)
        producer.submit_job(slow)
        queued = [Job(**{**DEMO_JOBS[1], "job_id": uid(f"q{i}")}) for i in range(3)]
        for job in queued:
            producer.submit_job(job)
        key = store.keys.deliveries(slow.job_id, "extract")
        deadline = time.monotonic() + 60
        while not store.client.get(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        # The job in hand (all its stages: one fused task) ran to its end; nothing new started.
        events = [line for line in log.read_text().splitlines() if '"stage_done"' in line]
        assert len(events) == 5
        assert all(slow.job_id in e for e in events)
        assert store.job_state(slow.job_id) == "no_article"  # its paragraphs all repeat
        assert [store.job_state(j.job_id) for j in queued] == [None] * 3
        restarted = start_worker(s, tmp_path / "worker2.log", concurrency=1)
        try:
            ids = [j.job_id for j in queued]
            states = store.wait_for_jobs(ids, timeout_s=120)
            assert states == dict.fromkeys(ids, "done")
            assert int(store.client.get(key) or 0) == 1  # the slow job was not run again
        finally:
            stop_worker(restarted)
    finally:
        if proc.poll() is None:
            proc.kill()
        drop_keys(s)


def test_one_task_per_stage_gives_the_same_articles(redis_url, tmp_path):
    """COPYDESK_FUSE_STAGES=false: the five-task chain publishes what the fused task does."""
    results = {}
    for fused in (True, False):
        s = fresh_settings(redis_url, fuse_stages=fused)
        proc = start_worker(s, tmp_path / f"worker-{fused}.log", concurrency=1)
        try:
            producer = Producer(s)
            ids = [producer.submit_job(Job(**j)).job_id or "" for j in DEMO_JOBS]
            assert set(producer.store.wait_for_jobs(ids, timeout_s=90).values()) == {"done"}
            results[fused] = [
                (a["article_id"], a["title"], a["primary_region"], len(a["entities"]))
                for _, a in producer.store.read_stream(s.output_stream, "article")
            ]
            tasks = {
                json.loads(line).get("task")
                for line in (tmp_path / f"worker-{fused}.log").read_text().splitlines()
                if '"stage_done"' in line
            }
            assert tasks == ({"copydesk.run"} if fused else {f"copydesk.{x}" for x in STAGES})
        finally:
            stop_worker(proc)
            drop_keys(s)
    assert results[True] == results[False]
    assert len(results[True]) == 3
