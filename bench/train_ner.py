"""`make train-ner`: train copydesk's own NER pipelines with spaCy's training and record them.

English on CoNLL-2003 train (`entities/train.jsonl`), Spanish and Dutch on CoNLL-2002 train
(`entities/multilingual_train.jsonl`); each tuned (best checkpoint) on its dev split only. The
config is spaCy's CPU "efficiency" NER config (hash embeddings + CNN, no static vectors), with
a fixed seed. The pipeline lands in `worker/models/ner-<lang>/` with `record.json`: data hashes,
config, seed, dev scores, size and the hash `worker.resources` checks before loading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from worker.resources import MODELS_DIR as MODELS
from worker.resources import pipeline_sha256

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261130
LABELS = ("PER", "ORG", "LOC", "MISC")
DATA: dict[str, tuple[str, str]] = {
    "en": ("entities/train.jsonl", "entities/dev.jsonl"),
    "es": ("entities/multilingual_train.jsonl", "entities/multilingual_dev.jsonl"),
    "nl": ("entities/multilingual_train.jsonl", "entities/multilingual_dev.jsonl"),
}
# Per language, what differs from spaCy's efficiency config (chosen on dev, see record.json).
CONFIG: dict[str, dict[str, Any]] = {}
# Training budget: steps are batches of ~100-1,000 words; the best checkpoint on dev is kept.
TRAINING: dict[str, Any] = {
    "training.seed": SEED,
    "training.max_steps": 12000,
    "training.max_epochs": 0,
    "training.patience": 3000,
    "training.eval_frequency": 500,
    "training.dropout": 0.1,
}


def records(path: Path, lang: str) -> Iterator[dict[str, Any]]:
    """The records of one language from an entities JSONL file (English files carry none)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("language", "en") == lang:
                yield rec


def docbin(path: Path, lang: str, out: Path) -> tuple[int, int, int]:
    """Write the records of `lang` as a spaCy DocBin; gives (docs, entities, entities dropped).

    Spans are aligned to spaCy's tokens by expanding to token edges; a span that overlaps one
    already placed is dropped (CoNLL has none; counted to show it).
    """
    import spacy  # noqa: PLC0415
    from spacy.tokens import DocBin  # noqa: PLC0415

    nlp = spacy.blank(lang)
    db = DocBin(store_user_data=False)
    docs = ents = dropped = 0
    for rec in records(path, lang):
        doc = nlp.make_doc(rec["text"])
        spans: list[Any] = []
        taken: set[int] = set()
        for ent in rec["entities"]:
            span = doc.char_span(
                ent["start"], ent["end"], label=ent["type"], alignment_mode="expand"
            )
            idx = set(range(span.start, span.end)) if span is not None else set()
            if span is None or idx & taken:
                dropped += 1
                continue
            taken |= idx
            spans.append(span)
        doc.ents = spans
        db.add(doc)
        docs += 1
        ents += len(spans)
    db.to_disk(out)
    return docs, ents, dropped


def config_text(lang: str) -> str:
    """The CPU "efficiency" config spaCy generates for an NER-only pipeline in `lang`."""
    from spacy.cli.init_config import init_config  # noqa: PLC0415

    cfg = init_config(lang=lang, pipeline=["ner"], optimize="efficiency", gpu=False)
    return str(cfg.to_str())


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def train(
    shared: Path, lang: str, steps: int | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train the pipeline for `lang`, install it under worker/models and give its record."""
    from spacy.cli.train import train as spacy_train  # noqa: PLC0415

    train_file, dev_file = (shared / "eval" / f for f in DATA[lang])
    target = MODELS / f"ner-{lang}{os.environ.get('NER_SUFFIX', '')}"
    overrides = {**TRAINING, **CONFIG.get(lang, {}), **(extra or {})}
    if steps:
        overrides["training.max_steps"] = steps
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = {
            "train": docbin(train_file, lang, work / "train.spacy"),
            "dev": docbin(dev_file, lang, work / "dev.spacy"),
        }
        (work / "config.cfg").write_text(config_text(lang), encoding="utf-8")
        overrides |= {
            "paths.train": str(work / "train.spacy"),
            "paths.dev": str(work / "dev.spacy"),
        }
        started = time.monotonic()
        spacy_train(work / "config.cfg", work / "out", overrides=overrides)
        seconds = time.monotonic() - started
        best = work / "out" / "model-best"
        meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(best, target)
    record = {
        "language": lang,
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": SEED,
        "spacy": meta.get("spacy_version"),
        "config": "spaCy init config --pipeline ner --optimize efficiency (CPU)",
        "overrides": {k: v for k, v in overrides.items() if not k.startswith("paths.")},
        "train_seconds": round(seconds),
        "data": {
            role: {
                "file": name,
                "sha256": sha256(shared / "eval" / name),
                "docs": c[0],
                "entities": c[1],
                "dropped": c[2],
            }
            for role, name, c in (
                ("train", DATA[lang][0], counts["train"]),
                ("dev", DATA[lang][1], counts["dev"]),
            )
        },
        "dev_scores": {
            k: round(float(v), 4)
            for k, v in (meta.get("performance") or {}).items()
            if k in ("ents_f", "ents_p", "ents_r")
        },
        "dev_per_type": meta.get("performance", {}).get("ents_per_type"),
        "bytes": sum(p.stat().st_size for p in target.rglob("*") if p.is_file()),
        "sha256": pipeline_sha256(target),
    }
    (target / "record.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def main() -> None:
    """Entry point of `make train-ner`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--lang", action="append", choices=sorted(DATA))
    parser.add_argument("--set", action="append", default=[], help="config override KEY=JSON")
    parser.add_argument(
        "--steps", type=int, default=None, help="max training steps (default 12000)"
    )
    args = parser.parse_args()
    for lang in args.lang or sorted(DATA):
        extra = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.set)}
        rec = train(args.shared, lang, args.steps, extra)
        print(json.dumps({k: rec[k] for k in ("language", "dev_scores", "bytes", "train_seconds")}))


if __name__ == "__main__":
    main()
