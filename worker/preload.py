"""Load the spaCy model and the gazetteer in the worker's main process, before the pool forks.

The children then share those pages copy-on-write instead of each loading its own copy, and
the first job of a new child does not wait for the model.
"""

from __future__ import annotations

from typing import Any

from celery.signals import worker_init


@worker_init.connect
def _preload(**_: Any) -> None:
    from worker.gazetteer import load_gazetteer  # noqa: PLC0415 - heavy; workers only
    from worker.resources import load_nlp  # noqa: PLC0415
    from worker.settings import get_settings  # noqa: PLC0415

    load_nlp(get_settings().spacy_model)
    load_gazetteer()
