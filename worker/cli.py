"""The `copydesk` command line."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import kombu.exceptions
import redis
import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from schemas.job import ContentType, Job
from worker.client import Producer, Submitted, envelope_lines, job_from_bytes
from worker.embedded import redis_for, resolve_settings
from worker.logging import configure_logging
from worker.settings import Settings, get_settings
from worker.store import Store, client_for, preflight, redact

app = typer.Typer(help="copydesk: clean articles from crawled pages.", no_args_is_help=True)
dead_app = typer.Typer(help="The dead-letter stream.", no_args_is_help=True)
app.add_typer(dead_app, name="dead")
out = Console()
err = Console(stderr=True)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PROGRESS_FROM = 5


@app.callback()
def _main() -> None:
    configure_logging(get_settings())


def _connected(*, check: bool = True) -> Settings:
    """The settings of a reachable Redis; `check`: fail at once (one line) when it is not."""
    settings = resolve_settings()
    if settings.redis_url is None:
        err.print(
            "[red]No Redis: set COPYDESK_REDIS_URL, or start `copydesk worker` "
            "(it runs an embedded server that other commands find).[/red]"
        )
        raise typer.Exit(2)
    if not check:
        return settings
    preflight(settings.require_redis_url())
    if settings.broker() != settings.require_redis_url() and settings.broker().startswith("redis"):
        preflight(settings.broker())
    return settings


# What a server that is absent, refuses us or speaks another protocol raises, from redis-py,
# kombu (the broker) and the TLS layer. Each becomes one line on stderr and exit status 2.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.NoPermissionError,
    kombu.exceptions.OperationalError,
    ssl.SSLError,
)


def connection_failure(exc: BaseException, url: str | None) -> str:
    """One line naming the server (password hidden) and the first line of the error."""
    where = redact(url) if url else "the embedded server"
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    verb = "refused a command" if isinstance(exc, redis.exceptions.NoPermissionError) else "failed"
    return f"copydesk: Redis at {where} {verb}: {reason}"


def main() -> None:
    """The installed `copydesk` script: the CLI, with connection failures as one clear line."""
    try:
        app()
    except _UNREACHABLE as exc:
        url = get_settings().redis_url
        print(connection_failure(exc, url.get_secret_value() if url else None), file=sys.stderr)
        sys.exit(2)


def _store(settings: Settings) -> Store:
    from worker.keys import Keys  # noqa: PLC0415

    return Store(client_for(settings.require_redis_url()), Keys(settings.key_prefix))


def _files(paths: list[str]) -> Iterator[Path]:
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*") if f.is_file())
        else:
            yield path


def _submissions(
    paths: list[str], kind: str | None, url: str | None, source: str | None
) -> Iterator[tuple[str, Any]]:
    """(label, job or raw envelope) for every path: files, folders, '-' or JSON lines."""
    for path in (Path("-") if p == "-" else p for p in paths):
        if str(path) == "-":
            data = sys.stdin.buffer.read()
            yield (
                "stdin",
                job_from_bytes(
                    data, content_type=ContentType(kind or "text/plain"), url=url, source=source
                ),
            )
            continue
        for f in _files([str(path)]):
            if f.suffix == ".jsonl":
                for i, line in enumerate(envelope_lines(f.read_text(encoding="utf-8"))):
                    yield f"{f}:{i + 1}", line
                continue
            ctype = kind or ("text/html" if f.suffix.lower() in HTML_SUFFIXES else "text/plain")
            yield (
                str(f),
                job_from_bytes(
                    f.read_bytes(), content_type=ContentType(ctype), url=url, source=source
                ),
            )


@app.command()
def submit(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, '-' for stdin, or .jsonl.")],
    content_type: Annotated[
        str | None, typer.Option("--type", help="text/html or text/plain")
    ] = None,
    url: Annotated[str | None, typer.Option(help="URL of the page (single blobs).")] = None,
    source: Annotated[str | None, typer.Option(help="Name of the crawler.")] = None,
    force: Annotated[bool, typer.Option(help="Queue again ids submitted before.")] = False,
) -> None:
    """Submit blobs to the queue; prints each job id and what became of it."""
    settings = _connected()
    producer = Producer(settings)
    items = list(_submissions(paths, content_type, url, source))
    counts: dict[str, int] = {}
    shown = (
        track(items, description="submitting", console=err)
        if len(items) >= PROGRESS_FROM
        else items
    )
    for label, item in shown:
        result: Submitted = (
            producer.submit_envelope(item, force=force)
            if isinstance(item, str)
            else producer.submit_job(item, force=force)
        )
        counts[result.status] = counts.get(result.status, 0) + 1
        reason = f" {result.reason}" if result.reason else ""
        print(f"{result.job_id}\t{result.status}{reason}\t{label}", flush=True)
    err.print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option("-c", "--concurrency")] = None,
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run a Celery worker (with an embedded Valkey when COPYDESK_REDIS_URL is unset).

    With COPYDESK_INTAKE_IN_WORKER=true an intake consumer runs beside it, as its own process.
    """
    with redis_for(get_settings()) as settings:
        preflight(settings.require_redis_url())
        err.print(f"Redis at {redact(settings.require_redis_url())}")
        from worker.app import create_app  # noqa: PLC0415

        intake_proc = (
            subprocess.Popen(
                [sys.executable, "-m", "worker.cli_main", "intake"],
                env={**os.environ, "COPYDESK_REDIS_URL": settings.require_redis_url()},
            )
            if settings.intake_in_worker
            else None
        )
        celery_app = create_app(settings)
        try:
            celery_app.worker_main(
                [
                    "worker",
                    f"--loglevel={loglevel}",
                    "--pool=prefork",
                    f"--concurrency={concurrency or settings.worker_concurrency}",
                    f"--queues={settings.queue}",
                    "--without-mingle",
                    "--without-gossip",
                ]
            )
        finally:
            if intake_proc is not None:
                intake_proc.terminate()
                intake_proc.wait(timeout=30)


