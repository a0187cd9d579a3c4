"""Use case: a provider tells us a payment or a refund went through (``notification_handle``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.db import IntegrityError, transaction

from trispace.kernel import audit
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError, ErrorCode
from trispace.payments import errors
from trispace.payments.adapters import get_adapter
from trispace.payments.adapters.base import Notice, NoticeInvalid
from trispace.payments.models import Notification, Outcome, Payment, Refund
from trispace.payments.services._common import capture, refund_fail, refund_succeed
from trispace.payments.states import PaymentStatus, RefundStatus

log = logging.getLogger("trispace.payments")

REFUND_FAILURES = frozenset({"CLOSED", "ABNORMAL"})
_RESULTS: dict[str, Literal["accepted", "duplicate", "ignored"]] = {
    Outcome.ACCEPTED: "accepted",
    Outcome.DUPLICATE: "duplicate",
    Outcome.IGNORED: "ignored",
}


@dataclass(frozen=True)
class NotificationOutcome:
    """``accepted``: this notification changed something; ``duplicate``: it (or another
    notification saying the same) was applied before, nothing changed; ``ignored``: nothing to
    do (e.g. a status we do not act on)."""

    outcome: Literal["accepted", "duplicate", "ignored"]
    notification_id: int
    payment_id: int | None = None
    refund_id: int | None = None


class _Rejected(Exception):
    def __init__(self, error: ErrorCode, reason: str) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason


def _mismatch(reason: str) -> _Rejected:
    return _Rejected(errors.NOTIFICATION_MISMATCH, reason)


def _error_for(row: Notification) -> DomainError:
    if row.detail.startswith("unknown"):
        return errors.NOTIFICATION_UNKNOWN(reason=row.detail)
    return errors.NOTIFICATION_MISMATCH(reason=row.detail)


def notification_handle(
    *, provider: str, headers: Mapping[str, str], body: bytes
) -> NotificationOutcome:
    """Verify a provider notification and apply it exactly once.

    Verify (signature, key serial, freshness, decryption: ``NOTIFICATION_INVALID``, nothing
    stored) → record it once per (provider, event id) → compare it with our payment or refund
    (out_trade_no, amount, app id, merchant id) → move the payment to succeeded (or the refund to
    succeeded/failed) with compare-and-set → post the ledger → publish the event. A replay
    changes nothing and says ``duplicate``; a mismatch is recorded as rejected and raises a
    400-class error (``NOTIFICATION_MISMATCH``/``NOTIFICATION_UNKNOWN``), again on every replay.
    """
    adapter = get_adapter(provider)
    try:
        notice = adapter.parse_notification(headers, body)
    except NoticeInvalid as exc:
        log.warning("%s notification refused: %s", provider, exc.reason)
        raise errors.NOTIFICATION_INVALID(reason=exc.reason) from None

    rejection: DomainError | None = None
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    provider=provider,
                    event_id=notice.event_id,
                    kind=notice.kind,
                    status=notice.status[:32],
                    out_trade_no=notice.out_trade_no,
                    out_refund_no=notice.out_refund_no,
                    amount_fen=notice.amount_fen,
                    received_at=ktime.now(),
                    outcome=Outcome.ACCEPTED,
                )
        except IntegrityError:
            seen = Notification.objects.get(provider=provider, event_id=notice.event_id)
            if seen.outcome == Outcome.REJECTED:
                rejection = _error_for(seen)
            else:
                return NotificationOutcome(
                    outcome="duplicate",
                    notification_id=seen.pk,
                    payment_id=seen.payment_id,
                    refund_id=seen.refund_id,
                )
        else:
            try:
                if notice.kind == "payment":
                    outcome, detail = _apply_payment(row, notice, provider)
                else:
                    outcome, detail = _apply_refund(row, notice, provider)
            except _Rejected as exc:
                outcome, detail = Outcome.REJECTED, exc.reason
                rejection = exc.error(reason=exc.reason)
                log.error("%s notification %s rejected: %s", provider, notice.event_id, exc.reason)
            row.outcome, row.detail = outcome, detail[:255]
            row.save(update_fields=["outcome", "detail", "payment", "refund"])
    if rejection is not None:
        raise rejection
    return NotificationOutcome(
        outcome=_RESULTS[row.outcome],
        notification_id=row.pk,
        payment_id=row.payment_id,
        refund_id=row.refund_id,
    )


def _apply_payment(row: Notification, notice: Notice, provider: str) -> tuple[str, str]:
    payment: Payment | None = (
        Payment.objects.select_for_update().filter(out_trade_no=notice.out_trade_no).first()
    )
    if payment is None or payment.provider != provider:
        raise _Rejected(errors.NOTIFICATION_UNKNOWN, "unknown out_trade_no")
    row.payment = payment
    if notice.merchant_id != payment.merchant_id:
        raise _mismatch("merchant id")
    if notice.app_id != payment.app_id:
        raise _mismatch("app id")
    if notice.currency != "CNY":
        raise _mismatch("currency")
    if notice.amount_fen != payment.amount_fen:
        raise _mismatch("amount")
    if not notice.succeeded:
        return Outcome.IGNORED, f"status {notice.status}"
    if payment.status == PaymentStatus.SUCCEEDED:
        if payment.provider_txn_id != notice.provider_txn_id:
            # Two captures for one out_trade_no: money to give back by hand.
            raise _mismatch("already paid by another transaction")
        return Outcome.DUPLICATE, "already succeeded"
    capture(
        payment,
        actor=None,
        provider_txn_id=notice.provider_txn_id,
        at=notice.occurred_at,
        reason=f"{provider} notification {notice.event_id}"[:255],
    )
    audit.record(
        actor=None,
        action="payment_succeeded",
        target=payment,
        data={"provider": provider, "event_id": notice.event_id, "amount_fen": notice.amount_fen},
    )
    return Outcome.ACCEPTED, ""


def _apply_refund(row: Notification, notice: Notice, provider: str) -> tuple[str, str]:
    refund: Refund | None = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment")
        .filter(out_refund_no=notice.out_refund_no)
        .first()
    )
    if refund is None or refund.payment.provider != provider:
        raise _Rejected(errors.NOTIFICATION_UNKNOWN, "unknown out_refund_no")
    row.refund, row.payment = refund, refund.payment
    payment = refund.payment
    if notice.out_trade_no != payment.out_trade_no:
        raise _mismatch("out_trade_no")
    if notice.merchant_id != payment.merchant_id:
        raise _mismatch("merchant id")
    if notice.app_id and notice.app_id != payment.app_id:
        raise _mismatch("app id")
    if notice.amount_fen != refund.amount_fen:
        raise _mismatch("amount")
    if notice.total_fen is not None and notice.total_fen != payment.amount_fen:
        raise _mismatch("total amount")
    if notice.succeeded:
        if refund.status == RefundStatus.SUCCEEDED:
            return Outcome.DUPLICATE, "already succeeded"
        if refund.status == RefundStatus.FAILED:
            raise _mismatch("refund succeeded after it was recorded as failed")
        refund_succeed(
            refund,
            actor=None,
            provider_refund_id=notice.provider_refund_id,
            reason=f"{provider} notification {notice.event_id}"[:255],
        )
        audit.record(
            actor=None,
            action="refund_succeeded",
            target=refund,
            data={"provider": provider, "event_id": notice.event_id},
        )
        return Outcome.ACCEPTED, ""
    if notice.status in REFUND_FAILURES:
        if refund.status == RefundStatus.FAILED:
            return Outcome.DUPLICATE, "already failed"
        if refund.status == RefundStatus.SUCCEEDED:
            raise _mismatch("refund failed after it was recorded as succeeded")
        refund_fail(refund, actor=None, failure=f"{provider}: {notice.status}")
        audit.record(
            actor=None,
            action="refund_failed",
            target=refund,
            data={"provider": provider, "event_id": notice.event_id, "status": notice.status},
        )
        return Outcome.ACCEPTED, ""
    return Outcome.IGNORED, f"status {notice.status}"
