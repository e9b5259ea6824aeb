"""End to end through Redis and Celery, against the in-process limit measured in the same run.

    python -m bench.e2e [--shared ../shared] [--json out/bench_e2e.json]

The in-process limit: every stage of each job in one process (dedup in memory, no Redis), one
job at a time, with 1 and with 2 such processes in parallel, each taking the next job when free.
End to end: the same jobs queued for a real worker (prefork, concurrency 1 and 2) on an
embedded Valkey on a list the worker does not read, then moved to its queue at once and timed
from the release to the last job's end, so that the producer's CPU, which in production runs on
the crawlers' machines, does not share the two cores with the jobs (it is reported). The jobs
go in parts, each run in-process and end to end back to back, and each side's time is
summed over all parts and rounds: a slow spell of a shared machine falls on both sides of the
ratio, not on one. RSS is the highest any pool process reaches, sampled during the run.
Latency: jobs submitted at half the measured concurrency-2 rate, from submission to the
article's entry on the output stream (its id is the XADD time).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.results import recorded
from schemas.job import Job
from worker.app import worker_command
from worker.client import Producer
from worker.demo import DEMO_JOBS
from worker.embedded import valkey
from worker.settings import Settings, namespaced, settings_env
from worker.store import Store

ROOT = Path(__file__).resolve().parents[1]


def load_jobs(shared: Path) -> list[dict[str, Any]]:
    """The dev pages (HTML) and page dumps (text) as job envelopes."""
    out: list[dict[str, Any]] = []
    for line in (shared / "eval" / "extraction" / "dev.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        if "html" in r:
            out.append({"content": r["html"], "content_type": "text/html", "url": r.get("url")})
        out.append({"content": r["text_blob"], "content_type": "text/plain"})
    return out


_RUNNER: Any = None


def _init_runner() -> None:
    """Each limit process: its own in-process chain, models loaded before the clock starts."""
    global _RUNNER  # noqa: PLW0603 - one runner per pool process
    from worker.pipeline import InlineRun  # noqa: PLC0415
    from worker.resources import Resources  # noqa: PLC0415
    from worker.settings import get_settings  # noqa: PLC0415

    _RUNNER = InlineRun(Resources(get_settings()))
    _RUNNER.run([{**DEMO_JOBS[0], "job_id": "warm"}])


def _inline_one(item: tuple[int, dict[str, Any]]) -> int:
    i, job = item
    return len(_RUNNER.run([{**job, "job_id": f"i{i}"}]))


class InProcess:
    """`procs` processes each running the whole chain per job, models loaded before forking.

    Jobs are handed out one at a time to whichever process is free, as the queue does: a fixed
    split would leave one process idle at the end and understate the limit.
    """

    def __init__(self, procs: int) -> None:
        """Fork the processes and warm them up."""
        from worker.preload import preload  # noqa: PLC0415
        from worker.settings import get_settings  # noqa: PLC0415

        preload(get_settings())  # before forking, as the worker does
        self._pool = mp.get_context("fork").Pool(procs, initializer=_init_runner)
        self._pool.map(_inline_one, [(-1 - i, DEMO_JOBS[i % 2]) for i in range(2 * procs)], 1)

    def seconds(self, jobs: list[tuple[int, dict[str, Any]]]) -> float:
        """How long the processes take to run `jobs`."""
        started = time.perf_counter()
        sum(self._pool.imap_unordered(_inline_one, jobs, chunksize=1))
        return time.perf_counter() - started

    def close(self) -> None:
        """Stop the processes."""
        self._pool.terminate()
        self._pool.join()


@dataclass
class Worker:
    """A real `celery worker` on its own queue and key prefix."""

    settings: Settings
    proc: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, url: str, concurrency: int, log: Path) -> Worker:
        """Start it and wait until it is ready."""
        prefix = f"bench{uuid.uuid4().hex[:8]}"
        s = namespaced(url, prefix)
        env = {**os.environ, "COPYDESK_LOG_FORMAT": "json", **settings_env(s)}
        with log.open("wb") as fh:
            proc = subprocess.Popen(
                worker_command(prefix, concurrency=concurrency, name=f"{prefix}@%h"),
                cwd=ROOT,
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while b"ready" not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-2000:])
            time.sleep(0.2)
        return cls(s, proc, log)

    def children(self) -> list[int]:
        """Its pool processes."""
        text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return [int(p) for p in text.split()]

    def stop(self) -> None:
        """Warm shutdown."""
        self.proc.terminate()
        self.proc.wait(timeout=60)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _PeakRss:
    """The highest RSS any pool process of a worker reaches, sampled every 0.2 s."""

    def __init__(self, worker: Worker) -> None:
        self.mb = 0.0
        self._done = threading.Event()
        self._worker = worker
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            try:
                rss = [_rss_mb(p) for p in self._worker.children()]
            except OSError:  # a child replaced between listing and reading
                continue
            self.mb = max([self.mb, *rss])

    def stop(self) -> None:
        """Stop sampling (idempotent)."""
        self._done.set()
        self._thread.join()


def _wait(store: Store, ids: list[str], timeout_s: float = 1800) -> dict[str, str | None]:
    """Wait for every job: an MGET every 0.1 s, every 0.01 s once few are left (the end time)."""
    states: dict[str, str | None] = dict.fromkeys(ids)
    deadline = time.monotonic() + timeout_s
    while (left := [j for j, st in states.items() if st is None]) and time.monotonic() < deadline:
        states.update(store.wait_for_jobs(left, timeout_s=0))
        if any(st is None for st in states.values()):
            time.sleep(0.01 if len(left) <= 4 else 0.1)
    return states


class QueueRun:
    """A real worker, warmed up, and the jobs timed through its queue."""

    def __init__(self, url: str, concurrency: int, log: Path) -> None:
        """Start the worker and run a few warm-up jobs."""
        self.worker = Worker.start(url, concurrency, log)
        self.peak = _PeakRss(self.worker)
        self.producer = Producer(self.worker.settings)
        self.store = self.producer.store
        # A backlog is queued on a list no worker reads, then renamed to the worker's queue in
        # one step (a blocked BRPOP wakes on it): the worker's prefetch and pool stay untouched.
        self.held = f"{self.worker.settings.queue}.held"
        self.holder = Producer(self.worker.settings.model_copy(update={"queue": self.held}))
        self.cpu_s = {"pool": 0.0, "worker_main": 0.0, "producer": 0.0}
        self.not_done = 0
        warm = [
            self._submit({**DEMO_JOBS[i % 2], "job_id": f"warm{i}"}) for i in range(2 * concurrency)
        ]
        self.store.wait_for_jobs(warm, timeout_s=180)

    def _submit(self, envelope: dict[str, Any], *, held: bool = False) -> str:
        producer = self.holder if held else self.producer
        return producer.submit_job(Job(**envelope)).job_id or ""

    def _cpu(self) -> dict[int, float]:
        return {p: _cpu_s(p) for p in [self.worker.proc.pid, *self.worker.children()]}

    def backlog_seconds(
        self, jobs: list[tuple[int, dict[str, Any]]], timeout_s: float = 1800
    ) -> float:
        """Queue `jobs` where the worker does not read, release them at once, time them to the end.

        The producer's CPU (on the crawlers' machines in production) is counted, not timed.
        """
        me0 = time.process_time()
        ids = [self._submit({**env, "job_id": f"j{i}"}, held=True) for i, env in jobs]
        self.cpu_s["producer"] += time.process_time() - me0
        if self.store.client.llen(self.held) != len(ids):
            raise RuntimeError(f"expected {len(ids)} messages on {self.held} (kombu's list name)")
        if self.store.client.llen(self.worker.settings.queue):
            raise RuntimeError("the worker's queue is not empty: a backlog would overwrite it")
        cpu0 = self._cpu()
        started = time.perf_counter()
        self.store.client.rename(self.held, self.worker.settings.queue)
        states = _wait(self.store, ids, timeout_s)
        elapsed = time.perf_counter() - started
        for pid, used in self._cpu().items():
            kind = "worker_main" if pid == self.worker.proc.pid else "pool"
            self.cpu_s[kind] += used - cpu0.get(pid, 0.0)
        self.not_done += sum(st is None for st in states.values())
        return elapsed

    def latencies(self, jobs: list[dict[str, Any]], rate: float) -> list[float]:
        """Submit at `rate` per second: seconds from submission to the job's first article."""
        submitted: dict[str, float] = {}
        started = time.perf_counter()
        for i, env in enumerate(jobs):
            time.sleep(max(0.0, started + i / rate - time.perf_counter()))
            submitted[f"j{i}"] = time.time()
            self._submit({**env, "job_id": f"j{i}"})
        states = _wait(self.store, list(submitted))
        self.not_done += sum(st is None for st in states.values())
        published: dict[str, float] = {}
        stream = self.worker.settings.output_stream
        for entry_id, article in self.store.read_stream(stream, "article"):
            published.setdefault(article["job_id"], int(entry_id.split("-")[0]) / 1000)
        return sorted(published[j] - t for j, t in submitted.items() if j in published)

    def dedup_bytes_per_article(self) -> float:
        """Redis memory of the dedup state per article published."""
        client = self.store.client
        keys = list(client.scan_iter(f"{self.worker.settings.key_prefix}:dedup:*"))
        used = sum(int(client.memory_usage(k) or 0) for k in keys)
        return used / max(1, int(client.xlen(self.worker.settings.output_stream)))

    def close(self) -> None:
        """Stop sampling and stop the worker."""
        self.peak.stop()
        self.worker.stop()


