"""Setting a variant's shards to new on-hand figures: the common step of stocktake and split.

The new figures are computed from one read of the shards and written with compare-and-set
(``filter(pk=…, on_hand=old, reserved__lte=new).update(on_hand=new)``). Buyers' reservations
only change ``reserved``, so they do not disturb the compare; a concurrent commit, receipt or
count does, and the whole attempt is redone (a savepoint), at most ``ATTEMPTS`` times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

from trispace.inventory import errors
from trispace.inventory.models import Location, Stock, StockMove
from trispace.inventory.services._common import move, spread

ATTEMPTS = 5
T = TypeVar("T")


@dataclass(frozen=True)
class ShardState:
    pk: int
    shard: int
    on_hand: int
    reserved: int
    is_active: bool


class Stale(Exception):
    """A shard changed between the read and the compare-and-set: redo the attempt."""


def read_shards(location: Location, variant_id: int) -> list[ShardState]:
    rows = (
        Stock.objects.filter(location=location, variant_id=variant_id)
        .order_by("shard")
        .values_list("pk", "shard", "on_hand", "reserved", "is_active")
    )
    return [ShardState(*row) for row in rows]


def set_available(
    *,
    location: Location,
    variant_id: int,
    shards: list[ShardState],
    available: int,
    reason: str,
    actor: Any,
    note: str = "",
) -> list[StockMove]:
    """Give the active shards ``available`` evenly on top of their reservations; the inactive
    ones keep only what is reserved. Saves and returns the moves; raises ``Stale``."""
    active = [s for s in shards if s.is_active]
    parts = dict(zip([s.pk for s in active], spread(available, len(active)), strict=True))
    moves: list[StockMove] = []
    for state in shards:  # shard order: the lock order
        new = state.reserved + parts.get(state.pk, 0)
        if new == state.on_hand:
            continue
        changed = Stock.objects.filter(
            pk=state.pk, on_hand=state.on_hand, reserved__lte=new
        ).update(on_hand=new)
        if changed != 1:
            raise Stale()
        moves.append(
            move(
                location=location,
                variant_id=variant_id,
                shard=state.shard,
                reason=reason,
                actor=actor,
                delta_on_hand=new - state.on_hand,
                note=note,
            )
        )
    StockMove.objects.bulk_create(moves)
    return moves


def with_retries(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` in a savepoint until it is not ``Stale``; CONFLICT after ATTEMPTS."""
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return attempt()
        except Stale:
            continue
    raise errors.CONFLICT()


def drop_drained(location: Location, variant_id: int) -> None:
    """Delete left-over shards that hold nothing any more (their moves sum to zero)."""
    Stock.objects.filter(
        location=location, variant_id=variant_id, is_active=False, on_hand=0, reserved=0
    ).delete()
