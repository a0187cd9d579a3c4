"""``trispace serve``: the embedded deployment in one process.

A threaded WSGI server (waitress) serving ``trispace.config.wsgi`` (whitenoise serves the static
files, Django the uploaded media), plus the in-process huey consumer when the jobs backend is
``sqlite``. At scale run several of these behind a reverse proxy with the ``redis`` backend and
``trispace worker`` processes; nothing but environment variables changes.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from trispace.kernel import jobs


def unapplied_migrations() -> int:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def static_collected() -> bool:
    root = Path(settings.STATIC_ROOT)
    return root.is_dir() and any(root.iterdir())


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def run(*, host: str, port: int, threads: int, write: Any = print) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), with the embedded job consumer if any."""
    from trispace.config.wsgi import application

    if not static_collected() and not settings.WHITENOISE_USE_FINDERS:
        call_command("collectstatic", interactive=False, verbosity=0)
    pending = unapplied_migrations()
    if pending:
        write(f"warning: {pending} migration(s) not applied: run `trispace migrate`")
    consumer = None
    if jobs.backend_name() == "sqlite":
        jobs.discover()
        consumer = jobs.start_embedded_consumer(workers=2)
        write("jobs: embedded consumer (sqlite queue, 2 threads)")
    elif jobs.backend_name() == "redis":
        write("jobs: redis queue; run `trispace worker` to consume it")
    # Ctrl-C and SIGTERM stop the server and then the consumer, gracefully (SIGINT too, set
    # explicitly: a shell starting us in the background would have it ignored).
    previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    write(f"Trispace on http://{host}:{port}/  (console: /console/, API docs: /api/docs)")
    try:
        try:
            from waitress import create_server
        except ImportError:  # pragma: no cover - waitress is a dependency
            from django.core.servers.basehttp import run as django_run

            write("waitress is not installed: falling back to Django's threaded development server")
            django_run(host, port, application, threading=True)
        else:
            server = create_server(
                application, host=host, port=port, threads=threads, ident="trispace"
            )
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if consumer is not None:
            consumer.stop(graceful=True)
        write("stopped")


class Command(BaseCommand):
    help = "Serve Trispace with a threaded WSGI server (and the embedded job consumer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        def write(message: str) -> None:
            self.stdout.write(message)
            sys.stdout.flush()

        run(host=options["host"], port=options["port"], threads=options["threads"], write=write)
