"""copydesk against servers that check who connects: an ACL user, TLS, and the failures.

Each test starts its own `redis-server` (the machine's 7.0) and runs a real worker or the real
CLI against it; the ACL rules and TLS URL of docs/operations.md are the ones used here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import redis

from tests.integration.conftest import cli_env, fresh_settings, start_worker, stop_worker
from tests.integration.servers import free_port, make_certificates, redis_server
from worker.client import Producer
from worker.demo import DEMO_JOBS
from worker.keys import Keys
from worker.settings import Settings
from worker.store import Store

ADMIN = "adminpw"
SECRET = "s3cret-pw"  # noqa: S105 - a throwaway server the test starts


def acl_rules(settings: Settings, db: int = 0) -> str:
    """The minimal ACL of docs/operations.md, for this run's prefix and queue."""
    return (
        f"~{settings.key_prefix}* ~{settings.queue}* ~_kombu.binding* ~unacked* "
        f"~*.reply.celery.pidbox* resetchannels &/{db}.celery.pidbox &/{db}.celeryev/* "
        "+@all -@dangerous"
    )


def cli(settings: Settings, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    return cli_env(settings, {"COPYDESK_REDIS_URL": url} if url else {}, *args)


def run_demo_jobs(settings: Settings, log: Path) -> dict[str, str | None]:
    """A real worker on `settings`: submit the demo pages, wait, give how each job ended."""
    worker = start_worker(settings, log)
    try:
        producer = Producer(settings)
        ids = [producer.submit_envelope(job).job_id for job in DEMO_JOBS]
        store = Store(
            redis.Redis.from_url(settings.require_redis_url(), decode_responses=True),
            Keys(settings.key_prefix),
        )
        return store.wait_for_jobs([i for i in ids if i], timeout_s=90)
    finally:
        stop_worker(worker)


def test_an_acl_user_with_the_documented_rules_runs_everything(tmp_path):
    """Worker, producer and the CLI's readers work under the documented ACL; nothing is refused."""
    port = free_port()
    url = f"redis://copydesk:{SECRET}@127.0.0.1:{port}/0"
    settings = fresh_settings(url)
    config = (
        f"port {port}\nuser default on >{ADMIN} ~* &* +@all\n"
        f"user copydesk on >{SECRET} {acl_rules(settings)}"
    )
    admin_url = f"redis://default:{ADMIN}@127.0.0.1:{port}/0"
    with redis_server(tmp_path, config, admin_url):
        ends = run_demo_jobs(settings, tmp_path / "worker.log")
        assert set(ends.values()) == {"done"}
        for args in (["stats"], ["consume", "--group", "acl", "--count", "2"], ["dead", "list"]):
            result = cli(settings, *args)
            assert result.returncode == 0, result.stderr
        consumed = cli(settings, "consume", "--group", "acl2", "--count", "3")
        assert consumed.stdout.count('"article_id"') == 3
        admin = redis.Redis.from_url(admin_url, decode_responses=True)
        assert admin.acl_log() == [], "the server refused a command copydesk sent"


def test_an_acl_user_without_the_rules_gets_one_clear_line(tmp_path):
    """A user missing the documented key patterns: the CLI names the refusal in one line."""
    port = free_port()
    settings = fresh_settings(f"redis://narrow:{SECRET}@127.0.0.1:{port}/0")
    config = (
        f"port {port}\nuser default on >{ADMIN} ~* &* +@all\n"
        f"user narrow on >{SECRET} ~other* resetchannels +@all -@dangerous"
    )
    with redis_server(tmp_path, config, f"redis://default:{ADMIN}@127.0.0.1:{port}/0"):
        result = cli(settings, "stats")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "refused a command" in result.stderr
    assert SECRET not in result.stderr + result.stdout


@pytest.mark.parametrize("cert_reqs", ["required", "CERT_REQUIRED"])
def test_tls_with_a_ca_file_runs_the_worker(tmp_path, cert_reqs):
    """rediss:// with the CA file as docs/operations.md shows (either spelling of ssl_cert_reqs)."""
    certs = make_certificates(tmp_path)
    port = free_port()
    config = (
        f"port 0\ntls-port {port}\ntls-cert-file {certs.cert}\ntls-key-file {certs.key}\n"
        f"tls-ca-cert-file {certs.ca}\ntls-auth-clients no"
    )
    url = f"rediss://127.0.0.1:{port}/0?ssl_cert_reqs={cert_reqs}&ssl_ca_certs={certs.ca}"
    settings = fresh_settings(url)
    ping_url = f"rediss://127.0.0.1:{port}/0?ssl_cert_reqs=required&ssl_ca_certs={certs.ca}"
    with redis_server(tmp_path, config, ping_url):
        ends = run_demo_jobs(settings, tmp_path / "worker.log")
        assert set(ends.values()) == {"done"}
        plain = cli(settings, "stats", url=f"redis://127.0.0.1:{port}/0")
        unknown_ca = cli(
            settings, "stats", url=f"rediss://127.0.0.1:{port}/0?ssl_cert_reqs=required"
        )
    for failed in (plain, unknown_ca):
        assert failed.returncode == 2
        assert len(failed.stderr.strip().splitlines()) == 1, failed.stderr
        assert f"127.0.0.1:{port}" in failed.stderr


@pytest.mark.parametrize(
    "command", [["stats"], ["submit", "-"], ["worker"], ["consume", "--group", "g"]]
)
def test_a_wrong_password_is_one_line_without_the_secret(tmp_path, command):
    """Wrong password: one line naming the server, the password hidden, exit status 2."""
    port = free_port()
    settings = fresh_settings(f"redis://default:wrong-{SECRET}@127.0.0.1:{port}/0")
    with redis_server(
        tmp_path, f"port {port}\nrequirepass {ADMIN}", f"redis://:{ADMIN}@127.0.0.1:{port}/0"
    ):
        result = cli(settings, *command)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"redis://default:***@127.0.0.1:{port}/0" in lines[0]
    assert SECRET not in result.stderr + result.stdout


def test_no_server_is_one_line(tmp_path):
    settings = fresh_settings(f"redis://127.0.0.1:{free_port()}/0")
    result = cli(settings, "stats")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Connection refused" in result.stderr
