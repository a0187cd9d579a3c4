"""What several payment use cases share: capturing a payment, settling a refund, the ledger.

These are steps inside a use case's transaction, never use cases themselves: each caller has
locked the row it changes and writes its own audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trispace.contracts.payments import PaymentSucceeded, RefundFailed, RefundSucceeded
from trispace.kernel import time as ktime
from trispace.kernel.transitions import transition
from trispace.ledger import services as ledger
from trispace.ledger.chart import CUSTOMER_PAYMENTS, PSP_CLEARING
from trispace.ledger.services import Posting
from trispace.payments import errors
from trispace.payments.models import Payment, Refund
from trispace.payments.states import (
    PAYMENT_STATES,
    REFUND_STATES,
    PaymentStatus,
    RefundStatus,
)


def capture(
    payment: Payment,
    *,
    actor: Any,
    provider_txn_id: str,
    at: dt.datetime | None,
    reason: str,
) -> None:
    """Mark a locked payment succeeded (compare-and-set), post the ledger, publish the event."""
    at = at or ktime.now()
    transition(
        payment,
        machine=PAYMENT_STATES,
        to=PaymentStatus.SUCCEEDED,
        actor=actor,
        reason=reason,
        updates={"succeeded_at": at, "provider_txn_id": provider_txn_id[:64]},
        event=PaymentSucceeded(
            payment_id=payment.pk,
            source_type=payment.source_type,
            source_id=payment.source_id,
            amount_fen=payment.amount_fen,
            provider=payment.provider,
        ),
    )
    ledger.post(
        key=f"payment:{payment.pk}",
        source_type="payment",
        source_id=payment.pk,
        memo=f"{payment.provider} {payment.out_trade_no}",
        postings=[
            Posting(account=PSP_CLEARING, debit_fen=payment.amount_fen),
            Posting(account=CUSTOMER_PAYMENTS, credit_fen=payment.amount_fen),
        ],
    )


def refund_succeed(refund: Refund, *, actor: Any, provider_refund_id: str, reason: str) -> None:
    """Mark a locked refund succeeded, post the ledger (reverse of capture), publish."""
    payment = refund.payment
    transition(
        refund,
        machine=REFUND_STATES,
        to=RefundStatus.SUCCEEDED,
        actor=actor,
        reason=reason,
        updates={
            "succeeded_at": ktime.now(),
            "provider_refund_id": (provider_refund_id or refund.provider_refund_id)[:64],
        },
        event=RefundSucceeded(
            refund_id=refund.pk,
            payment_id=payment.pk,
            source_type=refund.source_type,
            source_id=refund.source_id,
            amount_fen=refund.amount_fen,
            payment_source_type=payment.source_type,
            payment_source_id=payment.source_id,
        ),
    )
    ledger.post(
        key=f"refund:{refund.pk}",
        source_type="refund",
        source_id=refund.pk,
        memo=f"{payment.provider} {refund.out_refund_no} of {payment.out_trade_no}",
        postings=[
            Posting(account=CUSTOMER_PAYMENTS, debit_fen=refund.amount_fen),
            Posting(account=PSP_CLEARING, credit_fen=refund.amount_fen),
        ],
    )


def refund_fail(refund: Refund, *, actor: Any, failure: str) -> None:
    """Mark a locked refund failed and publish; the ledger never saw it."""
    payment = refund.payment
    transition(
        refund,
        machine=REFUND_STATES,
        to=RefundStatus.FAILED,
        actor=actor,
        reason=failure,
        updates={"failed_at": ktime.now(), "failure_reason": failure[:255]},
        event=RefundFailed(
            refund_id=refund.pk,
            payment_id=payment.pk,
            source_type=refund.source_type,
            source_id=refund.source_id,
            amount_fen=refund.amount_fen,
            reason=failure[:255],
            payment_source_type=payment.source_type,
            payment_source_id=payment.source_id,
        ),
    )


def clean_text(
    value: Any, *, field: str, max_length: int, required: bool = False, strict: bool = False
) -> str:
    """Stripped text within bounds. Control characters (PostgreSQL refuses NUL; a provider
    refuses line breaks) become spaces in free text, and refuse an identifier (``strict``)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise errors.INVALID(field=field)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        if strict:
            raise errors.INVALID(field=field)
        value = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value)
    text: str = value.strip()
    if len(text) > max_length or (required and not text):
        raise errors.INVALID(field=field)
    return text


def check_amount(value: Any, field: str = "amount_fen") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**11:
        raise errors.AMOUNT_INVALID(field=field)
    return value
