"""aftersale_approve → payments refunds → OrderRefunded with the exact fen per line."""

from __future__ import annotations

import pytest

from trispace.contracts.orders import OrderRefunded
from trispace.inventory.selectors import level, location_for_store
from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.orders import services
from trispace.orders.models import AfterSale
from trispace.orders.states import AfterSaleStatus, OrderStatus
from trispace.orders.tests.factories import (
    assert_stock_reconciles,
    available,
    paid_order,
    payment_of,
    place,
    refund,
    settle,
    stocked,
)
from trispace.payments.adapters import ADAPTERS
from trispace.payments.adapters.base import ProviderError
from trispace.payments.adapters.offline import OfflineAdapter
from trispace.payments.models import Refund

pytestmark = pytest.mark.django_db


def refunded_events():
    return [
        OrderRefunded.from_payload(e.payload)
        for e in OutboxEvent.objects.filter(name="OrderRefunded").order_by("created_at")
    ]


def test_approving_refunds_through_payments(shop):
    order = paid_order(shop, [(shop.tea, 3), (shop.cake, 1)])
    tea = order.lines.get(variant=shop.tea)
    aftersale = refund(shop, order, [(tea.pk, 2)])
    assert aftersale.status == AfterSaleStatus.REFUNDED
    assert aftersale.amount_fen == 2000
    payment_refund = Refund.objects.get()
    assert aftersale.refund_id == payment_refund.pk
    assert payment_refund.payment_id == payment_of(order).pk
    assert (payment_refund.amount_fen, payment_refund.status) == (2000, "succeeded")
    assert (payment_refund.source_type, payment_refund.source_id) == ("aftersale", aftersale.pk)
    tea.refresh_from_db()
    assert (tea.pending_quantity, tea.refunded_quantity, tea.refunded_fen) == (0, 2, 2000)
    assert order.refunded_fen == 2000
    assert order.status == OrderStatus.PAID  # a partial refund leaves the status alone
    [event] = refunded_events()
    assert event.lines == (
        {"line_id": tea.pk, "variant_id": shop.tea.pk, "quantity": 2, "amount_fen": 2000},
    )
    assert (event.handed_over, event.fully_refunded) == (False, False)


def test_a_full_refund_before_handover_returns_the_stock_and_ends_the_order(shop):
    order = paid_order(shop, [(shop.tea, 3), (shop.cake, 1)], discount_fen=100)
    assert available(shop.store, shop.tea) == 97
    tea = order.lines.get(variant=shop.tea)
    refund(shop, order, [(tea.pk, 1)])
    refund(shop, order, [(tea.pk, 1)])
    last = refund(shop, order)  # whatever is left
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_fen == order.total_fen
    assert available(shop.store, shop.tea) == 100
    assert available(shop.store, shop.cake) == 100
    events = refunded_events()
    assert sum(e.amount_fen for e in events) == order.total_fen
    per_line: dict[int, int] = {}
    for event in events:
        for line in event.lines:
            per_line[line["line_id"]] = per_line.get(line["line_id"], 0) + line["amount_fen"]
    assert per_line == {line.pk: line.paid_fen for line in order.lines.all()}
    assert events[-1].fully_refunded
    assert last.amount_fen == order.total_fen - sum(e.amount_fen for e in events[:-1])
    # The pickup code is free again.
    assert not order.__class__.objects.filter(status__in=["paid", "ready_for_pickup"]).exists()


def test_a_partial_refund_before_handover_puts_the_units_back_on_sale_at_once(shop, net):
    scarce = stocked(net, stock=3)
    order = paid_order(shop, [(scarce, 3)])
    with pytest.raises(DomainError) as caught:
        place(shop, [(scarce, 1)], buyer=net.user("other_store_owner"))
    assert caught.value.code == "out_of_stock"
    aftersale = refund(shop, order, [(order.lines.get().pk, 2)])
    assert order.status == OrderStatus.PAID
    assert available(shop.store, scarce) == 2  # no waiting for the pickup
    services.aftersale_refund_succeeded(  # a repeated event releases nothing more
        actor=None, aftersale_id=aftersale.pk, refund_id=aftersale.refund_id
    )
    assert available(shop.store, scarce) == 2
    place(shop, [(scarce, 2)], buyer=net.user("other_store_owner"))
    assert available(shop.store, scarce) == 0
    services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    location = location_for_store(shop.store)
    stock = level(location=location, variant_id=scarce.pk)
    assert (stock.on_hand, stock.reserved) == (2, 2)  # 1 handed over, 2 held for the other
    assert_stock_reconciles(shop.store)


