"""The chart of platform accounts other contexts post to (commerce-core.md)."""

from __future__ import annotations

from trispace.ledger.types import AccountRef

# Money held at the payment provider or in the till: debit on capture, credit on refund.
PSP_CLEARING = AccountRef("platform", 0, "psp_clearing")
# What buyers paid for orders, not yet settled: credit on capture, debit on refund.
CUSTOMER_PAYMENTS = AccountRef("platform", 0, "customer_payments")
