"""Submitting jobs from Python: `submit(...)` or a `Producer` for many."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import structlog

from schemas.dead_letter import DeadLetter
from schemas.job import MAX_JOB_ID, ContentEncoding, ContentType, Job, JobOptions
from worker.app import create_app
from worker.chain import build_chain
from worker.decode import parse_envelope
from worker.errors import BadInput, Reason
from worker.keys import Keys
from worker.settings import Settings
from worker.store import Store, client_for

if TYPE_CHECKING:
    from celery import Celery

log = structlog.get_logger("copydesk.client")
PREVIEW_CHARS = 2000


@dataclass(frozen=True)
class Submitted:
    """What became of one submission: queued, already_submitted, in_progress, requeued, dead."""

    job_id: str | None
    status: str
    reason: str | None = None


def _preview(raw: str | bytes | dict[str, Any]) -> dict[str, Any] | str:
    """What a dead letter keeps of an envelope too large or too broken to keep whole."""
    if isinstance(raw, dict):
        content = str(raw.get("content", ""))
        return {**raw, "content": content[:PREVIEW_CHARS], "content_length": len(content)}
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text[:PREVIEW_CHARS]


def _claimed_job_id(raw: str | bytes | dict[str, Any]) -> str | None:
    """The job id an invalid envelope names, if it names one, for its dead letter and log.

    Cut to the longest valid id (an invalid one may be any size): the envelope keeps it whole.
    """
    data: Any = raw
    if not isinstance(raw, dict):
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
    job_id = data.get("job_id") if isinstance(data, dict) else None
    return job_id[:MAX_JOB_ID] if isinstance(job_id, str) else None


class Producer:
    """Stores envelopes in Redis and starts their chains."""

    def __init__(self, settings: Settings, app: Celery | None = None) -> None:
        """A producer for the Redis and broker that `settings` name."""
        self.settings = settings
        self._app = app

    @cached_property
    def app(self) -> Celery:
        """The Celery app used to send chains."""
        return self._app or create_app(self.settings)

    @cached_property
    def store(self) -> Store:
        """The Redis store."""
        return Store(client_for(self.settings.require_redis_url()), Keys(self.settings.key_prefix))

    def submit_job(self, job: Job, *, force: bool = False) -> Submitted:
        """Store the job's envelope and queue its chain; a resubmitted id is not queued twice."""
        if len(job.content) > self.settings.max_content_bytes * 4 // 3 + 4:
            return self.refuse(
                job.model_dump(mode="json"),
                job.job_id,
                BadInput(
                    Reason.TOO_LARGE,
                    f"content of {len(job.content)} characters is over the "
                    f"{self.settings.max_content_bytes}-byte limit (COPYDESK_MAX_CONTENT_BYTES)",
                ),
            )
        envelope = job.model_dump_json()
        ttl = self.settings.blob_ttl_s
        if force:
            self.store.replace_blob(job.job_id, envelope, ttl_s=ttl)
        else:
            self.store.put_blob(job.job_id, envelope, ttl_s=ttl, submitted_at=time.time())
        # Queue the chain once: a producer that died between storing the blob and queueing
        # leaves a lease that runs out, and the next submission of the id queues it.
        holder = self.store.lease_queueing(job.job_id, lease_s=self.settings.queue_lease_s)
        if holder == "queued":
            log.info("job_already_submitted", job_id=job.job_id)
            return Submitted(job.job_id, "already_submitted")
        if holder is not None:
            log.info("job_being_queued", job_id=job.job_id)
            return Submitted(job.job_id, "in_progress")
        self._queue(job.job_id)
        log.info("job_submitted", job_id=job.job_id, content_type=job.content_type.value)
        return Submitted(job.job_id, "queued")

    def _queue(self, job_id: str) -> None:
        """Send the job's task(s), then mark it queued so nobody queues it again."""
        s = self.settings
        build_chain(self.app, job_id, queue=s.queue, fused=s.fuse_stages).apply_async()
        self.store.mark_queued(job_id, ttl_s=s.blob_ttl_s)

    def requeue(self, job_id: str) -> Submitted:
        """Queue a submitted job's chain again (reconcile): the chain is idempotent on job id."""
        if self.store.get_blob(job_id) is None:
            err = BadInput(
                Reason.BLOB_MISSING,
                "found unfinished by reconcile, but its blob expired; resubmit the job",
            )
            return self.refuse({"job_id": job_id}, job_id, err, stage="reconcile")
        self._queue(job_id)
        log.warning("job_requeued", job_id=job_id)
        return Submitted(job_id, "requeued")

    def submit_envelope(
        self,
        raw: str | bytes | dict[str, Any],
        *,
        force: bool = False,
        default_job_id: str | None = None,
        stage: str = "submit",
    ) -> Submitted:
        """Validate a raw envelope and submit it; an invalid one is dead-lettered."""
        try:
            job = parse_envelope(
                raw, max_bytes=self.settings.max_content_bytes, default_job_id=default_job_id
            )
        except BadInput as exc:
            return self.refuse(raw, _claimed_job_id(raw), exc, stage=stage)
        return self.submit_job(job, force=force)

    def refuse(
        self,
        raw: str | bytes | dict[str, Any],
        job_id: str | None,
        exc: BadInput,
        *,
        stage: str = "submit",
    ) -> Submitted:
        """Dead-letter an envelope that cannot be accepted, with its reason."""
        envelope: dict[str, Any] | str
        if exc.reason is Reason.TOO_LARGE:
            envelope = _preview(raw)
        elif isinstance(raw, dict):
            envelope = raw
        else:
            envelope = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        letter = DeadLetter(
            job_id=job_id,
            stage=stage,
            reason=exc.reason,
            error_type=type(exc).__name__,
            message=exc.message,
            attempts=0,
            envelope=envelope,
        )
        self.store.dead_letter(
            letter, stream=self.settings.dead_stream, maxlen=self.settings.stream_maxlen
        )
        log.warning("job_refused", job_id=job_id, reason=exc.reason)
        return Submitted(job_id, "dead", exc.reason)


