"""Every Celery signal copydesk answers, connected in one place.

`create_app` calls `connect`. The handlers are plain functions of the modules that own the
work (logging, preload, metrics); nothing is connected as a side effect of an import.
"""

from __future__ import annotations

from typing import Any

from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_shutdown,
)

from worker import logging as logs
from worker import metrics
from worker.embedded import resolve_settings
from worker.preload import preload
from worker.settings import get_settings


def connect() -> None:
    """Connect copydesk's handlers to Celery's signals (once: each has a dispatch uid)."""
    setup_logging.connect(_on_setup_logging, weak=False, dispatch_uid="copydesk.logging")
    task_prerun.connect(logs.bind_task, weak=False, dispatch_uid="copydesk.task_prerun")
    task_postrun.connect(logs.unbind_task, weak=False, dispatch_uid="copydesk.task_postrun")
    worker_init.connect(_on_worker_init, weak=False, dispatch_uid="copydesk.worker_init")
    worker_process_shutdown.connect(_on_child_exit, weak=False, dispatch_uid="copydesk.child_exit")


def _on_setup_logging(**_: Any) -> None:
    """Keep Celery from configuring the root logger itself."""
    logs.configure_logging(get_settings())


def _on_worker_init(sender: Any = None, **_: Any) -> None:
    """In the worker's main process, before the pool forks: serve metrics, load the models."""
    settings = resolve_settings()
    app = getattr(sender, "app", None)
    if app is not None:
        metrics.serve(settings, app)
    preload(settings)


def _on_child_exit(pid: int | None = None, **_: Any) -> None:
    metrics.child_exited(pid)
