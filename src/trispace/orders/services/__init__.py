"""Write use cases of orders: one function per whole use case (keyword-only, ``actor`` first).

Each owns its transaction, writes its audit row and publishes its events; the API, the pages,
the handlers and the periodic jobs all call these. ``actor=None`` is the system (jobs, events).
"""

from trispace.orders.services.aftersales import (
    aftersale_approve,
    aftersale_refund_failed,
    aftersale_refund_succeeded,
    aftersale_reject,
    aftersale_request,
)
from trispace.orders.services.cancel import order_cancel, orders_cancel_unpaid
from trispace.orders.services.cart import cart_add, cart_merge, cart_remove, cart_update
from trispace.orders.services.checkout import order_place
from trispace.orders.services.fulfilment import (
    PickupCandidate,
    order_close,
    order_confirm_receipt,
    order_mark_ready,
    order_ship,
    orders_auto_confirm,
    orders_close_due,
    pickup_candidates,
    pickup_verify,
)
from trispace.orders.services.payment import order_pay, order_payment_succeeded
from trispace.orders.services.rules import order_policy_set, purchase_limit_set

__all__ = [
    "PickupCandidate",
    "aftersale_approve",
    "aftersale_refund_failed",
    "aftersale_refund_succeeded",
    "aftersale_reject",
    "aftersale_request",
    "cart_add",
    "cart_merge",
    "cart_remove",
    "cart_update",
    "order_cancel",
    "order_close",
    "order_confirm_receipt",
    "order_mark_ready",
    "order_pay",
    "order_payment_succeeded",
    "order_place",
    "order_policy_set",
    "order_ship",
    "orders_auto_confirm",
    "orders_cancel_unpaid",
    "orders_close_due",
    "pickup_candidates",
    "pickup_verify",
    "purchase_limit_set",
]
