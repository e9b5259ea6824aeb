"""Evaluations and benchmarks over ../shared/eval (not shipped in the wheel)."""
