"""docker-compose.yml and the Dockerfile cannot run here: check what they reference."""

import re

import yaml
from typer.main import get_command

from tests.conftest import ROOT
from worker.app import celery_config
from worker.cli import app
from worker.settings import Settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_compose_sets_only_real_settings():
    """Every COPYDESK_ variable in docker-compose.yml is a field of the settings model."""
    fields = {f"COPYDESK_{name.upper()}" for name in Settings.model_fields}
    for name, service in COMPOSE["services"].items():
        env = set(service.get("environment", {}))
        unknown = {v for v in env if v.startswith("COPYDESK_")} - fields
        assert not unknown, f"{name} sets unknown settings {unknown}"


def test_compose_services_run_real_commands_against_the_password_protected_redis():
    """The worker's and intake's commands exist in the CLI; their Redis URL has the password."""
    for name in ("worker", "intake"):
        service = COMPOSE["services"][name]
        assert service["command"][0] == "copydesk"
        assert service["command"][1] in get_command(app).commands
        assert "${REDIS_PASSWORD}@redis:6379" in service["environment"]["COPYDESK_REDIS_URL"]


def test_compose_worker_healthcheck_is_copydesk_health_of_its_own_host():
    """The healthcheck runs `copydesk health --this-host`, a command the CLI has."""
    test = COMPOSE["services"]["worker"]["healthcheck"]["test"]
    assert test[1:4] == ["copydesk", "health", "--this-host"]
    options = {p.opts[0] for p in get_command(app).commands["health"].params if p.opts}
    assert set(test[4::2]) <= options


def test_compose_redis_is_persistent_and_private():
    """Append-only, a password, no eviction, and no port published outside its network."""
    redis = COMPOSE["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert "--requirepass" in command
    assert "--maxmemory-policy noeviction" in command
    assert "ports" not in redis


def test_dockerfile_copies_what_exists_and_runs_the_cli():
    """Every COPY source is in the repository; the image starts `copydesk worker`."""
    for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.MULTILINE):
        *sources, _ = line.split()
        for src in sources:
            assert (ROOT / src).exists(), src
    assert 'CMD ["copydesk", "worker"]' in DOCKERFILE


def test_celery_is_configured_not_to_lose_or_repeat_work():
    """JSON only, late acks, rejected on worker loss, prefetch one, visibility > time limit."""
    s = Settings(redis_url="redis://localhost:6379/0")
    conf = celery_config(s)
    assert conf["accept_content"] == ["json"]
    assert conf["task_acks_late"] is True
    assert conf["task_reject_on_worker_lost"] is True
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["task_ignore_result"] is True
    assert conf["broker_transport_options"]["visibility_timeout"] > conf["task_time_limit"]


def test_a_visibility_timeout_shorter_than_the_time_limit_is_refused():
    """Redelivery of a task still running is refused at configuration time."""
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="visibility_timeout_s"):
        Settings(task_time_limit_s=600, visibility_timeout_s=300)


def test_intake_entries_are_not_claimed_again_while_a_queueing_lease_runs():
    """A claim timeout shorter than the queueing lease could queue a job twice: refused."""
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="intake_claim_idle_s"):
        Settings(intake_claim_idle_s=10, queue_lease_s=20)
