"""order_cancel: the buyer cancels an unpaid order; its stock goes back."""

from __future__ import annotations

import pytest

from trispace.contracts.orders import OrderCancelled
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.orders import services
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import available, paid_order, place

pytestmark = pytest.mark.django_db


def test_cancelling_releases_the_stock_and_publishes(shop):
    order = place(shop, [(shop.tea, 3)])
    assert available(shop.store, shop.tea) == 97
    services.order_cancel(actor=shop.buyer, order=order, reason="changed my mind")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "changed my mind"
    assert order.cancelled_at is not None
    assert available(shop.store, shop.tea) == 100
    event = OrderCancelled.from_payload(OutboxEvent.objects.get(name="OrderCancelled").payload)
    assert (event.order_id, event.by) == (order.pk, "buyer")
    assert AuditLog.objects.filter(action="order_cancel").count() == 1


def test_a_cancelled_order_frees_its_pickup_code(shop, monkeypatch):
    first = place(shop)
    services.order_cancel(actor=shop.buyer, order=first)
    monkeypatch.setattr("trispace.kernel.ids.numeric_code", lambda digits=6: first.pickup_code)
    assert place(shop).pickup_code == first.pickup_code


def test_only_an_unpaid_order_of_ones_own_can_be_cancelled(shop, net):
    order = place(shop)
    with pytest.raises(DomainError) as caught:
        services.order_cancel(actor=net.user("store_owner"), order=order)
    assert caught.value.code == "not_found"
    paid = paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.order_cancel(actor=shop.buyer, order=paid)
    assert caught.value.code == "transition_not_allowed"
    paid.refresh_from_db()
    assert paid.status == OrderStatus.PAID
    assert available(shop.store, shop.tea) == 96


def test_cancelling_twice_is_refused_and_releases_once(shop):
    order = place(shop)
    services.order_cancel(actor=shop.buyer, order=order)
    with pytest.raises(DomainError) as caught:
        services.order_cancel(actor=shop.buyer, order=order)
    assert caught.value.code == "transition_not_allowed"
    assert available(shop.store, shop.tea) == 100


def test_a_reason_too_long_is_refused(shop):
    order = place(shop)
    with pytest.raises(DomainError) as caught:
        services.order_cancel(actor=shop.buyer, order=order, reason="x" * 300)
    assert caught.value.code == "reason_invalid"
