"""Stocktake (盘点): the counted total replaces what the books say is on hand."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trispace.catalog.models import Variant
from trispace.inventory import errors, selectors
from trispace.inventory.models import Location, MoveReason, Stock
from trispace.inventory.permissions import require_actor_manages
from trispace.inventory.selectors import StockLevel
from trispace.inventory.services._common import (
    clean_note,
    clean_quantity,
    require_location,
    require_variant_at,
)
from trispace.inventory.services._levels import (
    drop_drained,
    read_shards,
    set_available,
    with_retries,
)
from trispace.kernel import audit


def adjust(
    *, actor: Any, location: Location, variant: Variant, counted: int, reason: str
) -> StockLevel:
    """Set the variant's on-hand total at ``location`` to ``counted``.

    What is reserved stays on its shard; the rest is spread evenly over the active shards. A
    count below what is reserved for orders is STOCK_BELOW_RESERVED (409): those orders must be
    released first. ``reason`` is the note kept with the moves (e.g. "monthly count").
    """
    require_location(location)
    require_actor_manages(actor, location.organization, "location")
    require_variant_at(location, variant)
    counted = clean_quantity(counted, field="counted", minimum=0)
    note = clean_note(reason)

    def attempt() -> int:
        shards = read_shards(location, variant.pk)
        if not shards:
            Stock.objects.get_or_create(location=location, variant=variant, shard=0)
            shards = read_shards(location, variant.pk)
        reserved = sum(s.reserved for s in shards)
        if counted < reserved:
            raise errors.STOCK_BELOW_RESERVED(field="counted", counted=counted, reserved=reserved)
        before = sum(s.on_hand for s in shards)
        set_available(
            location=location,
            variant_id=variant.pk,
            shards=shards,
            available=counted - reserved,
            reason=MoveReason.ADJUST,
            actor=actor,
            note=note,
        )
        return before

    with transaction.atomic():
        before = with_retries(attempt)
        drop_drained(location, variant.pk)
        audit.record(
            actor=actor,
            action="stock_adjust",
            target=location,
            reason=note,
            data={"variant_id": variant.pk, "before": before, "counted": counted},
        )
    return selectors.level(location=location, variant_id=variant.pk)
