"""What an operator sees: Prometheus metrics, `copydesk stats` and `copydesk health`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from schemas.job import Job
from tests.conftest import ROOT
from tests.integration.conftest import (
    articles_of,
    drop_keys,
    fresh_settings,
    settings_env,
    start_worker,
    stop_worker,
    wait_for,
)
from tests.integration.servers import free_port
from worker.client import Producer
from worker.demo import DEMO_JOBS

pytestmark = pytest.mark.integration


def uid(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def cli(settings, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "worker.cli_main", *args],
        cwd=ROOT,
        env=env or settings_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the endpoint, keyed by name and sorted labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        text = resp.read().decode("utf-8")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_endpoint_counts_what_the_worker_did(redis_url, tmp_path):
    """After the demo pages, a copy of one and an empty page, the counts are what happened."""
    port = free_port()
    s = fresh_settings(redis_url, metrics_port=port, metrics_addr="127.0.0.1", region_streams=True)
    proc = start_worker(s, tmp_path / "worker.log", concurrency=2)
    try:
        producer = Producer(s)
        jobs = [Job.model_validate({**j, "job_id": uid(j["job_id"])}) for j in DEMO_JOBS]
        for job in jobs:
            producer.submit_job(job)
        states = wait_for(producer.store, [j.job_id for j in jobs])
        copy = Job.model_validate({**DEMO_JOBS[0], "job_id": uid("copy")})
        empty = Job(job_id=uid("empty"), content="  ", content_type="text/plain")
        producer.submit_job(copy)
        producer.submit_job(empty)
        states |= wait_for(producer.store, [copy.job_id, empty.job_id])
        assert list(states.values()) == ["done", "done", "done", "dead"]
        published = [a for j in [*jobs, copy] for a in articles_of(producer.store, s, j.job_id)]
        m = scrape(port)
        routed = {
            r: [a["article_id"] for _, a in producer.store.read_stream(stream, "article")]
            for r in ("europe", "africa", "oceania", "north-america", "asia", "middle-east")
            if (stream := f"{s.output_stream}:{r}")
        }
    finally:
        stop_worker(proc)
        drop_keys(s)
    assert m[("copydesk_jobs_total", (("outcome", "done"),))] == 3
    assert m[("copydesk_jobs_total", (("outcome", "dead"),))] == 1
    by_region = Counter(a["primary_region"] or "none" for a in published)
    for region, n in by_region.items():
        assert m[("copydesk_articles_total", (("region", region),))] == n
    dumps = len([a for a in published if a["job_id"] == copy.job_id])
    assert dumps == 2
    assert m[("copydesk_duplicates_total", (("kind", "exact"),))] == dumps
    assert (
        m[("copydesk_dead_letters_total", (("reason", "empty_content"), ("stage", "extract")))] == 1
    )
    assert m[("copydesk_stage_seconds_count", (("stage", "extract"),))] == 3
    assert m[("copydesk_stage_seconds_count", (("stage", "tag"),))] == 3
    assert m[("copydesk_stream_length", (("stream", "articles"),))] == len(published)
    assert m[("copydesk_stream_length", (("stream", "dead"),))] == 1
    assert m[("copydesk_queue_depth", ())] == 0
    # COPYDESK_REGION_STREAMS: each article also on the stream of every region it lists
    for a in published:
        for r in a["regions"]:
            slug = r["region"].lower().replace(" ", "-")
            assert a["article_id"] in routed[slug], (a["article_id"], slug)
    assert sum(map(len, routed.values())) == sum(len(a["regions"]) for a in published)
    assert routed["oceania"]  # the demo's flood story from Queensland


def test_stats_shows_streams_queue_and_recent_throughput(settings, store, producer):
    """`copydesk stats --json` agrees with Redis; the table form prints the same figures."""
    job = Job.model_validate({**DEMO_JOBS[1], "job_id": uid("stats")})
    producer.submit_job(job)
    assert wait_for(store, [job.job_id]) == {job.job_id: "done"}
    got = cli(settings, "stats", "--json")
    assert got.returncode == 0, got.stderr
    snap = json.loads(got.stdout)
    assert snap["streams"]["articles"]["length"] == store.client.xlen(settings.output_stream)
    assert snap["streams"]["dead"]["length"] == store.client.xlen(settings.dead_stream)
    assert snap["recent"]["jobs"] >= 1
    assert snap["recent"]["articles"] >= 1
    assert snap["jobs_submitted"] == store.client.zcard(store.keys.ledger)
    assert 0 <= snap["last_progress_age_s"] < 120
    assert snap["queue_depth"] >= 0
    table = cli(settings, "stats")
    assert table.returncode == 0, table.stderr
    assert "queue depth" in table.stdout
    assert settings.output_stream in table.stdout


def test_health_passes_with_a_worker_and_fails_without_redis(settings, producer):
    """Exit 0 while Redis and the session's worker answer; 1 when Redis is unreachable."""
    ok = cli(settings, "health", "--timeout-s", "3")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok worker" in ok.stdout
    local = cli(settings, "health", "--this-host", "--timeout-s", "3")
    assert local.returncode == 0, local.stdout + local.stderr
    env = {**settings_env(settings), "COPYDESK_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    down = cli(settings, "health", "--timeout-s", "1", env=env)
    assert down.returncode == 1
    assert "FAIL redis" in down.stdout


def test_health_fails_when_no_worker_answers(redis_url):
    """Redis answers but no worker does: on another database of the same server, none listens."""
    s = fresh_settings(redis_url)
    other = urlsplit(redis_url)._replace(path="/7").geturl()
    got = cli(s, "health", "--timeout-s", "1", env={**settings_env(s), "COPYDESK_REDIS_URL": other})
    assert got.returncode == 1
    assert "ok redis" in got.stdout
    assert "no worker answered" in got.stdout


def test_demo_prints_the_articles_alone():
    """`copydesk demo` (embedded Valkey): articles on stdout, no log line; logs in a named file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPYDESK_")}
    result = subprocess.run(
        [sys.executable, "-m", "worker.cli_main", "demo"],
        cwd=ROOT,
        env={**env, "COPYDESK_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dateline=LISBON" in result.stdout
    assert "dateline=ACCRA" in result.stdout
    assert '"event"' not in result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    log = Path(line.split(": ", 1)[1])
    assert '"event": "job_submitted"' in log.read_text(encoding="utf-8")
    assert '"event": "stage_done"' in log.read_text(encoding="utf-8")
