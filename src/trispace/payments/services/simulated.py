"""Use case: the payer presses "Pay" on the simulated cashier (模拟收银台)."""

from __future__ import annotations

from typing import Any

from trispace.payments import errors
from trispace.payments.adapters.simulated import SimulatedAdapter
from trispace.payments.models import Payment, Provider
from trispace.payments.services.notifications import NotificationOutcome, notification_handle
from trispace.payments.states import PaymentStatus


def may_pay(actor: Any, payment: Payment) -> bool:
    """The payer pays (anyone holding the number, when the payment names no payer); ``None`` is
    the system (seeds, the demo). A page passes ``request.user``, anonymous or not."""
    if actor is None or payment.payer_id is None:
        return True
    return getattr(actor, "pk", None) == payment.payer_id


def payment_simulate_pay(*, actor: Any, payment: Payment) -> NotificationOutcome:
    """Play the provider: build a signed, encrypted WeChat Pay v3 ``TRANSACTION.SUCCESS``
    notification for ``payment`` and hand it to ``notification_handle``, which verifies and
    applies it exactly as a real one (same verification module, same dedupe, same ledger)."""
    if payment.provider != Provider.SIMULATED or not may_pay(actor, payment):
        raise errors.NOT_FOUND()
    if payment.status not in (PaymentStatus.CREATED, PaymentStatus.SUCCEEDED):
        raise errors.TRANSITION_NOT_ALLOWED(field="status")
    adapter = SimulatedAdapter()
    headers, body = adapter.payment_notification(payment)
    return notification_handle(provider=Provider.SIMULATED, headers=headers, body=body)
