"""The intake stream: any producer that can XADD submits jobs; nothing lost or queued twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis

from tests.conftest import ROOT
from tests.integration.conftest import articles_of, dead_letters, settings_env, wait_for
from worker.client import Producer
from worker.demo import DEMO_JOBS

pytestmark = pytest.mark.integration
GROUP = "copydesk-intake"


def uid(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def envelope(job_id: str | None, demo: int = 1) -> dict:
    """A demo page as a crawler would send it, under its own job id (or none).

    Dedup is off for these jobs: the session's dedup index stays as the other tests expect it.
    """
    env = {k: v for k, v in DEMO_JOBS[demo].items() if k != "job_id"}
    env["options"] = {"dedup": False}
    return {**env, "job_id": job_id} if job_id else env


@pytest.fixture
def intake_settings(settings):
    """The session's settings with its own intake stream and quick reclaiming."""
    return settings.model_copy(
        update={
            "intake_stream": f"{settings.key_prefix}:intake:{uuid.uuid4().hex[:6]}",
            "intake_claim_idle_s": 3,
            "queue_lease_s": 2,
        }
    )


@pytest.fixture
def raw(redis_url):
    """A plain Redis client, as a crawler in any language has: no Celery, no copydesk."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


def start_intake(settings, log_path) -> subprocess.Popen[bytes]:
    """`copydesk intake` as its own process, as an operator runs it."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "worker.cli_main", "intake"],
            cwd=ROOT,
            env=settings_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def xadd(raw: redis.Redis, settings, fields: dict[str, str]) -> str:
    """XADD an entry with the plain command a crawler sends."""
    return str(raw.execute_command("XADD", settings.intake_stream, "*", *sum(fields.items(), ())))


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the intake consumer did not stop on SIGTERM")


def extract_deliveries(store, job_id: str) -> int:
    """How many times the job's chain reached the extract stage (1 when queued once)."""
    return int(store.client.get(store.keys.deliveries(job_id, "extract")) or 0)


def test_jobs_sent_with_plain_redis_commands_come_out_as_articles(
    intake_settings, store, producer, raw, tmp_path
):
    """XADD of a JSON envelope is the whole contract; the entries are gone once handled."""
    ids = [uid("plain") for _ in range(3)]
    for i, job_id in enumerate(ids):
        xadd(raw, intake_settings, {"job": json.dumps(envelope(job_id, demo=i % 2))})
    anonymous = xadd(raw, intake_settings, {"job": json.dumps(envelope(None))})
    proc = start_intake(intake_settings, tmp_path / "intake.log")
    try:
        states = wait_for(store, [*ids, f"intake-{anonymous}"])
    finally:
        stop(proc)
    assert set(states.values()) == {"done"}, (tmp_path / "intake.log").read_text()[-2000:]
    assert [len(articles_of(store, intake_settings, j)) for j in ids] == [2, 1, 2]
    assert len(articles_of(store, intake_settings, f"intake-{anonymous}")) == 1
    assert raw.xlen(intake_settings.intake_stream) == 0
    assert raw.xpending(intake_settings.intake_stream, GROUP)["pending"] == 0
    assert b"intake_stopped" in (tmp_path / "intake.log").read_bytes()


def test_invalid_entries_are_dead_lettered_naming_the_field(
    intake_settings, store, producer, raw, tmp_path
):
    """Invalid JSON, a missing field, a wrong type, no `job` field: each a dead letter."""
    bad = {
        "not_json": {"job": '{"job_id": "nj", "content": '},
        "missing": {"job": json.dumps({"job_id": uid("missing"), "content_type": "text/html"})},
        "wrong_type": {"job": json.dumps({"job_id": uid("wrong"), "content": ["a", "list"]})},
        "no_job_field": {"page": "<html></html>"},
    }
    entries = {name: xadd(raw, intake_settings, fields) for name, fields in bad.items()}
    good = uid("good")
    xadd(raw, intake_settings, {"job": json.dumps(envelope(good))})
    before = len(dead_letters(store, intake_settings))
    proc = start_intake(intake_settings, tmp_path / "intake.log")
    try:
        assert wait_for(store, [good]) == {good: "done"}
    finally:
        stop(proc)
    letters = [d for d in dead_letters(store, intake_settings)[before:] if d["stage"] == "intake"]
    assert len(letters) == len(bad), letters
    messages = [d["message"] for d in letters]
    assert "not valid JSON" in messages[0]
    assert "content: Field required" in messages[1]
    assert "content:" in messages[2]
    assert "valid string" in messages[2]
    assert "'job'" in messages[3]
    assert "page" in messages[3]
    assert {d["reason"] for d in letters} == {"invalid_envelope"}
    assert letters[1]["job_id"] == json.loads(bad["missing"]["job"])["job_id"]
    assert raw.xpending(intake_settings.intake_stream, GROUP)["pending"] == 0
    assert raw.xlen(intake_settings.intake_stream) == 0
    assert len(entries) == len(bad)


