"""``trispace bench seed``: the figures it reports (on the test database, not a fresh one)."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from trispace.accounts.models import User
from trispace.config.bench import fresh
from trispace.network.models import Membership, Role

pytestmark = pytest.mark.django_db

KEYS = {
    "stores",
    "consumers",
    "seconds",
    "peak_rss_mb",
    "consumers_per_s",
    "baseline_consumers_per_s",
    "speedup",
}


def test_bench_seed_reports_its_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    @contextlib.contextmanager
    def same_database(*, keep: bool = False) -> Iterator[str]:
        yield "test"

    monkeypatch.setattr(fresh, "fresh_database", same_database)
    out = io.StringIO()
    call_command(
        "bench",
        "seed",
        "--dealers",
        "1",
        "--stores-per-dealer",
        "2",
        "--members-per-store",
        "3",
        "--products",
        "2",
        "--sample",
        "5",
        "--no-images",
        stdout=out,
    )
    figures = json.loads(out.getvalue())
    assert set(figures) >= KEYS
    assert figures["stores"] == 2
    assert figures["consumers"] == 6
    assert figures["baseline_sample"] == 5
    assert figures["baseline_consumers_per_s"] > 0
    assert figures["speedup"] is not None  # tiny sizes measure overheads, not the speedup
    # The naive sample went through the ORM into the same tables.
    assert Membership.objects.filter(role=Role.CONSUMER).count() == 11
    assert User.objects.filter(name__startswith="样本").count() == 5


def test_bench_needs_a_benchmark_name() -> None:
    with pytest.raises(CommandError):
        call_command("bench")
