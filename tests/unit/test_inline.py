"""`copydesk process`: the whole chain in one process, as batch mode and `make eval` run it."""

import json
import subprocess
import sys

from tests.conftest import ROOT
from worker.demo import DEMO_JOBS

CHROME = (
    "Short Url",
    "Short link",
    "https://",
    "All Rights Reserved",
    "All rights reserved",
    "Share on",
)


def run_process(tmp_path, jobs):
    src, dst = tmp_path / "jobs.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(j) + "\n" for j in jobs), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "worker.cli_main", "process", "--in", str(src), "--out", str(dst)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()], proc.stderr


def test_demo_jobs_give_clean_articles(tmp_path):
    """The demo dump gives two articles (repeat removed), the HTML page one."""
    articles, _ = run_process(tmp_path, DEMO_JOBS)
    by_job = {}
    for a in articles:
        by_job.setdefault(a["job_id"], []).append(a)
    dump = by_job["demo-dump"]
    assert [a["dateline"] for a in dump] == ["LISBON", "ACCRA"]
    assert [a["primary_region"] for a in dump] == ["Europe", "Africa"]
    assert dump[1]["text"].count("Ghana Cocoa Board") == 1
    assert by_job["demo-html"][0]["title"] == "Floods close schools across Queensland"
    assert by_job["demo-html"][0]["primary_region"] == "Oceania"
    for a in articles:
        assert not any(c in a["text"] for c in CHROME)


def test_a_copy_in_the_batch_is_flagged(tmp_path):
    """A second job with the same page is marked as a duplicate of the first."""
    copy = {**DEMO_JOBS[1], "job_id": "demo-html-copy"}
    articles, _ = run_process(tmp_path, [DEMO_JOBS[1], copy])
    assert [a["duplicate_of"] for a in articles] == [None, "demo-html#0"]


def test_bad_jobs_are_reported_and_the_rest_processed(tmp_path):
    """A bad line is counted with its reason; the good jobs still come out."""
    articles, stderr = run_process(tmp_path, [{"job_id": "bad", "content": ""}, DEMO_JOBS[1]])
    assert [a["job_id"] for a in articles] == ["demo-html"]
    assert "bad=1" in stderr
    assert "empty_content" in stderr


def test_a_lone_surrogate_is_repaired_and_the_batch_publishes_every_job(tmp_path):
    """A job kept as is (extract=false) with a lone surrogate: repaired, tagged, published, and
    the other jobs of its batch too (it used to crash the tag stage and fail the whole chunk)."""
    body = (
        "Officials in Nairobi said on Monday that the new rail link to Mombasa would open next "
        "year, after talks with lenders from China and the World Bank. \ud800 The line will "
        "carry freight and passengers, the transport minister told reporters in the capital."
    )
    bad = {"job_id": "surrogate", "content": body, "content_type": "text/plain",
           "options": {"extract": False}}  # fmt: skip
    articles, _ = run_process(tmp_path, [DEMO_JOBS[0], bad, DEMO_JOBS[1]])
    assert {a["job_id"] for a in articles} == {"demo-dump", "surrogate", "demo-html"}
    (repaired,) = [a for a in articles if a["job_id"] == "surrogate"]
    assert "\ufffd" in repaired["text"]
    assert "Nairobi" in {m["text"] for m in repaired["entities"]}


def test_a_job_that_breaks_a_stage_fails_alone(monkeypatch):
    """When a stage raises on one job of a chunk, that job is recorded failed, the rest go on."""
    from worker import pipeline
    from worker.pipeline import InlineRun, run_inline
    from worker.resources import Resources
    from worker.settings import Settings

    real = pipeline.tag

    def tag(articles, **kw):
        if any(a.job_id == "demo-html" for a in articles):
            raise RuntimeError("a stage broke on this job")
        return real(articles, **kw)

    monkeypatch.setattr(pipeline, "tag", tag)
    runner = InlineRun(Resources(Settings()))
    articles = list(run_inline(runner, DEMO_JOBS))
    assert {a.job_id for a in articles} == {"demo-dump"}
    assert [(job, str(reason)) for job, reason, _ in runner.failures] == [("demo-html", "poison")]


def test_batch_mode_runs_the_stages_of_the_chain_in_its_order():
    """Batch mode, the fused task and the chain share one stage order (`chain.STAGES`)."""
    from worker.chain import STAGES
    from worker.pipeline import InlineRun, run_inline
    from worker.resources import Resources
    from worker.settings import Settings

    articles = list(run_inline(InlineRun(Resources(Settings())), DEMO_JOBS))
    assert articles
    for a in articles:
        assert list(a.timings_ms) == [s for s in STAGES if s != "publish"]
