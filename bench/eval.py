"""`make eval`: every quality figure on ../shared/eval, beside the baselines, against floors.

Each figure comes from the shared scorers (the metrics we are judged by). Extraction and dedup
run through `copydesk process`, the batch mode users run; entities and regions through the stage
functions, as the scorers import them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import recorded
from worker.stages.regions import MODEL_FILE

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "bench" / "floors.json").read_text(encoding="utf-8"))
QUICK_FLOORS = json.loads((ROOT / "bench" / "floors_quick.json").read_text(encoding="utf-8"))
# `--quick` (CI): every n-th record of each dev file, a fixed sample, a few minutes in all.
QUICK_EVERY = {"entities": 4, "region": 10, "extraction": 3}
LAST = re.compile(r"(\w+)=([0-9.]+)")
# Published on the same dev data by ../shared/eval/README.md and the issues.
BASELINES = {
    "dedup": "MinHash LSH on raw content: 0.8 -> P 1.000 R 0.517; 0.3 -> P 0.983 R 0.979",
    "entities": "raw en_core_web_sm: f1 0.643 news_f1 0.710",
    "region": "plain gazetteer: europe 0.884 africa 0.884 macro 0.874 primary 0.819",
}


def run(cmd: list[str], label: str) -> dict[str, float]:
    """Run a scorer, echo its output, and parse the figures of its last line."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"{label}: scorer failed ({proc.returncode})")
    last = proc.stdout.strip().splitlines()[-1]
    print(f"  [{label}: {time.perf_counter() - started:.0f}s]")
    return {k: float(v) for k, v in LAST.findall(last)}


SOURCES = {
    "benchmark": "dev.jsonl",
    "fundus": "fundus_dev.jsonl.gz",
    "readability": "readability_dev.jsonl.gz",
}


def extraction(ev: Path, py: str) -> dict[str, float]:
    """HTML per source (copydesk process beside trafilatura), and the dump model cross-validated.

    The dump figures come only from cross-validation (folds by site; leave one source out): the
    committed model was trained on these pages, so scoring it on them would show nothing.
    """
    figures: dict[str, float] = {}
    for source, file in SOURCES.items():
        scorer = [py, str(ev / "score_extraction.py"), "--data", str(ev / "extraction" / file)]
        print(f"== extraction html, {source}: copydesk (via copydesk process)")
        got = run([*scorer, "--cli", "--modes", "html", "--bootstrap", "0"], f"html {source}")
        figures[f"extraction.{source}.html_f1"] = got["html_f1"]
        print(f"== extraction html, {source}: trafilatura (include_comments=False)")
        base = run(
            [
                *scorer,
                "--python",
                "bench.adapters:trafilatura_html",
                "--modes",
                "html",
                "--bootstrap",
                "0",
            ],
            f"trafilatura {source}",
        )
        figures[f"extraction.{source}.html_margin"] = got["html_f1"] - base["html_f1"]
    print("== extraction text and multi: the dump model, cross-validated (make train-extract)")
    out = ROOT / "out" / "extract_cv.json"
    out.parent.mkdir(exist_ok=True)
    cmd = [py, "-m", "bench.train_extract", "--shared", str(ev.parent), "--cv-only"]
    proc = subprocess.run([*cmd, "--json", str(out)], cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit("extraction cross-validation failed")
    for scheme, rows in json.loads(out.read_text(encoding="utf-8")).items():
        for name, r in rows.items():
            source, mode = name.split(".")
            figures[f"extraction.{scheme}.{source}.{mode}_f1"] = r["f1"]
            figures[f"extraction.{scheme}.{source}.{mode}_count_acc"] = r["count_acc"]
    print_cross_validated("extraction")
    return figures


LANGUAGE_FLOORS_FROM = 10  # per-language region figures are printed for languages with this many


def by_language(path: Path, *, least: int = 1) -> dict[str, Path]:
    """The records of a JSONL file split by `language`, one file per language in out/."""
    groups: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            groups.setdefault(json.loads(line).get("language", "en"), []).append(line)
    out = ROOT / "out" / "by_language"
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for language, lines in sorted(groups.items()):
        if len(lines) >= least:
            files[language] = out / f"{path.parent.name}_{path.stem}_{language}.jsonl"
            files[language].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def multilingual(ev: Path, py: str, only: set[str]) -> dict[str, float]:
    """Entities per language (es, nl, fr) and regions on the non-English articles."""
    figures: dict[str, float] = {}
    if "entities" in only:
        for language, file in by_language(ev / "entities" / "multilingual_dev.jsonl").items():
            scorer = [py, str(ev / "score_entities.py"), "--data", str(file)]
            print(f"== entities, {language} (multilingual_dev): copydesk")
            got = run([*scorer, "--python", "bench.adapters:entities"], f"entities {language}")
            figures[f"entities.{language}.f1"] = got["f1"]
    if "region" in only:
        data = ev / "region" / "multilingual_dev.jsonl"
        scorer = [py, str(ev / "score_region.py"), "--python", "bench.adapters:regions"]
        print("== region, multilingual_dev (110 articles not in English): copydesk")
        got = run([*scorer, "--data", str(data)], "region multilingual")
        figures.update({f"region.multilingual.{k}": v for k, v in got.items()})
        for language, file in by_language(data, least=LANGUAGE_FLOORS_FROM).items():
            print(f"== region, multilingual_dev, {language}")
            got = run([*scorer, "--data", str(file)], f"region {language}")
            figures.update({f"region.multilingual.{language}.{k}": v for k, v in got.items()})
    return figures


def sample(path: Path, every: int) -> Path:
    """Every `every`-th record of a JSONL file (gzip too), written to out/quick/."""
    import gzip  # noqa: PLC0415

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        lines = [line for i, line in enumerate(fh) if i % every == 0]
    out = ROOT / "out" / "quick" / path.parent.name / path.name.removesuffix(".gz")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines), encoding="utf-8")
    return out


