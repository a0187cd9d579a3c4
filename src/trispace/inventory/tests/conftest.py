"""Fixtures of the inventory tests: network's personas (brand → dealers → stores), a variant of
the brand, store a's shelf, and the books check every test can end with.

brand (brand admin, brand operator)
├── dealer_a (dealer admin a, salesperson a)
│   ├── sub_a → store_a2
│   └── store_a (owner a, clerk a, consumer)   ← the shelf
└── dealer_b (dealer admin b) → store_b (owner b)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.db.models import Sum

from trispace.catalog.models import Variant
from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors, services
from trispace.inventory.models import Location, Stock, StockMove, StockOperation
from trispace.kernel.models import AuditLog
from trispace.network.tests import conftest as network
from trispace.network.tests.conftest import PERSONAS, Net

__all__ = ["PERSONAS", "Net"]

# network's personas and their logged-in clients, shared as they are.
net = network.net
client_for = network.client_for


@pytest.fixture
def variant(net: Net) -> Variant:
    return on_sale_product(net.brand)[1]


@pytest.fixture
def variant2(net: Net) -> Variant:
    return on_sale_product(net.brand)[1]


@pytest.fixture
def shelf(net: Net) -> Location:
    return selectors.location_for_store(net.store_a)


def stock_up(location: Location, variant: Variant, quantity: int, shards: int = 1) -> None:
    """Put ``quantity`` on hand (as the system), in ``shards`` shards."""
    if shards > 1:
        services.split(actor=None, location=location, variant=variant, shards=shards)
    if quantity:
        services.receive(actor=None, location=location, variant=variant, quantity=quantity)


def totals(location: Location, variant: Variant | int) -> tuple[int, int]:
    """(on_hand, reserved) of a variant at a location, all shards."""
    variant_id = variant if isinstance(variant, int) else variant.pk
    level = selectors.level(location=location, variant_id=variant_id)
    return level.on_hand, level.reserved


def shard_rows(location: Location, variant: Variant) -> dict[int, tuple[int, int]]:
    rows = Stock.objects.filter(location=location, variant=variant).order_by("shard")
    return {s.shard: (s.on_hand, s.reserved) for s in rows}


def assert_books_balance() -> None:
    """Every shard keeps 0 ≤ reserved ≤ on_hand, and its moves sum to its stock."""
    sums: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0])
    rows = StockMove.objects.values("location_id", "variant_id", "shard").annotate(
        on_hand=Sum("delta_on_hand"), reserved=Sum("delta_reserved")
    )
    for row in rows:
        sums[(row["location_id"], row["variant_id"], row["shard"])] = [
            row["on_hand"],
            row["reserved"],
        ]
    seen = set()
    for stock in Stock.objects.all():
        key = (stock.location_id, stock.variant_id, stock.shard)
        seen.add(key)
        assert 0 <= stock.reserved <= stock.on_hand, stock
        assert sums[key] == [stock.on_hand, stock.reserved], (key, sums[key], stock)
    for key, value in sums.items():
        if key not in seen:  # a drained shard was deleted: its moves cancel out
            assert value == [0, 0], (key, value)


def stock_snapshot() -> dict[str, Any]:
    """Everything a refused inventory write must leave alone."""
    return {
        "locations": list(Location.objects.order_by("pk").values_list("pk", "organization_id")),
        "stock": list(
            Stock.objects.order_by("pk").values_list("pk", "shard", "on_hand", "reserved")
        ),
        "moves": StockMove.objects.count(),
        "operations": StockOperation.objects.count(),
        "audit": AuditLog.objects.count(),
    }
