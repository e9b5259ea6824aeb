"""The chain through a real Celery worker on a real Redis-protocol server."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid

import pytest

from schemas.job import Job
from tests.conftest import ROOT, SEED, require_shared
from tests.integration.conftest import (
    MAX_BYTES,
    articles_of,
    cli_env,
    dead_letters,
    wait_for,
)
from worker.chain import build_chain
from worker.demo import DEMO_JOBS

pytestmark = pytest.mark.integration


def uid(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_env(settings, {}, *args)


def test_seed_through_the_queue(settings, store, producer):
    """`copydesk submit` the seed; `copydesk tail` shows exactly its two articles."""
    seed = require_shared(SEED)
    job_id = uid("seed")
    envelope = {
        "job_id": job_id,
        "content": seed.read_text(encoding="utf-8"),
        "content_type": "text/plain",
        "url": "https://example.org/seed",
    }
    jobs = ROOT / ".pytest_cache" / f"{job_id}.jsonl"
    jobs.parent.mkdir(exist_ok=True)
    jobs.write_text(json.dumps(envelope) + "\n", encoding="utf-8")
    sub = cli(settings, "submit", str(jobs))
    assert sub.returncode == 0, sub.stderr
    assert f"{job_id}\tqueued" in sub.stdout
    assert wait_for(store, [job_id]) == {job_id: "done"}
    articles = articles_of(store, settings, job_id)
    assert [(a["dateline"], a["primary_region"]) for a in articles] == [
        ("BRUSSELS", "Europe"),
        ("KAMPALA", "Africa"),
    ]
    assert articles[0]["title"] == (
        "US defense chief suggests Ukraine should abandon hope of "
        "winning all territory back from Russia"
    )
    assert (
        articles[1]["title"] == "Uganda army denies seizing opposition leader as vote result looms"
    )
    for a in articles:
        assert "Short Url" not in a["text"]
        assert "All Rights Reserved" not in a["text"]
        assert set(a["timings_ms"]) >= {"extract", "dedup", "tag", "classify"}
    shown = cli(settings, "tail", "--json", "--count", "200")
    assert shown.returncode == 0, shown.stderr
    tailed = [json.loads(line) for line in shown.stdout.splitlines() if line.startswith("{")]
    assert [a["article_id"] for a in tailed if a["job_id"] == job_id] == [
        f"{job_id}#0",
        f"{job_id}#1",
    ]


def send_raw(producer, store, job_id: str, envelope: dict | str) -> None:
    """Store an envelope as another producer might, unchecked, and start its chain."""
    raw = envelope if isinstance(envelope, str) else json.dumps(envelope)
    store.client.set(store.keys.blob(job_id), raw, ex=3600)
    build_chain(producer.app, job_id, queue=producer.settings.queue).apply_async()


def test_bad_input_is_dead_lettered_and_the_worker_goes_on(settings, store, producer):
    """Each kind of bad input ends on the dead-letter stream with its reason; a good job follows."""
    ids = {
        name: uid(name)
        for name in ("empty", "binary", "base64", "big", "deep", "entities", "wrongtype", "notjson")
    }
    refused = {
        "invalid_json": producer.submit_envelope('{"content": "unterminated'),
        "missing": producer.submit_envelope(
            {"job_id": uid("missing"), "content_type": "text/html"}
        ),
        "unsupported": producer.submit_envelope(
            {"job_id": uid("pdf"), "content": "%PDF", "content_type": "application/pdf"}
        ),
        "too_large": producer.submit_envelope(
            {"job_id": uid("huge"), "content": "x" * MAX_BYTES * 2, "content_type": "text/plain"}
        ),
    }
    assert {k: (v.status, v.reason) for k, v in refused.items()} == {
        "invalid_json": ("dead", "invalid_envelope"),
        "missing": ("dead", "invalid_envelope"),
        "unsupported": ("dead", "unsupported_type"),
        "too_large": ("dead", "too_large"),
    }
    producer.submit_job(Job(job_id=ids["empty"], content=" \n ", content_type="text/plain"))
    producer.submit_job(
        Job(
            job_id=ids["binary"],
            content_encoding="base64",
            content=base64.b64encode(os.urandom(4000)).decode(),
        )
    )
    producer.submit_job(
        Job(job_id=ids["base64"], content="@@not base64@@", content_encoding="base64")
    )
    send_raw(
        producer,
        store,
        ids["big"],
        {"job_id": ids["big"], "content": "y " * MAX_BYTES, "content_type": "text/plain"},
    )
    producer.submit_job(Job(job_id=ids["deep"], content="<div>" * 15_000))
    producer.submit_job(
        Job(job_id=ids["entities"], content='<!DOCTYPE x [<!ENTITY a "b">]><p>&a;</p>')
    )
    send_raw(producer, store, ids["wrongtype"], {"job_id": ids["wrongtype"], "content": 42})
    send_raw(producer, store, ids["notjson"], "{{{{")
    good = producer.submit_job(
        Job(job_id=uid("good"), **{k: v for k, v in DEMO_JOBS[1].items() if k != "job_id"})
    )
    states = wait_for(store, [*ids.values(), good.job_id])
    assert states == {**dict.fromkeys(ids.values(), "dead"), good.job_id: "done"}
    letters = {d["job_id"]: d for d in dead_letters(store, settings)}
    reasons = {name: letters[i]["reason"] for name, i in ids.items()}
    assert reasons == {
        "empty": "empty_content",
        "binary": "undecodable",
        "base64": "undecodable",
        "big": "too_large",
        "deep": "hostile",
        "entities": "hostile",
        "wrongtype": "invalid_envelope",
        "notjson": "invalid_envelope",
    }
    assert "content" in letters[ids["wrongtype"]]["message"]
    assert letters[ids["empty"]]["envelope"]["job_id"] == ids["empty"]
    assert letters[ids["empty"]]["stage"] == "extract"
    assert len(articles_of(store, settings, good.job_id)) == 1


def test_a_job_run_twice_publishes_once_and_is_not_its_own_duplicate(settings, store, producer):
    """Redelivery: the same job again adds nothing and stays an original; a copy is flagged."""
    base = {k: v for k, v in DEMO_JOBS[0].items() if k != "job_id"}
    first = uid("orig")
    producer.submit_job(Job(job_id=first, **base))
    assert wait_for(store, [first]) == {first: "done"}
    store.client.delete(store.keys.job_state(first))
    assert producer.submit_job(Job(job_id=first, **base), force=True).status == "queued"
    copy = uid("copy")
    producer.submit_job(Job(job_id=copy, **base))
    assert wait_for(store, [first, copy]) == {first: "done", copy: "done"}
    originals = articles_of(store, settings, first)
    assert [a["duplicate_of"] for a in originals] == [None, None]
    assert [a["duplicate_of"] for a in articles_of(store, settings, copy)] == [
        f"{first}#0",
        f"{first}#1",
    ]


def test_resubmitting_an_id_does_not_queue_it_again(settings, store, producer):
    """A producer that sends the same job id twice gets 'already_submitted'."""
    job = Job(job_id=uid("twice"), **{k: v for k, v in DEMO_JOBS[1].items() if k != "job_id"})
    assert producer.submit_job(job).status == "queued"
    assert producer.submit_job(job).status == "already_submitted"
    assert wait_for(store, [job.job_id]) == {job.job_id: "done"}
    assert len(articles_of(store, settings, job.job_id)) == 1


def test_dead_letters_can_be_listed_and_replayed(settings, store, producer):
    """`copydesk dead list` shows a dead job; after fixing the cause, `dead replay` runs it."""
    job_id = uid("replay")
    producer.submit_job(Job(job_id=job_id, content=" ", content_type="text/plain"))
    assert wait_for(store, [job_id]) == {job_id: "dead"}
    listed = cli(settings, "dead", "list", "--count", "500")
    assert job_id in listed.stdout.replace("\n", "") or job_id[:10] in listed.stdout
    entry = next(
        i for i, d in store.read_stream(settings.dead_stream, "dead") if d["job_id"] == job_id
    )
    good = Job(job_id=job_id, **{k: v for k, v in DEMO_JOBS[1].items() if k != "job_id"})
    letter_key = settings.dead_stream
    fixed = json.loads(store.client.xrange(letter_key, min=entry, max=entry)[0][1]["dead"])
    fixed["envelope"] = good.model_dump(mode="json")
    store.client.xdel(letter_key, entry)
    store.client.xadd(letter_key, {"dead": json.dumps(fixed)})
    new_entry = next(i for i, d in store.read_stream(letter_key, "dead") if d["job_id"] == job_id)
    replay = cli(settings, "dead", "replay", new_entry)
    assert replay.returncode == 0, replay.stderr
    assert "replayed=1" in replay.stderr
    assert wait_for(store, [job_id]) == {job_id: "done"}
    assert len(articles_of(store, settings, job_id)) == 1


def test_consume_reads_as_a_group_and_acks(settings, store, producer):
    """`copydesk consume --group` prints articles as JSON lines and leaves nothing pending."""
    job = Job(job_id=uid("grp"), **{k: v for k, v in DEMO_JOBS[1].items() if k != "job_id"})
    producer.submit_job(job)
    assert wait_for(store, [job.job_id]) == {job.job_id: "done"}
    total = store.client.xlen(settings.output_stream)
    group = uid("group")
    got = cli(settings, "consume", "--group", group, "--count", str(total), "--block-ms", "500")
    assert got.returncode == 0, got.stderr
    lines = [json.loads(line) for line in got.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == total
    assert job.job_id in {a["job_id"] for a in lines}
    assert store.client.xpending(settings.output_stream, group)["pending"] == 0


def test_consume_count_hands_over_and_acks_exactly_that_many(settings, store):
    """`consume --count 3` on 8 waiting articles: 3 printed and acked, 5 left for the group."""
    stream = f"{settings.output_stream}:{uid('count')}"
    for n in range(8):
        store.client.xadd(stream, {"article": json.dumps({"article_id": f"a{n}"})})
    group = uid("group")
    env = {"COPYDESK_OUTPUT_STREAM": stream}
    got = cli_env(settings, env, "consume", "--group", group, "--count", "3", "--block-ms", "200")
    assert got.returncode == 0, got.stderr
    lines = [json.loads(line) for line in got.stdout.splitlines() if line.startswith("{")]
    assert [a["article_id"] for a in lines] == ["a0", "a1", "a2"]
    assert store.client.xpending(stream, group)["pending"] == 0
    rest = cli_env(settings, env, "consume", "--group", group, "--count", "5", "--block-ms", "200")
    assert [json.loads(x)["article_id"] for x in rest.stdout.splitlines() if x.startswith("{")] == [
        f"a{n}" for n in range(3, 8)
    ]


def test_worker_logs_are_json_events_without_article_text(settings, store, producer, worker_log):
    """Each stage logs one JSON line with job id, stage, task id and duration; never the text."""
    job = Job(job_id=uid("logs"), **{k: v for k, v in DEMO_JOBS[1].items() if k != "job_id"})
    producer.submit_job(job)
    assert wait_for(store, [job.job_id]) == {job.job_id: "done"}
    lines = worker_log.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    mine = [e for e in events if e.get("job_id") == job.job_id and e["event"] == "stage_done"]
    assert {e["stage"] for e in mine} == {"extract", "dedup", "tag", "classify", "publish"}
    assert all(e["task_id"] and e["duration_ms"] >= 0 for e in mine)
    text = worker_log.read_text(encoding="utf-8")
    assert "swift-water rescues" not in text  # a phrase of the demo article's body


def test_a_lone_surrogate_through_the_queue_is_repaired_and_published(settings, store, producer):
    """An intake-style envelope whose JSON carries "\\ud800" (extract=false): published with
    U+FFFD in its place, tagged; it used to crash the tag stage and then every retry."""
    job_id = uid("surrogate")
    raw = json.dumps(
        {
            "job_id": job_id,
            "content": "Talks in Nairobi ended on Monday. \ud800 Kenya and Uganda signed a deal.",
            "content_type": "text/plain",
            "options": {"extract": False},
        }
    )
    producer.submit_envelope(raw)
    assert wait_for(store, [job_id]) == {job_id: "done"}
    (article,) = articles_of(store, settings, job_id)
    assert "\ufffd" in article["text"]
    assert {"Nairobi", "Kenya"} <= {m["text"] for m in article["entities"]}
