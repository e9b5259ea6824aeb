"""Every Redis key copydesk uses, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    """Key names under one prefix (tests give each run its own)."""

    prefix: str = "copydesk"

    def blob(self, job_id: str) -> str:
        """The submitted envelope, stored once and read by the extract stage."""
        return f"{self.prefix}:blob:{job_id}"

    @property
    def ledger(self) -> str:
        """ZSET of submitted job ids scored by submission time."""
        return f"{self.prefix}:ledger"

    def job_state(self, job_id: str) -> str:
        """How a job ended: done (articles published) or dead."""
        return f"{self.prefix}:state:{job_id}"

    def dedup(self, bucket: int, kind: str) -> str:
        """A dedup time bucket's hash: x (fingerprints), l (LSH bands), s (records).

        The Lua script in `worker.store` builds the same names from the prefix.
        """
        return f"{self.prefix}:dedup:{bucket}:{kind}"

    def queued(self, job_id: str) -> str:
        """Whether a job's chain was queued: 'queued', or 'lease' while one producer queues it."""
        return f"{self.prefix}:queued:{job_id}"

    @property
    def progress(self) -> str:
        """HASH of worker host -> when a job last finished there (health checks read it)."""
        return f"{self.prefix}:progress"

    def minute_counts(self, minute: int) -> str:
        """HASH of counts (jobs, articles, duplicates, dead) for one minute, kept two hours."""
        return f"{self.prefix}:counts:{minute}"

    def published(self, article_id: str) -> str:
        """Marks an article as already on the output stream (idempotent publish)."""
        return f"{self.prefix}:pub:{article_id}"

    def deliveries(self, job_id: str, stage: str) -> str:
        """How many times a stage of a job was delivered (poison detection)."""
        return f"{self.prefix}:deliveries:{job_id}:{stage}"
