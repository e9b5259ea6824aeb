"""Settings from the environment (prefix COPYDESK_), one cached instance per process."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LogFormat(StrEnum):
    """How log lines are rendered."""

    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


class DedupPolicy(StrEnum):
    """What happens to a duplicate article."""

    FLAG = "flag"
    DIVERT = "divert"


class Settings(BaseSettings):
    """Every knob of copydesk. Each field is read from COPYDESK_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="COPYDESK_", extra="ignore")

    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis for state and streams. Unset: an embedded Valkey is started.",
    )
    broker_url: SecretStr | None = Field(
        default=None, description="Celery broker. Unset: the same server as redis_url."
    )
    key_prefix: str = Field(default="copydesk", description="Prefix of every Redis key.")
    queue: str = Field(default="copydesk", description="Celery queue the chain runs on.")
    output_stream: str = Field(default="copydesk:articles", description="Where articles land.")
    duplicate_stream: str = Field(
        default="copydesk:duplicates", description="Where duplicates land with policy divert."
    )
    dead_stream: str = Field(default="copydesk:dead", description="Where dead letters land.")
    intake_stream: str = Field(
        default="copydesk:intake",
        description="Stream crawlers XADD jobs to (one field `job`: the envelope as JSON).",
    )
    intake_group: str = Field(
        default="copydesk-intake", description="Consumer group of the intake consumers."
    )
    intake_in_worker: bool = Field(
        default=False, description="`copydesk worker` also runs an intake consumer."
    )
    intake_batch: int = Field(default=20, ge=1, description="Intake entries read at a time.")
    intake_claim_idle_s: int = Field(
        default=60,
        ge=2,
        description="Intake entries pending this long (their consumer died) are claimed again.",
    )
    intake_max_queue: int = Field(
        default=2000,
        ge=1,
        description="Backpressure: intake waits while the Celery queue holds more messages.",
    )
    queue_lease_s: int = Field(
        default=20,
        ge=1,
        description="How long a producer may take to queue a chain before another may.",
    )
    stream_maxlen: int = Field(
        default=1_000_000, ge=1000, description="Approximate MAXLEN of the output streams."
    )
    max_content_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest blob accepted, in bytes."
    )
    blob_ttl_s: int = Field(
        default=7 * 86400, ge=60, description="How long a submitted blob is kept."
    )
    dedup_policy: DedupPolicy = Field(
        default=DedupPolicy.FLAG,
        description="flag: duplicates are published, marked; divert: to their own stream.",
    )
    dedup_window_s: int = Field(
        default=7 * 86400, ge=60, description="How long an article stays in the dedup index."
    )
    dedup_shingle: int = Field(default=5, ge=1, le=8, description="Words per shingle.")
    dedup_num_perm: int = Field(default=64, ge=16, le=512, description="MinHash permutations.")
    dedup_bands: int = Field(
        default=32, ge=1, description="LSH bands (a divisor of dedup_num_perm)."
    )
    dedup_threshold: float = Field(
        default=0.35, gt=0.0, le=1.0, description="Estimated Jaccard similarity of a near copy."
    )
    dedup_bucket_s: int = Field(
        default=86400, ge=60, description="Dedup state is kept in buckets this long."
    )
    ner_models: dict[str, str] = Field(
        default={"en": "ner-en", "fr": "fr_core_news_sm", "es": "ner-es", "nl": "ner-nl"},
        description="spaCy NER pipeline per language (JSON): a directory of worker/models "
        "(checked against its record's hash), an installed package or a path.",
    )
    region_streams: bool = Field(
        default=False,
        description="Also publish each article to `<output_stream>:<region>` per listed region.",
    )
    region_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Regions scored at or above this are listed (scores are calibrated).",
    )
    min_article_words: int = Field(
        default=40, ge=1, description="Fewer words than this is not an article."
    )
    dump_splitter: Literal["rules", "model"] = Field(
        default="rules",
        description=(
            "How plain-text dumps are cut into articles: the hand-written rules, or the model "
            "learned from many sites (make train-extract; docs/extraction.md)."
        ),
    )
    fuse_stages: bool = Field(
        default=True,
        description="All stages of a job in one task; false: one task per stage.",
    )
    max_retries: int = Field(default=3, ge=0, description="Retries of a failing stage.")
    max_deliveries: int = Field(
        default=5, ge=1, description="Deliveries of one stage before a job is called poison."
    )
    task_time_limit_s: int = Field(default=300, ge=10, description="Hard limit per task.")
    visibility_timeout_s: int = Field(
        default=3600, ge=60, description="Redelivery delay of unacked messages; > time limit."
    )
    worker_concurrency: int = Field(
        default=2, ge=1, description="Worker processes of `copydesk worker` (one per core)."
    )
    task_events: bool = Field(
        default=False,
        description="Send Celery task events (for Flower); each costs the worker a publish.",
    )
    worker_max_memory_kb: int = Field(
        default=600_000, ge=100_000, description="A worker child above this RSS is replaced."
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of the worker's Prometheus endpoint. Unset: no metrics.",
    )
    metrics_addr: str = Field(default="0.0.0.0", description="Address the metrics port binds.")  # noqa: S104
    health_stall_s: int = Field(
        default=900,
        ge=10,
        description="`copydesk health` fails when jobs wait and none finished for this long.",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_format: LogFormat = Field(
        default=LogFormat.AUTO, description="json, console, or auto (console on a terminal)."
    )

    @field_validator("redis_url", "broker_url", mode="before")
    @classmethod
    def _tls_spelling(cls, value: object) -> object:
        """Accept Celery's spelling `ssl_cert_reqs=CERT_REQUIRED` as well as redis-py's `required`.

        The same for `optional` and `none`: both spellings mean the same thing.
        """
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str) and "ssl_cert_reqs=CERT_" in raw:
            for name in ("REQUIRED", "OPTIONAL", "NONE"):
                raw = raw.replace(f"ssl_cert_reqs=CERT_{name}", f"ssl_cert_reqs={name.lower()}")
            return raw
        return value

    @model_validator(mode="after")
    def _bands_divide_perms(self) -> Settings:
        if self.dedup_num_perm % self.dedup_bands:
            raise ValueError("dedup_bands must divide dedup_num_perm")
        if self.visibility_timeout_s <= self.task_time_limit_s:
            raise ValueError("visibility_timeout_s must be longer than task_time_limit_s")
        if self.intake_claim_idle_s <= self.queue_lease_s:
            raise ValueError("intake_claim_idle_s must be longer than queue_lease_s")
        return self

    def require_redis_url(self) -> str:
        """The Redis URL; raises when none is set (embedded mode sets one before use)."""
        if self.redis_url is None:
            raise RuntimeError("COPYDESK_REDIS_URL is not set and no embedded server was started")
        return self.redis_url.get_secret_value()

    def broker(self) -> str:
        """The Celery broker URL."""
        if self.broker_url is not None:
            return self.broker_url.get_secret_value()
        return self.require_redis_url()


