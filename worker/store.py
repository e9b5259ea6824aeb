"""Redis operations by name. Where a decision must be atomic, it is one Lua script."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.retry import Retry

from schemas.article import Article
from schemas.dead_letter import DeadLetter
from worker.keys import Keys
from worker.stages.dedup import BAND_BYTES, Claim, DedupConfig, Verdict

# The dedup decision for a batch of articles, atomically, so that two workers that see two copies
# at once agree on one original. Per time bucket (keys expire whole): x = fingerprint -> record,
# l = band -> first record in that band bucket, s = record -> aid, root, similarity, signature.
# ARGV: prefix, bucket_s, buckets, window_s, threshold, nperm, nbands, band bytes, then 4 per
# article: article id, fingerprint, signature (nperm bytes), bands (nbands x band bytes).
# Returns per article: original id, similarity.
_DEDUP = """
local prefix, bucket_s, nbuckets = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local window, threshold = tonumber(ARGV[4]), tonumber(ARGV[5])
local nperm, nbands, BB = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local now = tonumber(redis.call('TIME')[1])
local cur = math.floor(now / bucket_s)
local function key(b, kind) return prefix .. ':dedup:' .. b .. ':' .. kind end
local function band(bands, bi) return string.sub(bands, bi * BB + 1, bi * BB + BB) end
local function parse(rec)
  local a = string.find(rec, '\0', 1, true)
  local b = string.find(rec, '\0', a + 1, true)
  local c = string.find(rec, '\0', b + 1, true)
  local aid, root = string.sub(rec, 1, a - 1), string.sub(rec, a + 1, b - 1)
  if root == '' then root = aid end  -- an original stores no root: it is its own
  return aid, root, tonumber(string.sub(rec, b + 1, c - 1)), string.sub(rec, c + 1)
end
local function agree(x, y)
  local same = 0
  for j = 1, nperm do
    if string.byte(x, j) == string.byte(y, j) then same = same + 1 end
  end
  return same / nperm
end
local out = {}
for i = 9, #ARGV, 4 do
  local aid, fp, sig, bands = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local root, sim, done = aid, 0, false
  for k = 0, nbuckets - 1 do
    local owner = redis.call('HGET', key(cur - k, 'x'), fp)
    if owner then
      local oaid, oroot, osim = parse(redis.call('HGET', key(cur - k, 's'), owner))
      if oaid == aid then root, sim = oroot, osim else root, sim = oroot, 1 end
      done = true
      break
    end
  end
  if not done then
    local seen, best, best_sim, best_root = {}, nil, 0, nil
    for k = nbuckets - 1, 0, -1 do
      for bi = 0, nbands - 1 do
        local num = redis.call('HGET', key(cur - k, 'l'), band(bands, bi))
        if num and not seen[num] then
          seen[num] = true
          local rec = redis.call('HGET', key(cur - k, 's'), num)
          if rec then
            local _, croot, _, csig = parse(rec)
            local s = agree(sig, csig)
            if s > best_sim or (s == best_sim and best and tonumber(num) < tonumber(best)) then
              best, best_sim, best_root = num, s, croot
            end
          end
        end
      end
    end
    if best and best_sim >= threshold then root, sim = best_root, best_sim end
    local num = tostring(redis.call('INCR', prefix .. ':dedup:seq'))
    local expire_at = (cur + 1) * bucket_s + window
    redis.call('HSET', key(cur, 'x'), fp, num)
    local stored_root = root
    if root == aid then stored_root = '' end
    redis.call('HSET', key(cur, 's'), num, aid .. '\0' .. stored_root .. '\0' .. sim .. '\0' .. sig)
    local lkey = key(cur, 'l')
    for bi = 0, nbands - 1 do
      redis.call('HSETNX', lkey, band(bands, bi), num)
    end
    for _, kind in ipairs({'x', 's', 'l'}) do redis.call('EXPIREAT', key(cur, kind), expire_at) end
  end
  table.insert(out, root)
  table.insert(out, tostring(sim))
