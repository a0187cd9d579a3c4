"""order_mark_ready: the store has packed a paid pickup order."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.orders import services
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import paid_order, place

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["store_owner", "store_clerk", "dealer_admin", "brand_admin"])
def test_seller_staff_mark_a_paid_order_ready(shop, net, persona):
    order = paid_order(shop)
    services.order_mark_ready(actor=net.user(persona), order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.READY_FOR_PICKUP
    assert order.ready_at is not None
    assert OutboxEvent.objects.filter(name="OrderReadyForPickup").count() == 1


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("consumer", "not_found"),
        ("other_store_owner", "not_found"),
        ("other_dealer_admin", "not_found"),
        ("salesperson", "permission_denied"),
    ],
)
def test_others_cannot(shop, net, persona, code):
    order = paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.order_mark_ready(actor=net.user(persona), order=order)
    assert caught.value.code == code
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_only_paid_pickup_orders(shop, zhejiang):
    with pytest.raises(DomainError) as caught:
        services.order_mark_ready(actor=shop.owner, order=place(shop))
    assert caught.value.code == "transition_not_allowed"
    address = {"name": "王五", "phone": "13912345678", "region_code": "330106", "detail": "x路1号"}
    delivery = paid_order(shop, fulfilment="delivery", address=address)
    with pytest.raises(DomainError) as caught:
        services.order_mark_ready(actor=shop.owner, order=delivery)
    assert caught.value.code == "transition_not_allowed"