def quick(ev: Path, py: str) -> None:
    """The CI subset: fixed samples of each dev set through the shared scorers, own floors."""
    figures: dict[str, float] = {}
    for source, file in SOURCES.items():
        data = sample(ev / "extraction" / file, QUICK_EVERY["extraction"])
        got = run(
            [py, str(ev / "score_extraction.py"), "--data", str(data), "--cli",
             "--modes", "html", "--bootstrap", "0"],
            f"html {source} (every {QUICK_EVERY['extraction']}th page)",
        )  # fmt: skip
        figures[f"extraction.{source}.html_f1"] = got["html_f1"]
    data = sample(ev / "entities" / "dev.jsonl", QUICK_EVERY["entities"])
    got = run([py, str(ev / "score_entities.py"), "--data", str(data), "--python",
               "bench.adapters:entities"], "entities (every 4th document)")  # fmt: skip
    figures.update({f"entities.{k}": v for k, v in got.items()})
    for language, subset in by_language(ev / "entities" / "multilingual_dev.jsonl").items():
        data = sample(subset, 3)
        got = run([py, str(ev / "score_entities.py"), "--data", str(data), "--python",
                   "bench.adapters:entities"], f"entities {language} (every 3rd)")  # fmt: skip
        figures[f"entities.{language}.f1"] = got["f1"]
    for name, every in (("dev.jsonl", QUICK_EVERY["region"]), ("multilingual_dev.jsonl", 1)):
        data = sample(ev / "region" / name, every)
        got = run([py, str(ev / "score_region.py"), "--data", str(data), "--python",
                   "bench.adapters:regions"], f"region {name} (every {every})")  # fmt: skip
        key = "region.multilingual" if name.startswith("multi") else "region"
        figures.update({f"{key}.{k}": v for k, v in got.items()})
    check(figures, QUICK_FLOORS)


def below(figures: dict[str, float], floors: dict[str, Any]) -> list[str]:
    """Each figure under its floor, as `name=figure < floor F`."""
    return [
        f"{k}={figures[k]:.3f} < floor {v}"
        for k, v in floors.items()
        if not k.startswith("_") and k in figures and figures[k] < v
    ]


def check(figures: dict[str, float], floors: dict[str, Any]) -> None:
    """Print the figures' summary line; exit non-zero when one is below its floor."""
    failed = below(figures, floors)
    missing = [k for k in floors if not k.startswith("_") and k not in figures]
    print("eval " + " ".join(f"{k}={v:.3f}" for k, v in sorted(figures.items()) if k in floors))
    if missing:
        raise SystemExit("no figure for floors: " + ", ".join(missing))
    if failed:
        raise SystemExit("below floor: " + "; ".join(failed))