@app.command()
def intake(
    count: Annotated[int, typer.Option(help="Stop after N entries (0: run on).")] = 0,
    consumer: Annotated[str | None, typer.Option(help="Consumer name (default: host-pid).")] = None,
) -> None:
    """Consume the intake stream: queue each entry's chain, dead-letter the invalid ones."""
    import threading  # noqa: PLC0415

    from worker.intake import Intake, default_consumer_name  # noqa: PLC0415

    settings = _connected()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    err.print(f"intake: reading {settings.intake_stream} as {settings.intake_group}")
    counts = Intake(settings, consumer=consumer or default_consumer_name()).run(
        stop, max_entries=count
    )
    err.print(" ".join(f"{k}={v}" for k, v in counts.__dict__.items()))


def _read_jobs(path: Path | None, blob: Path | None) -> Iterator[dict[str, Any] | str]:
    if blob is not None and blob.suffix != ".jsonl":
        kind = "text/html" if blob.suffix.lower() in HTML_SUFFIXES else "text/plain"
        job = job_from_bytes(blob.read_bytes(), content_type=ContentType(kind))
        yield job.model_dump(mode="json")
        return
    src = path or blob
    handle = sys.stdin if src is None or str(src) == "-" else src.open(encoding="utf-8")
    with handle:
        for line in handle:
            if line.strip():
                yield line


@app.command()
def process(
    blob: Annotated[Path | None, typer.Argument(help="One page file, or a .jsonl of jobs.")] = None,
    jobs_in: Annotated[
        Path | None, typer.Option("--in", help="JSON lines of job envelopes.")
    ] = None,
    articles_out: Annotated[Path | None, typer.Option("--out", help="Where articles go.")] = None,
) -> None:
    """Run every stage in this process (no Redis; dedup in memory), one article per line."""
    from worker.pipeline import InlineRun, run_inline  # noqa: PLC0415 - the stages are heavy
    from worker.resources import Resources  # noqa: PLC0415

    runner = InlineRun(Resources(get_settings()))
    jobs = list(_read_jobs(jobs_in, blob))
    sink = articles_out.open("w", encoding="utf-8") if articles_out else sys.stdout
    n = 0
    started = time.perf_counter()
    with sink:
        shown = track(jobs, description="processing", console=err) if len(jobs) >= 50 else jobs
        for article in run_inline(runner, shown):
            sink.write(article.model_dump_json() + "\n")
            n += 1
    err.print(
        f"jobs={len(jobs)} articles={n} bad={len(runner.failures)} "
        f"seconds={time.perf_counter() - started:.1f}"
    )
    for job_id, reason, message in runner.failures[:20]:
        err.print(f"  bad {job_id}: {reason}: {message}")


def _print_article(a: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps(a)) if out.is_terminal else print(json.dumps(a))
        return
    regions = ", ".join(f"{r['region']} {r['score']:.2f}" for r in a.get("regions", []))
    dup = f"  duplicate of {a['duplicate_of']}" if a.get("duplicate_of") else ""
    out.print(
        f"[bold]{a.get('title') or '(no title)'}[/bold]\n  {a['article_id']}  "
        f"dateline={a.get('dateline')}  primary={a.get('primary_region')}  [{regions}]  "
        f"{len(a.get('text', ''))} chars{dup}",
        highlight=False,
    )