def test_a_refund_after_pickup_keeps_the_stock_as_it_is(shop):
    order = paid_order(shop, [(shop.tea, 2)])
    services.pickup_verify(actor=shop.owner, store=shop.store, code=order.pickup_code)
    refund(shop, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert available(shop.store, shop.tea) == 98
    [event] = refunded_events()
    assert event.handed_over


def test_a_provider_that_cannot_be_reached_leaves_it_approved_to_retry(shop, monkeypatch):
    order = paid_order(shop)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")

    class Down(OfflineAdapter):
        def refund(self, refund):
            raise ProviderError("timeout")

    monkeypatch.setitem(ADAPTERS, "offline", Down)
    with pytest.raises(DomainError) as caught:
        services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    assert caught.value.code == "provider_unavailable"
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.APPROVED
    monkeypatch.setitem(ADAPTERS, "offline", OfflineAdapter)
    with settle():
        services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.REFUNDED
    assert Refund.objects.count() == 1  # the same refund, asked again


def test_a_refund_that_stays_pending_waits_in_refunding(shop, monkeypatch):
    from trispace.payments.adapters.base import RefundResult

    class Slow(OfflineAdapter):
        def refund(self, refund):
            return RefundResult(status="processing", provider_refund_id="wx-1")

    order = paid_order(shop)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")
    monkeypatch.setitem(ADAPTERS, "offline", Slow)
    services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.REFUNDING
    assert aftersale.refund_id == Refund.objects.get().pk
    with settle():  # the provider's notification, later
        services.aftersale_refund_succeeded(
            actor=None, aftersale_id=aftersale.pk, refund_id=aftersale.refund_id
        )
        services.aftersale_refund_succeeded(  # and again: nothing more
            actor=None, aftersale_id=aftersale.pk, refund_id=aftersale.refund_id
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert len(refunded_events()) == 1


def test_a_failed_refund_gives_the_units_back(shop):
    order = paid_order(shop)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")
    AfterSale.objects.filter(pk=aftersale.pk).update(status=AfterSaleStatus.REFUNDING)
    services.aftersale_refund_failed(
        actor=None, aftersale_id=aftersale.pk, refund_id=None, reason="account closed"
    )
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.FAILED
    line = order.lines.get()
    assert (line.pending_quantity, line.pending_fen, line.refunded_quantity) == (0, 0, 0)
    again = services.aftersale_request(actor=shop.buyer, order=order, reason="again")
    assert again.amount_fen == order.total_fen


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("consumer", "not_found"),
        ("other_store_owner", "not_found"),
        ("other_dealer_admin", "not_found"),
        ("salesperson", "permission_denied"),
    ],
)
def test_only_the_seller_approves(shop, net, persona, code):
    order = paid_order(shop)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")
    with pytest.raises(DomainError) as caught:
        services.aftersale_approve(actor=net.user(persona), aftersale=aftersale)
    assert caught.value.code == code
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.REQUESTED
    assert not Refund.objects.exists()


def test_a_free_order_is_refunded_without_a_payment(shop):
    order = paid_order(shop, [(shop.tea, 1)], discount_fen=1000)
    assert (order.total_fen, order.payment_id) == (0, None)
    aftersale = refund(shop, order)
    assert aftersale.status == AfterSaleStatus.REFUNDED
    assert order.status == OrderStatus.REFUNDED
    assert available(shop.store, shop.tea) == 100
    assert not Refund.objects.exists()