def main() -> None:
    """Run every evaluation, print figures and baselines, fail below a floor."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--only", default="extraction,dedup,entities,region")
    ap.add_argument("--quick", action="store_true", help="the CI subset (fixed samples)")
    a = ap.parse_args()
    ev = Path(a.shared).resolve() / "eval"
    if not ev.exists():
        raise SystemExit(f"{ev} is missing: ../shared must sit beside the checkout")
    if a.quick:
        quick(ev, sys.executable)
        return
    with recorded("eval"):
        full(ev, set(a.only.split(",")))


# task: (file in bench/results written by its make target, heading printed above it)
RECORDED_CV = {
    "extraction": (
        "extract_cv_seeds.txt",
        "how far the figures above move with the seed (make extract-cv-seeds)",
    ),
    "entities": (
        "ner_rules_cv.txt",
        "entities rules on top of the trained tagger, cross-validated (make ner-rules-cv)",
    ),
}


def print_cross_validated(task: str) -> None:
    """The cross-validated figures of what was fitted for `task`, as its make target recorded.

    Extraction: the dump model's grouped CV at three seeds (`make extract-cv-seeds`, too slow
    to rerun here); entities: each tag-stage rule on and off (`make ner-rules-cv`, likewise);
    regions: the region model under grouped CV (`make train-regions`, in its record).
    """
    if task in RECORDED_CV:
        name, heading = RECORDED_CV[task]
        path = ROOT / "bench" / "results" / name
        print(f"== {heading}")
        recorded_cv = path.read_text(encoding="utf-8") if path.exists() else "  not recorded\n"
        print("  " + recorded_cv.rstrip("\n").replace("\n", "\n  "))
    elif task == "region":
        record = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["record"]
        print(f"== region model, cross-validated (make train-regions, {record['trained']})")
        for name, block in record["cross_validation"].items():
            parts = block.items() if "english" in block else [("other", block)]
            for part, f in parts:
                print(
                    f"  {name:26s} {part:8s} europe_f1={f['europe_f1']:.3f} "
                    f"africa_f1={f['africa_f1']:.3f} macro_f1={f['macro_f1']:.3f} "
                    f"micro_f1={f['micro_f1']:.3f} n={int(f['docs'])}"
                )


def full(ev: Path, only: set[str]) -> None:
    """Every evaluation in `only` on the whole dev sets; fail below a floor."""
    py = sys.executable
    figures: dict[str, float] = {}
    if "extraction" in only:
        figures.update(extraction(ev, py))
    if "dedup" in only:
        print("== dedup: copydesk process (exact and near copies)")
        out = ROOT / "out"
        out.mkdir(exist_ok=True)
        proc = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "copydesk"),
                "process",
                "--in",
                str(ev / "dedup" / "dev.jsonl"),
                "--out",
                str(out / "dedup.jsonl"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"copydesk process failed: {proc.stderr[-2000:]}")
        got = run(
            [
                py,
                str(ev / "score_dedup.py"),
                "--data",
                str(ev / "dedup" / "dev.jsonl"),
                "--pred",
                str(out / "dedup.jsonl"),
            ],
            "dedup",
        )
        figures.update({f"dedup.{k}": v for k, v in got.items()})
        print(f"  baseline: {BASELINES['dedup']}")
    for task, ours, baseline in (
        ("entities", "bench.adapters:entities", "bench.adapters:entities_raw_spacy"),
        ("region", "bench.adapters:regions", None),
    ):
        if task not in only:
            continue
        scorer = [py, str(ev / f"score_{task}.py"), "--data", str(ev / task / "dev.jsonl")]
        print(f"== {task}: copydesk")
        got = run([*scorer, "--python", ours], task)
        figures.update({f"{task}.{k}": v for k, v in got.items()})
        if baseline:
            print(f"== {task} baseline: {baseline}")
            run([*scorer, "--python", baseline], f"{task} baseline")
        print(f"  published baseline: {BASELINES[task]}")
        print_cross_validated(task)
    figures.update(multilingual(ev, py, only))
    failed = below(figures, FLOORS)
    summary = " ".join(
        f"{k}={v:.3f}"
        for k, v in sorted(figures.items())
        if k.split(".")[-1]
        in {
            "html_f1",
            "html_margin",
            "text_f1",
            "multi_f1",
            "text_count_acc",
            "multi_count_acc",
            "precision",
            "recall",
            "f1",
            "news_f1",
            "europe_f1",
            "africa_f1",
            "macro_f1",
            "primary_acc",
            "micro_f1",
        }
    )
    print(f"eval {summary}")
    if failed:
        raise SystemExit("below floor: " + "; ".join(failed))


if __name__ == "__main__":
    main()
