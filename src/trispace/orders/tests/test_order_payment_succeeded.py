"""PaymentSucceeded → the order is paid once; money an order cannot take goes back."""

from __future__ import annotations

import pytest

from trispace.contracts.orders import OrderPaid
from trispace.kernel.models import OutboxEvent, ProcessedEvent, StateChange
from trispace.kernel.outbox import deliver
from trispace.orders import services
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import pay, payment_of, place, settle
from trispace.payments import services as payments
from trispace.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db


def test_a_captured_payment_pays_the_order_through_the_outbox(shop):
    order = pay(
        shop, place(shop, [(shop.tea, 2), (shop.cake, 1)], share_context={"promoter_id": 5})
    )
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    assert order.expires_at is None
    payment = payment_of(order)
    assert payment.amount_fen == order.total_fen
    paid = OrderPaid.from_payload(OutboxEvent.objects.get(name="OrderPaid").payload)
    assert paid.order_id == order.pk
    assert paid.payment_id == payment.pk
    assert paid.promoter_id == 5
    assert sum(line["paid_fen"] for line in paid.lines) == order.total_fen
    assert StateChange.objects.filter(target_id=str(order.pk), to_status="paid").count() == 1


def test_a_repeated_notification_changes_nothing(shop):
    order = pay(shop, place(shop))
    payment = payment_of(order)
    for _ in range(2):
        services.order_payment_succeeded(
            actor=None, order_id=order.pk, payment_id=payment.pk, amount_fen=payment.amount_fen
        )
    # And a redelivered event is skipped by the outbox itself.
    row = OutboxEvent.objects.get(name="PaymentSucceeded")
    OutboxEvent.objects.filter(pk=row.pk).update(dispatched_at=None)
    row.refresh_from_db()
    assert deliver(row)
    assert ProcessedEvent.objects.filter(event_id=row.pk).count() == 1
    assert OutboxEvent.objects.filter(name="OrderPaid").count() == 1
    assert not Refund.objects.exists()


def test_a_payment_for_a_cancelled_order_is_refunded_automatically(shop):
    order = place(shop)
    started = services.order_pay(actor=shop.buyer, order=order, provider="offline")
    with settle():
        services.order_cancel(actor=shop.buyer, order=order)
    started.payment.refresh_from_db()
    assert started.payment.status == "closed"  # the open payment was closed with the order
    with settle():  # ...but the cash arrived anyway
        payments.payment_confirm_offline(
            actor=shop.net.user("brand_admin"), payment=started.payment, reference="cash"
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    refund = Refund.objects.get()
    assert refund.payment_id == started.payment.pk
    assert refund.amount_fen == order.total_fen
    assert refund.status == "succeeded"
    assert (refund.source_type, refund.source_id) == ("order", order.pk)
    assert not OutboxEvent.objects.filter(name="OrderPaid").exists()


def test_a_second_payment_of_a_paid_order_is_refunded(shop):
    order = pay(shop, place(shop))
    first = payment_of(order)
    # A second payment captured for the same order (e.g. a second provider, both paid).
    second = Payment.objects.create(
        source_type="order",
        source_id=order.pk,
        amount_fen=order.total_fen,
        provider="offline",
        status="succeeded",
        out_trade_no="P-second",
        description="x",
        expires_at=order.created_at,
    )
    with settle():
        services.order_payment_succeeded(
            actor=None, order_id=order.pk, payment_id=second.pk, amount_fen=second.amount_fen
        )
    order.refresh_from_db()
    assert order.payment_id == first.pk
    refund = Refund.objects.get()
    assert refund.payment_id == second.pk
    assert refund.amount_fen == order.total_fen


def test_a_payment_of_another_source_is_ignored(shop):
    from trispace.contracts.payments import PaymentSucceeded
    from trispace.orders.handlers import on_payment_succeeded

    order = place(shop)
    on_payment_succeeded(
        PaymentSucceeded(
            payment_id=1, source_type="b2b_order", source_id=order.pk, amount_fen=1, provider="x"
        )
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_an_unknown_order_is_logged_not_raised(shop, caplog):
    assert (
        services.order_payment_succeeded(actor=None, order_id=999_999, payment_id=1, amount_fen=1)
        is None
    )
    assert "unknown order" in caplog.text


def test_a_payment_of_another_amount_is_returned_and_the_order_waits(shop):
    order = place(shop)
    odd = Payment.objects.create(
        source_type="order",
        source_id=order.pk,
        amount_fen=order.total_fen - 1,
        provider="offline",
        status="succeeded",
        out_trade_no="P-odd",
        description="x",
        expires_at=order.created_at,
    )
    with settle():
        services.order_payment_succeeded(
            actor=None, order_id=order.pk, payment_id=odd.pk, amount_fen=odd.amount_fen
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert Refund.objects.get().amount_fen == order.total_fen - 1
