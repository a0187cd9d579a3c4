"""The jobs facade: inline in tests, a real Redis queue at scale, a health report."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import transaction
from huey import RedisHuey, SqliteHuey

from trispace.kernel import jobs

ran: list[int] = []


@jobs.task()
def remember(value: int) -> int:
    ran.append(value)
    return value * 2


def test_the_immediate_backend_runs_tasks_inline() -> None:
    ran.clear()
    assert jobs.backend_name() == "immediate"
    assert jobs.queue.immediate
    result = remember(21)
    assert ran == [21]
    assert result.get() == 42


@pytest.mark.django_db
def test_enqueue_on_commit_waits_for_the_commit(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    ran.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs.enqueue_on_commit(remember, 1)
        assert ran == []
    assert ran == [1]


@pytest.mark.django_db
def test_a_rolled_back_transaction_enqueues_nothing(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    ran.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                jobs.enqueue_on_commit(remember, 1)
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert ran == []


def test_health_reports_ok() -> None:
    state = jobs.health()
    assert state["ok"] is True
    assert state["backend"] == "immediate"
    assert state["pending"] == 0


def test_health_reports_a_broken_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> int:
        raise ConnectionError("down")

    monkeypatch.setattr(jobs.queue, "pending_count", broken)
    assert jobs.health() == {"backend": "immediate", "ok": False, "error": "ConnectionError"}


def test_discover_registers_the_kernel_tasks() -> None:
    jobs.discover()
    names = set(jobs.queue._registry._registry)
    assert any(name.endswith("dispatch_event") for name in names)
    assert any(name.endswith("sweep_outbox") for name in names)
    assert any(name.endswith("purge_idempotency_records") for name in names)


def test_an_embedded_consumer_runs_tasks_on_threads_and_leaves_signals_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import signal

    queue = SqliteHuey("embedded-test", filename=str(tmp_path / "jobs.sqlite3"), utc=True)
    done: list[int] = []

    @queue.task()
    def add(value: int) -> None:
        done.append(value)

    before = signal.getsignal(signal.SIGINT)
    consumer = jobs.EmbeddedConsumer(queue, workers=1, worker_type="thread", initial_delay=0.05)
    consumer.start()
    try:
        assert signal.getsignal(signal.SIGINT) is before
        add(5)
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    assert done == [5]


@pytest.mark.redis
def test_the_redis_backend_enqueues_and_a_consumer_runs_the_task(redis_url: str) -> None:
    queue = RedisHuey(f"trispace-test-{uuid.uuid4().hex[:8]}", url=redis_url, utc=True)
    done: list[str] = []

    @queue.task()
    def greet(name: str) -> str:
        done.append(name)
        return f"你好, {name}"

    try:
        result = greet("世界")
        assert done == []  # only enqueued
        assert queue.pending_count() == 1
        task = queue.dequeue()
        assert task is not None
        queue.execute(task)
        assert done == ["世界"]
        assert result.get(blocking=True, timeout=5) == "你好, 世界"
        assert queue.pending_count() == 0

        # And a real consumer (threads) drains the queue by itself.
        greet("consumer")
        consumer = jobs.EmbeddedConsumer(queue, workers=1, worker_type="thread", initial_delay=0.05)
        consumer.start()
        try:
            deadline = time.monotonic() + 10
            while "consumer" not in done and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            consumer.stop(graceful=True)
        assert done == ["世界", "consumer"]
    finally:
        queue.flush()
