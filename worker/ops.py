"""What an operator asks: how deep the queue is, what the streams hold, is the worker healthy."""

from __future__ import annotations

import socket
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Self

import redis
from kombu.exceptions import ChannelError

from worker.keys import Keys
from worker.store import Store, client_for

if TYPE_CHECKING:
    from celery import Celery
    from kombu import Connection

    from worker.settings import Settings

RECENT_MINUTES = 5


class QueueDepth:
    """Messages waiting on a Celery queue, for any broker kombu speaks; one connection reused."""

    def __init__(self, app: Celery, queue: str) -> None:
        """Measure `queue` on `app`'s broker."""
        self.app = app
        self.queue = queue
        self._conn: Connection | None = None

    def __call__(self) -> int:
        """The queue's depth now (0 when it does not exist yet)."""
        if self._conn is None:
            self._conn = self.app.connection_for_read()
        try:
            channel: Any = self._conn.default_channel
            ok = channel.queue_declare(queue=self.queue, passive=True)
        except ChannelError:  # no such queue yet: nothing waiting
            self.close()
            return 0
        except Exception:
            self.close()
            raise
        return int(ok.message_count)

    def close(self) -> None:
        """Release the broker connection."""
        if self._conn is not None:
            self._conn.release()
            self._conn = None

    def __enter__(self) -> Self:
        """Measure within a block; the connection is released at its end."""
        return self

    def __exit__(self, *_: object) -> None:
        """Release the broker connection."""
        self.close()


@dataclass
class GroupInfo:
    """A consumer group of a stream."""

    name: str
    consumers: int
    pending: int
    lag: int | None


@dataclass
class StreamInfo:
    """A stream's length and its consumer groups."""

    key: str
    length: int
    groups: list[GroupInfo] = field(default_factory=list)


@dataclass
class Snapshot:
    """copydesk's state in Redis at one moment."""

    queue_depth: int
    streams: dict[str, StreamInfo]
    jobs_submitted: int
    recent_minutes: int
    recent: dict[str, int]
    last_progress_age_s: float | None

    def as_dict(self) -> dict[str, Any]:
        """The snapshot as plain JSON-able data."""
        return asdict(self)


def _stream(client: redis.Redis, key: str) -> StreamInfo:
    length = int(client.xlen(key))
    groups: list[GroupInfo] = []
    if length or client.exists(key):
        for g in client.xinfo_groups(key):
            lag = g.get("lag")
            groups.append(
                GroupInfo(
                    name=str(g["name"]),
                    consumers=int(g["consumers"]),
                    pending=int(g["pending"]),
                    lag=int(lag) if lag is not None else None,
                )
            )
    return StreamInfo(key=key, length=length, groups=groups)


def snapshot(settings: Settings, depth: QueueDepth, host: str | None = None) -> Snapshot:
    """Read queue depth (`depth`), stream lengths and groups, and recent counts from Redis.

    `last_progress_age_s` is for `host` when given, else for the most recent of all hosts.
    """
    store = Store(client_for(settings.require_redis_url()), Keys(settings.key_prefix))
    c = store.client
    streams = {
        name: _stream(c, key)
        for name, key in (
            ("intake", settings.intake_stream),
            ("articles", settings.output_stream),
            ("duplicates", settings.duplicate_stream),
            ("dead", settings.dead_stream),
        )
    }
    queue_depth = depth()
    last = store.last_progress(host)
    return Snapshot(
        queue_depth=queue_depth,
        streams=streams,
        jobs_submitted=int(c.zcard(store.keys.ledger)),
        recent_minutes=RECENT_MINUTES,
        recent=store.recent_counts(RECENT_MINUTES),
        last_progress_age_s=None if last is None else round(time.time() - last, 1),
    )


@dataclass
class Check:
    """One health check's outcome."""

    name: str
    ok: bool
    detail: str


def health(settings: Settings, app: Celery, *, this_host: bool, timeout_s: float) -> list[Check]:
    """Redis reachable, a worker (of `app`'s broker) answering a ping, and work moving."""
    checks: list[Check] = []
    try:
        redis.Redis.from_url(
            settings.require_redis_url(), socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        ).ping()
    except (redis.RedisError, OSError) as exc:
        return [Check("redis", ok=False, detail=f"{type(exc).__name__}: {exc}")]
    checks.append(Check("redis", ok=True, detail="PONG"))
    replies = app.control.ping(timeout=timeout_s) or []
    names = sorted(name for reply in replies for name in reply)
    if this_host:  # node names are name@host; keep this host's
        names = [n for n in names if n.endswith(f"@{socket.gethostname()}")]
    checks.append(
        Check(
            "worker",
            ok=bool(names),
            detail=", ".join(names) if names else "no worker answered the ping",
        )
    )
    with QueueDepth(app, settings.queue) as depth:
        snap = snapshot(settings, depth, host=socket.gethostname() if this_host else None)
    age = snap.last_progress_age_s
    stalled = snap.queue_depth > 0 and (age is None or age > settings.health_stall_s)
    checks.append(
        Check(
            "progress",
            ok=not stalled,
            detail=f"queue depth {snap.queue_depth}, last job finished "
            + ("never" if age is None else f"{age:.0f} s ago"),
        )
    )
    return checks
