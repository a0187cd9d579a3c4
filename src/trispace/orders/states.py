"""Statuses of orders (订单) and after-sales (售后), and the one table of allowed moves of each.

Orders::

    pending_payment ──► paid ──► ready_for_pickup ──► completed ──► closed
          │              │ │                            ▲  │
          ▼              │ └──────► shipped ────────────┘  │
      cancelled          │  (pickup verified directly       ▼
                         │   from paid, too)             refunded
                         └──────────────────────────────────▲

* ``pending_payment`` → ``cancelled`` by the buyer, or by the unpaid-timeout scan; the stock
  reserved at checkout is released. A payment that arrives for a cancelled order is refunded
  automatically; the order stays cancelled.
* ``paid`` → ``ready_for_pickup`` (the store has packed it) → ``completed`` when the store
  verifies the pickup code, the QR or a phone-tail candidate. A store may also verify a paid
  pickup order it did not mark ready first: the buyer is at the counter.
* ``paid`` → ``shipped`` (delivery, with a tracking number) → ``completed`` when the buyer
  confirms receipt, or automatically N days after shipping.
* ``completed`` → ``closed`` once its after-sale window has passed without an open after-sale.
  Commissions unfreeze on ``OrderClosed``.
* **Full refunds end in ``refunded``** (terminal): when refunds have returned every unit of every
  line, the order moves there from wherever it was (paid, ready_for_pickup, shipped, completed).
  Before handover the stock is released; after handover the goods are the store's business
  (returns are received into stock by inventory, not here). A partial refund leaves the status
  alone: the lines record what was refunded and ``OrderRefunded`` carries the exact fen per line.

After-sales::

    requested ──► approved ──► refunding ──► refunded
        │                          │
        ▼                          ▼
     rejected                    failed

Approving records ``approved``, then starts the refund at payments outside the approval's
transaction (payments records the refund before it asks the provider, so a retry of the approval
reuses it) and moves to ``refunding``. A provider that refunds at once (offline, simulated) may
report success before that second step: ``approved`` then goes straight to ``refunded``.
``rejected`` and ``failed`` give the requested quantities back, so the buyer may ask again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.kernel.transitions import StateMachine


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


S = OrderStatus

ORDER_STATES = StateMachine(
    {
        S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},
        S.PAID: {S.READY_FOR_PICKUP, S.SHIPPED, S.COMPLETED, S.REFUNDED},
        S.READY_FOR_PICKUP: {S.COMPLETED, S.REFUNDED},
        S.SHIPPED: {S.COMPLETED, S.REFUNDED},
        S.COMPLETED: {S.CLOSED, S.REFUNDED},
    }
)

# The pickup code is unique per store among these (a finished order frees its code).
OPEN_STATUSES = (S.PENDING_PAYMENT, S.PAID, S.READY_FOR_PICKUP)
# Paid and not yet handed over: stock is still reserved for the order.
AWAITING_HANDOVER = (S.PAID, S.READY_FOR_PICKUP)
# Awaiting a pickup at the store (today's pickups, phone-tail candidates).
AWAITING_PICKUP = (S.PAID, S.READY_FOR_PICKUP)
# The buyer may ask for a refund in these (completed: within the after-sale window).
REFUNDABLE_STATUSES = (S.PAID, S.READY_FOR_PICKUP, S.SHIPPED, S.COMPLETED)
# Not counted against a per-person purchase limit.
NOT_PURCHASED = (S.CANCELLED,)


class AfterSaleStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REFUNDING = "refunding", _("Refunding")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Refund failed")


A = AfterSaleStatus

AFTERSALE_STATES = StateMachine(
    {
        A.REQUESTED: {A.APPROVED, A.REJECTED},
        A.APPROVED: {A.REFUNDING, A.REFUNDED, A.FAILED},
        A.REFUNDING: {A.REFUNDED, A.FAILED},
    }
)

# An after-sale in these still holds its quantities and keeps the order from closing.
OPEN_AFTERSALE_STATUSES = (A.REQUESTED, A.APPROVED, A.REFUNDING)
