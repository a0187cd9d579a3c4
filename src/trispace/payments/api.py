"""JSON API of payments, mounted at /api/payments/.

* ``POST /notify/{provider}`` — the providers' notifications (public: the signature is the
  authentication, so no session and no CSRF). Answers as WeChat Pay v3 expects: 200
  ``{"code": "SUCCESS"}``, or 4xx ``{"code": "FAIL", "message": …}`` so the provider retries.
* ``GET /{out_trade_no}`` — a payment with its refunds, for its payer or staff in scope.

Starting payments and refunds is orders' business: it calls the services directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema

from trispace.kernel.errors import DomainError
from trispace.kernel.money import format_fen
from trispace.payments import errors, selectors, services
from trispace.payments.adapters.notify_v3 import MAX_BODY_BYTES
from trispace.payments.models import Payment, Refund

router = Router(tags=["payments"])
log = logging.getLogger("trispace.payments")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class NotifyOut(Schema):
    code: str
    message: str = ""


class RefundOut(Schema):
    out_refund_no: str
    amount_fen: int
    amount: str
    status: str
    reason: str
    created_at: dt.datetime
    succeeded_at: dt.datetime | None


class PaymentOut(Schema):
    out_trade_no: str
    status: str
    provider: str
    amount_fen: int
    amount: str
    description: str
    source_type: str
    source_id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    succeeded_at: dt.datetime | None
    refunded_fen: int
    refundable_fen: int
    refunds: list[RefundOut]


def _fail(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


@router.post(
    "/notify/{provider}",
    auth=None,
    response={200: NotifyOut, 400: NotifyOut, 404: NotifyOut, 413: NotifyOut},
    summary="A payment provider's notification (WeChat Pay v3 format)",
)
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return _fail(413, "body too large")
    if len(body) > MAX_BODY_BYTES:
        return _fail(413, "body too large")
    try:
        services.notification_handle(provider=provider, headers=request.headers, body=body)
    except DomainError as exc:
        status = 404 if exc.error is errors.PROVIDER_UNKNOWN else exc.status
        if status >= 500:  # never: verification and matching refuse with 4xx
            status = 400
        return _fail(status, exc.message)
    return JsonResponse({"code": "SUCCESS", "message": ""}, status=200)


def _refund_out(refund: Refund) -> dict[str, Any]:
    return {
        "out_refund_no": refund.out_refund_no,
        "amount_fen": refund.amount_fen,
        "amount": format_fen(refund.amount_fen),
        "status": refund.status,
        "reason": refund.reason,
        "created_at": refund.created_at,
        "succeeded_at": refund.succeeded_at,
    }


def payment_out(payment: Payment) -> dict[str, Any]:
    refunds = list(selectors.refunds_of(payment))
    refunded = sum(r.amount_fen for r in refunds if r.status == "succeeded")
    return {
        "out_trade_no": payment.out_trade_no,
        "status": payment.status,
        "provider": payment.provider,
        "amount_fen": payment.amount_fen,
        "amount": format_fen(payment.amount_fen),
        "description": payment.description,
        "source_type": payment.source_type,
        "source_id": payment.source_id,
        "created_at": payment.created_at,
        "expires_at": payment.expires_at,
        "succeeded_at": payment.succeeded_at,
        "refunded_fen": refunded,
        "refundable_fen": services.refundable_fen(payment),
        "refunds": [_refund_out(r) for r in refunds],
    }


@router.get("/{out_trade_no}", response={200: PaymentOut, 401: ErrorOut, 404: ErrorOut})
def payment_detail(request: HttpRequest, out_trade_no: str) -> dict[str, Any]:
    payment = selectors.payment_for_viewer(user=request.user, out_trade_no=out_trade_no)
    return payment_out(payment)
