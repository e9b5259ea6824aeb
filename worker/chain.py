"""The chain of stage tasks for one job, by task name (light: producers import it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery import chain

if TYPE_CHECKING:
    from celery import Celery
    from celery.canvas import Signature

STAGES = ("extract", "dedup", "tag", "classify", "publish")


def build_chain(app: Celery, job_id: str, *, queue: str) -> Signature:
    """The chain extract -> dedup -> tag -> classify -> publish for one job, by task name."""
    first, *rest = (app.signature(f"copydesk.{s}", queue=queue) for s in STAGES)
    return chain(first.clone(args=(job_id,)), *rest)
