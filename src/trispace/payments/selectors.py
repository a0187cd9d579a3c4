"""Reads of payments, with who-may-see applied here.

A payment is visible to its payer, to the brand's staff, and to staff whose part of the network
contains the organization that receives the money. Anything else is "not found".
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet, Sum

from trispace.network.scoping import scope_for
from trispace.payments import errors
from trispace.payments.models import Payment, Refund
from trispace.payments.services.refunds import refundable_fen
from trispace.payments.states import RefundStatus

# What a provider accepts as out_trade_no (WeChat Pay: letters, digits, _-|*), 6 to 32 long.
_NUMBER = re.compile(r"[A-Za-z0-9_\-|*]{6,32}")

__all__ = ["can_view", "payment_for_viewer", "refundable_fen", "refunded_fen", "refunds_of"]


def can_view(user: Any, payment: Payment) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if payment.payer_id is not None and payment.payer_id == user.pk:
        return True
    scope = scope_for(user)
    if scope.is_brand:  # brand staff, superusers
        return True
    org = payment.organization
    return org is not None and scope.can_view(org)


def _number_ok(out_trade_no: Any) -> bool:
    return isinstance(out_trade_no, str) and bool(_NUMBER.fullmatch(out_trade_no))


def payment_for_viewer(*, user: Any, out_trade_no: str) -> Payment:
    """The payment numbered ``out_trade_no`` when ``user`` may see it; NOT_FOUND otherwise."""
    if not _number_ok(out_trade_no):
        raise errors.NOT_FOUND()
    payment = (
        Payment.objects.select_related("organization").filter(out_trade_no=out_trade_no).first()
    )
    if payment is None or not can_view(user, payment):
        raise errors.NOT_FOUND()
    return payment


def payment_by_number(out_trade_no: str) -> Payment | None:
    """Unscoped: for the cashier page, which checks the payer itself."""
    if not _number_ok(out_trade_no):
        return None
    found: Payment | None = Payment.objects.filter(out_trade_no=out_trade_no).first()
    return found


def refunds_of(payment: Payment) -> QuerySet[Refund]:
    return Refund.objects.filter(payment_id=payment.pk).order_by("created_at", "pk")


def refunded_fen(payment: Payment) -> int:
    total = Refund.objects.filter(payment_id=payment.pk, status=RefundStatus.SUCCEEDED).aggregate(
        total=Sum("amount_fen")
    )["total"]
    return int(total or 0)
