"""The seeded stock: every variant on every store's default shelf, so a demo consumer can buy.

Each store gets its default location (the shelf ``inventory.selectors.location_for_store``
would create, same kind, name and ``is_default``), one ``Stock`` row per variant (shard 0, the
normal case of ADR 0008) and one ``StockMove`` of reason ``receive`` per row, so the moves of
every shard sum to its stock as the inventory services keep them. Rows are streamed through
``bulk.Table`` (COPY on PostgreSQL): fixture data, like the rest of the seed, not a use case.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from trispace.config.seeding.bulk import IdAllocator, Table
from trispace.inventory.models import Location, LocationKind, MoveReason, Stock, StockMove
from trispace.network.models import Organization

REFERENCE = "seed"
LOCATION_FIELDS = ("id", "organization_id", "kind", "name", "is_default", "is_active", "created_at")
STOCK_FIELDS = ("variant_id", "location_id", "shard", "on_hand", "reserved", "is_active")
MOVE_FIELDS = (
    "variant_id",
    "location_id",
    "shard",
    "delta_on_hand",
    "delta_reserved",
    "reason",
    "reference",
    "note",
    "actor_id",
    "at",
)


@dataclass(frozen=True)
class StockResult:
    locations: int
    rows: int
    units: int


def shelf_name(store_name: str) -> str:
    """The default shelf's name, as ``inventory.selectors.location_for_organization`` gives it."""
    return (gettext("%(name)s shelf") % {"name": store_name})[:100]


def stock_stores(
    *,
    store_ids: Sequence[int],
    variant_ids: Sequence[int],
    quantity: int,
    now: Any,
    ids: IdAllocator | None = None,
) -> StockResult:
    """Put ``quantity`` of every variant on a new default shelf of every store.

    For stores the seed has just made (no location yet); run inside the seed's transaction.
    """
    if quantity < 0:
        raise ValueError("stock cannot be negative")
    if not store_ids:
        return StockResult(locations=0, rows=0, units=0)
    allocator = ids or IdAllocator()
    names = dict(Organization.objects.filter(pk__in=list(store_ids)).values_list("pk", "name"))
    shelves = allocator.take(Location, len(store_ids))
    Table(Location, LOCATION_FIELDS).insert(
        (pk, store_id, LocationKind.SHELF, shelf_name(names[store_id]), True, True, now)
        for pk, store_id in zip(shelves, store_ids, strict=True)
    )
    if not variant_ids or not quantity:
        return StockResult(locations=len(shelves), rows=0, units=0)

    def stock() -> Iterator[tuple[Any, ...]]:
        for location_id in shelves:
            for variant_id in variant_ids:
                yield (variant_id, location_id, 0, quantity, 0, True)

    def moves() -> Iterator[tuple[Any, ...]]:
        for location_id in shelves:
            for variant_id in variant_ids:
                yield (
                    variant_id,
                    location_id,
                    0,
                    quantity,
                    0,
                    MoveReason.RECEIVE,
                    REFERENCE,
                    "",
                    None,
                    now,
                )

    rows = Table(Stock, STOCK_FIELDS).insert(stock())
    Table(StockMove, MOVE_FIELDS).insert(moves())
    return StockResult(locations=len(shelves), rows=rows, units=rows * quantity)
