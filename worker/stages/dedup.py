"""The dedup stage: pure fingerprints, and a shared index that decides who came first.

Two tests, in order:
1. Exact: a hash of the normalised text (Unicode, case, white space, quotes and dashes gone).
2. Near: a MinHash signature of the text's word shingles, banded for LSH; candidates that share
   a band are verified by the share of signature values they agree on (an estimate of their
   Jaccard similarity), and the best one at or above the threshold is the original.

The index is passed in: Redis (`worker.store.RedisDedupIndex`, one Lua call per batch, shared
by every worker) in the queue, `MemoryDedupIndex` in `copydesk process`; both decide alike. An
article that claims again what it already holds (a redelivered job) is never its own duplicate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np

from schemas.article import Article

_WORD = re.compile(r"\w+", re.UNICODE)
_SEED = 1
_MAX_HASH = np.uint32((1 << 32) - 1)
BAND_BYTES = 5  # band keys: salted by band index, so one hash holds every band


@dataclass(frozen=True)
class DedupConfig:
    """Shingles, signature and banding, chosen on the dev stream (docs/duplicates.md)."""

    shingle: int = 5  # words per shingle
    num_perm: int = 64  # signature length
    bands: int = 32  # LSH bands; rows per band = num_perm // bands
    threshold: float = 0.35  # estimated Jaccard at or above which a text is a copy

    @property
    def rows(self) -> int:
        """Signature values per band."""
        return self.num_perm // self.bands


@dataclass(frozen=True)
class Claim:
    """What an article asks of the index."""

    article_id: str
    fingerprint: str
    signature: bytes  # the low 8 bits of each MinHash value (b-bit MinHash, b = 8)
    bands: tuple[bytes, ...]


@dataclass(frozen=True)
class Verdict:
    """What the index answered: the original (the article itself when it came first)."""

    original: str
    similarity: float


def normalise_text(text: str) -> str:
    """Text reduced to what a copy keeps: NFKC, case-folded, words only, single spaces.

    Quotes, dashes, punctuation and white space differences all vanish.
    """
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(text: str) -> str:
    """A 128-bit hash of the normalised text, as hex."""
    return hashlib.blake2b(normalise_text(text).encode("utf-8"), digest_size=16).hexdigest()


def shingles(normalised: str, size: int) -> set[bytes]:
    """The distinct word n-grams of a normalised text (the whole text when it is shorter)."""
    words = normalised.split()
    if len(words) <= size:
        return {normalised.encode("utf-8")}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)  # datasketch's generator: it fixes the values
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash(items: Iterable[bytes], num_perm: int, seed: int = _SEED) -> np.ndarray:
    """The MinHash values of a set of byte strings: datasketch 2's `MinHash(num_perm, seed)`.

    Its default "affine32" scheme: SHA-1's first 4 bytes, the MurmurHash3 finalizer, then
    `a * h + b` modulo 2**32 with odd `a` per permutation. Value for value the same, so that
    signatures stay comparable with state written before (tests/unit/test_dedup.py checks it).
    Not imported from datasketch: its package import loads scipy, 40 MB in every worker process.
    """
    a, b = _permutations(num_perm, seed)
    hashed = [
        int.from_bytes(hashlib.sha1(item, usedforsecurity=False).digest()[:4], "little")
        for item in items
    ]
    if not hashed:
        return np.full(num_perm, _MAX_HASH, dtype=np.uint32)
    hv = np.array(hashed, dtype=np.uint32).reshape(-1, 1)
    hv ^= hv >> np.uint32(16)  # MurmurHash3 fmix32: a bijection that spreads the input bits
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    values: np.ndarray = (hv * a + b).min(axis=0)
    return values


def claim_for(article: Article, cfg: DedupConfig) -> Claim:
    """The fingerprint, signature and LSH bands of an article."""
    normalised = normalise_text(article.text)
    values = minhash(shingles(normalised, cfg.shingle), cfg.num_perm)
    packed = values.astype("<u4").tobytes()
    step = cfg.rows * 4
    bands = tuple(
        hashlib.blake2b(
            packed[i * step : (i + 1) * step], digest_size=BAND_BYTES, salt=i.to_bytes(2, "little")
        ).digest()
        for i in range(cfg.bands)
    )
    signature = (values & 0xFF).astype(np.uint8).tobytes()
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()
    return Claim(article.article_id, digest, signature, bands)


def agreement(a: bytes, b: bytes) -> float:
    """Share of signature values two articles agree on: their estimated Jaccard similarity.

    With 8-bit values, unrelated values agree by chance 1 time in 256: the estimate is high by
    at most 0.004, far below the threshold's resolution.
    """
    x = np.frombuffer(a, dtype=np.uint8)
    y = np.frombuffer(b, dtype=np.uint8)
    return float(np.count_nonzero(x == y)) / len(x)


class DedupIndex(Protocol):
    """Where articles are claimed: the first claimant of a text (or of a near copy) is original."""

    def claim(self, claims: Sequence[Claim], cfg: DedupConfig) -> list[Verdict]:
        """For each claim in order, its verdict; later claims see the earlier ones."""
        ...


@dataclass
class MemoryDedupIndex:
    """The index in this process's memory (batch mode and tests), deciding as the Redis one.

    Records are numbered in claim order; a band bucket keeps its first claimant; ties in
    similarity go to the earliest record.
    """

    exact: dict[str, int] = field(default_factory=dict)
    bands: dict[tuple[int, bytes], int] = field(default_factory=dict)
    records: list[tuple[str, str, float, bytes]] = field(
        default_factory=list
    )  # aid, root, sim, sig

    def claim(self, claims: Sequence[Claim], cfg: DedupConfig) -> list[Verdict]:
        """Exact match first, then the best verified near match; then index the article."""
        return [self._one(c, cfg) for c in claims]

    def _one(self, c: Claim, cfg: DedupConfig) -> Verdict:
        if (owner := self.exact.get(c.fingerprint)) is not None:
            aid, root, sim, _ = self.records[owner]
            if aid == c.article_id:  # the same article again: a redelivered job
                return Verdict(root, sim)
            return Verdict(root, 1.0)
        best_sim, best = 0.0, -1
        for num in sorted({self.bands[k] for k in enumerate(c.bands) if k in self.bands}):
            sim = agreement(c.signature, self.records[num][3])
            if sim > best_sim:
                best_sim, best = sim, num
        verdict = Verdict(c.article_id, 0.0)
        if best >= 0 and best_sim >= cfg.threshold:
            verdict = Verdict(self.records[best][1], best_sim)
        num = len(self.records)
        self.records.append((c.article_id, verdict.original, verdict.similarity, c.signature))
        self.exact[c.fingerprint] = num
        for key in enumerate(c.bands):
            self.bands.setdefault(key, num)
        return verdict


def dedup(articles: Sequence[Article], *, index: DedupIndex, cfg: DedupConfig) -> list[Article]:
    """Each article with its fingerprint, and the original and similarity when it is a copy."""
    claims = [claim_for(a, cfg) for a in articles]
    verdicts = index.claim(claims, cfg)
    out = []
    for article, c, v in zip(articles, claims, verdicts, strict=True):
        duplicate = v.original != article.article_id
        update = {
            "fingerprint": c.fingerprint,
            "duplicate_of": v.original if duplicate else None,
            "similarity": round(v.similarity, 4) if duplicate else None,
        }
        out.append(article.model_copy(update=update))
    return out