def test_a_consumer_that_died_before_acking_loses_nothing_and_queues_nothing_twice(
    intake_settings, store, producer, raw, tmp_path
):
    """The three places a consumer can die between reading and acking, then a live consumer."""
    s = intake_settings
    store.ensure_group(s.intake_stream, GROUP)
    ids = {name: uid(name) for name in ("read_only", "queued", "half_queued")}
    for job_id in ids.values():
        xadd(raw, s, {"job": json.dumps(envelope(job_id))})
    # A consumer reads all three entries, then dies at a different point for each.
    read = raw.xreadgroup(GROUP, "died", {s.intake_stream: ">"}, count=10)
    assert len(read[0][1]) == len(ids)
    dying = Producer(s)
    # died after queueing the chain, before the ack:
    assert dying.submit_envelope(json.dumps(envelope(ids["queued"]))).status == "queued"
    # died after storing the blob and taking the queueing lease, before queueing:
    half = ids["half_queued"]
    store.put_blob(half, json.dumps(envelope(half)), ttl_s=3600, submitted_at=time.time())
    assert store.lease_queueing(half, lease_s=s.queue_lease_s) is None
    assert raw.xpending(s.intake_stream, GROUP)["pending"] == len(ids)

    proc = start_intake(s, tmp_path / "intake.log")
    try:
        states = wait_for(store, list(ids.values()))
    finally:
        stop(proc)
    assert set(states.values()) == {"done"}, (tmp_path / "intake.log").read_text()[-2000:]
    for job_id in ids.values():
        assert len(articles_of(store, s, job_id)) == 1
        assert extract_deliveries(store, job_id) == 1, job_id
    assert raw.xpending(s.intake_stream, GROUP)["pending"] == 0
    log_events = [
        json.loads(line)
        for line in (tmp_path / "intake.log").read_text().splitlines()
        if line.startswith("{")
    ]
    statuses = {e["job_id"]: e["status"] for e in log_events if e.get("event") == "intake_entry"}
    assert statuses[ids["queued"]] == "already_submitted"
    assert statuses[ids["read_only"]] == "queued"
    assert statuses[ids["half_queued"]] == "queued"


def test_sigkill_of_the_intake_mid_burst_loses_and_doubles_nothing(
    intake_settings, store, producer, raw, tmp_path
):
    """SIGKILL the consumer while backpressure holds it mid-burst; a new one finishes."""
    intake_settings = intake_settings.model_copy(update={"intake_max_queue": 2})
    ids = [uid("burst") for _ in range(40)]
    for job_id in ids:
        xadd(raw, intake_settings, {"job": json.dumps(envelope(job_id))})
    log_path = tmp_path / "intake.log"
    first = start_intake(intake_settings, log_path)
    deadline = time.monotonic() + 60
    while b'"intake_entry"' not in log_path.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert raw.xlen(intake_settings.intake_stream) > 0, "the burst was over before the kill"
    second = start_intake(intake_settings, log_path)
    try:
        states = wait_for(store, ids, timeout_s=180)
    finally:
        stop(second)
    assert set(states.values()) == {"done"}
    published = [
        a["article_id"]
        for _, a in store.read_stream(intake_settings.output_stream, "article")
        if a["job_id"] in set(ids)
    ]
    assert sorted(published) == sorted(f"{j}#0" for j in ids)
    assert raw.xpending(intake_settings.intake_stream, GROUP)["pending"] == 0
    assert b"intake_backpressure" in log_path.read_bytes()
    assert b"intake_claimed" in log_path.read_bytes()  # the second took over what the first held


def test_copydesk_worker_runs_an_intake_when_the_setting_says_so(redis_url, raw, tmp_path):
    """`copydesk worker` with COPYDESK_INTAKE_IN_WORKER=true consumes the intake by itself."""
    from tests.integration.conftest import drop_keys, fresh_settings
    from worker.keys import Keys
    from worker.store import Store

    s = fresh_settings(redis_url, intake_in_worker=True)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "worker.cli_main", "worker", "-c", "1"],
            cwd=ROOT,
            env=settings_env(s),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        job_id = uid("inworker")
        xadd(raw, s, {"job": json.dumps(envelope(job_id))})
        own = Store(redis.Redis.from_url(redis_url, decode_responses=True), Keys(s.key_prefix))
        state = own.wait_for_jobs([job_id], timeout_s=120)
        assert state == {job_id: "done"}, log_path.read_text()[-3000:]
        assert len(articles_of(own, s, job_id)) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        drop_keys(s)
    assert b"intake_stopped" in log_path.read_bytes()  # stopped with the worker
