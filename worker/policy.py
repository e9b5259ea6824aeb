"""Retries, poison detection and dead-lettering, in one place for every task."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from celery import Task
from celery.exceptions import Ignore

from schemas.dead_letter import DeadLetter
from worker import metrics
from worker.errors import BadInput, Reason
from worker.pipeline import HOST
from worker.resources import Resources, get_resources

log = structlog.get_logger("copydesk.task")
T = TypeVar("T")
MAX_BACKOFF_S = 8.0


def _envelope(res: Resources, job_id: str) -> dict[str, Any] | str | None:
    raw = res.store.get_blob(job_id)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    return data if isinstance(data, dict) else raw


def dead_letter(
    res: Resources,
    *,
    job_id: str,
    stage: str,
    reason: str,
    error: BaseException,
    message: str,
    attempts: int,
) -> None:
    """Write a dead letter for a job, with its envelope, and log it."""
    letter = DeadLetter(
        job_id=job_id,
        stage=stage,
        reason=reason,
        error_type=type(error).__name__,
        message=message,
        attempts=attempts,
        envelope=_envelope(res, job_id),
    )
    res.store.dead_letter(
        letter, stream=res.settings.dead_stream, maxlen=res.settings.stream_maxlen
    )
    res.store.record_finished(HOST)
    metrics.count_dead(reason, stage)
    log.warning("job_dead", reason=reason, error_type=type(error).__name__, attempts=attempts)


if TYPE_CHECKING:
    _TaskBase = Task[Any, Any]
else:
    _TaskBase = Task


class StageTask(_TaskBase):
    """A chain link: counts deliveries, retries transient errors, dead-letters the rest."""

    abstract = True
    typing = False

    def count_delivery(self, stage: str, job_id: str) -> int:
        """Count this delivery of `stage`; a job delivered too often is dead-lettered as poison."""
        res = get_resources()
        structlog.contextvars.bind_contextvars(job_id=job_id, stage=stage)
        ttl = res.settings.visibility_timeout_s * (res.settings.max_deliveries + 1)
        deliveries = res.store.count_delivery(job_id, stage, ttl_s=ttl)
        if deliveries > res.settings.max_deliveries:
            err = BadInput(
                Reason.POISON,
                f"{stage} was delivered {deliveries} times without "
                "finishing (a worker died on it each time); inspect the blob",
            )
            dead_letter(
                res,
                job_id=job_id,
                stage=stage,
                reason=err.reason,
                error=err,
                message=err.message,
                attempts=deliveries,
            )
            raise Ignore
        return deliveries

    def run_stage(
        self,
        stage: str,
        job_id: str,
        work: Callable[[Resources], T],
        *,
        deliveries: int | None = None,
    ) -> T:
        """Run `work` as `stage` of `job_id` under copydesk's failure policy.

        `deliveries`: this message's delivery count when the task counted it already (one task
        running every stage counts once: a redelivery runs them all again); else it is counted.
        """
        if deliveries is None:
            deliveries = self.count_delivery(stage, job_id)
        res = get_resources()
        structlog.contextvars.bind_contextvars(job_id=job_id, stage=stage)
        started = time.perf_counter()
        try:
            out = work(res)
        except BadInput as exc:
            dead_letter(
                res,
                job_id=job_id,
                stage=stage,
                reason=exc.reason,
                error=exc,
                message=exc.message,
                attempts=deliveries,
            )
            raise Ignore from exc
        except Exception as exc:
            self._retry_or_dead(res, stage, job_id, exc, deliveries)
            raise
        elapsed = time.perf_counter() - started
        metrics.observe_stage(stage, elapsed)
        log.info("stage_done", duration_ms=round(elapsed * 1000, 2))
        return out

    def _retry_or_dead(
        self, res: Resources, stage: str, job_id: str, exc: Exception, deliveries: int
    ) -> None:
        retries = int(self.request.retries or 0)
        if retries < res.settings.max_retries:
            # No countdown: an ETA longer than the visibility timeout is redelivered over and
            # over on Redis. A short bounded sleep here is the backoff instead.
            delay = min(MAX_BACKOFF_S, 0.5 * 2**retries) * (0.5 + random.random())  # noqa: S311
            log.warning(
                "stage_retry",
                error_type=type(exc).__name__,
                retry=retries + 1,
                delay_s=round(delay, 2),
            )
            time.sleep(delay)
            raise self.retry(exc=exc, countdown=0, max_retries=res.settings.max_retries)
        dead_letter(
            res,
            job_id=job_id,
            stage=stage,
            reason=Reason.RETRIES_EXHAUSTED,
            error=exc,
            message=f"{stage} failed {retries + 1} times: {type(exc).__name__}: {exc}",
            attempts=max(deliveries, retries + 1),
        )
        raise Ignore from exc
