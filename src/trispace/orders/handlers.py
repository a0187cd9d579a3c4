"""Reactions of orders to other contexts' events (wired in ``config/event_wiring.py``).

Each handler runs once per event (the outbox records it) and calls one service.
"""

from __future__ import annotations

from trispace.contracts.payments import PaymentSucceeded, RefundFailed, RefundSucceeded
from trispace.orders import services
from trispace.orders.services.aftersales import SOURCE_TYPE as AFTERSALE
from trispace.orders.services.payment import SOURCE_TYPE as ORDER


def on_payment_succeeded(event: PaymentSucceeded) -> None:
    """A payment for an order was captured: the order is paid (or the money goes back)."""
    if event.source_type != ORDER:
        return
    services.order_payment_succeeded(
        actor=None,
        order_id=event.source_id,
        payment_id=event.payment_id,
        amount_fen=event.amount_fen,
    )


def on_refund_succeeded(event: RefundSucceeded) -> None:
    """An after-sale's refund was paid back. (Automatic returns of a payment an order could not
    take are sourced to the order and need nothing more here.)"""
    if event.source_type != AFTERSALE:
        return
    services.aftersale_refund_succeeded(
        actor=None, aftersale_id=event.source_id, refund_id=event.refund_id
    )


def on_refund_failed(event: RefundFailed) -> None:
    if event.source_type != AFTERSALE:
        return
    services.aftersale_refund_failed(
        actor=None, aftersale_id=event.source_id, refund_id=event.refund_id, reason=event.reason
    )
