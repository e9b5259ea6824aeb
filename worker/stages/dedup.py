"""The dedup stage: a pure fingerprint, and a shared index that decides who came first.

The index is passed in: Redis (`worker.store.RedisDedupIndex`) in the queue, shared by every
worker; `MemoryDedupIndex` in `copydesk process`. An article claiming a fingerprint that it
already holds (a redelivered job) is never its own duplicate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from schemas.article import Article

_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Text reduced to what a copy keeps: NFKC, case-folded, words only, single spaces.

    Quotes, dashes, punctuation and white space differences all vanish.
    """
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(text: str) -> str:
    """A 128-bit hash of the normalised text, as hex."""
    return hashlib.blake2b(normalise_text(text).encode("utf-8"), digest_size=16).hexdigest()


class DedupIndex(Protocol):
    """Where fingerprints are claimed: the first claimant of a fingerprint is the original."""

    def claim(self, claims: Sequence[tuple[str, str]]) -> list[str]:
        """For each (fingerprint, article_id), the article_id that holds the fingerprint now."""
        ...


class MemoryDedupIndex:
    """A dict-backed index for one process (batch mode and tests)."""

    def __init__(self) -> None:
        """An empty index."""
        self._owners: dict[str, str] = {}

    def claim(self, claims: Sequence[tuple[str, str]]) -> list[str]:
        """Claim each fingerprint for its article unless an earlier article holds it."""
        return [self._owners.setdefault(fp, article_id) for fp, article_id in claims]


def dedup(articles: Sequence[Article], *, index: DedupIndex) -> list[Article]:
    """Each article with its fingerprint and, when an earlier article has the same text, a mark."""
    prints = [fingerprint(a.text) for a in articles]
    owners = index.claim(list(zip(prints, (a.article_id for a in articles), strict=True)))
    out = []
    for article, fp, owner in zip(articles, prints, owners, strict=True):
        duplicate = owner != article.article_id
        out.append(
            article.model_copy(
                update={
                    "fingerprint": fp,
                    "duplicate_of": owner if duplicate else None,
                    "similarity": 1.0 if duplicate else None,
                }
            )
        )
    return out
