"""pickup_verify: the store verifies by code, QR or a phone-tail candidate → completed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from trispace.contracts.orders import OrderCompleted
from trispace.inventory.models import StockMove, StockOperation
from trispace.inventory.selectors import level, location_for_store
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.orders import services, tokens
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import (
    assert_stock_reconciles,
    available,
    paid_order,
    place,
    refund,
)

pytestmark = pytest.mark.django_db


def test_verifying_the_code_completes_the_order_and_takes_the_stock(shop):
    order = paid_order(shop, [(shop.tea, 2)])
    services.order_mark_ready(actor=shop.owner, order=order)
    assert available(shop.store, shop.tea) == 98
    done = services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    assert done.pk == order.pk
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.closes_at == order.completed_at + dt.timedelta(days=7)
    assert available(shop.store, shop.tea) == 98  # gone from the shelf for good
    stock = level(location=location_for_store(shop.store), variant_id=shop.tea.pk)
    assert (stock.on_hand, stock.reserved) == (98, 0)
    event = OrderCompleted.from_payload(OutboxEvent.objects.get(name="OrderCompleted").payload)
    assert event.via == "pickup"


def test_a_paid_order_may_be_verified_without_being_marked_ready(shop):
    order = paid_order(shop)
    services.pickup_verify(actor=shop.net.user("store_clerk"), store=shop.store, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_the_qr_token_is_signed(shop):
    order = paid_order(shop)
    token = tokens.pickup_token(order.pk)
    with pytest.raises(DomainError) as caught:
        services.pickup_verify(actor=shop.owner, store=shop.store, qr_token=token[:-2] + "xx")
    assert caught.value.code == "pickup_code_invalid"
    services.pickup_verify(actor=shop.owner, store=shop.store, qr_token=token)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_verifying_twice_completes_once(shop):
    order = paid_order(shop)
    services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    with pytest.raises(DomainError) as caught:
        services.pickup_verify(actor=shop.owner, store=shop.store, order_id=order.pk)
    assert caught.value.code == "already_picked_up"
    with pytest.raises(DomainError) as caught:  # the code is no longer an open order's
        services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    assert caught.value.code == "pickup_code_invalid"
    assert OutboxEvent.objects.filter(name="OrderCompleted").count() == 1


def test_an_unpaid_order_cannot_be_picked_up(shop):
    order = place(shop)
    with pytest.raises(DomainError) as caught:
        services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    assert caught.value.code == "pickup_not_paid"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"code": "12345"},
        {"code": "abcdef"},
        {"code": "000000", "order_id": 1},
        {"qr_token": "x"},
    ],
)
def test_bad_input_is_refused(shop, kwargs):
    paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.pickup_verify(actor=shop.owner, store=shop.store, **kwargs)
    assert caught.value.code in {"invalid", "pickup_code_invalid"}


def test_another_stores_order_is_not_found_here(shop, net):
    order = paid_order(shop)
    other_owner = net.user("other_store_owner")
    with pytest.raises(DomainError) as caught:
        services.pickup_verify(actor=other_owner, store=net.store_b, order_id=order.pk)
    assert caught.value.code == "pickup_code_invalid"
    with pytest.raises(DomainError) as caught:
        services.pickup_verify(actor=other_owner, store=net.store_a, order_id=order.pk)
    assert caught.value.code == "not_found"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_units_refunded_before_pickup_are_back_on_sale_at_once(shop):
    order = paid_order(shop, [(shop.tea, 3), (shop.cake, 2)])
    tea = order.lines.get(variant=shop.tea)
    cake = order.lines.get(variant=shop.cake)
    first = refund(shop, order, [(tea.pk, 1)])
    assert available(shop.store, shop.tea) == 98  # not held until the buyer comes
    second = refund(shop, order, [(tea.pk, 1), (cake.pk, 1)])
    assert (available(shop.store, shop.tea), available(shop.store, shop.cake)) == (99, 99)
    ref = f"order:{order.pk}"
    keys = {
        (op.reason, op.reference) for op in StockOperation.objects.filter(reference__startswith=ref)
    }
    assert keys == {
        ("reserve", ref),
        ("release", f"{ref}:aftersale:{first.pk}"),
        ("release", f"{ref}:aftersale:{second.pk}"),
    }

    services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    location = location_for_store(shop.store)
    for variant in (shop.tea, shop.cake):  # only the unit not refunded left the shelf
        stock = level(location=location, variant_id=variant.pk)
        assert (stock.on_hand, stock.reserved) == (99, 0)
    commits = StockMove.objects.filter(reference=ref, reason="commit")
    assert sorted(commits.values_list("variant_id", "delta_on_hand")) == sorted(
        [(shop.tea.pk, -1), (shop.cake.pk, -1)]
    )
    held = StockMove.objects.filter(reference=ref).aggregate(held=Sum("delta_reserved"))
    assert held == {"held": 0}
    assert_stock_reconciles(shop.store)
