"""structlog for copydesk and for Celery's own loggers: JSON off a terminal, console on one."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

from worker.settings import LogFormat, Settings

SHARED_PROCESSORS: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library (Celery included) through one formatter.

    Log lines go to `stream` (standard error when None).
    """
    as_json = settings.log_format is LogFormat.JSON or (
        settings.log_format is LogFormat.AUTO and not (stream or sys.stderr).isatty()
    )
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # Celery's "Task ... succeeded: <return value>" would print the articles' text; our own
    # stage_done line records each outcome instead. Failures still log at WARNING and above.
    logging.getLogger("celery.app.trace").setLevel(max(logging.WARNING, root.level))


def bind_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Each task starts with a clean context bound to its id and name (Celery's task_prerun)."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", None))


def unbind_task(**_: Any) -> None:
    """A finished task leaves no context behind (Celery's task_postrun)."""
    structlog.contextvars.clear_contextvars()
