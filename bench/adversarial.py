"""`make adversarial`: hostile input shapes through every stage, timed against real text.

    python -m bench.adversarial [--size 12000] [--max-ratio 5] [--max-growth 1.3]

Each shape is generated at N, 2N, 4N and 8N characters and run through the whole chain in this
process (extract, dedup, tag, classify: `copydesk process`'s path). For each it prints the time
at 8N divided by the time of the same amount of real article text (the invented demo articles,
repeated with distinct numbers), and the growth exponent: the slope of log time against log
size over the four sizes (1.0 = linear, 2.0 = quadratic). It
fails when a shape is more than `--max-ratio` times slower than real text or grows faster than
`--max-growth`. Timing lives here, never in unit tests; the tests check each shape's output.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.results import recorded
from worker.demo import DEMO_DUMP
from worker.pipeline import InlineRun
from worker.resources import Resources
from worker.settings import Settings

Shape = Callable[[int], tuple[str, str]]  # size -> (content, content type)
TEXT, HTML = "text/plain", "text/html"
_WORDS = ["the", "council", "said", "on", "monday", "that", "talks", "would", "resume", "after"]
_SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vu", "bel", "dor", "sen", "gar", "ni", "qo"]


def _fill(unit: str, size: int) -> str:
    return (unit * (size // max(1, len(unit)) + 1))[:size]


def _html(body: str) -> tuple[str, str]:
    return f"<html><body>{body}</body></html>", HTML


def _names(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets

    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(3)).title()

    return [f"{word()} {word()}" for _ in range(n)]


def _sentence(seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    return " ".join(rng.choice(_WORDS) for _ in range(14)).capitalize() + "."


def real_text(size: int) -> tuple[str, str]:
    """Real-looking article text: the demo dump's stories, repeated with distinct numbers."""
    out: list[str] = []
    i = 0
    while sum(len(p) for p in out) < size:
        out.append(DEMO_DUMP.replace("2026", str(1000 + i)).replace(" 3", f" {i}"))
        i += 1
    return "\n".join(out)[:size], TEXT


_PROSE = (
    "Officials in Nairobi said on Monday that William Ruto would meet lenders from the World "
    "Bank to discuss the rail link to Mombasa, which has been delayed for two years. "
)


def _in_prose(run: str) -> tuple[str, str]:
    """A run inside a paragraph of prose, so that the page keeps it and the tagger reads it."""
    return f"{_PROSE * 3}He wrote {run} before the vote. {_PROSE * 3}", TEXT


