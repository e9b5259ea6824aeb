"""Load the models, the gazetteer and the language identifier before the pool forks.

The children then share those pages copy-on-write instead of each loading its own copy, and
the first job of a new child does not wait for them. What loading left freed on the heap is
handed back to the system, so that children do not inherit it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.settings import Settings

PRELOADED_LANGUAGES = ("en",)  # others load on first use, in the child that meets them


def release_free_heap() -> None:
    """Collect garbage and return freed heap pages to the system (glibc only; else nothing)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        return


def warm_justext() -> None:
    """Build trafilatura's all-language jusText stop list (30 MB) now rather than in each child.

    trafilatura builds it on the first page that needs its jusText fallback; in a child that
    is a 30 MB rise, and a peak while it is built, on some page far into the run.
    """
    from justext.core import define_stoplist  # noqa: PLC0415
    from trafilatura.external import jt_stoplist_init  # noqa: PLC0415

    define_stoplist(jt_stoplist_init())


def preload(settings: Settings) -> None:
    """Everything a worker child would otherwise load on its first job (models `settings` name)."""
    from worker.gazetteer import load_gazetteer  # noqa: PLC0415 - heavy; workers only
    from worker.resources import load_nlp  # noqa: PLC0415
    from worker.stages.dump_model import DumpModel  # noqa: PLC0415
    from worker.stages.extract import detect_language  # noqa: PLC0415

    for language in PRELOADED_LANGUAGES:
        if name := settings.ner_models.get(language):
            load_nlp(name)
    load_gazetteer()
    DumpModel.default()
    detect_language("The language identifier loads its model on first use.")
    warm_justext()
    release_free_heap()
