"""Experiment, not shipped: a small BiGRU line labeller beside the dump model's line CRF.

The CRF sees a line's features and those of two lines either side; a bidirectional GRU over
the same feature dictionaries reads the whole dump. Each line is chrome when the mean of the
CRF's marginal P(chrome) and the GRU's is above one half (`--mode mean`; `gru`: the GRU alone).
The start classifier and everything after it are the shipped ones. Scored like
`bench.train_extract`: grouped 5-fold CV by site (`--scheme cv`) or leave one source out
(`loso`), through the production path, the CRF and start models of each split read from (or
trained into) its fold cache.

PyTorch is not a dependency of copydesk (its PyPI build for Linux pulls CUDA). Install the CPU
build beside the project and name it: `pip install --target /tmp/torchlib torch==2.13.0`, then
`python -m bench.line_gru --torch-path /tmp/torchlib --fold-cache out/extract_folds`.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycrfsuite

from bench.dumpdata import Labelled, load_all, wire_dumps
from bench.train_extract import (
    ROOT,
    SEED,
    TRANSPLANTS,
    WIRE_DUMPS,
    WIRE_FILE,
    Corpus,
    FoldCache,
    Held,
    cross_validate,
    held_out_splits,
    print_results,
    scorer,
)
from worker.stages.dump_lines import DumpConfig
from worker.stages.dump_model import DumpModel

LABELS = {"O": 0, "B": 1, "I": 2}
BATCH = 16  # dumps per step, of similar length
MIN_COUNT = 3  # a feature seen fewer times in training is dropped
torch: Any = None  # imported in `main`, from --torch-path
nn: Any = None


def encode(feats: list[dict[str, float]], vocab: dict[str, int]) -> tuple[Any, Any, Any]:
    """Lines' features as EmbeddingBag input: indices, offsets, weights (index 0: none known)."""
    idx: list[int] = []
    off: list[int] = []
    weights: list[float] = []
    for f in feats:
        off.append(len(idx))
        for k, v in f.items():
            j = vocab.get(k)
            if j is not None:
                idx.append(j)
                weights.append(v)
        if off[-1] == len(idx):
            idx.append(0)
            weights.append(0.0)
    return torch.tensor(idx), torch.tensor(off), torch.tensor(weights, dtype=torch.float32)


