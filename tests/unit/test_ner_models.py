"""The committed NER pipelines: pinned by hash, small, trained on the data now in ../shared."""

import json

import pytest

from tests.conftest import SHARED, require_shared
from worker.resources import MODELS_DIR, ModelMismatchError, model_location, pipeline_sha256
from worker.stages.dump_model import file_sha256

PIPELINES = sorted(p.name for p in MODELS_DIR.glob("ner-*") if (p / "record.json").exists())


def record(name):
    return json.loads((MODELS_DIR / name / "record.json").read_text(encoding="utf-8"))


def test_the_trained_pipelines_are_committed():
    assert {"ner-en", "ner-es", "ner-nl"} <= set(PIPELINES)


@pytest.mark.parametrize("name", PIPELINES)
def test_each_pipeline_is_the_one_its_record_names_and_small(name):
    rec = record(name)
    assert pipeline_sha256(MODELS_DIR / name) == rec["sha256"]
    assert rec["bytes"] < 10_500_000
    assert model_location(name) == str(MODELS_DIR / name)


@pytest.mark.parametrize("name", PIPELINES)
def test_each_pipeline_was_trained_on_the_data_now_in_shared(name):
    """A changed training or dev file without `make train-ner` fails here."""
    for role, entry in record(name)["data"].items():
        path = require_shared(SHARED / "eval" / entry["file"])
        assert file_sha256(path) == entry["sha256"], f"{name} {role}: retrain (make train-ner)"


def test_a_changed_pipeline_file_is_refused(tmp_path, monkeypatch):
    """A pipeline whose files no longer match its record does not load."""
    import shutil

    from worker import resources

    copy = tmp_path / "ner-en"
    shutil.copytree(MODELS_DIR / "ner-en", copy)
    (copy / "meta.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(resources, "MODELS_DIR", tmp_path)
    with pytest.raises(ModelMismatchError):
        resources.model_location("ner-en")
