"""The Celery application factory. No tasks here; they live in `worker.tasks`."""

from __future__ import annotations

import sys

from celery import Celery

from worker.settings import Settings
from worker.signals import connect

SOFT_LIMIT_MARGIN_S = 10


def celery_config(settings: Settings) -> dict[str, object]:
    """Celery settings that keep work from being lost or doubled (see CELERY_REDIS.md)."""
    return {
        "broker_url": settings.broker(),
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": settings.task_time_limit_s,
        "task_soft_time_limit": settings.task_time_limit_s - SOFT_LIMIT_MARGIN_S,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "health_check_interval": 10,
        },
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_max_memory_per_child": settings.worker_max_memory_kb,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "worker_send_task_events": settings.task_events,
        "task_send_sent_event": False,
        "task_default_queue": settings.queue,
        "task_create_missing_queues": True,
        "enable_utc": True,
    }


def create_app(settings: Settings) -> Celery:
    """A Celery app configured from `settings`, with copydesk's tasks registered."""
    connect()  # logging, metrics and the preload, on Celery's signals
    app = Celery("copydesk")
    app.conf.update(celery_config(settings))
    app.conf.include = ["worker.tasks"]
    return app


def worker_command(
    queue: str, *, concurrency: int, name: str | None = None, loglevel: str = "INFO"
) -> list[str]:
    """The argv of a prefork `celery -A worker worker` on `queue` (demo, tests, benchmarks)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        f"--queues={queue}",
        f"--loglevel={loglevel}",
        "--without-mingle",
        "--without-gossip",
        *(["-n", name] if name else []),
    ]
