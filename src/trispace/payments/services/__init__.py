"""Write use cases of payments: one function per whole use case (keyword-only, ``actor`` first).

Each owns its transaction, writes its audit row and publishes its events; the API, the cashier
page, orders and the jobs all call these.
"""

from trispace.payments.services.notifications import NotificationOutcome, notification_handle
from trispace.payments.services.payments import (
    PAYMENT_TTL,
    PaymentStarted,
    payment_close,
    payment_confirm_offline,
    payment_start,
)
from trispace.payments.services.refunds import refund_start, refundable_fen
from trispace.payments.services.simulated import payment_simulate_pay

__all__ = [
    "PAYMENT_TTL",
    "NotificationOutcome",
    "PaymentStarted",
    "notification_handle",
    "payment_close",
    "payment_confirm_offline",
    "payment_simulate_pay",
    "payment_start",
    "refund_start",
    "refundable_fen",
]
