"""The dump model: a linear-chain CRF that labels each line of a page dump.

Labels: `O` chrome (menus, teasers, captions, footers, comments), `B` the first body line of an
article, `I` a body line of the article open above it. One model both strips the chrome and
finds where articles start. It is trained by `make train-extract` (`bench/train_extract.py`) on
the dev dumps of `../shared/eval/extraction`; the record of what it saw sits beside it
(`dump_crf.json`). Loaded once per process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycrfsuite

MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
MODEL_FILE = MODEL_DIR / "dump_crf.bin"
STARTS_FILE = MODEL_DIR / "dump_starts.bin"
RECORD_FILE = MODEL_DIR / "dump_crf.json"
LABELS = ("O", "B", "I")


def label_lines(tagger: Any, feats: list[dict[str, float]]) -> tuple[list[str], list[float]]:
    """Viterbi labels and marginal P(B) of every line, from a CRFsuite tagger."""
    tagger.set(pycrfsuite.ItemSequence(feats))
    labels = list(tagger.tag())
    return labels, [tagger.marginal("B", i) for i in range(len(feats))]


class ModelMismatchError(RuntimeError):
    """The model file is not the one its record names (a retrain half-committed)."""


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class DumpModel:
    """A trained line labeller and its article-start classifier."""

    lines: Any  # pycrfsuite.Tagger over a dump's lines (untyped)
    starts: Any  # pycrfsuite.Tagger over one candidate start at a time

    @classmethod
    def open(cls, lines_path: Path, starts_path: Path) -> DumpModel:
        """A model from its two CRFsuite files."""
        lines, starts = pycrfsuite.Tagger(), pycrfsuite.Tagger()
        lines.open(str(lines_path))
        starts.open(str(starts_path))
        return cls(lines=lines, starts=starts)

    @staticmethod
    @lru_cache(maxsize=1)
    def default() -> DumpModel:
        """The committed model, checked against the hashes its record pins (once per process)."""
        record = json.loads(RECORD_FILE.read_text(encoding="utf-8"))
        for path, key in ((MODEL_FILE, "model_sha256"), (STARTS_FILE, "starts_sha256")):
            if file_sha256(path) != record[key]:
                raise ModelMismatchError(f"{path} does not match {RECORD_FILE}: retrain")
        return DumpModel.open(MODEL_FILE, STARTS_FILE)

    def label(self, feats: list[dict[str, float]]) -> tuple[list[str], list[float]]:
        """Every line's most likely label (Viterbi over the dump) and probability of `B`."""
        if not feats:
            return [], []
        return label_lines(self.lines, feats)

    def start_probability(self, feats: dict[str, float]) -> float:
        """The probability that a candidate start opens a new article."""
        self.starts.set(pycrfsuite.ItemSequence([feats]))
        return float(self.starts.marginal("new", 0))
