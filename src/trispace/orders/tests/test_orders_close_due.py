"""orders_close_due: completed orders close after the after-sale window, unless a request is
open."""

from __future__ import annotations

import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.orders import services
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import paid_order

pytestmark = pytest.mark.django_db


def completed(shop):
    order = paid_order(shop, [(shop.tea, 2)])
    services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    order.refresh_from_db()
    return order


def test_orders_close_after_the_window_without_open_aftersales(shop):
    start = ktime.now()
    with ktime.freeze(start):
        quiet = completed(shop)
        disputed = completed(shop)
        services.aftersale_request(actor=shop.buyer, order=disputed, reason="bad")
    with ktime.freeze(start + dt.timedelta(days=6)):
        assert services.orders_close_due() == 0
    with ktime.freeze(start + dt.timedelta(days=7)):
        assert services.orders_close_due() == 1
        assert services.orders_close_due() == 0
    quiet.refresh_from_db()
    disputed.refresh_from_db()
    assert quiet.status == OrderStatus.CLOSED
    assert disputed.status == OrderStatus.COMPLETED
    event = OutboxEvent.objects.get(name="OrderClosed").payload
    assert (event["order_id"], event["total_fen"], event["refunded_fen"]) == (quiet.pk, 2000, 0)
    # The window is over: the buyer cannot ask any more, the store may still decide.
    with ktime.freeze(start + dt.timedelta(days=7)), pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=quiet, reason="late")
    assert caught.value.code == "aftersale_not_allowed"
    aftersale = disputed.aftersales.get()
    with ktime.freeze(start + dt.timedelta(days=8)):
        services.aftersale_reject(actor=shop.owner, aftersale=aftersale, reason="used")
        assert services.orders_close_due() == 1


def test_a_request_after_the_window_is_refused(shop):
    start = ktime.now()
    with ktime.freeze(start):
        order = completed(shop)
    with ktime.freeze(start + dt.timedelta(days=7)), pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=order, reason="late")
    assert caught.value.code == "aftersale_window_closed"


def test_an_order_not_due_cannot_be_closed(shop):
    order = completed(shop)
    with pytest.raises(DomainError) as caught:
        services.order_close(actor=None, order=order)
    assert caught.value.code == "transition_not_allowed"
