"""The seeded stock: every variant on every store's shelf, moves that sum to it, a buyable demo."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from trispace.accounts.models import User
from trispace.catalog.models import Variant
from trispace.config.seeding.seed import SeedOptions, seed
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory.models import Location, LocationKind, MoveReason, Stock, StockMove
from trispace.network.models import Membership, Organization, OrgKind, Role
from trispace.orders import services as orders
from trispace.orders.models import Order

pytestmark = pytest.mark.django_db

SMALL = SeedOptions(dealers=1, stores_per_dealer=3, members_per_store=2, products=4, images=False)


def test_every_store_shelf_holds_every_variant() -> None:
    result = seed(SMALL)
    stores = list(Organization.objects.filter(kind=OrgKind.STORE))
    variants = list(Variant.objects.values_list("pk", flat=True))
    assert result.stock_rows == len(stores) * len(variants)
    assert result.stock_units == result.stock_rows * SMALL.stock
    for store in stores:
        shelf = Location.objects.get(organization=store, is_default=True)
        assert shelf.kind == LocationKind.SHELF
        assert shelf.is_active
        # The inventory services find the seeded shelf instead of making another.
        assert inventory_selectors.location_for_store(store) == shelf
        assert inventory_selectors.available(shelf, variants) == dict.fromkeys(
            variants, SMALL.stock
        )
    assert Location.objects.count() == len(stores)  # only stores get stock
    assert set(Stock.objects.values_list("shard", "reserved", "is_active")) == {(0, 0, True)}


def test_the_moves_of_every_shard_sum_to_its_stock() -> None:
    seed(SMALL)
    moves = {
        (row["variant_id"], row["location_id"], row["shard"]): (row["on_hand"], row["reserved"])
        for row in StockMove.objects.values("variant_id", "location_id", "shard").annotate(
            on_hand=Sum("delta_on_hand"), reserved=Sum("delta_reserved"), n=Count("pk")
        )
    }
    stock = {
        (s.variant_id, s.location_id, s.shard): (s.on_hand, s.reserved) for s in Stock.objects.all()
    }
    assert moves == stock
    assert set(StockMove.objects.values_list("reason", "reference", "actor_id")) == {
        (MoveReason.RECEIVE, "seed", None)
    }


def test_a_seeded_consumer_can_buy_at_their_store() -> None:
    seed(SMALL)
    member = Membership.objects.filter(role=Role.CONSUMER).select_related("user").first()
    assert member is not None
    store = member.organization
    variant = Variant.objects.order_by("pk").first()
    assert variant is not None
    order = orders.order_place(actor=member.user, store=store, lines=[(variant.pk, 3)])
    assert order.total_fen > 0
    shelf = inventory_selectors.location_for_store(store)
    level = inventory_selectors.level(location=shelf, variant_id=variant.pk)
    assert (level.on_hand, level.reserved) == (SMALL.stock, 3)


def test_the_stock_size_is_an_option_and_zero_means_none() -> None:
    result = seed(
        SeedOptions(dealers=1, stores_per_dealer=2, members_per_store=0, products=1, stock=0)
    )
    assert result.stock_rows == result.stock_units == 0
    assert Stock.objects.count() == StockMove.objects.count() == 0
    assert Location.objects.count() == 2  # the shelves exist all the same
    with pytest.raises(ValueError):
        seed(SeedOptions(stock=-1))


def test_reset_removes_the_stock_with_the_network() -> None:
    seed(SMALL)
    seed(SeedOptions(**{**SMALL.__dict__, "reset": True, "stock": 7}))
    assert Location.objects.count() == 3
    assert set(Stock.objects.values_list("on_hand", flat=True)) == {7}
    assert Stock.objects.count() == StockMove.objects.count()
    assert not Stock.objects.exclude(location__organization__kind=OrgKind.STORE).exists()


def test_the_demo_consumer_can_buy_right_away() -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    consumer = User.objects.get(phone="+8613800000007")
    store = Membership.objects.get(user=consumer, role=Role.CONSUMER).organization
    variant = Variant.objects.order_by("pk").first()
    assert variant is not None
    order = orders.order_place(actor=consumer, store=store, lines=[(variant.pk, 1)])
    assert Order.objects.filter(pk=order.pk, buyer=consumer).exists()
