"""Fixtures of the accounts tests: an empty cache (rate-limit counters) and SMS outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from trispace.accounts.sms import FakeSms
from trispace.kernel import time as ktime

T0 = dt.datetime(
    2026, 11, 23, 2, 0, 10, tzinfo=dt.UTC
)  # 10:00:10 in Shanghai, not at a window edge


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()
    FakeSms.clear()
    yield
    cache.clear()
    FakeSms.clear()


@pytest.fixture
def frozen() -> Iterator[dt.datetime]:
    """The clock stopped at T0; move it with ``ktime.travel``."""
    with ktime.freeze(T0) as at:
        yield at
