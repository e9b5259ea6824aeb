"""The dead letter: a job that could not be processed, with a reason a person can act on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.job import SCHEMA_VERSION, utcnow


class DeadLetter(BaseModel):
    """What lands on the dead-letter stream."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    job_id: str | None = Field(description="None when the envelope was too broken to carry one.")
    stage: str = Field(
        description="intake, submit, reconcile, extract, dedup, tag, classify or publish."
    )
    reason: str = Field(description="A stable code: invalid_envelope, empty_content, too_large...")
    error_type: str
    message: str = Field(description="What went wrong and what to do about it.")
    attempts: int = Field(ge=0)
    envelope: dict[str, Any] | str | None = Field(
        description="The original envelope (or its raw text when it was not valid JSON)."
    )
    failed_at: datetime = Field(default_factory=utcnow)
