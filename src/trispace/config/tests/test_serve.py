"""``trispace serve`` and ``trispace worker``: the processes that run Trispace."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trispace.config.management.commands import serve

ENTRY = "import sys; from trispace.cli import main; sys.exit(main(sys.argv[1:]))"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trispace(args: list[str], env: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", ENTRY, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a separate installation: its own migrated SQLite database."""
    tmp_path = tmp_path_factory.mktemp("site")
    src = str(Path(__file__).resolve().parents[3])
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "TRISPACE_TESTING", "TRISPACE_JOBS"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        TRISPACE_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=src + os.pathsep + env.get("PYTHONPATH", ""),
    )
    migrate = trispace(["migrate", "-v0"], env)
    output, _ = migrate.communicate(timeout=120)
    assert migrate.returncode == 0, output
    return env


def test_serve_answers_healthz_with_the_embedded_consumer_and_stops_on_sigterm(
    site: dict[str, str],
) -> None:
    env = {**site, "TRISPACE_JOBS": "sqlite"}
    port = free_port()
    server = trispace(["serve", "--port", str(port), "--threads", "2"], env)
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert body is not None, server.stdout.read() if server.poll() is not None else "no answer"
        assert body["ok"] is True
        assert body["database"]["vendor"] == "sqlite"
        assert body["jobs"]["backend"] == "sqlite"
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0
    assert "embedded consumer" in output
    assert f"http://127.0.0.1:{port}/" in output
    assert "stopped" in output


@pytest.mark.django_db
def test_no_migration_is_pending_in_the_test_database() -> None:
    assert serve.unapplied_migrations() == 0


def test_worker_refuses_the_immediate_backend() -> None:
    with pytest.raises(CommandError, match="immediate"):
        call_command("worker")


@pytest.mark.redis
def test_worker_consumes_the_redis_queue(site: dict[str, str], redis_url: str) -> None:
    env = {
        **site,
        "REDIS_URL": redis_url,
        "TRISPACE_JOBS": "redis",
        "TRISPACE_JOBS_NAME": f"trispace-test-{os.getpid()}-{time.monotonic_ns()}",
    }
    publish = (
        "from django.db import transaction\n"
        "from trispace.contracts.network import OrganizationCreated\n"
        "from trispace.kernel import outbox\n"
        "from trispace.kernel.models import OutboxEvent\n"
        "with transaction.atomic():\n"
        "    event_id = outbox.publish(OrganizationCreated(organization_id=1, kind='brand',"
        " parent_id=None))\n"
        "print(event_id, OutboxEvent.objects.get(pk=event_id).dispatched_at is None)\n"
    )
    shell = trispace(["shell", "-v0", "-c", publish], env)
    output, _ = shell.communicate(timeout=60)
    assert shell.returncode == 0, output
    event_id, pending = output.strip().splitlines()[-1].split()
    assert pending == "True"  # enqueued in Redis; nobody has consumed it yet

    wait = (
        "import time\n"
        "from trispace.kernel.models import OutboxEvent\n"
        "deadline = time.monotonic() + 60\n"
        f"while OutboxEvent.objects.get(pk='{event_id}').dispatched_at is None:\n"
        "    assert time.monotonic() < deadline, 'not consumed'\n"
        "    time.sleep(0.2)\n"
        "print('dispatched')\n"
    )
    worker = trispace(["worker", "--workers", "1", "--worker-type", "thread"], env)
    try:
        waiter = trispace(["shell", "-v0", "-c", wait], env)
        waited, _ = waiter.communicate(timeout=90)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert waited.strip().endswith("dispatched"), waited + output
    assert "worker: 1 thread" in output