@app.command()
def tail(
    follow: Annotated[bool, typer.Option(help="Keep waiting for new articles.")] = False,
    count: Annotated[int, typer.Option(help="Show the last N when not following.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Whole records as JSON.")] = False,
    stream: Annotated[str | None, typer.Option(help="Stream to read.")] = None,
) -> None:
    """Print the newest articles on the output stream (and new ones with --follow)."""
    settings = _connected()
    store = _store(settings)
    name = stream or settings.output_stream
    last = "0-0"
    for entry_id, article in store.latest(name, "article", count):
        _print_article(article, as_json=as_json)
        last = entry_id
    while follow:
        for entry_id, article in store.wait_new(name, "article", last, 5000):
            _print_article(article, as_json=as_json)
            last = entry_id


@app.command()
def consume(
    group: Annotated[str, typer.Option(help="Consumer group name.")],
    consumer: Annotated[str, typer.Option(help="This consumer's name.")] = "cli",
    count: Annotated[int, typer.Option(help="Stop after N articles (0: run on).")] = 0,
    block_ms: Annotated[int, typer.Option(help="How long to wait for new entries.")] = 5000,
) -> None:
    """Read articles as a member of a consumer group, print them as JSON lines, ack each."""
    settings = _connected()
    store = _store(settings)
    name = settings.output_stream
    store.ensure_group(name, group)
    seen = 0
    while count == 0 or seen < count:
        # never read more than will be handed over: a read entry is this consumer's to ack
        batch = 10 if count == 0 else min(10, count - seen)
        entries = store.read_group(name, group, consumer, count=batch, block_ms=block_ms)
        if not entries and count:
            break
        for entry_id, article_json in entries:
            print(article_json, flush=True)
            store.ack(name, group, entry_id)
            seen += 1


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """One screen: queue depth, stream lengths, consumer-group lag, recent throughput, dedup."""
    from worker.app import create_app  # noqa: PLC0415
    from worker.ops import QueueDepth, snapshot  # noqa: PLC0415

    settings = _connected()
    with QueueDepth(create_app(settings), settings.queue) as depth:
        snap = snapshot(settings, depth)
    if as_json:
        print(json.dumps(snap.as_dict()))
        return
    streams = Table("stream", "key", "length", "groups (pending / lag)", title="copydesk")
    for name, info in snap.streams.items():
        groups = ", ".join(f"{g.name} ({g.pending} / {g.lag})" for g in info.groups) or "-"
        streams.add_row(name, info.key, f"{info.length:,}", groups)
    out.print(streams)
    r, minutes = snap.recent, snap.recent_minutes
    rate = r["duplicates"] / r["articles"] if r["articles"] else 0.0
    age = snap.last_progress_age_s
    out.print(
        f"queue depth {snap.queue_depth:,}   jobs submitted {snap.jobs_submitted:,}   "
        f"last job finished {'never' if age is None else f'{age:.0f} s ago'}\n"
        f"last {minutes} min: {r['jobs']:,} jobs ({r['jobs'] / (minutes * 60):.2f}/s), "
        f"{r['articles']:,} articles, {r['duplicates']:,} duplicates (dedup rate {rate:.1%}), "
        f"{r['dead']:,} dead letters",
        highlight=False,
    )


@app.command()
def health(
    this_host: Annotated[
        bool, typer.Option(help="Ping only the worker on this host (container healthchecks).")
    ] = False,
    timeout_s: Annotated[float, typer.Option(help="How long to wait for answers.")] = 5.0,
) -> None:
    """Exit 0 when Redis answers, a worker answers a ping, and queued work is moving; else 1."""
    from worker.app import create_app  # noqa: PLC0415
    from worker.ops import health as run_checks  # noqa: PLC0415

    # Not preflighted: an unreachable Redis is one of the checks, reported as FAIL (exit 1).
    settings = _connected(check=False)
    checks = run_checks(settings, create_app(settings), this_host=this_host, timeout_s=timeout_s)
    for c in checks:
        mark = "[green]ok[/green]" if c.ok else "[red]FAIL[/red]"
        out.print(f"{mark} {c.name}: {c.detail}", highlight=False)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command()