def _dated_stories(n: int) -> tuple[str, str]:
    stories = (
        f"STORY {i}\nPARIS, March {i % 28 + 1} (Reuters) - {_sentence(i)}\n\n"
        for i in range(n // 90)
    )
    return "".join(stories), TEXT


def _many_people(n: int) -> tuple[str, str]:
    pairs = zip(_names(n // 40, 1), _names(n // 40, 2), strict=True)
    sentences = [f"{p} met {q} in Nairobi." for p, q in pairs]
    paragraphs = (" ".join(sentences[i : i + 20]) for i in range(0, len(sentences), 20))
    return "\n\n".join(paragraphs), TEXT


def _nested(tag: str, close: str, n: int, width: int) -> tuple[str, str]:
    return _html(tag * (n // width) + "text" + close * (n // width))


def _links(n: int) -> tuple[str, str]:
    return _html("".join(f'<a href="/p{i}">link {i}</a> ' for i in range(n // 30)))


SHAPES: dict[str, Shape] = {
    "dash lines": lambda n: ("\n".join([_fill("-", n // 3)] * 3), TEXT),
    "url chain": lambda n: (_fill("a.com/", n), TEXT),
    "url chain in html": lambda n: _html(f"<p>{_fill('a.com/', n)}</p>"),
    "email-like run": lambda n: _in_prose(_fill("a.b+c-", n) + "@x"),
    "colon lists": lambda n: (_fill("Items:\n- one thing\n- another thing\n", n), TEXT),
    "dated stories": _dated_stories,
    "many people": _many_people,
    "quote run": lambda n: _in_prose(_fill(chr(34), n)),
    "paren run": lambda n: _in_prose(_fill("(", n)),
    "long token": lambda n: _in_prose(_fill("abcdefghij", n)),
    "symbols in prose": lambda n: _in_prose(_fill("★☆", n)),
    "caps headlines": lambda n: (_fill("MINISTERS MEET IN BRUSSELS OVER BUDGET\n", n), TEXT),
    "bylines": lambda n: (_fill("By Jane Doe and John Roe, Staff Reporters\n", n), TEXT),
    "datelines": lambda n: (_fill("KAMPALA, Uganda (AP) - \n", n), TEXT),
    "capitalised words": lambda n: (_fill("Alpha Beta Gamma Delta Epsilon Zeta ", n), TEXT),
    "symbol run": lambda n: (_fill("★☆✓→", n) + "\nA line of text follows here.", TEXT),
    "nested tables": lambda n: _nested("<table><tr><td>", "</td></tr></table>", n, 30),
    "many links": _links,
    "br flood": lambda n: _html("<p>" + _fill("<br>", n) + "</p>"),
    "deep divs": lambda n: _nested("<div>", "</div>", n, 11),
}


SIZES = (1, 2, 4, 8)
MIN_TIMED_S = 0.05  # below this a growth figure is timer noise


def slope(times: dict[int, float]) -> float:
    """Least-squares slope of log(time) against log(size): the growth exponent."""
    xs = [math.log(k) for k in times]
    ys = [math.log(max(t, 1e-4)) for t in times.values()]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def timed(runner_for: Callable[[], InlineRun], content: str, ctype: str) -> float:
    """Seconds for one job through every stage (best of three)."""
    best = math.inf
    for _ in range(3):
        job: dict[str, Any] = {"job_id": "adv", "content": content, "content_type": ctype}
        runner = runner_for()
        started = time.perf_counter()
        runner.run([job])
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    """Print the table; exit 1 when a shape is too slow or grows super-linearly."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--size", type=int, default=12_000
    )  # 8N stays under the 100,000-char line limit
    ap.add_argument("--max-ratio", type=float, default=5.0)
    ap.add_argument("--max-growth", type=float, default=1.3)
    a = ap.parse_args()
    res = Resources(Settings(max_content_bytes=64 * a.size))
    runner_for = lambda: InlineRun(res)  # noqa: E731 - a fresh dedup index per run
    timed(runner_for, *real_text(a.size))  # warm-up: models loaded
    n = a.size
    real = {k: timed(runner_for, *real_text(k * n)) for k in SIZES}
    sizes = " / ".join(str(k * n) for k in SIZES)
    ms = " / ".join(f"{real[k] * 1000:.0f}" for k in SIZES)
    print(f"real text: {ms} ms at {sizes} chars (growth {slope(real):.2f})")
    print(
        f"{'shape':<20}"
        + "".join(f"{f'{k}N ms':>8}" for k in SIZES)
        + f"{'x real':>8}{'growth':>8}"
    )
    failed = []
    for name, shape in SHAPES.items():
        t = {k: timed(runner_for, *shape(k * n)) for k in SIZES}
        ratio = t[SIZES[-1]] / real[SIZES[-1]]
        growth = slope(t)
        bad = ratio > a.max_ratio or (growth > a.max_growth and t[SIZES[-1]] > MIN_TIMED_S)
        mark = "  FAIL" if bad else ""
        print(f"{name:<20}" + "".join(f"{t[k] * 1000:8.0f}" for k in SIZES)
              + f"{ratio:8.2f}{growth:8.2f}{mark}")  # fmt: skip
        if bad:
            failed.append(name)
    print(f"adversarial shapes={len(SHAPES)} failed={len(failed)} {' '.join(failed)}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    with recorded("adversarial"):
        main()
