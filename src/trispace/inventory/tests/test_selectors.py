import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors
from trispace.inventory.models import Location, LocationKind, StockMove
from trispace.inventory.services import reserve
from trispace.inventory.tests.conftest import stock_up
from trispace.kernel.errors import DomainError
from trispace.network.scoping import SYSTEM, scope_for

pytestmark = pytest.mark.django_db


def test_available_for_many_variants_in_one_query(shelf, variant, variant2):
    stock_up(shelf, variant, 10, shards=4)
    stock_up(shelf, variant2, 3)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.available(shelf, [variant.pk, variant2.pk, 999_999])
    assert found == {variant.pk: 6, variant2.pk: 3, 999_999: 0}
    assert len(queries) == 1
    assert selectors.available(shelf, []) == {}


def test_location_for_store_is_made_once(net):
    first = selectors.location_for_store(net.store_a)
    again = selectors.location_for_store(net.store_a)
    assert first.pk == again.pk
    assert (first.kind, first.is_default) == (LocationKind.SHELF, True)
    assert net.store_a.name in first.name
    assert Location.objects.filter(organization=net.store_a).count() == 1
    warehouse = selectors.location_for_organization(net.dealer_a)
    assert warehouse.kind == LocationKind.WAREHOUSE
    with pytest.raises(DomainError):
        selectors.location_for_store(net.dealer_a)


def _levels(scope, **kwargs):
    return {
        (row["location_id"], row["sku"]) for row in selectors.stock_levels(scope=scope, **kwargs)
    }


def test_stock_levels_are_scoped(net, variant):
    a = selectors.location_for_store(net.store_a)
    a2 = selectors.location_for_store(net.store_a2)
    b = selectors.location_for_store(net.store_b)
    for location in (a, a2, b):
        stock_up(location, variant, 10)
    sku = variant.sku
    everything = {(a.pk, sku), (a2.pk, sku), (b.pk, sku)}
    assert _levels(scope_for(net.user("brand_admin"))) == everything
    assert _levels(scope_for(net.user("brand_operator"))) == everything
    assert _levels(SYSTEM) == everything
    assert _levels(scope_for(net.user("dealer_admin"))) == {(a.pk, sku), (a2.pk, sku)}
    assert _levels(scope_for(net.user("store_owner"))) == {(a.pk, sku)}
    assert _levels(scope_for(net.user("store_clerk"))) == {(a.pk, sku)}
    assert _levels(scope_for(net.user("other_store_owner"))) == {(b.pk, sku)}
    assert _levels(scope_for(net.user("salesperson"))) == set()
    assert _levels(scope_for(net.user("consumer"))) == set()
    assert _levels(scope_for(None)) == set()


def test_stock_levels_sum_the_shards_and_filter(net, shelf, variant):
    _product, other = on_sale_product(net.brand, name="特价牛奶")
    stock_up(shelf, variant, 20, shards=4)
    stock_up(shelf, other, 3)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    scope = scope_for(net.user("store_owner"))
    rows = {row["sku"]: row for row in selectors.stock_levels(scope=scope)}
    row = rows[variant.sku]
    assert (row["on_hand"], row["reserved"], row["available"], row["shards"]) == (20, 5, 15, 4)
    assert row["location_name"] == shelf.name
    assert row["organization_name"] == net.store_a.name
    assert row["product_name"] == variant.product.name
    assert _levels(scope, q="特价") == {(shelf.pk, other.sku)}
    assert _levels(scope, q=variant.sku.lower()) == {(shelf.pk, variant.sku)}
    assert _levels(scope, low_only=True) == {(shelf.pk, other.sku)}
    assert _levels(scope, low_only=True, threshold=15) == {
        (shelf.pk, other.sku),
        (shelf.pk, variant.sku),
    }
    assert _levels(scope, low_only=True, threshold=2) == set()
    assert {(r["location_id"], r["sku"]) for r in selectors.low_stock(scope=scope)} == {
        (shelf.pk, other.sku)
    }
    b = selectors.location_for_store(net.store_b)
    stock_up(b, variant, 1)
    assert _levels(SYSTEM, location=b) == {(b.pk, variant.sku)}


