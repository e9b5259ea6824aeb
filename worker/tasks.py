"""Thin Celery tasks, one per stage: validate, get resources, call the stage, dump the result."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from schemas.batch import Batch
from worker.decode import decode_content, parse_envelope
from worker.errors import BadInput, Reason
from worker.pipeline import publish_batch, timed
from worker.policy import StageTask
from worker.resources import Resources
from worker.stages.dedup import dedup
from worker.stages.entities import tag
from worker.stages.extract import extract
from worker.stages.regions import classify

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


def _dedup(res: Resources, b: Batch) -> list[Any]:
    return (
        dedup(b.articles, index=res.dedup_index, cfg=res.dedup_config)
        if b.options.dedup
        else b.articles
    )


def _tag(res: Resources, b: Batch) -> list[Any]:
    return tag(b.articles, nlp_for=res.nlp_for, gazetteer=res.gazetteer)


def _classify(res: Resources, b: Batch) -> list[Any]:
    return classify(b.articles, gazetteer=res.gazetteer, cfg=res.region_config)


MIDDLE_STAGES = (("dedup", _dedup), ("tag", _tag), ("classify", _classify))


def _step(
    self: StageTask, stage: str, batch: Batch, fn: Any, deliveries: int | None = None
) -> Batch:
    out = self.run_stage(
        stage,
        batch.job_id,
        lambda res: timed(stage, lambda: fn(res, batch)),
        deliveries=deliveries,
    )
    return batch.model_copy(update={"articles": out})


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
    for stage, fn in MIDDLE_STAGES:
        batch = _step(self, stage, batch, fn, deliveries)
    return self.run_stage(
        "publish", job_id, lambda res: publish_batch(res, batch), deliveries=deliveries
    )


@shared_task(bind=True, base=StageTask, name="copydesk.dedup")
def dedup_task(self: StageTask, payload: Payload) -> Payload:
    """Mark duplicates against the shared index."""
    return _step(self, "dedup", Batch.model_validate(payload), _dedup).model_dump(mode="json")


@shared_task(bind=True, base=StageTask, name="copydesk.tag")
def tag_task(self: StageTask, payload: Payload) -> Payload:
    """Tag entities."""
    return _step(self, "tag", Batch.model_validate(payload), _tag).model_dump(mode="json")


@shared_task(bind=True, base=StageTask, name="copydesk.classify")
def classify_task(self: StageTask, payload: Payload) -> Payload:
    """Score regions."""
    return _step(self, "classify", Batch.model_validate(payload), _classify).model_dump(mode="json")


@shared_task(bind=True, base=StageTask, name="copydesk.publish")
def publish_task(self: StageTask, payload: Payload) -> int:
    """Put the articles on the output stream, once each."""
    batch = Batch.model_validate(payload)
    return self.run_stage("publish", batch.job_id, lambda res: publish_batch(res, batch))
