"""The layer contract `make lint` checks names every module of the worker package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_worker_module_sits_in_a_layer() -> None:
    """A new module outside the contract would escape the layer check unnoticed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    named = {m.strip() for layer in contract["layers"] for m in layer.split("|")}
    modules = {
        f"worker.{p.stem}" for p in (ROOT / "worker").glob("*.py") if p.stem != "__init__"
    } | {f"worker.{p.name}" for p in (ROOT / "worker").iterdir() if (p / "__init__.py").exists()}
    assert modules - named == set()
    assert named - modules - {"schemas"} == set()