def test_stock_levels_run_two_queries_whatever_the_rows(net, shelf):
    scope = scope_for(net.user("brand_admin"))
    for _ in range(3):
        stock_up(shelf, on_sale_product(net.brand)[1], 5)
    with CaptureQueriesContext(connection) as small:
        rows = selectors.stock_levels(scope=scope)
        rows.count()
        list(rows[:20])
    for _ in range(10):
        stock_up(shelf, on_sale_product(net.brand)[1], 5, shards=2)
    with CaptureQueriesContext(connection) as large:
        rows = selectors.stock_levels(scope=scope)
        assert rows.count() == 13
        list(rows[:20])
    assert len(small) == len(large) == 2


def test_moves_are_scoped_filtered_and_newest_first(net, shelf, variant):
    b = selectors.location_for_store(net.store_b)
    stock_up(shelf, variant, 10)
    stock_up(b, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:9")
    owner = scope_for(net.user("store_owner"))
    mine = list(selectors.moves(scope=owner))
    assert [m.reason for m in mine] == ["reserve", "receive"]
    assert {m.location_id for m in mine} == {shelf.pk}
    assert list(selectors.moves(scope=owner, reason="receive")) == [mine[1]]
    assert list(selectors.moves(scope=owner, reference="order:9")) == [mine[0]]
    assert list(selectors.moves(scope=owner, q="order:")) == [mine[0]]
    assert selectors.moves(scope=SYSTEM).count() == 3
    assert selectors.moves(scope=SYSTEM, location=b).count() == 1
    assert selectors.moves(scope=SYSTEM, variant_id=variant.pk).count() == 3
    assert selectors.moves(scope=scope_for(net.user("other_dealer_admin"))).count() == 1


def test_location_get_is_not_found_outside_the_scope(net, shelf):
    assert selectors.location_get(scope=scope_for(net.user("dealer_admin")), pk=shelf.pk) == shelf
    for persona in ("other_store_owner", "other_dealer_admin", "salesperson", "consumer"):
        with pytest.raises(DomainError) as caught:
            selectors.location_get(scope=scope_for(net.user(persona)), pk=shelf.pk)
        assert caught.value.code == "not_found"
    with pytest.raises(DomainError):
        selectors.location_get(scope=SYSTEM, pk="x")


def test_moves_are_append_only(shelf, variant):
    """Every service adds moves; none changes or removes one that exists."""
    from trispace.inventory import services

    stock_up(shelf, variant, 20, shards=2)

    def rows():
        return list(
            StockMove.objects.order_by("pk").values_list(
                "pk", "shard", "delta_on_hand", "delta_reserved", "reason", "reference", "at"
            )
        )

    steps = [
        lambda: services.reserve(
            actor=None, location=shelf, lines=[(variant.pk, 3)], reference="o:1"
        ),
        lambda: services.release(
            actor=None, location=shelf, lines=[(variant.pk, 3)], reference="o:1"
        ),
        lambda: services.reserve(
            actor=None, location=shelf, lines=[(variant.pk, 4)], reference="o:2"
        ),
        lambda: services.commit(
            actor=None, location=shelf, lines=[(variant.pk, 4)], reference="o:2"
        ),
        lambda: services.adjust(actor=None, location=shelf, variant=variant, counted=10, reason=""),
        lambda: services.split(actor=None, location=shelf, variant=variant, shards=1),
        lambda: services.receive(actor=None, location=shelf, variant=variant, quantity=1),
    ]
    for step in steps:
        before = rows()
        step()
        after = rows()
        assert after[: len(before)] == before
        assert len(after) > len(before)
    assert not hasattr(services, "move_update")
    assert sorted(services.__all__) == [
        "adjust",
        "commit",
        "receive",
        "release",
        "reserve",
        "split",
    ]
