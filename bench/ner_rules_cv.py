"""Which tagging rules still help on top of the trained English tagger, under cross-validation.

    python -m bench.ner_rules_cv [--folds 2] [--steps 4000]       (make ner-rules-cv)

The CoNLL-2003 training documents are split into folds (document i in fold i mod k). For each
fold a tagger is trained on the other folds with the same config as `make train-ner` (fewer
steps), then tags the held-out documents through the tag stage with each rule switched on and
off. F1 is the shared scorer's headline (exact spans, micro over PER+ORG+LOC), averaged over
the folds: no document is scored by a tagger that saw it, and the rules were never fitted on them.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.results import RESULTS, header
from bench.train_ner import CONFIG, SEED, TRAINING, config_text, docbin
from schemas.article import Article
from worker.gazetteer import Gazetteer, load_gazetteer
from worker.stages import entities as stage
from worker.stages.textdump import find_dateline

ROOT = Path(__file__).resolve().parents[1]
CORE = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


@contextmanager
def rules_off(names: set[str]) -> Iterator[None]:
    """Switch tag-stage rules off for the block (each replaced by doing nothing)."""
    off = {
        "surnames": ("_surnames", lambda _text, mentions: mentions),
        "short_names": ("_short_names", lambda mentions: mentions),
        "trim": ("_trim", lambda _text, start, end: (start, end)),
        "dateline": ("dateline_span", lambda _article: None),
    }
    saved = {attr: getattr(stage, attr) for attr, _ in off.values()}
    for name in names:
        setattr(stage, *off[name])
    try:
        yield
    finally:
        for n, f in saved.items():
            setattr(stage, n, f)


def score(docs: list[dict[str, Any]], tag: Callable[[str], list[tuple[int, int, str]]]) -> float:
    """Micro F1 over PER+ORG+LOC, exact spans (as score_entities.py's headline)."""
    tp = fp = fn = 0
    for d in docs:
        gold = {
            (e["start"], e["end"], e["type"]) for e in d["entities"] if e["type"] in CORE.values()
        }
        pred = {(s, e, CORE[t]) for s, e, t in tag(d["text"]) if t in CORE}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def tagger(nlp: Any, gaz: Gazetteer) -> Callable[[str], list[tuple[int, int, str]]]:
    """The tag stage on one text, as the eval adapter runs it."""

    def run(text: str) -> list[tuple[int, int, str]]:
        article = Article(article_id="cv#0", job_id="cv", position=0, text=text, language="en",
                          dateline=find_dateline(text, lines=2))  # fmt: skip
        (out,) = stage.tag([article], nlp_for=lambda _: nlp, gazetteer=gaz)
        return [(m.start, m.end, m.label) for m in out.entities]

    return run


def main() -> None:
    """Train a tagger per fold, tag its held-out documents with each rule on and off."""
    import spacy  # noqa: PLC0415
    from spacy.cli.train import train as spacy_train  # noqa: PLC0415

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4000)
    a = ap.parse_args()
    ev = a.shared / "eval" / "entities"
    docs = [json.loads(line) for line in (ev / "train.jsonl").read_text().splitlines()]
    variants = {"all rules": set(), "no surnames": {"surnames"}, "no trim": {"trim"},
                "no dateline": {"dateline"}, "no short names": {"short_names"},
                "no rules": {"surnames", "trim", "dateline", "short_names"}}  # fmt: skip
    gaz = load_gazetteer()
    results: dict[str, list[float]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(a.folds):
            work = Path(tmp) / f"fold{fold}"
            work.mkdir()
            train = [d for i, d in enumerate(docs) if i % a.folds != fold]
            held = [d for i, d in enumerate(docs) if i % a.folds == fold]
            (work / "train.jsonl").write_text("".join(json.dumps(d) + "\n" for d in train))
            docbin(work / "train.jsonl", "en", work / "train.spacy")
            docbin(ev / "dev.jsonl", "en", work / "dev.spacy")
            (work / "config.cfg").write_text(config_text("en"), encoding="utf-8")
            overrides = {**TRAINING, **CONFIG.get("en", {}), "training.max_steps": a.steps,
                         "training.seed": SEED, "paths.train": str(work / "train.spacy"),
                         "paths.dev": str(work / "dev.spacy")}  # fmt: skip
            spacy_train(work / "config.cfg", work / "out", overrides=overrides)
            nlp = spacy.load(work / "out" / "model-best")
            for name, off in variants.items():
                with rules_off(off):
                    results[name].append(score(held, tagger(nlp, gaz)))
    lines = [f"rules under {a.folds}-fold CV over {len(docs)} CoNLL-2003 training documents:"]
    for name, f1s in results.items():
        folds = ", ".join(f"{f:.4f}" for f in f1s)
        lines.append(f"  {name:<12} f1 {sum(f1s) / len(f1s):.4f}  (folds: {folds})")
    print("\n".join(lines))
    RESULTS.mkdir(parents=True, exist_ok=True)  # make eval prints it beside the entity figures
    (RESULTS / "ner_rules_cv.txt").write_text(
        f"# {header()}\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
