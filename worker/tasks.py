"""Thin Celery tasks, one per stage: validate, get resources, call the stage, dump the result."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from schemas.batch import Batch
from worker.decode import decode_content, parse_envelope
from worker.errors import BadInput, Reason
from worker.pipeline import MIDDLE_STAGES, publish_batch, run_step, timed
from worker.policy import StageTask
from worker.resources import Resources
from worker.stages.extract import extract

Payload = dict[str, Any]


def _load(res: Resources, job_id: str) -> Batch:
    raw = res.store.get_blob(job_id)
    if raw is None:
        raise BadInput(
            Reason.BLOB_MISSING, "the submitted blob expired or was never stored; resubmit the job"
        )
    job = parse_envelope(raw, max_bytes=res.settings.max_content_bytes)
    content = decode_content(job, max_bytes=res.settings.max_content_bytes)
    articles = timed("extract", lambda: extract(job, content, cfg=res.extract_config))
    return Batch(job_id=job.job_id, options=job.options, articles=articles)


@shared_task(bind=True, base=StageTask, name="copydesk.extract")
def extract_task(self: StageTask, job_id: str) -> Payload:
    """Read the blob by its job id and extract its articles."""
    return self.run_stage("extract", job_id, lambda res: _load(res, job_id)).model_dump(mode="json")


def _step(self: StageTask, stage: str, batch: Batch, deliveries: int | None = None) -> Batch:
    """One of the middle stages (`pipeline.MIDDLE_STAGES`) on a job's batch."""
    return self.run_stage(
        stage, batch.job_id, lambda res: run_step(stage, res, [batch])[0], deliveries=deliveries
    )


@shared_task(bind=True, base=StageTask, name="copydesk.run")
def run_task(self: StageTask, job_id: str) -> int:
    """Every stage of a job in one task (the default).

    Each stage is still timed, retried and dead-lettered as itself; a retry runs the job again,
    which every stage allows (dedup claims and publish are idempotent). Deliveries are counted
    once, as the first stage's: a redelivered message runs every stage again, so a job that
    kills its worker is poison at its first stage whichever stage it dies in.
    """
    deliveries = self.count_delivery("extract", job_id)
    batch = self.run_stage("extract", job_id, lambda res: _load(res, job_id), deliveries=deliveries)
    for stage in MIDDLE_STAGES:
        batch = _step(self, stage, batch, deliveries)
    return self.run_stage(
        "publish", job_id, lambda res: publish_batch(res, batch), deliveries=deliveries
    )


def _middle(self: StageTask, stage: str, payload: Payload) -> Payload:
    return _step(self, stage, Batch.model_validate(payload)).model_dump(mode="json")


@shared_task(bind=True, base=StageTask, name="copydesk.dedup")
def dedup_task(self: StageTask, payload: Payload) -> Payload:
    """Mark duplicates against the shared index."""
    return _middle(self, "dedup", payload)


@shared_task(bind=True, base=StageTask, name="copydesk.tag")
def tag_task(self: StageTask, payload: Payload) -> Payload:
    """Tag entities."""
    return _middle(self, "tag", payload)


@shared_task(bind=True, base=StageTask, name="copydesk.classify")
def classify_task(self: StageTask, payload: Payload) -> Payload:
    """Score regions."""
    return _middle(self, "classify", payload)


@shared_task(bind=True, base=StageTask, name="copydesk.publish")
def publish_task(self: StageTask, payload: Payload) -> int:
    """Put the articles on the output stream, once each."""
    batch = Batch.model_validate(payload)
    return self.run_stage("publish", batch.job_id, lambda res: publish_batch(res, batch))