def network(size: int, hidden: int, dropout: float, dim: int = 64) -> Any:
    """Line features -> sum of their embeddings -> BiGRU over the dump -> O / B / I scores."""

    class LineNet(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.EmbeddingBag(size, dim, mode="sum")
            self.norm = nn.LayerNorm(dim)
            self.gru = nn.GRU(dim, hidden, batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(dim + 2 * hidden, len(LABELS))

        def forward(self, idx: Any, off: Any, w: Any, lens: list[int]) -> Any:
            x = torch.tanh(self.norm(self.emb(idx, off, per_sample_weights=w)))
            pad = nn.utils.rnn.pad_sequence(torch.split(x, lens), batch_first=True)
            packed = nn.utils.rnn.pack_padded_sequence(
                pad, torch.tensor(lens), batch_first=True, enforce_sorted=False
            )
            h, _ = nn.utils.rnn.pad_packed_sequence(self.gru(packed)[0], batch_first=True)
            h = torch.cat([h[b, :n] for b, n in enumerate(lens)])
            return self.out(self.drop(torch.cat([x, h], 1)))

    return LineNet()


def fit(
    dumps: list[Labelled], *, epochs: int, hidden: int, dropout: float, seed: int
) -> tuple[Any, dict[str, int]]:
    """A GRU trained on the dumps' line labels (Adam, cross-entropy), and its feature vocabulary."""
    torch.manual_seed(seed)
    rng = random.Random(seed)  # noqa: S311 (a reproducible batch order)
    counts = Counter(k for d in dumps for f in d.feats for k in f)
    names = sorted(k for k, c in counts.items() if c >= MIN_COUNT)
    vocab = {k: i + 1 for i, k in enumerate(names)}
    net = network(len(vocab) + 1, hidden, dropout)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    order = sorted(range(len(dumps)), key=lambda i: len(dumps[i].feats))
    net.train()
    for _ in range(epochs):
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        for b in batches:
            idx, off, w = encode([f for i in b for f in dumps[i].feats], vocab)
            gold = torch.tensor([LABELS[x] for i in b for x in dumps[i].labels])
            loss = nn.functional.cross_entropy(
                net(idx, off, w, [len(dumps[i].feats) for i in b]), gold
            )
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
    net.eval()
    return net, vocab


@dataclass(frozen=True)
class GruDumpModel(DumpModel):
    """The dump model with its line labels from the CRF and the GRU together."""

    net: Any = None
    vocab: dict[str, int] = field(default_factory=dict)
    mode: str = "mean"

    def label(self, feats: list[dict[str, float]]) -> tuple[list[str], list[float]]:
        """Chrome where the mean (or the GRU's) P(chrome) passes one half; P(start): the CRF's."""
        if not feats:
            return [], []
        self.lines.set(pycrfsuite.ItemSequence(feats))
        crf = [self.lines.marginal("O", i) for i in range(len(feats))]
        p_start = [self.lines.marginal("B", i) for i in range(len(feats))]
        with torch.no_grad():
            idx, off, w = encode(feats, self.vocab)
            gru = torch.softmax(self.net(idx, off, w, [len(feats)]), 1)[:, 0].tolist()
        chrome = gru if self.mode == "gru" else [(a + b) / 2 for a, b in zip(crf, gru, strict=True)]
        return ["O" if c > 0.5 else "I" for c in chrome], p_start


def main() -> None:
    """Train a GRU for each split beside the split's CRF, and print the held-out figures."""
    global torch, nn  # PyTorch comes from --torch-path, not from the project
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--torch-path", help="a folder holding PyTorch (pip install --target)")
    ap.add_argument("--fold-cache", required=True, help="the CRF fold models (FoldCache)")
    ap.add_argument("--scheme", choices=("cv", "loso"), default="cv")
    ap.add_argument("--mode", choices=("mean", "gru"), default="mean")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0, help="the GRU's seed (the data's: SEED)")
    a = ap.parse_args()
    if a.torch_path:
        sys.path.append(a.torch_path)
    import torch as torch_module  # type: ignore[import-not-found]  # noqa: PLC0415

    torch, nn = torch_module, torch_module.nn
    torch.set_num_threads(1)
    shared = Path(a.shared).resolve()
    cfg = DumpConfig()
    pages, multi = load_all(shared / "eval" / "extraction")
    wire = wire_dumps(shared / "eval" / WIRE_FILE, count=WIRE_DUMPS, seed=SEED, cfg=cfg)
    corpus = Corpus(pages, cfg, SEED, wire=wire, transplants=TRANSPLANTS)
    cache = FoldCache(Path(a.fold_cache), shared, SEED)
    scheme = "grouped_cv" if a.scheme == "cv" else "leave_one_source_out"
    held: Held = {}
    for name, _, out in held_out_splits(pages, seed=SEED, schemes=(scheme,)):
        started = time.perf_counter()
        ok = {p.id for p in pages if not out(p)}
        crf, _ = cache.model(name, functools.partial(corpus.of, ok))
        net, vocab = fit(
            corpus.of(ok), epochs=a.epochs, hidden=a.hidden, dropout=a.dropout, seed=a.seed
        )
        model = GruDumpModel(crf.lines, crf.starts, net=net, vocab=vocab, mode=a.mode)
        for kind, items in (("text", pages), ("multi", multi)):
            for p in (p for p in items if out(p)):
                held.setdefault(scheme, {}).setdefault(f"{p.source}.{kind}", []).append((p, model))
        print(f"  {name}: GRU trained in {time.perf_counter() - started:.0f}s", flush=True)
    print_results(cross_validate(held, scorer(shared), thresholds=None, log_dir=None))


if __name__ == "__main__":
    main()
