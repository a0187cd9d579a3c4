"""Reads of orders: scoping per role, filters (business dates in Asia/Shanghai), today's
pickups, the timeline, the cart."""

from __future__ import annotations

import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.network.scoping import scope_for
from trispace.orders import selectors, services
from trispace.orders.services.payment import SOURCE_TYPE
from trispace.orders.tests.factories import paid_order, place, refund, stocked

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(shop, net):
    """An order at store a (dealer a), one at store a2 (sub-dealer of a), one at store b."""
    at_a2 = stocked(net, store=net.store_a2)
    at_b = stocked(net, store=net.store_b)
    return {
        "a": place(shop),
        "a2": place(shop, [(at_a2, 1)], store=net.store_a2),
        "b": place(shop, [(at_b, 1)], store=net.store_b),
    }


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("store_owner", {"a"}),
        ("store_clerk", {"a"}),
        ("dealer_admin", {"a", "a2"}),
        ("salesperson", {"a", "a2"}),
        ("other_dealer_admin", {"b"}),
        ("other_store_owner", {"b"}),
        ("brand_admin", {"a", "a2", "b"}),
        ("brand_operator", {"a", "a2", "b"}),
        ("consumer", set()),
    ],
)
def test_staff_see_the_orders_of_their_part_of_the_network(net, spread, persona, visible):
    scope = scope_for(net.user(persona))
    found = set(selectors.staff_orders(scope=scope).values_list("pk", flat=True))
    assert found == {spread[name].pk for name in visible}
    for name, order in spread.items():
        if name in visible:
            assert selectors.staff_order_get(scope=scope, pk=order.pk) == order
        else:
            with pytest.raises(DomainError):
                selectors.staff_order_get(scope=scope, pk=order.pk)


def test_buyers_see_their_own_orders_only(shop, net, spread):
    assert selectors.buyer_orders(user=shop.buyer).count() == 3
    assert selectors.buyer_orders(user=net.user("store_owner")).count() == 0
    assert selectors.buyer_orders(user=None).count() == 0
    with pytest.raises(DomainError):
        selectors.buyer_order_get(user=net.user("store_owner"), pk=spread["a"].pk)
    with pytest.raises(DomainError):
        selectors.buyer_order_get(user=shop.buyer, pk="nonsense")


def test_date_filters_use_business_days_in_shanghai(shop, net):
    # 2026-03-01 23:30 in Shanghai is 15:30 UTC the same day; 00:30 on 03-02 is 16:30 UTC 03-01.
    late = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)
    with ktime.freeze(late):
        on_first = place(shop)
    with ktime.freeze(late + dt.timedelta(hours=1)):
        on_second = place(shop)
    scope = scope_for(net.user("brand_admin"))
    first = selectors.staff_orders(
        scope=scope, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 1)
    )
    second = selectors.staff_orders(scope=scope, date_from=dt.date(2026, 3, 2))
    assert list(first) == [on_first]
    assert list(second) == [on_second]


def test_status_channel_and_search_filters(shop, net):
    paid = paid_order(shop)
    unpaid = place(shop)
    scope = scope_for(net.user("brand_admin"))
    assert list(selectors.staff_orders(scope=scope, status="paid")) == [paid]
    assert list(selectors.staff_orders(scope=scope, q=unpaid.number.lower())) == [unpaid]
    tail = shop.buyer.phone[-4:]
    assert selectors.staff_orders(scope=scope, q=tail).count() == 2
    assert selectors.staff_orders(scope=scope, channel="retail").count() == 0
    assert selectors.staff_orders(scope=scope, fulfilment="delivery").count() == 0


def test_todays_pickups_waiting_first_then_collected_today(shop, net):
    collected = paid_order(shop)
    waiting = paid_order(shop)
    place(shop)  # unpaid: not expected
    services.pickup_verify(actor=shop.owner, store=shop.store, code=collected.pickup_code)
    scope = scope_for(net.user("store_owner"))
    assert selectors.todays_pickups(scope=scope, store=shop.store) == [waiting, collected]
    tomorrow = ktime.business_date() + dt.timedelta(days=1)
    assert selectors.todays_pickups(scope=scope, store=shop.store, day=tomorrow) == [waiting]
    with pytest.raises(DomainError):
        selectors.todays_pickups(scope=scope_for(net.user("other_store_owner")), store=shop.store)


def test_the_timeline_interleaves_status_changes_and_actions(shop):
    order = paid_order(shop)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="broken")
    services.aftersale_reject(actor=shop.owner, aftersale=aftersale, reason="used")
    entries = selectors.timeline(order)
    titles = [e.title for e in entries]
    assert titles[0] == "order_place"
    assert "pending_payment → paid" in titles
    assert "aftersale_request" in titles
    assert f"after-sale {aftersale.pk}: requested → rejected" in titles
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_the_payments_of_an_order_with_their_refunds(shop, django_assert_num_queries):
    assert selectors.PAYMENT_SOURCE == SOURCE_TYPE
    order = paid_order(shop, [(shop.tea, 2)])
    refund(shop, order, lines=[(order.lines.get().pk, 1)])
    other = place(shop)
    started = services.order_pay(actor=shop.buyer, order=other, provider="offline")
    assert started is not None
    with django_assert_num_queries(2):
        found = list(selectors.order_payments(order))
        refunds = [list(p.refunds.all()) for p in found]
    assert [p.pk for p in found] == [order.payment_id]
    assert [[r.amount_fen for r in rs] for rs in refunds] == [[1000]]
    assert [(p.pk, p.status) for p in selectors.order_payments(other)] == [
        (started.payment.pk, "created")
    ]


def test_the_cart_view_marks_what_is_no_longer_sold(shop, net):
    services.cart_add(actor=None, session_key="s", store=shop.store, variant=shop.tea)
    shop.tea.is_active = False
    shop.tea.save()
    view = selectors.cart_view(session_key="s", store=shop.store)
    assert [(i.available, i.unit_price_fen) for i in view.items] == [(False, None)]
    assert view.subtotal_fen == 0
    assert selectors.cart_view(store=shop.store).items == []
