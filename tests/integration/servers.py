"""Real `redis-server` processes started by a test: with ACL users, with TLS, or plain.

The machine's Redis binary (7.0 here and in CI) supports both. Where it is absent the tests skip
with the reason, except under CI, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis


def redis_server_binary() -> str:
    """The path of `redis-server`; a skip (a failure under CI) when it is not installed."""
    path = shutil.which("redis-server")
    if path:
        return path
    message = "redis-server is not installed: the ACL and TLS tests need a real server binary"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Certificates:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""

    ca: Path
    cert: Path
    key: Path


def make_certificates(directory: Path) -> Certificates:
    """A CA and a server certificate (SAN 127.0.0.1, localhost), made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI"):
            pytest.fail("openssl is not installed: the TLS test needs it to make certificates")
        pytest.skip("openssl is not installed: the TLS test needs it to make certificates")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=directory, check=True, capture_output=True)

    (directory / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
        "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem")  # fmt: skip
    return Certificates(directory / "ca.pem", directory / "server.pem", directory / "server.key")


@contextmanager
def redis_server(directory: Path, config: str, ping_url: str) -> Iterator[None]:
    """A `redis-server` with `config` (persistence off), up until the block ends."""
    conf = directory / "redis.conf"
    conf.write_text(f'save ""\nappendonly no\ndir {directory}\n{config}\n')
    log = (directory / "redis.log").open("wb")
    proc = subprocess.Popen([redis_server_binary(), str(conf)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(ping_url, socket_timeout=2).ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"redis-server did not start: {(directory / 'redis.log').read_text()}"
                    )
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