def namespaced(redis_url: str, prefix: str, **overrides: Any) -> Settings:
    """Settings whose keys, queue and streams all live under `prefix` (tests, benchmarks)."""
    fields: dict[str, Any] = {
        "redis_url": SecretStr(redis_url),
        "key_prefix": prefix,
        "queue": prefix,
        "output_stream": f"{prefix}:articles",
        "dead_stream": f"{prefix}:dead",
        "duplicate_stream": f"{prefix}:duplicates",
        "intake_stream": f"{prefix}:intake",
    }
    return Settings(**{**fields, **overrides})


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as COPYDESK_ variables, secrets included: for processes we start only."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            raw = value.get_secret_value() if isinstance(value, SecretStr) else value
            raw = json.dumps(raw) if isinstance(raw, dict | list) else getattr(raw, "value", raw)
            env[f"COPYDESK_{name.upper()}"] = str(raw)
    return env


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()


def settings_table() -> str:
    """The settings as a Markdown table (docs/settings.md holds a copy checked against this)."""
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        default = info.default
        shown = "unset" if default is None else getattr(default, "value", default)
        if isinstance(shown, dict):
            shown = json.dumps(shown)
        rows.append(f"| `COPYDESK_{name.upper()}` | `{shown}` | {info.description or ''} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(settings_table(), end="")  # noqa: T201 - prints the table for docs/settings.md
