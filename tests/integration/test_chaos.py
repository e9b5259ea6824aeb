"""The fault run of `make chaos`, CI-sized: workers killed, Redis restarted, nothing lost."""

from __future__ import annotations

import pytest

from bench.chaos import run_chaos
from tests.conftest import SHARED, require_shared

pytestmark = pytest.mark.integration


@pytest.mark.timeout(600)  # the run's own limits: 240 s to drain, 120 s per bad input wait
def test_killed_workers_and_a_redis_restart_lose_and_double_nothing():
    """Pages and bad inputs through two workers; kills of pool children running a task (one a
    whole worker), one Redis restart: nothing lost, nothing doubled, every bad input handled.

    It runs its own Valkey (append-only), since it restarts it: not COPYDESK_TEST_REDIS_URL.
    A kill finds a running task or is skipped (reported); at least one must land on a task.
    """
    require_shared(SHARED / "eval" / "dedup" / "dev.jsonl")
    require_shared(SHARED / "eval" / "extraction" / "dev.jsonl")
    r = run_chaos(120, kills=3, visibility_s=60, timeout_s=240)
    print(r.line())  # noqa: T201 - the run's figures, kills skipped included, in the test log
    assert r.workers_killed >= 1, f"no kill landed on a running task ({r.kills_skipped} skipped)"
    assert r.workers_killed + r.kills_skipped == 3
    assert r.redis_restarts == 1
    assert r.articles_expected > 0
    assert r.lost == 0
    assert r.doubled == 0
    assert r.articles_out == r.articles_expected
    assert r.dead_good == 0  # no page dead-lettered by the faults
    assert r.bad_handled == r.bad_tried == 13
    assert r.workers_lost == 0  # no worker died of the bad inputs
