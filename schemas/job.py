"""The job envelope: what a crawler submits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class ContentType(StrEnum):
    """The kinds of content copydesk accepts."""

    HTML = "text/html"
    TEXT = "text/plain"


class ContentEncoding(StrEnum):
    """How `content` is carried: as text, or as base64 of the raw bytes."""

    TEXT = "text"
    BASE64 = "base64"


class JobOptions(BaseModel):
    """Per-job switches."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    extract: bool = Field(
        default=True,
        description="False: the content is already one clean article; its text is kept exactly.",
    )
    dedup: bool = Field(default=True, description="False: skip duplicate detection for this job.")


def new_job_id() -> str:
    """A fresh random job id."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class Job(BaseModel):
    """A raw blob to process: an HTML page or a plain-text page dump, with where it came from.

    Fields this schema does not know are ignored, so producers may carry their own metadata.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: int = SCHEMA_VERSION
    job_id: str = Field(
        default_factory=new_job_id,
        min_length=1,
        max_length=200,
        pattern=r"^\S+$",
        description="Given by the producer, or generated. Resubmitting the same id is idempotent.",
    )
    url: str | None = Field(default=None, max_length=8192)
    content: str = Field(description="The page: text, or base64 when content_encoding is base64.")
    content_encoding: ContentEncoding = ContentEncoding.TEXT
    content_type: ContentType = ContentType.HTML
    source: str | None = Field(default=None, max_length=200, description="Which crawler sent it.")
    submitted_at: datetime = Field(default_factory=utcnow)
    options: JobOptions = Field(default_factory=JobOptions)
