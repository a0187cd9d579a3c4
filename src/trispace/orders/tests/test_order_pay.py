"""order_pay: the buyer starts a payment at payments for exactly what the order costs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.orders import services
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import pay, place, stocked
from trispace.payments.models import Payment

pytestmark = pytest.mark.django_db


def test_paying_starts_one_payment_for_the_order(shop):
    order = place(shop)
    started = services.order_pay(actor=shop.buyer, order=order, provider="offline")
    payment = started.payment
    assert (payment.source_type, payment.source_id) == ("order", order.pk)
    assert payment.amount_fen == order.total_fen == 2000
    assert payment.organization_id == shop.store.pk
    assert order.number in payment.description
    again = services.order_pay(actor=shop.buyer, order=order, provider="offline")
    assert again.payment.pk == payment.pk  # a double tap pays once
    assert Payment.objects.count() == 1


def test_only_the_buyer_pays_and_others_see_nothing(shop, net):
    order = place(shop)
    for persona in ("store_owner", "brand_admin"):
        with pytest.raises(DomainError) as caught:
            services.order_pay(actor=net.user(persona), order=order, provider="offline")
        assert caught.value.code == "not_found"
    with pytest.raises(DomainError) as caught:
        services.order_pay(actor=None, order=order, provider="offline")
    assert caught.value.code == "not_authenticated"
    assert not Payment.objects.exists()


def test_an_expired_or_cancelled_order_cannot_be_paid(shop):
    order = place(shop)
    with ktime.freeze(order.expires_at), pytest.raises(DomainError) as caught:
        services.order_pay(actor=shop.buyer, order=order, provider="offline")
    assert caught.value.code == "order_expired"
    services.order_cancel(actor=shop.buyer, order=order)
    with pytest.raises(DomainError) as caught:
        services.order_pay(actor=shop.buyer, order=order, provider="offline")
    assert caught.value.code == "transition_not_allowed"
    assert not Payment.objects.exists()


def test_an_unknown_provider_is_refused(shop):
    order = place(shop)
    with pytest.raises(DomainError) as caught:
        services.order_pay(actor=shop.buyer, order=order, provider="bitcoin")
    assert caught.value.code == "provider_unknown"


def test_a_free_order_is_paid_at_once(shop):
    order = place(shop, discount_fen=10**6)
    assert order.total_fen == 0
    assert services.order_pay(actor=shop.buyer, order=order, provider="offline") is None
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.payment_id is None
    assert not Payment.objects.exists()


def _place_and_pay(shop, net, count):
    """Queries of placing and then paying (start, capture, the handlers) ``count`` lines."""
    variants = [stocked(net, price_fen=100 + i) for i in range(count)]
    pay(shop, place(shop, [(variants[0], 1)]))  # the buyer's scope, the shelf, the ledger
    with CaptureQueriesContext(connection) as placing:
        order = place(shop, [(v, 1) for v in variants])
    with CaptureQueriesContext(connection) as paying:
        order = pay(shop, order)
    assert order.status == OrderStatus.PAID
    return len(placing), len(paying)


def test_placing_and_paying_20_lines_takes_as_many_queries_as_1(shop, net):
    assert _place_and_pay(shop, net, 1) == _place_and_pay(shop, net, 20)
