"""Paying an order (支付): start a payment, and react when one succeeds.

A payment belongs to the order through payments' opaque source (``"order", order.pk``). When
``PaymentSucceeded`` arrives, the order moves pending_payment → paid with compare-and-set under
the order's row lock: a repeated notification, a second payment or a race with the unpaid
timeout can never pay an order twice. Money captured for an order that cannot take it any more
(cancelled, or already paid by another payment) is refunded in full automatically.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from trispace.contracts.orders import OrderPaid
from trispace.kernel import audit
from trispace.kernel import time as ktime
from trispace.kernel.transitions import transition
from trispace.orders import errors
from trispace.orders.models import Order
from trispace.orders.services._common import (
    attribution,
    lock_order,
    paid_lines,
    require_buyer,
)
from trispace.orders.states import ORDER_STATES, OrderStatus
from trispace.payments import services as payments
from trispace.payments.models import Payment

log = logging.getLogger("trispace.orders")

SOURCE_TYPE = "order"


def order_pay(
    *, actor: Any, order: Order, provider: str, payer_openid: str = ""
) -> payments.PaymentStarted | None:
    """The buyer starts paying ``order`` through ``provider`` (``offline``, ``simulated``,
    ``wechatpay``). Starting again returns the open payment (a double tap pays once).

    An order of 0 fen (fully discounted) is paid at once, without a payment: returns None.
    """
    require_buyer(actor, order)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise errors.TRANSITION_NOT_ALLOWED(field="status")
    if order.expires_at is not None and ktime.now() >= order.expires_at:
        raise errors.ORDER_EXPIRED()
    if order.total_fen == 0:
        order_payment_succeeded(actor=actor, order_id=order.pk, payment_id=None, amount_fen=0)
        return None
    return payments.payment_start(
        actor=actor,
        source_type=SOURCE_TYPE,
        source_id=order.pk,
        amount_fen=order.total_fen,
        provider=provider,
        description=f"{order.store.name} {order.number}"[:127],
        organization=order.store,
        payer_openid=payer_openid,
    )


def order_payment_succeeded(
    *, actor: Any, order_id: int, payment_id: int | None, amount_fen: int
) -> Order | None:
    """A payment of the order was captured: pay the order, or refund the money (see above)."""
    with transaction.atomic():
        found = Order.objects.filter(pk=order_id).first()
        if found is None:
            log.error("payment %s captured for unknown order %s", payment_id, order_id)
            return None
        order = lock_order(found)
        if order.status == OrderStatus.PENDING_PAYMENT and amount_fen == order.total_fen:
            now = ktime.now()
            lines = list(order.lines.order_by("pk"))
            transition(
                order,
                machine=ORDER_STATES,
                to=OrderStatus.PAID,
                actor=actor,
                reason=f"payment {payment_id}" if payment_id else "nothing to pay",
                updates={"paid_at": now, "payment_id": payment_id, "expires_at": None},
                event=OrderPaid(
                    order_id=order.pk,
                    number=order.number,
                    buyer_id=order.buyer_id,
                    store_id=order.store_id,
                    channel=order.channel,
                    total_fen=order.total_fen,
                    payment_id=payment_id,
                    paid_at=now,
                    lines=paid_lines(lines),
                    **attribution(order),
                ),
            )
            audit.record(
                actor=actor,
                action="order_paid",
                target=order,
                data={"payment_id": payment_id, "amount_fen": amount_fen},
            )
            return order
        if payment_id is not None and order.payment_id == payment_id:
            return order  # the same payment again: already applied
        if payment_id is None:
            return order
        # Captured, but the order cannot take it: cancelled, paid by another payment, or an
        # amount that is not the order's. Give the money back.
        why = (
            "amount differs from the order"
            if order.status == OrderStatus.PENDING_PAYMENT
            else f"order is {order.status}"
        )
        payment = Payment.objects.get(pk=payment_id)
        payments.refund_start(
            actor=actor,
            payment=payment,
            amount_fen=amount_fen,
            reason=f"automatic refund: {why}"[:80],
            source_type=SOURCE_TYPE,
            source_id=order.pk,
            key=f"order:{order.pk}:payment:{payment_id}:return",
        )
        audit.record(
            actor=actor,
            action="order_payment_returned",
            target=order,
            reason=why,
            data={"payment_id": payment_id, "amount_fen": amount_fen},
        )
        return order
