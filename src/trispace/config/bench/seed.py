"""``trispace bench seed``: how fast the seed builds a network, against the naive way.

The naive way is what a first attempt looks like: one ``create_user`` and one
``Membership.objects.create`` per consumer, each its own autocommitted statement. It runs on a
sample after the seed (in the same fresh database) and is extrapolated to a rate.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any

from django.db import connection

from trispace.accounts.models import User
from trispace.config.seeding import names
from trispace.config.seeding.seed import SeedOptions, peak_rss_mb, seed
from trispace.network.models import Membership, Organization, OrgKind, Role


def naive_consumers(sample: int) -> float:
    """Create ``sample`` consumers one by one through the ORM; returns the seconds taken."""
    stores = list(
        Organization.objects.filter(kind=OrgKind.STORE)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    if not stores or sample <= 0:
        return 0.0
    phones = names.PhoneBook(names.SAMPLE_PREFIXES, offset=4242)
    started = time.perf_counter()
    for n in range(sample):
        user = User.objects.create_user(phones.next(), name=f"样本{n}")
        Membership.objects.create(
            user=user, organization_id=stores[n % len(stores)], role=Role.CONSUMER
        )
    return time.perf_counter() - started


def run(options: SeedOptions, *, sample: int = 2_000, progress: Any = None) -> dict[str, Any]:
    """Seed (into the current database, which the caller made fresh), then the baseline."""
    result = seed(replace(options, reset=False), progress=progress)
    baseline_seconds = naive_consumers(sample)
    consumers_per_s = result.consumers / result.seconds if result.seconds else 0.0
    baseline_per_s = sample / baseline_seconds if baseline_seconds else 0.0
    figures: dict[str, Any] = {
        "benchmark": "seed",
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "dealers": result.dealers,
        "stores": result.stores,
        "consumers": result.consumers,
        "users": result.users,
        "memberships": result.memberships,
        "products": result.products,
        "variants": result.variants,
        "prices": result.prices,
        "seconds": result.seconds,
        "consumers_per_s": round(consumers_per_s),
        "baseline_sample": sample,
        "baseline_seconds": round(baseline_seconds, 2),
        "baseline_consumers_per_s": round(baseline_per_s),
        "baseline_extrapolated_seconds": (
            round(result.consumers / baseline_per_s, 1) if baseline_per_s else None
        ),
        "speedup": round(consumers_per_s / baseline_per_s, 2) if baseline_per_s else None,
        "peak_rss_mb": peak_rss_mb(),
    }
    return figures
