"""Results files keep the figures a run printed and drop the log lines of what it started."""

from __future__ import annotations

from bench.results import figures_only, header


def test_results_keep_figures_and_drop_log_lines():
    printed = (
        "2026-11-30 19:21:37 [info     ] job_submitted   job_id=j0\n"
        "  concurrency 2         12.08        11.01    0.911   docs/s\n"
        '2026-11-30T19:21:37Z [warning] {"event": "job_dead"}\n'
        "tag               10674 words/s\n"
    )
    assert figures_only(printed).splitlines() == [
        "  concurrency 2         12.08        11.01    0.911   docs/s",
        "tag               10674 words/s",
    ]


def test_results_name_the_commit_they_were_measured_on():
    assert header().startswith("commit ")
