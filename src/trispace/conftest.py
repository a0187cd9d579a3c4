"""Suite-wide fixtures and the rule that under CI nothing that needs a service may skip."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, why: str) -> None:
    """Skip when a service is missing locally; fail under CI, where it must be there."""
    if condition:
        return
    if CI:
        pytest.fail(f"{why} (CI=true: this must not skip)")
    pytest.skip(why)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL test: runs in the PostgreSQL pass (make test-postgres)")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        require(False, f"Redis is not reachable at {url}: {exc}")
    return url


@pytest.fixture(autouse=True)
def _clock_reset() -> Iterator[None]:
    from trispace.kernel import time as ktime

    yield
    ktime.set_offset(ktime.get_offset() * 0)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
