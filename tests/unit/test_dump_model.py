"""The committed dump model: pinned by hash, and trained on the data now in ../shared."""

import json

from tests.conftest import SHARED, require_shared
from worker.stages.dump_lines import WORDS_FILE
from worker.stages.dump_model import MODEL_FILE, RECORD_FILE, DumpModel, file_sha256

RECORD = json.loads(RECORD_FILE.read_text(encoding="utf-8"))


def test_the_model_is_the_one_its_record_names():
    assert file_sha256(MODEL_FILE) == RECORD["model_sha256"]
    assert RECORD["model_bytes"] == MODEL_FILE.stat().st_size
    assert MODEL_FILE.stat().st_size < 5_000_000


def test_the_model_was_trained_on_the_data_now_in_shared():
    """A changed dev file or word list without `make train-extract` fails here."""
    for name, entry in RECORD["data"].items():
        path = require_shared(SHARED / entry["file"])
        assert file_sha256(path) == entry["sha256"], f"{name}: retrain (make train-extract)"
    assert file_sha256(WORDS_FILE) == RECORD["word_lists_sha256"]


def test_the_record_says_how_it_scored_under_cross_validation():
    cv = RECORD["cross_validation"]["grouped_cv"]
    for source in ("benchmark", "fundus", "readability"):
        assert 0.0 < cv[f"{source}.text"]["f1"] <= 1.0


def test_an_empty_dump_has_no_labels():
    assert DumpModel.default().label([]) == ([], [])
