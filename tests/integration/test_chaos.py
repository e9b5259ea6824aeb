"""The fault run of `make chaos`, CI-sized: workers killed, Redis restarted, nothing lost."""

from __future__ import annotations

import pytest

from bench.chaos import run_chaos
from tests.conftest import SHARED, require_shared

pytestmark = pytest.mark.integration


def test_killed_workers_and_a_redis_restart_lose_and_double_nothing():
    """Pages and bad inputs through two workers; three kills (one a whole worker), one restart.

    It runs its own Valkey (append-only), since it restarts it: not COPYDESK_TEST_REDIS_URL.
    """
    require_shared(SHARED / "eval" / "dedup" / "dev.jsonl")
    require_shared(SHARED / "eval" / "extraction" / "dev.jsonl")
    r = run_chaos(16, kills=3, visibility_s=60, timeout_s=600)
    assert (r.workers_killed, r.redis_restarts) == (3, 1)
    assert r.articles_expected > 0
    assert r.lost == 0
    assert r.doubled == 0
    assert r.articles_out == r.articles_expected
    assert r.dead_good == 0  # no page dead-lettered by the faults
    assert r.bad_handled == r.bad_tried == 13
    assert r.workers_lost == 0  # no worker died of the bad inputs
