"""The intake: crawlers XADD a job envelope to a Redis stream; this queues its chain.

Contract for producers in any language: `XADD copydesk:intake * job '<envelope JSON>'`, the
envelope as in `schemas/json/job.schema.json`. An entry is acknowledged (and deleted) only once
its chain is on the Celery queue or its dead letter is written; an entry left pending by a
consumer that died is claimed again after `intake_claim_idle_s`. Queueing is idempotent on the
job id (an entry without one gets `intake-<entry id>`), so a claimed-again entry is not queued
twice.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import redis
import structlog
from kombu.exceptions import OperationalError

from worker.client import Producer, Submitted
from worker.errors import BadInput, Reason
from worker.ops import QueueDepth

if TYPE_CHECKING:
    from celery import Celery

    from worker.settings import Settings
    from worker.store import Store

log = structlog.get_logger("copydesk.intake")
JOB_FIELD = "job"
BACKPRESSURE_LOG_S = 10.0


def default_consumer_name() -> str:
    """A consumer name unique to this process: host and pid."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class IntakeCounts:
    """What one pass (or a whole run) of the intake did."""

    read: int = 0
    queued: int = 0
    already_submitted: int = 0
    dead: int = 0
    deferred: int = 0

    def add(self, status: str) -> None:
        """Count one handled entry by what became of it."""
        setattr(self, status, getattr(self, status) + 1)


def job_of_entry(fields: dict[str, Any]) -> str:
    """The envelope JSON an intake entry carries; `BadInput` naming the field when it has none."""
    raw = fields.get(JOB_FIELD)
    if raw is None:
        names = ", ".join(sorted(fields)) or "none"
        raise BadInput(
            Reason.INVALID_ENVELOPE,
            f"intake entry has no field {JOB_FIELD!r} (its fields: {names}); "
            f"send XADD <stream> * {JOB_FIELD} '<envelope JSON>'",
        )
    return str(raw)


@dataclass
class Intake:
    """One intake consumer in the intake group."""

    settings: Settings
    consumer: str = field(default_factory=default_consumer_name)
    producer: Producer | None = None
    counts: IntakeCounts = field(default_factory=IntakeCounts)
    _claim_cursor: str = "0-0"

    @cached_property
    def _producer(self) -> Producer:
        return self.producer or Producer(self.settings)

    @property
    def store(self) -> Store:
        """The Redis store the intake stream lives in."""
        return self._producer.store

    @property
    def app(self) -> Celery:
        """The Celery app chains are sent with."""
        return self._producer.app

    @cached_property
    def queue_depth(self) -> QueueDepth:
        """Messages waiting on the Celery queue."""
        return QueueDepth(self.app, self.settings.queue)

    def _reset_connection(self) -> None:
        self.queue_depth.close()

    def wait_for_room(self, stop: threading.Event) -> None:
        """Backpressure: wait while the queue is deeper than `intake_max_queue`."""
        limit = self.settings.intake_max_queue
        logged = 0.0
        while not stop.is_set():
            depth = self.queue_depth()
            if depth <= limit:
                return
            if time.monotonic() - logged > BACKPRESSURE_LOG_S:
                log.info("intake_backpressure", queue_depth=depth, limit=limit)
                logged = time.monotonic()
            stop.wait(0.5)

    def _claim(self) -> list[tuple[str, dict[str, Any]]]:
        """Entries another consumer left pending too long (it died), now ours."""
        s = self.settings
        resp: list[Any] = self.store.client.xautoclaim(
            s.intake_stream,
            s.intake_group,
            self.consumer,
            min_idle_time=s.intake_claim_idle_s * 1000,
            start_id=self._claim_cursor,
            count=s.intake_batch,
        )
        self._claim_cursor = str(resp[0])
        claimed = [(str(i), f) for i, f in resp[1] if f is not None]
        if claimed:
            log.warning("intake_claimed", entries=len(claimed), idle_s=s.intake_claim_idle_s)
        return claimed

    def _read(self, block_ms: int) -> list[tuple[str, dict[str, Any]]]:
        s = self.settings
        resp = cast(
            "list[Any]",
            self.store.client.xreadgroup(
                s.intake_group,
                self.consumer,
                {s.intake_stream: ">"},
                count=s.intake_batch,
                block=block_ms,
            )
            or [],
        )
        return [(str(i), f) for _, entries in resp for i, f in entries]

    def handle(self, entry_id: str, fields: dict[str, Any]) -> Submitted:
        """Queue (or dead-letter) one entry; acknowledge and delete it unless it must wait."""
        s = self.settings
        try:
            raw = job_of_entry(fields)
            result = self._producer.submit_envelope(
                raw, default_job_id=f"intake-{entry_id}", stage="intake"
            )
        except BadInput as exc:
            result = self._producer.refuse(dict(fields), None, exc, stage="intake")
        if result.status != "in_progress":
            pipe = self.store.client.pipeline()
            pipe.xack(s.intake_stream, s.intake_group, entry_id)
            pipe.xdel(s.intake_stream, entry_id)
            pipe.execute()
        self.counts.add(result.status)
        log.info("intake_entry", entry_id=entry_id, job_id=result.job_id, status=result.status)
        return result

    def step(self, stop: threading.Event, *, block_ms: int = 2000) -> int:
        """Handle claimed-again or new entries, each once the queue has room; how many."""
        entries = self._claim() or self._read(block_ms)
        self.counts.read += len(entries)
        for entry_id, fields in entries:
            self.wait_for_room(stop)
            if stop.is_set():  # the rest stay pending and are claimed again later
                break
            self.handle(entry_id, fields)
        return len(entries)

    def run(self, stop: threading.Event | None = None, *, max_entries: int = 0) -> IntakeCounts:
        """Consume until `stop` is set (or `max_entries` were handled), reconnecting on errors."""
        stop = stop or threading.Event()
        s = self.settings
        self.store.ensure_group(s.intake_stream, s.intake_group)
        log.info("intake_started", stream=s.intake_stream, consumer=self.consumer)
        backoff = 0.5
        while not stop.is_set() and (max_entries == 0 or self.counts.read < max_entries):
            try:
                self.step(stop)
                backoff = 0.5
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                log.warning("intake_group_missing", stream=s.intake_stream)  # server restarted
                self.store.ensure_group(s.intake_stream, s.intake_group)
            except (OSError, OperationalError, redis.ConnectionError, redis.TimeoutError) as exc:
                log.warning("intake_reconnecting", error_type=type(exc).__name__, delay_s=backoff)
                self._reset_connection()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self._reset_connection()
        log.info("intake_stopped", **self.counts.__dict__)
        return self.counts
