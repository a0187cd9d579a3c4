"""``trispace worker``: huey consumer processes for the jobs queue (the ``redis`` backend).

Run one per machine (``--workers`` processes or threads each); exactly one of them should run
the periodic scans (the default), the others ``--no-periodic``. Stop with SIGTERM (graceful:
running tasks finish) or SIGINT (immediate).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from trispace.kernel import jobs


class Command(BaseCommand):
    help = "Run huey consumer workers for the Redis jobs queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 2, help="default: one per core"
        )
        parser.add_argument(
            "--worker-type",
            choices=("process", "thread"),
            default="process",
            help="processes use every core; threads suit jobs that mostly wait on I/O",
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="do not run the periodic scans (another worker does)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = jobs.backend_name()
        if backend == "immediate":
            raise CommandError(
                "the jobs backend is 'immediate': tasks run inline, nothing to consume"
            )
        if backend == "sqlite":
            self.stderr.write(
                "note: with the sqlite backend `trispace serve` already consumes the queue;"
                " use a separate worker only when serve runs without one"
            )
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        jobs.discover()
        connections.close_all()  # forked workers must not share the parent's connections
        consumer = jobs.queue.create_consumer(
            workers=options["workers"],
            worker_type=options["worker_type"],
            periodic=not options["no_periodic"],
            check_worker_health=True,
        )
        self.stdout.write(
            f"worker: {options['workers']} {options['worker_type']}(es) on the {backend} queue"
            f" '{jobs.queue.name}', periodic scans {'off' if options['no_periodic'] else 'on'}"
        )
        self.stdout.flush()
        consumer.run()
