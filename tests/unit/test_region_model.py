"""The committed region model: fitted on the data now in ../shared, on the features we compute."""

import json

import pytest

from tests.conftest import SHARED, require_shared
from worker.stages.dump_model import file_sha256
from worker.stages.regions import FEATURES, MODEL_FILE, ModelMismatchError, RegionModel

RECORD = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["record"]


def test_the_model_was_fitted_on_the_data_now_in_shared():
    """A changed region dev file without `make train-regions` fails here."""
    for name, entry in RECORD["data"].items():
        path = require_shared(SHARED / entry["file"])
        assert file_sha256(path) == entry["sha256"], f"{name}: refit (make train-regions)"


def test_the_record_says_how_it_scored_where_it_did_not_look():
    cv = RECORD["cross_validation"]
    for block in ("grouped_cv", "grouped_cv_isotonic_alone", "grouped_cv_logistic_alone"):
        for part in ("english", "other"):
            assert 0.0 < cv[block][part]["macro_f1"] <= 1.0
    assert 0.0 < cv["leave_one_language_out"]["micro_f1"] <= 1.0


def test_a_model_fitted_on_other_features_is_refused(tmp_path):
    """Code that computes other features than the file was fitted on fails loudly, not wrongly."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["features"] = [*FEATURES[:-1], "something_else"]
    stale = tmp_path / "region_model.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelMismatchError, match="make train-regions"):
        RegionModel.load(stale)
    assert len(RegionModel.load().coef) == len(FEATURES)
