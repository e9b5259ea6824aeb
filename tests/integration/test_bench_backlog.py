"""The end-to-end benchmark's backlog: jobs held off the queue, then released at once."""

from __future__ import annotations

import pytest

from bench.e2e import QueueRun
from worker.demo import DEMO_JOBS

pytestmark = pytest.mark.integration


def test_a_held_backlog_runs_every_job_once_when_released(redis_url, tmp_path):
    """bench.e2e times jobs queued on a list the worker does not read, renamed to its queue:
    that relies on kombu naming a queue's Redis list after the queue, which this checks."""
    run = QueueRun(redis_url, 1, tmp_path / "worker.log")
    try:
        jobs = [(i, DEMO_JOBS[i % len(DEMO_JOBS)]) for i in range(4)]
        seconds = run.backlog_seconds(jobs, timeout_s=120)
        states = run.store.wait_for_jobs([f"j{i}" for i, _ in jobs], timeout_s=0)
    finally:
        run.close()
    assert seconds > 0
    assert run.not_done == 0
    assert run.store.client.llen(run.held) == 0
    assert set(states.values()) == {"done"}
    assert run.cpu_s["pool"] > 0
