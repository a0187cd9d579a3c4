"""Splitting a hot variant's stock into shards (ADR 0008), or merging it back."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trispace.catalog.models import Variant
from trispace.inventory import errors, selectors
from trispace.inventory.models import MAX_SHARDS, Location, MoveReason, Stock
from trispace.inventory.permissions import require_actor_manages
from trispace.inventory.selectors import StockLevel
from trispace.inventory.services._common import is_int, require_location, require_variant_at
from trispace.inventory.services._levels import (
    drop_drained,
    read_shards,
    set_available,
    with_retries,
)
from trispace.kernel import audit


def split(*, actor: Any, location: Location, variant: Variant, shards: int) -> StockLevel:
    """Rebalance the variant's stock at ``location`` into ``shards`` rows (1 to 64).

    The totals on hand and reserved do not change. Reservations stay on the shard that holds
    them (release and commit find them there); only what is available moves, evenly over
    shards 0 … N−1. Shards beyond N stop receiving stock and disappear once they hold nothing.
    """
    if not is_int(shards) or not 1 <= shards <= MAX_SHARDS:
        raise errors.SHARDS_INVALID(field="shards", max=MAX_SHARDS)
    require_location(location)
    require_actor_manages(actor, location.organization, "location")
    require_variant_at(location, variant)

    def attempt() -> tuple[int, int]:
        have = {s.shard for s in read_shards(location, variant.pk)}
        Stock.objects.bulk_create(
            [
                Stock(location=location, variant=variant, shard=n)
                for n in range(shards)
                if n not in have
            ],
            ignore_conflicts=True,
        )
        mine = Stock.objects.filter(location=location, variant=variant)
        mine.filter(shard__lt=shards, is_active=False).update(is_active=True)
        mine.filter(shard__gte=shards, is_active=True).update(is_active=False)
        rows = read_shards(location, variant.pk)
        on_hand = sum(s.on_hand for s in rows)
        reserved = sum(s.reserved for s in rows)
        set_available(
            location=location,
            variant_id=variant.pk,
            shards=rows,
            available=on_hand - reserved,
            reason=MoveReason.SPLIT,
            actor=actor,
        )
        return len(rows), on_hand

    with transaction.atomic():
        before, on_hand = with_retries(attempt)
        drop_drained(location, variant.pk)
        audit.record(
            actor=actor,
            action="stock_split",
            target=location,
            data={"variant_id": variant.pk, "shards": shards, "before": before, "on_hand": on_hand},
        )
    return selectors.level(location=location, variant_id=variant.pk)
