"""Dedup against a real Redis-protocol server: articles per second and bytes per article.

Runs on an embedded Valkey unless COPYDESK_BENCH_REDIS_URL names another server.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from schemas.article import Article
from worker.embedded import valkey
from worker.keys import Keys
from worker.stages.dedup import DedupConfig, dedup
from worker.stages.extract import detect_language
from worker.store import RedisDedupIndex, Store, client_for


@contextmanager
def server() -> Iterator[str]:
    """A Redis URL: the given one, or an embedded Valkey's."""
    with valkey(os.environ.get("COPYDESK_BENCH_REDIS_URL")) as url:
        yield url


def articles(dedup_dev: Path) -> list[Article]:
    """The dev stream's texts as articles (no extraction: this measures dedup alone)."""
    out = []
    for line in dedup_dev.open(encoding="utf-8"):
        r = json.loads(line)
        out.append(
            Article(
                article_id=f"{r['job_id']}#0",
                job_id=r["job_id"],
                position=0,
                text=r["content"],
                language=detect_language(r["content"][:500]),
            )
        )
    return out


def run(dedup_dev: Path, cfg: DedupConfig) -> dict[str, Any]:
    """Index the dev stream job by job through Redis; throughput and memory per article."""
    arts = articles(dedup_dev)
    with server() as url:
        client = client_for(url)
        store = Store(client, Keys(f"bench{uuid.uuid4().hex[:6]}"))
        index = RedisDedupIndex(store, window_s=7 * 86400, bucket_s=86400)
        before = int(client.info("memory")["used_memory"])
        started = time.perf_counter()
        for a in arts:
            dedup([a], index=index, cfg=cfg)
        seconds = time.perf_counter() - started
        used = int(client.info("memory")["used_memory"]) - before
        keys = list(client.scan_iter(f"{store.keys.prefix}:*"))
        by_keys = sum(int(client.memory_usage(k) or 0) for k in keys)
        client.delete(*keys)
    return {
        "articles": len(arts),
        "articles_s": len(arts) / seconds,
        "bytes_per_article": used / len(arts),
        "key_bytes_per_article": by_keys / len(arts),
    }
