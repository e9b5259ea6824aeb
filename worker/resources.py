"""Per-process resources (Redis, the spaCy model, the gazetteer), built on first use."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from worker.gazetteer import Gazetteer, load_gazetteer
from worker.keys import Keys
from worker.settings import Settings, get_settings
from worker.stages.dedup import DedupConfig, DedupIndex
from worker.stages.extract import ExtractConfig
from worker.stages.regions import RegionConfig, RegionModel
from worker.store import RedisDedupIndex, Store, client_for

if TYPE_CHECKING:
    from spacy.language import Language


MODELS_DIR = Path(__file__).parent / "models"


class ModelMismatchError(RuntimeError):
    """A committed pipeline's files do not match the hash its record pins."""


def pipeline_sha256(root: Path) -> str:
    """One hash over every file of a pipeline directory but its record (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "record.json"):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode())
    return digest.hexdigest()


def model_location(name: str) -> str:
    """Where pipeline `name` loads from: a committed directory (hash checked), else as given."""
    local = MODELS_DIR / name
    if not local.is_dir():
        return name
    pinned = json.loads((local / "record.json").read_text(encoding="utf-8"))["sha256"]
    if pipeline_sha256(local) != pinned:
        raise ModelMismatchError(f"{local} does not match the sha256 in its record.json")
    return str(local)


def ner_components(nlp: Language) -> list[str]:
    """The components NER needs: `ner`, and the shared `tok2vec` only when `ner` listens to it.

    The small English pipelines give `ner` its own embedding layer; running the shared one as
    well costs a third of the tagging time for nothing.
    """
    arch = str(nlp.config["components"].get("ner", {}).get("model", {}).get("tok2vec", {}))
    listens = "Listener" in arch
    return [p for p in nlp.pipe_names if p == "ner" or (listens and p == "tok2vec")]


def _components(model: str) -> list[str]:
    """The components a pipeline package (or directory) declares, read from its meta.json."""
    import spacy.util  # noqa: PLC0415

    path = Path(model) if Path(model).is_dir() else spacy.util.get_package_path(model)
    meta = spacy.util.get_model_meta(path)
    return list(meta.get("components") or meta.get("pipeline") or [])


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    """A spaCy pipeline with only what NER needs, loaded once per process.

    The other components are not loaded at all (20 MB less in every worker process), and the
    shared `tok2vec` goes too when `ner` does not listen to it.
    """
    import spacy  # noqa: PLC0415 - heavy; only workers that tag load it

    name, model = model, model_location(model)
    nlp = spacy.load(model, exclude=[c for c in _components(model) if c not in ("tok2vec", "ner")])
    nlp.meta["copydesk_name"] = name  # what `entities_source` reports: the configured name
    for name in [p for p in nlp.pipe_names if p not in ner_components(nlp)]:
        nlp.remove_pipe(name)
    return nlp


@dataclass
class Resources:
    """What stages need, built from settings."""

    settings: Settings

    @cached_property
    def store(self) -> Store:
        """The Redis store."""
        return Store(client_for(self.settings.require_redis_url()), Keys(self.settings.key_prefix))

    @cached_property
    def dedup_index(self) -> DedupIndex:
        """The dedup index in Redis, shared by all workers."""
        s = self.settings
        return RedisDedupIndex(self.store, window_s=s.dedup_window_s, bucket_s=s.dedup_bucket_s)

    @cached_property
    def dedup_config(self) -> DedupConfig:
        """Shingles, signature, bands and threshold of the dedup stage."""
        s = self.settings
        return DedupConfig(
            shingle=s.dedup_shingle,
            num_perm=s.dedup_num_perm,
            bands=s.dedup_bands,
            threshold=s.dedup_threshold,
        )

    def nlp_for(self, language: str | None) -> Language | None:
        """The NER pipeline for `language` (None: English), or None when it has none."""
        name = self.settings.ner_models.get(language or "en")
        return load_nlp(name) if name else None

    @property
    def gazetteer(self) -> Gazetteer:
        """The place gazetteer."""
        return load_gazetteer()

    @cached_property
    def extract_config(self) -> ExtractConfig:
        """Thresholds of the extract stage."""
        return ExtractConfig(
            min_article_words=self.settings.min_article_words,
            dump_splitter=self.settings.dump_splitter,
        )

    @cached_property
    def region_config(self) -> RegionConfig:
        """Weights of the classify stage."""
        return RegionConfig(threshold=self.settings.region_threshold, model=RegionModel.load())


@lru_cache(maxsize=1)
def get_resources() -> Resources:
    """This process's resources."""
    return Resources(get_settings())
