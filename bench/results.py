"""Results files: what `make eval`, `make bench` and `make adversarial` printed last.

Each full run writes `bench/results/<name>.txt`, headed by the commit and the date. The README
and docs link these files instead of copying figures into prose.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
_LOG_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}.*\[\s*\w+\s*\]")  # structlog


def figures_only(printed: str) -> str:
    """What a run printed, less the log lines of the workers and producers it started."""
    return "".join(line for line in printed.splitlines(keepends=True) if not _LOG_LINE.match(line))


def header() -> str:
    """'commit <sha>[+changes], <UTC date>': what the figures were measured on."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = "+changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"commit {sha}{dirty}, {when}"


class _Tee(io.TextIOBase):
    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, s: str) -> int:
        for stream in self.streams:
            stream.write(s)
        return len(s)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def recorded(name: str) -> Iterator[None]:
    """Print as usual, and write what was printed to `bench/results/<name>.txt` at the end.

    Written only when the run finishes: a run that fails leaves the last good file.
    """
    copy = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, copy)):
        yield
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = f"# {header()}\n{figures_only(copy.getvalue())}"
    (RESULTS / f"{name}.txt").write_text(text, encoding="utf-8")
