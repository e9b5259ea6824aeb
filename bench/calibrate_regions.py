"""Fit the region score calibration on the region dev split, and show how well it holds.

    python -m bench.calibrate_regions [--write]

Raw scores are computed once per document (tagging is the slow part) and cached in
.bench-cache/. The map is fitted on even-numbered documents and checked on odd-numbered ones
(reliability per score bin, F1 per threshold); `--write` then fits it on all of dev and writes
worker/stages/region_calibration.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.adapters import _tagged
from schemas.article import Region
from worker.gazetteer import load_gazetteer
from worker.stages.regions import (
    CALIBRATION_FILE,
    Calibration,
    RegionConfig,
    fit_isotonic,
    region_evidence,
)

REGION = Path(__file__).resolve().parents[2] / "shared" / "eval" / "region"
# English news and the non-English articles together: the map from evidence to probability is
# fitted on both, so that it holds in the languages the desk reads, not in English alone.
DEVS = (REGION / "dev.jsonl", REGION / "multilingual_dev.jsonl")
CACHE = Path(__file__).resolve().parents[1] / ".bench-cache" / "region_raw.jsonl"
CONTINENTS = [r for r in Region if r is not Region.MIDDLE_EAST]


def _gold(doc: dict[str, Any]) -> set[str]:
    gold = set(doc["regions"])
    if doc.get("middle_east"):
        gold.add(Region.MIDDLE_EAST.value)
    return gold


def raw_scores() -> list[dict[str, Any]]:
    """(gold labels, raw score per region) for every dev document, cached."""
    if CACHE.exists() and CACHE.stat().st_mtime > max(d.stat().st_mtime for d in DEVS):
        return [json.loads(line) for line in CACHE.read_text(encoding="utf-8").splitlines()]
    cfg, gaz = RegionConfig(), load_gazetteer()
    rows = []
    lines = [line for dev in DEVS for line in dev.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        doc = json.loads(line)
        ev = region_evidence(_tagged(doc["text"]), gazetteer=gaz, cfg=cfg)
        rows.append(
            {
                "gold": sorted(_gold(doc)),
                "primary": doc["primary_region"],
                "language": doc.get("language", "en"),
                "raw": {r.value: s for r, s in ev.scores.items()},
            }
        )
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows


def fit(rows: Sequence[dict[str, Any]]) -> Calibration:
    """Per-region isotonic maps from raw score to rate, over documents with any evidence."""
    knots = {}
    for region in Region:
        pairs = [
            (r["raw"][region.value], int(region.value in r["gold"]))
            for r in rows
            if r["raw"].get(region.value, 0.0) > 0
        ]
        xs, ys = fit_isotonic(pairs)
        knots[region.value] = (tuple(round(x, 5) for x in xs), tuple(round(y, 5) for y in ys))
    return Calibration(knots)


def _scores(row: dict[str, Any], cal: Calibration | None) -> dict[str, float]:
    return {r: cal.probability(Region(r), s) if cal else s for r, s in row["raw"].items()}


def report(rows: Sequence[dict[str, Any]], cal: Calibration | None, label: str) -> None:
    """Reliability (predicted vs observed per bin) and continental macro F1 per threshold."""
    bins: dict[int, list[float]] = {}
    for row in rows:
        for r, p in _scores(row, cal).items():
            b = bins.setdefault(min(int(p * 10), 9), [0.0, 0.0, 0.0])
            b[0] += p
            b[1] += r in row["gold"]
            b[2] += 1
    print(f"-- {label}: reliability (bin: mean score -> share about the region, n)")
    for k in sorted(bins):
        total, pos, n = bins[k]
        print(f"   {k / 10:.1f}-{(k + 1) / 10:.1f}: {total / n:.3f} -> {pos / n:.3f}  n={int(n)}")
    for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        f1s = []
        for region in CONTINENTS:
            tp = fp = fn = 0
            for row in rows:
                pred = _scores(row, cal).get(region.value, 0.0) >= t
                gold = region.value in row["gold"]
                tp += pred and gold
                fp += pred and not gold
                fn += gold and not pred
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        europe, africa = f1s[CONTINENTS.index(Region.EUROPE)], f1s[CONTINENTS.index(Region.AFRICA)]
        print(
            f"   threshold {t:.2f}: macro F1 {sum(f1s) / len(f1s):.4f}  "
            f"Europe {europe:.4f}  Africa {africa:.4f}"
        )


def main() -> None:
    """Fit on even documents, check on odd ones; with --write, fit on all and save."""
    rows = raw_scores()
    train, held = rows[::2], rows[1::2]
    report(held, None, "raw scores, odd documents")
    report(held, fit(train), "calibrated on even documents, checked on odd documents")
    foreign = [r for r in rows if r["language"] != "en"]
    english = [r for r in rows if r["language"] == "en"]
    report(foreign, fit(english), "calibrated on English only, checked on the other languages")
    report(foreign[1::2], fit(english + foreign[::2]), "calibrated with even non-English, odd")
    if "--write" in sys.argv:
        cal = fit(rows)
        data = {
            "fitted_on": "shared/eval/region/dev.jsonl and multilingual_dev.jsonl (all)",
            "regions": {r: {"x": list(x), "y": list(y)} for r, (x, y) in cal.knots.items()},
        }
        CALIBRATION_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