def reconcile(
    older_than_s: Annotated[
        float | None,
        typer.Option(help="Only jobs submitted this long ago (default: the visibility timeout)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="List them; queue nothing.")] = False,
) -> None:
    """Queue again every submitted job that is neither published nor dead-lettered.

    A job can be lost between Celery's fetch and its ack (CELERY_REDIS.md) or when Redis was
    down as a chain moved on; the chain is idempotent, so queueing it again is safe.
    """
    settings = _connected()
    store = _store(settings)
    age = settings.visibility_timeout_s if older_than_s is None else older_than_s
    ids, finished = store.unfinished(submitted_before=time.time() - age)
    err.print(f"unfinished={len(ids)} finished_removed_from_ledger={finished}")
    if dry_run:
        for job_id in ids:
            print(job_id)
        return
    producer = Producer(settings)
    counts: dict[str, int] = {}
    shown = track(ids, description="requeueing", console=err) if len(ids) >= PROGRESS_FROM else ids
    for job_id in shown:
        status = producer.requeue(job_id).status
        counts[status] = counts.get(status, 0) + 1
        print(f"{job_id}\t{status}", flush=True)
    err.print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing to do")


@dead_app.command("list")
def dead_list(count: Annotated[int, typer.Option()] = 50) -> None:
    """Show dead letters: job, stage, reason and message."""
    settings = _connected()
    table = Table("entry", "job", "stage", "reason", "message")
    for entry_id, letter in list(_store(settings).read_stream(settings.dead_stream, "dead"))[
        -count:
    ]:
        table.add_row(
            entry_id,
            str(letter.get("job_id")),
            letter["stage"],
            letter["reason"],
            letter["message"][:120],
        )
    out.print(table)


@dead_app.command("replay")
def dead_replay(
    entries: Annotated[list[str] | None, typer.Argument(help="Entry ids (default: all).")] = None,
) -> None:
    """Resubmit dead-lettered jobs whose envelope was kept, and remove them from the stream."""
    settings = _connected()
    store = _store(settings)
    producer = Producer(settings)
    letters = [
        (i, d)
        for i, d in store.read_stream(settings.dead_stream, "dead")
        if not entries or i in entries
    ]
    replayed = 0
    for entry_id, letter in track(letters, description="replaying", console=err):
        envelope = letter.get("envelope")
        if not isinstance(envelope, dict) or "content_length" in envelope:
            continue
        result = producer.submit_envelope(envelope, force=True)
        if result.status == "queued":
            store.client.xdel(settings.dead_stream, entry_id)
            replayed += 1
    err.print(f"replayed={replayed} kept={len(letters) - replayed}")


@app.command()
def demo(timeout_s: Annotated[float, typer.Option()] = 120.0) -> None:
    """Start a worker (and an embedded Valkey), submit the demo pages, print their articles.

    Only the articles reach the terminal: the worker's log and this command's own go to a
    file named on standard error.
    """
    import tempfile  # noqa: PLC0415

    from worker.app import worker_command  # noqa: PLC0415
    from worker.demo import DEMO_JOBS  # noqa: PLC0415

    log_path = Path(tempfile.mkdtemp(prefix="copydesk-demo-")) / "worker.log"
    err.print(f"logs (worker and demo): {log_path}")
    with redis_for(get_settings()) as settings, log_path.open("a", encoding="utf-8") as log:
        configure_logging(settings, stream=log)
        proc = subprocess.Popen(  # noqa: S603 - our own worker, by module path
            worker_command(settings.queue, concurrency=1),
            env={**os.environ, "COPYDESK_REDIS_URL": settings.require_redis_url()},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            producer = Producer(settings)
            ids = [producer.submit_job(Job.model_validate(j), force=True).job_id for j in DEMO_JOBS]
            store = _store(settings)
            states = store.wait_for_jobs([i for i in ids if i], timeout_s=timeout_s)
            mine = [
                a
                for _, a in store.read_stream(settings.output_stream, "article")
                if a["job_id"] in ids
            ]
            _demo_table(mine, states)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _demo_table(articles: list[dict[str, Any]], states: dict[str, str | None]) -> None:
    out.rule("copydesk demo")
    for a in articles:
        _print_article(a, as_json=False)
        names = ", ".join(f"{e['name']} ({e['label']})" for e in a.get("entity_summary", [])[:6])
        out.print(f"  entities: {names}", highlight=False)
    for job_id, state in states.items():
        out.print(f"job {job_id}: {state or 'not finished'}", highlight=False)
    if not all(states.values()):
        raise typer.Exit(1)