def paired_round(
    url: str, jobs: list[dict[str, Any]], concurrency: int, chunks: int, log: Path
) -> dict[str, Any]:
    """The jobs in `chunks` parts, each run in-process and end to end, back to back.

    A slow spell of a shared machine then falls on both sides of the ratio rather than on one.
    """
    numbered = list(enumerate(jobs))
    size = -(-len(numbered) // chunks)
    parts = [numbered[k : k + size] for k in range(0, len(numbered), size)]
    inproc = InProcess(concurrency)
    queue = QueueRun(url, concurrency, log)
    try:
        limit_s = e2e_s = 0.0
        for k, part in enumerate(parts):  # which side goes first alternates, against drift
            if k % 2:
                e2e_s += queue.backlog_seconds(part)
            limit_s += inproc.seconds(part)
            if not k % 2:
                e2e_s += queue.backlog_seconds(part)
        return {
            "limit_s": limit_s,
            "e2e_s": e2e_s,
            "docs": len(jobs),
            "not_done": queue.not_done,
            "rss_mb": queue.peak.mb,
            "cpu_ms_per_doc": {k: 1000 * v / len(jobs) for k, v in queue.cpu_s.items()},
            "dedup_bytes_per_article": queue.dedup_bytes_per_article(),
        }
    finally:
        queue.close()
        inproc.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    """Measure, print a table, write the JSON, end with the summary line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--json", default=str(ROOT / "out" / "bench_e2e.json"))
    ap.add_argument("--rounds", type=int, default=3, help="rounds per concurrency")
    ap.add_argument("--chunks", type=int, default=8, help="paired parts per round")
    a = ap.parse_args()
    jobs = load_jobs(Path(a.shared).resolve())
    words = sum(len(j["content"].split()) for j in jobs)
    logs = Path(a.json).parent
    logs.mkdir(parents=True, exist_ok=True)
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with valkey(os.environ.get("COPYDESK_BENCH_REDIS_URL")) as url:
        for n in range(a.rounds):
            for c in (1, 2):
                r = paired_round(url, jobs, c, a.chunks, logs / f"bench_worker_c{c}.log")
                runs[c].append(r)
                cpu = r["cpu_ms_per_doc"]
                print(
                    f"  round {n + 1} concurrency {c}: in-process {r['docs'] / r['limit_s']:.2f}, "
                    f"end to end {r['docs'] / r['e2e_s']:.2f} docs/s "
                    f"(ratio {r['limit_s'] / r['e2e_s']:.3f}); CPU ms/doc: pool "
                    f"{cpu['pool']:.1f}, worker main {cpu['worker_main']:.1f}, "
                    f"producer {cpu['producer']:.1f}",
                    flush=True,
                )
        docs = {c: sum(r["docs"] for r in runs[c]) for c in (1, 2)}
        limit = {c: docs[c] / sum(r["limit_s"] for r in runs[c]) for c in (1, 2)}
        e2e = {c: {"docs_s": docs[c] / sum(r["e2e_s"] for r in runs[c])} for c in (1, 2)}
        rate = e2e[2]["docs_s"] / 2
        lat_run = QueueRun(url, 2, logs / "bench_worker_latency.log")
        try:
            latencies = lat_run.latencies(jobs, rate)
        finally:
            lat_run.close()
    lat: dict[str, Any] = {
        "latencies": latencies,
        "not_done": lat_run.not_done,
        "rss_mb": lat_run.peak.mb,
    }
    rss = max([lat["rss_mb"], *(r["rss_mb"] for c in (1, 2) for r in runs[c])])
    dedup_bytes = runs[2][-1]["dedup_bytes_per_article"]
    ratio = e2e[2]["docs_s"] / limit[2]
    scaling = e2e[2]["docs_s"] / e2e[1]["docs_s"]
    p = {q: _pct(lat["latencies"], q) for q in (50, 95, 99)}
    print(f"jobs {len(jobs)} (dev pages and dumps), mean {words / len(jobs):.0f} words of input")
    print("                      in-process   end to end   ratio")
    for c in (1, 2):
        print(
            f"  concurrency {c}      {limit[c]:8.2f}     {e2e[c]['docs_s']:8.2f}    "
            f"{e2e[c]['docs_s'] / limit[c]:.3f}   docs/s"
        )
    print(f"  scaling c2/c1: in-process {limit[2] / limit[1]:.2f}, end to end {scaling:.2f}")
    print(
        f"  latency at {rate:.1f} docs/s (half the c2 maximum): p50 {p[50]:.3f} s, "
        f"p95 {p[95]:.3f} s, p99 {p[99]:.3f} s"
    )
    print(
        f"  worker child RSS {rss:.0f} MB at its peak (all runs); jobs not done: "
        f"{sum(r['not_done'] for c in (1, 2) for r in runs[c]) + lat['not_done']}"
    )
    figures = {
        "limit_docs_s": limit,
        "e2e_docs_s": {c: e2e[c]["docs_s"] for c in (1, 2)},
        "ratio": ratio,
        "scaling": scaling,
        "latency_rate_docs_s": rate,
        "latency_s": p,
        "rss_mb": rss,
        "rounds": {c: runs[c] for c in (1, 2)},
        "dedup_bytes_per_article": dedup_bytes,
        "jobs": len(jobs),
    }
    Path(a.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(
        f"bench limit_docs_s={limit[2]:.2f} e2e_docs_s={e2e[2]['docs_s']:.2f} ratio={ratio:.3f} "
        f"scaling={scaling:.2f} p99_s={p[99]:.3f} rss_mb={rss:.0f} "
        f"dedup_bytes_per_article={dedup_bytes:.0f}"
    )


if __name__ == "__main__":
    with recorded("e2e"):
        main()
