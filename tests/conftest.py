"""Shared fixtures: paths to ../shared data (fail under CI when missing, skip elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_bd844d60f57b7b6a.txt"


def require_shared(path: Path) -> Path:
    """The path, if ../shared has it; a failure under CI and a skip elsewhere if not."""
    if path.exists():
        return path
    message = f"{path} is missing: ../shared must sit beside the checkout"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def seed_text() -> str:
    return require_shared(SEED).read_text(encoding="utf-8")
