"""Background jobs of payments: close payments nobody paid (a periodic scan, chunked, rerunnable)."""

from __future__ import annotations

import logging

from trispace.kernel import jobs
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.payments.models import Payment
from trispace.payments.services import payment_close
from trispace.payments.states import PaymentStatus

log = logging.getLogger("trispace.payments")
CHUNK = 200


def close_expired(*, limit: int = CHUNK) -> int:
    """Close up to ``limit`` unpaid payments past their ``expires_at``; returns how many."""
    due = list(
        Payment.objects.filter(status=PaymentStatus.CREATED, expires_at__lte=ktime.now()).order_by(
            "expires_at"
        )[:limit]
    )
    closed = 0
    for payment in due:
        try:
            payment_close(actor=None, payment=payment, reason="unpaid timeout")
        except DomainError as exc:  # paid meanwhile: nothing to close
            log.info("not closing %s: %s", payment.out_trade_no, exc.code)
            continue
        closed += 1
    return closed


@jobs.periodic(jobs.crontab(minute="*"))
def close_expired_payments() -> None:
    while close_expired() == CHUNK:
        pass
