"""Held-out dump models kept on disk between cross-validation runs (`bench.train_extract`)."""

from pathlib import Path

import pytest

from bench import train_extract
from bench.dumpdata import SOURCES, Page, labelled_dump
from bench.train_extract import WIRE_FILE, FoldCache
from tests.unit.test_dumpdata import BODY as LINES
from tests.unit.test_dumpdata import CFG, page_text

BODY = "\n\n".join(LINES)


def dumps():
    pages = [
        Page(id=f"p{k}", source="s", group=f"g{k}", text=page_text(), expected=[BODY])
        for k in range(6)
    ]
    return [labelled_dump([p], tail=False, cfg=CFG) for p in pages]


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A stand-in for ../shared: the cache only hashes these files."""
    root = tmp_path / "shared"
    for file in [*(f"eval/extraction/{f}" for f in SOURCES.values()), f"eval/{WIRE_FILE}"]:
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_text("{}\n", encoding="utf-8")
    return root


def counting_train(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = train_extract.train

    def train(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(train_extract, "train", train)
    return calls


def test_a_fold_model_is_trained_once_and_then_read_back(tmp_path, shared, monkeypatch):
    calls = counting_train(monkeypatch)
    first, trained = FoldCache(tmp_path / "cache", shared, 7).model("fold 1/5", dumps)
    assert trained
    again, trained = FoldCache(tmp_path / "cache", shared, 7).model("fold 1/5", dumps)
    assert not trained
    assert len(calls) == 1
    feats = dumps()[0].feats
    assert again.label(feats) == first.label(feats)


def test_changed_data_or_seed_makes_the_cached_models_stale(tmp_path, shared, monkeypatch):
    calls = counting_train(monkeypatch)
    FoldCache(tmp_path / "cache", shared, 7).model("fold 1/5", dumps)
    (shared / "eval" / "extraction" / SOURCES["fundus"]).write_text("changed\n", encoding="utf-8")
    _, trained = FoldCache(tmp_path / "cache", shared, 7).model("fold 1/5", dumps)
    assert trained
    _, trained = FoldCache(tmp_path / "cache", shared, 8).model("fold 1/5", dumps)
    assert trained  # another seed: its own models
    _, trained = FoldCache(tmp_path / "cache", shared, 7).model("fold 1/5", dumps)
    assert not trained  # the first seed's, trained on the changed data, are still there
    assert len(calls) == 3
