"""order_ship, order_confirm_receipt, orders_auto_confirm: delivery to the buyer's address."""

from __future__ import annotations

import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.orders import services
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import available, paid_order

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "王五", "phone": "13912345678", "region_code": "330106", "detail": "文三路1号"}


@pytest.fixture
def delivery(shop, zhejiang):
    return paid_order(shop, [(shop.tea, 2)], fulfilment="delivery", address=ADDRESS)


def test_shipping_hands_the_goods_over(shop, delivery):
    services.order_ship(actor=shop.owner, order=delivery, tracking_no="SF1234567890")
    delivery.refresh_from_db()
    assert delivery.status == OrderStatus.SHIPPED
    assert delivery.tracking_no == "SF1234567890"
    assert delivery.confirm_due_at == delivery.shipped_at + dt.timedelta(days=7)
    from trispace.inventory.selectors import level, location_for_store

    stock = level(location=location_for_store(shop.store), variant_id=shop.tea.pk)
    assert (stock.on_hand, stock.reserved) == (98, 0)
    assert OutboxEvent.objects.get(name="OrderShipped").payload["tracking_no"] == "SF1234567890"
    with pytest.raises(DomainError) as caught:
        services.order_ship(actor=shop.owner, order=delivery, tracking_no="SF1234567890")
    assert caught.value.code == "transition_not_allowed"


@pytest.mark.parametrize("tracking", ["", "abc", "x" * 41, "SF 123", None])
def test_a_tracking_number_is_required(shop, delivery, tracking):
    with pytest.raises(DomainError) as caught:
        services.order_ship(actor=shop.owner, order=delivery, tracking_no=tracking)
    assert caught.value.code == "tracking_invalid"
    assert available(shop.store, shop.tea) == 98


def test_pickup_orders_are_not_shipped(shop):
    order = paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.order_ship(actor=shop.owner, order=order, tracking_no="SF123456")
    assert caught.value.code == "transition_not_allowed"


def test_the_buyer_confirms_receipt(shop, delivery, net):
    services.order_ship(actor=shop.owner, order=delivery, tracking_no="SF123456")
    with pytest.raises(DomainError) as caught:
        services.order_confirm_receipt(actor=net.user("store_owner"), order=delivery)
    assert caught.value.code == "not_found"
    services.order_confirm_receipt(actor=shop.buyer, order=delivery)
    delivery.refresh_from_db()
    assert delivery.status == OrderStatus.COMPLETED
    assert OutboxEvent.objects.get(name="OrderCompleted").payload["via"] == "receipt"


def test_unconfirmed_orders_complete_after_seven_days(shop, delivery):
    start = ktime.now()
    with ktime.freeze(start):
        services.order_ship(actor=shop.owner, order=delivery, tracking_no="SF123456")
    with ktime.freeze(start + dt.timedelta(days=6, hours=23)):
        assert services.orders_auto_confirm() == 0
    with ktime.freeze(start + dt.timedelta(days=7)):
        assert services.orders_auto_confirm() == 1
        assert services.orders_auto_confirm() == 0
    delivery.refresh_from_db()
    assert delivery.status == OrderStatus.COMPLETED
    assert OutboxEvent.objects.get(name="OrderCompleted").payload["via"] == "auto"
