"""The extract stage alone, as score_extraction.py --python calls it (for fast iteration)."""

from __future__ import annotations

from schemas.job import Job
from worker.stages.extract import ExtractConfig, extract

CFG = ExtractConfig()


def articles(content: str, content_type: str, url: str | None = None) -> list[str]:
    """The texts of the articles the extract stage finds."""
    job = Job(job_id="eval", content=content, content_type=content_type, url=url)
    return [a.text for a in extract(job, content, cfg=CFG)]
