"""A throwaway database for a benchmark, created and migrated from scratch, dropped after."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings


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
