"""Cancelling an unpaid order (取消): by the buyer, or by the unpaid-timeout scan.

The reserved stock goes back and the order's open payment is closed. A payment captured after
all (the buyer was at the cashier) is refunded by ``order_payment_succeeded``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction

from trispace.contracts.orders import OrderCancelled
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.kernel import audit
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.transitions import transition
from trispace.orders import errors
from trispace.orders.models import Order
from trispace.orders.services._common import clean_reason, lock_order, reference, require_buyer
from trispace.orders.states import ORDER_STATES, OrderStatus
from trispace.payments import services as payments
from trispace.payments.models import Payment
from trispace.payments.states import PaymentStatus

CHUNK = 200


def order_cancel(*, actor: Any, order: Order, reason: str = "") -> Order:
    """The buyer cancels their unpaid order."""
    require_buyer(actor, order)
    text = clean_reason(reason, required=False) or "cancelled by the buyer"
    return _cancel(actor=actor, order=order, reason=text, by="buyer")


def _cancel(*, actor: Any, order: Order, reason: str, by: str) -> Order:
    with transaction.atomic():
        order = lock_order(order)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise errors.TRANSITION_NOT_ALLOWED(field="status")
        now = ktime.now()
        transition(
            order,
            machine=ORDER_STATES,
            to=OrderStatus.CANCELLED,
            actor=actor,
            reason=reason,
            updates={"cancelled_at": now, "cancel_reason": reason[:255], "expires_at": None},
            event=OrderCancelled(
                order_id=order.pk,
                buyer_id=order.buyer_id,
                store_id=order.store_id,
                reason=reason,
                by=by,
            ),
        )
        inventory.release(
            actor=actor,
            location=inventory_selectors.location_for_store(order.store),
            lines=list(order.lines.values_list("variant_id", "quantity")),
            reference=reference(order),
        )
        for payment in Payment.objects.filter(
            source_type="order", source_id=order.pk, status=PaymentStatus.CREATED
        ):
            # Captured meanwhile: its PaymentSucceeded refunds it, the order being cancelled.
            with contextlib.suppress(DomainError):
                payments.payment_close(actor=actor, payment=payment, reason=f"order {by}")
        audit.record(actor=actor, action="order_cancel", target=order, reason=reason)
    return order


def orders_cancel_unpaid(*, chunk: int = CHUNK) -> int:
    """Cancel every unpaid order past its payment deadline, in chunks; returns how many.

    Idempotent: a rerun finds nothing left, and an order paid in the meantime is skipped.
    """
    moment = ktime.now()
    cancelled = 0
    last_pk = 0
    while True:
        due = list(
            Order.objects.filter(
                status=OrderStatus.PENDING_PAYMENT, expires_at__lte=moment, pk__gt=last_pk
            )
            .select_related("store")
            .order_by("pk")[:chunk]
        )
        if not due:
            return cancelled
        for order in due:
            last_pk = order.pk
            try:
                _cancel(actor=None, order=order, reason="not paid in time", by="timeout")
            except DomainError:
                continue  # paid or cancelled meanwhile
            cancelled += 1
