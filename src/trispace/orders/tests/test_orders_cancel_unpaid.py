"""orders_cancel_unpaid: the periodic scan cancels unpaid orders past their deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.models import OutboxEvent
from trispace.orders import services, tasks
from trispace.orders.models import Order
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import available, paid_order, place

pytestmark = pytest.mark.django_db


def test_unpaid_orders_are_cancelled_after_15_minutes_in_chunks(shop):
    start = ktime.now()
    with ktime.freeze(start):
        stale = [place(shop, [(shop.tea, 1)]) for _ in range(5)]
        paid = paid_order(shop, [(shop.tea, 1)])
    with ktime.freeze(start + dt.timedelta(minutes=10)):
        fresh = place(shop, [(shop.tea, 1)])
        assert services.orders_cancel_unpaid(chunk=2) == 0
    with ktime.freeze(start + dt.timedelta(minutes=15)):
        assert services.orders_cancel_unpaid(chunk=2) == 5
        assert services.orders_cancel_unpaid(chunk=2) == 0  # a rerun changes nothing
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert {statuses[o.pk] for o in stale} == {OrderStatus.CANCELLED}
    assert statuses[paid.pk] == OrderStatus.PAID
    assert statuses[fresh.pk] == OrderStatus.PENDING_PAYMENT
    assert available(shop.store, shop.tea) == 100 - 2
    events = [e.payload for e in OutboxEvent.objects.filter(name="OrderCancelled")]
    assert {e["by"] for e in events} == {"timeout"}


def test_the_timeout_follows_the_policy(shop, net):
    services.order_policy_set(
        actor=net.user("brand_admin"),
        unpaid_timeout_minutes=60,
        auto_confirm_days=7,
        aftersale_window_days=7,
    )
    start = ktime.now()
    with ktime.freeze(start):
        order = place(shop)
    with ktime.freeze(start + dt.timedelta(minutes=30)):
        assert services.orders_cancel_unpaid() == 0
    with ktime.freeze(start + dt.timedelta(minutes=60)):
        tasks.cancel_unpaid_orders.call_local()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
