"""The chain of stage tasks for one job, by task name (light: producers import it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery import chain

if TYPE_CHECKING:
    from celery import Celery
    from celery.canvas import Signature

STAGES = ("extract", "dedup", "tag", "classify", "publish")


def build_chain(app: Celery, job_id: str, *, queue: str, fused: bool = True) -> Signature:
    """The work of one job, by task name: one task, or one task per stage.

    Fused (the default): `copydesk.run`. Else the chain extract -> dedup -> tag -> classify ->
    publish.
    """
    if fused:
        return app.signature("copydesk.run", args=(job_id,), queue=queue)
    first, *rest = (app.signature(f"copydesk.{s}", queue=queue) for s in STAGES)
    return chain(first.clone(args=(job_id,)), *rest)
