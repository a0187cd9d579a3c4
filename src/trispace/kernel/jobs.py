"""Background jobs: a small facade over huey (``huey.contrib.djhuey``).

Backends, chosen by ``settings.JOBS["backend"]``:

* ``immediate`` — tasks run in the caller (tests);
* ``sqlite`` — the embedded default: a SQLite queue under ``var/``, consumed by threads inside
  ``trispace serve`` (``start_embedded_consumer``);
* ``redis`` — at scale: ``REDIS_URL``, consumed by ``trispace worker`` processes.

Tasks take ids, make one service call and are idempotent. Scheduled work is a periodic scan of
due rows in chunks, never one delayed task per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer

__all__ = [
    "crontab",
    "discover",
    "enqueue_on_commit",
    "health",
    "periodic",
    "queue",
    "start_embedded_consumer",
    "task",
]


def _build() -> Huey:
    config: dict[str, Any] = getattr(settings, "JOBS", {"backend": "immediate"})
    backend = config.get("backend", "immediate")
    name = str(config.get("name", "trispace"))
    if backend == "immediate":
        return MemoryHuey(name, immediate=True)
    if backend == "sqlite":
        return SqliteHuey(name, filename=config["sqlite_path"], utc=True)
    if backend == "redis":
        return RedisHuey(name, url=config["redis_url"], utc=True)
    raise ValueError(f"unknown jobs backend {backend!r}")


queue: Huey = _build()


def _closing_db(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a job with fresh database connections, closed afterwards (huey's db_task does this)."""
    from django.db import close_old_connections

    def inner(*args: Any, **kwargs: Any) -> Any:
        if not queue.immediate:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not queue.immediate:
                close_old_connections()

    inner.__name__ = fn.__name__
    inner.__qualname__ = fn.__qualname__
    inner.__module__ = fn.__module__
    inner.__doc__ = fn.__doc__
    return inner


def task(**options: Any) -> Callable[[Callable[..., Any]], TaskWrapper]:
    """Declare a background task: ``@jobs.task()`` then ``my_task(ids)`` enqueues it."""

    def decorator(fn: Callable[..., Any]) -> TaskWrapper:
        return queue.task(**options)(_closing_db(fn))

    return decorator


def periodic(
    schedule: Callable[..., bool], **options: Any
) -> Callable[[Callable[..., Any]], TaskWrapper]:
    """Declare a periodic task: ``@jobs.periodic(jobs.crontab(minute="*"))``."""

    def decorator(fn: Callable[..., Any]) -> TaskWrapper:
        return queue.periodic_task(schedule, **options)(_closing_db(fn))

    return decorator


def enqueue_on_commit(job: TaskWrapper, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``job`` once the current transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: job(*args, **kwargs))


def backend_name() -> str:
    return str(getattr(settings, "JOBS", {}).get("backend", "immediate"))


def health() -> dict[str, Any]:
    """Whether the queue's storage answers, and how many tasks wait."""
    try:
        pending = queue.pending_count()
    except Exception as exc:
        return {"backend": backend_name(), "ok": False, "error": type(exc).__name__}
    return {"backend": backend_name(), "ok": True, "pending": pending}


class EmbeddedConsumer(Consumer):  # type: ignore[misc]  # huey is untyped
    """A consumer that lives on threads of a process that owns its signals (the web server).

    huey's ``Consumer.start`` installs SIGINT/SIGTERM/SIGHUP handlers that only set a flag its own
    ``run`` loop reads; inside ``trispace serve`` nothing reads it, so Ctrl-C would be swallowed.
    The host process stops this consumer with ``stop()`` instead.
    """

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded_consumer(workers: int = 2) -> Consumer:
    """Start a huey consumer on threads of this process (embedded deployment).

    Call ``discover()`` first so every task is registered; stop it with ``stop(graceful=True)``.
    """
    consumer = EmbeddedConsumer(queue, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    return consumer


def discover() -> None:
    """Import every module that declares tasks, so a consumer knows them all.

    The kernel's own tasks live in ``outbox`` and ``idempotency``; each app's in ``tasks.py``
    (found by name: the kernel imports nothing else of Trispace's).
    """
    from django.utils.module_loading import autodiscover_modules

    from trispace.kernel import idempotency, outbox  # noqa: F401  (registers their tasks)

    autodiscover_modules("tasks")
