"""The committed dump model: pinned by hash, and trained on the data now in ../shared."""

import json
import os
import subprocess
import sys

from tests.conftest import SHARED, require_shared
from worker.stages.dump_lines import WORDS_FILE, DumpConfig, features, lowered, read_lines, stoplist
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


_FEATURE_ORDER = """
import json
from worker.stages.dump_lines import DumpConfig, features, read_lines, stoplist
page = "\\n".join([
    "Home | World | Contact us at desk@example.com or +44 20 7946 0000",
    "By Jane Doe, Dec. 1, 2026 (AP Photo) - read more at https://example.com/a",
    "OSLO: Ferries stopped on Monday after a storm damaged two loading ramps, the company said.",
    "© 2026 Example Media. All rights reserved. Our privacy policy and cookies.",
])
cfg, stops = DumpConfig(), stoplist("en")
lines = read_lines(page, stops=stops, cfg=cfg)
print(json.dumps([list(f) for f in features(lines, stops=stops, cfg=cfg)]))
"""


def test_features_come_in_one_order_whatever_the_hash_seed():
    """CRFsuite numbers features in the order it meets them: `make train-extract` must give
    the same model in every process, so a line's features may not follow a set's order."""
    orders = {
        subprocess.run(
            [sys.executable, "-c", _FEATURE_ORDER],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(orders) == 1
    assert len(json.loads(orders.pop())[1]) > 20


_CAPITALS = (
    "BREAKING: FERRIES HALTED ACROSS NORWAY",
    "Ferries Halted Across Norway After The Storm",
    "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ EIGHT eight",
    "ÉTÉ À OSLO: LES FERRIES À L'ARRÊT",
)


def test_a_line_in_capitals_is_told_from_one_with_a_few():
    """'allcaps' counts letters only: roman-numeral signs are capitals but not letters."""
    cfg, stops = DumpConfig(), stoplist("en")
    lines = read_lines("\n".join(_CAPITALS), stops=stops, cfg=cfg)
    rows = features(lines, stops=stops, cfg=cfg)
    assert ["allcaps" in row for row in rows] == [True, False, False, True]


def test_case_blind_patterns_match_whatever_the_case():
    """Case-blind chrome patterns read the line lowered: capitals must still match them."""
    cfg, stops = DumpConfig(), stoplist("en")
    page = [
        "© 2026 EXAMPLE MEDIA. ALL RIGHTS RESERVED.",
        "Ferry passengers wait in Oslo (AP Photo/Kari Nordmann)",
        "READ MORE: Storm closes mountain roads",
        "We use Cookies to improve Our Site",
    ]
    flags = [line.flags for line in read_lines("\n".join(page), stops=stops, cfg=cfg)]
    assert ["copyright" in f for f in flags] == [True, False, False, False]
    assert ["credit" in f for f in flags] == [False, True, False, False]
    assert ["read_more" in f for f in flags] == [False, False, True, False]
    assert ["cookie" in f and "site_speak" in f for f in flags] == [False, False, False, True]


def test_a_lowered_pattern_keeps_its_escapes():
    assert lowered(r"\((?:AP|Getty)\b\S+\W\D") == r"\((?:ap|getty)\b\S+\W\D"
