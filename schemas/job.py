"""The job envelope: what a crawler submits."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

SCHEMA_VERSION = 1
MAX_JOB_ID = 200
JOB_ID_RULE = f"1 to {MAX_JOB_ID} characters, none of them white space"


class ContentType(StrEnum):
    """The kinds of content copydesk accepts."""

    HTML = "text/html"
    TEXT = "text/plain"


# Every media type accepted on the wire, and the kind it is read as. Parameters (`; charset=`)
# and letter case are accepted too: the worker keeps the part before `;`, lowercased.
MEDIA_TYPES: dict[str, ContentType] = {
    "text/html": ContentType.HTML,
    "application/xhtml+xml": ContentType.HTML,
    "text/plain": ContentType.TEXT,
}


def _any_case(text: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in text)


def content_type_pattern() -> str:
    """The JSON Schema pattern of `content_type`: exactly what `worker.decode` accepts."""
    types = "|".join(_any_case(t) for t in MEDIA_TYPES)
    return rf"^\s*(?:{types})\s*(?:;.*)?$"


def base_media_type(value: str) -> str:
    """The media type without parameters, lowercased: `Text/HTML; charset=x` -> `text/html`."""
    return value.split(";", maxsplit=1)[0].strip().lower()


WireContentType = Annotated[
    ContentType,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": content_type_pattern(),
            "default": ContentType.HTML.value,
            "description": "text/html, application/xhtml+xml or text/plain, any letter case, "
            "with optional parameters such as '; charset=utf-8'.",
        }
    ),
]


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
        description=f"Given by the producer ({JOB_ID_RULE}), or generated. Resubmitting the "
        "same id is idempotent.",
    )
    url: str | None = Field(default=None, max_length=8192)
    content: str = Field(description="The page: text, or base64 when content_encoding is base64.")
    content_encoding: ContentEncoding = ContentEncoding.TEXT
    content_type: WireContentType = ContentType.HTML
    source: str | None = Field(default=None, max_length=200, description="Which crawler sent it.")
    submitted_at: datetime = Field(default_factory=utcnow)
    options: JobOptions = Field(default_factory=JobOptions)
