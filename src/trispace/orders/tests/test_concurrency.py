"""Races on PostgreSQL: nothing oversold, paid twice, refunded twice or handed over twice.

Each test starts several threads (each with its own connection) at one barrier, so their
transactions really overlap; outcomes are then counted from the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from trispace.inventory.selectors import level, location_for_store
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.network.models import Role
from trispace.network.tests.factories import MembershipFactory, UserFactory
from trispace.orders import services
from trispace.orders.models import AfterSale, Order, OrderLine
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import paid_order, place, stocked
from trispace.payments.models import Payment, Refund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` at once; each result is the return value or the error code."""
    barrier = threading.Barrier(len(calls))

    def run(fn: Callable[[], Any]) -> Any:
        try:
            barrier.wait()
            return fn()
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def buyers(net: Any, count: int) -> list[Any]:
    people = []
    for i in range(count):
        user = UserFactory(name=f"买家{i}")
        MembershipFactory(user=user, organization=net.store_a, role=Role.CONSUMER)
        people.append(user)
    return people


def test_a_race_for_the_last_unit_sells_it_once(shop, net):
    last = stocked(net, stock=1)
    people = buyers(net, 8)
    results = race(
        [
            lambda u=u: services.order_place(actor=u, store=net.store_a, lines=[(last.pk, 1)])
            for u in people
        ]
    )
    placed = [r for r in results if isinstance(r, Order)]
    assert len(placed) == 1
    assert sorted(r for r in results if not isinstance(r, Order)) == ["out_of_stock"] * 7
    stock = level(location=location_for_store(net.store_a), variant_id=last.pk)
    assert (stock.on_hand, stock.reserved) == (1, 1)
    assert Order.objects.filter(lines__variant=last).count() == 1


def test_stock_for_many_buyers_is_never_oversold(shop, net):
    item = stocked(net, stock=5)
    people = buyers(net, 10)
    results = race(
        [
            lambda u=u: services.order_place(actor=u, store=net.store_a, lines=[(item.pk, 2)])
            for u in people
        ]
    )
    assert len([r for r in results if isinstance(r, Order)]) == 2
    stock = level(location=location_for_store(net.store_a), variant_id=item.pk)
    assert stock.reserved == 4 <= stock.on_hand


def test_one_payment_notified_twice_at_once_pays_once(shop):
    order = place(shop)
    started = services.order_pay(actor=shop.buyer, order=order, provider="offline")
    Payment.objects.filter(pk=started.payment.pk).update(status="succeeded")
    results = race(
        [
            lambda: services.order_payment_succeeded(
                actor=None,
                order_id=order.pk,
                payment_id=started.payment.pk,
                amount_fen=order.total_fen,
            )
        ]
        * 6
    )
    assert all(isinstance(r, Order) for r in results)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert OutboxEvent.objects.filter(name="OrderPaid").count() == 1
    assert not Refund.objects.exists()


def test_two_payments_captured_at_once_pay_once_and_refund_the_other(shop):
    order = place(shop)
    first = services.order_pay(actor=shop.buyer, order=order, provider="offline").payment
    Payment.objects.filter(pk=first.pk).update(status="succeeded")
    second = services.order_pay(actor=shop.buyer, order=order, provider="offline").payment
    assert second.pk != first.pk
    Payment.objects.filter(pk=second.pk).update(status="succeeded")
    results = race(
        [
            lambda p=p: services.order_payment_succeeded(
                actor=None, order_id=order.pk, payment_id=p.pk, amount_fen=order.total_fen
            )
            for p in (first, second)
        ]
    )
    assert all(isinstance(r, Order) for r in results)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert OutboxEvent.objects.filter(name="OrderPaid").count() == 1
    [refund] = Refund.objects.all()
    assert {refund.payment_id, order.payment_id} == {first.pk, second.pk}
    assert refund.amount_fen == order.total_fen


def test_the_unpaid_timeout_racing_a_payment_never_does_both(shop):
    import datetime as dt

    from trispace.kernel import time as ktime

    order = place(shop)
    payment = services.order_pay(actor=shop.buyer, order=order, provider="offline").payment
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    Order.objects.filter(pk=order.pk).update(expires_at=ktime.now() - dt.timedelta(minutes=1))
    race(
        [
            services.orders_cancel_unpaid,
            lambda: services.order_payment_succeeded(
                actor=None, order_id=order.pk, payment_id=payment.pk, amount_fen=order.total_fen
            ),
        ]
    )
    order.refresh_from_db()
    stock = level(location=location_for_store(shop.store), variant_id=shop.tea.pk)
    if order.status == OrderStatus.PAID:
        assert not Refund.objects.exists()
        assert stock.reserved == 2
    else:
        assert order.status == OrderStatus.CANCELLED
        assert Refund.objects.get().amount_fen == order.total_fen
        assert stock.reserved == 0


def test_concurrent_refund_requests_never_claim_more_than_was_paid(shop):
    order = paid_order(shop, [(shop.tea, 3)], discount_fen=1)
    line = order.lines.get()
    results = race(
        [
            lambda: services.aftersale_request(
                actor=shop.buyer, order=order, lines=[(line.pk, 1)], reason="x"
            )
        ]
        * 6
        + [
            lambda: services.aftersale_request(
                actor=shop.buyer, order=order, lines=[(line.pk, 2)], reason="y"
            )
        ]
        * 2
    )
    made = [r for r in results if isinstance(r, AfterSale)]
    assert set(results) - set(made) <= {"aftersale_quantity_exceeded"}
    line.refresh_from_db()
    assert sum(a.lines.get().quantity for a in made) == line.pending_quantity <= 3
    assert sum(a.amount_fen for a in made) == line.pending_fen <= line.paid_fen
    if line.pending_quantity == 3:
        assert line.pending_fen == line.paid_fen


def test_concurrent_approvals_refund_once(shop):
    order = paid_order(shop, [(shop.tea, 3)])
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")
    results = race(
        [
            lambda: services.aftersale_approve(
                actor=shop.owner, aftersale=AfterSale.objects.get(pk=aftersale.pk)
            )
        ]
        * 4
    )
    assert any(isinstance(r, AfterSale) for r in results)
    assert Refund.objects.count() == 1
    assert Refund.objects.aggregate(total=Sum("amount_fen"))["total"] == order.total_fen
    aftersale.refresh_from_db()
    assert aftersale.status == "refunded"
    assert OutboxEvent.objects.filter(name="OrderRefunded").count() == 1
    assert OrderLine.objects.get(order=order).refunded_fen == order.total_fen


def test_one_pickup_verified_twice_at_once_completes_once(shop):
    order = paid_order(shop, [(shop.tea, 2)])
    calls = [
        lambda: services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code),
        lambda: services.pickup_verify(actor=shop.owner, store=shop.store, order_id=order.pk),
    ] * 3
    results = race(calls)
    assert len([r for r in results if isinstance(r, Order)]) == 1
    assert {r for r in results if not isinstance(r, Order)} <= {
        "already_picked_up",
        "pickup_code_invalid",
    }
    assert OutboxEvent.objects.filter(name="OrderCompleted").count() == 1
    stock = level(location=location_for_store(shop.store), variant_id=shop.tea.pk)
    assert (stock.on_hand, stock.reserved) == (98, 0)
