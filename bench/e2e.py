"""End to end through Redis and Celery, against the in-process limit measured in the same run.

    python -m bench.e2e [--shared ../shared] [--json out/bench_e2e.json]

The in-process limit: every stage of each job in one process (dedup in memory, no Redis), one
job at a time, with 1 and with 2 such processes in parallel, each taking the next job when free.
End to end: the same jobs submitted at once to a real worker (prefork, concurrency 1 and 2) on
an embedded Valkey, timed from the first submission to the last job's end; RSS is the highest
any pool process reaches, sampled during the run. Latency: jobs submitted at half the measured
concurrency-2 rate, from submission to the article's entry on the output stream (its id is the
XADD time).
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

from schemas.job import Job
from worker.app import worker_command
from worker.client import Producer
from worker.demo import DEMO_JOBS
from worker.embedded import valkey
from worker.settings import Settings, namespaced, settings_env

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


def inprocess_limit(jobs: list[dict[str, Any]], procs: int) -> float:
    """Documents per second with `procs` processes each running the whole chain per job.

    Jobs are handed out one at a time to whichever process is free, as the queue does: a fixed
    split would leave one process idle at the end and understate the limit.
    """
    from worker.preload import preload  # noqa: PLC0415

    preload()  # before forking, as the worker does
    ctx = mp.get_context("fork")
    with ctx.Pool(procs, initializer=_init_runner) as pool:
        pool.map(_inline_one, list(enumerate(jobs[: 2 * procs])), chunksize=1)  # warm up
        started = time.perf_counter()
        sum(pool.imap_unordered(_inline_one, enumerate(jobs), chunksize=1))
        elapsed = time.perf_counter() - started
    return len(jobs) / elapsed


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


def run_queue(
    url: str, jobs: list[dict[str, Any]], concurrency: int, log: Path, rate: float | None = None
) -> dict[str, Any]:
    """Submit the jobs (all at once, or at `rate` per second) and time them through the queue."""
    w = Worker.start(url, concurrency, log)
    peak = _PeakRss(w)
    try:
        producer = Producer(w.settings)
        store = producer.store
        warm = [
            producer.submit_job(Job(**{**DEMO_JOBS[i % 2], "job_id": f"warm{i}"})).job_id or ""
            for i in range(2 * concurrency)
        ]
        store.wait_for_jobs(warm, timeout_s=180)
        ids, submitted = [], {}
        cpu0 = {p: _cpu_s(p) for p in [w.proc.pid, *w.children()]}
        me0 = time.process_time()
        started = time.perf_counter()
        for i, env in enumerate(jobs):
            if rate:
                time.sleep(max(0.0, started + i / rate - time.perf_counter()))
            job = Job(**env, job_id=f"j{i}")
            submitted[job.job_id] = time.time()
            producer.submit_job(job)
            ids.append(job.job_id)
        states = store.wait_for_jobs(ids, timeout_s=1800, poll_s=0.1)
        elapsed = time.perf_counter() - started
        peak.stop()
        cpu = {p: _cpu_s(p) - cpu0.get(p, 0.0) for p in [w.proc.pid, *w.children()]}
        pool_cpu = sum(v for p, v in cpu.items() if p != w.proc.pid)
        published: dict[str, float] = {}
        for entry_id, article in store.read_stream(w.settings.output_stream, "article"):
            published.setdefault(article["job_id"], int(entry_id.split("-")[0]) / 1000)
        latencies = sorted(published[j] - submitted[j] for j in ids if j in published)
        dedup_keys = list(store.client.scan_iter(f"{w.settings.key_prefix}:dedup:*"))
        dedup_bytes = sum(int(store.client.memory_usage(k) or 0) for k in dedup_keys)
        articles = store.client.xlen(w.settings.output_stream)
        return {
            "concurrency": concurrency,
            "docs": len(ids),
            "not_done": sum(st is None for st in states.values()),
            "docs_s": len(ids) / elapsed,
            "latencies": latencies,
            "rss_mb": peak.mb,
            "cpu_ms_per_doc": {
                "pool": 1000 * pool_cpu / len(ids),
                "worker_main": 1000 * cpu[w.proc.pid] / len(ids),
                "producer": 1000 * (time.process_time() - me0) / len(ids),
            },
            "dedup_bytes_per_article": dedup_bytes / max(1, int(articles)),
        }
    finally:
        peak.stop()
        w.stop()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    """Measure, print a table, write the JSON, end with the summary line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--json", default=str(ROOT / "out" / "bench_e2e.json"))
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; best of each")
    a = ap.parse_args()
    jobs = load_jobs(Path(a.shared).resolve())
    words = sum(len(j["content"].split()) for j in jobs)
    logs = Path(a.json).parent
    logs.mkdir(parents=True, exist_ok=True)
    limits: dict[int, list[float]] = {1: [], 2: []}
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with valkey(os.environ.get("COPYDESK_BENCH_REDIS_URL")) as url:
        # In-process and end to end alternate, and each figure is the best of its rounds: a
        # slow spell of a shared machine then lowers one round, not one side of the ratio.
        for n in range(a.rounds):
            for c in (1, 2):
                limits[c].append(inprocess_limit(jobs, c))
                runs[c].append(run_queue(url, jobs, c, logs / f"bench_worker_c{c}.log"))
                cpu = runs[c][-1]["cpu_ms_per_doc"]
                print(
                    f"  round {n + 1} concurrency {c}: in-process {limits[c][-1]:.2f}, "
                    f"end to end {runs[c][-1]['docs_s']:.2f} docs/s; CPU ms/doc: pool "
                    f"{cpu['pool']:.1f}, worker main {cpu['worker_main']:.1f}, "
                    f"producer {cpu['producer']:.1f}",
                    flush=True,
                )
        limit = {c: max(limits[c]) for c in (1, 2)}
        e2e = {c: max(runs[c], key=lambda r: float(r["docs_s"])) for c in (1, 2)}
        rate = e2e[2]["docs_s"] / 2
        lat = run_queue(url, jobs, 2, logs / "bench_worker_latency.log", rate=rate)
    rss = max(float(r["rss_mb"]) for c in (1, 2) for r in runs[c] + [lat])
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
        "rounds": {c: {"limit": limits[c], "e2e": [r["docs_s"] for r in runs[c]]} for c in (1, 2)},
        "dedup_bytes_per_article": e2e[2]["dedup_bytes_per_article"],
        "jobs": len(jobs),
    }
    Path(a.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(
        f"bench limit_docs_s={limit[2]:.2f} e2e_docs_s={e2e[2]['docs_s']:.2f} ratio={ratio:.3f} "
        f"scaling={scaling:.2f} p99_s={p[99]:.3f} rss_mb={rss:.0f} "
        f"dedup_bytes_per_article={e2e[2]['dedup_bytes_per_article']:.0f}"
    )


if __name__ == "__main__":
    main()
