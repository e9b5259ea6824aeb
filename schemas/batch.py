"""The message passed between the links of the chain: a job's articles so far."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.article import Article
from schemas.job import SCHEMA_VERSION, JobOptions


class Batch(BaseModel):
    """A job's articles between two stages. The blob itself never travels down the chain."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    job_id: str
    options: JobOptions = Field(default_factory=JobOptions)
    articles: list[Article] = Field(default_factory=list)
