"""JSON Schema export of every message, for producers and consumers not written in Python."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.article import Article
from schemas.batch import Batch
from schemas.dead_letter import DeadLetter
from schemas.job import Job

MODELS: dict[str, type[BaseModel]] = {
    "job": Job,
    "article": Article,
    "dead_letter": DeadLetter,
    "batch": Batch,
}
SCHEMA_DIR = Path(__file__).parent / "json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:copydesk:schema"


def schema_id(name: str) -> str:
    """The stable `$id` of a message's schema: a URN, so no host has to serve it."""
    return f"{ID_BASE}:{name}"


def document(name: str) -> dict[str, object]:
    """The JSON Schema of message `name`, declaring its dialect (2020-12) and its `$id`."""
    return {"$schema": DIALECT, "$id": schema_id(name), **MODELS[name].model_json_schema()}


def render(name: str) -> str:
    """The JSON Schema of message `name` as stable, pretty JSON text."""
    return json.dumps(document(name), indent=2, sort_keys=True) + "\n"


def export(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write one `<name>.schema.json` per message into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MODELS:
        path = directory / f"{name}.schema.json"
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in export(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR):
        print(p)  # noqa: T201 - the export lists what it wrote
