"""Receiving stock (入库): goods arrive at a location, or come back from a buyer (return)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from trispace.catalog.models import Variant
from trispace.inventory import errors, selectors
from trispace.inventory.models import Location, MoveReason, Stock, StockMove
from trispace.inventory.permissions import require_actor_manages
from trispace.inventory.selectors import StockLevel
from trispace.inventory.services._common import (
    clean_quantity,
    clean_reference,
    move,
    require_location,
    require_variant_at,
    spread,
)
from trispace.kernel import audit

RECEIVE_REASONS = (MoveReason.RECEIVE, MoveReason.RETURN)


def receive(
    *,
    actor: Any,
    location: Location,
    variant: Variant,
    quantity: int,
    reason: str = MoveReason.RECEIVE,
    reference: str = "",
) -> StockLevel:
    """Add ``quantity`` units on hand, spread evenly over the variant's active shards.

    Staff of the location (brand, its dealer, the store itself) or the system.
    """
    require_location(location)
    require_actor_manages(actor, location.organization, "location")
    require_variant_at(location, variant)
    quantity = clean_quantity(quantity, field="quantity")
    if reason not in RECEIVE_REASONS:
        raise errors.REASON_INVALID(field="reason")
    ref = clean_reference(reference, required=False)
    with transaction.atomic():
        shards = list(
            Stock.objects.filter(location=location, variant=variant, is_active=True)
            .order_by("shard")
            .values_list("pk", "shard")
        )
        if not shards:
            row, _ = Stock.objects.get_or_create(location=location, variant=variant, shard=0)
            shards = [(row.pk, row.shard)]
        moves: list[StockMove] = []
        for (pk, shard), part in zip(shards, spread(quantity, len(shards)), strict=True):
            if not part:
                continue
            Stock.objects.filter(pk=pk).update(on_hand=F("on_hand") + part)
            moves.append(
                move(
                    location=location,
                    variant_id=variant.pk,
                    shard=shard,
                    reason=reason,
                    actor=actor,
                    delta_on_hand=part,
                    reference=ref,
                )
            )
        StockMove.objects.bulk_create(moves)
        audit.record(
            actor=actor,
            action="stock_receive",
            target=location,
            reason=ref,
            data={"variant_id": variant.pk, "quantity": quantity, "reason": str(reason)},
        )
    return selectors.level(location=location, variant_id=variant.pk)
