"""A throwaway database for a benchmark, created and migrated from scratch, dropped after;
and jobs kept in the benchmark's own process, so no task lands in a real queue."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from trispace.kernel import jobs


@contextmanager
def fresh_database(*, keep: bool = False) -> Iterator[str]:
    """Point the default connection at a new, migrated database for the duration.

    Uploaded files (the seed's product pictures) go to a temporary directory meanwhile, so a
    dropped benchmark database leaves no orphan files in the real media directory.
    """
    with (
        tempfile.TemporaryDirectory(prefix="trispace-bench-media-") as media,
        override_settings(MEDIA_ROOT=media),
        _database(keep=keep) as name,
    ):
        yield name


@contextmanager
def _database(*, keep: bool) -> Iterator[str]:
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # The test default would be in memory: not what a benchmark should measure.
        path = Path(settings.VAR_DIR) / "bench.sqlite3"
        settings_dict.setdefault("TEST", {})["NAME"] = str(path)
    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    try:
        yield str(name)
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        else:
            connection.close()
            settings_dict["NAME"] = old_name


@contextmanager
def immediate_jobs() -> Iterator[None]:
    """Run jobs in the caller (huey's immediate mode, in-memory storage) for the duration.

    The outbox's dispatch then runs right after each commit, in the process that committed, as
    in the test suite; processes forked meanwhile (the benchmarks' workers) inherit the mode.
    """
    queue = jobs.queue
    was = queue.immediate
    queue.immediate = True
    try:
        yield
    finally:
        queue.immediate = was


# autovacuum's defaults: a table is analyzed once this many rows + this share of it changed.
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE = 0.1


def analyze_changed() -> list[str]:
    """ANALYZE the tables autovacuum would analyze now (PostgreSQL); returns their names."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
            " WHERE s.n_mod_since_analyze > %s + %s * GREATEST(c.reltuples, 0)",
            [ANALYZE_THRESHOLD, ANALYZE_SCALE],
        )
        tables = [str(row[0]) for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables


@contextmanager
def autoanalyze(every_s: float = 10.0) -> Iterator[None]:
    """Keep the planner's statistics current while a benchmark writes (PostgreSQL).

    What autovacuum's autoanalyze does on a production server, on a thread of this process,
    every ``every_s`` seconds with autovacuum's thresholds. Without it, a server running with
    ``autovacuum = off`` (the test server of the reference machine) keeps the statistics of the
    nearly empty tables of the setup: the plans PostgreSQL caches per connection for foreign
    key checks and triggers then scan whole tables, and every order costs more than the last.
    Start it after forking (``crowd.run(alongside=…)``): its connection must not be inherited.
    """
    if connection.vendor != "postgresql":
        yield
        return
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(every_s):
                analyze_changed()
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="bench-autoanalyze", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)