def job_from_bytes(
    data: bytes,
    *,
    content_type: ContentType,
    url: str | None = None,
    source: str | None = None,
    job_id: str | None = None,
    options: JobOptions | None = None,
) -> Job:
    """A job for raw bytes: UTF-8 goes as text, anything else as base64 for the worker to decode."""
    fields: dict[str, Any] = {
        "url": url,
        "source": source,
        "content_type": content_type,
        "options": options or JobOptions(),
    }
    if job_id:
        fields["job_id"] = job_id
    try:
        return Job(content=data.decode("utf-8"), **fields)
    except UnicodeDecodeError:
        return Job(
            content=base64.b64encode(data).decode("ascii"),
            content_encoding=ContentEncoding.BASE64,
            **fields,
        )


def submit(
    content: str | bytes,
    *,
    settings: Settings,
    url: str | None = None,
    content_type: ContentType | str = ContentType.HTML,
    source: str | None = None,
    job_id: str | None = None,
    options: JobOptions | None = None,
) -> str:
    """Submit one blob; return its job id. Raises `BadInput` when it cannot be accepted."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    job = job_from_bytes(
        raw,
        content_type=ContentType(content_type),
        url=url,
        source=source,
        job_id=job_id,
        options=options,
    )
    result = Producer(settings).submit_job(job)
    if result.status == "dead":
        raise BadInput(
            Reason(result.reason or Reason.INVALID_ENVELOPE), "refused: see the dead-letter stream"
        )
    return job.job_id


def envelope_lines(text: str) -> list[str]:
    """The non-empty lines of a JSON-lines file of envelopes."""
    return [line for line in text.splitlines() if line.strip()]
