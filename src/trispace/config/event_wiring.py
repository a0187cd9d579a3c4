"""The one table that says which handler hears which event.

Read it to know every reaction in the system. Handlers live in the reacting context's
``handlers.py`` and take the event dataclass; the outbox delivers each event at least once and
records per handler what it processed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trispace.contracts import payments
from trispace.kernel import outbox
from trispace.kernel.events import Event
from trispace.orders import handlers as orders

WIRING: list[tuple[type[Event], Callable[[Any], None]]] = [
    # (EventClass, handler) — later issues add rows here, e.g.
    # (orders.OrderPaid, distribution.handlers.accrue_commissions)
    (payments.PaymentSucceeded, orders.on_payment_succeeded),
    (payments.RefundSucceeded, orders.on_refund_succeeded),
    (payments.RefundFailed, orders.on_refund_failed),
]


def wire() -> None:
    for event_type, handler in WIRING:
        outbox.subscribe(event_type, handler)