end
return out
"""

# Publish once per article id: the marker and the XADDs happen together or not at all.
# KEYS: marker, output stream, then any per-region streams the article is routed to as well.
_PUBLISH = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'article', ARGV[1])
  for i = 3, #KEYS do
    redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[2], '*', 'article', ARGV[1])
  end
  redis.call('SET', KEYS[1], id, 'EX', ARGV[3])
  return id
end
return false
"""

STATE_TTL_S = 30 * 86400
RECONNECT_TRIES = 8
COUNTS_TTL_S = 2 * 3600


@lru_cache(maxsize=8)
def redact(url: str) -> str:
    """The URL with its password replaced by `***`, safe to print and log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def preflight(url: str, timeout_s: float = 5.0) -> None:
    """Connect and PING once, without retries: fail at once, with redis-py's error.

    A wrong password, a missing server or a TLS mismatch then fails before any work starts,
    not after the reconnect backoff.
    """
    client = redis.Redis.from_url(
        url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s, retry=Retry(NoBackoff(), 0)
    )
    try:
        client.ping()
    finally:
        client.close()


def client_for(url: str) -> redis.Redis:
    """One client (with its pool) per URL per process; redis-py resets pools after fork.

    A dropped connection is retried with exponential backoff for about 20 s, so a Redis
    restart is ridden out. Our scripts are safe to run twice: the dedup claim and publish are
    idempotent on article id.
    """
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        health_check_interval=30,
        socket_keepalive=True,
        retry=Retry(ExponentialWithJitterBackoff(base=0.2, cap=5.0), retries=RECONNECT_TRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


@dataclass
class Store:
    """copydesk's Redis state: blobs, the ledger, dedup claims, streams and dead letters."""

    client: redis.Redis
    keys: Keys

    def put_blob(self, job_id: str, envelope: str, *, ttl_s: int, submitted_at: float) -> bool:
        """Store a submitted envelope once; False when the job id was submitted before."""
        pipe = self.client.pipeline()
        pipe.set(self.keys.blob(job_id), envelope, nx=True, ex=ttl_s)
        pipe.zadd(self.keys.ledger, {job_id: submitted_at}, nx=True)
        stored, _ = pipe.execute()
        return bool(stored)

    def replace_blob(self, job_id: str, envelope: str, *, ttl_s: int) -> None:
        """Store an envelope again (replays), clearing how the job ended and whether it queued."""
        pipe = self.client.pipeline()
        pipe.set(self.keys.blob(job_id), envelope, ex=ttl_s)
        pipe.delete(self.keys.job_state(job_id), self.keys.queued(job_id))
        pipe.execute()

    def lease_queueing(self, job_id: str, *, lease_s: int) -> str | None:
        """Take the right to queue a job's chain for `lease_s` seconds.

        None when taken; else what holds it: 'queued' (done before) or 'lease' (another
        producer is queueing it now, or died doing so and its lease has not run out).
        """
        key = self.keys.queued(job_id)
        if self.client.set(key, "lease", nx=True, ex=lease_s):
            return None
        return cast("str | None", self.client.get(key)) or "lease"

    def mark_queued(self, job_id: str, *, ttl_s: int) -> None:
        """Record that a job's chain is on the queue, so nobody queues it again."""
        self.client.set(self.keys.queued(job_id), "queued", ex=ttl_s)

    def unfinished(self, *, submitted_before: float, chunk: int = 1000) -> tuple[list[str], int]:
        """Ledger jobs submitted before a time that have no recorded end; finished ones leave it.

        Returns the unfinished ids and how many finished ones were removed from the ledger.
        """
        ids = cast(
            "list[str]", self.client.zrangebyscore(self.keys.ledger, "-inf", submitted_before)
        )
        open_ids: list[str] = []
        finished = 0
        for i in range(0, len(ids), chunk):
            part = ids[i : i + chunk]
            states = cast(
                "list[str | None]", self.client.mget(self.keys.job_state(j) for j in part)
            )
            done = [j for j, st in zip(part, states, strict=True) if st is not None]
            open_ids += [j for j, st in zip(part, states, strict=True) if st is None]
            if done:
                finished += int(self.client.zrem(self.keys.ledger, *done))
        return open_ids, finished

    def get_blob(self, job_id: str) -> str | None:
        """The stored envelope of a job, if it has not expired."""
        return cast("str | None", self.client.get(self.keys.blob(job_id)))

    def count_delivery(self, job_id: str, stage: str, *, ttl_s: int) -> int:
        """Count one more delivery of a job's stage; the count outlives worker crashes."""
        key = self.keys.deliveries(job_id, stage)
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl_s)
        count, _ = pipe.execute()
        return int(count)

    def dedup(
        self,
        claims: Sequence[Claim],
        cfg: DedupConfig,
        *,
        window_s: int,
        bucket_s: int,
    ) -> list[Verdict]:
        """The dedup verdicts of a batch, decided and indexed in one atomic script."""
        if not claims:
            return []
        buckets = -(-window_s // bucket_s) + 1
        args: list[Any] = [
            self.keys.prefix,
            bucket_s,
            buckets,
            window_s,
            cfg.threshold,
            cfg.num_perm,
            cfg.bands,
            BAND_BYTES,
        ]
        for c in claims:
            # 64 bits of the fingerprint are plenty within one window, at half the memory.
            fp = bytes.fromhex(c.fingerprint)[:8]
            args += [c.article_id, fp, c.signature, b"".join(c.bands)]
        flat = cast("list[str]", self.client.eval(_DEDUP, 0, *args))
        return [Verdict(flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2)]

    def publish(
        self,
        articles: Sequence[Article],
        *,
        stream_for: dict[str, str],
        maxlen: int,
        ttl_s: int,
        also_to: dict[str, list[str]] | None = None,
    ) -> list[str | None]:
        """XADD each article to its stream (and to `also_to` streams) unless published before.

        Returns the new entry ids on the main stream (None where the article was there already).
        """
        pipe = self.client.pipeline(transaction=False)
        for a in articles:
            extra = (also_to or {}).get(a.article_id, [])
            pipe.eval(
                _PUBLISH,
                2 + len(extra),
                self.keys.published(a.article_id),
                stream_for[a.article_id],
                *extra,
                a.model_dump_json(),
                maxlen,
                ttl_s,
            )
        return [str(x) if x else None for x in pipe.execute()]

    def record_finished(
        self, host: str, *, job: tuple[str, str] | None = None, **counts: int
    ) -> None:
        """Count a finished job in this minute's counts and note this host's progress.

        `job` (id, state) also records how the job ended, in the same round trip.
        """
        now = time.time()
        key = self.keys.minute_counts(int(now // 60))
        pipe = self.client.pipeline(transaction=False)
        if job is not None:
            pipe.set(self.keys.job_state(job[0]), job[1], ex=STATE_TTL_S)
        for name, n in counts.items():
            if n:
                pipe.hincrby(key, name, n)
        pipe.expire(key, COUNTS_TTL_S)
        pipe.hset(self.keys.progress, host, now)
        pipe.execute()

    def last_progress(self, host: str | None = None) -> float | None:
        """When a job last finished (on `host`, or anywhere)."""
        if host is not None:
            value = self.client.hget(self.keys.progress, host)
            return float(cast("str", value)) if value else None
        values = cast("list[str]", self.client.hvals(self.keys.progress))
        return max((float(v) for v in values), default=None)

    def recent_counts(self, minutes: int) -> dict[str, int]:
        """Jobs, articles, duplicates and dead letters of the last `minutes` minutes."""
        now_min = int(time.time() // 60)
        pipe = self.client.pipeline(transaction=False)
        for m in range(now_min - minutes + 1, now_min + 1):
            pipe.hgetall(self.keys.minute_counts(m))
        totals = {"jobs": 0, "articles": 0, "duplicates": 0, "dead": 0}
        for counts in pipe.execute():
            for name, n in counts.items():
                totals[name] = totals.get(name, 0) + int(n)
        return totals

    def job_state(self, job_id: str) -> str | None:
        """How a job ended, or None while it is under way (or lost)."""
        return cast("str | None", self.client.get(self.keys.job_state(job_id)))

    def wait_for_jobs(
        self, job_ids: Sequence[str], *, timeout_s: float, poll_s: float = 0.2
    ) -> dict[str, str | None]:
        """How each job ended, polling until all have or the time is up."""
        deadline = time.monotonic() + timeout_s
        states: dict[str, str | None] = dict.fromkeys(job_ids)
        while True:
            open_ids = [j for j, st in states.items() if st is None]
            if open_ids:  # one MGET per poll, of the jobs still open
                found = cast(
                    "list[str | None]",
                    self.client.mget([self.keys.job_state(j) for j in open_ids]),
                )
                states.update(zip(open_ids, found, strict=True))
            if all(states.values()) or time.monotonic() > deadline:
                return states
            time.sleep(poll_s)

    def dead_letter(self, letter: DeadLetter, *, stream: str, maxlen: int) -> str:
        """Append a dead letter and mark its job dead."""
        pipe = self.client.pipeline()
        pipe.xadd(stream, {"dead": letter.model_dump_json()}, maxlen=maxlen, approximate=True)
        counts = self.keys.minute_counts(int(time.time() // 60))
        pipe.hincrby(counts, "dead", 1)
        pipe.expire(counts, COUNTS_TTL_S)
        if letter.job_id:
            pipe.set(self.keys.job_state(letter.job_id), "dead", ex=STATE_TTL_S)
        entry_id, *_ = pipe.execute()
        return str(entry_id)

    def read_stream(
        self, stream: str, field: str, *, start: str = "-", count: int = 1000
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Entries of a stream from `start` on, the field's JSON decoded."""
        cursor = start
        while True:
            entries: list[Any] = cast(
                "list[Any]", self.client.xrange(stream, min=cursor, count=count)
            )
            for entry_id, fields in entries:
                yield str(entry_id), json.loads(fields[field])
            if len(entries) < count:
                return
            cursor = "(" + str(entries[-1][0])

    def latest(self, stream: str, field: str, count: int) -> list[tuple[str, dict[str, Any]]]:
        """The last `count` entries of a stream, oldest first."""
        entries = cast("list[Any]", self.client.xrevrange(stream, count=count))
        return [(str(i), json.loads(f[field])) for i, f in reversed(entries)]

    def wait_new(
        self, stream: str, field: str, after: str, block_ms: int
    ) -> list[tuple[str, dict[str, Any]]]:
        """Entries added after `after`, waiting up to `block_ms` for some."""
        resp = cast("list[Any]", self.client.xread({stream: after}, block=block_ms) or [])
        return [(str(i), json.loads(f[field])) for _, entries in resp for i, f in entries]

    def ensure_group(self, stream: str, group: str) -> None:
        """Create a consumer group reading the stream from its start, unless it exists."""
        try:
            self.client.xgroup_create(stream, group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read_group(
        self, stream: str, group: str, consumer: str, *, count: int, block_ms: int
    ) -> list[tuple[str, str]]:
        """New entries for a group member: (entry id, raw article JSON)."""
        resp = cast(
            "list[Any]",
            self.client.xreadgroup(group, consumer, {stream: ">"}, count=count, block=block_ms)
            or [],
        )
        return [(str(i), str(f["article"])) for _, entries in resp for i, f in entries]

    def ack(self, stream: str, group: str, entry_id: str) -> None:
        """Acknowledge an entry for a group."""
        self.client.xack(stream, group, entry_id)


@dataclass
class RedisDedupIndex:
    """The dedup index shared by every worker: one Lua call decides a whole batch."""

    store: Store
    window_s: int
    bucket_s: int

    def claim(self, claims: Sequence[Claim], cfg: DedupConfig) -> list[Verdict]:
        """The verdict of each claim, in order."""
        return self.store.dedup(claims, cfg, window_s=self.window_s, bucket_s=self.bucket_s)
