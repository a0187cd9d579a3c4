"""Use case: pay money back on a payment (``refund_start``), never more than was captured."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from trispace.kernel import audit, ids
from trispace.payments import errors
from trispace.payments.adapters import get_adapter
from trispace.payments.adapters.base import ProviderError, RefundResult
from trispace.payments.models import Payment, Refund
from trispace.payments.services._common import (
    check_amount,
    clean_text,
    refund_fail,
    refund_succeed,
)
from trispace.payments.states import PaymentStatus, RefundStatus

log = logging.getLogger("trispace.payments")

# Refunds that hold part of the payment: done, or on their way.
HOLDING = (RefundStatus.REQUESTED, RefundStatus.SUCCEEDED)


def refundable_fen(payment: Payment) -> int:
    """Captured minus refunded minus refunds on their way (0 unless the payment succeeded)."""
    if payment.status != PaymentStatus.SUCCEEDED:
        return 0
    held = Refund.objects.filter(payment_id=payment.pk, status__in=HOLDING).aggregate(
        total=Sum("amount_fen")
    )["total"]
    return payment.amount_fen - int(held or 0)


def _same_refund(refund: Refund, payment: Payment, amount_fen: int) -> Refund:
    if refund.payment_id != payment.pk or refund.amount_fen != amount_fen:
        raise errors.REFUND_KEY_CONFLICT(field="key")
    return refund


def refund_start(
    *,
    actor: Any,
    payment: Payment,
    amount_fen: int,
    reason: str,
    source_type: str,
    source_id: int,
    key: str,
) -> Refund:
    """Refund ``amount_fen`` of ``payment`` for ``(source_type, source_id)`` (an after-sale).

    The payment row is locked while the amount is checked and the refund recorded, so refunds
    running at once never add up to more than was captured (``REFUND_EXCEEDS_PAYMENT``). Then
    the provider is asked: offline and simulated refunds succeed at once (ledger, then
    ``RefundSucceeded``); WeChat Pay's stay requested until its notification arrives. ``key`` is
    the caller's idempotency key: the same key again returns the same refund (and asks the
    provider again if it could not be reached), another payment or amount under it is
    ``REFUND_KEY_CONFLICT``. Who may refund is the caller's decision (orders' after-sales).
    """
    check_amount(amount_fen)
    key = clean_text(key, field="key", max_length=100, required=True, strict=True)
    reason = clean_text(reason, field="reason", max_length=80)
    if not isinstance(source_type, str) or not 0 < len(source_type) <= 40:
        raise errors.SOURCE_INVALID(field="source_type")
    if isinstance(source_id, bool) or not isinstance(source_id, int) or source_id < 0:
        raise errors.SOURCE_INVALID(field="source_id")

    existing = Refund.objects.select_related("payment").filter(key=key).first()
    if existing is not None:
        refund = _same_refund(existing, payment, amount_fen)
    else:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status != PaymentStatus.SUCCEEDED:
                raise errors.PAYMENT_NOT_REFUNDABLE()
            room = refundable_fen(locked)
            if amount_fen > room:
                raise errors.REFUND_EXCEEDS_PAYMENT(field="amount_fen", refundable=room)
            try:
                with transaction.atomic():
                    refund = Refund.objects.create(
                        payment=locked,
                        amount_fen=amount_fen,
                        out_refund_no=ids.order_number(prefix="R"),
                        key=key,
                        source_type=source_type,
                        source_id=source_id,
                        reason=reason,
                        requested_by_id=getattr(actor, "pk", None),
                    )
            except IntegrityError:  # the same key, just now, from another request
                refund = _same_refund(Refund.objects.get(key=key), locked, amount_fen)
            else:
                audit.record(
                    actor=actor,
                    action="refund_start",
                    target=refund,
                    reason=reason,
                    data={"payment_id": locked.pk, "amount_fen": amount_fen},
                )
    if refund.status != RefundStatus.REQUESTED or refund.provider_refund_id:
        return refund  # settled, or accepted by the provider and waiting for its notification
    return _submit(refund, actor=actor)


def _submit(refund: Refund, *, actor: Any) -> Refund:
    """Ask the provider to pay the refund back, then record what it said."""
    payment = refund.payment
    adapter = get_adapter(payment.provider)
    try:
        result = adapter.refund(refund)
    except ProviderError as exc:
        log.warning("refund %s at %s: %s", refund.out_refund_no, payment.provider, exc)
        raise errors.PROVIDER_UNAVAILABLE() from exc
    return _record(refund.pk, result, actor=actor, provider=payment.provider)


def _record(refund_id: int, result: RefundResult, *, actor: Any, provider: str) -> Refund:
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment")
            .get(pk=refund_id)
        )
        if refund.status != RefundStatus.REQUESTED:
            return refund  # settled meanwhile (a notification, a concurrent retry)
        if result.status == "succeeded":
            refund_succeed(
                refund,
                actor=actor,
                provider_refund_id=result.provider_refund_id,
                reason=f"refunded through {provider}",
            )
        elif result.status == "failed":
            refund_fail(refund, actor=actor, failure=f"{provider}: {result.message}")
        elif result.provider_refund_id:
            Refund.objects.filter(pk=refund.pk).update(
                provider_refund_id=result.provider_refund_id[:64]
            )
            refund.provider_refund_id = result.provider_refund_id[:64]
        audit.record(
            actor=actor,
            action=f"refund_{result.status}",
            target=refund,
            reason=result.message,
            data={"provider": provider},
        )
    return refund
