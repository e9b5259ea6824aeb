"""`make train-extract`: train the dump model on the three dev sources and record what it saw.

Also the cross-validation `make eval` prints: grouped 5-fold CV (folds by site, so no page is
scored by a model that saw its site) and leave-one-source-out (train on two sources, score the
third), each through the production path (`extract.dump_drafts`) with the shared scorer's metric.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.util
import json
import random
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pycrfsuite

from bench.dumpdata import (
    SOURCES,
    Labelled,
    Page,
    Span,
    cropped,
    labelled_dump,
    load_all,
    sha256,
    transplanted,
    wire_dumps,
)
from worker.stages.dump_lines import WORDS_FILE, DumpConfig
from worker.stages.dump_model import (
    MODEL_FILE,
    RECORD_FILE,
    STARTS_FILE,
    DumpModel,
    file_sha256,
    label_lines,
)
from worker.stages.dump_starts import decode
from worker.stages.extract import ExtractConfig, dump_drafts, dump_languages, fix_text

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261130
FOLDS = 5
PARAMS: dict[str, Any] = {
    "c1": 0.2,  # L1 (0.05, 0.01 scored lower under grouped CV; 0.5, 1.0 within the seed spread)
    "c2": 0.02,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}
START_PARAMS: dict[str, Any] = {"c1": 0.0, "c2": 1.0, "max_iterations": 200}
INNER_FOLDS = 3
WIRE_FILE = "entities/train.jsonl"  # CoNLL-2003 train: Reuters stories made into wire dumps
WIRE_DUMPS = 300
TRANSPLANTS = 1  # single pages per dev page made of its article amid other sites' chrome


def _fit_lines(dumps: list[Labelled], path: Path) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for d in dumps:
        trainer.append(pycrfsuite.ItemSequence(d.feats), d.labels)
    trainer.set_params(PARAMS)
    trainer.train(str(path))


def train(dumps: list[Labelled], lines_path: Path, starts_path: Path) -> int:
    """Fit the line CRF and the start classifier on the dumps and save them.

    The start classifier learns from what it will see: the bodies and start probabilities of a
    line CRF that did not see the dump (cross-fitted over `INNER_FOLDS` parts split by site),
    and from the true bodies with those probabilities. A candidate on a line that is not body
    (chrome the line CRF took for body) is left out: whether an article 'starts' at a menu has
    no true answer, and labelling it 'same' (no true start above it) taught the classifier that
    a long gap before new words continues the article, the mark of the second article of a
    two-page dump (grouped CV: two-page dumps counted right 0.700 to 0.789, single pages kept
    whole 0.952 both, the start threshold re-chosen). Gives the number of candidates it saw.
    """
    parts = {d.group: zlib.crc32(d.group.encode()) % INNER_FOLDS for d in dumps}
    starts = pycrfsuite.Trainer(verbose=False)
    seen = 0
    with tempfile.TemporaryDirectory() as tmp:
        for part in range(INNER_FOLDS):
            path = Path(tmp) / f"part{part}.bin"
            _fit_lines([d for d in dumps if parts[d.group] != part], path)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            for d in (d for d in dumps if parts[d.group] == part):
                labels, p_start = label_lines(tagger, d.feats)
                gold = {i for i, lab in enumerate(d.labels) if lab == "B"}
                for seq in (labels, d.labels):  # the bodies it will see, and the true ones
                    body = [i for i, lab in enumerate(seq) if lab != "O" and not d.lines[i].repeat]
                    _, candidates = decode(
                        d.lines, d.feats, body, d.stops, p_start=p_start, starts=_no, gold=gold
                    )
                    for i, f, new in candidates:
                        if d.labels[i] == "O":  # chrome taken for body: no true answer
                            continue
                        starts.append(pycrfsuite.ItemSequence([f]), ["new" if new else "same"])
                        seen += 1
    starts.set_params(START_PARAMS)
    starts.train(str(starts_path))
    _fit_lines(dumps, lines_path)
    return seen


def _no(_f: dict[str, float]) -> bool:
    return False


def scorer(shared: Path) -> Any:
    """The shared extraction scorer's module (its `match` and `aggregate`)."""
    spec = importlib.util.spec_from_file_location(
        "score_extraction", shared / "eval" / "score_extraction.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit("score_extraction.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def predict(
    items: list[tuple[Page, DumpModel]], metric: Any, cfg: DumpConfig
) -> list[dict[str, Any]]:
    """Per page (each by its own model, through the production path): articles and overlap."""
    min_words = ExtractConfig().min_article_words
    out = []
    for p, model in items:
        drafts, _ = dump_drafts(fix_text(p.text), min_words=min_words, model=model, dump_cfg=cfg)
        tp, fp, fn = metric.match("\n".join(p.expected), "\n".join(d.text for d in drafts))
        out.append(
            {"id": p.id, "n": len(drafts), "want": len(p.expected), "tp": tp, "fp": fp, "fn": fn}
        )
    return out


def figures(docs: list[dict[str, Any]], metric: Any) -> dict[str, float]:
    """F1 (P, R) and count accuracy over per-page records, as the scorer aggregates them."""
    precision, recall, f1 = metric.aggregate([(d["tp"], d["fp"], d["fn"]) for d in docs])
    right = sum(d["n"] == d["want"] for d in docs)
    return {
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "count_acc": right / len(docs) if docs else 0.0,
        "n": float(len(docs)),
    }


def fold_of(pages: list[Page], folds: int, seed: int) -> dict[str, int]:
    """Each site group's fold: groups shuffled, then placed largest first in the smallest fold."""
    sizes: dict[str, int] = {}
    for p in pages:
        sizes[p.group] = sizes.get(p.group, 0) + 1
    groups = sorted(sizes)
    random.Random(seed).shuffle(groups)  # noqa: S311 (a fixed, reproducible split)
    groups.sort(key=lambda g: -sizes[g])
    load = [0] * folds
    out = {}
    for g in groups:
        k = load.index(min(load))
        out[g] = k
        load[k] += sizes[g]
    return out


class Corpus:
    """Every labelled training dump, made once: each page alone and two-page dumps."""

    def __init__(
        self,
        pages: list[Page],
        cfg: DumpConfig,
        seed: int,
        *,
        wire: list[Labelled] | None = None,
        pairs: int = 2,
        transplants: int = 0,
    ) -> None:
        """Label every page, with `pairs` two-page dumps and `transplants` moved pages for each.

        A two-page dump's partner page is from another site; a moved page is the page's
        article amid other sites' chrome (`_transplant`).

        `wire`: dumps of wire stories back to back, in every training set (never scored).
        """
        self.wire = wire or []
        rng = random.Random(seed)  # noqa: S311 (reproducible training dumps)
        self.pages = pages
        self._spans: dict[str, Span] = {}  # each page aligned once, for crops and moved pages
        self.singles = {
            p.id: labelled_dump([p], tail=False, cfg=cfg, augment=rng if k % 2 else None)
            for k, p in enumerate(pages)
        }
        self.pairs: list[tuple[str, str, Labelled]] = []
        spans = self._spans
        for k, p in enumerate(pages):
            others = [q for q in pages if q.group != p.group]
            for r in range(pairs):
                q = rng.choice(others)
                tail = (k + r) % 2 == 1
                first, second = p, q
                if r % 2 == 1:  # a feed: a few lines of chrome between the two articles
                    first = cropped(
                        p, before=rng.randint(0, 8), after=rng.randint(0, 4), cfg=cfg, memo=spans
                    )
                    second = cropped(
                        q, before=rng.randint(0, 4), after=rng.randint(0, 8), cfg=cfg, memo=spans
                    )
                dump = labelled_dump([first, second], tail=tail, cfg=cfg, augment=rng)
                self.pairs.append((p.id, q.id, dump))

        self.moved: list[tuple[set[str], Labelled]] = []  # (pages it is made of, dump)
        if transplants:
            self._transplant(cfg, rng, transplants)

    def _transplant(self, cfg: DumpConfig, rng: random.Random, count: int) -> None:
        """`count` single pages per page: its article amid two other sites' chrome.

        The other sites are of the page's source and language (`transplanted`).
        """
        pools: dict[tuple[str, str], list[Page]] = {}  # (source, main language): pages
        for p in self.pages:
            key = (p.source, (dump_languages(p.text) or ["?"])[0])
            pools.setdefault(key, []).append(p)
        kin = {p.id: pool for pool in pools.values() for p in pool}
        for k, p in enumerate(self.pages):
            others = [q for q in kin[p.id] if q.group != p.group]
            for _ in range(count if len(others) >= 2 else 0):
                head, tail = rng.sample(others, 2)
                page = transplanted(p, head, tail, cfg, memo=self._spans)
                if page is not None:
                    augment = rng if k % 2 else None
                    dump = labelled_dump([page], tail=False, cfg=cfg, augment=augment)
                    self.moved.append(({p.id, head.id, tail.id}, dump))

    def of(self, ok: set[str]) -> list[Labelled]:
        """The dumps made only of the pages with these ids, and the wire dumps."""
        pairs = [d for a, b, d in self.pairs if a in ok and b in ok]
        moved = [d for ids, d in self.moved if ids <= ok]
        return [self.singles[i] for i in sorted(ok)] + pairs + moved + self.wire


def _fit(dumps: list[Labelled]) -> DumpModel:
    with tempfile.TemporaryDirectory() as tmp:
        lines, starts = Path(tmp) / "lines.bin", Path(tmp) / "starts.bin"
        train(dumps, lines, starts)
        return DumpModel.open(lines, starts)


def training_data(shared: Path) -> dict[str, dict[str, str]]:
    """Each file the dump model learns from: its path under ../shared and its SHA-256."""
    files = {name: f"eval/extraction/{file}" for name, file in SOURCES.items()}
    files["wire"] = f"eval/{WIRE_FILE}"
    return {name: {"file": f, "sha256": sha256(shared / f)} for name, f in files.items()}


# what a held-out model depends on besides the data and the seed: a change to any of these
# makes the cached fold models stale (assembly, titles and thresholds after the labeller do not)
FOLD_INPUTS = (
    "bench/dumpdata.py",
    "bench/train_extract.py",  # how the models are trained (its CLI too: safe, not minimal)
    "worker/stages/dump_lines.py",
    "worker/stages/dump_starts.py",
    "worker/stages/dump_words.json",
)


class FoldCache:
    """Held-out models kept on disk, reused only while everything they were trained from holds.

    For experiments after the line labeller and the start classifier (how articles are
    assembled and titled, the start threshold, the smallest article): each fold's models are
    trained once and scored again in a minute instead of twenty. The stamp (seed, training
    parameters, data hashes, hashes of the feature code) is compared on every use; a
    difference refits and overwrites.
    """

    def __init__(self, root: Path, shared: Path, seed: int) -> None:
        """A cache under `root` for the models of one seed."""
        self.dir = root / str(seed)
        self.stamp = {
            "seed": seed,
            "params": PARAMS,
            "start_params": START_PARAMS,
            "inner_folds": INNER_FOLDS,
            "wire_dumps": WIRE_DUMPS,
            "transplants": TRANSPLANTS,
            "code": {name: sha256(ROOT / name) for name in FOLD_INPUTS},
            "data": training_data(shared),
        }
        stamp_file = self.dir / "stamp.json"
        fresh = stamp_file.exists() and json.loads(stamp_file.read_text()) == self.stamp
        if not fresh:
            self.dir.mkdir(parents=True, exist_ok=True)
            for old in self.dir.glob("*.bin"):
                old.unlink()
            stamp_file.write_text(json.dumps(self.stamp, indent=1) + "\n", encoding="utf-8")

    def model(self, split: str, dumps: Callable[[], list[Labelled]]) -> tuple[DumpModel, bool]:
        """The split's models (cached, or trained on `dumps()` now); whether they were trained."""
        name = split.replace(" ", "_").replace("/", "of")
        lines, starts = self.dir / f"{name}.lines.bin", self.dir / f"{name}.starts.bin"
        trained = not (lines.exists() and starts.exists())
        if trained:
            train(dumps(), lines, starts)
        return DumpModel.open(lines, starts), trained


Held = dict[str, dict[str, list[tuple[Page, DumpModel]]]]  # scheme: {source.mode: [(page, model)]}
SCHEMES = ("grouped_cv", "leave_one_source_out")


def held_out_splits(
    pages: list[Page], *, seed: int, schemes: tuple[str, ...] = SCHEMES
) -> list[tuple[str, str, Callable[[Page], bool]]]:
    """Each split of `schemes`: its name, its scheme, and whether it holds a page out.

    A page is held out by a fold when its site group is in that fold, by a 'without' split
    when it is of that source.
    """
    folds = fold_of(pages, FOLDS, seed)
    keys = []  # (name, scheme, key): a page is held out when its fold (or source) is the key
    if "grouped_cv" in schemes:
        keys += [(f"fold {k + 1}/{FOLDS}", "grouped_cv", str(k)) for k in range(FOLDS)]
    if "leave_one_source_out" in schemes:
        keys += [(f"without {s}", "leave_one_source_out", s) for s in SOURCES]
    splits: list[tuple[str, str, Callable[[Page], bool]]] = []
    for name, scheme, key in keys:

        def out(p: Page, scheme: str = scheme, key: str = key) -> bool:
            return (str(folds[p.group]) if scheme == "grouped_cv" else p.source) == key

        splits.append((name, scheme, out))
    return splits


def held_out_models(
    pages: list[Page],
    multi: list[Page],
    corpus: Corpus,
    *,
    seed: int,
    quick: bool,
    cache: FoldCache | None = None,
) -> Held:
    """Each page with a model that never saw its site (folds) or its source (leave one out).

    With `cache`, models trained from the same data, code and seed before are reused.
    """
    held: Held = {"grouped_cv": {}, "leave_one_source_out": {}}
    schemes = SCHEMES[:1] if quick else SCHEMES
    for name, scheme, out in held_out_splits(pages, seed=seed, schemes=schemes):
        started = time.perf_counter()
        ok = {p.id for p in pages if not out(p)}
        if cache is None:
            model, trained = _fit(corpus.of(ok)), True
        else:
            model, trained = cache.model(name, functools.partial(corpus.of, ok))
        for kind, items in (("text", pages), ("multi", multi)):
            for p in (p for p in items if out(p)):
                held[scheme].setdefault(f"{p.source}.{kind}", []).append((p, model))
        how = "trained" if trained else "read from the fold cache"
        print(f"  {name} {how} in {time.perf_counter() - started:.0f}s", flush=True)
    return {scheme: named for scheme, named in held.items() if named}


def cross_validate(
    held: Held, metric: Any, *, thresholds: list[float] | None, log_dir: Path | None
) -> dict[str, dict[str, dict[str, float]]]:
    """Scores of the held-out pages: {scheme: {source.mode: figures}}, per start threshold."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for p_start in thresholds or [DumpConfig().start_probability]:
        cfg = replace(DumpConfig(), start_probability=p_start)
        for scheme, named in held.items():
            key = scheme if not thresholds else f"{scheme} [start at p>={p_start}]"
            docs = {name: predict(items, metric, cfg) for name, items in sorted(named.items())}
            results[key] = {name: figures(d, metric) for name, d in docs.items()}
            for kind in ("text", "multi"):
                every = [x for name, d in docs.items() if name.endswith(kind) for x in d]
                results[key][f"all.{kind}"] = figures(every, metric)
            if log_dir is not None:
                log = [x for d in docs.values() for x in d]
                path = log_dir / f"{key}.jsonl"
                path.write_text("".join(json.dumps(r) + "\n" for r in log), encoding="utf-8")
    return results


def print_results(results: dict[str, dict[str, dict[str, float]]]) -> None:
    """One line a source and mode, per scheme."""
    for scheme, rows in results.items():
        print(f"== dump model, {scheme.replace('_', ' ')}")
        for name, r in sorted(rows.items()):
            print(
                f"  {name:20s} f1={r['f1']:.3f} (P {r['precision']:.3f} R {r['recall']:.3f}) "
                f"count_acc={r['count_acc']:.3f} n={int(r['n'])}"
            )


def seed_spread(
    shared: Path,
    pages: list[Page],
    multi: list[Page],
    cfg: DumpConfig,
    seeds: int,
    *,
    thresholds: list[float] | None = None,
    cache_root: Path | None = None,
) -> str:
    """Grouped CV at `seeds` seeds (each: its own site folds and training dumps), as text.

    One seed's figure moves with which sites share a fold and which pages are paired: the
    spread over seeds says how far a difference between two methods must go to be one. With
    `thresholds`, one block per start threshold; with `cache_root`, fold models are reused
    (`FoldCache`).
    """
    metric = scorer(shared)
    runs: list[dict[str, dict[str, dict[str, float]]]] = []
    for seed in range(SEED, SEED + seeds):
        wire = wire_dumps(shared / "eval" / WIRE_FILE, count=WIRE_DUMPS, seed=seed, cfg=cfg)
        corpus = Corpus(pages, cfg, seed, wire=wire, transplants=TRANSPLANTS)
        cache = FoldCache(cache_root, shared, seed) if cache_root else None
        held = held_out_models(pages, multi, corpus, seed=seed, quick=True, cache=cache)
        runs.append(cross_validate(held, metric, thresholds=thresholds, log_dir=None))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return spread_text(runs, f"{SEED}..{SEED + seeds - 1}", today)


def spread_text(runs: list[dict[str, dict[str, dict[str, float]]]], span: str, day: str) -> str:
    """Mean [min-max] over runs of each scheme's figures, one block per scheme."""
    lines = []
    for scheme in runs[0]:
        where = scheme.replace("grouped_cv", "").strip()
        lines.append(
            f"dump model, grouped 5-fold CV by site at seeds {span} ({day}): mean [min-max]"
            + (f" {where}" if where else "")
        )
        for name in sorted(runs[0][scheme]):
            cells = []
            for key in ("f1", "count_acc"):
                values = [r[scheme][name][key] for r in runs]
                cells.append(
                    f"{key}={sum(values) / len(values):.3f} [{min(values):.3f}-{max(values):.3f}]"
                )
            n = int(runs[0][scheme][name]["n"])
            lines.append(f"  {name:20s} " + " ".join(cells) + f" n={n}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Train (and with --cv, cross-validate first); write the model and its record."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cv", action="store_true", help="cross-validate and record the figures")
    ap.add_argument("--cv-only", action="store_true", help="cross-validate, write no model")
    ap.add_argument("--json", help="write the cross-validated figures here")
    ap.add_argument("--quick", action="store_true", help="grouped CV only (no leave-one-out)")
    ap.add_argument("--thresholds", help="score these start probabilities (comma-separated)")
    ap.add_argument(
        "--seeds", type=int, help="grouped CV at this many seeds, to --spread-out; no model"
    )
    ap.add_argument("--spread-out", help="write the figures of --seeds here")
    ap.add_argument(
        "--fold-cache",
        help="keep held-out models here and reuse them while data, feature code and seed hold",
    )
    a = ap.parse_args()
    shared = Path(a.shared).resolve()
    extraction = shared / "eval" / "extraction"
    if not extraction.exists():
        raise SystemExit(f"{extraction} is missing: ../shared must sit beside the checkout")
    cfg = DumpConfig()
    started = time.perf_counter()
    pages, multi = load_all(extraction)
    picked = [float(x) for x in a.thresholds.split(",")] if a.thresholds else None
    if a.seeds:
        cache_root = Path(a.fold_cache) if a.fold_cache else None
        text = seed_spread(
            shared, pages, multi, cfg, a.seeds, thresholds=picked, cache_root=cache_root
        )
        print(text, end="")
        if a.spread_out:
            Path(a.spread_out).write_text(text, encoding="utf-8")
        return
    wire_file = shared / "eval" / WIRE_FILE
    wire = wire_dumps(wire_file, count=WIRE_DUMPS, seed=SEED, cfg=cfg)
    corpus = Corpus(pages, cfg, SEED, wire=wire, transplants=TRANSPLANTS)
    print(
        f"labelled {len(corpus.singles)} pages, {len(corpus.pairs)} two-page dumps and "
        f"{len(corpus.moved)} moved pages, {len(wire)} wire dumps "
        f"in {time.perf_counter() - started:.0f}s",
        flush=True,
    )
    results = None
    if a.cv or a.cv_only:
        log_dir = ROOT / "out" / "extract_cv"
        log_dir.mkdir(parents=True, exist_ok=True)
        cache = FoldCache(Path(a.fold_cache), shared, SEED) if a.fold_cache else None
        held = held_out_models(pages, multi, corpus, seed=SEED, quick=a.quick, cache=cache)
        results = cross_validate(
            held,
            scorer(shared),
            thresholds=picked,
            log_dir=log_dir,
        )
        print_results(results)
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        if a.cv_only:
            return
    started = time.perf_counter()
    candidates = train(corpus.of({p.id for p in pages}), MODEL_FILE, STARTS_FILE)
    print(f"trained on everything in {time.perf_counter() - started:.0f}s")
    record = {
        "model": MODEL_FILE.name,
        "model_sha256": file_sha256(MODEL_FILE),
        "model_bytes": MODEL_FILE.stat().st_size,
        "starts": STARTS_FILE.name,
        "starts_sha256": file_sha256(STARTS_FILE),
        "start_params": START_PARAMS,
        "start_candidates": candidates,
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": SEED,
        "params": PARAMS,
        "config": asdict(cfg),
        "word_lists_sha256": sha256(WORDS_FILE),
        "data": training_data(shared),
        "wire_dumps": len(wire),
        "pages": len(corpus.singles),
        "two_page_dumps": len(corpus.pairs),
        "moved_pages": len(corpus.moved),
        "cross_validation": results,
    }
    RECORD_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_FILE} ({record['model_bytes']} bytes) and {RECORD_FILE}")


if __name__ == "__main__":
    main()
